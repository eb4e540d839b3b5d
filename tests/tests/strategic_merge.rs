//! Strategic merge patch against the reference `kubectl`: every case is
//! applied by `kubectl patch --local --type strategic` and by
//! `helm::kube::strategic_merge::apply_patch`, and the results (or the
//! failure) must agree. Three-way patches are checked by what they do: applied
//! to the live object they must give the expected object.

use std::path::PathBuf;
use std::process::Command;

use helm::kube::strategic_merge::{
    MergeSchema, PatchError, apply_patch, three_way_patch, two_way_patch,
};
use kubectl_helm_tests::{assert_none, reference};
use serde_json::{Value, json};

fn kubectl() -> PathBuf {
    reference::helm_binary().with_file_name("kubectl")
}

/// What `kubectl patch --local` makes of `object` and `patch`: the patched
/// object, or `None` when it refuses.
fn kubectl_patch(object: &Value, patch: &Value, kind: &str) -> Option<Value> {
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("object.json");
    std::fs::write(&file, object.to_string()).expect("writing the object");
    let out = Command::new(kubectl())
        .args(["patch", "--local", "-o", "json", "--type", kind, "-f"])
        .arg(&file)
        .arg("-p")
        .arg(patch.to_string())
        .env_clear()
        .env("HOME", dir.path())
        .env("KUBECONFIG", dir.path().join("none"))
        .output()
        .expect("running kubectl");
    out.status
        .success()
        .then(|| serde_json::from_slice(&out.stdout).expect("kubectl prints JSON"))
}

fn deployment() -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": "web",
            "labels": {"app": "web", "tier": "front"},
            "annotations": {"a": "1"},
            "finalizers": ["example.com/a", "example.com/b"],
            "ownerReferences": [
                {"apiVersion": "v1", "kind": "X", "name": "o1", "uid": "u1"},
                {"apiVersion": "v1", "kind": "X", "name": "o2", "uid": "u2"}
            ]
        },
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "web"}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {
                    "containers": [
                        {
                            "name": "app",
                            "image": "app:1",
                            "args": ["--a", "--b"],
                            "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                            "ports": [
                                {"containerPort": 80, "name": "http"},
                                {"containerPort": 443, "name": "https"}
                            ],
                            "volumeMounts": [{"name": "data", "mountPath": "/data"}],
                            "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}
                        },
                        {"name": "sidecar", "image": "side:1"}
                    ],
                    "initContainers": [{"name": "init", "image": "init:1"}],
                    "volumes": [
                        {"name": "data", "emptyDir": {}},
                        {"name": "conf", "configMap": {"name": "c"}}
                    ],
                    "imagePullSecrets": [{"name": "reg"}],
                    "tolerations": [{"key": "k", "operator": "Exists"}],
                    "hostAliases": [{"ip": "10.0.0.1", "hostnames": ["a"]}],
                    "topologySpreadConstraints": [
                        {"topologyKey": "zone", "maxSkew": 1, "whenUnsatisfiable": "DoNotSchedule"}
                    ],
                    "nodeSelector": {"disk": "ssd"}
                }
            }
        }
    })
}

fn service() -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web"},
        "spec": {
            "selector": {"app": "web"},
            "ports": [
                {"name": "http", "port": 80, "targetPort": 8080},
                {"name": "https", "port": 443, "targetPort": 8443}
            ]
        }
    })
}

fn config_map() -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "c", "labels": {"x": "1"}},
        "data": {"a": "1", "b": "2"}
    })
}

fn cron_job() -> Value {
    json!({
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": "cj"},
        "spec": {
            "schedule": "* * * * *",
            "jobTemplate": {"spec": {"template": {"spec": {
                "restartPolicy": "Never",
                "containers": [{"name": "a", "image": "a:1"}, {"name": "b", "image": "b:1"}]
            }}}}
        }
    })
}

/// A pod spec patch for the Deployment.
fn pod(spec: Value) -> Value {
    json!({"spec": {"template": {"spec": spec}}})
}

