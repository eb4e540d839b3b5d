//! The reference `helm` (4.3.1) against the test cluster: its release
//! storage (Secrets through client-go's protobuf typed client), discovery,
//! OpenAPI check and object creation.

mod common;

use std::path::{Path, PathBuf};

use common::{run_err, run_ok};

/// A chart with a ConfigMap and a Service, written under `dir`.
fn tiny_chart(dir: &Path) -> PathBuf {
    let chart = dir.join("tiny");
    std::fs::create_dir_all(chart.join("templates")).expect("chart dir");
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: tiny\nversion: 0.1.0\n",
    )
    .expect("Chart.yaml");
    std::fs::write(
        chart.join("templates/objects.yaml"),
        "apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-config
data:
  greeting: hello
---
apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}
spec:
  ports: [{port: 80}]
",
    )
    .expect("template");
    chart
}

#[test]
fn install_dry_run_server_renders_without_writing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let chart = tiny_chart(dir.path());
    let out = run_ok(
        "helm",
        &[
            "install",
            "dry",
            &chart.to_string_lossy(),
            "--dry-run=server",
        ],
    );
    assert!(out.contains("STATUS: pending-install\n"), "{out}");
    assert!(out.contains("DESCRIPTION: Dry run complete\n"), "{out}");
    let err = run_err("kubectl", &["get", "cm", "dry-config"]);
    assert!(err.contains("configmaps \"dry-config\" not found"), "{err}");
}

#[test]
fn client_side_install_list_and_uninstall() {
    let dir = tempfile::tempdir().expect("temp dir");
    let chart = tiny_chart(dir.path());
    run_ok("kubectl", &["create", "namespace", "releases"]);
    // Client-side apply, as Helm 3 did; Helm 4's default, server-side
    // apply, is tested in `helm_apply.rs`.
    let out = run_ok(
        "helm",
        &[
            "install",
            "web",
            &chart.to_string_lossy(),
            "-n",
            "releases",
            "--server-side=false",
        ],
    );
    assert!(out.contains("STATUS: deployed\n"), "{out}");
    let out = run_ok("helm", &["list", "-n", "releases", "-o", "json"]);
    assert!(out.contains("\"name\":\"web\""), "{out}");
    assert!(out.contains("\"status\":\"deployed\""), "{out}");
    let secrets = run_ok(
        "kubectl",
        &[
            "get",
            "secrets",
            "-n",
            "releases",
            "-l",
            "owner=helm,name=web",
            "-o",
            "name",
        ],
    );
    assert_eq!(secrets, "secret/sh.helm.release.v1.web.v1\n");
    let data = run_ok(
        "kubectl",
        &[
            "get",
            "cm",
            "web-config",
            "-n",
            "releases",
            "-o",
            "jsonpath={.data.greeting}",
        ],
    );
    assert_eq!(data, "hello");
    let out = run_ok("helm", &["uninstall", "web", "-n", "releases"]);
    assert_eq!(out, "release \"web\" uninstalled\n");
    let out = run_ok("helm", &["list", "-n", "releases", "-q"]);
    assert_eq!(out, "");
    let err = run_err("kubectl", &["get", "svc", "web", "-n", "releases"]);
    assert!(err.contains("services \"web\" not found"), "{err}");
}
