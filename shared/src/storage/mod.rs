//! Where releases are kept, in Helm's formats, so that a release written by
//! Helm 3 or 4 is read by us and the other way round.
//!
//! A [`Driver`] keeps records by key (`sh.helm.release.v1.NAME.vN`):
//! [`MemoryDriver`] in memory, [`ClusterDriver`] in Secrets or ConfigMaps;
//! the SQL driver builds on [`encode_release`] too. [`storage_for`] picks
//! one as `HELM_DRIVER` says. [`Storage`] adds Helm's
//! release semantics on top of any driver: history, the deployed revision,
//! the last revision, and pruning to `--history-max`.

mod cluster;
mod encoding;
mod memory;
mod object;
mod select;
pub mod sql;

use std::collections::BTreeMap;
use std::future::Future;

pub use cluster::{ClusterDriver, ObjectKind};
pub use encoding::{CodecError, MAX_DECOMPRESSED, decode_release, encode_release};
pub use memory::MemoryDriver;
pub use object::{
    DATA_KEY, OWNER, ObjectError, SECRET_TYPE, SYSTEM_LABELS, Stamp, StoredObject,
    filter_system_labels, object_name, release_labels,
};
pub use select::{AnyDriver, SelectError, storage_for};

use crate::release::{Release, Status};

