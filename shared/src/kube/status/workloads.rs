//! kstatus' rules for the controllers of pods: Deployment, StatefulSet,
//! DaemonSet and ReplicaSet. Each compares the counts in `.status` with
//! the spec and reports the first shortfall.

use serde_json::Value;

use super::fields::{self, int_or, str_or};
use super::generic::require_generations;
use super::{ComputeError, Computed, Condition, ConditionType, Status};

// Counts are Go ints in kstatus: differences wrap rather than panic.

/// The controller's default for `.spec.replicas`.
const DEFAULT_REPLICAS: i64 = 1;
/// `.spec.progressDeadlineSeconds` when the controller sets no
/// `Progressing` condition (so kstatus cannot wait for one).
const NO_PROGRESS_DEADLINE: i64 = i32::MAX as i64;

/// A Deployment: Failed once its progress deadline is exceeded; otherwise
/// Current when every replica is updated, available and ready and the
/// controller reports the new ReplicaSet and the Deployment available.
pub(super) fn deployment(object: &Value) -> Result<Computed, ComputeError> {
    let mut progressing = int_or(
        object,
        &["spec", "progressDeadlineSeconds"],
        NO_PROGRESS_DEADLINE,
    ) == NO_PROGRESS_DEADLINE;
    let mut available = false;
    for condition in fields::conditions(object)? {
        match condition.type_ {
            "Progressing" if condition.reason == "ProgressDeadlineExceeded" => {
                // The condition keeps the controller's own words.
                return Ok(Computed {
                    status: Status::Failed,
                    message: "Progress deadline exceeded".to_string(),
                    conditions: vec![Condition {
                        type_: ConditionType::Stalled,
                        reason: condition.reason.to_string(),
                        message: condition.message.to_string(),
                    }],
                });
            }
            "Progressing"
                if condition.status == "True" && condition.reason == "NewReplicaSetAvailable" =>
            {
                progressing = true;
            }
            "Available" if condition.status == "True" => available = true,
            _ => {}
        }
    }
    let spec = int_or(object, &["spec", "replicas"], DEFAULT_REPLICAS);
    let replicas = int_or(object, &["status", "replicas"], 0);
    let updated = int_or(object, &["status", "updatedReplicas"], 0);
    let ready = int_or(object, &["status", "readyReplicas"], 0);
    let available_replicas = int_or(object, &["status", "availableReplicas"], 0);
    Ok(if spec > replicas {
        Computed::in_progress("LessReplicas", format!("Replicas: {replicas}/{spec}"))
    } else if spec > updated {
        Computed::in_progress("LessUpdated", format!("Updated: {updated}/{spec}"))
    } else if replicas > spec {
        Computed::in_progress(
            "ExtraPods",
            format!("Pending termination: {}", replicas.wrapping_sub(spec)),
        )
    } else if updated > available_replicas {
        Computed::in_progress(
            "LessAvailable",
            format!("Available: {available_replicas}/{updated}"),
        )
    } else if spec > ready {
        Computed::in_progress("LessReady", format!("Ready: {ready}/{spec}"))
    } else if !progressing {
        Computed::in_progress("ReplicaSetNotAvailable", "ReplicaSet not Available")
    } else if !available {
        Computed::in_progress("DeploymentNotAvailable", "Deployment not Available")
    } else {
        Computed::current(format!("Deployment is available. Replicas: {replicas}"))
    })
}

