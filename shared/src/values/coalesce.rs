//! Helm's coalescing of values down a chart tree (`CoalesceValues`,
//! `MergeValues`): the user's values over each chart's defaults, every
//! subchart's section over that subchart's defaults, and `global` handed
//! down from parent to child.
//!
//! Helm 4.3.1 works on shared, mutable Go maps and copies deeply in some
//! places and shallowly in others; templates can observe the sharing (a
//! subchart's global defaults can show through in its parent). The
//! functions here copy exactly where Helm does, so they share alike.

use crate::chart::Chart;
use crate::engine::Value;
use crate::engine::gofmt::sprintf;
use crate::engine::value::{Map, MapKind};

/// The key whose values every chart of a tree shares.
pub const GLOBAL_KEY: &str = "global";

/// Coalescing failed; Helm's message.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("type mismatch on {name}: {printed}")]
pub struct CoalesceError {
    name: String,
    printed: String,
}

/// Helm's `CoalesceValues`: `user` (left untouched) over the defaults of
/// `chart` and its subcharts. A `null` deletes the default it meets, and
/// chart defaults' own `null`s are dropped.
pub fn coalesce_values(chart: &Chart, user: &Map) -> Result<Map, CoalesceError> {
    let dest = deep_copy(user);
    coalesce(chart, &dest, false)?;
    Ok(dest)
}

/// Helm's `MergeValues`: as [`coalesce_values`], but every `null` stays.
pub fn merge_values(chart: &Chart, user: &Map) -> Result<Map, CoalesceError> {
    let dest = deep_copy(user);
    coalesce(chart, &dest, true)?;
    Ok(dest)
}

/// Helm's `MergeTables`: `src` under `dst` (which wins), nulls kept.
/// Returns `dst`, modified.
pub fn merge_tables(dst: &Map, src: &Map) -> Map {
    coalesce_tables_with(dst, src, true);
    dst.clone()
}

/// Helm's `CoalesceTables`: `src` laid under `dst` (which wins), `null`s
/// in `dst` removing keys; returns `dst`. No chart is involved (lint uses
/// it for the top-level values only).
pub fn coalesce_tables(dst: &Map, src: &Map) -> Map {
    coalesce_tables_with(dst, src, false);
    dst.clone()
}

fn coalesce(chart: &Chart, dest: &Map, merge: bool) -> Result<(), CoalesceError> {
    coalesce_chart_values(chart, dest, merge);
    coalesce_dependencies(chart, dest, merge)
}

fn coalesce_dependencies(chart: &Chart, dest: &Map, merge: bool) -> Result<(), CoalesceError> {
    for sub in &chart.dependencies {
        let section = match dest.get(sub.name()) {
            None => {
                let m = Map::new(MapKind::Any);
                dest.insert(sub.name(), Value::Map(m.clone()));
                m
            }
            Some(Value::Map(m)) => m,
            Some(other) => {
                return Err(CoalesceError {
                    name: sub.name().to_string(),
                    printed: sprintf("%t", &[other]),
                });
            }
        };
        coalesce_globals(&section, dest);
        coalesce(sub, &section, merge)?;
    }
    Ok(())
}

/// Copies the parent's `global` into the subchart's section: tables merge
/// (the parent's entries winning), anything else replaces.
fn coalesce_globals(dest: &Map, src: &Map) {
    let dest_globals = match dest.get(GLOBAL_KEY) {
        None => Map::new(MapKind::Any),
        Some(Value::Map(m)) => m,
        // Helm warns and leaves a non-table `global` alone.
        Some(_) => return,
    };
    let src_globals = match src.get(GLOBAL_KEY) {
        None => Map::new(MapKind::Any),
        Some(Value::Map(m)) => m,
        Some(_) => return,
    };
    let entries = src_globals.snapshot();
    for (key, val) in entries {
        match (&val, dest_globals.get(&key)) {
            (Value::Map(table), existing) => {
                // A shallow copy, as Helm makes: nested tables stay shared.
                let copy = table.shallow_copy(MapKind::Any);
                match existing {
                    None => dest_globals.insert(key, Value::Map(copy)),
                    Some(Value::Map(dest_table)) => {
                        coalesce_tables_with(&copy, &dest_table, true);
                        dest_globals.insert(key, Value::Map(copy));
                    }
                    // A map cannot merge onto a non-map: skipped (Helm warns).
                    Some(_) => {}
                }
            }
            (_, Some(Value::Map(_))) => {}
            _ => dest_globals.insert(key, val),
        }
    }
    dest.insert(GLOBAL_KEY, Value::Map(dest_globals));
}

/// Lays a chart's defaults under `values`, the chart's section.
fn coalesce_chart_values(chart: &Chart, values: &Map, merge: bool) {
    let Value::Map(defaults) = deep_copy_value(&chart.values) else {
        return;
    };
    let defaults: Vec<(String, Value)> = defaults.entries().clone().into_iter().collect();
    for (key, default) in defaults {
        match values.get(&key) {
            Some(Value::Nil) if !merge => {
                values.entries_mut().remove(&key);
            }
            Some(Value::Map(dest)) => {
                // A scalar default under a table (Helm warns) is skipped.
                if let Value::Map(src) = &default {
                    let merge = merge || chart.dependencies.iter().any(|d| d.name() == key);
                    if !merge {
                        remove_nils(src);
                    }
                    coalesce_tables_with(&dest, src, merge);
                }
            }
            Some(_) => {}
            None => {
                if !merge {
                    match &default {
                        Value::Nil => continue,
                        Value::Map(m) => remove_nils(m),
                        _ => {}
                    }
                }
                values.insert(key, default);
            }
        }
    }
}

