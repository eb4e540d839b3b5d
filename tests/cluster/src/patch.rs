//! PATCH bodies: which kind a `Content-Type` names, and applying it to the
//! stored object. Server-side apply (`application/apply-patch+yaml`) is
//! recognised here and carried out by [`crate::apply`].

use helm::kube::strategic_merge::{self, MergeSchema, PatchError};
use serde_json::Value;

use crate::status::ApiError;

/// `application/json-patch+json`.
const JSON_PATCH: &str = "application/json-patch+json";
/// `application/merge-patch+json`.
const MERGE_PATCH: &str = "application/merge-patch+json";
/// `application/strategic-merge-patch+json`.
const STRATEGIC_MERGE_PATCH: &str = "application/strategic-merge-patch+json";
/// `application/apply-patch+yaml`.
const APPLY_PATCH: &str = "application/apply-patch+yaml";

/// The patch kinds kube-apiserver distinguishes by media type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchKind {
    /// `application/json-patch+json` (RFC 6902).
    Json,
    /// `application/merge-patch+json` (RFC 7386).
    Merge,
    /// `application/strategic-merge-patch+json`: built-in kinds only.
    Strategic,
    /// `application/apply-patch+yaml`: server-side apply.
    Apply,
}

impl PatchKind {
    /// The kind a `Content-Type` header names, for an object whose kind
    /// has (`strategic`) or lacks (custom resources) strategic merge
    /// metadata; anything else answers 415 with the types the server takes.
    pub fn from_content_type(content_type: &str, strategic: bool) -> Result<Self, ApiError> {
        let media_type = content_type.split(';').next().unwrap_or("").trim();
        match media_type {
            JSON_PATCH => Ok(Self::Json),
            MERGE_PATCH => Ok(Self::Merge),
            STRATEGIC_MERGE_PATCH if strategic => Ok(Self::Strategic),
            APPLY_PATCH => Ok(Self::Apply),
            _ if strategic => Err(ApiError::unsupported_media_type(&[
                JSON_PATCH,
                MERGE_PATCH,
                STRATEGIC_MERGE_PATCH,
                APPLY_PATCH,
            ])),
            _ => Err(ApiError::unsupported_media_type(&[
                JSON_PATCH,
                MERGE_PATCH,
                APPLY_PATCH,
            ])),
        }
    }

    /// Applies `body` to `target`, returning the patched document. Apply
    /// patches are not applied here: they need the field managers.
    pub fn apply(self, target: &Value, body: &[u8]) -> Result<Value, ApiError> {
        let mut doc = target.clone();
        match self {
            Self::Merge => {
                json_patch::merge(&mut doc, &decode(body)?);
            }
            Self::Strategic => {
                let schema = MergeSchema::for_object(target);
                doc = strategic_merge::apply_patch(target, &decode(body)?, &schema)
                    .map_err(strategic_error)?;
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
            Self::Apply => {
                return Err(ApiError::bad_request(
                    "apply patches are served by server-side apply",
                ));
            }
        }
        Ok(doc)
    }
}

fn decode(body: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("error decoding patch: {e}")))
}

/// The status kube-apiserver answers a failed strategic merge with
/// (`interpretStrategicMergePatchError`): malformed directives are the
/// client's bad request, lists of lists are invalid, and anything else is
/// passed on as a plain error, which the API server reports as a 500
/// without a reason.
fn strategic_error(error: PatchError) -> ApiError {
    let (code, reason) = match error {
        PatchError::NotAnObject(_)
        | PatchError::BadRetainKeys
        | PatchError::BadSetElementOrder
        | PatchError::BadDeleteFromPrimitiveList => (400, "BadRequest"),
        PatchError::UnsupportedElement => (422, ""),
        _ => (500, ""),
    };
    ApiError {
        code,
        reason,
        message: error.to_string(),
        details: None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn strategic_merge_is_only_for_built_in_kinds() {
        assert_eq!(
            PatchKind::from_content_type("application/strategic-merge-patch+json", true),
            Ok(PatchKind::Strategic)
        );
        let err = PatchKind::from_content_type("application/strategic-merge-patch+json", false)
            .expect_err("custom resources take no strategic merge patch");
        assert_eq!(err.code, 415);
        assert_eq!(
            err.message,
            "the body of the request was in an unknown format - accepted media types include: \
             application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
        );
        assert_eq!(
            PatchKind::from_content_type("application/apply-patch+yaml; charset=utf-8", false),
            Ok(PatchKind::Apply)
        );
    }

    #[test]
    fn strategic_merge_merges_containers_by_name() {
        let live = json!({"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"template": {"spec": {
            "containers": [{"name": "a", "image": "x"}, {"name": "b", "image": "y"}]
        }}}});
        let patch = br#"{"spec":{"template":{"spec":{"containers":[{"name":"b","image":"z"},{"name":"a","$patch":"delete"}]}}}}"#;
        let patched = PatchKind::Strategic.apply(&live, patch).expect("patched");
        assert_eq!(
            patched["spec"]["template"]["spec"]["containers"],
            json!([{"name": "b", "image": "z"}])
        );
        let err = PatchKind::Strategic
            .apply(&live, br#"{"spec":{"$patch":"sideways"}}"#)
            .expect_err("unknown directive");
        assert_eq!(
            (err.code, err.reason, err.message.as_str()),
            (500, "", "unknown patch type: \"sideways\"")
        );
        let err = PatchKind::Strategic
            .apply(&live, br#"{"spec":{"$retainKeys":"type"}}"#)
            .expect_err("malformed directive");
        assert_eq!((err.code, err.reason), (400, "BadRequest"));
    }
}
