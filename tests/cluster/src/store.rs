//! The object store: every object of every type as JSON, with the metadata
//! the API server owns (uid, resourceVersion, creationTimestamp,
//! generation) and its rules for create, update and delete.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};
use tokio::sync::broadcast;

use crate::apply;
use crate::custom;
use crate::events::{Event, EventKind, EventLog, Expired};
use crate::patch::PatchKind;
use crate::resources::{self, ResourceType};
use crate::selector::{FieldSelector, LabelSelector};
use crate::status::ApiError;
use crate::subresource;

/// The namespaces every cluster starts with.
const INITIAL_NAMESPACES: &[&str] = &["default", "kube-system", "kube-public", "kube-node-lease"];

/// Where an object lives. Ordered as etcd keys are (type, namespace, name),
/// so a range of the map is a list in the API server's order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct ObjectKey {
    group: String,
    plural: String,
    namespace: String,
    name: String,
}

impl ObjectKey {
    fn new(resource: &ResourceType, namespace: &str, name: &str) -> Self {
        Self {
            group: resource.group.to_owned(),
            plural: resource.plural.to_owned(),
            namespace: if resource.namespaced {
                namespace.to_owned()
            } else {
                String::new()
            },
            name: name.to_owned(),
        }
    }
}

/// What a list or collection delete selects.
#[derive(Debug, Clone, Default)]
pub struct ListOptions {
    /// `labelSelector`.
    pub labels: LabelSelector,
    /// `fieldSelector`.
    pub fields: FieldSelector,
    /// `limit`: at most this many items, with a `continue` token for the rest.
    pub limit: Option<usize>,
    /// `continue`: the token of the previous page.
    pub continue_token: Option<String>,
}

/// Everything stored, behind one lock: requests are short and never wait
/// on I/O while holding it.
#[derive(Debug)]
pub struct Store {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// The global resourceVersion counter, bumped by every write.
    revision: u64,
    objects: BTreeMap<ObjectKey, Value>,
    /// Where every committed write is announced.
    events: EventLog,
}

impl Inner {
    /// Commits a write at the next revision: stores (or, for a deletion,
    /// removes) the object and announces it. `object` must already carry
    /// the new resourceVersion.
    fn commit(&mut self, kind: EventKind, key: ObjectKey, object: Value) {
        self.revision += 1;
        let previous = match kind {
            EventKind::Deleted => self.objects.remove(&key),
            EventKind::Added | EventKind::Modified => {
                self.objects.insert(key.clone(), object.clone())
            }
        };
        self.events.publish(Event {
            revision: self.revision,
            kind,
            group: key.group,
            plural: key.plural,
            namespace: key.namespace,
            object,
            previous,
        });
    }

    /// Deletes one stored object as its own write.
    fn remove(&mut self, key: &ObjectKey) -> Option<Value> {
        let mut object = self.objects.get(key)?.clone();
        metadata_mut(&mut object).insert(
            "resourceVersion".to_owned(),
            json!((self.revision + 1).to_string()),
        );
        self.commit(EventKind::Deleted, key.clone(), object.clone());
        Some(object)
    }
}

impl Default for Store {
    fn default() -> Self {
        Self::new()
    }
}

