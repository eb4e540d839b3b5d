//! `helm get values|manifest|hooks|notes|metadata|all` as Helm prints
//! them: pure functions over a [`Release`] the caller fetched.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::printer::{PrintError, StatusTable, config_value, hooks_text, json_map_value};
use crate::chart::{self, Chart};
use crate::codec::{json, yaml};
use crate::engine::Value;
use crate::engine::value::MapKind;
use crate::release::gojson::StructWriter;
use crate::release::{ApplyMethod, Release};
use crate::values::{CoalesceError, coalesce_values};

/// Why `get` could not print a release.
#[derive(Debug, thiserror::Error)]
pub enum GetError {
    /// The record could not be printed.
    #[error(transparent)]
    Print(#[from] PrintError),
    /// The stored values could not be coalesced (`--all`).
    #[error(transparent)]
    Coalesce(#[from] CoalesceError),
}

/// The user's values of a release (`null` when it has none).
pub fn user_values(rel: &Release) -> Result<Value, GetError> {
    Ok(config_value(rel)?)
}

/// `get values --all`: the stored chart's defaults coalesced with the
/// user's values. The record holds the top chart only, with the values
/// dependency processing left in it, as Helm coalesces them.
pub fn computed_values(rel: &Release) -> Result<Value, GetError> {
    let stored = rel.chart.as_ref();
    let defaults = match stored.and_then(|c| c.values.as_ref()) {
        Some(values) => json_map_value(values)?,
        None => Value::Map(crate::engine::value::Map::new(MapKind::Values)),
    };
    let name = stored
        .and_then(|c| c.metadata.as_ref())
        .map(|m| m.name.clone())
        .unwrap_or_default();
    let chart = Chart {
        metadata: chart::Metadata {
            name,
            ..chart::Metadata::default()
        },
        templates: Vec::new(),
        values: defaults,
        raw_values: None,
        schema: None,
        files: Vec::new(),
        lock: None,
        dependencies: Vec::new(),
    };
    let user = match user_values(rel)? {
        Value::Map(m) => m,
        _ => crate::engine::value::Map::new(MapKind::Values),
    };
    Ok(Value::Map(coalesce_values(
        &chart,
        &user,
        &mut crate::log::Discard,
    )?))
}

/// `get values` as a table: a heading, then the values as YAML.
pub fn values_table(values: &Value, all: bool) -> Result<String, GetError> {
    let heading = if all {
        "COMPUTED VALUES:\n"
    } else {
        "USER-SUPPLIED VALUES:\n"
    };
    Ok(format!("{heading}{}", values_yaml(values)?))
}

/// `get values -o json`.
pub fn values_json(values: &Value) -> Result<String, GetError> {
    let mut out = json::to_string(values).map_err(PrintError::from)?;
    out.push('\n');
    Ok(out)
}

/// `get values -o yaml`.
pub fn values_yaml(values: &Value) -> Result<String, GetError> {
    Ok(yaml::to_yaml(values).map_err(PrintError::from)?)
}

/// `get manifest`.
pub fn manifest(rel: &Release) -> String {
    format!("{}\n", rel.manifest)
}

/// `get hooks`.
pub fn hooks(rel: &Release) -> String {
    hooks_text(rel)
}

/// `get notes`: nothing when the release has no notes.
pub fn notes(rel: &Release) -> String {
    match rel.info.as_ref().map(|i| i.notes.as_str()) {
        Some(notes) if !notes.is_empty() => format!("NOTES:\n{notes}\n"),
        _ => String::new(),
    }
}

/// `get all`: the status block with the chart's metadata, the values,
/// hooks, manifest and notes.
pub fn all(rel: &Release) -> Result<String, GetError> {
    let table = StatusTable {
        show_metadata: true,
        hide_notes: false,
        color: false,
        computed_values: Some(computed_values(rel)?),
    };
    Ok(table.render(rel)?)
}

/// `get metadata`: who and what a release is.
#[derive(Clone, Debug, PartialEq)]
pub struct ReleaseMetadata<'a> {
    rel: &'a Release,
    /// The labels of the object that stores the release (system labels
    /// included), which the caller reads from storage.
    labels: &'a BTreeMap<String, String>,
}

impl<'a> ReleaseMetadata<'a> {
    /// The metadata of `rel`, stored with `labels`.
    pub fn new(rel: &'a Release, labels: &'a BTreeMap<String, String>) -> ReleaseMetadata<'a> {
        ReleaseMetadata { rel, labels }
    }

