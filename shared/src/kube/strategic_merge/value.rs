//! Helpers over JSON values that both the diff and the merge need: Go's
//! notion of a value's type, its `%v` spelling (the sort key of lists),
//! and the ordering of merged lists.

use std::cmp::Ordering;

use serde_json::{Map, Value};

use super::PatchError;

/// The directive key inside maps and list elements.
pub(super) const DIRECTIVE: &str = "$patch";
pub(super) const RETAIN_KEYS: &str = "$retainKeys";
pub(super) const DELETE_FROM_PRIMITIVE_LIST: &str = "$deleteFromPrimitiveList";
pub(super) const SET_ELEMENT_ORDER: &str = "$setElementOrder";

/// A value's Go type after `k8s.io/apimachinery/pkg/util/json` decoding,
/// where whole numbers become `int64` and others `float64`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Null,
    Bool,
    Int,
    Float,
    String,
    List,
    Map,
}

pub(super) fn kind(value: &Value) -> Kind {
    match value {
        Value::Null => Kind::Null,
        Value::Bool(_) => Kind::Bool,
        Value::Number(n) if n.is_i64() || n.is_u64() => Kind::Int,
        Value::Number(_) => Kind::Float,
        Value::String(_) => Kind::String,
        Value::Array(_) => Kind::List,
        Value::Object(_) => Kind::Map,
    }
}

/// The JSON name of a value's type, for error messages.
pub(super) fn kind_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The one element type of all the given lists; lists of lists and of
/// nulls are refused, as Kubernetes has none.
pub(super) fn element_kind(lists: &[&[Value]]) -> Result<Kind, PatchError> {
    let mut found = None;
    for value in lists.iter().flat_map(|l| l.iter()) {
        let k = kind(value);
        if matches!(k, Kind::List | Kind::Null) {
            return Err(PatchError::UnsupportedElement);
        }
        match found {
            None => found = Some(k),
            Some(prev) if prev != k => return Err(PatchError::MixedElementTypes),
            Some(_) => {}
        }
    }
    found.ok_or(PatchError::NoElements)
}

/// Go's `fmt.Sprintf("%v", v)` for the scalars that lists hold.
pub(super) fn go_string(value: &Value) -> String {
    match value {
        Value::Null => "<nil>".to_owned(),
        Value::String(s) => s.clone(),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => i.to_string(),
            (_, Some(u), _) => u.to_string(),
            (_, _, Some(f)) => f.to_string(),
            _ => n.to_string(),
        },
        other => other.to_string(),
    }
}

/// Scalars in the order Go's `sortScalars` gives them (by `%v`).
pub(super) fn sort_scalars(mut values: Vec<Value>) -> Vec<Value> {
    values.sort_by_cached_key(go_string);
    values
}

/// Removes repeated scalars, keeping first occurrences.
pub(super) fn dedupe(values: Vec<Value>) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::with_capacity(values.len());
    for v in values {
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

/// The merge key's value of a list element, which must be an object.
pub(super) fn merge_key_value<'a>(element: &'a Value, key: &str) -> Result<&'a Value, PatchError> {
    let map = as_element_map(element)?;
    map.get(key).ok_or_else(|| PatchError::MissingMergeKey {
        element: element.to_string(),
        key: key.to_owned(),
    })
}

pub(super) fn as_element_map(element: &Value) -> Result<&Map<String, Value>, PatchError> {
    element
        .as_object()
        .ok_or_else(|| PatchError::NotAnElementObject(element.to_string()))
}

/// Whether an element is a `$patch: delete` directive.
pub(super) fn is_delete_directive(element: &Value) -> bool {
    element.get(DIRECTIVE).and_then(Value::as_str) == Some("delete")
}

/// The identity of a list element: its merge key's value for objects, the
/// element itself for scalars (`None` when an object lacks the key).
fn identity<'a>(element: &'a Value, merge_key: &str, kind: Kind) -> Option<&'a Value> {
    if kind == Kind::Map {
        element.as_object().and_then(|m| m.get(merge_key))
    } else {
        Some(element)
    }
}

