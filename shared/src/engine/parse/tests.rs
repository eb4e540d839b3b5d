use super::*;

fn parse_err(text: &str) -> String {
    match parse("t", text, Delims::default(), &|f| f == "print") {
        Ok(_) => panic!("{text} parsed"),
        Err(e) => e.0,
    }
}

fn trees(text: &str) -> Vec<Tree> {
    match parse("t", text, Delims::default(), &|f| f == "print") {
        Ok(t) => t,
        Err(e) => panic!("{text}: {e}"),
    }
}

#[test]
fn reports_go_parse_errors() {
    assert_eq!(parse_err("{{ if }}"), "template: t:1: missing value for if");
    assert_eq!(
        parse_err("a\nb\n{{ if }}"),
        "template: t:3: missing value for if"
    );
    assert_eq!(
        parse_err("{{ nope }}"),
        "template: t:1: function \"nope\" not defined"
    );
    assert_eq!(parse_err("{{ end }}"), "template: t:1: unexpected {{end}}");
    assert_eq!(parse_err("{{ if 1 }}"), "template: t:1: unexpected EOF");
    assert_eq!(
        parse_err("{{ break }}"),
        "template: t:1: {{break}} outside {{range}}"
    );
    assert_eq!(
        parse_err("{{ 1 | 2 }}"),
        "template: t:1: non executable command in pipeline stage 2"
    );
    assert_eq!(
        parse_err("{{ $x }}"),
        "template: t:1: undefined variable \"$x\""
    );
    assert_eq!(
        parse_err("{{ \"a\".b }}"),
        "template: t:1: unexpected . after term \"\\\"a\\\"\""
    );
    assert_eq!(
        parse_err("{{ print\n1"),
        "template: t:2: unclosed action started at t:1"
    );
    assert_eq!(
        parse_err("{{ 99999999999999999999 }}"),
        "template: t:1: integer overflow: \"99999999999999999999\""
    );
    assert_eq!(
        parse_err("{{ print 1) }}"),
        "template: t:1: unexpected right paren"
    );
    assert_eq!(
        parse_err("{{ define \"a\" }}x{{ end }}{{ define \"a\" }}y{{ end }}"),
        "template: t:1: template: multiple definition of template \"a\""
    );
}

#[test]
fn keeps_go_node_strings() {
    let t = trees("{{ $x := print 1 \"a\" | print (print .a.b) $x.c }}");
    let Node::Action(action) = &t[0].root.nodes[0] else {
        panic!("not an action");
    };
    assert_eq!(
        action.pipe.to_string(),
        "$x := print 1 \"a\" | print (print .a.b) $x.c"
    );
}

#[test]
fn collects_defines_and_blocks() {
    let t = trees("{{ define \"a\" }}A{{ end }}{{ block \"b\" . }}B{{ end }}");
    let names: Vec<&str> = t.iter().map(|t| &*t.name).collect();
    assert_eq!(names, vec!["a", "b", "t"]);
}

#[test]
fn field_positions_follow_go() {
    let t = trees("a: {{ .Values.x.y }}");
    let Node::Action(action) = &t[0].root.nodes[1] else {
        panic!("not an action");
    };
    assert_eq!(action.pipe.cmds[0].args[0].pos(), 13);
    assert_eq!(t[0].source.location(13), "t:1:13");
}
