//! Computing a patch from two documents (`diffMaps` and friends).

use serde_json::{Map, Value};

use super::PatchError;
use super::schema::{Strategy, Struct, lookup};
use super::value::{
    self, DELETE_FROM_PRIMITIVE_LIST, DIRECTIVE, Kind, RETAIN_KEYS, SET_ELEMENT_ORDER,
};

type Ty = Option<&'static Struct>;
type JsonMap = Map<String, Value>;

/// Which parts of the difference a diff keeps.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct DiffOptions {
    /// Emit `$setElementOrder` lists for merging lists that changed.
    set_element_order: bool,
    /// Leave out additions and changes (keep deletions only).
    ignore_changes_and_additions: bool,
    /// Leave out deletions (keep additions and changes only).
    ignore_deletions: bool,
    /// The map being diffed has `retainKeys`: emit `$retainKeys`.
    build_retain_keys: bool,
}

impl DiffOptions {
    pub(super) const TWO_WAY: DiffOptions = DiffOptions {
        set_element_order: true,
        ignore_changes_and_additions: false,
        ignore_deletions: false,
        build_retain_keys: false,
    };
    /// From the live object to the new manifest, deleting nothing.
    pub(super) const ADDITIONS: DiffOptions = DiffOptions {
        set_element_order: true,
        ignore_changes_and_additions: false,
        ignore_deletions: true,
        build_retain_keys: false,
    };
    /// From the old manifest to the new one, deletions only.
    pub(super) const DELETIONS: DiffOptions = DiffOptions {
        set_element_order: true,
        ignore_changes_and_additions: true,
        ignore_deletions: false,
        build_retain_keys: false,
    };
}

/// The patch from `original` to `modified`, whose struct is `ty`.
pub(super) fn diff_maps(
    original: &JsonMap,
    modified: &JsonMap,
    ty: Ty,
    options: DiffOptions,
) -> Result<JsonMap, PatchError> {
    value::nested(move || {
        let mut patch = Map::new();
        let mut retain = Vec::new();
        for (key, modified_value) in modified {
            if options.build_retain_keys && !modified_value.is_null() {
                retain.push(Value::String(key.clone()));
            }
            let Some(original_value) = original.get(key) else {
                if !options.ignore_changes_and_additions {
                    patch.insert(key.clone(), modified_value.clone());
                }
                continue;
            };
            if key == DIRECTIVE {
                let (Some(o), Some(m)) = (original_value.as_str(), modified_value.as_str()) else {
                    return Err(PatchError::BadDirectiveValue);
                };
                if o != m {
                    patch.insert(key.clone(), modified_value.clone());
                }
                continue;
            }
            if value::kind(original_value) != value::kind(modified_value) {
                if !options.ignore_changes_and_additions {
                    patch.insert(key.clone(), modified_value.clone());
                }
                continue;
            }
            let field = lookup(ty, key);
            match (original_value, modified_value) {
                (Value::Object(o), Value::Object(m)) => {
                    let nested = DiffOptions {
                        build_retain_keys: field.retain_keys,
                        ..options
                    };
                    let diff = diff_maps(o, m, field.ty, nested)?;
                    if !diff.is_empty() {
                        patch.insert(key.clone(), Value::Object(diff));
                    }
                }
                (Value::Array(o), Value::Array(m)) => match field.strategy {
                    Strategy::Merge(merge_key) => {
                        let nested = DiffOptions {
                            build_retain_keys: field.retain_keys,
                            ..options
                        };
                        let lists = diff_lists(o, m, field.ty, merge_key.unwrap_or(""), nested)?;
                        if !lists.changes.is_empty() {
                            patch.insert(key.clone(), Value::Array(lists.changes));
                        }
                        if !lists.deletions.is_empty() {
                            let k = format!("{DELETE_FROM_PRIMITIVE_LIST}/{key}");
                            patch.insert(k, Value::Array(lists.deletions));
                        }
                        if !lists.order.is_empty() {
                            let k = format!("{SET_ELEMENT_ORDER}/{key}");
                            patch.insert(k, Value::Array(lists.order));
                        }
                    }
                    Strategy::Default => {
                        replace_if_changed(&mut patch, key, original_value, modified_value, options)
                    }
                },
                _ => replace_if_changed(&mut patch, key, original_value, modified_value, options),
            }
        }
        if !options.ignore_deletions {
            for key in original.keys() {
                if !modified.contains_key(key) {
                    patch.insert(key.clone(), Value::Null);
                }
            }
        }
        let original_has_more = original
            .iter()
            .any(|(k, v)| !v.is_null() && !modified.contains_key(k));
        if !retain.is_empty() && (!patch.is_empty() || original_has_more) {
            patch.insert(
                RETAIN_KEYS.to_owned(),
                Value::Array(value::sort_scalars(retain)),
            );
        }
        Ok(patch)
    })
}

fn replace_if_changed(
    patch: &mut JsonMap,
    key: &str,
    original: &Value,
    modified: &Value,
    options: DiffOptions,
) {
    if !options.ignore_changes_and_additions && original != modified {
        patch.insert(key.to_owned(), modified.clone());
    }
}

/// The three parts of a merging list's diff.
#[derive(Debug, Default)]
struct ListDiff {
    /// Added and changed elements, then `$patch: delete` elements.
    changes: Vec<Value>,
    /// Removed scalars (`$deleteFromPrimitiveList`).
    deletions: Vec<Value>,
    /// The new order (`$setElementOrder`).
    order: Vec<Value>,
}

