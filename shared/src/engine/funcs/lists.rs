//! Sprig's list functions: `list`, `first`, `rest`, `append`, `uniq`,
//! `slice`, `chunk`, … and their `must*` twins.
//!
//! Sprig works on any Go slice through reflection, so `[]string` and
//! `[]uint8` are lists too, and results are fresh `[]interface {}` (except
//! `slice`, which keeps the input's type). In Go the non-`must` functions
//! panic where the `must` ones return an error; Helm prints both the same
//! way, so here both return the same `Err`.
//!
//! Known difference: Go's nil slices (`rest` of an empty list, `concat` of
//! nothing) marshal as JSON `null`; the value model has no nil slice, so we
//! return an empty list (`[]`).

use std::rc::Rc;

use super::{Env, FuncMap, add, add_variadic};
use crate::engine::cast::to_int;
use crate::engine::value::{List, ListElem, Ty, UintKind, Value, deep_equal};

/// What Go reports when Sprig asks `reflect.TypeOf(nil).Kind()`.
pub(super) const NIL_DEREF: &str =
    "runtime error: invalid memory address or nil pointer dereference";

pub(super) fn register(map: &mut FuncMap) {
    add_variadic(map, "list", &[], Ty::Any, list);
    add_variadic(map, "tuple", &[], Ty::Any, list);
    for name in ["first", "mustFirst"] {
        add(map, name, &[Ty::Any], first);
    }
    for name in ["last", "mustLast"] {
        add(map, name, &[Ty::Any], last);
    }
    for name in ["rest", "mustRest"] {
        add(map, name, &[Ty::Any], rest);
    }
    for name in ["initial", "mustInitial"] {
        add(map, name, &[Ty::Any], initial);
    }
    for name in ["append", "push", "mustAppend", "mustPush"] {
        add(map, name, &[Ty::Any, Ty::Any], push);
    }
    for name in ["prepend", "mustPrepend"] {
        add(map, name, &[Ty::Any, Ty::Any], prepend);
    }
    for name in ["reverse", "mustReverse"] {
        add(map, name, &[Ty::Any], reverse);
    }
    for name in ["uniq", "mustUniq"] {
        add(map, name, &[Ty::Any], uniq);
    }
    for name in ["compact", "mustCompact"] {
        add(map, name, &[Ty::Any], compact);
    }
    for name in ["without", "mustWithout"] {
        add_variadic(map, name, &[Ty::Any], Ty::Any, without);
    }
    for name in ["has", "mustHas"] {
        add(map, name, &[Ty::Any, Ty::Any], has);
    }
    for name in ["slice", "mustSlice"] {
        add_variadic(map, name, &[Ty::Any], Ty::Any, slice);
    }
    for name in ["chunk", "mustChunk"] {
        add(map, name, &[Ty::Int, Ty::Any], chunk);
    }
    add_variadic(map, "concat", &[], Ty::Any, concat);
}

/// The items of a Go slice value (`[]uint8` included), or Go's error for
/// anything else, worded with Sprig's `what` (e.g. `Cannot find first on
/// type string`).
fn items_of(v: &Value, what: impl FnOnce(&str) -> String) -> Result<Vec<Value>, String> {
    match v {
        Value::List(l) => Ok(l.items.clone()),
        Value::Bytes(b) => Ok(b
            .iter()
            .map(|&x| Value::Uint(x.into(), UintKind::Uint8))
            .collect()),
        Value::Nil => Err(NIL_DEREF.into()),
        other => Err(what(&other.kind_name())),
    }
}

fn cannot_find(op: &'static str) -> impl FnOnce(&str) -> String {
    move |kind| format!("Cannot find {op} on type {kind}")
}

fn one(args: Vec<Value>) -> Value {
    args.into_iter().next().unwrap_or_default()
}

fn two(args: Vec<Value>) -> (Value, Value) {
    let mut it = args.into_iter();
    (it.next().unwrap_or_default(), it.next().unwrap_or_default())
}

