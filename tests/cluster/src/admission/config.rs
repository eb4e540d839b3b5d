//! `admissionregistration.k8s.io/v1` ValidatingWebhookConfiguration: the
//! API server's defaulting and validation on every write of one, and the
//! typed form the dispatcher reads back from the store.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use serde_json::{Value, json};

use super::conditions;
use super::field::{self, FieldError};
use crate::resources::ResourceType;
use crate::status::ApiError;

/// The most match conditions one webhook may have.
const MAX_MATCH_CONDITIONS: usize = 64;

/// One stored configuration, as far as dispatch needs it.
#[derive(Debug, Clone, Deserialize)]
pub struct Configuration {
    /// The webhooks, in the order they are listed.
    #[serde(default)]
    pub webhooks: Vec<Webhook>,
}

/// One validating webhook (fields as the API names them).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Webhook {
    /// Fully qualified name, unique in its configuration.
    #[serde(default)]
    pub name: String,
    /// Where to send reviews.
    #[serde(default)]
    pub client_config: ClientConfig,
    /// What requests it is for.
    #[serde(default)]
    pub rules: Vec<Rule>,
    /// `Fail` or `Ignore` (defaulted to `Fail`).
    pub failure_policy: Option<String>,
    /// `Exact` or `Equivalent` (defaulted to `Equivalent`).
    pub match_policy: Option<String>,
    /// Selects by the labels of the request's namespace.
    pub namespace_selector: Option<LabelSelector>,
    /// Selects by the labels of the object (old or new).
    pub object_selector: Option<LabelSelector>,
    /// `None` or `NoneOnDryRun` (required).
    pub side_effects: Option<String>,
    /// Seconds before a call fails (defaulted to 10).
    pub timeout_seconds: Option<i64>,
    /// AdmissionReview versions the webhook accepts, preferred first.
    #[serde(default)]
    pub admission_review_versions: Vec<String>,
    /// CEL expressions that must all be true for the webhook to be called.
    #[serde(default)]
    pub match_conditions: Vec<MatchCondition>,
}

impl Webhook {
    /// Whether a failed call lets the request through.
    pub fn ignores_failures(&self) -> bool {
        self.failure_policy.as_deref() == Some("Ignore")
    }
}

/// `clientConfig`: exactly one of `url` and `service`, and the CA.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientConfig {
    /// `https://host[:port][/path]`.
    pub url: Option<String>,
    /// A Service in the cluster.
    pub service: Option<ServiceReference>,
    /// Base64 of the PEM CA certificates that sign the webhook's certificate.
    pub ca_bundle: Option<String>,
}

/// `clientConfig.service`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ServiceReference {
    /// The Service's namespace.
    #[serde(default)]
    pub namespace: String,
    /// The Service's name.
    #[serde(default)]
    pub name: String,
    /// The URL path (`/` when absent).
    pub path: Option<String>,
    /// The Service port (defaulted to 443).
    pub port: Option<i64>,
}

/// One rule: operations and resources it applies to.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    /// `CREATE`, `UPDATE`, `DELETE`, `CONNECT` or `*`.
    #[serde(default)]
    pub operations: Vec<String>,
    /// API groups (`""` for core) or `*`.
    #[serde(default)]
    pub api_groups: Vec<String>,
    /// API versions or `*`.
    #[serde(default)]
    pub api_versions: Vec<String>,
    /// `pods`, `pods/status`, `*`, `*/*`, `*/scale`…
    #[serde(default)]
    pub resources: Vec<String>,
    /// `Cluster`, `Namespaced` or `*` (defaulted to `*`).
    pub scope: Option<String>,
}

/// A structured `metav1.LabelSelector`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LabelSelector {
    /// Labels that must have exactly these values.
    #[serde(default)]
    pub match_labels: BTreeMap<String, String>,
    /// Further requirements.
    #[serde(default)]
    pub match_expressions: Vec<SelectorRequirement>,
}

