//! Deployments and ReplicaSets: a Deployment keeps one ReplicaSet per pod
//! template (the current one scaled to `replicas`, older ones to zero),
//! a ReplicaSet keeps its pods, and both report the status fields and
//! conditions `kubectl rollout status` and kstatus read.

use std::time::Duration;

use serde_json::{Map, Value, json};

use super::pods::{self, PodName};
use super::{
    BURST_PODS, Pass, built_in, condition, controller_ref, desired_replicas, generation_of,
    name_of, namespace_of, owned, steering, template_hash, terminating,
};

const HASH_LABEL: &str = "pod-template-hash";
const REVISION: &str = "deployment.kubernetes.io/revision";

/// Rolls each Deployment to its current template and reports its status.
pub fn deployments(pass: &mut Pass<'_>) {
    let (Some(deployments), Some(sets)) = (
        built_in("apps", "deployments"),
        built_in("apps", "replicasets"),
    ) else {
        return;
    };
    let all_sets = pass.list(sets);
    for deployment in pass.managed(deployments) {
        if terminating(&deployment) || deployment["spec"]["paused"] == true {
            continue;
        }
        let replicas = desired_replicas(&deployment);
        let hash = template_hash(&deployment["spec"]["template"]);
        let new_name = format!("{}-{hash}", name_of(&deployment));
        let mine = owned(&all_sets, &deployment);
        let current = mine
            .iter()
            .find(|rs| rs["metadata"]["labels"][HASH_LABEL] == hash.as_str());
        match current {
            None => {
                let revision = mine
                    .iter()
                    .filter_map(|rs| {
                        rs["metadata"]["annotations"][REVISION]
                            .as_str()?
                            .parse::<u64>()
                            .ok()
                    })
                    .max()
                    .unwrap_or(0)
                    + 1;
                let set = replica_set(&deployment, &new_name, &hash, replicas, revision);
                pass.create(sets, namespace_of(&deployment), set);
            }
            Some(rs) if desired_replicas(rs) != replicas => {
                let mut scaled = (*rs).clone();
                scaled["spec"]["replicas"] = json!(replicas);
                pass.update(sets, scaled);
            }
            Some(_) => {}
        }
        for old in mine
            .iter()
            .filter(|rs| rs["metadata"]["labels"][HASH_LABEL] != hash.as_str())
        {
            if desired_replicas(old) != 0 {
                let mut scaled = (*old).clone();
                scaled["spec"]["replicas"] = json!(0);
                pass.update(sets, scaled);
            }
        }
        let status = deployment_status(pass, &deployment, &mine, current.copied(), &new_name);
        pass.set_status(deployments, &deployment, status);
    }
}

/// The ReplicaSet a Deployment makes for its current template.
fn replica_set(deployment: &Value, name: &str, hash: &str, replicas: i64, revision: u64) -> Value {
    let spec = &deployment["spec"];
    let mut template = spec["template"].clone();
    if !template["metadata"]["labels"].is_object() {
        template["metadata"]["labels"] = json!({});
    }
    template["metadata"]["labels"][HASH_LABEL] = json!(hash);
    let mut selector = spec["selector"].clone();
    if !selector["matchLabels"].is_object() {
        selector["matchLabels"] = json!({});
    }
    selector["matchLabels"][HASH_LABEL] = json!(hash);
    let mut annotations = Map::new();
    annotations.insert(REVISION.to_owned(), json!(revision.to_string()));
    annotations.insert(
        "deployment.kubernetes.io/desired-replicas".to_owned(),
        json!(replicas.to_string()),
    );
    annotations.insert(
        "deployment.kubernetes.io/max-replicas".to_owned(),
        json!(
            replicas
                .saturating_add(max_surge(deployment, replicas))
                .to_string()
        ),
    );
    annotations.extend(steering::inherited(deployment));
    json!({
        "metadata": {
            "name": name,
            "labels": template["metadata"]["labels"],
            "annotations": annotations,
            "ownerReferences": [controller_ref(deployment)],
        },
        "spec": {
            "replicas": replicas,
            "minReadySeconds": spec["minReadySeconds"].as_i64().unwrap_or(0),
            "selector": selector,
            "template": template,
        },
    })
}

/// An `intOrString` of the rolling update strategy (`25%` or `1`), as a
/// count of `replicas`, rounding as the deployment controller does.
fn scaled_value(value: &Value, replicas: i64, default_percent: i64, round_up: bool) -> i64 {
    let percent = match value {
        Value::Number(n) => return n.as_i64().unwrap_or(0),
        Value::String(s) => s.strip_suffix('%').and_then(|p| p.parse::<i64>().ok()),
        _ => Some(default_percent),
    }
    .unwrap_or(default_percent);
    let product = replicas.saturating_mul(percent);
    if round_up {
        product.saturating_add(99) / 100
    } else {
        product / 100
    }
}

fn rolling(deployment: &Value) -> bool {
    deployment["spec"]["strategy"]["type"].as_str() != Some("Recreate")
}

fn max_surge(deployment: &Value, replicas: i64) -> i64 {
    if !rolling(deployment) {
        return 0;
    }
    scaled_value(
        &deployment["spec"]["strategy"]["rollingUpdate"]["maxSurge"],
        replicas,
        25,
        true,
    )
}

fn max_unavailable(deployment: &Value, replicas: i64) -> i64 {
    if !rolling(deployment) || replicas == 0 {
        return 0;
    }
    scaled_value(
        &deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"],
        replicas,
        25,
        false,
    )
}

pub(super) fn count(status: &Value, field: &str) -> i64 {
    status[field].as_i64().unwrap_or(0)
}

