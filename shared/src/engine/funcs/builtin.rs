//! Go's `text/template` built-in functions, as Helm sees them.
//!
//! `and` and `or` short-circuit, so the executor evaluates them itself;
//! `slice` is Sprig's in Helm (Sprig's function map overrides Go's
//! built-ins), so it is not registered here.

use std::fmt::Write;

use super::{Env, FuncMap, add, add_variadic};
use crate::engine::gofmt::{sprint, sprintf, sprintln};
use crate::engine::value::{Map, MapKind, Ty, UintKind, Value};

pub(super) fn register(map: &mut FuncMap) {
    add(map, "not", &[Ty::Any], not);
    add(map, "len", &[Ty::Any], len);
    add_variadic(map, "index", &[Ty::Any], Ty::Any, index);
    add_variadic(map, "print", &[], Ty::Any, print);
    add_variadic(map, "printf", &[Ty::String], Ty::Any, printf);
    add_variadic(map, "println", &[], Ty::Any, println);
    add_variadic(map, "html", &[], Ty::Any, html);
    add_variadic(map, "js", &[], Ty::Any, js);
    add_variadic(map, "urlquery", &[], Ty::Any, urlquery);
    add_variadic(map, "eq", &[Ty::Any], Ty::Any, eq);
    add(map, "ne", &[Ty::Any, Ty::Any], ne);
    add(map, "lt", &[Ty::Any, Ty::Any], lt);
    add(map, "le", &[Ty::Any, Ty::Any], le);
    add(map, "gt", &[Ty::Any, Ty::Any], gt);
    add(map, "ge", &[Ty::Any, Ty::Any], ge);
    add_variadic(map, "call", &[Ty::Any], Ty::Any, call);
}

type Result<T> = std::result::Result<T, String>;

fn not(_: &mut dyn Env, args: Vec<Value>) -> Result<Value> {
    Ok(Value::Bool(!args[0].truthy()))
}

fn len(_: &mut dyn Env, args: Vec<Value>) -> Result<Value> {
    let n = match &args[0] {
        // A missing map key reaches `len` as a nil interface.
        Value::Nil => return Err("len of nil pointer".into()),
        Value::String(s) => s.len(),
        Value::Bytes(b) => b.len(),
        Value::List(l) => l.items.len(),
        Value::Map(m) => m.len(),
        Value::Object(o) if o.map_entries().is_some() => o.map_entries().unwrap_or_default().len(),
        other => return Err(format!("len of type {}", other.type_name())),
    };
    Ok(Value::int(n as i64))
}

fn index(_: &mut dyn Env, args: Vec<Value>) -> Result<Value> {
    let mut args = args.into_iter();
    let mut item = args.next().unwrap_or_default();
    if item.is_nil() {
        return Err("index of untyped nil".into());
    }
    for key in args {
        item = index_one(&item, &key)?;
    }
    Ok(item)
}

fn index_one(item: &Value, key: &Value) -> Result<Value> {
    if let Value::Object(o) = item
        && let Some(entries) = o.map_entries()
    {
        let map = Value::Map(Map::from_entries(MapKind::Any, entries));
        return index_one(&map, key);
    }
    match item {
        Value::List(list) => {
            let i = index_position(key, list.items.len())?;
            list.items
                .get(i)
                .cloned()
                .ok_or_else(|| "reflect: slice index out of range".to_string())
        }
        Value::Bytes(bytes) => {
            let i = index_position(key, bytes.len())?;
            bytes
                .get(i)
                .map(|b| Value::Uint(u64::from(*b), UintKind::Uint8))
                .ok_or_else(|| "reflect: slice index out of range".to_string())
        }
        Value::String(s) => {
            let i = index_position(key, s.len())?;
            s.as_bytes()
                .get(i)
                .map(|b| Value::Uint(u64::from(*b), UintKind::Uint8))
                .ok_or_else(|| "reflect: string index out of range".to_string())
        }
        Value::Map(map) => {
            let key = match key {
                Value::String(k) => k,
                Value::Nil => return Err("value is nil; should be of type string".into()),
                other => {
                    return Err(format!(
                        "value has type {}; should be string",
                        other.type_name()
                    ));
                }
            };
            Ok(map.get(key).unwrap_or_else(|| match map.kind() {
                MapKind::String => Value::str(""),
                _ => Value::Nil,
            }))
        }
        Value::Nil => Err("index of nil pointer".into()),
        other => Err(format!("can't index item of type {}", other.type_name())),
    }
}

/// Go's `indexArg`: an integer index within `0..=len`.
fn index_position(key: &Value, len: usize) -> Result<usize> {
    let x: i128 = match key {
        Value::Int(i, _) => i128::from(*i),
        Value::Uint(u, _) => i128::from(*u as i64),
        Value::Nil => return Err("cannot index slice/array with nil".into()),
        other => {
            return Err(format!(
                "cannot index slice/array with type {}",
                other.type_name()
            ));
        }
    };
    if x < 0 || x > len as i128 {
        return Err(format!("index out of range: {x}"));
    }
    Ok(x as usize)
}

