//! `helm dependency update` and `build`: resolve the declared dependencies,
//! put their archives in `charts/`, and keep `Chart.lock` in step.
//!
//! Only dependencies Helm finds without a network are supported: those
//! with a `file://` repository (a chart directory, packaged into
//! `charts/NAME-VERSION.tgz`) and those with no repository (already in
//! `charts/NAME/`). Chart repositories and OCI registries are refused with
//! [`DependencyError::Remote`].
//!
//! The loader's warnings for each chart loaded go to the caller's log, as
//! Helm logs them: the chart, then each `file://` chart as it is resolved
//! and again as it is archived.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::DependencyError;
use crate::action::package::archive_dir;
use crate::chart::archive::load_file;
use crate::chart::{
    Chart, Dependency, Lock, check_dependencies, go_timestamp, hash_requirements,
    hash_v2_requirements, load, load_dir,
};
use crate::constraints::{self, Constraint};
use crate::engine::funcs::paths::clean;
use crate::goio;
use crate::log::{Log, Record};

const API_VERSION_V1: &str = "v1";
const FILE_SCHEME: &str = "file://";

/// Helm's download manager for one chart directory.
#[derive(Clone, Debug)]
pub struct DependencyManager {
    /// The chart directory, cleaned as Go's `filepath.Clean` (messages
    /// show paths joined to it).
    chart: String,
    /// `--debug`: also say where each dependency comes from.
    debug: bool,
}

/// A dependency no local chart satisfies: name, repository, constraint.
type Unsatisfied = (String, String, String);

impl DependencyManager {
    pub fn new(chart: &str, debug: bool) -> DependencyManager {
        DependencyManager {
            chart: clean(chart),
            debug,
        }
    }

    /// `helm dependency update`: resolve every dependency against its
    /// chart, refill `charts/`, and write the lock file unless its digest
    /// is unchanged.
    pub fn update(&self, out: &mut dyn Write, log: &mut dyn Log) -> Result<(), DependencyError> {
        let chart = self.load_chart(log)?;
        let Some(declared) = &chart.metadata.dependencies else {
            return Ok(());
        };
        let req: Vec<Dependency> = declared.iter().flatten().cloned().collect();
        self.check_repositories(&req, out)?;
        let mut locked = self.resolve(&req, log)?;
        self.download_all(&mut locked, out, log)?;
        let digest = hash_requirements(Some(&req), &locked)?;
        if chart.lock.as_ref().is_some_and(|old| old.digest == digest) {
            return Ok(());
        }
        let lock = Lock {
            generated: go_timestamp(&chrono::Local::now()),
            digest,
            dependencies: Some(locked.into_iter().map(Some).collect()),
        };
        let name = if chart.metadata.api_version == API_VERSION_V1 {
            "requirements.lock"
        } else {
            "Chart.lock"
        };
        let path = self.join(name);
        fs::write(&path, lock.to_yaml()).map_err(|source| io_error(&path, source))
    }

    /// `helm dependency build`: refill `charts/` from the lock file, which
    /// must still match the declared dependencies; without a lock file,
    /// an update. `log` receives Helm's line about Helm 2 digests.
    pub fn build(&self, out: &mut dyn Write, log: &mut dyn Log) -> Result<(), DependencyError> {
        let chart = self.load_chart(log)?;
        let Some(lock) = chart.lock.clone() else {
            return self.update(out, log);
        };
        let req: Option<Vec<Dependency>> = chart
            .metadata
            .dependencies
            .as_ref()
            .map(|d| d.iter().flatten().cloned().collect());
        let v1 = chart.metadata.api_version == API_VERSION_V1;
        let v2_digest = if v1 {
            hash_v2_requirements(req.as_deref()).ok()
        } else {
            None
        };
        self.check_repositories(req.as_deref().unwrap_or_default(), out)?;
        let mut locked: Vec<Dependency> = lock.dependency_list().cloned().collect();
        let digest = hash_requirements(req.as_deref(), &locked).ok();
        if digest.as_deref() != Some(lock.digest.as_str()) {
            if !v1 {
                return Err(DependencyError::LockOutOfSync);
            }
            log.log(Record::info(
                "warning: a valid Helm v3 hash was not found. Checking against Helm v2 hash...",
            ));
            if v2_digest.as_deref() != Some(lock.digest.as_str()) {
                return Err(DependencyError::RequirementsLockOutOfSync);
            }
        }
        if let Some(remote) = locked.iter().find(|d| is_remote(d)) {
            return Err(remote_error(remote));
        }
        self.download_all(&mut locked, out, log)
    }

    /// Helm's `loadChartDir`: only a chart directory can be updated.
    fn load_chart(&self, log: &mut dyn Log) -> Result<Chart, DependencyError> {
        match fs::metadata(&self.chart) {
            Err(e) => Err(DependencyError::CouldNotFind {
                path: self.chart.clone(),
                reason: goio::error_text(&e),
            }),
            Ok(meta) if !meta.is_dir() => Err(DependencyError::NotUnpacked),
            Ok(_) => Ok(load_dir(Path::new(&self.chart), log)?),
        }
    }

