//! Kubernetes strategic merge patch over [`serde_json::Value`].
//!
//! A strategic merge patch is a JSON merge patch (RFC 7386) that knows,
//! from the Go types of a kind, which lists merge element by element and by
//! which key (`containers` by `name`, `ports` by `containerPort`,
//! `finalizers` as a set). It carries directives the plain merge patch
//! lacks: `$patch: delete|replace`, `$retainKeys`,
//! `$setElementOrder/<field>` and `$deleteFromPrimitiveList/<field>`.
//!
//! - [`apply_patch`] is what the API server does with a patch;
//! - [`two_way_patch`] is what turns one object into another;
//! - [`three_way_patch`] is what Helm 3's client-side apply sends: the
//!   changes from the live object to the new manifest, plus the deletions
//!   from the old manifest to the new one, so that fields set by others
//!   survive.
//!
//! The semantics follow `k8s.io/apimachinery/pkg/util/strategicpatch`;
//! [`MergeSchema`] says which kind's struct tags apply. Kinds it does not
//! know (custom resources) are patched as plain JSON merge patches, which
//! is what both the API server and Helm do for them.

mod apply;
mod conflicts;
mod diff;
mod go_slice;
mod json_merge;
mod schema;
mod value;

use serde_json::{Map, Value};

use apply::MergeOptions;
use diff::DiffOptions;

/// The patch metadata of one kind: which of its lists merge and by which
/// key. Built from `(apiVersion, kind)`; unknown kinds get JSON merge patch
/// semantics.
#[derive(Debug, Clone, Copy)]
pub struct MergeSchema {
    root: Option<&'static schema::Struct>,
}

impl MergeSchema {
    /// The schema of `kind` in `api_version` (`"apps/v1"`, `"Deployment"`).
    pub fn for_kind(api_version: &str, kind: &str) -> MergeSchema {
        MergeSchema {
            root: schema::kind(api_version, kind),
        }
    }

    /// The schema of the object's own `apiVersion` and `kind`.
    pub fn for_object(object: &Value) -> MergeSchema {
        let field = |name| object.get(name).and_then(Value::as_str).unwrap_or("");
        MergeSchema::for_kind(field("apiVersion"), field("kind"))
    }

    /// Plain JSON merge patch (RFC 7386), as for custom resources.
    pub fn json_merge() -> MergeSchema {
        MergeSchema { root: None }
    }

    /// Whether patches for this kind are strategic (a built-in kind) rather
    /// than JSON merge patches.
    pub fn is_strategic(&self) -> bool {
        self.root.is_some()
    }
}

/// Why a patch could not be applied or computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatchError {
    /// A document or patch was not a JSON object (or `null`).
    #[error("invalid JSON document: expected an object, got {0}")]
    NotAnObject(&'static str),
    /// `$patch` held something other than `delete` or `replace`.
    #[error("unknown patch type: {0}")]
    UnknownDirective(String),
    /// `$patch: merge` inside a list, which Kubernetes does not implement.
    #[error("merging lists cannot yet be specified in the patch")]
    MergeDirectiveInList,
    /// `$patch` was compared between two documents and was not a string.
    #[error("invalid value for special key: $patch")]
    BadDirectiveValue,
    /// An element of a merging list lacks the list's merge key.
    #[error("map: {element} does not contain declared merge key: {key}")]
    MissingMergeKey {
        /// The element, as JSON.
        element: String,
        /// The merge key it should carry.
        key: String,
    },
    /// An element of a merging list of objects is not an object.
    #[error("invalid element in merging list: {0}")]
    NotAnElementObject(String),
    /// A merging list holds objects but its field has no merge key.
    #[error("cannot merge lists of objects without a merge key")]
    NoMergeKey,
    /// A list mixes element types (strings and numbers, say).
    #[error("list element types are not identical")]
    MixedElementTypes,
    /// A list holds lists or `null`s, which no Kubernetes list does.
    #[error("lists of lists (or of nulls) are not supported")]
    UnsupportedElement,
    /// A list whose order had to be computed was empty on both sides.
    #[error("no elements in any of the given slices")]
    NoElements,
    /// `$retainKeys` was not a list, or the patch sets a key it omits.
    #[error("invalid patch format of retainKeys")]
    BadRetainKeys,
    /// `$setElementOrder/<field>` was malformed or disagrees with another.
    #[error("invalid patch format of setElementOrder list")]
    BadSetElementOrder,
    /// A `$deleteFromPrimitiveList` key without `/<field>`.
    #[error("invalid patch format of primitive list")]
    BadDeleteFromPrimitiveList,
    /// The patch lists elements in an order `$setElementOrder` contradicts.
    #[error("the order in the patch list doesn't match the $setElementOrder list")]
    OrderMismatch,
    /// Without overwrite, the patch changes a field that the live object
    /// has also changed since the original.
    #[error("patch {patch} conflicts with changes made from original to current: {changed}")]
    Conflict {
        /// The patch that would have been sent, as JSON.
        patch: String,
        /// What changed between the original and the live object, as JSON.
        changed: String,
    },
}

