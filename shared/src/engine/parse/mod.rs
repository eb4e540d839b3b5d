//! Go's `text/template/parse`: template text to trees.
//!
//! [`parse`] lexes and parses one text (a chart file, a `tpl` string) into
//! the trees it defines, with Go's error messages and line numbers.

mod lex;
mod node;
mod number;
mod parser;
mod unquote;

pub(crate) use lex::go_quote;
pub use node::{
    ActionNode, Arg, BranchNode, CommandNode, ListNode, Node, NumberNode, PipeNode, Source,
    TemplateNode, Tree,
};

/// A parse error, displayed as Go prints it: `template: NAME:LINE: MSG`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError(pub String);

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParseError {}

/// The action delimiters, Go's defaults being `{{` and `}}`.
#[derive(Clone, Copy, Debug)]
pub struct Delims<'a> {
    pub left: &'a str,
    pub right: &'a str,
}

impl Default for Delims<'_> {
    fn default() -> Self {
        Delims {
            left: "{{",
            right: "}}",
        }
    }
}

/// Parses `text` as the template `name`; returns it and every template it
/// defines, in the order they were added (later ones of a name replace
/// earlier ones). `has_function` tells which identifiers name functions.
pub fn parse(
    name: &str,
    text: &str,
    delims: Delims<'_>,
    has_function: &dyn Fn(&str) -> bool,
) -> Result<Vec<Tree>, ParseError> {
    parser::parse_trees(name, text, (delims.left, delims.right), has_function)
}

#[cfg(test)]
mod tests;
