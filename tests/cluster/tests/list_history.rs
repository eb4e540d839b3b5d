//! `kubectl helm list` and `history` against the reference `helm` on the
//! test cluster: the reference installs, upgrades, rolls back and
//! uninstalls; both then print, and every byte must agree (stdout, stderr
//! and exit status), in several time zones and with both cluster drivers.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{cluster, reference_dir, run_err, run_ok};

/// What a command printed and how it ended.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    status: i32,
    stdout: String,
    stderr: String,
}

/// The environment both sides run in.
fn env(tz: &str, driver: &str) -> Vec<(String, String)> {
    vec![
        (
            "KUBECONFIG".into(),
            cluster().kubeconfig().to_string_lossy().into_owned(),
        ),
        (
            "HOME".into(),
            cluster().dir().to_string_lossy().into_owned(),
        ),
        ("TZ".into(), tz.into()),
        ("HELM_DRIVER".into(), driver.into()),
    ]
}

fn reference(args: &[&str], tz: &str, driver: &str) -> Outcome {
    reference_with(args, env(tz, driver))
}

fn reference_with(args: &[&str], vars: Vec<(String, String)>) -> Outcome {
    let out = Command::new(reference_dir().join("helm"))
        .args(args)
        .env_clear()
        .envs(vars)
        .output()
        .expect("helm runs");
    Outcome {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn ours(args: &[&str], tz: &str, driver: &str) -> Outcome {
    ours_with(args, env(tz, driver))
}

fn ours_with(args: &[&str], vars: Vec<(String, String)>) -> Outcome {
    let vars: BTreeMap<String, String> = vars.into_iter().collect();
    let argv = std::iter::once("kubectl-helm").chain(args.iter().copied());
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let status = kubectl_helm::run_with_env(argv, &vars, &mut stdout, &mut stderr);
    Outcome {
        status: i32::from(status),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// Both print the same for `args`.
fn same(args: &[&str], tz: &str, driver: &str) {
    let theirs = reference(args, tz, driver);
    let mine = ours(args, tz, driver);
    assert_eq!(
        mine, theirs,
        "kubectl helm {args:?} (TZ={tz}, HELM_DRIVER={driver})"
    );
}

/// The reference helm, requiring success, with a time zone and driver.
fn helm(args: &[&str], tz: &str, driver: &str) {
    let out = reference(args, tz, driver);
    assert_eq!(out.status, 0, "helm {args:?}: {}", out.stderr);
}

fn chart(dir: &Path, notes: bool) -> PathBuf {
    let chart = dir.join(if notes { "noted" } else { "plain" });
    std::fs::create_dir_all(chart.join("templates")).expect("chart dir");
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: one\nversion: 0.1.0\nappVersion: \"1.0\"\n",
    )
    .expect("Chart.yaml");
    std::fs::write(
        chart.join("templates/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cm\ndata: {a: b}\n",
    )
    .expect("template");
    if notes {
        std::fs::write(chart.join("templates/NOTES.txt"), "notes\n").expect("notes");
    }
    chart
}

const KOLKATA: &str = "Asia/Kolkata";

#[test]
fn list_and_history_print_as_helm_prints_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plain = chart(dir.path(), false);
    let noted = chart(dir.path(), true);
    let (plain, noted) = (plain.to_string_lossy(), noted.to_string_lossy());
    for ns in ["lh-a", "lh-b"] {
        run_ok("kubectl", &["create", "namespace", ns]);
    }
    let csa = "--server-side=false";
    let secret = "secret";
    for (name, ns) in [
        ("web", "lh-a"),
        ("db", "lh-a"),
        ("a-rather-long-release-name", "lh-a"),
        // One name in two namespaces lists in an order Helm leaves to
        // chance, so names differ here.
        ("api", "lh-b"),
    ] {
        helm(&["install", name, &plain, "-n", ns, csa], KOLKATA, secret);
    }
    helm(
        &["upgrade", "web", &noted, "-n", "lh-a", csa],
        KOLKATA,
        secret,
    );
    helm(&["rollback", "web", "1", "-n", "lh-a"], KOLKATA, secret);
    helm(
        &[
            "upgrade",
            "web",
            &noted,
            "-n",
            "lh-a",
            csa,
            "--description",
            "two\nlines and <html> & more",
        ],
        KOLKATA,
        secret,
    );
    helm(
        &["uninstall", "db", "-n", "lh-a", "--keep-history"],
        KOLKATA,
        secret,
    );
    // Written in another zone: its offset is not the local one.
    helm(
        &[
            "install", "east", &plain, "-n", "lh-b", csa, "--labels", "team=x",
        ],
        "America/New_York",
        secret,
    );

    let cases: &[&[&str]] = &[
        &["list", "-n", "lh-a"],
        &["list", "-A"],
        &["list", "-A", "-o", "json"],
        &["list", "-A", "-o", "yaml"],
        &["list", "-A", "-q"],
        &["list", "-A", "-q", "-o", "json"],
        &["list", "-A", "-q", "-o", "yaml"],
        &["list", "-A", "--no-headers"],
        &["list", "-A", "-d"],
        &["list", "-A", "-d", "-r"],
        &["list", "-A", "-r"],
        &["list", "-A", "--max", "2", "--offset", "1"],
        &["list", "-A", "--offset", "10"],
        &["list", "-A", "--filter", "^w.b$"],
        &["list", "-A", "--filter", "("],
        &["list", "-A", "--deployed"],
        &["list", "-A", "--uninstalled", "--superseded"],
        &["list", "-A", "--superseded"],
        &["list", "-A", "--failed", "--pending", "--uninstalling"],
        &["list", "-A", "-l", "team=x"],
        &["list", "-A", "-l", "name!=web,status in (deployed)"],
        &["list", "-A", "-l", "a b"],
        &["list", "-A", "-l", "a in (b,-c)"],
        &["list", "-A", "-l", "A.b/c=d,x"],
        &["list", "-A", "-l", "a=b,,c"],
        &[
            "list",
            "-A",
            "--time-format",
            "2006-01-02T15:04:05Z07:00 MST",
        ],
        &["list", "-n", "empty"],
        &["list", "-n", "empty", "-o", "json"],
        &["list", "-n", "empty", "-o", "yaml"],
        &["list", "-n", "empty", "--no-headers"],
        &["history", "web", "-n", "lh-a"],
        &["history", "web", "-n", "lh-a", "--show-rollback-revision"],
        &["history", "web", "-n", "lh-a", "-o", "json"],
        &["history", "web", "-n", "lh-a", "-o", "yaml"],
        &["history", "web", "-n", "lh-a", "--max", "2"],
        &["history", "web", "-n", "lh-a", "--color", "always"],
        &["history", "db", "-n", "lh-a"],
        &["history", "east", "-n", "lh-b"],
        &["history", "nope", "-n", "lh-a"],
        &["history", "Not_Valid", "-n", "lh-a"],
    ];
    for tz in [KOLKATA, "UTC", "America/New_York", ""] {
        for args in cases {
            same(args, tz, secret);
        }
    }

    // The ConfigMap driver keeps its own records.
    helm(
        &["install", "cm-rel", &plain, "-n", "lh-b", csa],
        KOLKATA,
        "configmap",
    );
    for args in [
        &["list", "-n", "lh-b"][..],
        &["list", "-A", "-o", "json"],
        &["history", "cm-rel", "-n", "lh-b"],
    ] {
        same(args, KOLKATA, "configmap");
    }
}

#[test]
fn errors_before_listing_are_helms() {
    same(&["list", "--kube-context", "nope"], "UTC", "secret");
    same(&["history", "x", "--kube-context", "nope"], "UTC", "secret");
    // Helm 4.3 lists every state by default and has no `--all` any more.
    let err = run_err("helm", &["list", "--all"]);
    assert!(err.contains("unknown flag: --all"), "{err}");
    assert_eq!(ours(&["list", "--all"], "UTC", "secret").status, 1);
    let unknown = ours(&["list"], "UTC", "bogus");
    assert_eq!(unknown.status, 1);
    assert_eq!(unknown.stderr, "Error: unknown driver \"bogus\"\n");
}

#[test]
fn the_memory_driver_reads_its_data_files_and_needs_no_cluster() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("releases.yaml");
    std::fs::write(
        &data,
        "- name: web\n  namespace: default\n  version: 1\n  info:\n    status: superseded\n    \
         last_deployed: \"2024-03-01T10:00:00.5+05:30\"\n    description: Install complete\n  \
         chart: {metadata: {name: one, version: 0.1.0, appVersion: \"1.0\"}}\n\
         - name: web\n  namespace: default\n  version: 2\n  info:\n    status: deployed\n    \
         last_deployed: \"2024-03-02T10:00:00Z\"\n    description: Upgrade complete\n  \
         chart: {metadata: {name: one, version: 0.2.0}}\n\
         - name: other\n  namespace: elsewhere\n  version: 1\n  info: {status: failed}\n",
    )
    .expect("data file");
    let vars = |extra: &[(&str, &str)]| {
        let mut vars = vec![
            (
                "HOME".to_string(),
                cluster().dir().to_string_lossy().into_owned(),
            ),
            (
                "KUBECONFIG".to_string(),
                dir.path().join("none").to_string_lossy().into_owned(),
            ),
            ("TZ".to_string(), KOLKATA.to_string()),
            ("HELM_DRIVER".to_string(), "memory".to_string()),
        ];
        vars.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        vars
    };
    let with_data = vars(&[("HELM_MEMORY_DRIVER_DATA", &data.to_string_lossy())]);
    for args in [
        &["list"][..],
        &["list", "-n", "elsewhere", "-o", "json"],
        &["history", "web"],
        &["history", "web", "-o", "yaml"],
    ] {
        let theirs = reference_with(args, with_data.clone());
        assert_eq!(ours_with(args, with_data.clone()), theirs, "{args:?}");
    }
    // Helm's `list -A` wants a real cluster even over the memory driver,
    // then lists the loaded records of every namespace.
    let unreachable = ours_with(&["list", "-A"], with_data.clone());
    assert_eq!(
        unreachable,
        reference_with(&["list", "-A"], with_data.clone())
    );
    assert!(
        unreachable.stderr.contains("connect: connection refused"),
        "{unreachable:?}"
    );
    let mut connected = with_data.clone();
    connected.push((
        "KUBECONFIG".to_string(),
        cluster().kubeconfig().to_string_lossy().into_owned(),
    ));
    let theirs = reference_with(&["list", "-A"], connected.clone());
    assert!(theirs.stdout.contains("elsewhere"), "{theirs:?}");
    assert_eq!(ours_with(&["list", "-A"], connected), theirs);
    // Without data Helm stops before the command runs.
    let mine = ours_with(&["list"], vars(&[]));
    assert_eq!(mine.status, 1);
    assert_eq!(
        mine.stderr,
        "Error: Unable to read memory driver dataopen : no such file or directory\n"
    );
}
