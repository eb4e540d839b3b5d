//! The chart as Helm's loader sees it when lint loads it: our loader, plus
//! the checks of Helm's `Metadata.Validate` and the subcharts of `charts/`,
//! which the rules need by name only.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::Path;

use super::{Linter, Severity};
use crate::chart::{Chart, LoadError, load, load_dir};
use crate::codec::yaml;
use crate::constraints;
use crate::engine::Value;
use crate::log::{Discard, Log};

/// A dependency declared in `Chart.yaml` (or a v1 chart's
/// `requirements.yaml`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Declared {
    pub name: String,
    pub alias: String,
}

/// A chart loaded for linting.
pub(super) struct Loaded {
    pub chart: Chart,
    pub declared: Vec<Declared>,
    /// The names of the charts under `charts/`, in Helm's order.
    pub subcharts: Vec<String>,
}

/// The chart, for the rule about its directory `rule` (`crds/`,
/// `templates/`) whose metadata is `found`: `None`, with an error under
/// `rule`, when that is no directory or the chart does not load.
pub(super) fn load_for_dir_rule(
    linter: &mut Linter,
    rule: &str,
    found: io::Result<fs::Metadata>,
) -> Option<Chart> {
    let is_dir = match found {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err("not a directory".to_string()),
        Err(e) => Err(e.to_string()),
    };
    if !linter.check(Severity::Error, rule, is_dir) {
        return None;
    }
    match load_chart(&linter.chart_dir, &mut linter.logs) {
        Ok(loaded) => Some(loaded.chart),
        Err(e) => {
            linter.check(Severity::Error, rule, Err(e));
            None
        }
    }
}

/// Loads the chart in `dir`; the error is Helm's loader's text. The
/// loader's warnings go to `log`.
pub(super) fn load_chart(dir: &Path, log: &mut dyn Log) -> Result<Loaded, String> {
    let chart = load_dir(dir, log).map_err(|e| match e {
        LoadError::NoChartYaml { .. } => "Chart.yaml file is missing".to_string(),
        other => other.to_string(),
    })?;
    check_values_shape(&chart)?;
    let declared = declared_dependencies(dir, &chart.metadata.api_version);
    validate(&chart, &declared)?;
    let subcharts = subcharts(dir, chart.name())?;
    Ok(Loaded {
        chart,
        declared,
        subcharts,
    })
}

/// Helm's loader reads `values.yaml` into a map; our loader lets any other
/// document pass as empty values.
fn check_values_shape(chart: &Chart) -> Result<(), String> {
    let Some(raw) = &chart.raw_values else {
        return Ok(());
    };
    let kind = match yaml::from_str(&String::from_utf8_lossy(raw)) {
        Ok(Value::List(_)) => "array",
        Ok(Value::String(_)) => "string",
        Ok(Value::Bool(_)) => "bool",
        Ok(Value::Int(..) | Value::Uint(..) | Value::Float(_)) => "number",
        _ => return Ok(()),
    };
    Err(format!(
        "cannot load values.yaml: cannot unmarshal yaml document: error unmarshaling JSON: \
         while decoding JSON: json: cannot unmarshal {kind} into Go value of type map[string]interface {{}}"
    ))
}

/// Helm's metadata checks that our loader leaves to lint.
fn validate(chart: &Chart, declared: &[Declared]) -> Result<(), String> {
    let md = &chart.metadata;
    let base = md.name.rsplit('/').next().unwrap_or_default();
    if base != md.name || md.name == "." || md.name == ".." {
        return Err(format!(
            "validation: chart.metadata.name {:?} is invalid",
            md.name
        ));
    }
    if constraints::parse_version(&md.version).is_err() {
        return Err(format!(
            "validation: chart.metadata.version {:?} is invalid",
            md.version
        ));
    }
    if !matches!(md.chart_type.as_str(), "" | "application" | "library") {
        return Err("validation: chart.metadata.type must be application or library".into());
    }
    let mut seen = BTreeSet::new();
    for dep in declared {
        let key = if dep.alias.is_empty() {
            &dep.name
        } else {
            &dep.alias
        };
        if !seen.insert(key.clone()) {
            return Err(format!(
                "validation: more than one dependency with name or alias {key:?}"
            ));
        }
    }
    Ok(())
}

/// The `dependencies` of `Chart.yaml`, and for a v1 chart those of
/// `requirements.yaml` too.
pub(super) fn declared_dependencies(dir: &Path, api_version: &str) -> Vec<Declared> {
    let mut out = read_dependencies(&dir.join("Chart.yaml"));
    if api_version == "v1" {
        out.extend(read_dependencies(&dir.join("requirements.yaml")));
    }
    out
}

fn read_dependencies(file: &Path) -> Vec<Declared> {
    let Ok(text) = fs::read_to_string(file) else {
        return Vec::new();
    };
    let Ok(Value::Map(doc)) = yaml::from_str(&text) else {
        return Vec::new();
    };
    let Some(Value::List(items)) = doc.get("dependencies") else {
        return Vec::new();
    };
    let text_of = |v: Option<Value>| match v {
        Some(Value::String(s)) => s.to_string(),
        _ => String::new(),
    };
    items
        .items
        .iter()
        .filter_map(|item| match item {
            Value::Map(m) => Some(Declared {
                name: text_of(m.get("name")),
                alias: text_of(m.get("alias")),
            }),
            _ => None,
        })
        .collect()
}

/// The names of the charts in `charts/` (directories and archives), in
/// lexical order; a subchart that does not load fails the whole chart, in
/// Helm's words.
fn subcharts(dir: &Path, parent: &str) -> Result<Vec<String>, String> {
    let Ok(entries) = fs::read_dir(dir.join("charts")) else {
        return Ok(Vec::new());
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    let mut names = Vec::new();
    for path in paths {
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let is_archive = file_name.ends_with(".tgz") || file_name.ends_with(".tar.gz");
        if !(path.is_dir() || is_archive) {
            continue;
        }
        // Loaded already with the chart (and logged then): this pass only
        // names them.
        match load(&path, &mut Discard) {
            Ok(sub) => names.push(sub.name().to_string()),
            Err(e) => {
                return Err(format!(
                    "error unpacking subchart {file_name} in {parent}: {e}"
                ));
            }
        }
    }
    Ok(names)
}
