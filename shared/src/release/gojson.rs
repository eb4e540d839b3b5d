//! Writing Go structs as `encoding/json` does (fields in declaration order,
//! `omitempty`), and reading them back as it does (keys matched exactly,
//! else case-insensitively; `null` leaves a field at its zero value).

use base64::Engine as _;
use serde_json::{Map, Value};

use super::time::Time;
use crate::codec::gofloat::write_json_float;
use crate::codec::json::write_string;

/// A JSON object with a Go struct's field order.
pub(crate) struct StructWriter<'a> {
    out: &'a mut String,
    empty: bool,
}

impl<'a> StructWriter<'a> {
    pub(crate) fn new(out: &'a mut String) -> StructWriter<'a> {
        out.push('{');
        StructWriter { out, empty: true }
    }

    /// Starts a field; the caller writes its value into the result.
    pub(crate) fn key(&mut self, name: &str) -> &mut String {
        if !self.empty {
            self.out.push(',');
        }
        self.empty = false;
        write_string(name, true, self.out);
        self.out.push(':');
        self.out
    }

    pub(crate) fn string(&mut self, name: &str, value: &str) {
        write_string(value, true, self.key(name));
    }

    /// A `string` field tagged `omitempty`.
    pub(crate) fn string_omitempty(&mut self, name: &str, value: &str) {
        if !value.is_empty() {
            self.string(name, value);
        }
    }

    /// A `[]string` field tagged `omitempty`.
    pub(crate) fn strings_omitempty(&mut self, name: &str, values: &[String]) {
        if !values.is_empty() {
            write_strings(values, self.key(name));
        }
    }

    /// A `time.Time` field (written whatever its value).
    pub(crate) fn time(&mut self, name: &str, value: &Time) {
        write_string(&value.to_go_string(), true, self.key(name));
    }

    /// A `time.Time` field tagged `omitzero`.
    pub(crate) fn time_omitzero(&mut self, name: &str, value: &Time) {
        if !value.is_zero() {
            self.time(name, value);
        }
    }

    pub(crate) fn finish(self) {
        self.out.push('}');
    }
}

pub(crate) fn write_strings(values: &[String], out: &mut String) {
    out.push('[');
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_string(v, true, out);
    }
    out.push(']');
}

/// `[]byte`: base64, `null` for nil.
pub(crate) fn write_bytes(value: Option<&[u8]>, out: &mut String) {
    match value {
        Some(b) => write_string(
            &base64::engine::general_purpose::STANDARD.encode(b),
            true,
            out,
        ),
        None => out.push_str("null"),
    }
}

/// A list of struct pointers: `null` for a nil slice.
pub(crate) fn write_list<T>(
    items: Option<&[T]>,
    out: &mut String,
    write: impl Fn(&T, &mut String),
) {
    let Some(items) = items else {
        out.push_str("null");
        return;
    };
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write(item, out);
    }
    out.push(']');
}

/// An `interface{}` decoded by `encoding/json`: maps with sorted keys
/// (`serde_json`'s map is ordered by key bytes, as Go sorts), numbers as
/// float64.
pub(crate) fn write_value(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        // Decoding checked that every number is a finite float64.
        Value::Number(n) => write_json_float(n.as_f64().unwrap_or_default(), out),
        Value::String(s) => write_string(s, true, out),
        Value::Array(items) => write_list(Some(items), out, write_value),
        Value::Object(map) => write_map(map, out),
    }
}

pub(crate) fn write_map(map: &Map<String, Value>, out: &mut String) {
    out.push('{');
    for (i, (k, v)) in map.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_string(k, true, out);
        out.push(':');
        write_value(v, out);
    }
    out.push('}');
}

/// Why a record could not be read as Helm's types.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    /// The text is not JSON at all.
    #[error("invalid JSON: {0}")]
    Syntax(String),
    /// A field holds a JSON type its Go field cannot take.
    #[error("json: cannot unmarshal {found} into Go struct field {field} of type {expected}")]
    Type {
        found: &'static str,
        field: String,
        expected: &'static str,
    },
    /// A time field is not RFC 3339.
    #[error("parsing time {text:?} of field {field}: not RFC 3339")]
    Time { field: String, text: String },
    /// A `[]byte` field is not standard base64.
    #[error("illegal base64 data in field {0}")]
    Base64(String),
    /// A number does not fit a float64 (or an int, for an int field).
    #[error("json: cannot unmarshal number {number} into Go struct field {field}")]
    Number { field: String, number: String },
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The fields of one Go struct being decoded, named `Type.field` in errors.
pub(crate) struct StructReader<'a> {
    map: &'a Map<String, Value>,
    type_name: &'static str,
}

