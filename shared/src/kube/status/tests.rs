//! Table-driven tests of kstatus' rules over objects shaped as a cluster
//! returns them (defaults filled in, controllers' status written).

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::{ComputeError, ConditionType, Status, compute_at};

/// The instant the tests pretend it is.
pub(super) fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-22T03:00:30Z")
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

/// `base` with a JSON merge patch applied (a null removes a key).
pub(super) fn patched(base: &Value, patch: Value) -> Value {
    let mut merged = base.clone();
    merge(&mut merged, patch);
    merged
}

fn merge(target: &mut Value, patch: Value) {
    match (target, patch) {
        (Value::Object(target), Value::Object(patch)) => {
            for (key, value) in patch {
                if value.is_null() {
                    target.remove(&key);
                } else {
                    merge(target.entry(key).or_insert(Value::Null), value);
                }
            }
        }
        (target, patch) => *target = patch,
    }
}

fn metadata(name: &str, generation: i64) -> Value {
    json!({
        "name": name,
        "namespace": "default",
        "uid": "6f1c3a52-8a4e-4f43-9a0e-3c1d2b7f5e10",
        "resourceVersion": "48213",
        "generation": generation,
        "creationTimestamp": "2026-11-22T03:00:00Z",
        "labels": {"app.kubernetes.io/managed-by": "Helm"},
        "annotations": {"meta.helm.sh/release-name": "web", "meta.helm.sh/release-namespace": "default"}
    })
}

fn pod_template() -> Value {
    json!({
        "metadata": {"creationTimestamp": null, "labels": {"app": "web"}},
        "spec": {
            "containers": [{
                "name": "web", "image": "nginx:1.27", "imagePullPolicy": "IfNotPresent",
                "ports": [{"containerPort": 80, "protocol": "TCP"}],
                "resources": {}, "terminationMessagePath": "/dev/termination-log",
                "terminationMessagePolicy": "File"
            }],
            "dnsPolicy": "ClusterFirst", "restartPolicy": "Always", "schedulerName": "default-scheduler",
            "securityContext": {}, "terminationGracePeriodSeconds": 30
        }
    })
}

/// A Deployment whose rollout finished.
pub(super) fn deployment() -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": metadata("web", 1),
        "spec": {
            "replicas": 1, "progressDeadlineSeconds": 600, "revisionHistoryLimit": 10,
            "selector": {"matchLabels": {"app": "web"}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
            "template": pod_template()
        },
        "status": {
            "observedGeneration": 1, "replicas": 1, "updatedReplicas": 1, "readyReplicas": 1, "availableReplicas": 1,
            "conditions": [
                {"type": "Available", "status": "True", "lastUpdateTime": "2026-11-22T03:00:05Z",
                 "lastTransitionTime": "2026-11-22T03:00:05Z", "reason": "MinimumReplicasAvailable",
                 "message": "Deployment has minimum availability."},
                {"type": "Progressing", "status": "True", "lastUpdateTime": "2026-11-22T03:00:05Z",
                 "lastTransitionTime": "2026-11-22T03:00:00Z", "reason": "NewReplicaSetAvailable",
                 "message": "ReplicaSet \"web-7c5ddbdf54\" has successfully progressed."}
            ]
        }
    })
}

/// A StatefulSet of three whose rollout finished.
pub(super) fn stateful_set() -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "StatefulSet",
        "metadata": metadata("db", 1),
        "spec": {
            "replicas": 3, "serviceName": "db", "podManagementPolicy": "OrderedReady", "revisionHistoryLimit": 10,
            "selector": {"matchLabels": {"app": "web"}},
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
            "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
            "template": pod_template()
        },
        "status": {
            "observedGeneration": 1, "replicas": 3, "readyReplicas": 3, "currentReplicas": 3, "updatedReplicas": 3,
            "availableReplicas": 3, "currentRevision": "db-6b7f9c8d4", "updateRevision": "db-6b7f9c8d4",
            "collisionCount": 0
        }
    })
}

/// A DaemonSet on three nodes whose rollout finished.
pub(super) fn daemon_set() -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "DaemonSet",
        "metadata": metadata("agent", 1),
        "spec": {
            "revisionHistoryLimit": 10, "selector": {"matchLabels": {"app": "web"}},
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}},
            "template": pod_template()
        },
        "status": {
            "observedGeneration": 1, "desiredNumberScheduled": 3, "currentNumberScheduled": 3,
            "updatedNumberScheduled": 3, "numberAvailable": 3, "numberReady": 3, "numberMisscheduled": 0
        }
    })
}

/// A ReplicaSet of two, all up.
pub(super) fn replica_set() -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": metadata("web-7c5ddbdf54", 1),
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}}, "template": pod_template()},
        "status": {"observedGeneration": 1, "replicas": 2, "fullyLabeledReplicas": 2, "readyReplicas": 2, "availableReplicas": 2}
    })
}

