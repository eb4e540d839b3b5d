//! Go's `text/template` executor: walks parsed trees over a [`Value`].
//!
//! It follows `text/template/exec.go` rule for rule, because templates
//! observe the details: which values print as `<no value>`, when a missing
//! key is an error, how arguments are converted to a function's declared
//! types, and the exact wording and position of every error.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;

use super::funcs::{Env, FuncMap};
use super::gofmt::format_value;
use super::parse::{
    self, ActionNode, Arg, BranchNode, CommandNode, Delims, ListNode, Node, NumberNode, ParseError,
    PipeNode, TemplateNode, Tree, go_quote,
};
use super::value::{IntKind, ListElem, Map, MapKind, MethodSig, Ty, UintKind, Value};

/// Go's limit on nested `{{template}}` calls.
const MAX_TEMPLATE_DEPTH: usize = 100_000;
/// Helm's limit on nested `include`s of one name.
const MAX_INCLUDE_NESTING: usize = 1000;
/// Our limit on nested `tpl` calls, which Helm leaves to Go's stack limit.
const MAX_TPL_NESTING: usize = 10_000;
/// Stack kept free before a recursive step; below it a new segment is used.
const STACK_RED_ZONE: usize = 128 * 1024;
/// The size of each extra stack segment for deep recursion.
const STACK_SEGMENT: usize = 4 * 1024 * 1024;

/// Runs `f` on a fresh stack segment when the current one runs low, so deep
/// (but bounded) template recursion never overflows the thread's stack.
fn with_stack<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, f)
}

/// What a map lookup of a missing key yields (Go's `missingkey` option).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MissingKey {
    /// `missingkey=zero` (Helm's default): the zero value of the map's
    /// element type; for interface maps the nil interface (`<no value>`).
    #[default]
    Zero,
    /// `missingkey=default`/`invalid`: no value at all.
    Invalid,
    /// `missingkey=error` (Helm's `--strict`).
    Error,
}

/// A cluster lookup: `(apiVersion, kind, namespace, name)` to a value.
pub type LookupFn = dyn Fn(&str, &str, &str, &str) -> Result<Value, String>;

/// Collects log lines that templates emit.
pub type LogSink = Rc<std::cell::RefCell<Vec<String>>>;

/// How to execute templates.
#[derive(Clone)]
pub struct ExecOptions {
    pub missing_key: MissingKey,
    /// Helm lint's relaxed `required` and `fail`.
    pub lint_mode: bool,
    /// Where the log lines of lint mode's `required` and `fail` go
    /// (Helm writes them to its log).
    pub log: Option<LogSink>,
    /// The most bytes all output of one execution may take.
    pub max_output: usize,
    /// The most nodes one execution may walk (bounds `range` over huge
    /// integers and runaway recursion alike).
    pub max_steps: u64,
    /// Backs Helm's `lookup`; without it `lookup` returns an empty map, as
    /// `helm template` does.
    pub lookup: Option<Rc<LookupFn>>,
}

impl Default for ExecOptions {
    fn default() -> Self {
        ExecOptions {
            missing_key: MissingKey::Zero,
            lint_mode: false,
            log: None,
            max_output: 512 << 20,
            max_steps: 500_000_000,
            lookup: None,
        }
    }
}

/// An execution error, displayed as Go prints it
/// (`template: NAME:LINE:COL: executing "NAME" at <NODE>: MSG`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecError {
    /// Go's `Error()` text.
    pub message: String,
    /// The texts of the errors this one wraps (Go's `errors.Unwrap` chain),
    /// outermost first. Helm 4 formats errors by walking them.
    /// Shared, so that wrapping a deeply nested error does not copy the
    /// texts of every level again.
    pub causes: Vec<Rc<str>>,
    /// Whether Go reports a `template.ExecError` (false for "no template
    /// associated", which `ExecuteTemplate` returns unwrapped).
    pub is_exec: bool,
}

impl fmt::Display for ExecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ExecError {}

impl ExecError {
    fn plain(message: String) -> ExecError {
        ExecError {
            message,
            causes: Vec::new(),
            is_exec: false,
        }
    }

    /// This error followed by its causes: Go's whole `Unwrap` chain.
    pub fn chain(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.message.as_str()).chain(self.causes.iter().map(|c| &**c))
    }

    /// The chain as shared texts, for wrapping this error in another.
    fn into_chain(self) -> Vec<Rc<str>> {
        let mut chain = Vec::with_capacity(self.causes.len() + 1);
        chain.push(Rc::from(self.message));
        chain.extend(self.causes);
        chain
    }
}

/// A set of named templates sharing one function map, like a Go
/// `*template.Template` with its associated templates.
pub struct Templates {
    /// The name of the set itself (Helm's is `gotpl`); it names no template.
    name: Rc<str>,
    trees: HashMap<Rc<str>, Rc<Tree>>,
    funcs: Rc<FuncMap>,
    delims: (String, String),
}

impl Templates {
    /// An empty set named `gotpl`, as Helm creates it.
    pub fn new(funcs: Rc<FuncMap>) -> Templates {
        Templates {
            name: "gotpl".into(),
            trees: HashMap::new(),
            funcs,
            delims: ("{{".into(), "}}".into()),
        }
    }

    /// Uses `left` and `right` as action delimiters for later parses.
    pub fn set_delims(&mut self, left: &str, right: &str) {
        self.delims = (left.into(), right.into());
    }

    /// Go's `t.New(name).Parse(text)`: adds `name` and the templates it
    /// defines. A definition that is empty never replaces an existing one.
    pub fn parse(&mut self, name: &str, text: &str) -> Result<(), ParseError> {
        let delims = Delims {
            left: &self.delims.0,
            right: &self.delims.1,
        };
        let funcs = &self.funcs;
        let trees = parse::parse(name, text, delims, &|f| is_function(funcs, f))?;
        for tree in trees {
            let keep_old = tree.root.is_empty_tree() && self.trees.contains_key(&tree.name);
            if !keep_old {
                self.trees.insert(tree.name.clone(), Rc::new(tree));
            }
        }
        Ok(())
    }

