//! The reference `kubectl` against the test cluster: what it prints is
//! what it would print against kube-apiserver.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use common::{cluster, run_err, run_ok};

fn kubectl_ok(args: &[&str]) -> String {
    run_ok("kubectl", args)
}

fn kubectl_err(args: &[&str]) -> String {
    run_err("kubectl", args)
}

#[test]
fn version_reports_the_server() {
    let out = kubectl_ok(&["version"]);
    assert!(out.contains("Server Version: v1.37.0"), "{out}");
}

#[test]
fn get_namespaces_lists_the_initial_ones() {
    let out = kubectl_ok(&["get", "ns", "-o", "name"]);
    for ns in ["default", "kube-public", "kube-system"] {
        assert!(out.contains(&format!("namespace/{ns}\n")), "{out}");
    }
}

#[test]
fn missing_objects_are_reported_as_the_api_server_words_it() {
    let err = kubectl_err(&["get", "cm", "nothing-here"]);
    assert_eq!(
        err,
        "Error from server (NotFound): configmaps \"nothing-here\" not found\n"
    );
    let err = kubectl_err(&["get", "deploy", "nothing-here", "-n", "kube-system"]);
    assert_eq!(
        err,
        "Error from server (NotFound): deployments.apps \"nothing-here\" not found\n"
    );
}

#[test]
fn apply_creates_and_delete_deletes_a_deployment() {
    let dir = tempfile::tempdir().expect("temp dir");
    let manifest = dir.path().join("deploy.yaml");
    std::fs::write(
        &manifest,
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx}]
",
    )
    .expect("manifest written");
    let manifest = manifest.to_string_lossy();
    let out = kubectl_ok(&["apply", "-f", &manifest]);
    assert_eq!(out, "deployment.apps/web created\n");
    let yaml = kubectl_ok(&["get", "deploy", "web", "-o", "yaml"]);
    assert!(yaml.contains("  generation: 1\n"), "{yaml}");
    assert!(
        yaml.contains("kubectl.kubernetes.io/last-applied-configuration"),
        "{yaml}"
    );
    let out = kubectl_ok(&["delete", "-f", &manifest]);
    assert_eq!(
        out,
        "deployment.apps \"web\" deleted from default namespace\n"
    );
    let err = kubectl_err(&["get", "deploy", "web"]);
    assert!(err.contains("deployments.apps \"web\" not found"), "{err}");
}

#[test]
fn create_configmap_then_get_it_as_yaml() {
    // kubectl's typed client sends this as protobuf.
    let out = kubectl_ok(&["create", "configmap", "x", "--from-literal=a=b"]);
    assert_eq!(out, "configmap/x created\n");
    let yaml = kubectl_ok(&["get", "cm", "x", "-o", "yaml"]);
    assert!(
        yaml.starts_with(
            "apiVersion: v1\ndata:\n  a: b\nkind: ConfigMap\nmetadata:\n  creationTimestamp: \""
        ),
        "{yaml}"
    );
    assert!(
        yaml.contains("\n  name: x\n  namespace: default\n  resourceVersion: \""),
        "{yaml}"
    );
    assert!(!yaml.contains("generateName"), "{yaml}");
    let err = kubectl_err(&["create", "configmap", "x", "--from-literal=a=b"]);
    assert_eq!(
        err,
        "error: failed to create configmap: configmaps \"x\" already exists\n"
    );
}

#[test]
fn namespaces_are_created_and_required() {
    let err = kubectl_err(&["create", "configmap", "y", "-n", "not-yet"]);
    assert_eq!(
        err,
        "error: failed to create configmap: namespaces \"not-yet\" not found\n"
    );
    kubectl_ok(&["create", "namespace", "not-yet"]);
    let out = kubectl_ok(&["create", "configmap", "y", "-n", "not-yet"]);
    assert_eq!(out, "configmap/y created\n");
    let out = kubectl_ok(&[
        "get",
        "ns",
        "not-yet",
        "-o",
        "jsonpath={.status.phase} {.metadata.labels}",
    ]);
    assert_eq!(out, "Active {\"kubernetes.io/metadata.name\":\"not-yet\"}");
}

