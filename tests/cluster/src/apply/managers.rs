//! `metadata.managedFields`: who owns which fields, read from and written
//! to objects in the API server's form.

use serde_json::{Map, Value, json};

use super::fieldset::{FieldSet, FieldsError};

/// Whether a manager's fields came from applying or from a plain write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Operation {
    /// Server-side apply.
    Apply,
    /// Create, update or patch.
    Update,
}

impl Operation {
    fn as_str(self) -> &'static str {
        match self {
            Self::Apply => "Apply",
            Self::Update => "Update",
        }
    }
}

/// One `managedFields` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// `manager`.
    pub manager: String,
    /// `operation`.
    pub operation: Operation,
    /// `apiVersion` the fields were written in.
    pub api_version: String,
    /// `time` of the manager's last change, RFC 3339 in seconds; empty
    /// for an applier that has changed nothing yet.
    pub time: String,
    /// `subresource`, empty for the main resource.
    pub subresource: String,
    /// `fieldsV1`.
    pub fields: FieldSet,
}

impl Entry {
    /// Whether `self` is the entry of `manager` doing `operation` on the
    /// main resource: the API server keeps one entry per such pair.
    pub fn is(&self, manager: &str, operation: Operation) -> bool {
        self.manager == manager && self.operation == operation && self.subresource.is_empty()
    }

    /// How conflicts name this manager: `"helm"`, or
    /// `"kubectl-edit" using apps/v1` for a plain write.
    pub fn describe(&self) -> String {
        let mut out = format!("{:?}", self.manager);
        if !self.subresource.is_empty() {
            out.push_str(&format!(" with subresource {:?}", self.subresource));
        }
        if self.operation == Operation::Update {
            out.push_str(&format!(" using {}", self.api_version));
        }
        out
    }
}

/// Why `managedFields` could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManagersError {
    /// Not a list of objects.
    #[error("managedFields must be a list of entries")]
    NotAList,
    /// An entry lacks its manager's operation or names an unknown one.
    #[error("managedFields entry with an invalid operation {0:?}")]
    BadOperation(String),
    /// An entry's `fieldsType` is not `FieldsV1`.
    #[error("managedFields entry with unknown fieldsType {0:?}")]
    BadFieldsType(String),
    /// An entry's `fieldsV1` is malformed.
    #[error(transparent)]
    Fields(#[from] FieldsError),
}

/// The entries of `object`'s `metadata.managedFields`; none when absent.
pub fn read(object: &Value) -> Result<Vec<Entry>, ManagersError> {
    let Some(list) = object.pointer("/metadata/managedFields") else {
        return Ok(Vec::new());
    };
    if list.is_null() {
        return Ok(Vec::new());
    }
    let items = list.as_array().ok_or(ManagersError::NotAList)?;
    let text = |item: &Value, key: &str| {
        item.get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let mut entries = Vec::with_capacity(items.len());
    for item in items {
        if !item.is_object() {
            return Err(ManagersError::NotAList);
        }
        let operation = match item.get("operation").and_then(Value::as_str) {
            Some("Apply") => Operation::Apply,
            Some("Update") => Operation::Update,
            other => return Err(ManagersError::BadOperation(other.unwrap_or("").to_owned())),
        };
        match item.get("fieldsType").and_then(Value::as_str) {
            Some("FieldsV1") | None => {}
            Some(other) => return Err(ManagersError::BadFieldsType(other.to_owned())),
        }
        let fields = match item.get("fieldsV1") {
            Some(doc) => FieldSet::from_fields_v1(doc)?,
            None => FieldSet::default(),
        };
        entries.push(Entry {
            manager: text(item, "manager"),
            operation,
            api_version: text(item, "apiVersion"),
            time: text(item, "time"),
            subresource: text(item, "subresource"),
            fields,
        });
    }
    Ok(entries)
}

/// Writes `entries` into `object`'s metadata, in the API server's order
/// (appliers first, then by time and manager); removes the list when
/// there are none.
pub fn write(object: &mut Value, mut entries: Vec<Entry>) {
    entries.retain(|e| !e.fields.is_empty());
    entries.sort_by(|a, b| {
        (
            a.operation,
            &a.time,
            &a.manager,
            &a.api_version,
            &a.subresource,
        )
            .cmp(&(
                b.operation,
                &b.time,
                &b.manager,
                &b.api_version,
                &b.subresource,
            ))
    });
    let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    if entries.is_empty() {
        metadata.remove("managedFields");
        return;
    }
    let list: Vec<Value> = entries
        .iter()
        .map(|entry| {
            let mut item = Map::new();
            item.insert("manager".to_owned(), json!(entry.manager));
            item.insert("operation".to_owned(), json!(entry.operation.as_str()));
            item.insert("apiVersion".to_owned(), json!(entry.api_version));
            if !entry.time.is_empty() {
                item.insert("time".to_owned(), json!(entry.time));
            }
            item.insert("fieldsType".to_owned(), json!("FieldsV1"));
            item.insert("fieldsV1".to_owned(), entry.fields.to_fields_v1());
            if !entry.subresource.is_empty() {
                item.insert("subresource".to_owned(), json!(entry.subresource));
            }
            Value::Object(item)
        })
        .collect();
    metadata.insert("managedFields".to_owned(), Value::Array(list));
}
