//! `helm list`: the latest revision of each release, filtered by status,
//! name pattern and labels, sorted and paged as Helm's `action.List` does.

use std::collections::HashMap;

use regex::Regex;

use crate::engine::funcs::regex::compile as compile_go_regex;
use crate::kube::selector::{Selector, SelectorError};
use crate::release::{Release, Status};
use crate::storage::{Driver, Storage, StorageError};

/// Which statuses are shown (Helm's `ListStates` bits).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct States {
    pub deployed: bool,
    pub uninstalled: bool,
    pub uninstalling: bool,
    /// `pending-install`, `pending-upgrade` and `pending-rollback`.
    pub pending: bool,
    pub superseded: bool,
    pub failed: bool,
}

impl States {
    /// Every state but `unknown`.
    pub const ALL: States = States {
        deployed: true,
        uninstalled: true,
        uninstalling: true,
        pending: true,
        superseded: true,
        failed: true,
    };

    /// Helm 4.3's default when no state flag is given: every state (Helm
    /// 3 showed deployed and failed only, and had `--all`).
    pub fn or_default(self) -> States {
        if self == States::default() {
            States::ALL
        } else {
            self
        }
    }

    /// Whether a revision with `status` is shown. Statuses Helm does not
    /// know (and `unknown`) are never shown.
    fn admits(&self, status: Option<&Status>) -> bool {
        match status {
            Some(Status::Deployed) => self.deployed,
            Some(Status::Uninstalled) => self.uninstalled,
            Some(Status::Uninstalling) => self.uninstalling,
            Some(Status::PendingInstall | Status::PendingUpgrade | Status::PendingRollback) => {
                self.pending
            }
            Some(Status::Superseded) => self.superseded,
            Some(Status::Failed) => self.failed,
            _ => false,
        }
    }

    /// Only superseded revisions are asked for: then every revision is
    /// considered, not only the latest of each release.
    fn only_superseded(&self) -> bool {
        *self
            == States {
                superseded: true,
                ..States::default()
            }
    }
}

/// The order of the listing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    /// By name (the default).
    #[default]
    ByName,
    /// By name, descending (`--reverse`).
    ByNameDesc,
    /// By last deployment, oldest first, then by name (`--date`).
    ByDate,
    /// The reverse of [`Sort::ByDate`] (`--date --reverse`).
    ByDateDesc,
}

impl Sort {
    /// The order `--date` and `--reverse` ask for.
    pub fn from_flags(by_date: bool, reverse: bool) -> Sort {
        match (by_date, reverse) {
            (false, false) => Sort::ByName,
            (false, true) => Sort::ByNameDesc,
            (true, false) => Sort::ByDate,
            (true, true) => Sort::ByDateDesc,
        }
    }
}

