//! The HTTP face of the cluster: turns a request's path, query and body
//! into a discovery answer or a store call, and the result into JSON.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::apply::request::{self, PatchRequest};
use crate::controllers::gc;
use crate::custom;
use crate::discovery;
use crate::logs;
use crate::openapi;
use crate::patch::PatchKind;
use crate::protobuf;
use crate::resources::{self, ResourceType};
use crate::selector::{FieldSelector, LabelSelector};
use crate::status::ApiError;
use crate::store::{ListOptions, Store};
use crate::subresource;
use crate::watch;
use helm::kube::strategic_merge::MergeSchema;

/// What every request handler shares.
#[derive(Debug)]
pub struct ApiState {
    /// All objects.
    pub store: Store,
    /// `host:port` the server is reached at, for `/api`.
    pub server_address: String,
}

/// A request for objects of one type: a collection (no name) or one object.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ResourcePath<'a> {
    group: &'a str,
    version: &'a str,
    namespace: Option<&'a str>,
    plural: &'a str,
    name: Option<&'a str>,
    /// `status`, `log`…: what follows the name.
    subresource: Option<&'a str>,
}

/// What a path addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target<'a> {
    Version,
    CoreVersions,
    Groups,
    Group(&'a str),
    Resources { group: &'a str, version: &'a str },
    OpenApiRoot,
    OpenApi { group: &'a str, version: &'a str },
    Objects(ResourcePath<'a>),
}

fn parse_path(path: &str) -> Option<Target<'_>> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (group, version, rest) = match segments.as_slice() {
        ["version"] => return Some(Target::Version),
        ["api"] => return Some(Target::CoreVersions),
        ["apis"] => return Some(Target::Groups),
        ["apis", group] => return Some(Target::Group(group)),
        ["openapi", "v3"] => return Some(Target::OpenApiRoot),
        ["openapi", "v3", "api", version] => {
            return Some(Target::OpenApi { group: "", version });
        }
        ["openapi", "v3", "apis", group, version] => {
            return Some(Target::OpenApi { group, version });
        }
        ["api", version, rest @ ..] => ("", *version, rest),
        ["apis", group, version, rest @ ..] => (*group, *version, rest),
        _ => return None,
    };
    let (namespace, plural, name, subresource) = match rest {
        [] => return Some(Target::Resources { group, version }),
        [plural] => (None, *plural, None, None),
        // A namespace's status, not a collection in it.
        ["namespaces", name, sub @ "status"] => (None, "namespaces", Some(*name), Some(*sub)),
        ["namespaces", namespace, plural] => (Some(*namespace), *plural, None, None),
        ["namespaces", namespace, plural, name] => (Some(*namespace), *plural, Some(*name), None),
        ["namespaces", namespace, plural, name, sub] => {
            (Some(*namespace), *plural, Some(*name), Some(*sub))
        }
        [plural, name] => (None, *plural, Some(*name), None),
        [plural, name, sub] => (None, *plural, Some(*name), Some(*sub)),
        _ => return None,
    };
    Some(Target::Objects(ResourcePath {
        group,
        version,
        namespace,
        plural,
        name,
        subresource,
    }))
}