    /// The named template, if the set has it.
    pub fn lookup(&self, name: &str) -> Option<&Rc<Tree>> {
        self.trees.get(name)
    }

    /// Go's `ExecuteTemplate`: runs the named template with `data` as dot.
    pub fn execute(
        &self,
        name: &str,
        data: Value,
        options: &ExecOptions,
    ) -> Result<String, ExecError> {
        let shared = Shared::new(&self.funcs, options, &self.name, &self.delims);
        let scope = Scope {
            local: HashMap::new(),
            parent: None,
            base: self,
        };
        let mut out = String::new();
        execute_in(&shared, &scope, name, data, &mut out)?;
        Ok(out)
    }

    /// Executes several templates with shared `include` bookkeeping, as
    /// Helm does within one render. `run` is called once per template.
    pub(crate) fn session<'a>(&'a self, options: &'a ExecOptions) -> Session<'a> {
        Session {
            shared: Shared::new(&self.funcs, options, &self.name, &self.delims),
            templates: self,
        }
    }
}

/// Several executions sharing Helm's per-render state.
pub(crate) struct Session<'a> {
    shared: Shared<'a>,
    templates: &'a Templates,
}

impl Session<'_> {
    /// Executes the named template with `data` as dot.
    pub(crate) fn execute(&self, name: &str, data: Value) -> Result<String, ExecError> {
        let scope = Scope {
            local: HashMap::new(),
            parent: None,
            base: self.templates,
        };
        let mut out = String::new();
        self.shared.written.set(0);
        execute_in(&self.shared, &scope, name, data, &mut out)?;
        Ok(out)
    }
}

fn is_function(funcs: &FuncMap, name: &str) -> bool {
    name == "and" || name == "or" || funcs.contains_key(name)
}

/// The trees of a parsed `tpl` text, or why it did not parse.
type ParsedTpl = Result<Rc<[Rc<Tree>]>, ParseError>;

/// State shared by every execution within one call: Helm's `include`
/// counters, the limits, and parsed `tpl` texts.
struct Shared<'a> {
    funcs: &'a FuncMap,
    options: &'a ExecOptions,
    set_name: &'a str,
    delims: &'a (String, String),
    include_counts: RefCell<HashMap<String, usize>>,
    tpl_nesting: Cell<usize>,
    steps: Cell<u64>,
    written: Cell<usize>,
    /// The Go error chain of the last failed `include`/`tpl`, which the
    /// function returns as text; the caller re-attaches it.
    pending_causes: RefCell<Option<Vec<Rc<str>>>>,
    tpl_cache: RefCell<HashMap<String, ParsedTpl>>,
}

impl<'a> Shared<'a> {
    fn new(
        funcs: &'a FuncMap,
        options: &'a ExecOptions,
        set_name: &'a str,
        delims: &'a (String, String),
    ) -> Self {
        Shared {
            funcs,
            options,
            set_name,
            delims,
            include_counts: RefCell::default(),
            tpl_nesting: Cell::new(0),
            steps: Cell::new(0),
            written: Cell::new(0),
            pending_causes: RefCell::default(),
            tpl_cache: RefCell::default(),
        }
    }
}

/// A view of the template set: the base set plus templates a `tpl` text
/// added (Helm parses `tpl` text into a clone of the set).
struct Scope<'a> {
    local: HashMap<Rc<str>, Rc<Tree>>,
    parent: Option<&'a Scope<'a>>,
    base: &'a Templates,
}

impl Scope<'_> {
    fn lookup(&self, name: &str) -> Option<&Rc<Tree>> {
        if let Some(t) = self.local.get(name) {
            return Some(t);
        }
        match self.parent {
            Some(p) => p.lookup(name),
            None => self.base.trees.get(name),
        }
    }

    fn add(&mut self, tree: Rc<Tree>) {
        if tree.root.is_empty_tree() && self.lookup(&tree.name).is_some() {
            return;
        }
        self.local.insert(tree.name.clone(), tree);
    }
}

/// Executes the named template of `scope` into `out`.
fn execute_in(
    shared: &Shared<'_>,
    scope: &Scope<'_>,
    name: &str,
    data: Value,
    out: &mut String,
) -> Result<(), ExecError> {
    let Some(tree) = scope.lookup(name) else {
        return Err(ExecError::plain(format!(
            "template: no template {} associated with template {}",
            go_quote(name),
            go_quote(shared.set_name)
        )));
    };
    let dot = Typed::plain(data);
    let mut state = State {
        shared,
        scope,
        tree,
        at: At::None,
        vars: vec![("$".into(), dot.clone())],
        depth: 0,
    };
    state.walk_list(&dot, &tree.root, out).map(|_| ())
}

