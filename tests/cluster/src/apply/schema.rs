//! The shapes server-side apply needs to know of the built-in kinds: which
//! lists are associative and by which keys (`x-kubernetes-list-map-keys`),
//! which are sets (`x-kubernetes-list-type: set`), which objects are atomic
//! (`x-kubernetes-map-type: atomic`) and which are maps with free keys
//! rather than structs. Taken from the Kubernetes OpenAPI documents; only
//! the paths that differ from the default are listed: an unlisted object is
//! a struct, an unlisted list is atomic, as they are in `k8s.io/api`.
//!
//! k8s-openapi's `DeepMerge` implementations agree on which lists are
//! atomic, sets or merged and which string maps are atomic, but name only
//! the strategic merge key of a list, so the second keys (`protocol` of
//! ports, `whenUnsatisfiable` of topology spread constraints) and the
//! atomic structs (`LabelSelector`) come from the OpenAPI documents.
//!
//! Kinds without a schema here (custom resources) are "deduced", as the API
//! server treats a CRD without a structural schema: every object a map with
//! free keys, every list atomic.

/// The shape of one node of an object.
#[derive(Debug)]
pub enum Shape {
    /// Named fields; fields not listed are inferred from their value.
    Struct(&'static [(&'static str, &'static Shape)]),
    /// Free keys (`labels`, `data`), each value of the given shape.
    Map(&'static Shape),
    /// A list merged item by item, items named by these key fields; a key
    /// field may have a default the API server fills in (`protocol: TCP`).
    Associative {
        /// Key fields and their defaults.
        keys: &'static [(&'static str, Option<&'static str>)],
        /// The shape of each item.
        item: &'static Shape,
    },
    /// A list of scalars merged as a set.
    Set,
    /// Replaced whole: scalars, atomic lists and atomic objects.
    Atomic,
    /// Shape from the value (custom resources): objects are maps of
    /// deduced values, anything else atomic.
    Deduced,
    /// A field the tables here do not list: an object is a struct of such
    /// fields, anything else (a scalar, an untagged list, `null`) is owned
    /// whole, as scalars and atomic lists are.
    Inferred,
}

/// A struct whose fields are all inferred.
pub static STRUCT: Shape = Shape::Struct(&[]);
static INFERRED: Shape = Shape::Inferred;
static ATOMIC: Shape = Shape::Atomic;
static DEDUCED: Shape = Shape::Deduced;
static STRING_MAP: Shape = Shape::Map(&ATOMIC);

/// `ObjectMeta`.
static OBJECT_META: Shape = Shape::Struct(&[
    ("labels", &STRING_MAP),
    ("annotations", &STRING_MAP),
    ("finalizers", &Shape::Set),
    (
        "ownerReferences",
        &Shape::Associative {
            keys: &[("uid", None)],
            item: &STRUCT,
        },
    ),
]);

/// `LabelSelector` is atomic wherever it appears.
static RESOURCES: Shape = Shape::Struct(&[("limits", &STRING_MAP), ("requests", &STRING_MAP)]);

static CONTAINER: Shape = Shape::Struct(&[
    (
        "ports",
        &Shape::Associative {
            keys: &[("containerPort", None), ("protocol", Some("TCP"))],
            item: &STRUCT,
        },
    ),
    (
        "env",
        &Shape::Associative {
            keys: &[("name", None)],
            item: &STRUCT,
        },
    ),
    (
        "volumeMounts",
        &Shape::Associative {
            keys: &[("mountPath", None)],
            item: &STRUCT,
        },
    ),
    (
        "volumeDevices",
        &Shape::Associative {
            keys: &[("devicePath", None)],
            item: &STRUCT,
        },
    ),
    ("resources", &RESOURCES),
]);

static BY_NAME: Shape = Shape::Associative {
    keys: &[("name", None)],
    item: &STRUCT,
};

static CONTAINERS: Shape = Shape::Associative {
    keys: &[("name", None)],
    item: &CONTAINER,
};

static POD_SPEC: Shape = Shape::Struct(&[
    ("containers", &CONTAINERS),
    ("initContainers", &CONTAINERS),
    ("ephemeralContainers", &CONTAINERS),
    ("volumes", &BY_NAME),
    ("imagePullSecrets", &BY_NAME),
    ("resourceClaims", &BY_NAME),
    ("schedulingGates", &BY_NAME),
    (
        "hostAliases",
        &Shape::Associative {
            keys: &[("ip", None)],
            item: &STRUCT,
        },
    ),
    (
        "topologySpreadConstraints",
        &Shape::Associative {
            keys: &[("topologyKey", None), ("whenUnsatisfiable", None)],
            item: &STRUCT,
        },
    ),
    // `+mapType=atomic`: a node selector is replaced whole.
    ("nodeSelector", &ATOMIC),
    ("overhead", &STRING_MAP),
]);

static POD_TEMPLATE: Shape = Shape::Struct(&[("metadata", &OBJECT_META), ("spec", &POD_SPEC)]);

/// Workload specs: a pod template and an atomic selector.
static WORKLOAD_SPEC: Shape = Shape::Struct(&[("template", &POD_TEMPLATE), ("selector", &ATOMIC)]);

static WORKLOAD: Shape = Shape::Struct(&[("metadata", &OBJECT_META), ("spec", &WORKLOAD_SPEC)]);

static STATEFUL_SET_SPEC: Shape = Shape::Struct(&[
    ("template", &POD_TEMPLATE),
    ("selector", &ATOMIC),
    ("volumeClaimTemplates", &ATOMIC),
]);

static STATEFUL_SET: Shape =
    Shape::Struct(&[("metadata", &OBJECT_META), ("spec", &STATEFUL_SET_SPEC)]);

static JOB_TEMPLATE: Shape = Shape::Struct(&[("metadata", &OBJECT_META), ("spec", &WORKLOAD_SPEC)]);

static CRON_JOB: Shape = Shape::Struct(&[
    ("metadata", &OBJECT_META),
    ("spec", &Shape::Struct(&[("jobTemplate", &JOB_TEMPLATE)])),
]);

static POD: Shape = Shape::Struct(&[("metadata", &OBJECT_META), ("spec", &POD_SPEC)]);

static SERVICE: Shape = Shape::Struct(&[
    ("metadata", &OBJECT_META),
    (
        "spec",
        &Shape::Struct(&[
            (
                "ports",
                &Shape::Associative {
                    keys: &[("port", None), ("protocol", Some("TCP"))],
                    item: &STRUCT,
                },
            ),
            // `+mapType=atomic`, unlike most string maps.
            ("selector", &ATOMIC),
        ]),
    ),
]);

static CONFIG_MAP: Shape = Shape::Struct(&[
    ("metadata", &OBJECT_META),
    ("data", &STRING_MAP),
    ("binaryData", &STRING_MAP),
]);

static SECRET: Shape = Shape::Struct(&[
    ("metadata", &OBJECT_META),
    ("data", &STRING_MAP),
    ("stringData", &STRING_MAP),
]);

static SERVICE_ACCOUNT: Shape = Shape::Struct(&[("metadata", &OBJECT_META), ("secrets", &BY_NAME)]);

static WEBHOOK_CONFIGURATION: Shape = Shape::Struct(&[
    ("metadata", &OBJECT_META),
    (
        "webhooks",
        &Shape::Associative {
            keys: &[("name", None)],
            item: &STRUCT,
        },
    ),
]);

static NAMESPACE: Shape = Shape::Struct(&[
    ("metadata", &OBJECT_META),
    ("spec", &Shape::Struct(&[("finalizers", &ATOMIC)])),
]);

/// Kinds whose only special node is their `ObjectMeta`.
static METADATA_ONLY: Shape = Shape::Struct(&[("metadata", &OBJECT_META)]);

/// The root shape of a kind the cluster serves, by group and kind.
pub fn for_kind(group: &str, kind: &str) -> &'static Shape {
    match (group, kind) {
        ("", "Pod") => &POD,
        ("", "Service") => &SERVICE,
        ("", "ConfigMap") => &CONFIG_MAP,
        ("", "Secret") => &SECRET,
        ("", "ServiceAccount") => &SERVICE_ACCOUNT,
        ("", "Namespace") => &NAMESPACE,
        ("apps", "Deployment" | "DaemonSet" | "ReplicaSet") | ("batch", "Job") => &WORKLOAD,
        ("apps", "StatefulSet") => &STATEFUL_SET,
        ("batch", "CronJob") => &CRON_JOB,
        ("admissionregistration.k8s.io", _) => &WEBHOOK_CONFIGURATION,
        ("" | "apps" | "batch" | "networking.k8s.io" | "rbac.authorization.k8s.io", _)
        | ("policy" | "autoscaling" | "apiextensions.k8s.io" | "coordination.k8s.io", _) => {
            &METADATA_ONLY
        }
        _ => &DEDUCED,
    }
}

/// What the zero value of a built-in kind's Go struct holds in a field
/// that JSON may leave out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GoZero {
    /// A struct that is not a pointer: `{}`.
    EmptyStruct,
    /// A list without `omitempty`: `null`.
    Null,
}

/// The zero value of field `name` in the Go structs of the built-in kinds,
/// for the fields whose zero value is written out: `metadata`, `spec`,
/// `status`, pod templates, strategies, container resources, and
/// `containers`.
pub fn go_zero_value(name: &str) -> Option<GoZero> {
    match name {
        "metadata" | "spec" | "status" | "template" | "strategy" | "updateStrategy"
        | "jobTemplate" | "resources" => Some(GoZero::EmptyStruct),
        "containers" => Some(GoZero::Null),
        _ => None,
    }
}

impl Shape {
    /// The shape of field `name` of a struct or map of this shape, and
    /// whether it is a named field (`false`: a free map key).
    pub fn field(&'static self, name: &str) -> (&'static Shape, bool) {
        match self {
            Shape::Struct(fields) => (
                fields
                    .iter()
                    .find(|(field, _)| *field == name)
                    .map_or(&INFERRED, |(_, shape)| *shape),
                true,
            ),
            Shape::Map(values) => (values, false),
            Shape::Deduced => (&DEDUCED, false),
            Shape::Inferred => (&INFERRED, true),
            _ => (&ATOMIC, true),
        }
    }
}
