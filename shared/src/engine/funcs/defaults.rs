//! Sprig's default functions: `default`, `empty`, `coalesce`, `all`, `any`,
//! `ternary`, all built on Sprig's notion of an empty value.

use super::{Env, FuncMap, add, add_variadic};
use crate::engine::value::{Ty, Value};

pub(super) fn register(map: &mut FuncMap) {
    use Ty::{Any, Bool};
    add_variadic(map, "default", &[Any], Any, default);
    add(map, "empty", &[Any], |_, a| Ok(is_empty(&a[0]).into()));
    add_variadic(map, "coalesce", &[], Any, coalesce);
    add_variadic(map, "all", &[], Any, |_, a| {
        Ok(a.iter().all(|v| !is_empty(v)).into())
    });
    add_variadic(map, "any", &[], Any, |_, a| {
        Ok(a.iter().any(|v| !is_empty(v)).into())
    });
    add(map, "ternary", &[Any, Any, Bool], ternary);
}

/// Sprig's `empty`: nil, false, zero numbers, and empty strings, slices and
/// maps. Structs never are; pointers are when nil.
pub fn is_empty(v: &Value) -> bool {
    match v {
        Value::Nil => true,
        Value::Bool(b) => !b,
        Value::Int(i, _) => *i == 0,
        Value::Uint(u, _) => *u == 0,
        Value::Float(f) => *f == 0.0,
        Value::String(s) => s.is_empty(),
        Value::Bytes(b) => b.is_empty(),
        Value::List(l) => l.items.is_empty(),
        Value::Map(m) => m.is_empty(),
        Value::Object(o) => !o.truthy(),
    }
}

/// `default fallback [value]`: the value unless it is empty.
fn default(_: &mut dyn Env, mut args: Vec<Value>) -> Result<Value, String> {
    match args.get(1) {
        Some(given) if !is_empty(given) => Ok(args.swap_remove(1)),
        _ => Ok(args.swap_remove(0)),
    }
}

/// The first non-empty argument, or nil.
fn coalesce(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    Ok(args
        .into_iter()
        .find(|v| !is_empty(v))
        .unwrap_or(Value::Nil))
}

fn ternary(_: &mut dyn Env, mut args: Vec<Value>) -> Result<Value, String> {
    let pick = if args[2].truthy() { 0 } else { 1 };
    Ok(args.swap_remove(pick))
}
