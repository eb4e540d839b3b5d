//! What admission knows about one write (kube-apiserver's admission
//! attributes) and the AdmissionReview v1 built from them.

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::resources::ResourceType;
use crate::user::UserInfo;

/// The admission operation of a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// POST, or a PUT/PATCH that creates.
    Create,
    /// PUT or PATCH of an existing object.
    Update,
    /// DELETE of one object (a collection delete is one per object).
    Delete,
}

impl Operation {
    /// `CREATE`, `UPDATE` or `DELETE`, as rules and reviews spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "CREATE",
            Self::Update => "UPDATE",
            Self::Delete => "DELETE",
        }
    }
}

/// One admission decision's input.
#[derive(Debug, Clone)]
pub struct Attributes {
    /// The resource written.
    pub resource: &'static ResourceType,
    /// `status`, `scale`…; empty for the object itself.
    pub subresource: String,
    /// The request's namespace; a Namespace's own name for Namespace
    /// objects; empty for other cluster-scoped objects.
    pub namespace: String,
    /// The object's name as the request gave it (empty for a create that
    /// uses `generateName`).
    pub name: String,
    /// What is being done.
    pub operation: Operation,
    /// The object as it would be stored; `null` for DELETE.
    pub object: Value,
    /// The stored object; `null` for CREATE.
    pub old_object: Value,
    /// Whether the request is a dry run.
    pub dry_run: bool,
    /// `CreateOptions`, `UpdateOptions` or `DeleteOptions`.
    pub options: Value,
    /// Who asked.
    pub user: UserInfo,
}

#[derive(Serialize)]
struct GroupVersionKind<'a> {
    group: &'a str,
    version: &'a str,
    kind: &'a str,
}

#[derive(Serialize)]
struct GroupVersionResource<'a> {
    group: &'a str,
    version: &'a str,
    resource: &'a str,
}

/// `admission.k8s.io/v1` AdmissionRequest, fields in Go's order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AdmissionRequest<'a> {
    uid: &'a str,
    kind: GroupVersionKind<'a>,
    resource: GroupVersionResource<'a>,
    #[serde(skip_serializing_if = "str::is_empty")]
    sub_resource: &'a str,
    request_kind: GroupVersionKind<'a>,
    request_resource: GroupVersionResource<'a>,
    #[serde(skip_serializing_if = "str::is_empty")]
    request_sub_resource: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    name: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    namespace: &'a str,
    operation: &'a str,
    user_info: &'a UserInfo,
    object: &'a Value,
    old_object: &'a Value,
    dry_run: bool,
    options: &'a Value,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AdmissionReview<'a> {
    kind: &'a str,
    api_version: &'a str,
    request: AdmissionRequest<'a>,
}

impl Attributes {
    /// The AdmissionReview v1 the API server POSTs for these attributes,
    /// with request `uid`. Every resource is served at one version here,
    /// so the request's kind and resource are also the webhook's.
    pub fn review(&self, uid: &str) -> Value {
        let version = self.resource.version;
        let kind = || GroupVersionKind {
            group: self.resource.group,
            version,
            kind: self.resource.kind,
        };
        let resource = || GroupVersionResource {
            group: self.resource.group,
            version,
            resource: self.resource.plural,
        };
        let review = AdmissionReview {
            kind: "AdmissionReview",
            api_version: "admission.k8s.io/v1",
            request: AdmissionRequest {
                uid,
                kind: kind(),
                resource: resource(),
                sub_resource: &self.subresource,
                request_kind: kind(),
                request_resource: resource(),
                request_sub_resource: &self.subresource,
                name: &self.name,
                namespace: &self.namespace,
                operation: self.operation.as_str(),
                user_info: &self.user,
                object: &self.object,
                old_object: &self.old_object,
                dry_run: self.dry_run,
                options: &self.options,
            },
        };
        // Serializing borrowed strings and JSON values cannot fail.
        serde_json::to_value(review).unwrap_or(Value::Null)
    }
}

/// The options object of a create or update: `kind`, `apiVersion`, then
/// `dryRun`, `fieldManager`, `fieldValidation` when the query sets them
/// (a PATCH's PatchOptions become UpdateOptions or CreateOptions, losing
/// `force`, as in kube-apiserver).
pub fn write_options(kind: &str, query: &[(String, String)]) -> Value {
    let mut options = Map::new();
    options.insert("kind".into(), json!(kind));
    options.insert("apiVersion".into(), json!("meta.k8s.io/v1"));
    let dry_run: Vec<&str> = values(query, "dryRun");
    if !dry_run.is_empty() {
        options.insert("dryRun".into(), json!(dry_run));
    }
    for key in ["fieldManager", "fieldValidation"] {
        if let Some(value) = values(query, key).first() {
            options.insert(key.into(), json!(value));
        }
    }
    Value::Object(options)
}

