//! The content type Helm names when a chart file is not a gzip archive: Go's
//! `http.DetectContentType`, for the signatures a mistaken chart argument
//! plausibly has (text, markup, documents, images, other archives). Audio,
//! video and font signatures are left out; such files read as
//! `application/octet-stream`.

/// How many leading bytes the sniffer looks at. Helm hands it a buffer of
/// exactly this size, zero-filled past the end of a shorter file, so short
/// text files sniff as binary.
const SNIFF_LEN: usize = 512;

/// Byte patterns; `None` matches any byte.
const PREFIXES: &[(&[Option<u8>], &str)] = &[
    (&exact(b"%PDF-"), "application/pdf"),
    (&exact(b"%!PS-Adobe-"), "application/postscript"),
    (&exact(b"\xFE\xFF"), "text/plain; charset=utf-16be"),
    (&exact(b"\xFF\xFE"), "text/plain; charset=utf-16le"),
    (&exact(b"\xEF\xBB\xBF"), "text/plain; charset=utf-8"),
    (&exact(b"\x00\x00\x01\x00"), "image/x-icon"),
    (&exact(b"\x00\x00\x02\x00"), "image/x-icon"),
    (&exact(b"BM"), "image/bmp"),
    (&exact(b"GIF87a"), "image/gif"),
    (&exact(b"GIF89a"), "image/gif"),
    (&riff(b"WEBPVP"), "image/webp"),
    (&exact(b"\x89PNG\x0D\x0A\x1A\x0A"), "image/png"),
    (&exact(b"\xFF\xD8\xFF"), "image/jpeg"),
    (&exact(b"\x1F\x8B\x08"), "application/x-gzip"),
    (&exact(b"PK\x03\x04"), "application/zip"),
    (&exact(b"Rar!\x1A\x07\x00"), "application/x-rar-compressed"),
    (
        &exact(b"Rar!\x1A\x07\x01\x00"),
        "application/x-rar-compressed",
    ),
    (&exact(b"\x00asm"), "application/wasm"),
];

/// Tags that make a document HTML when followed by a space or `>`.
const HTML_TAGS: &[&[u8]] = &[
    b"<!DOCTYPE HTML",
    b"<HTML",
    b"<HEAD",
    b"<SCRIPT",
    b"<IFRAME",
    b"<H1",
    b"<DIV",
    b"<FONT",
    b"<TABLE",
    b"<A",
    b"<STYLE",
    b"<TITLE",
    b"<B",
    b"<BODY",
    b"<BR",
    b"<P",
    b"<!--",
];

const fn exact<const N: usize>(sig: &[u8; N]) -> [Option<u8>; N] {
    let mut out = [None; N];
    let mut i = 0;
    while i < N {
        out[i] = Some(sig[i]);
        i += 1;
    }
    out
}

/// `RIFF`, a four-byte length, then `tail`.
const fn riff<const N: usize>(tail: &[u8; N]) -> [Option<u8>; 14] {
    let mut out = [None; 14];
    let head = b"RIFF";
    let mut i = 0;
    while i < 4 {
        out[i] = Some(head[i]);
        i += 1;
    }
    let mut j = 0;
    while j < N && 8 + j < 14 {
        out[8 + j] = Some(tail[j]);
        j += 1;
    }
    out
}

/// The MIME type Go's `http.DetectContentType` gives the start of `data`,
/// zero-filled to 512 bytes as Helm's buffer is.
pub fn detect_content_type(data: &[u8]) -> &'static str {
    let mut buf = [0u8; SNIFF_LEN];
    let n = data.len().min(SNIFF_LEN);
    buf[..n].copy_from_slice(&data[..n]);

    let start = buf
        .iter()
        .position(|b| !matches!(b, b'\t' | b'\n' | b'\x0C' | b'\r' | b' '))
        .unwrap_or(SNIFF_LEN);
    let markup = &buf[start..];
    if HTML_TAGS.iter().any(|tag| is_html_tag(markup, tag)) {
        return "text/html; charset=utf-8";
    }
    if markup.starts_with(b"<?xml") {
        return "text/xml; charset=utf-8";
    }
    for (pattern, mime) in PREFIXES {
        let matches = pattern.len() <= buf.len()
            && pattern
                .iter()
                .zip(&buf)
                .all(|(p, b)| p.is_none_or(|p| p == *b));
        if matches {
            return mime;
        }
    }
    if buf.iter().any(|&b| is_binary(b)) {
        "application/octet-stream"
    } else {
        "text/plain; charset=utf-8"
    }
}

fn is_html_tag(data: &[u8], tag: &[u8]) -> bool {
    data.len() > tag.len()
        && data[..tag.len()].eq_ignore_ascii_case(tag)
        && matches!(data[tag.len()], b' ' | b'>')
}

/// Bytes that never occur in text, as Go's sniffer defines them.
fn is_binary(b: u8) -> bool {
    matches!(b, 0x00..=0x08 | 0x0B | 0x0E..=0x1A | 0x1C..=0x1F)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_binary_through_the_zero_fill() {
        assert_eq!(detect_content_type(b"hello\n"), "application/octet-stream");
        assert_eq!(
            detect_content_type(&[b'a'; 600]),
            "text/plain; charset=utf-8"
        );
    }

    #[test]
    fn signatures() {
        assert_eq!(detect_content_type(b"\x1f\x8b\x08\0"), "application/x-gzip");
        assert_eq!(detect_content_type(b"PK\x03\x04rest"), "application/zip");
        assert_eq!(detect_content_type(b"  <html>"), "text/html; charset=utf-8");
        assert_eq!(
            detect_content_type(b"<?xml version"),
            "text/xml; charset=utf-8"
        );
        assert_eq!(detect_content_type(b"RIFF\0\0\0\0WEBPVP8 "), "image/webp");
    }
}
