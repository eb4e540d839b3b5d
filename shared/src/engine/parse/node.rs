//! The parse tree of a template, with Go's `String()` forms of its nodes
//! (execution errors quote them: `at <.Values.x.y>`).

use std::fmt::{self, Write};
use std::rc::Rc;

/// The text a tree was parsed from, shared by every tree parsed from it
/// (a file and the `define`s inside it). Errors take their name and their
/// line and column from it.
#[derive(Debug)]
pub struct Source {
    /// Go's `ParseName`: the name the text was parsed under.
    pub name: Rc<str>,
    pub text: Box<str>,
}

impl Source {
    /// Go's `ErrorContext` location: `NAME:LINE:COL`, the column being the
    /// zero-based byte offset within the line.
    pub fn location(&self, pos: usize) -> String {
        let before = &self.text[..pos.min(self.text.len())];
        let line = 1 + before.matches('\n').count();
        let col = match before.rfind('\n') {
            Some(nl) => pos - nl - 1,
            None => pos,
        };
        format!("{}:{line}:{col}", self.name)
    }
}

/// One named template: a file or a `define`/`block` body.
#[derive(Debug)]
pub struct Tree {
    pub name: Rc<str>,
    pub source: Rc<Source>,
    pub root: ListNode,
}

/// A sequence of nodes.
#[derive(Debug, Default)]
pub struct ListNode {
    pub pos: usize,
    pub nodes: Vec<Node>,
}

/// A statement of a template body.
#[derive(Debug)]
pub enum Node {
    Text(Box<str>),
    Action(ActionNode),
    If(Box<BranchNode>),
    Range(Box<BranchNode>),
    With(Box<BranchNode>),
    Template(Box<TemplateNode>),
    Break(usize),
    Continue(usize),
}

/// `{{pipeline}}`
#[derive(Debug)]
pub struct ActionNode {
    pub pos: usize,
    pub pipe: PipeNode,
}

/// `if`, `range` and `with`.
#[derive(Debug)]
pub struct BranchNode {
    pub pos: usize,
    pub pipe: PipeNode,
    pub list: ListNode,
    pub else_list: Option<ListNode>,
}

/// `{{template "name" pipeline}}` (also what `block` leaves in place).
#[derive(Debug)]
pub struct TemplateNode {
    pub pos: usize,
    pub name: Rc<str>,
    pub pipe: Option<PipeNode>,
}

/// A pipeline with its optional variable declarations.
#[derive(Debug)]
pub struct PipeNode {
    pub pos: usize,
    pub is_assign: bool,
    pub decl: Vec<Rc<str>>,
    pub cmds: Vec<CommandNode>,
}

/// One stage of a pipeline: an operand followed by arguments.
#[derive(Debug)]
pub struct CommandNode {
    pub pos: usize,
    pub args: Vec<Arg>,
}

/// A number literal with every Go type it can represent.
#[derive(Debug, Clone)]
pub struct NumberNode {
    pub text: Box<str>,
    pub int: Option<i64>,
    pub uint: Option<u64>,
    pub float: Option<f64>,
    /// Real and imaginary parts, for complex constants.
    pub complex: Option<(f64, f64)>,
}

/// An operand of a command.
#[derive(Debug)]
pub enum Arg {
    /// `.a.b`
    Field {
        pos: usize,
        idents: Box<[Rc<str>]>,
    },
    /// `$x.a.b` (idents[0] is the variable name, with `$`).
    Variable {
        pos: usize,
        idents: Box<[Rc<str>]>,
    },
    /// `(pipeline).a.b` or `f.a` written in a chain.
    Chain {
        pos: usize,
        node: Box<Arg>,
        fields: Box<[Rc<str>]>,
    },
    Identifier {
        pos: usize,
        name: Rc<str>,
    },
    Dot(usize),
    Nil(usize),
    Bool(usize, bool),
    Number(usize, Box<NumberNode>),
    String {
        pos: usize,
        quoted: Box<str>,
        text: Rc<str>,
    },
    Pipe(Box<PipeNode>),
}

