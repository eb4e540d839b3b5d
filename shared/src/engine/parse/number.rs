//! Go's reading of number literals in templates (`strconv.ParseInt`,
//! `ParseUint` and `ParseFloat` with base prefixes and underscores), which
//! decides the Go type a constant takes.

use super::node::NumberNode;

/// Parses a number item as Go's `newNumber` does.
pub(super) fn parse_number(text: &str, is_complex: bool) -> Result<NumberNode, String> {
    let mut n = NumberNode {
        text: text.into(),
        int: None,
        uint: None,
        float: None,
        complex: None,
    };
    if is_complex {
        return parse_complex(text, n);
    }
    if let Some(imag) = text.strip_suffix('i')
        && let Some(f) = parse_float(imag)
    {
        n.complex = Some((0.0, f));
        simplify_complex(&mut n);
        return Ok(n);
    }
    let u = parse_uint(text);
    n.uint = u;
    if let Some(i) = parse_int(text) {
        n.int = Some(i);
        if i == 0 {
            n.uint = Some(u.unwrap_or(0));
        }
    }
    if let Some(i) = n.int {
        n.float = Some(i as f64);
    } else if let Some(u) = n.uint {
        n.float = Some(u as f64);
    } else if let Some(f) = parse_float(text) {
        if !text.contains(['.', 'e', 'E', 'p', 'P']) {
            return Err(format!("integer overflow: {}", super::lex::go_quote(text)));
        }
        n.float = Some(f);
        n.int = float_as_int(f);
        n.uint = float_as_uint(f);
    }
    if n.int.is_none() && n.uint.is_none() && n.float.is_none() {
        return Err(format!(
            "illegal number syntax: {}",
            super::lex::go_quote(text)
        ));
    }
    Ok(n)
}

fn parse_complex(text: &str, mut n: NumberNode) -> Result<NumberNode, String> {
    let body = &text[..text.len() - 1];
    let split = body[1..]
        .rfind(['+', '-'])
        .map(|i| i + 1)
        .ok_or_else(|| format!("illegal number syntax: {}", super::lex::go_quote(text)))?;
    let re = parse_float(&body[..split]);
    let im = parse_float(&body[split..]);
    match (re, im) {
        (Some(re), Some(im)) => {
            n.complex = Some((re, im));
            simplify_complex(&mut n);
            Ok(n)
        }
        _ => Err(format!(
            "illegal number syntax: {}",
            super::lex::go_quote(text)
        )),
    }
}

fn simplify_complex(n: &mut NumberNode) {
    if let Some((re, 0.0)) = n.complex {
        n.float = Some(re);
        n.int = float_as_int(re);
        n.uint = float_as_uint(re);
    }
}

/// `int64(f)` when it converts back to `f` exactly.
fn float_as_int(f: f64) -> Option<i64> {
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    ((-LIMIT..LIMIT).contains(&f) && (f as i64) as f64 == f).then_some(f as i64)
}

/// `uint64(f)` when it converts back to `f` exactly.
fn float_as_uint(f: f64) -> Option<u64> {
    const LIMIT: f64 = 18_446_744_073_709_551_616.0;
    ((0.0..LIMIT).contains(&f) && (f as u64) as f64 == f).then_some(f as u64)
}

/// Splits a Go integer literal into sign, base and digits (base 0 rules).
fn split_int(text: &str) -> Option<(bool, u32, &str, bool)> {
    let (neg, s) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let lower = s.get(..2).map(str::to_ascii_lowercase);
    let (base, digits, prefixed) = match lower.as_deref() {
        Some("0x") => (16, &s[2..], true),
        Some("0o") => (8, &s[2..], true),
        Some("0b") => (2, &s[2..], true),
        _ if s.len() > 1 && s.starts_with('0') => (8, &s[1..], true),
        _ => (10, s, false),
    };
    Some((neg, base, digits, prefixed))
}

