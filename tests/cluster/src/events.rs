//! The store's one notification point: every committed write becomes an
//! [`Event`], broadcast to live subscribers (watches, the controllers) and
//! kept in a bounded history so a watch can resume from a
//! `resourceVersion` it was given earlier.

use std::collections::VecDeque;
use std::sync::Arc;

use serde_json::Value;
use tokio::sync::broadcast;

/// How many past events a watch can resume from; older resourceVersions
/// are answered with 410 `Expired`, as etcd's compaction makes
/// kube-apiserver answer.
pub const HISTORY: usize = 4096;

/// How far a subscriber may fall behind before it is cut off (and its
/// watch ends with `Expired`, so the client relists).
const CHANNEL_CAPACITY: usize = 4096;

/// What a write did to an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// The object was created.
    Added,
    /// The object was replaced or patched.
    Modified,
    /// The object was removed.
    Deleted,
}

impl EventKind {
    /// The watch event `type` the API sends.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Added => "ADDED",
            Self::Modified => "MODIFIED",
            Self::Deleted => "DELETED",
        }
    }
}

/// One committed write.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The resourceVersion the write committed at (unique, increasing).
    pub revision: u64,
    /// What happened.
    pub kind: EventKind,
    /// The object's API group (empty for core).
    pub group: String,
    /// The object's resource (`deployments`).
    pub plural: String,
    /// The object's namespace (empty when cluster-scoped).
    pub namespace: String,
    /// The object after the write; for a deletion, its last state with
    /// the deletion's resourceVersion.
    pub object: Value,
    /// The object before the write (none for a creation), so a watch can
    /// tell an object entering or leaving its selection.
    pub previous: Option<Value>,
}

/// A resourceVersion older than the history reaches back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too old resource version: {requested} ({oldest})")]
pub struct Expired {
    /// The resourceVersion asked for.
    pub requested: u64,
    /// The oldest resourceVersion a watch can still start after.
    pub oldest: u64,
}

/// The broadcast channel and the history behind it. Writes publish while
/// holding the store's lock, so events leave in resourceVersion order.
#[derive(Debug)]
pub struct EventLog {
    sender: broadcast::Sender<Arc<Event>>,
    history: VecDeque<Arc<Event>>,
    /// The revision before the oldest event in `history`: a watch may
    /// start after it, but not before.
    floor: u64,
}

impl Default for EventLog {
    fn default() -> Self {
        Self {
            sender: broadcast::channel(CHANNEL_CAPACITY).0,
            history: VecDeque::new(),
            floor: 0,
        }
    }
}

impl EventLog {
    /// Records `event` and sends it to every subscriber.
    pub fn publish(&mut self, event: Event) {
        let event = Arc::new(event);
        if self.history.len() == HISTORY
            && let Some(dropped) = self.history.pop_front()
        {
            self.floor = dropped.revision;
        }
        self.history.push_back(event.clone());
        // No subscriber is not an error: nobody is watching.
        let _ = self.sender.send(event);
    }

    /// A receiver of every event published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.sender.subscribe()
    }

    /// The events committed after `revision`, oldest first.
    pub fn since(&self, revision: u64) -> Result<Vec<Arc<Event>>, Expired> {
        if revision < self.floor {
            return Err(Expired {
                requested: revision,
                oldest: self.floor,
            });
        }
        Ok(self
            .history
            .iter()
            .filter(|event| event.revision > revision)
            .cloned()
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(revision: u64) -> Event {
        Event {
            revision,
            kind: EventKind::Added,
            group: String::new(),
            plural: "secrets".to_owned(),
            namespace: "default".to_owned(),
            object: json!({}),
            previous: None,
        }
    }

    #[test]
    fn history_is_bounded_and_expires_old_versions() {
        let mut log = EventLog::default();
        let mut receiver = log.subscribe();
        for revision in 1..=(HISTORY as u64 + 10) {
            log.publish(event(revision));
        }
        assert_eq!(log.history.len(), HISTORY);
        assert_eq!(
            log.since(5),
            Err(Expired {
                requested: 5,
                oldest: 10
            })
        );
        let recent = log.since(HISTORY as u64 + 8).expect("in history");
        let revisions: Vec<u64> = recent.iter().map(|e| e.revision).collect();
        assert_eq!(revisions, [HISTORY as u64 + 9, HISTORY as u64 + 10]);
        assert_eq!(log.since(10).map(|e| e.len()), Ok(HISTORY));
        // The receiver fell behind the channel's capacity.
        assert!(matches!(
            receiver.try_recv(),
            Err(broadcast::error::TryRecvError::Lagged(_))
        ));
    }

    #[test]
    fn every_store_write_is_announced_once_in_order() {
        use crate::resources;
        use crate::store::Store;
        let store = Store::new();
        let namespaces = resources::find("", "v1", "namespaces").expect("served");
        let secrets = resources::find("", "v1", "secrets").expect("served");
        let mut receiver = store.subscribe();
        let before = store.revision();
        store
            .create(namespaces, "", json!({"metadata": {"name": "ns"}}), false)
            .expect("created");
        let secret = store
            .create(secrets, "ns", json!({"metadata": {"name": "s"}}), false)
            .expect("created");
        // A dry run and a no-op update are not writes.
        store
            .create(secrets, "ns", json!({"metadata": {"name": "t"}}), true)
            .expect("dry run");
        store
            .update(secrets, "ns", "s", secret.clone(), false)
            .expect("no-op");
        let mut changed = secret;
        changed["data"] = json!({"k": "dg=="});
        store
            .update(secrets, "ns", "s", changed, false)
            .expect("updated");
        store.delete(namespaces, "", "ns", false).expect("deleted");
        let mut seen = Vec::new();
        while let Ok(event) = receiver.try_recv() {
            seen.push(event);
        }
        let summary: Vec<(EventKind, &str, u64)> = seen
            .iter()
            .map(|e| {
                let name = e.object["metadata"]["name"].as_str().unwrap_or_default();
                (e.kind, name, e.revision)
            })
            .collect();
        assert_eq!(
            summary,
            [
                (EventKind::Added, "ns", before + 1),
                (EventKind::Added, "s", before + 2),
                (EventKind::Modified, "s", before + 3),
                (EventKind::Deleted, "ns", before + 4),
                (EventKind::Deleted, "s", before + 5),
            ]
        );
        assert!(
            seen[2]
                .previous
                .as_ref()
                .is_some_and(|p| p.get("data").is_none())
        );
        // A deletion carries its own resourceVersion.
        assert_eq!(
            seen[4].object["metadata"]["resourceVersion"],
            (before + 5).to_string()
        );
        let resumed = store.events_since(before + 3).expect("in history");
        assert_eq!(resumed.len(), 2);
    }
}
