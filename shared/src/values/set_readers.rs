//! How `--set-json` and `--set-file` turn the text after `=` into a value.

use crate::codec::json;
use crate::engine::Value;

/// The JSON document at the start of `text` (Helm's model: numbers are
/// float64) and how many bytes it spans.
pub(super) fn json_prefix(text: &str) -> Result<(Value, usize), String> {
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<serde_json::Value>();
    match stream.next() {
        Some(Ok(_)) => {
            let used = stream.byte_offset();
            let value = json::from_str(&text[..used]).map_err(|e| e.0)?;
            Ok((value, used))
        }
        Some(Err(e)) => Err(e.to_string()),
        None => Err("unexpected end of JSON input".into()),
    }
}

/// The text of the file at `path`, as a string value.
pub(super) fn read_file(path: &str) -> Result<Value, String> {
    std::fs::read(path)
        .map(|data| Value::from(String::from_utf8_lossy(&data).into_owned()))
        .map_err(|e| format!("open {path}: {}", super::io_message(&e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_prefix_stops_after_one_document() {
        let (v, used) = json_prefix(r#"{"a":[1,2]},b=1"#).unwrap();
        assert_eq!(used, 11);
        assert!(matches!(v, Value::Map(_)));
        assert!(json_prefix("{bad").is_err());
    }

    #[test]
    fn missing_files_fail_as_go_reports_them() {
        assert_eq!(
            read_file("/no/such/file").unwrap_err(),
            "open /no/such/file: no such file or directory"
        );
    }
}