fn list(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    Ok(Value::list(args))
}

fn first(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let items = items_of(&one(args), cannot_find("first"))?;
    Ok(items.into_iter().next().unwrap_or_default())
}

fn last(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let items = items_of(&one(args), cannot_find("last"))?;
    Ok(items.into_iter().last().unwrap_or_default())
}

fn rest(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let items = items_of(&one(args), cannot_find("rest"))?;
    if items.is_empty() {
        return Ok(Value::nil_list(ListElem::Any));
    }
    Ok(Value::list(items.into_iter().skip(1).collect()))
}

fn initial(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let mut items = items_of(&one(args), cannot_find("initial"))?;
    if items.is_empty() {
        return Ok(Value::nil_list(ListElem::Any));
    }
    items.pop();
    Ok(Value::list(items))
}

fn push(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let (list, item) = two(args);
    let mut items = items_of(&list, |kind| format!("Cannot push on type {kind}"))?;
    items.push(item);
    Ok(Value::list(items))
}

fn prepend(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let (list, item) = two(args);
    let mut items = items_of(&list, |kind| format!("Cannot prepend on type {kind}"))?;
    items.insert(0, item);
    Ok(Value::list(items))
}

fn reverse(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let mut items = items_of(&one(args), cannot_find("reverse"))?;
    items.reverse();
    Ok(Value::list(items))
}

fn uniq(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let items = items_of(&one(args), cannot_find("uniq"))?;
    let mut unique: Vec<Value> = Vec::with_capacity(items.len());
    for item in items {
        if !unique.iter().any(|seen| deep_equal(seen, &item)) {
            unique.push(item);
        }
    }
    Ok(Value::list(unique))
}

fn compact(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let items = items_of(&one(args), |kind| format!("Cannot compact on type {kind}"))?;
    Ok(Value::list(
        items.into_iter().filter(|i| !is_empty(i)).collect(),
    ))
}

/// Sprig's `empty`: the zero value of the item's type, or an empty
/// collection. Structs (objects) are never empty.
pub(super) fn is_empty(v: &Value) -> bool {
    match v {
        Value::Object(_) => false,
        other => !other.truthy(),
    }
}

fn without(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let mut it = args.into_iter();
    let list = it.next().unwrap_or_default();
    let omit: Vec<Value> = it.collect();
    let items = items_of(&list, cannot_find("without"))?;
    let kept = items
        .into_iter()
        .filter(|item| !omit.iter().any(|o| deep_equal(o, item)))
        .collect();
    Ok(Value::list(kept))
}

fn has(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let (needle, haystack) = two(args);
    if haystack.is_nil() {
        return Ok(Value::Bool(false));
    }
    let items = items_of(&haystack, cannot_find("has"))?;
    Ok(Value::Bool(items.iter().any(|i| deep_equal(&needle, i))))
}

/// Sprig's `slice list [start [end]]`: Go's `list[start:end]`, keeping the
/// input's slice type; an empty input gives nil.
fn slice(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let mut it = args.into_iter();
    let list = it.next().unwrap_or_default();
    let indices: Vec<Value> = it.collect();
    let len = match &list {
        Value::List(l) => l.items.len(),
        Value::Bytes(b) => b.len(),
        Value::Nil => return Err(NIL_DEREF.into()),
        other => {
            return Err(format!(
                "list should be type of slice or array but {}",
                other.kind_name()
            ));
        }
    };
    if len == 0 {
        return Ok(Value::Nil);
    }
    let start = indices.first().map_or(0, to_int);
    let end = indices.get(1).map_or(len as i64, to_int);
    if start < 0 || end < start || end > len as i64 {
        return Err("reflect.Value.Slice: slice index out of bounds".into());
    }
    let range = start as usize..end as usize;
    Ok(match list {
        Value::List(l) => Value::List(Rc::new(List {
            items: l.items[range].to_vec(),
            elem: l.elem,
            nil: false,
        })),
        Value::Bytes(b) => Value::Bytes(b[range].into()),
        _ => unreachable!("only slices reach here"),
    })
}