    /// Helm's `resolveRepoNames`, offline: `file://` directories must
    /// exist, and nothing may come from a remote repository.
    fn check_repositories(
        &self,
        deps: &[Dependency],
        out: &mut dyn Write,
    ) -> Result<(), DependencyError> {
        for dep in deps {
            if dep.repository.is_empty() {
                continue;
            }
            if !dep.repository.starts_with(FILE_SCHEME) {
                return Err(remote_error(dep));
            }
            self.local_path(&dep.repository)?;
            if self.debug {
                say(
                    out,
                    &format!("Repository from local path: {}", dep.repository),
                )?;
            }
        }
        Ok(())
    }

    /// Helm's resolver: the exact version each dependency is locked to.
    fn resolve(
        &self,
        req: &[Dependency],
        log: &mut dyn Log,
    ) -> Result<Vec<Dependency>, DependencyError> {
        let mut locked = Vec::with_capacity(req.len());
        let mut unsatisfied: Vec<Unsatisfied> = Vec::new();
        for dep in req {
            let constraint = parse_constraint(dep)?;
            if dep.repository.is_empty() {
                self.local_path(&format!("charts/{}", dep.name))?;
                locked.push(lock_entry(dep, &dep.version));
                continue;
            }
            if !dep.repository.starts_with(FILE_SCHEME) {
                return Err(remote_error(dep));
            }
            let chart = load_dir(&self.local_path(&dep.repository)?, log)?;
            let satisfied = constraints::parse_version(&chart.metadata.version)
                .is_ok_and(|v| constraint.matches(&v));
            if satisfied {
                locked.push(lock_entry(dep, &chart.metadata.version));
            } else {
                unsatisfied.push((
                    dep.name.clone(),
                    dep.repository.clone(),
                    dep.version.clone(),
                ));
            }
        }
        if !unsatisfied.is_empty() {
            return Err(DependencyError::NoValidVersion(unsatisfied));
        }
        Ok(locked)
    }

    /// Helm's `downloadAll`: archives of the `file://` dependencies are
    /// made in a scratch directory, checked, and only then moved into
    /// `charts/`, where older archives of charts no longer wanted go.
    /// Each dependency's version becomes the one archived.
    fn download_all(
        &self,
        deps: &mut [Dependency],
        out: &mut dyn Write,
        log: &mut dyn Log,
    ) -> Result<(), DependencyError> {
        let charts = self.join("charts");
        match fs::metadata(&charts) {
            Ok(meta) if !meta.is_dir() => return Err(DependencyError::ChartsNotADirectory(charts)),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                fs::create_dir_all(&charts).map_err(|source| io_error(&charts, source))?;
            }
            Err(source) => return Err(io_error(&charts, source)),
        }
        say(out, &format!("Saving {} charts", deps.len()))?;
        let mut made: Vec<(String, Vec<u8>)> = Vec::new();
        for dep in deps.iter_mut() {
            let saved = if dep.repository.is_empty() {
                say(
                    out,
                    &format!(
                        "Dependency {} did not declare a repository. Assuming it exists in the charts directory",
                        dep.name
                    ),
                )?;
                self.check_unpacked(dep, log)
            } else {
                if self.debug {
                    say(
                        out,
                        &format!("Archiving {} from repo {}", dep.name, dep.repository),
                    )?;
                }
                self.archive_local(dep, log).map(|(version, file, data)| {
                    dep.version = version;
                    made.push((file, data));
                })
            };
            if let Err(e) = saved {
                say(out, &format!("Save error occurred:  {e}"))?;
                return Err(e);
            }
        }
        self.replace_archives(deps, &charts, made, out, log)
    }

    /// A dependency without repository: its chart in `charts/NAME` must
    /// satisfy the constraint.
    fn check_unpacked(&self, dep: &Dependency, log: &mut dyn Log) -> Result<(), DependencyError> {
        let path = self.join(&format!("charts/{}", dep.name));
        let chart =
            load_dir(Path::new(&path), log).map_err(|source| DependencyError::UnpackedLoad {
                path: path.clone(),
                source,
            })?;
        if !satisfies(dep, &chart.metadata.version)? {
            return Err(DependencyError::UnpackedMismatch {
                name: dep.name.clone(),
                version: chart.metadata.version.clone(),
                constraint: dep.version.clone(),
            });
        }
        Ok(())
    }

    /// Helm's `tarFromLocalDir`: the `file://` chart packaged, if its
    /// version satisfies the dependency's: (version, file name, bytes).
    fn archive_local(
        &self,
        dep: &Dependency,
        log: &mut dyn Log,
    ) -> Result<(String, String, Vec<u8>), DependencyError> {
        let dir = self.local_path(&dep.repository)?;
        let chart = load_dir(&dir, log)?;
        if !satisfies(dep, &chart.metadata.version)? {
            return Err(DependencyError::NoLocalVersion(dep.name.clone()));
        }
        let (file, data) = archive_dir(&dir).map_err(|e| DependencyError::Package(Box::new(e)))?;
        Ok((chart.metadata.version, file, data))
    }

    /// Helm's `safeMoveDeps`: the new archives go into `charts/`; then
    /// every other file there that is a chart goes, unless it is a
    /// dependency without repository.
    fn replace_archives(
        &self,
        deps: &[Dependency],
        charts: &str,
        made: Vec<(String, Vec<u8>)>,
        out: &mut dyn Write,
        log: &mut dyn Log,
    ) -> Result<(), DependencyError> {
        let before = sorted_files(charts).map_err(|source| io_error(charts, source))?;
        for (file, data) in &made {
            let path = format!("{charts}/{file}");
            fs::write(&path, data).map_err(|source| io_error(&path, source))?;
        }
        say(out, "Deleting outdated charts")?;
        for name in before {
            if made.iter().any(|(file, _)| *file == name) {
                continue;
            }
            let path = format!("{charts}/{name}");
            let chart = match load_file(Path::new(&path), log) {
                Ok(chart) => chart,
                Err(e) => {
                    say(
                        out,
                        &format!("Could not verify {path} for deletion: {e} (Skipping)"),
                    )?;
                    continue;
                }
            };
            let local = deps
                .iter()
                .any(|d| d.repository.is_empty() && d.name == chart.name());
            if !local && let Err(e) = fs::remove_file(&path) {
                // Helm's message has no line break either.
                write!(out, "Could not delete {path}: {e} (Skipping)")
                    .map_err(|source| io_error("stdout", source))?;
            }
        }
        Ok(())
    }

    /// Helm's `GetLocalPath`: a `file://` path (or `charts/NAME`) relative
    /// to the chart, which must exist.
    fn local_path(&self, repository: &str) -> Result<PathBuf, DependencyError> {
        let rest = repository.strip_prefix(FILE_SCHEME).unwrap_or(repository);
        let path = if rest.starts_with('/') {
            clean(rest)
        } else {
            self.join(rest)
        };
        match fs::metadata(&path) {
            Ok(_) => Ok(PathBuf::from(path)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                Err(DependencyError::LocalPathMissing(path))
            }
            Err(source) => Err(io_error(&path, source)),
        }
    }

    /// `filepath.Join(chart, name)`.
    fn join(&self, name: &str) -> String {
        clean(&format!("{}/{name}", self.chart))
    }
}

