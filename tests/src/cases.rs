//! Conformance cases: template snippets in `tests/conformance/*.cases`
//! (the format is described in that directory's README).

use std::fs;
use std::path::{Path, PathBuf};

use crate::repo_root;

/// One snippet to render with both Helms.
#[derive(Clone, Debug)]
pub struct Case {
    /// `file.cases:line name`, for reports.
    pub label: String,
    pub name: String,
    pub body: String,
    /// Extra templates (`define`s) beside the case.
    pub defs: String,
}

/// The directory of case files and their shared `values.yaml`.
pub fn cases_dir() -> PathBuf {
    repo_root().join("tests/conformance")
}

/// The names of the cases where we knowingly differ from Helm (one per
/// line, `#` starts a comment giving the reason).
pub fn known_differences() -> std::collections::HashSet<String> {
    let text = fs::read_to_string(cases_dir().join("known-differences.txt")).unwrap_or_default();
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// Every case of every `.cases` file, in file and line order.
pub fn load_all() -> Vec<Case> {
    let mut files: Vec<PathBuf> = fs::read_dir(cases_dir())
        .expect("tests/conformance exists")
        .map(|e| e.expect("readable directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "cases"))
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for path in files {
        let text = fs::read_to_string(&path).expect("readable case file");
        let file = path
            .file_name()
            .expect("file name")
            .to_string_lossy()
            .into_owned();
        cases.extend(parse(&file, &text));
    }
    cases
}

/// Splits a case file at its `=== name` lines.
pub fn parse(file: &str, text: &str) -> Vec<Case> {
    let mut cases = Vec::new();
    let mut current: Option<(usize, String, Vec<&str>)> = None;
    let mut finish = |current: Option<(usize, String, Vec<&str>)>| {
        if let Some((line, name, lines)) = current {
            let joined = lines.join("\n");
            let (body, defs) = match joined.split_once("\n--- defs\n") {
                Some((b, d)) => (b.to_string(), d.to_string()),
                None => (joined, String::new()),
            };
            cases.push(Case {
                label: format!("{file}:{line} {name}"),
                name,
                body,
                defs,
            });
        }
    };
    for (i, line) in text.split('\n').enumerate() {
        if let Some(name) = line.strip_prefix("===") {
            finish(current.take());
            current = Some((i + 1, name.trim().to_string(), Vec::new()));
        } else if let Some((_, _, lines)) = &mut current {
            lines.push(line);
        }
    }
    finish(current);
    cases
}

impl Case {
    /// Writes the chart that renders this case into `dir`.
    pub fn write_chart(&self, dir: &Path) {
        let templates = dir.join("templates");
        fs::create_dir_all(&templates).expect("create chart directory");
        let values = fs::read(cases_dir().join("values.yaml")).expect("conformance values");
        let files: [(PathBuf, Vec<u8>); 4] = [
            (dir.join("Chart.yaml"), CHART_YAML.as_bytes().to_vec()),
            (dir.join("values.yaml"), values),
            (
                templates.join("_case.tpl"),
                format!(
                    "{{{{ define \"case\" }}}}{}{{{{ end }}}}{}",
                    self.body, self.defs
                )
                .into_bytes(),
            ),
            (templates.join("out.yaml"), OUT_YAML.as_bytes().to_vec()),
        ];
        for (path, data) in files {
            fs::write(&path, data).expect("write chart file");
        }
        copy_tree(&cases_dir().join("chart-files"), dir);
    }

    /// Everything the rendering depends on, for caching Helm's answer.
    pub fn fingerprint(&self) -> Vec<u8> {
        let values = fs::read(cases_dir().join("values.yaml")).unwrap_or_default();
        let files = crate::fingerprint_dir(&cases_dir().join("chart-files"));
        [
            self.body.as_bytes(),
            b"\0",
            self.defs.as_bytes(),
            b"\0",
            &values,
            &files,
        ]
        .concat()
    }
}

const CHART_YAML: &str = "apiVersion: v2\nname: conf\nversion: 0.1.0\n";
const OUT_YAML: &str = "out: {{ include \"case\" . | toJson }}\n";

/// Copies the extra files every case chart carries (for `.Files`).
fn copy_tree(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).expect("readable chart-files") {
        let entry = entry.expect("directory entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            fs::create_dir_all(&target).expect("create directory");
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy chart file");
        }
    }
}
