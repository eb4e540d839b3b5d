//! Rules for dependencies (Helm's `rules/dependencies.go`): what
//! `Chart.yaml` declares and what `charts/` holds must agree.

use std::collections::BTreeSet;

use super::loading::{Loaded, load_chart};
use super::{Linter, Severity};

pub(super) fn lint(linter: &mut Linter) {
    let loaded = match load_chart(&linter.chart_dir, &mut linter.logs) {
        Ok(loaded) => loaded,
        Err(e) => {
            linter.check(
                Severity::Error,
                "",
                Err(format!("unable to load chart\n\t{e}")),
            );
            return;
        }
    };
    // Helm names the chart directory for these findings.
    let dir = linter.chart_dir.display().to_string();
    linter.check(Severity::Error, &dir, undeclared(&loaded));
    linter.check(Severity::Error, &dir, unique(&loaded));
    linter.check(Severity::Warning, &dir, missing(&loaded));
}

/// Subcharts in `charts/` that `Chart.yaml` does not declare.
fn undeclared(loaded: &Loaded) -> Result<(), String> {
    let declared: BTreeSet<&str> = loaded.declared.iter().map(|d| d.name.as_str()).collect();
    let extra: Vec<&str> = loaded
        .subcharts
        .iter()
        .map(String::as_str)
        .filter(|name| !declared.contains(name))
        .collect();
    if extra.is_empty() {
        return Ok(());
    }
    Err(format!(
        "chart metadata is missing these dependencies: {}",
        extra.join(",")
    ))
}

/// Two dependencies under one name or alias.
fn unique(loaded: &Loaded) -> Result<(), String> {
    let mut seen = BTreeSet::new();
    let mut shadowed = Vec::new();
    for dep in &loaded.declared {
        let key = if dep.alias.is_empty() {
            &dep.name
        } else {
            &dep.alias
        };
        if !seen.insert(key.as_str()) {
            shadowed.push(key.as_str());
        }
    }
    if shadowed.is_empty() {
        return Ok(());
    }
    Err(format!(
        "multiple dependencies with name or alias: {}",
        shadowed.join(",")
    ))
}

/// Declared dependencies that `charts/` does not hold.
fn missing(loaded: &Loaded) -> Result<(), String> {
    let present: BTreeSet<&str> = loaded.subcharts.iter().map(String::as_str).collect();
    let absent: Vec<&str> = loaded
        .declared
        .iter()
        .map(|d| d.name.as_str())
        .filter(|name| !present.contains(name))
        .collect();
    if absent.is_empty() {
        return Ok(());
    }
    Err(format!(
        "chart directory is missing these dependencies: {}",
        absent.join(",")
    ))
}
