//! Deprecated Kubernetes APIs (Helm's `rules/deprecations.go`).
//!
//! Helm asks the Go types of `k8s.io/api` when each API version was
//! deprecated and removed (their generated `APILifecycleDeprecated`,
//! `APILifecycleRemoved` and `APILifecycleReplacement` methods, in each
//! package's `zz_generated.prerelease-lifecycle.go`). The table below holds
//! those answers for the `k8s.io/api` release Helm 4.3.1 is built with
//! (Kubernetes 1.37, its `KubeClientVersion`), checked kind by kind against
//! the Helm 4.3.1 binary. Types that release no longer carries
//! (`policy/v1beta1 PodSecurityPolicy`, `autoscaling/v2beta2`, …) are
//! unknown to Helm and draw no warning, so they are absent here.

use super::documents::Object;
use crate::chart::KubeVersion;

/// Without `--kube-version`, Helm compares against the Kubernetes version
/// of its client libraries.
const DEFAULT_VERSION: (u64, u64) = (1, 37);

/// A deprecated API: group/version, kind, the release that deprecated it,
/// the release that removes it, and what replaces it.
struct Deprecated {
    group_version: &'static str,
    kind: &'static str,
    deprecated: (u64, u64),
    removed: Option<(u64, u64)>,
    replacement: Option<(&'static str, &'static str)>,
}

const fn dep(
    group_version: &'static str,
    kind: &'static str,
    deprecated: (u64, u64),
    removed: Option<(u64, u64)>,
    replacement: Option<(&'static str, &'static str)>,
) -> Deprecated {
    Deprecated {
        group_version,
        kind,
        deprecated,
        removed,
        replacement,
    }
}

