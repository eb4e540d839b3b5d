//! Our `--wait` status rules against the reference `helm` 4.3.1: install
//! charts whose objects are steered to a given status, let helm's wait
//! time out, and check that `helm::kube::status` computes, from the
//! objects as the cluster returns them, the very error helm printed; and
//! that our legacy checks agree with `--wait=legacy`.
//!
//! The test cluster drops the `status` a client sends on create, as
//! kube-apiserver does, and runs controllers that would compute their
//! own. So every object here is [frozen](FROZEN) (the controllers leave
//! it alone), and the status it carries is written through the `/status`
//! subresource as soon as helm has created it, while helm is waiting.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use helm::kube::status::Status;
use helm::kube::status::legacy;
use helm::kube::status::readers::{self, WaitFor};
use helm::kube::status::selector;
use helm::kube::status::wait::{DEADLINE_EXCEEDED, Goal, ObjectId, Progress};
use kubectl_helm_test_cluster::controllers::steering::FROZEN;
use kubectl_helm_test_cluster::resources::{BUILT_IN, ResourceType};
use serde_json::{Value, json};

use common::{cluster, run, run_err, run_ok};

/// How long helm waits where it is to time out: long enough for the
/// statuses to be written first on a loaded machine.
const TIMEOUT: &str = "4s";

/// How long a test waits for helm to create an object.
const CREATED_WITHIN: Duration = Duration::from_secs(60);

/// The served type of `object`.
fn resource_of(object: &Value) -> &'static ResourceType {
    BUILT_IN
        .iter()
        .find(|r| object["apiVersion"] == r.api_version() && object["kind"] == r.kind)
        .expect("every kind here is served")
}

/// Writes the status each of `objects` carries through the `/status`
/// subresource, once helm has created it in `default`, where creating did
/// not keep it. The objects are frozen: no controller overwrites it.
fn write_statuses(objects: &[Value]) {
    for object in objects {
        let Some(status) = object.get("status") else {
            continue;
        };
        let resource = resource_of(object);
        let name = object["metadata"]["name"].as_str().expect("named");
        let started = Instant::now();
        let mut live = loop {
            if let Ok(live) = cluster().store().get(resource, "default", name) {
                break live;
            }
            assert!(
                started.elapsed() < CREATED_WITHIN,
                "{name} was never created"
            );
            std::thread::sleep(Duration::from_millis(10));
        };
        if live["status"] == *status {
            continue;
        }
        live["status"] = status.clone();
        cluster()
            .store()
            .update_status(resource, "default", name, live, false)
            .expect("a frozen object's status is written");
    }
}

/// Runs `helm` (a run of helm installing `objects`) while writing their
/// statuses as it creates them; returns what `helm` returned.
fn with_statuses<T: Send>(objects: &[Value], helm: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| {
        let helm = scope.spawn(helm);
        write_statuses(objects);
        helm.join().expect("helm ran")
    })
}

/// `object`, annotated to keep the test cluster's controllers off it.
fn frozen(mut object: Value) -> Value {
    object["metadata"]["annotations"][FROZEN] = json!("true");
    object
}

/// Writes a chart named `name` with one template per object, each
/// [frozen](frozen).
fn write_chart(dir: &Path, name: &str, objects: &[Value]) -> String {
    let chart = dir.join(name);
    std::fs::create_dir_all(chart.join("templates")).expect("chart dir");
    std::fs::write(
        chart.join("Chart.yaml"),
        format!("apiVersion: v2\nname: {name}\nversion: 0.1.0\n"),
    )
    .expect("Chart.yaml");
    for (index, object) in objects.iter().enumerate() {
        // JSON is YAML: each object is written as is, frozen.
        std::fs::write(
            chart.join(format!("templates/{index:02}.yaml")),
            frozen(object.clone()).to_string(),
        )
        .expect("template");
    }
    chart.display().to_string()
}