/// The node an error is reported at (Go's `state.node`).
#[derive(Clone, Copy)]
enum At<'s> {
    None,
    Arg(&'s Arg),
    Cmd(&'s CommandNode),
    Pipe(&'s PipeNode),
    Action(&'s ActionNode),
    Node(&'s Node),
    Template(&'s TemplateNode),
}

impl At<'_> {
    fn pos(&self) -> usize {
        match self {
            At::None => 0,
            At::Arg(a) => a.pos(),
            At::Cmd(c) => c.pos,
            At::Pipe(p) => p.pos,
            At::Action(a) => a.pos,
            At::Node(n) => match n {
                Node::If(b) | Node::Range(b) | Node::With(b) => b.pos,
                Node::Action(a) => a.pos,
                Node::Template(t) => t.pos,
                Node::Break(p) | Node::Continue(p) => *p,
                Node::Text(_) => 0,
            },
            At::Template(t) => t.pos,
        }
    }
}

impl fmt::Display for At<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            At::None => Ok(()),
            At::Arg(a) => write!(f, "{a}"),
            At::Cmd(c) => write!(f, "{c}"),
            At::Pipe(p) => write!(f, "{p}"),
            At::Action(a) => write!(f, "{{{{{}}}}}", a.pipe),
            At::Node(n) => write!(f, "{n}"),
            At::Template(t) => write!(f, "{t}"),
        }
    }
}

/// How a walk ended: normally, or at `{{break}}`/`{{continue}}`.
#[derive(PartialEq, Eq)]
enum Flow {
    Normal,
    Break,
    Continue,
}

type EResult<T> = Result<T, ExecError>;

/// A value with Go's static type: `iface` marks a value read from an
/// interface-typed map or slice element, which is what makes a missing key
/// a nil *interface* (an error to dereference) rather than no value at all.
#[derive(Clone)]
struct Typed {
    value: Value,
    iface: bool,
}

impl Typed {
    fn plain(value: Value) -> Typed {
        Typed {
            value,
            iface: false,
        }
    }
}

/// One execution of one template (Go's `state`).
struct State<'s, 'a> {
    shared: &'s Shared<'a>,
    scope: &'s Scope<'s>,
    tree: &'s Tree,
    at: At<'s>,
    vars: Vec<(Rc<str>, Typed)>,
    depth: usize,
}

impl<'s> State<'s, '_> {
    fn errorf(&self, msg: impl fmt::Display) -> ExecError {
        let name = &self.tree.name;
        let message = match self.at {
            At::None => format!("template: {name}: {msg}"),
            at => format!(
                "template: {}: executing {} at <{at}>: {msg}",
                self.tree.source.location(at.pos()),
                go_quote(name),
            ),
        };
        ExecError {
            message,
            causes: Vec::new(),
            is_exec: true,
        }
    }

    fn step(&self) -> EResult<()> {
        let steps = self.shared.steps.get() + 1;
        self.shared.steps.set(steps);
        if steps > self.shared.options.max_steps {
            return Err(self.errorf("template execution exceeded the step limit"));
        }
        Ok(())
    }

    fn write(&self, out: &mut String, s: &str) -> EResult<()> {
        let written = self.shared.written.get() + s.len();
        self.shared.written.set(written);
        if written > self.shared.options.max_output {
            return Err(self.errorf("template output exceeded the size limit"));
        }
        out.push_str(s);
        Ok(())
    }

    fn walk_list(&mut self, dot: &Typed, list: &'s ListNode, out: &mut String) -> EResult<Flow> {
        for node in &list.nodes {
            let flow = self.walk(dot, node, out)?;
            if flow != Flow::Normal {
                return Ok(flow);
            }
        }
        Ok(Flow::Normal)
    }

    fn walk(&mut self, dot: &Typed, node: &'s Node, out: &mut String) -> EResult<Flow> {
        self.step()?;
        self.at = At::Node(node);
        match node {
            Node::Text(text) => self.write(out, text)?,
            Node::Action(action) => {
                let value = self.eval_pipeline(dot, &action.pipe)?;
                if action.pipe.decl.is_empty() {
                    self.at = At::Action(action);
                    self.print_value(&value, out)?;
                }
            }
            Node::If(branch) => {
                return with_stack(|| self.walk_if_or_with(false, dot, branch, out));
            }
            Node::With(branch) => {
                return with_stack(|| self.walk_if_or_with(true, dot, branch, out));
            }
            Node::Range(branch) => return with_stack(|| self.walk_range(dot, branch, out)),
            Node::Template(t) => with_stack(|| self.walk_template(dot, t, out))?,
            Node::Break(_) => return Ok(Flow::Break),
            Node::Continue(_) => return Ok(Flow::Continue),
        }
        Ok(Flow::Normal)
    }

    fn print_value(&self, value: &Value, out: &mut String) -> EResult<()> {
        match value {
            Value::Nil => self.write(out, "<no value>"),
            Value::String(s) => self.write(out, s),
            other => self.write(out, &format_value(other)),
        }
    }

    fn walk_if_or_with(
        &mut self,
        is_with: bool,
        dot: &Typed,
        branch: &'s BranchNode,
        out: &mut String,
    ) -> EResult<Flow> {
        let mark = self.vars.len();
        let value = self.eval_pipeline(dot, &branch.pipe)?;
        let flow = if value.truthy() {
            if is_with {
                self.walk_list(&Typed::plain(value), &branch.list, out)
            } else {
                self.walk_list(dot, &branch.list, out)
            }
        } else if let Some(else_list) = &branch.else_list {
            self.walk_list(dot, else_list, out)
        } else {
            Ok(Flow::Normal)
        };
        self.vars.truncate(mark);
        flow
    }

    fn walk_range(
        &mut self,
        dot: &Typed,
        branch: &'s BranchNode,
        out: &mut String,
    ) -> EResult<Flow> {
        let outer_mark = self.vars.len();
        let value = self.eval_pipeline(dot, &branch.pipe)?;
        let result = self.range_over(dot, branch, value, out);
        self.vars.truncate(outer_mark);
        result.map(|_| Flow::Normal)
    }

    fn range_over(
        &mut self,
        dot: &Typed,
        branch: &'s BranchNode,
        value: Value,
        out: &mut String,
    ) -> EResult<()> {
        let mark = self.vars.len();
        let mut ran = false;
        match &value {
            Value::List(list) => {
                let iface = list.elem == ListElem::Any;
                for (i, item) in list.items.iter().enumerate() {
                    ran = true;
                    let elem = Typed {
                        value: item.clone(),
                        iface,
                    };
                    if self.range_iteration(branch, mark, Value::int(i as i64), elem, out)? {
                        break;
                    }
                }
            }
            Value::Bytes(bytes) => {
                for (i, b) in bytes.iter().enumerate() {
                    ran = true;
                    let item = Value::Uint(u64::from(*b), super::value::UintKind::Uint8);
                    if self.range_iteration(
                        branch,
                        mark,
                        Value::int(i as i64),
                        Typed::plain(item),
                        out,
                    )? {
                        break;
                    }
                }
            }
            Value::Object(obj) if obj.map_entries().is_some() => {
                let entries = obj.map_entries().unwrap_or_default();
                for (key, item) in entries {
                    ran = true;
                    let elem = Typed::plain(item);
                    if self.range_iteration(branch, mark, Value::str(key), elem, out)? {
                        break;
                    }
                }
            }
            Value::Map(map) => {
                let entries = map.snapshot();
                let iface = map.kind() != MapKind::String;
                for (key, item) in entries {
                    ran = true;
                    let elem = Typed { value: item, iface };
                    if self.range_iteration(branch, mark, Value::str(key), elem, out)? {
                        break;
                    }
                }
            }
            Value::Int(n, kind) => {
                if branch.pipe.decl.len() > 1 {
                    return Err(self.errorf(format_args!(
                        "can't use {} to iterate over more than one variable",
                        format_value(&value)
                    )));
                }
                for i in 0..(*n).max(0) {
                    ran = true;
                    if self.range_iteration(
                        branch,
                        mark,
                        Value::Nil,
                        Typed::plain(Value::Int(i, *kind)),
                        out,
                    )? {
                        break;
                    }
                }
            }
            Value::Uint(n, kind) => {
                if branch.pipe.decl.len() > 1 {
                    return Err(self.errorf(format_args!(
                        "can't use {} to iterate over more than one variable",
                        format_value(&value)
                    )));
                }
                for i in 0..*n {
                    ran = true;
                    if self.range_iteration(
                        branch,
                        mark,
                        Value::Nil,
                        Typed::plain(Value::Uint(i, *kind)),
                        out,
                    )? {
                        break;
                    }
                }
            }
            Value::Nil => {}
            other => {
                return Err(self.errorf(format_args!(
                    "range can't iterate over {}",
                    format_value(other)
                )));
            }
        }
        if !ran && let Some(else_list) = &branch.else_list {
            self.walk_list(dot, else_list, out)?;
        }
        Ok(())
    }

    /// One pass of a range body; true when it hit `{{break}}`.
    fn range_iteration(
        &mut self,
        branch: &'s BranchNode,
        mark: usize,
        index: Value,
        elem: Typed,
        out: &mut String,
    ) -> EResult<bool> {
        let decl = &branch.pipe.decl;
        let index = Typed::plain(index);
        if !decl.is_empty() {
            if branch.pipe.is_assign {
                let first = if decl.len() > 1 {
                    index.clone()
                } else {
                    elem.clone()
                };
                self.set_var(&decl[0], first)?;
            } else {
                self.set_top_var(1, elem.clone());
            }
        }
        if decl.len() > 1 {
            if branch.pipe.is_assign {
                self.set_var(&decl[1], elem.clone())?;
            } else {
                self.set_top_var(2, index);
            }
        }
        let flow = self.walk_list(&elem, &branch.list, out);
        self.vars.truncate(mark);
        Ok(flow? == Flow::Break)
    }

    fn walk_template(
        &mut self,
        dot: &Typed,
        node: &'s TemplateNode,
        out: &mut String,
    ) -> EResult<()> {
        self.at = At::Template(node);
        let Some(tree) = self.scope.lookup(&node.name) else {
            return Err(self.errorf(format_args!(
                "template {} not defined",
                go_quote(&node.name)
            )));
        };
        if self.depth == MAX_TEMPLATE_DEPTH {
            return Err(self.errorf(format_args!(
                "exceeded maximum template depth ({MAX_TEMPLATE_DEPTH})"
            )));
        }
        let dot = Typed::plain(match &node.pipe {
            Some(pipe) => self.eval_pipeline(dot, pipe)?,
            None => Value::Nil,
        });
        let mut inner = State {
            shared: self.shared,
            scope: self.scope,
            tree,
            at: At::None,
            vars: vec![("$".into(), dot.clone())],
            depth: self.depth + 1,
        };
        inner.walk_list(&dot, &tree.root, out)?;
        Ok(())
    }

    // ----- variables -----

    fn set_var(&mut self, name: &str, value: Typed) -> EResult<()> {
        match self.vars.iter_mut().rev().find(|(n, _)| &**n == name) {
            Some(slot) => {
                slot.1 = value;
                Ok(())
            }
            None => Err(self.errorf(format_args!("undefined variable: {name}"))),
        }
    }

    fn set_top_var(&mut self, n: usize, value: Typed) {
        let len = self.vars.len();
        if let Some(slot) = len.checked_sub(n).and_then(|i| self.vars.get_mut(i)) {
            slot.1 = value;
        }
    }

    fn var_value(&self, name: &str) -> EResult<Typed> {
        match self.vars.iter().rev().find(|(n, _)| &**n == name) {
            Some((_, v)) => Ok(v.clone()),
            None => Err(self.errorf(format_args!("undefined variable: {name}"))),
        }
    }

    // ----- pipelines and commands -----

    fn eval_pipeline(&mut self, dot: &Typed, pipe: &'s PipeNode) -> EResult<Value> {
        self.at = At::Pipe(pipe);
        let mut value: Option<Value> = None;
        for cmd in &pipe.cmds {
            value = Some(with_stack(|| self.eval_command(dot, cmd, value.take()))?);
        }
        let value = value.unwrap_or_default();
        for name in &pipe.decl {
            if pipe.is_assign {
                self.set_var(name, Typed::plain(value.clone()))?;
            } else {
                self.vars.push((name.clone(), Typed::plain(value.clone())));
            }
        }
        Ok(value)
    }

    fn eval_command(
        &mut self,
        dot: &Typed,
        cmd: &'s CommandNode,
        last: Option<Value>,
    ) -> EResult<Value> {
        let first = &cmd.args[0];
        match first {
            Arg::Field { idents, .. } => {
                self.at = At::Arg(first);
                return Ok(self
                    .eval_field_chain(dot, dot.clone(), first, idents, &cmd.args, last)?
                    .value);
            }
            Arg::Chain { node, fields, .. } => {
                return Ok(self
                    .eval_chain(dot, first, node, fields, &cmd.args, last)?
                    .value);
            }
            Arg::Identifier { name, .. } => {
                self.at = At::Arg(first);
                return self.eval_function(dot, name, Callsite::Cmd(cmd), &cmd.args, last);
            }
            Arg::Pipe(pipe) => {
                self.not_a_function(&cmd.args, &last)?;
                return self.eval_pipeline(dot, pipe);
            }
            Arg::Variable { idents, .. } => {
                return Ok(self
                    .eval_variable(dot, first, idents, &cmd.args, last)?
                    .value);
            }
            _ => {}
        }
        self.at = At::Arg(first);
        self.not_a_function(&cmd.args, &last)?;
        match first {
            Arg::Bool(_, b) => Ok(Value::Bool(*b)),
            Arg::Dot(_) => Ok(dot.value.clone()),
            Arg::Nil(_) => Err(self.errorf("nil is not a command")),
            Arg::Number(_, n) => self.ideal_constant(n),
            Arg::String { text, .. } => Ok(Value::String(text.clone())),
            _ => Err(self.errorf(format_args!(
                "can't evaluate command {}",
                go_quote(&first.to_string())
            ))),
        }
    }

    fn not_a_function(&self, args: &[Arg], last: &Option<Value>) -> EResult<()> {
        if args.len() > 1 || last.is_some() {
            return Err(self.errorf(format_args!(
                "can't give argument to non-function {}",
                args[0]
            )));
        }
        Ok(())
    }

    /// Go's `idealConstant`: the type an untyped number literal takes.
    fn ideal_constant(&self, n: &NumberNode) -> EResult<Value> {
        if n.complex.is_some() && n.float.is_none() {
            return Err(self.errorf(format_args!("complex constant {} is not supported", n.text)));
        }
        let text = &*n.text;
        let is_hex_int = text.len() > 2
            && text.starts_with('0')
            && matches!(text.as_bytes()[1], b'x' | b'X')
            && !text.contains(['p', 'P']);
        let is_rune = text.starts_with('\'');
        if let Some(f) = n.float
            && !is_hex_int
            && !is_rune
            && (text.contains(['.', 'e', 'E', 'p', 'P']) || n.complex.is_some())
        {
            return Ok(Value::Float(f));
        }
        if let Some(i) = n.int {
            return Ok(Value::int(i));
        }
        if n.uint.is_some() {
            return Err(self.errorf(format_args!("{text} overflows int")));
        }
        Ok(Value::Nil)
    }

    fn eval_variable(
        &mut self,
        dot: &Typed,
        node: &'s Arg,
        idents: &'s [Rc<str>],
        args: &'s [Arg],
        last: Option<Value>,
    ) -> EResult<Typed> {
        self.at = At::Arg(node);
        let value = self.var_value(&idents[0])?;
        if idents.len() == 1 {
            self.not_a_function(args, &last)?;
            return Ok(value);
        }
        self.eval_field_chain(dot, value, node, &idents[1..], args, last)
    }

    fn eval_chain(
        &mut self,
        dot: &Typed,
        node: &'s Arg,
        inner: &'s Arg,
        fields: &'s [Rc<str>],
        args: &'s [Arg],
        last: Option<Value>,
    ) -> EResult<Typed> {
        self.at = At::Arg(node);
        if let Arg::Nil(_) = inner {
            return Err(self.errorf(format_args!("indirection through explicit nil in {node}")));
        }
        let receiver = self.eval_arg(dot, None, inner)?;
        self.eval_field_chain(dot, Typed::plain(receiver), node, fields, args, last)
    }

    fn eval_field_chain(
        &mut self,
        dot: &Typed,
        mut receiver: Typed,
        node: &'s Arg,
        idents: &'s [Rc<str>],
        args: &'s [Arg],
        last: Option<Value>,
    ) -> EResult<Typed> {
        let (last_ident, init) = idents.split_last().expect("a field chain has a field");
        for ident in init {
            receiver = self.eval_field(dot, ident, node, &[], None, receiver)?;
        }
        self.eval_field(dot, last_ident, node, args, last, receiver)
    }

    /// Go's `evalField`: a method call, struct field or map key on `receiver`.
    fn eval_field(
        &mut self,
        dot: &Typed,
        name: &str,
        node: &'s Arg,
        args: &'s [Arg],
        last: Option<Value>,
        receiver: Typed,
    ) -> EResult<Typed> {
        let has_args = args.len() > 1 || last.is_some();
        let type_name = if receiver.iface {
            "interface {}".to_string()
        } else {
            receiver.value.type_name()
        };
        match &receiver.value {
            Value::Nil if receiver.iface => {
                Err(self.errorf(format_args!("nil pointer evaluating interface {{}}.{name}")))
            }
            Value::Nil => {
                if self.shared.options.missing_key == MissingKey::Error {
                    return Err(self.errorf(format_args!(
                        "nil data; no entry for key {}",
                        go_quote(name)
                    )));
                }
                Ok(Typed::plain(Value::Nil))
            }
            Value::Object(obj) => {
                if let Some(sig) = obj.method(name) {
                    let obj = Rc::clone(obj);
                    let callee = Callee::Method(&obj, sig);
                    return self
                        .eval_call(dot, callee, name, Callsite::Arg(node), args, last)
                        .map(Typed::plain);
                }
                if let Some(entries) = obj.map_entries() {
                    if has_args {
                        return Err(
                            self.errorf(format_args!("{name} is not a method but has arguments"))
                        );
                    }
                    return self.map_field(&Map::from_entries(MapKind::Any, entries), name);
                }
                match obj.field(name) {
                    Some(_) if has_args => Err(self.errorf(format_args!(
                        "{name} has arguments but cannot be invoked as function"
                    ))),
                    Some(value) => Ok(Typed::plain(value)),
                    None => Err(self.errorf(format_args!(
                        "can't evaluate field {name} in type {type_name}"
                    ))),
                }
            }
            Value::Map(map) => {
                if has_args {
                    return Err(
                        self.errorf(format_args!("{name} is not a method but has arguments"))
                    );
                }
                self.map_field(map, name)
            }
            _ => Err(self.errorf(format_args!(
                "can't evaluate field {name} in type {type_name}"
            ))),
        }
    }

    fn map_field(&self, map: &Map, name: &str) -> EResult<Typed> {
        let iface = map.kind() != MapKind::String;
        if let Some(value) = map.get(name) {
            return Ok(Typed { value, iface });
        }
        match self.shared.options.missing_key {
            MissingKey::Invalid => Ok(Typed::plain(Value::Nil)),
            MissingKey::Error => {
                Err(self.errorf(format_args!("map has no entry for key {}", go_quote(name))))
            }
            MissingKey::Zero if iface => Ok(Typed {
                value: Value::Nil,
                iface,
            }),
            MissingKey::Zero => Ok(Typed::plain(Value::str(""))),
        }
    }

    fn eval_function(
        &mut self,
        dot: &Typed,
        name: &'s str,
        site: Callsite<'s>,
        args: &'s [Arg],
        last: Option<Value>,
    ) -> EResult<Value> {
        if name == "and" || name == "or" {
            return self.eval_and_or(dot, name, args, last);
        }
        let Some(func) = self.shared.funcs.get(name) else {
            return Err(self.errorf(format_args!("{} is not a defined function", go_quote(name))));
        };
        self.eval_call(
            dot,
            Callee::Func(func.sig, func.call),
            name,
            site,
            args,
            last,
        )
    }

    /// `and` and `or`, which stop at the first argument that decides.
    fn eval_and_or(
        &mut self,
        dot: &Typed,
        name: &str,
        args: &'s [Arg],
        last: Option<Value>,
    ) -> EResult<Value> {
        let args = args.get(1..).unwrap_or(&[]);
        if args.is_empty() && last.is_none() {
            return Err(self.errorf(format_args!(
                "wrong number of args for {name}: want at least 1 got 0"
            )));
        }
        let want = name == "or";
        let mut value = Value::Nil;
        for arg in args {
            value = self.eval_arg(dot, Some(Ty::Any), arg)?;
            if value.truthy() == want {
                return Ok(value);
            }
        }
        if let Some(last) = last {
            value = last;
        }
        Ok(value)
    }

    /// Go's `evalCall`: checks the argument count, converts every argument
    /// to its parameter type, calls, and wraps a failure.
    fn eval_call(
        &mut self,
        dot: &Typed,
        callee: Callee<'_>,
        name: &str,
        site: Callsite<'s>,
        args: &'s [Arg],
        last: Option<Value>,
    ) -> EResult<Value> {
        let args = args.get(1..).unwrap_or(&[]);
        let sig = callee.sig();
        let num_in = args.len() + usize::from(last.is_some());
        let fixed = sig.params.len();
        match sig.variadic {
            Some(_) if num_in < fixed => {
                return Err(self.errorf(format_args!(
                    "wrong number of args for {name}: want at least {fixed} got {}",
                    args.len()
                )));
            }
            None if num_in != fixed => {
                return Err(self.errorf(format_args!(
                    "wrong number of args for {name}: want {fixed} got {num_in}"
                )));
            }
            _ => {}
        }
        let mut argv = Vec::with_capacity(num_in);
        for (i, arg) in args.iter().enumerate() {
            let ty = sig.params.get(i).copied().or(sig.variadic);
            argv.push(self.eval_arg(dot, ty, arg)?);
        }
        if let Some(last) = last {
            let ty = sig.params.get(num_in - 1).copied().or(sig.variadic);
            argv.push(self.validate_type(Typed::plain(last), ty)?);
        }
        let callee_name = match (name, args.first()) {
            ("call", Some(first)) => first.to_string(),
            ("call", None) => argv.first().map(format_value).unwrap_or_default(),
            _ => String::new(),
        };
        let result = match callee {
            Callee::Func(_, call) => {
                self.shared.pending_causes.replace(None);
                call(self, argv)
            }
            Callee::Method(obj, _) => obj.call(name, argv),
        };
        // Go names the callee of `call` by its expression.
        let result = result.map_err(|msg| match msg.strip_prefix("non-function of type ") {
            Some(ty) if name == "call" => format!("non-function {callee_name} of type {ty}"),
            _ => msg,
        });
        result.map_err(|msg| {
            self.at = site.at();
            let causes = match self.shared.pending_causes.take() {
                Some(chain) if chain.first().is_some_and(|c| **c == *msg) => chain,
                _ => vec![Rc::from(msg.as_str())],
            };
            let mut err = self.errorf(format_args!("error calling {name}: {msg}"));
            err.causes = causes;
            err
        })
    }

    /// Go's `evalArg`: evaluates `arg` for a parameter of type `ty`
    /// (`None`: no particular type).
    fn eval_arg(&mut self, dot: &Typed, ty: Option<Ty>, arg: &'s Arg) -> EResult<Value> {
        self.at = At::Arg(arg);
        let typed = match arg {
            Arg::Dot(_) => dot.clone(),
            Arg::Nil(_) => {
                return match ty {
                    None | Some(Ty::Any) => Ok(Value::Nil),
                    Some(t) if can_be_nil(t) => Ok(zero_value(t)),
                    Some(t) => {
                        Err(self.errorf(format_args!("cannot assign nil to {}", ty_name(t))))
                    }
                };
            }
            Arg::Field { idents, .. } => self.eval_field_chain(
                dot,
                dot.clone(),
                arg,
                idents,
                std::slice::from_ref(arg),
                None,
            )?,
            Arg::Variable { idents, .. } => {
                self.eval_variable(dot, arg, idents, std::slice::from_ref(arg), None)?
            }
            Arg::Pipe(pipe) => Typed::plain(with_stack(|| self.eval_pipeline(dot, pipe))?),
            Arg::Identifier { name, .. } => Typed::plain(self.eval_function(
                dot,
                name,
                Callsite::Arg(arg),
                std::slice::from_ref(arg),
                None,
            )?),
            Arg::Chain { node, fields, .. } => with_stack(|| {
                self.eval_chain(dot, arg, node, fields, std::slice::from_ref(arg), None)
            })?,
            Arg::Bool(..) | Arg::Number(..) | Arg::String { .. } => {
                return self.eval_literal(ty, arg);
            }
        };
        self.validate_type(typed, ty)
    }

    /// A literal converted to a parameter type, as Go converts constants.
    fn eval_literal(&self, ty: Option<Ty>, arg: &Arg) -> EResult<Value> {
        let ty = ty.unwrap_or(Ty::Any);
        match (ty, arg) {
            (Ty::Any, Arg::Bool(_, b)) => Ok(Value::Bool(*b)),
            (Ty::Any, Arg::Number(_, n)) => self.ideal_constant(n),
            (Ty::Any | Ty::String, Arg::String { text, .. }) => Ok(Value::String(text.clone())),
            (Ty::Bool, Arg::Bool(_, b)) => Ok(Value::Bool(*b)),
            (Ty::Bool, _) => Err(self.errorf(format_args!("expected bool; found {arg}"))),
            (Ty::String, _) => Err(self.errorf(format_args!("expected string; found {arg}"))),
            (Ty::Int | Ty::Int64, Arg::Number(_, n)) if n.int.is_some() => {
                let kind = if ty == Ty::Int {
                    IntKind::Int
                } else {
                    IntKind::Int64
                };
                Ok(Value::Int(n.int.unwrap_or_default(), kind))
            }
            (Ty::Int | Ty::Int64, _) => {
                Err(self.errorf(format_args!("expected integer; found {arg}")))
            }
            (Ty::Float64, Arg::Number(_, n)) if n.float.is_some() => {
                Ok(Value::Float(n.float.unwrap_or_default()))
            }
            (Ty::Float64, _) => Err(self.errorf(format_args!("expected float; found {arg}"))),
            // Go sets the constant into a uint32, dropping high bits.
            (Ty::Uint32, Arg::Number(_, n)) if n.uint.is_some() => Ok(Value::Uint(
                n.uint.unwrap_or_default() & u64::from(u32::MAX),
                UintKind::Uint32,
            )),
            (Ty::Uint32, _) => {
                Err(self.errorf(format_args!("expected unsigned integer; found {arg}")))
            }
            (t, _) => Err(self.errorf(format_args!(
                "can't handle {arg} for arg of type {}",
                ty_name(t)
            ))),
        }
    }

    /// Go's `validateType`: is the value assignable to the parameter type?
    fn validate_type(&self, typed: Typed, ty: Option<Ty>) -> EResult<Value> {
        let Some(ty) = ty else {
            return Ok(typed.value);
        };
        if typed.value.is_nil() {
            return match ty {
                Ty::Any => Ok(Value::Nil),
                t if typed.iface => Err(self.errorf(format_args!(
                    "wrong type for value; expected {}; got interface {{}}",
                    ty_name(t)
                ))),
                t if can_be_nil(t) => Ok(zero_value(t)),
                t => Err(self.errorf(format_args!("invalid value; expected {}", ty_name(t)))),
            };
        }
        if assignable(&typed.value, ty) {
            // Passing `common.Values` as a plain map converts its type.
            return Ok(match (ty, typed.value) {
                (Ty::Dict, Value::Map(m)) => Value::Map(m.with_kind(MapKind::Any)),
                (_, value) => value,
            });
        }
        Err(self.errorf(format_args!(
            "wrong type for value; expected {}; got {}",
            ty_name(ty),
            typed.value.type_name()
        )))
    }
}

