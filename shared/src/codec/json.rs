//! JSON as Go's `encoding/json` writes and reads it: sorted map keys, HTML
//! escaping (unless raw), Go's float formatting, `[]byte` as base64, every
//! number read back as a float64, and Go's error texts.

use std::collections::BTreeMap;
use std::fmt;

use base64::Engine as _;

use super::gofloat::{format_g, write_json_float};
use crate::engine::value::{ListElem, Map, MapKind, Value};

/// Go's `encoding/json` limit on nesting while reading.
const MAX_READ_DEPTH: usize = 10_000;
/// Deeper values are taken for cycles while writing (Go checks for cycles
/// from depth 1000 on).
const MAX_WRITE_DEPTH: usize = 1000;

/// A JSON failure, worded as `encoding/json` words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError(pub String);

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for JsonError {}

/// How to write: `json.Marshal` escapes `<`, `>`, `&`; an `Encoder` with
/// `SetEscapeHTML(false)` does not. `indent` is `MarshalIndent`'s.
#[derive(Clone, Copy, Debug)]
pub struct Options<'a> {
    pub escape_html: bool,
    pub indent: Option<&'a str>,
}

/// `json.Marshal(value)`.
pub fn to_string(value: &Value) -> Result<String, JsonError> {
    to_string_with(
        value,
        Options {
            escape_html: true,
            indent: None,
        },
    )
}

/// `json.Marshal`, `MarshalIndent` or a non-escaping `Encoder`, by `options`.
pub fn to_string_with(value: &Value, options: Options<'_>) -> Result<String, JsonError> {
    let mut writer = Writer {
        out: String::new(),
        options,
    };
    writer.value(value, 0)?;
    Ok(writer.out)
}

struct Writer<'a> {
    out: String,
    options: Options<'a>,
}

impl Writer<'_> {
    fn value(&mut self, value: &Value, depth: usize) -> Result<(), JsonError> {
        if depth > MAX_WRITE_DEPTH {
            return Err(JsonError(format!(
                "json: unsupported value: encountered a cycle via {}",
                value.type_name()
            )));
        }
        match value {
            Value::Nil => self.out.push_str("null"),
            Value::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i, _) => self.out.push_str(&i.to_string()),
            Value::Uint(u, _) => self.out.push_str(&u.to_string()),
            Value::Float(f) if f.is_finite() => write_json_float(*f, &mut self.out),
            Value::Float(f) => {
                return Err(JsonError(format!(
                    "json: unsupported value: {}",
                    format_g(*f)
                )));
            }
            Value::String(s) => write_string(s, self.options.escape_html, &mut self.out),
            Value::Bytes(b) => {
                let text = base64::engine::general_purpose::STANDARD.encode(b);
                write_string(&text, false, &mut self.out);
            }
            Value::List(list) if list.nil => self.out.push_str("null"),
            Value::Map(map) if map.is_nil() => self.out.push_str("null"),
            Value::List(list) => self.list(&list.items, depth)?,
            Value::Map(map) => {
                let entries = map.snapshot();
                self.object(&entries, depth)?;
            }
            Value::Object(object) => {
                if let Some(fields) = object.json_fields() {
                    let fields: Vec<(String, Value)> = fields
                        .into_iter()
                        .map(|(k, v)| (k.to_string(), v))
                        .collect();
                    self.object(&fields, depth)?;
                } else if let Some(json) = object.to_json() {
                    self.value(&json, depth + 1)?;
                } else {
                    return Err(JsonError(format!(
                        "json: unsupported type: {}",
                        object.type_name()
                    )));
                }
            }
        }
        Ok(())
    }

    fn list(&mut self, items: &[Value], depth: usize) -> Result<(), JsonError> {
        self.out.push('[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            self.newline(depth + 1);
            self.value(item, depth + 1)?;
        }
        if !items.is_empty() {
            self.newline(depth);
        }
        self.out.push(']');
        Ok(())
    }

    fn object(&mut self, entries: &[(String, Value)], depth: usize) -> Result<(), JsonError> {
        self.out.push('{');
        for (i, (key, value)) in entries.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            self.newline(depth + 1);
            write_string(key, self.options.escape_html, &mut self.out);
            self.out.push(':');
            if self.options.indent.is_some() {
                self.out.push(' ');
            }
            self.value(value, depth + 1)?;
        }
        if !entries.is_empty() {
            self.newline(depth);
        }
        self.out.push('}');
        Ok(())
    }

    /// `MarshalIndent`'s line break and indentation before an element.
    fn newline(&mut self, depth: usize) {
        if let Some(indent) = self.options.indent {
            self.out.push('\n');
            for _ in 0..depth {
                self.out.push_str(indent);
            }
        }
    }
}