fn cases() -> Vec<(&'static str, Value, Value)> {
    let d = deployment;
    vec![
        (
            "container added",
            d(),
            pod(json!({"containers": [{"name": "new", "image": "n:1"}]})),
        ),
        (
            "container changed",
            d(),
            pod(json!({"containers": [{"name": "app", "image": "app:2"}]})),
        ),
        (
            "container deleted",
            d(),
            pod(json!({"containers": [{"name": "sidecar", "$patch": "delete"}]})),
        ),
        (
            "container added and deleted",
            d(),
            pod(
                json!({"containers": [{"name": "z", "image": "z"}, {"name": "app", "$patch": "delete"}]}),
            ),
        ),
        (
            "containers replaced",
            d(),
            pod(json!({"containers": [{"name": "only", "image": "o"}, {"$patch": "replace"}]})),
        ),
        (
            "env changed",
            d(),
            pod(json!({"containers": [{"name": "app", "env": [{"name": "A", "value": "9"}]}]})),
        ),
        (
            "env added",
            d(),
            pod(json!({"containers": [{"name": "app", "env": [{"name": "C", "value": "3"}]}]})),
        ),
        (
            "env deleted",
            d(),
            pod(
                json!({"containers": [{"name": "app", "env": [{"name": "A", "$patch": "delete"}]}]}),
            ),
        ),
        (
            "env value removed by null",
            d(),
            pod(json!({"containers": [{"name": "app", "env": [{"name": "B", "value": null}]}]})),
        ),
        (
            "port added",
            d(),
            pod(
                json!({"containers": [{"name": "app", "ports": [{"containerPort": 8080, "name": "alt"}]}]}),
            ),
        ),
        (
            "port changed by containerPort",
            d(),
            pod(
                json!({"containers": [{"name": "app", "ports": [{"containerPort": 80, "name": "web"}]}]}),
            ),
        ),
        (
            "port with another protocol merges by containerPort",
            d(),
            pod(
                json!({"containers": [{"name": "app", "ports": [{"containerPort": 80, "protocol": "UDP"}]}]}),
            ),
        ),
        (
            "volume mount added",
            d(),
            pod(
                json!({"containers": [{"name": "app", "volumeMounts": [{"name": "conf", "mountPath": "/conf"}]}]}),
            ),
        ),
        (
            "volume added",
            d(),
            pod(json!({"volumes": [{"name": "new", "secret": {"secretName": "s"}}]})),
        ),
        (
            "volume deleted",
            d(),
            pod(json!({"volumes": [{"name": "conf", "$patch": "delete"}]})),
        ),
        (
            "volume source switched with retainKeys",
            d(),
            pod(
                json!({"volumes": [{"name": "data", "$retainKeys": ["name", "hostPath"], "hostPath": {"path": "/x"}}]}),
            ),
        ),
        (
            "strategy switched with retainKeys",
            d(),
            json!({"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}),
        ),
        (
            "strategy changed without retainKeys keeps rollingUpdate",
            d(),
            json!({"spec": {"strategy": {"type": "Recreate"}}}),
        ),
        (
            "args replaced (no merge key)",
            d(),
            pod(json!({"containers": [{"name": "app", "args": ["--c"]}]})),
        ),
        (
            "tolerations replaced (atomic)",
            d(),
            pod(json!({"tolerations": [{"key": "other", "operator": "Exists"}]})),
        ),
        (
            "image pull secret added",
            d(),
            pod(json!({"imagePullSecrets": [{"name": "reg2"}]})),
        ),
        (
            "host alias merged by ip",
            d(),
            pod(json!({"hostAliases": [{"ip": "10.0.0.1", "hostnames": ["b"]}]})),
        ),
        (
            "topology constraint merged by topologyKey",
            d(),
            pod(json!({"topologySpreadConstraints": [{"topologyKey": "zone", "maxSkew": 2}]})),
        ),
        (
            "init container added",
            d(),
            pod(json!({"initContainers": [{"name": "init2", "image": "i:2"}]})),
        ),
        (
            "finalizer added",
            d(),
            json!({"metadata": {"finalizers": ["example.com/c"]}}),
        ),
        (
            "finalizer present again",
            d(),
            json!({"metadata": {"finalizers": ["example.com/b", "example.com/a"]}}),
        ),
        (
            "finalizer deleted from primitive list",
            d(),
            json!({"metadata": {"$deleteFromPrimitiveList/finalizers": ["example.com/a"]}}),
        ),
        (
            "finalizers reordered by setElementOrder",
            d(),
            json!({"metadata": {"$setElementOrder/finalizers": ["example.com/b", "example.com/a"]}}),
        ),
        (
            "containers reordered by setElementOrder",
            d(),
            pod(json!({"$setElementOrder/containers": [{"name": "sidecar"}, {"name": "app"}]})),
        ),
        (
            "setElementOrder with an added container",
            d(),
            pod(json!({
                "$setElementOrder/containers": [{"name": "app"}, {"name": "mid"}, {"name": "sidecar"}],
                "containers": [{"name": "mid", "image": "m"}]
            })),
        ),
        (
            "setElementOrder contradicted by the patch",
            d(),
            pod(json!({
                "$setElementOrder/containers": [{"name": "app"}, {"name": "x"}, {"name": "y"}],
                "containers": [{"name": "y", "image": "y"}, {"name": "x", "image": "x"}]
            })),
        ),
        (
            "owner reference deleted by uid",
            d(),
            json!({"metadata": {"ownerReferences": [{"uid": "u1", "$patch": "delete"}]}}),
        ),
        (
            "label removed by null",
            d(),
            json!({"metadata": {"labels": {"tier": null, "new": "x"}}}),
        ),
        (
            "annotations removed by null",
            d(),
            json!({"metadata": {"annotations": null}}),
        ),
        (
            "nested map merged",
            d(),
            pod(
                json!({"containers": [{"name": "app", "resources": {"limits": {"cpu": "2"}, "requests": {"cpu": "1"}}}]}),
            ),
        ),
        (
            "map replaced by $patch replace",
            d(),
            pod(json!({"nodeSelector": {"$patch": "replace", "zone": "a"}})),
        ),
        (
            "map emptied by $patch delete",
            d(),
            pod(json!({"nodeSelector": {"$patch": "delete"}})),
        ),
        (
            "whole object replaced",
            d(),
            json!({"spec": {"$patch": "replace", "replicas": 1}}),
        ),
        (
            "unknown $patch in a list",
            d(),
            pod(json!({"containers": [{"name": "app", "$patch": "frob"}]})),
        ),
        (
            "$patch merge in a list",
            d(),
            pod(json!({"containers": [{"name": "app", "$patch": "merge"}]})),
        ),
        (
            "container without merge key",
            d(),
            pod(json!({"containers": [{"image": "nameless"}]})),
        ),
        (
            "retainKeys omitting a patched key",
            d(),
            json!({"spec": {"strategy": {"$retainKeys": ["rollingUpdate"], "type": "Recreate"}}}),
        ),
        (
            "scalar replaced by a map",
            d(),
            json!({"spec": {"replicas": {"x": 1}}}),
        ),
        (
            "new field with directives kept verbatim",
            d(),
            pod(json!({"ephemeralContainers": [{"name": "e", "$patch": "delete"}]})),
        ),
        (
            "new container's nested directives dropped",
            d(),
            pod(
                json!({"containers": [{"name": "n", "image": "n", "env": [{"name": "A", "$patch": "delete"}, {"name": "B", "value": "b"}]}]}),
            ),
        ),
        (
            "new map's nulls dropped",
            config_map(),
            json!({"metadata": {"annotations": {"a": "1", "b": null}}}),
        ),
        (
            "null for an absent field",
            config_map(),
            json!({"binaryData": null, "data": {"zz": null}}),
        ),
        (
            "delete list for an absent list",
            config_map(),
            json!({"metadata": {"$deleteFromPrimitiveList/finalizers": ["x"]}}),
        ),
        (
            "delete list for a field that is not a list",
            d(),
            json!({"spec": {"$deleteFromPrimitiveList/selector": ["x"]}}),
        ),
        (
            "finalizers reordered and one deleted",
            d(),
            json!({"metadata": {
                "$setElementOrder/finalizers": ["example.com/b"],
                "$deleteFromPrimitiveList/finalizers": ["example.com/a"]
            }}),
        ),
        (
            "port deleted by numeric key",
            d(),
            pod(
                json!({"containers": [{"name": "app", "ports": [{"containerPort": 443, "$patch": "delete"}]}]}),
            ),
        ),
        (
            "owner reference added",
            d(),
            json!({"metadata": {"ownerReferences": [{"apiVersion": "v1", "kind": "Y", "name": "o3", "uid": "u3"}]}}),
        ),
        (
            "replace with a delete directive beside it",
            d(),
            pod(
                json!({"containers": [{"name": "sidecar", "$patch": "delete"}, {"$patch": "replace"}, {"name": "z", "image": "z"}]}),
            ),
        ),
        (
            "args removed by null",
            d(),
            pod(json!({"containers": [{"name": "app", "args": null}]})),
        ),
        (
            "volume merged with retainKeys and order",
            d(),
            pod(json!({
                "$setElementOrder/volumes": [{"name": "conf"}, {"name": "data"}],
                "volumes": [{"name": "data", "$retainKeys": ["name", "secret"], "secret": {"secretName": "s"}}]
            })),
        ),
        (
            "host alias hostnames replaced inside a merged element",
            d(),
            pod(
                json!({"hostAliases": [{"ip": "10.0.0.1", "hostnames": ["b", "c"]}, {"ip": "10.0.0.2", "hostnames": ["d"]}]}),
            ),
        ),
        (
            "labels on a map replaced by a string",
            config_map(),
            json!({"metadata": {"labels": "x"}}),
        ),
        (
            "setElementOrder with an added finalizer",
            d(),
            json!({"metadata": {"$setElementOrder/finalizers": ["example.com/c", "example.com/a", "example.com/b"], "finalizers": ["example.com/c"]}}),
        ),
        (
            "setElementOrder with a deleted volume",
            d(),
            pod(
                json!({"$setElementOrder/volumes": [{"name": "conf"}], "volumes": [{"name": "data", "$patch": "delete"}]}),
            ),
        ),
        (
            "containers emptied by $patch replace",
            d(),
            pod(json!({"containers": [{"$patch": "replace"}]})),
        ),
        (
            "scalars in a list of containers",
            d(),
            pod(json!({"containers": ["x"]})),
        ),
        (
            "replicas removed by null",
            d(),
            json!({"spec": {"replicas": null}}),
        ),
        (
            "service port with another protocol",
            service(),
            json!({"spec": {"ports": [{"port": 80, "protocol": "UDP", "name": "dns"}]}}),
        ),
        (
            "env deleted and re-added in one patch",
            d(),
            pod(
                json!({"containers": [{"name": "app", "env": [{"name": "A", "$patch": "delete"}, {"name": "A", "value": "new"}]}]}),
            ),
        ),
        (
            "setElementOrder after deleting the first env and adding one",
            d(),
            pod(json!({"containers": [{
                "name": "app",
                "$setElementOrder/env": [{"name": "B"}, {"name": "Z"}],
                "env": [{"name": "A", "$patch": "delete"}, {"name": "Z", "value": "z"}]
            }]})),
        ),
        (
            "service port merged by port",
            service(),
            json!({"spec": {"ports": [{"port": 80, "targetPort": 9090}]}}),
        ),
        (
            "service port added",
            service(),
            json!({"spec": {"ports": [{"port": 8443, "name": "alt"}]}}),
        ),
        (
            "service port deleted",
            service(),
            json!({"spec": {"ports": [{"port": 443, "$patch": "delete"}]}}),
        ),
        (
            "config map data merged",
            config_map(),
            json!({"data": {"a": null, "c": "3"}}),
        ),
        (
            "config map data replaced",
            config_map(),
            json!({"data": {"$patch": "replace", "z": "9"}}),
        ),
        (
            "cron job container merged",
            cron_job(),
            json!({"spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "b", "image": "b:2"}]}}}}}}),
        ),
    ]
}

#[test]
fn apply_patch_agrees_with_kubectl() {
    let all = cases();
    assert!(all.len() >= 40, "at least 40 cases");
    let mut failures = Vec::new();
    for (name, object, patch) in all {
        let theirs = kubectl_patch(&object, &patch, "strategic");
        let ours = apply_patch(&object, &patch, &MergeSchema::for_object(&object));
        match (&theirs, &ours) {
            (Some(t), Ok(o)) if t == o => {}
            (None, Err(_)) => {}
            _ => failures.push(format!(
                "{name}: kubectl gave {}, we gave {ours:?}",
                theirs.map_or("an error".to_owned(), |t| t.to_string())
            )),
        }
    }
    assert_none(failures);
}

/// Custom resources take JSON merge patches; kubectl refuses a strategic one
/// locally, so compare with `--type merge`.
#[test]
fn custom_resources_get_json_merge_patch() {
    let object = json!({
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "w"},
        "spec": {"items": [{"name": "a", "v": 1}, {"name": "b"}], "keep": {"x": 1, "y": 2}, "$patch": "kept"}
    });
    let mut failures = Vec::new();
    for patch in [
        json!({"spec": {"items": [{"name": "c"}]}}),
        json!({"spec": {"keep": {"x": null, "z": 3}}}),
        json!({"spec": {"keep": {"$patch": "replace"}}}),
        json!({"spec": null}),
        json!({"metadata": {"labels": {"a": "b"}}}),
    ] {
        let schema = MergeSchema::for_object(&object);
        assert!(!schema.is_strategic());
        let theirs = kubectl_patch(&object, &patch, "merge");
        let ours = apply_patch(&object, &patch, &schema).ok();
        if theirs != ours {
            failures.push(format!(
                "{patch}: kubectl gave {theirs:?}, we gave {ours:?}"
            ));
        }
    }
    assert_none(failures);
}

/// Two-way patches, applied by kubectl, turn the original into the modified
/// object.
#[test]
fn two_way_patches_applied_by_kubectl_reach_the_modified_object() {
    let mut failures = Vec::new();
    for (name, original, patch) in cases() {
        let Ok(modified) = apply_patch(&original, &patch, &MergeSchema::for_object(&original))
        else {
            continue;
        };
        let schema = MergeSchema::for_object(&original);
        let diff = match two_way_patch(&original, &modified, &schema) {
            Ok(diff) => diff,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        if modified.to_string().contains("$patch") || modified.to_string().contains("$retainKeys") {
            continue;
        }
        match kubectl_patch(&original, &diff, "strategic") {
            Some(result) if result == modified => {}
            other => failures.push(format!("{name}: patch {diff} gave {other:?}")),
        }
    }
    assert_none(failures);
}

struct ThreeWay {
    name: &'static str,
    original: Value,
    modified: Value,
    current: Value,
    expected: Value,
}

fn deploy(spec: Value) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": spec})
}

fn containers(list: Value) -> Value {
    deploy(json!({"template": {"spec": {"containers": list}}}))
}

fn three_way_scenarios() -> Vec<ThreeWay> {
    vec![
        ThreeWay {
            name: "image bumped, injected sidecar kept",
            original: containers(json!([{"name": "app", "image": "a:1"}])),
            modified: containers(json!([{"name": "app", "image": "a:2"}])),
            current: containers(
                json!([{"name": "app", "image": "a:1"}, {"name": "istio", "image": "i"}]),
            ),
            expected: containers(
                json!([{"name": "app", "image": "a:2"}, {"name": "istio", "image": "i"}]),
            ),
        },
        ThreeWay {
            name: "container removed from the chart",
            original: containers(
                json!([{"name": "app", "image": "a"}, {"name": "old", "image": "o"}]),
            ),
            modified: containers(json!([{"name": "app", "image": "a"}])),
            current: containers(
                json!([{"name": "app", "image": "a"}, {"name": "old", "image": "o"}]),
            ),
            expected: containers(json!([{"name": "app", "image": "a"}])),
        },
        ThreeWay {
            name: "replicas scaled by hand, chart stops setting them",
            original: deploy(json!({"replicas": 2})),
            modified: deploy(json!({})),
            current: deploy(json!({"replicas": 5})),
            expected: deploy(json!({})),
        },
        ThreeWay {
            name: "field set by a controller survives",
            original: deploy(json!({"replicas": 2})),
            modified: deploy(json!({"replicas": 3})),
            current: deploy(json!({"replicas": 2, "progressDeadlineSeconds": 600})),
            expected: deploy(json!({"replicas": 3, "progressDeadlineSeconds": 600})),
        },
        ThreeWay {
            name: "manual change to a chart field is overwritten",
            original: deploy(json!({"replicas": 2})),
            modified: deploy(json!({"replicas": 2})),
            current: deploy(json!({"replicas": 7})),
            expected: deploy(json!({"replicas": 2})),
        },
        ThreeWay {
            name: "env var dropped, added and changed",
            original: containers(
                json!([{"name": "app", "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]}]),
            ),
            modified: containers(
                json!([{"name": "app", "env": [{"name": "B", "value": "3"}, {"name": "C", "value": "4"}]}]),
            ),
            current: containers(
                json!([{"name": "app", "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}, {"name": "X", "value": "x"}]}]),
            ),
            expected: containers(
                // Kubernetes' order: deleting A shifts the live list in place, and
                // the added C lands in the freed slot after X.
                json!([{"name": "app", "env": [{"name": "B", "value": "3"}, {"name": "X", "value": "x"}, {"name": "C", "value": "4"}]}]),
            ),
        },
        ThreeWay {
            name: "finalizer dropped from the chart, another added by a controller",
            original: json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "finalizers": ["a", "b"]}}),
            modified: json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "finalizers": ["a"]}}),
            current: json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "finalizers": ["a", "b", "ctrl"]}}),
            expected: json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "finalizers": ["a", "ctrl"]}}),
        },
        ThreeWay {
            name: "strategy switched to Recreate",
            original: deploy(
                json!({"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}}),
            ),
            modified: deploy(json!({"strategy": {"type": "Recreate"}})),
            current: deploy(
                json!({"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": "25%"}}}),
            ),
            expected: deploy(json!({"strategy": {"type": "Recreate"}})),
        },
        ThreeWay {
            name: "containers reordered",
            original: containers(json!([{"name": "a"}, {"name": "b"}])),
            modified: containers(json!([{"name": "b"}, {"name": "a"}])),
            current: containers(json!([{"name": "a"}, {"name": "b"}])),
            expected: containers(json!([{"name": "b"}, {"name": "a"}])),
        },
        ThreeWay {
            name: "custom resource: list replaced, foreign key kept, dropped key deleted",
            original: json!({"apiVersion": "x/v1", "kind": "W", "spec": {"items": [1, 2], "old": true}}),
            modified: json!({"apiVersion": "x/v1", "kind": "W", "spec": {"items": [3]}}),
            current: json!({"apiVersion": "x/v1", "kind": "W", "spec": {"items": [1, 2], "old": true, "status": "s"}}),
            expected: json!({"apiVersion": "x/v1", "kind": "W", "spec": {"items": [3], "status": "s"}}),
        },
        ThreeWay {
            name: "service port retargeted, node port assigned by the cluster kept",
            original: json!({"apiVersion": "v1", "kind": "Service", "spec": {"ports": [{"port": 80, "targetPort": 8080}]}}),
            modified: json!({"apiVersion": "v1", "kind": "Service", "spec": {"ports": [{"port": 80, "targetPort": 9090}]}}),
            current: json!({"apiVersion": "v1", "kind": "Service", "spec": {"ports": [{"port": 80, "targetPort": 8080, "nodePort": 30001}], "clusterIP": "10.0.0.1"}}),
            expected: json!({"apiVersion": "v1", "kind": "Service", "spec": {"ports": [{"port": 80, "targetPort": 9090, "nodePort": 30001}], "clusterIP": "10.0.0.1"}}),
        },
        ThreeWay {
            name: "volume switched from emptyDir to a secret",
            original: deploy(
                json!({"template": {"spec": {"volumes": [{"name": "v", "emptyDir": {}}]}}}),
            ),
            modified: deploy(
                json!({"template": {"spec": {"volumes": [{"name": "v", "secret": {"secretName": "s"}}]}}}),
            ),
            current: deploy(
                json!({"template": {"spec": {"volumes": [{"name": "v", "emptyDir": {}}]}}}),
            ),
            expected: deploy(
                json!({"template": {"spec": {"volumes": [{"name": "v", "secret": {"secretName": "s"}}]}}}),
            ),
        },
        ThreeWay {
            name: "first upgrade of an adopted object (no original)",
            original: Value::Null,
            modified: deploy(json!({"replicas": 1})),
            current: deploy(json!({"replicas": 4, "paused": false})),
            expected: deploy(json!({"replicas": 1, "paused": false})),
        },
    ]
}