fn print(_: &mut dyn Env, args: Vec<Value>) -> Result<Value> {
    Ok(Value::from(sprint(&args)))
}

fn printf(_: &mut dyn Env, args: Vec<Value>) -> Result<Value> {
    let format = args[0].as_str().unwrap_or_default();
    Ok(Value::from(sprintf(format, &args[1..])))
}

fn println(_: &mut dyn Env, args: Vec<Value>) -> Result<Value> {
    Ok(Value::from(sprintln(&args)))
}

/// Go's `evalArgs`: one string as is, anything else printed with `Sprint`
/// after nil became `<no value>`.
fn eval_args(args: &[Value]) -> String {
    if let [Value::String(s)] = args {
        return s.to_string();
    }
    let printable: Vec<Value> = args
        .iter()
        .map(|a| {
            if a.is_nil() {
                Value::str("<no value>")
            } else {
                a.clone()
            }
        })
        .collect();
    sprint(&printable)
}

fn html(_: &mut dyn Env, args: Vec<Value>) -> Result<Value> {
    Ok(Value::from(html_escape(&eval_args(&args))))
}

/// Go's `template.HTMLEscapeString`.
pub(crate) fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\0' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

fn js(_: &mut dyn Env, args: Vec<Value>) -> Result<Value> {
    Ok(Value::from(js_escape(&eval_args(&args))))
}

/// Go's `template.JSEscapeString`.
pub(crate) fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u00{:02X}", c as u32);
            }
            c if c.is_ascii() || is_print(c) => out.push(c),
            c => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
        }
    }
    out
}

/// An approximation of Go's `unicode.IsPrint` for non-ASCII characters.
fn is_print(c: char) -> bool {
    !(c.is_control() || c.is_whitespace() || matches!(c as u32, 0xad | 0x200b..=0x200f | 0xfeff))
}

fn urlquery(_: &mut dyn Env, args: Vec<Value>) -> Result<Value> {
    Ok(Value::from(query_escape(&eval_args(&args))))
}

/// Go's `url.QueryEscape`.
pub(crate) fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b))
            }
            b' ' => out.push('+'),
            b => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

/// Go's comparison classes of basic kinds.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Bool,
    Int(i64),
    Uint(u64),
    Float(f64),
    Str,
    /// Not a basic kind (nil, slices, maps, structs).
    Other,
}

fn basic_kind(v: &Value) -> Kind {
    match v {
        Value::Bool(_) => Kind::Bool,
        Value::Int(i, _) => Kind::Int(*i),
        Value::Uint(u, _) => Kind::Uint(*u),
        Value::Float(f) => Kind::Float(*f),
        Value::String(_) => Kind::Str,
        _ => Kind::Other,
    }
}

fn same_class(a: Kind, b: Kind) -> bool {
    std::mem::discriminant(&a) == std::mem::discriminant(&b)
}

fn incompatible(a: &Value, b: &Value) -> String {
    format!(
        "incompatible types for comparison: {} and {}",
        a.type_name(),
        b.type_name()
    )
}

/// Go's `eq` of two values.
fn equal(a: &Value, b: &Value) -> Result<bool> {
    let (ka, kb) = (basic_kind(a), basic_kind(b));
    if !same_class(ka, kb) {
        return match (ka, kb) {
            (Kind::Int(i), Kind::Uint(u)) | (Kind::Uint(u), Kind::Int(i)) => {
                Ok(i >= 0 && i as u64 == u)
            }
            _ if a.is_nil() || b.is_nil() => Ok(false),
            _ => Err(incompatible(a, b)),
        };
    }
    Ok(match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x, _), Value::Int(y, _)) => x == y,
        (Value::Uint(x, _), Value::Uint(y, _)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        _ => return equal_other(a, b),
    })
}

/// `eq` of values that are not of a basic kind: only nil and identical
/// comparable values are equal.
fn equal_other(a: &Value, b: &Value) -> Result<bool> {
    if a.is_nil() || b.is_nil() {
        return Ok(a.is_nil() && b.is_nil());
    }
    if a.type_name() != b.type_name() {
        return Err(sprintf(
            "non-comparable types %s: %v, %s: %v",
            &[
                a.clone(),
                Value::from(a.type_name()),
                Value::from(b.type_name()),
                b.clone(),
            ],
        ));
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            Ok(std::rc::Rc::ptr_eq(x, y) || x.format() == y.format())
        }
        _ => Err(sprintf(
            "non-comparable type %s: %v",
            &[b.clone(), Value::from(b.type_name())],
        )),
    }
}

