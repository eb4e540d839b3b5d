//! `HELM_DRIVER`: which driver keeps the releases, as Helm's
//! `action.Configuration.Init` chooses it.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::sql::{CONNECTION_STRING_ENV, SqlDriver, SqlError};
use super::{ClusterDriver, Driver, MemoryDriver, ObjectKind, Storage, StorageError, object_name};
use crate::codec::{json, yaml};
use crate::engine::value::Value;
use crate::kube::Kube;
use crate::release::Release;
use crate::settings::Environment;

/// Why no driver was chosen; the texts are Helm's.
#[derive(Debug, thiserror::Error)]
pub enum SelectError {
    /// `HELM_DRIVER` names no driver Helm has.
    #[error("unknown driver {0:?}")]
    Unknown(String),
    /// A file of `HELM_MEMORY_DRIVER_DATA` cannot be read.
    #[error("Unable to read memory driver data{0}")]
    MemoryDataRead(String),
    /// A file of `HELM_MEMORY_DRIVER_DATA` is not a list of releases.
    #[error("Unable to unmarshal memory driver data: {0}")]
    MemoryDataParse(String),
    /// Two records of `HELM_MEMORY_DRIVER_DATA` have the same key.
    #[error(transparent)]
    MemoryDataStore(StorageError),
    /// `HELM_DRIVER=sql`: the database of `HELM_DRIVER_SQL_CONNECTION_STRING`
    /// cannot be reached, or its tables cannot be set up.
    #[error("unable to instantiate SQL driver: {0}")]
    Sql(#[source] SqlError),
}

/// One of the drivers `HELM_DRIVER` may pick.
#[derive(Debug)]
pub enum AnyDriver {
    /// `secret` (the default) or `configmap`.
    Cluster(ClusterDriver),
    /// `memory`.
    Memory(MemoryDriver),
    /// `sql`.
    Sql(SqlDriver),
}

/// The storage `HELM_DRIVER` (from `env`) names, over releases in
/// `namespace` (empty: every namespace): Secrets when unset, as in Helm;
/// for `memory`, the records `HELM_MEMORY_DRIVER_DATA` lists; for `sql`,
/// the database `HELM_DRIVER_SQL_CONNECTION_STRING` names (connecting
/// needs a tokio runtime, which then drives the connection).
pub async fn storage_for(
    kube: &Arc<Kube>,
    env: &dyn Environment,
    namespace: &str,
) -> Result<Storage<AnyDriver>, SelectError> {
    let name = env.var("HELM_DRIVER").unwrap_or_default();
    let cluster = |kind| AnyDriver::Cluster(ClusterDriver::new(Arc::clone(kube), kind, namespace));
    let driver = match name.as_str() {
        "" | "secret" | "secrets" => cluster(ObjectKind::Secret),
        "configmap" | "configmaps" => cluster(ObjectKind::ConfigMap),
        "memory" => AnyDriver::Memory(memory_driver(env, namespace)?),
        "sql" => {
            let connection_string = env.var(CONNECTION_STRING_ENV).unwrap_or_default();
            let connect = SqlDriver::connect_in(&connection_string, namespace, env);
            AnyDriver::Sql(connect.await.map_err(SelectError::Sql)?)
        }
        _ => return Err(SelectError::Unknown(name)),
    };
    Ok(Storage::new(driver))
}

/// The largest memory-driver data file read.
const MAX_MEMORY_DATA: u64 = 64 << 20;

/// Helm's memory driver as its command line sets it up: the releases of
/// the files `HELM_MEMORY_DRIVER_DATA` lists (`:`-separated; YAML or JSON
/// lists of release records), then reads limited to `namespace`. As in
/// Helm, an unset variable names one empty path, which cannot be read.
fn memory_driver(env: &dyn Environment, namespace: &str) -> Result<MemoryDriver, SelectError> {
    let mut memory = MemoryDriver::new();
    let paths = env.var("HELM_MEMORY_DRIVER_DATA").unwrap_or_default();
    for path in paths.split(':') {
        let text = read_limited(path).map_err(|e| {
            SelectError::MemoryDataRead(format!("open {path}: {}", crate::goio::error_text(&e)))
        })?;
        for release in parse_releases(&text)? {
            memory
                .insert(&object_name(&release.name, release.version), &release)
                .map_err(SelectError::MemoryDataStore)?;
        }
    }
    memory.set_namespace(namespace);
    Ok(memory)
}

fn read_limited(path: &str) -> std::io::Result<String> {
    use std::io::Read;
    let mut text = String::new();
    std::fs::File::open(path)?
        .take(MAX_MEMORY_DATA)
        .read_to_string(&mut text)?;
    Ok(text)
}

/// A YAML (or JSON) list of release records, read as `sigs.k8s.io/yaml`
/// reads it: YAML to JSON, then each record as Helm decodes one.
fn parse_releases(text: &str) -> Result<Vec<Release>, SelectError> {
    let bad = |msg: String| SelectError::MemoryDataParse(msg);
    let doc = yaml::from_str(text).map_err(|e| bad(e.to_string()))?;
    let items = match &doc {
        Value::Nil => return Ok(Vec::new()),
        Value::List(list) => list.items.clone(),
        _ => {
            return Err(bad(
                "json: cannot unmarshal object into Go value of type []*v1.Release".into(),
            ));
        }
    };
    items
        .iter()
        .filter(|item| !matches!(item, Value::Nil))
        .map(|item| {
            let text = json::to_string(item).map_err(|e| bad(e.to_string()))?;
            Release::from_json(&text).map_err(|e| bad(e.to_string()))
        })
        .collect()
}

impl Driver for AnyDriver {
    fn name(&self) -> &'static str {
        match self {
            AnyDriver::Cluster(d) => d.name(),
            AnyDriver::Memory(d) => d.name(),
            AnyDriver::Sql(d) => d.name(),
        }
    }