/// What is being called: a template function or an object's method.
#[derive(Clone, Copy)]
enum Callee<'o> {
    Func(MethodSig, super::funcs::FuncImpl),
    Method(&'o Rc<dyn super::value::Object>, MethodSig),
}

impl Callee<'_> {
    fn sig(&self) -> MethodSig {
        match self {
            Callee::Func(sig, _) | Callee::Method(_, sig) => *sig,
        }
    }
}

/// Where a call's failure is reported: the whole command, or the operand.
#[derive(Clone, Copy)]
enum Callsite<'s> {
    Cmd(&'s CommandNode),
    Arg(&'s Arg),
}

impl<'s> Callsite<'s> {
    fn at(self) -> At<'s> {
        match self {
            Callsite::Cmd(c) => At::Cmd(c),
            Callsite::Arg(a) => At::Arg(a),
        }
    }
}

/// Go's name of a parameter type.
pub(crate) fn ty_name(ty: Ty) -> &'static str {
    match ty {
        Ty::Any => "interface {}",
        Ty::String => "string",
        Ty::Bool => "bool",
        Ty::Int => "int",
        Ty::Int64 => "int64",
        Ty::Float64 => "float64",
        Ty::List => "[]interface {}",
        Ty::Strings => "[]string",
        Ty::Dict => "map[string]interface {}",
        Ty::Bytes => "[]uint8",
        Ty::Uint32 => "uint32",
        Ty::Object(name) => name,
    }
}

