//! Custom resources: a stored CustomResourceDefinition makes its group,
//! versions and kind served (routing, discovery, the store), and deleting
//! it stops serving them and removes its objects.
//!
//! The rest of the cluster works with `&'static ResourceType`s, the shape
//! of the built-in table. A CRD's type is made once per distinct
//! definition and kept for the life of the process ([`intern`]), so a
//! test that creates, deletes and recreates a CRD reuses one entry; the
//! number of distinct definitions is capped.

use std::sync::{Mutex, OnceLock, PoisonError};

use serde_json::{Value, json};

use crate::discovery;
use crate::resources::{self, ResourceType};
use crate::store::{ListOptions, Store};

/// At most this many distinct custom types per process (each holds a few
/// short strings for the life of the process).
const MAX_TYPES: usize = 4096;

/// The CustomResourceDefinition type itself.
pub fn definitions() -> Option<&'static ResourceType> {
    resources::find("apiextensions.k8s.io", "v1", "customresourcedefinitions")
}

/// If `object` is a CRD (of type `resource`), the (group, plural) of the
/// custom resources it serves.
pub fn served_by(resource: &ResourceType, object: &Value) -> Option<(String, String)> {
    if Some(resource) != definitions() {
        return None;
    }
    let group = object["spec"]["group"].as_str()?;
    let plural = object["spec"]["names"]["plural"].as_str()?;
    Some((group.to_owned(), plural.to_owned()))
}

/// One served version of a stored CRD.
#[derive(Debug, Clone)]
pub struct Served {
    /// The type, as routing and the store use it.
    pub resource: &'static ResourceType,
    /// Whether the version declares `subresources.status`.
    pub status: bool,
}

/// Every version the stored CRDs serve, in the store's order.
pub fn served(store: &Store) -> Vec<Served> {
    let Some(Ok(list)) = definitions().map(|crds| store.list(crds, None, &ListOptions::default()))
    else {
        return Vec::new();
    };
    list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(served_versions)
        .collect()
}

/// A custom type by its URL coordinates, if a stored CRD serves it.
pub fn find(
    store: &Store,
    group: &str,
    version: &str,
    plural: &str,
) -> Option<&'static ResourceType> {
    if !is_custom_group(group) {
        return None;
    }
    served(store)
        .into_iter()
        .map(|s| s.resource)
        .find(|r| r.group == group && r.version == version && r.plural == plural)
}

/// Whether `resource` is a custom type whose CRD declares a status
/// subresource for its version.
pub fn declares_status(store: &Store, resource: &ResourceType) -> bool {
    is_custom_group(resource.group)
        && served(store)
            .into_iter()
            .any(|s| s.status && s.resource == resource)
}

/// `/apis`: the built-in groups, then each group the CRDs serve.
pub fn group_list(store: &Store) -> Value {
    let mut list = discovery::group_list();
    if let Some(groups) = list["groups"].as_array_mut() {
        for (group, versions) in custom_groups(store) {
            groups.push(custom_group_document(&group, &versions));
        }
    }
    list
}

/// `/apis/{group}`, built in or served by a CRD.
pub fn group(store: &Store, name: &str) -> Option<Value> {
    if let Some(document) = discovery::group(name) {
        return Some(document);
    }
    let (group, versions) = custom_groups(store).into_iter().find(|(g, _)| g == name)?;
    let mut document = custom_group_document(&group, &versions);
    document["kind"] = json!("APIGroup");
    document["apiVersion"] = json!("v1");
    Some(document)
}

/// `/apis/{group}/{version}`, built in or served by CRDs.
pub fn resource_list(store: &Store, group: &str, version: &str) -> Option<Value> {
    if let Some(document) = discovery::resource_list(group, version) {
        return Some(document);
    }
    let resources: Vec<Value> = served(store)
        .iter()
        .filter(|s| s.resource.group == group && s.resource.version == version)
        .flat_map(|s| {
            let mut entries = vec![discovery::resource_document(s.resource)];
            if s.status {
                entries.push(json!({
                    "name": format!("{}/status", s.resource.plural),
                    "singularName": "",
                    "namespaced": s.resource.namespaced,
                    "kind": s.resource.kind,
                    "verbs": ["get", "patch", "update"],
                }));
            }
            entries
        })
        .collect();
    if resources.is_empty() {
        return None;
    }
    Some(json!({
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": format!("{group}/{version}"),
        "resources": resources,
    }))
}

/// Each group the CRDs serve with its versions, in first-seen order.
fn custom_groups(store: &Store) -> Vec<(String, Vec<String>)> {
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for served in served(store) {
        let (group, version) = (served.resource.group, served.resource.version);
        match groups.iter_mut().find(|(g, _)| g == group) {
            Some((_, versions)) if !versions.iter().any(|v| v == version) => {
                versions.push(version.to_owned());
            }
            Some(_) => {}
            None => groups.push((group.to_owned(), vec![version.to_owned()])),
        }
    }
    groups
}

fn custom_group_document(group: &str, versions: &[String]) -> Value {
    let entries: Vec<Value> = versions
        .iter()
        .map(|v| json!({"groupVersion": format!("{group}/{v}"), "version": v}))
        .collect();
    json!({
        "name": group,
        "versions": entries,
        "preferredVersion": entries.first().cloned().unwrap_or(Value::Null),
    })
}

