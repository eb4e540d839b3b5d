//! The objects of a release in the cluster, as Helm's kube client handles
//! them: a manifest read into objects, each with the resource that serves
//! it and its namespace; created in manifest order (server-side apply or a
//! plain create), checked for an earlier owner before an install, and
//! deleted in Helm's uninstall order unless annotated to be kept.

use std::cmp::Ordering;

use serde_json::Value;

use super::client::{Kube, KubeError};
use super::discovery::Resource;
use super::ownership::{OwnershipError, check_ownership, describe};
use super::{DeleteParams, Patch, PatchParams, PostParams};
use crate::codec::{json, yaml};
use crate::manifest::split;

/// The field manager Helm 4 writes under.
pub const FIELD_MANAGER: &str = "helm";
/// The annotation that tells Helm what to do with an object on delete.
pub const RESOURCE_POLICY_ANNOTATION: &str = "helm.sh/resource-policy";
/// Its value for objects Helm must leave in place.
pub const KEEP_POLICY: &str = "keep";
/// The most documents one manifest may hold; bounds what a corrupt record
/// can make us build.
const MAX_OBJECTS: usize = 10_000;

/// The order in which Helm deletes kinds on uninstall (its
/// `UninstallOrder`); kinds not listed go last, alphabetically.
pub const UNINSTALL_ORDER: &[&str] = &[
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "APIService",
    "Ingress",
    "IngressClass",
    "Service",
    "CronJob",
    "Job",
    "StatefulSet",
    "HorizontalPodAutoscaler",
    "Deployment",
    "ReplicaSet",
    "ReplicationController",
    "Pod",
    "DaemonSet",
    "RoleBindingList",
    "RoleBinding",
    "RoleList",
    "Role",
    "ClusterRoleBindingList",
    "ClusterRoleBinding",
    "ClusterRoleList",
    "ClusterRole",
    "CustomResourceDefinition",
    "PersistentVolumeClaim",
    "PersistentVolume",
    "StorageClass",
    "ConfigMap",
    "SecretList",
    "Secret",
    "ServiceAccount",
    "PodDisruptionBudget",
    "PodSecurityPolicy",
    "LimitRange",
    "ResourceQuota",
    "NetworkPolicy",
    "Namespace",
    "PriorityClass",
];

/// One object of a manifest, resolved against the cluster.
#[derive(Clone, Debug, PartialEq)]
pub struct Object {
    /// The resource that serves its kind.
    pub resource: Resource,
    /// Its namespace; empty for cluster-scoped kinds.
    pub namespace: String,
    pub name: String,
    /// The object as it is sent, namespace defaulted.
    pub body: Value,
}

impl Object {
    /// How Helm names the object in errors:
    /// `Kind "name" in namespace "ns"`.
    pub fn describe(&self) -> String {
        describe(&self.resource.kind, &self.name, &self.namespace)
    }

    /// Whether `helm.sh/resource-policy: keep` asks Helm to leave the
    /// object when the release goes.
    pub fn is_kept(&self) -> bool {
        is_kept(&self.body)
    }
}

/// Whether an object's annotations ask Helm to keep it on delete.
pub fn is_kept(object: &Value) -> bool {
    object["metadata"]["annotations"][RESOURCE_POLICY_ANNOTATION].as_str() == Some(KEEP_POLICY)
}

/// Why a manifest could not be turned into objects, or the objects not
/// written.
#[derive(Debug, thiserror::Error)]
pub enum ResourceError {
    /// A document is not YAML, or not an object with a kind and a name.
    #[error("error parsing manifest: {0}")]
    Parse(String),
    /// The manifest holds more than [`MAX_OBJECTS`] documents.
    #[error("the manifest holds more than {MAX_OBJECTS} objects")]
    TooManyObjects,
    /// Discovery or a request failed.
    #[error(transparent)]
    Kube(#[from] KubeError),
    /// Looking an object up before the install failed.
    #[error("could not get information about the resource {what}: {source}")]
    Lookup { what: String, source: KubeError },
    /// An object exists and another owner (or none) holds it.
    #[error("{what} exists and cannot be imported into the current release: {source}")]
    Owned {
        what: String,
        source: OwnershipError,
    },
}

/// How objects are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteMethod {
    /// Server-side apply as field manager `helm`; `force` takes fields
    /// other managers own (`--force-conflicts`).
    ServerSide { force: bool },
    /// A plain create (`--server-side=false`).
    ClientSide,
}