/// Puts non-zero counts in `status`: the API omits zero counts.
pub(super) fn put_counts(status: &mut Value, counts: &[(&str, i64)]) {
    for (field, value) in counts {
        if *value != 0 {
            status[*field] = json!(value);
        }
    }
}

fn deployment_status(
    pass: &mut Pass<'_>,
    deployment: &Value,
    mine: &[&Value],
    current: Option<&Value>,
    new_name: &str,
) -> Value {
    let replicas = desired_replicas(deployment);
    let sum = |field: &str| {
        mine.iter()
            .map(|rs| count(&rs["status"], field))
            .fold(0_i64, i64::saturating_add)
    };
    let (total, ready, available) = (
        sum("replicas"),
        sum("readyReplicas"),
        sum("availableReplicas"),
    );
    let updated = current.map_or(0, |rs| count(&rs["status"], "replicas"));
    let previous = &deployment["status"]["conditions"];
    let minimum = replicas.saturating_sub(max_unavailable(deployment, replicas));
    let available_condition = if available >= minimum {
        condition(
            previous,
            "Available",
            true,
            "MinimumReplicasAvailable",
            "Deployment has minimum availability.",
            true,
        )
    } else {
        condition(
            previous,
            "Available",
            false,
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.",
            true,
        )
    };
    let complete =
        current.is_some() && updated == replicas && total == replicas && available == replicas;
    let (reason, message) = match current {
        None => (
            "NewReplicaSetCreated",
            format!("Created new replica set \"{new_name}\""),
        ),
        Some(_) if complete => (
            "NewReplicaSetAvailable",
            format!("ReplicaSet \"{new_name}\" has successfully progressed."),
        ),
        Some(_) => (
            "ReplicaSetUpdated",
            format!("ReplicaSet \"{new_name}\" is progressing."),
        ),
    };
    let progressing = if reason == "ReplicaSetUpdated" && out_of_time(pass, deployment) {
        condition(
            previous,
            "Progressing",
            false,
            "ProgressDeadlineExceeded",
            &format!("ReplicaSet \"{new_name}\" has timed out progressing."),
            true,
        )
    } else {
        condition(previous, "Progressing", true, reason, &message, true)
    };
    let mut status = json!({
        "observedGeneration": generation_of(deployment),
        "conditions": [available_condition, progressing],
    });
    put_counts(
        &mut status,
        &[
            ("replicas", total),
            ("updatedReplicas", updated),
            ("readyReplicas", ready),
            ("availableReplicas", available),
            (
                "unavailableReplicas",
                replicas.saturating_sub(available).max(0),
            ),
        ],
    );
    status
}

/// Whether a rollout in progress has gone `progressDeadlineSeconds`
/// without progress (since its Progressing condition last changed); if
/// not yet, the pass wakes when it will have.
fn out_of_time(pass: &mut Pass<'_>, deployment: &Value) -> bool {
    let Some(deadline) = deployment["spec"]["progressDeadlineSeconds"].as_u64() else {
        return false;
    };
    let Some(progressing) = deployment["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["type"] == "Progressing")
    else {
        return false;
    };
    if progressing["reason"] == "ProgressDeadlineExceeded" {
        return true;
    }
    let Some(since) = progressing["lastUpdateTime"]
        .as_str()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
    else {
        return false;
    };
    let elapsed = (chrono::Utc::now() - since.to_utc())
        .to_std()
        .unwrap_or_default();
    let deadline = Duration::from_secs(deadline);
    if elapsed >= deadline {
        return true;
    }
    pass.wake_after(deadline - elapsed);
    false
}

/// Keeps each ReplicaSet's pod count at `replicas` and reports it.
pub fn replica_sets(pass: &mut Pass<'_>) {
    let (Some(sets), Some(pod_type)) = (built_in("apps", "replicasets"), built_in("", "pods"))
    else {
        return;
    };
    let all_pods = pass.list(pod_type);
    for set in pass.managed(sets) {
        if terminating(&set) {
            continue;
        }
        let mine: Vec<&Value> = owned(&all_pods, &set)
            .into_iter()
            .filter(|p| !terminating(p))
            .collect();
        let want = usize::try_from(desired_replicas(&set)).unwrap_or(0);
        for _ in (mine.len()..want).take(BURST_PODS) {
            let pod = pods::from_template(
                &set,
                &set["spec"]["template"],
                PodName::Generated(name_of(&set)),
            );
            pass.create(pod_type, namespace_of(&set), pod);
        }
        // Scaling down removes the pods that are not ready first.
        let mut doomed: Vec<&&Value> = mine.iter().collect();
        doomed.sort_by_key(|p| pods::ready(p));
        for pod in doomed.iter().take(mine.len().saturating_sub(want)) {
            pass.delete(pod_type, pod);
        }
        let ready = i64::try_from(mine.iter().filter(|p| pods::ready(p)).count()).unwrap_or(0);
        let total = i64::try_from(mine.len()).unwrap_or(0);
        // `replicas` is the one count the API always writes.
        let mut status = json!({"replicas": total, "observedGeneration": generation_of(&set)});
        put_counts(
            &mut status,
            &[
                ("fullyLabeledReplicas", total),
                ("readyReplicas", ready),
                ("availableReplicas", ready),
            ],
        );
        pass.set_status(sets, &set, status);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rolling_update_bounds_round_as_the_controller_does() {
        assert_eq!(scaled_value(&Value::Null, 1, 25, false), 0);
        assert_eq!(scaled_value(&Value::Null, 1, 25, true), 1);
        assert_eq!(scaled_value(&json!("50%"), 3, 25, false), 1);
        assert_eq!(scaled_value(&json!(2), 3, 25, false), 2);
    }
}