/// Helm's `coalesceTablesFullKey`: `src` under `dst`, which wins. Like
/// Helm, this also writes `dst`'s nulls into `src`.
fn coalesce_tables_with(dst: &Map, src: &Map, merge: bool) {
    if dst.same(src) {
        return;
    }
    let originally_set: Vec<String> = src
        .entries()
        .iter()
        .filter(|(_, v)| !v.is_nil())
        .map(|(k, _)| k.clone())
        .collect();
    let dst_nils: Vec<String> = dst
        .entries()
        .iter()
        .filter(|(_, v)| v.is_nil())
        .map(|(k, _)| k.clone())
        .collect();
    for key in dst_nils {
        src.insert(key, Value::Nil);
    }
    let entries: Vec<(String, Value)> = src.entries().clone().into_iter().collect();
    for (key, val) in entries {
        match (dst.get(&key), &val) {
            // The user nulls a default: the key goes. A null meeting no
            // default stays.
            (Some(Value::Nil), _) if !merge && originally_set.contains(&key) => {
                dst.entries_mut().remove(&key);
            }
            (None, _) => dst.insert(key, val),
            (Some(Value::Map(d)), Value::Map(s)) => coalesce_tables_with(&d, s, merge),
            // Table against non-table, either way: dst stands (Helm warns).
            _ => {}
        }
    }
}

/// Removes `null`s from a table, recursively, in place.
fn remove_nils(map: &Map) {
    map.entries_mut().retain(|_, v| !v.is_nil());
    for v in map.entries().values() {
        if let Value::Map(m) = v {
            remove_nils(m);
        }
    }
}

/// A copy that shares nothing mutable with `map`.
pub fn deep_copy(map: &Map) -> Map {
    let entries = map
        .entries()
        .iter()
        .map(|(k, v)| (k.clone(), deep_copy_value(v)))
        .collect();
    Map::from_entries(map.kind(), entries)
}

pub fn deep_copy_value(v: &Value) -> Value {
    // Values may nest thousands deep (`--set a[0][0]…`, `--set-json`): grow
    // the stack rather than overflow it.
    stacker::maybe_grow(64 * 1024, 1024 * 1024, || match v {
        Value::Map(m) => Value::Map(deep_copy(m)),
        Value::List(l) => Value::list(l.items.iter().map(deep_copy_value).collect()),
        other => other.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::{File, from_files};
    use crate::engine::gofmt::format_value;
    use crate::values::{Typing, parse_into};

    fn file(name: &str, text: &str) -> File {
        File {
            name: name.into(),
            data: text.as_bytes().to_vec(),
        }
    }

    fn tree() -> Chart {
        from_files(vec![
            file("Chart.yaml", "apiVersion: v2\nname: top\nversion: 1.0.0\n"),
            file(
                "values.yaml",
                "global: {g: top}\nsub: {x: parent}\ngone: null\n",
            ),
            file(
                "charts/sub/Chart.yaml",
                "apiVersion: v2\nname: sub\nversion: 1.0.0\n",
            ),
            file(
                "charts/sub/values.yaml",
                "x: sub\nz: sub\nnul: null\nglobal: {g: sub, h: sub}\n",
            ),
        ])
        .unwrap()
    }

    fn user(text: &str) -> Map {
        let m = Map::new(MapKind::Any);
        if !text.is_empty() {
            parse_into(text, &m, Typing::Guess).unwrap();
        }
        m
    }

    #[test]
    fn parents_win_globals_flow_down_and_default_nulls_go() {
        let values = coalesce_values(&tree(), &user("")).unwrap();
        assert_eq!(
            format_value(&Value::Map(values)),
            "map[global:map[g:top] sub:map[global:map[g:top h:sub] x:parent z:sub]]"
        );
    }

    #[test]
    fn a_user_null_deletes_a_subchart_default() {
        let values = coalesce_values(&tree(), &user("sub.z=null,global.g=cli")).unwrap();
        assert_eq!(
            format_value(&Value::Map(values)),
            "map[global:map[g:cli] sub:map[global:map[g:cli h:sub] x:parent]]"
        );
    }

    #[test]
    fn merging_keeps_nulls() {
        let values = merge_values(&tree(), &user("")).unwrap();
        let text = format_value(&Value::Map(values));
        assert!(
            text.contains("gone:<nil>") && text.contains("nul:<nil>"),
            "{text}"
        );
    }

    #[test]
    fn a_scalar_where_a_subchart_section_belongs_is_an_error() {
        let err = coalesce_values(&tree(), &user("sub=1")).err().unwrap();
        assert_eq!(err.to_string(), "type mismatch on sub: %!t(int64=1)");
    }
}
