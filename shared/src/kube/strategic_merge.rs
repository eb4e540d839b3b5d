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
    /// `$patch` held something other than `delete`, `replace` (or `merge`
    /// where a map allows it).
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
