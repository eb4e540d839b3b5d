//! Simulated controllers: what kube-controller-manager, the scheduler and
//! the kubelets would do, enough for `kubectl rollout status`, `kubectl
//! wait` and `helm install --wait` to see workloads become ready.
//!
//! One task per cluster ([`run`]) wakes on every write the store
//! announces (and when a steered delay runs out), then brings every
//! object one step closer to its desired state ([`Pass`]). Each
//! controller is level-based: it reads the objects, writes only what
//! differs, and the store drops no-op writes, so passes settle.
//!
//! | module | objects |
//! |---|---|
//! | [`replicas`] | Deployment → ReplicaSet → Pods |
//! | [`stateful`] | StatefulSet (ordered pods, PVCs), DaemonSet (one node) |
//! | [`jobs`] | Job pods, `succeeded`/`failed`, `Complete`/`Failed` |
//! | [`pods`] | the kubelet: phase, container states, `Ready` |
//! | [`simple`] | PVC `Bound`, LoadBalancer ingress, PDB, CRD conditions |
//! | [`gc`] | garbage collection by `ownerReferences` |
//!
//! [`steering`] reads the annotations tests use to delay or fail them,
//! or to keep the controllers off an object altogether.

pub mod gc;
pub mod jobs;
pub mod pods;
pub mod replicas;
pub mod simple;
pub mod stateful;
pub mod steering;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;
use tokio::time::Instant;

use crate::api::ApiState;
use crate::resources::{self, ResourceType};
use crate::status::ApiError;
use crate::store::{ListOptions, Store};

use steering::Steering;

/// Runs the controllers of one cluster until its runtime shuts down.
pub async fn run(state: Arc<ApiState>) {
    let mut events = state.store.subscribe();
    let mut clock = Clock::default();
    loop {
        let wake = reconcile(&state.store, &mut clock);
        let next_event = async {
            match events.recv().await {
                // Missed events only mean the next pass has more to do.
                Ok(_) | Err(RecvError::Lagged(_)) => true,
                Err(RecvError::Closed) => false,
            }
        };
        let until_wake = async {
            match wake {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            open = next_event => if !open { return },
            () = until_wake => {}
        }
        // A burst of writes (a chart being installed) makes one pass.
        while events.try_recv().is_ok() {}
    }
}

/// One pass of every controller; returns when the next steered delay
/// runs out, if one is pending.
pub fn reconcile(store: &Store, clock: &mut Clock) -> Option<Instant> {
    let mut pass = Pass {
        store,
        now: Instant::now(),
        clock,
        seen: HashSet::new(),
        wake: None,
    };
    gc::collect(&mut pass);
    replicas::deployments(&mut pass);
    replicas::replica_sets(&mut pass);
    stateful::stateful_sets(&mut pass);
    stateful::daemon_sets(&mut pass);
    jobs::jobs(&mut pass);
    pods::pods(&mut pass);
    simple::claims(&mut pass);
    simple::load_balancers(&mut pass);
    simple::disruption_budgets(&mut pass);
    simple::definitions(&mut pass);
    let Pass { seen, wake, .. } = pass;
    clock.first_seen.retain(|uid, _| seen.contains(uid));
    wake
}

/// The most pods one controller makes for one object in one pass, as
/// kube-controller-manager's `burstReplicas`; more come in later passes.
const BURST_PODS: usize = 500;

/// When the controllers first saw each object, by uid: steered delays
/// count from there.
#[derive(Debug, Default)]
pub struct Clock {
    first_seen: HashMap<String, Instant>,
}

/// The state of one pass: the store, the time, and the earliest moment a
/// delay runs out.
pub struct Pass<'a> {
    store: &'a Store,
    now: Instant,
    clock: &'a mut Clock,
    /// Uids whose delays are being timed this pass.
    seen: HashSet<String>,
    wake: Option<Instant>,
}

