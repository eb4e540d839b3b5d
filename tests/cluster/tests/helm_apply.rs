//! The reference `helm` (4.3.1) with its default, server-side apply
//! (field manager `helm`), against the test cluster: install, upgrades that
//! change and remove fields, rollback and uninstall, with the objects and
//! `managedFields` a kube-apiserver would store.

mod common;
mod managed;

use std::path::{Path, PathBuf};

use common::{run_err, run_ok};
use managed::{get, managers};
use serde_json::{Value, json};

/// A chart whose values switch a ConfigMap key, a label and the replicas.
fn chart(dir: &Path) -> PathBuf {
    let chart = dir.join("ssa");
    std::fs::create_dir_all(chart.join("templates")).expect("chart dir");
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: ssa\nversion: 0.1.0\n",
    )
    .expect("Chart.yaml");
    std::fs::write(
        chart.join("values.yaml"),
        "replicas: 1\nextraKey: true\ntier: front\nimage: nginx:1\n",
    )
    .expect("values.yaml");
    std::fs::write(
        chart.join("templates/objects.yaml"),
        "apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-config
data:
  kept: same
{{- if .Values.extraKey }}
  extra: here
{{- end }}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
  labels:
    app: web
{{- with .Values.tier }}
    tier: {{ . }}
{{- end }}
spec:
  replicas: {{ .Values.replicas }}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: {{ .Values.image }}
        ports: [{containerPort: 80}]
",
    )
    .expect("template");
    chart
}

/// What `helm` owns of the ConfigMap: the data it applied and the
/// ownership metadata it adds to every object.
fn config_fields(extra: bool) -> Value {
    let mut data = json!({"f:kept": {}});
    if extra {
        data["f:extra"] = json!({});
    }
    json!({
        "f:data": data,
        "f:metadata": {
            "f:annotations": {"f:meta.helm.sh/release-name": {}, "f:meta.helm.sh/release-namespace": {}},
            "f:labels": {"f:app.kubernetes.io/managed-by": {}}
        }
    })
}

