//! Reading what a write's [`Concern`] needs to be decided: the release's
//! other records, the records of the releases an object claims, and
//! whether a release's objects still exist. From the watch caches when
//! they are synced, else (or when asked to) straight from the API server.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use helm::policy::objects::release_objects;
use helm::policy::{Concern, Facts, Operation, RecordFacts, RecordLabels, ReleaseRecords, Write};
use helm::release::{Release, Status};
use helm::storage::{OWNER, SECRET_TYPE, StoredObject};
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, ListParams, ObjectMeta};
use kube::discovery::{Scope, pinned_kind};
use kube::{Client, ResourceExt};
use serde_json::Value;

use crate::cache::Caches;
use crate::metrics::Metrics;

/// Decoded records kept at most; past it the map starts over (records
/// are re-read on demand, so this only bounds memory).
const MAX_DECODED: usize = 512;

/// Manifest objects looked up at most when a latest record is deleted:
/// one that still exists is enough, and a release rarely has more.
const MAX_OBJECTS_CHECKED: usize = 200;

/// Why the facts of a write could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FactsError {
    /// The API server refused or failed a read.
    #[error("reading {what}: {source}")]
    Api { what: String, source: kube::Error },
}

/// Where to read facts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// The watch caches when synced (possibly a little stale).
    Cache,
    /// The API server.
    Server,
}

/// The facts of a write, owned.
#[derive(Debug, Default)]
pub enum Gathered {
    Record {
        others: Vec<RecordLabels>,
        objects_remain: bool,
    },
    Owned {
        claimed: Vec<Release>,
        previous: Vec<Release>,
    },
    #[default]
    Unrelated,
}

impl Gathered {
    /// The facts as [`helm::policy::decide`] reads them.
    pub fn facts(&self) -> Facts<'_> {
        match self {
            Gathered::Record {
                others,
                objects_remain,
            } => Facts::Record(RecordFacts {
                others,
                objects_remain: *objects_remain,
            }),
            Gathered::Owned { claimed, previous } => Facts::Owned {
                claimed: ReleaseRecords { records: claimed },
                previous: ReleaseRecords { records: previous },
            },
            Gathered::Unrelated => Facts::Unrelated,
        }
    }
}

/// Which storage a release's records are in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Driver {
    Secrets,
    ConfigMaps,
}

/// A release record as its metadata describes it.
#[derive(Clone, Debug)]
struct RecordRef {
    name: String,
    version: i64,
    status: Status,
    resource_version: String,
}

impl RecordRef {
    fn from_meta(meta: &ObjectMeta) -> Option<RecordRef> {
        let labels = meta.labels.as_ref()?;
        Some(RecordRef {
            name: meta.name.clone()?,
            version: labels.get("version")?.parse().ok()?,
            status: Status::from(labels.get("status").map_or("", String::as_str)),
            resource_version: meta.resource_version.clone().unwrap_or_default(),
        })
    }
}

type DecodedKey = (Driver, String, String);

/// Reads facts from the cluster.
pub struct Cluster {
    client: Client,
    caches: Caches,
    metrics: Arc<Metrics>,
    /// Decoded records by (driver, namespace, name), with the
    /// resourceVersion they were decoded at.
    decoded: Mutex<HashMap<DecodedKey, (String, Arc<Release>)>>,
    resources: Mutex<HashMap<GroupVersionKind, (ApiResource, Scope)>>,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster")
            .field("caches", &self.caches)
            .finish_non_exhaustive()
    }
}

impl Cluster {
    /// Starts the watches and reads through `client`.
    pub fn new(client: Client, metrics: Arc<Metrics>) -> Cluster {
        Cluster {
            caches: Caches::start(client.clone()),
            client,
            metrics,
            decoded: Mutex::default(),
            resources: Mutex::default(),
        }
    }

    /// Whether the caches have synced.
    pub fn is_ready(&self) -> bool {
        self.caches.is_ready()
    }

    /// Every ChartPolicy, compiled: cached once synced, else listed.
    pub async fn policies(&self) -> Result<Arc<Vec<helm::policy::Policy>>, FactsError> {
        if let Some(policies) = self.caches.policies() {
            return Ok(policies);
        }
        let resource = crate::cache::chart_policy_resource();
        let api = Api::<DynamicObject>::all_with(self.client.clone(), &resource);
        match api.list(&ListParams::default()).await {
            Ok(list) => Ok(Arc::new(crate::cache::compile(
                list.items
                    .iter()
                    .filter_map(|o| serde_json::to_value(o).ok()),
            ))),
            // The CRD is not installed: there are no policies.
            Err(kube::Error::Api(status)) if status.code == 404 => Ok(Arc::new(Vec::new())),
            Err(source) => Err(FactsError::Api {
                what: "ChartPolicies".into(),
                source,
            }),
        }
    }