fn can_be_nil(ty: Ty) -> bool {
    matches!(ty, Ty::Any | Ty::List | Ty::Strings | Ty::Dict | Ty::Bytes)
}

/// The zero value of a nilable parameter type, as the callee sees it: a
/// nil slice or map of that type.
fn zero_value(ty: Ty) -> Value {
    match ty {
        Ty::List => Value::nil_list(ListElem::Any),
        Ty::Strings => Value::nil_list(ListElem::String),
        Ty::Dict => Value::Map(Map::nil(MapKind::Any)),
        Ty::Bytes => Value::Bytes(Rc::from(&[][..])),
        _ => Value::Nil,
    }
}

/// Go's assignability of a (non-nil) value to a parameter type.
fn assignable(value: &Value, ty: Ty) -> bool {
    match (ty, value) {
        (Ty::Any, _) => true,
        (Ty::String, Value::String(_))
        | (Ty::Bool, Value::Bool(_))
        | (Ty::Float64, Value::Float(_)) => true,
        (Ty::Int, Value::Int(_, IntKind::Int)) | (Ty::Int64, Value::Int(_, IntKind::Int64)) => true,
        (Ty::List, Value::List(l)) => l.elem == ListElem::Any,
        (Ty::Strings, Value::List(l)) => l.elem == ListElem::String,
        (Ty::Dict, Value::Map(m)) => m.kind() != MapKind::String,
        (Ty::Bytes, Value::Bytes(_)) => true,
        (Ty::Uint32, Value::Uint(_, UintKind::Uint32)) => true,
        (Ty::Object(name), Value::Object(o)) => o.type_name() == name,
        _ => false,
    }
}