/// Why a storage operation failed; the texts are Helm's.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// No record has the key, or none matches the query.
    #[error("release: not found")]
    NotFound,
    /// A record with the key exists already (on create).
    #[error("release: already exists")]
    Exists,
    /// The key is not `sh.helm.release.v1.NAME.vN`.
    #[error("release: invalid key")]
    InvalidKey,
    /// The release has revisions but none is deployed.
    #[error("{0:?} has no deployed releases")]
    NoDeployed(String),
    /// The release has no revision at all.
    #[error("no revision for release {0:?}")]
    NoRevision(String),
    /// A stored record cannot be read.
    #[error("failed to decode data {key:?}: {source}")]
    Decode { key: String, source: CodecError },
    /// A Secret or ConfigMap does not hold a record.
    #[error(transparent)]
    Object(#[from] ObjectError),
    /// The cluster refused or failed a request of the Secret or ConfigMap
    /// driver; `context` is Helm's prefix for the operation (the Secret
    /// driver's `get: failed to get "KEY": `), empty where Helm has none.
    #[error("{context}{source}")]
    Cluster {
        context: String,
        source: crate::kube::KubeError,
    },
    /// A query's label value is not one Kubernetes accepts.
    #[error("invalid label value: {value:?}: {reasons}")]
    InvalidLabelValue { value: String, reasons: String },
    /// Pruning old revisions failed for some of them.
    #[error("encountered error while deleting revisions of {name:?}: {errors}")]
    Prune { name: String, errors: String },
    /// The SQL driver's database failed or refused a statement.
    #[error(transparent)]
    Sql(#[from] sql::SqlError),
}

/// Keeps release records by key. Methods return futures so that drivers
/// over the network fit the same trait as [`MemoryDriver`].
pub trait Driver {
    /// Helm's name for the driver (`Memory`, `Secret`, …).
    fn name(&self) -> &'static str;

    /// The record under `key`.
    fn get(&self, key: &str) -> impl Future<Output = Result<Release, StorageError>> + Send;

    /// Every record for which `filter` holds.
    fn list(
        &self,
        filter: impl Fn(&Release) -> bool + Send,
    ) -> impl Future<Output = Result<Vec<Release>, StorageError>> + Send;

    /// The records whose labels include all of `labels`;
    /// [`StorageError::NotFound`] when there is none.
    fn query(
        &self,
        labels: &BTreeMap<String, String>,
    ) -> impl Future<Output = Result<Vec<Release>, StorageError>> + Send;

    /// Stores a new record; [`StorageError::Exists`] if `key` is taken.
    fn create(
        &self,
        key: &str,
        release: &Release,
    ) -> impl Future<Output = Result<(), StorageError>> + Send;

    /// Replaces the record under `key`.
    fn update(
        &self,
        key: &str,
        release: &Release,
    ) -> impl Future<Output = Result<(), StorageError>> + Send;

    /// Removes the record under `key` and returns it.
    fn delete(&self, key: &str) -> impl Future<Output = Result<Release, StorageError>> + Send;
}

/// Helm's release storage over a [`Driver`].
#[derive(Debug)]
pub struct Storage<D> {
    pub driver: D,
    /// Revisions kept per release (`--history-max`); 0 keeps all.
    pub max_history: usize,
}

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

impl<D: Driver> Storage<D> {
    pub fn new(driver: D) -> Storage<D> {
        Storage {
            driver,
            max_history: 0,
        }
    }

    /// Revision `version` of release `name`.
    pub async fn get(&self, name: &str, version: i64) -> Result<Release, StorageError> {
        self.driver.get(&object_name(name, version)).await
    }

    /// Stores a new revision, first pruning the history to make room for
    /// it when `max_history` is set.
    pub async fn create(&self, release: &Release) -> Result<(), StorageError> {
        if self.max_history > 0 {
            match self
                .remove_least_recent(&release.name, self.max_history - 1)
                .await
            {
                Ok(()) | Err(StorageError::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
        self.driver
            .create(&object_name(&release.name, release.version), release)
            .await
    }

    /// Rewrites a stored revision (status changes, mostly).
    pub async fn update(&self, release: &Release) -> Result<(), StorageError> {
        self.driver
            .update(&object_name(&release.name, release.version), release)
            .await
    }

    /// Removes revision `version` of release `name`.
    pub async fn delete(&self, name: &str, version: i64) -> Result<Release, StorageError> {
        self.driver.delete(&object_name(name, version)).await
    }

    /// Every revision of every release.
    pub async fn list_releases(&self) -> Result<Vec<Release>, StorageError> {
        self.driver.list(|_| true).await
    }

    /// The revisions marked uninstalled (kept by `--keep-history`).
    pub async fn list_uninstalled(&self) -> Result<Vec<Release>, StorageError> {
        self.driver
            .list(|r| r.status() == Some(&Status::Uninstalled))
            .await
    }

    /// The revisions marked deployed.
    pub async fn list_deployed(&self) -> Result<Vec<Release>, StorageError> {
        self.driver
            .list(|r| r.status() == Some(&Status::Deployed))
            .await
    }

    /// Every deployed revision of `name` (more than one only after
    /// concurrent writes); [`StorageError::NoDeployed`] when none is.
    pub async fn deployed_all(&self, name: &str) -> Result<Vec<Release>, StorageError> {
        let query = labels(&[("name", name), ("owner", OWNER), ("status", "deployed")]);
        match self.driver.query(&query).await {
            Ok(list) if !list.is_empty() => Ok(list),
            Ok(_) | Err(StorageError::NotFound) => Err(StorageError::NoDeployed(name.to_string())),
            Err(e) => Err(e),
        }
    }

    /// The deployed revision of `name`: the newest, if several claim it.
    pub async fn deployed(&self, name: &str) -> Result<Release, StorageError> {
        let list = self.deployed_all(name).await?;
        newest(list).ok_or_else(|| StorageError::NoDeployed(name.to_string()))
    }

    /// Every revision of `name`; [`StorageError::NotFound`] when it has none.
    pub async fn history(&self, name: &str) -> Result<Vec<Release>, StorageError> {
        self.driver
            .query(&labels(&[("name", name), ("owner", OWNER)]))
            .await
    }

    /// The newest revision of `name`, whatever its status.
    pub async fn last(&self, name: &str) -> Result<Release, StorageError> {
        let history = self.history(name).await?;
        newest(history).ok_or_else(|| StorageError::NoRevision(name.to_string()))
    }

    /// Deletes the oldest revisions of `name` until at most `keep` remain,
    /// never the deployed one.
    async fn remove_least_recent(&self, name: &str, keep: usize) -> Result<(), StorageError> {
        let mut history = self.history(name).await?;
        if history.len() <= keep {
            return Ok(());
        }
        history.sort_by_key(|r| r.version);
        let deployed = match self.deployed(name).await {
            Ok(r) => Some(r.version),
            Err(StorageError::NoDeployed(_)) => None,
            Err(e) => return Err(e),
        };
        let excess = history.len() - keep;
        let doomed: Vec<i64> = history
            .iter()
            .map(|r| r.version)
            .filter(|v| Some(*v) != deployed)
            .take(excess)
            .collect();
        // Delete as many as possible, then report what failed.
        let mut errors = Vec::new();
        for version in doomed {
            if let Err(e) = self.delete(name, version).await {
                errors.push(format!("revision {version}: {e}"));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(StorageError::Prune {
                name: name.to_string(),
                errors: errors.join("; "),
            })
        }
    }
}

fn newest(list: Vec<Release>) -> Option<Release> {
    list.into_iter().max_by_key(|r| r.version)
}
