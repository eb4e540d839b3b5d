//! A write as the webhook sees it: the parts of an AdmissionRequest the
//! rules read, borrowed from whatever decoded the request.

use serde_json::Value;

use crate::kube::ownership;
use crate::storage::{OWNER, SECRET_TYPE};

/// The admission operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    Create,
    Update,
    Delete,
    Connect,
}

/// One write to the API server.
#[derive(Clone, Copy, Debug)]
pub struct Write<'a> {
    pub operation: Operation,
    /// The API group of the object's kind (`""` for the core group).
    pub group: &'a str,
    pub kind: &'a str,
    /// `status`, `scale`…, or `""` for the object itself.
    pub sub_resource: &'a str,
    pub name: &'a str,
    /// `""` for cluster-scoped objects.
    pub namespace: &'a str,
    pub user: &'a str,
    pub groups: &'a [String],
    /// The request's `fieldManager` option, when it has one.
    pub field_manager: Option<&'a str>,
    /// The object after the write (absent on DELETE).
    pub object: Option<&'a Value>,
    /// The object before it (absent on CREATE).
    pub old_object: Option<&'a Value>,
}

/// What a write concerns, so the webhook knows which releases to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Concern {
    /// A release record (Secret of type `helm.sh/release.v1`, or ConfigMap
    /// labelled `owner=helm`) of release `name` in the write's namespace.
    Record { name: String },
    /// An object whose annotations claim a release (`claimed`, after the
    /// write) or claimed one before it (`previous`), as `(namespace, name)`.
    Owned {
        claimed: Option<(String, String)>,
        previous: Option<(String, String)>,
    },
    /// Nothing the consistency rules look at.
    Unrelated,
}

impl Write<'_> {
    /// The object as it is after the write, or as it was for a DELETE.
    pub fn current(&self) -> Option<&Value> {
        self.object.or(self.old_object)
    }

    /// Sorts the write into what the rules care about.
    pub fn concern(&self) -> Concern {
        if let Some(name) = self.record_release() {
            return Concern::Record { name };
        }
        let claim = |object: Option<&Value>| {
            object
                .and_then(ownership::owning_release)
                .map(|(name, namespace)| (namespace.to_string(), name.to_string()))
        };
        let claimed = if self.operation == Operation::Delete {
            None
        } else {
            claim(self.object)
        };
        let previous = claim(self.old_object);
        if claimed.is_none() && previous.is_none() {
            return Concern::Unrelated;
        }
        Concern::Owned { claimed, previous }
    }

    /// The release named by a release record's `name` label, if this
    /// write is of a release record.
    fn record_release(&self) -> Option<String> {
        if !self.group.is_empty() || !self.sub_resource.is_empty() {
            return None;
        }
        let object = self.current()?;
        let is_record = match self.kind {
            "Secret" => object.get("type").and_then(Value::as_str) == Some(SECRET_TYPE),
            "ConfigMap" => label(object, "owner") == Some(OWNER),
            _ => false,
        };
        if !is_record {
            return None;
        }
        Some(label(object, "name").unwrap_or_default().to_string())
    }
}

/// A label's value.
pub(super) fn label<'v>(object: &'v Value, key: &str) -> Option<&'v str> {
    object.pointer("/metadata/labels")?.get(key)?.as_str()
}
