//! Charts: the metadata of `Chart.yaml`, the files a chart carries, and
//! loading them from disk.
//!
//! A [`Chart`] sorts its files the way Helm's loader does: `Chart.yaml`
//! becomes [`Metadata`], `values.yaml` the default values, `templates/…` the
//! templates, and everything else (README, `crds/`, data files) the files
//! templates read through `.Files`.

pub mod archive;
mod capabilities;
mod chartfile;
mod dependency;
mod fields;
mod ignore;
pub(crate) mod load;
mod lock;
mod metadata;
mod process;

pub use capabilities::{Capabilities, KubeVersion};
pub use dependency::{Dependency, Lock};
pub use fields::FieldError;
pub use load::{LoadError, from_files, load, load_archive, load_dir};
pub use lock::{go_timestamp, hash_requirements, hash_v2_requirements};
pub use metadata::{Maintainer, Metadata, ValidationError};
pub use process::{MissingDependencies, check_dependencies, process_dependencies};

use crate::engine::Value;

/// A file of a chart, named by its slash-separated path inside the chart.
#[derive(Clone, Debug)]
pub struct File {
    pub name: String,
    pub data: Vec<u8>,
}

/// A loaded chart, with its subcharts.
#[derive(Clone, Debug)]
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
    /// `Chart.lock` (or `requirements.lock`).
    pub lock: Option<Lock>,
    /// The subcharts found in `charts/`, by name; after dependency
    /// processing, only the enabled ones, aliased.
    pub dependencies: Vec<Chart>,
}

impl Chart {
    pub fn name(&self) -> &str {
        &self.metadata.name
    }

    /// The files of `crds/` of this chart and every subchart, each with
    /// its full name (`parent/charts/sub/crds/x.yaml`): what Helm installs
    /// before anything else.
    pub fn crd_files(&self) -> Vec<(String, &File)> {
        let mut out = Vec::new();
        self.collect_crds(self.name(), &mut out);
        out
    }

    fn collect_crds<'a>(&'a self, path: &str, out: &mut Vec<(String, &'a File)>) {
        let is_manifest = |name: &str| [".yaml", ".yml", ".json"].iter().any(|e| name.ends_with(e));
        for f in self
            .files
            .iter()
            .filter(|f| f.name.starts_with("crds/") && is_manifest(&f.name))
        {
            out.push((format!("{path}/{}", f.name), f));
        }
        for sub in &self.dependencies {
            sub.collect_crds(&format!("{path}/charts/{}", sub.name()), out);
        }
    }
}
