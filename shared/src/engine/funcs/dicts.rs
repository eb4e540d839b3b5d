//! Sprig's dict functions: `dict`, `get`, `set`, `unset`, `hasKey`,
//! `pluck`, `dig`, `keys`, `pick`, `omit`, `values`, `merge*`, `deepCopy`.
//!
//! Go maps are references: `set`, `unset` and the merges mutate the map they
//! are given (every holder sees it) and return that same map.
//!
//! Known differences from Helm:
//! - `keys` and `values` follow Go's map iteration, which is random; we
//!   return sorted key order (cases must `sortAlpha`).
//! - A nil map argument (`merge nil nil`, `unset nil "k"`) comes back as nil,
//!   whose `typeOf` is `<nil>` where Go says `map[string]interface {}`.
//! - A map returned by `set`/`merge` keeps its own Go type (`common.Values`
//!   for `.Values`), where Go's result type is `map[string]interface {}`.

use std::collections::BTreeMap;

use super::lists::is_empty;
use super::{Env, FuncMap, add, add_variadic};
use crate::engine::cast::strval;
use crate::engine::value::{Map, MapKind, Ty, Value};

/// Deeper nesting than this is a cycle or an abuse; Go would overflow its
/// stack, we fail cleanly.
const MAX_DEPTH: usize = 256;

pub(super) fn register(map: &mut FuncMap) {
    add_variadic(map, "dict", &[], Ty::Any, dict);
    add(map, "get", &[Ty::Dict, Ty::String], get);
    add(map, "set", &[Ty::Dict, Ty::String, Ty::Any], set);
    add(map, "unset", &[Ty::Dict, Ty::String], unset);
    add(map, "hasKey", &[Ty::Dict, Ty::String], has_key);
    add_variadic(map, "pluck", &[Ty::String], Ty::Dict, pluck);
    add_variadic(map, "keys", &[], Ty::Dict, keys);
    add_variadic(map, "pick", &[Ty::Dict], Ty::String, pick);
    add_variadic(map, "omit", &[Ty::Dict], Ty::String, omit);
    add(map, "values", &[Ty::Dict], values);
    add_variadic(map, "dig", &[], Ty::Any, dig);
    for name in ["merge", "mustMerge"] {
        add_variadic(map, name, &[Ty::Dict], Ty::Dict, merge);
    }
    for name in ["mergeOverwrite", "mustMergeOverwrite"] {
        add_variadic(map, name, &[Ty::Dict], Ty::Dict, merge_overwrite);
    }
    for name in ["deepCopy", "mustDeepCopy"] {
        add(map, name, &[Ty::Any], deep_copy);
    }
}

/// The entries of a map argument; a nil map has none.
fn entries(v: &Value) -> BTreeMap<String, Value> {
    match v {
        Value::Map(m) => m.entries().clone(),
        _ => BTreeMap::new(),
    }
}

