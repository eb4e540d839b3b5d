//! YAML text → [`Value`], as `sigs.k8s.io/yaml.Unmarshal` sees it: go-yaml
//! v2 decodes the first document into Go values, the result is converted to
//! JSON (map keys stringified, numbers become float64) and read back.

use std::collections::{BTreeMap, HashMap};

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Tag};

use super::YamlError;
use super::resolve::{Resolved, resolve_plain};
use crate::codec::gofloat::format_g32;
use crate::engine::value::{Map, MapKind, Value};

/// Inputs larger than this are refused before parsing.
pub const MAX_INPUT_BYTES: usize = 64 << 20;
/// Collections nested deeper than this are refused.
pub const MAX_DEPTH: usize = 10_000;
/// Node count (aliases expanded) past which any aliasing is "excessive".
const MAX_DECODED_NODES: u64 = 10_000_000;

/// A decoded node before it becomes a [`Value`]: scalars keep the Go type
/// go-yaml gave them, because map keys are stringified from that type.
#[derive(Clone)]
enum Node {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    BigInt(String),
    Float(f64),
    Str(String),
    Merge,
    Seq(Vec<Value>),
    Map(BTreeMap<String, Value>),
}

/// A node with an anchor, and what decoding it cost (aliases re-decode it).
struct Anchored {
    node: Node,
    nodes: u64,
    aliases: u64,
}

/// A collection being built.
enum Frame {
    Seq {
        items: Vec<Value>,
        anchor: usize,
        nodes_at_start: u64,
        aliases_at_start: u64,
    },
    Map {
        entries: BTreeMap<String, Value>,
        anchor: usize,
        nodes_at_start: u64,
        aliases_at_start: u64,
        key: Option<PendingKey>,
    },
}

enum PendingKey {
    Name(String),
    Merge,
    /// A key sigs.k8s.io/yaml cannot turn into a string; the pair is dropped
    /// and the conversion error reported unless a syntax error comes first.
    Unsupported(String),
}

/// Reads the first document of `input`.
pub(super) fn parse_first_document(input: &str) -> Result<Value, YamlError> {
    if input.len() > MAX_INPUT_BYTES {
        return Err(YamlError::syntax(format!(
            "input of {} bytes exceeds the limit of {MAX_INPUT_BYTES} bytes",
            input.len()
        )));
    }
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(input);
    let root = loop {
        let event = match parser.next_event() {
            Some(Ok((event, _))) => event,
            Some(Err(err)) => return Err(scan_error(&err, input)),
            None => break None,
        };
        match event {
            Event::StreamEnd | Event::DocumentEnd => break builder.root.take(),
            _ => builder.event(event)?,
        }
        if builder.root.is_some() {
            break builder.root.take();
        }
    };
    if let Some(err) = builder.deferred {
        return Err(err);
    }
    Ok(match root {
        Some(node) => builder.into_value(node)?,
        None => Value::Nil,
    })
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    anchors: HashMap<usize, Anchored>,
    nodes: u64,
    aliases: u64,
    root: Option<Node>,
    /// The first JSON-conversion error, reported only if the YAML parses.
    deferred: Option<YamlError>,
}

