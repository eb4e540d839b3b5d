//! Go's conversions as Sprig performs them: its `strval`/`strslice` helpers
//! and the `spf13/cast` (v1.7.0, as Helm 4.3.1 links it) functions behind
//! `int`, `int64`, `float64` and Sprig's math.
//!
//! `cast` never fails in Sprig's hands: every error reads as 0. Strings are
//! read with Go's `strconv` rules (`ParseInt(s, 0, 64)` after dropping a
//! `.000` tail for integers, `ParseFloat` for floats), so `"0x10"` is 16,
//! `"010"` is 8, `"08"` and `"1.5"` are 0, and `"1_000"` is 1000.

use super::gofmt::format_value;
use super::value::{ListElem, Value};

/// Sprig's `strval`: strings and `[]byte` as text, objects through their
/// `String` method, anything else as `%v`.
pub fn strval(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        Value::Object(o) => o.format(),
        other => format_value(other),
    }
}

/// Sprig's `strslice`: a `[]string` as is, other slices item by item through
/// [`strval`] with nil items dropped, nil as empty, a scalar as one item.
pub fn strslice(v: &Value) -> Vec<String> {
    match v {
        Value::Nil => vec![],
        Value::List(l) if l.elem == ListElem::String => l.items.iter().map(strval).collect(),
        Value::List(l) => l.items.iter().filter(|i| !i.is_nil()).map(strval).collect(),
        // A `[]byte` is a slice of `uint8` values to reflection.
        Value::Bytes(b) => b.iter().map(u8::to_string).collect(),
        other => vec![strval(other)],
    }
}

/// `cast.ToInt64`, errors read as 0.
pub fn to_int64(v: &Value) -> i64 {
    match v {
        Value::Int(i, _) => *i,
        // Go's integer conversion wraps.
        Value::Uint(u, _) => *u as i64,
        Value::Float(f) => float_to_int64(*f),
        Value::Bool(b) => i64::from(*b),
        Value::String(s) => parse_int(trim_zero_decimal(s)).unwrap_or(0),
        _ => 0,
    }
}

/// `cast.ToInt`, errors read as 0 (Go's `int` has 64 bits on Helm's
/// platforms).
pub fn to_int(v: &Value) -> i64 {
    to_int64(v)
}

/// `cast.ToFloat64`, errors read as 0.
pub fn to_float64(v: &Value) -> f64 {
    match v {
        Value::Int(i, _) => *i as f64,
        Value::Uint(u, _) => *u as f64,
        Value::Float(f) => *f,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::String(s) => parse_float(s).unwrap_or(0.0),
        _ => 0.0,
    }
}

/// Go's `int64(f)` on amd64: truncation toward zero, and the "integer
/// indefinite" value (the minimum `int64`) for NaN and out-of-range values.
pub fn float_to_int64(f: f64) -> i64 {
    // 2^63 is exactly representable; every float below it in magnitude fits.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if f.is_nan() || !(-LIMIT..LIMIT).contains(&f) {
        i64::MIN
    } else {
        f as i64
    }
}

/// `cast`'s `trimZeroDecimal`: `"12.00"` becomes `"12"`; a tail with any
/// other digit (`"12.50"`) or without zeros (`"12."`) stays.
fn trim_zero_decimal(s: &str) -> &str {
    let bytes = s.as_bytes();
    let mut found_zero = false;
    for i in (0..bytes.len()).rev() {
        match bytes[i] {
            b'.' if found_zero => return &s[..i],
            b'.' => {}
            b'0' => found_zero = true,
            _ => return s,
        }
    }
    s
}