fn string_arg(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

fn new_map(entries: BTreeMap<String, Value>) -> Value {
    Value::Map(Map::from_entries(MapKind::Any, entries))
}

/// `dict k1 v1 k2 v2 …`: keys are stringified like Sprig's `strval`; a
/// missing last value is `""`.
fn dict(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let mut out = BTreeMap::new();
    let mut it = args.into_iter();
    while let Some(key) = it.next() {
        let value = it.next().unwrap_or_else(|| Value::from(""));
        out.insert(strval(&key), value);
    }
    Ok(new_map(out))
}

fn get(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let found = match &args[0] {
        Value::Map(m) => m.get(string_arg(&args[1])),
        _ => None,
    };
    Ok(found.unwrap_or_else(|| Value::from("")))
}

fn set(_: &mut dyn Env, mut args: Vec<Value>) -> Result<Value, String> {
    let value = args.pop().unwrap_or_default();
    match &args[0] {
        Value::Map(m) if !m.is_nil() => {
            m.insert(string_arg(&args[1]), value);
            Ok(args.swap_remove(0))
        }
        _ => Err("assignment to entry in nil map".into()),
    }
}

fn unset(_: &mut dyn Env, mut args: Vec<Value>) -> Result<Value, String> {
    if let Value::Map(m) = &args[0] {
        m.entries_mut().remove(string_arg(&args[1]));
    }
    Ok(args.swap_remove(0))
}

fn has_key(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let found = match &args[0] {
        Value::Map(m) => m.entries().contains_key(string_arg(&args[1])),
        _ => false,
    };
    Ok(Value::Bool(found))
}

fn pluck(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let key = string_arg(&args[0]).to_owned();
    let found = args[1..]
        .iter()
        .filter_map(|d| match d {
            Value::Map(m) => m.get(&key),
            _ => None,
        })
        .collect();
    Ok(Value::list(found))
}

fn keys(_: &mut dyn Env, dicts: Vec<Value>) -> Result<Value, String> {
    let all: Vec<String> = dicts.iter().flat_map(|d| entries(d).into_keys()).collect();
    Ok(Value::strings(all))
}

fn pick(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let source = entries(&args[0]);
    let picked = args[1..]
        .iter()
        .filter_map(|k| {
            let k = string_arg(k);
            source.get(k).map(|v| (k.to_owned(), v.clone()))
        })
        .collect();
    Ok(new_map(picked))
}

fn omit(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let mut kept = entries(&args[0]);
    for k in &args[1..] {
        kept.remove(string_arg(k));
    }
    Ok(new_map(kept))
}

fn values(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    Ok(Value::list(entries(&args[0]).into_values().collect()))
}

/// The name Go gives a value's dynamic type in an interface conversion panic.
fn conversion_type(v: &Value) -> String {
    match v {
        Value::Nil => "nil".into(),
        other => other.type_name(),
    }
}

/// Sprig's `dig k1 k2 … default dict`. Sprig type-asserts its arguments, so
/// anything but a plain `map[string]interface {}` (Helm's `.Values`
/// included) fails with Go's interface conversion panic.
fn dig(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    if args.len() < 3 {
        return Err("dig needs at least three arguments".into());
    }
    let dict = as_plain_map(&args[args.len() - 1])?;
    let default = args[args.len() - 2].clone();
    let keys = args[..args.len() - 2]
        .iter()
        .map(|k| {
            k.as_str().ok_or_else(|| {
                format!(
                    "interface conversion: interface {{}} is {}, not string",
                    conversion_type(k)
                )
            })
        })
        .collect::<Result<Vec<&str>, String>>()?;
    let mut current = dict;
    for (i, key) in keys.iter().enumerate() {
        let Some(step) = current.get(key) else {
            return Ok(default);
        };
        if i + 1 == keys.len() {
            return Ok(step);
        }
        current = as_plain_map(&step)?;
    }
    Ok(default)
}

fn as_plain_map(v: &Value) -> Result<Map, String> {
    match v {
        Value::Map(m) if m.kind() == MapKind::Any => Ok(m.clone()),
        other => Err(format!(
            "interface conversion: interface {{}} is {}, not map[string]interface {{}}",
            conversion_type(other)
        )),
    }
}

fn merge(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    merge_all(args, false)
}

fn merge_overwrite(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    merge_all(args, true)
}

/// Merges every source into the first map, as Sprig does with mergo, and
/// returns that map. A nil destination becomes a new map once a non-nil
/// source arrives.
fn merge_all(args: Vec<Value>, overwrite: bool) -> Result<Value, String> {
    let mut it = args.into_iter();
    let mut dst = it.next().unwrap_or_default();
    for src in it {
        let Value::Map(src) = src else { continue };
        if src.is_nil() {
            continue;
        }
        let dst_is_nil = match &dst {
            Value::Map(m) => m.is_nil(),
            other => other.is_nil(),
        };
        if dst_is_nil {
            dst = Value::Map(Map::new(MapKind::Any));
        }
        if let Value::Map(d) = &dst {
            merge_into(d, &src, overwrite, 0)?;
        }
    }
    Ok(dst)
}

/// mergo's map merge (`Merge`, or `Merge` with `WithOverride`):
/// - a nil source value is skipped, or stored when overwriting;
/// - two maps merge recursively, into the destination's own map;
/// - otherwise the source value replaces a missing or empty destination
///   value, or any destination value when overwriting.
fn merge_into(dst: &Map, src: &Map, overwrite: bool, depth: usize) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err("merge: maps nested too deeply".into());
    }
    // Snapshot the source: it may be the destination itself.
    let src_entries = src.entries().clone();
    for (key, value) in src_entries {
        let current = dst.get(&key);
        match (&value, &current) {
            (Value::Nil, _) => {
                if overwrite {
                    dst.insert(key, Value::Nil);
                }
            }
            (Value::Map(s), Some(Value::Map(d))) => merge_into(d, s, overwrite, depth + 1)?,
            _ => {
                if overwrite || current.as_ref().is_none_or(is_empty) {
                    dst.insert(key, value);
                }
            }
        }
    }
    Ok(())
}

