//! `show`: show information of a chart.

use helm::action::{Show, ShowFormat, locate_chart};
use helm::log::WriteLog;

use super::Context;

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    #[command(subcommand)]
    what: ShowCommand,
}

#[derive(Debug, clap::Subcommand)]
enum ShowCommand {
    /// show all information of the chart
    All(ChartArgs),
    /// show the chart's definition
    Chart(ChartArgs),
    /// show the chart's CRDs
    Crds(ChartArgs),
    /// show the chart's README
    Readme(ChartArgs),
    /// show the chart's values
    Values(ValuesArgs),
}

/// The chart argument and the flags that locate it. `--version` and
/// `--devel` choose among a repository's versions; a local chart is what
/// it is, so they change nothing here, as in Helm.
#[derive(Debug, clap::Args)]
struct ChartArgs {
    #[arg(value_name = "CHART")]
    chart: String,
    /// specify a version constraint for the chart version to use (charts from repositories only)
    #[arg(long)]
    version: Option<String>,
    /// use development versions, too. Equivalent to version '>0.0.0-0'. If --version is set, this is ignored
    #[arg(long)]
    devel: bool,
}

#[derive(Debug, clap::Args)]
struct ValuesArgs {
    #[command(flatten)]
    chart: ChartArgs,
    /// supply a JSONPath expression to filter the output
    #[arg(long)]
    jsonpath: Option<String>,
}

impl ShowArgs {
    pub fn run(self, ctx: &mut Context<'_>) -> anyhow::Result<()> {
        let (format, chart, jsonpath) = match self.what {
            ShowCommand::All(c) => (ShowFormat::All, c, None),
            ShowCommand::Chart(c) => (ShowFormat::Chart, c, None),
            ShowCommand::Crds(c) => (ShowFormat::Crds, c, None),
            ShowCommand::Readme(c) => (ShowFormat::Readme, c, None),
            ShowCommand::Values(v) => (ShowFormat::Values, v.chart, v.jsonpath),
        };
        let path = locate_chart(&chart.chart, &ctx.settings)?;
        let show = Show {
            format,
            chart: path,
            jsonpath,
        };
        let shown = show.run(&mut WriteLog(&mut *ctx.err))?;
        ctx.out.write_all(shown.as_bytes())?;
        Ok(())
    }
}
