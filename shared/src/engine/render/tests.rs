use std::collections::BTreeMap;

use super::*;

fn data() -> Value {
    let values = Map::new(MapKind::Values);
    values.insert("str", Value::str("hello"));
    let top = Map::new(MapKind::Any);
    top.insert("Values", Value::Map(values));
    Value::Map(top)
}

fn file(name: &str, text: &str) -> RenderFile {
    RenderFile {
        name: name.into(),
        text: text.into(),
        data: data(),
        base_path: "c1/templates".into(),
    }
}

fn render_one(text: &str) -> Result<String, String> {
    let files = vec![file("c1/templates/e.yaml", text)];
    Renderer::default()
        .render(files)
        .map(|mut m: BTreeMap<String, String>| m.remove("c1/templates/e.yaml").unwrap_or_default())
        .map_err(|e| e.to_string())
}

fn error_of(text: &str) -> String {
    render_one(text)
        .err()
        .unwrap_or_else(|| panic!("{text} rendered"))
}

#[test]
fn strips_no_value_and_sets_template() {
    assert_eq!(render_one("a{{ .Values.nope }}b").as_deref(), Ok("ab"));
    assert_eq!(
        render_one("{{ .Template.Name }} {{ .Template.BasePath }}").as_deref(),
        Ok("c1/templates/e.yaml c1/templates")
    );
}

#[test]
fn skips_partials_and_later_definitions_win() {
    let files = vec![
        file("c1/templates/_a.tpl", "{{ define \"x\" }}A{{ end }}"),
        file("c1/templates/_b.tpl", "{{ define \"x\" }}B{{ end }}"),
        file(
            "c1/charts/sub/templates/_c.tpl",
            "{{ define \"x\" }}C{{ end }}",
        ),
        file("c1/templates/out.yaml", "{{ include \"x\" . }}"),
    ];
    let out = Renderer::default().render(files).unwrap_or_default();
    assert_eq!(
        out.keys().collect::<Vec<_>>(),
        vec!["c1/templates/out.yaml"]
    );
    // Parsed deepest first, then in reverse name order: _a.tpl comes last.
    assert_eq!(out["c1/templates/out.yaml"], "A");
}

#[test]
fn formats_errors_like_helm_4() {
    assert_eq!(
        error_of("a: {{ .Values.x.y }}"),
        "c1/templates/e.yaml:1:13\n  executing \"c1/templates/e.yaml\" at <.Values.x.y>:\n    nil pointer evaluating interface {}.y"
    );
    assert_eq!(
        error_of("a: {{ required \"need it\" .Values.x }}"),
        "execution error at (c1/templates/e.yaml:1:6): need it"
    );
    assert_eq!(
        error_of("a: {{ include \"nope\" . }}"),
        "c1/templates/e.yaml:1:6\n  executing \"c1/templates/e.yaml\" at <include \"nope\" .>:\n    error calling include:\ntemplate: no template \"nope\" associated with template \"gotpl\""
    );
    assert_eq!(
        error_of("{{ if }}"),
        "parse error at (c1/templates/e.yaml:1): missing value for if"
    );
    assert_eq!(
        error_of(
            "a: {{ include \"x\" . }}{{ define \"x\" }}{{ include \"y\" . }}{{ end }}{{ define \"y\" }}{{ .Values.x.y }}{{ end }}"
        ),
        "c1/templates/e.yaml:1:6\n  executing \"c1/templates/e.yaml\" at <include \"x\" .>:\n    error calling include:\nc1/templates/e.yaml:1:41\n  executing \"x\" at <include \"y\" .>:\n    error calling include:\nc1/templates/e.yaml:1:92\n  executing \"y\" at <.Values.x.y>:\n    nil pointer evaluating interface {}.y"
    );
    assert_eq!(
        error_of("a: {{ include \"x\" . }}{{ define \"x\" }}{{ fail \"boo\" }}{{ end }}"),
        "execution error at (c1/templates/e.yaml:1:6): boo"
    );
    assert_eq!(
        error_of("a: {{ index 1 2 }}"),
        "template: c1/templates/e.yaml:1:6: executing \"c1/templates/e.yaml\" at <index 1 2>: error calling index: can't index item of type int"
    );
    assert_eq!(
        error_of("a: {{ tpl \"{{ .Values.x.y }}\" . }}"),
        "template: c1/templates/e.yaml:1:6: executing \"c1/templates/e.yaml\" at <tpl \"{{ .Values.x.y }}\" .>: error calling tpl: error during tpl function execution for \"{{ .Values.x.y }}\": template: gotpl:1:10: executing \"gotpl\" at <.Values.x.y>: nil pointer evaluating interface {}.y"
    );
}

#[test]
fn lint_mode_relaxes_required_and_fail() {
    let renderer = Renderer {
        lint_mode: true,
        ..Renderer::default()
    };
    let out = renderer.render(vec![file(
        "c1/templates/e.yaml",
        "a{{ required \"x\" .Values.nope }}{{ fail \"y\" }}b",
    )]);
    assert_eq!(
        out.ok()
            .and_then(|m| m.get("c1/templates/e.yaml").cloned())
            .as_deref(),
        Some("ab")
    );
}

/// The hand-written splitting agrees with Helm's patterns.
#[test]
fn error_splitting_matches_helms_patterns() {
    let exec = regex::Regex::new(
        r"^template: (?P<name>(?U).+): executing (?P<func>(?U).+) at (?P<at>(?U).+): (?P<msg>(?U).+)(?P<next>( template:.*)?)$",
    )
    .unwrap();
    let plain = regex::Regex::new(
        r"^template: (?P<name>(?U).+): (?P<msg>(?U).+)(?P<next>( template:.*)?)$",
    )
    .unwrap();
    let texts = [
        "template: c/t.yaml:1:3: executing \"c/t.yaml\" at <include \"x\" .>: error calling include: template: c/t.yaml:1:19: executing \"x\" at <fail>: boom",
        "template: a: executing b at c: d",
        "template: : executing b at c: d",
        "template: a: executing  at  at c: d",
        "template: a: executing b at c: ",
        "template: a: executing b at c: : ",
        "template: a: executing b at c:  template: x",
        "template: a: executing b at c: d\nmore",
        "template: é: executing ü at ö: ß template: y",
        "template: gotpl:1: unexpected \"}\" in operand",
        "template: x: ",
        "template: x:  template: y: z",
        "not a template error",
    ];
    for text in texts {
        let want = exec.captures(text).map(|c| {
            (
                c["name"].to_string(),
                c["func"].to_string(),
                c["at"].to_string(),
                c["msg"].to_string(),
            )
        });
        let got = split_exec_error(text)
            .map(|(n, f, a, m)| (n.to_string(), f.to_string(), a.to_string(), m.to_string()));
        assert_eq!(got, want, "{text:?}");
        let want = plain
            .captures(text)
            .map(|c| (c["name"].to_string(), c["msg"].to_string()));
        let got = split_template_error(text).map(|(n, m)| (n.to_string(), m.to_string()));
        assert_eq!(got, want, "{text:?}");
    }
}
