//! The command line, as Helm's: global flags, then a command.

mod dependency;
mod template;
mod version;

use std::io::Write;

use clap::{Parser, Subcommand};

/// The Kubernetes package manager, as a kubectl plugin.
#[derive(Debug, Parser)]
#[command(
    name = "kubectl-helm",
    bin_name = "kubectl helm",
    disable_version_flag = true
)]
pub struct Cli {
    #[command(flatten)]
    global: GlobalFlags,
    #[command(subcommand)]
    command: Command,
}

/// Flags every command accepts, with Helm's environment variables.
#[derive(Debug, clap::Args)]
pub struct GlobalFlags {
    /// namespace scope for this request
    #[arg(short, long, global = true, env = "HELM_NAMESPACE")]
    namespace: Option<String>,
    /// enable verbose output
    #[arg(long, global = true, env = "HELM_DEBUG")]
    debug: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// manage a chart's dependencies
    #[command(visible_alias = "dep", visible_alias = "dependencies")]
    Dependency(dependency::DependencyArgs),
    /// locally render templates
    Template(template::TemplateArgs),
    /// print the client version information
    Version(version::VersionArgs),
}

impl Cli {
    pub fn run(self, out: &mut dyn Write) -> anyhow::Result<()> {
        match self.command {
            Command::Dependency(args) => args.run(out),
            Command::Template(args) => args.run(&self.global, out),
            Command::Version(args) => args.run(out),
        }
    }
}
