//! Which resource serves a kind: the API's discovery documents, fetched one
//! group version at a time when first needed and kept for the process, so
//! a command touching three kinds asks three times at most.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::Value;

use super::client::{Kube, KubeError};

/// The most resources one group version may list; a bound on what one
/// discovery answer can make us keep.
const MAX_RESOURCES: usize = 10_000;

/// A resource type the API serves, as discovery lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resource {
    /// Empty for the core group.
    pub group: String,
    pub version: String,
    pub kind: String,
    /// The plural name in URLs (`deployments`).
    pub plural: String,
    pub namespaced: bool,
}

impl Resource {
    /// `v1`, or `group/version`.
    pub fn api_version(&self) -> String {
        join_api_version(&self.group, &self.version)
    }

    /// The URL of the collection: in `namespace` when the resource is
    /// namespaced and one is given, else across the cluster.
    pub fn collection_path(&self, namespace: &str) -> String {
        let base = group_version_path(&self.group, &self.version);
        if self.namespaced && !namespace.is_empty() {
            format!("{base}/namespaces/{namespace}/{}", self.plural)
        } else {
            format!("{base}/{}", self.plural)
        }
    }
}

fn join_api_version(group: &str, version: &str) -> String {
    if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    }
}

fn group_version_path(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("/api/{version}")
    } else {
        format!("/apis/{group}/{version}")
    }
}

/// `apiVersion` split into group and version (`v1` is the core group).
pub fn split_api_version(api_version: &str) -> (&str, &str) {
    api_version.rsplit_once('/').unwrap_or(("", api_version))
}

/// The resources of each group version fetched so far, by `apiVersion`.
#[derive(Debug, Default)]
pub struct ResourceCache {
    by_group_version: Mutex<HashMap<String, Arc<Vec<Resource>>>>,
}

impl ResourceCache {
    fn cached(&self, api_version: &str) -> Option<Arc<Vec<Resource>>> {
        self.lock().get(api_version).cloned()
    }

    fn store(&self, api_version: &str, resources: Vec<Resource>) -> Arc<Vec<Resource>> {
        let resources = Arc::new(resources);
        self.lock()
            .insert(api_version.to_string(), Arc::clone(&resources));
        resources
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Vec<Resource>>>> {
        self.by_group_version
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl Kube {
    /// The resource serving `kind` in `api_version`; [`KubeError::NoMatch`]
    /// when the server has no such group version or kind. A kind missing
    /// from a cached list is looked up once more, for CRDs created since.
    pub async fn resource(&self, api_version: &str, kind: &str) -> Result<Resource, KubeError> {
        let find = |list: &[Resource]| list.iter().find(|r| r.kind == kind).cloned();
        if let Some(list) = self.resources.cached(api_version)
            && let Some(found) = find(&list)
        {
            return Ok(found);
        }
        match self.resources_of(api_version).await {
            Ok(list) => find(&list).ok_or_else(|| no_match(api_version, kind)),
            Err(e) if e.is_not_found() || matches!(e, KubeError::NoMatch { .. }) => {
                Err(no_match(api_version, kind))
            }
            Err(e) => Err(e),
        }
    }

    /// The resources of one group version, fetched now (and cached); the
    /// server's 404 when it does not serve the group version.
    pub async fn resources_of(&self, api_version: &str) -> Result<Arc<Vec<Resource>>, KubeError> {
        let (group, version) = split_api_version(api_version);
        if version.is_empty() || group.contains('/') {
            return Err(no_match(api_version, ""));
        }
        let req = http::Request::get(group_version_path(group, version))
            .body(Vec::new())
            .map_err(|e| KubeError::Client(e.to_string()))?;
        let doc: Value = self.send(req).await?;
        Ok(self
            .resources
            .store(api_version, parse_resource_list(group, version, &doc)))
    }
}

fn no_match(api_version: &str, kind: &str) -> KubeError {
    KubeError::NoMatch {
        api_version: api_version.to_string(),
        kind: kind.to_string(),
    }
}

/// The top-level resources of an `APIResourceList` (subresources such as
/// `pods/log` are left out).
fn parse_resource_list(group: &str, version: &str, doc: &Value) -> Vec<Resource> {
    let Some(items) = doc["resources"].as_array() else {
        return Vec::new();
    };
    items
        .iter()
        .take(MAX_RESOURCES)
        .filter_map(|item| {
            let plural = item["name"].as_str()?;
            let kind = item["kind"].as_str()?;
            if plural.contains('/') {
                return None;
            }
            Some(Resource {
                group: group.to_string(),
                version: version.to_string(),
                kind: kind.to_string(),
                plural: plural.to_string(),
                namespaced: item["namespaced"].as_bool().unwrap_or(false),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn resource_lists_give_paths_by_scope() {
        let doc = json!({"resources": [
            {"name": "deployments", "kind": "Deployment", "namespaced": true},
            {"name": "deployments/scale", "kind": "Scale", "namespaced": true},
        ]});
        let list = parse_resource_list("apps", "v1", &doc);
        assert_eq!(list.len(), 1);
        let d = &list[0];
        assert_eq!(d.api_version(), "apps/v1");
        assert_eq!(
            d.collection_path("web"),
            "/apis/apps/v1/namespaces/web/deployments"
        );
        assert_eq!(d.collection_path(""), "/apis/apps/v1/deployments");

        let doc = json!({"resources": [{"name": "namespaces", "kind": "Namespace", "namespaced": false}]});
        let ns = &parse_resource_list("", "v1", &doc)[0];
        assert_eq!(ns.collection_path("web"), "/api/v1/namespaces");
        assert_eq!(split_api_version("v1"), ("", "v1"));
        assert_eq!(split_api_version("apps/v1"), ("apps", "v1"));
    }
}
