//! StatefulSets (pods `NAME-0`, `NAME-1`… made in order, each after the
//! one before is ready unless `podManagementPolicy: Parallel`, with a
//! PVC per `volumeClaimTemplates` entry) and DaemonSets (one pod on the
//! one node).

use serde_json::{Value, json};

use super::pods::{self, PodName};
use super::replicas::put_counts;
use super::{
    BURST_PODS, Pass, built_in, desired_replicas, generation_of, name_of, namespace_of, owned,
    template_hash, terminating,
};
use crate::resources::ResourceType;

const REVISION_LABEL: &str = "controller-revision-hash";

/// Keeps each StatefulSet's ordinal pods at its current revision.
pub fn stateful_sets(pass: &mut Pass<'_>) {
    let (Some(sets), Some(pod_type), Some(claims)) = (
        built_in("apps", "statefulsets"),
        built_in("", "pods"),
        built_in("", "persistentvolumeclaims"),
    ) else {
        return;
    };
    let all_pods = pass.list(pod_type);
    let all_claims = pass.list(claims);
    for set in pass.managed(sets) {
        if terminating(&set) {
            continue;
        }
        let name = name_of(&set);
        let namespace = namespace_of(&set);
        let revision = format!("{name}-{}", template_hash(&set["spec"]["template"]));
        let replicas = desired_replicas(&set);
        let parallel = set["spec"]["podManagementPolicy"].as_str() == Some("Parallel");
        let mine: Vec<&Value> = owned(&all_pods, &set);
        let pod_at = |ordinal: i64| {
            let pod_name = format!("{name}-{ordinal}");
            mine.iter().find(|p| name_of(p) == pod_name).copied()
        };
        // Pods beyond `replicas` (or not named by ordinal) go.
        for pod in &mine {
            let ordinal = ordinal_of(name, pod);
            if ordinal.is_none_or(|o| o >= replicas) && !terminating(pod) {
                pass.delete(pod_type, pod);
            }
        }
        let mut made = 0;
        // Each ordinal either has a pod or gets one (up to a burst), so
        // the loop is bounded by the pods there are.
        for ordinal in 0..replicas {
            let pod_name = format!("{name}-{ordinal}");
            match pod_at(ordinal) {
                None => {
                    make_claims(pass, claims, &all_claims, &set, ordinal);
                    let mut pod = pods::from_template(
                        &set,
                        &set["spec"]["template"],
                        PodName::Exactly(&pod_name),
                    );
                    pod["metadata"]["labels"] =
                        labels(&pod["metadata"]["labels"], &revision, &pod_name, ordinal);
                    pod["spec"]["hostname"] = json!(pod_name);
                    pass.create(pod_type, namespace, pod);
                    made += 1;
                    if !parallel || made == BURST_PODS {
                        break;
                    }
                }
                // A pod of an older revision is replaced (RollingUpdate).
                Some(pod)
                    if pod["metadata"]["labels"][REVISION_LABEL] != revision.as_str()
                        && set["spec"]["updateStrategy"]["type"].as_str() != Some("OnDelete") =>
                {
                    if !terminating(pod) {
                        pass.delete(pod_type, pod);
                    }
                    break;
                }
                Some(pod) if !parallel && !pods::ready(pod) => break,
                Some(_) => {}
            }
        }
        let current: Vec<&&Value> = mine
            .iter()
            .filter(|p| ordinal_of(name, p).is_some_and(|o| o < replicas) && !terminating(p))
            .collect();
        let total = i64::try_from(current.len()).unwrap_or(0);
        let ready = i64::try_from(current.iter().filter(|p| pods::ready(p)).count()).unwrap_or(0);
        let updated = i64::try_from(
            current
                .iter()
                .filter(|p| p["metadata"]["labels"][REVISION_LABEL] == revision.as_str())
                .count(),
        )
        .unwrap_or(0);
        let previous_current = set["status"]["currentRevision"]
            .as_str()
            .unwrap_or(&revision);
        // The rollout is done once every pod runs the update revision.
        let current_revision = if updated == replicas {
            revision.as_str()
        } else {
            previous_current
        };
        let mut status = json!({
            "observedGeneration": generation_of(&set),
            "replicas": total,
            "currentRevision": current_revision,
            "updateRevision": revision,
            "collisionCount": 0,
        });
        put_counts(
            &mut status,
            &[
                ("readyReplicas", ready),
                ("availableReplicas", ready),
                (
                    "currentReplicas",
                    if updated == replicas {
                        updated
                    } else {
                        total - updated
                    },
                ),
                ("updatedReplicas", updated),
            ],
        );
        pass.set_status(sets, &set, status);
    }
}