impl Env for State<'_, '_> {
    fn include(&mut self, name: &str, data: Value) -> Result<String, String> {
        let shared = self.shared;
        {
            let mut counts = shared.include_counts.borrow_mut();
            let count = counts.entry(name.to_string()).or_insert(0);
            if *count > MAX_INCLUDE_NESTING {
                return Err(format!(
                    "rendering template has a nested reference name: {name}: unable to execute template"
                ));
            }
            *count += 1;
        }
        let mut out = String::new();
        let result = with_stack(|| execute_in(shared, self.scope, name, data, &mut out));
        if let Some(count) = shared.include_counts.borrow_mut().get_mut(name) {
            *count = count.saturating_sub(1);
        }
        match result {
            Ok(()) => Ok(out),
            Err(err) => Err(self.fail_with(err.into_chain())),
        }
    }

    fn tpl(&mut self, text: &str, data: Value) -> Result<String, String> {
        let shared = self.shared;
        let trees = self.parse_tpl(text).map_err(|e| {
            let msg = format!("cannot parse template {}: {e}", go_quote(text));
            self.fail_with(vec![Rc::from(msg), Rc::from(e.0)])
        })?;
        let nesting = shared.tpl_nesting.get();
        if nesting >= MAX_TPL_NESTING {
            return Err(format!("tpl nesting exceeded {MAX_TPL_NESTING} levels"));
        }
        let mut scope = Scope {
            local: HashMap::new(),
            parent: Some(self.scope),
            base: self.scope.base,
        };
        for tree in trees.iter() {
            scope.add(Rc::clone(tree));
        }
        shared.tpl_nesting.set(nesting + 1);
        let mut out = String::new();
        let result = with_stack(|| execute_in(shared, &scope, shared.set_name, data, &mut out));
        shared.tpl_nesting.set(nesting);
        match result {
            Ok(()) => Ok(out.replace("<no value>", "")),
            Err(err) => {
                let msg = format!(
                    "error during tpl function execution for {}: {err}",
                    go_quote(text)
                );
                let mut chain = vec![Rc::from(msg)];
                chain.extend(err.into_chain());
                Err(self.fail_with(chain))
            }
        }
    }

