//! The JSONPath templates of kubectl (`{.a.b[0]}`), as `helm show values
//! --jsonpath` evaluates them over a chart's values.
//!
//! Supported: text around actions, `$`, `.field`, `['field']`, `[n]`
//! (negative from the end), `[a:b]`, `[*]` and `.*` on lists, quoted
//! string literals, and `{range …}…{end}`. Results of one action are joined
//! by spaces; scalars print as Go prints them, lists and maps as compact
//! JSON. A missing key fails the whole template, which then prints
//! nothing (Helm ignores the error).

use crate::codec::json;
use crate::engine::Value;
use crate::engine::gofmt;

/// A template that does not parse; the message is kubectl's.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0}")]
pub struct JsonPathError(String);

/// A parsed template.
#[derive(Debug, PartialEq)]
pub struct JsonPath(Vec<Node>);

#[derive(Debug, PartialEq)]
enum Node {
    Text(String),
    Path(Path),
    Range(Path, Vec<Node>),
}

/// Steps from the root (`$`) or from the current item (`.`, `@`).
#[derive(Debug, PartialEq)]
struct Path {
    from_root: bool,
    steps: Vec<Step>,
}

#[derive(Clone, Debug, PartialEq)]
enum Step {
    Field(String),
    Index(i64),
    Slice(Option<i64>, Option<i64>),
    All,
}

/// Why evaluation failed.
struct Missing;

impl JsonPath {
    /// Parses a kubectl JSONPath template.
    pub fn parse(template: &str) -> Result<JsonPath, JsonPathError> {
        let mut actions = Vec::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                actions.push(Action::Text(rest[..open].to_string()));
            }
            let close =
                find_close(&rest[open..]).ok_or_else(|| JsonPathError("unclosed action".into()))?;
            actions.push(parse_action(rest[open + 1..open + close].trim())?);
            rest = &rest[open + close + 1..];
        }
        if !rest.is_empty() {
            actions.push(Action::Text(rest.to_string()));
        }
        let mut iter = actions.into_iter();
        let nodes = nest(&mut iter, false)?;
        Ok(JsonPath(nodes))
    }

    /// Evaluates the template over `data`, returning what was printed.
    pub fn execute(&self, data: &Value) -> String {
        let mut out = String::new();
        match run(&self.0, data, data, &mut out) {
            Ok(()) => out,
            Err(Missing) => String::new(),
        }
    }
}

/// An action between braces, before `range`/`end` are nested.
enum Action {
    Text(String),
    Path(Path),
    Range(Path),
    End,
}

/// The offset of the `}` closing the action that starts at `s[0]`,
/// skipping quoted strings.
fn find_close(s: &str) -> Option<usize> {
    let mut quote = None;
    let mut escaped = false;
    for (i, c) in s.char_indices().skip(1) {
        match (quote, c) {
            (Some(_), _) if escaped => escaped = false,
            (Some(_), '\\') => escaped = true,
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '}') => return Some(i),
            (None, _) => {}
        }
    }
    None
}

fn parse_action(text: &str) -> Result<Action, JsonPathError> {
    if text == "end" {
        return Ok(Action::End);
    }
    if let Some(path) = text.strip_prefix("range ") {
        return Ok(Action::Range(parse_path(path.trim())?));
    }
    if let Some(literal) = string_literal(text) {
        return Ok(Action::Text(literal));
    }
    Ok(Action::Path(parse_path(text)?))
}

/// A quoted literal (`"\n"`), unescaped as Go's `strconv.Unquote`.
fn string_literal(text: &str) -> Option<String> {
    let inner = text.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            other => out.push(other),
        }
    }
    Some(out)
}

fn parse_path(text: &str) -> Result<Path, JsonPathError> {
    let bad = || JsonPathError(format!("unrecognized identifier {text}"));
    let (from_root, mut rest) = match text.strip_prefix('$') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('@').unwrap_or(text)),
    };
    let mut steps = Vec::new();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            let name = &after[..end];
            match name {
                "" => return Err(bad()),
                "*" => steps.push(Step::All),
                _ => steps.push(Step::Field(name.to_string())),
            }
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix('[') {
            let end = after.find(']').ok_or_else(bad)?;
            steps.push(parse_bracket(after[..end].trim()).ok_or_else(bad)?);
            rest = &after[end + 1..];
        } else {
            return Err(bad());
        }
    }
    Ok(Path { from_root, steps })
}

fn parse_bracket(inner: &str) -> Option<Step> {
    if inner == "*" {
        return Some(Step::All);
    }
    for q in ['\'', '"'] {
        if let Some(name) = inner.strip_prefix(q).and_then(|s| s.strip_suffix(q)) {
            return Some(Step::Field(name.to_string()));
        }
    }
    if let Some((from, to)) = inner.split_once(':') {
        let bound = |s: &str| -> Option<Option<i64>> {
            let s = s.trim();
            if s.is_empty() {
                Some(None)
            } else {
                s.parse().ok().map(Some)
            }
        };
        return Some(Step::Slice(bound(from)?, bound(to)?));
    }
    inner.parse().ok().map(Step::Index)
}