#[test]
fn three_way_patch_applied_to_current_gives_the_merged_object() {
    let mut failures = Vec::new();
    for s in three_way_scenarios() {
        let schema = MergeSchema::for_object(&s.modified);
        let result = three_way_patch(&s.original, &s.modified, &s.current, &schema, true)
            .and_then(|patch| Ok((apply_patch(&s.current, &patch, &schema)?, patch)));
        match result {
            Ok((applied, _)) if applied == s.expected => {}
            Ok((applied, patch)) => {
                failures.push(format!("{}: patch {patch} gave {applied}", s.name))
            }
            Err(e) => failures.push(format!("{}: {e}", s.name)),
        }
        // The server (kubectl here) must agree with our apply_patch.
        if let (true, Ok(patch)) = (
            schema.is_strategic(),
            three_way_patch(&s.original, &s.modified, &s.current, &schema, true),
        ) && kubectl_patch(&s.current, &patch, "strategic").as_ref() != Some(&s.expected)
        {
            failures.push(format!("{}: kubectl disagrees on {patch}", s.name));
        }
    }
    assert_none(failures);
}

#[test]
fn three_way_patch_without_overwrite_reports_conflicts() {
    let original = deploy(json!({"replicas": 2}));
    let modified = deploy(json!({"replicas": 3}));
    let current = deploy(json!({"replicas": 5}));
    let schema = MergeSchema::for_object(&modified);
    let conflict = three_way_patch(&original, &modified, &current, &schema, false);
    assert!(
        matches!(conflict, Err(PatchError::Conflict { .. })),
        "{conflict:?}"
    );
    // The same change on both sides is no conflict.
    let agreed = three_way_patch(&original, &modified, &modified, &schema, false);
    assert_eq!(agreed, Ok(json!({})));
    // Merging lists conflict element by element, by merge key.
    let original =
        containers(json!([{"name": "a", "image": "a:1"}, {"name": "b", "image": "b:1"}]));
    let modified =
        containers(json!([{"name": "a", "image": "a:2"}, {"name": "b", "image": "b:1"}]));
    let same_container =
        containers(json!([{"name": "a", "image": "a:9"}, {"name": "b", "image": "b:1"}]));
    // A field the chart does not set, changed on another container: no conflict.
    let other_container = containers(
        json!([{"name": "a", "image": "a:1"}, {"name": "b", "image": "b:1", "imagePullPolicy": "Always"}]),
    );
    let conflict = three_way_patch(&original, &modified, &same_container, &schema, false);
    assert!(
        matches!(conflict, Err(PatchError::Conflict { .. })),
        "{conflict:?}"
    );
    let fine = three_way_patch(&original, &modified, &other_container, &schema, false);
    assert!(fine.is_ok(), "{fine:?}");
    // Nor is a change to a field the chart does not touch.
    let original = deploy(json!({"replicas": 2}));
    let modified = deploy(json!({"replicas": 3}));
    let elsewhere = deploy(json!({"replicas": 2, "paused": true}));
    let patch = three_way_patch(&original, &modified, &elsewhere, &schema, false);
    assert_eq!(patch, Ok(json!({"spec": {"replicas": 3}})));
}
