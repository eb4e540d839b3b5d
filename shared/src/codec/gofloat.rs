//! Go's `strconv.FormatFloat` with the shortest precision (`-1`), in the
//! `'e'`, `'f'` and `'g'` formats the encoders need, and `encoding/json`'s
//! choice between them.

/// Shortest decimal digits of a finite, non-negative value that read back to
/// the same float, and the decimal point position: value = 0.DIGITS × 10^dp.
struct Digits {
    digits: String,
    dp: i32,
}

impl Digits {
    fn of_f64(f: f64) -> Digits {
        Digits::from_exp_notation(&format!("{:e}", f.abs()))
    }

    fn of_f32(f: f32) -> Digits {
        Digits::from_exp_notation(&format!("{:e}", f.abs()))
    }

    /// Reads Rust's shortest `{:e}` output (`1.2345e-7`, `0e0`).
    fn from_exp_notation(s: &str) -> Digits {
        let (mantissa, exp) = s.split_once('e').unwrap_or((s, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
        if digits == "0" {
            return Digits { digits, dp: 1 };
        }
        Digits {
            digits,
            dp: exp + 1,
        }
    }

    /// `%e` with the shortest precision: `d.ddde±XX`.
    fn write_e(&self, out: &mut String) {
        let (first, rest) = self.digits.split_at(1);
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        let exp = if self.digits == "0" { 0 } else { self.dp - 1 };
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        let abs = exp.unsigned_abs();
        if abs < 10 {
            out.push('0');
        }
        out.push_str(&abs.to_string());
    }

    /// `%f` with the shortest precision.
    fn write_f(&self, out: &mut String) {
        let nd = self.digits.len() as i32;
        if self.dp <= 0 {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-self.dp) as usize));
            out.push_str(&self.digits);
        } else if self.dp >= nd {
            out.push_str(&self.digits);
            out.extend(std::iter::repeat_n('0', (self.dp - nd) as usize));
        } else {
            let (int, frac) = self.digits.split_at(self.dp as usize);
            out.push_str(int);
            out.push('.');
            out.push_str(frac);
        }
    }

    /// `%g` with the shortest precision: `%e` when the exponent is below -4
    /// or at least 21 would be `%v`'s rule; FormatFloat's own 'g' uses 6.
    fn write_g(&self, out: &mut String) {
        let exp = self.dp - 1;
        if self.digits != "0" && !(-4..6).contains(&exp) {
            self.write_e(out);
        } else {
            self.write_f(out);
        }
    }
}

fn write_special(f: f64, out: &mut String) -> bool {
    if f.is_nan() {
        out.push_str("NaN");
    } else if f.is_infinite() {
        out.push_str(if f > 0.0 { "+Inf" } else { "-Inf" });
    } else {
        return false;
    }
    true
}

/// `strconv.FormatFloat(f, 'g', -1, 64)`.
pub(crate) fn format_g(f: f64) -> String {
    let mut out = String::new();
    if !write_special(f, &mut out) {
        if f.is_sign_negative() {
            out.push('-');
        }
        Digits::of_f64(f).write_g(&mut out);
    }
    out
}

/// `strconv.FormatFloat(f, 'g', -1, 32)`: the value rounded to a float32.
pub(crate) fn format_g32(f: f64) -> String {
    let mut out = String::new();
    let single = f as f32;
    if !write_special(f64::from(single), &mut out) {
        if single.is_sign_negative() {
            out.push('-');
        }
        Digits::of_f32(single).write_g(&mut out);
    }
    out
}

/// A finite float as `encoding/json` writes it: `%f` unless the magnitude is
/// below 1e-6 or at least 1e21, then `%e` with `e-07` shortened to `e-7`.
pub(crate) fn write_json_float(f: f64, out: &mut String) {
    if f.is_sign_negative() {
        out.push('-');
    }
    let abs = f.abs();
    let digits = Digits::of_f64(abs);
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let start = out.len();
        digits.write_e(out);
        let written = &out[start..];
        if let Some(pos) = written.find("e-0") {
            out.remove(start + pos + 2);
        }
    } else {
        digits.write_f(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(f: f64) -> String {
        let mut s = String::new();
        write_json_float(f, &mut s);
        s
    }

    #[test]
    fn json_floats_match_go() {
        assert_eq!(json(1.0), "1");
        assert_eq!(json(1.5), "1.5");
        assert_eq!(json(-0.0), "-0");
        assert_eq!(json(1e21), "1e+21");
        assert_eq!(json(1e20), "100000000000000000000");
        assert_eq!(json(0.000001), "0.000001");
        assert_eq!(json(1e-7), "1e-7");
        assert_eq!(json(1.5e-300), "1.5e-300");
        assert_eq!(json(12345678901234567890.0), "12345678901234567000");
    }

    #[test]
    fn g_format_matches_go() {
        assert_eq!(format_g(1e20), "1e+20");
        assert_eq!(format_g(100000.0), "100000");
        assert_eq!(format_g(1234567.0), "1.234567e+06");
        assert_eq!(format_g(0.000001), "1e-06");
        assert_eq!(format_g(0.0001), "0.0001");
        assert_eq!(format_g(-0.0), "-0");
        assert_eq!(format_g(1.5e300), "1.5e+300");
        assert_eq!(format_g32(0.1234567891234), "0.12345679");
        assert_eq!(format_g32(1.5), "1.5");
        assert_eq!(format_g(f64::INFINITY), "+Inf");
    }
}