/// Built-in groups are never served by CRDs (kube-apiserver refuses
/// such CRDs); checking first spares the store a lookup per request.
fn is_custom_group(group: &str) -> bool {
    !resources::BUILT_IN.iter().any(|r| r.group == group)
}

fn served_versions(crd: &Value) -> Vec<Served> {
    let spec = &crd["spec"];
    let names = &spec["names"];
    let (Some(group), Some(plural), Some(kind)) = (
        spec["group"].as_str(),
        names["plural"].as_str(),
        names["kind"].as_str(),
    ) else {
        return Vec::new();
    };
    if !is_custom_group(group) {
        return Vec::new();
    }
    let singular = names["singular"]
        .as_str()
        .map_or_else(|| kind.to_lowercase(), str::to_owned);
    let short_names: Vec<String> = names["shortNames"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| n.as_str().map(str::to_owned))
        .collect();
    let namespaced = spec["scope"].as_str() != Some("Cluster");
    spec["versions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|v| v["served"].as_bool().unwrap_or(true))
        .filter_map(|v| {
            let definition = Definition {
                group: group.to_owned(),
                version: v["name"].as_str()?.to_owned(),
                plural: plural.to_owned(),
                singular: singular.clone(),
                kind: kind.to_owned(),
                namespaced,
                short_names: short_names.clone(),
            };
            Some(Served {
                resource: intern(definition)?,
                status: v["subresources"]["status"].is_object(),
            })
        })
        .collect()
}

/// A custom type as a CRD describes it, before interning.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Definition {
    group: String,
    version: String,
    plural: String,
    singular: String,
    kind: String,
    namespaced: bool,
    short_names: Vec<String>,
}

impl Definition {
    fn describes(&self, resource: &ResourceType) -> bool {
        resource.group == self.group
            && resource.version == self.version
            && resource.plural == self.plural
            && resource.singular == self.singular
            && resource.kind == self.kind
            && resource.namespaced == self.namespaced
            && resource.short_names.iter().eq(self.short_names.iter())
    }
}

/// The one `&'static ResourceType` for `definition`, made on first use;
/// `None` once [`MAX_TYPES`] distinct types exist.
fn intern(definition: Definition) -> Option<&'static ResourceType> {
    static TYPES: OnceLock<Mutex<Vec<&'static ResourceType>>> = OnceLock::new();
    let mut types = TYPES
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(found) = types.iter().find(|t| definition.describes(t)) {
        return Some(found);
    }
    if types.len() >= MAX_TYPES {
        return None;
    }
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    let short_names: Vec<&'static str> = definition.short_names.into_iter().map(leak).collect();
    let resource: &'static ResourceType = Box::leak(Box::new(ResourceType {
        group: leak(definition.group),
        version: leak(definition.version),
        plural: leak(definition.plural),
        singular: leak(definition.singular),
        kind: leak(definition.kind),
        namespaced: definition.namespaced,
        short_names: Box::leak(short_names.into_boxed_slice()),
    }));
    types.push(resource);
    Some(resource)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crds() -> &'static ResourceType {
        definitions().expect("CRDs are served")
    }

    fn crd(version: &str) -> Value {
        json!({
            "metadata": {"name": "widgets.example.com"},
            "spec": {
                "group": "example.com",
                "scope": "Namespaced",
                "names": {"plural": "widgets", "kind": "Widget", "shortNames": ["wg"]},
                "versions": [
                    {"name": version, "served": true, "storage": true, "subresources": {"status": {}}},
                    {"name": "v0", "served": false, "storage": false},
                ],
            },
        })
    }

    #[test]
    fn stored_crds_are_served_until_deleted() {
        let store = Store::new();
        assert!(find(&store, "example.com", "v1", "widgets").is_none());
        store.create(crds(), "", crd("v1"), false).expect("created");
        let widgets = find(&store, "example.com", "v1", "widgets").expect("served");
        assert_eq!((widgets.kind, widgets.singular), ("Widget", "widget"));
        assert_eq!(widgets.short_names, ["wg"]);
        assert!(find(&store, "example.com", "v0", "widgets").is_none());
        assert!(declares_status(&store, widgets));
        store
            .create(
                widgets,
                "default",
                json!({"metadata": {"name": "w"}}),
                false,
            )
            .expect("created");
        store
            .delete(crds(), "", "widgets.example.com", false)
            .expect("deleted");
        assert!(find(&store, "example.com", "v1", "widgets").is_none());
        assert_eq!(
            store.get(widgets, "default", "w").map_err(|e| e.code),
            Err(404)
        );
    }

    #[test]
    fn the_same_definition_is_interned_once() {
        let store = Store::new();
        store.create(crds(), "", crd("v7"), false).expect("created");
        let first = find(&store, "example.com", "v7", "widgets").expect("served");
        let again = find(&store, "example.com", "v7", "widgets").expect("served");
        assert!(std::ptr::eq(first, again));
    }

    #[test]
    fn built_in_groups_are_not_taken_over() {
        let store = Store::new();
        let mut hostile = crd("v1");
        hostile["spec"]["group"] = json!("apps");
        hostile["metadata"]["name"] = json!("widgets.apps");
        store.create(crds(), "", hostile, false).expect("stored");
        assert!(find(&store, "apps", "v1", "widgets").is_none());
    }
}
