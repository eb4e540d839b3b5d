//! Writes from the reference `kubectl` against the test cluster: server-side
//! apply (conflicts, forcing, removal of fields no longer applied),
//! client-side apply and `kubectl patch` of every type, with the objects
//! and `managedFields` a kube-apiserver would store for them.

mod common;
mod managed;

use std::path::{Path, PathBuf};

use common::{run_err, run_ok};
use kubectl_helm_test_cluster::controllers::steering::FROZEN;
use managed::{get, managers};
use serde_json::{Value, json};

/// Writes `text` to `name` under `dir`, returning its path as a string.
fn manifest(dir: &Path, name: &str, text: &str) -> String {
    let path: PathBuf = dir.join(name);
    std::fs::write(&path, text).expect("manifest written");
    path.to_string_lossy().into_owned()
}

fn deployment(namespace: &str, replicas: u32, labels: &str, container: &str) -> String {
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: {namespace}
  labels: {{{labels}}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers:
{container}"
    )
}

/// [`deployment`], annotated to keep the test cluster's controllers off it:
/// nothing but the test writes to it (no status, no scaling), so whole
/// objects read at different times can be compared.
fn frozen_deployment(namespace: &str, replicas: u32, labels: &str, container: &str) -> String {
    deployment(namespace, replicas, labels, container).replacen(
        "  name: web\n",
        &format!("  name: web\n  annotations: {{{FROZEN}: \"true\"}}\n"),
        1,
    )
}

const CONTAINER: &str = "      - name: web
        image: nginx:1
        ports: [{containerPort: 80}, {containerPort: 53, protocol: UDP}]
        env: [{name: A, value: a}, {name: B, value: b}]
";

/// What `kubectl apply --server-side` of [`frozen_deployment`] with [`CONTAINER`]
/// owns: the applied fields, list items by their list-map keys.
fn applied_fields(labels: &[&str], replicas: bool) -> Value {
    let mut labels_set = serde_json::Map::new();
    for label in labels {
        labels_set.insert(format!("f:{label}"), json!({}));
    }
    let mut spec = json!({
        "f:selector": {},
        "f:template": {
            "f:metadata": {"f:labels": {"f:app": {}}},
            "f:spec": {"f:containers": {"k:{\"name\":\"web\"}": {
                ".": {},
                "f:env": {
                    "k:{\"name\":\"A\"}": {".": {}, "f:name": {}, "f:value": {}},
                    "k:{\"name\":\"B\"}": {".": {}, "f:name": {}, "f:value": {}}
                },
                "f:image": {},
                "f:name": {},
                "f:ports": {
                    "k:{\"containerPort\":53,\"protocol\":\"UDP\"}": {
                        ".": {}, "f:containerPort": {}, "f:protocol": {}
                    },
                    "k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {
                        ".": {}, "f:containerPort": {}
                    }
                }
            }}}
        }
    });
    if replicas {
        spec["f:replicas"] = json!({});
    }
    json!({
        "f:metadata": {"f:annotations": {format!("f:{FROZEN}"): {}}, "f:labels": labels_set},
        "f:spec": spec
    })
}

