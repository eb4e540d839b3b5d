//! The one table of resource types the cluster serves: discovery, routing
//! and the store all read it, so a kind added here is served everywhere.

/// One resource type, as discovery describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceType {
    /// API group; empty for the core (legacy) group.
    pub group: &'static str,
    /// Version within the group.
    pub version: &'static str,
    /// Plural lower-case name used in URLs (`deployments`).
    pub plural: &'static str,
    /// Singular lower-case name (`deployment`).
    pub singular: &'static str,
    /// The object's `kind`.
    pub kind: &'static str,
    /// Whether objects live in a namespace.
    pub namespaced: bool,
    /// kubectl short names (`deploy`).
    pub short_names: &'static [&'static str],
}

/// The verbs every type here supports.
pub const VERBS: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
];

impl ResourceType {
    /// `group/version`, or just `version` for the core group, as in `apiVersion`.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_owned()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// Whether the API server keeps `metadata.generation` for this type,
    /// bumping it when `spec` changes (types without a spec, and a few
    /// with one, leave it unset).
    pub fn tracks_generation(&self) -> bool {
        !matches!(
            (self.group, self.plural),
            (
                "",
                "namespaces" | "configmaps" | "secrets" | "services" | "serviceaccounts"
            ) | ("", "persistentvolumeclaims" | "events")
                | ("rbac.authorization.k8s.io", _)
                | ("coordination.k8s.io", _)
        )
    }

    /// The `group.resource` form apimachinery uses in error messages
    /// (`deployments.apps`; just `secrets` for the core group).
    pub fn qualified_plural(&self) -> String {
        if self.group.is_empty() {
            self.plural.to_owned()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }
}

const fn core(
    plural: &'static str,
    singular: &'static str,
    kind: &'static str,
    namespaced: bool,
    short_names: &'static [&'static str],
) -> ResourceType {
    ResourceType {
        group: "",
        version: "v1",
        plural,
        singular,
        kind,
        namespaced,
        short_names,
    }
}

const fn grouped(
    group: &'static str,
    version: &'static str,
    plural: &'static str,
    singular: &'static str,
    kind: &'static str,
    namespaced: bool,
    short_names: &'static [&'static str],
) -> ResourceType {
    ResourceType {
        group,
        version,
        plural,
        singular,
        kind,
        namespaced,
        short_names,
    }
}

/// The built-in types charts use, in discovery order.
pub const BUILT_IN: &[ResourceType] = &[
    core("namespaces", "namespace", "Namespace", false, &["ns"]),
    core("configmaps", "configmap", "ConfigMap", true, &["cm"]),
    core("secrets", "secret", "Secret", true, &[]),
    core("services", "service", "Service", true, &["svc"]),
    core(
        "serviceaccounts",
        "serviceaccount",
        "ServiceAccount",
        true,
        &["sa"],
    ),
    core("pods", "pod", "Pod", true, &["po"]),
    core(
        "persistentvolumeclaims",
        "persistentvolumeclaim",
        "PersistentVolumeClaim",
        true,
        &["pvc"],
    ),
    core("events", "event", "Event", true, &["ev"]),
    grouped(
        "apps",
        "v1",
        "deployments",
        "deployment",
        "Deployment",
        true,
        &["deploy"],
    ),
    grouped(
        "apps",
        "v1",
        "statefulsets",
        "statefulset",
        "StatefulSet",
        true,
        &["sts"],
    ),
    grouped(
        "apps",
        "v1",
        "daemonsets",
        "daemonset",
        "DaemonSet",
        true,
        &["ds"],
    ),
    grouped(
        "apps",
        "v1",
        "replicasets",
        "replicaset",
        "ReplicaSet",
        true,
        &["rs"],
    ),
    grouped("batch", "v1", "jobs", "job", "Job", true, &[]),
    grouped(
        "batch",
        "v1",
        "cronjobs",
        "cronjob",
        "CronJob",
        true,
        &["cj"],
    ),
    grouped(
        "networking.k8s.io",
        "v1",
        "ingresses",
        "ingress",
        "Ingress",
        true,
        &["ing"],
    ),
    grouped(
        "networking.k8s.io",
        "v1",
        "networkpolicies",
        "networkpolicy",
        "NetworkPolicy",
        true,
        &["netpol"],
    ),
    grouped(
        "networking.k8s.io",
        "v1",
        "ingressclasses",
        "ingressclass",
        "IngressClass",
        false,
        &[],
    ),
    grouped(
        "rbac.authorization.k8s.io",
        "v1",
        "roles",
        "role",
        "Role",
        true,
        &[],
    ),
    grouped(
        "rbac.authorization.k8s.io",
        "v1",
        "rolebindings",
        "rolebinding",
        "RoleBinding",
        true,
        &[],
    ),
    grouped(
        "rbac.authorization.k8s.io",
        "v1",
        "clusterroles",
        "clusterrole",
        "ClusterRole",
        false,
        &[],
    ),
    grouped(
        "rbac.authorization.k8s.io",
        "v1",
        "clusterrolebindings",
        "clusterrolebinding",
        "ClusterRoleBinding",
        false,
        &[],
    ),
    grouped(
        "policy",
        "v1",
        "poddisruptionbudgets",
        "poddisruptionbudget",
        "PodDisruptionBudget",
        true,
        &["pdb"],
    ),
    grouped(
        "autoscaling",
        "v2",
        "horizontalpodautoscalers",
        "horizontalpodautoscaler",
        "HorizontalPodAutoscaler",
        true,
        &["hpa"],
    ),
    grouped(
        "apiextensions.k8s.io",
        "v1",
        "customresourcedefinitions",
        "customresourcedefinition",
        "CustomResourceDefinition",
        false,
        &["crd", "crds"],
    ),
    grouped(
        "admissionregistration.k8s.io",
        "v1",
        "validatingwebhookconfigurations",
        "validatingwebhookconfiguration",
        "ValidatingWebhookConfiguration",
        false,
        &[],
    ),
    grouped(
        "admissionregistration.k8s.io",
        "v1",
        "mutatingwebhookconfigurations",
        "mutatingwebhookconfiguration",
        "MutatingWebhookConfiguration",
        false,
        &[],
    ),
    grouped(
        "coordination.k8s.io",
        "v1",
        "leases",
        "lease",
        "Lease",
        true,
        &[],
    ),
];

/// Looks a type up by its URL coordinates.
pub fn find(group: &str, version: &str, plural: &str) -> Option<&'static ResourceType> {
    BUILT_IN
        .iter()
        .find(|r| r.group == group && r.version == version && r.plural == plural)
}

/// The named groups (everything but core), each once, in table order.
pub fn groups() -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<(&str, &str)> = Vec::new();
    for r in BUILT_IN.iter().filter(|r| !r.group.is_empty()) {
        if !out.contains(&(r.group, r.version)) {
            out.push((r.group, r.version));
        }
    }
    out
}
