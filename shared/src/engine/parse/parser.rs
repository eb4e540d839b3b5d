//! Go's `text/template/parse` parser: items to trees, with Go's checks and
//! error messages.

use std::rc::Rc;

use super::ParseError;
use super::lex::{Item, ItemKind, go_quote, lex};
use super::node::{
    ActionNode, Arg, BranchNode, CommandNode, ListNode, Node, NumberNode, PipeNode, Source,
    TemplateNode, Tree,
};
use super::number::parse_number;
use super::unquote::{unquote, unquote_char};

/// Go's limit on nested parenthesized expressions.
const MAX_EXPRESSION_DEPTH: usize = 10_000;
/// Our limit on nested control structures, which Go bounds only by its
/// (growable) stack.
const MAX_CONTROL_DEPTH: usize = 10_000;

/// Why an item list ended.
enum ListEnd {
    End,
    Else { pos: usize },
}

/// Parses one template text into its trees: the one named `name` and one
/// for every `define` and `block` in it, in the order Go adds them to its
/// set (so a later one of the same name is the one that counts).
pub(super) fn parse_trees(
    name: &str,
    text: &str,
    delims: (&str, &str),
    has_function: &dyn Fn(&str) -> bool,
) -> Result<Vec<Tree>, ParseError> {
    let source = Rc::new(Source {
        name: name.into(),
        text: text.into(),
    });
    let mut p = Parser {
        items: lex(text, delims.0, delims.1),
        next: 0,
        furthest: 0,
        source: Rc::clone(&source),
        has_function,
        trees: Vec::new(),
        vars: vec!["$".into()],
        range_depth: 0,
        action_line: 0,
        expr_depth: 0,
        control_depth: 0,
    };
    let root = p.parse_top()?;
    p.add(Tree {
        name: source.name.clone(),
        source,
        root,
    })?;
    Ok(p.trees)
}

struct Parser<'a> {
    items: Vec<Item>,
    next: usize,
    /// The index of the furthest item read: Go reports its line in errors.
    furthest: usize,
    source: Rc<Source>,
    has_function: &'a dyn Fn(&str) -> bool,
    trees: Vec<Tree>,
    vars: Vec<Rc<str>>,
    range_depth: usize,
    action_line: usize,
    expr_depth: usize,
    control_depth: usize,
}

type PResult<T> = Result<T, ParseError>;

