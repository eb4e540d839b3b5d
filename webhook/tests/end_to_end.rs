//! The webhook registered with the test cluster as the manifests register
//! it, with the reference `helm` and `kubectl` writing through it.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use base64::Engine as _;
use common::{Harness, SERVICE_NAME, SERVICE_NAMESPACE};
use serde_json::{Value, json};

/// The directory of the reference binaries, fetched by the repository's
/// script (which prints the `helm` path).
fn reference_dir() -> PathBuf {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/fetch-reference-helm.sh");
    let out = Command::new("bash")
        .arg(&script)
        .output()
        .expect("fetch script");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let helm = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    helm.parent().expect("a directory").to_path_buf()
}

fn run(h: &Harness, binary: &str, args: &[&str]) -> Output {
    Command::new(reference_dir().join(binary))
        .args(args)
        .env("KUBECONFIG", h.cluster.kubeconfig())
        .env("HOME", h.cluster.dir())
        .env_remove("HELM_NAMESPACE")
        .env_remove("HELM_DRIVER")
        .output()
        .expect("the reference binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Registers the webhook as `manifests/` does, trusting the test CA.
fn register(h: &Harness) {
    h.cluster
        .admission()
        .route_service(SERVICE_NAMESPACE, SERVICE_NAME, h.address);
    let yaml = include_str!("../../manifests/validatingwebhookconfiguration.yaml");
    let value = helm::codec::yaml::from_str(yaml).expect("YAML");
    let mut config: Value =
        serde_json::from_str(&helm::codec::json::to_string(&value).expect("JSON")).expect("JSON");
    let ca = base64::engine::general_purpose::STANDARD.encode(&h.ca_pem);
    for webhook in config["webhooks"].as_array_mut().expect("webhooks") {
        webhook["clientConfig"]["caBundle"] = json!(ca);
    }
    h.create(&config);
}

/// A chart `web` with one ConfigMap named after the release.
fn chart(h: &Harness) -> PathBuf {
    let dir = h.cluster.dir().join("web");
    std::fs::create_dir_all(dir.join("templates")).expect("chart dir");
    std::fs::write(
        dir.join("Chart.yaml"),
        "apiVersion: v2\nname: web\nversion: 1.0.0\n",
    )
    .expect("Chart.yaml");
    std::fs::write(
        dir.join("templates/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-config\ndata:\n  k: v\n",
    )
    .expect("template");
    dir
}

#[test]
fn helm_and_kubectl_through_the_webhook() {
    let h = Harness::start();
    h.namespace("shop");
    register(&h);
    let chart = chart(&h);
    let chart = chart.to_str().expect("UTF-8 path");

    let out = run(&h, "helm", &["install", "web", chart, "-n", "shop"]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    // An outside edit is warned by default.
    let patch = [
        "patch",
        "configmap",
        "web-config",
        "-n",
        "shop",
        "-p",
        r#"{"data":{"k":"edited"}}"#,
    ];
    let out = run(&h, "kubectl", &patch);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("Warning: [managedObjects] ConfigMap \"web-config\" in namespace \"shop\" is managed by release \"web\""),
        "{stderr}"
    );

    // A chart the policy does not allow is refused before anything exists.
    h.policy(
        "only-db",
        json!({"charts": {"mode": "enforce", "allow": [{"name": "db"}]}}),
    );
    let out = run(&h, "helm", &["install", "shop2", chart, "-n", "shop"]);
    assert!(!out.status.success(), "the install was allowed");
    let stderr = text(&out.stderr);
    assert!(stderr.contains("[charts] "), "{stderr}");
    assert!(stderr.contains("(ChartPolicy only-db)"), "{stderr}");
    let out = run(
        &h,
        "kubectl",
        &["get", "configmap", "shop2-config", "-n", "shop"],
    );
    assert!(!out.status.success(), "the chart's object exists");
    let out = run(
        &h,
        "kubectl",
        &["get", "secrets", "-n", "shop", "-o", "name"],
    );
    assert_eq!(
        text(&out.stdout).trim(),
        "secret/sh.helm.release.v1.web.v1",
        "no record of the refused release is left: {}",
        text(&out.stderr)
    );

    // With a policy enforcing managedObjects the edit is denied.
    h.policy("strict", json!({"managedObjects": {"mode": "enforce"}}));
    let out = run(&h, "kubectl", &patch);
    assert!(!out.status.success(), "the edit was allowed");
    let stderr = text(&out.stderr);
    assert!(stderr.contains("[managedObjects] "), "{stderr}");
    assert!(stderr.contains("(ChartPolicy strict)"), "{stderr}");
}
