//! Scenarios as data: the text format of `e2e/scenarios/*.scenario` and
//! its parser.
//!
//! A scenario is a list of header lines, then steps. Each step is one
//! command line; the indented lines under it are its expectations.
//!
//! ```text
//! # Comments start with '#'.
//! describe Helm installs a chart; we list it as Helm does.
//! drivers secret configmap sql
//! namespaces apps
//! needs install
//!
//! helm install e2e-web {charts}/podinfo -n {ns:apps}
//! same list -A -o json
//! ours list -n {ns:apps}
//!   exit 0
//!   stdout
//!   | NAME ...
//! kubectl get secrets -n {ns:apps} -o name
//!   driver secret
//!   stdout-has sh.helm.release.v1.e2e-web.v1
//! ```
//!
//! `helm`, `ours` and `kubectl` run one tool; `same` runs the reference
//! `helm` and ours with the same arguments and requires equal exit codes,
//! stdout and stderr, byte for byte. Placeholders (`{charts}`,
//! `{ns:NAME}`) are filled in by the runner.

use std::path::Path;

/// The bytes a scenario file may have: scenarios are hand-written, and
/// anything larger is a mistake.
const MAX_SCENARIO_BYTES: usize = 256 * 1024;

/// Why a scenario file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// The file could not be read.
    #[error("reading {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    /// The file is larger than any scenario should be.
    #[error("{path}: larger than {MAX_SCENARIO_BYTES} bytes")]
    TooLarge { path: String },
    /// A line is not what its position allows.
    #[error("{path}:{line}: {message}")]
    Syntax {
        path: String,
        line: usize,
        message: String,
    },
}

/// Who runs a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    /// The reference `helm`.
    Helm,
    /// The built `kubectl-helm`.
    Ours,
    /// The reference `kubectl`.
    Kubectl,
    /// Both `helm` and ours; their outcomes must be equal.
    Same,
}

/// A storage driver a scenario runs with (`HELM_DRIVER`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StorageDriver {
    /// Release Secrets (Helm's default).
    Secret,
    /// Release ConfigMaps.
    ConfigMap,
    /// PostgreSQL with Helm's schema.
    Sql,
}

impl StorageDriver {
    /// The value of `HELM_DRIVER`.
    pub fn name(self) -> &'static str {
        match self {
            StorageDriver::Secret => "secret",
            StorageDriver::ConfigMap => "configmap",
            StorageDriver::Sql => "sql",
        }
    }

    fn parse(word: &str) -> Option<StorageDriver> {
        match word {
            "secret" => Some(StorageDriver::Secret),
            "configmap" => Some(StorageDriver::ConfigMap),
            "sql" => Some(StorageDriver::Sql),
            _ => None,
        }
    }
}

/// What a step's outcome must satisfy.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expect {
    /// The exit code; `None` means 0, except for [`Tool::Same`], where
    /// only equality with Helm counts.
    pub exit: Option<i32>,
    /// All of stdout, with times masked.
    pub stdout: Option<String>,
    /// Texts stdout must contain.
    pub stdout_has: Vec<String>,
    /// Texts stderr must contain.
    pub stderr_has: Vec<String>,
    /// Texts stdout must not contain.
    pub stdout_lacks: Vec<String>,
}

/// One command and what it must do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The line of the scenario file, for messages.
    pub line: usize,
    /// Who runs it.
    pub tool: Tool,
    /// The arguments, placeholders not yet filled in.
    pub args: Vec<String>,
    /// What its outcome must satisfy.
    pub expect: Expect,
    /// The drivers this step runs with; empty means every one.
    pub drivers: Vec<StorageDriver>,
}

/// A parsed scenario file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scenario {
    /// The file's stem.
    pub name: String,
    /// The `describe` line: what the scenario shows.
    pub description: String,
    /// The drivers it runs with, once each; `secret` when not given.
    pub drivers: Vec<StorageDriver>,
    /// The short names of the namespaces it creates (`{ns:NAME}`).
    pub namespaces: Vec<String>,
    /// The verbs of ours it needs that may not exist yet; a failure is
    /// reported as their absence.
    pub needs: Vec<String>,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

impl Scenario {
    /// Reads and parses the scenario at `path`.
    pub fn load(path: &Path) -> Result<Scenario, ParseError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ParseError::Read {
            path: shown.clone(),
            source,
        })?;
        if text.len() > MAX_SCENARIO_BYTES {
            return Err(ParseError::TooLarge { path: shown });
        }
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        Scenario::parse(&name, &shown, &text)
    }

    /// Parses `text`, naming the scenario `name`; `path` is for messages.
    pub fn parse(name: &str, path: &str, text: &str) -> Result<Scenario, ParseError> {
        let mut scenario = Scenario {
            name: name.to_owned(),
            description: String::new(),
            drivers: Vec::new(),
            namespaces: Vec::new(),
            needs: Vec::new(),
            steps: Vec::new(),
        };
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            let syntax = |message: String| ParseError::Syntax {
                path: path.to_owned(),
                line,
                message,
            };
            let trimmed = raw.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let indented = raw.starts_with(' ') || raw.starts_with('\t');
            if indented {
                let step = scenario
                    .steps
                    .last_mut()
                    .ok_or_else(|| syntax("an expectation before any step".into()))?;
                expectation(step, trimmed).map_err(syntax)?;
                continue;
            }
            let (word, rest) = trimmed.split_once(' ').unwrap_or((trimmed, ""));
            let rest = rest.trim();
            let tool = match word {
                "describe" => {
                    scenario.description = rest.to_owned();
                    continue;
                }
                "drivers" => {
                    scenario.drivers = drivers(rest).map_err(syntax)?;
                    continue;
                }
                "namespaces" => {
                    scenario.namespaces = rest.split_whitespace().map(str::to_owned).collect();
                    continue;
                }
                "needs" => {
                    scenario.needs = rest.split_whitespace().map(str::to_owned).collect();
                    continue;
                }
                "helm" => Tool::Helm,
                "ours" => Tool::Ours,
                "kubectl" => Tool::Kubectl,
                "same" => Tool::Same,
                other => return Err(syntax(format!("unknown directive or tool {other:?}"))),
            };
            scenario.steps.push(Step {
                line,
                tool,
                args: split_args(rest).map_err(syntax)?,
                expect: Expect::default(),
                drivers: Vec::new(),
            });
        }
        if scenario.drivers.is_empty() {
            scenario.drivers.push(StorageDriver::Secret);
        }
        Ok(scenario)
    }
}

