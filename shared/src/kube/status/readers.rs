//! The status rules Helm 4 applies for each of its waits. Plain `--wait`
//! uses kstatus as is; `--wait-for-jobs` swaps in Helm's own Job rule (a
//! Job is ready only once complete, where kstatus is satisfied once it
//! starts); hooks use Helm's Job and Pod rules and take every other kind
//! as ready at once.
//!
//! Some of kstatus' readers list related objects by selector
//! ([`super::selector`]): a ReplicaSet's or StatefulSet's pods
//! ([`account_for_pods`]), and a Deployment's ReplicaSets, whose statuses
//! change nothing. When such a list fails (or the selector is invalid),
//! the object is Unknown, as when [`status`] fails.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::fields::{self, str_or};
use super::pods::JobCounts;
use super::{ComputeError, Computed, ConditionType, Status, compute_at, group_kind};

/// Which of Helm's waits is judging an object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitFor {
    /// `--wait` (Helm's `Wait`): kstatus for every kind.
    Resources,
    /// `--wait --wait-for-jobs` (`WaitWithJobs`): kstatus, except that a
    /// Job is Current only once complete.
    ResourcesAndJobs,
    /// Hooks (`WatchUntilReady`): Jobs until complete, Pods until they
    /// finish, anything else Current at once.
    Hooks,
}

/// The status of `object` for `wait`, now.
pub fn status(wait: WaitFor, object: &Value) -> Result<Computed, ComputeError> {
    status_at(wait, object, Utc::now())
}

/// The status of `object` for `wait` at time `now`.
pub fn status_at(
    wait: WaitFor,
    object: &Value,
    now: DateTime<Utc>,
) -> Result<Computed, ComputeError> {
    let group_kind = group_kind(object);
    match (wait, group_kind) {
        (WaitFor::ResourcesAndJobs | WaitFor::Hooks, ("batch", "Job")) => {
            job_until_complete(object)
        }
        (WaitFor::Hooks, ("", "Pod")) => Ok(pod_until_finished(object)),
        (WaitFor::Hooks, _) => Ok(Computed::current("Resource is current")),
        (WaitFor::Resources | WaitFor::ResourcesAndJobs, _) => compute_at(object, now),
    }
}

/// Whether Helm waits on the object it applied from `manifest` at all: it
/// skips a paused apps/v1 Deployment, which would never become ready.
/// (Hooks and deletions wait on every object.)
pub fn waits_on(manifest: &Value) -> bool {
    let paused = manifest.get("apiVersion").and_then(Value::as_str) == Some("apps/v1")
        && manifest.get("kind").and_then(Value::as_str) == Some("Deployment")
        && manifest
            .get("spec")
            .and_then(|spec| spec.get("paused"))
            .and_then(Value::as_bool)
            == Some(true);
    !paused
}

/// Whether kstatus also reads the pods of `object` (by its selector) to
/// judge it: ReplicaSets and StatefulSets, through
/// [`account_for_pods`].
pub fn reads_pods(object: &Value) -> bool {
    matches!(group_kind(object), ("apps", "ReplicaSet" | "StatefulSet"))
}

/// Turns an InProgress `parent` Failed when any of its pods (their
/// statuses by [`status`] with [`WaitFor::Resources`]) has Failed: it is
/// then unlikely to progress without help.
pub fn account_for_pods(parent: Computed, pods: &[Status]) -> Computed {
    let failed = pods.iter().filter(|s| **s == Status::Failed).count();
    if parent.status != Status::InProgress || failed == 0 {
        return parent;
    }
    Computed {
        status: Status::Failed,
        message: format!("{failed} pods have failed"),
        conditions: Vec::new(),
    }
}