/// Applies `patch` to `original`, as the API server does for a PATCH of
/// type `application/strategic-merge-patch+json` (or, when `schema` is not
/// strategic, `application/merge-patch+json`). `null` counts as `{}`.
pub fn apply_patch(
    original: &Value,
    patch: &Value,
    schema: &MergeSchema,
) -> Result<Value, PatchError> {
    let original = object(original)?;
    let patch = object(patch)?;
    let merged = match schema.root {
        Some(root) => apply::merge_map(original, patch, Some(root), MergeOptions::SERVER)?,
        None => json_merge::apply(original, patch),
    };
    Ok(Value::Object(merged))
}

/// The patch that turns `original` into `modified`
/// (`CreateTwoWayMergePatch`).
pub fn two_way_patch(
    original: &Value,
    modified: &Value,
    schema: &MergeSchema,
) -> Result<Value, PatchError> {
    let original = object(original)?;
    let modified = object(modified)?;
    let patch = match schema.root {
        Some(root) => diff::diff_maps(&original, &modified, Some(root), DiffOptions::TWO_WAY)?,
        None => json_merge::diff(&original, &modified),
    };
    Ok(Value::Object(patch))
}

/// The patch Helm 3 sends on upgrade (`CreateThreeWayMergePatch`): what
/// differs from `current` (the live object) to `modified` (the new
/// manifest), without deleting what the live object has beyond it, plus
/// the deletions from `original` (the previous manifest) to `modified`.
///
/// Without `overwrite`, a patch touching a field that also changed from
/// `original` to `current` fails with [`PatchError::Conflict`]; Helm passes
/// `true`.
pub fn three_way_patch(
    original: &Value,
    modified: &Value,
    current: &Value,
    schema: &MergeSchema,
    overwrite: bool,
) -> Result<Value, PatchError> {
    let original = object(original)?;
    let modified = object(modified)?;
    let current = object(current)?;
    let (patch, changed) = match schema.root {
        Some(root) => {
            let ty = Some(root);
            let delta = diff::diff_maps(&current, &modified, ty, DiffOptions::ADDITIONS)?;
            let deletions = diff::diff_maps(&original, &modified, ty, DiffOptions::DELETIONS)?;
            let patch = apply::merge_map(deletions, delta, ty, MergeOptions::CLIENT)?;
            if overwrite {
                return Ok(Value::Object(patch));
            }
            let changed = diff::diff_maps(&original, &current, ty, DiffOptions::default())?;
            if !conflicts::maps_conflict(&patch, &changed, ty)? {
                return Ok(Value::Object(patch));
            }
            (patch, changed)
        }
        None => {
            let patch = json_merge::three_way(&original, &modified, &current);
            if overwrite {
                return Ok(Value::Object(patch));
            }
            let changed = json_merge::diff(&original, &current);
            if !json_merge::conflict(&patch, &changed) {
                return Ok(Value::Object(patch));
            }
            (patch, changed)
        }
    };
    Err(PatchError::Conflict {
        patch: Value::Object(patch).to_string(),
        changed: Value::Object(changed).to_string(),
    })
}

