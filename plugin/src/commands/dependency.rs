//! `dependency`: manage a chart's dependencies.

use helm::action::{DependencyList, DependencyManager};
use helm::log::WriteLog;

use super::Context;

#[derive(Debug, clap::Args)]
pub struct DependencyArgs {
    #[command(subcommand)]
    command: DependencyCommand,
}

#[derive(Debug, clap::Subcommand)]
enum DependencyCommand {
    /// list the dependencies for the given chart
    #[command(visible_alias = "ls")]
    List(ListArgs),
    /// rebuild the charts/ directory based on the Chart.lock file
    Build(FetchArgs),
    /// update charts/ based on the contents of Chart.yaml
    #[command(visible_alias = "up")]
    Update(FetchArgs),
}

#[derive(Debug, clap::Args)]
struct ListArgs {
    /// CHART
    #[arg(value_name = "CHART", default_value = ".")]
    chart: String,
    /// maximum column width for output table
    #[arg(long, default_value_t = 80)]
    max_col_width: usize,
}

#[derive(Debug, clap::Args)]
struct FetchArgs {
    /// CHART
    #[arg(value_name = "CHART", default_value = ".")]
    chart: String,
    /// keyring containing public keys
    #[arg(long)]
    keyring: Option<String>,
    /// do not refresh the local repository cache
    #[arg(long)]
    skip_refresh: bool,
    /// verify the packages against signatures
    #[arg(long)]
    verify: bool,
}

impl DependencyArgs {
    pub fn run(self, ctx: &mut Context<'_>) -> anyhow::Result<()> {
        match self.command {
            DependencyCommand::List(args) => {
                let list = DependencyList {
                    chart: args.chart,
                    max_column_width: args.max_col_width,
                };
                let listed = list.run(&mut WriteLog(&mut *ctx.err))?;
                ctx.out.write_all(listed.as_bytes())?;
            }
            DependencyCommand::Build(args) => {
                DependencyManager::new(&args.chart, ctx.settings.debug)
                    .build(ctx.out, &mut WriteLog(&mut *ctx.err))?;
            }
            DependencyCommand::Update(args) => {
                DependencyManager::new(&args.chart, ctx.settings.debug)
                    .update(ctx.out, &mut WriteLog(&mut *ctx.err))?;
            }
        }
        Ok(())
    }
}
