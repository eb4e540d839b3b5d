//! The release record, exactly as Helm 4 serialises it.
//!
//! A [`Release`] is one revision of an installed chart: the [`StoredChart`]
//! with its values, the user's values, the rendered manifest, the
//! [`Hook`]s, and its [`Info`] (times, [`Status`], notes). [`Release::to_json`]
//! writes the bytes Helm's `json.Marshal` writes (fields in Go's order,
//! `omitempty`, HTML escaping, Go's float and time formats);
//! [`Release::from_json`] reads what Helm 3 and 4 write. The storage
//! drivers ([`crate::storage`]) wrap this JSON for the cluster.

mod chart;
pub(crate) use chart::write_dependency;
pub(crate) mod gojson;
mod hook;
mod time;

use std::collections::BTreeMap;
use std::fmt;

use serde_json::{Map, Value};

pub use chart::{Dependency, File, Lock, Metadata, StoredChart, engine_map};
pub use gojson::DecodeError;
pub use hook::{Hook, HookExecution};
pub use time::Time;

use gojson::{StructReader, StructWriter, write_map};

/// One revision of a release.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Release {
    pub name: String,
    pub info: Option<Info>,
    pub chart: Option<StoredChart>,
    /// The values the user gave (`-f`, `--set` …), not coalesced.
    pub config: Option<Map<String, Value>>,
    /// The rendered manifests, without hooks.
    pub manifest: String,
    pub hooks: Vec<Hook>,
    /// The revision, from 1.
    pub version: i64,
    pub namespace: String,
    /// The release's own labels: not in the JSON, but in the labels of the
    /// object that stores it.
    pub labels: BTreeMap<String, String>,
    pub apply_method: ApplyMethod,
}

/// What a revision records about its deployment.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Info {
    pub first_deployed: Time,
    pub last_deployed: Time,
    pub deleted: Time,
    pub description: String,
    /// `None` when the record has no status.
    pub status: Option<Status>,
    /// The revision a rollback restored (Helm 4.3); 0 when this revision
    /// is not a rollback.
    pub rollback_revision: i64,
    /// The rendered `NOTES.txt`.
    pub notes: String,
    /// The deployed resources, as `helm status --show-resources` fills in.
    pub resources: Option<Map<String, Value>>,
}

/// The state of a revision, as Helm names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    Unknown,
    Deployed,
    Uninstalled,
    Superseded,
    Failed,
    Uninstalling,
    PendingInstall,
    PendingUpgrade,
    PendingRollback,
    /// A status this version of Helm does not define, kept verbatim.
    Other(String),
}

const STATUSES: [(Status, &str); 9] = [
    (Status::Unknown, "unknown"),
    (Status::Deployed, "deployed"),
    (Status::Uninstalled, "uninstalled"),
    (Status::Superseded, "superseded"),
    (Status::Failed, "failed"),
    (Status::Uninstalling, "uninstalling"),
    (Status::PendingInstall, "pending-install"),
    (Status::PendingUpgrade, "pending-upgrade"),
    (Status::PendingRollback, "pending-rollback"),
];

impl Status {
    /// The name Helm stores and prints.
    pub fn as_str(&self) -> &str {
        if let Status::Other(s) = self {
            return s;
        }
        STATUSES
            .iter()
            .find(|(status, _)| status == self)
            .map_or("", |(_, name)| name)
    }

    /// Whether an operation on the release is under way (Helm's `IsPending`).
    pub fn is_pending(&self) -> bool {
        matches!(
            self,
            Status::PendingInstall | Status::PendingUpgrade | Status::PendingRollback
        )
    }
}