/// `diffLists`: the diff of a merging list.
fn diff_lists(
    original: &[Value],
    modified: &[Value],
    ty: Ty,
    merge_key: &str,
    options: DiffOptions,
) -> Result<ListDiff, PatchError> {
    if original.is_empty() {
        if modified.is_empty() || options.ignore_changes_and_additions {
            return Ok(ListDiff::default());
        }
        return Ok(ListDiff {
            changes: modified.to_vec(),
            ..ListDiff::default()
        });
    }
    let kind = value::element_kind(&[original, modified])?;
    if kind == Kind::Map {
        let (changes, deletes) = diff_lists_of_maps(original, modified, ty, merge_key, options)?;
        let mut changes = value::normalize_slice_order(changes, modified, merge_key, kind)?;
        let order_same = original.len() == modified.len()
            && original
                .iter()
                .zip(modified)
                .all(|(o, m)| o.get(merge_key) == m.get(merge_key));
        changes.extend(deletes);
        let wanted = options.set_element_order
            && ((!options.ignore_changes_and_additions && (!changes.is_empty() || !order_same))
                || (!options.ignore_deletions && !changes.is_empty()));
        let order = if wanted {
            modified
                .iter()
                .map(|m| {
                    let mut entry = Map::new();
                    entry.insert(
                        merge_key.to_owned(),
                        m.get(merge_key).cloned().unwrap_or(Value::Null),
                    );
                    Value::Object(entry)
                })
                .collect()
        } else {
            Vec::new()
        };
        return Ok(ListDiff {
            changes,
            deletions: Vec::new(),
            order,
        });
    }
    let (additions, deletions) = diff_lists_of_scalars(original, modified, options);
    let changes = value::normalize_slice_order(additions, modified, merge_key, kind)?;
    // Go sorts the original list in place before this comparison, so a
    // list merely out of order counts as changed.
    let sorted_original = value::sort_scalars(original.to_vec());
    let wanted = options.set_element_order
        && ((!options.ignore_deletions && !deletions.is_empty())
            || (!options.ignore_changes_and_additions && sorted_original != modified));
    Ok(ListDiff {
        changes,
        deletions,
        order: if wanted {
            modified.to_vec()
        } else {
            Vec::new()
        },
    })
}

/// Walks two scalar lists sorted by `%v`: what was added, what removed.
fn diff_lists_of_scalars(
    original: &[Value],
    modified: &[Value],
    options: DiffOptions,
) -> (Vec<Value>, Vec<Value>) {
    let original = value::sort_scalars(original.to_vec());
    let modified = value::sort_scalars(modified.to_vec());
    let (mut additions, mut deletions) = (Vec::new(), Vec::new());
    let (mut o, mut m) = (0, 0);
    while o < original.len() || m < modified.len() {
        let os = original.get(o).map(value::go_string);
        let ms = modified.get(m).map(value::go_string);
        match (os, ms) {
            (Some(os), Some(ms)) if os == ms => {
                o += 1;
                m += 1;
            }
            (None, Some(_)) => {
                additions.push(modified[m].clone());
                m += 1;
            }
            (Some(os), Some(ms)) if os > ms => {
                additions.push(modified[m].clone());
                m += 1;
            }
            _ => {
                deletions.push(original[o].clone());
                o += 1;
            }
        }
    }
    if options.ignore_changes_and_additions {
        additions.clear();
    }
    if options.ignore_deletions {
        deletions.clear();
    }
    (additions, value::dedupe(deletions))
}

/// Sorts a list of objects by the `%v` of its merge key.
fn sorted_by_key<'a>(
    list: &'a [Value],
    merge_key: &str,
) -> Result<Vec<(String, &'a Value)>, PatchError> {
    let mut keyed = list
        .iter()
        .map(|v| Ok((value::go_string(value::merge_key_value(v, merge_key)?), v)))
        .collect::<Result<Vec<_>, PatchError>>()?;
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(keyed)
}

/// Walks two object lists sorted by merge key: changed and added elements,
/// and `$patch: delete` elements for the removed ones.
fn diff_lists_of_maps(
    original: &[Value],
    modified: &[Value],
    ty: Ty,
    merge_key: &str,
    options: DiffOptions,
) -> Result<(Vec<Value>, Vec<Value>), PatchError> {
    let original = sorted_by_key(original, merge_key)?;
    let modified = sorted_by_key(modified, merge_key)?;
    let (mut changes, mut deletes) = (Vec::new(), Vec::new());
    let (mut o, mut m) = (0, 0);
    while o < original.len() || m < modified.len() {
        match (original.get(o), modified.get(m)) {
            (Some((ok, ov)), Some((mk, mv))) if ok == mk => {
                let diff = diff_maps(
                    value::as_element_map(ov)?,
                    value::as_element_map(mv)?,
                    ty,
                    options,
                )?;
                if !diff.is_empty() {
                    let mut diff = diff;
                    diff.insert(
                        merge_key.to_owned(),
                        value::merge_key_value(mv, merge_key)?.clone(),
                    );
                    changes.push(Value::Object(diff));
                }
                o += 1;
                m += 1;
            }
            (None, Some((_, mv))) => {
                if !options.ignore_changes_and_additions {
                    changes.push((*mv).clone());
                }
                m += 1;
            }
            (Some((ok, _)), Some((mk, mv))) if ok > mk => {
                if !options.ignore_changes_and_additions {
                    changes.push((*mv).clone());
                }
                m += 1;
            }
            (Some((_, ov)), _) => {
                if !options.ignore_deletions {
                    let mut directive = Map::new();
                    directive.insert(
                        merge_key.to_owned(),
                        value::merge_key_value(ov, merge_key)?.clone(),
                    );
                    directive.insert(DIRECTIVE.to_owned(), Value::String("delete".to_owned()));
                    deletes.push(Value::Object(directive));
                }
                o += 1;
            }
            (None, None) => break,
        }
    }
    Ok((changes, deletes))
}
