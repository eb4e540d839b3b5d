//! `helm lint`: run the lint rules on each chart and report as Helm does.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use crate::chart::KubeVersion;
use crate::goio;
use crate::lint::{self, Message, Severity};
use crate::values::{UserValues, ValuesError};

/// The options of `helm lint`.
#[derive(Clone, Debug, Default)]
pub struct Lint {
    /// `--strict`: warnings fail a chart too.
    pub strict: bool,
    /// `--quiet`: only charts with warnings or errors, without `[INFO]`s.
    pub quiet: bool,
    /// `--with-subcharts`: also lint every chart under each `charts/`.
    pub with_subcharts: bool,
    pub values: UserValues,
    pub kube_version: Option<KubeVersion>,
    pub skip_schema_validation: bool,
    pub namespace: String,
}

/// What `helm lint` prints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LintReport {
    /// Standard output: each chart's findings.
    pub output: String,
    /// `N chart(s) linted, M chart(s) failed`.
    pub summary: String,
    /// Whether some chart failed (the summary is then the error).
    pub failed: bool,
    /// Whether the summary is printed after a success.
    pub print_summary: bool,
    /// What templates logged while rendering, for standard error.
    pub logs: Vec<String>,
}

/// One chart's verdict.
struct ChartResult {
    messages: Vec<Message>,
    /// The texts of the findings that fail the chart, or why it could not
    /// be linted at all.
    errors: Vec<String>,
}

impl Lint {
    /// Lints the charts at `paths` (directories).
    pub fn run(&self, paths: &[String]) -> Result<LintReport, ValuesError> {
        let mut paths = paths.to_vec();
        if self.with_subcharts {
            let roots = paths.clone();
            for root in roots {
                collect_subcharts(&Path::new(&root).join("charts"), &mut paths);
            }
        }
        let options = lint::Options {
            values: self.values.merge()?,
            namespace: self.namespace.clone(),
            kube_version: self.kube_version.clone(),
            skip_schema_validation: self.skip_schema_validation,
        };
        let tolerance = if self.strict {
            Severity::Warning
        } else {
            Severity::Error
        };
        let mut output = String::new();
        let mut logs = Vec::new();
        let (mut failed, mut troubled) = (0, 0);
        for path in &paths {
            let result = lint_one(path, &options, tolerance, &mut logs);
            let has_trouble = !result.errors.is_empty()
                || result.messages.iter().any(|m| m.severity > Severity::Info);
            if has_trouble {
                troubled += 1;
            }
            if self.quiet && !has_trouble {
                continue;
            }
            let _ = writeln!(output, "==> Linting {path}");
            if result.messages.is_empty() {
                for err in &result.errors {
                    let _ = writeln!(output, "Error {err}");
                }
            }
            for msg in &result.messages {
                if !self.quiet || msg.severity > Severity::Info {
                    let _ = writeln!(output, "{msg}");
                }
            }
            if !result.errors.is_empty() {
                failed += 1;
            }
            output.push('\n');
        }
        Ok(LintReport {
            output,
            summary: format!("{} chart(s) linted, {failed} chart(s) failed", paths.len()),
            failed: failed > 0,
            print_summary: !self.quiet || troubled > 0,
            logs,
        })
    }
}

fn lint_one(
    path: &str,
    options: &lint::Options,
    tolerance: Severity,
    logs: &mut Vec<String>,
) -> ChartResult {
    let chart_yaml = goio::join(path, "Chart.yaml");
    if let Err(e) = fs::metadata(&chart_yaml) {
        let why = goio::error_text(&e);
        return ChartResult {
            messages: Vec::new(),
            errors: vec![format!(
                "unable to check Chart.yaml file in chart: stat {chart_yaml}: {why}"
            )],
        };
    }
    let linter = lint::run_all(Path::new(path), options);
    logs.extend(linter.logs);
    let errors = linter
        .messages
        .iter()
        .filter(|m| m.severity >= tolerance)
        .map(|m| m.text.clone())
        .collect();
    ChartResult {
        messages: linter.messages,
        errors,
    }
}

/// `--with-subcharts`: every directory holding a `Chart.yaml` and every
/// chart archive under `dir`, walked in lexical order as Go's
/// `filepath.Walk` walks.
fn collect_subcharts(dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let text = path.display().to_string();
        if path.file_name().is_some_and(|n| n == "Chart.yaml") {
            out.push(dir.display().to_string());
        } else if text.ends_with(".tgz") || text.ends_with(".tar.gz") {
            out.push(text);
        }
        if path.is_dir() {
            collect_subcharts(&path, out);
        }
    }
}
