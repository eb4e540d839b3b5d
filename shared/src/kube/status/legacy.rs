//! `--wait=legacy`: Helm 3's readiness checks (`ready.go`), which Helm 4
//! keeps as a strategy. Where kstatus reads an object's own status, these
//! also look at what its controller made: a Deployment's newest
//! ReplicaSet, a ReplicaSet's pods. The caller fetches those (see
//! [`needs`]) and this module judges.
//!
//! Helm polls every [`POLL_INTERVAL`] until everything is ready or its
//! time runs out, which it reports as `context deadline exceeded` alone.
//! An error from a check is retried up to [`MAX_RETRIES`] polls in a row
//! when [`is_retryable`] (a failed Job's error counts as retryable, so it
//! surfaces only after those retries). Waiting for deletions, it polls
//! until every object is gone (not found), with the same wording on
//! timeout; hooks time out with [`HOOK_TIMEOUT`].

use std::time::Duration;

use chrono::DateTime;
use serde_json::Value;

use super::fields::{self, int_or, str_or};

/// How often Helm polls the objects.
pub const POLL_INTERVAL: Duration = Duration::from_secs(2);
/// How many polls in a row a retryable error may fail before Helm gives up.
pub const MAX_RETRIES: u32 = 30;
/// What Helm says when a hook is not done in time under `--wait=legacy`
/// (client-go's watch timeout, where other waits say
/// `context deadline exceeded`).
pub const HOOK_TIMEOUT: &str = "timed out waiting for the condition";

/// How the checks are tuned: Helm's `Wait` uses
/// `{ check_jobs: false, paused_as_ready: true }`, `WaitWithJobs` the
/// same with `check_jobs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// Judge Jobs (by their completions) instead of taking them as ready.
    pub check_jobs: bool,
    /// Take a paused Deployment as ready (it would never become so).
    pub paused_as_ready: bool,
}

/// The labels on the pods of a ReplicaSet its Deployment ignores when
/// comparing pod templates.
const POD_TEMPLATE_HASH: &str = "pod-template-hash";

/// Why a legacy check failed outright.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LegacyError {
    /// A checked Job failed more often than its backoff limit allows.
    #[error("job is failed: {namespace}/{name}")]
    JobFailed {
        /// The Job's namespace.
        namespace: String,
        /// The Job's name.
        name: String,
    },
    /// A hook Job reported a True `Failed` condition.
    #[error("job {name} failed: {reason}")]
    HookJobFailed {
        /// The Job's name.
        name: String,
        /// The condition's reason.
        reason: String,
    },
    /// A hook Pod ended in the `Failed` phase.
    #[error("pod {name} failed")]
    HookPodFailed {
        /// The Pod's name.
        name: String,
    },
}

/// What a check needs besides the object itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Needs {
    /// Nothing.
    Nothing,
    /// The ReplicaSets matching a Deployment's selector.
    ReplicaSets,
    /// The pods matching the object's selector.
    Pods,
}

/// What the check of `object` needs (by its apiVersion and kind).
pub fn needs(object: &Value) -> Needs {
    match api_kind(object) {
        ("apps/v1", "Deployment") => Needs::ReplicaSets,
        ("apps/v1", "ReplicaSet") | ("v1", "ReplicationController") => Needs::Pods,
        _ => Needs::Nothing,
    }
}

/// The objects a check may need, fetched by the caller (empty when
/// [`needs`] says nothing is needed).
#[derive(Clone, Copy, Debug, Default)]
pub struct Related<'a> {
    /// For a Deployment: the ReplicaSets matching its selector.
    pub replica_sets: &'a [Value],
    /// For a ReplicaSet or ReplicationController: its pods.
    pub pods: &'a [Value],
}