#[test]
fn server_side_apply_conflicts_then_forces() {
    let dir = tempfile::tempdir().expect("temp dir");
    run_ok("kubectl", &["create", "namespace", "ssa"]);
    let file = manifest(
        dir.path(),
        "web.yaml",
        &frozen_deployment("ssa", 1, "app: web", CONTAINER),
    );
    let out = run_ok("kubectl", &["apply", "--server-side", "-f", &file]);
    assert_eq!(out, "deployment.apps/web serverside-applied\n");
    let created = get("deploy", "web", "ssa");
    assert_eq!(created["metadata"]["generation"], 1);
    assert_eq!(
        managers(&created),
        [json!(["kubectl", "Apply", applied_fields(&["app"], true)])]
    );

    // Another writer takes .spec.replicas with a plain patch.
    let out = run_ok(
        "kubectl",
        &[
            "patch",
            "deploy",
            "web",
            "-n",
            "ssa",
            "--type",
            "merge",
            "-p",
            r#"{"spec":{"replicas":3}}"#,
        ],
    );
    assert_eq!(out, "deployment.apps/web patched\n");
    let patched = get("deploy", "web", "ssa");
    assert_eq!(
        managers(&patched),
        [
            json!(["kubectl", "Apply", applied_fields(&["app"], false)]),
            json!(["kubectl-patch", "Update", {"f:spec": {"f:replicas": {}}}]),
        ]
    );

    // Applying replicas: 1 again now conflicts, as kube-apiserver words it.
    let err = run_err("kubectl", &["apply", "--server-side", "-f", &file]);
    assert!(
        err.starts_with(
            "error: Apply failed with 1 conflict: conflict with \"kubectl-patch\" using apps/v1: .spec.replicas\n\
             Please review the fields above--they currently have other managers."
        ),
        "{err}"
    );
    assert_eq!(get("deploy", "web", "ssa")["spec"]["replicas"], 3);

    // A server-side dry run of the forced apply answers without storing.
    let out = run_ok(
        "kubectl",
        &[
            "apply",
            "--server-side",
            "--force-conflicts",
            "--dry-run=server",
            "-f",
            &file,
        ],
    );
    assert_eq!(
        out,
        "deployment.apps/web serverside-applied (server dry run)\n"
    );
    assert_eq!(get("deploy", "web", "ssa"), patched);

    // Forcing takes the field back; the patcher, left with nothing, goes.
    let out = run_ok(
        "kubectl",
        &["apply", "--server-side", "--force-conflicts", "-f", &file],
    );
    assert_eq!(out, "deployment.apps/web serverside-applied\n");
    let forced = get("deploy", "web", "ssa");
    assert_eq!(forced["spec"]["replicas"], 1);
    assert_eq!(forced["metadata"]["generation"], 3);
    assert_eq!(
        managers(&forced),
        [json!(["kubectl", "Apply", applied_fields(&["app"], true)])]
    );

    // Applying the same again changes nothing, not even resourceVersion.
    run_ok("kubectl", &["apply", "--server-side", "-f", &file]);
    let again = get("deploy", "web", "ssa");
    assert_eq!(again, forced);
}

#[test]
fn conflicts_name_every_field_and_manager() {
    let dir = tempfile::tempdir().expect("temp dir");
    run_ok("kubectl", &["create", "namespace", "ssa-many"]);
    let file = manifest(
        dir.path(),
        "cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: ssa-many}\ndata: {a: '1', b: '2'}\n",
    );
    run_ok(
        "kubectl",
        &[
            "apply",
            "--server-side",
            "--field-manager=first",
            "-f",
            &file,
        ],
    );
    let other = manifest(
        dir.path(),
        "other.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: ssa-many}\ndata: {a: x, b: y}\n",
    );
    let err = run_err(
        "kubectl",
        &[
            "apply",
            "--server-side",
            "--field-manager=second",
            "-f",
            &other,
        ],
    );
    assert!(
        err.starts_with(
            "error: Apply failed with 2 conflicts: conflicts with \"first\":\n- .data.a\n- .data.b\n"
        ),
        "{err}"
    );
}

#[test]
fn configurations_that_do_not_fit_the_kind_are_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    run_ok("kubectl", &["create", "namespace", "ssa-bad"]);
    let file = manifest(
        dir.path(),
        "web.yaml",
        &deployment("ssa-bad", 1, "app: web", "      - image: nginx\n"),
    );
    let err = run_err("kubectl", &["apply", "--server-side", "-f", &file]);
    assert_eq!(
        err,
        "Error from server: failed to create typed patch object (ssa-bad/web; apps/v1, Kind=Deployment): \
         .spec.template.spec.containers: element 0: associative list with keys has an element that \
         omits key field \"name\" (and doesn't have default value)\n"
    );
}

#[test]
fn fields_no_longer_applied_are_removed_unless_another_applier_owns_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    run_ok("kubectl", &["create", "namespace", "ssa-prune"]);
    let apply = |manager: &str, text: &str| {
        let file = manifest(dir.path(), "web.yaml", text);
        run_ok(
            "kubectl",
            &[
                "apply",
                "--server-side",
                &format!("--field-manager={manager}"),
                "-f",
                &file,
            ],
        )
    };
    apply(
        "one",
        &deployment("ssa-prune", 1, "app: web, tier: front, team: a", CONTAINER),
    );
    // A second applier shares `team` (same value) and adds an env var.
    apply(
        "two",
        &deployment(
            "ssa-prune",
            1,
            "team: a",
            "      - name: web\n        env: [{name: C, value: c}]\n",
        ),
    );
    // The first applier drops `tier`, `team`, env B and the UDP port.
    apply(
        "one",
        &deployment(
            "ssa-prune",
            1,
            "app: web",
            "      - name: web
        image: nginx:1
        ports: [{containerPort: 80}]
        env: [{name: A, value: a}]
",
        ),
    );
    let object = get("deploy", "web", "ssa-prune");
    assert_eq!(
        object["metadata"]["labels"],
        json!({"app": "web", "team": "a"})
    );
    assert_eq!(
        object["spec"]["template"]["spec"]["containers"],
        json!([{
            "name": "web",
            "image": "nginx:1",
            "ports": [{"containerPort": 80}],
            "env": [{"name": "A", "value": "a"}, {"name": "C", "value": "c"}]
        }])
    );
    let entries = managers(&object);
    assert_eq!(entries.len(), 2);
    let two = entries
        .iter()
        .find(|e| e[0] == "two")
        .expect("the second applier");
    assert_eq!(
        two[2],
        json!({
            "f:metadata": {"f:labels": {"f:team": {}}},
            "f:spec": {"f:replicas": {}, "f:selector": {}, "f:template": {
                "f:metadata": {"f:labels": {"f:app": {}}},
                "f:spec": {"f:containers": {"k:{\"name\":\"web\"}": {
                    ".": {}, "f:env": {"k:{\"name\":\"C\"}": {".": {}, "f:name": {}, "f:value": {}}},
                    "f:name": {}
                }}}
            }}
        })
    );
}