/// What helm printed when its wait gave up, one error per line, without
/// client-go's log lines and the `Error: …: ` prefix.
fn wait_error_lines(stderr: &str, prefix: &str) -> Vec<String> {
    let is_klog = |line: &str| {
        let mut chars = line.chars();
        matches!(chars.next(), Some('I' | 'W' | 'E')) && chars.take(4).all(|c| c.is_ascii_digit())
    };
    stderr
        .lines()
        .filter(|line| !line.is_empty() && !is_klog(line))
        .map(|line| line.strip_prefix(prefix).unwrap_or(line).to_string())
        .collect()
}

/// The objects of release `release` as the cluster returns them now.
fn live_objects(dir: &Path, release: &str) -> Vec<Value> {
    let manifest = run_ok("helm", &["get", "manifest", release]);
    let file = dir.join(format!("{release}.yaml"));
    std::fs::write(&file, manifest).expect("manifest file");
    let listed = run_ok(
        "kubectl",
        &["get", "-f", &file.display().to_string(), "-o", "json"],
    );
    let listed: Value = serde_json::from_str(&listed).expect("kubectl prints JSON");
    match listed.get("items") {
        Some(Value::Array(items)) => items.clone(),
        _ => vec![listed],
    }
}

/// The status helm's watcher reports for `object`: its rule for `wait`,
/// and for ReplicaSets and StatefulSets their pods too.
fn observed(wait: WaitFor, object: &Value) -> (Status, String) {
    let Ok(computed) = readers::status(wait, object) else {
        return (Status::Unknown, String::new());
    };
    let computed = if readers::reads_pods(object) {
        let selector = selector::pod_selector(object).expect("a workload selects its pods");
        let pods = run_ok("kubectl", &["get", "pods", "-l", &selector, "-o", "json"]);
        let pods: Value = serde_json::from_str(&pods).expect("kubectl prints JSON");
        let statuses: Vec<Status> = pods["items"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|pod| {
                readers::status(WaitFor::Resources, pod).map_or(Status::Unknown, |c| c.status)
            })
            .collect();
        readers::account_for_pods(computed, &statuses)
    } else {
        computed
    };
    (computed.status, computed.message)
}

/// Installs `objects` as release `release` with helm waiting `flags`, and
/// compares helm's error with ours.
fn assert_same_wait_error(release: &str, objects: &[Value], wait: WaitFor, flags: &[&str]) {
    let dir = tempfile::tempdir().expect("temp dir");
    let chart = write_chart(dir.path(), release, objects);
    let mut args = vec!["install", release, chart.as_str(), "--server-side=false"];
    args.extend_from_slice(flags);
    args.extend_from_slice(&["--timeout", TIMEOUT]);
    let out = with_statuses(objects, || run("helm", &args));
    assert!(!out.status.success(), "helm's wait should time out");
    let theirs = wait_error_lines(
        &String::from_utf8_lossy(&out.stderr),
        "Error: INSTALLATION FAILED: ",
    );

    let live = live_objects(dir.path(), release);
    assert_eq!(live.len(), objects.len(), "every object was created");
    let mut progress = Progress::new(Goal::Ready, live.iter().map(ObjectId::of).collect());
    for object in &live {
        let (status, message) = observed(wait, object);
        progress.observe(&ObjectId::of(object), status, message);
    }
    let ours = progress.outcome(true).expect_err("not everything is ready");
    let ours: Vec<String> = ours.to_string().lines().map(str::to_string).collect();

    // `helm get manifest` lists the objects in helm's install order, the
    // order of its errors.
    assert_eq!(theirs, ours);
}

fn meta(name: &str) -> Value {
    json!({"name": name, "labels": {"app": name}})
}

fn pod_spec() -> Value {
    json!({"containers": [{"name": "app", "image": "nginx:1.27"}]})
}

fn workload(kind: &str, name: &str, spec: Value, status: Value) -> Value {
    let mut spec_with = json!({
        "selector": {"matchLabels": {"app": name}},
        "template": {"metadata": {"labels": {"app": name}}, "spec": pod_spec()}
    });
    if let (Some(all), Some(extra)) = (spec_with.as_object_mut(), spec.as_object()) {
        all.extend(extra.clone());
    }
    json!({"apiVersion": "apps/v1", "kind": kind, "metadata": meta(name), "spec": spec_with, "status": status})
}

fn pod(name: &str, labels: Value, status: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": labels},
           "spec": pod_spec(), "status": status})
}

