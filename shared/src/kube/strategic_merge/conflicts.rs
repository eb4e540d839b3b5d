//! Whether a three-way patch overrides changes made to the live object
//! (`MergingMapsHaveConflicts`), for `three_way_patch` without overwrite.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::PatchError;
use super::schema::{FieldMeta, Strategy, Struct, lookup};
use super::value::{self, DIRECTIVE, Kind, RETAIN_KEYS};

type Ty = Option<&'static Struct>;

/// Whether `left` and `right` (two patches of one kind) set a key to
/// different values.
pub(super) fn maps_conflict(
    left: &Map<String, Value>,
    right: &Map<String, Value>,
    ty: Ty,
) -> Result<bool, PatchError> {
    for (key, l) in left {
        if key == DIRECTIVE || key == RETAIN_KEYS {
            continue;
        }
        if let Some(r) = right.get(key) {
            let field = lookup(ty, key);
            if values_conflict(l, r, field)? {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

fn values_conflict(left: &Value, right: &Value, field: FieldMeta) -> Result<bool, PatchError> {
    value::nested(move || match (left, right) {
        (Value::Object(l), Value::Object(r)) => {
            let (ld, rd) = (l.get(DIRECTIVE), r.get(DIRECTIVE));
            if (ld.is_some() || rd.is_some()) && ld != rd {
                return Ok(true);
            }
            maps_conflict(l, r, field.ty)
        }
        (Value::Array(l), Value::Array(r)) => lists_conflict(l, r, field),
        (Value::Object(_) | Value::Array(_), _) => Ok(true),
        (l, r) => Ok(l != r),
    })
}

fn lists_conflict(left: &[Value], right: &[Value], field: FieldMeta) -> Result<bool, PatchError> {
    let kind = value::element_kind(&[left, right])?;
    let element = FieldMeta {
        strategy: Strategy::Default,
        retain_keys: false,
        ty: field.ty,
    };
    if let Strategy::Merge(merge_key) = field.strategy {
        if kind != Kind::Map {
            return Ok(false);
        }
        let merge_key = merge_key.unwrap_or("");
        let left = by_merge_key(left, merge_key)?;
        let right = by_merge_key(right, merge_key)?;
        for (key, l) in &left {
            if let Some(r) = right.get(key)
                && values_conflict(l, r, element)?
            {
                return Ok(true);
            }
        }
        return Ok(false);
    }
    if left.len() != right.len() {
        return Ok(true);
    }
    let (left, right) = if kind == Kind::Map {
        (left.to_vec(), right.to_vec())
    } else {
        (
            value::sort_scalars(value::dedupe(left.to_vec())),
            value::sort_scalars(value::dedupe(right.to_vec())),
        )
    };
    for (l, r) in left.iter().zip(&right) {
        if values_conflict(l, r, element)? {
            return Ok(true);
        }
    }
    Ok(false)
}

fn by_merge_key<'a>(
    list: &'a [Value],
    merge_key: &str,
) -> Result<BTreeMap<String, &'a Value>, PatchError> {
    list.iter()
        .map(|v| Ok((value::go_string(value::merge_key_value(v, merge_key)?), v)))
        .collect()
}