/// A document as a map: Go decodes `null` into an empty map.
fn object(value: &Value) -> Result<Map<String, Value>, PatchError> {
    match value {
        Value::Object(map) => Ok(map.clone()),
        Value::Null => Ok(Map::new()),
        other => Err(PatchError::NotAnObject(value::kind_name(other))),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn deployment(spec: Value) -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "spec": spec})
    }

    fn schema() -> MergeSchema {
        MergeSchema::for_kind("apps/v1", "Deployment")
    }

    #[test]
    fn built_in_kinds_are_strategic_and_others_are_not() {
        assert!(schema().is_strategic());
        assert!(
            MergeSchema::for_object(&json!({"apiVersion": "v1", "kind": "Service"})).is_strategic()
        );
        assert!(!MergeSchema::for_kind("example.com/v1", "Widget").is_strategic());
        assert!(!MergeSchema::for_object(&json!(42)).is_strategic());
    }

    #[test]
    fn two_way_patch_deletes_a_removed_container_by_name() {
        let original = deployment(
            json!({"template": {"spec": {"containers": [{"name": "a"}, {"name": "b"}]}}}),
        );
        let modified = deployment(json!({"template": {"spec": {"containers": [{"name": "a"}]}}}));
        let patch = two_way_patch(&original, &modified, &schema());
        assert_eq!(
            patch,
            Ok(json!({"spec": {"template": {"spec": {
                "$setElementOrder/containers": [{"name": "a"}],
                "containers": [{"name": "b", "$patch": "delete"}]
            }}}}))
        );
    }

    #[test]
    fn two_way_patch_of_a_scalar_set_uses_parallel_lists() {
        let original = json!({"metadata": {"finalizers": ["x", "y"]}});
        let modified = json!({"metadata": {"finalizers": ["x"]}});
        let patch = two_way_patch(&original, &modified, &schema());
        assert_eq!(
            patch,
            Ok(json!({"metadata": {
                "$deleteFromPrimitiveList/finalizers": ["y"],
                "$setElementOrder/finalizers": ["x"]
            }}))
        );
    }

    #[test]
    fn two_way_patch_of_a_retain_keys_field_lists_the_kept_keys() {
        let original = deployment(
            json!({"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}}),
        );
        let modified = deployment(json!({"strategy": {"type": "Recreate"}}));
        let patch = two_way_patch(&original, &modified, &schema());
        assert_eq!(
            patch,
            Ok(json!({"spec": {"strategy": {
                "$retainKeys": ["type"],
                "rollingUpdate": null,
                "type": "Recreate"
            }}}))
        );
    }

    #[test]
    fn three_way_patch_keeps_what_others_added_and_deletes_what_the_chart_dropped() {
        let original = deployment(json!({"replicas": 1, "paused": false}));
        let modified = deployment(json!({"replicas": 2}));
        let current =
            deployment(json!({"replicas": 1, "paused": false, "revisionHistoryLimit": 10}));
        let patch = three_way_patch(&original, &modified, &current, &schema(), true);
        assert_eq!(patch, Ok(json!({"spec": {"paused": null, "replicas": 2}})));
    }

    #[test]
    fn three_way_json_merge_patch_for_custom_resources() {
        let schema = MergeSchema::json_merge();
        let original = json!({"spec": {"a": 1, "list": [1]}});
        let modified = json!({"spec": {"list": [2], "empty": {}}});
        let current = json!({"spec": {"a": 1, "list": [1], "other": true}});
        let patch = three_way_patch(&original, &modified, &current, &schema, true);
        assert_eq!(
            patch,
            Ok(json!({"spec": {"a": null, "list": [2], "empty": {}}}))
        );
        let applied = apply_patch(&current, &patch.unwrap_or_default(), &schema);
        assert_eq!(
            applied,
            Ok(json!({"spec": {"list": [2], "other": true, "empty": {}}}))
        );
    }

    #[test]
    fn json_merge_conflicts_without_overwrite() {
        let schema = MergeSchema::json_merge();
        let result = three_way_patch(
            &json!({"a": 1}),
            &json!({"a": 2}),
            &json!({"a": 3}),
            &schema,
            false,
        );
        assert!(
            matches!(result, Err(PatchError::Conflict { .. })),
            "{result:?}"
        );
    }

    #[test]
    fn documents_must_be_objects() {
        assert_eq!(
            apply_patch(&json!([1]), &json!({}), &schema()),
            Err(PatchError::NotAnObject("array"))
        );
        assert_eq!(
            apply_patch(&Value::Null, &json!({"a": 1}), &schema()),
            Ok(json!({"a": 1}))
        );
    }

    #[test]
    fn malformed_directives_are_errors_not_panics() {
        let mut original =
            deployment(json!({"template": {"spec": {"containers": [{"name": "a"}]}}}));
        original["metadata"] = json!({"name": "d"});
        let patches = [
            json!({"spec": {"$retainKeys": "type"}}),
            json!({"spec": {"template": {"spec": {"$setElementOrder/containers": {"name": "a"}}}}}),
            json!({"spec": {"template": {"spec": {"$setElementOrder": []}}}}),
            json!({"metadata": {"$deleteFromPrimitiveList": ["x"]}}),
            json!({"spec": {"template": {"spec": {"containers": [null]}}}}),
            json!({"spec": {"template": {"spec": {"containers": [[1]]}}}}),
            json!({"spec": {"$patch": 1}}),
            json!({"spec": {"template": {"spec": {"containers": [{"name": "a"}, 1]}}}}),
        ];
        for patch in patches {
            let result = apply_patch(&original, &patch, &schema());
            assert!(result.is_err(), "{patch} gave {result:?}");
        }
    }

    /// `{"a": {"a": … leaf …}}`, `depth` levels deep.
    fn nested(depth: usize, leaf: Value) -> Value {
        (0..depth).fold(leaf, |inner, _| json!({"a": inner}))
    }

    #[test]
    fn deep_documents_do_not_exhaust_the_stack() {
        // Deep enough to overflow a test thread without growing the stack,
        // shallow enough for serde_json's own (recursive) clone and drop.
        let depth = 1000;
        let original = nested(depth, json!(1));
        let modified = nested(depth, json!(2));
        for schema in [schema(), MergeSchema::json_merge()] {
            let patch = two_way_patch(&original, &modified, &schema);
            let applied = patch.and_then(|p| apply_patch(&original, &p, &schema));
            assert!(applied.as_ref().is_ok_and(|a| *a == modified));
            let three = three_way_patch(&original, &modified, &original, &schema, false);
            assert!(three.is_ok());
        }
    }

    #[test]
    fn untagged_lists_are_replaced_and_maps_merged() {
        let original = deployment(
            json!({"template": {"spec": {"tolerations": [{"key": "a"}], "nodeSelector": {"x": "1"}}}}),
        );
        let patch = deployment(
            json!({"template": {"spec": {"tolerations": [{"key": "b"}], "nodeSelector": {"y": "2"}}}}),
        );
        let merged = apply_patch(&original, &patch, &schema());
        assert_eq!(
            merged,
            Ok(deployment(json!({"template": {"spec": {
                "tolerations": [{"key": "b"}],
                "nodeSelector": {"x": "1", "y": "2"}
            }}})))
        );
    }
}
