//! Differential testing against the reference Helm.
//!
//! [`reference`] fetches Helm 4.3.1 (through the repository's script) and
//! runs it, caching its answers; [`ours`] runs our command line in-process;
//! both return an [`Outcome`], and [`compare`] says how two differ.
//! [`cases`] reads the template snippets of `conformance/*.cases` and turns
//! each into a chart.

pub mod cases;
pub mod ours;
pub mod reference;

use std::path::{Path, PathBuf};

/// What a `template` run printed, and whether it succeeded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    /// What users see: the output and the log (warnings on standard
    /// error) of a success, the error of a failure.
    pub fn observable(&self) -> (bool, &str, &str) {
        if self.success {
            (true, &self.stdout, &self.stderr)
        } else {
            (false, "", &self.stderr)
        }
    }
}

/// `None` when the two runs are indistinguishable, else a report.
pub fn compare(label: &str, helm: &Outcome, ours: &Outcome) -> Option<String> {
    if helm.observable() == ours.observable() {
        return None;
    }
    Some(format!(
        "── {label}\n   helm ({}):\n{}\n   ours ({}):\n{}",
        status(helm),
        shown(helm),
        status(ours),
        shown(ours),
    ))
}

/// A run's output (on success) and standard error, indented.
fn shown(o: &Outcome) -> String {
    let mut text = String::new();
    if o.success {
        text.push_str(&indent(&o.stdout));
        if !o.stderr.is_empty() {
            text.push_str("\n     stderr:\n");
        }
    }
    text.push_str(&indent(&o.stderr));
    text
}

fn status(o: &Outcome) -> &'static str {
    if o.success { "ok" } else { "failed" }
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("     |{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The repository's root directory.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ lives in the repository")
        .to_path_buf()
}

/// The public charts copied into `tests/charts`.
pub fn charts_dir() -> PathBuf {
    repo_root().join("tests/charts")
}

/// The public charts: the three whole ones, then every chart directory of
/// `helm-testcharts` (sorted) whose name is not in `excluded`.
pub fn public_charts(excluded: &[&str]) -> Vec<PathBuf> {
    let mut charts: Vec<PathBuf> = ["podinfo", "cert-manager", "ingress-nginx"]
        .iter()
        .map(|c| charts_dir().join(c))
        .collect();
    let mut testcharts: Vec<PathBuf> = std::fs::read_dir(charts_dir().join("helm-testcharts"))
        .expect("helm-testcharts")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("Chart.yaml").is_file())
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| excluded.iter().any(|x| n == *x))
        })
        .collect();
    testcharts.sort();
    charts.extend(testcharts);
    charts
}

/// Fails, naming `what`, at the first byte where `ours` differs from
/// `helms`, with the text around it from both.
#[track_caller]
pub fn assert_same_bytes(what: &str, helms: &str, ours: &str) {
    if ours == helms {
        return;
    }
    let at = ours
        .bytes()
        .zip(helms.bytes())
        .position(|(a, b)| a != b)
        .unwrap_or(ours.len().min(helms.len()));
    // Byte offsets may split a character: a lossy window is fine for a report.
    let window = |s: &str| {
        let bytes = &s.as_bytes()[at.saturating_sub(120)..(at + 80).min(s.len())];
        String::from_utf8_lossy(bytes).into_owned()
    };
    panic!(
        "{what}: first difference at byte {at}:\n helm: {:?}\n ours: {:?}",
        window(helms),
        window(ours)
    );
}

/// Fails the test with every difference found, if any.
pub fn assert_none(failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The contents of every file under `dir` (names and bytes), for caching
/// the reference Helm's answer about it.
pub fn fingerprint_dir(dir: &Path) -> Vec<u8> {
    fn walk(dir: &Path, out: &mut Vec<u8>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            out.extend_from_slice(path.to_string_lossy().as_bytes());
            out.push(0);
            if path.is_dir() {
                walk(&path, out);
            } else if let Ok(data) = std::fs::read(&path) {
                out.extend_from_slice(&data);
                out.push(0);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out
}
