//! Validating admission webhooks, called as kube-apiserver calls them.
//!
//! [`middleware`] wraps the API router. A write (POST, PUT, PATCH, DELETE)
//! of any served resource other than the webhook configurations
//! themselves is first run as a dry run, which gives the object exactly as
//! it would be stored (defaulted, patched); then every webhook of every
//! stored ValidatingWebhookConfiguration ([`config`]) whose rules,
//! selectors and match conditions ([`conditions`]) select the request is
//! sent an AdmissionReview ([`attributes`]) over HTTPS ([`call`]), all at
//! once ([`dispatch`]); only if all allow is the request itself served.
//! Webhook warnings become `Warning` headers on the answer, refusals the
//! API server's Status.

pub mod attributes;
pub mod call;
pub mod conditions;
pub mod config;
pub mod dispatch;
pub mod field;
pub mod warning;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest as _, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use serde_json::{Value, json};

use self::attributes::{Attributes, Operation};
use self::config::{Configuration, Webhook};
use self::dispatch::{Decision, Rejection};
use crate::api::ApiState;
use crate::resources::{self, ResourceType};
use crate::store::ListOptions;
use crate::user::UserInfo;

/// The largest dry-run answer read back (a collection delete lists every
/// object it deletes).
const MAX_DRY_RUN_BYTES: usize = 64 * 1024 * 1024;

/// Admission's state: the cluster's objects, and where Services that
/// webhooks name are really listening.
#[derive(Debug)]
pub struct Admission {
    api: Arc<ApiState>,
    services: Mutex<BTreeMap<(String, String), SocketAddr>>,
}

impl Admission {
    /// Admission over the objects of `api`, with no Service routed yet.
    pub fn new(api: Arc<ApiState>) -> Self {
        Self {
            api,
            services: Mutex::new(BTreeMap::new()),
        }
    }

    /// Sends calls for webhooks whose `clientConfig.service` is
    /// `namespace`/`name` to `address` (a loopback address where the test's
    /// webhook server listens). The certificate must still be valid for
    /// `name.namespace.svc`, as for kube-apiserver.
    pub fn route_service(&self, namespace: &str, name: &str, address: SocketAddr) {
        self.services
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert((namespace.to_owned(), name.to_owned()), address);
    }

    fn services(&self) -> BTreeMap<(String, String), SocketAddr> {
        self.services
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Every stored validating webhook, configurations in name order.
    fn webhooks(&self) -> Vec<Webhook> {
        let Some(resource) = resources::find(
            "admissionregistration.k8s.io",
            "v1",
            "validatingwebhookconfigurations",
        ) else {
            return Vec::new();
        };
        let Ok(list) = self.api.store.list(resource, None, &ListOptions::default()) else {
            return Vec::new();
        };
        list["items"]
            .as_array()
            .into_iter()
            .flatten()
            // Stored configurations were validated on the way in.
            .filter_map(|item| serde_json::from_value::<Configuration>(item.clone()).ok())
            .flat_map(|c| c.webhooks)
            .collect()
    }
}

/// A write's coordinates, from its path.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ObjectPath<'a> {
    group: &'a str,
    version: &'a str,
    namespace: Option<&'a str>,
    plural: &'a str,
    name: Option<&'a str>,
    subresource: &'a str,
}

/// `/api/v1/…` or `/apis/group/version/…` down to an optional subresource.
fn parse_path(path: &str) -> Option<ObjectPath<'_>> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (group, version, rest) = match segments.as_slice() {
        ["api", version, rest @ ..] => ("", *version, rest),
        ["apis", group, version, rest @ ..] => (*group, *version, rest),
        _ => return None,
    };
    let (namespace, rest) = match rest {
        // `namespaces/NAME/status` and `/finalize` are a Namespace's own
        // subresources, not a collection in it.
        ["namespaces", _, "status" | "finalize"] => (None, rest),
        ["namespaces", namespace, more @ ..] if !more.is_empty() => (Some(*namespace), more),
        _ => (None, rest),
    };
    let (plural, name, subresource) = match rest {
        [plural] => (*plural, None, ""),
        [plural, name] => (*plural, Some(*name), ""),
        [plural, name, subresource] => (*plural, Some(*name), *subresource),
        _ => return None,
    };
    Some(ObjectPath {
        group,
        version,
        namespace,
        plural,
        name,
        subresource,
    })
}

/// kube-apiserver never sends its webhook configurations to webhooks, so
/// a bad webhook cannot lock itself in.
fn exempt(resource: &ResourceType) -> bool {
    resource.group == "admissionregistration.k8s.io"
}

