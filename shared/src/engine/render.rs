//! Helm's render layer (`pkg/engine`): one template set per chart tree,
//! every non-partial file executed with its own values, `<no value>`
//! removed, and errors worded as Helm 4 words them.

use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;
use std::sync::OnceLock;

use regex::Regex;

use super::exec::{ExecError, ExecOptions, LogSink, LookupFn, MissingKey, Templates};
use super::funcs::{FuncMap, helm_funcs};
use super::value::{Map, MapKind, Value};

/// One template file of a chart tree.
#[derive(Clone, Debug)]
pub struct RenderFile {
    /// The full name, e.g. `mychart/templates/deployment.yaml` or
    /// `mychart/charts/sub/templates/_helpers.tpl`.
    pub name: String,
    pub text: String,
    /// The top-level data (`.Values`, `.Release`, `.Chart`, …): a map,
    /// shared by all files of one chart, as in Helm.
    pub data: Value,
    /// `.Template.BasePath`, e.g. `mychart/templates`.
    pub base_path: String,
}

/// Renders chart templates as Helm's engine does.
#[derive(Clone, Default)]
pub struct Renderer {
    /// `--strict`: a missing map key is an error (`missingkey=error`).
    pub strict: bool,
    /// `helm lint`: `required` and `fail` do not stop rendering.
    pub lint_mode: bool,
    /// Where lint mode's `required` and `fail` log.
    pub log: Option<LogSink>,
    /// A cluster-backed `lookup`; without it `lookup` returns an empty map.
    pub lookup: Option<Rc<LookupFn>>,
}

/// A rendering failure, displayed exactly as Helm 4 prints it after
/// `Error: `.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RenderError {
    /// A template did not parse: `parse error at (FILE:LINE): MSG`.
    Parse(String),
    /// A template failed while executing.
    Exec(String),
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RenderError::Parse(m) | RenderError::Exec(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for RenderError {}

impl Renderer {
    /// Parses every file into one set and renders each file whose base name
    /// does not start with `_`. Returns file name to rendered text.
    pub fn render(&self, files: Vec<RenderFile>) -> Result<BTreeMap<String, String>, RenderError> {
        self.render_with(files, Rc::new(helm_funcs()))
    }

    /// [`Renderer::render`] with a given function map (parsed once by the
    /// caller when rendering many times).
    pub fn render_with(
        &self,
        mut files: Vec<RenderFile>,
        funcs: Rc<FuncMap>,
    ) -> Result<BTreeMap<String, String>, RenderError> {
        sort_templates(&mut files);
        let mut templates = Templates::new(funcs);
        for file in &files {
            templates
                .parse(&file.name, &file.text)
                .map_err(|e| RenderError::Parse(cleanup_parse_error(&file.name, &e.0)))?;
        }
        let options = ExecOptions {
            missing_key: if self.strict {
                MissingKey::Error
            } else {
                MissingKey::Zero
            },
            lint_mode: self.lint_mode,
            log: self.log.clone(),
            lookup: self.lookup.clone(),
            ..ExecOptions::default()
        };
        let session = templates.session(&options);
        let mut rendered = BTreeMap::new();
        for file in files {
            let base = file.name.rsplit('/').next().unwrap_or_default();
            if base.starts_with('_') {
                continue;
            }
            let data = template_data(&file);
            let out = session
                .execute(&file.name, data)
                .map_err(|e| RenderError::Exec(format_exec_error(&file.name, &e)))?;
            rendered.insert(file.name, out.replace("<no value>", ""));
        }
        Ok(rendered)
    }
}

/// The file's data with `.Template` set (and `.Values` never nil), written
/// into the shared map as Helm does.
fn template_data(file: &RenderFile) -> Value {
    let Value::Map(map) = &file.data else {
        return file.data.clone();
    };
    let template = Map::new(MapKind::Values);
    template.insert("Name", Value::str(file.name.as_str()));
    template.insert("BasePath", Value::str(file.base_path.as_str()));
    map.insert("Template", Value::Map(template));
    if map.get("Values").is_none_or(|v| v.is_nil()) {
        map.insert("Values", Value::Map(Map::new(MapKind::Values)));
    }
    file.data.clone()
}

/// Helm's parse order: deeper paths first, then names in reverse order, so
/// that a parent chart's definitions (parsed last) win.
fn sort_templates(files: &mut [RenderFile]) {
    files.sort_by(|a, b| {
        let depth = |s: &str| s.matches('/').count();
        depth(&b.name)
            .cmp(&depth(&a.name))
            .then_with(|| b.name.cmp(&a.name))
    });
}

/// Helm's `cleanupParseError`: the location and the last part of Go's
/// message.
fn cleanup_parse_error(filename: &str, message: &str) -> String {
    let tokens: Vec<&str> = message.split(": ").collect();
    if tokens.len() == 1 {
        return format!("parse error in ({filename}): {message}");
    }
    format!(
        "parse error at ({}): {}",
        tokens[1],
        tokens[tokens.len() - 1]
    )
}

fn warn_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"HELM_ERR_START((?s).*)HELM_ERR_END").expect("valid regex"))
}

