//! Helm's `memory` driver (`HELM_DRIVER=memory`): records in a map, gone
//! when the process ends. Used for dry runs and tests.

use std::collections::BTreeMap;
use std::future::{Future, ready};
use std::sync::{Mutex, MutexGuard, PoisonError};

use super::object::release_labels;
use super::{Driver, StorageError};
use crate::release::Release;

/// The key prefix every record's key starts with.
const KEY_PREFIX: &str = "sh.helm.release.v1.";

struct Record {
    release: Release,
    labels: BTreeMap<String, String>,
}

/// Records by namespace, then key.
type Records = BTreeMap<String, BTreeMap<String, Record>>;

/// Releases in memory, by namespace as Helm keeps them.
#[derive(Default)]
pub struct MemoryDriver {
    /// The namespace reads and deletes look in; empty for all.
    namespace: String,
    records: Mutex<Records>,
}

impl std::fmt::Debug for MemoryDriver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryDriver")
            .field("namespace", &self.namespace)
            .finish_non_exhaustive()
    }
}

impl MemoryDriver {
    /// An empty driver that sees every namespace.
    pub fn new() -> MemoryDriver {
        MemoryDriver::default()
    }

    /// Stores a record now (what [`Driver::create`] does, without a
    /// future), for loading records before any command runs.
    pub fn insert(&self, key: &str, release: &Release) -> Result<(), StorageError> {
        self.write_now(key, release, true)
    }

    /// Limits reads and deletes to `namespace` (empty: all namespaces).
    pub fn set_namespace(&mut self, namespace: impl Into<String>) {
        self.namespace = namespace.into();
    }

    fn lock(&self) -> MutexGuard<'_, Records> {
        // A panic elsewhere cannot leave a half-written map: every change
        // is one insert or remove.
        self.records.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The namespaces this driver currently sees.
    fn visible<'a>(
        &'a self,
        records: &'a Records,
    ) -> impl Iterator<Item = &'a BTreeMap<String, Record>> {
        records
            .iter()
            .filter(|(ns, _)| self.namespace.is_empty() || **ns == self.namespace)
            .map(|(_, recs)| recs)
    }

    fn get_now(&self, key: &str) -> Result<Release, StorageError> {
        check_key(key)?;
        let records = self.lock();
        self.visible(&records)
            .find_map(|recs| recs.get(key))
            .map(|r| r.release.clone())
            .ok_or(StorageError::NotFound)
    }

    fn query_now(&self, labels: &BTreeMap<String, String>) -> Result<Vec<Release>, StorageError> {
        let records = self.lock();
        let found: Vec<Release> = self
            .visible(&records)
            .flat_map(|recs| recs.values())
            .filter(|r| labels.iter().all(|(k, v)| r.labels.get(k) == Some(v)))
            .map(|r| r.release.clone())
            .collect();
        if found.is_empty() {
            Err(StorageError::NotFound)
        } else {
            Ok(found)
        }
    }

    fn write_now(&self, key: &str, release: &Release, create: bool) -> Result<(), StorageError> {
        check_key(key)?;
        let namespace = if release.namespace.is_empty() {
            "default"
        } else {
            &release.namespace
        };
        let mut records = self.lock();
        let recs = records.entry(namespace.to_string()).or_default();
        match (create, recs.contains_key(key)) {
            (true, true) => return Err(StorageError::Exists),
            (false, false) => return Err(StorageError::NotFound),
            _ => {}
        }
        recs.insert(
            key.to_string(),
            Record {
                release: release.clone(),
                labels: release_labels(release, None),
            },
        );
        Ok(())
    }

    fn delete_now(&self, key: &str) -> Result<Release, StorageError> {
        check_key(key)?;
        let mut records = self.lock();
        records
            .iter_mut()
            .filter(|(ns, _)| self.namespace.is_empty() || **ns == self.namespace)
            .find_map(|(_, recs)| recs.remove(key))
            .map(|r| r.release)
            .ok_or(StorageError::NotFound)
    }
}

/// Keys are `sh.helm.release.v1.NAME.vN`.
fn check_key(key: &str) -> Result<(), StorageError> {
    let valid = key
        .strip_prefix(KEY_PREFIX)
        .and_then(|rest| rest.rsplit_once(".v"))
        .is_some_and(|(name, version)| !name.is_empty() && version.parse::<i64>().is_ok());
    if valid {
        Ok(())
    } else {
        Err(StorageError::InvalidKey)
    }
}