impl Store {
    /// A store holding the namespaces a fresh cluster has.
    pub fn new() -> Self {
        let store = Self {
            inner: Mutex::new(Inner::default()),
        };
        let namespaces = namespaces_type();
        for name in INITIAL_NAMESPACES {
            // Cannot fail: the names are valid and the store is empty.
            let _ = store.create(namespaces, "", json!({"metadata": {"name": name}}), false);
        }
        store
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic elsewhere cannot leave an object half-written (each
        // write is one map insert), so a poisoned lock is still usable.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// POST: stores a new object, filling in the server-owned metadata.
    /// Its `managedFields` are kept as given.
    pub fn create(
        &self,
        resource: &ResourceType,
        namespace: &str,
        object: Value,
        dry_run: bool,
    ) -> Result<Value, ApiError> {
        self.create_by(resource, namespace, object, dry_run, None)
    }

    /// [`Store::create`] by field manager `manager`, recorded in
    /// `managedFields` (`None`: the object's `managedFields` are final).
    pub fn create_by(
        &self,
        resource: &ResourceType,
        namespace: &str,
        object: Value,
        dry_run: bool,
        manager: Option<&str>,
    ) -> Result<Value, ApiError> {
        let mut object = typed_object(resource, namespace, object)?;
        if subresource::status_is_subresource(self, resource) {
            // The status of a new object is the controllers' to write.
            subresource::reset_status_on_create(resource, &mut object);
        }
        let mut inner = self.lock();
        let name = match str_at(&object, "/metadata/name") {
            Some(name) if !name.is_empty() => name.to_owned(),
            _ => match str_at(&object, "/metadata/generateName") {
                Some(prefix) if !prefix.is_empty() => generated_name(prefix),
                _ => {
                    return Err(ApiError::invalid(
                        resource,
                        "",
                        "metadata.name",
                        "Required value: name or generateName is required",
                    ));
                }
            },
        };
        if resource.namespaced
            && !inner
                .objects
                .contains_key(&ObjectKey::new(namespaces_type(), "", namespace))
        {
            return Err(ApiError::not_found(namespaces_type(), namespace));
        }
        let key = ObjectKey::new(resource, namespace, &name);
        if inner.objects.contains_key(&key) {
            return Err(ApiError::already_exists(resource, &name));
        }
        let revision = inner.revision + 1;
        {
            let metadata = metadata_mut(&mut object);
            metadata.insert("name".to_owned(), json!(name));
            metadata.insert("uid".to_owned(), json!(uuid::Uuid::new_v4().to_string()));
            metadata.insert("resourceVersion".to_owned(), json!(revision.to_string()));
            metadata.insert("creationTimestamp".to_owned(), json!(now()));
            metadata.remove("deletionTimestamp");
            if resource.tracks_generation() {
                metadata.insert("generation".to_owned(), json!(1));
            } else {
                metadata.remove("generation");
            }
        }
        apply_defaults(resource, &mut object, &name);
        if let Some(manager) = manager {
            apply::record_update(resource, None, &mut object, manager, &now());
        }
        if !dry_run {
            inner.commit(EventKind::Added, key, object.clone());
        }
        Ok(object)
    }

    /// GET of one object.
    pub fn get(
        &self,
        resource: &ResourceType,
        namespace: &str,
        name: &str,
    ) -> Result<Value, ApiError> {
        self.lock()
            .objects
            .get(&ObjectKey::new(resource, namespace, name))
            .cloned()
            .ok_or_else(|| ApiError::not_found(resource, name))
    }

    /// GET of a collection: one namespace's objects, or all of them when
    /// `namespace` is `None`, as a `<Kind>List`.
    pub fn list(
        &self,
        resource: &ResourceType,
        namespace: Option<&str>,
        options: &ListOptions,
    ) -> Result<Value, ApiError> {
        let inner = self.lock();
        let start = match &options.continue_token {
            Some(token) => Some(decode_continue(token)?),
            None => None,
        };
        let matching: Vec<(&ObjectKey, &Value)> = inner
            .objects
            .iter()
            .filter(|(key, _)| key.group == resource.group && key.plural == resource.plural)
            .filter(|(key, _)| namespace.is_none_or(|ns| key.namespace == ns))
            .filter(|(key, _)| {
                start
                    .as_ref()
                    .is_none_or(|(ns, name)| (&key.namespace, &key.name) > (ns, name))
            })
            .filter(|(_, object)| selected(object, options))
            .collect();
        // `limit=0` means no limit, as in the API.
        let page_size = options.limit.filter(|l| *l > 0).unwrap_or(usize::MAX);
        let (page, rest) = matching.split_at(page_size.min(matching.len()));
        let mut metadata = json!({"resourceVersion": inner.revision.to_string()});
        if let (Some((last, _)), false) = (page.last(), rest.is_empty()) {
            metadata["continue"] = json!(encode_continue(&last.namespace, &last.name));
            metadata["remainingItemCount"] = json!(rest.len());
        }
        let items: Vec<Value> = page.iter().map(|(_, object)| list_item(object)).collect();
        Ok(json!({
            "kind": format!("{}List", resource.kind),
            "apiVersion": resource.api_version(),
            "metadata": metadata,
            "items": items,
        }))
    }

    /// PUT: replaces an object, refusing a stale `resourceVersion`. Where
    /// `status` is a subresource, the stored status is kept; `managedFields`
    /// are kept as given.
    pub fn update(
        &self,
        resource: &ResourceType,
        namespace: &str,
        name: &str,
        object: Value,
        dry_run: bool,
    ) -> Result<Value, ApiError> {
        self.update_by(resource, namespace, name, object, dry_run, None)
    }

    /// [`Store::update`] by field manager `manager`, recorded in
    /// `managedFields` (`None`: the object's `managedFields` are final).
    pub fn update_by(
        &self,
        resource: &ResourceType,
        namespace: &str,
        name: &str,
        object: Value,
        dry_run: bool,
        manager: Option<&str>,
    ) -> Result<Value, ApiError> {
        let part = if subresource::status_is_subresource(self, resource) {
            Part::Main
        } else {
            Part::Whole
        };
        self.replace(resource, namespace, name, object, dry_run, part, manager)
    }

    /// PUT of `…/status`: replaces the status only, keeping spec and
    /// metadata; `metadata.generation` does not move. Controllers write
    /// status through here too, so every status write is an ordinary
    /// write (new resourceVersion, same commit path).
    pub fn update_status(
        &self,
        resource: &ResourceType,
        namespace: &str,
        name: &str,
        object: Value,
        dry_run: bool,
    ) -> Result<Value, ApiError> {
        self.replace(
            resource,
            namespace,
            name,
            object,
            dry_run,
            Part::Status,
            None,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn replace(
        &self,
        resource: &ResourceType,
        namespace: &str,
        name: &str,
        object: Value,
        dry_run: bool,
        part: Part,
        manager: Option<&str>,
    ) -> Result<Value, ApiError> {
        let object = typed_object(resource, namespace, object)?;
        let body_name = str_at(&object, "/metadata/name").unwrap_or_default();
        if body_name != name {
            return Err(ApiError::bad_request(format!(
                "the name of the object ({body_name}) does not match the name on the URL ({name})"
            )));
        }
        let mut inner = self.lock();
        let key = ObjectKey::new(resource, namespace, name);
        let current = inner
            .objects
            .get(&key)
            .ok_or_else(|| ApiError::not_found(resource, name))?;
        let expected = str_at(&object, "/metadata/resourceVersion").unwrap_or_default();
        let stored = str_at(current, "/metadata/resourceVersion").unwrap_or_default();
        if !expected.is_empty() && expected != stored {
            return Err(ApiError::conflict(resource, name));
        }
        let mut updated = part.merge(current, object);
        {
            let kept = &current["metadata"];
            let metadata = metadata_mut(&mut updated);
            for field in ["uid", "creationTimestamp", "resourceVersion", "generation"] {
                match kept.get(field) {
                    Some(value) => metadata.insert(field.to_owned(), value.clone()),
                    None => metadata.remove(field),
                };
            }
            // Once set, a deletion mark stays (gc::delete sets it).
            if let Some(marked) = kept.get("deletionTimestamp") {
                metadata.insert("deletionTimestamp".to_owned(), marked.clone());
            }
        }
        apply_defaults(resource, &mut updated, name);
        if let Some(manager) = manager {
            apply::record_update(resource, Some(current), &mut updated, manager, &now());
        }
        if updated == *current {
            // A no-op update is not a write: kube-apiserver keeps the
            // resourceVersion, so watchers see nothing.
            return Ok(updated);
        }
        let revision = inner.revision + 1;
        let spec_changed = updated.get("spec") != current.get("spec");
        let metadata = metadata_mut(&mut updated);
        metadata.insert("resourceVersion".to_owned(), json!(revision.to_string()));
        if spec_changed && resource.tracks_generation() {
            let generation = metadata
                .get("generation")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            metadata.insert("generation".to_owned(), json!(generation + 1));
        }
        if !dry_run {
            inner.commit(EventKind::Modified, key, updated.clone());
        }
        Ok(updated)
    }

    /// PATCH: applies the patch to the stored object and updates it; a
    /// `resourceVersion` the patch sets is a precondition, as for PUT.
    pub fn patch(
        &self,
        resource: &ResourceType,
        namespace: &str,
        name: &str,
        kind: PatchKind,
        body: &[u8],
        dry_run: bool,
    ) -> Result<Value, ApiError> {
        self.patch_by(resource, namespace, name, kind, body, dry_run, None)
    }

    /// [`Store::patch`] by field manager `manager`, recorded in
    /// `managedFields`.
    #[allow(clippy::too_many_arguments)]
    pub fn patch_by(
        &self,
        resource: &ResourceType,
        namespace: &str,
        name: &str,
        kind: PatchKind,
        body: &[u8],
        dry_run: bool,
        manager: Option<&str>,
    ) -> Result<Value, ApiError> {
        let patched = self.patched(resource, namespace, name, kind, body)?;
        self.update_by(resource, namespace, name, patched, dry_run, manager)
    }

    /// PATCH of `…/status`: the patch applies to the whole object, but
    /// only the status it produces is kept, as for [`Store::update_status`].
    pub fn patch_status(
        &self,
        resource: &ResourceType,
        namespace: &str,
        name: &str,
        kind: PatchKind,
        body: &[u8],
        dry_run: bool,
    ) -> Result<Value, ApiError> {
        let patched = self.patched(resource, namespace, name, kind, body)?;
        self.update_status(resource, namespace, name, patched, dry_run)
    }

    /// The stored object with the patch applied, ready to be written.
    fn patched(
        &self,
        resource: &ResourceType,
        namespace: &str,
        name: &str,
        kind: PatchKind,
        body: &[u8],
    ) -> Result<Value, ApiError> {
        let current = self.get(resource, namespace, name)?;
        let current_version = current["metadata"]["resourceVersion"].clone();
        let mut patched = kind.apply(&current, body)?;
        if !patched.is_object() {
            return Err(ApiError::bad_request(
                "the patched object is not a JSON object",
            ));
        }
        if patched["metadata"]["resourceVersion"] == current_version {
            // Unchanged by the patch: no precondition. Clearing it makes the
            // update unconditional, so a write between our read and update
            // is not reported as the client's conflict.
            metadata_mut(&mut patched).remove("resourceVersion");
        }
        Ok(patched)
    }

    /// Server-side apply of `config` by `request.manager`: creates the
    /// object when it does not exist (then `true`), else merges into it
    /// ([`apply::server_side_apply`]). A write between reading the live
    /// object and storing the result makes it start over.
    pub fn apply(
        &self,
        resource: &ResourceType,
        namespace: &str,
        name: &str,
        config: Value,
        request: &apply::ApplyRequest<'_>,
    ) -> Result<(Value, bool), ApiError> {
        apply::validate_config(resource, &config)?;
        let mut config = typed_object(resource, namespace, config)?;
        match str_at(&config, "/metadata/name") {
            Some(given) if !given.is_empty() && given != name => {
                return Err(ApiError::bad_request(format!(
                    "the name of the object ({given}) does not match the name on the URL ({name})"
                )));
            }
            _ => {
                metadata_mut(&mut config).insert("name".to_owned(), json!(name));
            }
        }
        const ATTEMPTS: usize = 8;
        let mut last_error = None;
        for _ in 0..ATTEMPTS {
            let live = match self.get(resource, namespace, name) {
                Ok(live) => Some(live),
                Err(error) if error.code == 404 => None,
                Err(error) => return Err(error),
            };
            let object =
                apply::server_side_apply(resource, live.as_ref(), &config, request, &now())?;
            let written = match live {
                None => self
                    .create_by(resource, namespace, object, request.dry_run, None)
                    .map(|created| (created, true)),
                Some(_) => self
                    .update_by(resource, namespace, name, object, request.dry_run, None)
                    .map(|updated| (updated, false)),
            };
            match written {
                Err(error) if error.code == 409 => last_error = Some(error),
                other => return other,
            }
        }
        Err(last_error.unwrap_or_else(|| ApiError::conflict(resource, name)))
    }

    /// DELETE of one object; deleting a namespace deletes what is in it.
    pub fn delete(
        &self,
        resource: &ResourceType,
        namespace: &str,
        name: &str,
        dry_run: bool,
    ) -> Result<Value, ApiError> {
        let mut inner = self.lock();
        let key = ObjectKey::new(resource, namespace, name);
        let object = inner
            .objects
            .get(&key)
            .cloned()
            .ok_or_else(|| ApiError::not_found(resource, name))?;
        if dry_run {
            return Ok(object);
        }
        let mut doomed = vec![key];
        if *resource == *namespaces_type() {
            doomed.extend(
                inner
                    .objects
                    .keys()
                    .filter(|k| k.namespace == name)
                    .cloned(),
            );
        }
        if let Some((group, plural)) = custom::served_by(resource, &object) {
            // A CRD takes its custom resources with it.
            doomed.extend(
                inner
                    .objects
                    .keys()
                    .filter(|k| k.group == group && k.plural == plural)
                    .cloned(),
            );
        }
        let mut deleted = None;
        for key in &doomed {
            let removed = inner.remove(key);
            deleted = deleted.or(removed);
        }
        Ok(deleted.unwrap_or(object))
    }

    /// DELETE of a collection: every selected object, returned as a list.
    pub fn delete_collection(
        &self,
        resource: &ResourceType,
        namespace: Option<&str>,
        options: &ListOptions,
        dry_run: bool,
    ) -> Result<Value, ApiError> {
        let list = self.list(resource, namespace, options)?;
        if !dry_run {
            for item in list["items"].as_array().into_iter().flatten() {
                let ns = str_at(item, "/metadata/namespace").unwrap_or_default();
                let name = str_at(item, "/metadata/name").unwrap_or_default();
                // Deleted meanwhile by another request: nothing left to do.
                let _ = self.delete(resource, ns, name, false);
            }
        }
        Ok(list)
    }
}

impl Store {
    /// The resourceVersion of the last write.
    pub fn revision(&self) -> u64 {
        self.lock().revision
    }

    /// A receiver of every write committed from now on: the one
    /// notification point watches and controllers share.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.lock().events.subscribe()
    }

    /// The writes committed after `revision`, oldest first, or
    /// [`Expired`] when the history no longer reaches back that far.
    pub fn events_since(&self, revision: u64) -> Result<Vec<Arc<Event>>, Expired> {
        self.lock().events.since(revision)
    }
}

/// Which part of an object a replacing write may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// Everything: the type has no status subresource.
    Whole,
    /// All but `status`, which is a subresource.
    Main,
    /// Only `status`, written through the subresource.
    Status,
}

impl Part {
    /// The object to store: `new` with what this part may not change
    /// taken from `current`.
    fn merge(self, current: &Value, mut new: Value) -> Value {
        match self {
            Self::Whole => new,
            Self::Main => {
                match current.get("status") {
                    Some(status) => new["status"] = status.clone(),
                    None => {
                        if let Some(map) = new.as_object_mut() {
                            map.remove("status");
                        }
                    }
                }
                new
            }
            Self::Status => {
                let mut kept = current.clone();
                match new.as_object_mut().and_then(|map| map.remove("status")) {
                    Some(status) => kept["status"] = status,
                    None => {
                        if let Some(map) = kept.as_object_mut() {
                            map.remove("status");
                        }
                    }
                }
                // The caller's resourceVersion was checked before the merge.
                kept
            }
        }
    }
}

fn namespaces_type() -> &'static ResourceType {
    &resources::BUILT_IN[0]
}

fn str_at<'a>(object: &'a Value, pointer: &str) -> Option<&'a str> {
    object.pointer(pointer).and_then(Value::as_str)
}