#[rustfmt::skip]
const TABLE: &[Deprecated] = &[
    dep("v1", "ComponentStatus", (1, 19), None, None),
    dep("v1", "Endpoints", (1, 33), None, Some(("discovery.k8s.io/v1", "EndpointSlice"))),
    dep("extensions/v1beta1", "Ingress", (1, 14), Some((1, 22)), Some(("networking.k8s.io/v1", "Ingress"))),
    dep("extensions/v1beta1", "Deployment", (1, 8), Some((1, 16)), Some(("apps/v1", "Deployment"))),
    dep("extensions/v1beta1", "DaemonSet", (1, 8), Some((1, 16)), Some(("apps/v1", "DaemonSet"))),
    dep("extensions/v1beta1", "ReplicaSet", (1, 8), Some((1, 16)), Some(("apps/v1", "ReplicaSet"))),
    dep("extensions/v1beta1", "NetworkPolicy", (1, 9), Some((1, 16)), Some(("networking.k8s.io/v1", "NetworkPolicy"))),
    dep("extensions/v1beta1", "Scale", (1, 2), Some((1, 16)), None),
    dep("apps/v1beta1", "Deployment", (1, 8), Some((1, 16)), Some(("apps/v1", "Deployment"))),
    dep("apps/v1beta1", "StatefulSet", (1, 8), Some((1, 16)), Some(("apps/v1", "StatefulSet"))),
    dep("apps/v1beta1", "ControllerRevision", (1, 8), Some((1, 16)), Some(("apps/v1", "ControllerRevision"))),
    dep("apps/v1beta1", "Scale", (1, 8), Some((1, 16)), Some(("autoscaling/v1", "Scale"))),
    dep("apps/v1beta2", "Deployment", (1, 9), Some((1, 16)), Some(("apps/v1", "Deployment"))),
    dep("apps/v1beta2", "DaemonSet", (1, 9), Some((1, 16)), Some(("apps/v1", "DaemonSet"))),
    dep("apps/v1beta2", "ReplicaSet", (1, 9), Some((1, 16)), Some(("apps/v1", "ReplicaSet"))),
    dep("apps/v1beta2", "StatefulSet", (1, 9), Some((1, 16)), Some(("apps/v1", "StatefulSet"))),
    dep("apps/v1beta2", "ControllerRevision", (1, 9), Some((1, 16)), Some(("apps/v1", "ControllerRevision"))),
    dep("apps/v1beta2", "Scale", (1, 9), Some((1, 16)), Some(("autoscaling/v1", "Scale"))),
    dep("networking.k8s.io/v1beta1", "Ingress", (1, 19), Some((1, 22)), Some(("networking.k8s.io/v1", "Ingress"))),
    // Upstream names the list type as this kind's replacement.
    dep("networking.k8s.io/v1beta1", "IngressClass", (1, 19), Some((1, 22)), Some(("networking.k8s.io/v1", "IngressClassList"))),
    dep("networking.k8s.io/v1beta1", "IPAddress", (1, 34), Some((1, 37)), None),
    dep("networking.k8s.io/v1beta1", "ServiceCIDR", (1, 34), Some((1, 37)), None),
    dep("policy/v1beta1", "PodDisruptionBudget", (1, 21), Some((1, 25)), Some(("policy/v1", "PodDisruptionBudget"))),
    dep("batch/v1beta1", "CronJob", (1, 21), Some((1, 25)), Some(("batch/v1", "CronJob"))),
    dep("rbac.authorization.k8s.io/v1beta1", "Role", (1, 17), Some((1, 22)), Some(("rbac.authorization.k8s.io/v1", "Role"))),
    dep("rbac.authorization.k8s.io/v1beta1", "ClusterRole", (1, 17), Some((1, 22)), Some(("rbac.authorization.k8s.io/v1", "ClusterRole"))),
    dep("rbac.authorization.k8s.io/v1beta1", "RoleBinding", (1, 17), Some((1, 22)), Some(("rbac.authorization.k8s.io/v1", "RoleBinding"))),
    dep("rbac.authorization.k8s.io/v1beta1", "ClusterRoleBinding", (1, 17), Some((1, 22)), Some(("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"))),
    dep("storage.k8s.io/v1beta1", "StorageClass", (1, 19), Some((1, 22)), Some(("storage.k8s.io/v1", "StorageClass"))),
    dep("storage.k8s.io/v1beta1", "VolumeAttachment", (1, 19), Some((1, 22)), Some(("storage.k8s.io/v1", "VolumeAttachment"))),
    dep("storage.k8s.io/v1beta1", "CSIDriver", (1, 19), Some((1, 22)), Some(("storage.k8s.io/v1", "CSIDriver"))),
    dep("storage.k8s.io/v1beta1", "CSINode", (1, 17), Some((1, 22)), Some(("storage.k8s.io/v1", "CSINode"))),
    dep("storage.k8s.io/v1beta1", "CSIStorageCapacity", (1, 24), Some((1, 27)), Some(("storage.k8s.io/v1", "CSIStorageCapacity"))),
    dep("storage.k8s.io/v1beta1", "VolumeAttributesClass", (1, 34), Some((1, 37)), Some(("storage.k8s.io/v1", "VolumeAttributesClass"))),
    dep("storage.k8s.io/v1alpha1", "VolumeAttachment", (1, 21), Some((1, 24)), Some(("storage.k8s.io/v1", "VolumeAttachment"))),
    dep("storage.k8s.io/v1alpha1", "CSIStorageCapacity", (1, 21), Some((1, 24)), Some(("storage.k8s.io/v1beta1", "CSIStorageCapacity"))),
    dep("storage.k8s.io/v1alpha1", "VolumeAttributesClass", (1, 32), Some((1, 35)), Some(("storage.k8s.io/v1", "VolumeAttributesClass"))),
    dep("storagemigration.k8s.io/v1beta1", "StorageVersionMigration", (1, 37), Some((1, 40)), Some(("storagemigration.k8s.io/v1", "StorageVersionMigration"))),
    dep("admissionregistration.k8s.io/v1beta1", "MutatingWebhookConfiguration", (1, 16), Some((1, 22)), Some(("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration"))),
    dep("admissionregistration.k8s.io/v1beta1", "ValidatingWebhookConfiguration", (1, 16), Some((1, 22)), Some(("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration"))),
    dep("admissionregistration.k8s.io/v1beta1", "ValidatingAdmissionPolicy", (1, 31), Some((1, 34)), None),
    dep("admissionregistration.k8s.io/v1beta1", "ValidatingAdmissionPolicyBinding", (1, 31), Some((1, 34)), None),
    dep("admissionregistration.k8s.io/v1beta1", "MutatingAdmissionPolicy", (1, 37), Some((1, 40)), Some(("admissionregistration.k8s.io/v1", "MutatingAdmissionPolicy"))),
    dep("admissionregistration.k8s.io/v1beta1", "MutatingAdmissionPolicyBinding", (1, 37), Some((1, 40)), Some(("admissionregistration.k8s.io/v1", "MutatingAdmissionPolicyBinding"))),
    dep("admissionregistration.k8s.io/v1alpha1", "ValidatingAdmissionPolicy", (1, 29), Some((1, 32)), None),
    dep("admissionregistration.k8s.io/v1alpha1", "ValidatingAdmissionPolicyBinding", (1, 29), Some((1, 32)), None),
    dep("admissionregistration.k8s.io/v1alpha1", "MutatingAdmissionPolicy", (1, 35), Some((1, 38)), None),
    dep("admissionregistration.k8s.io/v1alpha1", "MutatingAdmissionPolicyBinding", (1, 35), Some((1, 38)), None),
    dep("scheduling.k8s.io/v1beta1", "PriorityClass", (1, 14), Some((1, 22)), Some(("scheduling.k8s.io/v1", "PriorityClass"))),
    dep("coordination.k8s.io/v1beta1", "Lease", (1, 19), Some((1, 22)), Some(("coordination.k8s.io/v1", "Lease"))),
    dep("coordination.k8s.io/v1beta1", "LeaseCandidate", (1, 36), Some((1, 39)), None),
    dep("coordination.k8s.io/v1alpha2", "LeaseCandidate", (1, 35), Some((1, 38)), None),
    dep("certificates.k8s.io/v1beta1", "CertificateSigningRequest", (1, 19), Some((1, 22)), Some(("certificates.k8s.io/v1", "CertificateSigningRequest"))),
    dep("certificates.k8s.io/v1beta1", "ClusterTrustBundle", (1, 37), Some((1, 40)), Some(("certificates.k8s.io/v1", "ClusterTrustBundle"))),
    dep("certificates.k8s.io/v1beta1", "PodCertificateRequest", (1, 37), Some((1, 40)), Some(("certificates.k8s.io/v1", "PodCertificateRequest"))),
    dep("certificates.k8s.io/v1alpha1", "ClusterTrustBundle", (1, 34), Some((1, 37)), None),
    dep("events.k8s.io/v1beta1", "Event", (1, 22), Some((1, 25)), None),
    dep("discovery.k8s.io/v1beta1", "EndpointSlice", (1, 21), Some((1, 25)), Some(("discovery.k8s.io/v1", "EndpointSlice"))),
    dep("node.k8s.io/v1beta1", "RuntimeClass", (1, 22), Some((1, 25)), None),
    dep("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema", (1, 23), Some((1, 26)), Some(("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema"))),
    dep("flowcontrol.apiserver.k8s.io/v1beta1", "PriorityLevelConfiguration", (1, 23), Some((1, 26)), Some(("flowcontrol.apiserver.k8s.io/v1beta3", "PriorityLevelConfiguration"))),
    dep("flowcontrol.apiserver.k8s.io/v1beta2", "FlowSchema", (1, 26), Some((1, 29)), Some(("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema"))),
    dep("flowcontrol.apiserver.k8s.io/v1beta2", "PriorityLevelConfiguration", (1, 26), Some((1, 29)), Some(("flowcontrol.apiserver.k8s.io/v1beta3", "PriorityLevelConfiguration"))),
    dep("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema", (1, 29), Some((1, 32)), Some(("flowcontrol.apiserver.k8s.io/v1", "FlowSchema"))),
    dep("flowcontrol.apiserver.k8s.io/v1beta3", "PriorityLevelConfiguration", (1, 29), Some((1, 32)), Some(("flowcontrol.apiserver.k8s.io/v1", "PriorityLevelConfiguration"))),
    dep("authentication.k8s.io/v1beta1", "TokenReview", (1, 19), Some((1, 22)), Some(("authentication.k8s.io/v1", "TokenReview"))),
    dep("authentication.k8s.io/v1beta1", "SelfSubjectReview", (1, 30), Some((1, 33)), None),
    dep("authentication.k8s.io/v1alpha1", "SelfSubjectReview", (1, 29), Some((1, 32)), None),
    dep("authorization.k8s.io/v1beta1", "SubjectAccessReview", (1, 19), Some((1, 22)), Some(("authorization.k8s.io/v1", "SubjectAccessReview"))),
    dep("authorization.k8s.io/v1beta1", "SelfSubjectAccessReview", (1, 19), Some((1, 22)), Some(("authorization.k8s.io/v1", "SelfSubjectAccessReview"))),
    dep("authorization.k8s.io/v1beta1", "LocalSubjectAccessReview", (1, 19), Some((1, 22)), Some(("authorization.k8s.io/v1", "LocalSubjectAccessReview"))),
    dep("authorization.k8s.io/v1beta1", "SelfSubjectRulesReview", (1, 19), Some((1, 22)), Some(("authorization.k8s.io/v1", "SelfSubjectRulesReview"))),
    dep("resource.k8s.io/v1alpha3", "DeviceTaintRule", (1, 36), Some((1, 39)), None),
    dep("resource.k8s.io/v1beta1", "DeviceClass", (1, 35), Some((1, 38)), None),
    dep("resource.k8s.io/v1beta1", "ResourceClaim", (1, 35), Some((1, 38)), None),
    dep("resource.k8s.io/v1beta1", "ResourceClaimTemplate", (1, 35), Some((1, 38)), None),
    dep("resource.k8s.io/v1beta1", "ResourceSlice", (1, 35), Some((1, 38)), None),
    dep("resource.k8s.io/v1beta2", "DeviceClass", (1, 36), Some((1, 39)), None),
    dep("resource.k8s.io/v1beta2", "ResourceClaim", (1, 36), Some((1, 39)), None),
    dep("resource.k8s.io/v1beta2", "ResourceClaimTemplate", (1, 36), Some((1, 39)), None),
    dep("resource.k8s.io/v1beta2", "ResourceSlice", (1, 36), Some((1, 39)), None),
    dep("resource.k8s.io/v1beta2", "DeviceTaintRule", (1, 39), Some((1, 42)), None),
];