fn job(name: &str, status: Value) -> Value {
    json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": meta(name),
           "spec": {"backoffLimit": 6, "completions": 1, "parallelism": 1,
                    "template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "job", "image": "busybox"}]}}},
           "status": status})
}

#[test]
fn install_wait_errors_match_helms() {
    let available = json!([
        {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable", "message": "Deployment has minimum availability."},
        {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable", "message": "ReplicaSet \"x\" has successfully progressed."}
    ]);
    let crash_looping = json!({"phase": "Running",
        "conditions": [{"type": "Ready", "status": "False", "reason": "ContainersNotReady"}],
        "containerStatuses": [{"name": "app", "ready": false, "restartCount": 4,
                               "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]});
    let objects = [
        workload(
            "Deployment",
            "dep-ready",
            json!({"replicas": 1, "progressDeadlineSeconds": 600}),
            json!({"observedGeneration": 1, "replicas": 1, "updatedReplicas": 1, "readyReplicas": 1,
                        "availableReplicas": 1, "conditions": available}),
        ),
        workload("Deployment", "dep-fresh", json!({"replicas": 2}), json!({})),
        workload(
            "Deployment",
            "dep-unavailable",
            json!({"replicas": 1}),
            json!({"replicas": 1, "updatedReplicas": 1, "readyReplicas": 0, "availableReplicas": 0}),
        ),
        workload(
            "Deployment",
            "dep-stuck",
            json!({"replicas": 1, "progressDeadlineSeconds": 60}),
            json!({"replicas": 1, "updatedReplicas": 1, "conditions": [
                     {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded",
                      "message": "ReplicaSet \"x\" has timed out progressing."}]}),
        ),
        workload(
            "StatefulSet",
            "sts-partial",
            json!({"replicas": 3, "serviceName": "sts-partial"}),
            json!({"replicas": 3, "readyReplicas": 2, "currentReplicas": 3, "updatedReplicas": 3}),
        ),
        workload(
            "StatefulSet",
            "sts-ready",
            json!({"replicas": 1, "serviceName": "sts-ready",
                                                   "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}}),
            json!({"replicas": 1, "readyReplicas": 1, "currentReplicas": 1, "updatedReplicas": 1}),
        ),
        workload(
            "DaemonSet",
            "ds-unobserved",
            json!({}),
            json!({"desiredNumberScheduled": 3}),
        ),
        workload(
            "ReplicaSet",
            "rs-failure",
            json!({"replicas": 1}),
            json!({"replicas": 0, "conditions": [
            {"type": "ReplicaFailure", "status": "True", "reason": "FailedCreate", "message": "exceeded quota"}]}),
        ),
        workload(
            "ReplicaSet",
            "rs-crashing",
            json!({"replicas": 1}),
            json!({"replicas": 1, "fullyLabeledReplicas": 1, "readyReplicas": 0, "availableReplicas": 0}),
        ),
        pod(
            "rs-crashing-x7k2p",
            json!({"app": "rs-crashing"}),
            crash_looping.clone(),
        ),
        pod(
            "pod-ready",
            json!({"app": "pod-ready"}),
            json!({"phase": "Running",
            "conditions": [{"type": "Ready", "status": "True"}]}),
        ),
        pod(
            "pod-pending",
            json!({"app": "pod-pending"}),
            json!({"phase": "Pending",
            "conditions": [{"type": "PodScheduled", "status": "True"}]}),
        ),
        pod(
            "pod-unobserved",
            json!({"app": "pod-unobserved"}),
            json!({}),
        ),
        pod(
            "pod-lost",
            json!({"app": "pod-lost"}),
            json!({"phase": "Unknown"}),
        ),
        job(
            "job-running",
            json!({"active": 1, "startTime": "2026-11-22T03:00:01Z"}),
        ),
        job("job-not-started", json!({})),
        job(
            "job-failed",
            json!({"failed": 7, "conditions": [
            {"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit"}]}),
        ),
        json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": meta("claim"),
               "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
               "status": {"phase": "Pending"}}),
        json!({"apiVersion": "v1", "kind": "Service", "metadata": meta("svc"),
               "spec": {"ports": [{"port": 80}], "selector": {"app": "svc"}}}),
        json!({"apiVersion": "v1", "kind": "Service", "metadata": meta("lb"),
               "spec": {"type": "LoadBalancer", "ports": [{"port": 80}], "selector": {"app": "lb"}}}),
        json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": meta("budget"),
               "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "budget"}}}}),
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta("settings"), "data": {"a": "b"}}),
        // The kind's rule comes before a Ready condition…
        json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": meta("claim-bound-not-ready"),
               "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
               "status": {"phase": "Bound", "conditions": [
                   {"type": "Ready", "status": "False", "reason": "Nope", "message": "not ready"}]}}),
        // …and after the generic conditions and generations.
        workload(
            "Deployment",
            "dep-reconciling",
            json!({"replicas": 1}),
            json!({"conditions": [
            {"type": "Reconciling", "status": "True", "reason": "Scaling", "message": "scaling up"}]}),
        ),
        json!({"apiVersion": "v1", "kind": "Service", "metadata": meta("svc-stalled"),
               "spec": {"ports": [{"port": 80}], "selector": {"app": "svc"}},
               "status": {"conditions": [{"type": "Stalled", "status": "True", "reason": "NoEndpoints",
                                          "message": "no endpoints"}]}}),
        workload(
            "Deployment",
            "dep-observed-ahead",
            json!({"replicas": 1}),
            json!({"observedGeneration": 2}),
        ),
        json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": meta("nightly"),
               "spec": {"schedule": "0 3 * * *", "jobTemplate": {"spec": {"template": {"spec": {
                   "restartPolicy": "Never", "containers": [{"name": "job", "image": "busybox"}]}}}}}}),
    ];
    assert_same_wait_error("kstatus-install", &objects, WaitFor::Resources, &["--wait"]);
}

