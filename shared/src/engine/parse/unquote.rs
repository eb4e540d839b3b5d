//! Go's `strconv.Unquote` and `UnquoteChar` for template string and
//! character literals.

const SYNTAX: &str = "invalid syntax";

/// Unquotes a `"…"` or `` `…` `` literal as Go does.
pub(super) fn unquote(s: &str) -> Result<String, &'static str> {
    if let Some(raw) = s.strip_prefix('`').and_then(|r| r.strip_suffix('`')) {
        if raw.contains('`') {
            return Err(SYNTAX);
        }
        // Go drops carriage returns from raw strings.
        return Ok(raw.replace('\r', ""));
    }
    let body = s
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .ok_or(SYNTAX)?;
    let mut out = String::with_capacity(body.len());
    let mut bytes: Vec<u8> = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        if rest.starts_with('"') || rest.starts_with('\n') {
            return Err(SYNTAX);
        }
        let (piece, tail) = unquote_one(rest, '"')?;
        match piece {
            Piece::Char(c) => {
                flush_bytes(&mut bytes, &mut out);
                out.push(c);
            }
            Piece::Byte(b) => bytes.push(b),
        }
        rest = tail;
    }
    flush_bytes(&mut bytes, &mut out);
    Ok(out)
}

/// Bytes from `\x` and octal escapes form UTF-8 together; invalid sequences
/// (which Go strings may hold) become replacement characters.
fn flush_bytes(bytes: &mut Vec<u8>, out: &mut String) {
    if !bytes.is_empty() {
        out.push_str(&String::from_utf8_lossy(bytes));
        bytes.clear();
    }
}

/// Unquotes a `'…'` character constant.
pub(super) fn unquote_char(s: &str) -> Result<char, String> {
    let body = &s[1..];
    let (piece, tail) = unquote_one(body, '\'').map_err(str::to_string)?;
    if tail != "'" {
        return Err(format!("malformed character constant: {s}"));
    }
    match piece {
        Piece::Char(c) => Ok(c),
        Piece::Byte(b) => Ok(char::from(b)),
    }
}

enum Piece {
    Char(char),
    Byte(u8),
}

/// Decodes one possibly escaped character at the start of `s`.
fn unquote_one(s: &str, quote: char) -> Result<(Piece, &str), &'static str> {
    let mut chars = s.chars();
    let c = chars.next().ok_or(SYNTAX)?;
    if c == quote && quote == '\'' {
        return Err(SYNTAX);
    }
    if c != '\\' {
        return Ok((Piece::Char(c), chars.as_str()));
    }
    let e = chars.next().ok_or(SYNTAX)?;
    let rest = chars.as_str();
    let simple = match e {
        'a' => Some('\x07'),
        'b' => Some('\x08'),
        'f' => Some('\x0c'),
        'n' => Some('\n'),
        'r' => Some('\r'),
        't' => Some('\t'),
        'v' => Some('\x0b'),
        '\\' => Some('\\'),
        '\'' | '"' if e == quote => Some(e),
        _ => None,
    };
    if let Some(c) = simple {
        return Ok((Piece::Char(c), rest));
    }
    match e {
        'x' => {
            let (v, tail) = hex_digits(rest, 2)?;
            Ok((Piece::Byte(v as u8), tail))
        }
        'u' | 'U' => {
            let (v, tail) = hex_digits(rest, if e == 'u' { 4 } else { 8 })?;
            let c = char::from_u32(v).ok_or(SYNTAX)?;
            Ok((Piece::Char(c), tail))
        }
        '0'..='7' => {
            let digits = rest.get(..2).ok_or(SYNTAX)?;
            let mut v = e as u32 - '0' as u32;
            for d in digits.chars() {
                let d = d.to_digit(8).ok_or(SYNTAX)?;
                v = v * 8 + d;
            }
            if v > 255 {
                return Err(SYNTAX);
            }
            Ok((Piece::Byte(v as u8), &rest[2..]))
        }
        _ => Err(SYNTAX),
    }
}

fn hex_digits(s: &str, n: usize) -> Result<(u32, &str), &'static str> {
    let digits = s.get(..n).ok_or(SYNTAX)?;
    let v = u32::from_str_radix(digits, 16).map_err(|_| SYNTAX)?;
    if digits.starts_with(['+', '-']) {
        return Err(SYNTAX);
    }
    Ok((v, &s[n..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unquotes_go_escapes() {
        assert_eq!(
            unquote(r#""a\tb\x41\101\u00e9\"""#).as_deref(),
            Ok("a\tbAAé\"")
        );
        assert_eq!(unquote("`a\\n\r`").as_deref(), Ok("a\\n"));
        assert_eq!(unquote(r#""\q""#), Err(SYNTAX));
        assert_eq!(unquote(r#""\'""#), Err(SYNTAX));
        assert_eq!(unquote_char("'a'"), Ok('a'));
        assert_eq!(unquote_char(r"'\n'"), Ok('\n'));
        assert!(unquote_char("'ab'").is_err());
    }
}
