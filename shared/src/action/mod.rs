//! Helm's verbs, each a struct of options with one `run`, called by the
//! plugin's commands and by tests alike.

pub mod package;
mod render;
pub mod template;

pub use package::{Package, PackageError};
pub use template::{Template, TemplateError};