#[test]
fn install_upgrade_rollback_uninstall_with_server_side_apply() {
    let dir = tempfile::tempdir().expect("temp dir");
    let chart = chart(dir.path());
    let chart = chart.to_string_lossy();
    let ns = "helm-ssa";
    run_ok("kubectl", &["create", "namespace", ns]);

    let out = run_ok("helm", &["install", "rel", &chart, "-n", ns]);
    assert!(out.contains("STATUS: deployed\n"), "{out}");
    let config = get("cm", "rel-config", ns);
    assert_eq!(config["data"], json!({"kept": "same", "extra": "here"}));
    assert_eq!(
        managers(&config),
        [json!(["helm", "Apply", config_fields(true)])]
    );
    let deploy = get("deploy", "rel", ns);
    assert_eq!(deploy["metadata"]["labels"]["tier"], "front");
    let entries = managers(&deploy);
    assert_eq!(entries.len(), 1);
    assert_eq!(
        (&entries[0][0], &entries[0][1]),
        (&json!("helm"), &json!("Apply"))
    );
    assert_eq!(
        entries[0][2]["f:spec"]["f:template"]["f:spec"],
        json!({"f:containers": {"k:{\"name\":\"web\"}": {
            ".": {}, "f:image": {}, "f:name": {},
            "f:ports": {"k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {".": {}, "f:containerPort": {}}}
        }}})
    );

    // Someone scales by hand: the upgrade that sets replicas conflicts
    // unless forced, as Helm 4 reports.
    run_ok(
        "kubectl",
        &[
            "patch",
            "deploy",
            "rel",
            "-n",
            ns,
            "--type",
            "merge",
            "-p",
            r#"{"spec":{"replicas":5}}"#,
        ],
    );
    let err = run_err(
        "helm",
        &["upgrade", "rel", &chart, "-n", ns, "--set", "replicas=2"],
    );
    assert!(
        err.contains("conflict with \"kubectl-patch\" using apps/v1: .spec.replicas"),
        "{err}"
    );

    // The upgrade that removes a key and a label and changes the image.
    let out = run_ok(
        "helm",
        &[
            "upgrade",
            "rel",
            &chart,
            "-n",
            ns,
            "--force-conflicts",
            "--set",
            "replicas=2,extraKey=false,tier=null,image=nginx:2",
        ],
    );
    assert!(out.contains("REVISION: 3\n"), "{out}");
    let config = get("cm", "rel-config", ns);
    assert_eq!(config["data"], json!({"kept": "same"}));
    assert_eq!(
        managers(&config),
        [json!(["helm", "Apply", config_fields(false)])]
    );
    let deploy = get("deploy", "rel", ns);
    assert_eq!(deploy["spec"]["replicas"], 2);
    assert_eq!(deploy["metadata"]["labels"].get("tier"), None);
    assert_eq!(
        deploy["spec"]["template"]["spec"]["containers"][0]["image"],
        "nginx:2"
    );
    // Forcing took .spec.replicas from the patcher, which owned nothing else.
    let names: Vec<Value> = managers(&deploy)
        .into_iter()
        .map(|e| e[0].clone())
        .collect();
    assert_eq!(names, [json!("helm")]);

    // Rolling back to revision 1 brings the removed fields back.
    let out = run_ok("helm", &["rollback", "rel", "1", "-n", ns]);
    assert_eq!(out, "Rollback was a success! Happy Helming!\n");
    let config = get("cm", "rel-config", ns);
    assert_eq!(config["data"], json!({"kept": "same", "extra": "here"}));
    let deploy = get("deploy", "rel", ns);
    assert_eq!(deploy["spec"]["replicas"], 1);
    assert_eq!(deploy["metadata"]["labels"]["tier"], "front");
    assert_eq!(
        deploy["spec"]["template"]["spec"]["containers"][0]["image"],
        "nginx:1"
    );

    let out = run_ok("helm", &["history", "rel", "-n", ns, "-o", "json"]);
    let history: Value = serde_json::from_str(&out).expect("JSON");
    let statuses: Vec<&str> = history
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|h| h["status"].as_str())
        .collect();
    assert_eq!(statuses, ["superseded", "failed", "superseded", "deployed"]);

    let out = run_ok("helm", &["uninstall", "rel", "-n", ns]);
    assert_eq!(out, "release \"rel\" uninstalled\n");
    let err = run_err("kubectl", &["get", "deploy", "rel", "-n", ns]);
    assert!(err.contains("deployments.apps \"rel\" not found"), "{err}");
    let err = run_err("kubectl", &["get", "cm", "rel-config", "-n", ns]);
    assert!(err.contains("configmaps \"rel-config\" not found"), "{err}");
}