    async fn get(&self, key: &str) -> Result<Release, StorageError> {
        match self {
            AnyDriver::Cluster(d) => d.get(key).await,
            AnyDriver::Memory(d) => d.get(key).await,
            AnyDriver::Sql(d) => d.get(key).await,
        }
    }

    async fn list(
        &self,
        filter: impl Fn(&Release) -> bool + Send,
    ) -> Result<Vec<Release>, StorageError> {
        match self {
            AnyDriver::Cluster(d) => d.list(filter).await,
            AnyDriver::Memory(d) => d.list(filter).await,
            AnyDriver::Sql(d) => d.list(filter).await,
        }
    }

    async fn query(&self, labels: &BTreeMap<String, String>) -> Result<Vec<Release>, StorageError> {
        match self {
            AnyDriver::Cluster(d) => d.query(labels).await,
            AnyDriver::Memory(d) => d.query(labels).await,
            AnyDriver::Sql(d) => d.query(labels).await,
        }
    }

    async fn create(&self, key: &str, release: &Release) -> Result<(), StorageError> {
        match self {
            AnyDriver::Cluster(d) => d.create(key, release).await,
            AnyDriver::Memory(d) => d.create(key, release).await,
            AnyDriver::Sql(d) => d.create(key, release).await,
        }
    }

    async fn update(&self, key: &str, release: &Release) -> Result<(), StorageError> {
        match self {
            AnyDriver::Cluster(d) => d.update(key, release).await,
            AnyDriver::Memory(d) => d.update(key, release).await,
            AnyDriver::Sql(d) => d.update(key, release).await,
        }
    }

    async fn delete(&self, key: &str) -> Result<Release, StorageError> {
        match self {
            AnyDriver::Cluster(d) => d.delete(key).await,
            AnyDriver::Memory(d) => d.delete(key).await,
            AnyDriver::Sql(d) => d.delete(key).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_data_is_a_list_of_records() {
        let releases = parse_releases(
            "- {name: a, namespace: x, version: 1, info: {status: deployed}}\n\
             - {name: a, namespace: x, version: 2, info: {status: failed}}\n",
        )
        .unwrap();
        assert_eq!(releases.len(), 2);
        assert_eq!(releases[1].version, 2);
        assert!(parse_releases("").unwrap().is_empty());
        let err = parse_releases("name: a\n").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("Unable to unmarshal memory driver data: json: cannot unmarshal"),
            "{err}"
        );
    }

    #[test]
    fn memory_data_must_be_readable() {
        let env = std::collections::BTreeMap::new();
        let err = memory_driver(&env, "default").unwrap_err();
        assert_eq!(
            err.to_string(),
            "Unable to read memory driver dataopen : no such file or directory"
        );
    }
}
