//! Rules for `templates/` (Helm's `rules/template.go`): the chart renders
//! in lint mode, and each YAML template's output is Kubernetes YAML with
//! valid names, current APIs, selectors where workloads need them, and no
//! resource policy inside `List`s.

use std::fs;
use std::io::ErrorKind;

use super::documents::{self, Object};
use super::loading::load_for_dir_rule;
use super::{Linter, Options, Severity, deprecations, names};
use crate::action::render::{ReleaseOptions, render_templates};
use crate::chart::{Capabilities, Chart, process_dependencies};
use crate::codec::yaml;
use crate::engine::Value;
use crate::engine::exec::LogSink;
use crate::engine::render::Renderer;
use crate::engine::value::Map;
use crate::log::Log;
use crate::values::{CoalesceError, coalesce_values, schema};

const DIR: &str = "templates/";

/// Helm lints as this release.
const RELEASE_NAME: &str = "test-release";

const ALLOWED_EXTENSIONS: &[&str] = &[".yaml", ".yml", ".tpl", ".txt"];

pub(super) fn lint(linter: &mut Linter, options: &Options) {
    let dir = linter.chart_dir.join("templates");
    let meta = match fs::metadata(&dir) {
        Err(e) if e.kind() == ErrorKind::NotFound => {
            linter.check(
                Severity::Warning,
                DIR,
                Err("directory does not exist".into()),
            );
            return;
        }
        other => other,
    };
    let Some(mut chart) = load_for_dir_rule(linter, DIR, meta) else {
        return;
    };
    let values = match prepare_values(&mut chart, &options.values, &mut linter.logs) {
        Ok(Some(values)) => values,
        // Helm lints nothing more, and says nothing, when processing the
        // dependencies fails.
        Ok(None) => return,
        Err(e) => {
            linter.check(Severity::Error, DIR, Err(e.to_string()));
            return;
        }
    };
    if !options.skip_schema_validation
        && let Err(e) = schema::validate_chart(&chart, &values)
    {
        linter.check(Severity::Error, DIR, Err(e.to_string()));
        return;
    }
    let rendered = match render(&chart, values, options, &mut linter.logs) {
        Ok(rendered) => rendered,
        Err(e) => {
            linter.check(Severity::Error, DIR, Err(e));
            return;
        }
    };
    for template in &chart.templates {
        let name = template.name.as_str();
        linter.check(Severity::Error, name, allowed_extension(name));
        if !is_yaml(name) {
            continue;
        }
        let key = format!("{}/{name}", chart.name());
        let content = rendered.get(&key).map(String::as_str).unwrap_or_default();
        if content.trim().is_empty() {
            continue;
        }
        linter.check(Severity::Warning, name, top_indent(content));
        for doc in documents::split(content) {
            let object = match documents::decode(&doc) {
                Ok(object) => object,
                Err(e) => {
                    // The rest would fail alike: Helm stops linting here.
                    linter.check(
                        Severity::Error,
                        name,
                        Err(format!("unable to parse YAML: {e}")),
                    );
                    return;
                }
            };
            let Some(object) = object else {
                continue;
            };
            linter.check(
                Severity::Warning,
                name,
                names::validate(&object.kind, &object.name),
            );
            linter.check(
                Severity::Warning,
                name,
                deprecations::check(&object, options.kube_version.as_ref()),
            );
            linter.check(Severity::Error, name, match_selector(&object, content));
            linter.check(Severity::Error, name, list_annotations(&object, content));
        }
    }
}

/// The values the templates render with, as Helm's template rule makes
/// them: dependencies processed (disabled subcharts gone, imports made),
/// then the values coalesced twice, once by the rule and once more on the
/// way to the render (the second pass only repeats its warnings). `None`
/// when the dependencies cannot be processed.
fn prepare_values(
    chart: &mut Chart,
    user: &Map,
    log: &mut dyn Log,
) -> Result<Option<Map>, CoalesceError> {
    if process_dependencies(chart, user, log).is_err() {
        return Ok(None);
    }
    let values = coalesce_values(chart, user, log)?;
    coalesce_values(chart, &values, log).map(Some)
}

