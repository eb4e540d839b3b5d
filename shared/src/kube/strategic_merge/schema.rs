//! Which lists of the built-in kinds merge, and by which key.
//!
//! The API server learns this from the Go struct tags `patchStrategy` and
//! `patchMergeKey` of `k8s.io/api` (`core/v1/types.go`, `apps/v1/types.go`,
//! `batch/v1/types.go`, `admissionregistration/v1/types.go`) and from
//! `ObjectMeta` in `k8s.io/apimachinery/pkg/apis/meta/v1/types.go`. Only
//! the fields that carry a tag, and the path down to them, are listed:
//! every other map merges key by key and every other list is replaced,
//! which is what an untagged field means.

/// How a list field is patched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Strategy {
    /// No `patchStrategy`: a list is replaced whole, a map merged key by key.
    Default,
    /// `patchStrategy:"merge"`: elements are matched by `patchMergeKey`
    /// (objects) or by value (scalars, when there is no key).
    Merge(Option<&'static str>),
}

/// One tagged field of a Go struct, or a field leading to one.
#[derive(Debug)]
pub(super) struct Field {
    pub(super) name: &'static str,
    pub(super) strategy: Strategy,
    /// `patchStrategy` includes `retainKeys`: a two-way diff lists the keys
    /// to keep, so that switching one union member clears the other.
    pub(super) retain_keys: bool,
    /// The struct of the field's value, or of its elements for a list.
    pub(super) ty: Option<&'static Struct>,
}

/// The tagged fields of one Go struct.
#[derive(Debug)]
pub(super) struct Struct {
    fields: &'static [Field],
}

/// What a lookup of one field name in a struct yields.
#[derive(Debug, Clone, Copy)]
pub(super) struct FieldMeta {
    pub(super) strategy: Strategy,
    pub(super) retain_keys: bool,
    pub(super) ty: Option<&'static Struct>,
}

impl FieldMeta {
    /// A field without tags and without tagged fields below it.
    pub(super) const PLAIN: FieldMeta = FieldMeta {
        strategy: Strategy::Default,
        retain_keys: false,
        ty: None,
    };

    /// The merge key of a merging list, `""` otherwise (as Go spells "none").
    pub(super) fn merge_key(&self) -> &'static str {
        match self.strategy {
            Strategy::Merge(Some(key)) => key,
            _ => "",
        }
    }
}

/// Looks `name` up in `ty`; unknown fields behave as untagged ones.
pub(super) fn lookup(ty: Option<&'static Struct>, name: &str) -> FieldMeta {
    ty.and_then(|ty| ty.fields.iter().find(|f| f.name == name))
        .map_or(FieldMeta::PLAIN, |f| FieldMeta {
            strategy: f.strategy,
            retain_keys: f.retain_keys,
            ty: f.ty,
        })
}

const fn nested(name: &'static str, ty: &'static Struct) -> Field {
    Field {
        name,
        strategy: Strategy::Default,
        retain_keys: false,
        ty: Some(ty),
    }
}

const fn merge_by(name: &'static str, key: &'static str, ty: Option<&'static Struct>) -> Field {
    Field {
        name,
        strategy: Strategy::Merge(Some(key)),
        retain_keys: false,
        ty,
    }
}

const fn merge_by_retaining(name: &'static str, key: &'static str) -> Field {
    Field {
        name,
        strategy: Strategy::Merge(Some(key)),
        retain_keys: true,
        ty: None,
    }
}

const fn merge_scalars(name: &'static str) -> Field {
    Field {
        name,
        strategy: Strategy::Merge(None),
        retain_keys: false,
        ty: None,
    }
}

const fn retaining(name: &'static str) -> Field {
    Field {
        name,
        strategy: Strategy::Default,
        retain_keys: true,
        ty: None,
    }
}

/// `ObjectMeta`: `ownerReferences` by `uid`, `finalizers` as a set.
static OBJECT_META: Struct = Struct {
    fields: &[
        merge_by("ownerReferences", "uid", None),
        merge_scalars("finalizers"),
    ],
};