/// Whether `object` is a Pod no node would take (a False `PodScheduled`
/// condition with reason `Unschedulable`). kstatus gives such a Pod
/// [`SCHEDULE_WINDOW`](super::SCHEDULE_WINDOW) before calling it Failed, so
/// a watcher computes again, that long after, any InProgress object that
/// is such a Pod or has one among its InProgress pods: no event would
/// announce the change.
pub fn unschedulable_pod(object: &Value) -> bool {
    if group_kind(object) != ("", "Pod") {
        return false;
    }
    let Some(Value::Array(conditions)) = object.get("status").and_then(|s| s.get("conditions"))
    else {
        return false;
    };
    // Like kstatus, stop at the first entry that is not an object.
    for condition in conditions {
        let Some(condition) = condition.as_object() else {
            return false;
        };
        let field = |name: &str| condition.get(name).and_then(Value::as_str);
        if field("type") == Some("PodScheduled")
            && field("status") == Some("False")
            && field("reason") == Some("Unschedulable")
        {
            return true;
        }
    }
    false
}

/// Helm's Job rule: Current when complete, Failed when failed, else
/// InProgress (no generic checks first).
fn job_until_complete(object: &Value) -> Result<Computed, ComputeError> {
    let counts = JobCounts::of(object);
    for condition in fields::conditions(object)? {
        match (condition.type_, condition.status) {
            ("Complete", "True") => return Ok(Computed::current(counts.completed())),
            ("Failed", "True") => return Ok(Computed::failed("JobFailed", counts.failed())),
            _ => {}
        }
    }
    Ok(Computed::in_progress("JobInProgress", "Job in progress"))
}