#[test]
fn wait_for_jobs_errors_match_helms() {
    let objects = [
        job(
            "wfj-running",
            json!({"active": 1, "startTime": "2026-11-22T03:00:01Z"}),
        ),
        job(
            "wfj-complete",
            json!({"succeeded": 1, "startTime": "2026-11-22T03:00:01Z",
            "completionTime": "2026-11-22T03:00:09Z", "conditions": [
                {"type": "Complete", "status": "True", "reason": "CompletionsReached"}]}),
        ),
        job(
            "wfj-failed",
            json!({"failed": 7, "conditions": [
            {"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded"}]}),
        ),
        workload("Deployment", "wfj-dep", json!({"replicas": 1}), json!({})),
    ];
    assert_same_wait_error(
        "kstatus-jobs",
        &objects,
        WaitFor::ResourcesAndJobs,
        &["--wait", "--wait-for-jobs"],
    );
}

/// `--wait=legacy` on objects that are all ready by Helm 3's rules ends at
/// once; with one that is not, helm says only that its time ran out. Our
/// legacy checks agree on every object, as the cluster returns it.
#[test]
fn legacy_wait_agrees_with_helm() {
    let ready = [
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta("legacy-settings"), "data": {"a": "b"}}),
        pod(
            "legacy-pod",
            json!({"app": "legacy-pod"}),
            json!({"phase": "Running",
            "conditions": [{"type": "Ready", "status": "True"}]}),
        ),
        json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": meta("legacy-claim"),
               "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
               "status": {"phase": "Bound"}}),
        json!({"apiVersion": "v1", "kind": "Service", "metadata": meta("legacy-svc"),
               "spec": {"type": "ExternalName", "externalName": "example.com"}}),
        job("legacy-job", json!({"active": 1})),
    ];
    let dir = tempfile::tempdir().expect("temp dir");
    let chart = write_chart(dir.path(), "legacy-ready", &ready);
    // Helm 3's wait polls every two seconds: it may see the objects before
    // their statuses are written, but ends at the next poll.
    with_statuses(&ready, || {
        run_ok(
            "helm",
            &[
                "install",
                "legacy-ready",
                &chart,
                "--server-side=false",
                "--wait=legacy",
                "--timeout",
                "20s",
            ],
        )
    });
    let options = legacy::Options {
        check_jobs: false,
        paused_as_ready: true,
    };
    for object in live_objects(dir.path(), "legacy-ready") {
        assert_eq!(
            legacy::is_ready(&object, legacy::Related::default(), options),
            Ok(true),
            "{}",
            ObjectId::of(&object)
        );
    }

    // A Deployment without a ReplicaSet (frozen: no controller makes one).
    let not_ready = [workload(
        "Deployment",
        "legacy-dep",
        json!({"replicas": 1}),
        json!({}),
    )];
    let chart = write_chart(dir.path(), "legacy-waiting", &not_ready);
    let stderr = with_statuses(&not_ready, || {
        run_err(
            "helm",
            &[
                "install",
                "legacy-waiting",
                &chart,
                "--server-side=false",
                "--wait=legacy",
                "--timeout",
                TIMEOUT,
            ],
        )
    });
    assert_eq!(
        wait_error_lines(&stderr, "Error: INSTALLATION FAILED: "),
        [DEADLINE_EXCEEDED]
    );
    let live = live_objects(dir.path(), "legacy-waiting");
    let replica_sets = run_ok(
        "kubectl",
        &["get", "replicasets", "-l", "app=legacy-dep", "-o", "json"],
    );
    let replica_sets: Value = serde_json::from_str(&replica_sets).expect("kubectl prints JSON");
    let related = legacy::Related {
        replica_sets: replica_sets["items"].as_array().map_or(&[], Vec::as_slice),
        pods: &[],
    };
    assert_eq!(legacy::is_ready(&live[0], related, options), Ok(false));

    // A hook Job still running when the time runs out.
    let mut hook = job("legacy-hook", json!({"active": 1}));
    hook["metadata"]["annotations"] = json!({"helm.sh/hook": "post-install"});
    let chart = write_chart(dir.path(), "legacy-hook", std::slice::from_ref(&hook));
    let stderr = with_statuses(std::slice::from_ref(&hook), || {
        run_err(
            "helm",
            &[
                "install",
                "legacy-hook",
                &chart,
                "--server-side=false",
                "--wait=legacy",
                "--timeout",
                TIMEOUT,
            ],
        )
    });
    assert_eq!(
        wait_error_lines(&stderr, "Error: INSTALLATION FAILED: failed post-install: "),
        [legacy::HOOK_TIMEOUT]
    );
    let live = run_ok("kubectl", &["get", "job", "legacy-hook", "-o", "json"]);
    let live: Value = serde_json::from_str(&live).expect("kubectl prints JSON");
    assert_eq!(legacy::hook_done(&live), Ok(false));
}

