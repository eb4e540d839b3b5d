//! `lint`: examine charts for possible issues.

use helm::action::Lint;
use helm::chart::KubeVersion;
use helm::engine::gofmt;
use helm::values::UserValues;

use super::Context;

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
    /// specify values in a YAML file or a URL (can specify multiple)
    #[arg(short = 'f', long = "values", value_delimiter = ',')]
    values: Vec<String>,
    /// set values on the command line (can specify multiple or separate values with commas: key1=val1,key2=val2)
    #[arg(long)]
    set: Vec<String>,
    /// set STRING values on the command line (can specify multiple or separate values with commas: key1=val1,key2=val2)
    #[arg(long)]
    set_string: Vec<String>,
    /// set JSON values on the command line (can specify multiple or separate values with commas: key1=jsonval1,key2=jsonval2 or using json format: {"key1": jsonval1, "key2": "jsonval2"})
    #[arg(long)]
    set_json: Vec<String>,
    /// set values from respective files specified via the command line (can specify multiple or separate values with commas: key1=path1,key2=path2)
    #[arg(long)]
    set_file: Vec<String>,
    /// set a literal STRING value on the command line
    #[arg(long)]
    set_literal: Vec<String>,
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
            values: UserValues {
                files: self.values,
                set_json: self.set_json,
                set: self.set,
                set_string: self.set_string,
                set_file: self.set_file,
                set_literal: self.set_literal,
            },
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