fn drivers(words: &str) -> Result<Vec<StorageDriver>, String> {
    words
        .split_whitespace()
        .map(|w| StorageDriver::parse(w).ok_or_else(|| format!("unknown driver {w:?}")))
        .collect()
}

/// Adds the expectation line `line` (trimmed) to `step`. A `| ` line
/// continues the `stdout` block; `|` alone is an empty line of it.
fn expectation(step: &mut Step, line: &str) -> Result<(), String> {
    if let Some(text) = line.strip_prefix('|') {
        let stdout = step
            .expect
            .stdout
            .as_mut()
            .ok_or("a '|' line outside a stdout block")?;
        stdout.push_str(text.strip_prefix(' ').unwrap_or(text));
        stdout.push('\n');
        return Ok(());
    }
    let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
    let expect = &mut step.expect;
    match word {
        "exit" => {
            let code = rest
                .trim()
                .parse()
                .map_err(|_| format!("exit code {rest:?} is not a number"))?;
            expect.exit = Some(code);
        }
        "stdout" if rest.is_empty() => expect.stdout = Some(String::new()),
        "stdout-has" => expect.stdout_has.push(rest.to_owned()),
        "stdout-lacks" => expect.stdout_lacks.push(rest.to_owned()),
        "stderr-has" => expect.stderr_has.push(rest.to_owned()),
        "driver" => step.drivers = drivers(rest)?,
        other => return Err(format!("unknown expectation {other:?}")),
    }
    Ok(())
}

/// Splits a command line into arguments: whitespace separates them, and
/// single or double quotes keep whitespace inside one (no escapes: the
/// scenarios are data, not shell).
fn split_args(line: &str) -> Result<Vec<String>, String> {
    let mut args = Vec::new();
    let mut current = String::new();
    let mut in_arg = false;
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => current.push(c),
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                in_arg = true;
            }
            None if c.is_whitespace() => {
                if in_arg {
                    args.push(std::mem::take(&mut current));
                    in_arg = false;
                }
            }
            None => {
                current.push(c);
                in_arg = true;
            }
        }
    }
    if quote.is_some() {
        return Err("an unclosed quote".into());
    }
    if in_arg {
        args.push(current);
    }
    Ok(args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_headers_steps_and_expectations() {
        let text = "# c\ndescribe two\ndrivers secret sql\nnamespaces a b\nneeds upgrade\n\n\
                    helm install x {charts}/podinfo -n {ns:a}\nours list -A\n  exit 1\n  stdout\n  | NAME\n  |\n  | x\n  stderr-has oops\n\
                    same list --filter 'a b' \"\"\nkubectl get secrets\n  driver secret\n";
        let s = Scenario::parse("t", "t.scenario", text).expect("parses");
        assert_eq!(s.description, "two");
        assert_eq!(s.drivers, [StorageDriver::Secret, StorageDriver::Sql]);
        assert_eq!(s.namespaces, ["a", "b"]);
        assert_eq!(s.needs, ["upgrade"]);
        assert_eq!(s.steps.len(), 4);
        assert_eq!(s.steps[1].expect.exit, Some(1));
        assert_eq!(s.steps[1].expect.stdout.as_deref(), Some("NAME\n\nx\n"));
        assert_eq!(s.steps[1].expect.stderr_has, ["oops"]);
        assert_eq!(s.steps[2].tool, Tool::Same);
        assert_eq!(s.steps[2].args, ["list", "--filter", "a b", ""]);
        assert_eq!(s.steps[3].drivers, [StorageDriver::Secret]);
        assert_eq!(s.steps[3].line, 16);
    }

    #[test]
    fn defaults_to_the_secret_driver() {
        let s = Scenario::parse("t", "t", "helm list\n").expect("parses");
        assert_eq!(s.drivers, [StorageDriver::Secret]);
        assert_eq!(s.steps[0].expect, Expect::default());
    }

    #[test]
    fn rejects_what_it_does_not_know() {
        for (text, wanted) in [
            ("  exit 0\n", "t:1: an expectation before any step"),
            ("bash rm -rf /\n", "t:1: unknown directive or tool \"bash\""),
            (
                "helm list\n  exit x\n",
                "t:2: exit code \"x\" is not a number",
            ),
            (
                "helm list\n  | x\n",
                "t:2: a '|' line outside a stdout block",
            ),
            ("helm list 'x\n", "t:1: an unclosed quote"),
            ("drivers etcd\n", "t:1: unknown driver \"etcd\""),
            (
                "helm list\n  stdin x\n",
                "t:2: unknown expectation \"stdin\"",
            ),
        ] {
            let error = Scenario::parse("t", "t", text).expect_err(text);
            assert_eq!(error.to_string(), wanted);
        }
    }
}
