//! Running a [`Scenario`] against a cluster: once per storage driver, in
//! namespaces of its own, each step's outcome checked against its
//! expectations.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::mask::mask_times;
use crate::process::{Outcome, RunError, run};
use crate::scenario::{Expect, Scenario, Step, StorageDriver, Tool};

/// How long one command may take: `--wait` installs of large charts on a
/// slow cluster included.
const STEP_TIMEOUT: Duration = Duration::from_secs(600);
/// The output shown of a failing command, per stream.
const SHOWN_OUTPUT: usize = 4000;
/// The longest namespace name Kubernetes accepts (a DNS label).
const MAX_NAMESPACE: usize = 63;

/// The binaries a scenario runs.
#[derive(Clone, Debug)]
pub struct Tools {
    /// The built `kubectl-helm`.
    pub ours: PathBuf,
    /// The reference `helm`.
    pub helm: PathBuf,
    /// The reference `kubectl`.
    pub kubectl: PathBuf,
}

/// Where scenarios run.
#[derive(Clone, Debug)]
pub struct Target {
    /// `KUBECONFIG` for every tool (may name several files, as kubectl
    /// allows).
    pub kubeconfig: String,
    /// `HOME` for every tool: Helm's config, cache and data live under it.
    pub home: PathBuf,
    /// What `{charts}` stands for.
    pub charts: PathBuf,
}

/// Gives each scenario run using `HELM_DRIVER=sql` a database.
pub trait Databases {
    /// A connection string for a new, empty database named `name`.
    fn database(&self, name: &str) -> Result<String, String>;
}

/// Why a scenario run failed.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// A namespace name made from the scenario's is not a DNS label.
    #[error(
        "namespace {0:?} is longer than {MAX_NAMESPACE} characters: shorten the scenario's file name or namespace"
    )]
    NamespaceTooLong(String),
    /// A `{...}` placeholder names nothing.
    #[error("line {line}: unknown placeholder {placeholder:?}")]
    Placeholder { line: usize, placeholder: String },
    /// No database could be had for the SQL driver.
    #[error("no database for HELM_DRIVER=sql: {0}")]
    Database(String),
    /// Preparing or cleaning the namespaces failed.
    #[error("{action} namespace {namespace}: {detail}")]
    Namespace {
        action: &'static str,
        namespace: String,
        detail: String,
    },
    /// A command could not be run.
    #[error("line {line}: {source}")]
    Run { line: usize, source: RunError },
    /// A step's outcome is not what the scenario expects.
    #[error("line {line}: `{command}`\n{problem}{needs}")]
    Step {
        line: usize,
        command: String,
        problem: String,
        /// Why this may be expected today: the verbs of ours the scenario
        /// needs, which may not exist yet.
        needs: String,
    },
}

/// Runs scenarios with the tools against the target.
pub struct Runner<'a> {
    /// The binaries run.
    pub tools: &'a Tools,
    /// The cluster and the tools' home.
    pub target: &'a Target,
    /// Databases for the SQL driver; `None` when there is none to use.
    pub databases: Option<&'a dyn Databases>,
}

