use std::collections::BTreeMap;

use super::*;
use crate::engine::funcs::helm_funcs;
use crate::engine::value::{Map, MapKind};

fn values() -> Value {
    let mut nested = BTreeMap::new();
    nested.insert("b".to_string(), Value::str("deep"));
    let mut vals = BTreeMap::new();
    vals.insert("str".to_string(), Value::str("hello"));
    vals.insert("int".to_string(), Value::Float(42.0));
    vals.insert(
        "list".to_string(),
        Value::strings(["a", "b", "c"]).into_any_list(),
    );
    vals.insert(
        "nested".to_string(),
        Value::Map(Map::from_entries(MapKind::Any, nested)),
    );
    vals.insert("null".to_string(), Value::Nil);
    let mut top = BTreeMap::new();
    top.insert(
        "Values".to_string(),
        Value::Map(Map::from_entries(MapKind::Values, vals)),
    );
    Value::Map(Map::from_entries(MapKind::Any, top))
}

trait AnyList {
    fn into_any_list(self) -> Value;
}

impl AnyList for Value {
    fn into_any_list(self) -> Value {
        match self {
            Value::List(l) => Value::list(l.items.clone()),
            other => other,
        }
    }
}

fn run_with(text: &str, missing_key: MissingKey) -> Result<String, String> {
    let mut set = Templates::new(Rc::new(helm_funcs()));
    set.parse("t", text).map_err(|e| e.0)?;
    let options = ExecOptions {
        missing_key,
        ..ExecOptions::default()
    };
    set.execute("t", values(), &options).map_err(|e| e.message)
}

fn run(text: &str) -> Result<String, String> {
    run_with(text, MissingKey::Zero)
}

fn ok(text: &str) -> String {
    match run(text) {
        Ok(s) => s,
        Err(e) => panic!("{text}: {e}"),
    }
}

fn err(text: &str) -> String {
    match run(text) {
        Ok(s) => panic!("{text}: rendered {s:?}"),
        Err(e) => e,
    }
}

#[test]
fn prints_text_and_values() {
    assert_eq!(ok("a{{ .Values.str }}b"), "ahellob");
    assert_eq!(ok("{{ .Values.missing }}"), "<no value>");
    assert_eq!(ok("{{ .Values.null }}"), "<no value>");
    assert_eq!(ok("{{ print .Values.missing }}"), "<nil>");
    assert_eq!(
        ok("{{ 1 }} {{ 1.5 }} {{ 0x10 }} {{ 'a' }} {{ true }} {{ \"s\" }} {{ `r` }}"),
        "1 1.5 16 97 true s r"
    );
}

#[test]
fn trims_spaces() {
    assert_eq!(ok("a \n {{- 1 -}} \n b"), "a1b");
    assert_eq!(ok("a {{/* c */}} b"), "a  b");
    assert_eq!(ok("a {{- /* c */ -}} b"), "ab");
}

#[test]
fn control_structures() {
    assert_eq!(ok("{{ if .Values.str }}y{{ else }}n{{ end }}"), "y");
    assert_eq!(
        ok("{{ if .Values.missing }}y{{ else if 0 }}z{{ else }}n{{ end }}"),
        "n"
    );
    assert_eq!(ok("{{ with .Values.nested }}{{ .b }}{{ end }}"), "deep");
    assert_eq!(
        ok("{{ with .Values.missing }}x{{ else with .Values.str }}{{ . }}{{ end }}"),
        "hello"
    );
    assert_eq!(
        ok("{{ range $i, $v := .Values.list }}{{ $i }}{{ $v }}{{ end }}"),
        "0a1b2c"
    );
    assert_eq!(
        ok("{{ range .Values.missing }}x{{ else }}empty{{ end }}"),
        "empty"
    );
    assert_eq!(
        ok("{{ range $k, $v := .Values.nested }}{{ $k }}={{ $v }}{{ end }}"),
        "b=deep"
    );
    assert_eq!(ok("{{ range 3 }}{{ . }}{{ end }}"), "012");
    assert_eq!(
        ok("{{ range $i := 3 }}{{ if eq $i 1 }}{{ continue }}{{ end }}{{ $i }}{{ end }}"),
        "02"
    );
    assert_eq!(
        ok("{{ range .Values.list }}{{ if eq . \"b\" }}{{ break }}{{ end }}{{ . }}{{ end }}"),
        "a"
    );
}

#[test]
fn variables_scope_and_assign() {
    assert_eq!(
        ok("{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ $y := 3 }}{{ end }}{{ $x }}"),
        "2"
    );
    assert_eq!(ok("{{ with $x := .Values.str }}{{ $x }}{{ end }}"), "hello");
    assert_eq!(
        ok("{{ range $.Values.list }}{{ $.Values.str }}{{ end }}"),
        "hellohellohello"
    );
    assert_eq!(
        err("{{ if true }}{{ $y := 3 }}{{ end }}{{ $y }}"),
        "template: t:1: undefined variable \"$y\""
    );
}

