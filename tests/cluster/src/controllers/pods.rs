//! The kubelet of the one simulated node: pods start at once, become
//! ready (or, with `restartPolicy` Never/OnFailure, succeed) when their
//! steered delay runs out, or never, or fail.

use serde_json::{Value, json};

use super::steering::{Outcome, Steering};
use super::{Pass, built_in, condition, terminating, timestamp};

/// The node every pod runs on.
pub const NODE: &str = "test-node";

/// What the kubelet reports for one pod at this moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Running; containers ready or not.
    Running { ready: bool, crashing: bool },
    /// Every container exited 0.
    Succeeded,
    /// A container exited with an error.
    Failed,
}

/// Brings every pod's status to what its steering says by now.
pub fn pods(pass: &mut Pass<'_>) {
    let Some(pods) = built_in("", "pods") else {
        return;
    };
    for pod in pass.managed(pods) {
        if terminating(&pod)
            || matches!(
                pod["status"]["phase"].as_str(),
                Some("Succeeded" | "Failed")
            )
        {
            continue;
        }
        let steering = Steering::of(&pod);
        let over = pass.delay_over(&pod, steering);
        let runs_to_completion = matches!(
            pod["spec"]["restartPolicy"].as_str(),
            Some("Never" | "OnFailure")
        );
        let phase = match (steering.outcome, over, runs_to_completion) {
            (Outcome::NeverReady, ..) | (_, false, _) => Phase::Running {
                ready: false,
                crashing: false,
            },
            (Outcome::Ready, true, false) => Phase::Running {
                ready: true,
                crashing: false,
            },
            (Outcome::Ready, true, true) => Phase::Succeeded,
            (Outcome::Fail, true, true) => Phase::Failed,
            (Outcome::Fail, true, false) => Phase::Running {
                ready: false,
                crashing: true,
            },
        };
        let status = status(&pod, phase);
        pass.set_status(pods, &pod, status);
    }
}

fn status(pod: &Value, phase: Phase) -> Value {
    let previous = &pod["status"];
    let conditions = &previous["conditions"];
    let started = previous["startTime"]
        .as_str()
        .map_or_else(timestamp, str::to_owned);
    let ready = matches!(phase, Phase::Running { ready: true, .. });
    let ready_reason = match phase {
        Phase::Running { ready: true, .. } => "",
        Phase::Succeeded | Phase::Failed => "PodCompleted",
        Phase::Running { .. } => "ContainersNotReady",
    };
    let container_statuses: Vec<Value> = pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|container| container_status(container, phase, &started, previous))
        .collect();
    let names: Vec<&str> = pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str())
        .collect();
    let ready_message = if ready_reason == "ContainersNotReady" {
        format!("containers with unready status: [{}]", names.join(" "))
    } else {
        String::new()
    };
    let ready_condition = |kind: &str| {
        let mut c = condition(conditions, kind, ready, ready_reason, &ready_message, false);
        if ready_reason.is_empty() {
            strip_reason(&mut c);
        }
        c["lastProbeTime"] = Value::Null;
        c
    };
    let plain = |kind: &str| {
        let mut c = condition(conditions, kind, true, "", "", false);
        strip_reason(&mut c);
        c["lastProbeTime"] = Value::Null;
        c
    };
    json!({
        "phase": match phase {
            Phase::Running { .. } => "Running",
            Phase::Succeeded => "Succeeded",
            Phase::Failed => "Failed",
        },
        "conditions": [
            plain("PodReadyToStartContainers"),
            plain("Initialized"),
            ready_condition("Ready"),
            ready_condition("ContainersReady"),
            plain("PodScheduled"),
        ],
        "hostIP": "10.0.0.1",
        "hostIPs": [{"ip": "10.0.0.1"}],
        "podIP": "10.244.0.10",
        "podIPs": [{"ip": "10.244.0.10"}],
        "startTime": started,
        "containerStatuses": container_statuses,
        "qosClass": previous["qosClass"].as_str().unwrap_or("BestEffort"),
    })
}

/// Conditions that are simply true carry no reason or message.
fn strip_reason(condition: &mut Value) {
    if let Some(map) = condition.as_object_mut() {
        map.remove("reason");
        map.remove("message");
    }
}

fn container_status(container: &Value, phase: Phase, started: &str, previous: &Value) -> Value {
    let name = container["name"].as_str().unwrap_or_default();
    let image = container["image"].as_str().unwrap_or_default();
    let old = previous["containerStatuses"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|s| s["name"] == name);
    let restarts = old.and_then(|s| s["restartCount"].as_i64()).unwrap_or(0);
    let (state, ready, started_flag, restart_count) = match phase {
        Phase::Running { crashing: true, .. } => (
            json!({"waiting": {"reason": "CrashLoopBackOff", "message": format!("back-off restarting failed container {name}")}}),
            false,
            false,
            restarts.max(1),
        ),
        Phase::Running { ready, .. } => (
            json!({"running": {"startedAt": started}}),
            ready,
            true,
            restarts,
        ),
        Phase::Succeeded | Phase::Failed => {
            let failed = phase == Phase::Failed;
            let finished = old
                .and_then(|s| s["state"]["terminated"]["finishedAt"].as_str())
                .map_or_else(timestamp, str::to_owned);
            (
                json!({"terminated": {
                    "exitCode": i32::from(failed),
                    "reason": if failed { "Error" } else { "Completed" },
                    "startedAt": started,
                    "finishedAt": finished,
                }}),
                false,
                false,
                restarts,
            )
        }
    };
    json!({
        "name": name,
        "image": image,
        "imageID": format!("{image}@sha256:0000000000000000000000000000000000000000000000000000000000000000"),
        "containerID": format!("containerd://{name}"),
        "ready": ready,
        "started": started_flag,
        "restartCount": restart_count,
        "state": state,
    })
}

/// Whether a pod's `Ready` condition is true.
pub fn ready(pod: &Value) -> bool {
    pod["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|c| c["type"] == "Ready" && c["status"] == "True")
}

/// The pod a workload controller makes from its template: labels and
/// annotations from the template, the controller's steering annotations,
/// and a controller reference to `owner`.
pub fn from_template(owner: &Value, template: &Value, name: PodName<'_>) -> Value {
    let mut metadata = template["metadata"].clone();
    if !metadata.is_object() {
        metadata = json!({});
    }
    match name {
        PodName::Exactly(name) => metadata["name"] = json!(name),
        PodName::Generated(prefix) => metadata["generateName"] = json!(format!("{prefix}-")),
    }
    let mut annotations = metadata["annotations"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    annotations.extend(super::steering::inherited(owner));
    metadata["annotations"] = Value::Object(annotations);
    metadata["ownerReferences"] = json!([super::controller_ref(owner)]);
    let mut spec = template["spec"].clone();
    if !spec.is_object() {
        spec = json!({});
    }
    if spec["restartPolicy"].is_null() {
        spec["restartPolicy"] = json!("Always");
    }
    spec["nodeName"] = json!(NODE);
    json!({"metadata": metadata, "spec": spec})
}

/// How a made pod is named.
#[derive(Debug, Clone, Copy)]
pub enum PodName<'a> {
    /// This name (StatefulSet ordinals).
    Exactly(&'a str),
    /// This prefix, a dash and a random suffix.
    Generated(&'a str),
}