/// A hook is waited on alone with Helm's hook rules: a failed Job ends the
/// wait at once, a running Pod holds it until the deadline.
#[test]
fn hook_wait_errors_match_helms() {
    let hook = |mut object: Value| {
        object["metadata"]["annotations"] = json!({"helm.sh/hook": "post-install"});
        object
    };
    let cases = [
        (
            "kstatus-hook-job",
            hook(job(
                "hook-failed",
                json!({"failed": 7, "conditions": [
                {"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded"}]}),
            )),
            "job",
            false,
        ),
        (
            "kstatus-hook-pod",
            hook(pod(
                "hook-running",
                json!({"app": "hook-running"}),
                json!({"phase": "Running",
                "conditions": [{"type": "Ready", "status": "True"}]}),
            )),
            "pod",
            true,
        ),
    ];
    let dir = tempfile::tempdir().expect("temp dir");
    for (release, object, resource, deadline) in cases {
        let chart = write_chart(dir.path(), release, std::slice::from_ref(&object));
        let stderr = with_statuses(std::slice::from_ref(&object), || {
            run_err(
                "helm",
                &[
                    "install",
                    release,
                    &chart,
                    "--server-side=false",
                    "--timeout",
                    TIMEOUT,
                ],
            )
        });
        let theirs = wait_error_lines(&stderr, "Error: INSTALLATION FAILED: failed post-install: ");

        let name = object["metadata"]["name"].as_str().unwrap_or_default();
        let live = run_ok("kubectl", &["get", resource, name, "-o", "json"]);
        let live: Value = serde_json::from_str(&live).expect("kubectl prints JSON");
        let mut progress = Progress::new(Goal::Ready, vec![ObjectId::of(&live)]);
        let (status, message) = observed(WaitFor::Hooks, &live);
        progress.observe(&ObjectId::of(&live), status, message);
        assert_eq!(progress.done(), !deadline, "{release}");
        let ours = progress
            .outcome(deadline)
            .expect_err("the hook is not ready");
        let ours: Vec<String> = ours.to_string().lines().map(str::to_string).collect();
        assert_eq!(theirs, ours, "{release}");
    }
}

