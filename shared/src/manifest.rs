//! Rendered templates into manifests: split into YAML documents, sorted in
//! Helm's install order, with hooks pulled out.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use crate::codec::yaml;
use crate::engine::Value;

/// The order in which Helm installs kinds; kinds not listed come last,
/// alphabetically.
pub const INSTALL_ORDER: &[&str] = &[
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

const HOOK_ANNOTATION: &str = "helm.sh/hook";
const HOOK_WEIGHT_ANNOTATION: &str = "helm.sh/hook-weight";
const HOOK_DELETE_ANNOTATION: &str = "helm.sh/hook-delete-policy";
const HOOK_OUTPUT_LOG_ANNOTATION: &str = "helm.sh/hook-output-log-policy";

/// The lifecycle events a hook can run at, by their annotation names.
const HOOK_EVENTS: &[&str] = &[
    "pre-install",
    "post-install",
    "pre-delete",
    "post-delete",
    "pre-upgrade",
    "post-upgrade",
    "pre-rollback",
    "post-rollback",
    "test",
];

/// One YAML document of a rendered template.
#[derive(Clone, Debug, PartialEq)]
pub struct Manifest {
    /// The template it came from, e.g. `mychart/templates/svc.yaml`.
    pub source: String,
    pub content: String,
    pub head: Head,
}

/// What Helm reads of every document: its kind, name and annotations.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Head {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub annotations: BTreeMap<String, String>,
}

/// A manifest annotated as a hook.
#[derive(Clone, Debug, PartialEq)]
pub struct Hook {
    pub manifest: Manifest,
    /// Events, lower-cased; Helm 2's `test-success` reads as `test`.
    pub events: Vec<String>,
    pub weight: i64,
    pub delete_policies: Vec<String>,
    /// When to print the hook's logs (`hook-succeeded`, `hook-failed`),
    /// lower-cased as Helm reads them.
    pub output_log_policies: Vec<String>,
}

impl Hook {
    pub fn is_test(&self) -> bool {
        self.events.iter().any(|e| e == "test")
    }
}

/// A document that is not a YAML mapping with the fields Helm expects.
#[derive(Debug, thiserror::Error)]
#[error("YAML parse error on {source_name}: {message}")]
pub struct ManifestError {
    source_name: String,
    message: String,
}

/// Ordinary manifests and hooks of a render, each sorted in install order.
#[derive(Debug, Default)]
pub struct Sorted {
    pub manifests: Vec<Manifest>,
    pub hooks: Vec<Hook>,
}

/// Splits every rendered file into documents and sorts them as Helm does:
/// files by name, documents in file order, then a stable sort by kind.
/// Partials (`_*`) and blank files are skipped; documents with an unknown
/// hook event are dropped, as Helm drops them.
pub fn sort(rendered: &BTreeMap<String, String>) -> Result<Sorted, ManifestError> {
    let mut sorted = Sorted::default();
    for (source, content) in rendered {
        let base = source.rsplit('/').next().unwrap_or(source);
        if base.starts_with('_') || content.trim().is_empty() {
            continue;
        }
        for doc in split(content) {
            let head = parse_head(doc).map_err(|message| ManifestError {
                source_name: source.clone(),
                message,
            })?;
            let manifest = Manifest {
                source: source.clone(),
                content: doc.to_string(),
                head,
            };
            match manifest.head.annotations.get(HOOK_ANNOTATION).cloned() {
                None => sorted.manifests.push(manifest),
                Some(events) => sorted.hooks.extend(to_hook(manifest, &events)),
            }
        }
    }
    sorted
        .manifests
        .sort_by(|a, b| kind_order(&a.head.kind, &b.head.kind));
    sorted
        .hooks
        .sort_by(|a, b| kind_order(&a.manifest.head.kind, &b.manifest.head.kind));
    Ok(sorted)
}

/// Splits a stream into documents where a line starts with `---`, as Helm
/// 4.3.1 does (measured): it also splits `---kind: X`, keeps the newlines
/// before a separator in the document, and trims leading space.
pub fn split(stream: &str) -> Vec<&str> {
    // Go's `\s` is ASCII whitespace only.
    static SEPARATOR: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?m)^---[\t\n\x0C\r ]*").expect("separator regex"));
    SEPARATOR
        .split(stream.trim_start())
        .filter(|d| !d.is_empty())
        .map(str::trim_start)
        .collect()
}