    /// Reads what `write`, concerning `concern`, needs. Records of a
    /// release record's own release always come from the server: they
    /// change in the very operation being admitted.
    pub async fn gather(
        &self,
        write: &Write<'_>,
        concern: &Concern,
        source: Source,
    ) -> Result<Gathered, FactsError> {
        match concern {
            Concern::Record { name } => {
                let driver = if write.kind == "Secret" {
                    Driver::Secrets
                } else {
                    Driver::ConfigMaps
                };
                let refs = self.list_records(driver, write.namespace, name).await?;
                let others: Vec<RecordLabels> = refs
                    .iter()
                    .filter(|r| r.name != write.name)
                    .map(|r| RecordLabels {
                        version: r.version,
                        status: r.status.clone(),
                    })
                    .collect();
                let objects_remain = if write.operation == Operation::Delete {
                    self.deleted_record_objects_remain(write, driver, &others)
                        .await?
                } else {
                    false
                };
                Ok(Gathered::Record {
                    others,
                    objects_remain,
                })
            }
            Concern::Owned { claimed, previous } => {
                let claimed_records = match claimed {
                    Some((ns, name)) => self.owning_records(ns, name, source).await?,
                    None => Vec::new(),
                };
                let previous_records = match previous {
                    Some(p) if Some(p) == claimed.as_ref() => claimed_records.clone(),
                    Some((ns, name)) => self.owning_records(ns, name, source).await?,
                    None => Vec::new(),
                };
                Ok(Gathered::Owned {
                    claimed: claimed_records,
                    previous: previous_records,
                })
            }
            Concern::Unrelated => Ok(Gathered::Unrelated),
        }
    }

    /// The release's latest record and its latest deployed one, decoded.
    async fn owning_records(
        &self,
        namespace: &str,
        release: &str,
        source: Source,
    ) -> Result<Vec<Release>, FactsError> {
        let cached = (source == Source::Cache && self.caches.is_ready()).then(|| {
            self.caches
                .secrets
                .state()
                .iter()
                .filter(|s| s.namespace().as_deref() == Some(namespace))
                .filter(|s| s.type_.as_deref() == Some(SECRET_TYPE))
                .filter(|s| {
                    let labels = s.labels();
                    labels.get("owner").map(String::as_str) == Some(OWNER)
                        && labels.get("name").map(String::as_str) == Some(release)
                })
                .filter_map(|s| RecordRef::from_meta(&s.metadata))
                .collect::<Vec<_>>()
        });
        let (driver, refs) = match cached {
            Some(refs) => (Driver::Secrets, refs),
            None => {
                let refs = self
                    .list_records(Driver::Secrets, namespace, release)
                    .await?;
                if refs.is_empty() {
                    let config_maps = self
                        .list_records(Driver::ConfigMaps, namespace, release)
                        .await?;
                    (Driver::ConfigMaps, config_maps)
                } else {
                    (Driver::Secrets, refs)
                }
            }
        };
        let latest = refs.iter().max_by_key(|r| r.version);
        let deployed = refs
            .iter()
            .filter(|r| r.status == Status::Deployed)
            .max_by_key(|r| r.version);
        let mut chosen: Vec<&RecordRef> = latest.into_iter().chain(deployed).collect();
        chosen.dedup_by(|a, b| a.name == b.name);
        let mut releases = Vec::with_capacity(chosen.len());
        for record in chosen {
            if let Some(release) = self.decoded(driver, namespace, record).await? {
                releases.push(release.as_ref().clone());
            }
        }
        Ok(releases)
    }

    /// A record decoded, from the decoded cache when its resourceVersion
    /// has not moved; `None` when it is gone or undecodable (logged).
    async fn decoded(
        &self,
        driver: Driver,
        namespace: &str,
        record: &RecordRef,
    ) -> Result<Option<Arc<Release>>, FactsError> {
        let key = (driver, namespace.to_string(), record.name.clone());
        if let Ok(decoded) = self.decoded.lock()
            && let Some((rv, release)) = decoded.get(&key)
            && *rv == record.resource_version
        {
            return Ok(Some(Arc::clone(release)));
        }
        let what = || format!("release record {namespace}/{}", record.name);
        let object = match driver {
            Driver::Secrets => Api::<Secret>::namespaced(self.client.clone(), namespace)
                .get_opt(&record.name)
                .await
                .map(|s| s.and_then(|s| serde_json::to_value(s).ok())),
            Driver::ConfigMaps => Api::<ConfigMap>::namespaced(self.client.clone(), namespace)
                .get_opt(&record.name)
                .await
                .map(|c| c.and_then(|c| serde_json::to_value(c).ok())),
        }
        .map_err(|source| FactsError::Api {
            what: what(),
            source,
        })?;
        let Some(object) = object else {
            return Ok(None);
        };
        let resource_version = object
            .pointer("/metadata/resourceVersion")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let release = match self.decode(driver, &object) {
            Some(release) => Arc::new(release),
            None => {
                tracing::warn!(record = %what(), "release record cannot be decoded; ignored");
                return Ok(None);
            }
        };
        if let Ok(mut decoded) = self.decoded.lock() {
            if decoded.len() >= MAX_DECODED {
                decoded.clear();
            }
            decoded.insert(key, (resource_version, Arc::clone(&release)));
        }
        Ok(Some(release))
    }