/// Whether `object` (as the cluster returns it now) is ready. Kinds
/// without a check are ready.
pub fn is_ready(
    object: &Value,
    related: Related<'_>,
    options: Options,
) -> Result<bool, LegacyError> {
    Ok(match api_kind(object) {
        ("v1", "Pod") => pod_ready(object),
        ("batch/v1", "Job") => !options.check_jobs || job_ready(object)?,
        ("apps/v1", "Deployment") => {
            if paused(object) {
                options.paused_as_ready
            } else {
                find_new_replica_set(object, related.replica_sets)
                    .is_some_and(|rs| deployment_ready(object, rs))
            }
        }
        ("v1", "PersistentVolumeClaim") => str_or(object, &["status", "phase"], "") == "Bound",
        ("v1", "Service") => service_ready(object),
        ("apps/v1", "DaemonSet") => daemon_set_ready(object),
        (
            "apiextensions.k8s.io/v1" | "apiextensions.k8s.io/v1beta1",
            "CustomResourceDefinition",
        ) => crd_ready(object),
        ("apps/v1", "StatefulSet") => stateful_set_ready(object),
        ("v1", "ReplicationController") | ("apps/v1", "ReplicaSet") => {
            generation_observed(object) && related.pods.iter().all(pod_ready)
        }
        _ => true,
    })
}

/// Whether a hook is done (Helm 3's `WatchUntilReady`): a Job once
/// complete, a Pod once succeeded, any other kind at once; a failed Job
/// or Pod is an error.
pub fn hook_done(object: &Value) -> Result<bool, LegacyError> {
    let name = || str_or(object, &["metadata", "name"], "").to_string();
    match api_kind(object) {
        ("batch/v1", "Job") => {
            let conditions = fields::conditions(object).unwrap_or_default();
            for condition in conditions {
                match (condition.type_, condition.status) {
                    ("Complete", "True") => return Ok(true),
                    ("Failed", "True") => {
                        return Err(LegacyError::HookJobFailed {
                            name: name(),
                            reason: condition.reason.to_string(),
                        });
                    }
                    _ => {}
                }
            }
            Ok(false)
        }
        ("v1", "Pod") => match str_or(object, &["status", "phase"], "") {
            "Succeeded" => Ok(true),
            "Failed" => Err(LegacyError::HookPodFailed { name: name() }),
            _ => Ok(false),
        },
        _ => Ok(true),
    }
}

/// Whether an error with HTTP `status` (0 when none came back) is worth
/// another poll: no answer, too many requests, or a server error other
/// than 501.
pub fn is_retryable(status: u16) -> bool {
    status == 0 || status == 429 || (status >= 500 && status != 501)
}

/// Whether the pod has a True `Ready` condition.
pub fn pod_ready(pod: &Value) -> bool {
    has_condition(pod, "Ready", "True")
}

/// A checked Job: an error once it failed more than its backoff limit
/// (6 by default), ready once its completions (when set) succeeded.
fn job_ready(job: &Value) -> Result<bool, LegacyError> {
    if int_or(job, &["status", "failed"], 0) > int_or(job, &["spec", "backoffLimit"], 6) {
        return Err(LegacyError::JobFailed {
            namespace: str_or(job, &["metadata", "namespace"], "").to_string(),
            name: str_or(job, &["metadata", "name"], "").to_string(),
        });
    }
    Ok(match strict_count(job, &["spec", "completions"]) {
        Some(completions) => int_or(job, &["status", "succeeded"], 0) >= completions,
        None => true,
    })
}

/// A Service: an ExternalName one is ready; others need a cluster IP, and
/// a LoadBalancer also an external IP or an ingress.
fn service_ready(service: &Value) -> bool {
    let type_ = str_or(service, &["spec", "type"], "");
    if type_ == "ExternalName" {
        return true;
    }
    if str_or(service, &["spec", "clusterIP"], "").is_empty() {
        return false;
    }
    if type_ == "LoadBalancer" {
        let external_ips = fields::nested(service, &["spec", "externalIPs"])
            .ok()
            .flatten()
            .and_then(Value::as_array)
            .is_some_and(|ips| !ips.is_empty());
        if external_ips {
            return true;
        }
        // Only an absent ingress list counts as none, as in Go.
        let ingress = fields::nested(service, &["status", "loadBalancer", "ingress"])
            .ok()
            .flatten();
        return ingress.is_some_and(|i| !i.is_null());
    }
    true
}

/// A Deployment whose newest ReplicaSet is `rs`: both generations
/// observed, and enough of the ReplicaSet's pods ready that at most
/// `maxUnavailable` are missing.
fn deployment_ready(deployment: &Value, rs: &Value) -> bool {
    if !generation_observed(rs) || !generation_observed(deployment) {
        return false;
    }
    let replicas = int_or(deployment, &["spec", "replicas"], 1);
    let expected = replicas.wrapping_sub(max_unavailable(deployment, replicas));
    int_or(rs, &["status", "readyReplicas"], 0) >= expected
}