/// A running, Ready Pod.
pub(super) fn pod() -> Value {
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web-7c5ddbdf54-x2x9k", "namespace": "default", "uid": "0b3e9f5e-2a0c-4f0e-8a61-52b0f1f0c9a1",
                     "resourceVersion": "48190", "creationTimestamp": "2026-11-22T03:00:00Z", "labels": {"app": "web"}},
        "spec": pod_template()["spec"].clone(),
        "status": {
            "phase": "Running", "hostIP": "10.0.0.4", "podIP": "10.244.1.7", "qosClass": "BestEffort",
            "startTime": "2026-11-22T03:00:01Z",
            "conditions": [
                {"type": "PodReadyToStartContainers", "status": "True", "lastProbeTime": null, "lastTransitionTime": "2026-11-22T03:00:03Z"},
                {"type": "Initialized", "status": "True", "lastProbeTime": null, "lastTransitionTime": "2026-11-22T03:00:01Z"},
                {"type": "Ready", "status": "True", "lastProbeTime": null, "lastTransitionTime": "2026-11-22T03:00:04Z"},
                {"type": "ContainersReady", "status": "True", "lastProbeTime": null, "lastTransitionTime": "2026-11-22T03:00:04Z"},
                {"type": "PodScheduled", "status": "True", "lastProbeTime": null, "lastTransitionTime": "2026-11-22T03:00:01Z"}
            ],
            "containerStatuses": [{
                "name": "web", "image": "nginx:1.27", "imageID": "docker.io/library/nginx@sha256:0a1b", "ready": true,
                "restartCount": 0, "started": true, "state": {"running": {"startedAt": "2026-11-22T03:00:03Z"}}
            }]
        }
    })
}

/// A Pod running but not Ready, one condition per status.
fn pod_not_ready() -> Value {
    patched(
        &pod(),
        json!({"status": {"conditions": [
            {"type": "Ready", "status": "False", "reason": "ContainersNotReady", "message": "containers with unready status: [web]"},
            {"type": "PodScheduled", "status": "True"}
        ]}}),
    )
}

/// A Pending Pod no node can take, created at `created`.
fn unschedulable_pod(created: &str) -> Value {
    patched(
        &pod(),
        json!({
            "metadata": {"creationTimestamp": created},
            "status": {"phase": "Pending", "containerStatuses": null, "startTime": null, "conditions": [
                {"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                 "message": "0/3 nodes are available: 3 Insufficient cpu."}
            ]}
        }),
    )
}

/// A Job that is running.
pub(super) fn job() -> Value {
    json!({
        "apiVersion": "batch/v1", "kind": "Job",
        "metadata": metadata("migrate", 1),
        "spec": {"parallelism": 1, "completions": 1, "backoffLimit": 6, "completionMode": "NonIndexed",
                 "suspend": false, "manualSelector": false, "podReplacementPolicy": "TerminatingOrFailed",
                 "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": "4b7d"}},
                 "template": patched(&pod_template(), json!({"spec": {"restartPolicy": "Never"}}))},
        "status": {"active": 1, "ready": 0, "terminating": 0, "startTime": "2026-11-22T03:00:01Z",
                   "uncountedTerminatedPods": {}}
    })
}

/// [`job`] once it has succeeded.
pub(super) fn job_complete() -> Value {
    patched(
        &job(),
        json!({"status": {"active": null, "succeeded": 1, "completionTime": "2026-11-22T03:00:20Z",
        "conditions": [
            {"type": "SuccessCriteriaMet", "status": "True", "reason": "CompletionsReached", "message": "Reached expected number of succeeded pods"},
            {"type": "Complete", "status": "True", "reason": "CompletionsReached", "message": "Reached expected number of succeeded pods"}
        ]}}),
    )
}

/// [`job`] once it has failed for good.
pub(super) fn job_failed() -> Value {
    patched(
        &job(),
        json!({"status": {"active": null, "failed": 7, "conditions": [
            {"type": "FailureTarget", "status": "True", "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit"},
            {"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit"}
        ]}}),
    )
}

fn service() -> Value {
    json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": metadata("web", 0),
        "spec": {"type": "ClusterIP", "clusterIP": "10.96.14.3", "clusterIPs": ["10.96.14.3"],
                 "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack", "internalTrafficPolicy": "Cluster",
                 "ports": [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 80}],
                 "selector": {"app": "web"}, "sessionAffinity": "None"},
        "status": {"loadBalancer": {}}
    })
}

fn pvc(phase: Option<&str>) -> Value {
    let mut claim = json!({
        "apiVersion": "v1", "kind": "PersistentVolumeClaim",
        "metadata": metadata("data", 0),
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}},
                 "storageClassName": "standard", "volumeMode": "Filesystem"}
    });
    if let Some(phase) = phase {
        claim["status"] = json!({"phase": phase});
    }
    claim
}

