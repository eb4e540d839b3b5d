//! Helm's dependency processing before a render (`CheckDependencies`,
//! `ProcessDependencies`): every declared dependency must be present;
//! conditions and tags switch subcharts off; aliases copy a subchart
//! under another name; `import-values` lift a child's values into its
//! parent.

use super::Chart;
use super::dependency::{Dependency, import_record};
use crate::constraints::{self, Constraint};
use crate::engine::Value;
use crate::engine::gofmt::format_value;
use crate::engine::value::{Map, MapKind};
use crate::log::{Log, Record};
use crate::values::{
    self, CoalesceError, coalesce_values, deep_copy, merge_tables, merge_values, path_value,
};

/// Declared dependencies with no chart in `charts/`.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("found in Chart.yaml, but missing in charts/ directory: {}", .0.join(", "))]
pub struct MissingDependencies(pub Vec<String>);

/// Helm's `CheckDependencies`: every dependency of `Chart.yaml` has a
/// subchart of that name (version and alias aside).
pub fn check_dependencies(chart: &Chart) -> Result<(), MissingDependencies> {
    let missing: Vec<String> = chart
        .metadata
        .dependency_list()
        .filter(|d| !chart.dependencies.iter().any(|c| c.name() == d.name))
        .map(|d| d.name.clone())
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(MissingDependencies(missing))
    }
}

/// Helm's `ProcessDependencies` with the user's values: removes disabled
/// subcharts (recursively), applies aliases, then imports values (whose
/// results become the charts' defaults). Helm's warnings (non-boolean
/// tags and conditions, missing imports, and those of coalescing) go to
/// `log`.
pub fn process_dependencies(
    chart: &mut Chart,
    user: &Map,
    log: &mut dyn Log,
) -> Result<(), CoalesceError> {
    process_enabled(chart, user, "", log)?;
    process_imports(chart, log)
}

fn process_enabled(
    chart: &mut Chart,
    values: &Map,
    path: &str,
    log: &mut dyn Log,
) -> Result<(), CoalesceError> {
    let Some(declared) = chart.metadata.dependencies.as_mut() else {
        return Ok(());
    };
    let requirements: Vec<&mut Dependency> = declared.iter_mut().flatten().collect();
    // Subcharts no requirement asks for stay as they are.
    let loaded = std::mem::take(&mut chart.dependencies);
    let mut kept: Vec<Chart> = loaded
        .iter()
        .filter(|c| {
            !requirements
                .iter()
                .any(|r| c.name() == r.name && is_compatible_range(&r.version, &c.metadata.version))
        })
        .cloned()
        .collect();
    let mut requirements = requirements;
    for req in requirements.iter_mut() {
        if let Some(sub) = aliased_copy(&loaded, req) {
            kept.push(sub);
        }
        if !req.alias.is_empty() {
            req.name = req.alias.clone();
        }
        req.enabled = true;
    }
    chart.dependencies = kept;

    let values = coalesce_values(chart, values, log)?;
    // Every tag first, then every condition: Helm's order, and so its
    // warnings'.
    if let Ok(tags) = values::table(&values, "tags") {
        for req in chart.metadata.dependencies.iter_mut().flatten().flatten() {
            apply_tags(req, &tags, log);
        }
    }
    for req in chart.metadata.dependencies.iter_mut().flatten().flatten() {
        apply_condition(req, &values, path, log);
    }
    let disabled: Vec<String> = chart
        .metadata
        .dependencies
        .iter()
        .flatten()
        .flatten()
        .filter(|req| !req.enabled)
        .map(|req| req.name.clone())
        .collect();
    chart
        .dependencies
        .retain(|c| !disabled.iter().any(|d| d == c.name()));
    if let Some(declared) = chart.metadata.dependencies.as_mut() {
        declared.retain(|d| d.as_ref().is_none_or(|d| !disabled.contains(&d.name)));
    }
    for sub in &mut chart.dependencies {
        let sub_path = format!("{path}{}.", sub.name());
        process_enabled(sub, &values, &sub_path, log)?;
    }
    Ok(())
}

/// The loaded subchart a requirement names (in a compatible version),
/// copied under its alias.
fn aliased_copy(charts: &[Chart], req: &Dependency) -> Option<Chart> {
    let found = charts
        .iter()
        .find(|c| c.name() == req.name && is_compatible_range(&req.version, &c.metadata.version))?;
    let mut copy = found.clone();
    if !req.alias.is_empty() {
        copy.metadata.name = req.alias.clone();
    }
    Some(copy)
}

