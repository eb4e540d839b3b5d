//! Helm's verbs, each a struct of options with one `run`, called by the
//! plugin's commands and by tests alike.

pub mod create;
pub mod dependency;
pub mod deploy;
pub mod env;
pub mod get;
pub mod history;
pub mod hooks;
pub mod install;
pub mod lint;
pub mod list;
mod locate;
pub mod package;
pub mod prepare;
pub mod printer;
pub mod render;
pub mod show;
pub mod status;
pub mod template;
pub mod uninstall;
pub mod waiting;

pub use create::{Create, CreateError};
pub use dependency::{DependencyError, DependencyList, DependencyManager};
pub use history::{HistoryError, history};
pub use install::{Install, InstallError};
pub use lint::{Lint, LintReport};
pub use list::{List, ListError, Sort, States};
pub use locate::{LocateError, locate_chart};
pub use package::{Package, PackageError};
pub use prepare::{PrepareError, PrepareOptions, Prepared, prepare};
pub use show::{Show, ShowError, ShowFormat};
pub use template::{Template, TemplateError};
