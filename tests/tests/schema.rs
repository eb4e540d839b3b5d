//! Values against `values.schema.json`: `template` of each chart under
//! `tests/fixtures/schema` (plus the schema charts of Helm's own test
//! charts) must print what the reference Helm prints, or fail with the same
//! error. A fixture's optional `args` file holds extra arguments, one a line.
//!
//! Fixtures fail in one property per object at most: Helm reports sibling
//! properties in Go's random map order, so only those runs are comparable.

use std::path::{Path, PathBuf};

use kubectl_helm_tests::{charts_dir, compare, fingerprint_dir, ours, reference, repo_root};

fn fixtures() -> Vec<PathBuf> {
    let dir = repo_root().join("tests/fixtures/schema");
    let mut all: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    all.sort();
    all
}

fn extra_args(chart: &Path) -> Vec<String> {
    std::fs::read_to_string(chart.join("args"))
        .map(|text| text.lines().map(str::to_string).collect())
        .unwrap_or_default()
}

/// `None` when helm and we agree on `template` of `chart`.
fn difference(chart: &Path, extra: &[String]) -> Option<String> {
    let chart_path = chart.to_string_lossy().into_owned();
    let mut args = vec!["template", "rel", chart_path.as_str()];
    args.extend(extra.iter().map(String::as_str));
    let helm = reference::run(&args, &fingerprint_dir(chart));
    let ours = ours::run(&args);
    let label = format!(
        "{} {}",
        chart.file_name().unwrap_or_default().to_string_lossy(),
        extra.join(" ")
    );
    compare(&label, &helm, &ours)
}

#[test]
fn schema_fixtures_validate_as_helm_validates_them() {
    let charts = fixtures();
    assert!(charts.len() >= 30, "only {} fixtures", charts.len());
    let failures: Vec<String> = charts
        .iter()
        .filter_map(|chart| difference(chart, &extra_args(chart)))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} schema fixtures differ from Helm:\n{}",
        failures.len(),
        charts.len(),
        failures.join("\n")
    );
}

#[test]
fn helm_schema_test_charts_validate_as_helm_validates_them() {
    let runs: &[(&str, &[&str])] = &[
        ("chart-with-schema", &[]),
        ("chart-with-schema", &["-f", "extra-values.yaml"]),
        ("chart-with-schema-negative", &[]),
        ("chart-with-schema-negative-skip-validation", &[]),
        (
            "chart-with-schema-negative-skip-validation",
            &["--skip-schema-validation"],
        ),
    ];
    let mut failures = Vec::new();
    for (name, extra) in runs {
        let chart = charts_dir().join("helm-testcharts").join(name);
        let extra: Vec<String> = extra
            .iter()
            .map(|a| match chart.join(a) {
                p if p.is_file() => p.to_string_lossy().into_owned(),
                _ => a.to_string(),
            })
            .collect();
        failures.extend(difference(&chart, &extra));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