#[test]
fn client_side_apply_uses_strategic_merge_and_the_last_applied_annotation() {
    let dir = tempfile::tempdir().expect("temp dir");
    run_ok("kubectl", &["create", "namespace", "csa"]);
    let first = manifest(
        dir.path(),
        "v1.yaml",
        &deployment("csa", 2, "app: web, tier: front", CONTAINER),
    );
    assert_eq!(
        run_ok("kubectl", &["apply", "-f", &first]),
        "deployment.apps/web created\n"
    );
    let created = get("deploy", "web", "csa");
    let last_applied =
        created["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
            .as_str()
            .expect("annotation");
    let last_applied: Value = serde_json::from_str(last_applied).expect("JSON");
    assert_eq!(last_applied["spec"]["replicas"], 2);
    let entries = managers(&created);
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0][0], "kubectl-client-side-apply");
    assert_eq!(entries[0][1], "Update");
    // A create records what it set; new maps and list items are owned
    // themselves (".") beside their contents.
    assert_eq!(
        entries[0][2]["f:metadata"],
        json!({
            "f:annotations": {".": {}, "f:kubectl.kubernetes.io/last-applied-configuration": {}},
            "f:labels": {".": {}, "f:app": {}, "f:tier": {}}
        })
    );
    assert_eq!(
        entries[0][2]["f:spec"]["f:template"]["f:spec"]["f:containers"]["k:{\"name\":\"web\"}"]["f:ports"],
        json!({
            ".": {},
            "k:{\"containerPort\":53,\"protocol\":\"UDP\"}": {".": {}, "f:containerPort": {}, "f:protocol": {}},
            "k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {".": {}, "f:containerPort": {}}
        })
    );

    // Someone else adds a label; the next apply keeps it (three-way merge)
    // while dropping what the manifest no longer has.
    run_ok(
        "kubectl",
        &["label", "deploy", "web", "-n", "csa", "extra=yes"],
    );
    let second = manifest(
        dir.path(),
        "v2.yaml",
        &deployment(
            "csa",
            2,
            "app: web",
            "      - name: web\n        image: nginx:2\n        ports: [{containerPort: 80}]\n        env: [{name: A, value: a}]\n",
        ),
    );
    assert_eq!(
        run_ok("kubectl", &["apply", "-f", &second]),
        "deployment.apps/web configured\n"
    );
    let updated = get("deploy", "web", "csa");
    assert_eq!(
        updated["metadata"]["labels"],
        json!({"app": "web", "extra": "yes"})
    );
    assert_eq!(
        updated["spec"]["template"]["spec"]["containers"],
        json!([{"name": "web", "image": "nginx:2", "ports": [{"containerPort": 80}], "env": [{"name": "A", "value": "a"}]}])
    );
    assert_eq!(updated["metadata"]["generation"], 2);
    // Entries are ordered by time, in seconds: compare them by manager.
    let mut names: Vec<Value> = managers(&updated)
        .into_iter()
        .map(|e| e[0].clone())
        .collect();
    names.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
    assert_eq!(
        names,
        [json!("kubectl-client-side-apply"), json!("kubectl-label")]
    );
}