/// The one handler: every path goes through [`parse_path`].
pub async fn handle(
    State(state): State<Arc<ApiState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match answer(&state, &method, &uri, &headers, &body) {
        Ok(Reply::Json(code, value)) => json_response(code, &value),
        Ok(Reply::Raw(response)) => response,
        Err(error) => json_response(
            StatusCode::from_u16(error.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            &error.to_status(),
        ),
    }
}

/// The answer to every request of a client that presented no certificate.
pub async fn unauthorized() -> Response {
    let error = ApiError::unauthorized();
    json_response(StatusCode::UNAUTHORIZED, &error.to_status())
}

fn json_response(code: StatusCode, value: &Value) -> Response {
    (
        code,
        [(header::CONTENT_TYPE, "application/json")],
        Body::from(value.to_string()),
    )
        .into_response()
}

/// A successful answer: a JSON document, or a response made elsewhere
/// (a watch stream, a log).
enum Reply {
    Json(StatusCode, Value),
    Raw(Response),
}

fn answer(
    state: &Arc<ApiState>,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Reply, ApiError> {
    let target = parse_path(uri.path()).ok_or_else(ApiError::no_such_path)?;
    let store = &state.store;
    let discovery = match target {
        Target::Version => Some(discovery::version()),
        Target::CoreVersions => Some(discovery::core_versions(&state.server_address)),
        Target::Groups => Some(custom::group_list(store)),
        Target::Group(group) => custom::group(store, group),
        Target::Resources { group, version } => custom::resource_list(store, group, version),
        Target::OpenApiRoot => Some(openapi::root()),
        Target::OpenApi { group, version } => openapi::group_version(group, version),
        Target::Objects(path) => return objects(state, method, uri, headers, body, &path),
    };
    if *method != Method::GET {
        return Err(ApiError::method_not_allowed());
    }
    discovery
        .map(|document| Reply::Json(StatusCode::OK, document))
        .ok_or_else(ApiError::no_such_path)
}

fn objects(
    state: &Arc<ApiState>,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    path: &ResourcePath<'_>,
) -> Result<Reply, ApiError> {
    let resource = resources::find(path.group, path.version, path.plural)
        .or_else(|| custom::find(&state.store, path.group, path.version, path.plural))
        .ok_or_else(ApiError::no_such_path)?;
    if path.namespace.is_some() && !resource.namespaced {
        return Err(ApiError::no_such_path());
    }
    let query = Query::<HashMap<String, String>>::try_from_uri(uri)
        .map_err(|e| ApiError::bad_request(e.body_text()))?
        .0;
    let dry_run = match query.get("dryRun").map(String::as_str) {
        None | Some("") => false,
        Some("All") => true,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "Invalid dry run value: {other}: valid values are 'All'"
            )));
        }
    };
    let store = &state.store;
    // Every write is recorded in managedFields under its field manager.
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let manager = request::field_manager(&query, user_agent);
    // Cluster-scoped objects have no namespace: the store ignores it.
    let namespace = path.namespace.unwrap_or("");
    let ok = |value| Ok(Reply::Json(StatusCode::OK, value));
    if let (Some(name), Some(subresource)) = (path.name, path.subresource) {
        return match (subresource, method.clone()) {
            ("log", Method::GET) if resource.group.is_empty() && resource.plural == "pods" => {
                Ok(Reply::Raw(logs::respond(store, namespace, name, &query)?))
            }
            ("status", _) if subresource::status_is_subresource(store, resource) => {
                require_namespace(resource, path)?;
                match method.clone() {
                    Method::GET => ok(store.get(resource, namespace, name)?),
                    Method::PUT => ok(store.update_status(
                        resource,
                        namespace,
                        name,
                        decode_body(headers, body)?,
                        dry_run,
                    )?),
                    Method::PATCH => {
                        let strategic =
                            MergeSchema::for_kind(&resource.api_version(), resource.kind);
                        let kind = PatchKind::from_content_type(
                            content_type(headers),
                            strategic.is_strategic(),
                        )?;
                        ok(store.patch_status(resource, namespace, name, kind, body, dry_run)?)
                    }
                    _ => Err(ApiError::method_not_allowed()),
                }
            }
            _ => Err(ApiError::no_such_path()),
        };
    }
    match (path.name, method.clone()) {
        (None, Method::GET) if watch::requested(&query) => Ok(Reply::Raw(watch::respond(
            state.clone(),
            resource,
            path.namespace,
            &query,
        )?)),
        (None, Method::GET) => ok(store.list(resource, path.namespace, &list_options(&query)?)?),
        (None, Method::POST) => {
            require_namespace(resource, path)?;
            let object = decode_body(headers, body)?;
            let created = store.create_by(resource, namespace, object, dry_run, Some(&manager))?;
            Ok(Reply::Json(StatusCode::CREATED, created))
        }
        (None, Method::DELETE) => ok(store.delete_collection(
            resource,
            path.namespace,
            &list_options(&query)?,
            dry_run,
        )?),
        (Some(name), Method::GET) => ok(store.get(resource, namespace, name)?),
        (Some(name), Method::PUT) => {
            require_namespace(resource, path)?;
            let object = decode_body(headers, body)?;
            ok(store.update_by(resource, namespace, name, object, dry_run, Some(&manager))?)
        }
        (Some(name), Method::PATCH) => {
            require_namespace(resource, path)?;
            request::patch(
                store,
                &PatchRequest {
                    resource,
                    namespace,
                    name,
                    content_type: content_type(headers),
                    body,
                    query: &query,
                    manager: &manager,
                    dry_run,
                },
            )
            .map(|(code, object)| Reply::Json(code, object))
        }
        (Some(name), Method::DELETE) => {
            require_namespace(resource, path)?;
            let policy = gc::Propagation::from_request(
                query.get("propagationPolicy").map(String::as_str),
                body,
            )?;
            ok(gc::delete(
                store, resource, namespace, name, policy, dry_run,
            )?)
        }
        _ => Err(ApiError::method_not_allowed()),
    }
}

