//! `.Capabilities`: what the target cluster offers (Kubernetes version, API
//! versions) and which Helm renders.

use std::rc::Rc;

use crate::engine::Value;
use crate::engine::value::{MethodSig, Object, Ty};

/// The Kubernetes version `helm template` assumes without a cluster: that of
/// the client libraries Helm 4.3.1 was built with.
const DEFAULT_KUBE_VERSION: (u64, u64) = (1, 37);

/// API versions Helm assumes without a cluster (`common.DefaultVersionSet`),
/// in Helm's order, which `toJson .Capabilities.APIVersions` shows.
const DEFAULT_API_VERSIONS: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1",
    "internal.apiserver.k8s.io/v1alpha1",
    "apps/v1",
    "apps/v1beta1",
    "apps/v1beta2",
    "authentication.k8s.io/v1",
    "authentication.k8s.io/v1alpha1",
    "authentication.k8s.io/v1beta1",
    "authorization.k8s.io/v1",
    "authorization.k8s.io/v1beta1",
    "autoscaling/v1",
    "autoscaling/v2",
    "batch/v1",
    "batch/v1beta1",
    "certificates.k8s.io/v1",
    "certificates.k8s.io/v1beta1",
    "certificates.k8s.io/v1alpha1",
    "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1",
    "events.k8s.io/v1beta1",
    "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "lifecycle.k8s.io/v1alpha1",
    "networking.k8s.io/v1",
    "networking.k8s.io/v1beta1",
    "node.k8s.io/v1",
    "node.k8s.io/v1alpha1",
    "node.k8s.io/v1beta1",
    "policy/v1",
    "policy/v1beta1",
    "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1",
    "rbac.authorization.k8s.io/v1alpha1",
    "resource.k8s.io/v1",
    "resource.k8s.io/v1beta2",
    "resource.k8s.io/v1beta1",
    "resource.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1beta1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1beta1",
    "storage.k8s.io/v1",
    "storage.k8s.io/v1alpha1",
    "storagemigration.k8s.io/v1",
    "storagemigration.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1",
];

/// The Helm build that renders, as `.Capabilities.HelmVersion` reports it.
/// We report the Helm release we are compatible with, so charts that test
/// the Helm version behave as under that Helm.
pub const HELM_VERSION: &str = "v4.3.1";
const HELM_GIT_COMMIT: &str = "c0d08d0d6d9424d4a14febb5e8a3e51b0dd00dff";
const HELM_GO_VERSION: &str = "go1.27.2";
const HELM_KUBE_CLIENT_VERSION: &str = "v1.37";

/// A Kubernetes version as `.Capabilities.KubeVersion` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KubeVersion {
    /// `v1.37.0`
    pub version: String,
    pub major: String,
    pub minor: String,
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct KubeVersionError(String);

impl KubeVersion {
    /// Parses a `--kube-version` value (`1.30`, `v1.30.2`), as Helm does:
    /// a lenient SemVer whose normalised form becomes the version.
    pub fn parse(text: &str) -> Result<KubeVersion, KubeVersionError> {
        let v =
            crate::constraints::parse_version(text).map_err(|e| KubeVersionError(e.to_string()))?;
        Ok(KubeVersion {
            version: format!("v{v}"),
            major: v.major.to_string(),
            minor: v.minor.to_string(),
        })
    }
}

impl Default for KubeVersion {
    fn default() -> KubeVersion {
        let (major, minor) = DEFAULT_KUBE_VERSION;
        KubeVersion {
            version: format!("v{major}.{minor}.0"),
            major: major.to_string(),
            minor: minor.to_string(),
        }
    }
}

/// What a render may assume about its cluster.
#[derive(Clone, Debug)]
pub struct Capabilities {
    pub kube_version: KubeVersion,
    pub api_versions: Vec<String>,
}

impl Default for Capabilities {
    fn default() -> Capabilities {
        Capabilities {
            kube_version: KubeVersion::default(),
            api_versions: DEFAULT_API_VERSIONS.iter().map(|s| s.to_string()).collect(),
        }
    }
}

impl Capabilities {
    /// `.Capabilities` for templates.
    pub fn to_template_value(&self) -> Value {
        Value::Object(Rc::new(CapabilitiesObject {
            kube_version: Value::Object(Rc::new(self.kube_version.clone())),
            api_versions: Value::Object(Rc::new(VersionSet(self.api_versions.clone()))),
            helm_version: Value::Object(Rc::new(HelmBuild)),
        }))
    }
}

struct CapabilitiesObject {
    kube_version: Value,
    api_versions: Value,
    helm_version: Value,
}

