//! Merging a patch into a document (`mergeMap` and friends): on the server
//! when a patch is applied, and on the client when the deletions of a
//! three-way patch are combined with its additions.

use serde_json::{Map, Value};

use super::PatchError;
use super::go_slice::GoSlice;
use super::schema::{FieldMeta, Strategy, Struct, lookup};
use super::value::{
    self, DELETE_FROM_PRIMITIVE_LIST, DIRECTIVE, Kind, RETAIN_KEYS, SET_ELEMENT_ORDER,
};

type Ty = Option<&'static Struct>;

/// Whether the merge consumes the parallel-list directives (the server) or
/// carries them through into a combined patch (the client).
#[derive(Debug, Clone, Copy)]
pub(super) struct MergeOptions {
    /// Apply `$deleteFromPrimitiveList`, `$setElementOrder` and
    /// `$retainKeys` instead of copying them.
    merge_parallel_list: bool,
    /// Drop `null`s that delete nothing instead of keeping them (a combined
    /// patch must keep them to delete on the server).
    ignore_unmatched_nulls: bool,
}

impl MergeOptions {
    pub(super) const SERVER: MergeOptions = MergeOptions {
        merge_parallel_list: true,
        ignore_unmatched_nulls: true,
    };
    pub(super) const CLIENT: MergeOptions = MergeOptions {
        merge_parallel_list: false,
        ignore_unmatched_nulls: false,
    };
}

type JsonMap = Map<String, Value>;

/// Merges `patch` into `original`, whose struct is `ty`.
pub(super) fn merge_map(
    mut original: JsonMap,
    mut patch: JsonMap,
    ty: Ty,
    options: MergeOptions,
) -> Result<JsonMap, PatchError> {
    value::nested(move || {
        if let Some(directive) = patch.get(DIRECTIVE) {
            return match directive.as_str() {
                Some("replace") => {
                    patch.remove(DIRECTIVE);
                    Ok(patch)
                }
                Some("delete") => Ok(Map::new()),
                _ => Err(PatchError::UnknownDirective(directive.to_string())),
            };
        }
        apply_retain_keys(&mut original, &mut patch, options)?;
        merge_ordered_lists(&mut original, &mut patch, ty, options)?;

        for (key, patch_value) in patch {
            let (key, is_delete_list) = match key.strip_prefix(DELETE_FROM_PRIMITIVE_LIST) {
                Some(_) if !options.merge_parallel_list => {
                    original.insert(key, patch_value);
                    continue;
                }
                Some(rest) => (
                    parallel_field(rest, PatchError::BadDeleteFromPrimitiveList)?,
                    true,
                ),
                None => (key, false),
            };
            if patch_value.is_null() {
                original.remove(&key);
                if options.ignore_unmatched_nulls {
                    continue;
                }
            }
            let merged = match (original.remove(&key), patch_value) {
                (Some(Value::Object(o)), Value::Object(p)) => Some(Value::Object(merge_map(
                    o,
                    p,
                    lookup(ty, &key).ty,
                    options,
                )?)),
                (Some(Value::Array(o)), Value::Array(p)) => {
                    let field = lookup(ty, &key);
                    let merged = merge_list_field(o, p, field, is_delete_list, options)?;
                    Some(Value::Array(merged.list))
                }
                (Some(o), p) if value::kind(&o) == value::kind(&p) => without_directives(p),
                // A deletion list for a list the document lacks (or holds
                // as something else) deletes nothing.
                (existing, _) if is_delete_list => existing,
                (_, mut p) => {
                    if options.ignore_unmatched_nulls {
                        discard_nulls(&mut p);
                    }
                    without_directives(p)
                }
            };
            if let Some(merged) = merged {
                original.insert(key, merged);
            }
        }
        Ok(original)
    })
}

