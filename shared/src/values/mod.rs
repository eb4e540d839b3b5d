//! Values: what users pass (`-f`, `--set`…) and how they meet a chart's
//! defaults.
//!
//! [`UserValues`] gathers the user's layers in Helm's precedence order;
//! [`coalesce`] lays them over the chart's `values.yaml`, where a user
//! `null` deletes a default.

pub mod schema;
mod set_readers;
mod strvals;

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
    #[error("failed to parse {path}: {message}")]
    File { path: String, message: String },
    /// A values file that cannot be read: Helm reports the OS error alone.
    #[error("{0}")]
    Read(String),
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
            let layer = yaml::from_str(&text).map_err(|e| ValuesError::File {
                path: path.clone(),
                message: e.to_string(),
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

/// Lays user values over chart defaults, as Helm's `CoalesceValues`: user
/// values win and maps merge recursively. A user `null` removes the key it
/// names (a `null` for a key the chart does not have stays, as nil); `null`s
/// among the chart's own defaults are dropped. Returns `.Values`, a fresh
/// map; neither input is modified.
pub fn coalesce(defaults: &Value, user: &Map) -> Map {
    let result = deep_copy(user);
    if let Value::Map(defaults) = defaults {
        coalesce_table(&result, defaults);
    }
    result.shallow_copy(MapKind::Values)
}

fn coalesce_table(dest: &Map, defaults: &Map) {
    for (key, default) in defaults.entries().iter() {
        match (dest.get(key), default) {
            (None, Value::Nil) => {}
            (None, default) => dest.insert(key.clone(), without_nils(default)),
            (Some(Value::Nil), _) => {
                dest.entries_mut().remove(key);
            }
            (Some(Value::Map(user)), Value::Map(default)) => coalesce_table(&user, default),
            // A scalar meets a table (either way round): the user's value
            // stands, as in Helm (which also logs a warning).
            (Some(_), _) => {}
        }
    }
}

/// A deep copy of a chart default without its `null`s.
fn without_nils(v: &Value) -> Value {
    match v {
        Value::Map(m) => {
            let entries = m
                .entries()
                .iter()
                .filter(|(_, v)| !v.is_nil())
                .map(|(k, v)| (k.clone(), without_nils(v)))
                .collect();
            Value::Map(Map::from_entries(m.kind(), entries))
        }
        other => deep_copy_value(other),
    }
}

/// A copy that shares nothing mutable with `map`.
fn deep_copy(map: &Map) -> Map {
    let entries = map
        .entries()
        .iter()
        .map(|(k, v)| (k.clone(), deep_copy_value(v)))
        .collect();
    Map::from_entries(map.kind(), entries)
}

fn deep_copy_value(v: &Value) -> Value {
    match v {
        Value::Map(m) => Value::Map(deep_copy(m)),
        Value::List(l) => Value::list(l.items.iter().map(deep_copy_value).collect()),
        other => other.clone(),
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
    fn user_values_win_and_null_deletes_a_default() {
        let defaults = Value::Map(map("a=1,b.c=2,b.d=3,gone=4,n.x=1,n.y=2"));
        let user = map("a=10,b.c=20,gone=null,extra=x,n.x=null,new=null");
        let values = coalesce(&defaults, &user);
        assert_eq!(
            format_value(&Value::Map(values)),
            "map[a:10 b:map[c:20 d:3] extra:x n:map[y:2] new:<nil>]"
        );
        assert_eq!(
            format_value(&Value::Map(user)),
            "map[a:10 b:map[c:20] extra:x gone:<nil> n:map[x:<nil>] new:<nil>]"
        );
    }

    #[test]
    fn nulls_among_chart_defaults_are_dropped() {
        let defaults = Value::Map(map("a=null,b.c=null,b.d=1"));
        let values = coalesce(&defaults, &Map::new(MapKind::Any));
        assert_eq!(format_value(&Value::Map(values)), "map[b:map[d:1]]");
    }

    #[test]
    fn later_layers_override_earlier_ones() {
        let dest = map("a.b=1,a.c=2,l={1,2}");
        merge_maps(&dest, &map("a.b=9,l={3}"));
        assert_eq!(format_value(&Value::Map(dest)), "map[a:map[b:9 c:2] l:[3]]");
    }
}