impl Builder {
    fn event(&mut self, event: Event<'_>) -> Result<(), YamlError> {
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                self.count_node()?;
                let node = scalar(&text, style, tag.as_deref())?;
                self.remember(anchor, &node, 1, 0);
                self.complete(node)
            }
            Event::Alias(id) => self.alias(id),
            Event::SequenceStart(anchor, _) => self.open(Frame::Seq {
                items: Vec::new(),
                anchor,
                nodes_at_start: self.nodes,
                aliases_at_start: self.aliases,
            }),
            Event::MappingStart(anchor, _) => self.open(Frame::Map {
                entries: BTreeMap::new(),
                anchor,
                nodes_at_start: self.nodes,
                aliases_at_start: self.aliases,
                key: None,
            }),
            Event::SequenceEnd | Event::MappingEnd => self.close(),
            _ => Ok(()),
        }
    }

    fn count_node(&mut self) -> Result<(), YamlError> {
        self.nodes += 1;
        self.check_aliasing()
    }

    /// go-yaml's guard against alias bombs: a document whose decoding is
    /// mostly alias expansion is refused.
    fn check_aliasing(&self) -> Result<(), YamlError> {
        let (nodes, aliases) = (self.nodes, self.aliases);
        let excessive = nodes > MAX_DECODED_NODES
            || aliases > 100
                && nodes > 1000
                && aliases as f64 / nodes as f64 > allowed_alias_ratio(nodes);
        if excessive {
            return Err(YamlError::syntax(
                "document contains excessive aliasing".into(),
            ));
        }
        Ok(())
    }

    fn open(&mut self, frame: Frame) -> Result<(), YamlError> {
        self.count_node()?;
        if self.stack.len() >= MAX_DEPTH {
            return Err(YamlError::syntax(format!(
                "exceeded max depth of {MAX_DEPTH}"
            )));
        }
        self.stack.push(frame);
        Ok(())
    }

    fn close(&mut self) -> Result<(), YamlError> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        let (node, anchor, nodes_at_start, aliases_at_start) = match frame {
            Frame::Seq {
                items,
                anchor,
                nodes_at_start,
                aliases_at_start,
            } => (Node::Seq(items), anchor, nodes_at_start, aliases_at_start),
            Frame::Map {
                entries,
                anchor,
                nodes_at_start,
                aliases_at_start,
                ..
            } => (Node::Map(entries), anchor, nodes_at_start, aliases_at_start),
        };
        let nodes = self.nodes - nodes_at_start;
        let aliases = self.aliases - aliases_at_start;
        self.remember(anchor, &node, nodes, aliases);
        self.complete(node)
    }

    fn remember(&mut self, anchor: usize, node: &Node, nodes: u64, aliases: u64) {
        if anchor != 0 {
            let node = deep_copy_node(node);
            self.anchors.insert(
                anchor,
                Anchored {
                    node,
                    nodes,
                    aliases,
                },
            );
        }
    }

    /// An alias decodes its anchored node again: count that work before
    /// copying, so a "billion laughs" document fails fast.
    fn alias(&mut self, id: usize) -> Result<(), YamlError> {
        let Some(anchored) = self.anchors.get(&id) else {
            return Err(YamlError::syntax("unknown anchor referenced".into()));
        };
        self.nodes += anchored.nodes;
        self.aliases += anchored.aliases + 1;
        self.check_aliasing()?;
        let node = deep_copy_node(&anchored.node);
        self.complete(node)
    }

    /// Hands a finished node to the collection being built (or makes it the
    /// document root).
    fn complete(&mut self, node: Node) -> Result<(), YamlError> {
        let Some(frame) = self.stack.last_mut() else {
            self.root = Some(node);
            return Ok(());
        };
        match frame {
            Frame::Seq { items, .. } => {
                let value = node_value(node, &mut self.deferred);
                items.push(value);
            }
            Frame::Map { entries, key, .. } => match key.take() {
                None => *key = Some(map_key(node)?),
                Some(PendingKey::Name(name)) => {
                    let value = node_value(node, &mut self.deferred);
                    entries.insert(name, value);
                }
                Some(PendingKey::Merge) => merge(entries, node)?,
                Some(PendingKey::Unsupported(msg)) => {
                    if self.deferred.is_none() {
                        let value = describe_value(&node);
                        self.deferred =
                            Some(YamlError::conversion(format!("{msg}, value: {value}")));
                    }
                }
            },
        }
        Ok(())
    }

    fn into_value(mut self, node: Node) -> Result<Value, YamlError> {
        let value = node_value(node, &mut self.deferred);
        match self.deferred {
            Some(err) => Err(err),
            None => Ok(value),
        }
    }
}

/// go-yaml's `allowedAliasRatio`: generous for small documents, strict for
/// large ones.
fn allowed_alias_ratio(decodes: u64) -> f64 {
    const LOW: f64 = 400_000.0;
    const HIGH: f64 = 4_000_000.0;
    let d = decodes as f64;
    if d <= LOW {
        0.99
    } else if d >= HIGH {
        0.10
    } else {
        0.99 - 0.89 * ((d - LOW) / (HIGH - LOW))
    }
}

