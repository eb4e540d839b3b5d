//! Rules `ownership` and `managedObjects`: an object's release annotations
//! must be true, and an object of a release changes only through it.

use serde_json::Value;

use super::objects::{self, ManifestError};
use super::write::{Operation, Write};
use crate::release::{Release, Status};

/// The field manager Helm 4 applies with, and the one client-go gives the
/// `helm` binary for its client-side updates.
pub const HELM_FIELD_MANAGER: &str = "helm";

/// The records that say which objects a release owns: its latest record
/// and its latest deployed one (they differ while an upgrade is pending
/// or after one failed). Empty when the release does not exist.
#[derive(Clone, Copy, Debug, Default)]
pub struct ReleaseRecords<'a> {
    pub records: &'a [Release],
}

impl ReleaseRecords<'_> {
    fn exists(&self) -> bool {
        !self.records.is_empty()
    }

    fn latest(&self) -> Option<&Release> {
        self.records.iter().max_by_key(|r| r.version)
    }

    /// Whether any record lists the object written.
    fn lists(&self, write: &Write<'_>) -> Result<bool, ManifestError> {
        for release in self.records {
            for object in objects::release_objects(release)? {
                if same_object(&object, release, write) {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }

    /// Whether the release's own install, upgrade, rollback or uninstall
    /// is under way, during which Helm deletes objects itself.
    fn operation_in_progress(&self) -> bool {
        self.latest().and_then(Release::status).is_some_and(|s| {
            s.is_pending() || *s == Status::Uninstalling || *s == Status::Uninstalled
        })
    }
}

/// Whether a manifest object is the one written: same group, kind and
/// name, and the same namespace (a manifest object without one goes to
/// the release's namespace; cluster-scoped writes have none to compare).
fn same_object(object: &Value, release: &Release, write: &Write<'_>) -> bool {
    let id = objects::identity(object);
    let namespace = if id.namespace.is_empty() {
        &release.namespace
    } else {
        id.namespace
    };
    id.group == write.group
        && id.kind == write.kind
        && id.name == write.name
        && (write.namespace.is_empty() || namespace == write.namespace)
}

/// Rule `ownership`, for a CREATE or UPDATE whose object claims release
/// `claimed` (`(namespace, name)`), which `claimed_records` describe; on a
/// takeover, `previous_records` are those of the release it claimed before.
pub fn check_ownership(
    write: &Write<'_>,
    claimed: (&str, &str),
    claimed_records: ReleaseRecords<'_>,
    previous: Option<((&str, &str), ReleaseRecords<'_>)>,
) -> Result<Vec<String>, ManifestError> {
    let (namespace, name) = claimed;
    let what = describe(write);
    let mut problems = Vec::new();
    if !claimed_records.exists() {
        problems.push(format!(
            "{what} claims release {name:?} in namespace {namespace:?}, which does not exist"
        ));
        return Ok(problems);
    }
    if !claimed_records.lists(write)? {
        problems.push(format!(
            "{what} claims release {name:?} in namespace {namespace:?}, but that release's manifest does not list it"
        ));
    }
    if let Some(((old_namespace, old_name), old_records)) = previous
        && (old_namespace, old_name) != claimed
        && old_records.lists(write)?
    {
        problems.push(format!(
            "{what} belongs to release {old_name:?} in namespace {old_namespace:?}, which still lists it; \
             release {name:?} may not take it over"
        ));
    }
    Ok(problems)
}

/// Rule `managedObjects`, for an UPDATE or DELETE of an object that
/// belonged to `owner` before the write. Status and scale writes (from
/// controllers and autoscalers) pass; so do writes by Helm's field
/// managers (`helm` and `allowed_managers`), and deletions while the
/// release's own operation is under way.
pub fn check_managed_change(
    write: &Write<'_>,
    owner: (&str, &str),
    owner_records: ReleaseRecords<'_>,
    allowed_managers: &[String],
) -> Option<String> {
    if !write.sub_resource.is_empty() {
        return None;
    }
    let (namespace, name) = owner;
    let what = describe(write);
    match write.operation {
        Operation::Update => {
            let manager = write.field_manager.unwrap_or_default();
            if manager == HELM_FIELD_MANAGER || allowed_managers.iter().any(|m| m == manager) {
                return None;
            }
            Some(format!(
                "{what} is managed by release {name:?} in namespace {namespace:?}; change it through the release \
                 (kubectl helm upgrade {name} -n {namespace}), not with field manager {manager:?}"
            ))
        }
        Operation::Delete if !owner_records.operation_in_progress() => Some(format!(
            "{what} is managed by release {name:?} in namespace {namespace:?}; remove it from the chart and upgrade, \
             or uninstall the release (kubectl helm uninstall {name} -n {namespace})"
        )),
        _ => None,
    }
}

/// `Deployment "web" in namespace "shop"`, the way Helm names objects.
fn describe(write: &Write<'_>) -> String {
    crate::kube::ownership::describe(write.kind, write.name, write.namespace)
}