fn no_template_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^template: no template (.*) associated with template (.*)$")
            .expect("valid regex")
    })
}

/// The parts of a Go template error, as Helm's pattern
/// `^template: NAME: executing FUNC at AT: MSG( template:.*)?$` (lazy
/// parts) captures them. Written out by hand because nested errors are long
/// (a runaway `include` nests a thousand of them) and the pattern, applied to
/// each of them, cost quadratic time in a regex engine.
fn split_exec_error(text: &str) -> Option<(&str, &str, &str, &str)> {
    let rest = text.strip_prefix("template: ")?;
    if rest.contains('\n') {
        return None;
    }
    let (name, rest) = split_shortest(rest, ": executing ")?;
    let (func, rest) = split_shortest(rest, " at ")?;
    let (at, rest) = split_shortest(rest, ": ")?;
    Some((name, func, at, shortest_message(rest)?))
}

/// `^template: NAME: MSG( template:.*)?$`, as [`split_exec_error`].
fn split_template_error(text: &str) -> Option<(&str, &str)> {
    let rest = text.strip_prefix("template: ")?;
    if rest.contains('\n') {
        return None;
    }
    let (name, rest) = split_shortest(rest, ": ")?;
    Some((name, shortest_message(rest)?))
}

/// The shortest non-empty prefix of `text` that `delim` follows, and what
/// comes after the delimiter: a lazy `(.+)DELIM`. A later delimiter never
/// lets the rest of the pattern match where the first did not, so the
/// first is the one the pattern takes.
fn split_shortest<'a>(text: &'a str, delim: &str) -> Option<(&'a str, &'a str)> {
    let start = text.chars().next()?.len_utf8();
    let end = start + text[start..].find(delim)?;
    Some((&text[..end], &text[end + delim.len()..]))
}

/// A lazy non-empty message: up to the next ` template:` or the end.
fn shortest_message(text: &str) -> Option<&str> {
    let start = text.chars().next()?.len_utf8();
    let end = text[start..]
        .find(" template:")
        .map_or(text.len(), |i| start + i);
    Some(&text[..end])
}

/// One step of Helm 4's error trace: where, what was executing, and why.
#[derive(PartialEq, Eq)]
struct TraceStep {
    location: String,
    executing: String,
    message: String,
}

impl TraceStep {
    fn parse(text: &str) -> Option<TraceStep> {
        if let Some((name, func, at, msg)) = split_exec_error(text) {
            return Some(TraceStep {
                location: name.to_string(),
                executing: format!("executing {func} at {at}:"),
                message: msg.to_string(),
            });
        }
        if no_template_regex().is_match(text) {
            return Some(TraceStep {
                location: String::new(),
                executing: String::new(),
                message: text.to_string(),
            });
        }
        let (name, msg) = split_template_error(text)?;
        Some(TraceStep {
            location: name.to_string(),
            executing: String::new(),
            message: msg.to_string(),
        })
    }

    fn write_to(&self, out: &mut String) {
        if !self.location.is_empty() {
            out.push_str(&self.location);
            out.push_str("\n  ");
        }
        if !self.executing.is_empty() {
            out.push_str(&self.executing);
            out.push_str("\n    ");
        }
        if !self.message.is_empty() {
            out.push_str(&self.message);
            out.push('\n');
        }
    }
}

/// Helm 4's wording of an execution error: `required`/`fail` messages as
/// `execution error at (LOC): MSG`; errors made only of template failures
/// as an indented trace, one step per nested template; anything else as
/// Go printed it.
pub(crate) fn format_exec_error(filename: &str, err: &ExecError) -> String {
    if !err.is_exec {
        return err.message.clone();
    }
    let tokens: Vec<&str> = err.message.splitn(3, ": ").collect();
    if tokens.len() != 3 {
        return format!("execution error in ({filename}): {}", err.message);
    }
    if let Some(c) = warn_regex().captures(tokens[2]) {
        return format!("execution error at ({}): {}", tokens[1], &c[1]);
    }
    let mut steps: Vec<TraceStep> = Vec::new();
    for text in err.chain() {
        let Some(step) = TraceStep::parse(text) else {
            return err.message.clone();
        };
        if steps.last() != Some(&step) {
            steps.push(step);
        }
    }
    let mut out = String::new();
    for step in &steps {
        step.write_to(&mut out);
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests;
