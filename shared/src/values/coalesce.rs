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
use crate::engine::gofmt::{format_value, quote, sprintf};
use crate::engine::value::{Map, MapKind};
use crate::log::{Log, Record};

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
/// chart defaults' own `null`s are dropped. Helm's warnings (a table
/// meeting a non-table, globals that are not tables) go to `log`.
pub fn coalesce_values(chart: &Chart, user: &Map, log: &mut dyn Log) -> Result<Map, CoalesceError> {
    let dest = deep_copy(user);
    coalesce(chart, &dest, "", false, log)?;
    Ok(dest)
}

/// Helm's `MergeValues`: as [`coalesce_values`], but every `null` stays.
pub fn merge_values(chart: &Chart, user: &Map, log: &mut dyn Log) -> Result<Map, CoalesceError> {
    let dest = deep_copy(user);
    coalesce(chart, &dest, "", true, log)?;
    Ok(dest)
}

/// Helm's `MergeTables`: `src` under `dst` (which wins), nulls kept.
/// Returns `dst`, modified.
pub fn merge_tables(dst: &Map, src: &Map, log: &mut dyn Log) -> Map {
    coalesce_tables_with(dst, src, "", true, log);
    dst.clone()
}

/// Helm's `CoalesceTables`: `src` laid under `dst` (which wins), `null`s
/// in `dst` removing keys; returns `dst`. No chart is involved (lint uses
/// it for the top-level values only).
pub fn coalesce_tables(dst: &Map, src: &Map, log: &mut dyn Log) -> Map {
    coalesce_tables_with(dst, src, "", false, log);
    dst.clone()
}

/// `a.b`, or `b` alone under an empty prefix: the dotted names Helm's
/// warnings use.
fn join_key(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// Coalesces `chart`'s defaults into `dest`, its section of the values,
/// then its subcharts'; `prefix` names the chart's parents.
fn coalesce(
    chart: &Chart,
    dest: &Map,
    prefix: &str,
    merge: bool,
    log: &mut dyn Log,
) -> Result<(), CoalesceError> {
    coalesce_chart_values(chart, dest, prefix, merge, log);
    coalesce_dependencies(chart, dest, prefix, merge, log)
}

fn coalesce_dependencies(
    chart: &Chart,
    dest: &Map,
    prefix: &str,
    merge: bool,
    log: &mut dyn Log,
) -> Result<(), CoalesceError> {
    let sub_prefix = join_key(prefix, chart.name());
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
        coalesce_globals(&section, dest, &sub_prefix, log);
        coalesce(sub, &section, &sub_prefix, merge, log)?;
    }
    Ok(())
}

/// Copies the parent's `global` into the subchart's section: tables merge
/// (the parent's entries winning), anything else replaces.
fn coalesce_globals(dest: &Map, src: &Map, prefix: &str, log: &mut dyn Log) {
    let dest_globals = match dest.get(GLOBAL_KEY) {
        None => Map::new(MapKind::Any),
        Some(Value::Map(m)) => m,
        Some(_) => {
            log.log(Record::info(
                "warning: skipping globals because destination global is not a table.",
            ));
            return;
        }
    };
    let src_globals = match src.get(GLOBAL_KEY) {
        None => Map::new(MapKind::Any),
        Some(Value::Map(m)) => m,
        Some(_) => {
            log.log(Record::info(
                "warning: skipping globals because source global is not a table.",
            ));
            return;
        }
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
                        // Helm names these `PARENT.KEY`, without `global`.
                        let full = join_key(prefix, &key);
                        coalesce_tables_with(&copy, &dest_table, &full, true, log);
                        dest_globals.insert(key, Value::Map(copy));
                    }
                    Some(_) => log.log(Record::info(format!(
                        "Conflict: cannot merge map onto non-map for {}. Skipping.",
                        quote(&key)
                    ))),
                }
            }
            (_, Some(Value::Map(_))) => {
                log.log(Record::info(format!("key {key} is table. Skipping")));
            }
            _ => dest_globals.insert(key, val),
        }
    }
    dest.insert(GLOBAL_KEY, Value::Map(dest_globals));
}

