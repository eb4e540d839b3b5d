//! PATCH bodies: which kind a `Content-Type` names, and applying it to the
//! stored object.

use serde_json::Value;

use crate::status::ApiError;

/// The patch kinds kube-apiserver distinguishes by media type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchKind {
    /// `application/json-patch+json` (RFC 6902).
    Json,
    /// `application/merge-patch+json` (RFC 7386).
    Merge,
}

impl PatchKind {
    /// The kind a `Content-Type` header names; strategic merge and apply
    /// patches are not served yet and answer 415.
    pub fn from_content_type(content_type: &str) -> Result<Self, ApiError> {
        let media_type = content_type.split(';').next().unwrap_or("").trim();
        match media_type {
            "application/json-patch+json" => Ok(Self::Json),
            "application/merge-patch+json" => Ok(Self::Merge),
            _ => Err(ApiError::unsupported_media_type(&[
                "application/json-patch+json",
                "application/merge-patch+json",
            ])),
        }
    }

    /// Applies `body` to `target`, returning the patched document.
    pub fn apply(self, target: &Value, body: &[u8]) -> Result<Value, ApiError> {
        let mut doc = target.clone();
        match self {
            Self::Merge => {
                let patch: Value = serde_json::from_slice(body)
                    .map_err(|e| ApiError::bad_request(format!("error decoding patch: {e}")))?;
                json_patch::merge(&mut doc, &patch);
            }
            Self::Json => {
                let patch: json_patch::Patch = serde_json::from_slice(body)
                    .map_err(|e| ApiError::bad_request(format!("error decoding patch: {e}")))?;
                json_patch::patch(&mut doc, &patch).map_err(|e| {
                    // kube-apiserver reports failed JSON patch operations
                    // as an unprocessable request.
                    ApiError {
                        code: 422,
                        reason: "Invalid",
                        message: e.to_string(),
                        details: None,
                    }
                })?;
            }
        }
        Ok(doc)
    }
}
