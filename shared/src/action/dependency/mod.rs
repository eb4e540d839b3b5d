//! `helm dependency`: list a chart's declared dependencies and their
//! state in `charts/` (here), and fill `charts/` from them ([`manager`]:
//! `update` and `build`, for `file://` dependencies).

mod manager;

pub use manager::{DependencyManager, update_missing};

use std::fs;
use std::path::{Path, PathBuf};

use super::package::PackageError;
use crate::chart::{Chart, Dependency, LoadError, load_archive, load_dir};
use crate::codec::json::JsonError;
use crate::constraints::{self, Constraint};
use crate::engine::gofmt::quote;
use crate::log::Log;
use crate::pathmatch;

/// `helm dependency list`.
#[derive(Clone, Debug)]
pub struct DependencyList {
    /// The chart, as the user named it (printed paths keep that spelling).
    pub chart: String,
    /// `--max-col-width`: longer cells are cut, ending in `...`.
    pub max_column_width: usize,
}

/// Why a `dependency` command failed; the messages are Helm's, except
/// for [`DependencyError::Remote`].
#[derive(Debug, thiserror::Error)]
pub enum DependencyError {
    #[error("stat {0}: no such file or directory")]
    NotFound(String),
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("could not find {path}: stat {path}: {reason}")]
    CouldNotFind { path: String, reason: String },
    #[error("only unpacked charts can be updated")]
    NotUnpacked,
    /// A dependency from a chart repository or OCI registry: fetching
    /// those is not implemented (Helm would download it).
    #[error(
        "dependency {name:?} comes from repository {repository:?}: remote chart repositories are not supported yet; only file:// dependencies and charts already in charts/ can be used"
    )]
    Remote { name: String, repository: String },
    #[error("directory {0} not found")]
    LocalPathMissing(String),
    #[error("dependency {name:?} has an invalid version/constraint format: {reason}")]
    InvalidConstraint { name: String, reason: String },
    #[error("invalid version {version} for dependency {name}: {reason}")]
    InvalidVersion {
        name: String,
        version: String,
        reason: String,
    },
    #[error(
        "can't get a valid version for {} subchart(s): {}. Make sure a matching chart version exists in the repo, or change the version constraint in Chart.yaml",
        .0.len(),
        unsatisfied_list(.0)
    )]
    NoValidVersion(Vec<(String, String, String)>),
    #[error("can't get a valid version for dependency {0}")]
    NoLocalVersion(String),
    #[error("unable to load chart '{path}': {source}")]
    UnpackedLoad {
        path: String,
        #[source]
        source: LoadError,
    },
    #[error("dependency {name} at version {version} does not satisfy the constraint {constraint}")]
    UnpackedMismatch {
        name: String,
        version: String,
        constraint: String,
    },
    #[error("{} is not a directory", quote(.0))]
    ChartsNotADirectory(String),
    #[error(
        "the lock file (Chart.lock) is out of sync with the dependencies file (Chart.yaml). Please update the dependencies with 'helm dependency update'"
    )]
    LockOutOfSync,
    #[error(
        "the lock file (requirements.lock) is out of sync with the dependencies file (requirements.yaml). Please update the dependencies"
    )]
    RequirementsLockOutOfSync,
    #[error(transparent)]
    Digest(#[from] JsonError),
    #[error(transparent)]
    Package(Box<PackageError>),
    #[error("{path}: {reason}")]
    Io { path: String, reason: String },
}

