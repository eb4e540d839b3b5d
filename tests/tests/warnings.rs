//! The warnings Helm logs on standard error while it loads charts,
//! coalesces values and processes dependencies, against the reference
//! Helm: each case builds a small chart that triggers one kind of warning
//! (or, where Helm stays silent, none) and compares both outputs and both
//! logs.
//!
//! Go iterates maps in random order, so a case never has two warnings
//! that one map walk could print in either order.

use std::fs;
use std::path::Path;

use kubectl_helm_tests::{assert_none, compare, fingerprint_dir, ours, reference};

/// A parent chart `c` with subchart `sub`, and what one case changes.
struct Case {
    label: &'static str,
    /// `Chart.yaml` of `c` after its `apiVersion`, `name` and `version`.
    chart_extra: &'static str,
    values: &'static str,
    sub_values: &'static str,
    /// The command and its flags; the chart's path is appended.
    args: &'static [&'static str],
}

const SUB_DEPENDENCY: &str = "dependencies:\n- name: sub\n  version: 0.1.0\n";

const CASES: &[Case] = &[
    Case {
        label: "a table over a scalar default",
        chart_extra: "",
        values: "c: 3\n",
        sub_values: "",
        args: &["template", "r", "--set", "c.d=1"],
    },
    Case {
        label: "a scalar over a table default, within a table",
        chart_extra: "",
        values: "a:\n  b:\n    c: 1\n",
        sub_values: "",
        args: &["template", "r", "--set", "a.b=1"],
    },
    Case {
        label: "a table over a scalar default, within a table",
        chart_extra: "",
        values: "a:\n  b: 2\n",
        sub_values: "",
        args: &["template", "r", "--set", "a.b.c=1"],
    },
    Case {
        label: "a parent's scalar over a subchart's table (Helm is silent)",
        chart_extra: SUB_DEPENDENCY,
        values: "sub:\n  x: 1\n",
        sub_values: "x:\n  y: 1\n",
        args: &["template", "r"],
    },
    Case {
        label: "a parent's table over a subchart's scalar",
        chart_extra: SUB_DEPENDENCY,
        values: "sub:\n  x:\n    y: 1\n",
        sub_values: "x: 1\n",
        args: &["template", "r"],
    },
    Case {
        label: "a global that is no table",
        chart_extra: SUB_DEPENDENCY,
        values: "global: 5\n",
        sub_values: "a: 1\n",
        args: &["template", "r"],
    },
    Case {
        label: "a subchart's global that is no table",
        chart_extra: SUB_DEPENDENCY,
        values: "",
        sub_values: "a: 1\n",
        args: &["template", "r", "--set", "sub.global=1"],
    },
    Case {
        label: "a global table over a subchart's global scalar",
        chart_extra: SUB_DEPENDENCY,
        values: "global:\n  g:\n    h: 1\nsub:\n  global:\n    g: 1\n",
        sub_values: "",
        args: &["template", "r"],
    },
    Case {
        label: "a global scalar over a subchart's global table",
        chart_extra: SUB_DEPENDENCY,
        values: "global:\n  g: 1\nsub:\n  global:\n    g:\n      h: 1\n",
        sub_values: "",
        args: &["template", "r"],
    },
    Case {
        label: "a condition path that leads nowhere (Helm is silent)",
        chart_extra: "dependencies:\n- name: sub\n  version: 0.1.0\n  condition: missing.path\n",
        values: "",
        sub_values: "",
        args: &["template", "r"],
    },
    Case {
        label: "a condition that is no boolean, then one that is",
        chart_extra: "dependencies:\n- name: sub\n  version: 0.1.0\n  condition: sub.flag,sub.enabled\n",
        values: "sub:\n  flag: \"yes\"\n  enabled: false\n",
        sub_values: "",
        args: &["template", "r"],
    },
    Case {
        label: "tags that match nothing (Helm is silent)",
        chart_extra: "dependencies:\n- name: sub\n  version: 0.1.0\n  tags: [nomatch]\n",
        values: "tags:\n  other: false\n",
        sub_values: "",
        args: &["template", "r"],
    },
    Case {
        label: "a tag that is no boolean",
        chart_extra: "dependencies:\n- name: sub\n  version: 0.1.0\n  tags: [t1, t2]\n",
        values: "tags:\n  t1: 1\n  t2: false\n",
        sub_values: "",
        args: &["template", "r"],
    },
    Case {
        label: "import-values that find no table",
        chart_extra: "dependencies:\n- name: sub\n  version: 0.1.0\n  import-values:\n  - child: nope\n    parent: p\n  - nothere\n  - child: x\n    parent: q\n",
        values: "",
        sub_values: "x: 1\n",
        args: &["template", "r"],
    },
    Case {
        label: "a deprecated chart",
        chart_extra: "deprecated: true\n",
        values: "",
        sub_values: "",
        args: &["template", "r"],
    },
    Case {
        label: "lint: dependency and coalescing warnings",
        chart_extra: "dependencies:\n- name: sub\n  version: 0.1.0\n  tags: [t1]\n",
        values: "tags:\n  t1: 1\nsub:\n  x: 1\n",
        sub_values: "x:\n  y: 1\n",
        args: &["lint"],
    },
    Case {
        label: "lint: a table over a scalar default (the values rule warns too)",
        chart_extra: "",
        values: "c: 3\n",
        sub_values: "",
        args: &["lint", "--set", "c.d=1"],
    },
    Case {
        label: "lint --with-subcharts",
        chart_extra: SUB_DEPENDENCY,
        values: "global: 5\n",
        sub_values: "a: 1\n",
        args: &["lint", "--with-subcharts"],
    },
    Case {
        label: "show values (Helm coalesces nothing)",
        chart_extra: SUB_DEPENDENCY,
        values: "global: 5\n",
        sub_values: "a: 1\n",
        args: &["show", "values"],
    },
];

