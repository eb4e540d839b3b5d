//! Kubernetes label selectors (`a=b,c!=d,e in (f,g),!h`), parsed and
//! matched as apimachinery's `labels.Parse` does, errors worded as its,
//! for selecting among objects or releases already fetched.

use std::collections::{BTreeMap, BTreeSet};

/// The longest selector text accepted; real selectors are far shorter.
const MAX_SELECTOR: usize = 64 << 10;

/// Why a selector does not parse; the text is apimachinery's.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0}")]
pub struct SelectorError(String);

#[derive(Clone, Debug, PartialEq, Eq)]
enum Op {
    Exists,
    NotExists,
    /// `=`, `==` and `in`.
    In(BTreeSet<String>),
    /// `!=` and `notin`.
    NotIn(BTreeSet<String>),
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
    /// Parses `text` as `labels.Parse` does.
    pub fn parse(text: &str) -> Result<Selector, SelectorError> {
        if text.len() > MAX_SELECTOR {
            return Err(SelectorError(format!(
                "selector is longer than {MAX_SELECTOR} bytes"
            )));
        }
        let mut parser = Parser {
            tokens: lex(text),
            at: 0,
        };
        let requirements = parser.parse().map_err(SelectorError)?;
        Ok(Selector { requirements })
    }

    /// Whether `labels` satisfy every requirement.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.requirements.iter().all(|r| {
            let value = labels.get(&r.key);
            match &r.op {
                Op::Exists => value.is_some(),
                Op::NotExists => value.is_none(),
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    End,
    Ident,
    In,
    NotIn,
    Not,
    Eq,
    DoubleEq,
    NotEq,
    Gt,
    Lt,
    Open,
    Close,
    Comma,
}

const SPECIAL: &[char] = &['=', '!', '(', ')', ',', '>', '<'];

fn special(text: &str) -> Option<Tok> {
    Some(match text {
        "=" => Tok::Eq,
        "==" => Tok::DoubleEq,
        "!=" => Tok::NotEq,
        "!" => Tok::Not,
        ">" => Tok::Gt,
        "<" => Tok::Lt,
        "(" => Tok::Open,
        ")" => Tok::Close,
        "," => Tok::Comma,
        _ => return None,
    })
}

/// The tokens of `text`, then [`Tok::End`]. Symbols are read greedily
/// while they still form a token (`!=`, `==`); other runs up to a space
/// or symbol are identifiers, or the keywords `in` and `notin`.
fn lex(text: &str) -> Vec<(Tok, String)> {
    let mut tokens = Vec::new();
    let mut rest = text;
    loop {
        rest = rest.trim_start_matches([' ', '\t', '\r', '\n']);
        let Some(first) = rest.chars().next() else {
            tokens.push((Tok::End, String::new()));
            return tokens;
        };
        if SPECIAL.contains(&first) {
            let mut best = (Tok::Comma, 0);
            for (end, _) in rest.char_indices().skip(1).chain([(rest.len(), ' ')]) {
                let Some(tok) = special(&rest[..end]) else {
                    break;
                };
                best = (tok, end);
            }
            // Every single symbol is a token, so `best` is always set.
            let (tok, end) = best;
            tokens.push((tok, rest[..end].to_string()));
            rest = &rest[end..];
        } else {
            let end = rest
                .find(|c: char| SPECIAL.contains(&c) || c.is_ascii_whitespace())
                .unwrap_or(rest.len());
            let word = &rest[..end];
            let tok = match word {
                "in" => Tok::In,
                "notin" => Tok::NotIn,
                _ => Tok::Ident,
            };
            tokens.push((tok, word.to_string()));
            rest = &rest[end..];
        }
    }
}

struct Parser {
    tokens: Vec<(Tok, String)>,
    at: usize,
}

/// Where a token is read: among values `in` and `notin` are identifiers.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    KeyAndOperator,
    Values,
}

const BINARY_OPERATORS: &str = "in, notin, =, ==, !=, gt, lt";

impl Parser {
    fn peek(&self, context: Context) -> (Tok, &str) {
        let (tok, lit) = self
            .tokens
            .get(self.at)
            .map_or((Tok::End, ""), |(t, l)| (*t, l.as_str()));
        match (context, tok) {
            (Context::Values, Tok::In | Tok::NotIn) => (Tok::Ident, lit),
            _ => (tok, lit),
        }
    }

    fn next(&mut self, context: Context) -> (Tok, String) {
        let (tok, lit) = self.peek(context);
        let lit = lit.to_string();
        if self.at < self.tokens.len() {
            self.at += 1;
        }
        (tok, lit)
    }

