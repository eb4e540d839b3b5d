//! `lint`: examine charts for possible issues.

use helm::action::Lint;
use helm::chart::KubeVersion;
use helm::engine::gofmt;

use super::Context;
use super::values::ValuesFlags;

#[derive(Debug, clap::Args)]
pub struct LintArgs {
    /// PATH
    #[arg(value_name = "PATH")]
    paths: Vec<String>,
    /// fail on lint warnings
    #[arg(long)]
    strict: bool,
    /// lint dependent charts
    #[arg(long)]
    with_subcharts: bool,
    /// print only warnings and errors
    #[arg(long)]
    quiet: bool,
    /// if set, disables JSON schema validation
    #[arg(long)]
    skip_schema_validation: bool,
    /// Kubernetes version used for capabilities and deprecation checks
    #[arg(long)]
    kube_version: Option<String>,
    #[command(flatten)]
    values: ValuesFlags,
}

impl LintArgs {
    pub fn run(self, ctx: &mut Context<'_>) -> anyhow::Result<()> {
        if self.paths.is_empty() {
            anyhow::bail!(
                "\"helm lint\" requires at least 1 argument\n\nUsage:  helm lint PATH [flags]"
            );
        }
        let kube_version = self
            .kube_version
            .as_deref()
            .filter(|v| !v.is_empty())
            .map(|v| {
                KubeVersion::parse(v).map_err(|_| {
                    anyhow::anyhow!(
                        "invalid kube version '{v}': could not parse {} as version",
                        gofmt::quote(v)
                    )
                })
            })
            .transpose()?;
        let lint = Lint {
            strict: self.strict,
            quiet: self.quiet,
            with_subcharts: self.with_subcharts,
            values: self.values.into(),
            kube_version,
            skip_schema_validation: self.skip_schema_validation,
            namespace: ctx.settings.namespace(),
        };
        let report = lint.run(&self.paths)?;
        for line in &report.logs {
            writeln!(ctx.err, "{line}")?;
        }
        ctx.out.write_all(report.output.as_bytes())?;
        if report.failed {
            anyhow::bail!("{}", report.summary);
        }
        if report.print_summary {
            writeln!(ctx.out, "{}", report.summary)?;
        }
        Ok(())
    }
}
