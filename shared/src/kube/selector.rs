//! Kubernetes label selectors (`a=b,c!=d,e in (f,g),!h`), parsed and
//! matched as apimachinery's `labels.Parse` does, for selecting among
//! objects or releases already fetched.

use std::collections::BTreeMap;

/// The longest selector text accepted; real selectors are far shorter.
const MAX_SELECTOR: usize = 64 << 10;

/// Why a selector does not parse.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SelectorError {
    /// The text is longer than anyone writes a selector.
    #[error("selector is longer than {MAX_SELECTOR} bytes")]
    TooLong,
    /// A requirement is malformed.
    #[error("unable to parse requirement: {0}")]
    Requirement(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Op {
    Exists,
    NotExists,
    Equals(String),
    NotEquals(String),
    In(Vec<String>),
    NotIn(Vec<String>),
    GreaterThan(i64),
    LessThan(i64),
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Requirement {
    key: String,
    op: Op,
}

/// A parsed selector: every requirement must hold. The empty selector
/// matches everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selector {
    requirements: Vec<Requirement>,
}

impl Selector {
    /// Parses `text` (whitespace around tokens is ignored).
    pub fn parse(text: &str) -> Result<Selector, SelectorError> {
        if text.len() > MAX_SELECTOR {
            return Err(SelectorError::TooLong);
        }
        if text.trim().is_empty() {
            return Ok(Selector::default());
        }
        let requirements = split_requirements(text)
            .into_iter()
            .map(|part| parse_requirement(part.trim()))
            .collect::<Result<_, _>>()?;
        Ok(Selector { requirements })
    }

    /// Whether `labels` satisfy every requirement.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.requirements.iter().all(|r| {
            let value = labels.get(&r.key);
            match &r.op {
                Op::Exists => value.is_some(),
                Op::NotExists => value.is_none(),
                Op::Equals(v) => value == Some(v),
                Op::NotEquals(v) => value != Some(v),
                Op::In(set) => value.is_some_and(|v| set.contains(v)),
                Op::NotIn(set) => value.is_none_or(|v| !set.contains(v)),
                Op::GreaterThan(n) => value
                    .and_then(|v| v.parse::<i64>().ok())
                    .is_some_and(|v| v > *n),
                Op::LessThan(n) => value
                    .and_then(|v| v.parse::<i64>().ok())
                    .is_some_and(|v| v < *n),
            }
        })
    }
}

/// Splits at the commas that are not inside a `( … )` value set.
fn split_requirements(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

fn parse_requirement(part: &str) -> Result<Requirement, SelectorError> {
    let bad = || SelectorError::Requirement(format!("{part:?}"));
    if let Some(key) = part.strip_prefix('!') {
        return Ok(Requirement {
            key: checked_key(key.trim()).ok_or_else(bad)?,
            op: Op::NotExists,
        });
    }
    // Operators, longest first so `==` and `!=` are not read as `=`.
    for (token, make) in [
        ("!=", Op::NotEquals as fn(String) -> Op),
        ("==", Op::Equals),
        ("=", Op::Equals),
    ] {
        if let Some((key, value)) = part.split_once(token) {
            return Ok(Requirement {
                key: checked_key(key.trim()).ok_or_else(bad)?,
                op: make(checked_value(value.trim()).ok_or_else(bad)?),
            });
        }
    }
    for (token, greater) in [(">", true), ("<", false)] {
        if let Some((key, value)) = part.split_once(token) {
            let n: i64 = value.trim().parse().map_err(|_| bad())?;
            return Ok(Requirement {
                key: checked_key(key.trim()).ok_or_else(bad)?,
                op: if greater {
                    Op::GreaterThan(n)
                } else {
                    Op::LessThan(n)
                },
            });
        }
    }
    let mut words = part.splitn(2, char::is_whitespace);
    let key = checked_key(words.next().unwrap_or_default()).ok_or_else(bad)?;
    let Some(rest) = words.next().map(str::trim) else {
        return Ok(Requirement {
            key,
            op: Op::Exists,
        });
    };
    let (negate, set) = if let Some(set) = rest.strip_prefix("notin") {
        (true, set)
    } else if let Some(set) = rest.strip_prefix("in") {
        (false, set)
    } else {
        return Err(bad());
    };
    let inner = set
        .trim()
        .strip_prefix('(')
        .and_then(|s| s.strip_suffix(')'))
        .ok_or_else(bad)?;
    let values = inner
        .split(',')
        .map(|v| checked_value(v.trim()).ok_or_else(bad))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Requirement {
        key,
        op: if negate {
            Op::NotIn(values)
        } else {
            Op::In(values)
        },
    })
}

/// A label key: an optional DNS prefix and `/`, then a name of letters,
/// digits, `-`, `_` and `.` (63 at most).
fn checked_key(key: &str) -> Option<String> {
    let name = key.rsplit_once('/').map_or(key, |(_, n)| n);
    let ok = !name.is_empty()
        && name.len() <= 63
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
    ok.then(|| key.to_string())
}

/// A label value: empty, or letters, digits, `-`, `_` and `.` (63 at most).
fn checked_value(value: &str) -> Option<String> {
    let ok = value.len() <= 63
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    ok.then(|| value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn every_operator_matches_as_kubernetes_matches() {
        let l = labels(&[("team", "blue"), ("tier", "web"), ("n", "5")]);
        let yes = [
            "",
            "team=blue",
            "team==blue",
            "team!=red",
            "missing!=x",
            "team in (red, blue)",
            "team notin (red)",
            "missing notin (x)",
            "tier",
            "!missing",
            "n>4,n<6",
            "team=blue, tier=web",
            "example.com/k!=v",
        ];
        for s in yes {
            assert!(Selector::parse(s).unwrap().matches(&l), "{s}");
        }
        let no = [
            "team=red",
            "team!=blue",
            "team in (red)",
            "missing in (x)",
            "missing",
            "!team",
            "n>5",
            "team=blue,tier=db",
        ];
        for s in no {
            assert!(!Selector::parse(s).unwrap().matches(&l), "{s}");
        }
    }

    #[test]
    fn malformed_selectors_are_errors() {
        for s in [
            "a b", "=x", "a=b,,c=d", "a in x", "a in (b", "a=b c", "n>x", "a b c",
        ] {
            assert!(Selector::parse(s).is_err(), "{s}");
        }
        assert_eq!(
            Selector::parse(&"a".repeat(MAX_SELECTOR + 1)),
            Err(SelectorError::TooLong)
        );
    }
}
