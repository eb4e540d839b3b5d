//! Which webhooks a write goes to, calling them all at once, and the one
//! answer their verdicts add up to.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use futures_util::StreamExt as _;
use futures_util::stream::FuturesUnordered;
use serde_json::{Value, json};

use super::attributes::{Attributes, Operation};
use super::call::{self, CallError, Endpoint};
use super::conditions::{self, Outcome};
use super::config::{ClientConfig, LabelSelector, Rule, UrlParts, Webhook};
use crate::resources;
use crate::status::ApiError;
use crate::store::Store;

/// A refused write: the HTTP code and the `metav1.Status` body.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    /// HTTP status code.
    pub code: u16,
    /// The Status object answered.
    pub status: Value,
}

impl From<ApiError> for Rejection {
    fn from(error: ApiError) -> Self {
        Self {
            code: error.code,
            status: error.to_status(),
        }
    }
}

impl Rejection {
    /// A webhook said no: its `status` with the message kube-apiserver
    /// writes, `code` 500 when it gave none.
    fn denied(webhook: &str, status: Option<Value>) -> Self {
        let mut status = status.filter(Value::is_object).unwrap_or_else(|| json!({}));
        let text = |status: &Value, key: &str| {
            status
                .get(key)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let denied_by = format!("admission webhook {webhook:?} denied the request");
        let message = match (text(&status, "message"), text(&status, "reason")) {
            (Some(message), _) => format!("{denied_by}: {message}"),
            (None, Some(reason)) => format!("{denied_by}: {reason}"),
            (None, None) => format!("{denied_by} without explanation"),
        };
        let code = status
            .get("code")
            .and_then(Value::as_u64)
            .and_then(|c| u16::try_from(c).ok())
            .filter(|c| (100..=599).contains(c))
            .unwrap_or(500);
        status["message"] = json!(message);
        status["code"] = json!(code);
        if text(&status, "status").is_none() {
            status["status"] = json!("Failure");
        }
        status["kind"] = json!("Status");
        status["apiVersion"] = json!("v1");
        if !status["metadata"].is_object() {
            status["metadata"] = json!({});
        }
        Self { code, status }
    }

    /// kube-apiserver's `NewInternalError`: 500, `Internal error occurred: …`.
    pub fn internal(message: String) -> Self {
        Self {
            code: 500,
            status: json!({
                "kind": "Status",
                "apiVersion": "v1",
                "metadata": {},
                "status": "Failure",
                "message": format!("Internal error occurred: {message}"),
                "reason": "InternalError",
                "details": {"causes": [{"message": message}]},
                "code": 500,
            }),
        }
    }

    /// kube-apiserver's `NewForbidden` for the written object.
    fn forbidden(attributes: &Attributes, message: &str) -> Self {
        let resource = attributes.resource;
        let mut details = json!({"name": attributes.name, "kind": resource.plural});
        if !resource.group.is_empty() {
            details["group"] = json!(resource.group);
        }
        Self {
            code: 403,
            status: json!({
                "kind": "Status",
                "apiVersion": "v1",
                "metadata": {},
                "status": "Failure",
                "message": format!(
                    "{} {:?} is forbidden: {message}",
                    resource.qualified_plural(),
                    attributes.name
                ),
                "reason": "Forbidden",
                "details": details,
                "code": 403,
            }),
        }
    }
}

/// What admission decided for one request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Decision {
    /// Every warning the called webhooks returned, in arrival order
    /// (repeats included: [`super::warning::Recorder`] drops them).
    pub warnings: Vec<String>,
    /// Why the write is refused, if it is.
    pub rejection: Option<Rejection>,
}

/// Runs validating admission for each set of attributes in turn (one per
/// object: a collection delete has several), stopping at the first refusal.
pub async fn admit(
    store: &Store,
    services: &BTreeMap<(String, String), SocketAddr>,
    webhooks: &[Webhook],
    requests: &[Attributes],
) -> Decision {
    let mut decision = Decision::default();
    for attributes in requests {
        if let Err(rejection) =
            admit_one(store, services, webhooks, attributes, &mut decision).await
        {
            decision.rejection = Some(rejection);
            break;
        }
    }
    decision
}