impl Driver for MemoryDriver {
    fn name(&self) -> &'static str {
        "Memory"
    }

    fn get(&self, key: &str) -> impl Future<Output = Result<Release, StorageError>> + Send {
        ready(self.get_now(key))
    }

    fn list(
        &self,
        filter: impl Fn(&Release) -> bool + Send,
    ) -> impl Future<Output = Result<Vec<Release>, StorageError>> + Send {
        let records = self.lock();
        let found = self
            .visible(&records)
            .flat_map(|recs| recs.values())
            .map(|r| &r.release)
            .filter(|r| filter(r))
            .cloned()
            .collect();
        ready(Ok(found))
    }

    fn query(
        &self,
        labels: &BTreeMap<String, String>,
    ) -> impl Future<Output = Result<Vec<Release>, StorageError>> + Send {
        ready(self.query_now(labels))
    }

    fn create(
        &self,
        key: &str,
        release: &Release,
    ) -> impl Future<Output = Result<(), StorageError>> + Send {
        ready(self.write_now(key, release, true))
    }

    fn update(
        &self,
        key: &str,
        release: &Release,
    ) -> impl Future<Output = Result<(), StorageError>> + Send {
        ready(self.write_now(key, release, false))
    }

    fn delete(&self, key: &str) -> impl Future<Output = Result<Release, StorageError>> + Send {
        ready(self.delete_now(key))
    }
}

#[cfg(test)]
mod tests {
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    use super::*;
    use crate::release::{Info, Status};
    use crate::storage::Storage;

    /// Runs a future that never waits (every memory-driver future).
    fn now<T>(future: impl Future<Output = T>) -> T {
        let mut cx = Context::from_waker(Waker::noop());
        match pin!(future).poll(&mut cx) {
            Poll::Ready(v) => v,
            Poll::Pending => panic!("the memory driver never waits"),
        }
    }

    fn rel(name: &str, version: i64, status: Status) -> Release {
        Release {
            name: name.into(),
            version,
            namespace: "ns".into(),
            info: Some(Info {
                status: Some(status),
                ..Info::default()
            }),
            ..Release::default()
        }
    }

    #[test]
    fn driver_errors_are_helms() {
        let d = MemoryDriver::new();
        let r = rel("a", 1, Status::Deployed);
        now(d.create("sh.helm.release.v1.a.v1", &r)).unwrap();
        let err = now(d.create("sh.helm.release.v1.a.v1", &r)).unwrap_err();
        assert_eq!(err.to_string(), "release: already exists");
        let err = now(d.get("sh.helm.release.v1.a.v2")).unwrap_err();
        assert_eq!(err.to_string(), "release: not found");
        let err = now(d.update("sh.helm.release.v1.a.v2", &r)).unwrap_err();
        assert_eq!(err.to_string(), "release: not found");
        let err = now(d.get("a.v1")).unwrap_err();
        assert_eq!(err.to_string(), "release: invalid key");
        assert_eq!(now(d.delete("sh.helm.release.v1.a.v1")).unwrap(), r);
        assert!(now(d.query(&BTreeMap::new())).is_err());
    }

    #[test]
    fn namespaces_are_kept_apart() {
        let mut d = MemoryDriver::new();
        let mut other = rel("a", 1, Status::Deployed);
        other.namespace = "other".into();
        now(d.create("sh.helm.release.v1.a.v1", &rel("a", 1, Status::Deployed))).unwrap();
        now(d.create("sh.helm.release.v1.a.v1", &other)).unwrap();
        assert_eq!(now(d.list(|_| true)).unwrap().len(), 2);
        d.set_namespace("other");
        assert_eq!(now(d.list(|_| true)).unwrap(), vec![other]);
    }

    #[test]
    fn storage_history_deployed_last() {
        let s = Storage::new(MemoryDriver::new());
        now(s.create(&rel("a", 1, Status::Superseded))).unwrap();
        now(s.create(&rel("a", 2, Status::Deployed))).unwrap();
        now(s.create(&rel("a", 3, Status::Failed))).unwrap();
        now(s.create(&rel("b", 1, Status::Uninstalled))).unwrap();
        assert_eq!(now(s.history("a")).unwrap().len(), 3);
        assert_eq!(now(s.deployed("a")).unwrap().version, 2);
        assert_eq!(now(s.last("a")).unwrap().version, 3);
        assert_eq!(
            now(s.deployed("b")).unwrap_err().to_string(),
            "\"b\" has no deployed releases"
        );
        assert_eq!(now(s.list_uninstalled()).unwrap().len(), 1);
        assert_eq!(now(s.list_deployed()).unwrap().len(), 1);
        assert_eq!(now(s.list_releases()).unwrap().len(), 4);
        assert!(matches!(now(s.history("c")), Err(StorageError::NotFound)));
    }

    #[test]
    fn history_max_prunes_oldest_but_keeps_deployed() {
        let mut s = Storage::new(MemoryDriver::new());
        s.max_history = 2;
        now(s.create(&rel("a", 1, Status::Deployed))).unwrap();
        now(s.create(&rel("a", 2, Status::Failed))).unwrap();
        now(s.create(&rel("a", 3, Status::Failed))).unwrap();
        now(s.create(&rel("a", 4, Status::Failed))).unwrap();
        let mut versions: Vec<i64> = now(s.history("a"))
            .unwrap()
            .iter()
            .map(|r| r.version)
            .collect();
        versions.sort();
        assert_eq!(versions, vec![1, 4]);
    }
}