#[test]
fn client_side_upgrade_is_a_three_way_strategic_merge() {
    let dir = tempfile::tempdir().expect("temp dir");
    let chart = chart(dir.path());
    let chart = chart.to_string_lossy();
    let ns = "helm-csa";
    run_ok("kubectl", &["create", "namespace", ns]);
    run_ok(
        "helm",
        &["install", "rel", &chart, "-n", ns, "--server-side=false"],
    );
    // Helm 3's way writes with plain creates and patches, as manager `helm`.
    let deploy = get("deploy", "rel", ns);
    let entries = managers(&deploy);
    assert_eq!(entries.len(), 1);
    assert_eq!(
        (&entries[0][0], &entries[0][1]),
        (&json!("helm"), &json!("Update"))
    );
    assert_eq!(
        entries[0][2]["f:metadata"]["f:labels"],
        json!({".": {}, "f:app": {}, "f:app.kubernetes.io/managed-by": {}, "f:tier": {}})
    );
    // A label added by someone else survives the upgrade: Helm 3's patch
    // only deletes what the previous manifest had.
    run_ok(
        "kubectl",
        &["label", "deploy", "rel", "-n", ns, "extra=yes"],
    );
    let out = run_ok(
        "helm",
        &[
            "upgrade",
            "rel",
            &chart,
            "-n",
            ns,
            "--set",
            "extraKey=false,tier=null,image=nginx:2",
        ],
    );
    assert!(out.contains("REVISION: 2\n"), "{out}");
    let config = get("cm", "rel-config", ns);
    assert_eq!(config["data"], json!({"kept": "same"}));
    let deploy = get("deploy", "rel", ns);
    assert_eq!(
        deploy["metadata"]["labels"],
        json!({"app": "web", "app.kubernetes.io/managed-by": "Helm", "extra": "yes"})
    );
    assert_eq!(
        deploy["spec"]["template"]["spec"]["containers"],
        json!([{"name": "web", "image": "nginx:2", "ports": [{"containerPort": 80}]}])
    );
    // Entries are ordered by time, in seconds: compare them by manager.
    let mut entries = managers(&deploy);
    entries.sort_by(|a, b| a[0].as_str().cmp(&b[0].as_str()));
    assert_eq!(
        entries,
        [
            json!(["helm", "Update", {
                "f:metadata": {
                    "f:annotations": {".": {}, "f:meta.helm.sh/release-name": {}, "f:meta.helm.sh/release-namespace": {}},
                    "f:labels": {".": {}, "f:app": {}, "f:app.kubernetes.io/managed-by": {}}
                },
                // The fields the API server defaults are the creator's
                // too, as on a real cluster.
                "f:spec": {"f:progressDeadlineSeconds": {}, "f:replicas": {}, "f:revisionHistoryLimit": {}, "f:selector": {},
                    "f:strategy": {"f:rollingUpdate": {".": {}, "f:maxSurge": {}, "f:maxUnavailable": {}}, "f:type": {}},
                    "f:template": {
                    "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
                    "f:spec": {"f:containers": {"k:{\"name\":\"web\"}": {
                        ".": {}, "f:image": {}, "f:name": {},
                        "f:ports": {".": {}, "k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {".": {}, "f:containerPort": {}}}
                    }}}
                }}
            }]),
            json!(["kubectl-label", "Update", {"f:metadata": {"f:labels": {"f:extra": {}}}}]),
        ]
    );
    let out = run_ok("helm", &["get", "metadata", "rel", "-n", ns, "-o", "json"]);
    assert!(out.contains("\"applyMethod\":\"csa\""), "{out}");
}

/// A public chart copied into the repository (`tests/charts`).
fn public_chart(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../charts")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

#[test]
fn public_charts_install_and_upgrade_with_server_side_apply() {
    let ns = "public-ssa";
    run_ok("kubectl", &["create", "namespace", ns]);
    // Hooks are left out: their Jobs would wait for a controller.
    for (release, chart, upgrade) in [
        ("pi", "podinfo", "replicaCount=2"),
        ("ing", "ingress-nginx", "controller.replicaCount=2"),
        ("cm", "cert-manager", "replicaCount=2"),
    ] {
        let chart = public_chart(chart);
        let out = run_ok(
            "helm",
            &["install", release, &chart, "-n", ns, "--no-hooks"],
        );
        assert!(out.contains("STATUS: deployed\n"), "{release}: {out}");
        let out = run_ok(
            "helm",
            &[
                "upgrade",
                release,
                &chart,
                "-n",
                ns,
                "--no-hooks",
                "--set",
                upgrade,
            ],
        );
        assert!(out.contains("REVISION: 2\n"), "{release}: {out}");
    }
    let deploy = get("deploy", "pi-podinfo", ns);
    assert_eq!(deploy["spec"]["replicas"], 2);
    let entries = managers(&deploy);
    assert_eq!(entries.len(), 1);
    let container = &entries[0][2]["f:spec"]["f:template"]["f:spec"]["f:containers"]["k:{\"name\":\"podinfo\"}"];
    assert_eq!(
        container["f:ports"]["k:{\"containerPort\":9898,\"protocol\":\"TCP\"}"],
        json!({".": {}, "f:containerPort": {}, "f:name": {}, "f:protocol": {}})
    );
    assert_eq!(
        container["f:resources"],
        json!({"f:requests": {"f:cpu": {}, "f:memory": {}}})
    );
    let service = get("svc", "pi-podinfo", ns);
    let fields = &managers(&service)[0][2]["f:spec"];
    assert_eq!(fields["f:selector"], json!({}));
    assert_eq!(
        fields["f:ports"]["k:{\"port\":9898,\"protocol\":\"TCP\"}"],
        json!({".": {}, "f:name": {}, "f:port": {}, "f:protocol": {}, "f:targetPort": {}})
    );
    let controller = get("deploy", "ing-ingress-nginx-controller", ns);
    assert_eq!(controller["spec"]["replicas"], 2);
    for release in ["pi", "ing", "cm"] {
        run_ok("helm", &["uninstall", release, "-n", ns, "--no-hooks"]);
    }
    let left = run_ok("kubectl", &["get", "deploy", "-n", ns, "-o", "name"]);
    assert_eq!(left, "");
}
