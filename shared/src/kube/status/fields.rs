//! Reading fields of an object the way kstatus does through Go's
//! unstructured maps: lenient readers that fall back to a default, and
//! strict ones that report a field of the wrong type.

use serde_json::{Map, Value};

/// A field a rule must read has the wrong JSON type.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{path} is not {expected}")]
pub struct FieldError {
    /// The field, dotted from the object's root (`.status.conditions`).
    pub path: String,
    /// What it should have been (`an object`, `an integer`…).
    pub expected: &'static str,
}

impl FieldError {
    pub(super) fn new(path: &[&str], expected: &'static str) -> Self {
        FieldError {
            path: path.iter().map(|p| format!(".{p}")).collect(),
            expected,
        }
    }
}

/// The object itself must be a JSON object.
pub(super) fn require_object(object: &Value) -> Result<&Map<String, Value>, FieldError> {
    object
        .as_object()
        .ok_or_else(|| FieldError::new(&[], "an object"))
}

/// The value at `path`: `Ok(None)` when a key is missing, an error when
/// something on the way is not an object (Go's `NestedFieldNoCopy`).
pub(super) fn nested<'a>(
    object: &'a Value,
    path: &[&str],
) -> Result<Option<&'a Value>, FieldError> {
    let mut current = object;
    for (depth, key) in path.iter().enumerate() {
        let map = current
            .as_object()
            .ok_or_else(|| FieldError::new(&path[..depth], "an object"))?;
        match map.get(*key) {
            Some(value) => current = value,
            None => return Ok(None),
        }
    }
    Ok(Some(current))
}

/// An integer field, or `default` when it is missing or not an integer
/// that fits 64 bits (kstatus' `GetIntField`).
pub(super) fn int_or(object: &Value, path: &[&str], default: i64) -> i64 {
    match nested(object, path) {
        Ok(Some(value)) => value.as_i64().unwrap_or(default),
        _ => default,
    }
}

/// A string field, or `default` when it is missing or not a string
/// (kstatus' `GetStringField`).
pub(super) fn str_or<'a>(object: &'a Value, path: &[&str], default: &'a str) -> &'a str {
    match nested(object, path) {
        Ok(Some(value)) => value.as_str().unwrap_or(default),
        _ => default,
    }
}

/// An integer field that must be an integer when present (Go's
/// `NestedInt64`).
pub(super) fn strict_int(object: &Value, path: &[&str]) -> Result<Option<i64>, FieldError> {
    match nested(object, path)? {
        None => Ok(None),
        Some(value) => value
            .as_i64()
            .map(Some)
            .ok_or_else(|| FieldError::new(path, "an integer")),
    }
}

/// A string field that must be a string when present (Go's
/// `NestedString`).
pub(super) fn strict_str<'a>(
    object: &'a Value,
    path: &[&str],
) -> Result<Option<&'a str>, FieldError> {
    match nested(object, path)? {
        None => Ok(None),
        Some(value) => value
            .as_str()
            .map(Some)
            .ok_or_else(|| FieldError::new(path, "a string")),
    }
}

/// A condition of `.status.conditions`, its fields empty when absent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct ObjectCondition<'a> {
    pub type_: &'a str,
    pub status: &'a str,
    pub reason: &'a str,
    pub message: &'a str,
}

/// The object's `.status.conditions`, decoded as kstatus decodes them: an
/// absent or null list is empty, and a list, an entry or one of the four
/// fields of the wrong type is an error.
pub(super) fn conditions(object: &Value) -> Result<Vec<ObjectCondition<'_>>, FieldError> {
    let status = match object.get("status") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Object(status)) => status,
        Some(_) => return Err(FieldError::new(&["status"], "an object")),
    };
    let list = match status.get("conditions") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(list)) => list,
        Some(_) => return Err(FieldError::new(&["status", "conditions"], "a list")),
    };
    list.iter()
        .map(|entry| match entry {
            Value::Null => Ok(ObjectCondition::default()),
            Value::Object(fields) => {
                let field = |name: &'static str| match fields.get(name) {
                    None | Some(Value::Null) => Ok(""),
                    Some(Value::String(text)) => Ok(text.as_str()),
                    Some(_) => Err(FieldError::new(&["status", "conditions", name], "a string")),
                };
                Ok(ObjectCondition {
                    type_: field("type")?,
                    status: field("status")?,
                    reason: field("reason")?,
                    message: field("message")?,
                })
            }
            _ => Err(FieldError::new(
                &["status", "conditions"],
                "a list of objects",
            )),
        })
        .collect()
}

/// The first condition of `type_` whose status is `status`.
pub(super) fn find_condition<'c, 'a>(
    conditions: &'c [ObjectCondition<'a>],
    type_: &str,
    status: &str,
) -> Option<&'c ObjectCondition<'a>> {
    conditions
        .iter()
        .find(|c| c.type_ == type_ && c.status == status)
}
