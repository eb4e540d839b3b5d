//! Label and field selectors, in the syntax of `?labelSelector=` and
//! `?fieldSelector=`.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::status::ApiError;

/// One requirement of a label selector.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Requirement {
    /// `key=value` / `key==value` / `key in (a,b)`.
    In(String, BTreeSet<String>),
    /// `key!=value` / `key notin (a,b)`: true also when the key is absent.
    NotIn(String, BTreeSet<String>),
    /// `key`.
    Exists(String),
    /// `!key`.
    DoesNotExist(String),
}

/// A parsed label selector: all requirements must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelSelector(Vec<Requirement>);

impl LabelSelector {
    /// Parses `a=b,c!=d,e in (x,y),f notin (z),g,!h`.
    pub fn parse(text: &str) -> Result<Self, ApiError> {
        let mut requirements = Vec::new();
        for term in split_terms(text) {
            let term = term.trim();
            if term.is_empty() {
                continue;
            }
            requirements.push(parse_requirement(term)?);
        }
        Ok(Self(requirements))
    }

    /// Whether an object's `metadata.labels` satisfy every requirement.
    pub fn matches(&self, labels: Option<&Value>) -> bool {
        let label = |key: &str| labels.and_then(|l| l.get(key)).and_then(Value::as_str);
        self.0.iter().all(|req| match req {
            Requirement::In(key, values) => label(key).is_some_and(|v| values.contains(v)),
            Requirement::NotIn(key, values) => label(key).is_none_or(|v| !values.contains(v)),
            Requirement::Exists(key) => label(key).is_some(),
            Requirement::DoesNotExist(key) => label(key).is_none(),
        })
    }
}

/// Splits on the commas that separate terms, not those inside `( … )`.
fn split_terms(text: &str) -> Vec<&str> {
    let mut terms = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                terms.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    terms.push(&text[start..]);
    terms
}

fn invalid_selector(term: &str) -> ApiError {
    ApiError::bad_request(format!(
        "unable to parse requirement: found '{term}', expected: identifier"
    ))
}

fn parse_requirement(term: &str) -> Result<Requirement, ApiError> {
    if let Some(key) = term.strip_prefix('!') {
        return Ok(Requirement::DoesNotExist(checked_key(key.trim(), term)?));
    }
    if let Some((key, value)) = term.split_once("!=") {
        return Ok(Requirement::NotIn(
            checked_key(key.trim(), term)?,
            BTreeSet::from([value.trim().to_owned()]),
        ));
    }
    if let Some((key, value)) = term.split_once("==").or_else(|| term.split_once('=')) {
        return Ok(Requirement::In(
            checked_key(key.trim(), term)?,
            BTreeSet::from([value.trim().to_owned()]),
        ));
    }
    if let Some(open) = term.find('(') {
        let head = term[..open].trim();
        let list = term[open + 1..]
            .strip_suffix(')')
            .ok_or_else(|| invalid_selector(term))?;
        let values: BTreeSet<String> = list
            .split(',')
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .collect();
        let mut words = head.split_whitespace();
        let (Some(key), Some(op), None) = (words.next(), words.next(), words.next()) else {
            return Err(invalid_selector(term));
        };
        let key = checked_key(key, term)?;
        return match op {
            "in" => Ok(Requirement::In(key, values)),
            "notin" => Ok(Requirement::NotIn(key, values)),
            _ => Err(invalid_selector(term)),
        };
    }
    Ok(Requirement::Exists(checked_key(term, term)?))
}

fn checked_key(key: &str, term: &str) -> Result<String, ApiError> {
    let valid = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
    if valid {
        Ok(key.to_owned())
    } else {
        Err(invalid_selector(term))
    }
}

/// The fields every resource can be selected by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Name,
    Namespace,
}

/// A parsed field selector over `metadata.name` and `metadata.namespace`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSelector(Vec<(Field, bool, String)>);

impl FieldSelector {
    /// Parses `metadata.name=x,metadata.namespace!=y`; other fields are
    /// refused as kube-apiserver refuses them.
    pub fn parse(text: &str) -> Result<Self, ApiError> {
        let mut terms = Vec::new();
        for term in text.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            let (field, equal, value) = if let Some((f, v)) = term.split_once("!=") {
                (f, false, v)
            } else if let Some((f, v)) = term.split_once("==").or_else(|| term.split_once('=')) {
                (f, true, v)
            } else {
                return Err(ApiError::bad_request(format!(
                    "invalid selector: '{text}'; can't understand '{term}'"
                )));
            };
            let field = match field.trim() {
                "metadata.name" => Field::Name,
                "metadata.namespace" => Field::Namespace,
                other => {
                    return Err(ApiError::bad_request(format!(
                        "field label not supported: {other}"
                    )));
                }
            };
            terms.push((field, equal, value.trim().to_owned()));
        }
        Ok(Self(terms))
    }

    /// Whether an object's metadata satisfies every term.
    pub fn matches(&self, metadata: &Value) -> bool {
        self.0.iter().all(|(field, equal, value)| {
            let key = match field {
                Field::Name => "name",
                Field::Namespace => "namespace",
            };
            let actual = metadata.get(key).and_then(Value::as_str).unwrap_or("");
            (actual == value) == *equal
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn matches(selector: &str, labels: Value) -> bool {
        LabelSelector::parse(selector)
            .expect("selector parses")
            .matches(Some(&labels))
    }

    #[test]
    fn label_selector_operators() {
        let labels = json!({"owner": "helm", "status": "deployed"});
        assert!(matches("owner=helm", labels.clone()));
        assert!(matches("owner==helm,status", labels.clone()));
        assert!(!matches("owner!=helm", labels.clone()));
        assert!(matches("status in (deployed, superseded)", labels.clone()));
        assert!(!matches("status notin (deployed,failed)", labels.clone()));
        assert!(matches("name notin (x)", labels.clone()));
        assert!(matches("!name", labels.clone()));
        assert!(!matches("!owner", labels.clone()));
        assert!(matches("", labels));
    }

    #[test]
    fn bad_label_selectors_are_rejected() {
        assert!(LabelSelector::parse("a in (b").is_err());
        assert!(LabelSelector::parse("a oops (b)").is_err());
        assert!(LabelSelector::parse("a b").is_err());
    }

    #[test]
    fn field_selectors() {
        let meta = json!({"name": "x", "namespace": "default"});
        let parse = |s| FieldSelector::parse(s).expect("selector parses");
        assert!(parse("metadata.name=x").matches(&meta));
        assert!(!parse("metadata.name=x,metadata.namespace!=default").matches(&meta));
        assert_eq!(
            FieldSelector::parse("spec.x=1").map_err(|e| e.message),
            Err("field label not supported: spec.x".to_owned())
        );
    }
}