/// The object's `metadata` map, created if it is missing or not a map.
/// `object` must be a JSON object: every caller has checked that first.
fn metadata_mut(object: &mut Value) -> &mut Map<String, Value> {
    if !object["metadata"].is_object() {
        object["metadata"] = json!({});
    }
    match object.get_mut("metadata") {
        Some(Value::Object(metadata)) => metadata,
        // Just made an object above.
        _ => unreachable!("metadata was set to an object"),
    }
}

/// Checks a request body is an object of the URL's type in the URL's
/// namespace, filling in `kind`, `apiVersion` and `metadata.namespace`.
fn typed_object(
    resource: &ResourceType,
    namespace: &str,
    mut object: Value,
) -> Result<Value, ApiError> {
    if !object.is_object() {
        return Err(ApiError::bad_request(
            "the body of the request is not a JSON object",
        ));
    }
    let api_version = resource.api_version();
    for (field, expected) in [("kind", resource.kind), ("apiVersion", &api_version)] {
        match object.get(field).and_then(Value::as_str) {
            Some(given) if !given.is_empty() && given != expected => {
                return Err(ApiError::bad_request(format!(
                    "the {field} in the data ({given}) does not match the expected {field} ({expected})"
                )));
            }
            _ => object[field] = json!(expected),
        }
    }
    let metadata = metadata_mut(&mut object);
    if resource.namespaced {
        match metadata.get("namespace").and_then(Value::as_str) {
            Some(given) if !given.is_empty() && given != namespace => {
                return Err(ApiError::bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request",
                ));
            }
            _ => {
                metadata.insert("namespace".to_owned(), json!(namespace));
            }
        }
    } else {
        metadata.remove("namespace");
    }
    crate::admission::config::default_and_validate(resource, &mut object)?;
    Ok(object)
}

