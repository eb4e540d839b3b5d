//! Loading a chart from a directory, as Helm's directory loader does.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use std::collections::BTreeMap;

use super::archive::{ArchiveError, OpenError, load_file};
use super::dependency::Lock;
use super::ignore::{IgnoreError, Rules};
use super::metadata::ValidationError;
use super::{Chart, File, Metadata};
use crate::codec::yaml;
use crate::engine::Value;
use crate::engine::value::{Map, MapKind};
use crate::goio;
use crate::log::{Log, Record};

/// Helm reads at most this much of a chart directory, all files together
/// (the limit it sets on a decompressed archive).
const MAX_CHART_BYTES: u64 = super::archive::MAX_DECOMPRESSED_CHART_BYTES;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Why a chart could not be loaded; the messages are Helm's.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("path {0:?} not found")]
    NotFound(String),
    #[error("unable to detect chart at {path}: open {path}: no such file or directory")]
    NoChartYaml { path: String },
    #[error("Chart.yaml file is missing")]
    ChartYamlMissing,
    #[error("cannot load Chart.yaml: {0}")]
    ChartYaml(String),
    #[error("cannot load requirements.yaml: {0}")]
    Requirements(String),
    #[error("cannot load {file}: {message}")]
    Lock { file: &'static str, message: String },
    #[error("cannot load values.yaml: cannot unmarshal yaml document: {0}")]
    ValuesYaml(String),
    #[error("validation: {0}")]
    Validation(#[from] ValidationError),
    #[error("error unpacking subchart {name} in {parent}: {source}")]
    Subchart {
        name: String,
        parent: String,
        #[source]
        source: Box<LoadError>,
    },
    #[error(
        "error reading {name}: chart exceeds maximum decompressed size of {MAX_CHART_BYTES} bytes"
    )]
    TooLarge { name: String },
    #[error("cannot load irregular file {0} as it has file mode type bits set")]
    Irregular(String),
    #[error(transparent)]
    Ignore(#[from] IgnoreError),
    #[error(transparent)]
    Open(#[from] OpenError),
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error("error evaluating symlink {path}: {reason}")]
    BadSymlink { path: String, reason: String },
    #[error(
        "error evaluating symlink {path}: it leads back to {target}, a directory that contains it"
    )]
    SymlinkLoop { path: String, target: String },
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: io::Error,
    },
}

/// Loads a chart from a directory or, for any other file, a chart archive.
/// Helm's loading warnings (symbolic links followed, `requirements.yaml`
/// in a v2 chart) go to `log`.
pub fn load(path: &Path, log: &mut dyn Log) -> Result<Chart, LoadError> {
    if path.is_file() {
        load_file(path, log)
    } else {
        load_dir(path, log)
    }
}

/// Loads the chart in directory `dir`, with its subcharts. The chart's
/// `.helmignore` applies to the whole tree (Helm reads no `.helmignore`
/// of a subchart directory).
pub fn load_dir(dir: &Path, log: &mut dyn Log) -> Result<Chart, LoadError> {
    let files = read_dir_files(dir, log)?;
    from_files(files, log)
}

/// The files of the chart in directory `dir` (what `.helmignore` keeps),
/// named relative to it, in Helm's walk order. Each symbolic link under
/// `dir` is logged as it is followed, ignored or not, as Helm logs it (a
/// link that is `dir` itself is not).
pub(crate) fn read_dir_files(dir: &Path, log: &mut dyn Log) -> Result<Vec<File>, LoadError> {
    if !dir.exists() {
        return Err(LoadError::NotFound(dir.display().to_string()));
    }
    let chart_yaml = dir.join("Chart.yaml");
    if !chart_yaml.is_file() {
        return Err(LoadError::NoChartYaml {
            path: chart_yaml.display().to_string(),
        });
    }
    let mut rules = match fs::read_to_string(dir.join(".helmignore")) {
        Ok(text) => Rules::parse(&text)?,
        Err(_) => Rules::default(),
    };
    rules.add_defaults();
    let mut files = Vec::new();
    let root = fs::canonicalize(dir).map_err(|source| LoadError::Io {
        path: dir.display().to_string(),
        source,
    })?;
    let walk = Walk {
        root: dir,
        shown_root: PathBuf::from(goio::abs(dir)),
        rules: &rules,
    };
    walk.collect(dir, &mut vec![root], &mut files, log)?;
    Ok(files)
}

/// Loads a packaged subchart (a `charts/*.tgz` archive) from its bytes; a
/// rejected archive is reported with its reason.
pub fn load_archive(data: &[u8], log: &mut dyn Log) -> Result<Chart, LoadError> {
    super::archive::load_archive(data, log)
}

