//! The offline commands (`show`, `create`, `env`, `completion`) and the
//! flags of `template`, against the reference Helm.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use kubectl_helm_tests::{
    Outcome, assert_none, charts_dir, compare, fingerprint_dir, ours, public_charts, reference,
    repo_root,
};

/// Runs `args` with both and collects a report when they differ.
fn check(label: &str, args: &[&str], fingerprint: &[u8], failures: &mut Vec<String>) {
    let helm = reference::run(args, fingerprint);
    let ours = ours::run(args);
    failures.extend(compare(label, &helm, &ours));
}

#[test]
fn show_prints_every_public_chart_as_helm_does() {
    let mut failures = Vec::new();
    for dir in public_charts(&[]) {
        let path = dir.to_string_lossy().into_owned();
        let fp = fingerprint_dir(&dir);
        for what in ["chart", "values", "readme", "crds", "all"] {
            check(
                &format!("show {what} {path}"),
                &["show", what, &path],
                &fp,
                &mut failures,
            );
        }
    }
    assert_none(failures);
}

#[test]
fn show_values_jsonpath_and_missing_charts() {
    let dir = charts_dir().join("podinfo");
    let path = dir.to_string_lossy().into_owned();
    let fp = fingerprint_dir(&dir);
    let mut failures = Vec::new();
    for jsonpath in [
        "{.image}",
        "{.image.tag}",
        "{.replicaCount}",
        "x{.image.tag}y",
        "{.image.tag} {.logLevel}",
        "{.backends}",
        "{.nope}",
        "a{.nope}b",
        "{.host}",
        "{$.image.tag}",
        "{.ingress.hosts[0].paths[0]}",
        "{.ingress.hosts[*].host}",
        r#"{range .ingress.hosts[*]}{.host}{"\n"}{end}"#,
        "{.image.tag",
    ] {
        check(
            &format!("show values --jsonpath {jsonpath}"),
            &["show", "values", &path, "--jsonpath", jsonpath],
            &fp,
            &mut failures,
        );
    }
    for missing in [
        "/no/such/chart",
        "./no-such-chart",
        "nochart",
        "norepo/chart",
    ] {
        check(
            &format!("show chart {missing}"),
            &["show", "chart", missing],
            &[],
            &mut failures,
        );
    }
    assert_none(failures);
}

