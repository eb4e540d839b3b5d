//! Deletion and garbage collection by `ownerReferences`: an object with
//! finalizers is only marked with a `deletionTimestamp` and goes when
//! they are removed; an object whose owners are all gone is deleted
//! (background cascade); an owner deleted with `propagationPolicy:
//! Foreground` waits, holding the `foregroundDeletion` finalizer, until
//! its dependents are gone; `Orphan` strips the owner from its dependents.

use std::collections::HashSet;

use serde_json::{Value, json};

use super::{Pass, list_all, terminating, timestamp, uid_of};
use crate::custom;
use crate::resources::{self, ResourceType};
use crate::status::ApiError;
use crate::store::Store;

/// The finalizer of an owner deleted in the foreground.
pub const FOREGROUND: &str = "foregroundDeletion";

/// How a DELETE treats the object's dependents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Propagation {
    /// The owner goes now; the collector removes dependents after.
    #[default]
    Background,
    /// The owner stays (terminating) until its dependents are gone.
    Foreground,
    /// Dependents stay, without the owner reference.
    Orphan,
}

impl Propagation {
    /// The policy of a DELETE: the `propagationPolicy` query parameter or
    /// DeleteOptions body field (or the deprecated `orphanDependents`).
    pub fn from_request(query: Option<&str>, body: &[u8]) -> Result<Self, ApiError> {
        // client-go's typed clients send DeleteOptions as protobuf (Helm
        // deletes its release Secrets so); those and empty bodies carry
        // no policy we read, and get the default.
        let options: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        let policy = query.or_else(|| options["propagationPolicy"].as_str());
        match policy {
            Some("Foreground") => Ok(Self::Foreground),
            Some("Orphan") => Ok(Self::Orphan),
            Some("Background") => Ok(Self::Background),
            None if options["orphanDependents"] == true => Ok(Self::Orphan),
            None => Ok(Self::Background),
            Some(other) => Err(ApiError::bad_request(format!(
                "propagationPolicy: Unsupported value: \"{other}\": supported values: \"Foreground\", \"Background\", \"Orphan\""
            ))),
        }
    }
}

/// Every type served, built in or custom.
fn all_types(store: &Store) -> Vec<&'static ResourceType> {
    resources::BUILT_IN
        .iter()
        .chain(custom::served(store).into_iter().map(|s| s.resource))
        .collect()
}

/// Whether `object` refers to the owner with `uid`.
fn refers_to(object: &Value, uid: &str) -> bool {
    object["metadata"]["ownerReferences"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|r| r["uid"] == uid)
}

/// DELETE with a propagation policy. An object with finalizers is only
/// marked (`deletionTimestamp`) and goes once they are removed; Foreground
/// adds its own finalizer, which the collector removes when the
/// dependents are gone; Orphan first removes the owner reference from
/// every dependent; Background leaves the dependents to the collector.
pub fn delete(
    store: &Store,
    resource: &ResourceType,
    namespace: &str,
    name: &str,
    policy: Propagation,
    dry_run: bool,
) -> Result<Value, ApiError> {
    let object = store.get(resource, namespace, name)?;
    if dry_run {
        return store.delete(resource, namespace, name, true);
    }
    if policy == Propagation::Orphan {
        orphan_dependents(store, uid_of(&object));
    }
    let mut finalizers = finalizers_of(&object);
    if policy == Propagation::Foreground && !finalizers.iter().any(|f| f == FOREGROUND) {
        finalizers.push(FOREGROUND.to_owned());
    }
    if finalizers.is_empty() {
        return store.delete(resource, namespace, name, false);
    }
    if terminating(&object) && finalizers == finalizers_of(&object) {
        // Deleting again changes nothing.
        return Ok(object);
    }
    let mut marked = object;
    if !terminating(&marked) {
        marked["metadata"]["deletionTimestamp"] = json!(timestamp());
        marked["metadata"]["deletionGracePeriodSeconds"] = json!(0);
    }
    marked["metadata"]["finalizers"] = json!(finalizers);
    store.update(resource, namespace, name, marked, false)
}

