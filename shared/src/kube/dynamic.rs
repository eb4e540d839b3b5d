//! Any object of any discovered resource, as JSON: get, list, create,
//! replace, patch and delete, the verbs Helm's kube client uses.

use kube::api::{DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube::core::Request;
use serde_json::Value;

use super::client::{Kube, KubeError};
use super::discovery::Resource;

impl Kube {
    /// The object `name` of `resource` in `namespace` (ignored for
    /// cluster-scoped resources).
    pub async fn get(
        &self,
        resource: &Resource,
        namespace: &str,
        name: &str,
    ) -> Result<Value, KubeError> {
        let req = request(resource, namespace)?
            .get(checked(name)?, &Default::default())
            .map_err(build_error)?;
        self.send(req).await
    }

    /// The objects of `resource` in `namespace` (every namespace when it is
    /// empty) whose labels match `label_selector` (all when it is empty),
    /// each with its `apiVersion` and `kind`, which list items lack.
    pub async fn list(
        &self,
        resource: &Resource,
        namespace: &str,
        label_selector: &str,
    ) -> Result<Vec<Value>, KubeError> {
        let mut list = self
            .list_object(resource, namespace, label_selector)
            .await?;
        Ok(match list.get_mut("items").map(Value::take) {
            Some(Value::Array(items)) => items,
            _ => Vec::new(),
        })
    }

    /// [`Kube::list`] as the whole list object (`kind: ConfigMapList`,
    /// `metadata`, `items`), as client-go's dynamic client returns it.
    pub async fn list_object(
        &self,
        resource: &Resource,
        namespace: &str,
        label_selector: &str,
    ) -> Result<Value, KubeError> {
        let mut params = ListParams::default();
        if !label_selector.is_empty() {
            params = params.labels(label_selector);
        }
        let req = request(resource, namespace)?
            .list(&params)
            .map_err(build_error)?;
        let mut list: Value = self.send(req).await?;
        let api_version = resource.api_version();
        if let Some(items) = list.get_mut("items").and_then(Value::as_array_mut) {
            for item in items.iter_mut().filter_map(Value::as_object_mut) {
                item.entry("apiVersion")
                    .or_insert_with(|| Value::from(api_version.clone()));
                item.entry("kind")
                    .or_insert_with(|| Value::from(resource.kind.clone()));
            }
        }
        Ok(list)
    }

    /// Creates `object` in `namespace` and returns it as stored.
    pub async fn create(
        &self,
        resource: &Resource,
        namespace: &str,
        object: &Value,
        params: &PostParams,
    ) -> Result<Value, KubeError> {
        let req = request(resource, namespace)?
            .create(params, to_body(object)?)
            .map_err(build_error)?;
        self.send(req).await
    }

    /// Replaces the object `name` with `object` (a PUT: its
    /// `resourceVersion`, when set, guards against concurrent writes).
    pub async fn replace(
        &self,
        resource: &Resource,
        namespace: &str,
        name: &str,
        object: &Value,
        params: &PostParams,
    ) -> Result<Value, KubeError> {
        let req = request(resource, namespace)?
            .replace(checked(name)?, params, to_body(object)?)
            .map_err(build_error)?;
        self.send(req).await
    }

    /// Patches the object `name` (merge, JSON, strategic merge, or apply).
    pub async fn patch(
        &self,
        resource: &Resource,
        namespace: &str,
        name: &str,
        patch: &Patch<Value>,
        params: &PatchParams,
    ) -> Result<Value, KubeError> {
        let req = request(resource, namespace)?
            .patch(checked(name)?, params, patch)
            .map_err(build_error)?;
        self.send(req).await
    }

    /// Deletes the object `name`; the answer is the object (when deletion
    /// waits on finalizers) or a `Status`.
    pub async fn delete(
        &self,
        resource: &Resource,
        namespace: &str,
        name: &str,
        params: &DeleteParams,
    ) -> Result<Value, KubeError> {
        let req = request(resource, namespace)?
            .delete(checked(name)?, params)
            .map_err(build_error)?;
        self.send(req).await
    }
}

/// The request builder for the collection, the namespace checked as a
/// path segment.
fn request(resource: &Resource, namespace: &str) -> Result<Request, KubeError> {
    if !namespace.is_empty() {
        checked(namespace)?;
    }
    Ok(Request::new(resource.collection_path(namespace)))
}

/// A name that is one URL path segment, as the API server requires
/// (apimachinery's `IsValidPathSegmentName`).
fn checked(name: &str) -> Result<&str, KubeError> {
    let bad = name.is_empty() || name == "." || name == ".." || name.contains(['/', '%', '?', '#']);
    if bad {
        Err(KubeError::InvalidName(name.to_string()))
    } else {
        Ok(name)
    }
}

fn to_body(object: &Value) -> Result<Vec<u8>, KubeError> {
    serde_json::to_vec(object).map_err(|e| KubeError::Client(e.to_string()))
}

fn build_error(e: kube::core::request::Error) -> KubeError {
    KubeError::Client(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_must_be_single_path_segments() {
        assert_eq!(checked("web-1").unwrap(), "web-1");
        for bad in ["", ".", "..", "a/b", "a%2f", "a?b"] {
            assert!(
                matches!(checked(bad), Err(KubeError::InvalidName(_))),
                "{bad}"
            );
        }
    }
}
