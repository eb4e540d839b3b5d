//! Reading YAML documents into Helm's Go structs (`Chart.yaml`,
//! `requirements.yaml`, `Chart.lock`) with the conversions and errors of
//! `sigs.k8s.io/yaml`: scalars become the string a string field wants,
//! anything else of the wrong type fails naming its path.

use std::collections::BTreeMap;

use crate::engine::Value;
use crate::engine::gofmt::format_value;

/// A value of the wrong type for its Go field; `path` is dotted from the
/// document's root (`dependencies.0.tags`).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {found} into {}.{path} of type {expected}",
    if *in_struct { "Go struct field " } else { "" }
)]
pub struct FieldError {
    found: &'static str,
    path: String,
    expected: &'static str,
    /// Whether the target is a struct field (else a list or map element).
    in_struct: bool,
}

/// The fields of one YAML mapping, with the path that leads to it.
pub(super) struct Fields {
    map: BTreeMap<String, Value>,
    path: String,
}

impl Fields {
    /// The document's top-level mapping (a document that is not a mapping
    /// reads as empty).
    pub fn root(doc: &Value) -> Fields {
        Fields::at(doc, String::new())
    }

    fn at(doc: &Value, path: String) -> Fields {
        let map = match doc {
            Value::Map(m) => m.entries().clone(),
            _ => BTreeMap::new(),
        };
        Fields { map, path }
    }

    fn path_of(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    fn get(&self, key: &str) -> Option<&Value> {
        self.map.get(key).filter(|v| !v.is_nil())
    }

    fn wrong(&self, key: &str, found: &Value, expected: &'static str) -> FieldError {
        FieldError {
            found: json_kind(found),
            path: self.path_of(key),
            expected,
            in_struct: true,
        }
    }

    /// A string field; `None` when absent or null.
    pub fn string(&self, key: &str) -> Result<Option<String>, FieldError> {
        self.get(key)
            .map(|v| scalar_string(v).ok_or_else(|| self.wrong(key, v, "string")))
            .transpose()
    }

    pub fn bool(&self, key: &str) -> Result<Option<bool>, FieldError> {
        self.get(key)
            .map(|v| match v {
                Value::Bool(b) => Ok(*b),
                other => Err(self.wrong(key, other, "bool")),
            })
            .transpose()
    }

    /// A `[]string` field.
    pub fn strings(&self, key: &str) -> Result<Option<Vec<String>>, FieldError> {
        let Some(v) = self.get(key) else {
            return Ok(None);
        };
        let Value::List(list) = v else {
            return Err(self.wrong(key, v, "[]string"));
        };
        let path = self.path_of(key);
        list.items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::Nil => Ok(String::new()),
                item => scalar_string(item).ok_or_else(|| FieldError {
                    found: json_kind(item),
                    path: format!("{path}.{i}"),
                    expected: "string",
                    in_struct: false,
                }),
            })
            .collect::<Result<_, _>>()
            .map(Some)
    }

    /// A `[]interface {}` field, values as they are.
    pub fn values(&self, key: &str) -> Result<Option<Vec<Value>>, FieldError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::List(list)) => Ok(Some(list.items.clone())),
            Some(other) => Err(self.wrong(key, other, "[]interface {}")),
        }
    }

    /// A `map[string]string` field.
    pub fn string_map(&self, key: &str) -> Result<Option<BTreeMap<String, String>>, FieldError> {
        let Some(v) = self.get(key) else {
            return Ok(None);
        };
        let Value::Map(m) = v else {
            return Err(self.wrong(key, v, "map[string]string"));
        };
        let path = self.path_of(key);
        m.entries()
            .iter()
            .map(|(k, v)| {
                let text = match v {
                    Value::Nil => Some(String::new()),
                    v => scalar_string(v),
                };
                text.map(|t| (k.clone(), t)).ok_or_else(|| FieldError {
                    found: json_kind(v),
                    path: format!("{path}.{k}"),
                    expected: "string",
                    in_struct: true,
                })
            })
            .collect::<Result<_, _>>()
            .map(Some)
    }

    /// A list of structs (Go type `go_type`, e.g. `v2.Maintainer`); a
    /// `null` item is `None`.
    pub fn list(
        &self,
        key: &str,
        go_type: &'static str,
    ) -> Result<Option<Vec<Option<Fields>>>, FieldError> {
        let Some(v) = self.get(key) else {
            return Ok(None);
        };
        let Value::List(list) = v else {
            return Err(self.wrong(key, v, go_type));
        };
        let path = self.path_of(key);
        list.items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::Nil => Ok(None),
                Value::Map(_) => Ok(Some(Fields::at(item, format!("{path}.{i}")))),
                other => Err(FieldError {
                    found: json_kind(other),
                    path: format!("{path}.{i}"),
                    expected: go_type,
                    in_struct: false,
                }),
            })
            .collect::<Result<_, _>>()
            .map(Some)
    }
}

/// The string a Go string field receives from a YAML scalar: strings as
/// they are, other scalars in their printed form (`1.0` reads as "1").
fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.to_string()),
        Value::Bool(_) | Value::Int(..) | Value::Uint(..) | Value::Float(_) => {
            Some(format_value(v))
        }
        _ => None,
    }
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