/// The axum middleware: admission before the API serves a write.
pub async fn middleware(
    State(admission): State<Arc<Admission>>,
    request: Request,
    next: Next,
) -> Response {
    let admissible = matches!(
        *request.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    ) && parse_path(request.uri().path())
        .and_then(|path| resources::find(path.group, path.version, path.plural))
        .is_some_and(|resource| !exempt(resource));
    let webhooks = if admissible {
        admission.webhooks()
    } else {
        Vec::new()
    };
    if webhooks.is_empty() {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let bytes = match Bytes::from_request(Request::from_parts(parts.clone(), body), &()).await {
        Ok(bytes) => bytes,
        Err(rejection) => return rejection.into_response(),
    };
    let original = || Request::from_parts(parts.clone(), Body::from(bytes.clone()));
    let requests = match attributes_of(&admission, &parts, &bytes, next.clone()).await {
        Ok(Some(requests)) => requests,
        // The write fails on its own (not found, invalid…): admission is
        // not reached, and the API's own answer is the answer.
        Ok(None) => return next.run(original()).await,
        Err(rejection) => return rejection_response(&rejection),
    };
    let decision = dispatch::admit(
        &admission.api.store,
        &admission.services(),
        &webhooks,
        &requests,
    )
    .await;
    let Decision {
        warnings,
        rejection,
    } = decision;
    let mut response = match rejection {
        Some(rejection) => rejection_response(&rejection),
        None => next.run(original()).await,
    };
    add_warnings(&mut response, &warnings);
    response
}

/// What the write would do, learned by serving it as a dry run; `None`
/// when the dry run fails.
async fn attributes_of(
    admission: &Admission,
    parts: &Parts,
    body: &Bytes,
    next: Next,
) -> Result<Option<Vec<Attributes>>, Rejection> {
    let Some((path, resource)) = parse_path(parts.uri.path()).and_then(|path| {
        resources::find(path.group, path.version, path.plural).map(|resource| (path, resource))
    }) else {
        return Ok(None);
    };
    let Ok(Query(query)) = Query::<Vec<(String, String)>>::try_from_uri(&parts.uri) else {
        return Ok(None);
    };
    // A bad `dryRun` is refused before admission; the dry run below would
    // replace it.
    if query
        .iter()
        .any(|(k, v)| k == "dryRun" && !v.is_empty() && v != "All")
    {
        return Ok(None);
    }
    let namespace = path.namespace.unwrap_or("");
    let old = path
        .name
        .and_then(|name| admission.api.store.get(resource, namespace, name).ok());
    let Some(result) = dry_run(parts, body, next).await? else {
        return Ok(None);
    };
    let common = Common {
        resource,
        subresource: path.subresource,
        namespace,
        user: parts
            .extensions
            .get::<UserInfo>()
            .cloned()
            .unwrap_or_else(|| UserInfo {
                username: "system:anonymous".into(),
                groups: vec!["system:unauthenticated".into()],
            }),
        dry_run: query.iter().any(|(k, v)| k == "dryRun" && v == "All"),
    };
    let requests = match (&parts.method, path.name) {
        (&Method::DELETE, None) => {
            let options = attributes::delete_options(body, &query);
            result["items"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|item| common.delete(typed_item(resource, item), options.clone()))
                .collect()
        }
        (&Method::DELETE, Some(_)) => {
            let options = attributes::delete_options(body, &query);
            vec![common.delete(old.unwrap_or(result), options)]
        }
        (method, name) => {
            let name = match name {
                Some(name) => name.to_owned(),
                None => requested_name(parts, body),
            };
            vec![match old {
                Some(old) if *method != Method::POST => {
                    let options = attributes::write_options("UpdateOptions", &query);
                    common.update(&name, result, old, options)
                }
                _ => {
                    let options = attributes::write_options("CreateOptions", &query);
                    common.create(&name, result, options)
                }
            }]
        }
    };
    Ok(Some(requests))
}

/// What every review of one request shares.
struct Common<'a> {
    resource: &'static ResourceType,
    subresource: &'a str,
    /// The request path's namespace.
    namespace: &'a str,
    user: UserInfo,
    /// From the query; a DeleteOptions body may also ask for one.
    dry_run: bool,
}