fn pdb(observed: i64) -> Value {
    json!({
        "apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
        "metadata": metadata("web", 1),
        "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "web"}}},
        "status": {"observedGeneration": observed, "currentHealthy": 1, "desiredHealthy": 1,
                   "disruptionsAllowed": 0, "expectedPods": 1,
                   "conditions": [{"type": "DisruptionAllowed", "status": "False", "reason": "InsufficientPods", "message": ""}]}
    })
}

fn crd(conditions: Value) -> Value {
    json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com", "generation": 1, "uid": "9d1c", "resourceVersion": "511"},
        "spec": {"group": "example.com", "scope": "Namespaced",
                 "names": {"kind": "Widget", "plural": "widgets", "singular": "widget", "listKind": "WidgetList"},
                 "versions": [{"name": "v1", "served": true, "storage": true,
                               "schema": {"openAPIV3Schema": {"type": "object"}}}]},
        "status": {"conditions": conditions, "storedVersions": ["v1"],
                   "acceptedNames": {"kind": "Widget", "plural": "widgets"}}
    })
}

fn widget(status: Value) -> Value {
    json!({
        "apiVersion": "example.com/v1", "kind": "Widget",
        "metadata": metadata("blue", 2),
        "spec": {"size": 3},
        "status": status
    })
}

/// One expectation: the status and message, and the reason of the derived
/// condition (`None` when the rule derives none).
struct Case {
    name: &'static str,
    object: Value,
    status: Status,
    message: &'static str,
    reason: Option<&'static str>,
}

fn case(
    name: &'static str,
    object: Value,
    status: Status,
    message: &'static str,
    reason: Option<&'static str>,
) -> Case {
    Case {
        name,
        object,
        status,
        message,
        reason,
    }
}

fn check(cases: Vec<Case>) {
    for c in cases {
        let computed = compute_at(&c.object, now())
            .unwrap_or_else(|e| panic!("{}: unexpected error {e}", c.name));
        assert_eq!(
            (computed.status, computed.message.as_str()),
            (c.status, c.message),
            "{}",
            c.name
        );
        let reason = computed.conditions.first().map(|c| c.reason.as_str());
        assert_eq!(reason, c.reason, "{}: condition reason", c.name);
        for condition in &computed.conditions {
            let expected = match c.status {
                Status::Failed => ConditionType::Stalled,
                _ => ConditionType::Reconciling,
            };
            assert_eq!(condition.type_, expected, "{}: condition type", c.name);
        }
    }
}

use Status::{Current, Failed, InProgress, Terminating};