/// What the API server's defaulting and type strategies add on every write.
fn apply_defaults(resource: &ResourceType, object: &mut Value, name: &str) {
    match (resource.group, resource.plural) {
        ("", "namespaces") => {
            let labels = metadata_mut(object)
                .entry("labels")
                .or_insert_with(|| json!({}));
            if labels.is_object() {
                labels["kubernetes.io/metadata.name"] = json!(name);
            }
            if !object["spec"]["finalizers"].is_array() {
                object["spec"] = json!({"finalizers": ["kubernetes"]});
            }
            object["status"] = json!({"phase": "Active"});
        }
        ("", "secrets") => {
            // `stringData` is write-only: merged into `data`, never stored.
            if let Some(Value::Object(string_data)) =
                object.as_object_mut().and_then(|o| o.remove("stringData"))
            {
                if !object["data"].is_object() {
                    object["data"] = json!({});
                }
                for (key, value) in string_data {
                    if let Some(text) = value.as_str() {
                        object["data"][key] = json!(STANDARD.encode(text));
                    }
                }
            }
            if object
                .get("type")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
            {
                object["type"] = json!("Opaque");
            }
        }
        _ => crate::defaults::apply(resource, object),
    }
}

/// Lists carry their items without `kind` and `apiVersion`, as typed lists
/// from kube-apiserver do.
fn list_item(object: &Value) -> Value {
    let mut item = object.clone();
    if let Some(map) = item.as_object_mut() {
        map.remove("kind");
        map.remove("apiVersion");
    }
    item
}

