//! Waiting on a release's objects: their statuses read from the cluster
//! until [`Progress`] says Helm would stop, or the time runs out.
//!
//! The loop polls rather than watches: each round reads every object the
//! wait still counts and feeds its status to [`Progress`], which decides,
//! as Helm's watcher does after each event, whether to stop.

use std::time::Duration;

use serde_json::Value;

use crate::kube::resources::Object;
use crate::kube::status::Status;
use crate::kube::status::legacy::{
    LegacyError, MAX_RETRIES, Needs, Options, POLL_INTERVAL as LEGACY_POLL, Related, is_ready,
    is_retryable, needs,
};
use crate::kube::status::readers::{WaitFor, status, waits_on};
use crate::kube::status::selector::pod_selector;
use crate::kube::status::strategy::Strategy;
use crate::kube::status::wait::{
    DEADLINE_EXCEEDED, Goal, NOT_FOUND_MESSAGE, ObjectId, Progress, WaitError,
};
use crate::kube::{Kube, KubeError};

/// How long to sleep between rounds of reads.
const POLL_INTERVAL: Duration = Duration::from_millis(300);

/// Waits until `objects` reach `goal` (judged as `wait` says) or
/// `timeout` passes; Helm's error when they do not.
pub async fn wait_for(
    kube: &Kube,
    objects: &[Object],
    goal: Goal,
    wait: WaitFor,
    timeout: Duration,
) -> Result<(), WaitError> {
    let ids: Vec<ObjectId> = objects.iter().map(|o| ObjectId::of(&o.body)).collect();
    let mut progress = Progress::new(goal, ids.clone());
    if objects.is_empty() {
        return progress.outcome(false);
    }
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        for (object, id) in objects.iter().zip(&ids) {
            let (status, message) = observe(kube, object, wait).await;
            progress.observe(id, status, message);
        }
        if progress.done() {
            return progress.outcome(false);
        }
        if tokio::time::Instant::now() + POLL_INTERVAL >= deadline {
            tokio::time::sleep_until(deadline).await;
            return progress.outcome(true);
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}

/// The status of one object now: NotFound when it is gone, Unknown when it
/// cannot be read or judged.
async fn observe(kube: &Kube, object: &Object, wait: WaitFor) -> (Status, String) {
    match kube
        .get(&object.resource, &object.namespace, &object.name)
        .await
    {
        Ok(live) => judge(wait, &live),
        Err(e) if e.is_not_found() => (Status::NotFound, NOT_FOUND_MESSAGE.to_string()),
        Err(e) => (Status::Unknown, e.to_string()),
    }
}

fn judge(wait: WaitFor, live: &Value) -> (Status, String) {
    match status(wait, live) {
        Ok(computed) => (computed.status, computed.message),
        Err(e) => (Status::Unknown, e.to_string()),
    }
}

/// Why a `--wait=legacy` wait failed.
#[derive(Debug, thiserror::Error)]
pub enum LegacyWaitError {
    /// The time ran out (Helm 3 says no more than this).
    #[error("{DEADLINE_EXCEEDED}")]
    Deadline,
    /// A check failed outright (a Job beyond its backoff limit).
    #[error(transparent)]
    Check(#[from] LegacyError),
    /// Reading an object failed in a way not worth retrying.
    #[error(transparent)]
    Kube(#[from] KubeError),
}

/// `--wait=legacy`: Helm 3's checks, polled every two seconds until every
/// object is ready or `timeout` passes.
pub async fn wait_legacy(
    kube: &Kube,
    objects: &[Object],
    options: Options,
    timeout: Duration,
) -> Result<(), LegacyWaitError> {
    let deadline = tokio::time::Instant::now() + timeout;
    let mut retries = 0;
    loop {
        match all_ready(kube, objects, options).await {
            Ok(true) => return Ok(()),
            Ok(false) => retries = 0,
            Err(LegacyWaitError::Kube(e)) if retryable(&e) && retries < MAX_RETRIES => {
                retries += 1;
            }
            Err(e) => return Err(e),
        }
        if tokio::time::Instant::now() + LEGACY_POLL >= deadline {
            tokio::time::sleep_until(deadline).await;
            return Err(LegacyWaitError::Deadline);
        }
        tokio::time::sleep(LEGACY_POLL).await;
    }
}

fn retryable(e: &KubeError) -> bool {
    match e {
        KubeError::Api { code, .. } => is_retryable(*code),
        KubeError::Transport { .. } => is_retryable(0),
        _ => false,
    }
}

/// One round of Helm 3's checks over every object.
async fn all_ready(
    kube: &Kube,
    objects: &[Object],
    options: Options,
) -> Result<bool, LegacyWaitError> {
    for object in objects {
        let live = kube
            .get(&object.resource, &object.namespace, &object.name)
            .await?;
        let related_kind = match needs(&live) {
            Needs::Nothing => None,
            Needs::ReplicaSets => Some(("apps/v1", "ReplicaSet")),
            Needs::Pods => Some(("v1", "Pod")),
        };
        let related = match related_kind {
            None => Vec::new(),
            Some((api_version, kind)) => {
                // An object without a usable selector has nothing related.
                let selector = pod_selector(&live).unwrap_or_default();
                let resource = kube.resource(api_version, kind).await?;
                kube.list(&resource, &object.namespace, &selector).await?
            }
        };
        let related = match related_kind {
            Some((_, "ReplicaSet")) => Related {
                replica_sets: &related,
                pods: &[],
            },
            _ => Related {
                replica_sets: &[],
                pods: &related,
            },
        };
        if !is_ready(&live, related, options)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// How a release's own objects are waited on after they are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReleaseWait {
    /// `--wait=watcher` (kstatus), judging as the reader says.
    Watcher(WaitFor),
    /// `--wait=legacy` (Helm 3's checks).
    Legacy(Options),
}

impl ReleaseWait {
    /// `--wait`'s strategy with `--wait-for-jobs`; `None` for `hookOnly`.
    pub fn from_strategy(strategy: Strategy, wait_for_jobs: bool) -> Option<ReleaseWait> {
        match strategy {
            Strategy::HookOnly => None,
            Strategy::Watcher => Some(ReleaseWait::Watcher(if wait_for_jobs {
                WaitFor::ResourcesAndJobs
            } else {
                WaitFor::Resources
            })),
            Strategy::Legacy => Some(ReleaseWait::Legacy(Options {
                check_jobs: wait_for_jobs,
                paused_as_ready: true,
            })),
        }
    }

    /// Waits until `objects` are ready or `timeout` passes; Helm's error
    /// text when they are not.
    pub async fn ready(
        self,
        kube: &Kube,
        objects: &[Object],
        timeout: Duration,
    ) -> Result<(), String> {
        match self {
            ReleaseWait::Watcher(wait) => {
                let waited: Vec<Object> = objects
                    .iter()
                    .filter(|o| waits_on(&o.body))
                    .cloned()
                    .collect();
                wait_for(kube, &waited, Goal::Ready, wait, timeout)
                    .await
                    .map_err(|e| e.to_string())
            }
            ReleaseWait::Legacy(options) => wait_legacy(kube, objects, options, timeout)
                .await
                .map_err(|e| e.to_string()),
        }
    }
}
