//! What a ChartPolicy says: the `spec` of the cluster-scoped custom resource
//! `chartpolicies.policy.kubectl-helm.io`, as admins write it in YAML.
//!
//! Unknown fields are refused, so a misspelt rule is an error naming the
//! field rather than a rule silently not enforced.

use serde::{Deserialize, Serialize};

/// The API group and version of the ChartPolicy resource.
pub const API_VERSION: &str = "policy.kubectl-helm.io/v1alpha1";
/// Its kind.
pub const KIND: &str = "ChartPolicy";
/// Its API group.
pub const GROUP: &str = "policy.kubectl-helm.io";
/// Its API version within the group.
pub const VERSION: &str = "v1alpha1";
/// Its resource (plural) name.
pub const PLURAL: &str = "chartpolicies";

/// What happens when a rule is broken.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// The write is denied.
    #[default]
    Enforce,
    /// The write passes with an admission warning the client prints.
    Warn,
    /// The write passes; the violation is only logged and counted.
    Audit,
}

impl Mode {
    /// The name used in the resource and in metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Enforce => "enforce",
            Mode::Warn => "warn",
            Mode::Audit => "audit",
        }
    }
}

/// A ChartPolicy: its name (the object's `metadata.name`) and spec.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChartPolicy {
    pub name: String,
    pub spec: ChartPolicySpec,
}

/// The rules of a policy. A rule left out is not checked by this policy.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChartPolicySpec {
    /// Requests this policy does not judge.
    #[serde(default)]
    pub exemptions: Exemptions,
    /// Release records must be well-formed (enforced when no policy says).
    pub release_records: Option<ModeRule>,
    /// Objects' release annotations must be truthful (enforced when no
    /// policy says).
    pub ownership: Option<ModeRule>,
    /// Objects of a release change only through it (warned when no policy
    /// says).
    pub managed_objects: Option<ManagedObjectsRule>,
    pub sources: Option<SourcesRule>,
    pub charts: Option<ChartsRule>,
    pub provenance: Option<ProvenanceRule>,
    pub namespaces: Option<NamespacesRule>,
    pub denied_kinds: Option<DeniedKindsRule>,
    pub image_registries: Option<ImageRegistriesRule>,
    pub max_objects: Option<MaxObjectsRule>,
    pub required_labels: Option<RequiredLabelsRule>,
}

/// Who and where a policy does not apply. Entries are glob patterns (`*`
/// matches any run of characters, `/` and `:` included).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Exemptions {
    #[serde(default)]
    pub namespaces: Vec<String>,
    #[serde(default)]
    pub users: Vec<String>,
    #[serde(default)]
    pub groups: Vec<String>,
}

/// Charts may only come from these sources: repository URLs, `oci://`
/// references, or local paths, as the client recorded them on the release
/// record (see [`super::SOURCE_ANNOTATION`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SourcesRule {
    #[serde(default)]
    pub mode: Mode,
    pub message: Option<String>,
    pub allow: Vec<String>,
    /// Whether a record that names no source (plain `helm` writes none)
    /// passes. Off by default: an unknown source is not an allowed one.
    #[serde(default)]
    pub allow_unknown: bool,
}

/// Only these charts, by name pattern and SemVer range.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChartsRule {
    #[serde(default)]
    pub mode: Mode,
    pub message: Option<String>,
    pub allow: Vec<AllowedChart>,
}

/// One allowed chart name pattern, with an optional version range in
/// Helm's constraint syntax (`>=1.2.0 <2`, `~1.4`, `^2.0.0`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AllowedChart {
    pub name: String,
    pub versions: Option<String>,
}

/// Charts must have been verified against a provenance file by the client,
/// optionally by one of these signers (patterns over the signer identity
/// the client recorded, see [`super::PROVENANCE_ANNOTATION`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProvenanceRule {
    #[serde(default)]
    pub mode: Mode,
    pub message: Option<String>,
    #[serde(default)]
    pub signers: Vec<String>,
}

/// Charts matching `chart` may only be released into `namespaces`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NamespacesRule {
    #[serde(default)]
    pub mode: Mode,
    pub message: Option<String>,
    pub rules: Vec<ChartNamespaces>,
}

/// The namespaces one chart pattern may go to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChartNamespaces {
    pub chart: String,
    pub namespaces: Vec<String>,
}

/// Objects a release may not contain.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeniedKindsRule {
    #[serde(default)]
    pub mode: Mode,
    pub message: Option<String>,
    pub kinds: Vec<DeniedKind>,
}

/// A denied kind, optionally narrowed by name and by field values: `fields`
/// maps dotted paths (`roleRef.name`) to the value that makes the object
/// denied, so `{kind: ClusterRoleBinding, fields: {roleRef.name:
/// cluster-admin}}` denies bindings to cluster-admin only.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeniedKind {
    /// The API group (`""` for the core group); any group when left out.
    pub api_group: Option<String>,
    pub kind: String,
    pub name: Option<String>,
    #[serde(default)]
    pub fields: std::collections::BTreeMap<String, String>,
}

/// Images in rendered Pod specs must come from these registries. An entry
/// is a prefix of the normalised image reference at a `/` boundary:
/// `docker.io/library` allows `nginx` (which is
/// `docker.io/library/nginx`), `registry.example.com` allows everything
/// under that host.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ImageRegistriesRule {
    #[serde(default)]
    pub mode: Mode,
    pub message: Option<String>,
    pub allow: Vec<String>,
}

/// At most `limit` objects (manifest and hooks together) in a release.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MaxObjectsRule {
    #[serde(default)]
    pub mode: Mode,
    pub message: Option<String>,
    pub limit: usize,
}

/// Every object of a release must carry these label keys.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RequiredLabelsRule {
    #[serde(default)]
    pub mode: Mode,
    pub message: Option<String>,
    pub labels: Vec<String>,
}

/// A rule that has nothing to set but its mode and message.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ModeRule {
    #[serde(default)]
    pub mode: Mode,
    pub message: Option<String>,
}

/// Changes to an object of a release must come from Helm: from a request
/// whose field manager is `helm` or one of `fieldManagers`, or, for
/// deletions, while the release's own operation is in progress.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ManagedObjectsRule {
    #[serde(default)]
    pub mode: Mode,
    pub message: Option<String>,
    #[serde(default)]
    pub field_managers: Vec<String>,
}