#[test]
fn templates_and_blocks() {
    assert_eq!(
        ok("{{ define \"a\" }}A{{ . }}{{ end }}{{ template \"a\" 1 }}"),
        "A1"
    );
    assert_eq!(ok("{{ block \"b\" 2 }}B{{ . }}{{ end }}"), "B2");
    assert_eq!(
        ok("{{ include \"a\" 3 | print }}{{ define \"a\" }}x{{ . }}{{ end }}"),
        "x3"
    );
}

#[test]
fn and_or_short_circuit() {
    assert_eq!(ok("{{ and 1 0 (fail \"no\") }}"), "0");
    assert_eq!(ok("{{ or 0 \"\" 5 }}"), "5");
    assert_eq!(ok("{{ or 0 .Values.missing }}"), "<no value>");
    assert_eq!(ok("{{ 0 | and 1 }}"), "0");
}

#[test]
fn field_errors_match_go() {
    assert_eq!(
        err("{{ .Values.x.y }}"),
        "template: t:1:10: executing \"t\" at <.Values.x.y>: nil pointer evaluating interface {}.y"
    );
    assert_eq!(
        err("{{ .Values.str.foo }}"),
        "template: t:1:10: executing \"t\" at <.Values.str.foo>: can't evaluate field foo in type interface {}"
    );
    assert_eq!(
        err("{{ $x := .Values.str }}{{ $x.foo }}"),
        "template: t:1:28: executing \"t\" at <$x.foo>: can't evaluate field foo in type string"
    );
    assert_eq!(ok("{{ $x := .Values.missing }}{{ $x.foo }}"), "<no value>");
}

#[test]
fn argument_checks_match_go() {
    assert_eq!(
        err("{{ printf .Values.missing }}"),
        "template: t:1:17: executing \"t\" at <.Values.missing>: wrong type for value; expected string; got interface {}"
    );
    assert_eq!(
        err("{{ .Values.missing | printf }}"),
        "template: t:1:21: executing \"t\" at <printf>: invalid value; expected string"
    );
    assert_eq!(
        err("{{ printf (index .Values.list) }}"),
        "template: t:1:24: executing \"t\" at <.Values.list>: wrong type for value; expected string; got []interface {}"
    );
    assert_eq!(
        err("{{ tpl 1 . }}"),
        "template: t:1:7: executing \"t\" at <1>: expected string; found 1"
    );
    assert_eq!(
        err("{{ not }}"),
        "template: t:1:3: executing \"t\" at <not>: wrong number of args for not: want 1 got 0"
    );
    assert_eq!(
        err("{{ eq }}"),
        "template: t:1:3: executing \"t\" at <eq>: wrong number of args for eq: want at least 1 got 0"
    );
}

#[test]
fn missing_key_modes() {
    let strict = run_with("{{ .Values.missing }}", MissingKey::Error);
    assert_eq!(
        strict.err().as_deref(),
        Some(
            "template: t:1:10: executing \"t\" at <.Values.missing>: map has no entry for key \"missing\""
        )
    );
    let invalid = run_with(
        "{{ template \"a\" }}{{ define \"a\" }}{{ .y }}{{ end }}",
        MissingKey::Error,
    );
    assert_eq!(
        invalid.err().as_deref(),
        Some("template: t:1:37: executing \"a\" at <.y>: nil data; no entry for key \"y\"")
    );
}

#[test]
fn function_errors_are_wrapped() {
    assert_eq!(
        err("{{ index 1 2 }}"),
        "template: t:1:3: executing \"t\" at <index 1 2>: error calling index: can't index item of type int"
    );
    assert_eq!(
        err("{{ include \"nope\" . }}"),
        "template: t:1:3: executing \"t\" at <include \"nope\" .>: error calling include: template: no template \"nope\" associated with template \"gotpl\""
    );
}

#[test]
fn range_errors() {
    assert_eq!(
        err("{{ range 3.0 }}{{ end }}"),
        "template: t:1:9: executing \"t\" at <3.0>: range can't iterate over 3"
    );
    assert_eq!(
        err("{{ range $i, $v := 3 }}{{ end }}"),
        "template: t:1:19: executing \"t\" at <3>: can't use 3 to iterate over more than one variable"
    );
}

#[test]
fn recursion_is_bounded() {
    let text = "{{ define \"r\" }}{{ template \"r\" . }}{{ end }}{{ template \"r\" . }}";
    let e = err(text);
    assert!(
        e.ends_with("exceeded maximum template depth (100000)"),
        "{e}"
    );
    let text = "{{ define \"r\" }}{{ include \"r\" . }}{{ end }}{{ include \"r\" . }}";
    let e = err(text);
    assert!(e.ends_with(
        "rendering template has a nested reference name: r: unable to execute template"
    ));
}

#[test]
fn tpl_renders_in_a_copy_of_the_set() {
    assert_eq!(ok("{{ tpl \"{{ .Values.str }}\" . }}"), "hello");
    assert_eq!(
        ok("{{ tpl \"{{ define \\\"z\\\" }}Z{{ end }}{{ include \\\"z\\\" . }}\" . }}"),
        "Z"
    );
    assert_eq!(
        err("{{ tpl \"{{ if }}\" . }}"),
        "template: t:1:3: executing \"t\" at <tpl \"{{ if }}\" .>: error calling tpl: cannot parse template \"{{ if }}\": template: gotpl:1: missing value for if"
    );
}