fn finalizers_of(object: &Value) -> Vec<String> {
    object["metadata"]["finalizers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f.as_str().map(str::to_owned))
        .collect()
}

/// Removes the owner reference to `uid` from every object holding one.
fn orphan_dependents(store: &Store, uid: &str) {
    for dependent_type in all_types(store) {
        for mut dependent in list_all(store, dependent_type) {
            if !refers_to(&dependent, uid) {
                continue;
            }
            let metadata = &mut dependent["metadata"];
            if let Some(refs) = metadata["ownerReferences"].as_array_mut() {
                refs.retain(|r| r["uid"] != uid);
                if refs.is_empty()
                    && let Some(map) = metadata.as_object_mut()
                {
                    map.remove("ownerReferences");
                }
            }
            let (ns, dependent_name) = names(&dependent);
            // Gone meanwhile: nothing left to orphan.
            let _ = store.update(dependent_type, &ns, &dependent_name, dependent, false);
        }
    }
}

fn names(object: &Value) -> (String, String) {
    let text = |key: &str| {
        object["metadata"][key]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    (text("namespace"), text("name"))
}

/// One collection pass: deletes dependents whose owners are all gone or
/// are being deleted in the foreground, and finishes foreground deletions
/// that have no dependents left.
pub fn collect(pass: &mut Pass<'_>) {
    let store = pass.store;
    let objects: Vec<(&'static ResourceType, Value)> = all_types(store)
        .into_iter()
        .flat_map(|t| list_all(store, t).into_iter().map(move |o| (t, o)))
        .collect();
    let present: HashSet<&str> = objects.iter().map(|(_, o)| uid_of(o)).collect();
    let foreground: HashSet<&str> = objects
        .iter()
        .filter(|(_, o)| waits_in_foreground(o))
        .map(|(_, o)| uid_of(o))
        .collect();
    let mut blocking: HashSet<String> = HashSet::new();
    for (resource, object) in &objects {
        let Some(refs) = object["metadata"]["ownerReferences"].as_array() else {
            continue;
        };
        let owner_uids: Vec<&str> = refs.iter().filter_map(|r| r["uid"].as_str()).collect();
        if owner_uids.is_empty() {
            continue;
        }
        let orphaned = owner_uids.iter().all(|uid| !present.contains(uid));
        let doomed = owner_uids.iter().any(|uid| foreground.contains(uid));
        let (namespace, name) = names(object);
        if orphaned && !terminating(object) {
            pass.report(delete(
                store,
                resource,
                &namespace,
                &name,
                Propagation::Background,
                false,
            ));
        } else if doomed {
            // The cascade goes on in the foreground down the chain: the
            // owner waits for this one, and this one for its own.
            if !terminating(object) {
                pass.report(delete(
                    store,
                    resource,
                    &namespace,
                    &name,
                    Propagation::Foreground,
                    false,
                ));
            }
            blocking.extend(owner_uids.iter().map(|uid| (*uid).to_owned()));
        }
    }
    for (resource, object) in &objects {
        if !terminating(object) || blocking.contains(uid_of(object)) {
            continue;
        }
        // Nothing holds the foreground finalizer any more; the object goes
        // when no other finalizer is left.
        let left: Vec<String> = finalizers_of(object)
            .into_iter()
            .filter(|f| f != FOREGROUND)
            .collect();
        if left.is_empty() {
            pass.delete(resource, object);
        } else if left.len() != finalizers_of(object).len() {
            let mut released = object.clone();
            released["metadata"]["finalizers"] = json!(left);
            pass.update(resource, released);
        }
    }
}

/// Whether `object` is being deleted in the foreground.
fn waits_in_foreground(object: &Value) -> bool {
    object["metadata"]["deletionTimestamp"].is_string()
        && object["metadata"]["finalizers"]
            .as_array()
            .is_some_and(|f| f.iter().any(|f| f == FOREGROUND))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_comes_from_the_query_or_the_body() {
        let from = |query, body: &str| Propagation::from_request(query, body.as_bytes());
        assert_eq!(from(None, ""), Ok(Propagation::Background));
        assert_eq!(from(Some("Orphan"), ""), Ok(Propagation::Orphan));
        assert_eq!(
            from(
                None,
                r#"{"kind":"DeleteOptions","propagationPolicy":"Foreground"}"#
            ),
            Ok(Propagation::Foreground)
        );
        assert_eq!(
            from(None, r#"{"orphanDependents":true}"#),
            Ok(Propagation::Orphan)
        );
        // Protobuf DeleteOptions (typed clients) carry nothing we read.
        assert_eq!(from(None, "k8s\0\u{1}"), Ok(Propagation::Background));
        assert_eq!(from(Some("Sideways"), "").map_err(|e| e.code), Err(400));
    }
}
