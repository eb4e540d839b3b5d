//! Rules for `values.yaml` (Helm's `rules/values.go`): it parses, and the
//! chart's defaults under the user's values satisfy `values.schema.json`.

use std::fs;

use super::{Linter, Options, Severity};
use crate::codec::yaml;
use crate::engine::Value;
use crate::engine::value::{Map, MapKind};
use crate::values::{coalesce_tables, deep_copy, schema};

const FILE: &str = "values.yaml";

pub(super) fn lint(linter: &mut Linter, options: &Options) {
    let path = linter.chart_dir.join(FILE);
    if fs::metadata(&path).is_err() {
        linter.check(Severity::Info, FILE, Err("file does not exist".into()));
        return;
    }
    let outcome = check(linter, options);
    linter.check(Severity::Error, FILE, outcome);
}

fn check(linter: &mut Linter, options: &Options) -> Result<(), String> {
    let path = linter.chart_dir.join(FILE);
    let defaults = read_values(&path).map_err(|e| format!("unable to parse YAML: {e}"))?;
    // Helm lints only the top-level values, coalescing tables (user over
    // defaults) rather than the whole chart; it does so, and logs what
    // that warns about, schema or not.
    let values = coalesce_tables(&deep_copy(&options.values), &defaults, &mut linter.logs);
    let schema = match fs::read(linter.chart_dir.join("values.schema.json")) {
        Ok(schema) if !schema.is_empty() => schema,
        _ => return Ok(()),
    };
    if options.skip_schema_validation {
        return Ok(());
    }
    schema::validate_single(&schema, &values)
}

/// `values.yaml` as Helm's `ReadValuesFile` reads it: a map, or nothing.
fn read_values(path: &std::path::Path) -> Result<Map, String> {
    let data = fs::read(path).map_err(|e| e.to_string())?;
    match yaml::from_str(&String::from_utf8_lossy(&data)).map_err(|e| e.to_string())? {
        Value::Map(m) => Ok(m),
        Value::Nil => Ok(Map::new(MapKind::Any)),
        other => Err(format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type common.Values",
            json_kind(&other)
        )),
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Bool(_) => "bool",
        Value::String(_) => "string",
        Value::List(_) => "array",
        _ => "number",
    }
}