/// A JSON string literal as Go writes it.
pub(crate) fn write_string(s: &str, escape_html: bool, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' if escape_html => push_unicode_escape(c, out),
            '\u{0}'..='\u{1f}' | '\u{2028}' | '\u{2029}' => push_unicode_escape(c, out),
            _ => out.push(c),
        }
    }
    out.push('"');
}

fn push_unicode_escape(c: char, out: &mut String) {
    out.push_str(&format!("\\u{:04x}", u32::from(c)));
}

/// `json.Unmarshal` into an `interface{}`: objects become maps, numbers
/// float64. Syntax is checked over the whole input first, as Go does.
pub fn from_str(input: &str) -> Result<Value, JsonError> {
    let mut reader = Reader {
        bytes: input.as_bytes(),
        pos: 0,
        depth: 0,
    };
    reader.skip_space();
    let value = reader.value()?;
    reader.skip_space();
    if let Some(&c) = reader.bytes.get(reader.pos) {
        return Err(reader.invalid(c, "after top-level value"));
    }
    value.map_err(JsonError)
}

/// `json.Unmarshal` into a `map[string]interface{}` (null leaves it nil).
pub fn from_str_map(input: &str) -> Result<Value, JsonError> {
    match from_str(input)? {
        Value::Nil => Ok(Value::Map(Map::nil(MapKind::Any))),
        map @ Value::Map(_) => Ok(map),
        other => Err(type_mismatch(&other, "map[string]interface {}")),
    }
}

/// `json.Unmarshal` into a `[]interface{}`.
pub fn from_str_list(input: &str) -> Result<Value, JsonError> {
    match from_str(input)? {
        Value::Nil => Ok(Value::nil_list(ListElem::Any)),
        list @ Value::List(_) => Ok(list),
        other => Err(type_mismatch(&other, "[]interface {}")),
    }
}

fn type_mismatch(value: &Value, target: &str) -> JsonError {
    let kind = match value {
        Value::Bool(_) => "bool",
        Value::Float(_) => "number",
        Value::String(_) => "string",
        Value::List(_) => "array",
        _ => "object",
    };
    JsonError(format!(
        "json: cannot unmarshal {kind} into Go value of type {target}"
    ))
}

/// A recursive-descent reader. The outer `Result` is a syntax error (which
/// wins over everything); the inner one a value error such as a number out
/// of float64 range, reported only if the syntax is sound.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
}

type Parsed = Result<Result<Value, String>, JsonError>;

