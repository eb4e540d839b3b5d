//! The label selector a workload finds its pods (or a Deployment its
//! ReplicaSets) with, as the query string clients send: what kstatus and
//! Helm's legacy checks list related objects by. Requirements come sorted
//! by key, written as apimachinery writes them (`app=web`,
//! `tier in (back,front)`, `!canary`).

use serde_json::{Map, Value};

/// Why an object gives no selector.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SelectorError {
    /// The kind has no pod selector.
    #[error("selector for {0} not implemented")]
    NotImplemented(String),
    /// The object has no `.spec.selector`.
    #[error("no selector found")]
    Missing,
    /// A Service selects nothing.
    #[error("invalid service '{0}': Service is defined without a selector")]
    ServiceWithoutSelector(String),
    /// The selector breaks the label rules.
    #[error("invalid label selector: {0}")]
    Invalid(String),
}

/// The selector of `object`'s pods: a LabelSelector for the apps kinds and
/// Jobs, a plain label map for ReplicationControllers and Services.
pub fn pod_selector(object: &Value) -> Result<String, SelectorError> {
    let kind = object
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let selector = object.get("spec").and_then(|spec| spec.get("selector"));
    match kind {
        "ReplicationController" => match selector.and_then(Value::as_object) {
            Some(labels) => from_labels(labels),
            None => Ok(String::new()),
        },
        "Service" => match selector.and_then(Value::as_object) {
            Some(labels) if !labels.is_empty() => from_labels(labels),
            _ => {
                let name = object
                    .get("metadata")
                    .and_then(|m| m.get("name"))
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                Err(SelectorError::ServiceWithoutSelector(name.to_string()))
            }
        },
        "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet" | "Job" => {
            match selector.filter(|s| !s.is_null()) {
                Some(selector) => from_label_selector(selector),
                None => Err(SelectorError::Missing),
            }
        }
        other => Err(SelectorError::NotImplemented(other.to_string())),
    }
}

/// One requirement: its key, operator and values.
struct Requirement {
    key: String,
    operator: Operator,
    values: Vec<String>,
}

#[derive(Clone, Copy)]
enum Operator {
    Equals,
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

impl Requirement {
    fn new(key: &str, operator: Operator, values: Vec<String>) -> Result<Self, SelectorError> {
        check_key(key)?;
        let count_ok = match operator {
            Operator::Equals => values.len() == 1,
            Operator::In | Operator::NotIn => !values.is_empty(),
            Operator::Exists | Operator::DoesNotExist => values.is_empty(),
        };
        if !count_ok {
            return Err(SelectorError::Invalid(format!(
                "{key}: wrong number of values for its operator"
            )));
        }
        for value in &values {
            check_value(value)?;
        }
        Ok(Requirement {
            key: key.to_string(),
            operator,
            values,
        })
    }

    fn render(&self) -> String {
        let mut values = self.values.clone();
        values.sort();
        let list = values.join(",");
        match self.operator {
            Operator::Equals => format!("{}={list}", self.key),
            Operator::In => format!("{} in ({list})", self.key),
            Operator::NotIn => format!("{} notin ({list})", self.key),
            Operator::Exists => self.key.clone(),
            Operator::DoesNotExist => format!("!{}", self.key),
        }
    }
}

fn from_labels(labels: &Map<String, Value>) -> Result<String, SelectorError> {
    let requirements = labels
        .iter()
        .map(|(key, value)| Requirement::new(key, Operator::Equals, vec![label_value(value)?]))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(render(requirements))
}

/// A `metav1.LabelSelector`; an empty one selects everything (`""`).
fn from_label_selector(selector: &Value) -> Result<String, SelectorError> {
    let selector = selector
        .as_object()
        .ok_or_else(|| SelectorError::Invalid("the selector is not an object".to_string()))?;
    let mut requirements = Vec::new();
    if let Some(labels) = non_null(selector.get("matchLabels")) {
        let labels = labels
            .as_object()
            .ok_or_else(|| SelectorError::Invalid("matchLabels is not a map".to_string()))?;
        for (key, value) in labels {
            requirements.push(Requirement::new(
                key,
                Operator::Equals,
                vec![label_value(value)?],
            )?);
        }
    }
    if let Some(expressions) = non_null(selector.get("matchExpressions")) {
        let expressions = expressions
            .as_array()
            .ok_or_else(|| SelectorError::Invalid("matchExpressions is not a list".to_string()))?;
        for expression in expressions {
            requirements.push(expression_requirement(expression)?);
        }
    }
    Ok(render(requirements))
}

fn expression_requirement(expression: &Value) -> Result<Requirement, SelectorError> {
    let text = |field: &str| {
        expression
            .get(field)
            .and_then(Value::as_str)
            .unwrap_or_default()
    };
    let operator = match text("operator") {
        "In" => Operator::In,
        "NotIn" => Operator::NotIn,
        "Exists" => Operator::Exists,
        "DoesNotExist" => Operator::DoesNotExist,
        other => {
            return Err(SelectorError::Invalid(format!(
                "{other:?} is not a valid label selector operator"
            )));
        }
    };
    let values = match non_null(expression.get("values")) {
        None => Vec::new(),
        Some(Value::Array(values)) => values
            .iter()
            .map(label_value)
            .collect::<Result<Vec<_>, _>>()?,
        Some(_) => return Err(SelectorError::Invalid("values is not a list".to_string())),
    };
    Requirement::new(text("key"), operator, values)
}

fn render(mut requirements: Vec<Requirement>) -> String {
    requirements.sort_by(|a, b| a.key.cmp(&b.key));
    requirements
        .iter()
        .map(Requirement::render)
        .collect::<Vec<_>>()
        .join(",")
}

fn non_null(value: Option<&Value>) -> Option<&Value> {
    value.filter(|v| !v.is_null())
}

fn label_value(value: &Value) -> Result<String, SelectorError> {
    value
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| SelectorError::Invalid("a label value is not a string".to_string()))
}

