//! The rules kstatus applies to every object before looking at its kind,
//! and the `Ready` condition it falls back on for kinds it does not know.

use serde_json::Value;

use super::fields::{self, strict_int, strict_str};
use super::{ComputeError, Computed, ConditionType, Status, kind_of};

/// Decides from what all objects share, when that is enough: a deletion
/// timestamp, a generation the controller has not observed yet, or a True
/// `Reconciling` or `Stalled` condition (which override any kind's rule).
pub(super) fn check(object: &Value) -> Result<Option<Computed>, ComputeError> {
    let deleting = strict_str(object, &["metadata", "deletionTimestamp"])?;
    if deleting.is_some_and(|timestamp| !timestamp.is_empty()) {
        return Ok(Some(Computed {
            status: Status::Terminating,
            message: "Resource scheduled for deletion".to_string(),
            conditions: Vec::new(),
        }));
    }
    if let Some(decided) = check_generation(object)? {
        return Ok(Some(decided));
    }
    for condition in fields::conditions(object)? {
        let (status, type_) = match (condition.type_, condition.status) {
            ("Reconciling", "True") => (Status::InProgress, ConditionType::Reconciling),
            ("Stalled", "True") => (Status::Failed, ConditionType::Stalled),
            _ => continue,
        };
        return Ok(Some(Computed::with_condition(
            status,
            type_,
            condition.reason,
            condition.message,
        )));
    }
    Ok(None)
}

/// InProgress while `.status.observedGeneration` is set and differs from
/// `.metadata.generation`; undecided when either is missing.
fn check_generation(object: &Value) -> Result<Option<Computed>, ComputeError> {
    let Some(generation) = strict_int(object, &["metadata", "generation"])? else {
        return Ok(None);
    };
    let Some(observed) = strict_int(object, &["status", "observedGeneration"])? else {
        return Ok(None);
    };
    if observed == generation {
        return Ok(None);
    }
    Ok(Some(Computed::in_progress(
        "LatestGenerationNotObserved",
        format!(
            "{} generation is {generation}, but latest observed generation is {observed}",
            kind_of(object)
        ),
    )))
}

/// InProgress until both generations are set: for kinds whose controller
/// always sets them, their absence means it has not acted yet.
pub(super) fn require_generations(object: &Value) -> Result<Option<Computed>, ComputeError> {
    let kind = kind_of(object);
    if strict_int(object, &["metadata", "generation"])?.is_none() {
        return Ok(Some(Computed::in_progress(
            "NoGeneration",
            format!("{kind} metadata.generation not found"),
        )));
    }
    if strict_int(object, &["status", "observedGeneration"])?.is_none() {
        return Ok(Some(Computed::in_progress(
            "NoObservedGeneration",
            format!("{kind} status.observedGeneration not found"),
        )));
    }
    Ok(None)
}

/// The first `Ready` condition with a True, False or Unknown status:
/// Current when True, otherwise InProgress with its reason and message.
pub(super) fn ready_condition(object: &Value) -> Result<Option<Computed>, ComputeError> {
    for condition in fields::conditions(object)? {
        if condition.type_ != "Ready" {
            continue;
        }
        match condition.status {
            "True" => return Ok(Some(Computed::current("Resource is Ready"))),
            "False" | "Unknown" => {
                return Ok(Some(Computed::in_progress(
                    condition.reason,
                    condition.message,
                )));
            }
            _ => {}
        }
    }
    Ok(None)
}