/// `--dependency-update` of `template`: when a dependency the chart
/// declares is missing from `charts/`, `helm dependency update` first.
/// A chart that does not load, or a library chart, is left to the caller,
/// which reports it as Helm does. Helm loads the chart once more after an
/// update; without one, the caller's load is its only one, so this load's
/// warnings are logged only when an update follows.
pub fn update_missing(
    chart: &Path,
    debug: bool,
    out: &mut dyn Write,
    log: &mut dyn Log,
) -> Result<(), DependencyError> {
    let mut first_load: Vec<Record> = Vec::new();
    let Ok(loaded) = load(chart, &mut first_load) else {
        return Ok(());
    };
    if loaded.metadata.chart_type == "library" || check_dependencies(&loaded).is_ok() {
        return Ok(());
    }
    for record in first_load {
        log.log(record);
    }
    DependencyManager::new(&chart.display().to_string(), debug).update(out, log)
}

fn parse_constraint(dep: &Dependency) -> Result<Constraint, DependencyError> {
    Constraint::parse(&dep.version).map_err(|e| DependencyError::InvalidConstraint {
        name: dep.name.clone(),
        reason: e.to_string(),
    })
}

/// Whether a chart at `version` satisfies the version range of `dep`.
fn satisfies(dep: &Dependency, version: &str) -> Result<bool, DependencyError> {
    let constraint = parse_constraint(dep)?;
    let version =
        constraints::parse_version(version).map_err(|e| DependencyError::InvalidVersion {
            name: dep.name.clone(),
            version: dep.version.clone(),
            reason: e.to_string(),
        })?;
    Ok(constraint.matches(&version))
}

/// What the lock file records of a dependency.
fn lock_entry(dep: &Dependency, version: &str) -> Dependency {
    Dependency {
        name: dep.name.clone(),
        repository: dep.repository.clone(),
        version: version.to_string(),
        ..Dependency::default()
    }
}

fn is_remote(dep: &Dependency) -> bool {
    !dep.repository.is_empty() && !dep.repository.starts_with(FILE_SCHEME)
}

fn remote_error(dep: &Dependency) -> DependencyError {
    DependencyError::Remote {
        name: dep.name.clone(),
        repository: dep.repository.clone(),
    }
}

/// The names of the plain files in `dir`, sorted.
fn sorted_files(dir: &str) -> io::Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if !entry.file_type()?.is_dir() {
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    names.sort();
    Ok(names)
}

fn say(out: &mut dyn Write, line: &str) -> Result<(), DependencyError> {
    writeln!(out, "{line}").map_err(|source| io_error("stdout", source))
}

fn io_error(path: &str, source: io::Error) -> DependencyError {
    DependencyError::Io {
        path: path.to_string(),
        reason: goio::error_text(&source),
    }
}
