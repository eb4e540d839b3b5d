//! Loading a chart from an archive file or from archive bytes.

use std::path::Path;

use super::{ArchiveError, detect_content_type, read_archive};
use crate::chart::load::from_files;
use crate::chart::{Chart, LoadError};
use crate::log::Log;

/// Why a chart file could not be opened as an archive; the messages are
/// those `helm template CHART.tgz` prints.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("file '{path}' seems to be a YAML file, but expected a gzipped archive")]
    YamlNotArchive { path: String },
    #[error("file '{path}' does not appear to be a gzipped archive; got '{content_type}'")]
    NotGzip {
        path: String,
        content_type: &'static str,
    },
    #[error(
        "file '{path}' does not appear to be a valid chart file (details: gzip: invalid header)"
    )]
    InvalidGzip { path: String },
    /// Helm names no reason for a rejected archive at the top level; the
    /// reason is this error's source.
    #[error("unable to load chart archive")]
    Unreadable(#[source] ArchiveError),
    #[error("unable to detect chart version, no Chart.yaml found")]
    NoChartYaml,
    #[error("file '{path}' cannot be read: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// Loads the chart archive at `path` (a `.tgz`, whatever its name), as
/// `helm template` does for a chart argument that is a file.
pub fn load_file(path: &Path, log: &mut dyn Log) -> Result<Chart, LoadError> {
    let shown = std::path::absolute(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string();
    let bytes = std::fs::read(path).map_err(|source| OpenError::Io {
        path: shown.clone(),
        source,
    })?;
    ensure_gzip(&shown, &bytes)?;
    let files = read_archive(&bytes).map_err(|e| match e {
        ArchiveError::GzipHeader => OpenError::InvalidGzip {
            path: shown.clone(),
        },
        other => OpenError::Unreadable(other),
    })?;
    if !files.iter().any(|f| f.name == "Chart.yaml") {
        return Err(OpenError::NoChartYaml.into());
    }
    from_files(files, log)
}

/// Loads a chart from archive bytes (a subchart's `charts/NAME.tgz`); a
/// rejected archive is reported with its reason.
pub fn load_archive(bytes: &[u8], log: &mut dyn Log) -> Result<Chart, LoadError> {
    from_files(read_archive(bytes)?, log)
}

/// Helm's check that a chart file is gzip at all, to point out the common
/// mistake of passing a values file where the chart goes.
fn ensure_gzip(path: &str, bytes: &[u8]) -> Result<(), OpenError> {
    let content_type = detect_content_type(bytes);
    if content_type == "application/x-gzip" || bytes.starts_with(b"\x1F\x8B\x08") {
        return Ok(());
    }
    if path.ends_with(".yml") || path.ends_with(".yaml") {
        return Err(OpenError::YamlNotArchive {
            path: path.to_string(),
        });
    }
    Err(OpenError::NotGzip {
        path: path.to_string(),
        content_type,
    })
}
