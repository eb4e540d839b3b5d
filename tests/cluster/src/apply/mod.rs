//! Field ownership and server-side apply, as kube-apiserver does them with
//! `sigs.k8s.io/structured-merge-diff`.
//!
//! Every write records its field manager in `metadata.managedFields`
//! ([`record_update`]: an `Update` entry holding the fields the write set
//! or changed, taken from every other manager). An apply
//! ([`server_side_apply`]) merges the applied configuration into the live
//! object by the kind's list keys ([`schema`]), makes the applier own
//! exactly the fields it applied, removes fields it applied before and no
//! longer does (unless another applier owns them), and refuses to change
//! fields other managers own unless forced, with the API server's 409.
//! [`request`] turns a PATCH request into a patch or an apply.

mod fieldset;
mod managers;
pub mod request;
mod schema;
mod typed;

use serde_json::{Value, json};

use crate::resources::ResourceType;
use crate::status::ApiError;
use fieldset::{FieldSet, PathElement};
use managers::{Entry, Operation};
use typed::Duplicates;

/// Metadata the API server owns or that is the object's identity: never
/// in anyone's field set (`stripmeta` in the API server).
const IGNORED_METADATA: &[&str] = &[
    "name",
    "namespace",
    "creationTimestamp",
    "selfLink",
    "uid",
    "generation",
    "managedFields",
    "resourceVersion",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
];

/// Fields the registry's create strategy fills in (`PrepareForCreate`)
/// after the API server has recorded the creator's fields: group, kind,
/// JSON pointer and the value filled in. A create holding exactly that
/// value is taken not to have set it.
const SET_BY_CREATE_STRATEGY: &[(&str, &str, &str, &str)] =
    &[("", "Namespace", "/spec/finalizers", r#"["kubernetes"]"#)];

/// `changed` without what the create strategy set in `created`.
fn without_strategy_fields(
    resource: &ResourceType,
    created: &Value,
    changed: FieldSet,
) -> FieldSet {
    SET_BY_CREATE_STRATEGY
        .iter()
        .filter(|(group, kind, pointer, value)| {
            (resource.group, resource.kind) == (*group, *kind)
                && created.pointer(pointer).map(Value::to_string).as_deref() == Some(*value)
        })
        .fold(changed, |set, (_, _, pointer, _)| {
            let path: Vec<PathElement> = pointer
                .split('/')
                .skip(1)
                .map(|name| PathElement::Field(name.to_owned()))
                .collect();
            set.without_subtree(&path)
        })
}

/// What an apply request asks for, from its query.
#[derive(Debug, Clone, Copy)]
pub struct ApplyRequest<'a> {
    /// `fieldManager`: who applies.
    pub manager: &'a str,
    /// `force`: take fields other managers own instead of conflicting.
    pub force: bool,
    /// `dryRun=All`: answer without storing.
    pub dry_run: bool,
}

fn field(name: &str) -> PathElement {
    PathElement::Field(name.to_owned())
}

/// `set` without what nobody owns: identity and server metadata, and
/// `status`, which the main resource resets.
fn strip(set: &FieldSet) -> FieldSet {
    let mut ignored = FieldSet::default();
    ignored.insert(&[field("apiVersion")]);
    ignored.insert(&[field("kind")]);
    ignored.insert(&[field("metadata")]);
    for name in IGNORED_METADATA {
        ignored.insert(&[field("metadata"), field(name)]);
    }
    set.difference(&ignored)
        .without_subtree(&[field("status")])
        .without_subtree(&[field("metadata"), field("managedFields")])
}

fn shape(resource: &ResourceType) -> &'static schema::Shape {
    schema::for_kind(resource.group, resource.kind)
}

/// An error the API server reports without a reason (500, "Error from
/// server: …" in kubectl): an object that does not fit its kind's shape.
fn internal(message: String) -> ApiError {
    ApiError {
        code: 500,
        reason: "",
        message,
        details: None,
    }
}