/// Kinds that are requests or sub-resources: Kubernetes has no list type
/// for them.
const WITHOUT_LIST: &[&str] = &[
    "Scale",
    "TokenReview",
    "SelfSubjectReview",
    "SubjectAccessReview",
    "SelfSubjectAccessReview",
    "LocalSubjectAccessReview",
    "SelfSubjectRulesReview",
];

/// The warning for `object` if its API is deprecated in the Kubernetes
/// version given (or Helm's default).
pub(super) fn check(object: &Object, kube_version: Option<&KubeVersion>) -> Result<(), String> {
    if object.api_version.is_empty() || object.kind.is_empty() {
        return Ok(());
    }
    let Some((entry, is_list)) = lookup(&object.api_version, &object.kind) else {
        return Ok(());
    };
    let current = match kube_version {
        Some(v) => (v.major.parse().unwrap_or(0), v.minor.parse().unwrap_or(0)),
        None => DEFAULT_VERSION,
    };
    // An unknown version (0.0) counts as past every deprecation.
    if current != (0, 0) && current < entry.deprecated {
        return Ok(());
    }
    Err(message(entry, is_list, object))
}

/// The table entry for a kind or for its list type.
fn lookup(group_version: &str, kind: &str) -> Option<(&'static Deprecated, bool)> {
    let find = |kind: &str| {
        TABLE
            .iter()
            .find(|d| d.group_version == group_version && d.kind == kind)
    };
    if let Some(entry) = find(kind) {
        return Some((entry, false));
    }
    let base = kind.strip_suffix("List")?;
    find(base)
        .filter(|d| !WITHOUT_LIST.contains(&d.kind))
        .map(|entry| (entry, true))
}

