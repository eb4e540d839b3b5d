//! TOML as Helm's `toToml` (BurntSushi/toml's encoder) writes it and
//! `fromToml` reads it.

use std::collections::BTreeMap;

use super::gofloat::format_g;
use crate::engine::value::{Map, MapKind, Value};

/// Deeper values are refused rather than risking the stack.
const MAX_DEPTH: usize = 1000;
const INDENT: &str = "  ";

/// BurntSushi's encoding of `value`. Maps become documents (plain keys
/// first, then tables, each group sorted); anything else is written as a
/// bare TOML value.
pub fn to_string(value: &Value) -> Result<String, String> {
    let mut enc = Encoder { out: String::new() };
    match value {
        Value::Map(map) => enc.table(&[], &map.snapshot(), 0)?,
        Value::Nil => return Err("reflect: call of reflect.Value.Type on zero Value".into()),
        other => enc.element(other, 0)?,
    }
    Ok(enc.out)
}

/// A map value, or a list made only of maps, is written as a table.
fn is_table(value: &Value) -> bool {
    match value {
        Value::Map(_) => true,
        _ => is_table_array(value),
    }
}

fn is_table_array(value: &Value) -> bool {
    match value {
        Value::List(list) => {
            !list.items.is_empty()
                && list
                    .items
                    .iter()
                    .all(|v| matches!(v, Value::Map(_) | Value::Nil))
        }
        _ => false,
    }
}

struct Encoder {
    out: String,
}

impl Encoder {
    /// A blank line, unless nothing has been written yet.
    fn newline(&mut self) {
        if !self.out.is_empty() {
            self.out.push('\n');
        }
    }

    fn table(
        &mut self,
        path: &[&str],
        entries: &[(String, Value)],
        depth: usize,
    ) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err("toml: value nested too deeply".into());
        }
        let (tables, direct): (Vec<_>, Vec<_>) = entries.iter().partition(|(_, v)| is_table(v));
        for (key, value) in direct {
            if value.is_nil() {
                continue;
            }
            self.out.push_str(&INDENT.repeat(path.len()));
            self.out.push_str(&quote_key(key));
            self.out.push_str(" = ");
            self.element(value, depth + 1)?;
            self.out.push('\n');
        }
        for (key, value) in tables {
            let mut sub = path.to_vec();
            sub.push(key);
            let header = sub
                .iter()
                .map(|k| quote_key(k))
                .collect::<Vec<_>>()
                .join(".");
            let indent = INDENT.repeat(path.len());
            match value {
                Value::Map(map) => {
                    if sub.len() == 1 {
                        self.newline();
                    }
                    self.out.push_str(&format!("{indent}[{header}]\n"));
                    self.table(&sub, &map.snapshot(), depth + 1)?;
                }
                Value::List(list) => {
                    for item in &list.items {
                        let Value::Map(map) = item else { continue };
                        self.newline();
                        self.out.push_str(&format!("{indent}[[{header}]]\n"));
                        self.table(&sub, &map.snapshot(), depth + 1)?;
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// A value on the right of `=` (or inside an inline array/table).
    fn element(&mut self, value: &Value, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err("toml: value nested too deeply".into());
        }
        match value {
            Value::Nil => return Err("toml: cannot encode array with nil element".into()),
            Value::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i, _) => self.out.push_str(&i.to_string()),
            Value::Uint(u, _) => self.out.push_str(&u.to_string()),
            Value::Float(f) => self.out.push_str(&float_text(*f)),
            Value::String(s) => write_quoted(s, &mut self.out),
            Value::Bytes(b) => write_quoted(&String::from_utf8_lossy(b), &mut self.out),
            Value::List(list) => {
                self.out.push('[');
                for (i, item) in list.items.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.element(item, depth + 1)?;
                }
                self.out.push(']');
            }
            Value::Map(map) => {
                self.out.push('{');
                let mut first = true;
                for (key, item) in map.entries().iter() {
                    if item.is_nil() {
                        continue;
                    }
                    if !first {
                        self.out.push_str(", ");
                    }
                    first = false;
                    self.out.push_str(&quote_key(key));
                    self.out.push_str(" = ");
                    self.element(item, depth + 1)?;
                }
                self.out.push('}');
            }
            Value::Object(object) => match object.to_json() {
                Some(json) => self.element(&json, depth + 1)?,
                None => write_quoted(&object.format(), &mut self.out),
            },
        }
        Ok(())
    }
}

