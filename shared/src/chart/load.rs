//! Loading a chart from a directory, as Helm's directory loader does.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::archive::{ArchiveError, OpenError, load_file};
use super::ignore::{IgnoreError, Rules};
use super::{Chart, File, Metadata};
use crate::codec::yaml;
use crate::engine::Value;
use crate::engine::value::{Map, MapKind};

/// Helm refuses chart files larger than this (its `MaxDecompressedFileSize`).
const MAX_FILE_BYTES: u64 = 5 * 1024 * 1024;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Why a chart could not be loaded; the messages are Helm's.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("path {0:?} not found")]
    NotFound(String),
    #[error("unable to detect chart at {path}: open {path}: no such file or directory")]
    NoChartYaml { path: String },
    #[error("cannot load Chart.yaml: {0}")]
    ChartYaml(String),
    #[error("cannot load values.yaml: cannot unmarshal yaml document: {0}")]
    ValuesYaml(String),
    #[error("validation: chart.metadata.{0} is required")]
    MissingField(&'static str),
    #[error("chart file {name:?} is larger than the maximum file size {MAX_FILE_BYTES}")]
    TooLarge { name: String },
    #[error("cannot load irregular file {0} as it has file mode type bits set")]
    Irregular(String),
    #[error(transparent)]
    Ignore(#[from] IgnoreError),
    #[error(transparent)]
    Open(#[from] OpenError),
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: io::Error,
    },
}

/// Loads a chart from a directory or, for any other file, a chart archive.
pub fn load(path: &Path) -> Result<Chart, LoadError> {
    if path.is_file() {
        load_file(path)
    } else {
        load_dir(path)
    }
}

/// Loads the chart in directory `dir`.
pub fn load_dir(dir: &Path) -> Result<Chart, LoadError> {
    from_files(read_dir_files(dir)?)
}

/// The files of the chart in directory `dir` (what `.helmignore` keeps),
/// named relative to it, in Helm's walk order.
pub(crate) fn read_dir_files(dir: &Path) -> Result<Vec<File>, LoadError> {
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
    collect_files(dir, dir, &rules, &mut files)?;
    Ok(files)
}

/// Builds a chart from its files (paths relative to the chart root).
pub(crate) fn from_files(files: Vec<File>) -> Result<Chart, LoadError> {
    let mut metadata = None;
    let mut values = None;
    let mut raw_values = None;
    let mut schema = None;
    let mut templates = Vec::new();
    let mut others = Vec::new();
    for file in files {
        match file.name.as_str() {
            "Chart.yaml" => {
                let doc = parse_yaml(&file.data).map_err(LoadError::ChartYaml)?;
                let mut meta =
                    Metadata::from_value(&doc).map_err(|e| LoadError::ChartYaml(e.to_string()))?;
                // Charts from before `apiVersion` existed are v1 charts.
                if meta.api_version.is_empty() {
                    meta.api_version = "v1".into();
                }
                metadata = Some(meta);
            }
            "values.yaml" => {
                values = Some(parse_yaml(&file.data).map_err(LoadError::ValuesYaml)?);
                raw_values = Some(file.data);
            }
            "values.schema.json" => schema = Some(file.data),
            name if name.starts_with("templates/") => templates.push(file),
            _ => others.push(file),
        }
    }
    let metadata = metadata.unwrap_or_default();
    validate(&metadata)?;
    let values = match values {
        Some(v @ Value::Map(_)) => v,
        _ => Value::Map(Map::new(MapKind::Any)),
    };
    Ok(Chart {
        metadata,
        templates,
        values,
        raw_values,
        schema,
        files: others,
    })
}

fn parse_yaml(data: &[u8]) -> Result<Value, String> {
    let text = String::from_utf8_lossy(data);
    yaml::from_str(&text).map_err(|e| e.to_string())
}

fn validate(metadata: &Metadata) -> Result<(), LoadError> {
    if metadata.api_version.is_empty() {
        return Err(LoadError::MissingField("apiVersion"));
    }
    if metadata.name.is_empty() {
        return Err(LoadError::MissingField("name"));
    }
    if metadata.version.is_empty() {
        return Err(LoadError::MissingField("version"));
    }
    Ok(())
}

/// Reads every file under `dir` in lexical order (as Go's `filepath.Walk`),
/// following symbolic links, leaving out what `.helmignore` ignores.
fn collect_files(
    root: &Path,
    dir: &Path,
    rules: &Rules,
    out: &mut Vec<File>,
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
        let rel = relative_name(root, &path);
        let meta = fs::metadata(&path).map_err(io_err(&path))?;
        if rules.ignores(&rel, meta.is_dir()) {
            continue;
        }
        if meta.is_dir() {
            collect_files(root, &path, rules, out)?;
            continue;
        }
        if !meta.is_file() {
            return Err(LoadError::Irregular(path.display().to_string()));
        }
        if meta.len() > MAX_FILE_BYTES {
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            return Err(LoadError::TooLarge { name });
        }
        let mut data = fs::read(&path).map_err(io_err(&path))?;
        if data.starts_with(UTF8_BOM) {
            data.drain(..UTF8_BOM.len());
        }
        out.push(File { name: rel, data });
    }
    Ok(())
}

fn relative_name(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
