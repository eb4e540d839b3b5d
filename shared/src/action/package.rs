//! `helm package`: a chart directory into `NAME-VERSION.tgz`.
//!
//! The archive holds what Helm's would: `Chart.yaml` (and `Chart.lock`)
//! marshalled again from the loaded chart, `values.yaml` and every other
//! file verbatim, and each subchart under `charts/NAME/` as a directory,
//! whether it came as a directory or as an archive. Unlike Helm's, the
//! archive does not depend on file modification times: every entry is
//! stamped with `SOURCE_DATE_EPOCH`, or the Unix epoch when it is unset, so
//! packaging the same chart twice gives the same bytes.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use super::dependency::{DependencyError, DependencyManager};
use crate::chart::archive::{ArchiveError, read_archive, write_archive};
use crate::chart::load::{from_files, read_dir_files};
use crate::chart::{File, LoadError, Metadata};
use crate::codec::yaml::EncodeError;
use crate::constraints::{VersionError, parse_version};
use crate::goio;
use crate::log::{Discard, Log};

/// The options of `helm package`.
#[derive(Clone, Debug)]
pub struct Package {
    /// `--version`: replaces the chart's version.
    pub version: Option<String>,
    /// `--app-version`: replaces the chart's appVersion.
    pub app_version: Option<String>,
    /// `-d`: where the archive goes; `.` means the working directory.
    pub destination: PathBuf,
    /// `-u`: run `helm dependency update` on the chart first (quietly).
    pub dependency_update: bool,
    /// The value of `SOURCE_DATE_EPOCH`, if set: the archive's timestamps.
    pub source_date_epoch: Option<String>,
}

impl Default for Package {
    fn default() -> Package {
        Package {
            version: None,
            app_version: None,
            destination: PathBuf::from("."),
            dependency_update: false,
            source_date_epoch: None,
        }
    }
}

/// Why a chart was not packaged; the messages are Helm's.
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    #[error("stat {path}: {}", goio::error_text(.source))]
    Stat {
        path: String,
        #[source]
        source: io::Error,
    },
    #[error(transparent)]
    Load(#[from] LoadError),
    /// `--version` (or the chart's) is not SemVer.
    #[error(transparent)]
    Version(#[from] VersionError),
    #[error("found in Chart.yaml, but missing in charts/ directory: {}", .0.join(", "))]
    MissingDependencies(Vec<String>),
    /// `-u` failed.
    #[error(transparent)]
    DependencyUpdate(Box<DependencyError>),
    #[error("invalid SOURCE_DATE_EPOCH: {0}")]
    SourceDateEpoch(String),
    #[error("error unpacking {name}: {source}")]
    Subchart {
        name: String,
        #[source]
        source: ArchiveError,
    },
    #[error("failed to save: {0}")]
    Save(#[from] SaveError),
}

/// Why the archive could not be written.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    #[error("invalid JSON in values.schema.json")]
    InvalidSchema,
    /// `Chart.yaml` or `Chart.lock` could not be written (a value JSON
    /// cannot hold, such as `.nan` in `import-values`).
    #[error("{}", .0.0)]
    Encode(EncodeError),
    #[error("is not a directory: {0}")]
    NotADirectory(String),
    #[error("{path}: {}", goio::error_text(.source))]
    Io {
        path: String,
        #[source]
        source: io::Error,
    },
}

impl Package {
    /// Packages the chart in directory `chart` and returns the path of the
    /// archive, as Helm prints it. Nothing is written unless every check
    /// passes. The loader's warnings go to `log`.
    pub fn run(&self, chart: &Path, log: &mut dyn Log) -> Result<PathBuf, PackageError> {
        std::fs::metadata(chart).map_err(|source| PackageError::Stat {
            path: chart.display().to_string(),
            source,
        })?;
        let dir = std::path::absolute(chart).map_err(|source| PackageError::Stat {
            path: chart.display().to_string(),
            source,
        })?;
        if self.dependency_update {
            // Helm discards what the update prints.
            let manager = DependencyManager::new(&dir.display().to_string(), false);
            manager
                .update(&mut io::sink(), log)
                .map_err(|e| PackageError::DependencyUpdate(Box::new(e)))?;
        }
        let files = read_dir_files(&dir, log)?;
        let overrides = Overrides {
            version: self.version.as_deref().filter(|v| !v.is_empty()),
            app_version: self.app_version.as_deref().filter(|v| !v.is_empty()),
        };
        let packed = pack(files, &overrides, true, log)?;
        let mtime = parse_epoch(self.source_date_epoch.as_deref())?;
        let archive =
            write_archive(&packed.name, &packed.files, mtime).map_err(|source| SaveError::Io {
                path: packed.name.clone(),
                source,
            })?;

        let dest = if self.destination == Path::new(".") {
            std::env::current_dir().map_err(|source| SaveError::Io {
                path: ".".into(),
                source,
            })?
        } else {
            self.destination.clone()
        };
        let file_name = format!("{}-{}.tgz", packed.name, packed.version);
        let target = PathBuf::from(goio::join(&dest.to_string_lossy(), &file_name));
        let parent = target.parent().unwrap_or(Path::new("."));
        ensure_dir(parent)?;
        std::fs::write(&target, archive).map_err(|source| SaveError::Io {
            path: target.display().to_string(),
            source,
        })?;
        Ok(target)
    }
}

/// What the command line changes in the top chart's metadata.
struct Overrides<'a> {
    version: Option<&'a str>,
    app_version: Option<&'a str>,
}