/// Go's `underscoreOK`: underscores only between digits (or after a base
/// prefix).
fn underscores_ok(digits: &str, prefixed: bool) -> bool {
    if !digits.contains('_') {
        return true;
    }
    let mut prev_digit = prefixed;
    for c in digits.chars() {
        if c == '_' {
            if !prev_digit {
                return false;
            }
            prev_digit = false;
        } else {
            prev_digit = true;
        }
    }
    prev_digit
}

fn parse_magnitude(text: &str) -> Option<(bool, u64)> {
    let (neg, base, digits, prefixed) = split_int(text)?;
    if digits.is_empty() || !underscores_ok(digits, prefixed) {
        return None;
    }
    let clean: String = digits.chars().filter(|&c| c != '_').collect();
    if clean.is_empty() {
        return None;
    }
    u64::from_str_radix(&clean, base).ok().map(|m| (neg, m))
}

fn parse_uint(text: &str) -> Option<u64> {
    if text.starts_with(['+', '-']) {
        return None;
    }
    parse_magnitude(text).map(|(_, m)| m)
}

fn parse_int(text: &str) -> Option<i64> {
    let (neg, m) = parse_magnitude(text)?;
    if neg {
        if m <= i64::MAX as u64 + 1 {
            Some((m as i64).wrapping_neg())
        } else {
            None
        }
    } else {
        i64::try_from(m).ok()
    }
}

/// Go's `strconv.ParseFloat(s, 64)` for the literals the lexer accepts.
fn parse_float(text: &str) -> Option<f64> {
    let (neg, s) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let lower = s.to_ascii_lowercase();
    let value = if let Some(hex) = lower.strip_prefix("0x") {
        if !underscores_ok(hex, true) {
            return None;
        }
        parse_hex_float(&hex.replace('_', ""))?
    } else {
        let prefixed = s.len() > 1 && s.starts_with('0');
        if !underscores_ok(s, prefixed) || lower.starts_with("0b") || lower.starts_with("0o") {
            return None;
        }
        let clean = s.replace('_', "");
        if clean.is_empty() || !clean.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
            return None;
        }
        clean.parse::<f64>().ok()?
    };
    Some(if neg { -value } else { value })
}

/// A hexadecimal float mantissa with its mandatory `p` exponent.
fn parse_hex_float(s: &str) -> Option<f64> {
    let (mantissa, exp) = s.split_once('p')?;
    let exp: i32 = exp.parse().ok()?;
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let mut value = 0f64;
    for c in int.chars() {
        value = value * 16.0 + f64::from(c.to_digit(16)?);
    }
    let mut scale = 1.0 / 16.0;
    for c in frac.chars() {
        value += f64::from(c.to_digit(16)?) * scale;
        scale /= 16.0;
    }
    Some(value * 2f64.powi(exp))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_number_(text: &str) -> Result<NumberNode, String> {
        parse_number(text, false)
    }

    #[test]
    fn reads_go_literals() {
        let n = parse_number_("0x1F").ok();
        assert_eq!(n.and_then(|n| n.int), Some(31));
        assert_eq!(parse_number_("017").ok().and_then(|n| n.int), Some(15));
        assert_eq!(parse_number_("0o17").ok().and_then(|n| n.int), Some(15));
        assert_eq!(parse_number_("0b101").ok().and_then(|n| n.int), Some(5));
        assert_eq!(parse_number_("1_000").ok().and_then(|n| n.int), Some(1000));
        assert_eq!(parse_number_("1e3").ok().and_then(|n| n.int), Some(1000));
        assert_eq!(parse_number_("1.5").ok().and_then(|n| n.int), None);
        assert_eq!(parse_number_("-0").ok().and_then(|n| n.uint), Some(0));
        assert!(parse_number_("99999999999999999999").is_err());
        assert_eq!(
            parse_number_("18446744073709551615")
                .ok()
                .and_then(|n| n.uint),
            Some(u64::MAX)
        );
        assert_eq!(
            parse_number_("0x1p-2").ok().and_then(|n| n.float),
            Some(0.25)
        );
    }
}
