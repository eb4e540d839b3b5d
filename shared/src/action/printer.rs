//! How `install`, `upgrade`, `status` and `get all` print a release: the
//! status block as text, or the whole record as JSON or YAML. Pure
//! functions over a [`Release`]; the caller fetches it.

use std::fmt::Write as _;

use chrono::Local;

use crate::codec::{json, yaml};
use crate::engine::Value;
use crate::release::{Release, Status, Time};

/// Why a release could not be printed.
#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    /// The record's JSON could not be read back as values for YAML.
    #[error("{0}")]
    Json(#[from] json::JsonError),
    /// A value YAML cannot hold.
    #[error("{0}")]
    Yaml(#[from] yaml::EncodeError),
}

/// The options of the status block (Helm's `statusPrinter`).
#[derive(Clone, Debug, Default)]
pub struct StatusTable {
    /// Adds `CHART`, `VERSION` and `APP_VERSION` (`get all`).
    pub show_metadata: bool,
    /// `--hide-notes`: no `NOTES:` section.
    pub hide_notes: bool,
    /// Colours the namespace and status as a terminal shows them.
    pub color: bool,
    /// Helm's debug sections (`--debug`, and `get all`), given the
    /// computed values to print: the user-supplied values, these, then the
    /// hooks and manifest whatever the release's state.
    pub computed_values: Option<Value>,
}

impl StatusTable {
    /// The status block as Helm prints it.
    pub fn render(&self, rel: &Release) -> Result<String, PrintError> {
        let info = rel.info.clone().unwrap_or_default();
        let status = info.status.clone().unwrap_or(Status::Unknown);
        let mut out = String::new();
        let _ = writeln!(out, "NAME: {}", rel.name);
        if let Some(deployed) = local_ansic(&info.last_deployed) {
            let _ = writeln!(out, "LAST DEPLOYED: {deployed}");
        }
        let _ = writeln!(out, "NAMESPACE: {}", self.namespace(&rel.namespace));
        let _ = writeln!(out, "STATUS: {}", self.status(&status));
        let _ = writeln!(out, "REVISION: {}", rel.version);
        if self.show_metadata {
            let meta = rel
                .chart
                .as_ref()
                .and_then(|c| c.metadata.clone())
                .unwrap_or_default();
            let _ = writeln!(out, "CHART: {}", meta.name);
            let _ = writeln!(out, "VERSION: {}", meta.version);
            let _ = writeln!(out, "APP_VERSION: {}", meta.app_version);
        }
        let _ = writeln!(out, "DESCRIPTION: {}", info.description);
        if let Some(resources) = info.resources.as_ref().filter(|r| !r.is_empty()) {
            out.push_str(&super::status::resources_section(
                resources,
                chrono::Utc::now(),
            ));
        }
        write_test_suite(&mut out, rel);
        if let Some(computed) = &self.computed_values {
            out.push_str("USER-SUPPLIED VALUES:\n");
            out.push_str(&config_yaml(rel)?);
            out.push('\n');
            out.push_str("COMPUTED VALUES:\n");
            out.push_str(&yaml::to_yaml(computed)?);
            out.push('\n');
        }
        if self.computed_values.is_some()
            || info.description.eq_ignore_ascii_case("Dry run complete")
        {
            out.push_str("HOOKS:\n");
            out.push_str(&hooks_text(rel));
            let _ = writeln!(out, "MANIFEST:\n{}", rel.manifest);
        }
        // Go's `strings.TrimSpace` removes the same set as `str::trim`.
        if !self.hide_notes && !info.notes.is_empty() {
            let _ = writeln!(out, "NOTES:\n{}", info.notes.trim());
        }
        Ok(out)
    }

    fn namespace(&self, namespace: &str) -> String {
        if self.color {
            paint(CYAN, namespace)
        } else {
            namespace.to_string()
        }
    }

    fn status(&self, status: &Status) -> String {
        let name = status.as_str();
        if !self.color {
            return name.to_string();
        }
        match status {
            Status::Deployed => paint(GREEN, name),
            Status::Failed | Status::Unknown => paint(RED, name),
            Status::PendingInstall
            | Status::PendingUpgrade
            | Status::PendingRollback
            | Status::Uninstalling => paint(YELLOW, name),
            _ => name.to_string(),
        }
    }
}

const GREEN: &str = "32";
const YELLOW: &str = "33";
const RED: &str = "31";
const CYAN: &str = "36";

/// Text in an ANSI colour, as fatih/color writes it.
fn paint(code: &str, text: &str) -> String {
    format!("\x1b[{code}m{text}\x1b[0m")
}

/// `TEST SUITE: None` when the release has no test hooks; otherwise one
/// block per test hook that has run.
fn write_test_suite(out: &mut String, rel: &Release) {
    let tests: Vec<_> = rel
        .hooks
        .iter()
        .filter(|h| h.events.iter().any(|e| e == "test"))
        .collect();
    if tests.is_empty() {
        out.push_str("TEST SUITE: None\n");
        return;
    }
    for hook in tests {
        let Some(started) = local_ansic(&hook.last_run.started_at) else {
            continue;
        };
        let completed =
            local_ansic(&hook.last_run.completed_at).unwrap_or_else(|| ZERO_ANSIC.to_string());
        let _ = writeln!(
            out,
            "TEST SUITE:     {}\nLast Started:   {started}\nLast Completed: {completed}\nPhase:          {}",
            hook.name, hook.last_run.phase
        );
    }
}

/// Go's `t.Local().Format(time.ANSIC)`; `None` for the zero time.
fn local_ansic(t: &Time) -> Option<String> {
    t.get().map(|t| {
        t.with_timezone(&Local)
            .format("%a %b %e %H:%M:%S %Y")
            .to_string()
    })
}

/// Go's zero time in ANSIC, as a never-completed run prints (in UTC).
const ZERO_ANSIC: &str = "Mon Jan  1 00:00:00 0001";

/// Every hook as `get hooks` and the status block print them.
pub(crate) fn hooks_text(rel: &Release) -> String {
    let mut out = String::new();
    for h in &rel.hooks {
        let _ = writeln!(out, "---\n# Source: {}\n{}", h.path, h.manifest);
    }
    out
}

/// The user's values as `sigs.k8s.io/yaml` prints them.
fn config_yaml(rel: &Release) -> Result<String, PrintError> {
    Ok(yaml::to_yaml(&config_value(rel)?)?)
}

/// The release's `config` as an engine value: `null` when the record has
/// none (Go's nil map), `{}` when it is empty.
pub(crate) fn config_value(rel: &Release) -> Result<Value, PrintError> {
    match &rel.config {
        Some(config) => json_map_value(config),
        None => Ok(Value::Nil),
    }
}

/// A JSON object of the record as an engine value, numbers as float64.
pub(crate) fn json_map_value(
    map: &serde_json::Map<String, serde_json::Value>,
) -> Result<Value, PrintError> {
    let text = serde_json::Value::Object(map.clone()).to_string();
    Ok(json::from_str(&text)?)
}

/// `-o json`: the record as Helm's JSON encoder writes it.
pub fn release_json(rel: &Release) -> String {
    let mut out = rel.to_json();
    out.push('\n');
    out
}

/// `-o yaml`: the record as `sigs.k8s.io/yaml` writes it.
pub fn release_yaml(rel: &Release) -> Result<String, PrintError> {
    let value = json::from_str(&rel.to_json())?;
    Ok(yaml::to_yaml(&value)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::{Hook, HookExecution, Info};

    fn release(status: Status) -> Release {
        Release {
            name: "web".into(),
            namespace: "prod".into(),
            version: 3,
            info: Some(Info {
                status: Some(status),
                description: "Upgrade complete".into(),
                notes: "  hello\n\n".into(),
                ..Info::default()
            }),
            ..Release::default()
        }
    }

    #[test]
    fn colours_follow_the_status() {
        let table = StatusTable {
            color: true,
            ..StatusTable::default()
        };
        let text = |s| table.render(&release(s)).unwrap();
        assert!(text(Status::Deployed).contains("STATUS: \x1b[32mdeployed\x1b[0m\n"));
        assert!(text(Status::Failed).contains("STATUS: \x1b[31mfailed\x1b[0m\n"));
        assert!(text(Status::Uninstalling).contains("\x1b[33muninstalling\x1b[0m"));
        assert!(text(Status::Superseded).contains("STATUS: superseded\n"));
        assert!(text(Status::Deployed).contains("NAMESPACE: \x1b[36mprod\x1b[0m\n"));
    }

    #[test]
    fn block_without_times_or_hooks() {
        let text = StatusTable::default()
            .render(&release(Status::Deployed))
            .unwrap();
        assert_eq!(
            text,
            "NAME: web\nNAMESPACE: prod\nSTATUS: deployed\nREVISION: 3\n\
             DESCRIPTION: Upgrade complete\nTEST SUITE: None\nNOTES:\nhello\n"
        );
        let hidden = StatusTable {
            hide_notes: true,
            ..StatusTable::default()
        };
        assert!(
            !hidden
                .render(&release(Status::Deployed))
                .unwrap()
                .contains("NOTES")
        );
    }

    #[test]
    fn test_suite_lists_the_tests_that_ran() {
        let ran = |name: &str, started: &str| Hook {
            name: name.into(),
            events: vec!["test".into()],
            last_run: HookExecution {
                started_at: Time::parse(started).unwrap_or_default(),
                completed_at: Time::parse(started).unwrap_or_default(),
                phase: "Succeeded".into(),
            },
            ..Hook::default()
        };
        let mut rel = release(Status::Deployed);
        rel.hooks = vec![ran("t1", "2026-01-02T03:04:05Z"), ran("never", "")];
        let text = StatusTable::default().render(&rel).unwrap();
        let started = local_ansic(&Time::parse("2026-01-02T03:04:05Z").unwrap()).unwrap();
        assert!(text.contains(&format!(
            "TEST SUITE:     t1\nLast Started:   {started}\nLast Completed: {started}\nPhase:          Succeeded\nNOTES:"
        )));
        assert!(!text.contains("never"));
        assert!(!text.contains("TEST SUITE: None"));
    }
}