/// What `--cascade` asks of a delete.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Cascade {
    /// Dependents are deleted by the garbage collector afterwards.
    #[default]
    Background,
    /// Dependents are deleted before the object goes.
    Foreground,
    /// Dependents are left.
    Orphan,
}

impl Cascade {
    /// `--cascade`'s value; Helm reads anything else as `background`.
    pub fn parse(value: &str) -> Cascade {
        match value {
            "foreground" => Cascade::Foreground,
            "orphan" => Cascade::Orphan,
            _ => Cascade::Background,
        }
    }

    fn params(self) -> DeleteParams {
        match self {
            Cascade::Background => DeleteParams::background(),
            Cascade::Foreground => DeleteParams::foreground(),
            Cascade::Orphan => DeleteParams::orphan(),
        }
    }
}

/// The documents of `manifest` as JSON objects, empty documents skipped.
pub fn parse_manifest(manifest: &str) -> Result<Vec<Value>, ResourceError> {
    let mut objects = Vec::new();
    for doc in split(manifest) {
        let value = yaml::from_str(doc).map_err(|e| ResourceError::Parse(e.to_string()))?;
        let text = json::to_string(&value).map_err(|e| ResourceError::Parse(e.to_string()))?;
        let object: Value =
            serde_json::from_str(&text).map_err(|e| ResourceError::Parse(e.to_string()))?;
        if object.is_null() {
            continue;
        }
        if objects.len() == MAX_OBJECTS {
            return Err(ResourceError::TooManyObjects);
        }
        objects.push(object);
    }
    Ok(objects)
}

/// Sorts objects in Helm's uninstall order, keeping manifest order within
/// a kind.
pub fn sort_for_uninstall(objects: &mut [Object]) {
    let rank = |k: &str| UNINSTALL_ORDER.iter().position(|known| *known == k);
    objects.sort_by(|a, b| {
        let (a, b) = (&a.resource.kind, &b.resource.kind);
        match (rank(a), rank(b)) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => a.cmp(b),
        }
    });
}

impl Kube {
    /// The objects of `manifest`, each resolved through discovery, the
    /// namespaced ones defaulted to `namespace` (Helm's `Build`).
    pub async fn build(
        &self,
        manifest: &str,
        namespace: &str,
    ) -> Result<Vec<Object>, ResourceError> {
        let mut objects = Vec::new();
        for mut body in parse_manifest(manifest)? {
            let api_version = body["apiVersion"].as_str().unwrap_or_default().to_string();
            let kind = body["kind"].as_str().unwrap_or_default().to_string();
            if kind.is_empty() {
                return Err(ResourceError::Parse(format!(
                    "Object 'Kind' is missing in '{}'",
                    serde_json::to_string(&body).unwrap_or_default()
                )));
            }
            let resource = self.resource(&api_version, &kind).await?;
            let name = body["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let namespace = if resource.namespaced {
                let own = body["metadata"]["namespace"].as_str().unwrap_or_default();
                let chosen = if own.is_empty() { namespace } else { own }.to_string();
                if let Some(metadata) = body.get_mut("metadata").and_then(Value::as_object_mut) {
                    metadata.insert("namespace".into(), Value::String(chosen.clone()));
                }
                chosen
            } else {
                String::new()
            };
            objects.push(Object {
                resource,
                namespace,
                name,
                body,
            });
        }
        Ok(objects)
    }

    /// Writes one object as `method` says.
    pub async fn write_object(
        &self,
        object: &Object,
        method: WriteMethod,
    ) -> Result<Value, KubeError> {
        match method {
            WriteMethod::ServerSide { force } => {
                let mut params = PatchParams::apply(FIELD_MANAGER);
                params.force = force;
                params.field_validation = Some(kube::api::ValidationDirective::Strict);
                self.patch(
                    &object.resource,
                    &object.namespace,
                    &object.name,
                    &Patch::Apply(object.body.clone()),
                    &params,
                )
                .await
            }
            WriteMethod::ClientSide => {
                let params = PostParams {
                    field_manager: Some(FIELD_MANAGER.into()),
                    ..PostParams::default()
                };
                self.create(&object.resource, &object.namespace, &object.body, &params)
                    .await
            }
        }
    }

    /// Creates `objects` in order, stopping at the first failure (Helm's
    /// `Create`).
    pub async fn create_all(
        &self,
        objects: &[Object],
        method: WriteMethod,
    ) -> Result<(), KubeError> {
        for object in objects {
            self.write_object(object, method).await?;
        }
        Ok(())
    }

