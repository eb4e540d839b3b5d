//! The function map: Go's built-ins, Sprig's library as Helm registers it
//! (without `env` and `expandenv`), and Helm's own functions.
//!
//! Every function declares its Go parameter types, so the executor performs
//! Go's argument conversions and reports Go's errors before the call; the
//! implementation may then rely on the types it declared.

use std::collections::HashMap;

use super::value::{MethodSig, Ty, Value};

mod builtin;
mod crypto;
mod dates;
mod defaults;
mod dicts;
mod encoding;
mod helm;
mod lists;
mod math;
pub(crate) mod paths;
mod random;
mod reflect;
pub(crate) mod regex;
mod semver;
mod serialize;
mod strings;
mod urls;

pub use dates::{GoTime, Location, parse_duration};

/// What a function may ask of the template execution that called it
/// (`include` and `tpl` render other templates).
pub trait Env {
    /// Executes the named template of the current set with `data` as `.`.
    fn include(&mut self, name: &str, data: Value) -> Result<String, String>;
    /// Parses `text` as a new template in a copy of the current set and
    /// executes it with `data` as `.` (Helm's `tpl`).
    fn tpl(&mut self, text: &str, data: Value) -> Result<String, String>;
    /// Whether Helm lints rather than renders (`required` and `fail` then
    /// let rendering go on).
    fn lint_mode(&self) -> bool {
        false
    }
    /// Records a line of Helm's log (`level=WARN msg=…`).
    fn log(&mut self, _line: String) {}
    /// Helm's `lookup` of a cluster object; offline, as `helm template`
    /// runs, an empty map.
    fn lookup(
        &mut self,
        _api_version: &str,
        _kind: &str,
        _namespace: &str,
        _name: &str,
    ) -> Result<Value, String> {
        Ok(Value::Map(super::value::Map::new(
            super::value::MapKind::Any,
        )))
    }
}

/// A function's implementation. Arguments arrive converted to the declared
/// parameter types; an `Err` becomes Go's `error calling NAME: …`.
pub type FuncImpl = fn(&mut dyn Env, Vec<Value>) -> Result<Value, String>;

#[derive(Clone, Copy)]
pub struct Func {
    pub sig: MethodSig,
    pub call: FuncImpl,
}

pub type FuncMap = HashMap<&'static str, Func>;

/// Registers `f` under `name` with fixed parameters.
pub(crate) fn add(map: &mut FuncMap, name: &'static str, params: &'static [Ty], call: FuncImpl) {
    let sig = MethodSig {
        params,
        variadic: None,
    };
    map.insert(name, Func { sig, call });
}

/// Registers `f` under `name` with a trailing `...T` parameter.
pub(crate) fn add_variadic(
    map: &mut FuncMap,
    name: &'static str,
    params: &'static [Ty],
    variadic: Ty,
    call: FuncImpl,
) {
    let sig = MethodSig {
        params,
        variadic: Some(variadic),
    };
    map.insert(name, Func { sig, call });
}

/// The whole function map Helm gives templates.
pub fn helm_funcs() -> FuncMap {
    let mut map = FuncMap::new();
    builtin::register(&mut map);
    strings::register(&mut map);
    lists::register(&mut map);
    dicts::register(&mut map);
    math::register(&mut map);
    reflect::register(&mut map);
    defaults::register(&mut map);
    encoding::register(&mut map);
    regex::register(&mut map);
    semver::register(&mut map);
    dates::register(&mut map);
    crypto::register(&mut map);
    random::register(&mut map);
    paths::register(&mut map);
    urls::register(&mut map);
    serialize::register(&mut map);
    helm::register(&mut map);
    map
}

/// An [`Env`] for unit tests of functions that never render templates.
#[cfg(test)]
pub(crate) struct NoEnv;

#[cfg(test)]
impl Env for NoEnv {
    fn include(&mut self, name: &str, _data: Value) -> Result<String, String> {
        Err(format!("no template {name:?} in a unit test"))
    }

    fn tpl(&mut self, _text: &str, _data: Value) -> Result<String, String> {
        Err("no templates in a unit test".into())
    }
}

/// Calls the registered function `name` directly, for unit tests.
#[cfg(test)]
pub(crate) fn call(name: &str, args: Vec<Value>) -> Result<Value, String> {
    let f = helm_funcs()[name];
    (f.call)(&mut NoEnv, args)
}