async fn admit_one(
    store: &Store,
    services: &BTreeMap<(String, String), SocketAddr>,
    webhooks: &[Webhook],
    attributes: &Attributes,
    decision: &mut Decision,
) -> Result<(), Rejection> {
    // Selecting is sequential and may refuse before anything is called.
    let mut selected = Vec::new();
    for webhook in webhooks {
        if should_call(store, webhook, attributes)? {
            selected.push(webhook);
        }
    }
    let mut calls: FuturesUnordered<_> = selected
        .into_iter()
        .map(|webhook| async move { (webhook, call_one(services, webhook, attributes).await) })
        .collect();
    // All calls run to the end; the first refusal to arrive is the answer,
    // as kube-apiserver reports the first error its goroutines send.
    let mut first_refusal = None;
    while let Some((webhook, result)) = calls.next().await {
        let refusal = match result {
            Ok(verdict) => {
                decision.warnings.extend(verdict.warnings);
                (!verdict.allowed).then(|| Rejection::denied(&webhook.name, verdict.status))
            }
            Err(_) if webhook.ignores_failures() => None,
            Err(error) => Some(Rejection::internal(format!(
                "failed calling webhook {:?}: {error}",
                webhook.name
            ))),
        };
        if first_refusal.is_none() {
            first_refusal = refusal;
        }
    }
    first_refusal.map_or(Ok(()), Err)
}

/// Rules, namespace selector, object selector, then match conditions.
fn should_call(
    store: &Store,
    webhook: &Webhook,
    attributes: &Attributes,
) -> Result<bool, Rejection> {
    if !webhook
        .rules
        .iter()
        .any(|rule| rule_matches(rule, attributes))
    {
        return Ok(false);
    }
    if let Some(selector) = &webhook.namespace_selector
        && !namespace_selected(store, selector, attributes)?
    {
        return Ok(false);
    }
    if let Some(selector) = webhook.object_selector.as_ref().filter(|s| !s.is_empty()) {
        let labels = |object: &Value| object.pointer("/metadata/labels").cloned();
        let matches =
            |object: &Value| !object.is_null() && selector.matches(labels(object).as_ref());
        if !matches(&attributes.object) && !matches(&attributes.old_object) {
            return Ok(false);
        }
    }
    if webhook.match_conditions.is_empty() {
        return Ok(true);
    }
    // CEL's `request` is the AdmissionRequest without its uid and objects
    // (those are the `object` and `oldObject` variables).
    let mut review = attributes.review("");
    let mut request = review
        .get_mut("request")
        .map(Value::take)
        .unwrap_or(Value::Null);
    if let Some(fields) = request.as_object_mut() {
        for field in ["uid", "object", "oldObject"] {
            fields.remove(field);
        }
    }
    match conditions::evaluate(
        &webhook.match_conditions,
        &attributes.object,
        &attributes.old_object,
        &request,
    ) {
        Outcome::Call => Ok(true),
        Outcome::Skip => Ok(false),
        Outcome::Errors(_) if webhook.ignores_failures() => Ok(false),
        Outcome::Errors(errors) => {
            let message = match errors.as_slice() {
                [one] => one.clone(),
                many => format!("[{}]", many.join(", ")),
            };
            Err(Rejection::forbidden(attributes, &message))
        }
    }
}

/// Whether a namespace selector selects the request: always for
/// cluster-scoped objects other than Namespaces; by its new labels for a
/// Namespace being created or updated; otherwise by the stored labels of
/// the request's namespace.
fn namespace_selected(
    store: &Store,
    selector: &LabelSelector,
    attributes: &Attributes,
) -> Result<bool, Rejection> {
    // The core table always serves Namespaces.
    let Some(namespaces) = resources::find("", "v1", "namespaces") else {
        return Ok(true);
    };
    let is_namespace = attributes.resource == namespaces;
    if selector.is_empty() || (attributes.namespace.is_empty() && !is_namespace) {
        return Ok(true);
    }
    let labels = if is_namespace
        && attributes.subresource.is_empty()
        && matches!(attributes.operation, Operation::Create | Operation::Update)
    {
        attributes.object.pointer("/metadata/labels").cloned()
    } else {
        store
            .get(namespaces, "", &attributes.namespace)
            .map_err(Rejection::from)?
            .pointer("/metadata/labels")
            .cloned()
    };
    Ok(selector.matches(labels.as_ref()))
}

