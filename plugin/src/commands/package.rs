//! `package`: a chart directory into a versioned chart archive.

use std::io::Write;
use std::path::PathBuf;

use helm::action::Package;
use helm::log::WriteLog;

#[derive(Debug, clap::Args)]
pub struct PackageArgs {
    /// the chart directories to package
    #[arg(value_name = "CHART_PATH")]
    charts: Vec<PathBuf>,
    /// set the version on the chart to this semver version
    #[arg(long)]
    version: Option<String>,
    /// set the appVersion on the chart to this version
    #[arg(long)]
    app_version: Option<String>,
    /// location to write the chart.
    #[arg(short, long, default_value = ".")]
    destination: PathBuf,
    /// update dependencies from "Chart.yaml" to dir "charts/" before packaging
    #[arg(short = 'u', long)]
    dependency_update: bool,
}

impl PackageArgs {
    /// Packages each chart, the loader's warnings going to `err`.
    pub fn run(self, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
        if self.charts.is_empty() {
            anyhow::bail!("need at least one argument, the path to the chart");
        }
        let package = Package {
            version: self.version,
            app_version: self.app_version,
            destination: self.destination,
            dependency_update: self.dependency_update,
            source_date_epoch: std::env::var("SOURCE_DATE_EPOCH").ok(),
        };
        for chart in &self.charts {
            let saved = package.run(chart, &mut WriteLog(&mut *err))?;
            writeln!(
                out,
                "Successfully packaged chart and saved it to: {}",
                saved.display()
            )?;
        }
        Ok(())
    }
}
