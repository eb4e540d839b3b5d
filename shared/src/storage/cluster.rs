//! Helm's `secret` and `configmap` drivers: each revision one object in the
//! release's namespace, found by Helm's labels. The two differ in the
//! object written and in how Helm words their errors (the Secret driver
//! says which operation failed, the ConfigMap driver passes the API's
//! error through).

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;

use kube::api::{DeleteParams, PostParams};
use serde_json::Value;

use super::object::{OWNER, Stamp, StoredObject};
use super::{Driver, StorageError};
use crate::kube::{Kube, KubeError, Resource};
use crate::release::{Release, Time};

/// Which kind of object holds the records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjectKind {
    Secret,
    ConfigMap,
}

impl ObjectKind {
    fn resource(self) -> Resource {
        let (kind, plural) = match self {
            ObjectKind::Secret => ("Secret", "secrets"),
            ObjectKind::ConfigMap => ("ConfigMap", "configmaps"),
        };
        Resource {
            group: String::new(),
            version: "v1".into(),
            kind: kind.into(),
            plural: plural.into(),
            namespaced: true,
        }
    }

    fn encode(self, object: &StoredObject) -> Value {
        match self {
            ObjectKind::Secret => object.to_secret(),
            ObjectKind::ConfigMap => object.to_config_map(),
        }
    }

    fn decode(self, object: &Value) -> Result<StoredObject, StorageError> {
        let stored = match self {
            ObjectKind::Secret => StoredObject::from_secret(object),
            ObjectKind::ConfigMap => StoredObject::from_config_map(object),
        };
        stored.map_err(StorageError::Object)
    }

    /// Helm's prefix for a failed operation: the Secret driver's words,
    /// nothing for the ConfigMap driver.
    fn context(self, secret_words: impl FnOnce() -> String) -> String {
        match self {
            ObjectKind::Secret => secret_words(),
            ObjectKind::ConfigMap => String::new(),
        }
    }
}

/// Release records kept in Secrets or ConfigMaps of one namespace (of
/// every namespace when it is empty, for `list --all-namespaces`).
#[derive(Debug, Clone)]
pub struct ClusterDriver {
    kube: Arc<Kube>,
    kind: ObjectKind,
    resource: Resource,
    namespace: String,
}

impl ClusterDriver {
    /// A driver over `kind` objects in `namespace` (empty: all namespaces;
    /// records are then written in each release's own namespace).
    pub fn new(kube: Arc<Kube>, kind: ObjectKind, namespace: impl Into<String>) -> ClusterDriver {
        ClusterDriver {
            kube,
            kind,
            resource: kind.resource(),
            namespace: namespace.into(),
        }
    }

    fn cluster_error(&self, context: impl FnOnce() -> String, source: KubeError) -> StorageError {
        StorageError::Cluster {
            context: self.kind.context(context),
            source,
        }
    }

    /// The namespace a record of `release` is written in.
    fn write_namespace<'a>(&'a self, release: &'a Release) -> &'a str {
        if self.namespace.is_empty() {
            &release.namespace
        } else {
            &self.namespace
        }
    }

    async fn get_now(&self, key: &str) -> Result<Release, StorageError> {
        let object = match self.kube.get(&self.resource, &self.namespace, key).await {
            Ok(object) => object,
            Err(e) if e.is_not_found() => return Err(StorageError::NotFound),
            Err(e) => return Err(self.cluster_error(|| format!("get: failed to get {key:?}: "), e)),
        };
        // Get returns the release's own labels; list and query all of them.
        self.kind.decode(&object)?.release()
    }

    /// Every decodable record among the objects matching `selector`, with
    /// all of the object's labels, as Helm's list and query return them.
    /// Records that cannot be decoded are skipped, as Helm skips them.
    async fn select(&self, selector: &str) -> Result<Vec<Release>, KubeError> {
        let objects = self
            .kube
            .list(&self.resource, &self.namespace, selector)
            .await?;
        Ok(objects
            .iter()
            .filter_map(|object| {
                let stored = self.kind.decode(object).ok()?;
                let mut release = stored.release().ok()?;
                release.labels = stored.labels;
                Some(release)
            })
            .collect())
    }

    async fn write(&self, key: &str, release: &Release, create: bool) -> Result<(), StorageError> {
        let stamp = if create {
            Stamp::Created(Time::now())
        } else {
            Stamp::Modified(Time::now())
        };
        let object = self.kind.encode(&StoredObject::new(key, release, stamp));
        let namespace = self.write_namespace(release);
        let params = PostParams::default();
        if create {
            match self
                .kube
                .create(&self.resource, namespace, &object, &params)
                .await
            {
                Ok(_) => Ok(()),
                Err(e) if e.is_already_exists() => Err(StorageError::Exists),
                Err(e) => Err(self.cluster_error(|| "create: failed to create: ".into(), e)),
            }
        } else {
            self.kube
                .replace(&self.resource, namespace, key, &object, &params)
                .await
                .map(drop)
                .map_err(|e| self.cluster_error(|| "update: failed to update: ".into(), e))
        }
    }