/// `"a" (repository "file://../a", version "^2.0.0"), …`
fn unsatisfied_list(items: &[(String, String, String)]) -> String {
    items
        .iter()
        .map(|(name, repository, version)| {
            format!(
                "{} (repository {}, version {})",
                quote(name),
                quote(repository),
                quote(version)
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl DependencyList {
    /// What `helm dependency list` prints; the loader's warnings (the
    /// chart's, then those of each chart in `charts/`) go to `log`.
    pub fn run(&self, log: &mut dyn Log) -> Result<String, DependencyError> {
        let dir = Path::new(&self.chart);
        let chart = load_chart(dir, log)?;
        let charts_dir = join(&self.chart, "charts");
        let Some(declared) = &chart.metadata.dependencies else {
            return Ok(format!("WARNING: no dependencies at {charts_dir}\n"));
        };
        let mut rows = vec![["NAME", "VERSION", "REPOSITORY", "STATUS"].map(String::from)];
        for dep in declared.iter().flatten() {
            rows.push([
                dep.name.clone(),
                dep.version.clone(),
                dep.repository.clone(),
                status(dir, dep, &chart, log).to_string(),
            ]);
        }
        let mut out = table(&rows, self.max_column_width);
        out.push_str("\n\n");
        out.push_str(&self.undeclared(&chart, &charts_dir, log));
        Ok(out)
    }

    /// Warnings for what sits in `charts/` without being declared.
    fn undeclared(&self, chart: &Chart, charts_dir: &str, log: &mut dyn Log) -> String {
        let mut out = String::new();
        for (name, path) in entries(Path::new(charts_dir)) {
            let shown = format!("{charts_dir}/{name}");
            let loaded = if path.is_dir() {
                load_dir(&path, log)
            } else if name.ends_with(".tgz") {
                fs::read(&path)
                    .map_err(|source| LoadError::Io {
                        path: shown.clone(),
                        source,
                    })
                    .and_then(|data| load_archive(&data, log))
            } else {
                continue;
            };
            match loaded {
                Err(_) => out.push_str(&format!("WARNING: {} is not a chart.\n", quote(&shown))),
                Ok(sub)
                    if !chart
                        .metadata
                        .dependency_list()
                        .any(|d| d.name == sub.name()) =>
                {
                    out.push_str(&format!(
                        "WARNING: {} is not in Chart.yaml.\n",
                        quote(&shown)
                    ));
                }
                Ok(_) => {}
            }
        }
        out
    }
}

/// Helm's `loader.Load` of a chart directory (archives at the top level
/// arrive with the archive reader).
fn load_chart(dir: &Path, log: &mut dyn Log) -> Result<Chart, DependencyError> {
    if !dir.exists() {
        return Err(DependencyError::NotFound(dir.display().to_string()));
    }
    if dir.is_dir() && !dir.join("Chart.yaml").is_file() {
        return Err(LoadError::ChartYamlMissing.into());
    }
    if dir.is_file() {
        let data = fs::read(dir).map_err(|source| LoadError::Io {
            path: dir.display().to_string(),
            source,
        })?;
        return Ok(load_archive(&data, log)?);
    }
    Ok(load_dir(dir, log)?)
}

/// A dependency's state in `charts/`: an archive `NAME-*.tgz` is checked
/// first (`ok`, `corrupt`, `misnamed`, `wrong version`…), then the loaded
/// subcharts (`unpacked`, `missing`…).
fn status(dir: &Path, dep: &Dependency, parent: &Chart, log: &mut dyn Log) -> &'static str {
    let pattern = format!("{}-*.tgz", dep.name);
    let archives: Vec<PathBuf> = entries(&dir.join("charts"))
        .into_iter()
        .filter(|(name, _)| pathmatch::matches(&pattern, name).unwrap_or(false))
        .map(|(_, path)| path)
        .collect();
    let archive = match archives.as_slice() {
        [one] => Some(one.clone()),
        [] => None,
        many => {
            // Only names whose rest is a strict SemVer version count.
            let prefix = format!("{}-", dep.name);
            let versioned: Vec<&PathBuf> = many
                .iter()
                .filter(|p| {
                    let file = p.file_name().unwrap_or_default().to_string_lossy();
                    let version = file
                        .trim_end_matches(".tgz")
                        .strip_prefix(&prefix)
                        .unwrap_or_default()
                        .to_string();
                    semver::Version::parse(&version).is_ok()
                })
                .collect();
            match versioned.as_slice() {
                [one] => Some((*one).clone()),
                [] => None,
                _ => return "too many matches",
            }
        }
    };
    if let Some(path) = archive {
        return match fs::read(&path).map(|data| load_archive(&data, log)) {
            Ok(Ok(chart)) if chart.name() != dep.name => "misnamed",
            Ok(Ok(chart)) => version_status(dep, &chart).unwrap_or("ok"),
            _ => "corrupt",
        };
    }
    // The last subchart of that name, as Helm's loop leaves it.
    match parent
        .dependencies
        .iter()
        .rev()
        .find(|c| c.name() == dep.name)
    {
        None => "missing",
        Some(sub) => version_status(dep, sub).unwrap_or("unpacked"),
    }
}

/// `invalid version` or `wrong version` when the chart's version does not
/// satisfy the requirement.
fn version_status(dep: &Dependency, chart: &Chart) -> Option<&'static str> {
    if chart.metadata.version == dep.version {
        return None;
    }
    let Ok(constraint) = Constraint::parse(&dep.version) else {
        return Some("invalid version");
    };
    let Ok(version) = constraints::parse_version(&chart.metadata.version) else {
        return Some("invalid version");
    };
    (!constraint.matches(&version)).then_some("wrong version")
}

/// The entries of a directory, sorted by name, as Go's `filepath.Glob`
/// returns them (none when it cannot be read).
fn entries(dir: &Path) -> Vec<(String, PathBuf)> {
    let Ok(read) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<(String, PathBuf)> = read
        .filter_map(|e| e.ok())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .collect();
    out.sort();
    out
}

/// `filepath.Join(base, name)` for the simple cases Helm prints.
fn join(base: &str, name: &str) -> String {
    let base = base.trim_end_matches('/');
    match base {
        "" | "." => name.to_string(),
        _ => format!("{base}/{name}"),
    }
}

/// A table as the `uitable` package prints it: every cell padded to its
/// column's width, cells separated by a tab, no final newline.
fn table(rows: &[[String; 4]], max_width: usize) -> String {
    let cut = |s: &str| -> String {
        if s.chars().count() <= max_width {
            return s.to_string();
        }
        let keep = max_width.saturating_sub(3);
        s.chars().take(keep).chain("...".chars()).collect()
    };
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| cut(c)).collect())
        .collect();
    let widths: Vec<usize> = (0..4)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    rows.iter()
        .map(|r| {
            r.iter()
                .zip(&widths)
                .map(|(cell, w)| format!("{cell:<w$}"))
                .collect::<Vec<_>>()
                .join("\t")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_pad_every_column_and_cut_long_cells() {
        let rows = [
            ["NAME", "V", "R", "STATUS"].map(String::from),
            ["a", "1.0.0", "xxxxxxxxxx", "ok"].map(String::from),
        ];
        assert_eq!(
            table(&rows, 8),
            "NAME\tV    \tR       \tSTATUS\na   \t1.0.0\txxxxx...\tok    "
        );
    }

    #[test]
    fn joining_keeps_the_users_spelling() {
        assert_eq!(join("a/b/", "charts"), "a/b/charts");
        assert_eq!(join(".", "charts"), "charts");
    }
}