/// One `matchExpressions` entry.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SelectorRequirement {
    /// The label key.
    #[serde(default)]
    pub key: String,
    /// `In`, `NotIn`, `Exists` or `DoesNotExist`.
    #[serde(default)]
    pub operator: String,
    /// The values for `In` and `NotIn`.
    #[serde(default)]
    pub values: Vec<String>,
}

impl LabelSelector {
    /// Whether `labels` (an object's `metadata.labels`, possibly absent)
    /// satisfy every requirement. The empty selector matches everything.
    pub fn matches(&self, labels: Option<&Value>) -> bool {
        let label = |key: &str| labels.and_then(|l| l.get(key)).and_then(Value::as_str);
        self.match_labels
            .iter()
            .all(|(key, value)| label(key) == Some(value.as_str()))
            && self.match_expressions.iter().all(|req| {
                let value = label(&req.key);
                match req.operator.as_str() {
                    "In" => value.is_some_and(|v| req.values.iter().any(|x| x == v)),
                    "NotIn" => value.is_none_or(|v| !req.values.iter().any(|x| x == v)),
                    "Exists" => value.is_some(),
                    "DoesNotExist" => value.is_none(),
                    // Validation refuses other operators.
                    _ => false,
                }
            })
    }

    /// Whether the selector has no requirement at all.
    pub fn is_empty(&self) -> bool {
        self.match_labels.is_empty() && self.match_expressions.is_empty()
    }
}

/// One `matchConditions` entry.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MatchCondition {
    /// Unique within the webhook.
    #[serde(default)]
    pub name: String,
    /// A CEL expression returning a bool.
    #[serde(default)]
    pub expression: String,
}

/// Whether `resource` is the validating webhook configuration type.
pub fn is_validating_configuration(resource: &ResourceType) -> bool {
    resource.group == "admissionregistration.k8s.io"
        && resource.plural == "validatingwebhookconfigurations"
}

/// What the API server does to a ValidatingWebhookConfiguration before
/// storing it: fills in the defaults, then validates. Other types pass
/// untouched. `object` is the JSON object about to be stored.
pub fn default_and_validate(resource: &ResourceType, object: &mut Value) -> Result<(), ApiError> {
    if !is_validating_configuration(resource) {
        return Ok(());
    }
    apply_defaults(object);
    let name = object["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let configuration: Configuration = serde_json::from_value(object.clone()).map_err(|e| {
        ApiError::bad_request(format!("the body of the request could not be decoded: {e}"))
    })?;
    let errors = validate(&name, &configuration);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(field::invalid(resource, &name, &errors))
    }
}

/// The `admissionregistration/v1` defaults.
fn apply_defaults(object: &mut Value) {
    let Some(webhooks) = object.get_mut("webhooks").and_then(Value::as_array_mut) else {
        return;
    };
    for webhook in webhooks.iter_mut().filter(|w| w.is_object()) {
        for (key, default) in [
            ("failurePolicy", json!("Fail")),
            ("matchPolicy", json!("Equivalent")),
            ("namespaceSelector", json!({})),
            ("objectSelector", json!({})),
            ("timeoutSeconds", json!(10)),
        ] {
            if webhook.get(key).is_none_or(Value::is_null) {
                webhook[key] = default;
            }
        }
        if let Some(rules) = webhook.get_mut("rules").and_then(Value::as_array_mut) {
            for rule in rules.iter_mut().filter(|r| r.is_object()) {
                if rule.get("scope").is_none_or(Value::is_null) {
                    rule["scope"] = json!("*");
                }
            }
        }
        if let Some(service) = webhook
            .pointer_mut("/clientConfig/service")
            .filter(|s| s.is_object())
            && service.get("port").is_none_or(Value::is_null)
        {
            service["port"] = json!(443);
        }
    }
}