/// A label key: an optional DNS subdomain prefix and `/`, then a name of
/// at most 63 characters.
fn check_key(key: &str) -> Result<(), SelectorError> {
    let invalid = || SelectorError::Invalid(format!("invalid label key {key:?}"));
    let (prefix, name) = match key.split_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    if let Some(prefix) = prefix {
        let label_ok = |label: &str| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        };
        if prefix.is_empty() || prefix.len() > 253 || !prefix.split('.').all(label_ok) {
            return Err(invalid());
        }
    }
    if name.is_empty() || !name_like(name) {
        return Err(invalid());
    }
    Ok(())
}

/// A label value: empty, or a name of at most 63 characters.
fn check_value(value: &str) -> Result<(), SelectorError> {
    if value.is_empty() || name_like(value) {
        Ok(())
    } else {
        Err(SelectorError::Invalid(format!(
            "invalid label value {value:?}"
        )))
    }
}

/// At most 63 of `[-_.A-Za-z0-9]`, alphanumeric at both ends.
fn name_like(text: &str) -> bool {
    let bytes = text.as_bytes();
    let edge_ok = |b: Option<&u8>| b.is_some_and(u8::is_ascii_alphanumeric);
    text.len() <= 63
        && edge_ok(bytes.first())
        && edge_ok(bytes.last())
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::tests::{deployment, stateful_set};
    use super::*;

    fn with_selector(selector: Value) -> Value {
        json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "rs"},
               "spec": {"selector": selector}})
    }

    #[test]
    fn selectors_as_clients_write_them() {
        let cases = [
            (deployment(), "app=web"),
            (stateful_set(), "app=web"),
            (
                with_selector(json!({"matchLabels": {"tier": "front", "app": "web"}})),
                "app=web,tier=front",
            ),
            (
                with_selector(json!({"matchLabels": {"app": "web"}, "matchExpressions": [
                {"key": "track", "operator": "In", "values": ["stable", "canary"]},
                {"key": "env", "operator": "NotIn", "values": ["dev"]},
                {"key": "example.com/managed", "operator": "Exists"},
                {"key": "legacy", "operator": "DoesNotExist", "values": null}]})),
                "app=web,env notin (dev),example.com/managed,!legacy,track in (canary,stable)",
            ),
            (with_selector(json!({})), ""),
            (
                json!({"apiVersion": "v1", "kind": "ReplicationController", "spec": {"selector": {"b": "2", "a": "1"}}}),
                "a=1,b=2",
            ),
            (
                json!({"apiVersion": "v1", "kind": "Service", "spec": {"selector": {"app": "web"}}}),
                "app=web",
            ),
        ];
        for (object, expected) in cases {
            assert_eq!(pod_selector(&object).as_deref(), Ok(expected), "{object}");
        }
    }

    #[test]
    fn objects_without_a_usable_selector() {
        let service = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "db"},
                             "spec": {"type": "ExternalName"}});
        assert_eq!(
            pod_selector(&service).map_err(|e| e.to_string()),
            Err("invalid service 'db': Service is defined without a selector".to_string())
        );
        assert_eq!(
            pod_selector(&json!({"kind": "ConfigMap"})),
            Err(SelectorError::NotImplemented("ConfigMap".to_string()))
        );
        assert_eq!(
            pod_selector(&json!({"kind": "Deployment", "spec": {}})),
            Err(SelectorError::Missing)
        );
        let invalid = [
            json!({"matchExpressions": [{"key": "a", "operator": "Near", "values": ["b"]}]}),
            json!({"matchExpressions": [{"key": "a", "operator": "In", "values": []}]}),
            json!({"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["b"]}]}),
            json!({"matchLabels": {"bad key": "x"}}),
            json!({"matchLabels": {"-a": "x"}}),
            json!({"matchLabels": {"Example.com/a": "x"}}),
            json!({"matchLabels": {"a": "x y"}}),
            json!({"matchLabels": {"a": "x".repeat(64)}}),
            json!({"matchLabels": {"a": 1}}),
            json!({"matchLabels": ["a"]}),
            json!("app=web"),
        ];
        for selector in invalid {
            assert!(
                matches!(
                    pod_selector(&with_selector(selector.clone())),
                    Err(SelectorError::Invalid(_))
                ),
                "{selector}"
            );
        }
    }
}
