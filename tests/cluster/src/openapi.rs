//! The OpenAPI v3 documents clients read before writing.
//!
//! kubectl and Helm validate objects before sending them: they look in
//! `/openapi/v3` for the group version's document and, if the PATCH
//! operation of the object's kind takes a `fieldValidation` parameter,
//! leave validation to the server (`fieldValidation=Strict`) instead of
//! validating against the schemas themselves. These documents hold just
//! that: one PATCH operation per type, tagged with its group, version and
//! kind, and no schemas. The server does not validate fields yet.

use serde_json::{Map, Value, json};

use crate::resources::{self, BUILT_IN};

/// The document path of a group version, as the root lists it
/// (`api/v1`, `apis/apps/v1`).
fn document_path(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    }
}

/// `/openapi/v3`: where each group version's document is.
pub fn root() -> Value {
    let core = BUILT_IN
        .iter()
        .filter(|r| r.group.is_empty())
        .map(|r| ("", r.version))
        .take(1);
    let paths: Map<String, Value> = core
        .chain(resources::groups())
        .map(|(group, version)| {
            let path = document_path(group, version);
            // The hash only lets clients cache; the documents never change
            // while a cluster runs, so any constant will do.
            let url = json!({"serverRelativeURL": format!("/openapi/v3/{path}?hash=0")});
            (path, url)
        })
        .collect();
    json!({ "paths": paths })
}

/// `/openapi/v3/api/v1` or `/openapi/v3/apis/{group}/{version}`, if served.
pub fn group_version(group: &str, version: &str) -> Option<Value> {
    let mut paths = Map::new();
    for resource in BUILT_IN
        .iter()
        .filter(|r| r.group == group && r.version == version)
    {
        let prefix = format!("/{}", document_path(group, version));
        let path = if resource.namespaced {
            format!(
                "{prefix}/namespaces/{{namespace}}/{}/{{name}}",
                resource.plural
            )
        } else {
            format!("{prefix}/{}/{{name}}", resource.plural)
        };
        let patch = json!({
            "operationId": format!("patch{}", resource.kind),
            "parameters": [
                {"name": "dryRun", "in": "query", "schema": {"type": "string"}},
                {"name": "fieldManager", "in": "query", "schema": {"type": "string"}},
                {"name": "fieldValidation", "in": "query", "schema": {"type": "string"}},
            ],
            "responses": {"200": {"description": "OK"}},
            "x-kubernetes-action": "patch",
            "x-kubernetes-group-version-kind": {
                "group": resource.group,
                "version": resource.version,
                "kind": resource.kind,
            },
        });
        paths.insert(path, json!({ "patch": patch }));
    }
    if paths.is_empty() {
        return None;
    }
    Some(json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": crate::discovery::git_version()},
        "paths": paths,
        "components": {"schemas": {}},
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_document_is_served_and_names_its_kinds() {
        let root = root();
        let paths = root["paths"].as_object().expect("paths");
        assert!(paths.contains_key("api/v1") && paths.contains_key("apis/apps/v1"));
        for resource in BUILT_IN {
            let document = group_version(resource.group, resource.version).expect("served");
            let found = document["paths"]
                .as_object()
                .into_iter()
                .flatten()
                .any(|(_, p)| {
                    p["patch"]["x-kubernetes-group-version-kind"]["kind"] == resource.kind
                });
            assert!(found, "{}", resource.kind);
        }
        assert_eq!(group_version("apps", "v9"), None);
    }
}