/// Every file under `dir`, by relative path, with its bytes; directories
/// (empty ones included) as `None`.
fn tree(dir: &Path) -> BTreeMap<String, Option<Vec<u8>>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Option<Vec<u8>>>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .into_owned();
            if path.is_dir() {
                out.insert(rel, None);
                walk(root, &path, out);
            } else {
                out.insert(rel, std::fs::read(&path).ok());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Runs a `create` with both, each in its own fresh directory (the
/// argument's `{dir}` is replaced by it), and compares the outcomes (with
/// the directories named alike) and the trees made.
fn check_create(label: &str, args: &[&str], setup: &dyn Fn(&Path), failures: &mut Vec<String>) {
    let (helm_dir, our_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    setup(helm_dir.path());
    setup(our_dir.path());
    let with = |dir: &Path| -> Vec<String> {
        args.iter()
            .map(|a| a.replace("{dir}", &dir.to_string_lossy()))
            .collect()
    };
    let helm_args = with(helm_dir.path());
    let our_args = with(our_dir.path());
    let helm = reference::run(
        &helm_args.iter().map(String::as_str).collect::<Vec<_>>(),
        b"create",
    );
    let ours = ours::run(&our_args.iter().map(String::as_str).collect::<Vec<_>>());
    let neutral = |o: &Outcome, dir: &Path| Outcome {
        success: o.success,
        stdout: o.stdout.replace(&*dir.to_string_lossy(), "{dir}"),
        stderr: o.stderr.replace(&*dir.to_string_lossy(), "{dir}"),
    };
    failures.extend(compare(
        label,
        &neutral(&helm, helm_dir.path()),
        &neutral(&ours, our_dir.path()),
    ));
    let (helm_tree, our_tree) = (tree(helm_dir.path()), tree(our_dir.path()));
    if helm_tree != our_tree {
        let names = |t: &BTreeMap<String, Option<Vec<u8>>>| {
            t.keys().cloned().collect::<Vec<_>>().join(", ")
        };
        let differing: Vec<&String> = helm_tree
            .iter()
            .filter(|(k, v)| our_tree.get(*k) != Some(v))
            .map(|(k, _)| k)
            .collect();
        failures.push(format!(
            "── {label}: trees differ\n   helm: {}\n   ours: {}\n   differing: {differing:?}",
            names(&helm_tree),
            names(&our_tree)
        ));
    }
}

/// A `create` case: its label, arguments, and how its directory is
/// prepared.
type CreateRun<'a> = (&'a str, &'a [&'a str], &'a dyn Fn(&Path));

#[test]
fn create_makes_helms_scaffold_byte_for_byte() {
    let starter = repo_root().join("tests/fixtures/commands/starter");
    let starter = starter.to_string_lossy().into_owned();
    let nothing = |_: &Path| {};
    let existing_chart = |dir: &Path| {
        std::fs::create_dir_all(dir.join("mychart/templates")).unwrap();
        std::fs::write(dir.join("mychart/Chart.yaml"), "old").unwrap();
        std::fs::write(dir.join("mychart/templates/keep.yaml"), "kept").unwrap();
    };
    let a_file = |dir: &Path| std::fs::write(dir.join("taken"), "x").unwrap();
    let mut failures = Vec::new();
    let runs: &[CreateRun] = &[
        ("new chart", &["create", "{dir}/mychart"], &nothing),
        ("dotted name", &["create", "{dir}/my.chart_2-x"], &nothing),
        ("trailing slash", &["create", "{dir}/slashed/"], &nothing),
        ("overwrite", &["create", "{dir}/mychart"], &existing_chart),
        ("file in the way", &["create", "{dir}/taken"], &a_file),
        ("bad name", &["create", "{dir}/bad name"], &nothing),
        ("missing parent", &["create", "{dir}/a/b/c"], &nothing),
        (
            "starter by path",
            &["create", "{dir}/fromstarter", "--starter", &starter],
            &nothing,
        ),
        (
            "missing starter",
            &["create", "{dir}/x", "-p", "{dir}/no-starter"],
            &nothing,
        ),
    ];
    for (label, args, setup) in runs {
        check_create(label, args, setup, &mut failures);
    }
    assert_none(failures);
}

#[test]
fn env_prints_helms_variables_for_the_same_environment() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path().to_string_lossy().into_owned();
    let kubeconfig = format!("{home}/kubeconfig");
    std::fs::write(
        &kubeconfig,
        "apiVersion: v1\nkind: Config\ncurrent-context: c\ncontexts:\n\
         - name: c\n  context: {cluster: x, namespace: from-kubeconfig}\n",
    )
    .unwrap();
    let base: Vec<(&str, &str)> = vec![("HOME", &home), ("PATH", "/usr/bin:/bin")];
    let environments: Vec<Vec<(&str, &str)>> = vec![
        vec![],
        vec![
            ("XDG_CACHE_HOME", "/xdg/cache"),
            ("XDG_CONFIG_HOME", "/xdg/config"),
            ("HELM_DATA_HOME", "/helm/data"),
        ],
        vec![
            ("HELM_DEBUG", "1"),
            ("HELM_NAMESPACE", "from-env"),
            ("HELM_MAX_HISTORY", "3"),
            ("HELM_BURST_LIMIT", "bad"),
            ("HELM_QPS", "1e1"),
            ("HELM_KUBEASGROUPS", "a,,b"),
            ("HELM_REPOSITORY_CONFIG", "/r.yaml"),
            ("HELM_PLUGINS", "/plugins"),
        ],
        vec![("HELM_DEBUG", "yes"), ("KUBECONFIG", &kubeconfig)],
    ];
    let flag_sets: &[&[&str]] = &[
        &[],
        &["-n", "flag-ns", "--debug", "--kube-context", "ctx"],
        &[
            "--kube-as-group",
            "g1",
            "--kube-as-group",
            "g2",
            "--qps",
            "2.5",
        ],
        &[
            "--kubeconfig",
            "/k",
            "--burst-limit",
            "7",
            "--registry-config",
            "/reg",
        ],
        &[
            "--repository-cache",
            "/rc",
            "--content-cache",
            "/cc",
            "--debug=false",
        ],
    ];
    let mut failures = Vec::new();
    for extra in &environments {
        let vars: Vec<(&str, &str)> = base.iter().chain(extra).copied().collect();
        for flags in flag_sets {
            for name in [
                None,
                Some("HELM_NAMESPACE"),
                Some("HELM_CACHE_HOME"),
                Some("NOPE"),
            ] {
                let mut args = vec!["env"];
                args.extend(name);
                args.extend(flags.iter());
                let helm = without_bin(reference::run_with_env(&args, &vars, b"env"));
                let ours = without_bin(ours::run_with_env(&args, &vars));
                let label = format!("{extra:?} {}", args.join(" "));
                failures.extend(compare(&label, &helm, &ours));
            }
        }
    }
    assert_none(failures);
}

/// `HELM_BIN` is how each was invoked, which differs by nature.
fn without_bin(o: Outcome) -> Outcome {
    Outcome {
        stdout: o
            .stdout
            .lines()
            .filter(|l| !l.starts_with("HELM_BIN="))
            .map(|l| format!("{l}\n"))
            .collect(),
        ..o
    }
}

#[test]
fn completion_scripts_are_valid_shell() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = ours::run(&["completion", shell]);
        assert!(out.success, "completion {shell}: {}", out.stderr);
        assert!(out.stdout.contains("kubectl-helm"), "completion {shell}");
    }
    let script = ours::run(&["completion", "bash"]).stdout;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("kubectl-helm.bash");
    std::fs::write(&file, script).unwrap();
    let status = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source {} && complete -p kubectl-helm",
            file.display()
        ))
        .output()
        .expect("bash runs");
    assert!(
        status.status.success(),
        "bash could not source the script: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    let bare = ours::run(&["completion", "fish", "--no-descriptions"]);
    assert!(bare.success && !bare.stdout.contains("locally render templates"));
}

