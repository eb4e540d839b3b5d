//! Go's `text/template`, with the function library Helm registers.
//!
//! [`parse`] turns template text into a tree, [`exec`] walks the tree over a
//! [`Value`], calling functions from [`funcs`]; [`gofmt`] and [`cast`] give
//! values Go's printed form and Go's conversions. Helm's own rules on top
//! (template sets per chart, `include` depth, `<no value>` removal, error
//! wording) live in [`render`].

pub mod cast;
pub mod exec;
pub mod files;
pub mod funcs;
pub mod gofmt;
pub mod parse;
pub mod render;
pub mod value;

pub use value::Value;