/// How many pods a rolling update may take down (the controller's
/// `MaxUnavailable`): none for other strategies or no replicas; invalid
/// values count as none.
fn max_unavailable(deployment: &Value, replicas: i64) -> i64 {
    let strategy = |key| {
        fields::nested(deployment, &["spec", "strategy", key])
            .ok()
            .flatten()
    };
    if strategy("type").and_then(Value::as_str) != Some("RollingUpdate") || replicas == 0 {
        return 0;
    }
    let rolling = |key| {
        fields::nested(deployment, &["spec", "strategy", "rollingUpdate", key])
            .ok()
            .flatten()
    };
    let zero = Value::from(0);
    let surge = lenient_scaled(rolling("maxSurge").unwrap_or(&zero), replicas, true);
    let unavailable = lenient_scaled(rolling("maxUnavailable").unwrap_or(&zero), replicas, false);
    let unavailable = match (surge, unavailable) {
        // Both resolved to nothing: allow one down, as the controller does.
        (Some(0), Some(0)) => 1,
        (Some(_), Some(unavailable)) => unavailable,
        _ => 0,
    };
    unavailable.min(replicas)
}

/// A DaemonSet: its generation observed and, for a rolling update, every
/// updated pod scheduled and all but `maxUnavailable` ready.
fn daemon_set_ready(daemon_set: &Value) -> bool {
    if !generation_observed(daemon_set) {
        return false;
    }
    if str_or(daemon_set, &["spec", "updateStrategy", "type"], "") != "RollingUpdate" {
        return true;
    }
    let desired = int_or(daemon_set, &["status", "desiredNumberScheduled"], 0);
    if int_or(daemon_set, &["status", "updatedNumberScheduled"], 0) != desired {
        return false;
    }
    let max_unavailable = fields::nested(
        daemon_set,
        &["spec", "updateStrategy", "rollingUpdate", "maxUnavailable"],
    )
    .ok()
    .flatten()
    .and_then(|value| strict_scaled(value, desired, true))
    // An invalid value allows every pod to be down, as in the controller.
    .unwrap_or(desired);
    int_or(daemon_set, &["status", "numberReady"], 0) >= desired.wrapping_sub(max_unavailable)
}

/// A CRD: ready once established, or once its names are refused (Helm
/// lets the install go on and fail later).
fn crd_ready(crd: &Value) -> bool {
    let conditions = fields::conditions(crd).unwrap_or_default();
    conditions.iter().any(|c| {
        matches!(
            (c.type_, c.status),
            ("Established", "True") | ("NamesAccepted", "False")
        )
    })
}

/// A StatefulSet: its generation observed and, for a rolling update, the
/// replicas past its partition updated, every replica ready and, without
/// a partition, on the update revision.
fn stateful_set_ready(stateful_set: &Value) -> bool {
    if !generation_observed(stateful_set) {
        return false;
    }
    if str_or(stateful_set, &["spec", "updateStrategy", "type"], "") != "RollingUpdate" {
        return true;
    }
    let partition = int_or(
        stateful_set,
        &["spec", "updateStrategy", "rollingUpdate", "partition"],
        0,
    );
    let replicas = int_or(stateful_set, &["spec", "replicas"], 1);
    if int_or(stateful_set, &["status", "updatedReplicas"], 0) < replicas.wrapping_sub(partition) {
        return false;
    }
    if int_or(stateful_set, &["status", "readyReplicas"], 0) != replicas {
        return false;
    }
    let revision = |key| str_or(stateful_set, &["status", key], "");
    partition != 0 || revision("currentRevision") == revision("updateRevision")
}

/// The ReplicaSet a Deployment's current pod template runs in (the
/// controller's `FindNewReplicaSet`): among `replica_sets` it controls,
/// the oldest whose template equals its own but for the hash label.
pub fn find_new_replica_set<'a>(
    deployment: &Value,
    replica_sets: &'a [Value],
) -> Option<&'a Value> {
    let uid = str_or(deployment, &["metadata", "uid"], "");
    let template = fields::nested(deployment, &["spec", "template"])
        .ok()
        .flatten();
    let mut owned: Vec<&Value> = replica_sets
        .iter()
        .filter(|rs| controlled_by(rs, uid))
        .collect();
    owned.sort_by(|a, b| {
        let created = |rs: &Value| {
            DateTime::parse_from_rfc3339(str_or(rs, &["metadata", "creationTimestamp"], "")).ok()
        };
        created(a).cmp(&created(b)).then_with(|| {
            str_or(a, &["metadata", "name"], "").cmp(str_or(b, &["metadata", "name"], ""))
        })
    });
    owned.into_iter().find(|rs| {
        let theirs = fields::nested(rs, &["spec", "template"]).ok().flatten();
        same_template(template, theirs)
    })
}

