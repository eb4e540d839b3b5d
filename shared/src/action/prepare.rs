//! The chart half of `install`, `upgrade` and `template`: from a loaded
//! chart and the user's values to what a release record holds (manifest
//! text, hooks, notes), without a cluster.
//!
//! The steps are Helm's, in its order: dependency processing (conditions,
//! tags, import-values), coalescing with the chart's defaults, the JSON
//! Schema check, rendering, splitting and sorting the documents, and
//! assembling the manifest as Helm stores it.

use super::render::{ReleaseOptions, RenderStepError, Rendered, render_chart};
use crate::chart::{
    Capabilities, Chart, MissingDependencies, check_dependencies, process_dependencies,
};
use crate::engine::value::Map;
use crate::log::{Log, Record};
use crate::manifest::Manifest;
use crate::release::{self, HookExecution};
use crate::values::schema::{self, SchemaError};
use crate::values::{CoalesceError, coalesce_values};

/// How to prepare a release from a chart.
#[derive(Clone, Debug)]
pub struct PrepareOptions {
    /// The release as templates see it (`.Release`).
    pub release: ReleaseOptions,
    /// The cluster as templates see it (`.Capabilities`).
    pub capabilities: Capabilities,
    /// `--skip-schema-validation`
    pub skip_schema_validation: bool,
    /// `--include-crds` (`template`): the chart's CRDs head the manifest.
    pub include_crds: bool,
    /// `--hide-secret` (dry runs): `v1` Secrets are replaced by a comment.
    pub hide_secret: bool,
    /// `--render-subchart-notes`: the subcharts' notes follow the chart's.
    pub subchart_notes: bool,
}

impl PrepareOptions {
    /// Options for `release` with Helm's defaults for the rest.
    pub fn new(release: ReleaseOptions, capabilities: Capabilities) -> PrepareOptions {
        PrepareOptions {
            release,
            capabilities,
            skip_schema_validation: false,
            include_crds: false,
            hide_secret: false,
            subchart_notes: false,
        }
    }
}

/// A chart prepared for a release.
pub struct Prepared {
    /// The chart after dependency processing: disabled subcharts removed,
    /// imported values merged; what the release record stores.
    pub chart: Chart,
    /// The user's values as given (`-f`, `--set` …): the record's `config`.
    pub config: Map,
    /// The coalesced values the templates saw as `.Values`.
    pub values: Map,
    /// Manifests and hooks in install order, and the notes files.
    pub rendered: Rendered,
    /// The manifests as Helm stores them: each `---\n# Source: PATH\nTEXT\n`.
    pub manifest: String,
    /// The hooks as Helm records them, in install order.
    pub hooks: Vec<release::Hook>,
    /// The rendered notes, as Helm records them.
    pub notes: String,
}

/// Why a chart could not be prepared, worded as Helm words it.
#[derive(Debug, thiserror::Error)]
pub enum PrepareError {
    /// The chart is a library (or of another type that cannot be installed).
    #[error("{0} charts are not installable")]
    NotInstallable(String),
    /// A dependency of `Chart.yaml` is missing from `charts/`.
    #[error(
        "an error occurred while checking for chart dependencies. You may need to run 'helm dependency build' to fetch missing dependencies: {0}"
    )]
    MissingDependencies(#[from] MissingDependencies),
    /// Conditions, tags or import-values could not be applied.
    #[error("chart dependencies processing failed: {0}")]
    Dependencies(CoalesceError),
    /// The user's values could not be merged with the chart's.
    #[error(transparent)]
    Coalesce(#[from] CoalesceError),
    /// The values break the chart's (or a subchart's) JSON Schema.
    #[error(transparent)]
    Schema(#[from] SchemaError),
    /// Rendering or sorting the manifests failed.
    #[error(transparent)]
    Render(#[from] RenderStepError),
}

/// Helm's checks on a loaded chart before anything is rendered: only
/// application charts install (a deprecated one with a warning), and every
/// dependency must be present.
pub fn check_chart(chart: &Chart, log: &mut dyn Log) -> Result<(), PrepareError> {
    let kind = chart.metadata.chart_type.as_str();
    if !kind.is_empty() && kind != "application" {
        return Err(PrepareError::NotInstallable(kind.to_string()));
    }
    if chart.metadata.deprecated {
        log.log(Record::warn("this chart is deprecated"));
    }
    if chart.metadata.dependencies.is_some() {
        check_dependencies(chart)?;
    }
    Ok(())
}

/// Prepares `chart` with the user's values `user`: everything an install
/// or upgrade records, and what `template` prints.
pub fn prepare(
    mut chart: Chart,
    user: Map,
    opts: &PrepareOptions,
    log: &mut dyn Log,
) -> Result<Prepared, PrepareError> {
    process_dependencies(&mut chart, &user, log).map_err(PrepareError::Dependencies)?;
    let values = coalesce_values(&chart, &user, log)?;
    if !opts.skip_schema_validation {
        schema::validate_chart(&chart, &values)?;
    }
    let rendered = render_chart(
        &chart,
        values.clone(),
        &opts.release,
        &opts.capabilities,
        false,
    )?;
    let manifest = manifest_text(&chart, &rendered, opts);
    let hooks = rendered.sorted.hooks.iter().map(record_hook).collect();
    let notes = notes_text(&chart, &rendered, opts.subchart_notes);
    Ok(Prepared {
        chart,
        config: user,
        values,
        rendered,
        manifest,
        hooks,
        notes,
    })
}

/// The manifest a release stores: CRDs first when asked, then every
/// manifest in install order.
fn manifest_text(chart: &Chart, rendered: &Rendered, opts: &PrepareOptions) -> String {
    let mut out = String::new();
    if opts.include_crds {
        for (name, crd) in chart.crd_files() {
            push_doc(&mut out, &name, &String::from_utf8_lossy(&crd.data));
        }
    }
    for m in &rendered.sorted.manifests {
        if opts.hide_secret && is_core_secret(m) {
            out.push_str("---\n# Source: ");
            out.push_str(&m.source);
            out.push_str("\n# HIDDEN: The Secret output has been suppressed\n");
        } else {
            push_doc(&mut out, &m.source, &m.content);
        }
    }
    out
}

/// Helm hides only `apiVersion: v1`, `kind: Secret` documents.
fn is_core_secret(m: &Manifest) -> bool {
    m.head.kind == "Secret" && m.head.api_version == "v1"
}

/// Appends one document as Helm writes it: separator, source, text.
pub(crate) fn push_doc(out: &mut String, source: &str, content: &str) {
    out.push_str("---\n# Source: ");
    out.push_str(source);
    out.push('\n');
    out.push_str(content);
    out.push('\n');
}

/// The chart's own notes, or every chart's with `--render-subchart-notes`,
/// separated by a blank line.
fn notes_text(chart: &Chart, rendered: &Rendered, subchart_notes: bool) -> String {
    let own = format!("{}/templates/NOTES.txt", chart.name());
    let mut out = String::new();
    for (path, text) in &rendered.notes {
        if !subchart_notes && *path != own {
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(text);
    }
    out
}

/// A sorted hook as the release records it, before any run.
fn record_hook(hook: &crate::manifest::Hook) -> release::Hook {
    let m = &hook.manifest;
    release::Hook {
        name: m.head.name.clone(),
        kind: m.head.kind.clone(),
        path: m.source.clone(),
        manifest: m.content.clone(),
        events: hook.events.clone(),
        last_run: HookExecution::default(),
        weight: hook.weight,
        delete_policies: hook.delete_policies.clone(),
        output_log_policies: hook.output_log_policies.clone(),
    }
}