/// `Container` and `EphemeralContainerCommon`. Ports merge by
/// `containerPort` alone: `protocol` is a second key only for server-side
/// apply (`listMapKey`), so TCP and UDP on one port collide here, as they do
/// in Kubernetes.
static CONTAINER: Struct = Struct {
    fields: &[
        merge_by("ports", "containerPort", None),
        merge_by("env", "name", None),
        merge_by("volumeMounts", "mountPath", None),
        merge_by("volumeDevices", "devicePath", None),
    ],
};

/// `PodSpec`. `tolerations`, `readinessGates` and `envFrom` carry no tag
/// and are replaced whole.
static POD_SPEC: Struct = Struct {
    fields: &[
        merge_by_retaining("volumes", "name"),
        merge_by("initContainers", "name", Some(&CONTAINER)),
        merge_by("containers", "name", Some(&CONTAINER)),
        merge_by("ephemeralContainers", "name", Some(&CONTAINER)),
        merge_by("imagePullSecrets", "name", None),
        merge_by("hostAliases", "ip", None),
        merge_by("topologySpreadConstraints", "topologyKey", None),
        merge_by_retaining("resourceClaims", "name"),
        merge_by("schedulingGates", "name", None),
    ],
};

/// The `status` of workloads: `conditions` by `type`.
static CONDITIONS: Struct = Struct {
    fields: &[merge_by("conditions", "type", None)],
};

static POD_TEMPLATE_SPEC: Struct = Struct {
    fields: &[nested("metadata", &OBJECT_META), nested("spec", &POD_SPEC)],
};

static POD_STATUS: Struct = Struct {
    fields: &[
        merge_by("conditions", "type", None),
        merge_by("podIPs", "ip", None),
    ],
};

static POD: Struct = Struct {
    fields: &[
        nested("metadata", &OBJECT_META),
        nested("spec", &POD_SPEC),
        nested("status", &POD_STATUS),
    ],
};

/// Specs whose only tagged path is the pod template: ReplicaSet,
/// StatefulSet, DaemonSet, Job, ReplicationController.
static TEMPLATED_SPEC: Struct = Struct {
    fields: &[nested("template", &POD_TEMPLATE_SPEC)],
};

static TEMPLATED: Struct = Struct {
    fields: &[
        nested("metadata", &OBJECT_META),
        nested("spec", &TEMPLATED_SPEC),
        nested("status", &CONDITIONS),
    ],
};

/// `DeploymentSpec.strategy` is `retainKeys`: going from `RollingUpdate` to
/// `Recreate` drops `rollingUpdate`.
static DEPLOYMENT_SPEC: Struct = Struct {
    fields: &[
        nested("template", &POD_TEMPLATE_SPEC),
        retaining("strategy"),
    ],
};

static DEPLOYMENT: Struct = Struct {
    fields: &[
        nested("metadata", &OBJECT_META),
        nested("spec", &DEPLOYMENT_SPEC),
        nested("status", &CONDITIONS),
    ],
};

static JOB_TEMPLATE_SPEC: Struct = Struct {
    fields: &[
        nested("metadata", &OBJECT_META),
        nested("spec", &TEMPLATED_SPEC),
    ],
};

static CRON_JOB_SPEC: Struct = Struct {
    fields: &[nested("jobTemplate", &JOB_TEMPLATE_SPEC)],
};

static CRON_JOB: Struct = Struct {
    fields: &[
        nested("metadata", &OBJECT_META),
        nested("spec", &CRON_JOB_SPEC),
    ],
};

static POD_TEMPLATE: Struct = Struct {
    fields: &[
        nested("metadata", &OBJECT_META),
        nested("template", &POD_TEMPLATE_SPEC),
    ],
};

static SERVICE_SPEC: Struct = Struct {
    fields: &[merge_by("ports", "port", None)],
};

static SERVICE: Struct = Struct {
    fields: &[
        nested("metadata", &OBJECT_META),
        nested("spec", &SERVICE_SPEC),
        nested("status", &CONDITIONS),
    ],
};

static SERVICE_ACCOUNT: Struct = Struct {
    fields: &[
        nested("metadata", &OBJECT_META),
        merge_by("secrets", "name", None),
    ],
};

static WEBHOOK_CONFIGURATION: Struct = Struct {
    fields: &[
        nested("metadata", &OBJECT_META),
        merge_by("webhooks", "name", None),
    ],
};