/// A value taken from the patch as is (the document had nothing to merge it
/// with): objects carrying `$patch` are dropped, at any depth, so that
/// directives never reach the stored object. `None` when the value itself
/// is such an object.
fn without_directives(value: Value) -> Option<Value> {
    value::nested(move || match value {
        Value::Object(map) if map.contains_key(DIRECTIVE) => None,
        Value::Object(map) => Some(Value::Object(
            map.into_iter()
                .filter_map(|(k, v)| without_directives(v).map(|v| (k, v)))
                .collect(),
        )),
        Value::Array(list) => Some(Value::Array(
            list.into_iter().filter_map(without_directives).collect(),
        )),
        other => Some(other),
    })
}

/// Drops `null` members at any depth: on the server, a `null` that deletes
/// nothing must not be stored (kubernetes/kubernetes#123304).
fn discard_nulls(value: &mut Value) {
    value::nested(move || match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(discard_nulls);
        }
        Value::Array(list) => list.iter_mut().for_each(discard_nulls),
        _ => {}
    })
}

/// The field a parallel-list key (`$setElementOrder/containers`) names,
/// given what follows the prefix.
pub(super) fn parallel_field(rest: &str, error: PatchError) -> Result<String, PatchError> {
    match rest.strip_prefix('/') {
        Some(field) if !field.is_empty() => Ok(field.to_owned()),
        _ => Err(error),
    }
}

/// `$retainKeys`: on the server, drops the keys of `original` the list
/// omits; on the client, carries the list into the combined patch.
fn apply_retain_keys(
    original: &mut JsonMap,
    patch: &mut JsonMap,
    options: MergeOptions,
) -> Result<(), PatchError> {
    let Some(retain) = patch.remove(RETAIN_KEYS) else {
        return Ok(());
    };
    if !options.merge_parallel_list {
        match original.get(RETAIN_KEYS) {
            Some(existing) if *existing != retain => return Err(PatchError::BadRetainKeys),
            Some(_) => {}
            None => {
                original.insert(RETAIN_KEYS.to_owned(), retain);
            }
        }
        return Ok(());
    }
    let Value::Array(retain) = retain else {
        return Err(PatchError::BadRetainKeys);
    };
    let retained = |key: &str| retain.iter().any(|v| v.as_str() == Some(key));
    let unlisted = patch.iter().any(|(k, v)| {
        !v.is_null()
            && !k.starts_with(DELETE_FROM_PRIMITIVE_LIST)
            && !k.starts_with(SET_ELEMENT_ORDER)
            && !retained(k)
    });
    if unlisted {
        return Err(PatchError::BadRetainKeys);
    }
    original.retain(|k, _| retained(k));
    Ok(())
}

/// `$setElementOrder/<field>`: merges the field's list and orders it as the
/// directive says; on the client, carries the directive along.
fn merge_ordered_lists(
    original: &mut JsonMap,
    patch: &mut JsonMap,
    ty: Ty,
    options: MergeOptions,
) -> Result<(), PatchError> {
    let keys: Vec<String> = patch
        .keys()
        .filter(|k| k.starts_with(SET_ELEMENT_ORDER))
        .cloned()
        .collect();
    for key in keys {
        let Some(order) = patch.remove(&key) else {
            continue;
        };
        if !options.merge_parallel_list {
            match original.get(&key) {
                Some(existing) if *existing != order => {
                    return Err(PatchError::BadSetElementOrder);
                }
                Some(_) => {}
                None => {
                    original.insert(key.clone(), order.clone());
                }
            }
        }
        let Value::Array(order) = order else {
            return Err(PatchError::BadSetElementOrder);
        };
        let field_name = parallel_field(
            &key[SET_ELEMENT_ORDER.len()..],
            PatchError::BadSetElementOrder,
        )?;
        let original_list = list_field(original, &field_name)?;
        let patch_list = list_field(patch, &field_name)?;
        let field = lookup(ty, &field_name);
        let merge_key = field.merge_key();
        validate_order(patch_list.as_deref().unwrap_or_default(), &order, merge_key)?;

        let patch_items = patch_list.clone().unwrap_or_default();
        // Go orders by the original list as merging left it in place.
        let (merged, original_items) = match (original_list, patch_list) {
            (Some(o), None) => (o.clone(), o),
            (None, Some(p)) => (p, Vec::new()),
            (Some(o), Some(p)) => {
                let merged = merge_list_field(o, p, field, false, options)?;
                (merged.list, merged.original_view)
            }
            (None, None) => continue,
        };
        let (in_order, server_only) = value::partition_by_presence(merged, &order, merge_key)?;
        let kind = value::element_kind(&[&original_items, &patch_items])?;
        let ordered = value::normalize_element_order(
            in_order,
            server_only,
            &order,
            &original_items,
            merge_key,
            kind,
        )?;
        original.insert(field_name.clone(), Value::Array(ordered));
        patch.remove(&field_name);
    }
    Ok(())
}