/// Kubernetes' deprecation warning text.
fn message(entry: &Deprecated, is_list: bool, object: &Object) -> String {
    let (major, minor) = entry.deprecated;
    let mut msg = format!(
        "{} {} is deprecated in v{major}.{minor}+",
        object.api_version, object.kind
    );
    if let Some((major, minor)) = entry.removed {
        msg.push_str(&format!(", unavailable in v{major}.{minor}+"));
    }
    if let Some((gv, kind)) = entry.replacement {
        let kind = if is_list && !kind.ends_with("List") {
            format!("{kind}List")
        } else {
            kind.to_string()
        };
        msg.push_str(&format!("; use {gv} {kind}"));
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(api_version: &str, kind: &str) -> Object {
        Object {
            api_version: api_version.into(),
            kind: kind.into(),
            name: "x".into(),
        }
    }

    #[test]
    fn deprecated_apis_warn_from_their_release_on() {
        let pdb = object("policy/v1beta1", "PodDisruptionBudget");
        let at = |v: &str| KubeVersion::parse(v).unwrap();
        assert!(check(&pdb, Some(&at("1.20"))).is_ok());
        assert_eq!(
            check(&pdb, Some(&at("1.21"))).unwrap_err(),
            "policy/v1beta1 PodDisruptionBudget is deprecated in v1.21+, unavailable in v1.25+; \
             use policy/v1 PodDisruptionBudget"
        );
        assert!(check(&object("apps/v1", "Deployment"), None).is_ok());
    }

    #[test]
    fn list_types_share_their_items_lifecycle() {
        let err = check(&object("policy/v1beta1", "PodDisruptionBudgetList"), None).unwrap_err();
        assert!(
            err.ends_with("use policy/v1 PodDisruptionBudgetList"),
            "{err}"
        );
        assert!(check(&object("extensions/v1beta1", "ScaleList"), None).is_ok());
    }
}