/// Writes the case's chart under `dir/c` and returns its path.
fn write_chart(dir: &Path, case: &Case) -> String {
    let chart = dir.join("c");
    let sub = chart.join("charts/sub");
    fs::create_dir_all(chart.join("templates")).unwrap();
    fs::create_dir_all(sub.join("templates")).unwrap();
    let files = [
        (
            chart.join("Chart.yaml"),
            format!(
                "apiVersion: v2\nname: c\nversion: 0.1.0\n{}",
                case.chart_extra
            ),
        ),
        (chart.join("values.yaml"), case.values.to_string()),
        (
            chart.join("templates/cm.yaml"),
            "c: {{ toJson .Values }}\n".to_string(),
        ),
        (
            sub.join("Chart.yaml"),
            "apiVersion: v2\nname: sub\nversion: 0.1.0\n".to_string(),
        ),
        (sub.join("values.yaml"), case.sub_values.to_string()),
        (
            sub.join("templates/cm.yaml"),
            "s: {{ toJson .Values }}\n".to_string(),
        ),
    ];
    for (path, text) in files {
        fs::write(path, text).unwrap();
    }
    chart.to_string_lossy().into_owned()
}

/// Runs `args` (the chart appended) with both; a report if they differ.
fn run_both(label: &str, args: &[&str], chart: &str, dir: &Path) -> Option<String> {
    let mut full = args.to_vec();
    full.push(chart);
    let helm = reference::run(&full, &fingerprint_dir(dir));
    compare(label, &helm, &ours::run(&full))
}

#[test]
fn coalescing_and_dependency_warnings_are_helms() {
    let mut failures = Vec::new();
    for case in CASES {
        let dir = tempfile::tempdir().unwrap();
        let chart = write_chart(dir.path(), case);
        failures.extend(run_both(case.label, case.args, &chart, dir.path()));
    }
    assert_none(failures);
}