/// The list under `key`, if there is one; anything else there is an error.
fn list_field(map: &JsonMap, key: &str) -> Result<Option<Vec<Value>>, PatchError> {
    match map.get(key) {
        None => Ok(None),
        Some(Value::Array(list)) => Ok(Some(list.clone())),
        Some(_) => Err(PatchError::BadSetElementOrder),
    }
}

/// Checks that the patch list names its elements in the order the
/// `$setElementOrder` list does (deletions aside).
fn validate_order(patch: &[Value], order: &[Value], merge_key: &str) -> Result<(), PatchError> {
    if patch.is_empty() || order.is_empty() {
        return Ok(());
    }
    let items: Vec<&Value> = if merge_key.is_empty() {
        patch.iter().collect()
    } else {
        let mut items = Vec::new();
        for item in patch {
            value::as_element_map(item)?;
            if !value::is_delete_directive(item) {
                items.push(item);
            }
        }
        items
    };
    let (mut p, mut o) = (0, 0);
    while p < items.len() && o < order.len() {
        if items[p].get(DIRECTIVE).is_some() {
            p += 1;
            continue;
        }
        if same_identity(items[p], &order[o], merge_key)? {
            p += 1;
        }
        o += 1;
    }
    if p < items.len() && o >= order.len() {
        return Err(PatchError::OrderMismatch);
    }
    Ok(())
}

fn same_identity(left: &Value, right: &Value, merge_key: &str) -> Result<bool, PatchError> {
    if merge_key.is_empty() {
        return Ok(left == right);
    }
    Ok(value::merge_key_value(left, merge_key)? == value::merge_key_value(right, merge_key)?)
}

/// A merged list, and the original list as the caller who decoded it now
/// sees it (see [`GoSlice`]).
struct MergedList {
    list: Vec<Value>,
    original_view: Vec<Value>,
}

/// A list field of both documents: merged when its strategy says so,
/// otherwise replaced by the patch.
fn merge_list_field(
    original: Vec<Value>,
    patch: Vec<Value>,
    field: FieldMeta,
    is_delete_list: bool,
    options: MergeOptions,
) -> Result<MergedList, PatchError> {
    match field.strategy {
        Strategy::Merge(merge_key) => merge_list(
            original,
            patch,
            field.ty,
            merge_key.unwrap_or(""),
            is_delete_list,
            options,
        ),
        Strategy::Default => Ok(MergedList {
            list: patch,
            original_view: original,
        }),
    }
}

