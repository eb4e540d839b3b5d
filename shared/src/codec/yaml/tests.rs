//! Expected texts come from Helm 4.3.1 (`toYaml`, `toYamlPretty`,
//! `fromYaml` rendered through `toJson`).

use super::*;
use crate::engine::value::{Map, MapKind};

fn yaml(text: &str) -> Value {
    from_str(text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

fn to_yaml_trimmed(v: &Value) -> String {
    let out = to_yaml(v).expect("encodable");
    out.strip_suffix('\n').unwrap_or(&out).to_string()
}

fn pretty_trimmed(v: &Value) -> String {
    let out = to_yaml_pretty(v).expect("encodable");
    out.strip_suffix('\n').unwrap_or(&out).to_string()
}

fn map(pairs: &[(&str, Value)]) -> Value {
    let m = Map::new(MapKind::Any);
    for (k, v) in pairs {
        m.insert(*k, v.clone());
    }
    Value::Map(m)
}

#[test]
fn reads_yaml_1_1_scalars_as_helm() {
    let v = yaml(
        "b1: yes\nb7: y\nb9: n\nb14: tRue\ni1: 0777\ni6: 12345678901234567890\nt1: 2001-12-14\nn3:\n",
    );
    let Value::Map(m) = v else {
        panic!("not a map")
    };
    assert!(matches!(m.get("b1"), Some(Value::Bool(true))));
    assert!(matches!(m.get("b7"), Some(Value::Bool(true))));
    assert!(matches!(m.get("b9"), Some(Value::Bool(false))));
    assert_eq!(
        m.get("b14")
            .and_then(|v| v.as_str().map(String::from))
            .as_deref(),
        Some("tRue")
    );
    assert!(matches!(m.get("i1"), Some(Value::Float(f)) if f == 511.0));
    assert!(matches!(m.get("i6"), Some(Value::Float(f)) if f == 12345678901234567890.0));
    assert_eq!(
        m.get("t1")
            .and_then(|v| v.as_str().map(String::from))
            .as_deref(),
        Some("2001-12-14")
    );
    assert!(matches!(m.get("n3"), Some(Value::Nil)));
}

#[test]
fn stringifies_keys_as_sigs_yaml() {
    let v = yaml("1: a\ntrue: b\n1.5: c\n0x10: d\n0.1234567891234: e\n-0.0: f\n");
    let Value::Map(m) = v else {
        panic!("not a map")
    };
    let keys: Vec<String> = m.entries().keys().cloned().collect();
    assert_eq!(keys, ["-0", "0.12345679", "1", "1.5", "16", "true"]);
}

#[test]
fn reports_errors_as_helm() {
    let err = |t: &str| from_str(t).unwrap_err().to_string();
    assert_eq!(
        err("a: .inf"),
        "error converting YAML to JSON: json: unsupported value: +Inf"
    );
    assert_eq!(
        err("~: 1"),
        "error converting YAML to JSON: unsupported map key of type: %!s(<nil>), key: <nil>, value: 1"
    );
    assert_eq!(
        err("a: *y"),
        "error converting YAML to JSON: yaml: unknown anchor 'y' referenced"
    );
    assert_eq!(
        err("a: !!int x"),
        "error converting YAML to JSON: yaml: cannot decode !!str `x` as a !!int"
    );
    assert_eq!(
        from_str_map("- a").unwrap_err().to_string(),
        "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}"
    );
}

#[test]
fn merges_and_aliases_copy() {
    let v = yaml("base: &b {x: 1, z: 2}\nm:\n  <<: *b\n  z: 3\nl:\n  <<: [*b, {w: 9}]\n");
    assert_eq!(
        to_yaml_trimmed(&v),
        "base:\n  x: 1\n  z: 2\nl:\n  w: 9\n  x: 1\n  z: 2\nm:\n  x: 1\n  z: 3"
    );
    let Value::Map(m) = v else {
        panic!("not a map")
    };
    let (Some(Value::Map(base)), Some(Value::Map(merged))) = (m.get("base"), m.get("m")) else {
        panic!("maps expected")
    };
    assert!(!base.same(&merged));
}

#[test]
fn alias_bomb_is_refused() {
    let mut doc = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let prev = i - 1;
        doc.push_str(&format!("a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"));
    }
    let err = from_str(&doc).unwrap_err().to_string();
    assert!(err.contains("excessive aliasing"), "{err}");
}

#[test]
fn deep_nesting_is_refused() {
    let doc = "[".repeat(MAX_DEPTH + 1);
    assert!(from_str(&doc).is_err());
}

#[test]
fn writes_maps_and_lists_as_toyaml() {
    let v = yaml(
        "{b: 2, a: 1, c: {d: [x, y]}, e: [], f: {}, g: [[1, 2], [3]], h: [{p: 1, q: [2]}, {}], a10: 1, a2: 2, a_b: 3, A: 4, \"1\": 5, \"10\": 6, \"9\": 7, \"-\": 8, a-b: 9}",
    );
    assert_eq!(
        to_yaml_trimmed(&v),
        "'-': 8\n\"1\": 5\n\"9\": 7\n\"10\": 6\nA: 4\na: 1\na-b: 9\na_b: 3\na2: 2\na10: 1\nb: 2\nc:\n  d:\n  - x\n  - true\ne: []\nf: {}\ng:\n- - 1\n  - 2\n- - 3\nh:\n- p: 1\n  q:\n  - 2\n- {}"
    );
    assert_eq!(
        pretty_trimmed(&v),
        "'-': 8\n\"1\": 5\n\"9\": 7\n\"10\": 6\nA: 4\na: 1\na-b: 9\na_b: 3\na2: 2\na10: 1\nb: 2\nc:\n  d:\n    - x\n    - true\ne: []\nf: {}\ng:\n  - - 1\n    - 2\n  - - 3\nh:\n  - p: 1\n    q:\n      - 2\n  - {}"
    );
}

#[test]
fn quotes_strings_as_go_yaml_v2() {
    let cases = [
        ("yes", "\"yes\""),
        ("1.0", "\"1.0\""),
        (":", "':'"),
        ("- a", "'- a'"),
        ("#x", "'#x'"),
        (" lead", "' lead'"),
        ("multi\nline", "|-\n  multi\n  line"),
        ("multi\nline\n", "|\n  multi\n  line"),
        ("multi\nline\n\n", "|+\n  multi\n  line\n"),
        ("\nlead nl", "|2-\n\n  lead nl"),
        ("", "\"\""),
        ("a#b", "a#b"),
        ("'q'", "'''q'''"),
        ("a\tb", "\"a\\tb\""),
        ("ctl\u{1}x", "\"ctl\\x01x\""),
        ("bom\u{feff}x", "\"bom\\uFEFFx\""),
        ("emoji 😀", "\"emoji \\U0001F600\""),
        ("1:20", "\"1:20\""),
        ("2001-12-14", "\"2001-12-14\""),
        ("--", "--"),
        ("---", "'---'"),
        ("<<", "<<"),
        ("p  \nq", "\"p  \\nq\""),
        (" multi\nlead sp", "|2-\n   multi\n  lead sp"),
        ("e\u{85}x", "e x"),
        ("ls\u{2028}x", "'ls\u{2028}  x'"),
    ];
    for (input, want) in cases {
        assert_eq!(to_yaml_trimmed(&Value::from(input)), want, "{input:?}");
    }
    assert!(to_yaml(&Value::from("del\u{7f}")).is_err());
}

#[test]
fn folds_long_lines_in_v2_only() {
    let long = "long ".repeat(23) + "end";
    assert_eq!(
        to_yaml_trimmed(&Value::from(long.as_str())),
        format!(
            "{}\n  {}",
            "long ".repeat(17).trim_end(),
            "long ".repeat(6) + "end"
        )
    );
    assert_eq!(
        to_yaml_trimmed(&Value::list(vec![Value::list(vec![Value::from(
            long.as_str()
        )])])),
        format!(
            "- - {}\n    {}",
            "long ".repeat(16).trim_end(),
            "long ".repeat(7) + "end"
        )
    );
    assert_eq!(
        to_yaml_trimmed(&map(&[(long.as_str(), Value::from(1.0))])),
        format!("{long}: 1")
    );
    assert_eq!(pretty_trimmed(&Value::from(long.as_str())), long);
}

#[test]
fn writes_numbers_as_toyaml() {
    let nums = [
        1.5,
        1e21,
        0.000001,
        1e20,
        3e19,
        12345678901234567890.0,
        -0.0,
        100000.0,
        1.0,
        0.1,
    ];
    let list = Value::list(nums.iter().map(|&f| Value::Float(f)).collect());
    assert_eq!(
        to_yaml_trimmed(&list),
        "- 1.5\n- 1e+21\n- 1e-06\n- 1e+20\n- 3e+19\n- 12345678901234567000\n- 0\n- 100000\n- 1\n- 0.1"
    );
    assert_eq!(
        pretty_trimmed(&list),
        "- 1.5\n- 1e+21\n- 1e-06\n- 1e+20\n- 3e+19\n- 1.2345678901234567e+19\n- -0\n- 100000\n- 1\n- 0.1"
    );
    assert!(to_yaml(&Value::Float(f64::NAN)).is_err());
}

#[test]
fn multiline_keys_use_the_long_form() {
    let v = map(&[("a\nb", Value::Float(1.0)), ("", Value::Float(2.0))]);
    assert_eq!(to_yaml_trimmed(&v), "\"\": 2\n? |-\n  a\n  b\n: 1");
}

#[test]
fn scalars_at_the_root() {
    assert_eq!(to_yaml_trimmed(&Value::Nil), "null");
    assert_eq!(to_yaml_trimmed(&Value::list(vec![])), "[]");
    assert_eq!(to_yaml_trimmed(&Value::Bool(true)), "true");
    assert_eq!(to_yaml_trimmed(&Value::from("x")), "x");
}

#[test]
fn literal_with_leading_break_in_both_flavors() {
    assert_eq!(to_yaml_trimmed(&Value::from("\nlead")), "|2-\n\n  lead");
    assert_eq!(pretty_trimmed(&Value::from("\nlead")), "|2-\n\n  lead");
    assert_eq!(pretty_trimmed(&Value::from("<<")), "<<");
    assert!(to_yaml(&map(&[("nel\u{85}x", Value::Nil)])).is_err());
}

#[test]
fn pretty_quotes_old_booleans() {
    let v = map(&[
        ("y", Value::from("yes")),
        ("n", Value::from("a\nb")),
        ("z", Value::from("1e3")),
    ]);
    assert_eq!(
        pretty_trimmed(&v),
        "\"n\": |-\n  a\n  b\n\"y\": \"yes\"\nz: \"1e3\""
    );
}

/// Found by fuzzing: keys on which go-yaml's order is not a total order
/// made the standard sort panic.
#[test]
fn inconsistent_key_order_does_not_panic() {
    let input = include_bytes!("testdata/fuzz-inconsistent-key-order.yaml");
    let value = from_str(&String::from_utf8_lossy(input)).expect("the fuzz input parses");
    assert!(to_yaml(&value).is_ok());
    assert!(to_yaml_pretty(&value).is_ok());
}
