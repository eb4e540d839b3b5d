//! `Chart.yaml` and `Chart.lock` as `helm package` writes them: not the
//! author's text but Helm's chart structs marshalled again (sigs.k8s.io/yaml:
//! keys sorted, empty fields left out, unknown fields and comments dropped).

use std::collections::BTreeMap;

use unicode_general_category::{GeneralCategory, get_general_category};

use crate::chart::Metadata;
use crate::codec::yaml;
use crate::engine::Value;
use crate::engine::value::{Map, MapKind};

/// The text of `Chart.yaml` for `metadata`; `dependencies` come from the
/// parsed source document (`doc`), which our [`Metadata`] does not model.
pub fn chart_yaml(metadata: &Metadata, doc: &Value) -> String {
    let mut fields = BTreeMap::new();
    let mut text = |key: &str, value: &str, sanitized: bool| {
        if !value.is_empty() {
            let value = if sanitized {
                sanitize(value)
            } else {
                value.to_string()
            };
            fields.insert(key.to_string(), Value::str(value));
        }
    };
    text("name", &metadata.name, true);
    text("home", &metadata.home, true);
    text("version", &metadata.version, false);
    text("description", &metadata.description, true);
    text("icon", &metadata.icon, true);
    text("apiVersion", &metadata.api_version, false);
    text("condition", &metadata.condition, true);
    text("tags", &metadata.tags, true);
    text("appVersion", &metadata.app_version, true);
    text("kubeVersion", &metadata.kube_version, true);
    text("type", &metadata.chart_type, false);
    let sanitized_list =
        |items: &[String]| Value::list(items.iter().map(|s| Value::str(sanitize(s))).collect());
    if !metadata.sources.is_empty() {
        fields.insert("sources".into(), sanitized_list(&metadata.sources));
    }
    if !metadata.keywords.is_empty() {
        fields.insert("keywords".into(), sanitized_list(&metadata.keywords));
    }
    if !metadata.maintainers.is_empty() {
        let maintainers = metadata
            .maintainers
            .iter()
            .map(|m| match m {
                // Helm writes a missing maintainer entry as `null`.
                None => Value::Nil,
                Some(m) => object([
                    ("name", non_empty(sanitize(&m.name))),
                    ("email", non_empty(sanitize(&m.email))),
                    ("url", non_empty(sanitize(&m.url))),
                ]),
            })
            .collect();
        fields.insert("maintainers".into(), Value::list(maintainers));
    }
    if metadata.deprecated {
        fields.insert("deprecated".into(), Value::Bool(true));
    }
    if let Some(annotations) = metadata.annotations.as_ref().filter(|a| !a.is_empty()) {
        let entries = annotations
            .iter()
            .map(|(k, v)| (k.clone(), Value::str(v.as_str())))
            .collect();
        fields.insert(
            "annotations".into(),
            Value::Map(Map::from_entries(MapKind::Any, entries)),
        );
    }
    // Helm leaves the dependencies of a v1 chart out (they belong in its
    // requirements.yaml).
    let deps = field(doc, "dependencies").filter(|_| metadata.api_version != "v1");
    if let Some(deps) = deps.and_then(|d| dependencies(&d)) {
        fields.insert("dependencies".into(), deps);
    }
    marshal(fields)
}

/// The text of `Chart.lock`, marshalled again from its parsed document.
pub fn chart_lock(doc: &Value) -> String {
    let mut fields = BTreeMap::new();
    let generated = field(doc, "generated")
        .map(|v| scalar_text(&v))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "0001-01-01T00:00:00Z".to_string());
    fields.insert("generated".into(), Value::str(generated));
    let digest = field(doc, "digest").map(|v| scalar_text(&v));
    fields.insert("digest".into(), Value::str(digest.unwrap_or_default()));
    let deps = field(doc, "dependencies").and_then(|d| dependencies(&d));
    fields.insert("dependencies".into(), deps.unwrap_or(Value::Nil));
    marshal(fields)
}