/// Helm's `IsCompatibleRange`: anything unparsable is incompatible.
fn is_compatible_range(constraint: &str, version: &str) -> bool {
    let Ok(version) = constraints::parse_version(version) else {
        return false;
    };
    Constraint::parse(constraint).is_ok_and(|c| c.matches(&version))
}

/// `tags` (the values' `tags` table): any true tag enables, else any false
/// tag disables. Non-boolean tags are ignored, with a warning.
fn apply_tags(req: &mut Dependency, tags: &Map, log: &mut dyn Log) {
    let (mut any_true, mut any_false) = (false, false);
    for tag in &req.tags {
        match tags.get(tag) {
            Some(Value::Bool(true)) => any_true = true,
            Some(Value::Bool(false)) => any_false = true,
            Some(_) => log.log(
                Record::warn("returned non-bool value")
                    .attr("tag", tag)
                    .attr("chart", &req.name),
            ),
            None => {}
        }
    }
    req.enabled = any_true || !any_false;
}

/// `condition`: the first path (of the comma-separated list, under the
/// chart's own path) that holds a boolean decides. A path to anything
/// else is skipped with a warning (naming the path as written); a path to
/// nothing silently.
fn apply_condition(req: &mut Dependency, values: &Map, path: &str, log: &mut dyn Log) {
    for condition in req.condition.trim().split(',') {
        if condition.is_empty() {
            continue;
        }
        match path_value(values, &format!("{path}{condition}")) {
            Ok(Value::Bool(enabled)) => {
                req.enabled = enabled;
                break;
            }
            Ok(_) => log.log(
                Record::warn("returned non-bool value")
                    .attr("path", condition)
                    .attr("chart", &req.name),
            ),
            Err(_) => {}
        }
    }
}

/// Imports values bottom-up: each chart's defaults become its merged
/// values tree with the imports laid under it.
fn process_imports(chart: &mut Chart, log: &mut dyn Log) -> Result<(), CoalesceError> {
    for sub in &mut chart.dependencies {
        process_imports(sub, log)?;
    }
    if chart.metadata.dependencies.is_none() {
        return Ok(());
    }
    let values = merge_values(chart, &Map::new(MapKind::Any), log)?;
    let mut imported = Map::new(MapKind::Any);
    for req in chart.metadata.dependencies.iter_mut().flatten().flatten() {
        let mut records = Vec::new();
        for import in &req.import_values {
            match import {
                Value::Map(spec) => {
                    let field = |k| {
                        spec.get(k)
                            .map_or("<nil>".to_string(), |v| format_value(&v))
                    };
                    let (child, parent) = (field("child"), field("parent"));
                    records.push(import_record(&child, &parent));
                    let table = match values::table(&values, &format!("{}.{child}", req.name)) {
                        Ok(table) => table,
                        Err(e) => {
                            log.log(
                                Record::warn("ImportValues missing table from chart")
                                    .attr("chart", &req.name)
                                    .attr("error", e),
                            );
                            continue;
                        }
                    };
                    imported = merge_tables(&imported, &path_to_map(&parent, table), log);
                }
                Value::String(name) => {
                    let child = format!("exports.{name}");
                    records.push(import_record(&child, "."));
                    let table = match values::table(&values, &format!("{}.{child}", req.name)) {
                        Ok(table) => table,
                        Err(e) => {
                            log.log(Record::warn("ImportValues missing table").attr("error", e));
                            continue;
                        }
                    };
                    imported = merge_tables(&imported, &table, log);
                }
                _ => {}
            }
        }
        req.import_values = records;
    }
    // Imports rank below the parent's own values, which can so override
    // parts of what they import.
    chart.values = Value::Map(merge_tables(&deep_copy(&values), &imported, log));
    Ok(())
}

/// `a.b` and a table → `{a: {b: table}}`; `.` is the table itself.
fn path_to_map(path: &str, table: Map) -> Map {
    if path == "." {
        return table;
    }
    path.split('.').rev().fold(table, |inner, key| {
        let outer = Map::new(MapKind::Any);
        outer.insert(key, Value::Map(inner));
        outer
    })
}
