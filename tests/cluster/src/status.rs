//! API errors, answered as the `metav1.Status` body kube-apiserver writes,
//! with apimachinery's wording so clients print what users know.

use serde_json::{Value, json};

use crate::resources::ResourceType;

/// A failed request: the HTTP code, the `reason` and the message of the
/// Status the server answers with.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    /// HTTP status code, repeated in the body's `code`.
    pub code: u16,
    /// `StatusReason` (`NotFound`, `AlreadyExists`, `Conflict`…); empty
    /// when unknown.
    pub reason: &'static str,
    /// The human message.
    pub message: String,
    /// `details`: which object the error is about, when it is about one.
    pub details: Option<Value>,
}

fn details(resource: &ResourceType, name: &str) -> Value {
    let mut d = json!({ "name": name, "kind": resource.plural });
    if !resource.group.is_empty() {
        d["group"] = json!(resource.group);
    }
    d
}

impl ApiError {
    /// An object that does not exist: `secrets "x" not found`.
    pub fn not_found(resource: &ResourceType, name: &str) -> Self {
        Self {
            code: 404,
            reason: "NotFound",
            message: format!("{} \"{name}\" not found", resource.qualified_plural()),
            details: Some(details(resource, name)),
        }
    }

    /// A path that names no resource the server knows.
    pub fn no_such_path() -> Self {
        Self {
            code: 404,
            reason: "NotFound",
            message: "the server could not find the requested resource".to_owned(),
            details: Some(json!({})),
        }
    }

    /// Creating an object whose name is taken: `secrets "x" already exists`.
    pub fn already_exists(resource: &ResourceType, name: &str) -> Self {
        Self {
            code: 409,
            reason: "AlreadyExists",
            message: format!("{} \"{name}\" already exists", resource.qualified_plural()),
            details: Some(details(resource, name)),
        }
    }

    /// An update whose `resourceVersion` is not the stored one.
    pub fn conflict(resource: &ResourceType, name: &str) -> Self {
        Self {
            code: 409,
            reason: "Conflict",
            message: format!(
                "Operation cannot be fulfilled on {} \"{name}\": the object has been modified; \
                 please apply your changes to the latest version and try again",
                resource.qualified_plural()
            ),
            details: Some(details(resource, name)),
        }
    }

    /// A request from a client that did not authenticate.
    pub fn unauthorized() -> Self {
        Self {
            code: 401,
            reason: "Unauthorized",
            message: "Unauthorized".to_owned(),
            details: None,
        }
    }

    /// A malformed request (bad body, selector or parameter).
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self {
            code: 400,
            reason: "BadRequest",
            message: message.into(),
            details: None,
        }
    }

    /// An object that fails validation: `Secret "" is invalid: <field>: <detail>`.
    pub fn invalid(resource: &ResourceType, name: &str, field: &str, detail: &str) -> Self {
        let mut d = details(resource, name);
        d["kind"] = json!(resource.kind);
        d["causes"] =
            json!([{ "reason": "FieldValueRequired", "message": detail, "field": field }]);
        Self {
            code: 422,
            reason: "Invalid",
            message: format!("{} \"{name}\" is invalid: {field}: {detail}", resource.kind),
            details: Some(d),
        }
    }

    /// A verb the resource path does not allow.
    pub fn method_not_allowed() -> Self {
        Self {
            code: 405,
            reason: "MethodNotAllowed",
            message: "the server does not allow this method on the requested resource".to_owned(),
            details: Some(json!({})),
        }
    }

    /// A body or patch in a media type the server does not take; `accepted`
    /// lists those it does.
    pub fn unsupported_media_type(accepted: &[&str]) -> Self {
        Self {
            code: 415,
            reason: "UnsupportedMediaType",
            message: format!(
                "the body of the request was in an unknown format - accepted media types include: {}",
                accepted.join(", ")
            ),
            details: None,
        }
    }

    /// The `metav1.Status` body.
    pub fn to_status(&self) -> Value {
        let mut status = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "code": self.code,
        });
        // An unknown reason is left out, as `omitempty` leaves it.
        if !self.reason.is_empty() {
            status["reason"] = json!(self.reason);
        }
        if let Some(details) = &self.details {
            status["details"] = details.clone();
        }
        status
    }
}