/// Whether `object` has a controller owner reference to uid `uid`.
fn controlled_by(object: &Value, uid: &str) -> bool {
    fields::nested(object, &["metadata", "ownerReferences"])
        .ok()
        .flatten()
        .and_then(Value::as_array)
        .is_some_and(|refs| {
            refs.iter().any(|r| {
                r.get("controller").and_then(Value::as_bool) == Some(true)
                    && r.get("uid").and_then(Value::as_str) == Some(uid)
            })
        })
}

/// Pod templates equal but for the hash label, a null counting as absent
/// (typed Go structs cannot tell them apart).
fn same_template(a: Option<&Value>, b: Option<&Value>) -> bool {
    let null = Value::Null;
    equivalent(a.unwrap_or(&null), b.unwrap_or(&null), Level::Template, 0)
}

/// How deep templates are compared; deeper ones count as different.
const MAX_DEPTH: usize = 128;

/// Where in a pod template a comparison is, to find its labels.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    Template,
    Metadata,
    Labels,
    Other,
}

impl Level {
    fn child(self, key: &str) -> Level {
        match (self, key) {
            (Level::Template, "metadata") => Level::Metadata,
            (Level::Metadata, "labels") => Level::Labels,
            _ => Level::Other,
        }
    }
}

fn equivalent(a: &Value, b: &Value, level: Level, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    match (a, b) {
        (Value::Object(a), Value::Object(b)) => {
            let skipped = |key: &str, value: &Value| {
                value.is_null() || (level == Level::Labels && key == POD_TEMPLATE_HASH)
            };
            let theirs = b.iter().filter(|(k, v)| !skipped(k, v)).count();
            let mut ours = 0;
            a.iter()
                .filter(|(k, v)| !skipped(k, v))
                .all(|(key, value)| {
                    ours += 1;
                    b.get(key).is_some_and(|other| {
                        !other.is_null() && equivalent(value, other, level.child(key), depth + 1)
                    })
                })
                && ours == theirs
        }
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len()
                && a.iter()
                    .zip(b)
                    .all(|(x, y)| equivalent(x, y, Level::Other, depth + 1))
        }
        _ => a == b,
    }
}

/// Whether `.status.observedGeneration` equals `.metadata.generation`
/// (absent ones count as 0, as in a typed Go object).
fn generation_observed(object: &Value) -> bool {
    int_or(object, &["status", "observedGeneration"], 0)
        == int_or(object, &["metadata", "generation"], 0)
}

fn paused(deployment: &Value) -> bool {
    fields::nested(deployment, &["spec", "paused"])
        .ok()
        .flatten()
        .and_then(Value::as_bool)
        == Some(true)
}

fn has_condition(object: &Value, type_: &str, status: &str) -> bool {
    fields::conditions(object)
        .unwrap_or_default()
        .iter()
        .any(|c| c.type_ == type_ && c.status == status)
}

/// An optional count: `None` when absent or null.
fn strict_count(object: &Value, path: &[&str]) -> Option<i64> {
    fields::nested(object, path)
        .ok()
        .flatten()
        .and_then(Value::as_i64)
}

/// The object's apiVersion and kind.
fn api_kind(object: &Value) -> (&str, &str) {
    (
        str_or(object, &["apiVersion"], ""),
        str_or(object, &["kind"], ""),
    )
}

/// An int-or-percent scaled to `total` (Go's deprecated
/// `GetValueFromIntOrPercent`, which Helm's copy of the Deployment
/// controller uses): any string is a percentage once its `%` signs are
/// dropped. `None` when invalid.
fn lenient_scaled(value: &Value, total: i64, round_up: bool) -> Option<i64> {
    match value {
        Value::String(text) => {
            let percent: i64 = text.replace('%', "").parse().ok()?;
            Some(scale(percent, total, round_up))
        }
        other => int32(other),
    }
}

