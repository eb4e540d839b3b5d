//! How ready an object is, as Helm 4's `--wait` judges it: pure functions
//! from an object (as the API server returns it) to a status.
//!
//! [`compute`] is kstatus (`cli-utils`' `pkg/kstatus/status`): generic rules
//! every object shares (deletion, observed generation, the `Reconciling`
//! and `Stalled` conditions), rules per built-in kind, then a `Ready`
//! condition, else Current. [`readers`] is what Helm layers on top for each
//! way it waits (Jobs until complete with `--wait-for-jobs`, hooks, paused
//! Deployments); [`wait`] aggregates the statuses of a release's objects
//! into Helm's decision to stop and its error text; [`legacy`] is the
//! `--wait=legacy` strategy (Helm 3's `ready.go`); [`selector`] is the label
//! selector to list a workload's pods by; [`strategy`] reads `--wait`'s
//! values. Nothing here reads the cluster: a watch elsewhere feeds objects
//! in.

mod fields;
mod generic;
pub mod legacy;
mod pods;
pub mod readers;
mod resources;
pub mod selector;
pub mod strategy;
pub mod wait;
mod workloads;

use std::fmt;

use chrono::{DateTime, Utc};
use serde_json::Value;

pub use fields::FieldError;
pub use pods::SCHEDULE_WINDOW;

/// The status of one object, with kstatus' names (`Display` prints them as
/// Helm does in its messages).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// Its controller has not finished acting on the latest spec.
    InProgress,
    /// It will not become ready without help.
    Failed,
    /// Reconciled: the latest spec is in effect.
    Current,
    /// It has a deletion timestamp.
    Terminating,
    /// It does not exist.
    NotFound,
    /// Not yet observed, or its status could not be computed.
    Unknown,
}

impl Status {
    /// The name kstatus gives the status.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::InProgress => "InProgress",
            Status::Failed => "Failed",
            Status::Current => "Current",
            Status::Terminating => "Terminating",
            Status::NotFound => "NotFound",
            Status::Unknown => "Unknown",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The two standard conditions kstatus derives; both follow the
/// "abnormal when True" convention, so a derived condition is always True.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConditionType {
    /// The object is being worked on ([`Status::InProgress`]).
    Reconciling,
    /// Work on the object has stopped short ([`Status::Failed`]).
    Stalled,
}

/// A standard condition derived for an object, with status True.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Condition {
    /// Which condition.
    pub type_: ConditionType,
    /// A CamelCase reason (`LessReplicas`, `ContainerCrashLooping`…),
    /// empty when the rule gives none.
    pub reason: String,
    /// The same text as the status message.
    pub message: String,
}

/// What a status rule decided about an object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Computed {
    /// The status.
    pub status: Status,
    /// Why, in kstatus' words (`Replicas: 0/1`); Helm prints it when it
    /// gives up waiting.
    pub message: String,
    /// The standard conditions that go with the status.
    pub conditions: Vec<Condition>,
}

impl Computed {
    /// Current, with no condition.
    fn current(message: impl Into<String>) -> Self {
        Computed {
            status: Status::Current,
            message: message.into(),
            conditions: Vec::new(),
        }
    }

    /// InProgress, with a `Reconciling` condition giving `reason`.
    fn in_progress(reason: &str, message: impl Into<String>) -> Self {
        Self::with_condition(
            Status::InProgress,
            ConditionType::Reconciling,
            reason,
            message,
        )
    }

    /// Failed, with a `Stalled` condition giving `reason`.
    fn failed(reason: &str, message: impl Into<String>) -> Self {
        Self::with_condition(Status::Failed, ConditionType::Stalled, reason, message)
    }

    fn with_condition(
        status: Status,
        type_: ConditionType,
        reason: &str,
        message: impl Into<String>,
    ) -> Self {
        let message = message.into();
        Computed {
            status,
            conditions: vec![Condition {
                type_,
                reason: reason.to_string(),
                message: message.clone(),
            }],
            message,
        }
    }
}

/// Why a status could not be computed; a waiter then records the object
/// as [`Status::Unknown`] with an empty message, as kstatus' readers do.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ComputeError {
    /// The object, or a field a rule reads, has the wrong JSON type.
    #[error(transparent)]
    Field(#[from] FieldError),
    /// A Pod reports a phase kstatus does not know (`Unknown` among them).
    #[error("unknown phase {0}")]
    UnknownPodPhase(String),
}

/// The kstatus status of `object` now: see [`compute_at`].
pub fn compute(object: &Value) -> Result<Computed, ComputeError> {
    compute_at(object, Utc::now())
}

/// The kstatus status of `object` at time `now` (only an unschedulable
/// Pod's grace period depends on it): the generic rules, then the rule of
/// its kind, then its `Ready` condition, else Current.
pub fn compute_at(object: &Value, now: DateTime<Utc>) -> Result<Computed, ComputeError> {
    fields::require_object(object)?;
    if let Some(decided) = generic::check(object)? {
        return Ok(decided);
    }
    if let Some(rule) = kind_rule(object) {
        return rule(object, now);
    }
    if let Some(decided) = generic::ready_condition(object)? {
        return Ok(decided);
    }
    Ok(Computed::current("Resource is current"))
}

type Rule = fn(&Value, DateTime<Utc>) -> Result<Computed, ComputeError>;

/// The rule kstatus has for the object's group and kind (any version).
fn kind_rule(object: &Value) -> Option<Rule> {
    let (group, kind) = group_kind(object);
    let rule: Rule = match (group, kind) {
        ("", "Service") => |o, _| Ok(resources::service(o)),
        ("", "Pod") => pods::pod,
        ("", "Secret" | "ConfigMap") | ("batch", "CronJob") => |_, _| Ok(resources::always_ready()),
        ("", "PersistentVolumeClaim") => |o, _| Ok(resources::pvc(o)),
        ("apps", "StatefulSet") => |o, _| Ok(workloads::stateful_set(o)),
        ("apps" | "extensions", "DaemonSet") => |o, _| workloads::daemon_set(o),
        ("apps" | "extensions", "Deployment") => |o, _| workloads::deployment(o),
        ("apps" | "extensions", "ReplicaSet") => |o, _| workloads::replica_set(o),
        ("policy", "PodDisruptionBudget") => |_, _| Ok(resources::pdb()),
        ("batch", "Job") => |o, _| pods::job(o),
        ("apiextensions.k8s.io", "CustomResourceDefinition") => |o, _| resources::crd(o),
        _ => return None,
    };
    Some(rule)
}

/// The object's API group (empty for the core group) and kind.
pub fn group_kind(object: &Value) -> (&str, &str) {
    let api_version = object
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or_default();
    match api_version.split_once('/') {
        None => ("", kind_of(object)),
        Some((group, version)) if !version.contains('/') => (group, kind_of(object)),
        // Not a group/version: Kubernetes reads no kind from it either.
        Some(_) => ("", ""),
    }
}

/// The object's kind, empty when it has none.
fn kind_of(object: &Value) -> &str {
    object
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