/// Helm 3's Deployment check, which finds the Deployment's current
/// ReplicaSet and counts its ready pods against `maxUnavailable`: with a
/// ReplicaSet made by hand (both frozen: no controller touches them), `helm upgrade
/// --wait=legacy` succeeds exactly when our check says ready.
#[test]
fn legacy_deployment_check_agrees_with_helm() {
    // (release, ready pods of 4 with maxUnavailable 25%, the ReplicaSet's
    // image, whether that is ready)
    let cases = [
        ("legacy-rs-ready", 3, "nginx:1.27", true),
        ("legacy-rs-short", 2, "nginx:1.27", false),
        ("legacy-rs-old", 4, "nginx:1.26", false),
    ];
    let dir = tempfile::tempdir().expect("temp dir");
    for (release, ready, image, expected) in cases {
        let deployment = workload(
            "Deployment",
            release,
            json!({"replicas": 4, "strategy": {"type": "RollingUpdate",
                   "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}}),
            json!({"observedGeneration": 1, "replicas": 4, "updatedReplicas": 4, "readyReplicas": ready}),
        );
        let chart = write_chart(dir.path(), release, std::slice::from_ref(&deployment));
        run_ok("helm", &["install", release, &chart, "--server-side=false"]);
        write_statuses(std::slice::from_ref(&deployment));
        let live = run_ok("kubectl", &["get", "deployment", release, "-o", "json"]);
        let live: Value = serde_json::from_str(&live).expect("kubectl prints JSON");

        let mut template = live["spec"]["template"].clone();
        template["metadata"]["labels"]["pod-template-hash"] = json!("5d8f7c6b9");
        template["spec"]["containers"][0]["image"] = json!(image);
        let replica_set = frozen(json!({
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": format!("{release}-5d8f7c6b9"),
                         "labels": {"app": release, "pod-template-hash": "5d8f7c6b9"},
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": release,
                                              "uid": live["metadata"]["uid"], "controller": true}]},
            "spec": {"replicas": 4, "selector": {"matchLabels": {"app": release, "pod-template-hash": "5d8f7c6b9"}},
                     "template": template},
            "status": {"observedGeneration": 1, "replicas": 4, "readyReplicas": ready}
        }));
        let file = dir.path().join(format!("{release}-rs.json"));
        std::fs::write(&file, replica_set.to_string()).expect("ReplicaSet file");
        run_ok("kubectl", &["create", "-f", &file.display().to_string()]);
        write_statuses(std::slice::from_ref(&replica_set));

        let helm_ready = run(
            "helm",
            &[
                "upgrade",
                release,
                &chart,
                "--server-side=false",
                "--wait=legacy",
                "--timeout",
                "3s",
            ],
        )
        .status
        .success();
        assert_eq!(helm_ready, expected, "{release}: helm");

        let live = run_ok("kubectl", &["get", "deployment", release, "-o", "json"]);
        let live: Value = serde_json::from_str(&live).expect("kubectl prints JSON");
        let selector = selector::pod_selector(&live).expect("a Deployment selects");
        let listed = run_ok(
            "kubectl",
            &["get", "replicasets", "-l", &selector, "-o", "json"],
        );
        let listed: Value = serde_json::from_str(&listed).expect("kubectl prints JSON");
        let related = legacy::Related {
            replica_sets: listed["items"].as_array().map_or(&[], Vec::as_slice),
            pods: &[],
        };
        let options = legacy::Options {
            check_jobs: false,
            paused_as_ready: true,
        };
        assert_eq!(
            legacy::is_ready(&live, related, options),
            Ok(helm_ready),
            "{release}"
        );
    }
}