    fn parse(&mut self) -> Result<Vec<Requirement>, String> {
        let mut requirements = Vec::new();
        loop {
            let (tok, lit) = self.peek(Context::Values);
            match tok {
                Tok::Ident | Tok::Not => {
                    let r = self
                        .requirement()
                        .map_err(|e| format!("unable to parse requirement: {e}"))?;
                    requirements.push(r);
                    let (tok, lit) = self.next(Context::Values);
                    match tok {
                        Tok::End => break,
                        Tok::Comma => {
                            let (next, lit) = self.peek(Context::Values);
                            if next != Tok::Ident && next != Tok::Not {
                                return Err(format!(
                                    "found '{lit}', expected: identifier after ','"
                                ));
                            }
                        }
                        _ => {
                            return Err(format!("found '{lit}', expected: ',' or 'end of string'"));
                        }
                    }
                }
                Tok::End => break,
                _ => {
                    return Err(format!(
                        "found '{lit}', expected: !, identifier, or 'end of string'"
                    ));
                }
            }
        }
        requirements.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(requirements)
    }

    fn requirement(&mut self) -> Result<Requirement, String> {
        let (mut tok, mut lit) = self.next(Context::Values);
        let negated = tok == Tok::Not;
        if negated {
            (tok, lit) = self.next(Context::Values);
        }
        if tok != Tok::Ident {
            return Err(format!("found '{lit}', expected: identifier"));
        }
        let key = lit;
        check_key(&key)?;
        let (after, _) = self.peek(Context::Values);
        if negated {
            return Ok(Requirement {
                key,
                op: Op::NotExists,
            });
        }
        if after == Tok::End || after == Tok::Comma {
            return Ok(Requirement {
                key,
                op: Op::Exists,
            });
        }
        let (tok, lit) = self.next(Context::KeyAndOperator);
        let op = match tok {
            Tok::In | Tok::NotIn => {
                let values = self.values()?;
                check_values(&key, &values)?;
                if tok == Tok::In {
                    Op::In(values)
                } else {
                    Op::NotIn(values)
                }
            }
            Tok::Eq | Tok::DoubleEq | Tok::NotEq => {
                let value = self.exact_value()?;
                check_values(&key, &BTreeSet::from([value.clone()]))?;
                let set = BTreeSet::from([value]);
                if tok == Tok::NotEq {
                    Op::NotIn(set)
                } else {
                    Op::In(set)
                }
            }
            Tok::Gt | Tok::Lt => {
                let value = self.exact_value()?;
                let n: i64 = value.parse().map_err(|_| {
                    format!(
                        "values[0]: Invalid value: {value:?}: for 'Gt', 'Lt' operators, the value must be an integer"
                    )
                })?;
                if tok == Tok::Gt {
                    Op::GreaterThan(n)
                } else {
                    Op::LessThan(n)
                }
            }
            _ => return Err(format!("found '{lit}', expected: {BINARY_OPERATORS}")),
        };
        Ok(Requirement { key, op })
    }

    /// `( a, b )`, allowing empty values as apimachinery does.
    fn values(&mut self) -> Result<BTreeSet<String>, String> {
        let (tok, lit) = self.next(Context::Values);
        if tok != Tok::Open {
            return Err(format!("found '{lit}' expected: '('"));
        }
        let (tok, lit) = self.peek(Context::Values);
        match tok {
            Tok::Ident | Tok::Comma => {
                let lit = lit.to_string();
                let set = self.identifiers()?;
                if self.next(Context::Values).0 != Tok::Close {
                    return Err(format!("found '{lit}', expected: ')'"));
                }
                Ok(set)
            }
            Tok::Close => {
                self.next(Context::Values);
                Ok(BTreeSet::from([String::new()]))
            }
            _ => Err(format!("found '{lit}', expected: ',', ')' or identifier")),
        }
    }

    fn identifiers(&mut self) -> Result<BTreeSet<String>, String> {
        let mut set = BTreeSet::new();
        loop {
            let (tok, lit) = self.next(Context::Values);
            match tok {
                Tok::Ident => {
                    set.insert(lit);
                    let (next, lit) = self.peek(Context::Values);
                    match next {
                        Tok::Comma => {}
                        Tok::Close => return Ok(set),
                        _ => return Err(format!("found '{lit}', expected: ',' or ')'")),
                    }
                }
                Tok::Comma => {
                    if set.is_empty() {
                        set.insert(String::new());
                    }
                    match self.peek(Context::Values).0 {
                        Tok::Close => {
                            set.insert(String::new());
                            return Ok(set);
                        }
                        Tok::Comma => {
                            self.next(Context::Values);
                            set.insert(String::new());
                        }
                        _ => {}
                    }
                }
                _ => return Err(format!("found '{lit}', expected: ',', or identifier")),
            }
        }
    }