#[test]
fn label_selectors_filter_lists() {
    kubectl_ok(&["create", "namespace", "labelled"]);
    for (name, owner) in [("a", "helm"), ("b", "someone"), ("c", "helm")] {
        kubectl_ok(&[
            "create",
            "secret",
            "generic",
            name,
            "-n",
            "labelled",
            "--from-literal=k=v",
        ]);
        kubectl_ok(&[
            "label",
            "secret",
            name,
            "-n",
            "labelled",
            &format!("owner={owner}"),
        ]);
    }
    let out = kubectl_ok(&[
        "get",
        "secrets",
        "-l",
        "owner=helm",
        "-n",
        "labelled",
        "-o",
        "name",
    ]);
    assert_eq!(out, "secret/a\nsecret/c\n");
    let out = kubectl_ok(&[
        "get",
        "secrets",
        "-l",
        "owner notin (helm)",
        "-A",
        "-o",
        "name",
    ]);
    assert_eq!(out, "secret/b\n");
    let out = kubectl_ok(&["delete", "secrets", "-l", "owner", "-n", "labelled"]);
    assert_eq!(
        out,
        "secret \"a\" deleted from labelled namespace\nsecret \"b\" deleted from labelled namespace\nsecret \"c\" deleted from labelled namespace\n"
    );
}

#[test]
fn a_client_without_a_certificate_is_unauthorized() {
    let kubeconfig = std::fs::read_to_string(cluster().kubeconfig()).expect("kubeconfig");
    // A token the cluster does not know instead of the certificate (with no
    // credentials at all kubectl would prompt for a password).
    let anonymous: String = kubeconfig
        .lines()
        .filter(|line| !line.contains("client-key-data"))
        .map(|line| {
            if line.contains("client-certificate-data") {
                "    token: not-a-token\n".to_owned()
            } else {
                format!("{line}\n")
            }
        })
        .collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("anonymous");
    std::fs::write(&path, anonymous).expect("written");
    // A HOME of its own: with the other tests' discovery cache kubectl
    // would skip discovery and word the 401 differently.
    let out = Command::new(common::reference_dir().join("kubectl"))
        .args(["get", "ns", "--kubeconfig"])
        .arg(&path)
        .env("HOME", dir.path())
        .output()
        .expect("kubectl runs");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    // kubectl words a 401 this way, after logging each failed discovery.
    assert!(
        err.ends_with(
            "\nerror: You must be logged in to the server \
             (the server has asked for the client to provide credentials)\n"
        ),
        "{err}"
    );
}

#[test]
fn field_selectors_and_pages() {
    kubectl_ok(&["create", "namespace", "paged"]);
    for name in ["p1", "p2", "p3"] {
        kubectl_ok(&["create", "configmap", name, "-n", "paged"]);
    }
    let out = kubectl_ok(&[
        "get",
        "cm",
        "-n",
        "paged",
        "--field-selector",
        "metadata.name!=p2",
        "-o",
        "name",
    ]);
    assert_eq!(out, "configmap/p1\nconfigmap/p3\n");
    // kubectl follows `continue` tokens until the list is complete.
    let out = kubectl_ok(&["get", "cm", "-n", "paged", "--chunk-size=1", "-o", "name"]);
    assert_eq!(out, "configmap/p1\nconfigmap/p2\nconfigmap/p3\n");
    let err = run_err(
        "kubectl",
        &["get", "cm", "-n", "paged", "--field-selector", "data.x=1"],
    );
    assert_eq!(
        err,
        "Error from server (BadRequest): Unable to find \"/v1, Resource=configmaps\" that match \
         label selector \"\", field selector \"data.x=1\": field label not supported: data.x\n"
    );
}