/// `deepCopy`: maps and lists copied all the way down, keeping Go types.
fn deep_copy(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let v = args.into_iter().next().unwrap_or_default();
    if v.is_nil() {
        return Err("reflect: call of reflect.Value.Type on zero Value".into());
    }
    copy_value(&v, 0)
}

fn copy_value(v: &Value, depth: usize) -> Result<Value, String> {
    if depth > MAX_DEPTH {
        return Err("deepCopy: values nested too deeply".into());
    }
    Ok(match v {
        Value::Map(m) => {
            let copied = m
                .entries()
                .iter()
                .map(|(k, v)| Ok((k.clone(), copy_value(v, depth + 1)?)))
                .collect::<Result<BTreeMap<_, _>, String>>()?;
            Value::Map(Map::from_entries(m.kind(), copied))
        }
        Value::List(l) => {
            let items = l
                .items
                .iter()
                .map(|i| copy_value(i, depth + 1))
                .collect::<Result<Vec<_>, String>>()?;
            Value::List(std::rc::Rc::new(crate::engine::value::List {
                items,
                elem: l.elem,
                nil: false,
            }))
        }
        other => other.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::funcs::call;

    fn d(pairs: &[(&str, Value)]) -> Value {
        let entries = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        new_map(entries)
    }

    fn show(v: &Value) -> String {
        format!("{v:?}")
    }

    #[test]
    fn dict_stringifies_keys_and_pads() {
        let m = call("dict", vec![Value::int(1), "x".into(), "b".into()]).unwrap();
        assert_eq!(show(&m), r#"{"1": "x", "b": ""}"#);
    }

    #[test]
    fn set_and_unset_mutate_in_place() {
        let m = d(&[("a", Value::int(1))]);
        let r = call("set", vec![m.clone(), "b".into(), Value::int(2)]).unwrap();
        assert_eq!(show(&m), r#"{"a": int(1), "b": int(2)}"#);
        let (Value::Map(x), Value::Map(y)) = (&m, &r) else {
            panic!()
        };
        assert!(x.same(y));
        call("unset", vec![m.clone(), "a".into()]).unwrap();
        assert_eq!(show(&m), r#"{"b": int(2)}"#);
        assert_eq!(
            call("set", vec![Value::Nil, "a".into(), Value::Nil]).unwrap_err(),
            "assignment to entry in nil map"
        );
    }

    #[test]
    fn get_missing_is_empty_string() {
        assert_eq!(
            call("get", vec![d(&[]), "x".into()]).unwrap().as_str(),
            Some("")
        );
        assert_eq!(
            call("get", vec![Value::Nil, "x".into()]).unwrap().as_str(),
            Some("")
        );
    }

    #[test]
    fn dig_walks_plain_maps_only() {
        let inner = d(&[("b", "deep".into())]);
        let m = d(&[("a", inner)]);
        let got = call("dig", vec!["a".into(), "b".into(), "def".into(), m.clone()]).unwrap();
        assert_eq!(got.as_str(), Some("deep"));
        let got = call("dig", vec!["a".into(), "x".into(), "def".into(), m]).unwrap();
        assert_eq!(got.as_str(), Some("def"));
        let values = Value::Map(Map::new(MapKind::Values));
        assert_eq!(
            call("dig", vec!["a".into(), "def".into(), values]).unwrap_err(),
            "interface conversion: interface {} is common.Values, not map[string]interface {}"
        );
        let scalar = d(&[("a", "s".into())]);
        assert_eq!(
            call("dig", vec!["a".into(), "b".into(), "d".into(), scalar]).unwrap_err(),
            "interface conversion: interface {} is string, not map[string]interface {}"
        );
    }

    #[test]
    fn merge_keeps_non_empty_destination_values() {
        let dst = d(&[
            ("a", Value::int(1)),
            ("e", "".into()),
            ("n", d(&[("x", Value::int(1))])),
        ]);
        let src = d(&[
            ("a", Value::int(2)),
            ("e", "filled".into()),
            ("z", Value::Nil),
            ("n", d(&[("x", Value::int(2)), ("y", Value::int(2))])),
        ]);
        call("merge", vec![dst.clone(), src]).unwrap();
        assert_eq!(
            show(&dst),
            r#"{"a": int(1), "e": "filled", "n": {"x": int(1), "y": int(2)}}"#
        );
    }

    #[test]
    fn merge_overwrite_replaces_even_with_empty_and_nil() {
        let dst = d(&[
            ("a", Value::int(1)),
            ("m", d(&[("x", Value::int(1))])),
            ("s", "x".into()),
        ]);
        let src = d(&[("a", Value::int(0)), ("m", Value::Nil), ("s", d(&[]))]);
        call("mergeOverwrite", vec![dst.clone(), src]).unwrap();
        assert_eq!(show(&dst), r#"{"a": int(0), "m": nil, "s": {}}"#);
    }

    #[test]
    fn merge_into_itself_and_nil_destination() {
        let m = d(&[("a", Value::int(1))]);
        call("merge", vec![m.clone(), m.clone()]).unwrap();
        assert_eq!(show(&m), r#"{"a": int(1)}"#);
        let r = call("merge", vec![Value::Nil, m]).unwrap();
        assert_eq!(show(&r), r#"{"a": int(1)}"#);
        assert!(
            call("merge", vec![Value::Nil, Value::Nil])
                .unwrap()
                .is_nil()
        );
    }

    #[test]
    fn deep_copy_is_independent_and_bounded() {
        let inner = d(&[("x", Value::int(1))]);
        let m = d(&[("n", inner.clone())]);
        let copy = call("deepCopy", vec![m]).unwrap();
        if let Value::Map(inner) = &inner {
            inner.insert("y", Value::int(2));
        }
        assert_eq!(show(&copy), r#"{"n": {"x": int(1)}}"#);
        let Value::Map(cyclic) = d(&[]) else { panic!() };
        cyclic.insert("self", Value::Map(cyclic.clone()));
        assert!(call("deepCopy", vec![Value::Map(cyclic.clone())]).is_err());
        cyclic.entries_mut().clear();
    }

    #[test]
    fn keys_pick_omit_values() {
        let m = d(&[("b", Value::int(2)), ("a", Value::int(1))]);
        assert_eq!(
            show(&call("keys", vec![m.clone(), m.clone()]).unwrap()),
            r#"["a", "b", "a", "b"]"#
        );
        assert_eq!(
            call("keys", vec![m.clone()]).unwrap().type_name(),
            "[]string"
        );
        assert_eq!(
            show(&call("pick", vec![m.clone(), "a".into(), "z".into()]).unwrap()),
            r#"{"a": int(1)}"#
        );
        assert_eq!(
            show(&call("omit", vec![m.clone(), "a".into()]).unwrap()),
            r#"{"b": int(2)}"#
        );
        assert_eq!(show(&call("values", vec![m]).unwrap()), "[int(1), int(2)]");
    }
}