impl Object for CapabilitiesObject {
    fn type_name(&self) -> &str {
        "*common.Capabilities"
    }

    fn kind_name(&self) -> &str {
        "ptr"
    }

    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "KubeVersion" => Some(self.kube_version.clone()),
            "APIVersions" => Some(self.api_versions.clone()),
            "HelmVersion" => Some(self.helm_version.clone()),
            _ => None,
        }
    }

    fn format(&self) -> String {
        use crate::engine::gofmt::format_value;
        format!(
            "&{{{} {} {}}}",
            format_value(&self.kube_version),
            format_value(&self.api_versions),
            format_value(&self.helm_version)
        )
    }

    fn json_fields(&self) -> Option<Vec<(&'static str, Value)>> {
        Some(vec![
            ("KubeVersion", self.kube_version.clone()),
            ("APIVersions", self.api_versions.clone()),
            ("HelmVersion", self.helm_version.clone()),
        ])
    }
}

impl Object for KubeVersion {
    fn type_name(&self) -> &str {
        "common.KubeVersion"
    }

    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Version" => Some(Value::str(self.version.as_str())),
            "Major" => Some(Value::str(self.major.as_str())),
            "Minor" => Some(Value::str(self.minor.as_str())),
            _ => None,
        }
    }

    fn method(&self, name: &str) -> Option<MethodSig> {
        matches!(name, "String" | "GitVersion").then_some(MethodSig {
            params: &[],
            variadic: None,
        })
    }

    fn call(&self, name: &str, _args: Vec<Value>) -> Result<Value, String> {
        match name {
            "String" | "GitVersion" => Ok(Value::str(self.version.as_str())),
            _ => Err(format!("can't call method/function {name:?}")),
        }
    }

    /// Its `String()` method, which templates use when they print the field.
    fn format(&self) -> String {
        self.version.clone()
    }

    fn json_fields(&self) -> Option<Vec<(&'static str, Value)>> {
        Some(vec![
            ("Version", Value::str(self.version.as_str())),
            ("Major", Value::str(self.major.as_str())),
            ("Minor", Value::str(self.minor.as_str())),
        ])
    }
}

/// `common.VersionSet`: the API versions, with `Has`.
struct VersionSet(Vec<String>);

impl Object for VersionSet {
    fn type_name(&self) -> &str {
        "common.VersionSet"
    }

    fn kind_name(&self) -> &str {
        "slice"
    }

    fn method(&self, name: &str) -> Option<MethodSig> {
        (name == "Has").then_some(MethodSig {
            params: &[Ty::String],
            variadic: None,
        })
    }

    fn call(&self, name: &str, args: Vec<Value>) -> Result<Value, String> {
        match (name, args.first()) {
            ("Has", Some(Value::String(wanted))) => {
                Ok(Value::Bool(self.0.iter().any(|v| v.as_str() == &**wanted)))
            }
            _ => Err(format!("can't call method/function {name:?}")),
        }
    }

    fn format(&self) -> String {
        format!("[{}]", self.0.join(" "))
    }

    fn truthy(&self) -> bool {
        !self.0.is_empty()
    }

    fn to_json(&self) -> Option<Value> {
        Some(Value::strings(self.0.iter().map(String::as_str)))
    }
}

/// `.Capabilities.HelmVersion`: the build information of `helm version`.
struct HelmBuild;

impl Object for HelmBuild {
    fn type_name(&self) -> &str {
        "version.BuildInfo"
    }

    fn field(&self, name: &str) -> Option<Value> {
        let text = match name {
            "Version" => HELM_VERSION,
            "GitCommit" => HELM_GIT_COMMIT,
            "GitTreeState" => "clean",
            "GoVersion" => HELM_GO_VERSION,
            "KubeClientVersion" => HELM_KUBE_CLIENT_VERSION,
            _ => return None,
        };
        Some(Value::str(text))
    }

    fn format(&self) -> String {
        format!(
            "{{{HELM_VERSION} {HELM_GIT_COMMIT} clean {HELM_GO_VERSION} {HELM_KUBE_CLIENT_VERSION}}}"
        )
    }

    fn json_fields(&self) -> Option<Vec<(&'static str, Value)>> {
        Some(vec![
            ("version", Value::str(HELM_VERSION)),
            ("git_commit", Value::str(HELM_GIT_COMMIT)),
            ("git_tree_state", Value::str("clean")),
            ("go_version", Value::str(HELM_GO_VERSION)),
            ("kube_client_version", Value::str(HELM_KUBE_CLIENT_VERSION)),
        ])
    }
}