/// Every error kube-apiserver reports for the configuration named `name`,
/// in its order.
fn validate(name: &str, configuration: &Configuration) -> Vec<FieldError> {
    let mut errors = Vec::new();
    // An empty name is the store's error (name or generateName required).
    if !name.is_empty() {
        for detail in subdomain_problems(name) {
            errors.push(FieldError::Invalid {
                field: "metadata.name".into(),
                value: json!(name),
                detail: detail.into(),
            });
        }
    }
    let mut names = BTreeSet::new();
    for (i, hook) in configuration.webhooks.iter().enumerate() {
        let path = format!("webhooks[{i}]");
        validate_webhook(hook, &path, &mut errors);
        validate_review_versions(&hook.admission_review_versions, &path, &mut errors);
        if !hook.name.is_empty() && !names.insert(hook.name.as_str()) {
            errors.push(FieldError::Duplicate {
                field: format!("{path}.name"),
                value: json!(hook.name),
            });
        }
    }
    errors
}

fn validate_webhook(hook: &Webhook, path: &str, errors: &mut Vec<FieldError>) {
    validate_qualified_name(&hook.name, &format!("{path}.name"), errors);
    for (j, rule) in hook.rules.iter().enumerate() {
        validate_rule(rule, &format!("{path}.rules[{j}]"), errors);
    }
    let not_supported =
        |name: &str, value: &str, supported: &'static [&'static str]| FieldError::NotSupported {
            field: format!("{path}.{name}"),
            value: json!(value),
            supported,
        };
    if let Some(policy) = hook
        .failure_policy
        .as_deref()
        .filter(|p| !["Fail", "Ignore"].contains(p))
    {
        errors.push(not_supported("failurePolicy", policy, &["Fail", "Ignore"]));
    }
    if let Some(policy) = hook
        .match_policy
        .as_deref()
        .filter(|p| !["Equivalent", "Exact"].contains(p))
    {
        errors.push(not_supported(
            "matchPolicy",
            policy,
            &["Equivalent", "Exact"],
        ));
    }
    match hook.side_effects.as_deref() {
        None => errors.push(FieldError::Required {
            field: format!("{path}.sideEffects"),
            detail: "must specify one of None, NoneOnDryRun".into(),
        }),
        Some("None" | "NoneOnDryRun") => {}
        Some(other) => errors.push(not_supported(
            "sideEffects",
            other,
            &["None", "NoneOnDryRun"],
        )),
    }
    if let Some(timeout) = hook.timeout_seconds.filter(|t| !(1..=30).contains(t)) {
        errors.push(FieldError::Invalid {
            field: format!("{path}.timeoutSeconds"),
            value: json!(timeout),
            detail: "the timeout value must be between 1 and 30 seconds".into(),
        });
    }
    for (name, selector) in [
        ("namespaceSelector", &hook.namespace_selector),
        ("objectSelector", &hook.object_selector),
    ] {
        if let Some(selector) = selector {
            validate_selector(selector, &format!("{path}.{name}"), errors);
        }
    }
    validate_client_config(&hook.client_config, &format!("{path}.clientConfig"), errors);
    validate_match_conditions(
        &hook.match_conditions,
        &format!("{path}.matchConditions"),
        errors,
    );
}

fn validate_rule(rule: &Rule, path: &str, errors: &mut Vec<FieldError>) {
    const OPERATIONS: &[&str] = &["*", "CONNECT", "CREATE", "DELETE", "UPDATE"];
    let required = |name: &str| FieldError::Required {
        field: format!("{path}.{name}"),
        detail: String::new(),
    };
    let mixed = |name: &str, values: &[String], what: &str| FieldError::Invalid {
        field: format!("{path}.{name}"),
        value: json!(values),
        detail: format!("if '*' is present, must not specify other {what}"),
    };
    let has_wildcard = |values: &[String]| values.len() > 1 && values.iter().any(|v| v == "*");
    if rule.operations.is_empty() {
        errors.push(required("operations"));
    }
    if has_wildcard(&rule.operations) {
        errors.push(mixed("operations", &rule.operations, "operations"));
    }
    for (k, operation) in rule.operations.iter().enumerate() {
        if !OPERATIONS.contains(&operation.as_str()) {
            errors.push(FieldError::NotSupported {
                field: format!("{path}.operations[{k}]"),
                value: json!(operation),
                supported: OPERATIONS,
            });
        }
    }
    if rule.api_groups.is_empty() {
        errors.push(required("apiGroups"));
    }
    if has_wildcard(&rule.api_groups) {
        errors.push(mixed("apiGroups", &rule.api_groups, "API groups"));
    }
    if rule.api_versions.is_empty() {
        errors.push(required("apiVersions"));
    }
    if has_wildcard(&rule.api_versions) {
        errors.push(mixed("apiVersions", &rule.api_versions, "API versions"));
    }
    for (k, version) in rule.api_versions.iter().enumerate() {
        if version.is_empty() {
            errors.push(required(&format!("apiVersions[{k}]")));
        }
    }
    validate_resources(&rule.resources, &format!("{path}.resources"), errors);
    if let Some(scope) = rule
        .scope
        .as_deref()
        .filter(|s| !["*", "Cluster", "Namespaced"].contains(s))
    {
        errors.push(FieldError::NotSupported {
            field: format!("{path}.scope"),
            value: json!(scope),
            supported: &["*", "Cluster", "Namespaced"],
        });
    }
}

