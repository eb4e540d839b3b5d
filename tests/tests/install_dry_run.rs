//! `install --dry-run=client` against Helm 4.3.1: the status block, the
//! record as JSON and YAML, and Helm's errors, byte for byte once the
//! times are normalised (each run stamps its own; our loader keeps no
//! file modification times) and random test-pod suffixes masked.

use std::sync::LazyLock;

use kubectl_helm_tests::{Outcome, charts_dir, compare, ours, reference, repo_root};
use regex::Regex;

/// Runs `install ARGS` with both binaries; `{c}` in an argument stands
/// for the public charts' directory, `{f}` for our fixture charts'.
fn both(args: &[&str]) -> (Outcome, Outcome) {
    let dir = charts_dir().to_string_lossy().into_owned();
    let fixtures = repo_root().join("tests/fixtures/charts");
    let fixtures = fixtures.to_string_lossy();
    let args: Vec<String> = std::iter::once("install".to_string())
        .chain(
            args.iter()
                .map(|a| a.replace("{c}", &dir).replace("{f}", &fixtures)),
        )
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let helm = reference::run_uncached(&args, &charts_dir());
    let ours = ours::run_with_env(&args, &[]);
    (normalise(helm), normalise(ours))
}

/// Masks what differs from run to run.
fn normalise(mut o: Outcome) -> Outcome {
    static RULES: LazyLock<Vec<(Regex, &str)>> = LazyLock::new(|| {
        [
            (r"LAST DEPLOYED: .*", "LAST DEPLOYED: T"),
            (
                r#""(first|last)_deployed":"[^"]*""#,
                r#""${1}_deployed":"T""#,
            ),
            (
                r"(?m)^(\s*)(first|last)_deployed: .*$",
                "${1}${2}_deployed: T",
            ),
            // Helm stamps file times; our loader has none (zero, omitted).
            (r#","modtime":"[^"]*""#, ""),
            (r#""schemamodtime":"[^"]*""#, r#""schemamodtime":"T""#),
            (r"(?m)^\s*modtime: .*\n", ""),
            (r"(?m)^(\s*)schemamodtime: .*$", "${1}schemamodtime: T"),
            (r"-test-[a-z0-9]{5}\b", "-test-XXXXX"),
            (r"\b(podinfo|x)-[0-9]{10}\b", "${1}-NOW"),
        ]
        .into_iter()
        .map(|(re, to)| (Regex::new(re).expect("rule"), to))
        .collect()
    });
    for (re, to) in RULES.iter() {
        o.stdout = re.replace_all(&o.stdout, *to).into_owned();
        o.stderr = re.replace_all(&o.stderr, *to).into_owned();
    }
    o
}

fn check(cases: &[&[&str]]) {
    let mut failures = Vec::new();
    for args in cases {
        let (helm, ours) = both(args);
        if let Some(report) = compare(&args.join(" "), &helm, &ours) {
            failures.push(report);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn status_block_matches_helm() {
    check(&[
        &["demo", "{c}/podinfo", "--dry-run=client", "-n", "web"],
        &["demo", "{c}/podinfo", "--dry-run"],
        &["demo", "{c}/podinfo", "--dry-run=true"],
        &[
            "demo",
            "{c}/podinfo",
            "--dry-run=client",
            "--set",
            "hooks.preInstall.job.enabled=true",
            "--set",
            "hooks.postInstall.job.enabled=true",
            "--description",
            "mine",
            "-l",
            "team=a,tier=b",
        ],
        &["{c}/podinfo", "--dry-run=client", "--generate-name"],
        &[
            "{c}/podinfo",
            "--dry-run=client",
            "--name-template",
            "x-{{ \"abc\" }}",
        ],
        &[
            "demo",
            "{c}/podinfo",
            "--dry-run=client",
            "--hide-notes",
            "--wait",
            "--timeout",
            "1m",
        ],
        &[
            "demo",
            "{c}/podinfo",
            "--dry-run=client",
            "--no-hooks",
            "--skip-crds",
        ],
        &[
            "demo",
            "{c}/helm-testcharts/chart-with-secret",
            "--dry-run=client",
            "--hide-secret",
        ],
        &[
            "demo",
            "{c}/helm-testcharts/chart-with-subchart-notes",
            "--dry-run=client",
        ],
        &[
            "demo",
            "{c}/helm-testcharts/chart-with-only-crds",
            "--dry-run=client",
        ],
        &[
            "demo",
            "{c}/helm-testcharts/subchart",
            "--dry-run=client",
            "--set",
            "subchartA.enabled=true",
        ],
        &[
            "demo",
            "{c}/ingress-nginx",
            "--dry-run=client",
            "-n",
            "ingress",
        ],
        &["demo", "{c}/helm-testcharts/deprecated", "--dry-run=client"],
        &["demo", "{c}/podinfo", "--dry-run=client", "--color=always"],
        &[
            "demo",
            "{c}/podinfo",
            "--dry-run=client",
            "--debug",
            "--set",
            "a.b=1",
        ],
        &[
            "demo",
            "{c}/helm-testcharts/subchart",
            "--dry-run=client",
            "--debug",
        ],
        // The debug log names the version asked for, and `--devel`'s
        // range when none is.
        &[
            "demo",
            "{c}/podinfo",
            "--dry-run=client",
            "--debug",
            "--devel",
        ],
        &[
            "demo",
            "{c}/podinfo",
            "--dry-run=client",
            "--debug",
            "--version",
            ">=1 <2",
        ],
    ]);
}

#[test]
fn records_match_helm_as_json_and_yaml() {
    check(&[
        &["demo", "{c}/podinfo", "--dry-run=client", "-o", "json"],
        &[
            "demo",
            "{c}/podinfo",
            "--dry-run=client",
            "-o",
            "yaml",
            "--server-side=false",
            "--set",
            "replicaCount=3",
            "--set-json",
            "x={\"f\":1.5e300,\"n\":null}",
        ],
        &[
            "demo",
            "{c}/helm-testcharts/subchart",
            "--dry-run=client",
            "-o",
            "json",
        ],
        &[
            "demo",
            "{c}/helm-testcharts/chart-with-secret",
            "--dry-run=client",
            "--hide-secret",
            "-o",
            "yaml",
        ],
        &[
            "demo",
            "{c}/helm-testcharts/chart-with-lib-dep",
            "--dry-run=client",
            "-o",
            "json",
        ],
    ]);
}

#[test]
fn errors_match_helm() {
    let long = "a".repeat(54);
    check(&[
        &["{c}/podinfo", "--dry-run=client"],
        &["Bad_Name", "{c}/podinfo", "--dry-run=client"],
        &[&long, "{c}/podinfo", "--dry-run=client"],
        &["", "{c}/podinfo", "--dry-run=client"],
        &["{c}/podinfo", "--dry-run=client", "--name-template", "Bad"],
        &[
            "{c}/podinfo",
            "--dry-run=client",
            "--name-template",
            "{{ fail \"no\" }}",
        ],
        &["demo", "{c}/podinfo", "--dry-run=client", "-g"],
        &[
            "demo",
            "{c}/podinfo",
            "--dry-run=client",
            "--name-template",
            "x",
        ],
        &["a", "b", "c", "--dry-run=client"],
        &["demo", "{c}/podinfo", "--dry-run=client", "-l", "owner=x"],
        &["demo", "{c}/podinfo", "--dry-run=client", "-l", "foo"],
        &["demo", "{c}/podinfo", "--dry-run=bogus"],
        &["demo", "{c}/podinfo", "--dry-run="],
        &["demo", "{c}/podinfo", "--dry-run=client", "-o", "bad"],
        &["demo", "/nonexistent", "--dry-run=client"],
        &[
            "demo",
            "{c}/helm-testcharts/chart-with-schema-negative",
            "--dry-run=client",
        ],
        &[
            "demo",
            "{c}/helm-testcharts/chart-with-template-with-invalid-yaml",
            "--dry-run=client",
        ],
        &[
            "demo",
            "{c}/helm-testcharts/chart-with-template-with-invalid-template-expr",
            "--dry-run=client",
        ],
        &[
            "demo",
            "{c}/helm-testcharts/chart-missing-deps",
            "--dry-run=client",
        ],
        &[
            "demo",
            "{c}/helm-testcharts/chart-bad-type",
            "--dry-run=client",
        ],
        &["demo", "{c}/podinfo", "--dry-run=client", "--set", "a[x]=1"],
        &[
            "demo",
            "{c}/podinfo",
            "--dry-run=client",
            "-f",
            "/nonexistent.yaml",
        ],
        &["demo", "{c}/helm-testcharts/lib-chart", "--dry-run=client"],
    ]);
}

#[test]
fn every_public_chart_records_as_in_helm() {
    let mut failures = Vec::new();
    for chart in kubectl_helm_tests::public_charts(&[]) {
        let path = chart.to_string_lossy().into_owned();
        for format in ["json", "table"] {
            let (helm, ours) = both(&["demo", &path, "--dry-run=client", "-o", format]);
            if let Some(report) = compare(&format!("{path} -o {format}"), &helm, &ours) {
                failures.push(report);
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// With `--render-subchart-notes`, Helm 4.3.1 joins the notes in Go's map
/// order, which changes from run to run: the same notes, each once, and
/// everything before them byte for byte.
#[test]
fn subchart_notes_are_helms_in_a_stable_order() {
    let (helm, ours) = both(&[
        "demo",
        "{c}/helm-testcharts/chart-with-subchart-notes",
        "--dry-run=client",
        "--render-subchart-notes",
    ]);
    assert!(helm.success && ours.success, "{helm:?}\n{ours:?}");
    let split = |o: &Outcome| -> (String, Vec<String>) {
        let (head, notes) = o.stdout.split_once("NOTES:\n").expect("notes");
        let mut paragraphs: Vec<String> =
            notes.split("\n\n").map(|p| p.trim().to_string()).collect();
        paragraphs.sort();
        (head.to_string(), paragraphs)
    };
    assert_eq!(split(&ours), split(&helm));
    // Ours: the chart's own notes first, then its subcharts'.
    assert!(
        ours.stdout
            .ends_with("NOTES:\nPARENT NOTES\n\nSUBCHART NOTES\n"),
        "{}",
        ours.stdout
    );
}
