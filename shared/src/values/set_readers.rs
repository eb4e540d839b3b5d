//! How `--set-json` and `--set-file` turn the text after `=` into a value.

use crate::codec::json;
use crate::engine::Value;

/// The JSON document at the start of `text` (Helm's model: numbers are
/// float64) and how many bytes it spans.
pub(super) fn json_prefix(text: &str) -> Result<(Value, usize), String> {
    let used = json_value_end(text).ok_or("unexpected end of JSON input")?;
    let value = json::from_str(&text[..used]).map_err(|e| e.0)?;
    Ok((value, used))
}

/// Where the first JSON value of `text` (after leading white space) ends,
/// found by scanning brackets and strings without recursion, so values
/// nested as deep as Go's decoder allows are read; the value itself is
/// checked by [`json::from_str`]. `None` if it never ends.
fn json_value_end(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let start = bytes.iter().position(|b| !b" \t\r\n".contains(b))?;
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, &b) in bytes.iter().enumerate().skip(start) {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => {
                    in_string = false;
                    if depth == 0 {
                        return Some(i + 1);
                    }
                }
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => depth += 1,
            b']' | b'}' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            b',' | b']' | b'}' | b' ' | b'\t' | b'\r' | b'\n' if depth == 0 => return Some(i),
            _ => {}
        }
    }
    (depth == 0 && !in_string).then_some(bytes.len())
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
        let (_, used) = json_prefix(r#" "a,]\"b",c=1"#).unwrap();
        assert_eq!(used, 9);
        assert_eq!(json_prefix("12,b").unwrap().1, 2);
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(json_prefix(&deep).is_ok());
        let deeper = format!("{}{}", "[".repeat(10_001), "]".repeat(10_001));
        assert!(json_prefix(&deeper).is_err());
    }

    #[test]
    fn missing_files_fail_as_go_reports_them() {
        assert_eq!(
            read_file("/no/such/file").unwrap_err(),
            "open /no/such/file: no such file or directory"
        );
    }
}