impl Reader<'_> {
    fn skip_space(&mut self) {
        while matches!(self.bytes.get(self.pos), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn eof() -> JsonError {
        JsonError("unexpected end of JSON input".into())
    }

    fn invalid(&self, c: u8, context: &str) -> JsonError {
        JsonError(format!("invalid character {} {context}", quote_char(c)))
    }

    fn value(&mut self) -> Parsed {
        match self.peek() {
            None => Err(Self::eof()),
            Some(b'{') => self.nested(Self::object),
            Some(b'[') => self.nested(Self::array),
            Some(b'"') => Ok(Ok(Value::from(self.string()?))),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Nil),
            Some(c) => Err(self.invalid(c, "looking for beginning of value")),
        }
    }

    fn nested(&mut self, parse: fn(&mut Self) -> Parsed) -> Parsed {
        self.depth += 1;
        if self.depth > MAX_READ_DEPTH {
            return Err(JsonError("exceeded max depth".into()));
        }
        // Go's decoder allows 10,000 levels: more than a thread's stack
        // holds in recursion, so the stack grows on demand.
        let result = stacker::maybe_grow(64 * 1024, 1024 * 1024, || parse(self));
        self.depth -= 1;
        result
    }

    fn literal(&mut self, word: &str, value: Value) -> Parsed {
        for (i, expected) in word.bytes().enumerate() {
            match self.peek() {
                None => return Err(Self::eof()),
                Some(c) if c == expected => self.pos += 1,
                Some(c) => {
                    let context = format!("in literal {word} (expecting {})", quote_char(expected));
                    let _ = i;
                    return Err(self.invalid(c, &context));
                }
            }
        }
        Ok(Ok(value))
    }

    fn object(&mut self) -> Parsed {
        self.pos += 1;
        let mut entries = BTreeMap::new();
        let mut value_error = None;
        self.skip_space();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Ok(Value::Map(Map::from_entries(MapKind::Any, entries))));
        }
        loop {
            self.skip_space();
            match self.peek() {
                None => return Err(Self::eof()),
                Some(b'"') => {}
                Some(c) => {
                    return Err(self.invalid(c, "looking for beginning of object key string"));
                }
            }
            let key = self.string()?;
            self.skip_space();
            match self.peek() {
                None => return Err(Self::eof()),
                Some(b':') => self.pos += 1,
                Some(c) => return Err(self.invalid(c, "after object key")),
            }
            self.skip_space();
            match self.value()? {
                Ok(v) => {
                    entries.insert(key, v);
                }
                Err(e) => {
                    value_error.get_or_insert(e);
                }
            }
            if self.element_end(b'}', "after object key:value pair")? {
                break;
            }
        }
        Ok(match value_error {
            Some(e) => Err(e),
            None => Ok(Value::Map(Map::from_entries(MapKind::Any, entries))),
        })
    }

    fn array(&mut self) -> Parsed {
        self.pos += 1;
        let mut items = Vec::new();
        let mut value_error = None;
        self.skip_space();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Ok(Value::list(items)));
        }
        loop {
            self.skip_space();
            match self.value()? {
                Ok(v) => items.push(v),
                Err(e) => {
                    value_error.get_or_insert(e);
                }
            }
            if self.element_end(b']', "after array element")? {
                break;
            }
        }
        Ok(match value_error {
            Some(e) => Err(e),
            None => Ok(Value::list(items)),
        })
    }

    /// What follows an element of an object or array: `,` before the next
    /// (false) or `close` at the end (true).
    fn element_end(&mut self, close: u8, context: &str) -> Result<bool, JsonError> {
        self.skip_space();
        match self.peek() {
            None => Err(Self::eof()),
            Some(b',') => {
                self.pos += 1;
                Ok(false)
            }
            Some(c) if c == close => {
                self.pos += 1;
                Ok(true)
            }
            Some(c) => Err(self.invalid(c, context)),
        }
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(Self::eof());
            };
            self.pos += 1;
            match c {
                b'"' => break,
                b'\\' => self.escape(&mut out)?,
                0..=0x1f => return Err(self.invalid(c, "in string")),
                _ => out.push(c),
            }
        }
        // The input is a &str, so the bytes between quotes are valid UTF-8
        // except where escapes produced lone surrogates (already replaced).
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    fn escape(&mut self, out: &mut Vec<u8>) -> Result<(), JsonError> {
        let Some(c) = self.peek() else {
            return Err(Self::eof());
        };
        self.pos += 1;
        let simple = match c {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 8,
            b'f' => 12,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => {
                let ch = self.unicode_escape()?;
                out.extend_from_slice(ch.encode_utf8(&mut [0; 4]).as_bytes());
                return Ok(());
            }
            _ => {
                return Err(JsonError(format!(
                    "invalid escape sequence `\\{}` in string",
                    char::from(c)
                )));
            }
        };
        out.push(simple);
        Ok(())
    }

    /// `\uXXXX`, joining surrogate pairs; a lone surrogate is U+FFFD.
    fn unicode_escape(&mut self) -> Result<char, JsonError> {
        let first = self.hex4()?;
        if !(0xD800..0xDC00).contains(&first) {
            return Ok(char::from_u32(first).unwrap_or('\u{FFFD}'));
        }
        let rest = &self.bytes[self.pos..];
        if rest.len() >= 6 && rest[0] == b'\\' && rest[1] == b'u' {
            let saved = self.pos;
            self.pos += 2;
            let second = self.hex4()?;
            if (0xDC00..0xE000).contains(&second) {
                let code = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                return Ok(char::from_u32(code).unwrap_or('\u{FFFD}'));
            }
            self.pos = saved;
        }
        Ok('\u{FFFD}')
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut v = 0;
        for _ in 0..4 {
            let Some(c) = self.peek() else {
                return Err(Self::eof());
            };
            let Some(d) = (c as char).to_digit(16) else {
                return Err(self.invalid(c, "in \\u hexadecimal character escape"));
            };
            v = v * 16 + d;
            self.pos += 1;
        }
        Ok(v)
    }

    fn number(&mut self) -> Parsed {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            None => return Err(Self::eof()),
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            Some(c) => return Err(self.invalid(c, "in numeric literal")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            match self.peek() {
                None => return Err(Self::eof()),
                Some(b'0'..=b'9') => self.digits(),
                Some(c) => return Err(self.invalid(c, "in numeric literal")),
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            match self.peek() {
                None => return Err(Self::eof()),
                Some(b'0'..=b'9') => self.digits(),
                Some(c) => return Err(self.invalid(c, "in numeric literal")),
            }
        }
        let text = String::from_utf8_lossy(&self.bytes[start..self.pos]);
        Ok(match text.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Value::Float(f)),
            _ => Err(format!(
                "json: cannot unmarshal number {text} into Go value of type float64"
            )),
        })
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
    }
}