/// Where `element` sits in `list`, matching by identity.
fn index_of(list: &[Value], element: &Value, merge_key: &str, kind: Kind) -> Option<usize> {
    let wanted = identity(element, merge_key, kind);
    list.iter()
        .position(|v| identity(v, merge_key, kind) == wanted)
}

/// Sorts `to_sort` by the position of its elements in `order`, keeping the
/// relative order of those `order` lacks; `$patch: delete` elements go last.
pub(super) fn normalize_slice_order(
    to_sort: Vec<Value>,
    order: &[Value],
    merge_key: &str,
    kind: Kind,
) -> Result<Vec<Value>, PatchError> {
    let (keep, deletes): (Vec<Value>, Vec<Value>) = if kind == Kind::Map {
        for element in to_sort.iter().chain(order) {
            merge_key_value(element, merge_key)?;
        }
        to_sort.into_iter().partition(|v| !is_delete_directive(v))
    } else {
        (to_sort, Vec::new())
    };
    let mut indexed: Vec<(Option<usize>, Value)> = keep
        .into_iter()
        .map(|v| (index_of(order, &v, merge_key, kind), v))
        .collect();
    // Stable: elements `order` lacks keep their place relative to others.
    indexed.sort_by(|(a, _), (b, _)| match (a, b) {
        (Some(a), Some(b)) => a.cmp(b),
        _ => Ordering::Equal,
    });
    let mut sorted: Vec<Value> = indexed.into_iter().map(|(_, v)| v).collect();
    sorted.extend(deletes);
    Ok(sorted)
}

/// Orders a merged list: the patch's elements in the patch's order, the
/// live-only elements in the live order, interleaved where the live order
/// relates them (`normalizeElementOrder`).
pub(super) fn normalize_element_order(
    patch_items: Vec<Value>,
    server_only: Vec<Value>,
    patch_order: &[Value],
    server_order: &[Value],
    merge_key: &str,
    kind: Kind,
) -> Result<Vec<Value>, PatchError> {
    let right = normalize_slice_order(patch_items, patch_order, merge_key, kind)?;
    let left = normalize_slice_order(server_only, server_order, merge_key, kind)?;
    let position = |v: &Value| index_of(server_order, v, merge_key, kind);
    let mut out = Vec::with_capacity(left.len() + right.len());
    let mut left = left.into_iter().peekable();
    let mut right = right.into_iter().peekable();
    loop {
        let take_left = match (left.peek(), right.peek()) {
            (None, None) => break,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (Some(l), Some(r)) => {
                matches!((position(l), position(r)), (Some(li), Some(ri)) if li < ri)
            }
        };
        let next = if take_left { left.next() } else { right.next() };
        out.extend(next);
    }
    Ok(out)
}

/// Splits `merged` into the elements `by` names and the others.
pub(super) fn partition_by_presence(
    merged: Vec<Value>,
    by: &[Value],
    merge_key: &str,
) -> Result<(Vec<Value>, Vec<Value>), PatchError> {
    if merge_key.is_empty() {
        return Ok(merged.into_iter().partition(|v| by.contains(v)));
    }
    let mut present = Vec::new();
    let mut absent = Vec::new();
    for v in merged {
        let key = merge_key_value(&v, merge_key)?;
        let mut found = false;
        for candidate in by {
            if as_element_map(candidate)?.get(merge_key) == Some(key) {
                found = true;
                break;
            }
        }
        if found {
            present.push(v);
        } else {
            absent.push(v);
        }
    }
    Ok((present, absent))
}

/// Runs one level of a recursive walk on a stack that grows as needed:
/// documents nest as deep as their decoder allowed.
pub(super) fn nested<R>(step: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(64 * 1024, 1024 * 1024, step)
}