/// One rule against the request: operation, group, version, resource and
/// subresource (`*`, `*/*`, `x/*`, `*/y`), and scope.
fn rule_matches(rule: &Rule, attributes: &Attributes) -> bool {
    let any = |values: &[String], wanted: &str| values.iter().any(|v| v == "*" || v == wanted);
    let resource = attributes.resource;
    let resource_matches = rule.resources.iter().any(|entry| {
        let (name, sub) = entry.split_once('/').unwrap_or((entry, ""));
        (name == "*" || name == resource.plural) && (sub == "*" || sub == attributes.subresource)
    });
    let is_namespace = resource.group.is_empty() && resource.plural == "namespaces";
    let scope_matches = match rule.scope.as_deref() {
        None | Some("*") => true,
        Some("Namespaced") => !is_namespace && !attributes.namespace.is_empty(),
        Some("Cluster") => is_namespace || attributes.namespace.is_empty(),
        Some(_) => false,
    };
    any(&rule.operations, attributes.operation.as_str())
        && any(&rule.api_groups, resource.group)
        && any(&rule.api_versions, resource.version)
        && resource_matches
        && scope_matches
}

/// Sends the review to one webhook.
async fn call_one(
    services: &BTreeMap<(String, String), SocketAddr>,
    webhook: &Webhook,
    attributes: &Attributes,
) -> Result<call::Verdict, CallError> {
    let seconds = webhook.timeout_seconds.unwrap_or(10).clamp(1, 30);
    let timeout = Duration::from_secs(seconds.unsigned_abs());
    let endpoint = endpoint(services, &webhook.client_config, seconds).await?;
    let uid = uuid::Uuid::new_v4().to_string();
    let review = attributes.review(&uid);
    call::call(
        &endpoint,
        webhook.client_config.ca_bundle.as_deref(),
        &review,
        &uid,
        timeout,
    )
    .await
}

/// Where `clientConfig` points: a URL's host (which must resolve to a
/// loopback address: tests never leave the machine), or a Service mapped
/// to a loopback address with [`super::Admission::route_service`].
async fn endpoint(
    services: &BTreeMap<(String, String), SocketAddr>,
    config: &ClientConfig,
    seconds: i64,
) -> Result<Endpoint, CallError> {
    let timeout_query = format!("timeout={seconds}s");
    if let Some(service) = &config.service {
        let port = service.port.unwrap_or(443);
        let host = format!("{}.{}.svc", service.name, service.namespace);
        let path = service
            .path
            .as_deref()
            .filter(|p| !p.is_empty())
            .unwrap_or("/");
        let endpoint = |address| Endpoint {
            address,
            server_name: host.clone(),
            authority: format!("{host}:{port}"),
            path_and_query: format!("{path}?{timeout_query}"),
        };
        return match services.get(&(service.namespace.clone(), service.name.clone())) {
            Some(address) => Ok(endpoint(*address)),
            None => Err(CallError::Transport {
                url: endpoint(SocketAddr::from(([127, 0, 0, 1], 0))).url(),
                reason: format!("service {:?} not found", service.name),
            }),
        };
    }
    let url = config.url.as_deref().unwrap_or_default();
    let parts = UrlParts::split(url);
    let path = if parts.path.is_empty() {
        "/"
    } else {
        parts.path
    };
    let unreachable = |reason: String| CallError::Transport {
        url: format!("https://{}{path}?{timeout_query}", parts.host),
        reason,
    };
    let (host, port) = split_host_port(parts.host);
    let addresses = tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| unreachable(format!("dial tcp: lookup {host}: {e}")))?;
    let address = addresses
        .into_iter()
        .find(|a| a.ip().is_loopback())
        .ok_or_else(|| unreachable(format!("dial tcp: {host}: not a loopback address")))?;
    Ok(Endpoint {
        address,
        server_name: host.to_owned(),
        authority: parts.host.to_owned(),
        path_and_query: format!("{path}?{timeout_query}"),
    })
}