/// How Go's JSON scanner quotes an offending byte: `'x'`, `'\''`, `'"'`,
/// `'\n'`, `'\x00'`.
fn quote_char(c: u8) -> String {
    match c {
        b'\'' => "'\\''".into(),
        b'"' => "'\"'".into(),
        b'\n' => "'\\n'".into(),
        b'\r' => "'\\r'".into(),
        b'\t' => "'\\t'".into(),
        0x20..=0x7e => format!("'{}'", c as char),
        0x80.. => format!("'{}'", char::from(c)),
        _ => format!("'\\x{c:02x}'"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(v: &Value) -> String {
        to_string(v).expect("encodable")
    }

    #[test]
    fn writes_as_go() {
        let v = from_str(r#"{"b":[1,2,{"c":null}],"a":"x<y>&z\u2028"}"#).expect("valid");
        assert_eq!(
            json(&v),
            r#"{"a":"x\u003cy\u003e\u0026z\u2028","b":[1,2,{"c":null}]}"#
        );
        let raw = Options {
            escape_html: false,
            indent: None,
        };
        assert_eq!(
            to_string_with(&v, raw).expect("ok"),
            r#"{"a":"x<y>&z\u2028","b":[1,2,{"c":null}]}"#
        );
        let pretty = Options {
            escape_html: true,
            indent: Some("  "),
        };
        assert_eq!(
            to_string_with(&v, pretty).expect("ok"),
            "{\n  \"a\": \"x\\u003cy\\u003e\\u0026z\\u2028\",\n  \"b\": [\n    1,\n    2,\n    {\n      \"c\": null\n    }\n  ]\n}"
        );
        assert_eq!(
            json(&Value::from("\u{1}\u{8}\u{c}\u{7f}")),
            "\"\\u0001\\b\\f\u{7f}\""
        );
        assert_eq!(json(&Value::Bytes(b"hi".as_slice().into())), r#""aGk=""#);
        assert!(to_string(&Value::Float(f64::NAN)).is_err());
    }

    #[test]
    fn reports_syntax_errors_as_go() {
        let err = |s: &str| from_str(s).unwrap_err().0;
        assert_eq!(err(""), "unexpected end of JSON input");
        assert_eq!(err("{"), "unexpected end of JSON input");
        assert_eq!(
            err("x"),
            "invalid character 'x' looking for beginning of value"
        );
        assert_eq!(
            err("{a"),
            "invalid character 'a' looking for beginning of object key string"
        );
        assert_eq!(err(r#"{"a" 1}"#), "invalid character '1' after object key");
        assert_eq!(
            err(r#"{"a":1 2}"#),
            "invalid character '2' after object key:value pair"
        );
        assert_eq!(err("[1 2]"), "invalid character '2' after array element");
        assert_eq!(err("1 2"), "invalid character '2' after top-level value");
        assert_eq!(err("tru"), "unexpected end of JSON input");
        assert_eq!(
            err("trux"),
            "invalid character 'x' in literal true (expecting 'e')"
        );
        assert_eq!(
            err("[1e400]"),
            "json: cannot unmarshal number 1e400 into Go value of type float64"
        );
        assert_eq!(
            from_str_map("[]").unwrap_err().0,
            "json: cannot unmarshal array into Go value of type map[string]interface {}"
        );
    }
}