/// `%g`-formatted, with `.0` added to integral values; `nan`, `inf`.
fn float_text(f: f64) -> String {
    if f.is_nan() {
        return if f.is_sign_negative() { "-nan" } else { "nan" }.into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf" } else { "-inf" }.into();
    }
    let text = format_g(f);
    if text.contains(['.', 'e']) {
        text
    } else {
        text + ".0"
    }
}

/// A key, bare when it only has `A-Za-z0-9_-`.
fn quote_key(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if bare {
        key.to_string()
    } else {
        let mut out = String::new();
        write_quoted(key, &mut out);
        out
    }
}

/// A basic string with BurntSushi's escapes.
fn write_quoted(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            '\u{0}'..='\u{1f}' | '\u{7f}' => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            _ => out.push(c),
        }
    }
    out.push('"');
}

/// Reads a TOML document: integers are int64, floats float64, date-times
/// their RFC 3339 text, tables `map[string]interface {}`.
pub fn from_str(input: &str) -> Result<Value, String> {
    let table: toml::Table = input
        .parse()
        .map_err(|e: toml::de::Error| describe_error(input, &e))?;
    Ok(table_value(table))
}

fn describe_error(input: &str, err: &toml::de::Error) -> String {
    let message = err.message().trim_end_matches('\n');
    match err.span() {
        Some(span) => {
            let line = input[..span.start.min(input.len())].matches('\n').count() + 1;
            format!("toml: line {line}: {message}")
        }
        None => format!("toml: {message}"),
    }
}

fn table_value(table: toml::Table) -> Value {
    let entries: BTreeMap<String, Value> =
        table.into_iter().map(|(k, v)| (k, toml_value(v))).collect();
    Value::Map(Map::from_entries(MapKind::Any, entries))
}

fn toml_value(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::from(s),
        toml::Value::Integer(i) => Value::int64(i),
        toml::Value::Float(f) => Value::Float(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::from(d.to_string()),
        toml::Value::Array(items) => Value::list(items.into_iter().map(toml_value).collect()),
        toml::Value::Table(table) => table_value(table),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_tables_as_burntsushi() {
        let doc = from_str("a = 1\nb = \"x\"\nc = [1, 2]\n[d]\ne = 1.5\n[d.f]\ng = true\n[[h]]\ni = 1\n[[h]]\nj = 2\n")
            .expect("valid");
        assert_eq!(
            to_string(&doc).expect("encodable"),
            "a = 1\nb = \"x\"\nc = [1, 2]\n\n[d]\n  e = 1.5\n  [d.f]\n    g = true\n\n[[h]]\n  i = 1\n\n[[h]]\n  j = 2\n"
        );
    }

    #[test]
    fn writes_floats_as_burntsushi() {
        assert_eq!(float_text(1.0), "1.0");
        assert_eq!(float_text(1e21), "1e+21");
        assert_eq!(float_text(1e-7), "1e-07");
        assert_eq!(float_text(123456789.0), "1.23456789e+08");
        assert_eq!(float_text(f64::NEG_INFINITY), "-inf");
    }

    #[test]
    fn reads_integers_as_int64() {
        let Value::Map(m) = from_str("a = 1").expect("valid") else {
            panic!("map")
        };
        assert_eq!(m.get("a").map(|v| v.type_name()).as_deref(), Some("int64"));
        assert!(from_str("a = ").is_err());
    }
}
