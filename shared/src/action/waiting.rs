//! Waiting on a release's objects: their statuses read from the cluster
//! until [`Progress`] says Helm would stop, or the time runs out.
//!
//! The loop polls rather than watches: each round reads every object the
//! wait still counts and feeds its status to [`Progress`], which decides,
//! as Helm's watcher does after each event, whether to stop.

use std::time::Duration;

use serde_json::Value;

use crate::kube::Kube;
use crate::kube::resources::Object;
use crate::kube::status::Status;
use crate::kube::status::readers::{WaitFor, status};
use crate::kube::status::wait::{Goal, NOT_FOUND_MESSAGE, ObjectId, Progress, WaitError};

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