fn concat(_: &mut dyn Env, lists: Vec<Value>) -> Result<Value, String> {
    let mut all = Vec::new();
    for list in &lists {
        let items = items_of(list, |kind| format!("Cannot concat type {kind} as list"))?;
        all.extend(items);
    }
    // Sprig appends to a nil slice: nothing appended leaves it nil.
    if all.is_empty() {
        return Ok(Value::nil_list(ListElem::Any));
    }
    Ok(Value::list(all))
}

/// The Go `makeslice` panic for a negative length.
const BAD_LEN: &str = "runtime error: makeslice: len out of range";

/// Sprig's `chunk size list`: the list cut into pieces of `size`. The
/// piece count is computed in float64 as Sprig does, so odd sizes (zero,
/// negative) fail with the same runtime errors as in Go.
fn chunk(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let (size, list) = two(args);
    let size = match size {
        Value::Int(i, _) => i,
        other => to_int(&other),
    };
    let items = items_of(&list, |kind| format!("Cannot chunk type {kind}"))?;
    let len = items.len() as i64;
    let count = go_f64_to_int(((len - 1) as f64 / size as f64).floor()).wrapping_add(1);
    if count < 0 {
        return Err(BAD_LEN.into());
    }
    let mut chunks = Vec::new();
    for i in 0..count {
        let mut piece_len = size;
        if i == count - 1 {
            piece_len = go_f64_to_int((len as f64 % size as f64).floor());
            if piece_len == 0 {
                piece_len = size;
            }
        }
        if piece_len < 0 {
            return Err(BAD_LEN.into());
        }
        let mut piece = Vec::new();
        for j in 0..piece_len {
            let index = i * size + j;
            let item = usize::try_from(index)
                .ok()
                .and_then(|ix| items.get(ix))
                .ok_or_else(|| {
                    format!("runtime error: index out of range [{index}] with length {len}")
                })?;
            piece.push(item.clone());
        }
        chunks.push(Value::list(piece));
    }
    Ok(Value::List(Rc::new(List {
        items: chunks,
        elem: ListElem::List,
        nil: false,
    })))
}

