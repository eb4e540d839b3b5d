//! `HELM_DRIVER`: which driver keeps the releases, as Helm's
//! `action.Configuration.Init` chooses it.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{ClusterDriver, Driver, MemoryDriver, ObjectKind, Storage, StorageError};
use crate::kube::Kube;
use crate::release::Release;
use crate::settings::Environment;

/// Why no driver was chosen; the texts are Helm's.
#[derive(Debug, thiserror::Error)]
pub enum SelectError {
    /// `HELM_DRIVER` names no driver Helm has.
    #[error("unknown driver {0:?}")]
    Unknown(String),
    /// `HELM_DRIVER=sql`: the SQL driver is not built into this binary yet.
    #[error("unable to instantiate SQL driver: the sql storage driver is not available yet")]
    SqlUnavailable,
}

/// One of the drivers `HELM_DRIVER` may pick.
#[derive(Debug)]
pub enum AnyDriver {
    /// `secret` (the default) or `configmap`.
    Cluster(ClusterDriver),
    /// `memory`.
    Memory(MemoryDriver),
}

/// The storage `HELM_DRIVER` (from `env`) names, over releases in
/// `namespace` (empty: every namespace): Secrets when unset, as in Helm.
pub fn storage_for(
    kube: &Arc<Kube>,
    env: &dyn Environment,
    namespace: &str,
) -> Result<Storage<AnyDriver>, SelectError> {
    let name = env.var("HELM_DRIVER").unwrap_or_default();
    let cluster = |kind| AnyDriver::Cluster(ClusterDriver::new(Arc::clone(kube), kind, namespace));
    let driver = match name.as_str() {
        "" | "secret" | "secrets" => cluster(ObjectKind::Secret),
        "configmap" | "configmaps" => cluster(ObjectKind::ConfigMap),
        "memory" => {
            let mut memory = MemoryDriver::new();
            memory.set_namespace(namespace);
            AnyDriver::Memory(memory)
        }
        "sql" => return Err(SelectError::SqlUnavailable),
        _ => return Err(SelectError::Unknown(name)),
    };
    Ok(Storage::new(driver))
}

impl Driver for AnyDriver {
    fn name(&self) -> &'static str {
        match self {
            AnyDriver::Cluster(d) => d.name(),
            AnyDriver::Memory(d) => d.name(),
        }
    }

    async fn get(&self, key: &str) -> Result<Release, StorageError> {
        match self {
            AnyDriver::Cluster(d) => d.get(key).await,
            AnyDriver::Memory(d) => d.get(key).await,
        }
    }

    async fn list(
        &self,
        filter: impl Fn(&Release) -> bool + Send,
    ) -> Result<Vec<Release>, StorageError> {
        match self {
            AnyDriver::Cluster(d) => d.list(filter).await,
            AnyDriver::Memory(d) => d.list(filter).await,
        }
    }

    async fn query(&self, labels: &BTreeMap<String, String>) -> Result<Vec<Release>, StorageError> {
        match self {
            AnyDriver::Cluster(d) => d.query(labels).await,
            AnyDriver::Memory(d) => d.query(labels).await,
        }
    }

    async fn create(&self, key: &str, release: &Release) -> Result<(), StorageError> {
        match self {
            AnyDriver::Cluster(d) => d.create(key, release).await,
            AnyDriver::Memory(d) => d.create(key, release).await,
        }
    }

    async fn update(&self, key: &str, release: &Release) -> Result<(), StorageError> {
        match self {
            AnyDriver::Cluster(d) => d.update(key, release).await,
            AnyDriver::Memory(d) => d.update(key, release).await,
        }
    }

    async fn delete(&self, key: &str) -> Result<Release, StorageError> {
        match self {
            AnyDriver::Cluster(d) => d.delete(key).await,
            AnyDriver::Memory(d) => d.delete(key).await,
        }
    }
}