/// The case charts do warn: a harness that lost standard error would let
/// every case above pass.
#[test]
fn the_cases_warn_on_stderr() {
    let case = &CASES[0];
    let dir = tempfile::tempdir().unwrap();
    let chart = write_chart(dir.path(), case);
    let mut args = case.args.to_vec();
    args.push(&chart);
    let out = ours::run(&args);
    assert!(out.success, "{}", out.stderr);
    assert_eq!(
        out.stderr.lines().next(),
        Some(r#"level=INFO msg="warning: skipped value for c.c: Not a table.""#)
    );
}

/// `requirements.yaml` and `requirements.lock` in a v2 chart, and a
/// symbolic link the loader follows: every command that loads the chart
/// says so.
#[test]
fn loading_warnings_are_helms() {
    let dir = tempfile::tempdir().unwrap();
    let case = Case {
        label: "loading",
        chart_extra: "",
        values: "a: 1\n",
        sub_values: "",
        args: &[],
    };
    let chart = write_chart(dir.path(), &case);
    let root = Path::new(&chart);
    fs::write(root.join("requirements.yaml"), "dependencies: []\n").unwrap();
    fs::write(
        root.join("requirements.lock"),
        "dependencies: []\ndigest: x\n",
    )
    .unwrap();
    fs::write(dir.path().join("outside.txt"), "outside\n").unwrap();
    std::os::unix::fs::symlink(dir.path().join("outside.txt"), root.join("link.txt")).unwrap();
    let package_dir = dir.path().join("out");
    let package_dir = package_dir.to_string_lossy();
    let mut failures = Vec::new();
    for args in [
        &["template", "r"][..],
        // Helm checks the name after loading: its warnings come first.
        &["template", "Bad_Name"],
        &["lint"],
        &["show", "chart"],
        &["show", "values"],
        &["show", "readme"],
        &["dependency", "list"],
    ] {
        failures.extend(run_both(&args.join(" "), args, &chart, dir.path()));
    }
    // `package` writes its archive: run uncached, each into its own place.
    let helm = reference::run_uncached(&["package", &chart, "-d", &package_dir], dir.path());
    let ours = ours::run(&["package", &chart, "-d", &package_dir]);
    failures.extend(compare("package", &helm, &ours));
    assert_none(failures);
}

/// The commands that write: `dependency update` and `build`, `template
/// --dependency-update`, `package -u` and `create --starter` load charts
/// (the parent, and each `file://` dependency as it is resolved and as it
/// is archived) and log each load's warnings. Each runs on the same files
/// for both, reset in between, so the logged paths agree.
#[test]
fn writing_commands_log_their_loads_as_helm_does() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let parent = root.join("parent");
    let dep = root.join("dep");
    for chart in [&parent, &dep] {
        fs::create_dir_all(chart.join("templates")).unwrap();
        std::os::unix::fs::symlink("../Chart.yaml", chart.join("templates/link.txt")).unwrap();
    }
    fs::write(
        parent.join("Chart.yaml"),
        "apiVersion: v2\nname: parent\nversion: 0.1.0\ndependencies:\n\
         - name: dep\n  version: 0.1.0\n  repository: file://../dep\n",
    )
    .unwrap();
    fs::write(
        dep.join("Chart.yaml"),
        "apiVersion: v2\nname: dep\nversion: 0.1.0\n",
    )
    .unwrap();
    fs::write(dep.join("requirements.yaml"), "dependencies: []\n").unwrap();
    let reset = || {
        let _ = fs::remove_dir_all(parent.join("charts"));
        let _ = fs::remove_file(parent.join("Chart.lock"));
        let _ = fs::remove_dir_all(root.join("out"));
        let _ = fs::remove_dir_all(root.join("new"));
    };
    let p = parent.to_string_lossy().into_owned();
    let out = root.join("out").to_string_lossy().into_owned();
    let new = root.join("new").to_string_lossy().into_owned();
    let mut failures = Vec::new();
    for args in [
        &["dependency", "update", &p][..],
        &["dependency", "build", &p],
        &["template", "r", &p, "--dependency-update"],
        &["package", &p, "-u", "-d", &out],
        &["create", &new, "--starter", &p],
    ] {
        reset();
        let helm = reference::run_uncached(args, root);
        reset();
        let ours = ours::run(args);
        failures.extend(compare(&args.join(" "), &helm, &ours));
        assert!(
            helm.stderr.contains("found symbolic link"),
            "{args:?} logs nothing: {}",
            helm.stderr
        );
    }
    reset();
    assert_none(failures);
}

/// Values on a log line are bare or Go-quoted exactly as `slog` decides:
/// a chart whose directory name needs quoting (or not), with a link.
#[test]
fn log_values_are_quoted_as_slog_quotes_them() {
    let mut failures = Vec::new();
    for name in [
        "plain",
        "a=b",
        "a\"b",
        "a b",
        "naïve",
        "a\\b",
        "a\u{200b}b",
        "a\u{a0}b",
        "a\u{e000}b",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let chart = dir.path().join(name);
        fs::create_dir_all(chart.join("templates")).unwrap();
        fs::write(
            chart.join("Chart.yaml"),
            "apiVersion: v2\nname: c\nversion: 0.1.0\n",
        )
        .unwrap();
        std::os::unix::fs::symlink("../Chart.yaml", chart.join("templates/link.txt")).unwrap();
        let chart = chart.to_string_lossy().into_owned();
        failures.extend(run_both(name, &["template", "r"], &chart, dir.path()));
    }
    assert_none(failures);
}