    /// Before an install: the objects that exist already. Each must carry
    /// this release's ownership metadata unless `take_ownership`, else
    /// Helm's error for the first that does not.
    pub async fn existing(
        &self,
        objects: &[Object],
        release: &str,
        namespace: &str,
        take_ownership: bool,
    ) -> Result<Vec<Object>, ResourceError> {
        let mut found = Vec::new();
        for object in objects {
            let live = match self
                .get(&object.resource, &object.namespace, &object.name)
                .await
            {
                Ok(live) => live,
                Err(e) if e.is_not_found() => continue,
                Err(source) => {
                    return Err(ResourceError::Lookup {
                        what: object.describe(),
                        source,
                    });
                }
            };
            if !take_ownership {
                check_ownership(&live, release, namespace).map_err(|source| {
                    ResourceError::Owned {
                        what: object.describe(),
                        source,
                    }
                })?;
            }
            found.push(object.clone());
        }
        Ok(found)
    }

    /// Takes over an existing object with the manifest's version of it:
    /// server-side apply forces its fields (the object is the release's
    /// now), a client-side install replaces it.
    pub async fn adopt(&self, object: &Object, method: WriteMethod) -> Result<(), KubeError> {
        match method {
            WriteMethod::ServerSide { force } => self
                .write_object(object, WriteMethod::ServerSide { force })
                .await
                .map(drop),
            WriteMethod::ClientSide => {
                let live = self
                    .get(&object.resource, &object.namespace, &object.name)
                    .await?;
                let mut body = object.body.clone();
                if let (Some(meta), Some(version)) = (
                    body.get_mut("metadata").and_then(Value::as_object_mut),
                    live["metadata"]["resourceVersion"].as_str(),
                ) {
                    meta.insert("resourceVersion".into(), Value::String(version.into()));
                }
                let params = PostParams {
                    field_manager: Some(FIELD_MANAGER.into()),
                    ..PostParams::default()
                };
                self.replace(
                    &object.resource,
                    &object.namespace,
                    &object.name,
                    &body,
                    &params,
                )
                .await
                .map(drop)
            }
        }
    }

    /// Deletes `objects` in order with `cascade`, going on past failures;
    /// objects already gone are not failures (Helm's `Delete`). Returns
    /// the objects deleted and the errors.
    pub async fn delete_all(
        &self,
        objects: &[Object],
        cascade: Cascade,
    ) -> (Vec<Object>, Vec<KubeError>) {
        let params = cascade.params();
        let mut deleted = Vec::new();
        let mut errors = Vec::new();
        for object in objects {
            match self
                .delete(&object.resource, &object.namespace, &object.name, &params)
                .await
            {
                Ok(_) => deleted.push(object.clone()),
                Err(e) if e.is_not_found() => {}
                Err(e) => errors.push(e),
            }
        }
        (deleted, errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(kind: &str, name: &str) -> Object {
        Object {
            resource: Resource {
                group: String::new(),
                version: "v1".into(),
                kind: kind.into(),
                plural: format!("{}s", kind.to_lowercase()),
                namespaced: true,
            },
            namespace: "ns".into(),
            name: name.into(),
            body: json!({}),
        }
    }

    #[test]
    fn manifests_split_into_objects_skipping_empty_documents() {
        let objects =
            parse_manifest("---\n# Source: a.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n# empty\n---\nkind: Secret\n")
                .expect("parses");
        assert_eq!(objects.len(), 2);
        assert_eq!(objects[0]["metadata"]["name"], "a");
        assert_eq!(objects[1]["kind"], "Secret");
        assert!(matches!(
            parse_manifest("a: [\n"),
            Err(ResourceError::Parse(_))
        ));
    }

    #[test]
    fn uninstall_order_puts_services_before_workloads_and_unknown_last() {
        let mut objects = vec![
            object("ConfigMap", "c"),
            object("Widget", "w"),
            object("Deployment", "d"),
            object("Service", "s"),
            object("ConfigMap", "b"),
        ];
        sort_for_uninstall(&mut objects);
        let names: Vec<&str> = objects.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(names, ["s", "d", "c", "b", "w"]);
    }

    #[test]
    fn keep_policy_and_descriptions_read_as_helm() {
        let mut kept = object("ConfigMap", "k");
        kept.body = json!({"metadata": {"annotations": {"helm.sh/resource-policy": "keep"}}});
        assert!(kept.is_kept());
        assert!(!object("ConfigMap", "x").is_kept());
        assert_eq!(kept.describe(), "ConfigMap \"k\" in namespace \"ns\"");
        assert_eq!(Cascade::parse("orphan"), Cascade::Orphan);
        assert_eq!(Cascade::parse("anything"), Cascade::Background);
    }
}