/// Decodes a scalar event: quoted scalars are strings, plain ones resolved,
/// tagged ones checked against their tag.
fn scalar(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> Result<Node, YamlError> {
    let Some(tag) = tag else {
        return Ok(if style == ScalarStyle::Plain {
            resolved_node(resolve_plain(text), text)
        } else {
            Node::Str(text.to_string())
        });
    };
    if !tag.is_yaml_core_schema() {
        // A custom or non-specific tag leaves the text a string.
        return Ok(Node::Str(text.to_string()));
    }
    match tag.suffix.as_str() {
        "str" => Ok(Node::Str(text.to_string())),
        "binary" => decode_binary(text),
        "merge" => Ok(Node::Merge),
        wanted @ ("bool" | "int" | "float" | "null" | "timestamp") => tagged_scalar(text, wanted),
        _ => Ok(Node::Str(text.to_string())),
    }
}

/// A scalar with an explicit core tag must resolve to that tag (an int may
/// stand for a float).
fn tagged_scalar(text: &str, wanted: &str) -> Result<Node, YamlError> {
    let resolved = resolve_plain(text);
    let got = match &resolved {
        Resolved::Null => "null",
        Resolved::Bool(_) => "bool",
        Resolved::Int(_) | Resolved::Uint(_) | Resolved::BigInt(_) => "int",
        Resolved::Float(_) => "float",
        Resolved::Timestamp => "timestamp",
        Resolved::Merge => "merge",
        Resolved::Str => "str",
    };
    if got == wanted || wanted == "timestamp" && got == "str" {
        return Ok(resolved_node(resolved, text));
    }
    if wanted == "float" {
        match resolved {
            Resolved::Int(i) => return Ok(Node::Float(i as f64)),
            Resolved::Uint(u) => return Ok(Node::Float(u as f64)),
            _ => {}
        }
    }
    Err(YamlError::syntax(format!(
        "cannot decode !!{got} `{text}` as a !!{wanted}"
    )))
}

fn resolved_node(resolved: Resolved, text: &str) -> Node {
    match resolved {
        Resolved::Null => Node::Null,
        Resolved::Bool(b) => Node::Bool(b),
        Resolved::Int(i) => Node::Int(i),
        Resolved::Uint(u) => Node::Uint(u),
        Resolved::BigInt(digits) => Node::BigInt(digits),
        Resolved::Float(f) => Node::Float(f),
        Resolved::Merge => Node::Merge,
        Resolved::Timestamp | Resolved::Str => Node::Str(text.to_string()),
    }
}

/// `!!binary`: base64 (line breaks ignored) decoded to a string; invalid
/// UTF-8 later becomes U+FFFD on the way through JSON.
fn decode_binary(text: &str) -> Result<Node, YamlError> {
    use base64::Engine as _;
    let compact: String = text.chars().filter(|c| !matches!(c, '\n' | '\r')).collect();
    match base64::engine::general_purpose::STANDARD.decode(compact) {
        Ok(bytes) => Ok(Node::Str(String::from_utf8_lossy(&bytes).into_owned())),
        Err(_) => Err(YamlError::syntax(
            "!!binary value contains invalid base64 data".into(),
        )),
    }
}

/// Turns a decoded key into the string sigs.k8s.io/yaml makes of it.
fn map_key(node: Node) -> Result<PendingKey, YamlError> {
    Ok(match node {
        Node::Str(s) => PendingKey::Name(s),
        Node::Int(i) => PendingKey::Name(i.to_string()),
        Node::Bool(b) => PendingKey::Name(b.to_string()),
        Node::Float(f) => PendingKey::Name(float_key(f)),
        Node::Merge => PendingKey::Merge,
        Node::Null => {
            PendingKey::Unsupported("unsupported map key of type: %!s(<nil>), key: <nil>".into())
        }
        Node::Uint(u) => {
            PendingKey::Unsupported(format!("unsupported map key of type: uint64, key: {u:#x}"))
        }
        Node::BigInt(digits) => PendingKey::Unsupported(format!(
            "unsupported map key of type: *big.Int, key: {digits}"
        )),
        Node::Seq(items) => {
            let shown: Vec<String> = items.iter().map(go_syntax).collect();
            return Err(YamlError::syntax(format!(
                "invalid map key: []interface {{}}{{{}}}",
                shown.join(", ")
            )));
        }
        Node::Map(_) => {
            return Err(YamlError::syntax(
                "invalid map key: map[interface {}]interface {}{...}".into(),
            ));
        }
    })
}

/// A float key as go-yaml prints a float32.
fn float_key(f: f64) -> String {
    match format_g32(f).as_str() {
        "+Inf" => ".inf".into(),
        "-Inf" => "-.inf".into(),
        "NaN" => ".nan".into(),
        other => other.into(),
    }
}

/// `%+#v` of a scalar value, for the unsupported-key message.
fn describe_value(node: &Node) -> String {
    match node {
        Node::Null => "<nil>".into(),
        Node::Bool(b) => b.to_string(),
        Node::Int(i) => i.to_string(),
        Node::Uint(u) => format!("{u:#x}"),
        Node::BigInt(d) => d.clone(),
        Node::Float(f) => crate::codec::gofloat::format_g(*f),
        Node::Str(s) => format!("{s:?}"),
        Node::Merge => "\"<<\"".into(),
        _ => "map[interface {}]interface {}{...}".into(),
    }
}

/// Go's `%#v` of a decoded item, for error messages.
fn go_syntax(value: &Value) -> String {
    match value {
        Value::String(s) => format!("{s:?}"),
        Value::Float(f) => crate::codec::gofloat::format_g(*f),
        Value::Bool(b) => b.to_string(),
        Value::Nil => "interface {}(nil)".into(),
        _ => "...".into(),
    }
}

/// `<<`: copies the entries of a map, or of each map in a list (earlier maps
/// win), over the entries decoded so far.
fn merge(entries: &mut BTreeMap<String, Value>, node: Node) -> Result<(), YamlError> {
    let want_map =
        || YamlError::syntax("map merge requires map or sequence of maps as the value".into());
    match node {
        Node::Map(source) => entries.extend(source),
        Node::Seq(items) => {
            for item in items.into_iter().rev() {
                let Value::Map(source) = item else {
                    return Err(want_map());
                };
                let source = source.entries().clone();
                entries.extend(source);
            }
        }
        _ => return Err(want_map()),
    }
    Ok(())
}

/// The value JSON gives back: numbers as float64. Infinities and NaN cannot
/// be marshalled, and integers too big for a float64 cannot be read back.
fn node_value(node: Node, deferred: &mut Option<YamlError>) -> Value {
    let mut fail = |err: YamlError| {
        if deferred.is_none() {
            *deferred = Some(err);
        }
        Value::Nil
    };
    match node {
        Node::Null => Value::Nil,
        Node::Bool(b) => Value::Bool(b),
        Node::Int(i) => Value::Float(i as f64),
        Node::Uint(u) => Value::Float(u as f64),
        Node::BigInt(digits) => match digits.parse::<f64>() {
            Ok(f) if f.is_finite() => Value::Float(f),
            _ => fail(YamlError::json(format!(
                "cannot unmarshal number {digits} into Go value of type float64"
            ))),
        },
        Node::Float(f) if f.is_finite() => Value::Float(f),
        Node::Float(f) => {
            let shown = crate::codec::gofloat::format_g(f);
            fail(YamlError::conversion(format!(
                "json: unsupported value: {shown}"
            )))
        }
        Node::Str(s) => Value::from(s),
        Node::Merge => Value::from("<<"),
        Node::Seq(items) => Value::list(items),
        Node::Map(entries) => Value::Map(Map::from_entries(MapKind::Any, entries)),
    }
}

/// Aliases must not share Go maps with their anchor: after the JSON round
/// trip every occurrence is its own map.
fn deep_copy_node(node: &Node) -> Node {
    match node {
        Node::Seq(items) => Node::Seq(items.iter().map(deep_copy_value).collect()),
        Node::Map(entries) => Node::Map(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), deep_copy_value(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn deep_copy_value(value: &Value) -> Value {
    match value {
        Value::List(list) => Value::list(list.items.iter().map(deep_copy_value).collect()),
        Value::Map(map) => {
            let entries = map
                .entries()
                .iter()
                .map(|(k, v)| (k.clone(), deep_copy_value(v)))
                .collect();
            Value::Map(Map::from_entries(map.kind(), entries))
        }
        other => other.clone(),
    }
}

/// A scanner or parser error in go-yaml's words. go-yaml counts lines from
/// zero, omits a position on the first line, and adds one for scanner
/// errors only.
fn scan_error(err: &ScanError, input: &str) -> YamlError {
    let info = err.info();
    if info.contains("unknown anchor") {
        let name: String = input
            .chars()
            .skip(err.marker().index())
            .skip_while(|&c| c == '*')
            .take_while(|c| !c.is_whitespace() && !",[]{}".contains(*c))
            .collect();
        return YamlError::syntax(format!("unknown anchor '{name}' referenced"));
    }
    let (problem, from_parser) = translate_problem(info);
    let line0 = err.marker().line().saturating_sub(1);
    let shown = if from_parser { line0 } else { line0 + 1 };
    if line0 == 0 {
        YamlError::syntax(problem)
    } else {
        YamlError::syntax(format!("line {shown}: {problem}"))
    }
}

/// saphyr words most problems as libyaml does; this drops its context
/// prefixes and rewords the few that differ. Also says whether the problem
/// is the parser's (as opposed to the scanner's).
fn translate_problem(info: &str) -> (String, bool) {
    let problem = match info.split_once(", ") {
        Some((context, rest)) if context.starts_with("while ") => rest,
        _ => info,
    };
    if problem.starts_with("unexpected character") || problem.contains("tab") {
        return ("found character that cannot start any token".into(), false);
    }
    if problem == "simple key expect ':'" {
        return ("could not find expected ':'".into(), false);
    }
    if let Some(rest) = problem.strip_prefix("expected ") {
        return (format!("did not find expected {rest}"), true);
    }
    let from_parser =
        problem.starts_with("did not find expected") || info.starts_with("while parsing");
    (problem.to_string(), from_parser)
}
