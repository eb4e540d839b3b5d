//! `kubectl helm install`, `uninstall`, `status` and `get` against the
//! reference `helm` on the test cluster.
//!
//! Two ways of comparing: both binaries install the same chart under
//! twin names (`oNAME` ours, `rNAME` theirs) and every output must agree
//! once the names, clocks and ages are masked; or one binary installs and
//! both read the same release, which must agree byte for byte (ages
//! masked). The objects written must carry the same metadata and managed
//! fields, and failures (hooks, waits, namespaces, ownership, admission)
//! must read the same and leave the same records.

mod common;
// Shared with the admission tests, which use all of it.
#[allow(dead_code)]
mod webhook_server;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::{cluster, reference_dir, run_err, run_ok};
use regex::Regex;
use serde_json::{Value, json};
use webhook_server::WebhookServer;

/// What a command printed and how it ended.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    status: i32,
    stdout: String,
    stderr: String,
}

fn env() -> Vec<(String, String)> {
    vec![
        (
            "KUBECONFIG".into(),
            cluster().kubeconfig().to_string_lossy().into_owned(),
        ),
        (
            "HOME".into(),
            cluster().dir().to_string_lossy().into_owned(),
        ),
        ("TZ".into(), "UTC".into()),
    ]
}

fn theirs(args: &[&str]) -> Outcome {
    let out = Command::new(reference_dir().join("helm"))
        .args(args)
        .env_clear()
        .envs(env())
        .output()
        .expect("helm runs");
    Outcome {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn ours(args: &[&str]) -> Outcome {
    let vars: BTreeMap<String, String> = env().into_iter().collect();
    let argv = std::iter::once("kubectl-helm").chain(args.iter().copied());
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let status = kubectl_helm::run_with_env(argv, &vars, &mut stdout, &mut stderr);
    Outcome {
        status: i32::from(status),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// Clocks, ages and the suffixes of generated pod names, which no two
/// runs share.
fn mask(text: &str) -> String {
    static MASKS: OnceLock<Vec<(Regex, &'static str)>> = OnceLock::new();
    let masks = MASKS.get_or_init(|| {
        [
            (r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", "TIME"),
            (
                r"[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}",
                "TIME",
            ),
            (r"(?m)   (\d+[smhdy])+$", "   AGE"),
            (
                r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                "UID",
            ),
            (r#"resourceVersion: "\d+""#, "resourceVersion: RV"),
            (r#""resourceVersion":"\d+""#, "\"resourceVersion\":RV"),
        ]
        .into_iter()
        .map(|(re, to)| (Regex::new(re).expect("mask regex"), to))
        .collect()
    });
    masks.iter().fold(text.to_string(), |t, (re, to)| {
        re.replace_all(&t, *to).into_owned()
    })
}

/// The outcome with twin names folded to `X` and the rest masked.
fn folded(outcome: Outcome, name: &str) -> Outcome {
    let fold = |t: &str| mask(&t.replace(name, "X"));
    Outcome {
        status: outcome.status,
        stdout: fold(&outcome.stdout),
        stderr: fold(&outcome.stderr),
    }
}

/// Runs `args` (`{r}` standing for the release name) with ours on `oNAME`
/// and theirs on `rNAME`; the outputs must agree. Returns ours.
fn twin(name: &str, args: &[&str]) -> Outcome {
    let (o, r) = (format!("o{name}"), format!("r{name}"));
    let with = |n: &str| -> Vec<String> { args.iter().map(|a| a.replace("{r}", n)).collect() };
    let (oa, ra) = (with(&o), with(&r));
    let mine = folded(ours(&oa.iter().map(String::as_str).collect::<Vec<_>>()), &o);
    let reference = folded(
        theirs(&ra.iter().map(String::as_str).collect::<Vec<_>>()),
        &r,
    );
    assert_eq!(mine, reference, "kubectl helm {args:?}");
    mine
}

/// Both binaries run `args` on the same release and print the same.
fn same(args: &[&str]) -> Outcome {
    let mine = ours(args);
    let reference = theirs(args);
    let masked = |o: &Outcome| (o.status, mask(&o.stdout), mask(&o.stderr));
    assert_eq!(masked(&mine), masked(&reference), "kubectl helm {args:?}");
    mine
}

/// An object as `kubectl` shows it, with its managed fields, the parts no
/// two objects share blanked and `name` folded to `X`.
fn object(kind: &str, object_name: &str, namespace: &str, name: &str) -> Value {
    let mut args = vec![
        "get",
        kind,
        object_name,
        "-o",
        "json",
        "--show-managed-fields",
    ];
    if !namespace.is_empty() {
        args.extend(["-n", namespace]);
    }
    let text = run_ok("kubectl", &args);
    let text = mask(&text.replace(name, "X"));
    let mut value: Value = serde_json::from_str(&text).expect("kubectl prints JSON");
    for field in ["uid", "resourceVersion"] {
        value["metadata"][field] = json!(field);
    }
    value
}

/// Writes a chart named `name` with `files` (path, text) under `dir`.
fn chart(dir: &Path, name: &str, files: &[(&str, &str)]) -> PathBuf {
    let root = dir.join(name);
    std::fs::create_dir_all(root.join("templates")).expect("chart dir");
    std::fs::write(
        root.join("Chart.yaml"),
        format!("apiVersion: v2\nname: {name}\nversion: 0.1.0\nappVersion: \"1.0\"\n"),
    )
    .expect("Chart.yaml");
    for (path, text) in files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("dir");
        std::fs::write(path, text).expect("chart file");
    }
    root
}

const CONFIG_MAPS: &str = "\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-cm
data:
  greeting: {{ .Values.greeting | quote }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-kept
  annotations:
    helm.sh/resource-policy: keep
data: {}
";

fn basic(dir: &Path) -> String {
    chart(
        dir,
        "basic",
        &[
            ("values.yaml", "greeting: hello\n"),
            ("templates/cm.yaml", CONFIG_MAPS),
            ("templates/NOTES.txt", "Installed {{ .Release.Name }}.\n"),
        ],
    )
    .to_string_lossy()
    .into_owned()
}

#[test]
fn installs_read_and_uninstall_as_helm_does() {
    let dir = tempfile::tempdir().expect("temp dir");
    let c = basic(dir.path());
    for (name, method) in [
        ("basic-ssa", "--server-side=true"),
        ("basic-csa", "--server-side=false"),
    ] {
        let out = twin(
            name,
            &[
                "install",
                "{r}",
                &c,
                "--set",
                "greeting=hi",
                method,
                "--labels",
                "team=a",
            ],
        );
        assert_eq!(out.status, 0, "{}", out.stderr);
        assert!(out.stdout.contains("STATUS: deployed"), "{}", out.stdout);
        // The objects carry the same metadata, written by the same manager.
        for suffix in ["cm", "kept"] {
            let (o, r) = (format!("o{name}"), format!("r{name}"));
            assert_eq!(
                object("configmap", &format!("{o}-{suffix}"), "default", &o),
                object("configmap", &format!("{r}-{suffix}"), "default", &r),
            );
        }
        for args in [
            &["status", "{r}"][..],
            &["status", "{r}", "-o", "yaml"],
            &["get", "all", "{r}"],
            &["get", "values", "{r}"],
            &["get", "values", "{r}", "--all", "-o", "json"],
            &["get", "manifest", "{r}"],
            &["get", "hooks", "{r}"],
            &["get", "notes", "{r}", "--revision", "1"],
            &["history", "{r}"],
        ] {
            twin(name, args);
        }
        // Each reads the other's release as the other does.
        for release in [format!("o{name}"), format!("r{name}")] {
            same(&["status", &release, "-o", "json"]);
            same(&["get", "all", &release]);
        }
        twin(name, &["uninstall", "{r}", "--dry-run"]);
        let out = twin(name, &["uninstall", "{r}"]);
        assert!(out.stdout.starts_with("These resources were kept due to the resource policy:\n[ConfigMap] X-kept\n\nrelease \"X\" uninstalled\n"), "{}", out.stdout);
        twin(name, &["status", "{r}"]);
        twin(name, &["uninstall", "{r}"]);
        twin(name, &["uninstall", "{r}", "--ignore-not-found"]);
        twin(name, &["uninstall", "{r}", "--dry-run"]);
        twin(
            name,
            &["uninstall", "{r}", "--dry-run", "--ignore-not-found"],
        );
    }
}

#[test]
fn names_in_use_replace_and_keep_history_follow_helm() {
    let dir = tempfile::tempdir().expect("temp dir");
    let c = basic(dir.path());
    let name = "reuse";
    assert_eq!(twin(name, &["install", "{r}", &c]).status, 0);
    assert_eq!(twin(name, &["install", "{r}", &c]).status, 1);
    twin(
        name,
        &["uninstall", "{r}", "--keep-history", "--description", "bye"],
    );
    twin(name, &["uninstall", "{r}", "--keep-history"]);
    twin(name, &["history", "{r}"]);
    assert_eq!(twin(name, &["install", "{r}", &c]).status, 1);
    assert_eq!(twin(name, &["install", "{r}", &c, "--replace"]).status, 0);
    twin(name, &["history", "{r}"]);
    twin(name, &["status", "{r}", "--revision", "1", "-o", "json"]);
    twin(name, &["uninstall", "{r}"]);
    twin(name, &["uninstall", "{r}", "--cascade", "sideways"]);
}

#[test]
fn the_other_binary_installs_and_we_read_and_uninstall() {
    let dir = tempfile::tempdir().expect("temp dir");
    let c = basic(dir.path());
    let out = theirs(&[
        "install", "theirs-1", &c, "-n", "default", "--labels", "team=x",
    ]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    for args in [
        &["status", "theirs-1"][..],
        &["get", "all", "theirs-1"],
        &["get", "values", "theirs-1", "--all"],
        &["get", "metadata", "theirs-1"],
        &["get", "metadata", "theirs-1", "-o", "json"],
        &["get", "metadata", "theirs-1", "-o", "yaml"],
        &["get", "metadata", "theirs-1", "--revision", "1"],
        // Other tests install into the same namespace at the same time.
        &["list", "--filter", "^theirs-1$"],
    ] {
        same(args);
    }
    let out = ours(&["uninstall", "theirs-1"]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let gone = theirs(&["status", "theirs-1"]);
    assert_eq!(gone.stderr, "Error: release: not found\n");
}

#[test]
fn hooks_run_in_order_and_their_failures_read_as_helm() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hooks = "\
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ .Release.Name }}-pre
  annotations:
    helm.sh/hook: pre-install
    helm.sh/hook-weight: \"1\"
    test.kubectl-helm.io/ready-after: 300ms
    test.kubectl-helm.io/outcome: {{ .Values.outcome }}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: c
        image: busybox
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-post
  annotations:
    helm.sh/hook: post-install,pre-delete
    helm.sh/hook-delete-policy: hook-succeeded
data: {}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-first
  annotations:
    helm.sh/hook: pre-install
    helm.sh/hook-weight: \"-5\"
data: {}
";
    let c = chart(
        dir.path(),
        "hooked",
        &[
            ("values.yaml", "outcome: ready\n"),
            ("templates/hooks.yaml", hooks),
            (
                "templates/main.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-main\ndata: {}\n",
            ),
        ],
    );
    let c = c.to_string_lossy();
    assert_eq!(twin("hooks-ok", &["install", "{r}", &c]).status, 0);
    twin("hooks-ok", &["get", "hooks", "{r}"]);
    twin("hooks-ok", &["uninstall", "{r}"]);
    let out = twin(
        "hooks-fail",
        &["install", "{r}", &c, "--set", "outcome=fail"],
    );
    assert_eq!(
        out.stderr,
        "Error: INSTALLATION FAILED: failed pre-install: resource Job/default/X-pre not ready. \
         status: Failed, message: Job Failed. failed: 1/1\n"
    );
    twin("hooks-fail", &["history", "{r}"]);
    // The main ConfigMap was never created.
    let err = run_err("kubectl", &["get", "configmap", "ohooks-fail-main"]);
    assert!(err.contains("not found"), "{err}");
    assert_eq!(
        twin(
            "hooks-skip",
            &["install", "{r}", &c, "--set", "outcome=fail", "--no-hooks"]
        )
        .status,
        0
    );
    twin("hooks-skip", &["uninstall", "{r}", "--no-hooks"]);
}

#[test]
fn waits_time_out_and_roll_back_as_helm_does() {
    let dir = tempfile::tempdir().expect("temp dir");
    let deployment = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-web
  annotations:
    test.kubectl-helm.io/ready-after: 300ms
    test.kubectl-helm.io/outcome: {{ .Values.outcome }}
spec:
  replicas: 1
  selector:
    matchLabels: {app: {{ .Release.Name }}}
  template:
    metadata:
      labels: {app: {{ .Release.Name }}}
    spec:
      containers:
      - name: c
        image: nginx
";
    let c = chart(
        dir.path(),
        "web",
        &[
            ("values.yaml", "outcome: ready\n"),
            ("templates/d.yaml", deployment),
        ],
    );
    let c = c.to_string_lossy();
    assert_eq!(
        twin(
            "wait-ok",
            &["install", "{r}", &c, "--wait", "--timeout", "20s"]
        )
        .status,
        0
    );
    // The related pods' names are random: compare the same release. (The
    // table lists its groups in Go's random map order; JSON sorts them.)
    same(&["status", "owait-ok", "-o", "json"]);
    same(&["status", "rwait-ok", "-o", "json"]);
    twin("wait-ok", &["uninstall", "{r}", "--wait"]);
    let never = ["--set", "outcome=never-ready", "--timeout", "2s"];
    let out = twin(
        "wait-never",
        &[&["install", "{r}", &c, "--wait"][..], &never].concat(),
    );
    assert_eq!(
        out.stderr,
        "Error: INSTALLATION FAILED: resource Deployment/default/X-web not ready. status: \
         InProgress, message: Available: 0/1\ncontext deadline exceeded\n"
    );
    twin("wait-never", &["history", "{r}"]);
    let out = twin(
        "wait-atomic",
        &[
            &["install", "{r}", &c, "--wait", "--rollback-on-failure"][..],
            &never,
        ]
        .concat(),
    );
    assert!(
        out.stderr
            .contains("has been uninstalled due to rollback-on-failure being set"),
        "{}",
        out.stderr
    );
    twin("wait-atomic", &["history", "{r}"]);
    let out = twin(
        "wait-legacy",
        &[&["install", "{r}", &c, "--wait=legacy"][..], &never].concat(),
    );
    assert_eq!(
        out.stderr,
        "Error: INSTALLATION FAILED: context deadline exceeded\n"
    );
}

#[test]
fn namespaces_ownership_and_admission_fail_as_helm_does() {
    let dir = tempfile::tempdir().expect("temp dir");
    let c = basic(dir.path());
    let out = twin("nsless", &["install", "{r}", &c, "-n", "no-such-namespace"]);
    assert_eq!(
        out.stderr,
        "Error: INSTALLATION FAILED: create: failed to create: namespaces \"no-such-namespace\" not found\n"
    );
    twin(
        "nsmade",
        &["install", "{r}", &c, "-n", "{r}-ns", "--create-namespace"],
    );
    assert_eq!(
        object("namespace", "onsmade-ns", "", "onsmade"),
        object("namespace", "rnsmade-ns", "", "rnsmade"),
    );
    // Objects made by someone else are refused, then taken over on request.
    for twin_name in ["otaken", "rtaken"] {
        run_ok(
            "kubectl",
            &["create", "configmap", &format!("{twin_name}-cm")],
        );
    }
    let out = twin("taken", &["install", "{r}", &c]);
    assert!(
        out.stderr.contains(
            "exists and cannot be imported into the current release: invalid ownership metadata"
        ),
        "{}",
        out.stderr
    );
    assert_eq!(
        twin("taken", &["install", "{r}", &c, "--take-ownership"]).status,
        0
    );
    assert_eq!(
        object("configmap", "otaken-cm", "default", "otaken"),
        object("configmap", "rtaken-cm", "default", "rtaken"),
    );
    // A webhook that forbids the ConfigMap.
    static WEBHOOK: OnceLock<WebhookServer> = OnceLock::new();
    let webhook = WEBHOOK.get_or_init(WebhookServer::start);
    let ns = "install-denied";
    run_ok("kubectl", &["create", "namespace", ns]);
    let configuration = json!({
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingWebhookConfiguration",
        "metadata": {"name": ns},
        "webhooks": [{
            "name": "deny.example.com",
            "clientConfig": {"url": webhook.url("/deny-forbidden"), "caBundle": webhook.ca_bundle()},
            "rules": [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"], "resources": ["configmaps"]}],
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": ns}},
            "sideEffects": "None",
            "admissionReviewVersions": ["v1"],
        }],
    });
    let file = dir.path().join("webhook.json");
    std::fs::write(&file, configuration.to_string()).expect("writes");
    run_ok("kubectl", &["apply", "-f", &file.to_string_lossy()]);
    let out = twin(
        "denied",
        &["install", "{r}", &c, "-n", ns, "--server-side=false"],
    );
    assert!(out.stderr.contains("denied the request"), "{}", out.stderr);
    // Both asked the webhook about the same objects, the same way.
    let reviews: Vec<(String, String)> = webhook
        .received_in(ns)
        .iter()
        .map(|r| {
            let request = &r.review["request"];
            let name = request["name"].as_str().unwrap_or_default();
            (
                format!("{} {}", r.path, request["operation"]),
                name.replacen("odenied", "X", 1).replacen("rdenied", "X", 1),
            )
        })
        .collect();
    assert_eq!(reviews.len(), 4, "{reviews:?}");
    // Helm creates objects of one kind concurrently, in no set order.
    let (mut mine, mut reference) = (reviews[..2].to_vec(), reviews[2..].to_vec());
    mine.sort();
    reference.sort();
    assert_eq!(mine, reference);
    twin("denied", &["history", "{r}", "-n", ns]);
}