/// Builds a chart, with its subcharts, from its files (paths relative to
/// the chart root), as Helm's `LoadFiles`.
pub fn from_files(files: Vec<File>, log: &mut dyn Log) -> Result<Chart, LoadError> {
    let mut metadata = None;
    for file in files.iter().filter(|f| f.name == "Chart.yaml") {
        let doc = parse_yaml(&file.data).map_err(LoadError::ChartYaml)?;
        let mut meta =
            Metadata::from_value(&doc).map_err(|e| LoadError::ChartYaml(e.to_string()))?;
        // Helm 2 charts could leave apiVersion out; Helm reads them as v1.
        if meta.api_version.is_empty() {
            meta.api_version = API_VERSION_V1.into();
        }
        metadata = Some(meta);
    }
    let mut values = None;
    let mut raw_values = None;
    let mut schema = None;
    let mut lock = None;
    let mut templates = Vec::new();
    let mut others = Vec::new();
    let mut subcharts: BTreeMap<String, Vec<File>> = BTreeMap::new();
    for file in files {
        match file.name.as_str() {
            "Chart.yaml" => {}
            "Chart.lock" => lock = Some(read_lock("Chart.lock", &file.data)?),
            "values.yaml" => {
                let text = String::from_utf8_lossy(&file.data);
                let doc =
                    yaml::from_str_map(&text).map_err(|e| LoadError::ValuesYaml(e.to_string()))?;
                values = Some(doc);
                raw_values = Some(file.data);
            }
            "values.schema.json" => schema = Some(file.data),
            "requirements.yaml" => {
                let meta = metadata.get_or_insert_with(Metadata::default);
                if meta.api_version != API_VERSION_V1 {
                    log.log(Record::info(
                        "Warning: Dependencies are handled in Chart.yaml since apiVersion \"v2\". We recommend migrating dependencies to Chart.yaml.",
                    ));
                }
                let doc = parse_yaml(&file.data).map_err(LoadError::Requirements)?;
                meta.read(&doc)
                    .map_err(|e| LoadError::Requirements(e.to_string()))?;
                if meta.api_version == API_VERSION_V1 {
                    others.push(file);
                }
            }
            "requirements.lock" => {
                lock = Some(read_lock("requirements.lock", &file.data)?);
                let meta = metadata.get_or_insert_with(Metadata::default);
                if meta.api_version != API_VERSION_V1 {
                    log.log(Record::info(
                        "Warning: Dependency locking is handled in Chart.lock since apiVersion \"v2\". We recommend migrating to Chart.lock.",
                    ));
                }
                if meta.api_version == API_VERSION_V1 {
                    others.push(file);
                }
            }
            name if name.starts_with("templates/") => templates.push(file),
            name if name.starts_with("charts/") && !name.ends_with(".prov") => {
                let rest = &name["charts/".len()..];
                let sub = rest.split('/').next().unwrap_or_default().to_string();
                let inner = File {
                    name: rest.to_string(),
                    data: file.data,
                };
                subcharts.entry(sub).or_default().push(inner);
            }
            _ => others.push(file),
        }
    }
    let mut metadata = metadata.ok_or(LoadError::ChartYamlMissing)?;
    metadata.validate()?;
    let values = match values {
        Some(v @ Value::Map(_)) => v,
        _ => Value::Map(Map::new(MapKind::Any)),
    };
    let mut chart = Chart {
        metadata,
        templates,
        values,
        raw_values,
        schema,
        files: others,
        lock,
        dependencies: Vec::new(),
    };
    for (name, files) in subcharts {
        if name.starts_with(['_', '.']) {
            continue;
        }
        let wrap = |source| LoadError::Subchart {
            name: name.clone(),
            parent: chart.name().to_string(),
            source: Box::new(source),
        };
        let sub = if name.ends_with(".tgz") {
            let data = files.first().map(|f| f.data.as_slice()).unwrap_or_default();
            load_archive(data, log)
        } else {
            // Files directly in `charts/` (not in a subchart directory) are
            // not part of any chart.
            let inner = files
                .into_iter()
                .filter_map(|f| {
                    let (_, rest) = f.name.split_once('/')?;
                    Some(File {
                        name: rest.to_string(),
                        data: f.data,
                    })
                })
                .collect();
            from_files(inner, log)
        };
        chart.dependencies.push(sub.map_err(wrap)?);
    }
    Ok(chart)
}