fn eq(_: &mut dyn Env, args: Vec<Value>) -> Result<Value> {
    let Some((first, rest)) = args.split_first() else {
        return Err("missing argument for comparison".into());
    };
    if rest.is_empty() {
        return Err("missing argument for comparison".into());
    }
    for other in rest {
        if equal(first, other)? {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
}

fn ne(_: &mut dyn Env, args: Vec<Value>) -> Result<Value> {
    Ok(Value::Bool(!equal(&args[0], &args[1])?))
}

/// Go's `lt`.
fn less(a: &Value, b: &Value) -> Result<bool> {
    let (ka, kb) = (basic_kind(a), basic_kind(b));
    if ka == Kind::Other || kb == Kind::Other {
        return Err("invalid type for comparison".into());
    }
    if !same_class(ka, kb) {
        return match (ka, kb) {
            (Kind::Int(i), Kind::Uint(u)) => Ok(i < 0 || (i as u64) < u),
            (Kind::Uint(u), Kind::Int(i)) => Ok(i >= 0 && u < i as u64),
            _ => Err(incompatible(a, b)),
        };
    }
    match (a, b) {
        (Value::Int(x, _), Value::Int(y, _)) => Ok(x < y),
        (Value::Uint(x, _), Value::Uint(y, _)) => Ok(x < y),
        (Value::Float(x), Value::Float(y)) => Ok(x < y),
        (Value::String(x), Value::String(y)) => Ok(x < y),
        _ => Err("invalid type for comparison".into()),
    }
}

fn less_or_equal(a: &Value, b: &Value) -> Result<bool> {
    Ok(less(a, b)? || equal(a, b)?)
}

fn lt(_: &mut dyn Env, args: Vec<Value>) -> Result<Value> {
    less(&args[0], &args[1]).map(Value::Bool)
}

fn le(_: &mut dyn Env, args: Vec<Value>) -> Result<Value> {
    less_or_equal(&args[0], &args[1]).map(Value::Bool)
}

fn gt(_: &mut dyn Env, args: Vec<Value>) -> Result<Value> {
    less_or_equal(&args[0], &args[1]).map(|b| Value::Bool(!b))
}

fn ge(_: &mut dyn Env, args: Vec<Value>) -> Result<Value> {
    less(&args[0], &args[1]).map(|b| Value::Bool(!b))
}

/// Templates hold no function values, so `call` always fails; the executor
/// words the error with the callee's expression, as Go does.
fn call(_: &mut dyn Env, args: Vec<Value>) -> Result<Value> {
    match &args[0] {
        Value::Nil => Err("call of nil".into()),
        other => Err(format!("non-function of type {}", other.type_name())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::funcs::call as call_fn;
    use crate::engine::gofmt::format_value;

    fn show(v: &Value) -> String {
        format_value(v)
    }

    #[test]
    fn compares_like_go() {
        let t = |name: &str, a: Value, b: Value| call_fn(name, vec![a, b]);
        assert_eq!(
            show(&t("eq", Value::int(1), Value::Uint(1, UintKind::Uint)).unwrap_or_default()),
            "true"
        );
        assert_eq!(
            t("eq", Value::Float(42.0), Value::int(42)).err().as_deref(),
            Some("incompatible types for comparison: float64 and int")
        );
        assert_eq!(
            show(&t("eq", Value::Nil, Value::int(1)).unwrap_or_default()),
            "false"
        );
        assert_eq!(
            t("lt", Value::Bool(true), Value::Bool(false))
                .err()
                .as_deref(),
            Some("invalid type for comparison")
        );
        assert_eq!(
            show(&t("lt", Value::int(-1), Value::Uint(0, UintKind::Uint)).unwrap_or_default()),
            "true"
        );
        assert_eq!(
            show(&t("ge", Value::str("b"), Value::str("a")).unwrap_or_default()),
            "true"
        );
    }

    #[test]
    fn escapes_like_go() {
        assert_eq!(html_escape("<a&'\">"), "&lt;a&amp;&#39;&#34;&gt;");
        assert_eq!(
            js_escape("a<b>\"c\u{1}é\u{2028}"),
            "a\\u003Cb\\u003E\\\"c\\u0001é\\u2028"
        );
        assert_eq!(query_escape("a b&c/é~"), "a+b%26c%2F%C3%A9~");
    }

    #[test]
    fn indexes_like_go() {
        let list = Value::strings(["a", "b"]);
        assert_eq!(
            show(&call_fn("index", vec![list.clone(), Value::int(1)]).unwrap_or_default()),
            "b"
        );
        assert_eq!(
            call_fn("index", vec![list, Value::int(2)]).err().as_deref(),
            Some("reflect: slice index out of range")
        );
        assert_eq!(
            call_fn("index", vec![Value::str("abc"), Value::int(1)])
                .map(|v| format_value(&v))
                .ok()
                .as_deref(),
            Some("98")
        );
    }
}
