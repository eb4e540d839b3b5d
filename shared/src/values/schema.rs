//! JSON Schema validation of values against a chart's `values.schema.json`,
//! as Helm 4.3.1 does it.
//!
//! Helm validates with Go's `santhosh-tekuri/jsonschema/v6`; we validate
//! with `boon`, the same author's Rust validator, whose error tree has the
//! same shape (one node per failing keyword, groups where a subschema fails
//! in several ways, `$ref`s passed through). [`message`] words that tree as
//! v6 does. What differs from Helm is listed in `docs/schema.md`.
//!
//! Each chart's schema is read as its own document at
//! `file:///values.schema.json`; without `$schema` it is draft 2020-12.
//! Formats are asserted under drafts 4, 6 and 7 only, as in v6.

mod convert;
mod document;
mod loader;
mod message;

pub use convert::{map_to_json, to_json};

use crate::chart::Chart;
use crate::engine::value::{Map, Value};

/// Where every chart's schema is placed: relative `$ref`s resolve against it.
const ROOT_URL: &str = "file:///values.schema.json";

/// One chart to validate: its name (as Helm prints it), its schema text and
/// the values it sees (for a subchart, its part of the parent's values).
#[derive(Clone)]
pub struct ChartSchema<'a> {
    pub chart: &'a str,
    pub schema: &'a [u8],
    /// A handle on the chart's values (maps are shared, not copied).
    pub values: Map,
}

/// Values that some chart's schema rejects, or a schema that cannot be read:
/// Helm's report, chart by chart.
#[derive(Debug, thiserror::Error)]
#[error(
    "values don't meet the specifications of the schema(s) in the following chart(s):\n{report}"
)]
pub struct SchemaError {
    report: String,
}

/// Validates each chart's values against its schema, in order, and reports
/// every chart that fails (not just the first).
pub fn validate(charts: &[ChartSchema<'_>]) -> Result<(), SchemaError> {
    let mut report = String::new();
    for chart in charts {
        if let Err(text) = validate_one(chart.schema, &chart.values) {
            report.push_str(chart.chart);
            report.push_str(":\n");
            report.push_str(&text);
        }
    }
    if report.is_empty() {
        Ok(())
    } else {
        Err(SchemaError { report })
    }
}

/// Validates a chart's values (after coalescing) against its schema, and
/// each subchart's values against the subchart's, depth first, as Helm's
/// `ValidateAgainstSchema` does (a subchart without values is skipped).
pub fn validate_chart(chart: &Chart, values: &Map) -> Result<(), SchemaError> {
    let mut entries = Vec::new();
    collect(chart, values, &mut entries);
    validate(&entries)
}

fn collect<'a>(chart: &'a Chart, values: &Map, out: &mut Vec<ChartSchema<'a>>) {
    if let Some(schema) = &chart.schema {
        out.push(ChartSchema {
            chart: chart.name(),
            schema,
            values: values.clone(),
        });
    }
    for sub in &chart.dependencies {
        if let Some(Value::Map(sub_values)) = values.get(sub.name()) {
            collect(sub, &sub_values, out);
        }
    }
}

/// Validates values against one schema, as `helm lint` checks
/// `values.yaml`: `Err` holds the failures alone, without a chart name.
pub fn validate_single(schema: &[u8], values: &Map) -> Result<(), String> {
    validate_one(schema, values)
}

/// One chart's verdict: `Err` holds Helm's text for it. Validation failures
/// end with a newline; a schema that cannot be read or compiled does not
/// (so in Helm the next chart's name follows on the same line).
fn validate_one(schema: &[u8], values: &Map) -> Result<(), String> {
    let document = document::read(schema)?;
    let mut compiler = boon::Compiler::new();
    compiler.use_loader(Box::new(loader::Loader));
    compiler
        .add_resource(ROOT_URL, document)
        .map_err(|e| message::compile_error(&e))?;
    let mut schemas = boon::Schemas::new();
    let index = compiler
        .compile(ROOT_URL, &mut schemas)
        .map_err(|e| message::compile_error(&e))?;
    let instance = map_to_json(values);
    schemas
        .validate(&instance, index)
        .map_err(|e| message::validation_error(&e) + "\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::yaml;
    use crate::engine::Value;

    fn check(schema: &str, values: &str) -> Result<(), String> {
        let Value::Map(values) = yaml::from_str(values).unwrap() else {
            panic!("values must be a map");
        };
        validate(&[ChartSchema {
            chart: "c",
            schema: schema.as_bytes(),
            values: values.clone(),
        }])
        .map_err(|e| e.to_string())
    }

    #[test]
    fn a_valid_document_passes() {
        assert_eq!(check(r#"{"type":"object"}"#, "a: 1"), Ok(()));
    }

    #[test]
    fn failures_are_reported_under_the_chart_name() {
        let err = check(r#"{"properties":{"a":{"type":"string"}}}"#, "a: 1").unwrap_err();
        assert_eq!(
            err,
            "values don't meet the specifications of the schema(s) in the following chart(s):\n\
             c:\n- at '/a': got number, want string\n"
        );
    }

    #[test]
    fn an_unreadable_schema_is_reported_without_a_newline() {
        let err = check("{", "a: 1").unwrap_err();
        assert!(err.ends_with("c:\nunexpected EOF"), "{err}");
    }
}