fn nest(
    actions: &mut impl Iterator<Item = Action>,
    in_range: bool,
) -> Result<Vec<Node>, JsonPathError> {
    let mut nodes = Vec::new();
    while let Some(action) = actions.next() {
        match action {
            Action::Text(t) => nodes.push(Node::Text(t)),
            Action::Path(p) => nodes.push(Node::Path(p)),
            Action::Range(p) => nodes.push(Node::Range(p, nest(actions, true)?)),
            Action::End if in_range => return Ok(nodes),
            Action::End => return Err(JsonPathError("not in range, nothing to end".into())),
        }
    }
    if in_range {
        return Err(JsonPathError("unclosed range".into()));
    }
    Ok(nodes)
}

fn run(nodes: &[Node], root: &Value, current: &Value, out: &mut String) -> Result<(), Missing> {
    for node in nodes {
        match node {
            Node::Text(t) => out.push_str(t),
            Node::Path(path) => {
                let results = eval(path, root, current)?;
                let printed: Vec<String> = results.iter().map(print).collect();
                out.push_str(&printed.join(" "));
            }
            Node::Range(path, body) => {
                for item in eval(path, root, current)? {
                    run(body, root, &item, out)?;
                }
            }
        }
    }
    Ok(())
}

fn eval(path: &Path, root: &Value, current: &Value) -> Result<Vec<Value>, Missing> {
    let start = if path.from_root { root } else { current };
    let mut values = vec![start.clone()];
    for step in &path.steps {
        let mut next = Vec::new();
        for value in &values {
            apply(step, value, &mut next)?;
        }
        values = next;
    }
    Ok(values)
}

fn apply(step: &Step, value: &Value, out: &mut Vec<Value>) -> Result<(), Missing> {
    match (step, value) {
        (Step::Field(name), Value::Map(m)) => out.push(m.get(name).ok_or(Missing)?),
        (Step::All, Value::List(l)) => out.extend(l.items.iter().cloned()),
        (Step::All, Value::Map(m)) => out.extend(m.entries().values().cloned()),
        (Step::Index(i), Value::List(l)) => {
            let len = l.items.len() as i64;
            let at = if *i < 0 { len + i } else { *i };
            let item = usize::try_from(at).ok().and_then(|at| l.items.get(at));
            out.push(item.ok_or(Missing)?.clone());
        }
        (Step::Slice(from, to), Value::List(l)) => {
            let len = l.items.len() as i64;
            let clamp = |b: i64| (if b < 0 { len + b } else { b }).clamp(0, len) as usize;
            let from = from.map_or(0, clamp);
            let to = to.map_or(len as usize, clamp);
            if from < to {
                out.extend(l.items[from..to].iter().cloned());
            }
        }
        _ => return Err(Missing),
    }
    Ok(())
}

/// One result as kubectl prints it.
fn print(v: &Value) -> String {
    match v {
        Value::Nil => "null".to_string(),
        Value::Map(_) | Value::List(_) => json::to_string(v).unwrap_or_default(),
        other => gofmt::format_value(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::yaml;

    fn show(template: &str) -> String {
        let data =
            yaml::from_str("a: {b: x, num: 1.5, l: [1, 2, 3], m: {k: v}}\nz: null\n").unwrap();
        JsonPath::parse(template).unwrap().execute(&data)
    }

    #[test]
    fn prints_scalars_lists_and_maps() {
        assert_eq!(show("{.a.b}"), "x");
        assert_eq!(show("{.a.num}"), "1.5");
        assert_eq!(show("<{.a.num}>"), "<1.5>");
        assert_eq!(show("{.a.l}"), "[1,2,3]");
        assert_eq!(show("{.a.m}"), r#"{"k":"v"}"#);
        assert_eq!(show("{.z}"), "null");
        assert_eq!(show("{$.a['b']}"), "x");
    }

    #[test]
    fn lists_index_slice_and_range() {
        assert_eq!(show("{.a.l[-1]}"), "3");
        assert_eq!(show("{.a.l[0:2]}"), "1 2");
        assert_eq!(show("{.a.l[*]}"), "1 2 3");
        assert_eq!(
            show(r#"{range .a.l[*]}[{@}{$.a.b}]{"\n"}{end}"#),
            "[1x]\n[2x]\n[3x]\n"
        );
    }

    #[test]
    fn a_missing_key_prints_nothing() {
        assert_eq!(show("a{.nope}b"), "");
    }

    #[test]
    fn parse_errors() {
        assert_eq!(
            JsonPath::parse("{.a").unwrap_err().to_string(),
            "unclosed action"
        );
        assert!(JsonPath::parse("{end}").is_err());
        assert!(JsonPath::parse("{range .a}").is_err());
    }
}
