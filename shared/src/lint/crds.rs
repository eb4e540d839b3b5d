//! Rules for `crds/` (Helm's `rules/crds.go`): plain YAML (not templates)
//! holding only CustomResourceDefinitions.

use std::fs;
use std::io::ErrorKind;

use super::loading::load_for_dir_rule;
use super::{Linter, Severity, documents};

const DIR: &str = "crds/";

/// The files Helm reads as CRDs.
const MANIFEST_EXTENSIONS: &[&str] = &[".yaml", ".yml", ".json"];

pub(super) fn lint(linter: &mut Linter) {
    let dir = linter.chart_dir.join("crds");
    let found = match fs::metadata(&dir) {
        Err(e) if e.kind() == ErrorKind::NotFound => return,
        found => found,
    };
    let Some(chart) = load_for_dir_rule(linter, DIR, found) else {
        return;
    };
    let crds = chart.files.iter().filter(|f| {
        f.name.starts_with("crds/") && MANIFEST_EXTENSIONS.iter().any(|ext| f.name.ends_with(ext))
    });
    for file in crds {
        let text = String::from_utf8_lossy(&file.data);
        for doc in documents::split(&text) {
            let object = match documents::decode(&doc) {
                Ok(Some(object)) => object,
                Ok(None) => continue,
                Err(e) => {
                    linter.check(
                        Severity::Error,
                        &file.name,
                        Err(format!("unable to parse YAML: {e}")),
                    );
                    return;
                }
            };
            let api = if object.api_version.starts_with("apiextensions.k8s.io") {
                Ok(())
            } else {
                Err("apiVersion is not in 'apiextensions.k8s.io'".to_string())
            };
            linter.check(Severity::Error, &file.name, api);
            let kind = if object.kind == "CustomResourceDefinition" {
                Ok(())
            } else {
                Err("object kind is not 'CustomResourceDefinition'".to_string())
            };
            linter.check(Severity::Error, &file.name, kind);
        }
    }
}
