//! Finding the chart a command names, as Helm's `LocateChart` does for
//! local paths; charts in repositories cannot be fetched yet.

use std::path::{Path, PathBuf};

use crate::codec::yaml;
use crate::engine::Value;
use crate::settings::EnvSettings;

/// Why a chart reference leads nowhere; the messages are Helm's.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LocateError {
    #[error("path {0:?} not found")]
    PathNotFound(String),
    #[error("non-absolute URLs should be in form of repo_name/path_to_chart, got: {0}")]
    NotRepoForm(String),
    #[error("repo {0} not found")]
    RepoNotFound(String),
    #[error("cannot fetch {0}: charts from repositories are not supported yet")]
    Remote(String),
}

/// The local path of the chart `name` refers to.
pub fn locate_chart(name: &str, settings: &EnvSettings) -> Result<PathBuf, LocateError> {
    let path = Path::new(name);
    if path.exists() {
        return Ok(path.to_path_buf());
    }
    if path.is_absolute() || name.starts_with('.') {
        return Err(LocateError::PathNotFound(name.to_string()));
    }
    if name.contains("://") {
        return Err(LocateError::Remote(name.to_string()));
    }
    let Some((repo, _)) = name.split_once('/') else {
        return Err(LocateError::NotRepoForm(name.to_string()));
    };
    if configured_repos(&settings.repository_config).contains(&repo.to_string()) {
        Err(LocateError::Remote(name.to_string()))
    } else {
        Err(LocateError::RepoNotFound(repo.to_string()))
    }
}

/// The repository names in `repositories.yaml` (none when it is absent or
/// unreadable).
fn configured_repos(file: &str) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(file) else {
        return Vec::new();
    };
    let Ok(Value::Map(doc)) = yaml::from_str(&text) else {
        return Vec::new();
    };
    let Some(Value::List(repos)) = doc.get("repositories") else {
        return Vec::new();
    };
    repos
        .items
        .iter()
        .filter_map(|r| match r {
            Value::Map(m) => m.get("name").and_then(|n| n.as_str().map(str::to_string)),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn missing_references_fail_as_in_helm() {
        let settings = EnvSettings::from_env(&BTreeMap::new());
        let err = |n| locate_chart(n, &settings).unwrap_err().to_string();
        assert_eq!(err("/no/such"), "path \"/no/such\" not found");
        assert_eq!(err("./no"), "path \"./no\" not found");
        assert_eq!(
            err("nochart"),
            "non-absolute URLs should be in form of repo_name/path_to_chart, got: nochart"
        );
        assert_eq!(err("norepo/chart"), "repo norepo not found");
    }
}