/// `resources`: `x`, `x/y`, `*`, `*/*`, `x/*`, `*/y`, without redundancy.
fn validate_resources(resources: &[String], path: &str, errors: &mut Vec<FieldError>) {
    if resources.is_empty() {
        errors.push(FieldError::Required {
            field: path.to_owned(),
            detail: String::new(),
        });
    }
    let mut any_subresource_of: BTreeSet<&str> = BTreeSet::new();
    let mut of_any_resource: BTreeSet<&str> = BTreeSet::new();
    let (mut double_wildcard, mut single_wildcard, mut plain) = (false, false, false);
    for (i, entry) in resources.iter().enumerate() {
        if entry.is_empty() {
            errors.push(FieldError::Required {
                field: format!("{path}[{i}]"),
                detail: String::new(),
            });
            continue;
        }
        double_wildcard |= entry == "*/*";
        single_wildcard |= entry == "*";
        let Some((resource, subresource)) = entry.split_once('/') else {
            plain = entry != "*";
            continue;
        };
        if any_subresource_of.contains(resource) {
            errors.push(FieldError::Invalid {
                field: format!("{path}[{i}]"),
                value: json!(entry),
                detail: format!("if '{resource}/*' is present, must not specify {entry}"),
            });
        }
        if of_any_resource.contains(subresource) {
            errors.push(FieldError::Invalid {
                field: format!("{path}[{i}]"),
                value: json!(entry),
                detail: format!("if '*/{subresource}' is present, must not specify {entry}"),
            });
        }
        if subresource == "*" {
            any_subresource_of.insert(resource);
        }
        if resource == "*" {
            of_any_resource.insert(subresource);
        }
    }
    if resources.len() > 1 && double_wildcard {
        errors.push(FieldError::Invalid {
            field: path.to_owned(),
            value: json!(resources),
            detail: "if '*/*' is present, must not specify other resources".into(),
        });
    }
    if single_wildcard && plain {
        errors.push(FieldError::Invalid {
            field: path.to_owned(),
            value: json!(resources),
            detail: "if '*' is present, must not specify other resources without subresources"
                .into(),
        });
    }
}

fn validate_selector(selector: &LabelSelector, path: &str, errors: &mut Vec<FieldError>) {
    for (i, req) in selector.match_expressions.iter().enumerate() {
        let at = format!("{path}.matchExpressions[{i}]");
        match req.operator.as_str() {
            "In" | "NotIn" if req.values.is_empty() => errors.push(FieldError::Required {
                field: format!("{at}.values"),
                detail: "must be specified when `operator` is 'In' or 'NotIn'".into(),
            }),
            "Exists" | "DoesNotExist" if !req.values.is_empty() => {
                errors.push(FieldError::Forbidden {
                    field: format!("{at}.values"),
                    detail: "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"
                        .into(),
                });
            }
            "In" | "NotIn" | "Exists" | "DoesNotExist" => {}
            other => errors.push(FieldError::Invalid {
                field: format!("{at}.operator"),
                value: json!(other),
                detail: "not a valid selector operator".into(),
            }),
        }
    }
}