    fn exact_value(&mut self) -> Result<String, String> {
        let (tok, _) = self.peek(Context::Values);
        if tok == Tok::End || tok == Tok::Comma {
            return Ok(String::new());
        }
        let (tok, lit) = self.next(Context::Values);
        if tok == Tok::Ident {
            Ok(lit)
        } else {
            Err(format!("found '{lit}', expected: identifier"))
        }
    }
}

const NAME_FORMAT: &str = "must consist of alphanumeric characters, '-', '_' or '.', and must \
     start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', \
     regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

fn is_name(text: &str) -> bool {
    let alnum = |c: char| c.is_ascii_alphanumeric();
    text.starts_with(alnum)
        && text.ends_with(alnum)
        && text
            .chars()
            .all(|c| alnum(c) || matches!(c, '-' | '_' | '.'))
}

/// apimachinery's `IsQualifiedName`: an optional DNS subdomain and `/`,
/// then a name of at most 63 characters.
fn check_key(key: &str) -> Result<(), String> {
    let parts: Vec<&str> = key.split('/').collect();
    let mut errors = Vec::new();
    let name = match parts.as_slice() {
        [name] => *name,
        [prefix, name] => {
            if prefix.is_empty() {
                errors.push("prefix part must be non-empty".to_string());
            } else {
                errors.extend(
                    subdomain_errors(prefix)
                        .into_iter()
                        .map(|e| format!("prefix part {e}")),
                );
            }
            name
        }
        _ => {
            return Err(format!(
                "<nil>: Invalid value: {key:?}: a valid label key {NAME_FORMAT} with an optional \
                 DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
            ));
        }
    };
    if name.is_empty() {
        errors.push("name part must be non-empty".to_string());
    } else if name.len() > 63 {
        errors.push("name part must be no more than 63 bytes".to_string());
    }
    if !is_name(name) {
        errors.push(format!("name part {NAME_FORMAT}"));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "<nil>: Invalid value: {key:?}: {}",
            errors.join("; ")
        ))
    }
}

fn subdomain_errors(text: &str) -> Vec<String> {
    let mut errors = Vec::new();
    if text.len() > 253 {
        errors.push("must be no more than 253 bytes".to_string());
    }
    let label_ok = |l: &str| {
        let alnum = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
        l.starts_with(alnum) && l.ends_with(alnum) && l.chars().all(|c| alnum(c) || c == '-')
    };
    if !text.split('.').all(label_ok) {
        errors.push(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \
             '-' or '.', and must start and end with an alphanumeric character (e.g. \
             'example.com', regex used for validation is \
             '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
                .to_string(),
        );
    }
    errors
}

/// apimachinery's `IsValidLabelValue` for each value.
fn check_values(key: &str, values: &BTreeSet<String>) -> Result<(), String> {
    for (i, value) in values.iter().enumerate() {
        let mut errors = Vec::new();
        if value.len() > 63 {
            errors.push("must be no more than 63 bytes".to_string());
        }
        if !value.is_empty() && !is_name(value) {
            errors.push(
                "a valid label must be an empty string or consist of alphanumeric characters, \
                 '-', '_' or '.', and must start and end with an alphanumeric character (e.g. \
                 'MyValue',  or 'my_value',  or '12345', regex used for validation is \
                 '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
                    .to_string(),
            );
        }
        if !errors.is_empty() {
            return Err(format!(
                "values[{i}][{key}]: Invalid value: {value:?}: {}",
                errors.join("; ")
            ));
        }
    }
    Ok(())
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
    fn errors_are_worded_as_apimachinery_words_them() {
        let err = |s: &str| Selector::parse(s).unwrap_err().to_string();
        assert_eq!(
            err("a b"),
            "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"
        );
        assert_eq!(err("a=b,,c=d"), "found ',', expected: identifier after ','");
        assert_eq!(
            err("=x"),
            "found '=', expected: !, identifier, or 'end of string'"
        );
        assert_eq!(
            err("a in x"),
            "unable to parse requirement: found 'x' expected: '('"
        );
        assert_eq!(err("a=b c"), "found 'c', expected: ',' or 'end of string'");
        assert!(err("n>x").contains("the value must be an integer"));
        assert!(err("-a=b").starts_with(
            "unable to parse requirement: <nil>: Invalid value: \"-a\": name part must consist"
        ));
        assert!(
            err("a=-b")
                .starts_with("unable to parse requirement: values[0][a]: Invalid value: \"-b\"")
        );
        assert!(err(&"a".repeat(MAX_SELECTOR + 1)).starts_with("selector is longer"));
    }
}