impl Runner<'_> {
    /// Runs `scenario` once with `driver`.
    pub fn run(&self, scenario: &Scenario, driver: StorageDriver) -> Result<(), ScenarioError> {
        let mut env = vec![
            ("PATH".to_owned(), std::env::var("PATH").unwrap_or_default()),
            ("HOME".to_owned(), self.target.home.display().to_string()),
            ("KUBECONFIG".to_owned(), self.target.kubeconfig.clone()),
            ("HELM_DRIVER".to_owned(), driver.name().to_owned()),
            // Times print in one zone, whatever the machine's.
            ("TZ".to_owned(), "UTC".to_owned()),
        ];
        if driver == StorageDriver::Sql {
            let databases = self.databases.ok_or_else(|| {
                ScenarioError::Database(
                    "none configured (set E2E_SQL_CONNECTION_STRING or install PostgreSQL)".into(),
                )
            })?;
            let name = format!("e2e_{}", scenario.name.replace('-', "_"));
            let conn = databases.database(&name).map_err(ScenarioError::Database)?;
            env.push(("HELM_DRIVER_SQL_CONNECTION_STRING".to_owned(), conn));
        }
        let namespaces = namespaces(scenario, driver)?;
        for (_, namespace) in &namespaces {
            self.kubectl(
                &env,
                "deleting",
                namespace,
                &[
                    "delete",
                    "namespace",
                    namespace,
                    "--ignore-not-found",
                    "--wait=true",
                ],
            )?;
            self.kubectl(
                &env,
                "creating",
                namespace,
                &["create", "namespace", namespace],
            )?;
        }
        for step in &scenario.steps {
            if !step.drivers.is_empty() && !step.drivers.contains(&driver) {
                continue;
            }
            let args = fill(step, &self.target.charts, &namespaces)?;
            self.step(scenario, step, &args, &env)?;
        }
        for (_, namespace) in &namespaces {
            self.kubectl(
                &env,
                "deleting",
                namespace,
                &["delete", "namespace", namespace, "--wait=false"],
            )?;
        }
        Ok(())
    }

    fn kubectl(
        &self,
        env: &[(String, String)],
        action: &'static str,
        namespace: &str,
        args: &[&str],
    ) -> Result<(), ScenarioError> {
        let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        let failed = |detail: String| ScenarioError::Namespace {
            action,
            namespace: namespace.to_owned(),
            detail,
        };
        let out = run(&self.tools.kubectl, &args, env, STEP_TIMEOUT)
            .map_err(|e| failed(e.to_string()))?;
        if out.status == 0 {
            Ok(())
        } else {
            Err(failed(out.stderr))
        }
    }

    fn step(
        &self,
        scenario: &Scenario,
        step: &Step,
        args: &[String],
        env: &[(String, String)],
    ) -> Result<(), ScenarioError> {
        let exec = |program: &Path| {
            run(program, args, env, STEP_TIMEOUT).map_err(|source| ScenarioError::Run {
                line: step.line,
                source,
            })
        };
        let (name, program) = match step.tool {
            Tool::Helm => ("helm", &self.tools.helm),
            Tool::Ours | Tool::Same => ("kubectl-helm", &self.tools.ours),
            Tool::Kubectl => ("kubectl", &self.tools.kubectl),
        };
        let outcome = exec(program)?;
        let mut problem = String::new();
        if step.tool == Tool::Same {
            let theirs = exec(&self.tools.helm)?;
            if theirs != outcome {
                problem.push_str(&difference(&theirs, &outcome));
            }
        }
        problem.push_str(&unmet(&step.expect, step.tool, &outcome));
        if problem.is_empty() {
            return Ok(());
        }
        let ours_ran = matches!(step.tool, Tool::Ours | Tool::Same);
        let needs = if ours_ran && !scenario.needs.is_empty() {
            format!(
                "\nthis scenario needs `kubectl helm {}`, which may not be built yet (it lands with h/install)",
                scenario.needs.join("`, `kubectl helm ")
            )
        } else {
            String::new()
        };
        Err(ScenarioError::Step {
            line: step.line,
            command: format!("{name} {}", args.join(" ")),
            problem,
            needs,
        })
    }
}

/// The namespaces of one run: each short name with its real name,
/// `e2e-SCENARIO-DRIVER-SHORT`.
fn namespaces(
    scenario: &Scenario,
    driver: StorageDriver,
) -> Result<Vec<(String, String)>, ScenarioError> {
    scenario
        .namespaces
        .iter()
        .map(|short| {
            let full = format!("e2e-{}-{}-{short}", scenario.name, driver.name());
            if full.len() > MAX_NAMESPACE {
                Err(ScenarioError::NamespaceTooLong(full))
            } else {
                Ok((short.clone(), full))
            }
        })
        .collect()
}

/// `step`'s arguments with `{charts}` and `{ns:NAME}` filled in; other
/// braces are left alone.
fn fill(
    step: &Step,
    charts: &Path,
    namespaces: &[(String, String)],
) -> Result<Vec<String>, ScenarioError> {
    step.args
        .iter()
        .map(|arg| {
            let mut out = String::new();
            let mut rest = arg.as_str();
            while let Some(start) = rest.find('{') {
                let Some(len) = rest[start..].find('}') else {
                    break;
                };
                out.push_str(&rest[..start]);
                let name = &rest[start + 1..start + len];
                if name == "charts" {
                    out.push_str(&charts.display().to_string());
                } else if let Some(short) = name.strip_prefix("ns:") {
                    let full = namespaces.iter().find(|(s, _)| s == short).ok_or_else(|| {
                        ScenarioError::Placeholder {
                            line: step.line,
                            placeholder: name.to_owned(),
                        }
                    })?;
                    out.push_str(&full.1);
                } else {
                    // Not ours (a JSONPath, a Go template): kept as it is.
                    out.push_str(&rest[start..=start + len]);
                }
                rest = &rest[start + len + 1..];
            }
            out.push_str(rest);
            Ok(out)
        })
        .collect()
}

/// How Helm's outcome and ours differ, for a `same` step.
fn difference(theirs: &Outcome, ours: &Outcome) -> String {
    let mut text = String::new();
    if theirs.status != ours.status {
        let _ = writeln!(text, "exit: helm {}, ours {}", theirs.status, ours.status);
    }
    for (stream, t, o) in [
        ("stdout", &theirs.stdout, &ours.stdout),
        ("stderr", &theirs.stderr, &ours.stderr),
    ] {
        if t == o {
            continue;
        }
        let line = t
            .lines()
            .zip(o.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| t.lines().count().min(o.lines().count()));
        let _ = writeln!(
            text,
            "{stream} differs from line {}:\n--- helm\n{}\n--- ours\n{}",
            line + 1,
            shown(t),
            shown(o)
        );
    }
    text
}

