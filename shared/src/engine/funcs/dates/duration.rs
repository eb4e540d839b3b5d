//! Go's `time.Duration`: its `String()` form and `time.ParseDuration`.

/// Nanoseconds in one second, minute and hour.
pub const SECOND: i64 = 1_000_000_000;
pub const MINUTE: i64 = 60 * SECOND;
pub const HOUR: i64 = 60 * MINUTE;

/// `time.Duration.String()`: `1h2m3.5s`, `1.5µs`, `0s`, `-25h0m0s`.
pub fn format_duration(d: i64) -> String {
    let mut u = d.unsigned_abs();
    let mut out = String::new();
    if u < SECOND as u64 {
        // Below a second Go switches to the largest unit that keeps an
        // integer part: ns, µs or ms, with a trimmed fraction.
        let (precision, unit) = match u {
            0 => return "0s".into(),
            1..1_000 => (0, "ns"),
            1_000..1_000_000 => (3, "µs"),
            _ => (6, "ms"),
        };
        let scale = 10u64.pow(precision);
        out.push_str(&(u / scale).to_string());
        out.push_str(&fraction(u % scale, precision));
        out.push_str(unit);
    } else {
        let seconds = u / SECOND as u64;
        let frac = fraction(u % SECOND as u64, 9);
        u = seconds;
        let (hours, minutes, secs) = (u / 3600, u / 60 % 60, u % 60);
        if hours > 0 {
            out.push_str(&format!("{hours}h"));
        }
        if u >= 60 {
            out.push_str(&format!("{minutes}m"));
        }
        out.push_str(&format!("{secs}{frac}s"));
    }
    if d < 0 {
        out.insert(0, '-');
    }
    out
}

/// The `.ddd` part of a fixed-point number with trailing zeros (and a bare
/// point) removed, as Go's `fmtFrac` writes it.
fn fraction(frac: u64, precision: u32) -> String {
    if frac == 0 {
        return String::new();
    }
    let digits = format!("{frac:0width$}", width = precision as usize);
    format!(".{}", digits.trim_end_matches('0'))
}

/// `time.ParseDuration`, with Go's error texts.
pub fn parse_duration(orig: &str) -> Result<i64, String> {
    let invalid = || format!("time: invalid duration {}", go_quote(orig));
    let (neg, mut s) = match orig.as_bytes().first() {
        Some(b'-') => (true, &orig[1..]),
        Some(b'+') => (false, &orig[1..]),
        _ => (false, orig),
    };
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    let mut total: u64 = 0;
    while !s.is_empty() {
        if !(s.starts_with('.') || s.starts_with(|c: char| c.is_ascii_digit())) {
            return Err(invalid());
        }
        let int_len = s.bytes().take_while(u8::is_ascii_digit).count();
        let whole = leading_int(&s[..int_len]).ok_or_else(invalid)?;
        s = &s[int_len..];
        let (mut frac, mut scale, mut frac_len) = (0u64, 1f64, 0);
        if let Some(rest) = s.strip_prefix('.') {
            frac_len = rest.bytes().take_while(u8::is_ascii_digit).count();
            (frac, scale) = leading_fraction(&rest[..frac_len]);
            s = &rest[frac_len..];
        }
        if int_len == 0 && frac_len == 0 {
            return Err(invalid());
        }
        let unit_len = s
            .bytes()
            .take_while(|c| *c != b'.' && !c.is_ascii_digit())
            .count();
        if unit_len == 0 {
            return Err(format!("time: missing unit in duration {}", go_quote(orig)));
        }
        let unit_name = &s[..unit_len];
        s = &s[unit_len..];
        let unit = unit_nanos(unit_name).ok_or_else(|| {
            format!(
                "time: unknown unit {} in duration {}",
                go_quote(unit_name),
                go_quote(orig)
            )
        })?;
        if whole > (1u64 << 63) / unit {
            return Err(invalid());
        }
        let mut v = whole * unit;
        if frac > 0 {
            // As Go does: float64 is precise enough for fractions of an hour.
            v += (frac as f64 * (unit as f64 / scale)) as u64;
            if v > 1 << 63 {
                return Err(invalid());
            }
        }
        total += v;
        if total > 1 << 63 {
            return Err(invalid());
        }
    }
    if neg {
        return Ok((total as i64).wrapping_neg());
    }
    i64::try_from(total).map_err(|_| invalid())
}