fn marshal(fields: BTreeMap<String, Value>) -> String {
    let doc = Value::Map(Map::from_entries(MapKind::Any, fields));
    // Only strings, booleans, lists and maps of them: nothing JSON rejects.
    yaml::to_yaml(&doc).unwrap_or_default()
}

/// Helm's `Dependency` struct: `name` and `repository` always, the rest
/// when set.
fn dependencies(list: &Value) -> Option<Value> {
    let Value::List(items) = list else {
        return None;
    };
    if items.items.is_empty() {
        return None;
    }
    let deps = items
        .items
        .iter()
        .map(|dep| {
            let text = |key| field(dep, key).map(|v| scalar_text(&v)).unwrap_or_default();
            let tags = match field(dep, "tags") {
                Some(Value::List(tags)) if !tags.items.is_empty() => Value::list(
                    tags.items
                        .iter()
                        .map(|t| Value::str(scalar_text(t)))
                        .collect(),
                ),
                _ => Value::Nil,
            };
            let import_values = match field(dep, "import-values") {
                Some(v @ Value::List(_)) if matches!(&v, Value::List(l) if !l.items.is_empty()) => {
                    v
                }
                _ => Value::Nil,
            };
            let enabled = match field(dep, "enabled") {
                Some(Value::Bool(true)) => Value::Bool(true),
                _ => Value::Nil,
            };
            object([
                ("name", Value::str(text("name"))),
                ("version", non_empty(text("version"))),
                ("repository", Value::str(text("repository"))),
                ("condition", non_empty(text("condition"))),
                ("tags", tags),
                ("enabled", enabled),
                ("import-values", import_values),
                ("alias", non_empty(text("alias"))),
            ])
        })
        .collect();
    Some(Value::list(deps))
}

fn field(doc: &Value, key: &str) -> Option<Value> {
    match doc {
        Value::Map(m) => m.get(key).filter(|v| !v.is_nil()),
        _ => None,
    }
}

/// A scalar as a Go string field reads it (`1.0` as "1", `true` as "true").
fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::Nil => String::new(),
        other => crate::engine::gofmt::format_value(other),
    }
}

fn non_empty(s: String) -> Value {
    if s.is_empty() {
        Value::Nil
    } else {
        Value::str(s)
    }
}

/// A map of the fields that are set (`Nil` marks an omitted one).
fn object<const N: usize>(entries: [(&str, Value); N]) -> Value {
    let entries = entries
        .into_iter()
        .filter(|(_, v)| !v.is_nil())
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    Value::Map(Map::from_entries(MapKind::Any, entries))
}

/// Helm's `sanitizeString`: whitespace becomes a space, unprintable
/// characters go.
fn sanitize(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            if c.is_whitespace() {
                Some(' ')
            } else if is_printable(c) {
                Some(c)
            } else {
                None
            }
        })
        .collect()
}

/// Go's `unicode.IsPrint` for a character that is not whitespace: letters,
/// marks, numbers, punctuation and symbols.
fn is_printable(c: char) -> bool {
    use GeneralCategory::*;
    !matches!(
        get_general_category(c),
        Control
            | Format
            | Surrogate
            | PrivateUse
            | Unassigned
            | SpaceSeparator
            | LineSeparator
            | ParagraphSeparator
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitizing_keeps_text_and_drops_controls() {
        assert_eq!(sanitize("tab\there\u{200b}!"), "tab here!");
    }

    #[test]
    fn chart_yaml_sorts_and_drops_empty_fields() {
        let doc = yaml::from_str("apiVersion: v2\nname: x\nversion: 1.0.0\nfoo: bar\n").unwrap();
        let meta = Metadata::from_value(&doc).unwrap();
        assert_eq!(
            chart_yaml(&meta, &doc),
            "apiVersion: v2\nname: x\nversion: 1.0.0\n"
        );
    }
}