/// Go's `int(f)` on amd64: NaN and out-of-range values become `MinInt64`.
fn go_f64_to_int(f: f64) -> i64 {
    // 2^63 is exactly representable; i64 covers [-2^63, 2^63).
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if (-LIMIT..LIMIT).contains(&f) {
        f as i64
    } else {
        i64::MIN
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::funcs::call;

    fn int(i: i64) -> Value {
        Value::int(i)
    }

    fn json(v: &Value) -> String {
        format!("{v:?}")
    }

    #[test]
    fn first_and_last_of_lists_and_errors() {
        let l = Value::strings(["a", "b"]);
        assert_eq!(call("first", vec![l.clone()]).unwrap().as_str(), Some("a"));
        assert_eq!(call("last", vec![l]).unwrap().as_str(), Some("b"));
        assert!(call("first", vec![Value::list(vec![])]).unwrap().is_nil());
        assert_eq!(
            call("first", vec![Value::from("abc")]).unwrap_err(),
            "Cannot find first on type string"
        );
        assert_eq!(call("mustLast", vec![Value::Nil]).unwrap_err(), NIL_DEREF);
        assert_eq!(
            call("first", vec![int(3)]).unwrap_err(),
            "Cannot find first on type int"
        );
    }

    #[test]
    fn rest_initial_append_prepend_make_interface_lists() {
        let l = Value::strings(["a", "b", "c"]);
        let r = call("rest", vec![l.clone()]).unwrap();
        assert_eq!(r.type_name(), "[]interface {}");
        assert_eq!(json(&r), r#"["b", "c"]"#);
        assert_eq!(
            json(&call("initial", vec![l.clone()]).unwrap()),
            r#"["a", "b"]"#
        );
        let pushed = call("push", vec![l.clone(), "d".into()]).unwrap();
        assert_eq!(json(&pushed), r#"["a", "b", "c", "d"]"#);
        let pre = call("prepend", vec![l, int(1)]).unwrap();
        assert_eq!(json(&pre), r#"[int(1), "a", "b", "c"]"#);
        assert_eq!(
            call("append", vec!["abc".into(), int(1)]).unwrap_err(),
            "Cannot push on type string"
        );
    }

    #[test]
    fn uniq_without_has_use_go_deep_equality() {
        let l = Value::list(vec![
            int(1),
            int(1),
            Value::Float(1.0),
            "1".into(),
            Value::Nil,
        ]);
        assert_eq!(
            json(&call("uniq", vec![l.clone()]).unwrap()),
            r#"[int(1), float64(1.0), "1", nil]"#
        );
        assert_eq!(
            json(&call("without", vec![l.clone(), int(1), Value::Nil]).unwrap()),
            r#"[float64(1.0), "1"]"#
        );
        assert!(matches!(
            call("has", vec![Value::Float(1.0), l]),
            Ok(Value::Bool(true))
        ));
        assert!(matches!(
            call("has", vec![int(1), Value::Nil]),
            Ok(Value::Bool(false))
        ));
    }

    #[test]
    fn compact_drops_empty_values() {
        let l = Value::list(vec![
            int(0),
            int(1),
            "".into(),
            Value::Nil,
            false.into(),
            "x".into(),
        ]);
        assert_eq!(json(&call("compact", vec![l]).unwrap()), r#"[int(1), "x"]"#);
    }

    #[test]
    fn slice_keeps_type_and_checks_bounds() {
        let l = Value::strings(["a", "b", "c"]);
        let s = call("slice", vec![l.clone(), int(1)]).unwrap();
        assert_eq!(s.type_name(), "[]string");
        assert_eq!(json(&s), r#"["b", "c"]"#);
        let s = call("slice", vec![l.clone(), "1".into(), Value::Float(2.0)]).unwrap();
        assert_eq!(json(&s), r#"["b"]"#);
        assert_eq!(
            call("slice", vec![l, int(2), int(1)]).unwrap_err(),
            "reflect.Value.Slice: slice index out of bounds"
        );
        assert!(call("slice", vec![Value::list(vec![])]).unwrap().is_nil());
    }

    #[test]
    fn chunk_matches_go_arithmetic() {
        let l = Value::list((1..=5).map(int).collect());
        assert_eq!(
            json(&call("chunk", vec![int(2), l.clone()]).unwrap()),
            "[[int(1), int(2)], [int(3), int(4)], [int(5)]]"
        );
        assert_eq!(call("chunk", vec![int(0), l.clone()]).unwrap_err(), BAD_LEN);
        let two_items = Value::list(vec![int(1), int(2)]);
        assert_eq!(
            json(&call("chunk", vec![int(-1), two_items]).unwrap()),
            "[]"
        );
        assert_eq!(
            json(&call("chunk", vec![int(2), Value::list(vec![])]).unwrap()),
            "[]"
        );
    }

    #[test]
    fn concat_and_bytes() {
        let bytes = Value::Bytes(b"AB".as_slice().into());
        let c = call("concat", vec![Value::strings(["x"]), bytes.clone()]).unwrap();
        assert_eq!(json(&c), r#"["x", uint8(65), uint8(66)]"#);
        assert_eq!(
            call("concat", vec![Value::list(vec![]), "s".into()]).unwrap_err(),
            "Cannot concat type string as list"
        );
        assert_eq!(
            call("slice", vec![bytes, int(1)]).unwrap().type_name(),
            "[]uint8"
        );
    }
}
