//! JSON merge patch (RFC 7386), for kinds without patch metadata: what the
//! API server applies to custom resources and what Helm computes for them
//! (`CreateThreeWayJSONMergePatch` in `k8s.io/apimachinery/pkg/util/jsonmergepatch`).

use serde_json::{Map, Value};

use super::value;

type JsonMap = Map<String, Value>;

/// Applies a merge patch: `null` deletes, objects merge, anything else
/// replaces.
pub(super) fn apply(mut target: JsonMap, patch: JsonMap) -> JsonMap {
    value::nested(move || {
        for (key, patch_value) in patch {
            match patch_value {
                Value::Null => {
                    target.remove(&key);
                }
                Value::Object(p) => {
                    let merged = match target.remove(&key) {
                        Some(Value::Object(t)) => apply(t, p),
                        _ => apply(Map::new(), p),
                    };
                    target.insert(key, Value::Object(merged));
                }
                other => {
                    target.insert(key, other);
                }
            }
        }
        target
    })
}

/// The merge patch from `original` to `modified`.
pub(super) fn diff(original: &JsonMap, modified: &JsonMap) -> JsonMap {
    value::nested(move || {
        let mut patch = Map::new();
        for (key, m) in modified {
            match (original.get(key), m) {
                (Some(Value::Object(o)), Value::Object(m)) => {
                    let nested = diff(o, m);
                    if !nested.is_empty() {
                        patch.insert(key.clone(), Value::Object(nested));
                    }
                }
                (Some(o), m) if o == m => {}
                _ => {
                    patch.insert(key.clone(), m.clone());
                }
            }
        }
        for key in original.keys() {
            if !modified.contains_key(key) {
                patch.insert(key.clone(), Value::Null);
            }
        }
        patch
    })
}

/// Additions and changes from `current` to `modified`, plus the deletions
/// from `original` to `modified`.
pub(super) fn three_way(original: &JsonMap, modified: &JsonMap, current: &JsonMap) -> JsonMap {
    let changes = filter_nulls(&diff(current, modified), false);
    let deletions = filter_nulls(&diff(original, modified), true);
    merge_patches(deletions, changes)
}

/// Keeps only the `null`s of a patch (`keep_nulls`), or everything else.
/// An explicitly empty object is a value, not an empty sub-patch.
fn filter_nulls(patch: &JsonMap, keep_nulls: bool) -> JsonMap {
    value::nested(move || {
        let mut out = Map::new();
        for (key, value) in patch {
            match value {
                Value::Null if keep_nulls => {
                    out.insert(key.clone(), Value::Null);
                }
                Value::Null => {}
                Value::Object(m) if m.is_empty() && keep_nulls => {}
                Value::Object(m) if m.is_empty() => {
                    out.insert(key.clone(), value.clone());
                }
                Value::Object(m) => {
                    let nested = filter_nulls(m, keep_nulls);
                    if !nested.is_empty() {
                        out.insert(key.clone(), Value::Object(nested));
                    }
                }
                _ if !keep_nulls => {
                    out.insert(key.clone(), value.clone());
                }
                _ => {}
            }
        }
        out
    })
}

/// Combines two merge patches into one, keeping the `null`s of both.
fn merge_patches(mut first: JsonMap, second: JsonMap) -> JsonMap {
    value::nested(move || {
        for (key, value) in second {
            let merged = match (first.remove(&key), value) {
                (Some(Value::Object(f)), Value::Object(s)) => Value::Object(merge_patches(f, s)),
                (_, s) => s,
            };
            first.insert(key, merged);
        }
        first
    })
}

/// Whether two merge patches set some key to different values
/// (`mergepatch.HasConflicts`).
pub(super) fn conflict(left: &JsonMap, right: &JsonMap) -> bool {
    left.iter()
        .any(|(k, l)| right.get(k).is_some_and(|r| values_conflict(l, r)))
}

fn values_conflict(left: &Value, right: &Value) -> bool {
    value::nested(move || match (left, right) {
        (Value::Object(l), Value::Object(r)) => conflict(l, r),
        (Value::Array(l), Value::Array(r)) => {
            l.len() != r.len() || l.iter().zip(r).any(|(l, r)| values_conflict(l, r))
        }
        (l, r) => l != r,
    })
}