fn kind_order(a: &str, b: &str) -> std::cmp::Ordering {
    let rank = |k: &str| INSTALL_ORDER.iter().position(|known| *known == k);
    match (rank(a), rank(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

fn to_hook(manifest: Manifest, events: &str) -> Option<Hook> {
    let mut parsed = Vec::new();
    for event in events.split(',') {
        let event = event.trim().to_lowercase();
        let event = if event == "test-success" {
            "test".to_string()
        } else {
            event
        };
        if !HOOK_EVENTS.contains(&event.as_str()) {
            return None;
        }
        parsed.push(event);
    }
    let annotations = &manifest.head.annotations;
    let weight = annotations
        .get(HOOK_WEIGHT_ANNOTATION)
        .and_then(|w| go_atoi(w))
        .unwrap_or(0);
    let policies = |annotation: &str| -> Vec<String> {
        annotations
            .get(annotation)
            .map(|p| p.split(',').map(|p| p.trim().to_lowercase()).collect())
            .unwrap_or_default()
    };
    let delete_policies = policies(HOOK_DELETE_ANNOTATION);
    let output_log_policies = policies(HOOK_OUTPUT_LOG_ANNOTATION);
    Some(Hook {
        manifest,
        events: parsed,
        weight,
        delete_policies,
        output_log_policies,
    })
}

/// Go's `strconv.Atoi`: an optional sign and decimal digits, nothing else.
fn go_atoi(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Reads the head of a document as Helm's `SimpleHead`: scalars where
/// strings are expected read as their text, as sigs.k8s.io/yaml does.
fn parse_head(doc: &str) -> Result<Head, String> {
    let value = yaml::from_str(doc).map_err(|e| e.to_string())?;
    let fields = match value {
        Value::Nil => return Ok(Head::default()),
        Value::Map(m) => m,
        other => {
            return Err(format!(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type util.SimpleHead",
                json_kind(&other)
            ));
        }
    };
    let fields = fields.entries();
    let mut head = Head {
        api_version: scalar_text(fields.get("apiVersion")),
        kind: scalar_text(fields.get("kind")),
        ..Head::default()
    };
    if let Some(Value::Map(meta)) = fields.get("metadata") {
        let meta = meta.entries();
        head.name = scalar_text(meta.get("name"));
        if let Some(Value::Map(annotations)) = meta.get("annotations") {
            head.annotations = annotations
                .entries()
                .iter()
                .map(|(k, v)| (k.clone(), scalar_text(Some(v))))
                .collect();
        }
    }
    Ok(head)
}

fn scalar_text(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Nil) => String::new(),
        Some(Value::String(s)) => s.to_string(),
        Some(other) => crate::engine::gofmt::format_value(other),
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Bool(_) => "bool",
        Value::Int(..) | Value::Uint(..) | Value::Float(_) => "number",
        Value::List(_) => "array",
        _ => "string",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_is_lenient_like_helm() {
        let docs = split("\n# c\n---\n\n---\nkind: B\n\n---   \nkind: A\n  ---\n---kind: S\n");
        assert_eq!(
            docs,
            ["# c\n", "kind: B\n\n", "kind: A\n  ---\n", "kind: S\n"]
        );
    }

    #[test]
    fn kinds_sort_by_install_order_then_unknown_alphabetically() {
        let mut kinds = vec!["Zed", "Deployment", "", "Aa", "Secret", "Namespace"];
        kinds.sort_by(|a, b| kind_order(a, b));
        assert_eq!(
            kinds,
            ["Namespace", "Secret", "Deployment", "", "Aa", "Zed"]
        );
    }

    #[test]
    fn atoi_rejects_what_go_rejects() {
        assert_eq!(go_atoi("-5"), Some(-5));
        assert_eq!(go_atoi("+7"), Some(7));
        assert_eq!(go_atoi(" 5"), None);
        assert_eq!(go_atoi("5.0"), None);
    }
}