/// `failed to create typed patch object (ns/name; apps/v1, Kind=Deployment): …`,
/// for the applied configuration (`what` = "patch") or the live object.
fn typed_error(
    what: &str,
    resource: &ResourceType,
    object: &Value,
    error: impl std::fmt::Display,
) -> ApiError {
    let field = |name| {
        object["metadata"][name]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    internal(format!(
        "failed to create typed {what} object ({}/{}; {}, Kind={}): {error}",
        field("namespace"),
        field("name"),
        resource.api_version(),
        resource.kind
    ))
}

fn merge_error(error: impl std::fmt::Display) -> ApiError {
    internal(format!("failed to merge config: {error}"))
}

/// Why the managers of a write could not be recorded.
#[derive(Debug, thiserror::Error)]
enum RecordError {
    /// The old or new object does not fit its kind's shape.
    #[error(transparent)]
    Shape(#[from] typed::ShapeError),
}

/// Checks an applied configuration as the API server does before merging
/// it: its version must be the served one, and `managedFields` are the
/// server's to write.
pub fn validate_config(resource: &ResourceType, config: &Value) -> Result<(), ApiError> {
    let given = config
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let expected = resource.api_version();
    if given != expected {
        return Err(ApiError::bad_request(format!(
            "Incorrect version specified in apply patch. Specified patch version: {given}, expected: {expected}"
        )));
    }
    if config
        .pointer("/metadata/managedFields")
        .is_some_and(|m| !m.is_null())
    {
        return Err(ApiError::bad_request("metadata.managedFields must be nil"));
    }
    Ok(())
}

/// Records a create (`old` is `None`), update or patch by `manager` in
/// `new`'s `managedFields`. The managers are those `new` carries when it
/// carries any (clients may rewrite them; `[]` or `[{}]` clears them),
/// else `old`'s. An update of an object without managers records none, as
/// the API server only starts tracking on create or apply. A write never
/// fails for its managers: when they cannot be worked out, the object
/// loses its `managedFields`, as kube-apiserver's `UpdateNoErrors` does.
pub fn record_update(
    resource: &ResourceType,
    old: Option<&Value>,
    new: &mut Value,
    manager: &str,
    now: &str,
) {
    if record(resource, old, new, manager, now).is_err()
        && let Some(metadata) = new.get_mut("metadata").and_then(Value::as_object_mut)
    {
        metadata.remove("managedFields");
    }
}

fn record(
    resource: &ResourceType,
    old: Option<&Value>,
    new: &mut Value,
    manager: &str,
    now: &str,
) -> Result<(), RecordError> {
    let mut entries = if managers::is_reset(new) {
        Vec::new()
    } else {
        match managers::read(new) {
            Ok(entries) if !entries.is_empty() => entries,
            // A live object whose managers cannot be read has none.
            _ => old
                .map(|old| managers::read(old).unwrap_or_default())
                .unwrap_or_default(),
        }
    };
    if entries.is_empty() && old.is_some() {
        managers::write(new, entries);
        return Ok(());
    }
    let empty = json!({});
    let comparison = typed::compare(old.unwrap_or(&empty), new, shape(resource))?;
    let mut changed = strip(&comparison.modified.union(&comparison.added));
    if old.is_none() {
        changed = without_strategy_fields(resource, new, changed);
    }
    let removed = strip(&comparison.removed);
    for entry in &mut entries {
        if !entry.is(manager, Operation::Update) {
            entry.fields = entry.fields.difference(&changed).difference(&removed);
        }
    }
    if !changed.is_empty() || !removed.is_empty() {
        let position = entries
            .iter()
            .position(|e| e.is(manager, Operation::Update));
        let mut entry = match position {
            Some(index) => entries.remove(index),
            None => Entry {
                manager: manager.to_owned(),
                operation: Operation::Update,
                api_version: resource.api_version(),
                time: String::new(),
                subresource: String::new(),
                fields: FieldSet::default(),
            },
        };
        entry.fields = entry.fields.union(&changed).difference(&removed);
        entry.api_version = resource.api_version();
        entry.time = now.to_owned();
        entries.push(entry);
    }
    managers::cap_updaters(&mut entries);
    managers::write(new, entries);
    Ok(())
}

/// Applies `config` for `request.manager` to `live` (`None`: the object
/// does not exist yet), returning the object to store with its
/// `managedFields`. Fails with the API server's 409 when `config` changes
/// fields another manager owns and `request.force` is not set.
///
/// Applies by `kubectl` take over from client-side apply as the API server
/// lets them: conflicts on fields the live object still holds as
/// `kubectl.kubernetes.io/last-applied-configuration` says are forced, and
/// that annotation, when present, is rewritten to the applied
/// configuration.
pub fn server_side_apply(
    resource: &ResourceType,
    live: Option<&Value>,
    config: &Value,
    request: &ApplyRequest<'_>,
    now: &str,
) -> Result<Value, ApiError> {
    let kubectl = request.manager == KUBECTL;
    let mut merged = match own(resource, live, config, request.manager, request.force, now) {
        Ok(merged) => merged,
        Err(Failure::Api(error)) => return Err(error),
        Err(Failure::Conflicts(conflicts)) => {
            let allowed = live
                .filter(|_| kubectl)
                .and_then(|live| last_applied_fields(resource, live));
            let Some(allowed) = allowed else {
                return Err(conflict_error(conflicts));
            };
            let rest: Vec<(String, FieldSet)> = conflicts
                .into_iter()
                .map(|(manager, set)| (manager, set.difference(&allowed)))
                .filter(|(_, set)| !set.is_empty())
                .collect();
            if !rest.is_empty() {
                return Err(conflict_error(rest));
            }
            own(resource, live, config, request.manager, true, now)
                .map_err(Failure::into_api_error)?
        }
    };
    if kubectl && merged.pointer(LAST_APPLIED_POINTER).is_some() {
        merged["metadata"]["annotations"][LAST_APPLIED] = json!(last_applied_text(config));
    }
    Ok(merged)
}

/// The annotation client-side apply keeps its last configuration in.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";
/// [`LAST_APPLIED`] as a JSON pointer into an object.
const LAST_APPLIED_POINTER: &str =
    "/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration";
/// The field manager whose applies take over from client-side apply.
const KUBECTL: &str = "kubectl";

/// Why an apply failed: conflicts (which a `kubectl` apply may force), or
/// anything else.
enum Failure {
    Conflicts(Vec<(String, FieldSet)>),
    Api(ApiError),
}

impl Failure {
    fn into_api_error(self) -> ApiError {
        match self {
            Failure::Conflicts(conflicts) => conflict_error(conflicts),
            Failure::Api(error) => error,
        }
    }
}

impl From<ApiError> for Failure {
    fn from(error: ApiError) -> Self {
        Failure::Api(error)
    }
}

/// The fields client-side apply last applied and the live object still
/// holds with the same values; `None` without a readable annotation of the
/// served version.
fn last_applied_fields(resource: &ResourceType, live: &Value) -> Option<FieldSet> {
    let text = live.pointer(LAST_APPLIED_POINTER)?.as_str()?;
    let last: Value = serde_json::from_str(text).ok()?;
    if last.get("apiVersion").and_then(Value::as_str) != Some(resource.api_version().as_str()) {
        return None;
    }
    let shape = shape(resource);
    let fields = typed::to_field_set(&last, shape, Duplicates::Refused).ok()?;
    let differ = typed::compare(&last, live, shape).ok()?;
    Some(
        fields
            .difference(&differ.modified)
            .difference(&differ.added)
            .difference(&differ.removed),
    )
}

/// The annotation's text for an applied configuration: its JSON without
/// the annotation itself, as Go's encoder writes it (sorted keys, HTML
/// characters escaped, a final newline).
fn last_applied_text(config: &Value) -> String {
    let mut config = config.clone();
    if let Some(annotations) = config
        .pointer_mut("/metadata/annotations")
        .and_then(Value::as_object_mut)
    {
        annotations.remove(LAST_APPLIED);
    }
    let mut text = String::new();
    for c in config.to_string().chars() {
        match c {
            '<' => text.push_str("\\u003c"),
            '>' => text.push_str("\\u003e"),
            '&' => text.push_str("\\u0026"),
            '\u{2028}' => text.push_str("\\u2028"),
            '\u{2029}' => text.push_str("\\u2029"),
            c => text.push(c),
        }
    }
    text.push('\n');
    text
}

/// One apply: the merged object with its managers, or the conflicts.
fn own(
    resource: &ResourceType,
    live: Option<&Value>,
    config: &Value,
    manager: &str,
    force: bool,
    now: &str,
) -> Result<Value, Failure> {
    let shape = shape(resource);
    let empty = json!({});
    let live = live.unwrap_or(&empty);
    let mut entries = managers::read(live)
        .map_err(|e| internal(format!("failed to decode managed fields: {e}")))?;
    let applied = strip(
        &typed::to_field_set(config, shape, Duplicates::Refused)
            .map_err(|e| typed_error("patch", resource, config, e))?,
    );
    typed::to_field_set(live, shape, Duplicates::Tolerated)
        .map_err(|e| typed_error("live", resource, live, e))?;

    // The main resource ignores an applied status, and managedFields are
    // the server's to write.
    let mut config = config.clone();
    if let Some(map) = config.as_object_mut() {
        map.remove("status");
        if let Some(metadata) = map.get_mut("metadata").and_then(Value::as_object_mut) {
            metadata.remove("managedFields");
        }
    }
    let mut merged = typed::merge(live, &config, shape).map_err(merge_error)?;

    let previous = entries
        .iter()
        .position(|e| e.is(manager, Operation::Apply))
        .map(|index| entries.remove(index));
    let appliers = entries
        .iter()
        .filter(|e| e.operation == Operation::Apply)
        .fold(applied.clone(), |owned, e| owned.union(&e.fields));
    if let Some(previous) = &previous {
        // What this manager applied last time and no applier claims now
        // goes away.
        let present =
            typed::to_field_set(&merged, shape, Duplicates::Tolerated).map_err(merge_error)?;
        let dropped = previous.fields.intersection(&present).difference(&appliers);
        merged = typed::remove_items(&merged, &dropped, shape).map_err(merge_error)?;
    }

    let comparison = typed::compare(live, &merged, shape).map_err(merge_error)?;
    let changed = strip(&comparison.modified.union(&comparison.added));
    let removed = strip(&comparison.removed);
    let conflicts: Vec<(String, FieldSet)> = entries
        .iter()
        .map(|e| (e.describe(), e.fields.intersection(&changed)))
        .filter(|(_, set)| !set.is_empty())
        .collect();
    if !force && !conflicts.is_empty() {
        return Err(Failure::Conflicts(conflicts));
    }
    for entry in &mut entries {
        entry.fields = entry.fields.difference(&changed).difference(&removed);
    }
    // An apply that leaves the object as it was does not touch the
    // applier's time: a new co-owner of unchanged fields gets none.
    let unchanged = changed.is_empty() && removed.is_empty();
    let time = match previous {
        _ if !unchanged => now.to_owned(),
        Some(previous) => previous.time,
        None => String::new(),
    };
    entries.push(Entry {
        manager: manager.to_owned(),
        operation: Operation::Apply,
        api_version: resource.api_version(),
        time,
        subresource: String::new(),
        fields: applied,
    });
    managers::cap_updaters(&mut entries);
    managers::write(&mut merged, entries);
    Ok(merged)
}

/// The 409 kube-apiserver answers an apply that would take fields from
/// other managers: one cause per field, and a message that lists them.
fn conflict_error(mut conflicts: Vec<(String, FieldSet)>) -> ApiError {
    conflicts.sort_by(|a, b| a.0.cmp(&b.0));
    let mut causes = Vec::new();
    let mut lines = Vec::new();
    let mut single = String::new();
    for (manager, set) in &conflicts {
        lines.push(format!("conflicts with {manager}:"));
        for path in set.paths() {
            single = format!("conflict with {manager}: {path}");
            causes.push(json!({
                "reason": "FieldManagerConflict",
                "message": format!("conflict with {manager}"),
                "field": path.to_string(),
            }));
            lines.push(format!("- {path}"));
        }
    }
    let message = match causes.len() {
        1 => format!("Apply failed with 1 conflict: {single}"),
        count => format!("Apply failed with {count} conflicts: {}", lines.join("\n")),
    };
    ApiError {
        code: 409,
        reason: "Conflict",
        message,
        details: Some(json!({ "causes": causes })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources;

    const NOW: &str = "2026-01-01T00:00:00Z";
    const LATER: &str = "2026-01-01T00:01:00Z";

    fn deployments() -> &'static ResourceType {
        resources::find("apps", "v1", "deployments").expect("served")
    }

    fn configmaps() -> &'static ResourceType {
        resources::find("", "v1", "configmaps").expect("served")
    }

    fn request(manager: &str, force: bool) -> ApplyRequest<'_> {
        ApplyRequest {
            manager,
            force,
            dry_run: false,
        }
    }

    fn entries(object: &Value) -> Vec<Value> {
        object["metadata"]["managedFields"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| json!([e["manager"], e["operation"], e["time"], e["fieldsV1"]]))
            .collect()
    }

    #[test]
    fn a_create_owns_what_it_set_with_new_maps_as_items() {
        let mut object = json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "d", "namespace": "ns", "uid": "u", "labels": {"a": "b"}},
            "spec": {"replicas": 1, "strategy": {"type": "Recreate"}, "template": {"spec": {"containers": [
                {"name": "c", "resources": {"limits": {"cpu": "1"}}}
            ]}}},
            "status": {"replicas": 0}
        });
        record_update(deployments(), None, &mut object, "kubectl-create", NOW);
        // Go structs the zero object has (`spec`, `strategy`, `template`,
        // `containers`) are not items of their own; inside a new container
        // even `resources` is.
        assert_eq!(
            entries(&object),
            [json!(["kubectl-create", "Update", NOW, {
                "f:metadata": {"f:labels": {".": {}, "f:a": {}}},
                "f:spec": {"f:replicas": {}, "f:strategy": {"f:type": {}}, "f:template": {"f:spec": {"f:containers": {
                    "k:{\"name\":\"c\"}": {".": {}, "f:name": {}, "f:resources": {
                        ".": {}, "f:limits": {".": {}, "f:cpu": {}}
                    }}
                }}}}
            }])]
        );
        assert_eq!(
            object["metadata"]["managedFields"][0]["apiVersion"],
            "apps/v1"
        );
    }

    #[test]
    fn a_namespace_creator_does_not_own_the_finalizer_the_server_adds() {
        let namespaces = resources::find("", "v1", "namespaces").expect("served");
        let mut object = json!({"metadata": {"name": "n", "labels": {"kubernetes.io/metadata.name": "n"}},
            "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}});
        record_update(namespaces, None, &mut object, "kubectl-create", NOW);
        assert_eq!(
            entries(&object),
            [json!(["kubectl-create", "Update", NOW, {
                "f:metadata": {"f:labels": {".": {}, "f:kubernetes.io/metadata.name": {}}}
            }])]
        );
    }

    #[test]
    fn updates_take_fields_from_other_managers_and_removals_from_all() {
        let mut object = json!({"metadata": {"name": "c"}, "data": {"a": "1", "b": "2"}});
        record_update(configmaps(), None, &mut object, "creator", NOW);
        let old = object.clone();
        object["data"] = json!({"a": "changed"});
        record_update(configmaps(), Some(&old), &mut object, "editor", LATER);
        assert_eq!(
            entries(&object),
            [
                // Still the owner of the map itself: a member without
                // children is written as a leaf.
                json!(["creator", "Update", NOW, {"f:data": {}}]),
                json!(["editor", "Update", LATER, {"f:data": {"f:a": {}}}]),
            ]
        );
        // A write that changes nothing adds no manager.
        let same = object.clone();
        record_update(configmaps(), Some(&same), &mut object, "idle", LATER);
        assert_eq!(object, same);
    }

    #[test]
    fn apply_conflicts_with_the_api_servers_status() {
        let mut live = json!({"metadata": {"name": "c"}, "data": {"a": "1", "b": "2"}});
        record_update(configmaps(), None, &mut live, "kubectl-create", NOW);
        let config = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "x"}});
        let err = server_side_apply(
            configmaps(),
            Some(&live),
            &config,
            &request("helm", false),
            LATER,
        )
        .expect_err("conflict");
        assert_eq!((err.code, err.reason), (409, "Conflict"));
        assert_eq!(
            err.message,
            "Apply failed with 1 conflict: conflict with \"kubectl-create\" using v1: .data.a"
        );
        assert_eq!(
            err.to_status()["details"],
            json!({"causes": [{
                "reason": "FieldManagerConflict",
                "message": "conflict with \"kubectl-create\" using v1",
                "field": ".data.a"
            }]})
        );
        // The same value is shared, not a conflict.
        let same = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "1"}});
        let shared = server_side_apply(
            configmaps(),
            Some(&live),
            &same,
            &request("helm", false),
            LATER,
        )
        .expect("no conflict");
        assert_eq!(
            entries(&shared),
            [
                json!(["helm", "Apply", null, {"f:data": {"f:a": {}}}]),
                json!(["kubectl-create", "Update", NOW, {"f:data": {".": {}, "f:a": {}, "f:b": {}}}]),
            ]
        );
        let forced = server_side_apply(
            configmaps(),
            Some(&live),
            &config,
            &request("helm", true),
            LATER,
        )
        .expect("forced");
        assert_eq!(forced["data"], json!({"a": "x", "b": "2"}));
        assert_eq!(
            entries(&forced)[1],
            json!(["kubectl-create", "Update", NOW, {"f:data": {".": {}, "f:b": {}}}])
        );
    }

    #[test]
    fn reapplying_removes_only_what_no_other_applier_owns() {
        let config = |data: Value| json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": data});
        let first = server_side_apply(
            configmaps(),
            None,
            &config(json!({"a": "1", "b": "2", "c": "3"})),
            &request("one", false),
            NOW,
        )
        .expect("created");
        let second = server_side_apply(
            configmaps(),
            Some(&first),
            &config(json!({"b": "2"})),
            &request("two", false),
            NOW,
        )
        .expect("shared");
        let third = server_side_apply(
            configmaps(),
            Some(&second),
            &config(json!({"a": "1"})),
            &request("one", false),
            LATER,
        )
        .expect("reapplied");
        assert_eq!(third["data"], json!({"a": "1", "b": "2"}));
        // Re-applying the same configuration keeps the applier's time.
        let fourth = server_side_apply(
            configmaps(),
            Some(&third),
            &config(json!({"a": "1"})),
            &request("one", false),
            "2027-01-01T00:00:00Z",
        )
        .expect("no-op");
        assert_eq!(fourth, third);
    }

    #[test]
    fn applied_configurations_are_checked_before_merging() {
        let config = json!({"apiVersion": "apps/v2", "kind": "Deployment"});
        let err = validate_config(deployments(), &config).expect_err("version");
        assert_eq!(
            (err.code, err.message.as_str()),
            (
                400,
                "Incorrect version specified in apply patch. Specified patch version: apps/v2, expected: apps/v1"
            )
        );
        let config =
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"managedFields": []}});
        let err = validate_config(configmaps(), &config).expect_err("managed fields");
        assert_eq!(err.message, "metadata.managedFields must be nil");
        let duplicated = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "d", "namespace": "ns"},
            "spec": {"template": {"spec": {"containers": [{"name": "a"}, {"name": "a"}]}}}});
        let err = server_side_apply(deployments(), None, &duplicated, &request("m", false), NOW)
            .expect_err("duplicate");
        assert_eq!(err.code, 500);
        assert_eq!(err.to_status().get("reason"), None);
        assert_eq!(
            err.message,
            "failed to create typed patch object (ns/d; apps/v1, Kind=Deployment): \
             .spec.template.spec.containers: duplicate entries for key [name=\"a\"]"
        );
    }

    #[test]
    fn kubectl_takes_over_what_client_side_apply_last_applied() {
        let last = r#"{"apiVersion":"v1","data":{"a":"1","b":"1"},"kind":"ConfigMap","metadata":{"annotations":{},"name":"c"}}"#;
        let mut live = json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "c", "annotations": {LAST_APPLIED: last}}, "data": {"a": "1", "b": "1"}});
        record_update(
            configmaps(),
            None,
            &mut live,
            "kubectl-client-side-apply",
            NOW,
        );
        // `b` changed since client-side apply last applied it.
        let old = live.clone();
        live["data"]["b"] = json!("changed");
        record_update(
            configmaps(),
            Some(&old),
            &mut live,
            "kubectl-client-side-apply",
            NOW,
        );
        let config = |data: Value| json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": data});

        let applied = server_side_apply(
            configmaps(),
            Some(&live),
            &config(json!({"a": "<2>"})),
            &request("kubectl", false),
            LATER,
        )
        .expect("taken over");
        assert_eq!(applied["data"]["a"], "<2>");
        assert_eq!(
            applied["metadata"]["annotations"][LAST_APPLIED],
            "{\"apiVersion\":\"v1\",\"data\":{\"a\":\"\\u003c2\\u003e\"},\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"}}\n"
        );
        // Another manager name gets the conflict.
        let err = server_side_apply(
            configmaps(),
            Some(&live),
            &config(json!({"a": "2"})),
            &request("mine", false),
            LATER,
        )
        .expect_err("conflict");
        assert_eq!(err.code, 409);
        // A field that no longer holds the last-applied value still conflicts.
        let err = server_side_apply(
            configmaps(),
            Some(&live),
            &config(json!({"a": "2", "b": "2"})),
            &request("kubectl", false),
            LATER,
        )
        .expect_err("conflict");
        assert_eq!(
            err.message,
            "Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using v1: .data.b"
        );
    }

    #[test]
    fn managers_are_cleared_by_an_empty_entry_and_not_tracked_after() {
        let mut live = json!({"metadata": {"name": "c"}, "data": {"a": "1"}});
        record_update(configmaps(), None, &mut live, "creator", NOW);
        for reset in [json!([]), json!([{}])] {
            let mut new = live.clone();
            new["metadata"]["managedFields"] = reset;
            new["data"]["a"] = json!("2");
            record_update(configmaps(), Some(&live), &mut new, "resetter", LATER);
            assert_eq!(new["metadata"].get("managedFields"), None);
            let mut next = new.clone();
            next["data"]["b"] = json!("3");
            record_update(configmaps(), Some(&new), &mut next, "later", LATER);
            assert_eq!(next["metadata"].get("managedFields"), None);
        }
    }

    #[test]
    fn malformed_managers_are_dropped_by_plain_writes() {
        let old = json!({"metadata": {"name": "c", "managedFields": [{"operation": "Sideways"}]}});
        let mut new =
            json!({"metadata": {"name": "c", "managedFields": "nonsense"}, "data": {"a": "1"}});
        record_update(configmaps(), Some(&old), &mut new, "m", NOW);
        assert_eq!(new["metadata"].get("managedFields"), None);
    }
}