/// Go's `strconv.ParseInt(s, 0, 64)`: optional sign, a `0x`/`0o`/`0b` or
/// `0` (octal) prefix, `_` between digits; `None` on any error, overflow
/// included.
pub fn parse_int(s: &str) -> Option<i64> {
    let (negative, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let magnitude = parse_uint(body)?;
    if negative {
        0i64.checked_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// Go's `strconv.ParseUint(s, 0, 64)` without a sign.
fn parse_uint(s: &str) -> Option<u64> {
    let lower = s.to_ascii_lowercase();
    let (base, digits) = if let Some(rest) = lower.strip_prefix("0x") {
        (16, rest)
    } else if let Some(rest) = lower.strip_prefix("0b") {
        (2, rest)
    } else if let Some(rest) = lower.strip_prefix("0o") {
        (8, rest)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    if digits.is_empty() || !underscores_ok(s) {
        return None;
    }
    let mut value: u64 = 0;
    for c in digits.chars().filter(|&c| c != '_') {
        let digit = c.to_digit(base)?;
        value = value
            .checked_mul(u64::from(base))?
            .checked_add(u64::from(digit))?;
    }
    Some(value)
}

/// Go's `underscoreOK`: `_` only between digits, or between a base prefix
/// and a digit.
fn underscores_ok(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let bytes = s.as_bytes();
    // What came last: '^' start, '0' digit or prefix, '_', '!' other.
    let mut saw = b'^';
    let mut i = 0;
    let mut hex = false;
    if bytes.len() >= 2 && bytes[0] == b'0' && matches!(bytes[1] | 0x20, b'b' | b'o' | b'x') {
        i = 2;
        saw = b'0';
        hex = bytes[1] | 0x20 == b'x';
    }
    for &c in &bytes[i..] {
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return false;
            }
            saw = b'!';
        }
    }
    saw != b'_'
}

/// Go's `strconv.ParseFloat(s, 64)`: decimal or hexadecimal (`0x1.8p3`)
/// literals with `_` separators, `inf`/`infinity`/`nan`; `None` on any
/// error, including overflow to infinity.
pub fn parse_float(s: &str) -> Option<f64> {
    let (negative, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let magnitude = match lower.as_str() {
        "inf" | "infinity" => f64::INFINITY,
        "nan" => f64::NAN,
        _ => {
            if lower.contains('_') && !underscores_ok(&lower) {
                return None;
            }
            let plain: String = lower.chars().filter(|&c| c != '_').collect();
            let value = match plain.strip_prefix("0x") {
                Some(hex) => parse_hex_float(hex)?,
                None => parse_decimal_float(&plain)?,
            };
            if value.is_infinite() {
                return None;
            }
            value
        }
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// A decimal float literal without sign (`1`, `.5`, `5.`, `1e-3`).
fn parse_decimal_float(s: &str) -> Option<f64> {
    let valid = s
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'+' | b'-'));
    if !valid || s.starts_with(['+', '-']) {
        return None;
    }
    s.parse().ok()
}

/// The part after `0x` of a hexadecimal float: hex digits with an optional
/// point, then a mandatory `p` exponent.
fn parse_hex_float(s: &str) -> Option<f64> {
    let (mantissa, exp) = s.split_once('p')?;
    let exp: i32 = match exp.strip_prefix('+') {
        Some(rest) if !rest.starts_with(['+', '-']) => rest.parse().ok()?,
        _ => exp.parse().ok()?,
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    let mut value: f64 = 0.0;
    for c in int_part.chars() {
        value = value * 16.0 + f64::from(c.to_digit(16)?);
    }
    let mut scale = 1.0 / 16.0;
    for c in frac_part.chars() {
        value += f64::from(c.to_digit(16)?) * scale;
        scale /= 16.0;
    }
    Some(value * 2f64.powi(exp))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::value::UintKind;

    /// Expected values from the reference Helm (`int`, `int64`, `float64`).
    #[test]
    fn strings_convert_like_cast() {
        let int = |s: &str| to_int(&Value::str(s));
        assert_eq!(int("08"), 0);
        assert_eq!(int("1.9"), 0);
        assert_eq!(int("abc"), 0);
        assert_eq!(int("0x10"), 16);
        assert_eq!(int("010"), 8);
        assert_eq!(int("1.0"), 1);
        assert_eq!(int("10.00"), 10);
        assert_eq!(int("1.50"), 0);
        assert_eq!(int("1."), 0);
        assert_eq!(int(".0"), 0);
        assert_eq!(int("1_000"), 1000);
        assert_eq!(int("1__0"), 0);
        assert_eq!(int("_1"), 0);
        assert_eq!(int(" 5"), 0);
        assert_eq!(int("0b101"), 5);
        assert_eq!(int("0o17"), 15);
        assert_eq!(int("0x_1F"), 31);
        assert_eq!(int("-0x10"), -16);
        assert_eq!(int("+7"), 7);
        assert_eq!(int("9223372036854775807"), i64::MAX);
        assert_eq!(int("-9223372036854775808"), i64::MIN);
        assert_eq!(int("9223372036854775808"), 0);
        assert_eq!(int("0x8000000000000000"), 0);

        let float = |s: &str| to_float64(&Value::str(s));
        assert_eq!(float("1e3"), 1000.0);
        assert_eq!(float("1_000"), 1000.0);
        assert_eq!(float("0x1p4"), 16.0);
        assert_eq!(float("0x1.8p1"), 3.0);
        assert_eq!(float("0x_1p4"), 16.0);
        assert_eq!(float("0x10"), 0.0);
        assert_eq!(float("Infinity"), f64::INFINITY);
        assert_eq!(float("-inf"), f64::NEG_INFINITY);
        assert!(float("nan").is_nan());
        assert_eq!(float(" 1"), 0.0);
        assert_eq!(float("1e"), 0.0);
        assert_eq!(float(".5"), 0.5);
        assert_eq!(float("5."), 5.0);
        assert_eq!(float("+.5e1"), 5.0);
        assert_eq!(float("1e400"), 0.0);
        assert_eq!(float("1e-400"), 0.0);
        assert_eq!(float("1__0"), 0.0);
        assert_eq!(float("0b101"), 0.0);
        assert_eq!(float("017"), 17.0);
    }

    #[test]
    fn other_values_convert_like_cast() {
        assert_eq!(to_int(&Value::Float(3.9)), 3);
        assert_eq!(to_int(&Value::Float(-3.9)), -3);
        assert_eq!(to_int(&Value::Float(1.5e300)), i64::MIN);
        assert_eq!(to_int(&Value::Float(f64::NAN)), i64::MIN);
        assert_eq!(to_int(&Value::Float(12345678901.0)), 12345678901);
        assert_eq!(to_int(&Value::Bool(true)), 1);
        assert_eq!(to_int(&Value::Nil), 0);
        assert_eq!(to_int(&Value::list(vec![Value::int(1)])), 0);
        assert_eq!(to_int(&Value::Uint(104, UintKind::Uint8)), 104);
        assert_eq!(to_float64(&Value::Uint(104, UintKind::Uint8)), 104.0);
        assert_eq!(to_float64(&Value::Bool(true)), 1.0);
        assert_eq!(to_float64(&Value::int64(-2)), -2.0);
    }

    #[test]
    fn strval_and_strslice() {
        assert_eq!(strval(&Value::Float(1e21)), "1e+21");
        assert_eq!(strval(&Value::Nil), "<nil>");
        assert_eq!(strval(&Value::Bytes(b"hi".as_slice().into())), "hi");
        let mixed = Value::list(vec![Value::int(1), Value::Nil, "a".into(), true.into()]);
        assert_eq!(strslice(&mixed), ["1", "a", "true"]);
        assert_eq!(strslice(&Value::Nil), Vec::<String>::new());
        assert_eq!(strslice(&Value::Float(2.5)), ["2.5"]);
        assert_eq!(
            strslice(&Value::Bytes(b"hi".as_slice().into())),
            ["104", "105"]
        );
    }
}