    fn lint_mode(&self) -> bool {
        self.shared.options.lint_mode
    }

    fn log(&mut self, line: String) {
        if let Some(sink) = &self.shared.options.log {
            sink.borrow_mut().push(line);
        }
    }

    fn lookup(
        &mut self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> Result<Value, String> {
        match &self.shared.options.lookup {
            Some(hook) => hook(api_version, kind, namespace, name),
            None => Ok(Value::Map(Map::new(MapKind::Any))),
        }
    }
}

impl State<'_, '_> {
    /// Records the Go error chain of a failed nested execution and returns
    /// its outermost text, which the calling function reports.
    fn fail_with(&self, chain: Vec<Rc<str>>) -> String {
        let msg = chain.first().map(|m| m.to_string()).unwrap_or_default();
        self.shared.pending_causes.replace(Some(chain));
        msg
    }

    /// Parses a `tpl` text under the set's name, once per distinct text.
    fn parse_tpl(&self, text: &str) -> Result<Rc<[Rc<Tree>]>, ParseError> {
        let shared = self.shared;
        if let Some(cached) = shared.tpl_cache.borrow().get(text) {
            return cached.clone();
        }
        let delims = Delims {
            left: &shared.delims.0,
            right: &shared.delims.1,
        };
        let parsed = parse::parse(shared.set_name, text, delims, &|f| {
            is_function(shared.funcs, f)
        })
        .map(|trees| trees.into_iter().map(Rc::new).collect::<Rc<[_]>>());
        shared
            .tpl_cache
            .borrow_mut()
            .insert(text.to_string(), parsed.clone());
        parsed
    }
}

#[cfg(test)]
mod tests;
