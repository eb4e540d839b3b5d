//! Values: what users pass (`-f`, `--set`…) and how they meet a chart's
//! defaults.
//!
//! [`UserValues`] gathers the user's layers in Helm's precedence order;
//! [`coalesce_values`] lays them over the defaults of a chart tree, where a
//! user `null` deletes a default.

mod coalesce;
mod path;
pub mod schema;
mod set_readers;
mod strvals;

pub use coalesce::{
    CoalesceError, GLOBAL_KEY, coalesce_tables, coalesce_values, deep_copy, deep_copy_value,
    merge_tables, merge_values,
};
pub use path::{PathError, path_value, table};

use std::io::Read;

pub use strvals::{SetError, Typing, parse_into};

use crate::codec::{json, yaml};
use crate::engine::Value;
use crate::engine::value::{Map, MapKind};

/// The values flags of `install`, `upgrade` and `template`, in the order
/// Helm applies them: files, `--set-json`, `--set`, `--set-string`,
/// `--set-file`, then `--set-literal`.
#[derive(Clone, Debug, Default)]
pub struct UserValues {
    /// `-f/--values`: paths, `-` for standard input.
    pub files: Vec<String>,
    pub set_json: Vec<String>,
    pub set: Vec<String>,
    pub set_string: Vec<String>,
    pub set_file: Vec<String>,
    pub set_literal: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ValuesError {
    /// A values file that could not be read at all.
    #[error("{0}")]
    Read(String),
    #[error("failed to parse {path}: {message}")]
    File { path: String, message: String },
    #[error("failed parsing --set data: {0}")]
    Set(SetError),
    #[error("failed parsing --set-string data: {0}")]
    SetString(SetError),
    /// Helm reports the argument, not the JSON error.
    #[error("failed parsing --set-json data {0}")]
    SetJson(String),
    #[error("failed parsing --set-json data JSON: {0}")]
    SetJsonObject(String),
    #[error("failed parsing --set-file data: {0}")]
    SetFile(SetError),
    #[error("failed parsing --set-literal data: {0}")]
    SetLiteral(SetError),
}

impl UserValues {
    /// Reads and merges every layer into one map.
    pub fn merge(&self) -> Result<Map, ValuesError> {
        let base = Map::new(MapKind::Any);
        for path in &self.files {
            let text = read_values_file(path).map_err(ValuesError::Read)?;
            let layer = yaml::from_str_map(&text).map_err(|e| ValuesError::File {
                path: path.clone(),
                message: format!("cannot unmarshal yaml document: {e}"),
            })?;
            if let Value::Map(layer) = layer {
                merge_maps(&base, &layer);
            }
        }
        for set in &self.set_json {
            // A whole JSON object is merged as a values file would be.
            if set.trim_start().starts_with('{') {
                match json::from_str(set.trim()) {
                    Ok(Value::Map(layer)) => merge_maps(&base, &layer),
                    _ => return Err(ValuesError::SetJsonObject(set.clone())),
                }
            } else {
                parse_into(set, &base, Typing::Json)
                    .map_err(|_| ValuesError::SetJson(set.clone()))?;
            }
        }
        for set in &self.set {
            parse_into(set, &base, Typing::Guess).map_err(ValuesError::Set)?;
        }
        for set in &self.set_string {
            parse_into(set, &base, Typing::String).map_err(ValuesError::SetString)?;
        }
        for set in &self.set_file {
            parse_into(set, &base, Typing::File).map_err(ValuesError::SetFile)?;
        }
        for set in &self.set_literal {
            parse_into(set, &base, Typing::Literal).map_err(ValuesError::SetLiteral)?;
        }
        Ok(base)
    }
}

fn read_values_file(path: &str) -> Result<String, String> {
    if path == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| e.to_string())?;
        return Ok(text);
    }
    std::fs::read_to_string(path).map_err(|e| format!("open {path}: {}", io_message(&e)))
}

/// The text Go's `os` errors use for the common cases.
fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Merges `src` into `dest`: maps merge key by key, anything else replaces.
fn merge_maps(dest: &Map, src: &Map) {
    for (key, value) in src.entries().iter() {
        let existing = dest.get(key);
        match (existing, value) {
            (Some(Value::Map(d)), Value::Map(s)) => merge_maps(&d, s),
            _ => dest.insert(key.clone(), value.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::gofmt::format_value;

    fn map(text: &str) -> Map {
        let m = Map::new(MapKind::Any);
        parse_into(text, &m, Typing::Guess).unwrap();
        m
    }

    #[test]
    fn later_layers_override_earlier_ones() {
        let dest = map("a.b=1,a.c=2,l={1,2}");
        merge_maps(&dest, &map("a.b=9,l={3}"));
        assert_eq!(format_value(&Value::Map(dest)), "map[a:map[b:9 c:2] l:[3]]");
    }
}