/// Renders every template of the chart in lint mode.
fn render(
    chart: &Chart,
    values: Map,
    options: &Options,
    logs: &mut Vec<String>,
) -> Result<std::collections::BTreeMap<String, String>, String> {
    let mut caps = Capabilities::default();
    if let Some(kv) = &options.kube_version {
        caps.kube_version = kv.clone();
    }
    let release = ReleaseOptions {
        name: RELEASE_NAME.into(),
        namespace: options.namespace.clone(),
        revision: 0,
        is_install: false,
        is_upgrade: false,
    };
    let sink = LogSink::default();
    let renderer = Renderer {
        lint_mode: true,
        log: Some(sink.clone()),
        ..Renderer::default()
    };
    let rendered =
        render_templates(chart, values, &release, &caps, &renderer).map_err(|e| e.to_string());
    logs.append(&mut sink.borrow_mut());
    rendered
}

/// Go's `filepath.Ext`: from the last dot of the base name, or nothing.
fn extension(name: &str) -> &str {
    let base = name.rsplit('/').next().unwrap_or(name);
    base.rfind('.').map_or("", |at| &base[at..])
}

fn allowed_extension(name: &str) -> Result<(), String> {
    let ext = extension(name);
    if ALLOWED_EXTENSIONS.contains(&ext) {
        return Ok(());
    }
    Err(format!(
        "file extension '{ext}' not valid. Valid extensions are .yaml, .yml, .tpl, or .txt"
    ))
}

fn is_yaml(name: &str) -> bool {
    let ext = extension(name).to_ascii_lowercase();
    ext == ".yaml" || ext == ".yml"
}

/// The first non-blank line must not be indented: YAML parsers disagree on
/// such documents.
fn top_indent(content: &str) -> Result<(), String> {
    match content.lines().find(|l| !l.trim().is_empty()) {
        Some(line) if line.starts_with(' ') || line.starts_with('\t') => Err(format!(
            "document starts with an illegal indent: {}, which may cause parsing problems",
            crate::engine::gofmt::quote(line)
        )),
        _ => Ok(()),
    }
}

/// Workloads need a selector; Helm looks for the words anywhere in the
/// template's output.
fn match_selector(object: &Object, content: &str) -> Result<(), String> {
    if !matches!(
        object.kind.as_str(),
        "Deployment" | "ReplicaSet" | "DaemonSet" | "StatefulSet"
    ) {
        return Ok(());
    }
    if content.contains("matchLabels") || content.contains("matchExpressions") {
        return Ok(());
    }
    Err(format!(
        "a {} must contain matchLabels or matchExpressions, and {} does not",
        object.kind,
        crate::engine::gofmt::quote(&object.name)
    ))
}

/// `helm.sh/resource-policy` only works on top-level objects. Helm reads
/// the template's first document for the items.
fn list_annotations(object: &Object, content: &str) -> Result<(), String> {
    if object.kind != "List" {
        return Ok(());
    }
    let doc = yaml::from_str(content).map_err(|e| format!("unable to parse YAML: {e}"))?;
    let Value::Map(doc) = doc else {
        return Ok(());
    };
    let Some(Value::List(items)) = doc.get("items") else {
        return Ok(());
    };
    let has_policy = items.items.iter().any(|item| {
        let Value::Map(item) = item else {
            return false;
        };
        let Some(Value::Map(meta)) = item.get("metadata") else {
            return false;
        };
        matches!(meta.get("annotations"), Some(Value::Map(a)) if a.get("helm.sh/resource-policy").is_some())
    });
    if has_policy {
        return Err("annotation 'helm.sh/resource-policy' within List objects are ignored".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_as_go_reads_them() {
        assert_eq!(extension("templates/a.b/c"), "");
        assert_eq!(extension("templates/x.yaml"), ".yaml");
        assert!(allowed_extension("templates/NOTES.txt").is_ok());
        assert!(allowed_extension("templates/x.md").is_err());
        assert!(is_yaml("templates/X.YML"));
    }

    #[test]
    fn indented_documents_are_flagged() {
        assert!(top_indent("\n\nkind: A\n").is_ok());
        assert!(top_indent("\n  kind: A\n").is_err());
    }
}
