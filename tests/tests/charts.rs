//! `template` of whole public charts against the reference Helm: the same
//! bytes on stdout, or the same error.

use kubectl_helm_tests::{charts_dir, compare, fingerprint_dir, ours, reference};

/// Charts (under `tests/charts`) and the extra arguments of each run.
const RUNS: &[(&str, &[&str])] = &[
    ("podinfo", &["--skip-tests"]),
    ("podinfo", &["--skip-tests", "-f", "values-prod.yaml"]),
    (
        "podinfo",
        &[
            "--skip-tests",
            "--set",
            "hpa.enabled=true,ingress.enabled=true,serviceMonitor.enabled=true",
        ],
    ),
    ("cert-manager", &[]),
    (
        "cert-manager",
        &[
            "--set",
            "crds.enabled=true,prometheus.servicemonitor.enabled=true",
        ],
    ),
    ("ingress-nginx", &[]),
    (
        "ingress-nginx",
        &[
            "--set",
            "controller.kind=DaemonSet,controller.metrics.enabled=true",
        ],
    ),
    ("helm-testcharts/alpine", &[]),
    // Charts with subcharts. `chart-with-lib-dep`, `…-lib-archive-dep` and
    // `reqtest` carry `charts/*.tgz` (need the archive reader);
    // `chart-with-schema-and-subchart` needs schema validation.
    ("helm-testcharts/chart-bad-requirements", &[]),
    ("helm-testcharts/chart-missing-deps", &[]),
    ("helm-testcharts/chart-with-bad-subcharts", &[]),
    ("helm-testcharts/chart-with-lib-dep", &[]),
    ("helm-testcharts/chart-with-schema-and-subchart", &[]),
    ("helm-testcharts/chart-with-subchart-notes", &[]),
    ("helm-testcharts/chart-with-subchart-update", &[]),
    ("helm-testcharts/chart-with-template-lib-archive-dep", &[]),
    ("helm-testcharts/chart-with-template-lib-dep", &[]),
    ("helm-testcharts/issue-7233", &[]),
    ("helm-testcharts/issue-9027", &[]),
    ("helm-testcharts/lib-chart", &[]),
    ("helm-testcharts/reqtest", &[]),
    ("helm-testcharts/subchart", &[]),
    (
        "helm-testcharts/subchart",
        &["--set", "tags.front-end=false,subchartb.enabled=true"],
    ),
    ("helm-testcharts/chart-bad-type", &[]),
    ("helm-testcharts/chart-with-deprecated-api", &[]),
    ("helm-testcharts/chart-with-only-crds", &[]),
    ("helm-testcharts/chart-with-only-crds", &["--include-crds"]),
    ("helm-testcharts/chart-with-secret", &[]),
    (
        "helm-testcharts/chart-with-template-with-invalid-template-expr",
        &[],
    ),
    ("helm-testcharts/chart-with-template-with-invalid-yaml", &[]),
    ("helm-testcharts/deprecated", &[]),
    ("helm-testcharts/empty", &[]),
    ("helm-testcharts/issue-7233", &[]),
    ("helm-testcharts/issue1979", &[]),
    ("helm-testcharts/object-order", &[]),
    ("helm-testcharts/signtest", &[]),
    ("helm-testcharts/test", &[]),
    ("helm-testcharts/test1", &[]),
];

#[test]
fn public_charts_render_as_helm_renders_them() {
    let mut failures = Vec::new();
    for (chart, extra) in RUNS {
        let dir = charts_dir().join(chart);
        let chart_path = dir.to_string_lossy().into_owned();
        let mut args = vec![
            "template",
            "rel",
            chart_path.as_str(),
            "--namespace",
            "dev-ns",
        ];
        let resolved: Vec<String> = extra
            .iter()
            .map(|a| match dir.join(a) {
                p if p.is_file() => p.to_string_lossy().into_owned(),
                _ => a.to_string(),
            })
            .collect();
        args.extend(resolved.iter().map(String::as_str));
        let helm = reference::run(&args, &fingerprint_dir(&dir));
        let ours = ours::run(&args);
        let label = format!("{chart} {}", extra.join(" "));
        failures.extend(compare(&label, &helm, &ours));
    }
    assert!(
        failures.is_empty(),
        "{} of {} chart renders differ from Helm:\n{}",
        failures.len(),
        RUNS.len(),
        failures.join("\n")
    );
}
