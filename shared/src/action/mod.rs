//! Helm's verbs, each a struct of options with one `run`, called by the
//! plugin's commands and by tests alike.

pub mod dependency;
mod render;
pub mod template;

pub use dependency::{DependencyError, DependencyList};
pub use template::{Template, TemplateError};