impl Common<'_> {
    fn attributes(
        &self,
        operation: Operation,
        name: &str,
        object: Value,
        old_object: Value,
        options: Value,
    ) -> Attributes {
        let is_namespace = self.resource.group.is_empty() && self.resource.plural == "namespaces";
        // A Namespace is its own namespace; a collection delete's objects
        // each carry theirs.
        let namespace = if is_namespace {
            name.to_owned()
        } else {
            item_namespace(&object)
                .or_else(|| item_namespace(&old_object))
                .unwrap_or_else(|| self.namespace.to_owned())
        };
        let dry_run = self.dry_run || options["dryRun"].as_array().is_some_and(|d| !d.is_empty());
        Attributes {
            resource: self.resource,
            subresource: self.subresource.to_owned(),
            namespace,
            name: name.to_owned(),
            operation,
            object,
            old_object,
            dry_run,
            options,
            user: self.user.clone(),
        }
    }

    /// A create: storage assigns the resourceVersion after admission.
    fn create(&self, name: &str, mut object: Value, options: Value) -> Attributes {
        if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
            metadata.remove("resourceVersion");
        }
        self.attributes(Operation::Create, name, object, Value::Null, options)
    }

    /// An update, admitted with the resourceVersion it was based on.
    fn update(&self, name: &str, mut object: Value, old: Value, options: Value) -> Attributes {
        if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
            metadata.insert(
                "resourceVersion".into(),
                old["metadata"]["resourceVersion"].clone(),
            );
        }
        self.attributes(Operation::Update, name, object, old, options)
    }

    /// The deletion of `old`.
    fn delete(&self, old: Value, options: Value) -> Attributes {
        let name = old["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        self.attributes(Operation::Delete, &name, Value::Null, old, options)
    }
}

/// A list item with the `kind` and `apiVersion` lists leave out.
fn typed_item(resource: &ResourceType, item: &Value) -> Value {
    let mut item = item.clone();
    if let Some(fields) = item.as_object_mut() {
        fields.insert("kind".into(), json!(resource.kind));
        fields.insert("apiVersion".into(), json!(resource.api_version()));
    }
    item
}

fn item_namespace(object: &Value) -> Option<String> {
    object["metadata"]["namespace"]
        .as_str()
        .filter(|ns| !ns.is_empty())
        .map(str::to_owned)
}

/// The name a POST body asks for (empty with `generateName`): the name
/// kube-apiserver admits a create under.
fn requested_name(parts: &Parts, body: &[u8]) -> String {
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let object = if content_type.starts_with(crate::protobuf::MEDIA_TYPE) {
        crate::protobuf::decode(body).ok()
    } else {
        serde_json::from_slice::<Value>(body).ok()
    };
    object
        .and_then(|o| o["metadata"]["name"].as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Serves the request with `dryRun=All` and returns the object (or list)
/// it answers with; `None` when the dry run fails.
async fn dry_run(parts: &Parts, body: &Bytes, next: Next) -> Result<Option<Value>, Rejection> {
    let unreadable =
        |why: String| Rejection::internal(format!("admission could not preview the write: {why}"));
    let mut dry = parts.clone();
    let mut query: Vec<&str> = parts
        .uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("dryRun="))
        .collect();
    query.push("dryRun=All");
    dry.uri = Uri::builder()
        .path_and_query(format!("{}?{}", parts.uri.path(), query.join("&")))
        .build()
        .map_err(|e| unreadable(e.to_string()))?;
    dry.headers
        .insert(header::ACCEPT, HeaderValue::from_static("application/json"));
    let response = next
        .run(Request::from_parts(dry, Body::from(body.clone())))
        .await;
    if !response.status().is_success() {
        return Ok(None);
    }
    let bytes = axum::body::to_bytes(response.into_body(), MAX_DRY_RUN_BYTES)
        .await
        .map_err(|e| unreadable(e.to_string()))?;
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| unreadable(e.to_string()))
}

fn rejection_response(rejection: &Rejection) -> Response {
    (
        StatusCode::from_u16(rejection.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        [(header::CONTENT_TYPE, "application/json")],
        Body::from(rejection.status.to_string()),
    )
        .into_response()
}

/// The webhooks' warnings as `Warning` headers.
fn add_warnings(response: &mut Response, warnings: &[String]) {
    let mut recorder = warning::Recorder::default();
    for text in warnings {
        recorder.add(text);
    }
    for header in recorder.headers() {
        // UTF-8 goes out as raw bytes, as Go writes it.
        if let Ok(value) = HeaderValue::from_bytes(header.as_bytes()) {
            response.headers_mut().append(header::WARNING, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_reach_objects_and_subresources() {
        let path = |p| parse_path(p).map(|p| (p.namespace, p.plural, p.name, p.subresource));
        assert_eq!(
            path("/api/v1/namespaces/ns/pods/web/status"),
            Some((Some("ns"), "pods", Some("web"), "status"))
        );
        assert_eq!(
            path("/api/v1/namespaces/ns/configmaps"),
            Some((Some("ns"), "configmaps", None, ""))
        );
        assert_eq!(
            path("/api/v1/namespaces/ns"),
            Some((None, "namespaces", Some("ns"), ""))
        );
        assert_eq!(
            path("/api/v1/namespaces/ns/finalize"),
            Some((None, "namespaces", Some("ns"), "finalize"))
        );
        assert_eq!(
            path("/apis/apps/v1/namespaces/ns/deployments/web/scale"),
            Some((Some("ns"), "deployments", Some("web"), "scale"))
        );
        assert_eq!(path("/version"), None);
    }
}
