//! Sprig's reflection functions: Go type and kind names, and
//! `reflect.DeepEqual`.

use super::{Env, FuncMap, add};
use crate::engine::value::{Ty, Value, deep_equal};

pub(super) fn register(map: &mut FuncMap) {
    use Ty::{Any, String};
    add(map, "typeOf", &[Any], |_, a| {
        Ok(Value::str(a[0].type_name()))
    });
    add(map, "typeIs", &[String, Any], type_is);
    add(map, "typeIsLike", &[String, Any], type_is_like);
    add(map, "kindOf", &[Any], |_, a| {
        Ok(Value::str(a[0].kind_name()))
    });
    add(map, "kindIs", &[String, Any], kind_is);
    add(map, "deepEqual", &[Any, Any], |_, a| {
        Ok(deep_equal(&a[0], &a[1]).into())
    });
}

fn target(args: &[Value]) -> &str {
    args[0].as_str().unwrap_or("")
}

fn type_is(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    Ok((target(&args) == args[1].type_name()).into())
}

/// The type, or a pointer to it.
fn type_is_like(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let (want, got) = (target(&args), args[1].type_name());
    Ok((got == want || got.strip_prefix('*') == Some(want)).into())
}

fn kind_is(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    Ok((target(&args) == args[1].kind_name()).into())
}
