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

/// Whether `object`'s `managedFields` ask to clear them: an empty list, or
/// one empty entry.
pub fn is_reset(object: &Value) -> bool {
    match object
        .pointer("/metadata/managedFields")
        .and_then(Value::as_array)
    {
        Some(list) => match list.as_slice() {
            [] => true,
            [only] => only.as_object().is_some_and(Map::is_empty),
            _ => false,
        },
        None => false,
    }
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

/// How many `Update` entries an object keeps; older ones are merged into
/// one `ancient-changes` entry per API version.
const MAX_UPDATERS: usize = 10;

/// The manager the oldest `Update` entries are merged into.
const ANCIENT_CHANGES: &str = "ancient-changes";

/// Caps the `Update` entries at [`MAX_UPDATERS`] as the API server does:
/// from the oldest on, the second and later entries of each API version
/// are merged into that version's `ancient-changes` entry (with the first
/// one), which takes the time of the latest entry merged.
pub fn cap_updaters(entries: &mut Vec<Entry>) {
    let mut updaters: Vec<(String, String, String)> = entries
        .iter()
        .filter(|e| e.operation == Operation::Update)
        .map(|e| (e.time.clone(), e.manager.clone(), e.subresource.clone()))
        .collect();
    if updaters.len() <= MAX_UPDATERS {
        return;
    }
    updaters.sort();
    let find = |entries: &[Entry], manager: &str, subresource: &str| {
        entries.iter().position(|e| {
            e.operation == Operation::Update && e.manager == manager && e.subresource == subresource
        })
    };
    let mut first_of_version: Vec<(String, (String, String))> = Vec::new();
    let mut length = updaters.len();
    for (_, manager, subresource) in updaters {
        if length <= MAX_UPDATERS {
            break;
        }
        let Some(index) = find(entries, &manager, &subresource) else {
            continue;
        };
        let version = entries[index].api_version.clone();
        let Some((_, (first, first_subresource))) = first_of_version
            .iter()
            .find(|(v, _)| *v == version)
            .cloned()
        else {
            first_of_version.push((version, (manager, subresource)));
            continue;
        };
        let entry = entries.remove(index);
        let bucket = entries.iter().position(|e| {
            e.operation == Operation::Update
                && e.manager == ANCIENT_CHANGES
                && e.subresource.is_empty()
                && e.api_version == version
        });
        let bucket = match bucket {
            Some(bucket) => bucket,
            None => match find(entries, &first, &first_subresource) {
                Some(first) => {
                    let mut first = entries.remove(first);
                    first.manager = ANCIENT_CHANGES.to_owned();
                    first.subresource = String::new();
                    entries.push(first);
                    entries.len() - 1
                }
                None => continue,
            },
        };
        entries[bucket].fields = entry.fields.union(&entries[bucket].fields);
        entries[bucket].time = entry.time;
        length -= 1;
    }
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

#[cfg(test)]
mod tests {
    use super::super::fieldset::PathElement;
    use super::*;

    fn update(manager: &str, time: &str, field: &str) -> Entry {
        let mut fields = FieldSet::default();
        fields.insert(&[PathElement::Field(field.to_owned())]);
        Entry {
            manager: manager.to_owned(),
            operation: Operation::Update,
            api_version: "v1".to_owned(),
            time: time.to_owned(),
            subresource: String::new(),
            fields,
        }
    }

    #[test]
    fn the_oldest_updaters_merge_into_ancient_changes() {
        let mut entries: Vec<Entry> = (0..12)
            .map(|i| {
                update(
                    &format!("m{i:02}"),
                    &format!("2026-01-01T00:00:{i:02}Z"),
                    &format!("f{i}"),
                )
            })
            .collect();
        cap_updaters(&mut entries);
        assert_eq!(entries.len(), 10);
        let ancient = entries
            .iter()
            .find(|e| e.manager == ANCIENT_CHANGES)
            .expect("a bucket");
        // m00 became the bucket; m01 and m02 were merged into it.
        assert_eq!(ancient.fields.paths().len(), 3);
        assert_eq!(ancient.time, "2026-01-01T00:00:02Z");
        assert!(
            entries
                .iter()
                .all(|e| !["m00", "m01", "m02"].contains(&e.manager.as_str()))
        );
    }
}