/// An int-or-percent scaled to `total` (`GetScaledValueFromIntOrPercent`):
/// a string must end in `%`. `None` when invalid.
fn strict_scaled(value: &Value, total: i64, round_up: bool) -> Option<i64> {
    match value {
        Value::String(text) => {
            let percent: i64 = text.strip_suffix('%')?.parse().ok()?;
            Some(scale(percent, total, round_up))
        }
        other => int32(other),
    }
}

/// An IntOrString's integer: a JSON integer within 32 bits.
fn int32(value: &Value) -> Option<i64> {
    value.as_i64().filter(|n| i32::try_from(*n).is_ok())
}

fn scale(percent: i64, total: i64, round_up: bool) -> i64 {
    let exact = percent as f64 * total as f64 / 100.0;
    // Saturating conversion, where Go's would be undefined.
    (if round_up {
        exact.ceil()
    } else {
        exact.floor()
    }) as i64
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::tests::{
        daemon_set, deployment, job, job_complete, job_failed, patched, pod, replica_set,
        stateful_set,
    };
    use super::*;

    const WAIT: Options = Options {
        check_jobs: false,
        paused_as_ready: true,
    };
    const WAIT_WITH_JOBS: Options = Options {
        check_jobs: true,
        paused_as_ready: true,
    };

    fn alone(object: &Value) -> Result<bool, LegacyError> {
        is_ready(object, Related::default(), WAIT)
    }

    /// A Deployment of four with the given strategy, uid `d-uid`.
    fn deployment_of_four(strategy: Value) -> Value {
        patched(
            &deployment(),
            json!({"metadata": {"uid": "d-uid"}, "spec": {"replicas": 4, "strategy": strategy}}),
        )
    }

    /// The Deployment's ReplicaSet, as the controller creates it.
    fn new_replica_set(deployment: &Value, name: &str, created: &str, ready: i64) -> Value {
        let mut template = deployment["spec"]["template"].clone();
        template["metadata"]["labels"][POD_TEMPLATE_HASH] = json!("7c5ddbdf54");
        json!({
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {
                "name": name, "namespace": "default", "generation": 1, "creationTimestamp": created,
                "labels": {"app": "web", POD_TEMPLATE_HASH: "7c5ddbdf54"},
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web",
                                     "uid": "d-uid", "controller": true, "blockOwnerDeletion": true}]
            },
            "spec": {"replicas": 4, "selector": {"matchLabels": {"app": "web", POD_TEMPLATE_HASH: "7c5ddbdf54"}},
                     "template": template},
            "status": {"observedGeneration": 1, "replicas": 4, "readyReplicas": ready, "availableReplicas": ready}
        })
    }

    fn deployment_ready_with(deployment: &Value, replica_sets: &[Value]) -> bool {
        let related = Related {
            replica_sets,
            pods: &[],
        };
        is_ready(deployment, related, WAIT).expect("no error")
    }

    #[test]
    fn deployments_allow_max_unavailable_pods_down() {
        let rolling = |surge: Value, unavailable: Value| json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": surge, "maxUnavailable": unavailable}});
        let cases = [
            (
                "25% of 4 may be down",
                rolling(json!("25%"), json!("25%")),
                3,
                true,
            ),
            (
                "25% of 4 may be down, not 2",
                rolling(json!("25%"), json!("25%")),
                2,
                false,
            ),
            (
                "10% rounds down to 0, surge 0: one may be down",
                rolling(json!(0), json!("10%")),
                3,
                true,
            ),
            ("an absolute count", rolling(json!(1), json!(2)), 2, true),
            (
                "more than the replicas is capped",
                rolling(json!(1), json!(9)),
                0,
                true,
            ),
            (
                "Recreate needs every pod",
                json!({"type": "Recreate"}),
                3,
                false,
            ),
            (
                "Recreate with every pod",
                json!({"type": "Recreate"}),
                4,
                true,
            ),
            (
                "an invalid value allows none down",
                rolling(json!("x"), json!(2)),
                3,
                false,
            ),
            (
                "a bare number string is a percentage here",
                rolling(json!(0), json!("50")),
                2,
                true,
            ),
        ];
        for (name, strategy, ready, expected) in cases {
            let d = deployment_of_four(strategy);
            let rs = new_replica_set(&d, "web-7c5ddbdf54", "2026-11-22T03:00:00Z", ready);
            assert_eq!(deployment_ready_with(&d, &[rs]), expected, "{name}");
        }
    }

    #[test]
    fn deployments_need_their_own_current_replica_set() {
        let d = deployment_of_four(json!({"type": "Recreate"}));
        let ready = new_replica_set(&d, "web-b", "2026-11-22T03:00:10Z", 4);
        assert!(deployment_ready_with(&d, std::slice::from_ref(&ready)));
        assert!(!deployment_ready_with(&d, &[]), "no ReplicaSet yet");
        let foreign = patched(
            &ready,
            json!({"metadata": {"ownerReferences": [{"uid": "other", "controller": true}]}}),
        );
        assert!(
            !deployment_ready_with(&d, &[foreign]),
            "not controlled by it"
        );
        let not_controller = patched(
            &ready,
            json!({"metadata": {"ownerReferences": [{"uid": "d-uid"}]}}),
        );
        assert!(!deployment_ready_with(&d, &[not_controller]));
        let old_template = patched(
            &ready,
            json!({"spec": {"template": {"spec": {"containers": [{"name": "web", "image": "nginx:1.26"}]}}}}),
        );
        assert!(
            !deployment_ready_with(&d, &[old_template]),
            "an old ReplicaSet"
        );
        // Two ReplicaSets with the current template: the oldest counts.
        let older = new_replica_set(&d, "web-a", "2026-11-22T03:00:00Z", 0);
        assert!(!deployment_ready_with(&d, &[ready.clone(), older.clone()]));
        let same_time = patched(
            &older,
            json!({"metadata": {"creationTimestamp": "2026-11-22T03:00:10Z"}}),
        );
        assert!(
            !deployment_ready_with(&d, &[ready.clone(), same_time]),
            "then by name"
        );
        let stale = patched(&ready, json!({"metadata": {"generation": 2}}));
        assert!(
            !deployment_ready_with(&d, &[stale]),
            "ReplicaSet generation not observed"
        );
        let unobserved = patched(&d, json!({"metadata": {"generation": 2}}));
        assert!(
            !deployment_ready_with(&unobserved, &[ready]),
            "Deployment generation not observed"
        );
    }

    #[test]
    fn templates_compare_without_the_hash_label_and_nulls() {
        let template = deployment()["spec"]["template"].clone();
        let hashed = patched(
            &template,
            json!({"metadata": {"labels": {POD_TEMPLATE_HASH: "abc"}}}),
        );
        assert!(same_template(Some(&template), Some(&hashed)));
        assert!(same_template(Some(&hashed), Some(&template)));
        let with_null = patched(&template, json!({"spec": {"hostname": null}}));
        let mut explicit_null = template.clone();
        explicit_null["spec"]["hostname"] = Value::Null;
        assert!(same_template(Some(&with_null), Some(&explicit_null)));
        let other_label = patched(
            &template,
            json!({"metadata": {"labels": {"tier": "front"}}}),
        );
        assert!(!same_template(Some(&template), Some(&other_label)));
        // The hash label counts anywhere else.
        let nested = patched(
            &template,
            json!({"spec": {"nodeSelector": {POD_TEMPLATE_HASH: "abc"}}}),
        );
        assert!(!same_template(Some(&template), Some(&nested)));
        assert!(!same_template(Some(&template), None));
        assert!(same_template(None, None));
        let mut deep = json!(1);
        for _ in 0..200 {
            deep = json!([deep]);
        }
        assert!(
            !same_template(Some(&deep), Some(&deep.clone())),
            "too deep to compare"
        );
    }

    #[test]
    fn paused_deployments_are_ready_only_when_asked() {
        let paused = patched(&deployment(), json!({"spec": {"paused": true}}));
        assert_eq!(alone(&paused), Ok(true));
        let strict = Options {
            paused_as_ready: false,
            ..WAIT
        };
        assert_eq!(is_ready(&paused, Related::default(), strict), Ok(false));
    }

    #[test]
    fn jobs_count_only_with_wait_for_jobs() {
        let running = job();
        assert_eq!(alone(&job_failed()), Ok(true));
        let checked = |job: &Value| is_ready(job, Related::default(), WAIT_WITH_JOBS);
        assert_eq!(checked(&running), Ok(false));
        assert_eq!(checked(&job_complete()), Ok(true));
        assert_eq!(
            checked(&job_failed()).map_err(|e| e.to_string()),
            Err("job is failed: default/migrate".to_string())
        );
        let within_backoff = patched(&running, json!({"status": {"failed": 6}}));
        assert_eq!(checked(&within_backoff), Ok(false));
        let no_completions = patched(
            &running,
            json!({"spec": {"completions": null, "parallelism": 2}}),
        );
        assert_eq!(
            checked(&no_completions),
            Ok(true),
            "a work queue Job is ready at once"
        );
    }

    #[test]
    fn single_objects() {
        let service = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
                             "spec": {"type": "ClusterIP", "clusterIP": "10.96.14.3"}, "status": {"loadBalancer": {}}});
        let lb = patched(&service, json!({"spec": {"type": "LoadBalancer"}}));
        let claim = |phase: &str| json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "status": {"phase": phase}});
        let crd = |conditions: Value| {
            json!({"apiVersion": "apiextensions.k8s.io/v1",
                                              "kind": "CustomResourceDefinition", "status": {"conditions": conditions}})
        };
        let cases = [
            ("Ready pod", pod(), true),
            (
                "pod not Ready",
                patched(
                    &pod(),
                    json!({"status": {"conditions": [{"type": "Ready", "status": "False"}]}}),
                ),
                false,
            ),
            ("ClusterIP service", service.clone(), true),
            (
                "headless service",
                patched(&service, json!({"spec": {"clusterIP": "None"}})),
                true,
            ),
            (
                "service without IP",
                patched(&service, json!({"spec": {"clusterIP": ""}})),
                false,
            ),
            (
                "ExternalName",
                json!({"apiVersion": "v1", "kind": "Service", "spec": {"type": "ExternalName"}}),
                true,
            ),
            ("LoadBalancer waiting", lb.clone(), false),
            (
                "LoadBalancer with ingress",
                patched(
                    &lb,
                    json!({"status": {"loadBalancer": {"ingress": [{"ip": "203.0.113.9"}]}}}),
                ),
                true,
            ),
            (
                "LoadBalancer with external IPs",
                patched(&lb, json!({"spec": {"externalIPs": ["203.0.113.9"]}})),
                true,
            ),
            ("claim bound", claim("Bound"), true),
            ("claim pending", claim("Pending"), false),
            (
                "CRD established",
                crd(json!([{"type": "Established", "status": "True"}])),
                true,
            ),
            (
                "CRD names refused",
                crd(json!([{"type": "NamesAccepted", "status": "False"}])),
                true,
            ),
            (
                "CRD installing",
                crd(json!([{"type": "Established", "status": "False", "reason": "Installing"}])),
                false,
            ),
            (
                "v1beta1 CRD",
                patched(
                    &crd(json!([{"type": "Established", "status": "True"}])),
                    json!({"apiVersion": "apiextensions.k8s.io/v1beta1"}),
                ),
                true,
            ),
            (
                "no check for ConfigMaps",
                json!({"apiVersion": "v1", "kind": "ConfigMap"}),
                true,
            ),
            (
                "no check for old API versions",
                patched(
                    &deployment(),
                    json!({"apiVersion": "extensions/v1beta1", "status": null}),
                ),
                true,
            ),
        ];
        for (name, object, expected) in cases {
            assert_eq!(alone(&object), Ok(expected), "{name}");
        }
    }

    #[test]
    fn daemon_sets_and_stateful_sets() {
        let ds = daemon_set();
        let sts = stateful_set();
        let cases = [
            ("DaemonSet rolled out", ds.clone(), true),
            (
                "DaemonSet generation not observed",
                patched(&ds, json!({"metadata": {"generation": 2}})),
                false,
            ),
            (
                "DaemonSet updating",
                patched(&ds, json!({"status": {"updatedNumberScheduled": 2}})),
                false,
            ),
            (
                "DaemonSet one down of 1 allowed",
                patched(&ds, json!({"status": {"numberReady": 2}})),
                true,
            ),
            (
                "DaemonSet two down of 1 allowed",
                patched(&ds, json!({"status": {"numberReady": 1}})),
                false,
            ),
            (
                "DaemonSet 50% of 3 rounds up",
                patched(
                    &ds,
                    json!({"spec": {"updateStrategy": {"rollingUpdate": {"maxUnavailable": "50%"}}},
                                                               "status": {"numberReady": 1}}),
                ),
                true,
            ),
            (
                "DaemonSet invalid maxUnavailable allows all down",
                patched(
                    &ds,
                    json!({"spec": {"updateStrategy": {"rollingUpdate": {"maxUnavailable": "50"}}}, "status": {"numberReady": 0}}),
                ),
                true,
            ),
            (
                "DaemonSet OnDelete",
                patched(
                    &ds,
                    json!({"spec": {"updateStrategy": {"type": "OnDelete", "rollingUpdate": null}},
                                                      "status": {"updatedNumberScheduled": 0}}),
                ),
                true,
            ),
            ("StatefulSet rolled out", sts.clone(), true),
            (
                "StatefulSet generation not observed",
                patched(&sts, json!({"status": {"observedGeneration": 0}})),
                false,
            ),
            (
                "StatefulSet updating",
                patched(&sts, json!({"status": {"updatedReplicas": 2}})),
                false,
            ),
            (
                "StatefulSet partition 2 needs one updated",
                patched(
                    &sts,
                    json!({"spec": {"updateStrategy": {"rollingUpdate": {"partition": 2}}},
                 "status": {"updatedReplicas": 1, "updateRevision": "db-new"}}),
                ),
                true,
            ),
            (
                "StatefulSet one not ready",
                patched(&sts, json!({"status": {"readyReplicas": 2}})),
                false,
            ),
            (
                "StatefulSet revisions differ",
                patched(&sts, json!({"status": {"updateRevision": "db-new"}})),
                false,
            ),
            (
                "StatefulSet OnDelete",
                patched(
                    &sts,
                    json!({"spec": {"updateStrategy": {"type": "OnDelete", "rollingUpdate": null}},
                                                          "status": {"readyReplicas": 0}}),
                ),
                true,
            ),
        ];
        for (name, object, expected) in cases {
            assert_eq!(alone(&object), Ok(expected), "{name}");
        }
    }

    #[test]
    fn replica_sets_wait_for_their_pods() {
        let rs = replica_set();
        assert_eq!(needs(&rs), Needs::Pods);
        let not_ready = patched(
            &pod(),
            json!({"status": {"conditions": [{"type": "Ready", "status": "False"}]}}),
        );
        let with = |pods: &[Value]| {
            is_ready(
                &rs,
                Related {
                    replica_sets: &[],
                    pods,
                },
                WAIT,
            )
        };
        assert_eq!(with(&[pod(), pod()]), Ok(true));
        assert_eq!(with(&[pod(), not_ready]), Ok(false));
        assert_eq!(with(&[]), Ok(true));
        let stale = patched(&rs, json!({"metadata": {"generation": 3}}));
        assert_eq!(is_ready(&stale, Related::default(), WAIT), Ok(false));
    }

    #[test]
    fn what_checks_need() {
        assert_eq!(needs(&deployment()), Needs::ReplicaSets);
        assert_eq!(
            needs(&json!({"apiVersion": "v1", "kind": "ReplicationController"})),
            Needs::Pods
        );
        assert_eq!(needs(&pod()), Needs::Nothing);
    }

    #[test]
    fn hooks_wait_for_jobs_and_pods_to_finish() {
        assert_eq!(hook_done(&job()), Ok(false));
        assert_eq!(hook_done(&job_complete()), Ok(true));
        assert_eq!(
            hook_done(&job_failed()).map_err(|e| e.to_string()),
            Err("job migrate failed: BackoffLimitExceeded".to_string())
        );
        assert_eq!(hook_done(&pod()), Ok(false), "running is not done");
        assert_eq!(
            hook_done(&patched(&pod(), json!({"status": {"phase": "Succeeded"}}))),
            Ok(true)
        );
        assert_eq!(
            hook_done(&patched(&pod(), json!({"status": {"phase": "Failed"}})))
                .map_err(|e| e.to_string()),
            Err("pod web-7c5ddbdf54-x2x9k failed".to_string())
        );
        assert_eq!(hook_done(&deployment()), Ok(true));
    }

    #[test]
    fn retryable_statuses() {
        let cases = [
            (0, true),
            (429, true),
            (500, true),
            (501, false),
            (503, true),
            (404, false),
            (409, false),
        ];
        for (status, expected) in cases {
            assert_eq!(is_retryable(status), expected, "{status}");
        }
    }
}
