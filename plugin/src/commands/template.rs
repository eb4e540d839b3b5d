//! `template`: render a chart locally and print the manifests.

use helm::action::dependency;
use helm::action::template::render_name_template;
use helm::action::{Template, locate_chart};
use helm::chart::KubeVersion;
use helm::log::WriteLog;

use super::Context;
use super::values::ValuesFlags;

/// The name `template` gives a release when none is given.
const DEFAULT_RELEASE_NAME: &str = "release-name";

#[derive(Debug, clap::Args)]
pub struct TemplateArgs {
    /// [NAME] CHART
    #[arg(required = true, num_args = 1.., value_name = "NAME] [CHART")]
    args: Vec<String>,
    #[command(flatten)]
    values: ValuesFlags,
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
    /// generate the name (and omit the NAME parameter)
    #[arg(short = 'g', long)]
    generate_name: bool,
    /// specify template used to name the release
    #[arg(long)]
    name_template: Option<String>,
    /// writes the executed templates to files in output-dir instead of stdout
    #[arg(long)]
    output_dir: Option<String>,
    /// use release name in the output-dir path.
    #[arg(long)]
    release_name: bool,
    /// the name of a postrenderer type plugin to be used for post rendering. If it exists, the plugin will be used
    #[arg(long)]
    post_renderer: Option<String>,
    /// an argument to the post-renderer (can specify multiple)
    #[arg(long, allow_hyphen_values = true)]
    post_renderer_args: Vec<String>,
    /// update dependencies if they are missing before installing the chart
    #[arg(long)]
    dependency_update: bool,
    /// simulates the operation either client-side or server-side. Must be either: "client", or "server"
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "unset")]
    dry_run: Option<String>,
    /// add a custom description
    #[arg(long)]
    description: Option<String>,
    /// Labels that would be added to release metadata. Should be divided by comma.
    #[arg(short = 'l', long, value_delimiter = ',')]
    labels: Vec<String>,
    /// use development versions, too. Equivalent to version '>0.0.0-0'. If --version is set, this is ignored
    #[arg(long)]
    devel: bool,
    /// specify a version constraint for the chart version to use (charts from repositories only)
    #[arg(long)]
    version: Option<String>,
}

impl TemplateArgs {
    pub fn run(self, ctx: &mut Context<'_>) -> anyhow::Result<()> {
        if let Some(plugin) = &self.post_renderer {
            anyhow::bail!(
                "invalid argument {plugin:?} for \"--post-renderer\" flag: plugin: \
                 {{Name:{plugin} Type:postrenderer/v1}} not found"
            );
        }
        match self.dry_run.as_deref() {
            None | Some("client" | "unset" | "true" | "false" | "") => {}
            // Helm checks the cluster first, which we cannot reach offline.
            Some("server") => anyhow::bail!(
                "cluster reachability check failed: --dry-run=server needs a Kubernetes cluster"
            ),
            Some(mode) => anyhow::bail!(
                "invalid dry-run value ({mode}). Must be \"none\", \"server\", or \"client\""
            ),
        }
        for label in &self.labels {
            if !label.contains('=') {
                anyhow::bail!(
                    "invalid argument {:?} for \"-l, --labels\" flag: {label} must be formatted as key=value",
                    self.labels.join(",")
                );
            }
        }
        let (name, chart) = self.name_and_chart()?;
        let name = match name {
            Some(name) => name,
            None => match self.name_template.as_deref() {
                Some(t) if !t.is_empty() => render_name_template(t)?,
                _ => DEFAULT_RELEASE_NAME.to_string(),
            },
        };
        let kube_version = self
            .kube_version
            .as_deref()
            .map(|v| {
                KubeVersion::parse(v)
                    .map_err(|e| anyhow::anyhow!("invalid kube version '{v}': {e}"))
            })
            .transpose()?;
        let chart = locate_chart(&chart, &ctx.settings)?;
        if self.dependency_update {
            dependency::update_missing(
                &chart,
                ctx.settings.debug,
                ctx.out,
                &mut WriteLog(&mut *ctx.err),
            )?;
        }
        let template = Template {
            release_name: name,
            namespace: ctx.settings.namespace(),
            chart,
            values: self.values.into(),
            kube_version,
            api_versions: self.api_versions,
            include_crds: self.include_crds,
            skip_tests: self.skip_tests,
            no_hooks: self.no_hooks,
            is_upgrade: self.is_upgrade,
            show_only: self.show_only,
            skip_schema_validation: self.skip_schema_validation,
            output_dir: self.output_dir,
            use_release_name: self.release_name,
        };
        let output = template.run(&mut WriteLog(&mut *ctx.err))?;
        ctx.out.write_all(output.as_bytes())?;
        Ok(())
    }

    /// The release name given on the command line (if any) and the chart,
    /// with Helm's checks. `template` always has a name: `--generate-name`
    /// alone changes nothing, as in Helm.
    fn name_and_chart(&self) -> anyhow::Result<(Option<String>, String)> {
        match self.args.as_slice() {
            [chart] => Ok((None, chart.clone())),
            [name, chart] => {
                if self.generate_name {
                    anyhow::bail!("cannot set --generate-name and also specify a name");
                }
                if self.name_template.as_deref().is_some_and(|t| !t.is_empty()) {
                    anyhow::bail!("cannot set --name-template and also specify a name");
                }
                Ok((Some(name.clone()), chart.clone()))
            }
            more => anyhow::bail!(
                "expected at most two arguments, unexpected arguments: {}",
                more[2..].join(", ")
            ),
        }
    }
}
