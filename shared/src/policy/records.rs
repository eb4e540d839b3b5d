//! Rule `releaseRecords`: a release record says what its object's name
//! and labels say, at most one revision is deployed, versions only grow,
//! and the latest record is not deleted while its release still runs.

use serde_json::Value;

use super::write::{Operation, Write, label};
use crate::release::{Release, Status};
use crate::storage::{StoredObject, object_name};

/// Another record of the same release, as its labels describe it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordLabels {
    pub version: i64,
    pub status: Status,
}

/// What the webhook read before judging a write to a release record.
#[derive(Clone, Copy, Debug, Default)]
pub struct RecordFacts<'a> {
    /// The release's other records (the written one left out).
    pub others: &'a [RecordLabels],
    /// For a DELETE: whether objects of the release's manifest still
    /// exist (and are not being deleted).
    pub objects_remain: bool,
}

/// What is wrong with a record write, in words for the requester; and the
/// decoded release, for the ChartPolicy rules, when it could be read.
#[derive(Debug, Default)]
pub struct RecordCheck {
    pub release: Option<Release>,
    pub problems: Vec<String>,
}

/// Checks a CREATE, UPDATE or DELETE of a release record.
pub fn check_record(write: &Write<'_>, facts: &RecordFacts<'_>) -> RecordCheck {
    match (write.operation, write.object) {
        (Operation::Create | Operation::Update, Some(object)) => {
            check_written(write, object, facts)
        }
        (Operation::Delete, _) => RecordCheck {
            release: None,
            problems: check_deleted(write, facts).into_iter().collect(),
        },
        _ => RecordCheck::default(),
    }
}

fn check_written(write: &Write<'_>, object: &Value, facts: &RecordFacts<'_>) -> RecordCheck {
    let stored = match write.kind {
        "Secret" => StoredObject::from_secret(object).map_err(|e| e.to_string()),
        _ => StoredObject::from_config_map(object).map_err(|e| e.to_string()),
    };
    let release = stored.and_then(|s| s.release().map_err(|e| e.to_string()));
    let release = match release {
        Ok(release) => release,
        Err(reason) => {
            return RecordCheck {
                release: None,
                problems: vec![format!(
                    "release record {}: cannot be read: {reason}",
                    write.name
                )],
            };
        }
    };
    let mut problems = Vec::new();
    let mut problem =
        |text: String| problems.push(format!("release record {}: {text}", write.name));

    let expected_name = object_name(&release.name, release.version);
    if write.name != expected_name {
        problem(format!(
            "it holds release {:?} version {}, so its name must be {expected_name}",
            release.name, release.version
        ));
    }
    if release.namespace != write.namespace {
        problem(format!(
            "it holds a release of namespace {:?} but is stored in {:?}",
            release.namespace, write.namespace
        ));
    }
    let status = release.status().cloned().unwrap_or(Status::Unknown);
    let version = release.version.to_string();
    for (key, want) in [
        ("name", release.name.as_str()),
        ("version", &version),
        ("status", status.as_str()),
    ] {
        let have = label(object, key);
        if have != Some(want) {
            problem(format!(
                "label {key} is {} but the record says {want:?}",
                quoted(have)
            ));
        }
    }
    if status == Status::Deployed
        && let Some(other) = facts
            .others
            .iter()
            .find(|o| o.status == Status::Deployed && o.version != release.version)
    {
        problem(format!(
            "release {:?} is already deployed at version {}; at most one revision may be deployed",
            release.name, other.version
        ));
    }
    if write.operation == Operation::Create
        && let Some(latest) = facts.others.iter().map(|o| o.version).max()
        && latest >= release.version
    {
        problem(format!(
            "version {} is not above version {latest}, which release {:?} already has; versions only grow",
            release.version, release.name
        ));
    }
    RecordCheck {
        release: Some(release),
        problems,
    }
}

fn check_deleted(write: &Write<'_>, facts: &RecordFacts<'_>) -> Option<String> {
    let old = write.old_object?;
    let version: i64 = label(old, "version")?.parse().ok()?;
    let status = Status::from(label(old, "status").unwrap_or_default());
    let is_latest = facts.others.iter().all(|o| o.version < version);
    let uninstalling = |s: &Status| matches!(s, Status::Uninstalling | Status::Uninstalled);
    let being_uninstalled =
        uninstalling(&status) || facts.others.iter().any(|o| uninstalling(&o.status));
    if !is_latest || being_uninstalled || !facts.objects_remain {
        return None;
    }
    let name = label(old, "name").unwrap_or_default();
    Some(format!(
        "release record {}: it is the latest record of release {name:?}, whose objects still exist; \
         uninstall the release (kubectl helm uninstall {name} -n {}) instead of deleting its record",
        write.name, write.namespace
    ))
}

fn quoted(value: Option<&str>) -> String {
    value.map_or_else(|| "missing".to_string(), |v| format!("{v:?}"))
}