impl Arg {
    /// The byte offset of the operand.
    pub fn pos(&self) -> usize {
        match self {
            Arg::Field { pos, .. }
            | Arg::Variable { pos, .. }
            | Arg::Chain { pos, .. }
            | Arg::Identifier { pos, .. }
            | Arg::Dot(pos)
            | Arg::Nil(pos)
            | Arg::Bool(pos, _)
            | Arg::Number(pos, _)
            | Arg::String { pos, .. } => *pos,
            Arg::Pipe(p) => p.pos,
        }
    }
}

fn write_fields(f: &mut fmt::Formatter<'_>, idents: &[Rc<str>]) -> fmt::Result {
    for id in idents {
        f.write_char('.')?;
        f.write_str(id)?;
    }
    Ok(())
}

impl fmt::Display for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arg::Field { idents, .. } => write_fields(f, idents),
            Arg::Variable { idents, .. } => {
                f.write_str(&idents[0])?;
                write_fields(f, &idents[1..])
            }
            Arg::Chain { node, fields, .. } => {
                match node.as_ref() {
                    Arg::Pipe(p) => write!(f, "({p})")?,
                    other => write!(f, "{other}")?,
                }
                write_fields(f, fields)
            }
            Arg::Identifier { name, .. } => f.write_str(name),
            Arg::Dot(_) => f.write_char('.'),
            Arg::Nil(_) => f.write_str("nil"),
            Arg::Bool(_, b) => write!(f, "{b}"),
            Arg::Number(_, n) => f.write_str(&n.text),
            Arg::String { quoted, .. } => f.write_str(quoted),
            Arg::Pipe(p) => write!(f, "{p}"),
        }
    }
}

impl fmt::Display for CommandNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, arg) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_char(' ')?;
            }
            match arg {
                Arg::Pipe(p) => write!(f, "({p})")?,
                other => write!(f, "{other}")?,
            }
        }
        Ok(())
    }
}

impl fmt::Display for PipeNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.decl.is_empty() {
            for (i, v) in self.decl.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                f.write_str(v)?;
            }
            f.write_str(if self.is_assign { " = " } else { " := " })?;
        }
        for (i, c) in self.cmds.iter().enumerate() {
            if i > 0 {
                f.write_str(" | ")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

impl fmt::Display for ListNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.nodes.iter().try_for_each(|n| write!(f, "{n}"))
    }
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Node::Text(t) => f.write_str(t),
            Node::Action(a) => write!(f, "{{{{{}}}}}", a.pipe),
            Node::If(b) => write_branch(f, "if", b),
            Node::Range(b) => write_branch(f, "range", b),
            Node::With(b) => write_branch(f, "with", b),
            Node::Template(t) => write!(f, "{t}"),
            Node::Break(_) => f.write_str("{{break}}"),
            Node::Continue(_) => f.write_str("{{continue}}"),
        }
    }
}

impl fmt::Display for TemplateNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = super::lex::go_quote(&self.name);
        match &self.pipe {
            Some(p) => write!(f, "{{{{template {name} {p}}}}}"),
            None => write!(f, "{{{{template {name}}}}}"),
        }
    }
}

fn write_branch(f: &mut fmt::Formatter<'_>, name: &str, b: &BranchNode) -> fmt::Result {
    write!(f, "{{{{{name} {}}}}}{}", b.pipe, b.list)?;
    if let Some(e) = &b.else_list {
        write!(f, "{{{{else}}}}{e}")?;
    }
    f.write_str("{{end}}")
}

impl ListNode {
    /// Go's `IsEmptyTree`: nothing but blank text (comments leave no node).
    pub fn is_empty_tree(&self) -> bool {
        self.nodes.iter().all(|n| match n {
            Node::Text(t) => t.trim_matches(|c: char| c.is_whitespace()).is_empty(),
            _ => false,
        })
    }
}