    /// Decodes a stored record (bounded by `helm::storage`'s limits).
    fn decode(&self, driver: Driver, object: &Value) -> Option<Release> {
        let stored = match driver {
            Driver::Secrets => StoredObject::from_secret(object).ok(),
            Driver::ConfigMaps => StoredObject::from_config_map(object).ok(),
        };
        let release = stored.and_then(|s| s.release().ok());
        if release.is_none() {
            self.metrics.bad_release();
        }
        release
    }

    /// The records of one release, by their metadata only.
    async fn list_records(
        &self,
        driver: Driver,
        namespace: &str,
        release: &str,
    ) -> Result<Vec<RecordRef>, FactsError> {
        let params = ListParams::default().labels(&format!("owner={OWNER},name={release}"));
        let what = || format!("records of release {namespace}/{release}");
        let metas: Vec<ObjectMeta> = match driver {
            Driver::Secrets => Api::<Secret>::namespaced(self.client.clone(), namespace)
                .list_metadata(&params)
                .await
                .map(|l| l.items.into_iter().map(|m| m.metadata).collect()),
            Driver::ConfigMaps => Api::<ConfigMap>::namespaced(self.client.clone(), namespace)
                .list_metadata(&params)
                .await
                .map(|l| l.items.into_iter().map(|m| m.metadata).collect()),
        }
        .map_err(|source| FactsError::Api {
            what: what(),
            source,
        })?;
        Ok(metas.iter().filter_map(RecordRef::from_meta).collect())
    }

    /// For a DELETE of a release's latest record while it is not being
    /// uninstalled: whether an object of its manifest still exists and is
    /// not being deleted. Other deletions need not look.
    async fn deleted_record_objects_remain(
        &self,
        write: &Write<'_>,
        driver: Driver,
        others: &[RecordLabels],
    ) -> Result<bool, FactsError> {
        let Some(old) = write.old_object else {
            return Ok(false);
        };
        let label = |key: &str| old.pointer("/metadata/labels")?.get(key)?.as_str();
        let version: i64 = label("version").and_then(|v| v.parse().ok()).unwrap_or(0);
        let uninstalling = |s: &Status| matches!(s, Status::Uninstalling | Status::Uninstalled);
        let status = Status::from(label("status").unwrap_or_default());
        if others.iter().any(|o| o.version >= version)
            || uninstalling(&status)
            || others.iter().any(|o| uninstalling(&o.status))
        {
            return Ok(false);
        }
        let Some(release) = self.decode(driver, old) else {
            return Ok(false);
        };
        let Ok(objects) = release_objects(&release) else {
            return Ok(false);
        };
        for object in objects.iter().take(MAX_OBJECTS_CHECKED) {
            if self.exists(object, &release.namespace).await? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Whether a manifest object exists and is not being deleted. Kinds
    /// the server does not serve do not exist.
    async fn exists(&self, object: &Value, release_namespace: &str) -> Result<bool, FactsError> {
        let text = |pointer: &str| object.pointer(pointer).and_then(Value::as_str);
        let (Some(api_version), Some(kind), Some(name)) =
            (text("/apiVersion"), text("/kind"), text("/metadata/name"))
        else {
            return Ok(false);
        };
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        let gvk = GroupVersionKind::gvk(group, version, kind);
        let Some((resource, scope)) = self.resource(&gvk).await else {
            return Ok(false);
        };
        let api = match scope {
            Scope::Cluster => Api::<DynamicObject>::all_with(self.client.clone(), &resource),
            Scope::Namespaced => {
                let namespace = text("/metadata/namespace").unwrap_or(release_namespace);
                Api::<DynamicObject>::namespaced_with(self.client.clone(), namespace, &resource)
            }
        };
        let found = api
            .get_metadata_opt(name)
            .await
            .map_err(|source| FactsError::Api {
                what: format!("{kind} {name:?}"),
                source,
            })?;
        Ok(found.is_some_and(|o| o.metadata.deletion_timestamp.is_none()))
    }

    /// The resource serving a kind, discovered once per kind.
    async fn resource(&self, gvk: &GroupVersionKind) -> Option<(ApiResource, Scope)> {
        if let Some(found) = self.resources.lock().ok()?.get(gvk) {
            return Some(found.clone());
        }
        let (resource, capabilities) = pinned_kind(&self.client, gvk).await.ok()?;
        let found = (resource, capabilities.scope);
        self.resources
            .lock()
            .ok()?
            .insert(gvk.clone(), found.clone());
        Some(found)
    }
}