/// Helm's hook Pod rule: Current once succeeded, Failed once failed, else
/// InProgress.
fn pod_until_finished(object: &Value) -> Computed {
    let name = str_or(object, &["metadata", "name"], "");
    match str_or(object, &["status", "phase"], "") {
        // Helm marks the success Stalled, without a reason.
        "Succeeded" => Computed::with_condition(
            Status::Current,
            ConditionType::Stalled,
            "",
            format!("pod {name} succeeded"),
        ),
        "Failed" => Computed::failed("PodFailed", format!("pod {name} failed")),
        _ => Computed::in_progress("PodInProgress", "Pod in progress"),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::tests::{deployment, job, job_complete, job_failed, now, patched, pod};
    use super::super::{ConditionType, Status};
    use super::*;

    fn judged(wait: WaitFor, object: &Value) -> (Status, String) {
        let computed = status_at(wait, object, now()).expect("computes");
        (computed.status, computed.message)
    }

    #[test]
    fn jobs_are_waited_for_to_the_end_only_with_wait_for_jobs() {
        let running = job();
        let cases = [
            (
                WaitFor::Resources,
                &running,
                Status::Current,
                "Job in progress. success:0, active: 1, failed: 0",
            ),
            (
                WaitFor::ResourcesAndJobs,
                &running,
                Status::InProgress,
                "Job in progress",
            ),
            (
                WaitFor::Hooks,
                &running,
                Status::InProgress,
                "Job in progress",
            ),
        ];
        for (wait, object, status, message) in cases {
            assert_eq!(
                judged(wait, object),
                (status, message.to_string()),
                "{wait:?}"
            );
        }
        let complete = job_complete();
        let failed = job_failed();
        for wait in [WaitFor::ResourcesAndJobs, WaitFor::Hooks] {
            assert_eq!(
                judged(wait, &complete),
                (Status::Current, "Job Completed. succeeded: 1/1".to_string())
            );
            let computed = status_at(wait, &failed, now()).expect("computes");
            assert_eq!(
                (computed.status, computed.message.as_str()),
                (Status::Failed, "Job Failed. failed: 7/1")
            );
            assert_eq!(computed.conditions[0].reason, "JobFailed");
        }
    }

    #[test]
    fn helms_job_rule_skips_the_generic_checks() {
        let deleting = patched(
            &job(),
            json!({"metadata": {"deletionTimestamp": "2026-11-22T03:00:20Z"}}),
        );
        assert_eq!(
            judged(WaitFor::ResourcesAndJobs, &deleting),
            (Status::InProgress, "Job in progress".to_string())
        );
        assert_eq!(judged(WaitFor::Resources, &deleting).0, Status::Terminating);
    }

    #[test]
    fn hooks_wait_for_pods_to_finish_and_nothing_else() {
        let running = pod();
        let succeeded = patched(&pod(), json!({"status": {"phase": "Succeeded"}}));
        let failed = patched(&pod(), json!({"status": {"phase": "Failed"}}));
        let not_ready = patched(&deployment(), json!({"status": null}));
        let cases = [
            (&running, Status::InProgress, "Pod in progress"),
            (
                &succeeded,
                Status::Current,
                "pod web-7c5ddbdf54-x2x9k succeeded",
            ),
            (&failed, Status::Failed, "pod web-7c5ddbdf54-x2x9k failed"),
            (&not_ready, Status::Current, "Resource is current"),
        ];
        for (object, status, message) in cases {
            assert_eq!(
                judged(WaitFor::Hooks, object),
                (status, message.to_string())
            );
        }
        let done = status_at(WaitFor::Hooks, &succeeded, now()).expect("computes");
        assert_eq!(done.conditions[0].type_, ConditionType::Stalled);
        assert_eq!(done.conditions[0].reason, "");
        // Outside hooks a running Ready Pod is simply ready.
        assert_eq!(judged(WaitFor::Resources, &running).0, Status::Current);
    }

    #[test]
    fn unschedulable_pods_are_recognised() {
        let unschedulable = patched(
            &pod(),
            json!({"status": {"phase": "Pending", "conditions": [
            {"type": "PodScheduled", "status": "False", "reason": "Unschedulable"}]}}),
        );
        assert!(unschedulable_pod(&unschedulable));
        assert!(!unschedulable_pod(&pod()));
        let other_reason = patched(
            &unschedulable,
            json!({"status": {"conditions": [
            {"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}]}}),
        );
        assert!(!unschedulable_pod(&other_reason));
        let malformed_first = patched(
            &unschedulable,
            json!({"status": {"conditions": [
            "odd", {"type": "PodScheduled", "status": "False", "reason": "Unschedulable"}]}}),
        );
        assert!(!unschedulable_pod(&malformed_first));
        assert!(!unschedulable_pod(&patched(
            &unschedulable,
            json!({"kind": "Deployment"})
        )));
    }

    #[test]
    fn only_paused_apps_v1_deployments_are_skipped() {
        let paused = patched(&deployment(), json!({"spec": {"paused": true}}));
        assert!(!waits_on(&paused));
        assert!(waits_on(&deployment()));
        assert!(waits_on(&patched(
            &paused,
            json!({"apiVersion": "extensions/v1beta1"})
        )));
        assert!(waits_on(&patched(
            &paused,
            json!({"spec": {"paused": "true"}})
        )));
        assert!(waits_on(&patched(&paused, json!({"kind": "StatefulSet"}))));
    }

    #[test]
    fn a_failed_pod_fails_its_controller_while_in_progress() {
        let in_progress = Computed::in_progress("LessReady", "Ready: 1/3");
        let pods = [
            Status::Current,
            Status::Failed,
            Status::Failed,
            Status::InProgress,
        ];
        let judged = account_for_pods(in_progress.clone(), &pods);
        assert_eq!(
            (judged.status, judged.message.as_str()),
            (Status::Failed, "2 pods have failed")
        );
        assert_eq!(
            account_for_pods(in_progress.clone(), &[Status::Current]),
            in_progress
        );
        let current = Computed::current("ReplicaSet is available. Replicas: 1");
        assert_eq!(account_for_pods(current.clone(), &pods), current);
        assert!(reads_pods(
            &json!({"apiVersion": "apps/v1", "kind": "ReplicaSet"})
        ));
        assert!(reads_pods(
            &json!({"apiVersion": "apps/v1", "kind": "StatefulSet"})
        ));
        assert!(!reads_pods(&deployment()));
        assert!(!reads_pods(
            &json!({"apiVersion": "extensions/v1beta1", "kind": "ReplicaSet"})
        ));
    }
}