/// A StatefulSet: Current when every replica exists and is ready, and
/// either the partitioned rollout has updated its share or every replica
/// runs the update revision. `OnDelete` ones are left to their users.
pub(super) fn stateful_set(object: &Value) -> Computed {
    if str_or(object, &["spec", "updateStrategy", "type"], "") == "OnDelete" {
        return Computed::current("StatefulSet is using the ondelete update strategy");
    }
    let spec = int_or(object, &["spec", "replicas"], DEFAULT_REPLICAS);
    let ready = int_or(object, &["status", "readyReplicas"], 0);
    let current = int_or(object, &["status", "currentReplicas"], 0);
    let updated = int_or(object, &["status", "updatedReplicas"], 0);
    let replicas = int_or(object, &["status", "replicas"], 0);
    let partition = int_or(
        object,
        &["spec", "updateStrategy", "rollingUpdate", "partition"],
        -1,
    );
    if spec > replicas {
        return Computed::in_progress("LessReplicas", format!("Replicas: {replicas}/{spec}"));
    }
    if spec > ready {
        return Computed::in_progress("LessReady", format!("Ready: {ready}/{spec}"));
    }
    if replicas > spec {
        return Computed::in_progress(
            "ExtraPods",
            format!("Pending termination: {}", replicas.wrapping_sub(spec)),
        );
    }
    if partition != -1 {
        let expected = spec.wrapping_sub(partition);
        if updated < expected {
            return Computed::in_progress(
                "PartitionRollout",
                format!("updated: {updated}/{expected}"),
            );
        }
        return Computed::current(format!("Partition rollout complete. updated: {updated}"));
    }
    if spec > current {
        return Computed::in_progress("LessCurrent", format!("current: {current}/{spec}"));
    }
    let current_revision = str_or(object, &["status", "currentRevision"], "");
    let update_revision = str_or(object, &["status", "updateRevision"], "");
    if current_revision != update_revision {
        return Computed::in_progress(
            "RevisionMismatch",
            "Waiting for updated revision to match current",
        );
    }
    Computed::current(format!(
        "All replicas scheduled as expected. Replicas: {replicas}"
    ))
}

/// A DaemonSet: InProgress until its controller has recorded both
/// generations and a desired count, then until every desired pod is
/// scheduled, updated, available and ready.
pub(super) fn daemon_set(object: &Value) -> Result<Computed, ComputeError> {
    if let Some(decided) = require_generations(object)? {
        return Ok(decided);
    }
    let desired = int_or(object, &["status", "desiredNumberScheduled"], -1);
    let current = int_or(object, &["status", "currentNumberScheduled"], 0);
    let updated = int_or(object, &["status", "updatedNumberScheduled"], 0);
    let available = int_or(object, &["status", "numberAvailable"], 0);
    let ready = int_or(object, &["status", "numberReady"], 0);
    Ok(if desired == -1 {
        Computed::in_progress("NoDesiredNumber", "Missing .status.desiredNumberScheduled")
    } else if desired > current {
        Computed::in_progress("LessCurrent", format!("Current: {current}/{desired}"))
    } else if desired > updated {
        Computed::in_progress("LessUpdated", format!("Updated: {updated}/{desired}"))
    } else if desired > available {
        Computed::in_progress("LessAvailable", format!("Available: {available}/{desired}"))
    } else if desired > ready {
        Computed::in_progress("LessReady", format!("Ready: {ready}/{desired}"))
    } else {
        Computed::current(format!(
            "All replicas scheduled as expected. Replicas: {desired}"
        ))
    })
}

/// A ReplicaSet: InProgress while it reports a replica failure, then until
/// every replica is labelled, available and ready and no extra one is
/// left.
pub(super) fn replica_set(object: &Value) -> Result<Computed, ComputeError> {
    let conditions = fields::conditions(object)?;
    if fields::find_condition(&conditions, "ReplicaFailure", "True").is_some() {
        return Ok(Computed::in_progress(
            "ReplicaFailure",
            "Replica Failure condition. Check Pods",
        ));
    }
    let spec = int_or(object, &["spec", "replicas"], DEFAULT_REPLICAS);
    let replicas = int_or(object, &["status", "replicas"], 0);
    let ready = int_or(object, &["status", "readyReplicas"], 0);
    let available = int_or(object, &["status", "availableReplicas"], 0);
    let labelled = int_or(object, &["status", "fullyLabeledReplicas"], 0);
    Ok(if spec > labelled {
        Computed::in_progress("LessLabelled", format!("Labelled: {labelled}/{spec}"))
    } else if spec > available {
        Computed::in_progress("LessAvailable", format!("Available: {available}/{spec}"))
    } else if spec > ready {
        Computed::in_progress("LessReady", format!("Ready: {ready}/{spec}"))
    } else if replicas > spec {
        Computed::in_progress(
            "ExtraPods",
            format!("Pending termination: {}", replicas.wrapping_sub(spec)),
        )
    } else {
        Computed::current(format!("ReplicaSet is available. Replicas: {replicas}"))
    })
}