/// `host:port`, `[v6]:port` or `host` (port 443).
fn split_host_port(authority: &str) -> (&str, u16) {
    if let Some(rest) = authority.strip_prefix('[')
        && let Some((host, tail)) = rest.split_once(']')
    {
        let port = tail.strip_prefix(':').and_then(|p| p.parse().ok());
        return (host, port.unwrap_or(443));
    }
    match authority.rsplit_once(':') {
        Some((host, port)) => (host, port.parse().unwrap_or(443)),
        None => (authority, 443),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::user::UserInfo;

    fn attributes(plural: &str, subresource: &str, namespace: &str) -> Attributes {
        let resource = resources::BUILT_IN
            .iter()
            .find(|r| r.plural == plural)
            .expect("served");
        Attributes {
            resource,
            subresource: subresource.into(),
            namespace: namespace.into(),
            name: "x".into(),
            operation: Operation::Create,
            object: json!({"metadata": {"labels": {"a": "b"}}}),
            old_object: Value::Null,
            dry_run: false,
            options: Value::Null,
            user: UserInfo {
                username: "admin".into(),
                groups: vec![],
            },
        }
    }

    fn rule(resources: &[&str], scope: &str) -> Rule {
        Rule {
            operations: vec!["CREATE".into()],
            api_groups: vec!["*".into()],
            api_versions: vec!["*".into()],
            resources: resources.iter().map(|r| (*r).to_owned()).collect(),
            scope: Some(scope.into()),
        }
    }

    #[test]
    fn rules_match_resources_subresources_and_scope() {
        let pod = attributes("pods", "", "default");
        let status = attributes("pods", "status", "default");
        let namespace = attributes("namespaces", "", "x");
        let role = attributes("clusterroles", "", "");
        assert!(rule_matches(&rule(&["*"], "*"), &pod));
        assert!(!rule_matches(&rule(&["*"], "*"), &status));
        assert!(rule_matches(&rule(&["*/*"], "*"), &status));
        assert!(rule_matches(&rule(&["pods/status"], "*"), &status));
        assert!(rule_matches(&rule(&["*/status"], "*"), &status));
        assert!(!rule_matches(&rule(&["pods"], "*"), &status));
        assert!(rule_matches(&rule(&["pods"], "Namespaced"), &pod));
        assert!(!rule_matches(&rule(&["pods"], "Cluster"), &pod));
        assert!(rule_matches(&rule(&["namespaces"], "Cluster"), &namespace));
        assert!(!rule_matches(
            &rule(&["namespaces"], "Namespaced"),
            &namespace
        ));
        assert!(rule_matches(&rule(&["*"], "Cluster"), &role));
        let mut update = rule(&["*"], "*");
        update.operations = vec!["UPDATE".into()];
        assert!(!rule_matches(&update, &pod));
    }

    #[test]
    fn denials_read_as_the_api_server_writes_them() {
        let bare = Rejection::denied("deny.example.com", None);
        assert_eq!(bare.code, 500);
        assert_eq!(
            bare.status["message"],
            "admission webhook \"deny.example.com\" denied the request without explanation"
        );
        let coded = Rejection::denied(
            "deny.example.com",
            Some(json!({"code": 403, "reason": "Forbidden", "message": "no"})),
        );
        assert_eq!(coded.code, 403);
        assert_eq!(coded.status["reason"], "Forbidden");
        assert_eq!(
            coded.status["message"],
            "admission webhook \"deny.example.com\" denied the request: no"
        );
        let reason_only = Rejection::denied("a.b.c", Some(json!({"reason": "Nope"})));
        assert_eq!(
            reason_only.status["message"],
            "admission webhook \"a.b.c\" denied the request: Nope"
        );
    }

    #[test]
    fn host_ports_split() {
        assert_eq!(split_host_port("127.0.0.1:8443"), ("127.0.0.1", 8443));
        assert_eq!(split_host_port("[::1]:9"), ("::1", 9));
        assert_eq!(split_host_port("localhost"), ("localhost", 443));
    }
}
