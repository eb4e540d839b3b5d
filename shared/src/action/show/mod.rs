//! `helm show`: a chart's definition, values, README and CRDs.

mod jsonpath;

use std::path::PathBuf;

pub use jsonpath::{JsonPath, JsonPathError};

use crate::chart::{Chart, LoadError, load_dir};
use crate::log::Log;

/// What `helm show` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShowFormat {
    All,
    Chart,
    Values,
    Readme,
    Crds,
}

/// The options of `helm show …`.
#[derive(Clone, Debug)]
pub struct Show {
    pub format: ShowFormat,
    pub chart: PathBuf,
    /// `--jsonpath` (values only): filter the values instead of printing
    /// `values.yaml` verbatim.
    pub jsonpath: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ShowError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("error parsing jsonpath {template}: {source}")]
    JsonPath {
        template: String,
        source: JsonPathError,
    },
    #[error("{0}")]
    Encode(String),
}

/// The names a README may have, matched without regard to case.
const README_NAMES: [&str; 3] = ["readme.md", "readme.txt", "readme"];

impl Show {
    /// Returns exactly what `helm show` prints; the loader's warnings go
    /// to `log`.
    pub fn run(&self, log: &mut dyn Log) -> Result<String, ShowError> {
        let chart = load_dir(&self.chart, log)?;
        let all = self.format == ShowFormat::All;
        let mut out = String::new();
        if matches!(self.format, ShowFormat::Chart | ShowFormat::All) {
            out.push_str(
                &chart
                    .metadata
                    .to_chart_yaml()
                    .map_err(|e| ShowError::Encode(e.0))?,
            );
            out.push('\n');
        }
        if matches!(self.format, ShowFormat::Values | ShowFormat::All)
            && let Some(raw) = &chart.raw_values
        {
            if all {
                out.push_str("---\n");
            }
            match &self.jsonpath {
                Some(template) => {
                    let path = JsonPath::parse(template).map_err(|source| ShowError::JsonPath {
                        template: template.clone(),
                        source,
                    })?;
                    out.push_str(&path.execute(&chart.values));
                }
                None => {
                    out.push_str(&String::from_utf8_lossy(raw));
                    out.push('\n');
                }
            }
        }
        if matches!(self.format, ShowFormat::Readme | ShowFormat::All)
            && let Some(readme) = find_readme(&chart)
        {
            if all {
                out.push_str("---\n");
            }
            out.push_str(&String::from_utf8_lossy(readme));
            out.push('\n');
        }
        if matches!(self.format, ShowFormat::Crds | ShowFormat::All) {
            let crds: Vec<&[u8]> = crd_objects(&chart).collect();
            if crds.first().is_some_and(|first| !first.starts_with(b"---")) {
                out.push_str("---\n");
            }
            for crd in crds {
                out.push_str(&String::from_utf8_lossy(crd));
                out.push('\n');
            }
        }
        Ok(out)
    }
}

/// The first top-level file named like a README.
fn find_readme(chart: &Chart) -> Option<&[u8]> {
    chart
        .files
        .iter()
        .find(|f| README_NAMES.iter().any(|n| f.name.eq_ignore_ascii_case(n)))
        .map(|f| f.data.as_slice())
}

/// The manifests of `crds/` (YAML or JSON files), in load order.
fn crd_objects(chart: &Chart) -> impl Iterator<Item = &[u8]> {
    chart
        .crd_files()
        .into_iter()
        .map(|(_, f)| f.data.as_slice())
}
