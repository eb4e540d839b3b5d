//! Garbage collection by `ownerReferences`: an object whose owners are
//! all gone is deleted (background cascade); an owner deleted with
//! `propagationPolicy: Foreground` waits, marked with a
//! `deletionTimestamp` and the `foregroundDeletion` finalizer, until its
//! dependents are gone; `Orphan` strips the owner from its dependents.

use std::collections::HashSet;

use serde_json::{Value, json};

use super::{Pass, list_all, timestamp, uid_of};
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

/// DELETE with a propagation policy: Background deletes now (the
/// collector follows); Foreground marks the object and leaves the rest to
/// the collector; Orphan first removes the owner reference from every
/// dependent.
pub fn delete(
    store: &Store,
    resource: &ResourceType,
    namespace: &str,
    name: &str,
    policy: Propagation,
    dry_run: bool,
) -> Result<Value, ApiError> {
    let object = store.get(resource, namespace, name)?;
    if dry_run || policy == Propagation::Background {
        return store.delete(resource, namespace, name, dry_run);
    }
    let uid = uid_of(&object).to_owned();
    if policy == Propagation::Orphan {
        for dependent_type in all_types(store) {
            for mut dependent in list_all(store, dependent_type) {
                if !refers_to(&dependent, &uid) {
                    continue;
                }
                let metadata = &mut dependent["metadata"];
                if let Some(refs) = metadata["ownerReferences"].as_array_mut() {
                    refs.retain(|r| r["uid"] != uid.as_str());
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
        return store.delete(resource, namespace, name, false);
    }
    let mut marked = object;
    marked["metadata"]["deletionTimestamp"] = json!(timestamp());
    marked["metadata"]["deletionGracePeriodSeconds"] = json!(0);
    let finalizers = marked["metadata"]["finalizers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if !finalizers.iter().any(|f| f == FOREGROUND) {
        let mut finalizers = finalizers;
        finalizers.push(json!(FOREGROUND));
        marked["metadata"]["finalizers"] = json!(finalizers);
    }
    store.update(resource, namespace, name, marked, false)
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
        if orphaned {
            pass.delete(resource, object);
        } else if doomed {
            // The cascade goes on in the foreground down the chain: the
            // owner waits for this one, and this one for its own.
            if !object["metadata"]["deletionTimestamp"].is_string() {
                let (namespace, name) = names(object);
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
        if waits_in_foreground(object) && !blocking.contains(uid_of(object)) {
            pass.delete(resource, object);
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