impl<'a> StructReader<'a> {
    /// Reads `value` as a struct; `None` for `null`.
    pub(crate) fn new(
        value: &'a Value,
        type_name: &'static str,
        field: &str,
    ) -> Result<Option<StructReader<'a>>, DecodeError> {
        match value {
            Value::Null => Ok(None),
            Value::Object(map) => Ok(Some(StructReader { map, type_name })),
            other => Err(DecodeError::Type {
                found: kind(other),
                field: field.to_string(),
                expected: type_name,
            }),
        }
    }

    fn path(&self, name: &str) -> String {
        format!("{}.{name}", self.type_name)
    }

    /// The value of a field, `None` when absent or `null`. An exact key
    /// wins; otherwise a key equal ignoring case, as Go matches. (Go lets
    /// the last of several such keys in the input win; the parsed map no
    /// longer knows their order.)
    pub(crate) fn get(&self, name: &str) -> Option<&'a Value> {
        let found = self.map.get(name).or_else(|| {
            self.map
                .iter()
                .filter(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v)
                .next_back()
        });
        found.filter(|v| !v.is_null())
    }

    fn mismatch(&self, name: &str, value: &Value, expected: &'static str) -> DecodeError {
        DecodeError::Type {
            found: kind(value),
            field: self.path(name),
            expected,
        }
    }

    pub(crate) fn string(&self, name: &str) -> Result<String, DecodeError> {
        match self.get(name) {
            None => Ok(String::new()),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(v) => Err(self.mismatch(name, v, "string")),
        }
    }

    pub(crate) fn bool(&self, name: &str) -> Result<bool, DecodeError> {
        match self.get(name) {
            None => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(v) => Err(self.mismatch(name, v, "bool")),
        }
    }

    pub(crate) fn int(&self, name: &str) -> Result<i64, DecodeError> {
        match self.get(name) {
            None => Ok(0),
            Some(Value::Number(n)) => n.as_i64().ok_or_else(|| DecodeError::Number {
                field: self.path(name),
                number: n.to_string(),
            }),
            Some(v) => Err(self.mismatch(name, v, "int")),
        }
    }

    pub(crate) fn strings(&self, name: &str) -> Result<Vec<String>, DecodeError> {
        let Some(items) = self.list(name)? else {
            return Ok(Vec::new());
        };
        items
            .iter()
            .filter(|v| !v.is_null())
            .map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                other => Err(self.mismatch(name, other, "string")),
            })
            .collect()
    }

    /// A slice; `None` for a nil one.
    pub(crate) fn list(&self, name: &str) -> Result<Option<&'a Vec<Value>>, DecodeError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Array(items)) => Ok(Some(items)),
            Some(v) => Err(self.mismatch(name, v, "slice")),
        }
    }

    /// A `map[string]interface{}`; `None` for a nil one. Numbers must fit
    /// a float64, as Go decodes them.
    pub(crate) fn map(&self, name: &str) -> Result<Option<Map<String, Value>>, DecodeError> {
        match self.get(name) {
            None => Ok(None),
            Some(v @ Value::Object(map)) => {
                check_numbers(v, &self.path(name))?;
                Ok(Some(map.clone()))
            }
            Some(v) => Err(self.mismatch(name, v, "map[string]interface {}")),
        }
    }

    /// A `map[string]string`.
    pub(crate) fn string_map(
        &self,
        name: &str,
    ) -> Result<std::collections::BTreeMap<String, String>, DecodeError> {
        let mut out = std::collections::BTreeMap::new();
        if let Some(map) = self.map(name)? {
            for (k, v) in map {
                match v {
                    Value::String(s) => {
                        out.insert(k, s);
                    }
                    Value::Null => {
                        out.insert(k, String::new());
                    }
                    other => return Err(self.mismatch(name, &other, "string")),
                }
            }
        }
        Ok(out)
    }

    pub(crate) fn time(&self, name: &str) -> Result<Time, DecodeError> {
        match self.get(name) {
            None => Ok(Time::ZERO),
            // Helm's Info and HookExecution read "" as the zero time.
            Some(Value::String(s)) if s.is_empty() => Ok(Time::ZERO),
            Some(Value::String(s)) => Time::parse(s).ok_or_else(|| DecodeError::Time {
                field: self.path(name),
                text: s.clone(),
            }),
            Some(v) => Err(self.mismatch(name, v, "time.Time")),
        }
    }

    /// A `[]byte`; `None` for nil.
    pub(crate) fn bytes(&self, name: &str) -> Result<Option<Vec<u8>>, DecodeError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => {
                // Go's decoder skips line breaks inside base64.
                let cleaned: String = s.chars().filter(|c| *c != '\r' && *c != '\n').collect();
                base64::engine::general_purpose::STANDARD
                    .decode(cleaned)
                    .map(Some)
                    .map_err(|_| DecodeError::Base64(self.path(name)))
            }
            Some(v) => Err(self.mismatch(name, v, "[]uint8")),
        }
    }

    /// A nested struct (or pointer to one); `None` when absent or `null`.
    pub(crate) fn nested(
        &self,
        name: &str,
        type_name: &'static str,
    ) -> Result<Option<StructReader<'a>>, DecodeError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => StructReader::new(v, type_name, &self.path(name)),
        }
    }

    /// Each element of a slice of structs, `null` elements skipped.
    pub(crate) fn structs<T>(
        &self,
        name: &str,
        type_name: &'static str,
        read: impl Fn(&StructReader<'a>) -> Result<T, DecodeError>,
    ) -> Result<Option<Vec<T>>, DecodeError> {
        let Some(items) = self.list(name)? else {
            return Ok(None);
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            if let Some(reader) = StructReader::new(item, type_name, &self.path(name))? {
                out.push(read(&reader)?);
            }
        }
        Ok(Some(out))
    }
}

/// Fails on a number that `encoding/json` cannot hold in a float64.
pub(crate) fn check_numbers(value: &Value, field: &str) -> Result<(), DecodeError> {
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            Value::Number(n) if !n.as_f64().is_some_and(f64::is_finite) => {
                return Err(DecodeError::Number {
                    field: field.to_string(),
                    number: n.to_string(),
                });
            }
            Value::Array(items) => stack.extend(items),
            Value::Object(map) => stack.extend(map.values()),
            _ => {}
        }
    }
    Ok(())
}