/// `mergeSlice`: scalars as a set (or deleted from, for a
/// `$deleteFromPrimitiveList`), objects by merge key, then ordered.
fn merge_list(
    original: Vec<Value>,
    patch: Vec<Value>,
    ty: Ty,
    merge_key: &str,
    is_delete_list: bool,
    options: MergeOptions,
) -> Result<MergedList, PatchError> {
    if original.is_empty() && patch.is_empty() {
        return Ok(MergedList {
            list: Vec::new(),
            original_view: Vec::new(),
        });
    }
    let kind = value::element_kind(&[&original, &patch])?;
    if kind != Kind::Map {
        let list = if options.merge_parallel_list && is_delete_list {
            original
                .iter()
                .filter(|v| !patch.contains(v))
                .cloned()
                .collect()
        } else {
            let both = original.iter().chain(&patch).cloned().collect();
            let (patch_items, server_only) =
                value::partition_by_presence(value::dedupe(both), &patch, merge_key)?;
            value::normalize_element_order(
                patch_items,
                server_only,
                &patch,
                &original,
                merge_key,
                kind,
            )?
        };
        return Ok(MergedList {
            list,
            original_view: original,
        });
    }
    if merge_key.is_empty() {
        return Err(PatchError::NoMergeKey);
    }
    let original_len = original.len();
    let mut slice = GoSlice::decoded(original);
    let (merged, patch, server_order) = match apply_list_directives(&mut slice, patch, merge_key)? {
        Directives::Replace(list) => (list.clone(), Vec::new(), list),
        Directives::Merge(patch) => {
            let server_order = slice.items().to_vec();
            merge_by_key(&mut slice, &patch, ty, merge_key, options)?;
            (slice.items().to_vec(), patch, server_order)
        }
    };
    let (patch_items, server_only) = value::partition_by_presence(merged, &patch, merge_key)?;
    let list = value::normalize_element_order(
        patch_items,
        server_only,
        &patch,
        &server_order,
        merge_key,
        kind,
    )?;
    Ok(MergedList {
        list,
        original_view: slice.original_view(original_len),
    })
}

/// What remains of a list patch once its `$patch` elements are applied.
enum Directives {
    /// `$patch: replace`: the list becomes the other elements.
    Replace(Vec<Value>),
    /// The elements to merge.
    Merge(Vec<Value>),
}

/// Applies the `$patch` elements of a list patch: `delete` drops the
/// matching elements from `original`, `replace` makes the rest of the
/// patch the list.
fn apply_list_directives(
    original: &mut GoSlice,
    patch: Vec<Value>,
    merge_key: &str,
) -> Result<Directives, PatchError> {
    let mut plain = Vec::with_capacity(patch.len());
    let mut replace = false;
    for element in patch {
        let map = value::as_element_map(&element)?;
        let Some(directive) = map.get(DIRECTIVE) else {
            plain.push(element);
            continue;
        };
        match directive.as_str() {
            Some("delete") => {
                let doomed = value::merge_key_value(&element, merge_key)?;
                while let Some(i) = position_by_key(original.items(), merge_key, doomed)? {
                    original.remove(i);
                }
            }
            Some("replace") => replace = true,
            Some("merge") => return Err(PatchError::MergeDirectiveInList),
            _ => return Err(PatchError::UnknownDirective(directive.to_string())),
        }
    }
    Ok(if replace {
        Directives::Replace(plain)
    } else {
        Directives::Merge(plain)
    })
}

/// Where the element whose merge key is `key` sits.
fn position_by_key(
    list: &[Value],
    merge_key: &str,
    key: &Value,
) -> Result<Option<usize>, PatchError> {
    for (i, element) in list.iter().enumerate() {
        if value::as_element_map(element)?.get(merge_key) == Some(key) {
            return Ok(Some(i));
        }
    }
    Ok(None)
}

/// Merges each patch element into the original element with the same merge
/// key, appending those without one.
fn merge_by_key(
    original: &mut GoSlice,
    patch: &[Value],
    ty: Ty,
    merge_key: &str,
    options: MergeOptions,
) -> Result<(), PatchError> {
    for element in patch {
        let key = value::merge_key_value(element, merge_key)?;
        let patch_map = value::as_element_map(element)?.clone();
        match position_by_key(original.items(), merge_key, key)? {
            Some(i) => {
                let existing = value::as_element_map(&original.items()[i])?.clone();
                original.set(
                    i,
                    Value::Object(merge_map(existing, patch_map, ty, options)?),
                );
            }
            None => original.push(element.clone()),
        }
    }
    Ok(())
}
