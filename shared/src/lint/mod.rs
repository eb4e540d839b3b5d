//! `helm lint`'s rules (Helm's `pkg/chart/v2/lint`): each module checks one
//! part of a chart directory and records [`Message`]s in a [`Linter`].
//!
//! The rules run in Helm's order — `Chart.yaml`, `values.yaml`, the
//! templates, the dependencies, the CRDs — and every message is worded as
//! Helm 4.3.1 words it, since `helm lint` output is read by people and by
//! CI scripts alike.

mod chartfile;
mod crds;
mod dependencies;
mod deprecations;
mod documents;
mod loading;
mod names;
mod templates;
mod values;

use std::fmt;
use std::path::{Component, Path, PathBuf};

use crate::chart::KubeVersion;
use crate::engine::value::Map;

/// How bad a finding is; the order matters (`--strict` fails on warnings).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    fn label(self) -> &'static str {
        match self {
            Severity::Info => "INFO",
            Severity::Warning => "WARNING",
            Severity::Error => "ERROR",
        }
    }
}

/// One finding: `[SEVERITY] PATH: TEXT` when printed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub severity: Severity,
    /// What the finding is about: a file of the chart (`Chart.yaml`,
    /// `templates/x.yaml`), a directory (`templates/`), the chart's absolute
    /// directory, or nothing.
    pub path: String,
    pub text: String,
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "[{}] {}: {}",
            self.severity.label(),
            self.path,
            self.text
        )
    }
}

/// The findings of one chart.
#[derive(Debug, Default)]
pub struct Linter {
    /// The chart's directory, absolute and cleaned as Go's `filepath.Abs`.
    pub chart_dir: PathBuf,
    pub messages: Vec<Message>,
    /// What `required` and `fail` logged while the templates rendered
    /// (Helm's log lines, for standard error).
    pub logs: Vec<String>,
}

impl Linter {
    /// Records `outcome` if it is a finding; returns whether the rule
    /// passed.
    fn check(&mut self, severity: Severity, path: &str, outcome: Result<(), String>) -> bool {
        match outcome {
            Ok(()) => true,
            Err(text) => {
                self.messages.push(Message {
                    severity,
                    path: path.to_string(),
                    text,
                });
                false
            }
        }
    }
}

/// What the rules need besides the chart.
#[derive(Clone)]
pub struct Options {
    /// The user's values (`-f`, `--set`…), merged.
    pub values: Map,
    /// `.Release.Namespace` for the render.
    pub namespace: String,
    /// `--kube-version`: the cluster version for `.Capabilities` and the
    /// deprecation check.
    pub kube_version: Option<KubeVersion>,
    pub skip_schema_validation: bool,
}

/// Runs every rule on the chart in `dir`.
pub fn run_all(dir: &Path, options: &Options) -> Linter {
    let mut linter = Linter {
        chart_dir: absolute(dir),
        ..Linter::default()
    };
    chartfile::lint(&mut linter);
    values::lint(&mut linter, options);
    templates::lint(&mut linter, options);
    dependencies::lint(&mut linter);
    crds::lint(&mut linter);
    linter
}

/// `path` made absolute and cleaned lexically (`.` and `..` resolved, no
/// symbolic links followed), as Go's `filepath.Abs` does.
fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut out = PathBuf::new();
    for part in joined.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_print_as_helm_prints_them() {
        let m = Message {
            severity: Severity::Info,
            path: "Chart.yaml".into(),
            text: "icon is recommended".into(),
        };
        assert_eq!(m.to_string(), "[INFO] Chart.yaml: icon is recommended");
    }

    #[test]
    fn absolute_paths_are_cleaned() {
        assert_eq!(absolute(Path::new("/a/./b/../c")), PathBuf::from("/a/c"));
    }
}
