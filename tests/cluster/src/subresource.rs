//! The `status` subresource: which types have one, and what a create
//! does to the status it is given (the controllers write status, clients
//! write the rest).

use serde_json::{Value, json};

use crate::custom;
use crate::resources::ResourceType;
use crate::store::Store;

/// Built-in types whose status is a subresource, by (group, plural); an
/// empty plural stands for every type of the group.
const BUILT_IN_WITH_STATUS: &[(&str, &str)] = &[
    ("", "pods"),
    ("", "services"),
    ("", "persistentvolumeclaims"),
    ("", "namespaces"),
    ("apps", ""),
    ("batch", ""),
    ("networking.k8s.io", "ingresses"),
    ("policy", "poddisruptionbudgets"),
    ("autoscaling", "horizontalpodautoscalers"),
    ("apiextensions.k8s.io", "customresourcedefinitions"),
];

/// Whether `resource` has a built-in `status` subresource.
pub fn built_in_has_status(resource: &ResourceType) -> bool {
    BUILT_IN_WITH_STATUS.iter().any(|(group, plural)| {
        resource.group == *group && (plural.is_empty() || resource.plural == *plural)
    })
}

/// Whether writes to `resource` treat `status` as a subresource: built-in
/// types that have one, and custom resources whose CRD declares
/// `subresources.status` for the version.
pub fn status_is_subresource(store: &Store, resource: &ResourceType) -> bool {
    built_in_has_status(resource) || custom::declares_status(store, resource)
}

/// What kube-apiserver's create strategies do to the status a client
/// sends: drop it, leaving what a fresh object reports.
pub fn reset_status_on_create(resource: &ResourceType, object: &mut Value) {
    let fresh = match (resource.group, resource.plural) {
        // Namespaces get their phase from the store's defaulting.
        ("", "namespaces") => return,
        ("", "pods") => json!({"phase": "Pending", "qosClass": "BestEffort"}),
        ("", "services") => json!({"loadBalancer": {}}),
        ("", "persistentvolumeclaims") => json!({"phase": "Pending"}),
        _ if built_in_has_status(resource) => json!({}),
        _ => {
            if let Some(map) = object.as_object_mut() {
                map.remove("status");
            }
            return;
        }
    };
    object["status"] = fresh;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::patch::PatchKind;
    use crate::resources;

    fn deployments() -> &'static ResourceType {
        resources::find("apps", "v1", "deployments").expect("served")
    }

    #[test]
    fn status_and_main_resource_writes_keep_each_other() {
        let store = Store::new();
        let created = store
            .create(
                deployments(),
                "default",
                json!({"metadata": {"name": "d"}, "spec": {"replicas": 1}, "status": {"replicas": 9}}),
                false,
            )
            .expect("created");
        assert_eq!(created["status"], json!({}));
        let mut status = created.clone();
        status["status"] = json!({"replicas": 1});
        status["spec"]["replicas"] = json!(5);
        let written = store
            .update_status(deployments(), "default", "d", status, false)
            .expect("status written");
        assert_eq!(written["spec"]["replicas"], 1);
        assert_eq!(written["status"]["replicas"], 1);
        assert_eq!(written["metadata"]["generation"], 1);
        assert_ne!(
            written["metadata"]["resourceVersion"],
            created["metadata"]["resourceVersion"]
        );
        // The stale resourceVersion is still a precondition.
        let err = store
            .update_status(deployments(), "default", "d", created, false)
            .expect_err("stale");
        assert_eq!(err.code, 409);
        let patched = store
            .patch(
                deployments(),
                "default",
                "d",
                PatchKind::Merge,
                br#"{"spec":{"replicas":3},"status":{"replicas":7}}"#,
                false,
            )
            .expect("patched");
        assert_eq!(patched["spec"]["replicas"], 3);
        assert_eq!(patched["status"]["replicas"], 1);
        assert_eq!(patched["metadata"]["generation"], 2);
        let patched = store
            .patch_status(
                deployments(),
                "default",
                "d",
                PatchKind::Merge,
                br#"{"spec":{"replicas":4},"status":{"readyReplicas":1}}"#,
                false,
            )
            .expect("patched");
        assert_eq!(patched["spec"]["replicas"], 3);
        assert_eq!(
            patched["status"],
            json!({"replicas": 1, "readyReplicas": 1})
        );
        assert_eq!(patched["metadata"]["generation"], 2);
    }

    #[test]
    fn types_without_the_subresource_write_status_directly() {
        let configmaps = resources::find("", "v1", "configmaps").expect("served");
        assert!(!built_in_has_status(configmaps));
        assert!(built_in_has_status(
            resources::find("batch", "v1", "jobs").expect("served")
        ));
        let store = Store::new();
        let created = store
            .create(
                configmaps,
                "default",
                json!({"metadata": {"name": "c"}, "status": {"x": 1}}),
                false,
            )
            .expect("created");
        assert_eq!(created["status"]["x"], 1);
    }
}