fn unit_nanos(unit: &str) -> Option<u64> {
    Some(match unit {
        "ns" => 1,
        "us" | "µs" | "μs" => 1_000,
        "ms" => 1_000_000,
        "s" => SECOND as u64,
        "m" => MINUTE as u64,
        "h" => HOUR as u64,
        _ => return None,
    })
}

/// Go's `leadingInt` over a run of digits: `None` past 2⁶³.
fn leading_int(digits: &str) -> Option<u64> {
    digits.bytes().try_fold(0u64, |x, c| {
        if x > (1 << 63) / 10 {
            return None;
        }
        let x = x * 10 + u64::from(c - b'0');
        (x <= 1 << 63).then_some(x)
    })
}

/// Go's `leadingFraction`: digits past the precision of u64 are dropped.
fn leading_fraction(digits: &str) -> (u64, f64) {
    let (mut x, mut scale) = (0u64, 1f64);
    for c in digits.bytes() {
        if x > (i64::MAX as u64) / 10 {
            break;
        }
        let y = x * 10 + u64::from(c - b'0');
        if y > 1 << 63 {
            break;
        }
        x = y;
        scale *= 10.0;
    }
    (x, scale)
}

/// Go's `Duration.Round(m)`, saturating on overflow.
pub fn round_duration(d: i64, m: i64) -> i64 {
    if m <= 0 {
        return d;
    }
    let less_than_half = |r: i64| (r as u64).wrapping_add(r as u64) < m as u64;
    let r = d % m;
    if d < 0 {
        let r = -r;
        if less_than_half(r) {
            return d + r;
        }
        return d.checked_sub(m - r).unwrap_or(i64::MIN);
    }
    if less_than_half(r) {
        return d - r;
    }
    d.checked_add(m - r).unwrap_or(i64::MAX)
}

/// The quoting of Go's `time` package error messages: `"` and `\` escaped,
/// control and non-ASCII bytes as `\xNN`.
pub fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        if !(' '..'\u{80}').contains(&c) {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        } else {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_go() {
        let cases = [
            (0, "0s"),
            (1, "1ns"),
            (1_500, "1.5µs"),
            (1_000_000, "1ms"),
            (2_500_000, "2.5ms"),
            (SECOND, "1s"),
            (3_500_000_000, "3.5s"),
            (HOUR + 2 * MINUTE + 3_500_000_000, "1h2m3.5s"),
            (-90_061 * SECOND, "-25h1m1s"),
            (HOUR, "1h0m0s"),
            (i64::MIN, "-2562047h47m16.854775808s"),
        ];
        for (d, want) in cases {
            assert_eq!(format_duration(d), want, "{d}");
        }
    }

    #[test]
    fn parses_like_go() {
        assert_eq!(parse_duration("1.5h"), Ok(HOUR + 30 * MINUTE));
        assert_eq!(parse_duration("-1h2m"), Ok(-(HOUR + 2 * MINUTE)));
        assert_eq!(parse_duration("+0"), Ok(0));
        assert_eq!(parse_duration(".5s"), Ok(SECOND / 2));
        assert_eq!(parse_duration("1µs1us"), Ok(2_000));
        assert_eq!(
            parse_duration("bad"),
            Err("time: invalid duration \"bad\"".into())
        );
        assert_eq!(
            parse_duration("1"),
            Err("time: missing unit in duration \"1\"".into())
        );
        assert_eq!(
            parse_duration("1d"),
            Err("time: unknown unit \"d\" in duration \"1d\"".into())
        );
        assert!(parse_duration("9999999999h").is_err());
        assert_eq!(parse_duration("-9223372036854775808ns"), Ok(i64::MIN));
    }

    #[test]
    fn rounds_like_go() {
        assert_eq!(round_duration(1_500_000_000, SECOND), 2 * SECOND);
        assert_eq!(round_duration(-1_500_000_000, SECOND), -2 * SECOND);
        assert_eq!(round_duration(1_499_999_999, SECOND), SECOND);
        assert_eq!(round_duration(i64::MAX, HOUR), i64::MAX);
    }
}
