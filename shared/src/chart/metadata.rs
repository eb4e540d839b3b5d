//! `Chart.yaml`, and the `.Chart` object templates see.

use std::collections::BTreeMap;

use crate::engine::Value;
use crate::engine::value::{Map, MapKind};

/// The fields of `Chart.yaml` that Helm knows.
#[derive(Clone, Debug, Default)]
pub struct Metadata {
    pub api_version: String,
    pub name: String,
    pub version: String,
    pub kube_version: String,
    pub description: String,
    pub chart_type: String,
    pub keywords: Vec<String>,
    pub home: String,
    pub sources: Vec<String>,
    pub maintainers: Vec<Maintainer>,
    pub icon: String,
    pub app_version: String,
    pub deprecated: bool,
    pub condition: String,
    pub tags: String,
    /// `None` when `Chart.yaml` has no `annotations`, which templates see as nil.
    pub annotations: Option<BTreeMap<String, String>>,
}

#[derive(Clone, Debug, Default)]
pub struct Maintainer {
    pub name: String,
    pub email: String,
    pub url: String,
}

/// A field of `Chart.yaml` with the wrong type.
#[derive(Debug, thiserror::Error)]
#[error("json: cannot unmarshal {found} into Go struct field Metadata.{field} of type {expected}")]
pub struct MetadataError {
    field: String,
    found: &'static str,
    expected: &'static str,
}

impl Metadata {
    /// Reads the metadata from the parsed `Chart.yaml` document.
    pub fn from_value(doc: &Value) -> Result<Metadata, MetadataError> {
        let Value::Map(map) = doc else {
            return Ok(Metadata::default());
        };
        let fields = map.entries();
        let text = |key: &str| string_field(&fields, key);
        let list = |key: &str| string_list_field(&fields, key);
        Ok(Metadata {
            api_version: text("apiVersion")?,
            name: text("name")?,
            version: text("version")?,
            kube_version: text("kubeVersion")?,
            description: text("description")?,
            chart_type: text("type")?,
            keywords: list("keywords")?,
            home: text("home")?,
            sources: list("sources")?,
            maintainers: maintainers(fields.get("maintainers"))?,
            icon: text("icon")?,
            app_version: text("appVersion")?,
            deprecated: matches!(fields.get("deprecated"), Some(Value::Bool(true))),
            condition: text("condition")?,
            tags: text("tags")?,
            annotations: annotations(fields.get("annotations"))?,
        })
    }

    /// `.Chart` as Helm 4 gives it to templates: a map keyed by the Go
    /// field names of its metadata struct, plus `IsRoot`.
    pub fn to_template_value(&self, is_root: bool) -> Value {
        let strings =
            |items: &[String]| Value::list(items.iter().map(|s| Value::str(s.as_str())).collect());
        let maintainers = self
            .maintainers
            .iter()
            .map(|m| {
                map_of([
                    ("Email", Value::str(m.email.as_str())),
                    ("Name", Value::str(m.name.as_str())),
                    ("URL", Value::str(m.url.as_str())),
                ])
            })
            .collect();
        let annotations = match &self.annotations {
            None => Value::Map(Map::nil(MapKind::String)),
            Some(a) => Value::Map(Map::from_entries(
                MapKind::String,
                a.iter()
                    .map(|(k, v)| (k.clone(), Value::str(v.as_str())))
                    .collect(),
            )),
        };
        map_of([
            ("APIVersion", Value::str(self.api_version.as_str())),
            ("Annotations", annotations),
            ("AppVersion", Value::str(self.app_version.as_str())),
            ("Condition", Value::str(self.condition.as_str())),
            ("Dependencies", Value::list(vec![])),
            ("Deprecated", Value::Bool(self.deprecated)),
            ("Description", Value::str(self.description.as_str())),
            ("Home", Value::str(self.home.as_str())),
            ("Icon", Value::str(self.icon.as_str())),
            ("IsRoot", Value::Bool(is_root)),
            ("Keywords", strings(&self.keywords)),
            ("KubeVersion", Value::str(self.kube_version.as_str())),
            ("Maintainers", Value::list(maintainers)),
            ("Name", Value::str(self.name.as_str())),
            ("Sources", strings(&self.sources)),
            ("Tags", Value::str(self.tags.as_str())),
            ("Type", Value::str(self.chart_type.as_str())),
            ("Version", Value::str(self.version.as_str())),
        ])
    }
}

fn map_of<const N: usize>(entries: [(&str, Value); N]) -> Value {
    let entries = entries
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    Value::Map(Map::from_entries(MapKind::Any, entries))
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Bool(_) => "bool",
        Value::Int(..) | Value::Uint(..) | Value::Float(_) => "number",
        Value::String(_) => "string",
        Value::List(_) => "array",
        Value::Map(_) => "object",
        _ => "value",
    }
}

/// A string field. Like sigs.k8s.io/yaml reading into a Go string, a YAML
/// scalar of another type is taken in its printed form (`version: 1.0`
/// reads as "1", `y` as "true").
fn string_field(fields: &BTreeMap<String, Value>, key: &str) -> Result<String, MetadataError> {
    match fields.get(key) {
        None | Some(Value::Nil) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.to_string()),
        Some(scalar @ (Value::Bool(_) | Value::Int(..) | Value::Uint(..) | Value::Float(_))) => {
            Ok(crate::engine::gofmt::format_value(scalar))
        }
        Some(other) => Err(MetadataError {
            field: key.to_string(),
            found: json_kind(other),
            expected: "string",
        }),
    }
}

fn string_list_field(
    fields: &BTreeMap<String, Value>,
    key: &str,
) -> Result<Vec<String>, MetadataError> {
    let wrong = |found| MetadataError {
        field: key.to_string(),
        found,
        expected: "[]string",
    };
    match fields.get(key) {
        None | Some(Value::Nil) => Ok(vec![]),
        Some(Value::List(items)) => items
            .items
            .iter()
            .map(|item| match item {
                Value::String(s) => Ok(s.to_string()),
                Value::Nil => Ok(String::new()),
                other => Err(wrong(json_kind(other))),
            })
            .collect(),
        Some(other) => Err(wrong(json_kind(other))),
    }
}

fn maintainers(value: Option<&Value>) -> Result<Vec<Maintainer>, MetadataError> {
    let Some(Value::List(items)) = value else {
        return Ok(vec![]);
    };
    items
        .items
        .iter()
        .map(|item| {
            let Value::Map(m) = item else {
                return Ok(Maintainer::default());
            };
            let fields = m.entries();
            Ok(Maintainer {
                name: string_field(&fields, "name")?,
                email: string_field(&fields, "email")?,
                url: string_field(&fields, "url")?,
            })
        })
        .collect()
}

/// Annotations are `map[string]string`; YAML scalars that are not strings
/// arrive in their JSON spelling (`y` is the YAML 1.1 boolean, so "true").
fn annotations(value: Option<&Value>) -> Result<Option<BTreeMap<String, String>>, MetadataError> {
    let Some(Value::Map(m)) = value else {
        return Ok(None);
    };
    let mut out = BTreeMap::new();
    for (k, v) in m.entries().iter() {
        let text = match v {
            Value::String(s) => s.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Nil => String::new(),
            other => {
                return Err(MetadataError {
                    field: "annotations".into(),
                    found: json_kind(other),
                    expected: "string",
                });
            }
        };
        out.insert(k.clone(), text);
    }
    Ok(Some(out))
}
