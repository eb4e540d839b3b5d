//! kstatus' rules for Pods and Jobs.

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::Value;

use super::fields::{self, FieldError, int_or, str_or};
use super::{ComputeError, Computed};

/// How long a Pod may stay unschedulable before kstatus calls it Failed.
pub const SCHEDULE_WINDOW: TimeDelta = TimeDelta::seconds(15);

/// A Pod: Current once it has finished (successfully or not) or is Ready;
/// Failed when a container is crash-looping or it stayed unschedulable
/// past [`SCHEDULE_WINDOW`]; InProgress otherwise. A phase kstatus does not
/// know is an error.
pub(super) fn pod(object: &Value, now: DateTime<Utc>) -> Result<Computed, ComputeError> {
    let conditions = fields::conditions(object)?;
    match str_or(object, &["status", "phase"], "") {
        "Succeeded" => Ok(Computed::current("Pod has completed successfully")),
        "Failed" => Ok(Computed::current("Pod has completed, but not successfully")),
        "Running" => {
            if fields::find_condition(&conditions, "Ready", "True").is_some() {
                return Ok(Computed::current("Pod is Ready"));
            }
            let looping = crash_looping_containers(object)?;
            if !looping.is_empty() {
                return Ok(Computed::failed(
                    "ContainerCrashLooping",
                    format!("Containers in CrashLoop state: {}", looping.join(",")),
                ));
            }
            Ok(Computed::in_progress(
                "PodRunningNotReady",
                "Pod is running but is not Ready",
            ))
        }
        "Pending" => {
            let unschedulable = fields::find_condition(&conditions, "PodScheduled", "False")
                .is_some_and(|c| c.reason == "Unschedulable");
            if !unschedulable {
                return Ok(Computed::in_progress(
                    "PodPending",
                    "Pod is in the Pending phase",
                ));
            }
            if within_schedule_window(object, now) {
                Ok(Computed::in_progress(
                    "PodNotScheduled",
                    "Pod has not been scheduled",
                ))
            } else {
                Ok(Computed::failed(
                    "PodUnschedulable",
                    "Pod could not be scheduled",
                ))
            }
        }
        // The kubelet has not reported on it yet.
        "" => Ok(Computed::in_progress(
            "PodNotObserved",
            "Pod phase not available",
        )),
        other => Err(ComputeError::UnknownPodPhase(other.to_string())),
    }
}

/// Whether the Pod was created less than [`SCHEDULE_WINDOW`] before `now`
/// (a missing or unreadable creation time counts as long ago).
fn within_schedule_window(object: &Value, now: DateTime<Utc>) -> bool {
    let created = str_or(object, &["metadata", "creationTimestamp"], "");
    let Ok(created) = DateTime::parse_from_rfc3339(created) else {
        return false;
    };
    now.checked_sub_signed(SCHEDULE_WINDOW)
        .is_none_or(|cutoff| cutoff < created.with_timezone(&Utc))
}

/// The names of the containers waiting in `CrashLoopBackOff`, in order.
fn crash_looping_containers(object: &Value) -> Result<Vec<&str>, FieldError> {
    let path = ["status", "containerStatuses"];
    let statuses = match fields::nested(object, &path)? {
        None => return Ok(Vec::new()),
        Some(Value::Array(statuses)) => statuses,
        Some(_) => return Err(FieldError::new(&path, "a list")),
    };
    let mut names = Vec::new();
    for status in statuses {
        // kstatus assumes the shapes the API guarantees; an entry that
        // breaks them is an error here rather than a crash.
        let malformed = || FieldError::new(&path, "a list of container statuses");
        let entry = status.as_object().ok_or_else(malformed)?;
        let Some(name) = entry.get("name") else {
            continue;
        };
        let name = name.as_str().ok_or_else(malformed)?;
        let Some(state) = entry.get("state") else {
            continue;
        };
        let Some(waiting) = state.as_object().ok_or_else(malformed)?.get("waiting") else {
            continue;
        };
        let Some(reason) = waiting.as_object().ok_or_else(malformed)?.get("reason") else {
            continue;
        };
        if reason.as_str().ok_or_else(malformed)? == "CrashLoopBackOff" {
            names.push(name);
        }
    }
    Ok(names)
}

/// A Job: Current when complete, suspended or merely started (kstatus does
/// not wait for a Job to finish; Helm's `--wait-for-jobs` rule does),
/// Failed when it failed, InProgress until it starts.
pub(super) fn job(object: &Value) -> Result<Computed, ComputeError> {
    let counts = JobCounts::of(object);
    for condition in fields::conditions(object)? {
        if condition.status != "True" {
            continue;
        }
        match condition.type_ {
            "Complete" => return Ok(Computed::current(counts.completed())),
            "Failed" => return Ok(Computed::failed("JobFailed", counts.failed())),
            "Suspended" => return Ok(Computed::current("Job is suspended")),
            _ => {}
        }
    }
    if str_or(object, &["status", "startTime"], "").is_empty() {
        return Ok(Computed::in_progress("JobNotStarted", "Job not started"));
    }
    Ok(Computed::current(format!(
        "Job in progress. success:{}, active: {}, failed: {}",
        counts.succeeded, counts.active, counts.failed
    )))
}

/// The counts kstatus and Helm print about a Job.
pub(super) struct JobCounts {
    completions: i64,
    succeeded: i64,
    active: i64,
    failed: i64,
}

impl JobCounts {
    pub(super) fn of(object: &Value) -> Self {
        let parallelism = int_or(object, &["spec", "parallelism"], 1);
        JobCounts {
            completions: int_or(object, &["spec", "completions"], parallelism),
            succeeded: int_or(object, &["status", "succeeded"], 0),
            active: int_or(object, &["status", "active"], 0),
            failed: int_or(object, &["status", "failed"], 0),
        }
    }

    pub(super) fn completed(&self) -> String {
        format!(
            "Job Completed. succeeded: {}/{}",
            self.succeeded, self.completions
        )
    }

    pub(super) fn failed(&self) -> String {
        format!("Job Failed. failed: {}/{}", self.failed, self.completions)
    }
}
