//! From a loaded chart and values to rendered, sorted manifests: what
//! `install`, `upgrade` and `template` share.

use std::collections::BTreeMap;
use std::rc::Rc;

use crate::chart::{Capabilities, Chart};
use crate::constraints::{self, Constraint};
use crate::engine::Value;
use crate::engine::files::Files;
use crate::engine::render::{RenderError, RenderFile, Renderer};
use crate::engine::value::{Map, MapKind};
use crate::manifest::{self, ManifestError, Sorted};

/// Who is being rendered: `.Release` in templates.
#[derive(Clone, Debug)]
pub struct ReleaseOptions {
    /// `.Release.Name`
    pub name: String,
    /// `.Release.Namespace`
    pub namespace: String,
    /// `.Release.Revision`: 1 for an install.
    pub revision: i64,
    /// `.Release.IsInstall`
    pub is_install: bool,
    /// `.Release.IsUpgrade`
    pub is_upgrade: bool,
}

/// A render's result, before anything is applied or printed.
#[derive(Debug)]
pub struct Rendered {
    /// Manifests and hooks, in install order.
    pub sorted: Sorted,
    /// Every rendered `NOTES.txt` of the tree (path → text), shallower
    /// charts first, then by path.
    pub notes: Vec<(String, String)>,
}

/// Why a chart could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderStepError {
    /// The chart's `kubeVersion` excludes the target cluster's version.
    #[error(
        "chart requires kubeVersion: {required} which is incompatible with Kubernetes {actual}"
    )]
    KubeVersion { required: String, actual: String },
    /// A template failed to parse or execute.
    #[error(transparent)]
    Template(#[from] RenderError),
    /// A rendered document is not a manifest Helm can read.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
}

/// Renders every template of `chart` and its subcharts, with `values`
/// (the coalesced values of the whole tree) as the top chart's `.Values`.
pub fn render_chart(
    chart: &Chart,
    values: Map,
    release: &ReleaseOptions,
    caps: &Capabilities,
    strict: bool,
) -> Result<Rendered, RenderStepError> {
    check_kube_version(chart, caps)?;
    let renderer = Renderer {
        strict,
        ..Renderer::default()
    };
    let mut rendered = render_templates(chart, values, release, caps, &renderer)?;
    let notes = take_notes(&mut rendered);
    let sorted = manifest::sort(&rendered)?;
    Ok(Rendered { sorted, notes })
}

/// Renders every template of the chart tree with `renderer`, each with its
/// chart's data: template name → output (partials included, as rendered).
pub(crate) fn render_templates(
    chart: &Chart,
    values: Map,
    release: &ReleaseOptions,
    caps: &Capabilities,
    renderer: &Renderer,
) -> Result<BTreeMap<String, String>, RenderError> {
    let shared = SharedData {
        release: release_value(release),
        capabilities: caps.to_template_value(),
    };
    let mut files = Vec::new();
    collect_templates(
        chart,
        &shared,
        Scope::Root(values),
        chart.name(),
        &mut files,
    );
    renderer.render(files)
}

struct SharedData {
    release: Value,
    capabilities: Value,
}

/// Where a chart's `.Values` come from.
enum Scope {
    /// The top chart: the coalesced values.
    Root(Map),
    /// A subchart: its section of the parent's `.Values`.
    Sub { parent_values: Map },
}

