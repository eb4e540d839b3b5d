//! Charts: the metadata of `Chart.yaml`, the files a chart carries, and
//! loading them from disk.
//!
//! A [`Chart`] sorts its files the way Helm's loader does: `Chart.yaml`
//! becomes [`Metadata`], `values.yaml` the default values, `templates/…` the
//! templates, and everything else (README, `crds/`, data files) the files
//! templates read through `.Files`.

pub mod archive;
mod capabilities;
mod ignore;
pub(crate) mod load;
mod metadata;

pub use capabilities::{Capabilities, KubeVersion};
pub use load::{LoadError, load, load_dir};
pub use metadata::{Maintainer, Metadata};

use crate::engine::Value;

/// A file of a chart, named by its slash-separated path inside the chart.
#[derive(Clone, Debug)]
pub struct File {
    pub name: String,
    pub data: Vec<u8>,
}

/// A loaded chart.
#[derive(Debug)]
pub struct Chart {
    pub metadata: Metadata,
    /// `templates/…`, in the order they were read.
    pub templates: Vec<File>,
    /// The defaults of `values.yaml` (an empty map when there is none).
    pub values: Value,
    /// `values.yaml` verbatim (`None` when the chart has none), as
    /// `helm show values` prints it.
    pub raw_values: Option<Vec<u8>>,
    /// `values.schema.json`, verbatim.
    pub schema: Option<Vec<u8>>,
    /// Every other file: what `.Files` exposes.
    pub files: Vec<File>,
}

impl Chart {
    pub fn name(&self) -> &str {
        &self.metadata.name
    }

    /// The files of `crds/`, which Helm installs before anything else.
    pub fn crd_files(&self) -> impl Iterator<Item = &File> {
        self.files.iter().filter(|f| f.name.starts_with("crds/"))
    }
}
