//! `helm history`: the revisions of one release, as Helm's `action.History`
//! and its command choose them.

use super::template::validate_release_name;
use crate::release::Release;
use crate::storage::{Driver, Storage, StorageError};

/// Why the history could not be read.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// The name is not a valid release name, so no release can have it.
    #[error("release name is invalid: {0}")]
    InvalidName(String),
    /// The storage failed, or has no revision of the release
    /// ([`StorageError::NotFound`]).
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// The newest `max` revisions of release `name`, oldest first.
pub async fn history<D: Driver>(
    storage: &Storage<D>,
    name: &str,
    max: usize,
) -> Result<Vec<Release>, HistoryError> {
    if validate_release_name(name).is_err() {
        return Err(HistoryError::InvalidName(name.to_string()));
    }
    let mut revisions = storage.history(name).await?;
    revisions.sort_by_key(|r| std::cmp::Reverse(r.version));
    revisions.truncate(max);
    revisions.reverse();
    Ok(revisions)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::MemoryDriver;

    #[test]
    fn the_newest_revisions_oldest_first() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let storage = Storage::new(MemoryDriver::new());
        for v in [3, 1, 2] {
            let r = Release::from_json(&format!(
                r#"{{"name":"web","namespace":"a","version":{v},"info":{{"status":"superseded"}}}}"#
            ))
            .unwrap();
            rt.block_on(storage.create(&r)).unwrap();
        }
        let versions = |max| -> Vec<i64> {
            rt.block_on(history(&storage, "web", max))
                .unwrap()
                .iter()
                .map(|r| r.version)
                .collect()
        };
        assert_eq!(versions(256), [1, 2, 3]);
        assert_eq!(versions(2), [2, 3]);
        let err = rt.block_on(history(&storage, "nope", 5)).unwrap_err();
        assert_eq!(err.to_string(), "release: not found");
        let err = rt.block_on(history(&storage, "Bad_Name", 5)).unwrap_err();
        assert_eq!(err.to_string(), "release name is invalid: Bad_Name");
    }
}