/// A chart ready to archive: its name, version, and entries.
struct Packed {
    name: String,
    version: String,
    files: Vec<File>,
}

/// The archive of the chart in directory `dir`, as `helm dependency update`
/// saves a `file://` dependency: its file name (`NAME-VERSION.tgz`) and
/// bytes. Unlike `helm package`, missing subcharts are no error.
pub(crate) fn archive_dir(dir: &Path) -> Result<(String, Vec<u8>), PackageError> {
    let none = Overrides {
        version: None,
        app_version: None,
    };
    // The caller loaded (and logged) this chart already.
    let packed = pack(
        read_dir_files(dir, &mut Discard)?,
        &none,
        false,
        &mut Discard,
    )?;
    let archive =
        write_archive(&packed.name, &packed.files, 0).map_err(|source| SaveError::Io {
            path: packed.name.clone(),
            source,
        })?;
    Ok((format!("{}-{}.tgz", packed.name, packed.version), archive))
}

/// Orders a chart's files as Helm's archive has them, regenerating
/// `Chart.yaml` and `Chart.lock` and recursing into subcharts; with
/// `check_missing`, declared dependencies absent from `charts/` are an
/// error. The loader's warnings, subcharts' included, go to `log`.
fn pack(
    files: Vec<File>,
    overrides: &Overrides,
    check_missing: bool,
    log: &mut dyn Log,
) -> Result<Packed, PackageError> {
    let chart = from_files(files.clone(), log)?;
    // For `apiVersion: v1` they come from `requirements.yaml`.
    let declared: Vec<String> = chart
        .metadata
        .dependency_list()
        .map(|d| d.name.clone())
        .collect();
    let mut metadata: Metadata = chart.metadata;
    if let Some(version) = overrides.version {
        metadata.version = version.to_string();
    }
    parse_version(&metadata.version)?;
    if let Some(app_version) = overrides.app_version {
        metadata.app_version = app_version.to_string();
    }
    // Helm validates the chart again before saving it, which sanitizes the
    // new appVersion.
    metadata.validate().map_err(LoadError::from)?;
    // A v1 chart's dependencies belong in its requirements.yaml, which is
    // packed as it is.
    if metadata.api_version == "v1" {
        metadata.dependencies = None;
    }

    let mut values = None;
    let mut schema = None;
    let mut templates = Vec::new();
    let mut others = Vec::new();
    let mut subcharts: BTreeMap<String, Vec<File>> = BTreeMap::new();
    for file in files {
        match file.name.as_str() {
            // Both are written again from the loaded chart.
            "Chart.yaml" | "Chart.lock" => {}
            // Only a v1 chart keeps these; a v2 chart's loader read them
            // into its metadata and lock.
            "requirements.yaml" | "requirements.lock" if metadata.api_version != "v1" => {}
            "values.yaml" => values = Some(file),
            "values.schema.json" => schema = Some(file),
            name if name.starts_with("templates/") => templates.push(file),
            name if name.starts_with("charts/") && !name.ends_with(".prov") => {
                let rest = &name["charts/".len()..];
                let (sub, _) = rest.split_once('/').unwrap_or((rest, ""));
                // Helm skips entries of charts/ named like hidden files.
                if !sub.starts_with(['_', '.']) {
                    subcharts.entry(sub.to_string()).or_default().push(file);
                }
            }
            _ => others.push(file),
        }
    }

    let mut packed_subcharts = Vec::new();
    for (entry, files) in subcharts {
        if let Some(sub) = subchart_files(&entry, files)? {
            let none = Overrides {
                version: None,
                app_version: None,
            };
            // Loaded (and logged) with their parent already.
            packed_subcharts.push(pack(sub, &none, false, &mut Discard)?);
        }
    }
    let missing: Vec<String> = declared
        .into_iter()
        .filter(|name| !packed_subcharts.iter().any(|s| &s.name == name))
        .collect();
    if check_missing && !missing.is_empty() {
        return Err(PackageError::MissingDependencies(missing));
    }

    let mut out = vec![File {
        name: "Chart.yaml".into(),
        data: metadata
            .to_chart_yaml()
            .map_err(SaveError::Encode)?
            .into_bytes(),
    }];
    // For v2 the lock is `Chart.lock`, even when read from
    // `requirements.lock`; a v1 chart's `requirements.lock` is packed as is.
    if let Some(lock) = chart.lock.filter(|_| metadata.api_version == "v2") {
        out.push(File {
            name: "Chart.lock".into(),
            data: lock.to_lock_yaml().map_err(SaveError::Encode)?.into_bytes(),
        });
    }
    out.extend(values);
    if let Some(schema) = schema {
        if serde_json::from_slice::<serde_json::Value>(&schema.data).is_err() {
            return Err(SaveError::InvalidSchema.into());
        }
        out.push(schema);
    }
    out.extend(templates);
    out.extend(others);
    for sub in packed_subcharts {
        out.extend(sub.files.into_iter().map(|f| File {
            name: format!("charts/{}/{}", sub.name, f.name),
            data: f.data,
        }));
    }
    Ok(Packed {
        name: metadata.name,
        version: metadata.version,
        files: out,
    })
}