    fn chart(&self) -> crate::release::Metadata {
        self.rel
            .chart
            .as_ref()
            .and_then(|c| c.metadata.clone())
            .unwrap_or_default()
    }

    fn status(&self) -> String {
        self.rel
            .status()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default()
    }

    /// Go's `Format(time.RFC3339)` of the last deployment, in the zone the
    /// record holds.
    fn deployed_at(&self) -> String {
        let last = self
            .rel
            .info
            .as_ref()
            .map(|i| i.last_deployed)
            .unwrap_or_default();
        match last.get() {
            Some(t) => t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            None => "0001-01-01T00:00:00Z".to_string(),
        }
    }

    /// As a table.
    pub fn table(&self) -> String {
        let chart = self.chart();
        let mut deps: Vec<&str> = chart
            .dependencies
            .iter()
            .flatten()
            .flatten()
            .map(|d| d.name.as_str())
            .collect();
        deps.sort_unstable();
        let mut out = String::new();
        let _ = writeln!(out, "NAME: {}", self.rel.name);
        let _ = writeln!(out, "CHART: {}", chart.name);
        let _ = writeln!(out, "VERSION: {}", chart.version);
        let _ = writeln!(out, "APP_VERSION: {}", chart.app_version);
        let _ = writeln!(
            out,
            "ANNOTATIONS: {}",
            label_set(&chart.annotations.clone().unwrap_or_default())
        );
        let _ = writeln!(out, "LABELS: {}", label_set(self.labels));
        let _ = writeln!(out, "DEPENDENCIES: {}", deps.join(","));
        let _ = writeln!(out, "NAMESPACE: {}", self.rel.namespace);
        let _ = writeln!(out, "REVISION: {}", self.rel.version);
        let _ = writeln!(out, "STATUS: {}", self.status());
        let _ = writeln!(out, "DEPLOYED_AT: {}", self.deployed_at());
        let method = match &self.rel.apply_method {
            ApplyMethod::Unset => None,
            ApplyMethod::ClientSide => Some("client-side apply"),
            ApplyMethod::ServerSide => Some("server-side apply"),
            ApplyMethod::Other(other) => Some(other.as_str()),
        };
        if let Some(method) = method {
            let _ = writeln!(out, "APPLY_METHOD: {method}");
        }
        out
    }

    /// `-o json`, fields in Helm's order.
    pub fn json(&self) -> String {
        let chart = self.chart();
        let mut out = String::new();
        let mut w = StructWriter::new(&mut out);
        w.string("name", &self.rel.name);
        w.string("chart", &chart.name);
        w.string("version", &chart.version);
        w.string("appVersion", &chart.app_version);
        if let Some(annotations) = chart.annotations.as_ref().filter(|a| !a.is_empty()) {
            write_string_map(annotations, w.key("annotations"));
        }
        if !self.labels.is_empty() {
            write_string_map(self.labels, w.key("labels"));
        }
        if let Some(dependencies) = chart.dependencies.as_ref().filter(|d| !d.is_empty()) {
            let out = w.key("dependencies");
            out.push('[');
            for (i, d) in dependencies.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                match d {
                    Some(d) => crate::release::write_dependency(d, out),
                    None => out.push_str("null"),
                }
            }
            out.push(']');
        }
        w.string("namespace", &self.rel.namespace);
        w.key("revision").push_str(&self.rel.version.to_string());
        w.string("status", &self.status());
        w.string("deployedAt", &self.deployed_at());
        w.string_omitempty("applyMethod", self.rel.apply_method.as_str());
        w.finish();
        out.push('\n');
        out
    }

    /// `-o yaml`: the JSON as `sigs.k8s.io/yaml` writes it.
    pub fn yaml(&self) -> Result<String, GetError> {
        let value = json::from_str(&self.json()).map_err(PrintError::from)?;
        Ok(yaml::to_yaml(&value).map_err(PrintError::from)?)
    }
}

/// A string map as Go's `encoding/json` writes it: sorted keys.
fn write_string_map(map: &BTreeMap<String, String>, out: &mut String) {
    let mut w = StructWriter::new(out);
    for (k, v) in map {
        w.string(k, v);
    }
    w.finish();
}

/// Kubernetes' `labels.Set.String()`: `k=v` pairs sorted by key, joined
/// by commas.
fn label_set(map: &BTreeMap<String, String>) -> String {
    map.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}