/// Why listing failed.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    /// `--filter` is not a valid Go regular expression.
    #[error("{0}")]
    Filter(String),
    /// `--selector` does not parse.
    #[error(transparent)]
    Selector(#[from] SelectorError),
    /// The storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// The options of `helm list`.
#[derive(Clone, Debug)]
pub struct List {
    pub states: States,
    /// A Go regular expression release names must match (unanchored).
    pub filter: String,
    /// A label selector over the release's labels (with Helm's own, for
    /// the Secret and ConfigMap drivers).
    pub selector: String,
    pub sort: Sort,
    /// At most this many releases (`--max`); 0 for all.
    pub limit: usize,
    /// Skip this many first (`--offset`).
    pub offset: usize,
}

impl Default for List {
    fn default() -> List {
        List {
            states: States::default(),
            filter: String::new(),
            selector: String::new(),
            sort: Sort::ByName,
            limit: 256,
            offset: 0,
        }
    }
}

impl List {
    /// The releases of `storage` this listing shows.
    pub async fn run<D: Driver>(&self, storage: &Storage<D>) -> Result<Vec<Release>, ListError> {
        let filter = self.compile_filter()?;
        let selector = Selector::parse(&self.selector)?;
        let all = storage
            .driver
            .list(|r| filter.as_ref().is_none_or(|re| re.is_match(&r.name)))
            .await?;
        Ok(self.select(all, &selector))
    }

    fn compile_filter(&self) -> Result<Option<Regex>, ListError> {
        if self.filter.is_empty() {
            return Ok(None);
        }
        compile_go_regex(&self.filter)
            .map(Some)
            .map_err(ListError::Filter)
    }

    /// Latest revisions, states, labels, order, then the page.
    fn select(&self, releases: Vec<Release>, selector: &Selector) -> Vec<Release> {
        let states = self.states.or_default();
        let releases = if states.only_superseded() {
            releases
        } else {
            latest_revisions(releases)
        };
        let mut shown: Vec<Release> = releases
            .into_iter()
            .filter(|r| states.admits(r.status()))
            .filter(|r| selector.matches(&r.labels))
            .collect();
        sort(&mut shown, self.sort);
        if self.offset >= shown.len() {
            return Vec::new();
        }
        let mut page: Vec<Release> = shown.drain(self.offset..).collect();
        if self.limit > 0 {
            page.truncate(self.limit);
        }
        page
    }
}

/// The newest revision of each release, by namespace and name.
fn latest_revisions(releases: Vec<Release>) -> Vec<Release> {
    let mut latest: HashMap<(String, String), Release> = HashMap::new();
    for release in releases {
        let key = (release.namespace.clone(), release.name.clone());
        match latest.get(&key) {
            Some(kept) if kept.version > release.version => {}
            _ => {
                latest.insert(key, release);
            }
        }
    }
    latest.into_values().collect()
}

fn last_deployed_unix(release: &Release) -> i64 {
    release
        .info
        .as_ref()
        .map_or(i64::MIN, |info| info.last_deployed.unix())
}

/// Sorts as Helm does. Releases of one name in several namespaces keep an
/// order Helm leaves unspecified; we order them by namespace.
fn sort(releases: &mut [Release], order: Sort) {
    let by_name = |a: &Release, b: &Release| {
        a.name
            .cmp(&b.name)
            .then_with(|| a.namespace.cmp(&b.namespace))
    };
    let by_date = |a: &Release, b: &Release| {
        last_deployed_unix(a)
            .cmp(&last_deployed_unix(b))
            .then_with(|| by_name(a, b))
    };
    match order {
        Sort::ByName => releases.sort_by(by_name),
        Sort::ByNameDesc => releases.sort_by(|a, b| by_name(b, a)),
        Sort::ByDate => releases.sort_by(by_date),
        Sort::ByDateDesc => releases.sort_by(|a, b| by_date(b, a)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::MemoryDriver;

    fn release(name: &str, ns: &str, version: i64, status: &str, deployed: &str) -> Release {
        Release::from_json(&format!(
            r#"{{"name":"{name}","namespace":"{ns}","version":{version},
                "info":{{"status":"{status}","last_deployed":"{deployed}"}}}}"#
        ))
        .unwrap()
    }

    fn storage(releases: &[Release]) -> Storage<MemoryDriver> {
        let storage = Storage::new(MemoryDriver::new());
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        for r in releases {
            rt.block_on(storage.create(r)).unwrap();
        }
        storage
    }

    fn names(list: &List, storage: &Storage<MemoryDriver>) -> Vec<String> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(list.run(storage))
            .unwrap()
            .into_iter()
            .map(|r| format!("{}.{}", r.name, r.version))
            .collect()
    }

    #[test]
    fn latest_revisions_by_state_filter_and_order() {
        let s = storage(&[
            release("web", "a", 1, "superseded", "2024-01-01T00:00:00Z"),
            release("web", "a", 2, "deployed", "2024-01-03T00:00:00Z"),
            release("db", "a", 1, "failed", "2024-01-02T00:00:00Z"),
            release("old", "a", 1, "uninstalled", "2024-01-01T00:00:00Z"),
            release("cache", "b", 1, "pending-install", "2024-01-04T00:00:00Z"),
        ]);
        let mut list = List::default();
        assert_eq!(names(&list, &s), ["cache.1", "db.1", "old.1", "web.2"]);
        list.states = States {
            deployed: true,
            failed: true,
            ..States::default()
        };
        assert_eq!(names(&list, &s), ["db.1", "web.2"]);
        list.states = States::default();
        list.sort = Sort::ByDate;
        assert_eq!(names(&list, &s), ["old.1", "db.1", "web.2", "cache.1"]);
        list.sort = Sort::ByNameDesc;
        assert_eq!(names(&list, &s), ["web.2", "old.1", "db.1", "cache.1"]);
        list.offset = 1;
        list.limit = 2;
        assert_eq!(names(&list, &s), ["old.1", "db.1"]);
        list.offset = 9;
        assert!(names(&list, &s).is_empty());

        // Only superseded: every revision counts, not just the latest.
        let list = List {
            states: States {
                superseded: true,
                ..States::default()
            },
            ..List::default()
        };
        assert_eq!(names(&list, &s), ["web.1"]);

        let list = List {
            states: States::ALL,
            filter: r"^\w{2}b$".into(),
            ..List::default()
        };
        assert_eq!(names(&list, &s), ["web.2"]);
    }

    #[test]
    fn bad_filters_and_selectors_are_errors() {
        let s = storage(&[]);
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let list = List {
            filter: "(".into(),
            ..List::default()
        };
        let err = rt.block_on(list.run(&s)).unwrap_err().to_string();
        assert_eq!(err, "error parsing regexp: missing closing ): `(`");
        let list = List {
            selector: "a in x".into(),
            ..List::default()
        };
        assert!(rt.block_on(list.run(&s)).is_err());
    }
}