impl Pass<'_> {
    /// Every object of a type, in every namespace.
    fn list(&self, resource: &ResourceType) -> Vec<Value> {
        list_all(self.store, resource)
    }

    /// The objects of a type the controllers act on: every one but those
    /// a test has [frozen](steering::FROZEN).
    fn managed(&self, resource: &ResourceType) -> Vec<Value> {
        let mut objects = self.list(resource);
        objects.retain(|object| !steering::frozen(object));
        objects
    }

    /// Whether the delay `object` is steered to wait has run out; if
    /// not, the pass wakes again when it does.
    fn delay_over(&mut self, object: &Value, steering: Steering) -> bool {
        let Some(uid) = object["metadata"]["uid"].as_str() else {
            return true;
        };
        self.seen.insert(uid.to_owned());
        let first = *self
            .clock
            .first_seen
            .entry(uid.to_owned())
            .or_insert(self.now);
        let due = first + steering.delay;
        if due <= self.now {
            return true;
        }
        self.wake_at(due);
        false
    }

    /// Makes the next pass come no later than `after` from now.
    fn wake_after(&mut self, after: Duration) {
        // A deadline past the end of time never comes.
        if let Some(due) = self.now.checked_add(after) {
            self.wake_at(due);
        }
    }

    fn wake_at(&mut self, due: Instant) {
        self.wake = Some(self.wake.map_or(due, |w| w.min(due)));
    }

    /// Writes `status` on `object` through the status subresource, unless
    /// it already has it. A conflict means a newer version is on its
    /// way, and with it another pass.
    fn set_status(&self, resource: &ResourceType, object: &Value, status: Value) {
        if object["status"] == status {
            return;
        }
        let mut updated = object.clone();
        updated["status"] = status;
        self.report(self.store.update_status(
            resource,
            namespace_of(object),
            name_of(object),
            updated,
            false,
        ));
    }

    /// Replaces `object` (its spec or metadata changed).
    fn update(&self, resource: &ResourceType, object: Value) {
        let (namespace, name) = (
            namespace_of(&object).to_owned(),
            name_of(&object).to_owned(),
        );
        self.report(
            self.store
                .update(resource, &namespace, &name, object, false),
        );
    }

    fn create(&self, resource: &ResourceType, namespace: &str, object: Value) {
        self.report(self.store.create(resource, namespace, object, false));
    }

    fn delete(&self, resource: &ResourceType, object: &Value) {
        self.report(
            self.store
                .delete(resource, namespace_of(object), name_of(object), false),
        );
    }

    /// Controllers retry on the next pass: a failed write (the object
    /// changed or went away meanwhile) is expected and dropped.
    fn report(&self, result: Result<Value, ApiError>) {
        drop(result);
    }
}

/// Every object of a type, in every namespace, with the `kind` and
/// `apiVersion` list items leave out (owner references need them).
fn list_all(store: &Store, resource: &ResourceType) -> Vec<Value> {
    let Ok(mut list) = store.list(resource, None, &ListOptions::default()) else {
        return Vec::new();
    };
    let Value::Array(mut items) = list["items"].take() else {
        return Vec::new();
    };
    for item in &mut items {
        item["kind"] = json!(resource.kind);
        item["apiVersion"] = json!(resource.api_version());
    }
    items
}

/// A built-in type by group and plural (every caller names one of the
/// table's types).
fn built_in(group: &str, plural: &str) -> Option<&'static ResourceType> {
    resources::BUILT_IN
        .iter()
        .find(|r| r.group == group && r.plural == plural)
}

fn name_of(object: &Value) -> &str {
    object["metadata"]["name"].as_str().unwrap_or_default()
}

fn namespace_of(object: &Value) -> &str {
    object["metadata"]["namespace"].as_str().unwrap_or_default()
}

fn uid_of(object: &Value) -> &str {
    object["metadata"]["uid"].as_str().unwrap_or_default()
}

fn generation_of(object: &Value) -> i64 {
    object["metadata"]["generation"].as_i64().unwrap_or(0)
}

/// Whether `object` is being deleted (it has a `deletionTimestamp`).
fn terminating(object: &Value) -> bool {
    object["metadata"]["deletionTimestamp"].is_string()
}

/// The controller owner reference a controller puts on what it makes.
fn controller_ref(owner: &Value) -> Value {
    json!({
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "controller": true,
        "blockOwnerDeletion": true,
    })
}

/// Whether `object`'s controller is the object with `uid`.
fn controlled_by(object: &Value, uid: &str) -> bool {
    object["metadata"]["ownerReferences"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|r| r["uid"] == uid && r["controller"] == true)
}

/// The objects among `candidates` that `owner` controls, in its namespace.
fn owned<'v>(candidates: &'v [Value], owner: &Value) -> Vec<&'v Value> {
    let uid = uid_of(owner);
    candidates
        .iter()
        .filter(|c| namespace_of(c) == namespace_of(owner) && controlled_by(c, uid))
        .collect()
}

/// `spec.replicas`, defaulting to 1 as the API does.
fn desired_replicas(object: &Value) -> i64 {
    object["spec"]["replicas"].as_i64().unwrap_or(1).max(0)
}

