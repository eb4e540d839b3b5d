//! go-yaml's implicit typing of plain scalars (YAML 1.1 flavoured), shared by
//! the parser (what a value means) and the emitters (whether a string must be
//! quoted to stay a string).

/// What an untagged plain scalar means to go-yaml.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Resolved {
    Null,
    Bool(bool),
    Int(i64),
    /// An integer above `i64::MAX` that fits a `u64`.
    Uint(u64),
    /// An integer too large for 64 bits (Go's `*big.Int`), kept as decimal
    /// digits of its absolute value with its sign.
    BigInt(String),
    Float(f64),
    /// The merge key `<<`.
    Merge,
    /// A timestamp; decoded into `interface{}` it stays the original string.
    Timestamp,
    Str,
}

/// Resolves a plain scalar the way go-yaml's `resolve("", s)` does.
pub(crate) fn resolve_plain(s: &str) -> Resolved {
    match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Resolved::Bool(true);
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Resolved::Bool(false);
        }
        "" | "~" | "null" | "Null" | "NULL" => return Resolved::Null,
        ".nan" | ".NaN" | ".NAN" => return Resolved::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Resolved::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Resolved::Float(f64::NEG_INFINITY),
        "<<" => return Resolved::Merge,
        _ => {}
    }
    match s.as_bytes()[0] {
        b'.' => match s.parse::<f64>() {
            // Rust also reads "inf"/"nan" spellings, but those never start
            // with '.', so this matches Go's strconv.ParseFloat here.
            Ok(f) if is_go_float_syntax(s) => Resolved::Float(f),
            _ => Resolved::Str,
        },
        b'0'..=b'9' | b'+' | b'-' => resolve_number(s),
        _ => Resolved::Str,
    }
}

/// The digit/sign branch of go-yaml's resolver: timestamp, int, uint, float,
/// binary, big int — in that order.
fn resolve_number(s: &str) -> Resolved {
    if is_timestamp(s) {
        return Resolved::Timestamp;
    }
    let plain: String = s.chars().filter(|&c| c != '_').collect();
    if let Some(i) = parse_go_int(&plain) {
        return Resolved::Int(i);
    }
    if let Some(u) = parse_go_uint(&plain) {
        return Resolved::Uint(u);
    }
    if is_yaml_style_float(&plain)
        && let Ok(f) = plain.parse::<f64>()
        && f.is_finite()
    {
        return Resolved::Float(f);
    }
    if let Some(bin) = plain.strip_prefix("0b") {
        if let Ok(i) = i64::from_str_radix(bin, 2) {
            return Resolved::Int(i);
        }
        if let Ok(u) = u64::from_str_radix(bin, 2) {
            return Resolved::Uint(u);
        }
    } else if let Some(bin) = plain.strip_prefix("-0b")
        && let Ok(i) = i64::from_str_radix(&format!("-{bin}"), 2)
    {
        return Resolved::Int(i);
    }
    if let Some(big) = parse_big_decimal(&plain) {
        return Resolved::BigInt(big);
    }
    Resolved::Str
}