fn validate_client_config(config: &ClientConfig, path: &str, errors: &mut Vec<FieldError>) {
    match (&config.url, &config.service) {
        (Some(url), None) => validate_url(url, &format!("{path}.url"), errors),
        (None, Some(service)) => validate_service(service, &format!("{path}.service"), errors),
        _ => errors.push(FieldError::Required {
            field: path.to_owned(),
            detail: "exactly one of url or service is required".into(),
        }),
    }
}

fn validate_url(url: &str, path: &str, errors: &mut Vec<FieldError>) {
    const FORM: &str = "; desired format: https://host[/path]";
    let parts = UrlParts::split(url);
    let invalid = |value: &str, detail: String| FieldError::Invalid {
        field: path.to_owned(),
        value: json!(value),
        detail,
    };
    if parts.scheme != "https" {
        errors.push(invalid(
            parts.scheme,
            format!("'https' is the only allowed URL scheme{FORM}"),
        ));
    }
    if parts.host.is_empty() {
        errors.push(invalid(parts.host, format!("host must be provided{FORM}")));
    }
    if let Some(user) = parts.user {
        errors.push(invalid(
            user,
            "user information is not permitted in the URL".into(),
        ));
    }
    if !parts.fragment.is_empty() {
        errors.push(invalid(
            parts.fragment,
            "fragments are not permitted in the URL".into(),
        ));
    }
    if !parts.query.is_empty() {
        errors.push(invalid(
            parts.query,
            "query parameters are not permitted in the URL".into(),
        ));
    }
}

fn validate_service(service: &ServiceReference, path: &str, errors: &mut Vec<FieldError>) {
    if service.name.is_empty() {
        errors.push(FieldError::Required {
            field: format!("{path}.name"),
            detail: "service name is required".into(),
        });
    }
    if service.namespace.is_empty() {
        errors.push(FieldError::Required {
            field: format!("{path}.namespace"),
            detail: "service namespace is required".into(),
        });
    }
    if let Some(port) = service.port.filter(|p| !(1..=65535).contains(p)) {
        errors.push(FieldError::Invalid {
            field: format!("{path}.port"),
            value: json!(port),
            detail: "port is not valid: must be between 1 and 65535, inclusive".into(),
        });
    }
    if let Some(url_path) = service
        .path
        .as_deref()
        .filter(|p| !p.is_empty() && *p != "/")
        && !url_path.starts_with('/')
    {
        errors.push(FieldError::Invalid {
            field: format!("{path}.path"),
            value: json!(url_path),
            detail: "must start with a '/'".into(),
        });
    }
}

fn validate_match_conditions(
    conditions: &[MatchCondition],
    path: &str,
    errors: &mut Vec<FieldError>,
) {
    if conditions.len() > MAX_MATCH_CONDITIONS {
        errors.push(FieldError::Invalid {
            field: path.to_owned(),
            value: json!(conditions.len()),
            detail: format!("must have at most {MAX_MATCH_CONDITIONS} items"),
        });
        return;
    }
    let mut names = BTreeSet::new();
    for (i, condition) in conditions.iter().enumerate() {
        let at = format!("{path}[{i}]");
        if condition.name.is_empty() {
            errors.push(FieldError::Required {
                field: format!("{at}.name"),
                detail: String::new(),
            });
        } else if !names.insert(condition.name.as_str()) {
            errors.push(FieldError::Duplicate {
                field: format!("{at}.name"),
                value: json!(condition.name),
            });
        }
        if condition.expression.is_empty() {
            errors.push(FieldError::Required {
                field: format!("{at}.expression"),
                detail: String::new(),
            });
        } else if condition.expression.len() > conditions::MAX_EXPRESSION_BYTES {
            errors.push(FieldError::TooLong {
                field: format!("{at}.expression"),
                max: conditions::MAX_EXPRESSION_BYTES,
            });
        } else if let Err(error) = conditions::check(&condition.expression) {
            errors.push(FieldError::Invalid {
                field: format!("{at}.expression"),
                value: json!(condition.expression),
                detail: format!("compilation failed: {error}"),
            });
        }
    }
}