#[test]
fn replace_with_a_stale_resource_version_conflicts() {
    kubectl_ok(&["create", "configmap", "replaced", "--from-literal=v=1"]);
    let json = kubectl_ok(&["get", "cm", "replaced", "-o", "json"]);
    let dir = tempfile::tempdir().expect("temp dir");
    let first = dir.path().join("first.json");
    std::fs::write(&first, json.replace("\"v\": \"1\"", "\"v\": \"2\"")).expect("written");
    let out = kubectl_ok(&["replace", "-f", &first.to_string_lossy()]);
    assert_eq!(out, "configmap/replaced replaced\n");
    // The same resourceVersion again: someone else's change came first.
    let second = dir.path().join("second.json");
    std::fs::write(&second, json.replace("\"v\": \"1\"", "\"v\": \"3\"")).expect("written");
    let err = run_err("kubectl", &["replace", "-f", &second.to_string_lossy()]);
    assert_eq!(
        err,
        "Error from server (Conflict): error when replacing \"".to_owned()
            + &second.to_string_lossy()
            + "\": Operation cannot be fulfilled on configmaps \"replaced\": the object has been \
               modified; please apply your changes to the latest version and try again\n"
    );
    let value = kubectl_ok(&["get", "cm", "replaced", "-o", "jsonpath={.data.v}"]);
    assert_eq!(value, "2");
}

#[test]
fn merge_and_json_patches() {
    kubectl_ok(&["create", "configmap", "patched", "--from-literal=a=1"]);
    let out = kubectl_ok(&[
        "patch",
        "cm",
        "patched",
        "--type=merge",
        "-p",
        r#"{"data":{"b":"2"}}"#,
    ]);
    assert_eq!(out, "configmap/patched patched\n");
    kubectl_ok(&[
        "patch",
        "cm",
        "patched",
        "--type=json",
        "-p",
        r#"[{"op":"remove","path":"/data/a"}]"#,
    ]);
    let data = kubectl_ok(&["get", "cm", "patched", "-o", "jsonpath={.data}"]);
    assert_eq!(data, r#"{"b":"2"}"#);
    let err = run_err(
        "kubectl",
        &[
            "patch",
            "cm",
            "patched",
            "--type=json",
            "-p",
            r#"[{"op":"test","path":"/data/b","value":"9"}]"#,
        ],
    );
    assert!(err.starts_with("The request is invalid: "), "{err}");
}

#[test]
fn server_dry_run_writes_nothing() {
    let out = kubectl_ok(&[
        "create",
        "configmap",
        "dry",
        "--dry-run=server",
        "-o",
        "name",
    ]);
    assert_eq!(out, "configmap/dry\n");
    let err = run_err("kubectl", &["get", "cm", "dry"]);
    assert_eq!(
        err,
        "Error from server (NotFound): configmaps \"dry\" not found\n"
    );
}

/// Kills the server however the test ends.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The `test-cluster` binary serves until killed, with its kubeconfig
/// where it was asked to write one.
#[test]
fn the_binary_serves_and_writes_the_kubeconfig_it_is_given() {
    let dir = tempfile::tempdir().expect("temp dir");
    let kubeconfig = dir.path().join("config");
    let mut child = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_test-cluster"))
            .arg(&kubeconfig)
            .stdout(Stdio::piped())
            .spawn()
            .expect("test-cluster starts"),
    );
    let mut line = String::new();
    let stdout = child.0.stdout.take().expect("stdout is piped");
    BufReader::new(stdout).read_line(&mut line).expect("a line");
    assert!(line.starts_with("serving https://127.0.0.1:"), "{line}");
    assert!(
        line.ends_with(&format!("(kubeconfig {})\n", kubeconfig.display())),
        "{line}"
    );
    let out = Command::new(common::reference_dir().join("kubectl"))
        .args(["get", "ns", "default", "-o", "name", "--kubeconfig"])
        .arg(&kubeconfig)
        .env("HOME", dir.path())
        .output()
        .expect("kubectl runs");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "namespace/default\n");
}
