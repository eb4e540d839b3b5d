//! Go's `path/filepath.Match` on slash-separated names: `*` matches within a
//! path segment, `?` one character of a segment, `[…]` a class (`[^…]`
//! negated, `a-z` ranges), `\` escapes. Helm uses it for `.helmignore` and
//! `--show-only`.

/// A pattern that Go would reject with `ErrBadPattern`.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("syntax error in pattern")]
pub struct BadPattern;

/// Whether `name` matches `pattern` in full.
pub fn matches(pattern: &str, name: &str) -> Result<bool, BadPattern> {
    let pattern: Vec<char> = pattern.chars().collect();
    let name: Vec<char> = name.chars().collect();
    let matched = match_from(&pattern, &name)?;
    // Go validates the rest of the pattern even after a mismatch.
    validate(&pattern)?;
    Ok(matched)
}

/// Matches with backtracking over `*`, which never crosses a `/`.
fn match_from(pattern: &[char], name: &[char]) -> Result<bool, BadPattern> {
    let Some((&first, rest)) = pattern.split_first() else {
        return Ok(name.is_empty());
    };
    match first {
        '*' => {
            // Try every split of the current segment, shortest first.
            for skip in 0..=name.len() {
                if skip > 0 && name[skip - 1] == '/' {
                    break;
                }
                if match_from(rest, &name[skip..])? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        _ => {
            let Some((&c, name_rest)) = name.split_first() else {
                return Ok(false);
            };
            let (ok, used) = match_one(pattern, c)?;
            if !ok {
                return Ok(false);
            }
            match_from(&pattern[used..], name_rest)
        }
    }
}

/// Matches one non-`*` pattern element against `c`; returns whether it
/// matched and how many pattern characters the element spans.
fn match_one(pattern: &[char], c: char) -> Result<(bool, usize), BadPattern> {
    match pattern[0] {
        '?' => Ok((c != '/', 1)),
        '\\' => match pattern.get(1) {
            Some(&e) => Ok((c == e, 2)),
            None => Err(BadPattern),
        },
        '[' => match_class(pattern, c),
        p => Ok((c == p, 1)),
    }
}

fn match_class(pattern: &[char], c: char) -> Result<(bool, usize), BadPattern> {
    let mut i = 1;
    let negated = pattern.get(i) == Some(&'^');
    if negated {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        let ch = *pattern.get(i).ok_or(BadPattern)?;
        if ch == ']' && !first {
            i += 1;
            break;
        }
        first = false;
        let (lo, next) = class_char(pattern, i)?;
        i = next;
        let mut hi = lo;
        if pattern.get(i) == Some(&'-') {
            let (h, next) = class_char(pattern, i + 1)?;
            hi = h;
            i = next;
        }
        if lo <= c && c <= hi {
            matched = true;
        }
    }
    Ok((matched != negated && c != '/', i))
}

fn class_char(pattern: &[char], i: usize) -> Result<(char, usize), BadPattern> {
    match pattern.get(i) {
        None | Some('-') | Some(']') => Err(BadPattern),
        Some('\\') => pattern.get(i + 1).map(|&c| (c, i + 2)).ok_or(BadPattern),
        Some(&c) => Ok((c, i + 1)),
    }
}

fn validate(pattern: &[char]) -> Result<(), BadPattern> {
    let mut i = 0;
    while i < pattern.len() {
        i += match pattern[i] {
            '*' => 1,
            _ => match_one(&pattern[i..], '\0')?.1,
        };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn like_go_filepath_match() {
        assert_eq!(matches("*.yaml", "a.yaml"), Ok(true));
        assert_eq!(matches("*", "a/b"), Ok(false));
        assert_eq!(matches("templates/*", "templates/x.yaml"), Ok(true));
        assert_eq!(matches("a?c", "abc"), Ok(true));
        assert_eq!(matches("a?c", "a/c"), Ok(false));
        assert_eq!(matches("[a-c]x", "bx"), Ok(true));
        assert_eq!(matches("[^a-c]x", "bx"), Ok(false));
        assert_eq!(matches(r"\*", "*"), Ok(true));
        assert_eq!(matches("*~", "file~"), Ok(true));
        assert_eq!(matches("templates/.?*", "templates/.hidden"), Ok(true));
        assert_eq!(matches("templates/.?*", "templates/."), Ok(false));
    }

    #[test]
    fn bad_patterns_are_errors_even_after_a_mismatch() {
        assert!(matches("[", "a").is_err());
        assert!(matches("x[", "a").is_err());
        assert!(matches("a\\", "a").is_err());
        assert!(matches("[]a]", "]").is_err());
    }
}