/// Adds the templates of `chart` (at `path`, e.g. `top/charts/sub`) and of
/// its subcharts to `out`, and returns the chart's top-level data (`.`),
/// which its parent lists under `.Subcharts`.
fn collect_templates(
    chart: &Chart,
    shared: &SharedData,
    scope: Scope,
    path: &str,
    out: &mut Vec<RenderFile>,
) -> Map {
    let is_root = matches!(scope, Scope::Root(_));
    let values = match scope {
        Scope::Root(values) => values.shallow_copy(MapKind::Values),
        Scope::Sub { parent_values } => match parent_values.get(chart.name()) {
            Some(Value::Map(section)) => section.shallow_copy(MapKind::Values),
            _ => Map::new(MapKind::Values),
        },
    };
    let files = Files::new(chart.files.iter().map(|f| (f.name.clone(), f.data.clone())));
    let subcharts = Map::new(MapKind::Any);
    let data = Map::from_entries(
        MapKind::Values,
        BTreeMap::from([
            ("Capabilities".into(), shared.capabilities.clone()),
            ("Chart".into(), chart.metadata.to_template_value(is_root)),
            ("Files".into(), Value::Object(Rc::new(files))),
            ("Release".into(), shared.release.clone()),
            ("Subcharts".into(), Value::Map(subcharts.clone())),
            ("Values".into(), Value::Map(values.clone())),
        ]),
    );
    for sub in &chart.dependencies {
        let sub_path = format!("{path}/charts/{}", sub.name());
        let scope = Scope::Sub {
            parent_values: values.clone(),
        };
        let sub_data = collect_templates(sub, shared, scope, &sub_path, out);
        subcharts.insert(sub.name(), Value::Map(sub_data));
    }
    let library = chart.metadata.is_library();
    for t in &chart.templates {
        // A library chart lends its partials; its other files are not
        // even parsed.
        if library && !base_name(&t.name).starts_with('_') {
            continue;
        }
        out.push(RenderFile {
            name: format!("{path}/{}", t.name),
            text: String::from_utf8_lossy(&t.data).into_owned(),
            data: Value::Map(data.clone()),
            base_path: format!("{path}/templates"),
        });
    }
    data
}

fn base_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn check_kube_version(chart: &Chart, caps: &Capabilities) -> Result<(), RenderStepError> {
    let required = &chart.metadata.kube_version;
    if required.is_empty() {
        return Ok(());
    }
    let actual = &caps.kube_version.version;
    if is_compatible_range(required, actual) {
        Ok(())
    } else {
        Err(RenderStepError::KubeVersion {
            required: required.clone(),
            actual: actual.clone(),
        })
    }
}

/// Helm's `IsCompatibleRange`: an unparsable constraint or version is
/// incompatible.
fn is_compatible_range(constraint: &str, version: &str) -> bool {
    let Ok(version) = constraints::parse_version(version) else {
        return false;
    };
    Constraint::parse(constraint).is_ok_and(|c| c.matches(&version))
}

/// `.Release`.
fn release_value(release: &ReleaseOptions) -> Value {
    Value::Map(Map::from_entries(
        MapKind::Any,
        BTreeMap::from([
            ("IsInstall".into(), Value::Bool(release.is_install)),
            ("IsUpgrade".into(), Value::Bool(release.is_upgrade)),
            ("Name".into(), Value::str(release.name.as_str())),
            ("Namespace".into(), Value::str(release.namespace.as_str())),
            ("Revision".into(), Value::int(release.revision)),
            ("Service".into(), Value::str("Helm")),
        ]),
    ))
}

/// Takes every rendered `NOTES.txt` out of `rendered` (notes are neither
/// manifests nor hooks), shallower charts first, then by path. Helm 4.3.1
/// joins them in Go's map order, which changes from run to run; later
/// Helm releases settled on this order.
fn take_notes(rendered: &mut BTreeMap<String, String>) -> Vec<(String, String)> {
    let names: Vec<String> = rendered
        .keys()
        .filter(|name| name.ends_with("NOTES.txt"))
        .cloned()
        .collect();
    let mut notes: Vec<(String, String)> = names
        .into_iter()
        .filter_map(|name| rendered.remove_entry(&name))
        .collect();
    // The map is sorted by path already; a stable sort by depth keeps that
    // order among charts at the same depth.
    notes.sort_by_key(|(name, _)| name.matches("/charts/").count());
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_come_out_shallowest_first() {
        let mut rendered: BTreeMap<String, String> = [
            "foo/charts/bar/charts/qux/templates/NOTES.txt",
            "foo/charts/baz/templates/NOTES.txt",
            "foo/templates/NOTES.txt",
            "foo/charts/bar/templates/NOTES.txt",
            "foo/templates/svc.yaml",
        ]
        .into_iter()
        .map(|n| (n.to_string(), String::new()))
        .collect();
        let notes = take_notes(&mut rendered);
        let names: Vec<&str> = notes.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "foo/templates/NOTES.txt",
                "foo/charts/bar/templates/NOTES.txt",
                "foo/charts/baz/templates/NOTES.txt",
                "foo/charts/bar/charts/qux/templates/NOTES.txt",
            ]
        );
        assert_eq!(rendered.len(), 1);
    }
}
