//! Reading a schema document with the words of v6's `UnmarshalJSON` (a Go
//! `json.Decoder`, which says `EOF` and `unexpected EOF` where
//! `json.Unmarshal` says `unexpected end of JSON input`).

use serde_json::Value as Json;

use crate::codec::json;

/// The JSON of a schema file, or Go's error for it.
pub(super) fn read(bytes: &[u8]) -> Result<Json, String> {
    let text = String::from_utf8_lossy(bytes);
    if text.trim_matches([' ', '\t', '\n', '\r']).is_empty() {
        return Err("EOF".into());
    }
    // Our Go-worded reader judges the syntax; a value it cannot hold as a
    // float64 (`1e400`) is no syntax error, and v6 keeps such numbers.
    if let Err(e) = json::from_str(&text) {
        let message = e.to_string();
        if !message.starts_with("json: cannot unmarshal") {
            return Err(decoder_wording(message));
        }
    }
    serde_json::from_str(&text).map_err(|e| e.to_string())
}

fn decoder_wording(message: String) -> String {
    if message == "unexpected end of JSON input" {
        "unexpected EOF".into()
    } else if message.ends_with("after top-level value") {
        "invalid character after top-level value".into()
    } else {
        message
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_worded_as_a_go_decoder_words_them() {
        assert_eq!(read(b"").unwrap_err(), "EOF");
        assert_eq!(read(b" \n").unwrap_err(), "EOF");
        assert_eq!(read(b"{\"a\": 1").unwrap_err(), "unexpected EOF");
        assert_eq!(
            read(b"{} x").unwrap_err(),
            "invalid character after top-level value"
        );
        assert_eq!(
            read(b"{x}").unwrap_err(),
            "invalid character 'x' looking for beginning of object key string"
        );
    }

    #[test]
    fn a_document_reads() {
        assert_eq!(
            read(b" {\"a\": [1, true]} ").unwrap(),
            serde_json::json!({"a": [1, true]})
        );
    }
}