/// The time as the API writes it.
fn timestamp() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A status condition in the shape `previous` holds (the object's
/// current `status.conditions`): its `lastTransitionTime` moves only when
/// the status does, and `lastUpdateTime` (Deployments) only when the
/// reason or message does, so a pass that changes nothing writes nothing.
fn condition(
    previous: &Value,
    kind: &str,
    status: bool,
    reason: &str,
    message: &str,
    with_update_time: bool,
) -> Value {
    let status_text = if status { "True" } else { "False" };
    let old = previous
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["type"] == kind);
    let now = timestamp();
    let transition = match old {
        Some(old) if old["status"] == status_text => old["lastTransitionTime"].clone(),
        _ => json!(now),
    };
    let mut condition = json!({
        "type": kind,
        "status": status_text,
        "reason": reason,
        "message": message,
        "lastTransitionTime": transition,
    });
    if with_update_time {
        condition["lastUpdateTime"] = match old {
            Some(old)
                if old["status"] == status_text
                    && old["reason"] == reason
                    && old["message"] == message =>
            {
                old["lastUpdateTime"].clone()
            }
            _ => json!(now),
        };
    }
    condition
}

/// A short, stable hash of a JSON value in the alphabet Kubernetes uses
/// for generated names (`pod-template-hash`, revision names).
fn template_hash(value: &Value) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut hash = crate::defaults::fnv(&value.to_string());
    let mut out = String::new();
    for _ in 0..10 {
        // The remainder is below 27: the index cannot leave the alphabet.
        let index = usize::try_from(hash % 27).unwrap_or(0);
        out.push(char::from(ALPHABET[index]));
        hash /= 27;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_keep_their_times_while_unchanged() {
        let first = condition(&json!([]), "Available", true, "R", "m", true);
        let previous = json!([first.clone()]);
        assert_eq!(
            condition(&previous, "Available", true, "R", "m", true),
            first
        );
        let flipped = condition(&previous, "Available", false, "R", "m", false);
        assert_eq!(flipped["status"], "False");
        assert!(flipped.get("lastUpdateTime").is_none());
    }

    /// Runs passes until one changes nothing (bounded).
    fn settle(store: &Store, clock: &mut Clock) {
        for _ in 0..20 {
            let before = store.revision();
            reconcile(store, clock);
            if store.revision() == before {
                return;
            }
        }
        panic!("the controllers did not settle");
    }

    #[test]
    fn a_deployment_settles_with_its_pods_ready_and_a_deleted_one_is_collected() {
        let store = Store::new();
        let deployments = built_in("apps", "deployments").expect("served");
        let pods = built_in("", "pods").expect("served");
        store
            .create(
                deployments,
                "default",
                json!({"metadata": {"name": "web"}, "spec": {
                    "replicas": 3,
                    "selector": {"matchLabels": {"app": "web"}},
                    "template": {"metadata": {"labels": {"app": "web"}},
                                 "spec": {"containers": [{"name": "app", "image": "x"}]}},
                }}),
                false,
            )
            .expect("created");
        let mut clock = Clock::default();
        settle(&store, &mut clock);
        let web = store.get(deployments, "default", "web").expect("there");
        assert_eq!(web["status"]["availableReplicas"], 3);
        assert_eq!(
            web["status"]["conditions"][1]["reason"],
            "NewReplicaSetAvailable"
        );
        let running = list_all(&store, pods);
        assert_eq!(running.len(), 3);
        assert!(running.iter().all(pods::ready));
        store
            .delete(deployments, "default", "web", false)
            .expect("deleted");
        settle(&store, &mut clock);
        assert!(list_all(&store, pods).is_empty());
        assert!(list_all(&store, built_in("apps", "replicasets").expect("served")).is_empty());
    }

    #[test]
    fn frozen_objects_are_left_alone() {
        let store = Store::new();
        let deployments = built_in("apps", "deployments").expect("served");
        let sets = built_in("apps", "replicasets").expect("served");
        let created = store
            .create(
                deployments,
                "default",
                json!({"metadata": {"name": "still", "annotations": {steering::FROZEN: "true"}},
                       "spec": {
                    "replicas": 1,
                    "selector": {"matchLabels": {"app": "still"}},
                    "template": {"metadata": {"labels": {"app": "still"}},
                                 "spec": {"containers": [{"name": "app", "image": "x"}]}},
                }}),
                false,
            )
            .expect("created");
        let mut written = created.clone();
        written["status"] = json!({"replicas": 7});
        store
            .update_status(deployments, "default", "still", written, false)
            .expect("status written");
        settle(&store, &mut Clock::default());
        let still = store.get(deployments, "default", "still").expect("there");
        assert_eq!(still["status"], json!({"replicas": 7}));
        assert!(list_all(&store, sets).is_empty());
    }

    #[test]
    fn template_hashes_are_stable_and_distinct() {
        let a = template_hash(&json!({"a": 1}));
        assert_eq!(a, template_hash(&json!({"a": 1})));
        assert_ne!(a, template_hash(&json!({"a": 2})));
        assert_eq!(a.len(), 10);
    }
}
