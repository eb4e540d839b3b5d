//! Go's conversions as Sprig performs them: its `strval`/`strslice` helpers
//! and the `spf13/cast` functions behind `int`, `int64`, `float64`, `toString`.
//!
//! PROVISIONAL: the fmt helper replaces these bodies with the exact rules;
//! the signatures are the contract other modules use.

use super::gofmt::format_value;
use super::value::Value;

/// Sprig's `strval`: strings and `[]byte` as text, anything else as `%v`.
pub fn strval(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        other => format_value(other),
    }
}

/// Sprig's `strslice`: a list as strings (nil items dropped), a scalar as a
/// one-item list, nil as empty.
pub fn strslice(v: &Value) -> Vec<String> {
    match v {
        Value::Nil => vec![],
        Value::List(l) => l.items.iter().filter(|i| !i.is_nil()).map(strval).collect(),
        other => vec![strval(other)],
    }
}

/// `cast.ToInt64`, errors read as 0.
pub fn to_int64(v: &Value) -> i64 {
    match v {
        Value::Int(i, _) => *i,
        Value::Uint(u, _) => *u as i64,
        Value::Float(f) => *f as i64,
        Value::Bool(b) => *b as i64,
        Value::String(s) => s.parse().unwrap_or(0),
        _ => 0,
    }
}

/// `cast.ToInt`, errors read as 0.
pub fn to_int(v: &Value) -> i64 {
    to_int64(v)
}

/// `cast.ToFloat64`, errors read as 0.
pub fn to_float64(v: &Value) -> f64 {
    match v {
        Value::Int(i, _) => *i as f64,
        Value::Uint(u, _) => *u as f64,
        Value::Float(f) => *f,
        Value::Bool(b) => *b as i64 as f64,
        Value::String(s) => s.parse().unwrap_or(0.0),
        _ => 0.0,
    }
}