impl From<&str> for Status {
    fn from(name: &str) -> Status {
        STATUSES
            .iter()
            .find(|(_, n)| *n == name)
            .map_or_else(|| Status::Other(name.to_string()), |(s, _)| s.clone())
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the release's objects were applied (Helm 4). Unset means
/// client-side apply, as every Helm 3 release was.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ApplyMethod {
    #[default]
    Unset,
    /// `csa`
    ClientSide,
    /// `ssa`
    ServerSide,
    /// A value this version of Helm does not define, kept verbatim.
    Other(String),
}

impl ApplyMethod {
    pub fn as_str(&self) -> &str {
        match self {
            ApplyMethod::Unset => "",
            ApplyMethod::ClientSide => "csa",
            ApplyMethod::ServerSide => "ssa",
            ApplyMethod::Other(s) => s,
        }
    }
}

impl From<&str> for ApplyMethod {
    fn from(name: &str) -> ApplyMethod {
        match name {
            "" => ApplyMethod::Unset,
            "csa" => ApplyMethod::ClientSide,
            "ssa" => ApplyMethod::ServerSide,
            other => ApplyMethod::Other(other.to_string()),
        }
    }
}

impl Release {
    /// The status of this revision, `None` when it has no info or status.
    pub fn status(&self) -> Option<&Status> {
        self.info.as_ref().and_then(|i| i.status.as_ref())
    }

    /// `json.Marshal(release)`, byte for byte.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        let mut w = StructWriter::new(&mut out);
        w.string_omitempty("name", &self.name);
        if let Some(info) = &self.info {
            info.write(w.key("info"));
        }
        if let Some(chart) = &self.chart {
            chart.write(w.key("chart"));
        }
        if let Some(config) = self.config.as_ref().filter(|c| !c.is_empty()) {
            write_map(config, w.key("config"));
        }
        w.string_omitempty("manifest", &self.manifest);
        if !self.hooks.is_empty() {
            let out = w.key("hooks");
            out.push('[');
            for (i, hook) in self.hooks.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                hook.write(out);
            }
            out.push(']');
        }
        if self.version != 0 {
            w.key("version").push_str(&self.version.to_string());
        }
        w.string_omitempty("namespace", &self.namespace);
        w.string_omitempty("apply_method", self.apply_method.as_str());
        w.finish();
        out
    }

    /// `json.Unmarshal` into a release: what Helm 3 and 4 write. Unknown
    /// fields are ignored; labels are not in the JSON and come back empty.
    pub fn from_json(text: &str) -> Result<Release, DecodeError> {
        let doc: Value =
            serde_json::from_str(text).map_err(|e| DecodeError::Syntax(e.to_string()))?;
        let Some(r) = StructReader::new(&doc, "Release", "Release")? else {
            return Ok(Release::default());
        };
        Ok(Release {
            name: r.string("name")?,
            info: r
                .nested("info", "Info")?
                .map(|i| Info::read(&i))
                .transpose()?,
            chart: r
                .nested("chart", "Chart")?
                .map(|c| StoredChart::read(&c))
                .transpose()?,
            config: r.map("config")?,
            manifest: r.string("manifest")?,
            hooks: r.structs("hooks", "Hook", Hook::read)?.unwrap_or_default(),
            version: r.int("version")?,
            namespace: r.string("namespace")?,
            labels: BTreeMap::new(),
            apply_method: ApplyMethod::from(r.string("apply_method")?.as_str()),
        })
    }
}

impl Info {
    fn write(&self, out: &mut String) {
        let mut w = StructWriter::new(out);
        w.time_omitzero("first_deployed", &self.first_deployed);
        w.time_omitzero("last_deployed", &self.last_deployed);
        w.time_omitzero("deleted", &self.deleted);
        w.string_omitempty("description", &self.description);
        if let Some(status) = &self.status {
            w.string_omitempty("status", status.as_str());
        }
        if self.rollback_revision != 0 {
            w.key("rollback_revision")
                .push_str(&self.rollback_revision.to_string());
        }
        w.string_omitempty("notes", &self.notes);
        if let Some(resources) = self.resources.as_ref().filter(|r| !r.is_empty()) {
            write_map(resources, w.key("resources"));
        }
        w.finish();
    }

