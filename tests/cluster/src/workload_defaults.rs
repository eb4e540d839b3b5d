//! The defaults kube-apiserver fills into workload specs on every write,
//! those clients read back: `kubectl rollout status` refuses a
//! DaemonSet or StatefulSet whose update strategy is not RollingUpdate,
//! and the controllers read replicas and retry limits.

use serde_json::{Value, json};

use crate::resources::ResourceType;

/// Fills in the defaults of `resource`'s spec that `object` leaves out.
pub fn apply(resource: &ResourceType, object: &mut Value) {
    let defaults = match (resource.group, resource.plural) {
        ("apps", "deployments") => json!({
            "replicas": 1,
            "revisionHistoryLimit": 10,
            "progressDeadlineSeconds": 600,
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"},
            },
        }),
        ("apps", "statefulsets") => json!({
            "replicas": 1,
            "revisionHistoryLimit": 10,
            "podManagementPolicy": "OrderedReady",
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
            "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
        }),
        ("apps", "daemonsets") => json!({
            "revisionHistoryLimit": 10,
            "updateStrategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0},
            },
        }),
        ("apps", "replicasets") => json!({"replicas": 1}),
        ("batch", "jobs") => json!({
            "completions": 1,
            "parallelism": 1,
            "backoffLimit": 6,
            "completionMode": "NonIndexed",
            "suspend": false,
        }),
        _ => return,
    };
    if !object["spec"].is_object() {
        object["spec"] = json!({});
    }
    fill(&mut object["spec"], &defaults);
}

/// Copies what `defaults` has and `target` lacks, into nested maps too;
/// a strategy of another type gets no rolling-update parameters.
fn fill(target: &mut Value, defaults: &Value) {
    let (Some(target), Some(defaults)) = (target.as_object_mut(), defaults.as_object()) else {
        return;
    };
    let other_strategy = target
        .get("type")
        .and_then(Value::as_str)
        .is_some_and(|t| t != "RollingUpdate");
    for (key, default) in defaults {
        if other_strategy && key == "rollingUpdate" {
            continue;
        }
        match target.get_mut(key) {
            None | Some(Value::Null) => {
                target.insert(key.clone(), default.clone());
            }
            Some(existing) => fill(existing, default),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources;

    #[test]
    fn missing_fields_are_filled_and_given_ones_kept() {
        let deployments = resources::find("apps", "v1", "deployments").expect("served");
        let mut object = json!({"spec": {"replicas": 3, "strategy": {"type": "Recreate"}}});
        apply(deployments, &mut object);
        assert_eq!(object["spec"]["replicas"], 3);
        assert_eq!(object["spec"]["strategy"], json!({"type": "Recreate"}));
        assert_eq!(object["spec"]["progressDeadlineSeconds"], 600);
        let sets = resources::find("apps", "v1", "daemonsets").expect("served");
        let mut object = json!({"spec": {"updateStrategy": {"rollingUpdate": {"maxSurge": 1}}}});
        apply(sets, &mut object);
        assert_eq!(
            object["spec"]["updateStrategy"],
            json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 1}})
        );
    }
}