/// The ordinal in a StatefulSet pod's name (`web-2` → 2).
fn ordinal_of(set_name: &str, pod: &Value) -> Option<i64> {
    name_of(pod)
        .strip_prefix(set_name)?
        .strip_prefix('-')?
        .parse()
        .ok()
}

fn labels(template_labels: &Value, revision: &str, pod_name: &str, ordinal: i64) -> Value {
    let mut labels = template_labels.as_object().cloned().unwrap_or_default();
    labels.insert(REVISION_LABEL.to_owned(), json!(revision));
    labels.insert(
        "statefulset.kubernetes.io/pod-name".to_owned(),
        json!(pod_name),
    );
    labels.insert(
        "apps.kubernetes.io/pod-index".to_owned(),
        json!(ordinal.to_string()),
    );
    Value::Object(labels)
}

/// The PVCs of one ordinal (`TEMPLATE-SET-ORDINAL`), made before its pod.
fn make_claims(
    pass: &Pass<'_>,
    claims: &ResourceType,
    existing: &[Value],
    set: &Value,
    ordinal: i64,
) {
    for template in set["spec"]["volumeClaimTemplates"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let claim_name = format!("{}-{}-{ordinal}", name_of(template), name_of(set));
        if existing
            .iter()
            .any(|c| name_of(c) == claim_name && namespace_of(c) == namespace_of(set))
        {
            continue;
        }
        let mut claim =
            json!({"metadata": template["metadata"].clone(), "spec": template["spec"].clone()});
        if !claim["metadata"].is_object() {
            claim["metadata"] = json!({});
        }
        claim["metadata"]["name"] = json!(claim_name);
        let mut labels = set["spec"]["selector"]["matchLabels"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        if let Some(own) = template["metadata"]["labels"].as_object() {
            labels.extend(own.clone());
        }
        claim["metadata"]["labels"] = Value::Object(labels);
        pass.create(claims, namespace_of(set), claim);
    }
}

/// Keeps one pod per DaemonSet on the node, at its current template.
pub fn daemon_sets(pass: &mut Pass<'_>) {
    let (Some(sets), Some(pod_type)) = (built_in("apps", "daemonsets"), built_in("", "pods"))
    else {
        return;
    };
    let all_pods = pass.list(pod_type);
    for set in pass.managed(sets) {
        if terminating(&set) {
            continue;
        }
        let hash = template_hash(&set["spec"]["template"]);
        let mine: Vec<&Value> = owned(&all_pods, &set)
            .into_iter()
            .filter(|p| !terminating(p))
            .collect();
        let (current, stale): (Vec<&Value>, Vec<&Value>) = mine
            .iter()
            .partition(|p| p["metadata"]["labels"][REVISION_LABEL] == hash.as_str());
        for pod in &stale {
            pass.delete(pod_type, pod);
        }
        if current.is_empty() {
            let mut pod = pods::from_template(
                &set,
                &set["spec"]["template"],
                PodName::Generated(name_of(&set)),
            );
            let mut labels = pod["metadata"]["labels"]
                .as_object()
                .cloned()
                .unwrap_or_default();
            labels.insert(REVISION_LABEL.to_owned(), json!(hash));
            labels.insert(
                "pod-template-generation".to_owned(),
                json!(generation_of(&set).to_string()),
            );
            pod["metadata"]["labels"] = Value::Object(labels);
            pass.create(pod_type, namespace_of(&set), pod);
        }
        let ready = i64::from(current.iter().any(|p| pods::ready(p)));
        let scheduled = i64::from(!mine.is_empty());
        let mut status = json!({
            "observedGeneration": generation_of(&set),
            "desiredNumberScheduled": 1,
            "currentNumberScheduled": scheduled,
            "numberMisscheduled": 0,
            "numberReady": ready,
        });
        put_counts(
            &mut status,
            &[
                ("numberAvailable", ready),
                ("numberUnavailable", 1 - ready),
                ("updatedNumberScheduled", i64::from(!current.is_empty())),
            ],
        );
        pass.set_status(sets, &set, status);
    }
}