const API_VERSION_V1: &str = "v1";

fn read_lock(file: &'static str, data: &[u8]) -> Result<Lock, LoadError> {
    let fail = |message| LoadError::Lock { file, message };
    let doc = parse_yaml(data).map_err(fail)?;
    Lock::from_value(&doc).map_err(|e| fail(e.to_string()))
}

fn parse_yaml(data: &[u8]) -> Result<Value, String> {
    let text = String::from_utf8_lossy(data);
    yaml::from_str(&text).map_err(|e| e.to_string())
}

/// A walk over a chart directory's files.
struct Walk<'a> {
    /// The chart directory as given.
    root: &'a Path,
    /// The chart directory as Helm names it in its log (`filepath.Abs`).
    shown_root: PathBuf,
    rules: &'a Rules,
}

impl Walk<'_> {
    /// Reads every file under `dir` in lexical order (as Go's
    /// `filepath.Walk`), following symbolic links, leaving out what
    /// `.helmignore` ignores. `ancestors` holds the real paths of the
    /// directories being walked: a link back to one of them is refused at
    /// once (Helm walks around such a loop until the system's limit of 40
    /// links, or for ever when a directory links to itself twice).
    fn collect(
        &self,
        dir: &Path,
        ancestors: &mut Vec<PathBuf>,
        out: &mut Vec<File>,
        log: &mut dyn Log,
    ) -> Result<(), LoadError> {
        let io_err = |path: &Path| {
            let path = path.display().to_string();
            move |source| LoadError::Io { path, source }
        };
        let mut entries: Vec<PathBuf> = fs::read_dir(dir)
            .map_err(io_err(dir))?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()
            .map_err(io_err(dir))?;
        entries.sort();
        for path in entries {
            let rel = relative_name(self.root, &path);
            let meta = fs::metadata(&path).map_err(|e| broken_link(&path, e))?;
            if fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
                let real = fs::canonicalize(&path).map_err(io_err(&path))?;
                log_link(&self.shown_root.join(&rel), &real, log);
            }
            if self.rules.ignores(&rel, meta.is_dir()) {
                continue;
            }
            if meta.is_dir() {
                let real = fs::canonicalize(&path).map_err(io_err(&path))?;
                if ancestors.contains(&real) {
                    return Err(LoadError::SymlinkLoop {
                        path: path.display().to_string(),
                        target: real.display().to_string(),
                    });
                }
                ancestors.push(real);
                self.collect(&path, ancestors, out, log)?;
                ancestors.pop();
                continue;
            }
            if !meta.is_file() {
                return Err(LoadError::Irregular(path.display().to_string()));
            }
            let read_so_far: u64 = out.iter().map(|f| f.data.len() as u64).sum();
            let allowed = MAX_CHART_BYTES.saturating_sub(read_so_far);
            if meta.len() > allowed {
                return Err(LoadError::TooLarge { name: rel });
            }
            // The size was checked, but a file may grow (or lie, as in /proc):
            // never read past the limit.
            let mut data = Vec::new();
            fs::File::open(&path)
                .and_then(|f| f.take(allowed + 1).read_to_end(&mut data))
                .map_err(io_err(&path))?;
            if data.len() as u64 > allowed {
                return Err(LoadError::TooLarge { name: rel });
            }
            if data.starts_with(UTF8_BOM) {
                data.drain(..UTF8_BOM.len());
            }
            out.push(File { name: rel, data });
        }
        Ok(())
    }
}

/// Helm's line for a symbolic link it follows: the link as walked, and
/// where it leads.
fn log_link(path: &Path, real: &Path, log: &mut dyn Log) {
    log.log(
        Record::info("found symbolic link in path. Contents of linked file included and used")
            .attr("path", path.display())
            .attr("resolved", real.display()),
    );
}

/// Helm's words for a link that cannot be followed (dangling, or a chain of
/// links that never ends); other failures as they are.
fn broken_link(path: &Path, source: io::Error) -> LoadError {
    let Ok(target) = fs::read_link(path) else {
        let path = path.display().to_string();
        return LoadError::Io { path, source };
    };
    let shown = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let reason = if source.kind() == io::ErrorKind::NotFound {
        let target = path.parent().map_or(target.clone(), |p| p.join(&target));
        let target = std::path::absolute(&target).unwrap_or(target);
        format!("lstat {}: no such file or directory", target.display())
    } else {
        "EvalSymlinks: too many links".to_string()
    };
    LoadError::BadSymlink {
        path: shown.display().to_string(),
        reason,
    }
}

fn relative_name(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