/// DeleteOptions: from the request body when it has one, else from the
/// query, as kube-apiserver reads them.
pub fn delete_options(body: &[u8], query: &[(String, String)]) -> Value {
    let mut options = Map::new();
    options.insert("kind".into(), json!("DeleteOptions"));
    options.insert("apiVersion".into(), json!("meta.k8s.io/v1"));
    const FIELDS: [&str; 6] = [
        "gracePeriodSeconds",
        "preconditions",
        "orphanDependents",
        "propagationPolicy",
        "dryRun",
        "ignoreStoreReadErrorWithClusterBreakingPotential",
    ];
    if !body.is_empty() {
        let given: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        for field in FIELDS {
            if let Some(value) = given.get(field).filter(|v| !v.is_null()) {
                options.insert(field.into(), value.clone());
            }
        }
        return Value::Object(options);
    }
    for field in FIELDS {
        let given = values(query, field);
        let value = match (field, given.as_slice()) {
            (_, []) => continue,
            ("dryRun", all) => json!(all),
            ("gracePeriodSeconds", [seconds, ..]) => match seconds.parse::<i64>() {
                Ok(n) => json!(n),
                Err(_) => continue,
            },
            ("orphanDependents" | "ignoreStoreReadErrorWithClusterBreakingPotential", [b, ..]) => {
                json!(*b == "true")
            }
            (_, [text, ..]) => json!(text),
        };
        options.insert(field.into(), value);
    }
    Value::Object(options)
}

/// Every value of a repeated query parameter, in order.
fn values<'a>(query: &'a [(String, String)], key: &str) -> Vec<&'a str> {
    query
        .iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources;

    fn query(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn reviews_carry_every_field_the_api_server_sends() {
        let attributes = Attributes {
            resource: resources::find("apps", "v1", "deployments").expect("served"),
            subresource: "scale".into(),
            namespace: "default".into(),
            name: "web".into(),
            operation: Operation::Update,
            object: json!({"kind": "Deployment"}),
            old_object: json!({"kind": "Deployment", "old": true}),
            dry_run: true,
            options: write_options(
                "UpdateOptions",
                &query(&[("dryRun", "All"), ("fieldManager", "kubectl-edit")]),
            ),
            user: UserInfo {
                username: "admin".into(),
                groups: vec!["system:masters".into(), "system:authenticated".into()],
            },
        };
        assert_eq!(
            attributes.review("u-1"),
            json!({
                "kind": "AdmissionReview",
                "apiVersion": "admission.k8s.io/v1",
                "request": {
                    "uid": "u-1",
                    "kind": {"group": "apps", "version": "v1", "kind": "Deployment"},
                    "resource": {"group": "apps", "version": "v1", "resource": "deployments"},
                    "subResource": "scale",
                    "requestKind": {"group": "apps", "version": "v1", "kind": "Deployment"},
                    "requestResource": {"group": "apps", "version": "v1", "resource": "deployments"},
                    "requestSubResource": "scale",
                    "name": "web",
                    "namespace": "default",
                    "operation": "UPDATE",
                    "userInfo": {"username": "admin", "groups": ["system:masters", "system:authenticated"]},
                    "object": {"kind": "Deployment"},
                    "oldObject": {"kind": "Deployment", "old": true},
                    "dryRun": true,
                    "options": {"kind": "UpdateOptions", "apiVersion": "meta.k8s.io/v1", "dryRun": ["All"], "fieldManager": "kubectl-edit"},
                }
            })
        );
    }

    #[test]
    fn delete_options_come_from_the_body_or_else_the_query() {
        assert_eq!(
            delete_options(
                br#"{"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Background"}"#,
                &query(&[("dryRun", "All")])
            ),
            json!({"kind": "DeleteOptions", "apiVersion": "meta.k8s.io/v1", "propagationPolicy": "Background"})
        );
        assert_eq!(
            delete_options(
                b"",
                &query(&[("gracePeriodSeconds", "0"), ("dryRun", "All")])
            ),
            json!({"kind": "DeleteOptions", "apiVersion": "meta.k8s.io/v1", "gracePeriodSeconds": 0, "dryRun": ["All"]})
        );
    }
}
