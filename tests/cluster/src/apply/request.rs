//! The HTTP side of field management: who a write's field manager is, the
//! checks on a PATCH's options, and the dispatch of a PATCH to a plain
//! patch or to server-side apply.

use std::collections::HashMap;

use axum::http::StatusCode;
use helm::kube::strategic_merge::MergeSchema;
use serde_json::{Value, json};

use super::ApplyRequest;
use crate::patch::PatchKind;
use crate::resources::ResourceType;
use crate::status::ApiError;
use crate::store::Store;

/// The longest field manager name the API server takes.
const MAX_MANAGER_LENGTH: usize = 128;

/// Checks a PATCH's `fieldManager` and `force` as the API server validates
/// `PatchOptions`: apply needs a manager, only apply may force.
fn validate_patch_options(
    apply: bool,
    manager: Option<&str>,
    force: Option<&str>,
) -> Result<(), ApiError> {
    let mut causes = Vec::new();
    if !apply && force.is_some() {
        causes.push((
            "FieldValueForbidden",
            "force",
            "Forbidden: may not be specified for non-apply patch".to_owned(),
        ));
    }
    if apply && manager.is_none_or(str::is_empty) {
        causes.push((
            "FieldValueRequired",
            "fieldManager",
            "Required value: is required for apply patch".to_owned(),
        ));
    }
    if let Some(manager) = manager.filter(|m| m.len() > MAX_MANAGER_LENGTH) {
        causes.push((
            "FieldValueTooLong",
            "fieldManager",
            format!(
                "Too long: may not be more than {MAX_MANAGER_LENGTH} bytes, got {}",
                manager.len()
            ),
        ));
    }
    if causes.is_empty() {
        return Ok(());
    }
    let summary: Vec<String> = causes
        .iter()
        .map(|(_, field, message)| format!("{field}: {message}"))
        .collect();
    let message = if summary.len() == 1 {
        format!("PatchOptions.meta.k8s.io \"\" is invalid: {}", summary[0])
    } else {
        format!(
            "PatchOptions.meta.k8s.io \"\" is invalid: [{}]",
            summary.join(", ")
        )
    };
    let causes: Vec<Value> = causes
        .into_iter()
        .map(|(reason, field, message)| json!({"reason": reason, "message": message, "field": field}))
        .collect();
    Err(ApiError {
        code: 422,
        reason: "Invalid",
        message,
        details: Some(json!({"group": "meta.k8s.io", "kind": "PatchOptions", "causes": causes})),
    })
}

/// The manager of a write that names none: the client's `User-Agent` up
/// to its first `/` (`kubectl/v1.34.0 (linux/amd64) …` is `kubectl`).
fn manager_from_user_agent(user_agent: &str) -> String {
    let prefix = user_agent.split('/').next().unwrap_or_default();
    prefix.chars().take(MAX_MANAGER_LENGTH).collect()
}

/// The field manager of a write: `fieldManager`, else the client's
/// `User-Agent` up to its first `/`.
pub fn field_manager(query: &HashMap<String, String>, user_agent: &str) -> String {
    match query.get("fieldManager").filter(|m| !m.is_empty()) {
        Some(manager) => manager.clone(),
        None => manager_from_user_agent(user_agent),
    }
}

/// What a PATCH names: the object, the body and its media type, and the
/// query's options.
#[derive(Debug)]
pub struct PatchRequest<'a> {
    /// The object's type.
    pub resource: &'a ResourceType,
    /// Its namespace, empty for cluster-scoped types.
    pub namespace: &'a str,
    /// Its name.
    pub name: &'a str,
    /// The `Content-Type` header.
    pub content_type: &'a str,
    /// The body.
    pub body: &'a [u8],
    /// The query parameters.
    pub query: &'a HashMap<String, String>,
    /// The write's field manager ([`field_manager`]).
    pub manager: &'a str,
    /// `dryRun=All`.
    pub dry_run: bool,
}