#[test]
fn template_flags_behave_as_in_helm() {
    let alpine = charts_dir().join("helm-testcharts/alpine");
    let alpine_path = alpine.to_string_lossy().into_owned();
    let fp = fingerprint_dir(&alpine);
    let values = tempfile::tempdir().unwrap();
    let text_file = values.path().join("text.txt");
    std::fs::write(&text_file, "line one\nline two, with comma\n").unwrap();
    let set_file = format!("name={}", text_file.display());
    let mut failures = Vec::new();
    let runs: &[&[&str]] = &[
        &["x", "--set-json", r#"name="from-json""#],
        &["x", "--set-json", r#"{"name": "object"}"#],
        &["x", "--set-json", "a={bad"],
        &["x", "--set-json", "{bad"],
        &["x", "--set-file", &set_file],
        &["x", "--set-file", "name=/no/such/file"],
        &["x", "--set-literal", r"name=a,b\c{d}"],
        // Running out of input mid-key ends parsing quietly, keeping what
        // was set before it (Helm's io.EOF), with the list stored as it was.
        &["x", "--set", "name=kept,image[=1"],
        &["x", "--set", "tags[0]"],
        &["x", "--set", "name=a,nested.key["],
        &["x", "--set", "tags[0].x["],
        &["x", "--set", "tags[0]xy=1"],
        &["x", "--set", "name=set", "--set-literal", "name=literal"],
        &["--name-template", "{{ \"named\" }}"],
        &["--name-template", "{{ .x }"],
        &["--name-template", "{{ fail \"boom\" }}"],
        &["--name-template", "{{ \"UPPER\" }}"],
        &["--name-template", ""],
        &["-g"],
        &["x", "-g"],
        &["x", "--name-template", "y"],
        &["BAD_NAME"],
        &["a-name-that-is-far-too-long-for-a-release-name-in-helm-4"],
        &["x", "--post-renderer", "cat"],
        &[
            "x",
            "--post-renderer",
            "/bin/cat",
            "--post-renderer-args",
            "-u",
        ],
        &["x", "--dry-run=client", "--description", "d", "--devel"],
        &["x", "--dependency-update", "-l", "a=b,c=d"],
    ];
    for extra in runs {
        let mut args = vec!["template"];
        args.extend(extra.iter().take_while(|a| !a.starts_with('-')));
        args.push(&alpine_path);
        args.extend(extra.iter().skip_while(|a| !a.starts_with('-')));
        check(&args.join(" "), &args, &fp, &mut failures);
    }
    assert_none(failures);
}

#[test]
fn template_output_dir_writes_what_helm_writes() {
    let charts = [
        ("helm-testcharts/alpine", &["--release-name"][..]),
        (
            "helm-testcharts/chart-with-only-crds",
            &["--include-crds"][..],
        ),
        ("helm-testcharts/object-order", &[][..]),
        ("ingress-nginx", &["--release-name"][..]),
        (
            "helm-testcharts/alpine",
            &["-s", "templates/alpine-pod.yaml"][..],
        ),
    ];
    let mut failures = Vec::new();
    for (chart, extra) in charts {
        let dir = charts_dir().join(chart);
        let chart_path = dir.to_string_lossy().into_owned();
        let (helm_out, our_out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let run = |out: &Path| -> Vec<String> {
            let mut args = vec![
                "template".to_string(),
                "rel".into(),
                chart_path.clone(),
                "--output-dir".into(),
                out.join("out").to_string_lossy().into_owned(),
            ];
            args.extend(extra.iter().map(|a| a.to_string()));
            args
        };
        let helm_args = run(helm_out.path());
        let our_args = run(our_out.path());
        let helm = reference::run(
            &helm_args.iter().map(String::as_str).collect::<Vec<_>>(),
            &fingerprint_dir(&dir),
        );
        let ours = ours::run(&our_args.iter().map(String::as_str).collect::<Vec<_>>());
        let neutral = |o: &Outcome, d: &Path| Outcome {
            stdout: o.stdout.replace(&*d.to_string_lossy(), "{out}"),
            stderr: o.stderr.replace(&*d.to_string_lossy(), "{out}"),
            ..o.clone()
        };
        let label = format!("{chart} --output-dir {}", extra.join(" "));
        failures.extend(compare(
            &label,
            &neutral(&helm, helm_out.path()),
            &neutral(&ours, our_out.path()),
        ));
        if tree(helm_out.path()) != tree(our_out.path()) {
            failures.push(format!("── {label}: written files differ"));
        }
    }
    assert_none(failures);
}