/// Go's `strconv.ParseInt(s, 0, 64)`: optional sign, then `0x`, `0o`, `0b`
/// or a leading `0` (octal) prefix, or decimal.
fn parse_go_int(s: &str) -> Option<i64> {
    let (neg, body) = split_sign(s);
    let magnitude = parse_go_uint_body(body)?;
    if neg {
        0i64.checked_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// Go's `strconv.ParseUint(s, 0, 64)` (no sign allowed).
fn parse_go_uint(s: &str) -> Option<u64> {
    if s.starts_with(['+', '-']) {
        return None;
    }
    parse_go_uint_body(s)
}

fn split_sign(s: &str) -> (bool, &str) {
    match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    }
}

fn parse_go_uint_body(s: &str) -> Option<u64> {
    let (radix, digits) = match s.as_bytes() {
        [b'0', b'x' | b'X', ..] => (16, &s[2..]),
        [b'0', b'o' | b'O', ..] => (8, &s[2..]),
        [b'0', b'b' | b'B', ..] => (2, &s[2..]),
        [b'0', _, ..] => (8, &s[1..]),
        _ => (10, s),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

/// A decimal integer too big for 64 bits (`big.Int.SetString(s, 0)`), for
/// the plain decimal case only.
fn parse_big_decimal(s: &str) -> Option<String> {
    let (neg, body) = split_sign(s);
    let decimal = body.len() > 1 && !body.starts_with('0') || body.len() == 1;
    if !decimal || !body.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(if neg {
        format!("-{body}")
    } else {
        body.to_string()
    })
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let int_digits = count_digits(&b[i..]);
    i += int_digits;
    if int_digits == 0 {
        if b.get(i) != Some(&b'.') {
            return false;
        }
        let frac = count_digits(&b[i + 1..]);
        if frac == 0 {
            return false;
        }
        i += 1 + frac;
    } else if b.get(i) == Some(&b'.') {
        i += 1 + count_digits(&b[i + 1..]);
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp = count_digits(&b[i..]);
        if exp == 0 {
            return false;
        }
        i += exp;
    }
    i == b.len()
}

/// Whether Go's `strconv.ParseFloat` accepts a scalar starting with '.'
/// (decimal digits, optional exponent; no underscores).
fn is_go_float_syntax(s: &str) -> bool {
    is_yaml_style_float(s)
}

fn count_digits(b: &[u8]) -> usize {
    b.iter().take_while(|c| c.is_ascii_digit()).count()
}

/// go-yaml's base-60 float check (`1:20`, `190:20:30.15`), which it still
/// quotes on output: `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`.
pub(crate) fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    if !b.get(i).is_some_and(u8::is_ascii_digit) {
        return false;
    }
    i += 1;
    while b.get(i).is_some_and(|c| c.is_ascii_digit() || *c == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while b.get(i) == Some(&b':') {
        let digits = count_digits(&b[i + 1..]);
        let ok = match digits {
            1 => true,
            2 => b[i + 1] <= b'5',
            _ => false,
        };
        if !ok {
            return false;
        }
        i += 1 + digits;
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while b.get(i).is_some_and(|c| c.is_ascii_digit() || *c == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

/// The YAML 1.1 booleans go-yaml v3 no longer reads but still quotes.
pub(crate) fn is_old_bool(s: &str) -> bool {
    matches!(
        s,
        "y" | "Y"
            | "yes"
            | "Yes"
            | "YES"
            | "on"
            | "On"
            | "ON"
            | "n"
            | "N"
            | "no"
            | "No"
            | "NO"
            | "off"
            | "Off"
            | "OFF"
    )
}

/// Whether go-yaml reads `s` as a timestamp: one of the layouts
/// `2006-1-2`, `2006-1-2 15:4:5[.frac]`, `2006-1-2T15:4:5[.frac]Z07:00`
/// (also with a lower-case `t`), as Go's `time.Parse` accepts them.
pub(crate) fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 8 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let mut i = 5;
    let Some(month) = small_number(b, &mut i) else {
        return false;
    };
    if b.get(i) != Some(&b'-') {
        return false;
    }
    i += 1;
    let Some(day) = small_number(b, &mut i) else {
        return false;
    };
    let year: u32 = s[..4].parse().unwrap_or(0);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return false;
    }
    let Some(&sep) = b.get(i) else {
        return true;
    };
    i += 1;
    if !matches!(sep, b'T' | b't' | b' ') || !clock(b, &mut i) {
        return false;
    }
    if sep == b' ' {
        return i == b.len();
    }
    match b.get(i) {
        Some(b'Z') => i + 1 == b.len(),
        Some(b'+' | b'-') => {
            let zone = &b[i + 1..];
            zone.len() == 5
                && zone[2] == b':'
                && [0, 1, 3, 4].iter().all(|&k| zone[k].is_ascii_digit())
        }
        _ => false,
    }
}

/// `15:4:5` with an optional fraction, each field one or two digits.
fn clock(b: &[u8], i: &mut usize) -> bool {
    let limits = [24, 60, 60];
    for (n, limit) in limits.into_iter().enumerate() {
        if n > 0 {
            if b.get(*i) != Some(&b':') {
                return false;
            }
            *i += 1;
        }
        match small_number(b, i) {
            Some(v) if v < limit => {}
            _ => return false,
        }
    }
    if b.get(*i) == Some(&b'.') {
        let frac = count_digits(&b[*i + 1..]);
        if frac == 0 {
            return false;
        }
        *i += 1 + frac;
    }
    true
}

/// One or two digits at `*i`.
fn small_number(b: &[u8], i: &mut usize) -> Option<u32> {
    let n = count_digits(&b[*i..]).min(2);
    if n == 0 {
        return None;
    }
    let v = b[*i..*i + n]
        .iter()
        .fold(0, |acc, d| acc * 10 + u32::from(d - b'0'));
    *i += n;
    Some(v)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_resolve_as_go_yaml_v2() {
        assert_eq!(resolve_plain("0777"), Resolved::Int(511));
        assert_eq!(resolve_plain("0x_1F"), Resolved::Int(31));
        assert_eq!(resolve_plain("0o17"), Resolved::Int(15));
        assert_eq!(resolve_plain("0b101"), Resolved::Int(5));
        assert_eq!(resolve_plain("1_000"), Resolved::Int(1000));
        assert_eq!(resolve_plain("+1"), Resolved::Int(1));
        assert_eq!(resolve_plain("-0"), Resolved::Int(0));
        assert_eq!(resolve_plain("08"), Resolved::Float(8.0));
        assert_eq!(resolve_plain("1e3"), Resolved::Float(1000.0));
        assert_eq!(resolve_plain("1."), Resolved::Float(1.0));
        assert_eq!(resolve_plain(".5"), Resolved::Float(0.5));
        assert_eq!(resolve_plain("0.1_0"), Resolved::Float(0.1));
        assert_eq!(
            resolve_plain("12345678901234567890"),
            Resolved::Uint(12345678901234567890)
        );
        assert_eq!(resolve_plain("190:20:30"), Resolved::Str);
        assert_eq!(resolve_plain("1e"), Resolved::Str);
        assert_eq!(resolve_plain("..5"), Resolved::Str);
    }

    #[test]
    fn words_resolve_as_go_yaml_v2() {
        assert_eq!(resolve_plain("y"), Resolved::Bool(true));
        assert_eq!(resolve_plain("tRue"), Resolved::Str);
        assert_eq!(resolve_plain("Null"), Resolved::Null);
        assert_eq!(resolve_plain("<<"), Resolved::Merge);
    }

    #[test]
    fn timestamps_and_base60() {
        assert!(is_timestamp("2001-12-14"));
        assert!(is_timestamp("2001-12-14t21:59:43.10-05:00"));
        assert!(is_timestamp("2001-12-14 21:59:43.10"));
        assert!(!is_timestamp("2001-12-14 21:59:43.10 -5"));
        assert!(!is_timestamp("2001-02-30"));
        assert!(is_base60_float("1:20"));
        assert!(is_base60_float("190:20:30.5"));
        assert!(!is_base60_float("1:60"));
    }
}