fn selected(object: &Value, options: &ListOptions) -> bool {
    let metadata = &object["metadata"];
    options.labels.matches(metadata.get("labels")) && options.fields.matches(metadata)
}

/// `generateName` plus five characters from the alphabet apimachinery
/// uses (no vowels, no look-alikes).
fn generated_name(prefix: &str) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let random = uuid::Uuid::new_v4();
    let suffix: String = random.as_bytes()[..5]
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect();
    format!("{prefix}{suffix}")
}

fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn encode_continue(namespace: &str, name: &str) -> String {
    STANDARD.encode(json!({"start": [namespace, name]}).to_string())
}

fn decode_continue(token: &str) -> Result<(String, String), ApiError> {
    let invalid = || ApiError::bad_request("continue key is not valid");
    let bytes = STANDARD.decode(token).map_err(|_| invalid())?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    match value["start"].as_array().map(Vec::as_slice) {
        Some([Value::String(ns), Value::String(name)]) => Ok((ns.clone(), name.clone())),
        _ => Err(invalid()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secrets() -> &'static ResourceType {
        resources::find("", "v1", "secrets").expect("secrets are served")
    }

    fn secret(name: &str, owner: &str) -> Value {
        json!({"metadata": {"name": name, "labels": {"owner": owner}}, "stringData": {"a": "b"}})
    }

    #[test]
    fn create_fills_server_metadata_and_refuses_duplicates() {
        let store = Store::new();
        let created = store
            .create(secrets(), "default", secret("x", "helm"), false)
            .expect("created");
        assert_eq!(created["kind"], "Secret");
        assert_eq!(created["type"], "Opaque");
        assert_eq!(created["data"]["a"], "Yg==");
        assert!(created.get("stringData").is_none());
        assert!(
            created["metadata"]["uid"]
                .as_str()
                .is_some_and(|u| u.len() == 36)
        );
        assert!(created["metadata"].get("generation").is_none());
        let err = store
            .create(secrets(), "default", secret("x", "helm"), false)
            .expect_err("duplicate");
        assert_eq!((err.code, err.reason), (409, "AlreadyExists"));
        assert_eq!(err.message, "secrets \"x\" already exists");
    }

    #[test]
    fn create_in_a_missing_namespace_is_not_found() {
        let err = Store::new()
            .create(secrets(), "nowhere", secret("x", "helm"), false)
            .expect_err("no namespace");
        assert_eq!(err.code, 404);
        assert_eq!(err.message, "namespaces \"nowhere\" not found");
    }

    #[test]
    fn stale_updates_conflict() {
        let store = Store::new();
        let created = store
            .create(secrets(), "default", secret("x", "helm"), false)
            .expect("created");
        let mut first = created.clone();
        first["data"]["a"] = json!("Yw==");
        let updated = store
            .update(secrets(), "default", "x", first, false)
            .expect("updated");
        assert_ne!(
            updated["metadata"]["resourceVersion"],
            created["metadata"]["resourceVersion"]
        );
        let mut stale = created;
        stale["data"]["a"] = json!("ZA==");
        let err = store
            .update(secrets(), "default", "x", stale, false)
            .expect_err("stale");
        assert_eq!(
            err.message,
            "Operation cannot be fulfilled on secrets \"x\": the object has been modified; \
             please apply your changes to the latest version and try again"
        );
    }

    #[test]
    fn deployments_count_generations() {
        let deployments = resources::find("apps", "v1", "deployments").expect("served");
        let store = Store::new();
        let created = store
            .create(
                deployments,
                "default",
                json!({"metadata": {"name": "d"}, "spec": {"replicas": 1}}),
                false,
            )
            .expect("created");
        assert_eq!(created["metadata"]["generation"], 1);
        let patched = store
            .patch(
                deployments,
                "default",
                "d",
                PatchKind::Merge,
                br#"{"spec":{"replicas":2}}"#,
                false,
            )
            .expect("patched");
        assert_eq!(patched["metadata"]["generation"], 2);
        let relabelled = store
            .patch(
                deployments,
                "default",
                "d",
                PatchKind::Json,
                br#"[{"op":"add","path":"/metadata/labels","value":{"a":"b"}}]"#,
                false,
            )
            .expect("patched");
        assert_eq!(relabelled["metadata"]["generation"], 2);
        assert_eq!(relabelled["metadata"]["uid"], created["metadata"]["uid"]);
    }

    #[test]
    fn lists_select_and_page() {
        let store = Store::new();
        for (name, owner) in [("a", "helm"), ("b", "other"), ("c", "helm"), ("d", "helm")] {
            store
                .create(secrets(), "default", secret(name, owner), false)
                .expect("created");
        }
        let names = |list: &Value| -> Vec<String> {
            list["items"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|i| i["metadata"]["name"].as_str().map(str::to_owned))
                .collect()
        };
        let mut options = ListOptions {
            labels: LabelSelector::parse("owner=helm").expect("parses"),
            limit: Some(2),
            ..ListOptions::default()
        };
        let page = store
            .list(secrets(), Some("default"), &options)
            .expect("listed");
        assert_eq!(names(&page), ["a", "c"]);
        assert!(page["items"][0].get("kind").is_none());
        options.continue_token = page["metadata"]["continue"].as_str().map(str::to_owned);
        let rest = store
            .list(secrets(), Some("default"), &options)
            .expect("listed");
        assert_eq!(names(&rest), ["d"]);
        assert!(rest["metadata"].get("continue").is_none());
        let deleted = store
            .delete_collection(
                secrets(),
                Some("default"),
                &ListOptions {
                    labels: LabelSelector::parse("owner!=helm").expect("parses"),
                    ..ListOptions::default()
                },
                false,
            )
            .expect("deleted");
        assert_eq!(names(&deleted), ["b"]);
        assert_eq!(
            store.get(secrets(), "default", "b").map_err(|e| e.code),
            Err(404)
        );
    }

    #[test]
    fn deleting_a_namespace_deletes_its_objects() {
        let store = Store::new();
        let namespaces = namespaces_type();
        store
            .create(namespaces, "", json!({"metadata": {"name": "ns"}}), false)
            .expect("created");
        store
            .create(secrets(), "ns", secret("x", "helm"), false)
            .expect("created");
        store.delete(namespaces, "", "ns", false).expect("deleted");
        let err = store.get(secrets(), "ns", "x").expect_err("gone");
        assert_eq!(err.message, "secrets \"x\" not found");
    }

    #[test]
    fn bodies_that_are_not_objects_are_bad_requests() {
        let store = Store::new();
        for body in [json!([1]), json!("x"), json!(null)] {
            let err = store
                .create(secrets(), "default", body, false)
                .expect_err("refused");
            assert_eq!(err.code, 400);
        }
        store
            .create(secrets(), "default", secret("x", "helm"), false)
            .expect("created");
        let err = store
            .patch(
                secrets(),
                "default",
                "x",
                PatchKind::Json,
                br#"[{"op":"replace","path":"","value":[1]}]"#,
                false,
            )
            .expect_err("refused");
        assert_eq!(err.code, 400);
        let err = store
            .patch(secrets(), "default", "x", PatchKind::Merge, b"[1]", false)
            .expect_err("refused");
        assert_eq!(err.code, 400);
        let err = store
            .update(secrets(), "default", "x", secret("y", "helm"), false)
            .expect_err("refused");
        assert_eq!(
            err.message,
            "the name of the object (y) does not match the name on the URL (x)"
        );
    }

    #[test]
    fn dry_runs_change_nothing() {
        let store = Store::new();
        let created = store
            .create(secrets(), "default", secret("x", "helm"), true)
            .expect("dry run");
        assert_eq!(created["metadata"]["name"], "x");
        assert_eq!(
            store.get(secrets(), "default", "x").map_err(|e| e.code),
            Err(404)
        );
        store
            .create(secrets(), "default", secret("x", "helm"), false)
            .expect("created");
        store
            .delete(secrets(), "default", "x", true)
            .expect("dry run");
        let kept = store.get(secrets(), "default", "x").expect("still there");
        let mut changed = kept.clone();
        changed["data"]["a"] = json!("eg==");
        store
            .update(secrets(), "default", "x", changed, true)
            .expect("dry run");
        assert_eq!(store.get(secrets(), "default", "x").expect("there"), kept);
    }

    #[test]
    fn generate_name_makes_a_unique_name() {
        let store = Store::new();
        let body = json!({"metadata": {"generateName": "web-"}});
        let first = store
            .create(secrets(), "default", body.clone(), false)
            .expect("created");
        let second = store
            .create(secrets(), "default", body, false)
            .expect("created");
        let name = first["metadata"]["name"].as_str().expect("a name");
        assert!(name.starts_with("web-") && name.len() == 9, "{name}");
        assert_ne!(first["metadata"]["name"], second["metadata"]["name"]);
        let err = store
            .create(secrets(), "default", json!({"metadata": {}}), false)
            .expect_err("no name");
        assert_eq!(err.code, 422);
        assert_eq!(
            err.message,
            "Secret \"\" is invalid: metadata.name: Required value: name or generateName is required"
        );
    }
}