/// Serves a PATCH: a JSON, merge or strategic merge patch recorded under
/// its manager, or a server-side apply (201 when it created the object).
pub fn patch(store: &Store, request: &PatchRequest<'_>) -> Result<(StatusCode, Value), ApiError> {
    let resource = request.resource;
    let strategic = MergeSchema::for_kind(&resource.api_version(), resource.kind).is_strategic();
    let kind = PatchKind::from_content_type(request.content_type, strategic)?;
    let force = request.query.get("force").map(String::as_str);
    let field_manager = request.query.get("fieldManager").map(String::as_str);
    validate_patch_options(kind == PatchKind::Apply, field_manager, force)?;
    if kind != PatchKind::Apply {
        let patched = store.patch_by(
            resource,
            request.namespace,
            request.name,
            kind,
            request.body,
            request.dry_run,
            Some(request.manager),
        )?;
        return Ok((StatusCode::OK, patched));
    }
    let apply = ApplyRequest {
        manager: request.manager,
        // The spellings of true `strconv.ParseBool` takes.
        force: force.is_some_and(|f| matches!(f, "1" | "t" | "T" | "true" | "TRUE" | "True")),
        dry_run: request.dry_run,
    };
    let config = decode_apply_body(request.body)?;
    let (object, created) =
        store.apply(resource, request.namespace, request.name, config, &apply)?;
    let code = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((code, object))
}

/// An apply body: YAML, of which clients send the JSON subset. Other YAML
/// goes through Helm's reader (YAML 1.1 as `sigs.k8s.io/yaml` reads it),
/// whose numbers are float64s: integers beyond 2^53 lose precision.
fn decode_apply_body(body: &[u8]) -> Result<Value, ApiError> {
    if let Ok(value) = serde_json::from_slice(body) {
        return Ok(value);
    }
    let invalid =
        |e: &dyn std::fmt::Display| ApiError::bad_request(format!("error decoding YAML: {e}"));
    let text = std::str::from_utf8(body).map_err(|e| invalid(&e))?;
    let value = helm::codec::yaml::from_str(text).map_err(|e| invalid(&e))?;
    let json = helm::codec::json::to_string(&value).map_err(|e| invalid(&e))?;
    serde_json::from_str(&json).map_err(|e| invalid(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_options_are_validated_as_the_api_server_does() {
        assert!(validate_patch_options(true, Some("helm"), Some("true")).is_ok());
        let err = validate_patch_options(true, None, None).expect_err("no manager");
        assert_eq!(err.code, 422);
        assert_eq!(
            err.message,
            "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch"
        );
        let err = validate_patch_options(false, None, Some("false")).expect_err("force");
        assert_eq!(
            err.message,
            "PatchOptions.meta.k8s.io \"\" is invalid: force: Forbidden: may not be specified for non-apply patch"
        );
        assert_eq!(
            manager_from_user_agent("kubectl/v1.34.0 (linux/amd64) kubernetes/abc"),
            "kubectl"
        );
        assert_eq!(manager_from_user_agent(""), "");
    }

    #[test]
    fn apply_bodies_are_json_or_yaml() {
        let yaml = b"apiVersion: v1\nkind: ConfigMap\ndata:\n  port: '80'\nreplicas: 3\n";
        assert_eq!(
            decode_apply_body(yaml),
            Ok(
                json!({"apiVersion": "v1", "kind": "ConfigMap", "data": {"port": "80"}, "replicas": 3})
            )
        );
        assert_eq!(decode_apply_body(br#"{"a":1}"#), Ok(json!({"a": 1})));
        let err = decode_apply_body(b"a: [").expect_err("not YAML");
        assert!(
            err.message.starts_with("error decoding YAML: "),
            "{}",
            err.message
        );
    }

    #[test]
    fn the_field_manager_defaults_to_the_user_agent() {
        let mut query = HashMap::new();
        assert_eq!(field_manager(&query, "Helm/4.3.1"), "Helm");
        query.insert("fieldManager".to_owned(), "helm".to_owned());
        assert_eq!(field_manager(&query, "Helm/4.3.1"), "helm");
    }
}