    async fn delete_now(&self, key: &str) -> Result<Release, StorageError> {
        let release = self.get_now(key).await?;
        self.kube
            .delete(
                &self.resource,
                &self.namespace,
                key,
                &DeleteParams::default(),
            )
            .await
            .map_err(|source| StorageError::Cluster {
                context: String::new(),
                source,
            })?;
        Ok(release)
    }
}

impl Driver for ClusterDriver {
    fn name(&self) -> &'static str {
        match self.kind {
            ObjectKind::Secret => "Secret",
            ObjectKind::ConfigMap => "ConfigMap",
        }
    }

    fn get(&self, key: &str) -> impl Future<Output = Result<Release, StorageError>> + Send {
        self.get_now(key)
    }

    async fn list(
        &self,
        filter: impl Fn(&Release) -> bool + Send,
    ) -> Result<Vec<Release>, StorageError> {
        let found = self
            .select(&format!("owner={OWNER}"))
            .await
            .map_err(|e| self.cluster_error(|| "list: failed to list: ".into(), e))?;
        Ok(found.into_iter().filter(|r| filter(r)).collect())
    }

    fn query(
        &self,
        labels: &BTreeMap<String, String>,
    ) -> impl Future<Output = Result<Vec<Release>, StorageError>> + Send {
        let selector = label_selector(labels);
        async move {
            let found = self.select(&selector?).await.map_err(|e| {
                self.cluster_error(|| "query: failed to query with labels: ".into(), e)
            })?;
            if found.is_empty() {
                return Err(StorageError::NotFound);
            }
            Ok(found)
        }
    }

    fn create(
        &self,
        key: &str,
        release: &Release,
    ) -> impl Future<Output = Result<(), StorageError>> + Send {
        self.write(key, release, true)
    }

    fn update(
        &self,
        key: &str,
        release: &Release,
    ) -> impl Future<Output = Result<(), StorageError>> + Send {
        self.write(key, release, false)
    }

    fn delete(&self, key: &str) -> impl Future<Output = Result<Release, StorageError>> + Send {
        self.delete_now(key)
    }
}

/// The equality selector for `labels` (`k=v,…`, keys sorted as Go's
/// `labels.Set` prints them); values must be valid label values.
fn label_selector(labels: &BTreeMap<String, String>) -> Result<String, StorageError> {
    let mut parts = Vec::with_capacity(labels.len());
    for (key, value) in labels {
        let reasons = label_value_errors(value);
        if !reasons.is_empty() {
            return Err(StorageError::InvalidLabelValue {
                value: value.clone(),
                reasons: reasons.join("; "),
            });
        }
        parts.push(format!("{key}={value}"));
    }
    Ok(parts.join(","))
}

/// The longest label value Kubernetes accepts.
const MAX_LABEL_VALUE: usize = 63;

/// What apimachinery's `IsValidLabelValue` says is wrong with `value`.
fn label_value_errors(value: &str) -> Vec<String> {
    let mut errors = Vec::new();
    if value.len() > MAX_LABEL_VALUE {
        errors.push(format!("must be no more than {MAX_LABEL_VALUE} characters"));
    }
    let alnum = |c: char| c.is_ascii_alphanumeric();
    let valid = value.is_empty()
        || (value.starts_with(alnum)
            && value.ends_with(alnum)
            && value
                .chars()
                .all(|c| alnum(c) || matches!(c, '-' | '_' | '.')));
    if !valid {
        errors.push(
            "a valid label must be an empty string or consist of alphanumeric characters, \
             '-', '_' or '.', and must start and end with an alphanumeric character \
             (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is \
             '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
                .to_string(),
        );
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_are_sorted_and_values_checked() {
        let labels = BTreeMap::from([
            ("owner".to_string(), "helm".to_string()),
            ("name".to_string(), "web".to_string()),
        ]);
        assert_eq!(label_selector(&labels).unwrap(), "name=web,owner=helm");
        let bad = BTreeMap::from([("name".to_string(), "a b".to_string())]);
        let err = label_selector(&bad).unwrap_err().to_string();
        assert!(
            err.starts_with("invalid label value: \"a b\": a valid label must be"),
            "{err}"
        );
        assert_eq!(label_value_errors(&"x".repeat(63)), Vec::<String>::new());
        assert_eq!(label_value_errors(&"x".repeat(64)).len(), 1);
        assert_eq!(label_value_errors("-x").len(), 1);
        assert!(label_value_errors("").is_empty());
    }
}