/// What of `expect` the outcome does not meet.
fn unmet(expect: &Expect, tool: Tool, outcome: &Outcome) -> String {
    let mut text = String::new();
    let exit = expect.exit.or((tool != Tool::Same).then_some(0));
    if let Some(code) = exit
        && outcome.status != code
    {
        let _ = writeln!(
            text,
            "exit {} (wanted {code})\n--- stdout\n{}\n--- stderr\n{}",
            outcome.status,
            shown(&outcome.stdout),
            shown(&outcome.stderr)
        );
    }
    let masked = mask_times(&outcome.stdout);
    if let Some(wanted) = &expect.stdout
        && trim_line_ends(&masked) != trim_line_ends(wanted)
    {
        let _ = writeln!(
            text,
            "stdout (times masked, line ends trimmed) is\n{}\n--- wanted\n{}",
            shown(&masked),
            shown(wanted)
        );
    }
    for needle in &expect.stdout_has {
        if !masked.contains(needle.as_str()) {
            let _ = writeln!(text, "stdout lacks {needle:?}:\n{}", shown(&masked));
        }
    }
    for needle in &expect.stdout_lacks {
        if masked.contains(needle.as_str()) {
            let _ = writeln!(text, "stdout has {needle:?}:\n{}", shown(&masked));
        }
    }
    for needle in &expect.stderr_has {
        if !outcome.stderr.contains(needle.as_str()) {
            let _ = writeln!(text, "stderr lacks {needle:?}:\n{}", shown(&outcome.stderr));
        }
    }
    text
}

/// `text` without whitespace at the ends of its lines: tables pad their
/// last column, and scenario files should not have to keep trailing
/// blanks (`same` steps compare every byte).
fn trim_line_ends(text: &str) -> String {
    text.lines()
        .map(|line| format!("{}\n", line.trim_end()))
        .collect()
}

/// At most [`SHOWN_OUTPUT`] bytes of `text`, cut at a character boundary.
fn shown(text: &str) -> &str {
    if text.len() <= SHOWN_OUTPUT {
        return text;
    }
    let mut end = SHOWN_OUTPUT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(status: i32, stdout: &str) -> Outcome {
        Outcome {
            status,
            stdout: stdout.into(),
            stderr: String::new(),
        }
    }

    #[test]
    fn fills_placeholders_and_refuses_unknown_ones() {
        let scenario = Scenario::parse(
            "s",
            "s",
            "namespaces a\nhelm x {charts}/c -n {ns:a} a{b {.x}\nhelm {ns:z}\n",
        )
        .expect("parses");
        let ns = namespaces(&scenario, StorageDriver::ConfigMap).expect("short enough");
        assert_eq!(ns, [("a".into(), "e2e-s-configmap-a".into())]);
        let args = fill(&scenario.steps[0], Path::new("/c"), &ns).expect("fills");
        assert_eq!(
            args,
            ["x", "/c/c", "-n", "e2e-s-configmap-a", "a{b", "{.x}"]
        );
        let error = fill(&scenario.steps[1], Path::new("/c"), &ns).expect_err("unknown");
        assert_eq!(error.to_string(), "line 3: unknown placeholder \"ns:z\"");
    }

    #[test]
    fn long_namespaces_are_refused() {
        let long = "x".repeat(60);
        let scenario = Scenario::parse(&long, "s", "namespaces a\n").expect("parses");
        assert!(matches!(
            namespaces(&scenario, StorageDriver::Secret),
            Err(ScenarioError::NamespaceTooLong(_))
        ));
    }

    #[test]
    fn checks_exit_codes_masked_stdout_and_needles() {
        let mut expect = Expect::default();
        assert_eq!(unmet(&expect, Tool::Ours, &outcome(0, "x")), "");
        assert!(unmet(&expect, Tool::Ours, &outcome(1, "x")).starts_with("exit 1 (wanted 0)"));
        assert_eq!(unmet(&expect, Tool::Same, &outcome(1, "x")), "");
        expect.stdout = Some("at <TIME>\n".into());
        assert_eq!(
            unmet(
                &expect,
                Tool::Ours,
                &outcome(0, "at 2026-01-02T03:04:05Z   \n")
            ),
            ""
        );
        expect.stdout_has.push("at".into());
        assert_eq!(
            unmet(
                &expect,
                Tool::Ours,
                &outcome(0, "at 2026-01-02T03:04:05Z\n")
            ),
            ""
        );
        expect.stdout_lacks.push("at".into());
        assert!(
            unmet(
                &expect,
                Tool::Ours,
                &outcome(0, "at 2026-01-02T03:04:05Z\n")
            )
            .starts_with("stdout has \"at\"")
        );
    }

    #[test]
    fn differences_name_the_first_differing_line() {
        let text = difference(&outcome(0, "a\nb\n"), &outcome(1, "a\nc\n"));
        assert!(
            text.starts_with("exit: helm 0, ours 1\nstdout differs from line 2:"),
            "{text}"
        );
        assert_eq!(difference(&outcome(0, "a"), &outcome(0, "a")), "");
    }
}
