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
    pub name: String,
    pub namespace: String,
    pub revision: i64,
    pub is_install: bool,
    pub is_upgrade: bool,
}

/// A render's result, before anything is applied or printed.
pub struct Rendered {
    pub sorted: Sorted,
}

#[derive(Debug, thiserror::Error)]
pub enum RenderStepError {
    #[error(
        "chart requires kubeVersion: {required} which is incompatible with Kubernetes {actual}"
    )]
    KubeVersion { required: String, actual: String },
    #[error(transparent)]
    Template(#[from] RenderError),
    #[error(transparent)]
    Manifest(#[from] ManifestError),
}

/// Renders every template of `chart` with `values` as `.Values`.
pub fn render_chart(
    chart: &Chart,
    values: Map,
    release: &ReleaseOptions,
    caps: &Capabilities,
    strict: bool,
) -> Result<Rendered, RenderStepError> {
    check_kube_version(chart, caps)?;
    let top = top_level_data(chart, values, release, caps);
    let files = chart
        .templates
        .iter()
        .map(|t| RenderFile {
            name: format!("{}/{}", chart.name(), t.name),
            text: String::from_utf8_lossy(&t.data).into_owned(),
            data: top.clone(),
            base_path: format!("{}/templates", chart.name()),
        })
        .collect();
    let renderer = Renderer {
        strict,
        ..Renderer::default()
    };
    let mut rendered = renderer.render(files)?;
    remove_notes(&mut rendered);
    let sorted = manifest::sort(&rendered)?;
    Ok(Rendered { sorted })
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

/// The map every template of the chart sees as `.` (before the engine adds
/// `.Template`).
pub(crate) fn top_level_data(
    chart: &Chart,
    values: Map,
    release: &ReleaseOptions,
    caps: &Capabilities,
) -> Value {
    let release_map = Map::from_entries(
        MapKind::Any,
        BTreeMap::from([
            ("IsInstall".into(), Value::Bool(release.is_install)),
            ("IsUpgrade".into(), Value::Bool(release.is_upgrade)),
            ("Name".into(), Value::str(release.name.as_str())),
            ("Namespace".into(), Value::str(release.namespace.as_str())),
            ("Revision".into(), Value::int(release.revision)),
            ("Service".into(), Value::str("Helm")),
        ]),
    );
    let files = Files::new(chart.files.iter().map(|f| (f.name.clone(), f.data.clone())));
    Value::Map(Map::from_entries(
        MapKind::Values,
        BTreeMap::from([
            ("Capabilities".into(), caps.to_template_value()),
            ("Chart".into(), chart.metadata.to_template_value(true)),
            ("Files".into(), Value::Object(Rc::new(files))),
            ("Release".into(), Value::Map(release_map)),
            ("Subcharts".into(), Value::Map(Map::new(MapKind::Any))),
            ("Values".into(), Value::Map(values)),
        ]),
    ))
}

/// Removes every rendered `NOTES.txt`: notes are neither manifests nor
/// hooks.
fn remove_notes(rendered: &mut BTreeMap<String, String>) {
    rendered.retain(|name, _| !name.ends_with("NOTES.txt"));
}