/// The files of the subchart at `charts/ENTRY`: unpacked from an archive,
/// or the directory's files renamed relative to it. `None` for a loose
/// file in `charts/`, which is no chart.
fn subchart_files(entry: &str, files: Vec<File>) -> Result<Option<Vec<File>>, PackageError> {
    if entry.ends_with(".tgz") {
        let Some(archive) = files
            .into_iter()
            .find(|f| f.name == format!("charts/{entry}"))
        else {
            return Ok(None);
        };
        return read_archive(&archive.data)
            .map(Some)
            .map_err(|source| PackageError::Subchart {
                name: entry.to_string(),
                source,
            });
    }
    let prefix = format!("charts/{entry}/");
    let inner: Vec<File> = files
        .into_iter()
        .filter_map(|f| {
            let name = f.name.strip_prefix(&prefix)?.to_string();
            Some(File { name, data: f.data })
        })
        .collect();
    Ok((!inner.is_empty()).then_some(inner))
}

/// `SOURCE_DATE_EPOCH` as Helm reads it: a non-negative decimal integer.
fn parse_epoch(value: Option<&str>) -> Result<u64, PackageError> {
    let Some(text) = value.filter(|v| !v.is_empty()) else {
        return Ok(0);
    };
    match text.parse::<i64>() {
        Ok(n) if n < 0 => Err(PackageError::SourceDateEpoch("must not be negative".into())),
        Ok(n) => Ok(n as u64),
        Err(e) => {
            let reason = match e.kind() {
                std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow => {
                    "value out of range"
                }
                _ => "invalid syntax",
            };
            Err(PackageError::SourceDateEpoch(format!(
                "strconv.ParseInt: parsing {text:?}: {reason}"
            )))
        }
    }
}

/// Creates the destination directory as Helm does, refusing a file.
fn ensure_dir(dir: &Path) -> Result<(), SaveError> {
    match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) => Err(SaveError::NotADirectory(dir.display().to_string())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).map_err(|source| SaveError::Io {
                path: dir.display().to_string(),
                source,
            })
        }
        Err(source) => Err(SaveError::Io {
            path: format!("stat {}", dir.display()),
            source,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_date_epoch_as_helm_reads_it() {
        assert_eq!(parse_epoch(None).unwrap(), 0);
        assert_eq!(parse_epoch(Some("1000")).unwrap(), 1000);
        assert_eq!(
            parse_epoch(Some("abc")).unwrap_err().to_string(),
            "invalid SOURCE_DATE_EPOCH: strconv.ParseInt: parsing \"abc\": invalid syntax"
        );
        assert_eq!(
            parse_epoch(Some("-5")).unwrap_err().to_string(),
            "invalid SOURCE_DATE_EPOCH: must not be negative"
        );
    }
}