#[test]
fn server_side_apply_takes_over_from_client_side_apply() {
    let dir = tempfile::tempdir().expect("temp dir");
    run_ok("kubectl", &["create", "namespace", "csa-to-ssa"]);
    let first = manifest(
        dir.path(),
        "v1.yaml",
        &deployment("csa-to-ssa", 2, "app: web", CONTAINER),
    );
    run_ok("kubectl", &["apply", "-f", &first]);
    // The same manifest with other replicas, applied server-side: the
    // fields client-side apply set are taken over without a conflict.
    let second = manifest(
        dir.path(),
        "v2.yaml",
        &deployment("csa-to-ssa", 4, "app: web", CONTAINER),
    );
    let out = run_ok("kubectl", &["apply", "--server-side", "-f", &second]);
    assert_eq!(out, "deployment.apps/web serverside-applied\n");
    let object = get("deploy", "web", "csa-to-ssa");
    assert_eq!(object["spec"]["replicas"], 4);
    let last_applied: Value = serde_json::from_str(
        object["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
            .as_str()
            .expect("annotation kept"),
    )
    .expect("JSON");
    assert_eq!(last_applied["spec"]["replicas"], 4);
    // kubectl then moves client-side apply's fields to its own manager.
    let names: Vec<Value> = managers(&object)
        .into_iter()
        .map(|e| e[0].clone())
        .collect();
    assert!(names.contains(&json!("kubectl")), "{names:?}");
    assert!(
        !names.contains(&json!("kubectl-client-side-apply")),
        "{names:?}"
    );
}

#[test]
fn patches_of_every_type() {
    run_ok("kubectl", &["create", "namespace", "patches"]);
    let dir = tempfile::tempdir().expect("temp dir");
    let file = manifest(
        dir.path(),
        "web.yaml",
        &deployment("patches", 1, "app: web", CONTAINER),
    );
    run_ok("kubectl", &["create", "-f", &file]);
    let containers = |object: &Value| object["spec"]["template"]["spec"]["containers"].clone();

    // Strategic: containers merge by name, env by name; $patch deletes.
    run_ok(
        "kubectl",
        &[
            "patch",
            "deploy",
            "web",
            "-n",
            "patches",
            "--type",
            "strategic",
            "-p",
            r#"{"spec":{"template":{"spec":{"containers":[
                {"name":"side","image":"busybox"},
                {"name":"web","env":[{"name":"B","$patch":"delete"},{"name":"D","value":"d"}]}
            ]}}}}"#,
        ],
    );
    let object = get("deploy", "web", "patches");
    assert_eq!(
        containers(&object),
        json!([
            {"name": "side", "image": "busybox"},
            {"name": "web", "image": "nginx:1",
             "ports": [{"containerPort": 80}, {"containerPort": 53, "protocol": "UDP"}],
             "env": [{"name": "D", "value": "d"}, {"name": "A", "value": "a"}]}
        ])
    );
    let entries = managers(&object);
    assert_eq!(entries[0][0], "kubectl-create");
    assert_eq!(entries[1][0], "kubectl-patch");
    assert_eq!(
        entries[1][2],
        json!({"f:spec": {"f:template": {"f:spec": {"f:containers": {
            "k:{\"name\":\"side\"}": {".": {}, "f:image": {}, "f:name": {}},
            "k:{\"name\":\"web\"}": {"f:env": {"k:{\"name\":\"D\"}": {".": {}, "f:name": {}, "f:value": {}}}}
        }}}}})
    );
    // The creator no longer owns the deleted env var.
    assert!(
        entries[0][2]["f:spec"]["f:template"]["f:spec"]["f:containers"]["k:{\"name\":\"web\"}"]["f:env"]
            .get("k:{\"name\":\"B\"}")
            .is_none()
    );

    // Merge: the list is replaced whole.
    run_ok(
        "kubectl",
        &[
            "patch",
            "deploy",
            "web",
            "-n",
            "patches",
            "--type",
            "merge",
            "-p",
            r#"{"spec":{"template":{"spec":{"containers":[{"name":"only","image":"x"}]}}}}"#,
        ],
    );
    assert_eq!(
        containers(&get("deploy", "web", "patches")),
        json!([{"name": "only", "image": "x"}])
    );

    // JSON patch.
    run_ok(
        "kubectl",
        &[
            "patch",
            "deploy",
            "web",
            "-n",
            "patches",
            "--type",
            "json",
            "-p",
            r#"[{"op":"replace","path":"/spec/replicas","value":4},{"op":"add","path":"/metadata/labels/j","value":"p"}]"#,
        ],
    );
    let object = get("deploy", "web", "patches");
    assert_eq!(object["spec"]["replicas"], 4);
    assert_eq!(object["metadata"]["labels"]["j"], "p");

    // A strategic patch that cannot apply is the client's bad request.
    let err = run_err(
        "kubectl",
        &[
            "patch",
            "deploy",
            "web",
            "-n",
            "patches",
            "--type",
            "strategic",
            "-p",
            r#"{"spec":{"$patch":"sideways"}}"#,
        ],
    );
    assert!(err.contains("unknown patch type"), "{err}");
}
