//! YAML as Helm reads and writes it.
//!
//! Reading follows `sigs.k8s.io/yaml.Unmarshal`: go-yaml v2 decodes the
//! first document with YAML 1.1 typing (`yes`, `on`, `0777`, …), then the
//! result goes through JSON, so map keys become strings and every number a
//! float64. Writing follows `sigs.k8s.io/yaml.Marshal` for `toYaml` (JSON,
//! then go-yaml v2's emitter) and go-yaml v3 for `toYamlPretty`.

mod emit;
mod encode;
mod parse;
mod resolve;

use std::fmt;

pub use encode::EncodeError;
pub use parse::{MAX_DEPTH, MAX_INPUT_BYTES};

use crate::engine::value::Value;

/// A failure to read YAML, worded as sigs.k8s.io/yaml reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    message: String,
}

impl YamlError {
    /// A go-yaml decoding error (`yaml: line 3: …`).
    fn syntax(problem: String) -> YamlError {
        YamlError {
            message: format!("error converting YAML to JSON: yaml: {problem}"),
        }
    }

    /// A value the YAML→JSON conversion cannot represent (a null map key,
    /// an infinity).
    fn conversion(problem: String) -> YamlError {
        YamlError {
            message: format!("error converting YAML to JSON: {problem}"),
        }
    }

    /// A failure to read the intermediate JSON back into Go values.
    pub(crate) fn json(problem: String) -> YamlError {
        YamlError {
            message: format!("error unmarshaling JSON: while decoding JSON: json: {problem}"),
        }
    }
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for YamlError {}

/// Reads the first YAML document of `input` (later documents are ignored, as
/// go-yaml's `Unmarshal` ignores them). An empty document is `Nil`.
pub fn from_str(input: &str) -> Result<Value, YamlError> {
    parse::parse_first_document(input)
}

/// Reads `input` into a `map[string]interface{}` as `yaml.Unmarshal(…, &m)`
/// does: null leaves the map empty, any other non-map is an error.
pub fn from_str_map(input: &str) -> Result<Value, YamlError> {
    match from_str(input)? {
        Value::Nil => Ok(Value::Map(crate::engine::value::Map::new(
            crate::engine::value::MapKind::Any,
        ))),
        map @ Value::Map(_) => Ok(map),
        other => Err(type_mismatch(&other, "map[string]interface {}")),
    }
}

/// Reads `input` into a `[]interface{}` as `yaml.Unmarshal(…, &a)` does.
pub fn from_str_list(input: &str) -> Result<Value, YamlError> {
    match from_str(input)? {
        Value::Nil => Ok(Value::list(Vec::new())),
        list @ Value::List(_) => Ok(list),
        other => Err(type_mismatch(&other, "[]interface {}")),
    }
}

/// encoding/json's complaint about a value of the wrong JSON type.
fn type_mismatch(value: &Value, target: &str) -> YamlError {
    let kind = match value {
        Value::Bool(_) => "bool",
        Value::Float(_) | Value::Int(..) | Value::Uint(..) => "number",
        Value::String(_) => "string",
        Value::List(_) => "array",
        _ => "object",
    };
    YamlError::json(format!(
        "cannot unmarshal {kind} into Go value of type {target}"
    ))
}

/// `sigs.k8s.io/yaml.Marshal(value)`: the text `toYaml` trims. Errors from
/// the JSON step read `error marshaling into JSON: json: …`.
pub fn to_yaml(value: &Value) -> Result<String, EncodeError> {
    encode::to_yaml_v2(value).map_err(|EncodeError(msg)| {
        if msg.starts_with("json:") {
            EncodeError(format!("error marshaling into JSON: {msg}"))
        } else {
            EncodeError(msg)
        }
    })
}

/// go-yaml v3 with indent 2: the text `toYamlPretty` trims.
pub fn to_yaml_pretty(value: &Value) -> Result<String, EncodeError> {
    encode::to_yaml_v3(value)
}

#[cfg(test)]
mod tests;
