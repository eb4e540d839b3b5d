//! Hooks as a release records them.

use super::gojson::{DecodeError, StructReader, StructWriter};
use super::time::Time;

/// A hook of a release: a manifest run at a point of its lifecycle.
///
/// Events (`pre-install`, `test`, …) and policies (`hook-succeeded`,
/// `hook-failed`, `before-hook-creation`) are kept as the strings Helm
/// stores, so a record with a value we do not know still round-trips.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hook {
    pub name: String,
    /// The Kubernetes kind.
    pub kind: String,
    /// The template's path inside the chart (`mychart/templates/job.yaml`).
    pub path: String,
    pub manifest: String,
    pub events: Vec<String>,
    pub last_run: HookExecution,
    pub weight: i64,
    pub delete_policies: Vec<String>,
    pub output_log_policies: Vec<String>,
}

/// The last run of a hook.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HookExecution {
    pub started_at: Time,
    pub completed_at: Time,
    /// `Unknown`, `Running`, `Succeeded`, `Failed`, or empty before a run.
    pub phase: String,
}

impl Hook {
    pub(crate) fn write(&self, out: &mut String) {
        let mut w = StructWriter::new(out);
        w.string_omitempty("name", &self.name);
        w.string_omitempty("kind", &self.kind);
        w.string_omitempty("path", &self.path);
        w.string_omitempty("manifest", &self.manifest);
        w.strings_omitempty("events", &self.events);
        // HookExecution has its own marshaller: always written.
        self.last_run.write(w.key("last_run"));
        if self.weight != 0 {
            w.key("weight").push_str(&self.weight.to_string());
        }
        w.strings_omitempty("delete_policies", &self.delete_policies);
        w.strings_omitempty("output_log_policies", &self.output_log_policies);
        w.finish();
    }

    pub(crate) fn read(r: &StructReader<'_>) -> Result<Hook, DecodeError> {
        Ok(Hook {
            name: r.string("name")?,
            kind: r.string("kind")?,
            path: r.string("path")?,
            manifest: r.string("manifest")?,
            events: r.strings("events")?,
            last_run: match r.nested("last_run", "HookExecution")? {
                Some(e) => HookExecution::read(&e)?,
                None => HookExecution::default(),
            },
            weight: r.int("weight")?,
            delete_policies: r.strings("delete_policies")?,
            output_log_policies: r.strings("output_log_policies")?,
        })
    }
}

impl HookExecution {
    fn write(&self, out: &mut String) {
        let mut w = StructWriter::new(out);
        w.time_omitzero("started_at", &self.started_at);
        w.time_omitzero("completed_at", &self.completed_at);
        w.string("phase", &self.phase);
        w.finish();
    }

    fn read(r: &StructReader<'_>) -> Result<HookExecution, DecodeError> {
        Ok(HookExecution {
            started_at: r.time("started_at")?,
            completed_at: r.time("completed_at")?,
            phase: r.string("phase")?,
        })
    }
}
