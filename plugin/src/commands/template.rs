//! `template`: render a chart locally and print the manifests.

use std::io::Write;
use std::path::PathBuf;

use helm::action::Template;
use helm::chart::KubeVersion;
use helm::values::UserValues;

use super::GlobalFlags;

#[derive(Debug, clap::Args)]
pub struct TemplateArgs {
    /// [NAME] CHART
    #[arg(required = true, num_args = 1..=2, value_name = "NAME] [CHART")]
    args: Vec<String>,
    /// specify values in a YAML file (can specify multiple)
    #[arg(short = 'f', long = "values")]
    values: Vec<String>,
    /// set values on the command line (can specify multiple or separate values with commas: key1=val1,key2=val2)
    #[arg(long)]
    set: Vec<String>,
    /// set STRING values on the command line (can specify multiple or separate values with commas: key1=val1,key2=val2)
    #[arg(long)]
    set_string: Vec<String>,
    /// only show manifests rendered from the given templates
    #[arg(short = 's', long)]
    show_only: Vec<String>,
    /// include CRDs in the templated output
    #[arg(long)]
    include_crds: bool,
    /// skip tests from templated output
    #[arg(long)]
    skip_tests: bool,
    /// prevent hooks from running during install
    #[arg(long)]
    no_hooks: bool,
    /// set .Release.IsUpgrade instead of .Release.IsInstall
    #[arg(long)]
    is_upgrade: bool,
    /// Kubernetes version used for Capabilities.KubeVersion
    #[arg(long)]
    kube_version: Option<String>,
    /// Kubernetes api versions used for Capabilities.APIVersions (multiple can be specified)
    #[arg(short = 'a', long, value_delimiter = ',')]
    api_versions: Vec<String>,
    /// if set, disables JSON schema validation
    #[arg(long)]
    skip_schema_validation: bool,
}

impl TemplateArgs {
    pub fn run(self, global: &GlobalFlags, out: &mut dyn Write) -> anyhow::Result<()> {
        let (name, chart) = match self.args.as_slice() {
            [chart] => ("release-name".to_string(), chart.clone()),
            [name, chart] => (name.clone(), chart.clone()),
            _ => anyhow::bail!(
                "expected at most two arguments, unexpected arguments: {}",
                self.args[2..].join(", ")
            ),
        };
        let kube_version = self
            .kube_version
            .as_deref()
            .map(|v| {
                KubeVersion::parse(v)
                    .map_err(|e| anyhow::anyhow!("invalid kube version '{v}': {e}"))
            })
            .transpose()?;
        let template = Template {
            release_name: name,
            namespace: global.namespace.clone().unwrap_or_else(|| "default".into()),
            chart: PathBuf::from(chart),
            values: UserValues {
                files: self.values,
                set: self.set,
                set_string: self.set_string,
            },
            kube_version,
            api_versions: self.api_versions,
            include_crds: self.include_crds,
            skip_tests: self.skip_tests,
            no_hooks: self.no_hooks,
            is_upgrade: self.is_upgrade,
            show_only: self.show_only,
            skip_schema_validation: self.skip_schema_validation,
        };
        out.write_all(template.run()?.as_bytes())?;
        Ok(())
    }
}
