//! `lint` against the reference Helm: every public chart, a broken chart
//! per rule under `fixtures/lint`, and the flags. Standard output,
//! standard error and the exit status must all be Helm's.

use std::path::{Path, PathBuf};

use kubectl_helm_tests::{
    Outcome, assert_none, charts_dir, fingerprint_dir, ours, public_charts, reference, repo_root,
};

/// Charts whose lint needs subcharts rendered (library templates, subchart
/// schemas), which the loader does not do yet.
const PENDING_SUBCHARTS: &[&str] = &[
    "chart-with-lib-dep",
    "chart-with-schema-and-subchart",
    "chart-with-template-lib-archive-dep",
    "chart-with-template-lib-dep",
];

/// Charts whose lint differs because of a YAML parser message
/// (`simple key expect ':'` where go-yaml says `could not find expected ':'`),
/// which belongs to the YAML codec.
const PENDING_YAML_MESSAGES: &[&str] = &["chart-with-template-with-invalid-yaml"];

fn fixtures() -> PathBuf {
    repo_root().join("tests/fixtures/lint")
}

fn fixture(name: &str) -> String {
    fixtures().join(name).to_string_lossy().into_owned()
}

/// Every broken chart of `fixtures/lint`.
fn fixture_charts() -> Vec<PathBuf> {
    let mut charts: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .expect("fixtures/lint")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    charts.sort();
    charts
}

/// Lints each chart plain, `--strict` and `--quiet` with both; the reports
/// of what differs.
fn lint_each(charts: &[PathBuf]) -> Vec<String> {
    let mut failures = Vec::new();
    for dir in charts {
        let path = dir.to_string_lossy().into_owned();
        for flags in [&[][..], &["--strict"], &["--quiet"]] {
            let mut args: Vec<&str> = flags.to_vec();
            args.push(&path);
            failures.extend(differs(&args, &[dir]));
        }
    }
    failures
}

/// Runs `lint ARGS` with both; a report when anything differs.
fn differs(args: &[&str], dirs: &[&Path]) -> Option<String> {
    let mut fingerprint = Vec::new();
    for dir in dirs {
        fingerprint.extend(fingerprint_dir(dir));
    }
    let mut full = vec!["lint"];
    full.extend_from_slice(args);
    let helm = reference::run(&full, &fingerprint);
    let ours = ours::run(&full);
    (helm != ours).then(|| report(&full.join(" "), &helm, &ours))
}

fn report(label: &str, helm: &Outcome, ours: &Outcome) -> String {
    format!(
        "── {label}\n   helm (ok={}):\n{}\n{}\n   ours (ok={}):\n{}\n{}",
        helm.success,
        indent("out", &helm.stdout),
        indent("err", &helm.stderr),
        ours.success,
        indent("out", &ours.stdout),
        indent("err", &ours.stderr),
    )
}

fn indent(stream: &str, text: &str) -> String {
    text.lines()
        .map(|l| format!("     {stream}|{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_public_chart_lints_as_in_helm() {
    let charts = public_charts(&[PENDING_SUBCHARTS, PENDING_YAML_MESSAGES].concat());
    assert_none(lint_each(&charts));
}

#[test]
fn every_broken_fixture_lints_as_in_helm() {
    let charts = fixture_charts();
    assert!(charts.len() >= 30, "only {} fixtures", charts.len());
    assert_none(lint_each(&charts));
}

#[test]
fn the_broken_fixtures_do_fail() {
    // A guard against fixtures that stopped being broken: each of these
    // must fail lint in Helm (and so in ours, by the test above).
    for name in [
        "chartyaml-bad-yaml",
        "missing-name",
        "bad-version",
        "bad-apiversion",
        "unknown-type",
        "template-parse-error",
        "template-exec-error",
        "template-invalid-yaml",
        "values-not-map",
        "schema-violation",
    ] {
        let dir = fixtures().join(name);
        let outcome = reference::run(&["lint", &fixture(name)], &fingerprint_dir(&dir));
        assert!(!outcome.success, "{name} passes lint");
    }
}

#[test]
fn flags_behave_as_in_helm() {
    let good = fixture("good");
    let icon = fixture("icon-missing");
    let bad = fixture("bad-version");
    let semver = fixture("version-v-prefix");
    let deprecated = fixture("deprecated-api");
    let removed = fixture("removed-ingress");
    let schema = fixture("schema-violation");
    let namespace = fixture("uses-namespace");
    let required = fixture("required-in-lint");
    let subcharts = charts_dir()
        .join("helm-testcharts/chart-with-subchart-notes")
        .to_string_lossy()
        .into_owned();
    let missing = repo_root()
        .join("tests/fixtures/lint-missing")
        .to_string_lossy()
        .into_owned();
    let cases: Vec<Vec<&str>> = vec![
        vec![&good, &icon, &bad],
        vec![&good, &missing],
        vec![&missing],
        vec!["--quiet", &good, &icon],
        vec!["--quiet", &good],
        vec!["--strict", "--quiet", &icon, &semver],
        vec!["--strict", &semver, &good],
        vec!["--kube-version", "1.20", &deprecated],
        vec!["--kube-version", "v1.21.3", &deprecated],
        vec!["--kube-version", "1.13", &removed],
        vec!["--kube-version", "0.0", &removed],
        vec!["--kube-version", "bad", &deprecated],
        vec!["--skip-schema-validation", &schema],
        vec!["--set", "replicas=x", &schema],
        vec!["--set", "replicas=x", "--set-string", "name=y", &schema],
        vec!["-n", "other", &namespace],
        vec![&required],
        vec!["--with-subcharts", &subcharts],
        vec!["--with-subcharts", &good],
        vec![],
    ];
    let dirs: Vec<PathBuf> = fixture_charts()
        .into_iter()
        .chain([charts_dir().join("helm-testcharts/chart-with-subchart-notes")])
        .collect();
    let dir_refs: Vec<&Path> = dirs.iter().map(PathBuf::as_path).collect();
    let mut failures = Vec::new();
    for args in cases {
        failures.extend(differs(&args, &dir_refs));
    }
    // A values file that does not exist.
    let absent = repo_root().join("tests/fixtures/lint-absent.yaml");
    failures.extend(differs(
        &["-f", &absent.to_string_lossy(), &good],
        &dir_refs,
    ));
    assert_none(failures);
}