/// Built-in kinds whose only tagged fields are those of `ObjectMeta`.
static METADATA_ONLY: Struct = Struct {
    fields: &[nested("metadata", &OBJECT_META)],
};

/// The built-in kinds charts create, by `(apiVersion, kind)`.
static KINDS: &[(&str, &str, &Struct)] = &[
    ("v1", "Pod", &POD),
    ("v1", "PodTemplate", &POD_TEMPLATE),
    ("v1", "ReplicationController", &TEMPLATED),
    ("v1", "Service", &SERVICE),
    ("v1", "ServiceAccount", &SERVICE_ACCOUNT),
    ("v1", "ConfigMap", &METADATA_ONLY),
    ("v1", "Secret", &METADATA_ONLY),
    ("v1", "Namespace", &METADATA_ONLY),
    ("v1", "PersistentVolume", &METADATA_ONLY),
    ("v1", "PersistentVolumeClaim", &METADATA_ONLY),
    ("v1", "Endpoints", &METADATA_ONLY),
    ("v1", "LimitRange", &METADATA_ONLY),
    ("v1", "ResourceQuota", &METADATA_ONLY),
    ("apps/v1", "Deployment", &DEPLOYMENT),
    ("apps/v1", "StatefulSet", &TEMPLATED),
    ("apps/v1", "DaemonSet", &TEMPLATED),
    ("apps/v1", "ReplicaSet", &TEMPLATED),
    ("batch/v1", "Job", &TEMPLATED),
    ("batch/v1", "CronJob", &CRON_JOB),
    ("policy/v1", "PodDisruptionBudget", &METADATA_ONLY),
    ("autoscaling/v2", "HorizontalPodAutoscaler", &METADATA_ONLY),
    ("autoscaling/v1", "HorizontalPodAutoscaler", &METADATA_ONLY),
    ("networking.k8s.io/v1", "Ingress", &METADATA_ONLY),
    ("networking.k8s.io/v1", "IngressClass", &METADATA_ONLY),
    ("networking.k8s.io/v1", "NetworkPolicy", &METADATA_ONLY),
    ("rbac.authorization.k8s.io/v1", "Role", &METADATA_ONLY),
    (
        "rbac.authorization.k8s.io/v1",
        "ClusterRole",
        &METADATA_ONLY,
    ),
    (
        "rbac.authorization.k8s.io/v1",
        "RoleBinding",
        &METADATA_ONLY,
    ),
    (
        "rbac.authorization.k8s.io/v1",
        "ClusterRoleBinding",
        &METADATA_ONLY,
    ),
    ("storage.k8s.io/v1", "StorageClass", &METADATA_ONLY),
    ("scheduling.k8s.io/v1", "PriorityClass", &METADATA_ONLY),
    ("storage.k8s.io/v1", "CSIDriver", &METADATA_ONLY),
    ("storage.k8s.io/v1", "VolumeAttachment", &METADATA_ONLY),
    ("node.k8s.io/v1", "RuntimeClass", &METADATA_ONLY),
    ("discovery.k8s.io/v1", "EndpointSlice", &METADATA_ONLY),
    ("coordination.k8s.io/v1", "Lease", &METADATA_ONLY),
    (
        "flowcontrol.apiserver.k8s.io/v1",
        "FlowSchema",
        &METADATA_ONLY,
    ),
    (
        "flowcontrol.apiserver.k8s.io/v1",
        "PriorityLevelConfiguration",
        &METADATA_ONLY,
    ),
    // Helm adds apiextensions to its scheme, so CRDs themselves get
    // strategic patches (their lists carry no tags).
    (
        "apiextensions.k8s.io/v1",
        "CustomResourceDefinition",
        &METADATA_ONLY,
    ),
    (
        "admissionregistration.k8s.io/v1",
        "ValidatingWebhookConfiguration",
        &WEBHOOK_CONFIGURATION,
    ),
    (
        "admissionregistration.k8s.io/v1",
        "MutatingWebhookConfiguration",
        &WEBHOOK_CONFIGURATION,
    ),
];

/// The root struct of a built-in kind, `None` for any other.
pub(super) fn kind(api_version: &str, kind: &str) -> Option<&'static Struct> {
    KINDS
        .iter()
        .find(|(v, k, _)| *v == api_version && *k == kind)
        .map(|(_, _, ty)| *ty)
}
