//! Field errors in apimachinery's wording, and the 422 `Invalid` status
//! that carries them.

use serde_json::{Value, json};

use crate::resources::ResourceType;
use crate::status::ApiError;

/// Why one field is wrong; each renders as apimachinery renders it.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldError {
    /// `Required value[: detail]`.
    Required {
        /// The field's path (`webhooks[0].sideEffects`).
        field: String,
        /// Why it is required; may be empty.
        detail: String,
    },
    /// `Invalid value: <value>: detail`.
    Invalid {
        /// The field's path.
        field: String,
        /// The value given.
        value: Value,
        /// What is wrong with it.
        detail: String,
    },
    /// `Unsupported value: <value>: supported values: "a", "b"`.
    NotSupported {
        /// The field's path.
        field: String,
        /// The value given.
        value: Value,
        /// The values that are allowed, in the order they are listed.
        supported: &'static [&'static str],
    },
    /// `Duplicate value: <value>`.
    Duplicate {
        /// The field's path.
        field: String,
        /// The repeated value.
        value: Value,
    },
    /// `Too long: may not be more than N bytes`.
    TooLong {
        /// The field's path.
        field: String,
        /// The most bytes allowed.
        max: usize,
    },
    /// `Forbidden: detail`.
    Forbidden {
        /// The field's path.
        field: String,
        /// Why the field may not be set.
        detail: String,
    },
}

impl FieldError {
    fn field(&self) -> &str {
        match self {
            Self::Required { field, .. }
            | Self::Invalid { field, .. }
            | Self::NotSupported { field, .. }
            | Self::Duplicate { field, .. }
            | Self::TooLong { field, .. }
            | Self::Forbidden { field, .. } => field,
        }
    }

    /// The `StatusCause` type.
    fn cause_type(&self) -> &'static str {
        match self {
            Self::Required { .. } => "FieldValueRequired",
            Self::Invalid { .. } => "FieldValueInvalid",
            Self::NotSupported { .. } => "FieldValueNotSupported",
            Self::Duplicate { .. } => "FieldValueDuplicate",
            Self::TooLong { .. } => "FieldValueTooLong",
            Self::Forbidden { .. } => "FieldValueForbidden",
        }
    }

    /// The message without the field: what a `StatusCause` carries.
    pub fn body(&self) -> String {
        let with_detail = |head: String, detail: &str| {
            if detail.is_empty() {
                head
            } else {
                format!("{head}: {detail}")
            }
        };
        match self {
            Self::Required { detail, .. } => with_detail("Required value".to_owned(), detail),
            Self::Invalid { value, detail, .. } => {
                with_detail(format!("Invalid value: {}", render(value)), detail)
            }
            Self::NotSupported {
                value, supported, ..
            } => {
                let quoted: Vec<String> = supported.iter().map(|s| format!("{s:?}")).collect();
                with_detail(
                    format!("Unsupported value: {}", render(value)),
                    &format!("supported values: {}", quoted.join(", ")),
                )
            }
            Self::Duplicate { value, .. } => format!("Duplicate value: {}", render(value)),
            Self::TooLong { max, .. } => format!("Too long: may not be more than {max} bytes"),
            Self::Forbidden { detail, .. } => with_detail("Forbidden".to_owned(), detail),
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field(), self.body())
    }
}

/// Strings quoted, numbers and booleans bare, anything else as JSON: the
/// way apimachinery prints a bad value.
fn render(value: &Value) -> String {
    match value {
        Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    }
}

/// kube-apiserver's 422 for an object that fails validation:
/// `Kind.group "name" is invalid: <error>` for one error, `[e1, e2]` for
/// several (repeated messages once), with one cause per error.
pub fn invalid(resource: &ResourceType, name: &str, errors: &[FieldError]) -> ApiError {
    let mut messages: Vec<String> = Vec::new();
    for error in errors {
        let text = error.to_string();
        if !messages.contains(&text) {
            messages.push(text);
        }
    }
    let aggregate = match messages.as_slice() {
        [one] => one.clone(),
        many => format!("[{}]", many.join(", ")),
    };
    let qualified_kind = if resource.group.is_empty() {
        resource.kind.to_owned()
    } else {
        format!("{}.{}", resource.kind, resource.group)
    };
    let causes: Vec<Value> = errors
        .iter()
        .map(|e| json!({"reason": e.cause_type(), "message": e.body(), "field": e.field()}))
        .collect();
    let mut details = json!({"name": name, "kind": resource.kind, "causes": causes});
    if !resource.group.is_empty() {
        details["group"] = json!(resource.group);
    }
    ApiError {
        code: 422,
        reason: "Invalid",
        message: format!("{qualified_kind} \"{name}\" is invalid: {aggregate}"),
        details: Some(details),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_read_as_apimachinery_writes_them() {
        let required = FieldError::Required {
            field: "webhooks[0].sideEffects".into(),
            detail: "must specify one of None, NoneOnDryRun".into(),
        };
        assert_eq!(
            required.to_string(),
            "webhooks[0].sideEffects: Required value: must specify one of None, NoneOnDryRun"
        );
        let unsupported = FieldError::NotSupported {
            field: "f".into(),
            value: json!("X"),
            supported: &["Fail", "Ignore"],
        };
        assert_eq!(
            unsupported.body(),
            "Unsupported value: \"X\": supported values: \"Fail\", \"Ignore\""
        );
        let invalid = FieldError::Invalid {
            field: "t".into(),
            value: json!(31),
            detail: "between".into(),
        };
        assert_eq!(invalid.body(), "Invalid value: 31: between");
        let list = FieldError::Invalid {
            field: "v".into(),
            value: json!(["v2"]),
            detail: "x".into(),
        };
        assert_eq!(list.body(), "Invalid value: [\"v2\"]: x");
    }
}
