//! Discovery documents: `/version`, `/api`, `/apis` and the resource list
//! of each group version, all read from [`crate::resources`].
//!
//! Only the unaggregated form is served. client-go and kubectl ask for the
//! aggregated `apidiscovery.k8s.io/v2` form first but also accept plain
//! `application/json`, and read the response's `Content-Type` to tell which
//! they got, so answering with the legacy documents makes them fall back.

use serde_json::{Value, json};

use crate::resources::{self, BUILT_IN, ResourceType, VERBS};

/// The Kubernetes version the cluster reports.
pub const KUBERNETES_VERSION: (&str, &str) = ("1", "37");

/// `v1.37.0`: the version as `gitVersion` has it.
pub fn git_version() -> String {
    let (major, minor) = KUBERNETES_VERSION;
    format!("v{major}.{minor}.0")
}

/// `/version`.
pub fn version() -> Value {
    let (major, minor) = KUBERNETES_VERSION;
    json!({
        "major": major,
        "minor": minor,
        "emulationMajor": major,
        "emulationMinor": minor,
        "minCompatibilityMajor": major,
        "minCompatibilityMinor": minor,
        "gitVersion": git_version(),
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2026-08-01T00:00:00Z",
        "goVersion": "go1.25.0",
        "compiler": "gc",
        "platform": "linux/amd64",
    })
}

/// `/api`: the core group's versions.
pub fn core_versions(server_address: &str) -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [
            {"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}
        ],
    })
}

fn group_document(group: &str, version: &str) -> Value {
    let group_version = json!({"groupVersion": format!("{group}/{version}"), "version": version});
    json!({
        "name": group,
        "versions": [group_version],
        "preferredVersion": group_version,
    })
}

/// `/apis`: every named group.
pub fn group_list() -> Value {
    let groups: Vec<Value> = resources::groups()
        .into_iter()
        .map(|(group, version)| group_document(group, version))
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

/// `/apis/{group}`, if the group is served.
pub fn group(name: &str) -> Option<Value> {
    let (group, version) = resources::groups().into_iter().find(|(g, _)| *g == name)?;
    let mut document = group_document(group, version);
    document["kind"] = json!("APIGroup");
    document["apiVersion"] = json!("v1");
    Some(document)
}

/// The `APIResource` entry of one type.
pub(crate) fn resource_document(resource: &ResourceType) -> Value {
    let mut document = json!({
        "name": resource.plural,
        "singularName": resource.singular,
        "namespaced": resource.namespaced,
        "kind": resource.kind,
        "verbs": VERBS,
    });
    if !resource.short_names.is_empty() {
        document["shortNames"] = json!(resource.short_names);
    }
    document
}

/// The subresources of a type, as entries of its resource list.
fn subresource_documents(resource: &ResourceType) -> Vec<Value> {
    let entry = |name: &str, kind: &str, verbs: &[&str]| {
        json!({
            "name": format!("{}/{name}", resource.plural),
            "singularName": "",
            "namespaced": resource.namespaced,
            "kind": kind,
            "verbs": verbs,
        })
    };
    let mut entries = Vec::new();
    if crate::subresource::built_in_has_status(resource) {
        entries.push(entry("status", resource.kind, &["get", "patch", "update"]));
    }
    if resource.group.is_empty() && resource.plural == "pods" {
        entries.push(entry("log", "Pod", &["get"]));
    }
    entries
}

/// `/api/v1` or `/apis/{group}/{version}`, if that group version is served.
pub fn resource_list(group: &str, version: &str) -> Option<Value> {
    let resources: Vec<Value> = BUILT_IN
        .iter()
        .filter(|r| r.group == group && r.version == version)
        .flat_map(|r| std::iter::once(resource_document(r)).chain(subresource_documents(r)))
        .collect();
    if resources.is_empty() {
        return None;
    }
    let group_version = if group.is_empty() {
        version.to_owned()
    } else {
        format!("{group}/{version}")
    };
    Some(json!({
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": group_version,
        "resources": resources,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_group_version_in_the_table_is_discoverable() {
        for resource in BUILT_IN {
            let list = resource_list(resource.group, resource.version)
                .expect("the group version is served");
            let names: Vec<&str> = list["resources"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| r["name"].as_str())
                .collect();
            assert!(names.contains(&resource.plural), "{}", resource.plural);
            if !resource.group.is_empty() {
                assert!(group(resource.group).is_some(), "{}", resource.group);
            }
        }
        assert_eq!(resource_list("apps", "v1beta1"), None);
        assert_eq!(group("example.com"), None);
    }
}
