//! Merging a patch into a document (`mergeMap` and friends): on the server
//! when a patch is applied, and on the client when the deletions of a
//! three-way patch are combined with its additions.

use serde_json::{Map, Value};

use super::PatchError;
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
        let Some(original_value) = original.remove(&key) else {
            original.insert(key, patch_value);
            continue;
        };
        let field = lookup(ty, &key);
        let merged = match (original_value, patch_value) {
            (Value::Object(o), Value::Object(p)) => {
                Value::Object(merge_map(o, p, field.ty, options)?)
            }
            (Value::Array(o), Value::Array(p)) => {
                Value::Array(merge_list_field(o, p, field, is_delete_list, options)?)
            }
            (_, p) => p,
        };
        original.insert(key, merged);
    }
    Ok(original)
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

        let original_items = original_list.clone().unwrap_or_default();
        let patch_items = patch_list.clone().unwrap_or_default();
        let merged = match (original_list, patch_list) {
            (Some(o), None) => o,
            (None, Some(p)) => p,
            (Some(o), Some(p)) => merge_list_field(o, p, field, false, options)?,
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

/// A list field of both documents: merged when its strategy says so,
/// otherwise replaced by the patch.
fn merge_list_field(
    original: Vec<Value>,
    patch: Vec<Value>,
    field: FieldMeta,
    is_delete_list: bool,
    options: MergeOptions,
) -> Result<Vec<Value>, PatchError> {
    match field.strategy {
        Strategy::Merge(merge_key) => merge_list(
            original,
            patch,
            field.ty,
            merge_key.unwrap_or(""),
            is_delete_list,
            options,
        ),
        Strategy::Default => Ok(patch),
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
) -> Result<Vec<Value>, PatchError> {
    if original.is_empty() && patch.is_empty() {
        return Ok(original);
    }
    let kind = value::element_kind(&[&original, &patch])?;
    let (original, patch, merged) = if kind != Kind::Map {
        if options.merge_parallel_list && is_delete_list {
            return Ok(original
                .into_iter()
                .filter(|v| !patch.contains(v))
                .collect());
        }
        let both = original.iter().chain(&patch).cloned().collect();
        (original, patch, value::dedupe(both))
    } else {
        if merge_key.is_empty() {
            return Err(PatchError::NoMergeKey);
        }
        let (original, patch) = apply_list_directives(original, patch, merge_key)?;
        let merged = merge_by_key(original.clone(), &patch, ty, merge_key, options)?;
        (original, patch, merged)
    };
    let (patch_items, server_only) = value::partition_by_presence(merged, &patch, merge_key)?;
    value::normalize_element_order(patch_items, server_only, &patch, &original, merge_key, kind)
}

/// Applies the `$patch` elements of a list patch: `delete` drops the
/// matching elements, `replace` makes the rest of the patch the list.
/// Returns the list to merge into and the patch without directives.
fn apply_list_directives(
    mut original: Vec<Value>,
    patch: Vec<Value>,
    merge_key: &str,
) -> Result<(Vec<Value>, Vec<Value>), PatchError> {
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
                for o in &original {
                    value::as_element_map(o)?;
                }
                original.retain(|o| o.get(merge_key) != Some(doomed));
            }
            Some("replace") => replace = true,
            Some("merge") => return Err(PatchError::MergeDirectiveInList),
            _ => return Err(PatchError::UnknownDirective(directive.to_string())),
        }
    }
    Ok(if replace {
        (plain, Vec::new())
    } else {
        (original, plain)
    })
}

/// Merges each patch element into the original element with the same merge
/// key, appending those without one.
fn merge_by_key(
    mut original: Vec<Value>,
    patch: &[Value],
    ty: Ty,
    merge_key: &str,
    options: MergeOptions,
) -> Result<Vec<Value>, PatchError> {
    for element in patch {
        let key = value::merge_key_value(element, merge_key)?;
        let mut position = None;
        for (i, o) in original.iter().enumerate() {
            if value::as_element_map(o)?.get(merge_key) == Some(key) {
                position = Some(i);
                break;
            }
        }
        let patch_map = value::as_element_map(element)?.clone();
        match position {
            Some(i) => {
                let Value::Object(o) = std::mem::take(&mut original[i]) else {
                    return Err(PatchError::NotAnElementObject(original[i].to_string()));
                };
                original[i] = Value::Object(merge_map(o, patch_map, ty, options)?);
            }
            None => original.push(element.clone()),
        }
    }
    Ok(original)
}
