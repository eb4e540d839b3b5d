//! A release's body in its Secret or ConfigMap: base64(gzip(JSON)).

use std::io::{Read, Write};

use base64::Engine as _;
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;

use crate::release::{DecodeError, Release};

/// The most a stored record may inflate to. Helm has no bound; a record
/// near this size could not be stored in a Secret (1 MiB) anyway, so
/// anything larger is hostile.
pub const MAX_DECOMPRESSED: u64 = 64 << 20;

/// What Helm's decoder looks for to tell gzip from plain JSON (records
/// written before Helm compressed them are plain).
const GZIP_MAGIC: [u8; 3] = [0x1f, 0x8b, 0x08];

/// Why a stored body is not a release.
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    /// The body is not standard base64.
    #[error("illegal base64 data: {0}")]
    Base64(#[from] base64::DecodeError),
    /// The gzip stream is corrupt or truncated.
    #[error("gzip: {0}")]
    Gzip(std::io::Error),
    /// The record inflates past [`MAX_DECOMPRESSED`].
    #[error("release record exceeds {} MiB decompressed", MAX_DECOMPRESSED >> 20)]
    TooLarge,
    /// The decompressed bytes are not UTF-8 text.
    #[error("release record is not UTF-8 text")]
    NotText,
    /// The JSON is not a release.
    #[error(transparent)]
    Json(#[from] DecodeError),
}

/// The body Helm stores: the release's JSON, gzipped at the best level (as
/// Helm does), in standard base64.
pub fn encode_release(release: &Release) -> String {
    let json = release.to_json();
    let mut gz = GzEncoder::new(Vec::new(), Compression::best());
    // Writing into a Vec cannot fail.
    let compressed = gz
        .write_all(json.as_bytes())
        .and_then(|()| gz.finish())
        .unwrap_or_default();
    base64::engine::general_purpose::STANDARD.encode(compressed)
}

/// Reads a stored body: base64 of gzipped JSON, or of plain JSON.
pub fn decode_release(data: &str) -> Result<Release, CodecError> {
    let bytes = base64::engine::general_purpose::STANDARD.decode(data.trim_end())?;
    let json = if bytes.starts_with(&GZIP_MAGIC) {
        let mut out = Vec::new();
        GzDecoder::new(bytes.as_slice())
            .take(MAX_DECOMPRESSED + 1)
            .read_to_end(&mut out)
            .map_err(CodecError::Gzip)?;
        if out.len() as u64 > MAX_DECOMPRESSED {
            return Err(CodecError::TooLarge);
        }
        out
    } else {
        bytes
    };
    let text = String::from_utf8(json).map_err(|_| CodecError::NotText)?;
    Ok(Release::from_json(&text)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Release {
        Release::from_json(r#"{"name":"a","info":{"status":"deployed"},"version":1}"#).unwrap()
    }

    #[test]
    fn round_trip_through_gzip() {
        let data = encode_release(&sample());
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&data)
            .unwrap();
        assert!(bytes.starts_with(&GZIP_MAGIC));
        assert_eq!(decode_release(&data).unwrap(), sample());
    }

    #[test]
    fn plain_json_is_read() {
        let data = base64::engine::general_purpose::STANDARD.encode(sample().to_json());
        assert_eq!(decode_release(&data).unwrap(), sample());
    }

    #[test]
    fn bad_bodies_are_errors() {
        assert!(matches!(decode_release("%%"), Err(CodecError::Base64(_))));
        assert!(matches!(decode_release(""), Err(CodecError::Json(_))));
        let truncated = base64::engine::general_purpose::STANDARD.encode(GZIP_MAGIC);
        assert!(matches!(
            decode_release(&truncated),
            Err(CodecError::Gzip(_))
        ));
    }

    #[test]
    fn gzip_bomb_stops_at_the_bound() {
        let mut gz = GzEncoder::new(Vec::new(), Compression::best());
        let zeros = vec![b' '; 1 << 20];
        for _ in 0..(MAX_DECOMPRESSED >> 20) + 1 {
            gz.write_all(&zeros).unwrap();
        }
        let data = base64::engine::general_purpose::STANDARD.encode(gz.finish().unwrap());
        assert!(matches!(decode_release(&data), Err(CodecError::TooLarge)));
    }
}