#[test]
fn deployments() {
    let d = deployment();
    check(vec![
        case(
            "rolled out",
            d.clone(),
            Current,
            "Deployment is available. Replicas: 1",
            None,
        ),
        case(
            "just created",
            patched(&d, json!({"status": null})),
            InProgress,
            "Replicas: 0/1",
            Some("LessReplicas"),
        ),
        case(
            "no pod updated yet",
            patched(&d, json!({"status": {"updatedReplicas": 0}})),
            InProgress,
            "Updated: 0/1",
            Some("LessUpdated"),
        ),
        case(
            "old pod still terminating",
            patched(&d, json!({"status": {"replicas": 2}})),
            InProgress,
            "Pending termination: 1",
            Some("ExtraPods"),
        ),
        case(
            "new pod not available",
            patched(
                &d,
                json!({"status": {"availableReplicas": 0, "readyReplicas": 0}}),
            ),
            InProgress,
            "Available: 0/1",
            Some("LessAvailable"),
        ),
        case(
            "available but not ready",
            patched(&d, json!({"status": {"readyReplicas": 0}})),
            InProgress,
            "Ready: 0/1",
            Some("LessReady"),
        ),
        case(
            "new ReplicaSet still progressing",
            patched(
                &d,
                json!({"status": {"conditions": [
                 {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"},
                 {"type": "Progressing", "status": "True", "reason": "ReplicaSetUpdated",
                  "message": "ReplicaSet \"web-7c5ddbdf54\" is progressing."}]}}),
            ),
            InProgress,
            "ReplicaSet not Available",
            Some("ReplicaSetNotAvailable"),
        ),
        case(
            "not available",
            patched(
                &d,
                json!({"status": {"conditions": [
                 {"type": "Available", "status": "False", "reason": "MinimumReplicasUnavailable"},
                 {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"}]}}),
            ),
            InProgress,
            "Deployment not Available",
            Some("DeploymentNotAvailable"),
        ),
        case(
            "no progress deadline: no Progressing condition needed",
            patched(
                &d,
                json!({"spec": {"progressDeadlineSeconds": 2147483647},
                                "status": {"conditions": [{"type": "Available", "status": "True"}]}}),
            ),
            Current,
            "Deployment is available. Replicas: 1",
            None,
        ),
        case(
            "scaled to zero",
            patched(
                &d,
                json!({"spec": {"replicas": 0},
                 "status": {"replicas": null, "updatedReplicas": null, "readyReplicas": null, "availableReplicas": null}}),
            ),
            Current,
            "Deployment is available. Replicas: 0",
            None,
        ),
        case(
            "spec changed, not yet observed",
            patched(&d, json!({"metadata": {"generation": 2}})),
            InProgress,
            "Deployment generation is 2, but latest observed generation is 1",
            Some("LatestGenerationNotObserved"),
        ),
        case(
            "being deleted",
            patched(
                &d,
                json!({"metadata": {"deletionTimestamp": "2026-11-22T03:00:20Z"}}),
            ),
            Terminating,
            "Resource scheduled for deletion",
            None,
        ),
        case(
            "extensions group uses the same rule",
            patched(
                &d,
                json!({"apiVersion": "extensions/v1beta1", "status": {"readyReplicas": 0}}),
            ),
            InProgress,
            "Ready: 0/1",
            Some("LessReady"),
        ),
    ]);
}

#[test]
fn deployment_past_its_progress_deadline_fails_with_the_controllers_words() {
    let stuck = patched(
        &deployment(),
        json!({"status": {"readyReplicas": 0, "availableReplicas": 0, "conditions": [
        {"type": "Available", "status": "False", "reason": "MinimumReplicasUnavailable"},
        {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded",
         "message": "ReplicaSet \"web-7c5ddbdf54\" has timed out progressing."}]}}),
    );
    let computed = compute_at(&stuck, now()).expect("computes");
    assert_eq!(computed.status, Failed);
    assert_eq!(computed.message, "Progress deadline exceeded");
    let stalled = &computed.conditions[0];
    assert_eq!(stalled.type_, ConditionType::Stalled);
    assert_eq!(stalled.reason, "ProgressDeadlineExceeded");
    assert_eq!(
        stalled.message,
        "ReplicaSet \"web-7c5ddbdf54\" has timed out progressing."
    );
}

#[test]
fn generic_conditions_override_the_kind() {
    let d = deployment();
    check(vec![
        case(
            "Reconciling True",
            patched(
                &d,
                json!({"status": {"conditions": [
                {"type": "Reconciling", "status": "True", "reason": "Scaling", "message": "scaling up"}]}}),
            ),
            InProgress,
            "scaling up",
            Some("Scaling"),
        ),
        case(
            "Stalled True",
            patched(
                &d,
                json!({"status": {"conditions": [
                {"type": "Stalled", "status": "True", "reason": "QuotaExceeded", "message": "exceeded quota"}]}}),
            ),
            Failed,
            "exceeded quota",
            Some("QuotaExceeded"),
        ),
        case(
            "Reconciling False is ignored",
            patched(
                &d,
                json!({"status": {"conditions": [
                {"type": "Reconciling", "status": "False"},
                {"type": "Available", "status": "True"},
                {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"}]}}),
            ),
            Current,
            "Deployment is available. Replicas: 1",
            None,
        ),
        case(
            "deletion beats a stale generation",
            patched(
                &d,
                json!({"metadata": {"generation": 5, "deletionTimestamp": "2026-11-22T03:00:20Z"}}),
            ),
            Terminating,
            "Resource scheduled for deletion",
            None,
        ),
        case(
            "an empty deletion timestamp is none",
            patched(&d, json!({"metadata": {"deletionTimestamp": ""}})),
            Current,
            "Deployment is available. Replicas: 1",
            None,
        ),
    ]);
}

#[test]
fn stateful_sets() {
    let s = stateful_set();
    check(vec![
        case(
            "rolled out, partition 0",
            s.clone(),
            Current,
            "Partition rollout complete. updated: 3",
            None,
        ),
        case(
            "just created",
            patched(
                &s,
                json!({"status": {"replicas": 0, "readyReplicas": 0, "currentReplicas": 0,
                 "updatedReplicas": 0, "availableReplicas": 0}}),
            ),
            InProgress,
            "Replicas: 0/3",
            Some("LessReplicas"),
        ),
        case(
            "one not ready",
            patched(&s, json!({"status": {"readyReplicas": 2}})),
            InProgress,
            "Ready: 2/3",
            Some("LessReady"),
        ),
        case(
            "scaled down, one left",
            patched(&s, json!({"spec": {"replicas": 2}})),
            InProgress,
            "Pending termination: 1",
            Some("ExtraPods"),
        ),
        case(
            "partitioned rollout under way",
            patched(&s, json!({"status": {"updatedReplicas": 1}})),
            InProgress,
            "updated: 1/3",
            Some("PartitionRollout"),
        ),
        case(
            "partition 2 needs one updated",
            patched(
                &s,
                json!({"spec": {"updateStrategy": {"rollingUpdate": {"partition": 2}}},
                                "status": {"updatedReplicas": 1}}),
            ),
            Current,
            "Partition rollout complete. updated: 1",
            None,
        ),
        case(
            "no partition: waits for current replicas",
            patched(
                &s,
                json!({"spec": {"updateStrategy": {"rollingUpdate": null}}, "status": {"currentReplicas": 2}}),
            ),
            InProgress,
            "current: 2/3",
            Some("LessCurrent"),
        ),
        case(
            "no partition: waits for the revisions to match",
            patched(
                &s,
                json!({"spec": {"updateStrategy": {"rollingUpdate": null}},
                                "status": {"updateRevision": "db-5f4d8b7c9"}}),
            ),
            InProgress,
            "Waiting for updated revision to match current",
            Some("RevisionMismatch"),
        ),
        case(
            "no partition, all current",
            patched(
                &s,
                json!({"spec": {"updateStrategy": {"rollingUpdate": null}}}),
            ),
            Current,
            "All replicas scheduled as expected. Replicas: 3",
            None,
        ),
        case(
            "OnDelete is left to the user",
            patched(
                &s,
                json!({"spec": {"updateStrategy": {"type": "OnDelete", "rollingUpdate": null}},
                                "status": {"readyReplicas": 0}}),
            ),
            Current,
            "StatefulSet is using the ondelete update strategy",
            None,
        ),
    ]);
}

#[test]
fn daemon_sets() {
    let d = daemon_set();
    check(vec![
        case(
            "rolled out",
            d.clone(),
            Current,
            "All replicas scheduled as expected. Replicas: 3",
            None,
        ),
        case(
            "controller has not seen it",
            patched(&d, json!({"status": {"observedGeneration": null}})),
            InProgress,
            "DaemonSet status.observedGeneration not found",
            Some("NoObservedGeneration"),
        ),
        case(
            "no generation",
            patched(&d, json!({"metadata": {"generation": null}})),
            InProgress,
            "DaemonSet metadata.generation not found",
            Some("NoGeneration"),
        ),
        case(
            "no desired count yet",
            patched(&d, json!({"status": {"desiredNumberScheduled": null}})),
            InProgress,
            "Missing .status.desiredNumberScheduled",
            Some("NoDesiredNumber"),
        ),
        case(
            "a node without its pod",
            patched(&d, json!({"status": {"currentNumberScheduled": 2}})),
            InProgress,
            "Current: 2/3",
            Some("LessCurrent"),
        ),
        case(
            "updating",
            patched(&d, json!({"status": {"updatedNumberScheduled": 1}})),
            InProgress,
            "Updated: 1/3",
            Some("LessUpdated"),
        ),
        case(
            "one unavailable",
            patched(&d, json!({"status": {"numberAvailable": 2}})),
            InProgress,
            "Available: 2/3",
            Some("LessAvailable"),
        ),
        case(
            "one not ready",
            patched(&d, json!({"status": {"numberReady": 2}})),
            InProgress,
            "Ready: 2/3",
            Some("LessReady"),
        ),
        case(
            "no node matches",
            patched(
                &d,
                json!({"status": {"desiredNumberScheduled": 0, "currentNumberScheduled": 0,
                 "updatedNumberScheduled": 0, "numberAvailable": 0, "numberReady": 0}}),
            ),
            Current,
            "All replicas scheduled as expected. Replicas: 0",
            None,
        ),
    ]);
}

#[test]
fn replica_sets() {
    let r = replica_set();
    check(vec![
        case(
            "all up",
            r.clone(),
            Current,
            "ReplicaSet is available. Replicas: 2",
            None,
        ),
        case(
            "quota refused a pod",
            patched(
                &r,
                json!({"status": {"conditions": [
                {"type": "ReplicaFailure", "status": "True", "reason": "FailedCreate",
                 "message": "pods \"web-7c5ddbdf54-abcde\" is forbidden: exceeded quota"}]}}),
            ),
            InProgress,
            "Replica Failure condition. Check Pods",
            Some("ReplicaFailure"),
        ),
        case(
            "labels not applied",
            patched(&r, json!({"status": {"fullyLabeledReplicas": 1}})),
            InProgress,
            "Labelled: 1/2",
            Some("LessLabelled"),
        ),
        case(
            "one unavailable",
            patched(&r, json!({"status": {"availableReplicas": 1}})),
            InProgress,
            "Available: 1/2",
            Some("LessAvailable"),
        ),
        case(
            "one not ready",
            patched(&r, json!({"status": {"readyReplicas": 1}})),
            InProgress,
            "Ready: 1/2",
            Some("LessReady"),
        ),
        case(
            "an extra pod",
            patched(&r, json!({"status": {"replicas": 3}})),
            InProgress,
            "Pending termination: 1",
            Some("ExtraPods"),
        ),
    ]);
}

#[test]
fn pods() {
    let p = pod();
    let crash_looping = patched(
        &pod_not_ready(),
        json!({"status": {"containerStatuses": [
            {"name": "web", "ready": false, "restartCount": 5,
             "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 2m40s restarting failed container=web"}}},
            {"name": "sidecar", "ready": true, "restartCount": 0, "state": {"running": {"startedAt": "2026-11-22T03:00:03Z"}}},
            {"name": "proxy", "ready": false, "restartCount": 4,
             "state": {"waiting": {"reason": "CrashLoopBackOff"}}}
        ]}}),
    );
    check(vec![
        case("ready", p.clone(), Current, "Pod is Ready", None),
        case(
            "running, not ready",
            pod_not_ready(),
            InProgress,
            "Pod is running but is not Ready",
            Some("PodRunningNotReady"),
        ),
        case(
            "crash looping",
            crash_looping,
            Failed,
            "Containers in CrashLoop state: web,proxy",
            Some("ContainerCrashLooping"),
        ),
        case(
            "unschedulable for 5s",
            unschedulable_pod("2026-11-22T03:00:25Z"),
            InProgress,
            "Pod has not been scheduled",
            Some("PodNotScheduled"),
        ),
        case(
            "unschedulable for 30s",
            unschedulable_pod("2026-11-22T03:00:00Z"),
            Failed,
            "Pod could not be scheduled",
            Some("PodUnschedulable"),
        ),
        case(
            "unschedulable, no creation time",
            patched(
                &unschedulable_pod(""),
                json!({"metadata": {"creationTimestamp": null}}),
            ),
            Failed,
            "Pod could not be scheduled",
            Some("PodUnschedulable"),
        ),
        case(
            "pulling its image",
            patched(
                &p,
                json!({"status": {"phase": "Pending", "conditions": [
                {"type": "PodScheduled", "status": "True"}, {"type": "Ready", "status": "False"}]}}),
            ),
            InProgress,
            "Pod is in the Pending phase",
            Some("PodPending"),
        ),
        case(
            "succeeded",
            patched(&p, json!({"status": {"phase": "Succeeded"}})),
            Current,
            "Pod has completed successfully",
            None,
        ),
        case(
            "failed is still Current to kstatus",
            patched(&p, json!({"status": {"phase": "Failed"}})),
            Current,
            "Pod has completed, but not successfully",
            None,
        ),
        case(
            "no phase yet",
            patched(&p, json!({"status": null})),
            InProgress,
            "Pod phase not available",
            Some("PodNotObserved"),
        ),
    ]);
}

#[test]
fn a_pod_in_an_unknown_phase_is_an_error() {
    let lost = patched(&pod(), json!({"status": {"phase": "Unknown"}}));
    assert_eq!(
        compute_at(&lost, now()),
        Err(ComputeError::UnknownPodPhase("Unknown".to_string()))
    );
}

#[test]
fn jobs() {
    let j = job();
    check(vec![
        case(
            "running",
            j.clone(),
            Current,
            "Job in progress. success:0, active: 1, failed: 0",
            None,
        ),
        case(
            "not started",
            patched(&j, json!({"status": {"startTime": null, "active": 0}})),
            InProgress,
            "Job not started",
            Some("JobNotStarted"),
        ),
        case(
            "complete",
            job_complete(),
            Current,
            "Job Completed. succeeded: 1/1",
            None,
        ),
        case(
            "completions default to parallelism",
            patched(
                &job_complete(),
                json!({"spec": {"parallelism": 3, "completions": null}, "status": {"succeeded": 3}}),
            ),
            Current,
            "Job Completed. succeeded: 3/3",
            None,
        ),
        case(
            "failed",
            job_failed(),
            Failed,
            "Job Failed. failed: 7/1",
            Some("JobFailed"),
        ),
        case(
            "suspended",
            patched(
                &j,
                json!({"spec": {"suspend": true}, "status": {"active": 0, "conditions": [
                {"type": "Suspended", "status": "True", "reason": "JobSuspended", "message": "Job suspended"}]}}),
            ),
            Current,
            "Job is suspended",
            None,
        ),
    ]);
}

#[test]
fn services_claims_budgets_and_plain_kinds() {
    let s = service();
    check(vec![
        case("ClusterIP", s.clone(), Current, "Service is ready", None),
        case(
            "headless",
            patched(
                &s,
                json!({"spec": {"clusterIP": "None", "clusterIPs": ["None"]}}),
            ),
            Current,
            "Service is ready",
            None,
        ),
        case(
            "LoadBalancer without a cluster IP",
            patched(
                &s,
                json!({"spec": {"type": "LoadBalancer", "clusterIP": null}}),
            ),
            InProgress,
            "ClusterIP not set. Service type: LoadBalancer",
            Some("NoIPAssigned"),
        ),
        case(
            "LoadBalancer without ingress yet",
            patched(&s, json!({"spec": {"type": "LoadBalancer"}})),
            Current,
            "Service is ready",
            None,
        ),
        case(
            "claim bound",
            pvc(Some("Bound")),
            Current,
            "PVC is Bound",
            None,
        ),
        case(
            "claim pending",
            pvc(Some("Pending")),
            InProgress,
            "PVC is not Bound. phase: Pending",
            Some("NotBound"),
        ),
        case(
            "claim without status",
            pvc(None),
            InProgress,
            "PVC is not Bound. phase: unknown",
            Some("NotBound"),
        ),
        case(
            "budget observed",
            pdb(1),
            Current,
            "AllowedDisruptions has been computed.",
            None,
        ),
        case(
            "budget not observed",
            pdb(0),
            InProgress,
            "PodDisruptionBudget generation is 1, but latest observed generation is 0",
            Some("LatestGenerationNotObserved"),
        ),
        case(
            "ConfigMap",
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata("cfg", 0), "data": {"a": "b"}}),
            Current,
            "Resource is always ready",
            None,
        ),
        case(
            "Secret",
            json!({"apiVersion": "v1", "kind": "Secret", "metadata": metadata("s", 0), "type": "Opaque"}),
            Current,
            "Resource is always ready",
            None,
        ),
        case(
            "CronJob",
            json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": metadata("nightly", 1),
                               "spec": {"schedule": "0 3 * * *"}, "status": {}}),
            Current,
            "Resource is always ready",
            None,
        ),
        case(
            "a kind with no rule",
            json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
                                            "metadata": metadata("web", 1), "status": {"loadBalancer": {}}}),
            Current,
            "Resource is current",
            None,
        ),
    ]);
}

#[test]
fn custom_resource_definitions() {
    check(vec![
        case(
            "established",
            crd(json!([
                {"type": "NamesAccepted", "status": "True", "reason": "NoConflicts", "message": "no conflicts found"},
                {"type": "Established", "status": "True", "reason": "InitialNamesAccepted", "message": "the initial names have been accepted"}])),
            Current,
            "CRD is established",
            None,
        ),
        case(
            "names taken",
            crd(json!([
                {"type": "NamesAccepted", "status": "False", "reason": "MultipleNames",
                 "message": "\"widgets\" is already in use"},
                {"type": "Established", "status": "False", "reason": "NotAccepted", "message": "not all names are accepted"}])),
            Failed,
            "\"widgets\" is already in use",
            Some("MultipleNames"),
        ),
        case(
            "installing",
            crd(json!([
                {"type": "NamesAccepted", "status": "True", "reason": "NoConflicts"},
                {"type": "Established", "status": "False", "reason": "Installing", "message": "the initial names have been accepted"}])),
            InProgress,
            "Install in progress",
            Some("Installing"),
        ),
        case(
            "not established for another reason",
            crd(json!([
                {"type": "Established", "status": "False", "reason": "NotAccepted", "message": "not all names are accepted"}])),
            Failed,
            "not all names are accepted",
            Some("NotAccepted"),
        ),
        case(
            "no conditions yet",
            crd(json!([])),
            InProgress,
            "Install in progress",
            Some("Installing"),
        ),
    ]);
}

#[test]
fn custom_resources_use_their_ready_condition() {
    check(vec![
        case(
            "Ready True",
            widget(json!({"observedGeneration": 2, "conditions": [
                {"type": "Ready", "status": "True", "reason": "Reconciled", "message": "all good"}]})),
            Current,
            "Resource is Ready",
            None,
        ),
        case(
            "Ready False",
            widget(json!({"observedGeneration": 2, "conditions": [
                {"type": "Ready", "status": "False", "reason": "Provisioning", "message": "waiting for the volume"}]})),
            InProgress,
            "waiting for the volume",
            Some("Provisioning"),
        ),
        case(
            "Ready Unknown",
            widget(json!({"conditions": [
                {"type": "Ready", "status": "Unknown", "reason": "Pending", "message": "not checked yet"}]})),
            InProgress,
            "not checked yet",
            Some("Pending"),
        ),
        case(
            "an odd Ready status is no answer",
            widget(json!({"conditions": [{"type": "Ready", "status": "Maybe"}]})),
            Current,
            "Resource is current",
            None,
        ),
        case(
            "stale generation first",
            widget(json!({"observedGeneration": 1, "conditions": [
                {"type": "Ready", "status": "True"}]})),
            InProgress,
            "Widget generation is 2, but latest observed generation is 1",
            Some("LatestGenerationNotObserved"),
        ),
        case(
            "no status",
            patched(&widget(json!({})), json!({"status": null})),
            Current,
            "Resource is current",
            None,
        ),
        case(
            "not a group/version: no kind rule applies",
            patched(
                &deployment(),
                json!({"apiVersion": "apps/v1/extra", "status": {"readyReplicas": 0}}),
            ),
            Current,
            "Resource is current",
            None,
        ),
    ]);
}

#[test]
fn malformed_fields_are_errors_not_guesses() {
    let d = deployment();
    let broken = [
        ("not an object", json!(["a", "list"])),
        (
            "conditions not a list",
            patched(&d, json!({"status": {"conditions": "Available"}})),
        ),
        (
            "a condition not an object",
            patched(&d, json!({"status": {"conditions": [7]}})),
        ),
        (
            "a condition type not a string",
            patched(&d, json!({"status": {"conditions": [{"type": 1}]}})),
        ),
        ("status not an object", patched(&d, json!({"status": "ok"}))),
        // Go's unstructured readers reject a null on the way to a field.
        ("status null", {
            let mut null_status = d.clone();
            null_status["status"] = Value::Null;
            null_status
        }),
        (
            "generation not an integer",
            patched(&d, json!({"metadata": {"generation": "1"}})),
        ),
        (
            "generation a fraction",
            patched(&d, json!({"metadata": {"generation": 1.5}})),
        ),
        (
            "deletion timestamp not a string",
            patched(&d, json!({"metadata": {"deletionTimestamp": 5}})),
        ),
        (
            "metadata not an object",
            patched(&d, json!({"metadata": "web"})),
        ),
        (
            "container statuses not a list",
            patched(
                &pod_not_ready(),
                json!({"status": {"containerStatuses": {"web": {}}}}),
            ),
        ),
        (
            "a container status name not a string",
            patched(
                &pod_not_ready(),
                json!({"status": {"containerStatuses": [{"name": 3, "state": {}}]}}),
            ),
        ),
    ];
    for (name, object) in broken {
        assert!(
            matches!(compute_at(&object, now()), Err(ComputeError::Field(_))),
            "{name}"
        );
    }
}

#[test]
fn counts_of_the_wrong_type_fall_back_to_defaults() {
    // kstatus reads counts leniently: a non-integer is the default.
    let d = patched(
        &deployment(),
        json!({"spec": {"replicas": "3"}, "status": {"replicas": 1.0}}),
    );
    let computed = compute_at(&d, now()).expect("computes");
    assert_eq!(computed.message, "Replicas: 0/1");
}

#[test]
fn huge_counts_do_not_overflow() {
    let s = patched(
        &stateful_set(),
        json!({"spec": {"replicas": i64::MIN,
        "updateStrategy": {"rollingUpdate": {"partition": i64::MAX}}}}),
    );
    assert!(compute_at(&s, now()).is_ok());
    let d = patched(
        &deployment(),
        json!({"spec": {"replicas": i64::MIN}, "status": {"replicas": i64::MAX}}),
    );
    assert!(compute_at(&d, now()).is_ok());
}

/// A step into a JSON value.
#[derive(Clone)]
enum Step {
    Key(String),
    Index(usize),
}

/// Every path to a value inside `value`.
fn paths(value: &Value, prefix: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    out.push(prefix.clone());
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                prefix.push(Step::Key(key.clone()));
                paths(child, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                prefix.push(Step::Index(index));
                paths(child, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

fn replaced(value: &Value, path: &[Step], with: &Value) -> Value {
    let mut copy = value.clone();
    let mut slot = &mut copy;
    for step in path {
        let next = match step {
            Step::Key(key) => slot.get_mut(key.as_str()),
            Step::Index(index) => slot.get_mut(*index),
        };
        match next {
            Some(next) => slot = next,
            None => return copy,
        }
    }
    *slot = with.clone();
    copy
}

/// Calls every function of the module on `object`.
fn exercise(object: &Value) {
    use super::readers::{self, WaitFor};
    use super::{legacy, selector, wait};

    let _ = compute_at(object, now());
    for wait in [
        WaitFor::Resources,
        WaitFor::ResourcesAndJobs,
        WaitFor::Hooks,
    ] {
        let _ = readers::status_at(wait, object, now());
    }
    let _ = (readers::waits_on(object), readers::reads_pods(object));
    let _ = readers::unschedulable_pod(object);
    let related = legacy::Related {
        replica_sets: std::slice::from_ref(object),
        pods: std::slice::from_ref(object),
    };
    for check_jobs in [false, true] {
        let options = legacy::Options {
            check_jobs,
            paused_as_ready: !check_jobs,
        };
        let _ = legacy::is_ready(object, related, options);
    }
    let _ = (legacy::needs(object), legacy::hook_done(object));
    let _ = legacy::find_new_replica_set(object, std::slice::from_ref(object));
    let _ = selector::pod_selector(object);
    let _ = wait::ObjectId::of(object).to_string();
}

/// Every rule over every fixture with each of its values in turn replaced
/// by one of another type or an extreme: an answer or an error, never a
/// panic.
#[test]
fn no_input_makes_a_rule_panic() {
    let fixtures = [
        deployment(),
        stateful_set(),
        daemon_set(),
        replica_set(),
        pod(),
        unschedulable_pod("2026-11-22T03:00:25Z"),
        job_complete(),
        job_failed(),
        service(),
        pvc(Some("Bound")),
        pdb(1),
        crd(json!([{"type": "Established", "status": "True"}])),
        widget(json!({"conditions": [{"type": "Ready", "status": "True"}]})),
    ];
    let replacements = [
        Value::Null,
        json!(true),
        json!("x"),
        json!(""),
        json!("50%"),
        json!(-1),
        json!(0),
        json!(i64::MAX),
        json!(i64::MIN),
        json!(u64::MAX),
        json!(1.5),
        json!([]),
        json!({}),
        json!([null, 7, "a", {"name": 5, "state": []}]),
    ];
    for fixture in &fixtures {
        let mut all = Vec::new();
        paths(fixture, &mut Vec::new(), &mut all);
        for path in &all {
            for with in &replacements {
                exercise(&replaced(fixture, path, with));
            }
        }
    }
}