fn validate_review_versions(versions: &[String], path: &str, errors: &mut Vec<FieldError>) {
    let field = format!("{path}.admissionReviewVersions");
    if versions.is_empty() {
        errors.push(FieldError::Required {
            field,
            detail: "must specify one of v1, v1beta1".into(),
        });
        return;
    }
    let mut seen = BTreeSet::new();
    for (i, version) in versions.iter().enumerate() {
        if !seen.insert(version.as_str()) {
            errors.push(FieldError::Invalid {
                field: format!("{field}[{i}]"),
                value: json!(version),
                detail: "duplicate version".into(),
            });
            continue;
        }
        if !is_dns1035_label(version) {
            errors.push(FieldError::Invalid {
                field: format!("{field}[{i}]"),
                value: json!(version),
                detail: "a DNS-1035 label must consist of lower case alphanumeric characters or \
                         '-', start with an alphabetic character, and end with an alphanumeric \
                         character (e.g. 'my-name',  or 'abc-123', regex used for validation is \
                         '[a-z]([-a-z0-9]*[a-z0-9])?')"
                    .into(),
            });
        }
    }
    if !versions.iter().any(|v| v == "v1" || v == "v1beta1") {
        errors.push(FieldError::Invalid {
            field,
            value: json!(versions),
            detail: "must include at least one of v1, v1beta1".into(),
        });
    }
}

/// `IsFullyQualifiedName`: a DNS subdomain with at least three labels.
fn validate_qualified_name(name: &str, path: &str, errors: &mut Vec<FieldError>) {
    if name.is_empty() {
        errors.push(FieldError::Required {
            field: path.to_owned(),
            detail: String::new(),
        });
        return;
    }
    let invalid = |detail: &str| FieldError::Invalid {
        field: path.to_owned(),
        value: json!(name),
        detail: detail.to_owned(),
    };
    let problems = subdomain_problems(name);
    if !problems.is_empty() {
        errors.push(invalid(&problems.join(",")));
    } else if name.split('.').count() < 3 {
        errors.push(invalid(
            "should be a domain with at least three segments separated by dots",
        ));
    }
}

/// Why `name` is not a DNS-1123 subdomain (`IsDNS1123Subdomain`).
fn subdomain_problems(name: &str) -> Vec<&'static str> {
    let mut problems = Vec::new();
    if name.len() > 253 {
        problems.push("must be no more than 253 characters");
    }
    if !name.split('.').all(is_dns1123_label_text) {
        problems.push(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \
             '-' or '.', and must start and end with an alphanumeric character (e.g. \
             'example.com', regex used for validation is \
             '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
        );
    }
    problems
}

/// One label of a DNS-1123 subdomain: `[a-z0-9]([-a-z0-9]*[a-z0-9])?`.
fn is_dns1123_label_text(label: &str) -> bool {
    let bytes = label.as_bytes();
    let edge = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    edge(bytes.first())
        && edge(bytes.last())
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
}

/// `[a-z]([-a-z0-9]*[a-z0-9])?`, at most 63 characters.
fn is_dns1035_label(label: &str) -> bool {
    label.len() <= 63
        && label.as_bytes().first().is_some_and(u8::is_ascii_lowercase)
        && is_dns1123_label_text(label)
}

/// A URL cut into the parts validation and the client look at, the way
/// Go's `net/url` cuts `scheme://user@host/path?query#fragment`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlParts<'a> {
    /// Before `://`; empty when there is none.
    pub scheme: &'a str,
    /// `user[:password]` before `@`, when present.
    pub user: Option<&'a str>,
    /// `host[:port]`.
    pub host: &'a str,
    /// From the first `/` after the host, up to `?` or `#`.
    pub path: &'a str,
    /// After `?`, up to `#`.
    pub query: &'a str,
    /// After `#`.
    pub fragment: &'a str,
}

