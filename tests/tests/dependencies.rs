//! Charts with dependencies (fixtures under `tests/fixtures/charts`)
//! rendered and listed, against the reference Helm: conditions, tags,
//! aliases, import-values, globals, nested subcharts, library charts,
//! nulls, missing and broken subcharts.

use kubectl_helm_tests::{compare, fingerprint_dir, ours, reference, repo_root};

fn fixture(name: &str) -> String {
    repo_root()
        .join("tests/fixtures/charts")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// `template` runs: a fixture and the extra arguments.
const TEMPLATE_RUNS: &[(&str, &[&str])] = &[
    ("deps-umbrella", &[]),
    ("deps-umbrella", &["--set", "toggled.enabled=false"]),
    // Tags decide once the condition path holds no boolean.
    (
        "deps-umbrella",
        &["--set", "tags.frontend=false,toggled.enabled=null"],
    ),
    (
        "deps-umbrella",
        &["--set", "global.toggledOn=false,toggled.enabled=null"],
    ),
    (
        "deps-umbrella",
        &["--set", "second.enabled=false,middle.leaf.enabled=false"],
    ),
    (
        "deps-umbrella",
        &["--set", "global.region=cli,middle.global.region=mid-cli"],
    ),
    (
        "deps-umbrella",
        &[
            "--set",
            "middle.global.labels.extra=x,middle.leaf.global.region=leaf-cli",
        ],
    ),
    (
        "deps-umbrella",
        &[
            "--set",
            "nuller.keep=null,nuller.nested.a=null,nuller.extra=null",
        ],
    ),
    (
        "deps-umbrella",
        &["--set", "middle.leaf.color=null,imported.config.kept=null"],
    ),
    (
        "deps-umbrella",
        &["--set", "exportedPort=1,imported.config.overridden=cli"],
    ),
    (
        "deps-umbrella",
        &["--show-only", "charts/first/templates/cm.yaml"],
    ),
    ("deps-missing", &[]),
    ("deps-bad-subchart", &[]),
    ("deps-requirements-v1", &[]),
    ("deps-requirements-v1", &["--set", "old.on=false"]),
];

#[test]
fn charts_with_dependencies_render_as_helm_renders_them() {
    let mut failures = Vec::new();
    for (chart, extra) in TEMPLATE_RUNS {
        let path = fixture(chart);
        let mut args = vec!["template", "rel", path.as_str(), "--namespace", "dev-ns"];
        args.extend_from_slice(extra);
        let helm = reference::run(&args, &fingerprint_dir(std::path::Path::new(&path)));
        let ours = ours::run(&args);
        failures.extend(compare(
            &format!("{chart} {}", extra.join(" ")),
            &helm,
            &ours,
        ));
    }
    assert!(
        failures.is_empty(),
        "{} of {} renders differ from Helm:\n{}",
        failures.len(),
        TEMPLATE_RUNS.len(),
        failures.join("\n")
    );
}

/// `dependency list` over fixtures and Helm's test charts (`reqtest` and
/// `chart-with-lib-dep` wait for the archive reader).
#[test]
fn dependency_list_matches_helm() {
    let charts = repo_root().join("tests/charts/helm-testcharts");
    let mut paths: Vec<String> = [
        "deps-umbrella",
        "deps-missing",
        "deps-bad-subchart",
        "deps-requirements-v1",
    ]
    .iter()
    .map(|c| fixture(c))
    .collect();
    for c in [
        "alpine",
        "chart-missing-deps",
        "chart-with-bad-subcharts",
        "chart-with-subchart-update",
        "issue-7233",
        "subchart",
    ] {
        paths.push(charts.join(c).to_string_lossy().into_owned());
    }
    paths.push("/nonexistent/chart".into());
    let mut failures = Vec::new();
    for path in &paths {
        let args = ["dependency", "list", path.as_str()];
        let helm = reference::run(&args, &fingerprint_dir(std::path::Path::new(path)));
        let ours = ours::run(&args);
        failures.extend(compare(path, &helm, &ours));
    }
    assert!(
        failures.is_empty(),
        "{} of {} listings differ from Helm:\n{}",
        failures.len(),
        paths.len(),
        failures.join("\n")
    );
}
