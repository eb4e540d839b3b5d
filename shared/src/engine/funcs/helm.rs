//! Helm's own template functions that need the rendering engine:
//! `include`, `tpl`, `required`, `fail` and `lookup`.
//!
//! Helm's other additions (`toYaml`, `fromJson`, …) live with the codecs.

use super::{Env, FuncMap, add};
use crate::engine::value::{Ty, Value};

/// The markers Helm wraps `required`/`fail` messages in, so that its error
/// cleanup can find the message and print `execution error at (…): msg`.
pub(crate) const WARN_START: &str = "HELM_ERR_START";
pub(crate) const WARN_END: &str = "HELM_ERR_END";

pub(super) fn register(map: &mut FuncMap) {
    add(map, "include", &[Ty::String, Ty::Any], include);
    add(map, "tpl", &[Ty::String, Ty::Any], tpl);
    add(map, "required", &[Ty::String, Ty::Any], required);
    add(map, "fail", &[Ty::String], fail);
    add(
        map,
        "lookup",
        &[Ty::String, Ty::String, Ty::String, Ty::String],
        lookup,
    );
}

fn string_arg(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

fn include(env: &mut dyn Env, mut args: Vec<Value>) -> Result<Value, String> {
    let data = args.pop().unwrap_or_default();
    env.include(string_arg(&args[0]), data).map(Value::from)
}

fn tpl(env: &mut dyn Env, mut args: Vec<Value>) -> Result<Value, String> {
    let data = args.pop().unwrap_or_default();
    env.tpl(string_arg(&args[0]), data).map(Value::from)
}

fn warn_wrap(msg: &str) -> String {
    format!("{WARN_START}{msg}{WARN_END}")
}

/// Fails on nil or an empty string; in lint mode yields `""` instead.
fn required(env: &mut dyn Env, mut args: Vec<Value>) -> Result<Value, String> {
    let value = args.pop().unwrap_or_default();
    let missing = match &value {
        Value::Nil => true,
        Value::String(s) => s.is_empty(),
        _ => false,
    };
    if !missing {
        return Ok(value);
    }
    if env.lint_mode() {
        let line = slog_line("WARN", "missing required value", string_arg(&args[0]));
        env.log(line);
        return Ok(Value::str(""));
    }
    Err(warn_wrap(string_arg(&args[0])))
}

/// A line of Go's `slog` text format as Helm logs it (no time).
fn slog_line(level: &str, msg: &str, message: &str) -> String {
    format!(
        "level={level} msg={} message={}",
        slog_value(msg),
        slog_value(message)
    )
}

/// `slog`'s text handler quotes a value that is empty or holds spaces,
/// `=`, quotes or unprintable characters.
fn slog_value(text: &str) -> String {
    let plain = !text.is_empty()
        && !text
            .chars()
            .any(|c| c.is_whitespace() || c == '=' || c == '"' || c.is_control());
    if plain {
        text.to_string()
    } else {
        crate::engine::gofmt::quote(text)
    }
}

fn fail(env: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    if env.lint_mode() {
        env.log(slog_line("INFO", "funcMap fail", string_arg(&args[0])));
        return Ok(Value::str(""));
    }
    Err(warn_wrap(string_arg(&args[0])))
}

fn lookup(env: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let s = |i: usize| string_arg(&args[i]);
    env.lookup(s(0), s(1), s(2), s(3))
}

#[cfg(test)]
mod tests {
    use crate::engine::funcs::call;
    use crate::engine::value::Value;

    #[test]
    fn required_rejects_nil_and_empty() {
        let err = call("required", vec![Value::str("need it"), Value::Nil]).err();
        assert_eq!(err.as_deref(), Some("HELM_ERR_STARTneed itHELM_ERR_END"));
        assert!(call("required", vec![Value::str("x"), Value::str("")]).is_err());
        assert!(call("required", vec![Value::str("x"), Value::int(0)]).is_ok());
    }

    #[test]
    fn lookup_is_empty_offline() {
        let v = call(
            "lookup",
            vec![
                Value::str("v1"),
                Value::str("Pod"),
                Value::str(""),
                Value::str(""),
            ],
        );
        assert!(matches!(v, Ok(Value::Map(m)) if m.is_empty()));
    }
}