    fn read(r: &StructReader<'_>) -> Result<Info, DecodeError> {
        let status = r.string("status")?;
        Ok(Info {
            first_deployed: r.time("first_deployed")?,
            last_deployed: r.time("last_deployed")?,
            deleted: r.time("deleted")?,
            description: r.string("description")?,
            status: (!status.is_empty()).then(|| Status::from(status.as_str())),
            rollback_revision: r.int("rollback_revision")?,
            notes: r.string("notes")?,
            resources: r.map("resources")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_record_round_trips() {
        let text = r#"{"name":"a","info":{"status":"deployed"},"version":3,"namespace":"ns"}"#;
        let rel = Release::from_json(text).unwrap();
        assert_eq!(rel.status(), Some(&Status::Deployed));
        assert_eq!(rel.to_json(), text);
    }

    #[test]
    fn rollback_revisions_keep_their_place() {
        // As Helm 4.3 writes a rollback: the restored revision between the
        // status and the notes.
        let text = r#"{"name":"a","info":{"description":"Rollback to 1","status":"deployed","rollback_revision":1,"notes":"n\n"},"version":3}"#;
        let rel = Release::from_json(text).unwrap();
        assert_eq!(rel.info.as_ref().unwrap().rollback_revision, 1);
        assert_eq!(rel.to_json(), text);
    }

    #[test]
    fn go_encoding_details() {
        let text = r#"{"name":"a\u003cb","config":{"big":1e+21,"n":12345678901,"z":{"\u0026":true}},"hooks":[{"name":"h","last_run":{"phase":""},"weight":-5}],"apply_method":"csa"}"#;
        let rel = Release::from_json(text).unwrap();
        assert_eq!(rel.name, "a<b");
        assert_eq!(rel.apply_method, ApplyMethod::ClientSide);
        assert_eq!(rel.to_json(), text);
    }

    #[test]
    fn helm3_shapes_are_read() {
        // Empty time strings, a status this Helm does not know, keys in
        // another case.
        let text = r#"{"Name":"x","info":{"first_deployed":"","deleted":"","status":"paused"},"version":2}"#;
        let rel = Release::from_json(text).unwrap();
        assert_eq!(rel.name, "x");
        assert_eq!(rel.version, 2);
        assert_eq!(rel.status(), Some(&Status::Other("paused".into())));
        assert_eq!(
            rel.to_json(),
            r#"{"name":"x","info":{"status":"paused"},"version":2}"#
        );
    }

    #[test]
    fn config_from_engine_values() {
        let values = crate::codec::yaml::from_str("a: 1\nb: [x, {c: 1.5e300}]\n").unwrap();
        let rel = Release {
            config: engine_map(&values).unwrap(),
            ..Release::default()
        };
        assert_eq!(
            rel.to_json(),
            r#"{"config":{"a":1,"b":["x",{"c":1.5e+300}]}}"#
        );
        let deep = format!("{{\"a\":{}{}}}", "[".repeat(200), "]".repeat(200));
        let deep = crate::codec::json::from_str(&deep).unwrap();
        assert!(engine_map(&deep).is_err());
    }

    #[test]
    fn type_errors_name_the_field() {
        let err = Release::from_json(r#"{"version":"3"}"#).unwrap_err();
        assert_eq!(
            err.to_string(),
            "json: cannot unmarshal string into Go struct field Release.version of type int"
        );
        // Go parses an int field as an integer: 2.0 is refused.
        assert!(matches!(
            Release::from_json(r#"{"version":2.0}"#),
            Err(DecodeError::Number { .. })
        ));
        assert!(matches!(
            Release::from_json(r#"{"config":{"a":1e999}}"#),
            Err(DecodeError::Number { .. })
        ));
        assert!(matches!(
            Release::from_json("{"),
            Err(DecodeError::Syntax(_))
        ));
    }
}
