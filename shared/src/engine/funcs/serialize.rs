//! Serialization functions: Helm's `toYaml`, `toYamlPretty`, `fromYaml`,
//! `fromYamlArray`, `toJson`, `fromJson`, `fromJsonArray`, `toToml`,
//! `fromToml` and their `must` forms, and Sprig's `toPrettyJson`,
//! `toRawJson`, `mustFromJson` families.
//!
//! Helm's own functions never fail on bad data: writers return "" and
//! readers put the error text under an `Error` key (or as the only item of
//! a list). Sprig's `toRawJson` and the `must` forms fail the template.

use super::{Env, FuncMap, add};
use crate::codec::json::{self, Options};
use crate::codec::{toml, yaml};
use crate::engine::value::{Map, MapKind, Ty, Value};

pub(super) fn register(map: &mut FuncMap) {
    add(map, "toYaml", &[Ty::Any], to_yaml);
    add(map, "mustToYaml", &[Ty::Any], must_to_yaml);
    add(map, "toYamlPretty", &[Ty::Any], to_yaml_pretty);
    add(map, "fromYaml", &[Ty::String], from_yaml);
    add(map, "fromYamlArray", &[Ty::String], from_yaml_array);
    add(map, "toJson", &[Ty::Any], to_json);
    add(map, "mustToJson", &[Ty::Any], must_to_json);
    add(map, "toPrettyJson", &[Ty::Any], to_pretty_json);
    add(map, "mustToPrettyJson", &[Ty::Any], must_to_pretty_json);
    add(map, "toRawJson", &[Ty::Any], to_raw_json);
    add(map, "mustToRawJson", &[Ty::Any], to_raw_json);
    add(map, "fromJson", &[Ty::String], from_json);
    add(map, "mustFromJson", &[Ty::String], must_from_json);
    add(map, "fromJsonArray", &[Ty::String], from_json_array);
    add(map, "toToml", &[Ty::Any], to_toml);
    add(map, "mustToToml", &[Ty::Any], must_to_toml);
    add(map, "fromToml", &[Ty::String], from_toml);
}

/// The single argument (the executor checked the count).
fn arg(args: &[Value]) -> &Value {
    args.first().unwrap_or(&Value::Nil)
}

fn str_arg(args: &[Value]) -> &str {
    arg(args).as_str().unwrap_or("")
}

/// Helm trims the one trailing newline go-yaml ends a document with.
fn trim_newline(mut text: String) -> Value {
    if text.ends_with('\n') {
        text.pop();
    }
    Value::from(text)
}

fn to_yaml(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    Ok(yaml::to_yaml(arg(&args)).map_or_else(|_| Value::from(""), trim_newline))
}

fn must_to_yaml(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    yaml::to_yaml(arg(&args)).map(trim_newline).map_err(|e| e.0)
}

fn to_yaml_pretty(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    Ok(yaml::to_yaml_pretty(arg(&args)).map_or_else(|_| Value::from(""), trim_newline))
}

/// A `map[string]interface{}` holding only `Error`.
fn error_map(message: String) -> Value {
    let map = Map::new(MapKind::Any);
    map.insert("Error", Value::from(message));
    Value::Map(map)
}

fn from_yaml(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    Ok(yaml::from_str_map(str_arg(&args)).unwrap_or_else(|e| error_map(e.to_string())))
}

fn from_yaml_array(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    Ok(yaml::from_str_list(str_arg(&args))
        .unwrap_or_else(|e| Value::list(vec![Value::from(e.to_string())])))
}

const MARSHAL: Options<'static> = Options {
    escape_html: true,
    indent: None,
};
const PRETTY: Options<'static> = Options {
    escape_html: true,
    indent: Some("  "),
};
const RAW: Options<'static> = Options {
    escape_html: false,
    indent: None,
};

fn to_json(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    Ok(Value::from(
        json::to_string_with(arg(&args), MARSHAL).unwrap_or_default(),
    ))
}

fn must_to_json(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    json::to_string_with(arg(&args), MARSHAL)
        .map(Value::from)
        .map_err(|e| e.0)
}

fn to_pretty_json(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    Ok(Value::from(
        json::to_string_with(arg(&args), PRETTY).unwrap_or_default(),
    ))
}

fn must_to_pretty_json(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    json::to_string_with(arg(&args), PRETTY)
        .map(Value::from)
        .map_err(|e| e.0)
}

/// Sprig's `toRawJson` panics on error, so it fails like `mustToRawJson`.
fn to_raw_json(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    json::to_string_with(arg(&args), RAW)
        .map(Value::from)
        .map_err(|e| e.0)
}

fn from_json(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    Ok(json::from_str_map(str_arg(&args)).unwrap_or_else(|e| error_map(e.0)))
}

fn must_from_json(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    json::from_str(str_arg(&args)).map_err(|e| e.0)
}

fn from_json_array(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    Ok(json::from_str_list(str_arg(&args)).unwrap_or_else(|e| Value::list(vec![Value::from(e.0)])))
}

/// Helm returns the encoder's error text as the result; only a nil value
/// (a reflection panic in Go) fails the template.
fn to_toml(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let value = arg(&args);
    match toml::to_string(value) {
        Ok(text) => Ok(Value::from(text)),
        Err(msg) if value.is_nil() => Err(msg),
        Err(msg) => Ok(Value::from(msg)),
    }
}

fn must_to_toml(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    toml::to_string(arg(&args)).map(Value::from)
}

fn from_toml(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    Ok(toml::from_str(str_arg(&args)).unwrap_or_else(error_map))
}

#[cfg(test)]
mod tests {
    use crate::engine::funcs::call;
    use crate::engine::value::Value;

    fn text(v: Result<Value, String>) -> String {
        v.expect("no error").as_str().expect("a string").to_string()
    }

    #[test]
    fn helm_swallows_writer_errors() {
        let nan = || vec![Value::Float(f64::NAN)];
        assert_eq!(text(call("toYaml", nan())), "");
        assert_eq!(text(call("toJson", nan())), "");
        assert_eq!(text(call("toPrettyJson", nan())), "");
        assert_eq!(
            call("mustToYaml", nan()).unwrap_err(),
            "error marshaling into JSON: json: unsupported value: NaN"
        );
        assert_eq!(
            call("mustToJson", nan()).unwrap_err(),
            "json: unsupported value: NaN"
        );
        assert_eq!(
            call("toRawJson", nan()).unwrap_err(),
            "json: unsupported value: NaN"
        );
    }

    #[test]
    fn readers_report_errors_in_band() {
        let r = call("fromJson", vec![Value::from("{")]).expect("no error");
        let Value::Map(m) = r else { panic!("map") };
        assert_eq!(
            m.get("Error")
                .and_then(|v| v.as_str().map(String::from))
                .as_deref(),
            Some("unexpected end of JSON input")
        );
        let r = call("fromYamlArray", vec![Value::from("a: 1")]).expect("no error");
        let Value::List(l) = r else { panic!("list") };
        assert_eq!(l.items.len(), 1);
        assert!(call("mustFromJson", vec![Value::from("{")]).is_err());
    }

    #[test]
    fn to_yaml_trims_one_newline() {
        assert_eq!(
            text(call("toYaml", vec![Value::from("a\nb\n\n")])),
            "|+\n  a\n  b\n"
        );
        assert_eq!(
            text(call(
                "toYamlPretty",
                vec![Value::list(vec![Value::from("x")])]
            )),
            "- x"
        );
    }
}