/// Lays a chart's defaults under `values`, the chart's section.
fn coalesce_chart_values(
    chart: &Chart,
    values: &Map,
    prefix: &str,
    merge: bool,
    log: &mut dyn Log,
) {
    let Value::Map(defaults) = deep_copy_value(&chart.values) else {
        return;
    };
    let sub_prefix = join_key(prefix, chart.name());
    let defaults: Vec<(String, Value)> = defaults.entries().clone().into_iter().collect();
    for (key, default) in defaults {
        match values.get(&key) {
            Some(Value::Nil) if !merge => {
                values.entries_mut().remove(&key);
            }
            Some(Value::Map(dest)) => match &default {
                Value::Map(src) => {
                    let merge = merge || chart.dependencies.iter().any(|d| d.name() == key);
                    if !merge {
                        remove_nils(src);
                    }
                    let full = join_key(&sub_prefix, &key);
                    coalesce_tables_with(&dest, src, &full, merge, log);
                }
                // A null default has nothing to lay under the table.
                Value::Nil => {}
                // Helm joins these with a dot even under an unnamed chart.
                _ => log.log(Record::info(format!(
                    "warning: skipped value for {sub_prefix}.{key}: Not a table."
                ))),
            },
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

/// Helm's `coalesceTablesFullKey`: `src` under `dst`, which wins; `prefix`
/// names `dst` in warnings. Like Helm, this also writes `dst`'s nulls into
/// `src`.
fn coalesce_tables_with(dst: &Map, src: &Map, prefix: &str, merge: bool, log: &mut dyn Log) {
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
            (Some(Value::Map(d)), Value::Map(s)) => {
                coalesce_tables_with(&d, s, &join_key(prefix, &key), merge, log);
            }
            // Table against non-table, either way: dst stands.
            (Some(_), Value::Map(_)) => log.log(Record::info(format!(
                "warning: cannot overwrite table with non table for {} ({})",
                join_key(prefix, &key),
                format_value(&val)
            ))),
            (Some(Value::Map(_)), _) if !val.is_nil() => log.log(Record::info(format!(
                "warning: destination for {} is a table. Ignoring non-table value ({})",
                join_key(prefix, &key),
                format_value(&val)
            ))),
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
    use crate::log::Discard;
    use crate::values::{Typing, parse_into};

    fn file(name: &str, text: &str) -> File {
        File {
            name: name.into(),
            data: text.as_bytes().to_vec(),
        }
    }

    fn tree() -> Chart {
        from_files(
            vec![
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
            ],
            &mut Discard,
        )
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
        let mut log: Vec<Record> = Vec::new();
        let values = coalesce_values(&tree(), &user(""), &mut log).unwrap();
        assert!(log.is_empty(), "{log:?}");
        assert_eq!(
            format_value(&Value::Map(values)),
            "map[global:map[g:top] sub:map[global:map[g:top h:sub] x:parent z:sub]]"
        );
    }

    #[test]
    fn a_user_null_deletes_a_subchart_default() {
        let values =
            coalesce_values(&tree(), &user("sub.z=null,global.g=cli"), &mut Discard).unwrap();
        assert_eq!(
            format_value(&Value::Map(values)),
            "map[global:map[g:cli] sub:map[global:map[g:cli h:sub] x:parent]]"
        );
    }

    #[test]
    fn merging_keeps_nulls() {
        let values = merge_values(&tree(), &user(""), &mut Discard).unwrap();
        let text = format_value(&Value::Map(values));
        assert!(
            text.contains("gone:<nil>") && text.contains("nul:<nil>"),
            "{text}"
        );
    }

    #[test]
    fn a_scalar_where_a_subchart_section_belongs_is_an_error() {
        let err = coalesce_values(&tree(), &user("sub=1"), &mut Discard)
            .err()
            .unwrap();
        assert_eq!(err.to_string(), "type mismatch on sub: %!t(int64=1)");
    }

    fn messages(log: &[Record]) -> Vec<String> {
        log.iter().map(|r| r.to_string()).collect()
    }

    #[test]
    fn a_table_over_a_scalar_default_is_kept_with_a_warning() {
        let mut log: Vec<Record> = Vec::new();
        let values = coalesce_values(&tree(), &user("sub.x.y=1"), &mut log).unwrap();
        assert!(format_value(&Value::Map(values)).contains("x:map[y:1]"));
        assert_eq!(
            messages(&log),
            [
                // The parent's default for its subchart's section, then the
                // subchart's own.
                r#"level=INFO msg="warning: destination for top.sub.x is a table. Ignoring non-table value (parent)""#,
                r#"level=INFO msg="warning: skipped value for top.sub.x: Not a table.""#,
            ]
        );
    }

    #[test]
    fn a_scalar_global_is_skipped_with_a_warning() {
        let mut log: Vec<Record> = Vec::new();
        coalesce_values(&tree(), &user("global=1"), &mut log).unwrap();
        assert_eq!(
            messages(&log),
            [r#"level=INFO msg="warning: skipping globals because source global is not a table.""#]
        );
    }

    #[test]
    fn tables_and_scalars_meeting_in_tables_warn_with_the_full_key() {
        let mut log: Vec<Record> = Vec::new();
        let dst = coalesce_tables(&user("a.b=1,c.d=x"), &user("a.b.e=2,c.d.f=3"), &mut log);
        assert_eq!(format_value(&Value::Map(dst)), "map[a:map[b:1] c:map[d:x]]");
        let mut log2: Vec<Record> = Vec::new();
        let dst = coalesce_tables(&user("a.b.e=2"), &user("a.b=1"), &mut log2);
        assert_eq!(format_value(&Value::Map(dst)), "map[a:map[b:map[e:2]]]");
        log.extend(log2);
        assert_eq!(
            messages(&log),
            [
                r#"level=INFO msg="warning: cannot overwrite table with non table for a.b (map[e:2])""#,
                r#"level=INFO msg="warning: cannot overwrite table with non table for c.d (map[f:3])""#,
                r#"level=INFO msg="warning: destination for a.b is a table. Ignoring non-table value (1)""#,
            ]
        );
    }
}