impl<'a> UrlParts<'a> {
    /// Splits `url`; never fails (missing parts are empty).
    pub fn split(url: &'a str) -> Self {
        let (rest, fragment) = url.split_once('#').unwrap_or((url, ""));
        let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (scheme, rest) = match rest.split_once("://") {
            Some((scheme, rest)) => (scheme, rest),
            None => ("", rest),
        };
        let (authority, path) = match rest.find('/') {
            Some(slash) if !scheme.is_empty() => rest.split_at(slash),
            _ if scheme.is_empty() => ("", rest),
            _ => (rest, ""),
        };
        let (user, host) = match authority.rsplit_once('@') {
            Some((user, host)) => (Some(user), host),
            None => (None, authority),
        };
        Self {
            scheme,
            user,
            host,
            path,
            query,
            fragment,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources;

    fn configurations() -> &'static ResourceType {
        resources::find(
            "admissionregistration.k8s.io",
            "v1",
            "validatingwebhookconfigurations",
        )
        .expect("served")
    }

    fn hook(extra: Value) -> Value {
        let mut hook = json!({
            "name": "deny.example.com",
            "clientConfig": {"url": "https://127.0.0.1:9443/validate"},
            "rules": [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"], "resources": ["configmaps"]}],
            "sideEffects": "None",
            "admissionReviewVersions": ["v1"],
        });
        if let (Some(hook), Value::Object(extra)) = (hook.as_object_mut(), extra) {
            hook.extend(extra);
        }
        hook
    }

    fn configuration(hooks: Vec<Value>) -> Value {
        json!({"metadata": {"name": "c"}, "webhooks": hooks})
    }

    #[test]
    fn defaults_are_filled_in() {
        let mut object = configuration(vec![hook(json!({
            "clientConfig": {"service": {"namespace": "ns", "name": "svc"}},
        }))]);
        default_and_validate(configurations(), &mut object).expect("valid");
        let hook = &object["webhooks"][0];
        assert_eq!(hook["failurePolicy"], "Fail");
        assert_eq!(hook["matchPolicy"], "Equivalent");
        assert_eq!(hook["timeoutSeconds"], 10);
        assert_eq!(hook["namespaceSelector"], json!({}));
        assert_eq!(hook["objectSelector"], json!({}));
        assert_eq!(hook["rules"][0]["scope"], "*");
        assert_eq!(hook["clientConfig"]["service"]["port"], 443);
    }

    #[test]
    fn a_bad_configuration_gets_every_error_in_one_status() {
        let mut object = configuration(vec![
            hook(json!({"name": "short", "sideEffects": null, "timeoutSeconds": 31})),
            hook(json!({
                "clientConfig": {"url": "http://h/p?q=1"},
                "failurePolicy": "Maybe",
                "admissionReviewVersions": [],
                "rules": [{"operations": ["CREATE", "*"], "apiGroups": [], "apiVersions": ["v1"], "resources": ["*", "pods"]}],
            })),
            hook(json!({"clientConfig": {}})),
        ]);
        let err = default_and_validate(configurations(), &mut object).expect_err("invalid");
        assert_eq!((err.code, err.reason), (422, "Invalid"));
        assert_eq!(
            err.message,
            "ValidatingWebhookConfiguration.admissionregistration.k8s.io \"c\" is invalid: [\
             webhooks[0].name: Invalid value: \"short\": should be a domain with at least three segments separated by dots, \
             webhooks[0].sideEffects: Required value: must specify one of None, NoneOnDryRun, \
             webhooks[0].timeoutSeconds: Invalid value: 31: the timeout value must be between 1 and 30 seconds, \
             webhooks[1].rules[0].operations: Invalid value: [\"CREATE\",\"*\"]: if '*' is present, must not specify other operations, \
             webhooks[1].rules[0].apiGroups: Required value, \
             webhooks[1].rules[0].resources: Invalid value: [\"*\",\"pods\"]: if '*' is present, must not specify other resources without subresources, \
             webhooks[1].failurePolicy: Unsupported value: \"Maybe\": supported values: \"Fail\", \"Ignore\", \
             webhooks[1].clientConfig.url: Invalid value: \"http\": 'https' is the only allowed URL scheme; desired format: https://host[/path], \
             webhooks[1].clientConfig.url: Invalid value: \"q=1\": query parameters are not permitted in the URL, \
             webhooks[1].admissionReviewVersions: Required value: must specify one of v1, v1beta1, \
             webhooks[2].clientConfig: Required value: exactly one of url or service is required, \
             webhooks[2].name: Duplicate value: \"deny.example.com\"]"
        );
        let details = err.details.expect("details");
        assert_eq!(details["group"], "admissionregistration.k8s.io");
        assert_eq!(details["kind"], "ValidatingWebhookConfiguration");
        assert_eq!(
            details["causes"][1],
            json!({"reason": "FieldValueRequired", "message": "Required value: must specify one of None, NoneOnDryRun", "field": "webhooks[0].sideEffects"})
        );
    }

    #[test]
    fn match_condition_expressions_are_bounded() {
        let long = format!("true{}", " && true".repeat(600));
        let mut object = configuration(vec![hook(json!({"matchConditions": [
            {"name": "long", "expression": long},
        ]}))]);
        let err = default_and_validate(configurations(), &mut object).expect_err("invalid");
        assert_eq!(
            err.message,
            "ValidatingWebhookConfiguration.admissionregistration.k8s.io \"c\" is invalid: \
             webhooks[0].matchConditions[0].expression: Too long: may not be more than 4096 bytes"
        );
    }

    #[test]
    fn the_configuration_name_is_a_dns_subdomain() {
        let mut object = json!({"metadata": {"name": "Bad_Name"}, "webhooks": [hook(json!({}))]});
        let err = default_and_validate(configurations(), &mut object).expect_err("invalid");
        assert_eq!(
            err.message,
            "ValidatingWebhookConfiguration.admissionregistration.k8s.io \"Bad_Name\" is invalid: \
             metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must \
             consist of lower case alphanumeric characters, '-' or '.', and must start and end \
             with an alphanumeric character (e.g. 'example.com', regex used for validation is \
             '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
        );
    }

    #[test]
    fn match_conditions_must_compile_and_be_named_once() {
        let mut object = configuration(vec![hook(json!({"matchConditions": [
            {"name": "a", "expression": "object.metadata.name == 'x'"},
            {"name": "a", "expression": "1 +"},
        ]}))]);
        let err = default_and_validate(configurations(), &mut object).expect_err("invalid");
        assert!(
            err.message.contains(
                "webhooks[0].matchConditions[1].name: Duplicate value: \"a\", \
                 webhooks[0].matchConditions[1].expression: Invalid value: \"1 +\": compilation failed: "
            ),
            "{}",
            err.message
        );
    }

    #[test]
    fn selectors_match_labels_and_expressions() {
        let selector: LabelSelector = serde_json::from_value(json!({
            "matchLabels": {"team": "a"},
            "matchExpressions": [{"key": "env", "operator": "NotIn", "values": ["prod"]}, {"key": "skip", "operator": "DoesNotExist"}],
        }))
        .expect("parses");
        assert!(selector.matches(Some(&json!({"team": "a"}))));
        assert!(selector.matches(Some(&json!({"team": "a", "env": "dev"}))));
        assert!(!selector.matches(Some(&json!({"team": "a", "env": "prod"}))));
        assert!(!selector.matches(Some(&json!({"team": "a", "skip": ""}))));
        assert!(!selector.matches(None));
        assert!(LabelSelector::default().matches(None));
    }

    #[test]
    fn urls_split_as_go_does() {
        let parts = UrlParts::split("https://u:p@127.0.0.1:8443/a/b?x=1#f");
        assert_eq!(
            parts,
            UrlParts {
                scheme: "https",
                user: Some("u:p"),
                host: "127.0.0.1:8443",
                path: "/a/b",
                query: "x=1",
                fragment: "f",
            }
        );
        assert_eq!(UrlParts::split("https://h").path, "");
        assert_eq!(UrlParts::split("h/p").host, "");
    }
}