/// Writes to a namespaced type go through its namespaced path.
fn require_namespace(resource: &ResourceType, path: &ResourcePath<'_>) -> Result<(), ApiError> {
    if resource.namespaced && path.namespace.is_none() {
        Err(ApiError::method_not_allowed())
    } else {
        Ok(())
    }
}

/// A POST or PUT body: JSON, or protobuf as client-go's typed clients send
/// built-in types.
fn decode_body(headers: &HeaderMap, body: &[u8]) -> Result<Value, ApiError> {
    match content_type(headers).split(';').next().unwrap_or("").trim() {
        "" | "application/json" => serde_json::from_slice(body).map_err(|e| {
            ApiError::bad_request(format!("the body of the request could not be decoded: {e}"))
        }),
        protobuf::MEDIA_TYPE => protobuf::decode(body),
        _ => Err(ApiError::unsupported_media_type(&[
            "application/json",
            protobuf::MEDIA_TYPE,
        ])),
    }
}

fn content_type(headers: &HeaderMap) -> &str {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

fn list_options(query: &HashMap<String, String>) -> Result<ListOptions, ApiError> {
    let text = |key: &str| query.get(key).map(String::as_str).unwrap_or("");
    let limit = match text("limit") {
        "" => None,
        n => Some(n.parse::<usize>().map_err(|_| {
            ApiError::bad_request(format!("limit: Invalid value: \"{n}\": must be an integer"))
        })?),
    };
    Ok(ListOptions {
        labels: LabelSelector::parse(text("labelSelector"))?,
        fields: FieldSelector::parse(text("fieldSelector"))?,
        limit,
        continue_token: Some(text("continue"))
            .filter(|t| !t.is_empty())
            .map(str::to_owned),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(parse_path("/version"), Some(Target::Version));
        assert_eq!(parse_path("/apis/apps"), Some(Target::Group("apps")));
        assert_eq!(
            parse_path("/api/v1"),
            Some(Target::Resources {
                group: "",
                version: "v1"
            })
        );
        assert_eq!(
            parse_path("/apis/apps/v1/namespaces/ns/deployments/web"),
            Some(Target::Objects(ResourcePath {
                group: "apps",
                version: "v1",
                namespace: Some("ns"),
                plural: "deployments",
                name: Some("web"),
                subresource: None,
            }))
        );
        assert_eq!(
            parse_path("/api/v1/namespaces/ns"),
            Some(Target::Objects(ResourcePath {
                group: "",
                version: "v1",
                namespace: None,
                plural: "namespaces",
                name: Some("ns"),
                subresource: None,
            }))
        );
        assert_eq!(
            parse_path("/api/v1/namespaces/ns/status"),
            Some(Target::Objects(ResourcePath {
                group: "",
                version: "v1",
                namespace: None,
                plural: "namespaces",
                name: Some("ns"),
                subresource: Some("status"),
            }))
        );
        assert_eq!(
            parse_path("/api/v1/namespaces/ns/pods/p/log"),
            Some(Target::Objects(ResourcePath {
                group: "",
                version: "v1",
                namespace: Some("ns"),
                plural: "pods",
                name: Some("p"),
                subresource: Some("log"),
            }))
        );
        assert_eq!(parse_path("/healthz/x/y"), None);
    }
}