impl Parser<'_> {
    fn item(&self, i: usize) -> &Item {
        // The list always ends in an Eof or Error item, where parsing stops.
        &self.items[i.min(self.items.len() - 1)]
    }

    fn next_item(&mut self) -> Item {
        let i = self.next.min(self.items.len() - 1);
        self.next = i + 1;
        self.furthest = self.furthest.max(i);
        self.items[i].clone()
    }

    fn backup(&mut self) {
        self.next -= 1;
    }

    fn peek(&mut self) -> Item {
        let item = self.next_item();
        self.backup();
        item
    }

    fn next_non_space(&mut self) -> Item {
        loop {
            let item = self.next_item();
            if item.kind != ItemKind::Space {
                return item;
            }
        }
    }

    fn peek_non_space(&mut self) -> Item {
        let item = self.next_non_space();
        self.backup();
        item
    }

    fn errorf(&self, msg: impl std::fmt::Display) -> ParseError {
        let line = self.item(self.furthest).line;
        ParseError(format!("template: {}:{line}: {msg}", self.source.name))
    }

    fn unexpected(&self, item: &Item, context: &str) -> ParseError {
        if item.kind == ItemKind::Error {
            let mut extra = String::new();
            if self.action_line != 0 && self.action_line != item.line {
                extra = format!(
                    " in action started at {}:{}",
                    self.source.name, self.action_line
                );
                if item.val.ends_with(" action") {
                    extra = extra[" in action".len()..].to_string();
                }
            }
            return self.errorf(format_args!("{item}{extra}"));
        }
        self.errorf(format_args!("unexpected {item} in {context}"))
    }

    fn expect(&mut self, kind: ItemKind, context: &str) -> PResult<Item> {
        let item = self.next_non_space();
        if item.kind != kind {
            return Err(self.unexpected(&item, context));
        }
        Ok(item)
    }

    /// Go's `Tree.add` within one parse: an empty definition never replaces
    /// a non-empty one, and two non-empty ones conflict.
    fn add(&mut self, tree: Tree) -> PResult<()> {
        match self.trees.iter().position(|t| t.name == tree.name) {
            None => self.trees.push(tree),
            Some(i) if self.trees[i].root.is_empty_tree() => {
                self.trees.remove(i);
                self.trees.push(tree);
            }
            Some(_) if !tree.root.is_empty_tree() => {
                return Err(self.errorf(format_args!(
                    "template: multiple definition of template {}",
                    go_quote(&tree.name)
                )));
            }
            Some(_) => {}
        }
        Ok(())
    }

    fn parse_top(&mut self) -> PResult<ListNode> {
        let mut root = ListNode {
            pos: self.peek().pos,
            nodes: Vec::new(),
        };
        while self.peek().kind != ItemKind::Eof {
            if self.peek().kind == ItemKind::LeftDelim {
                let mark = self.next;
                self.next_item();
                if self.next_non_space().kind == ItemKind::Define {
                    self.parse_definition()?;
                    continue;
                }
                self.next = mark;
            }
            match self.text_or_action()? {
                Ok(node) => root.nodes.push(node),
                Err(ListEnd::End) => return Err(self.errorf("unexpected {{end}}")),
                Err(ListEnd::Else { .. }) => return Err(self.errorf("unexpected {{else}}")),
            }
        }
        Ok(root)
    }

    fn parse_definition(&mut self) -> PResult<()> {
        const CONTEXT: &str = "define clause";
        let item = self.next_non_space();
        if !matches!(item.kind, ItemKind::String | ItemKind::RawString) {
            return Err(self.unexpected(&item, CONTEXT));
        }
        let name = unquote(&item.val).map_err(|e| self.errorf(e))?;
        self.expect(ItemKind::RightDelim, CONTEXT)?;
        let saved_vars = std::mem::replace(&mut self.vars, vec!["$".into()]);
        let saved_range = std::mem::replace(&mut self.range_depth, 0);
        let (root, end) = self.item_list()?;
        self.vars = saved_vars;
        self.range_depth = saved_range;
        if let ListEnd::Else { .. } = end {
            return Err(self.errorf(format_args!("unexpected {{{{else}}}} in {CONTEXT}")));
        }
        self.add(Tree {
            name: name.into(),
            source: Rc::clone(&self.source),
            root,
        })
    }

    fn item_list(&mut self) -> PResult<(ListNode, ListEnd)> {
        self.control_depth += 1;
        if self.control_depth > MAX_CONTROL_DEPTH {
            return Err(self.errorf("max control structure depth exceeded"));
        }
        let mut list = ListNode {
            pos: self.peek_non_space().pos,
            nodes: Vec::new(),
        };
        while self.peek_non_space().kind != ItemKind::Eof {
            match self.text_or_action()? {
                Ok(node) => list.nodes.push(node),
                Err(end) => {
                    self.control_depth -= 1;
                    return Ok((list, end));
                }
            }
        }
        Err(self.errorf("unexpected EOF"))
    }

    fn text_or_action(&mut self) -> PResult<Result<Node, ListEnd>> {
        let item = self.next_non_space();
        match item.kind {
            ItemKind::Text => Ok(Ok(Node::Text(item.val.into()))),
            ItemKind::LeftDelim => {
                self.action_line = item.line;
                let node = self.action();
                self.action_line = 0;
                node
            }
            _ => Err(self.unexpected(&item, "input")),
        }
    }

    fn action(&mut self) -> PResult<Result<Node, ListEnd>> {
        let item = self.next_non_space();
        let node = match item.kind {
            ItemKind::Block => self.block_control()?,
            ItemKind::Break | ItemKind::Continue => self.loop_control(&item)?,
            ItemKind::Else => return self.else_control().map(Err),
            ItemKind::End => {
                self.expect(ItemKind::RightDelim, "end")?;
                return Ok(Err(ListEnd::End));
            }
            ItemKind::If => Node::If(Box::new(self.parse_control("if")?)),
            ItemKind::Range => Node::Range(Box::new(self.parse_control("range")?)),
            ItemKind::Template => self.template_control()?,
            ItemKind::With => Node::With(Box::new(self.parse_control("with")?)),
            _ => {
                self.backup();
                let pos = self.peek().pos;
                let pipe = self.pipeline("command", ItemKind::RightDelim)?;
                Node::Action(ActionNode { pos, pipe })
            }
        };
        Ok(Ok(node))
    }

    fn loop_control(&mut self, keyword: &Item) -> PResult<Node> {
        let word = if keyword.kind == ItemKind::Break {
            "break"
        } else {
            "continue"
        };
        let item = self.next_non_space();
        if item.kind != ItemKind::RightDelim {
            return Err(self.unexpected(&item, &format!("{{{{{word}}}}}")));
        }
        if self.range_depth == 0 {
            return Err(self.errorf(format_args!("{{{{{word}}}}} outside {{{{range}}}}")));
        }
        Ok(if keyword.kind == ItemKind::Break {
            Node::Break(keyword.pos)
        } else {
            Node::Continue(keyword.pos)
        })
    }

    fn else_control(&mut self) -> PResult<ListEnd> {
        let peek = self.peek_non_space();
        if matches!(peek.kind, ItemKind::If | ItemKind::With) {
            return Ok(ListEnd::Else { pos: peek.pos });
        }
        let item = self.expect(ItemKind::RightDelim, "else")?;
        Ok(ListEnd::Else { pos: item.pos })
    }

    fn parse_control(&mut self, context: &str) -> PResult<BranchNode> {
        let vars = self.vars.len();
        let result = self.parse_control_inner(context);
        self.vars.truncate(vars);
        result
    }

    fn parse_control_inner(&mut self, context: &str) -> PResult<BranchNode> {
        let pipe = self.pipeline(context, ItemKind::RightDelim)?;
        let is_range = context == "range";
        if is_range {
            self.range_depth += 1;
        }
        let listed = self.item_list();
        if is_range {
            self.range_depth -= 1;
        }
        let (list, end) = listed?;
        let else_list = match end {
            ListEnd::End => None,
            ListEnd::Else { pos } => Some(self.else_branch(context, pos)?),
        };
        Ok(BranchNode {
            pos: pipe.pos,
            pipe,
            list,
            else_list,
        })
    }

    /// The list after `{{else}}`; `{{else if}}` and `{{else with}}` become
    /// a nested `if`/`with` that shares the closing `{{end}}`.
    fn else_branch(&mut self, context: &str, pos: usize) -> PResult<ListNode> {
        let chained = match (context, self.peek().kind) {
            ("if", ItemKind::If) => Some("if"),
            ("with", ItemKind::With) => Some("with"),
            _ => None,
        };
        if let Some(kind) = chained {
            self.next_item();
            let branch = Box::new(self.parse_control(kind)?);
            let node = if kind == "if" {
                Node::If(branch)
            } else {
                Node::With(branch)
            };
            return Ok(ListNode {
                pos,
                nodes: vec![node],
            });
        }
        let (list, end) = self.item_list()?;
        if let ListEnd::Else { .. } = end {
            return Err(self.errorf("expected end; found {{else}}"));
        }
        Ok(list)
    }

    fn template_name(&self, item: &Item, context: &str) -> PResult<Rc<str>> {
        match item.kind {
            ItemKind::String | ItemKind::RawString => {
                unquote(&item.val).map(Rc::from).map_err(|e| self.errorf(e))
            }
            _ => Err(self.unexpected(item, context)),
        }
    }

    fn template_control(&mut self) -> PResult<Node> {
        const CONTEXT: &str = "template clause";
        let item = self.next_non_space();
        let name = self.template_name(&item, CONTEXT)?;
        let pipe = if self.next_non_space().kind != ItemKind::RightDelim {
            self.backup();
            Some(self.pipeline(CONTEXT, ItemKind::RightDelim)?)
        } else {
            None
        };
        Ok(Node::Template(Box::new(TemplateNode {
            pos: item.pos,
            name,
            pipe,
        })))
    }

    fn block_control(&mut self) -> PResult<Node> {
        const CONTEXT: &str = "block clause";
        let item = self.next_non_space();
        let name = self.template_name(&item, CONTEXT)?;
        let pipe = self.pipeline(CONTEXT, ItemKind::RightDelim)?;
        let saved_vars = std::mem::replace(&mut self.vars, vec!["$".into()]);
        let saved_range = std::mem::replace(&mut self.range_depth, 0);
        let listed = self.item_list();
        self.vars = saved_vars;
        self.range_depth = saved_range;
        let (root, end) = listed?;
        if let ListEnd::Else { .. } = end {
            return Err(self.errorf(format_args!("unexpected {{{{else}}}} in {CONTEXT}")));
        }
        self.add(Tree {
            name: name.clone(),
            source: Rc::clone(&self.source),
            root,
        })?;
        Ok(Node::Template(Box::new(TemplateNode {
            pos: item.pos,
            name,
            pipe: Some(pipe),
        })))
    }

    fn pipeline(&mut self, context: &str, end: ItemKind) -> PResult<PipeNode> {
        let start = self.peek_non_space();
        let mut pipe = PipeNode {
            pos: start.pos,
            is_assign: false,
            decl: Vec::new(),
            cmds: Vec::new(),
        };
        self.declarations(&mut pipe, context)?;
        loop {
            let item = self.next_non_space();
            match item.kind {
                k if k == end => {
                    self.check_pipeline(&pipe, context)?;
                    return Ok(pipe);
                }
                ItemKind::Bool
                | ItemKind::CharConstant
                | ItemKind::Complex
                | ItemKind::Dot
                | ItemKind::Field
                | ItemKind::Identifier
                | ItemKind::Number
                | ItemKind::Nil
                | ItemKind::RawString
                | ItemKind::String
                | ItemKind::Variable
                | ItemKind::LeftParen => {
                    self.backup();
                    let cmd = self.command()?;
                    pipe.cmds.push(cmd);
                }
                _ => return Err(self.unexpected(&item, context)),
            }
        }
    }

    /// `$x :=`, `$x =` and range's `$i, $v :=` at the start of a pipeline.
    fn declarations(&mut self, pipe: &mut PipeNode, context: &str) -> PResult<()> {
        loop {
            let var = self.peek_non_space();
            if var.kind != ItemKind::Variable {
                return Ok(());
            }
            let mark = self.next;
            self.next_item();
            let next = self.peek_non_space();
            match next.kind {
                ItemKind::Assign | ItemKind::Declare => {
                    pipe.is_assign = next.kind == ItemKind::Assign;
                    self.next_non_space();
                    pipe.decl.push(var.val.as_str().into());
                    self.vars.push(var.val.as_str().into());
                    return Ok(());
                }
                ItemKind::Char if next.val == "," => {
                    self.next_non_space();
                    pipe.decl.push(var.val.as_str().into());
                    self.vars.push(var.val.as_str().into());
                    if context == "range" && pipe.decl.len() < 2 {
                        match self.peek_non_space().kind {
                            ItemKind::Variable | ItemKind::RightDelim | ItemKind::RightParen => {
                                continue;
                            }
                            _ => return Err(self.errorf("range can only initialize variables")),
                        }
                    }
                    return Err(self.errorf(format_args!("too many declarations in {context}")));
                }
                _ => {
                    self.next = mark;
                    return Ok(());
                }
            }
        }
    }

    fn check_pipeline(&self, pipe: &PipeNode, context: &str) -> PResult<()> {
        if pipe.cmds.is_empty() {
            return Err(self.errorf(format_args!("missing value for {context}")));
        }
        for (i, cmd) in pipe.cmds.iter().enumerate().skip(1) {
            if matches!(
                cmd.args[0],
                Arg::Bool(..) | Arg::Dot(_) | Arg::Nil(_) | Arg::Number(..) | Arg::String { .. }
            ) {
                return Err(self.errorf(format_args!(
                    "non executable command in pipeline stage {}",
                    i + 1
                )));
            }
        }
        Ok(())
    }

    fn command(&mut self) -> PResult<CommandNode> {
        let mut cmd = CommandNode {
            pos: self.peek_non_space().pos,
            args: Vec::new(),
        };
        loop {
            self.peek_non_space();
            if let Some(operand) = self.operand()? {
                cmd.args.push(operand);
            }
            let item = self.next_item();
            match item.kind {
                ItemKind::Space => continue,
                ItemKind::RightDelim | ItemKind::RightParen => self.backup(),
                ItemKind::Pipe => {}
                _ => return Err(self.unexpected(&item, "operand")),
            }
            break;
        }
        if cmd.args.is_empty() {
            return Err(self.errorf("empty command"));
        }
        Ok(cmd)
    }

    fn operand(&mut self) -> PResult<Option<Arg>> {
        let Some(term) = self.term()? else {
            return Ok(None);
        };
        if self.peek().kind != ItemKind::Field {
            return Ok(Some(term));
        }
        let chain_pos = self.peek().pos;
        let mut fields: Vec<Rc<str>> = Vec::new();
        while self.peek().kind == ItemKind::Field {
            let item = self.next_item();
            fields.push(item.val[1..].into());
        }
        let node = match term {
            Arg::Field { idents, .. } => {
                let mut all = idents.into_vec();
                all.extend(fields);
                Arg::Field {
                    pos: chain_pos,
                    idents: all.into(),
                }
            }
            Arg::Variable { idents, .. } => {
                let mut all = idents.into_vec();
                all.extend(fields);
                Arg::Variable {
                    pos: chain_pos,
                    idents: all.into(),
                }
            }
            Arg::Bool(..) | Arg::String { .. } | Arg::Number(..) | Arg::Nil(_) | Arg::Dot(_) => {
                return Err(self.errorf(format_args!(
                    "unexpected . after term {}",
                    go_quote(&term.to_string())
                )));
            }
            other => Arg::Chain {
                pos: chain_pos,
                node: Box::new(other),
                fields: fields.into(),
            },
        };
        Ok(Some(node))
    }

    fn term(&mut self) -> PResult<Option<Arg>> {
        let item = self.next_non_space();
        let arg = match item.kind {
            ItemKind::Identifier => {
                if !(self.has_function)(&item.val) {
                    return Err(
                        self.errorf(format_args!("function {} not defined", go_quote(&item.val)))
                    );
                }
                Arg::Identifier {
                    pos: item.pos,
                    name: item.val.as_str().into(),
                }
            }
            ItemKind::Dot => Arg::Dot(item.pos),
            ItemKind::Nil => Arg::Nil(item.pos),
            ItemKind::Variable => self.use_var(&item)?,
            ItemKind::Field => Arg::Field {
                pos: item.pos,
                idents: vec![Rc::from(&item.val[1..])].into(),
            },
            ItemKind::Bool => Arg::Bool(item.pos, item.val == "true"),
            ItemKind::CharConstant | ItemKind::Complex | ItemKind::Number => {
                let number = self.number(&item)?;
                Arg::Number(item.pos, Box::new(number))
            }
            ItemKind::LeftParen => {
                if self.expr_depth >= MAX_EXPRESSION_DEPTH {
                    return Err(self.errorf("max expression depth exceeded"));
                }
                self.expr_depth += 1;
                let pipe = self.pipeline("parenthesized pipeline", ItemKind::RightParen);
                self.expr_depth -= 1;
                Arg::Pipe(Box::new(pipe?))
            }
            ItemKind::String | ItemKind::RawString => {
                let text = unquote(&item.val).map_err(|e| self.errorf(e))?;
                Arg::String {
                    pos: item.pos,
                    quoted: item.val.as_str().into(),
                    text: text.into(),
                }
            }
            _ => {
                self.backup();
                return Ok(None);
            }
        };
        Ok(Some(arg))
    }

    fn number(&self, item: &Item) -> PResult<NumberNode> {
        if item.kind == ItemKind::CharConstant {
            let c = unquote_char(&item.val).map_err(|e| self.errorf(e))?;
            let n = c as u32;
            return Ok(NumberNode {
                text: item.val.as_str().into(),
                int: Some(n.into()),
                uint: Some(n.into()),
                float: Some(n.into()),
                complex: None,
            });
        }
        parse_number(&item.val, item.kind == ItemKind::Complex).map_err(|e| self.errorf(e))
    }

    fn use_var(&self, item: &Item) -> PResult<Arg> {
        let name = item.val.as_str();
        if !self.vars.iter().any(|v| &**v == name) {
            return Err(self.errorf(format_args!("undefined variable {}", go_quote(name))));
        }
        Ok(Arg::Variable {
            pos: item.pos,
            idents: vec![Rc::from(name)].into(),
        })
    }
}
