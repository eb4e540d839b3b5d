//! `policy check`: the webhook's ChartPolicy verdict on an install, before
//! installing. The release record is built as `install` builds it (same
//! name rules, values, dependency checks and rendering), then judged with
//! [`helm::policy::judge_release`] against the policies of `--policy`
//! files, the cluster's ChartPolicies, or both.

use std::fmt::Write as _;
use std::io::Read as _;

use helm::action::install::{self, Install, name_and_chart};
use helm::action::locate_chart;
use helm::action::prepare::check_chart;
use helm::chart::{Capabilities, load};
use helm::kube::KubeError;
use helm::log::WriteLog;
use helm::policy::{Judgement, Mode, Policy, Requester, Subject, chart_source, judge_release};
use helm::release::Release;

use super::Context;
use super::cluster::Connection;
use super::values::ValuesFlags;

/// The largest policy file read; ChartPolicies are a few kilobytes.
const MAX_POLICY_FILE: u64 = 4 * 1024 * 1024;

#[derive(Debug, clap::Args)]
pub struct PolicyArgs {
    #[command(subcommand)]
    command: PolicyCommand,
}

#[derive(Debug, clap::Subcommand)]
enum PolicyCommand {
    /// judge an install of a chart against ChartPolicies, as the webhook would
    Check(Box<CheckArgs>),
}

impl PolicyArgs {
    pub fn run(self, ctx: &mut Context<'_>) -> anyhow::Result<()> {
        match self.command {
            PolicyCommand::Check(args) => args.run(ctx),
        }
    }
}

/// `policy check [NAME] CHART`. Policies come from `--policy` (not `-f`,
/// which gives values as in `install`); with none, from the cluster.
#[derive(Debug, clap::Args)]
struct CheckArgs {
    /// [NAME] CHART
    #[arg(required = true, num_args = 1.., value_name = "NAME] [CHART")]
    args: Vec<String>,
    /// a file of ChartPolicy objects (YAML, documents separated by ---; can specify multiple)
    #[arg(long = "policy", value_name = "FILE")]
    policies: Vec<String>,
    /// judge against the cluster's ChartPolicies too (the default when no --policy is given)
    #[arg(long)]
    from_cluster: bool,
    #[command(flatten)]
    values: ValuesFlags,
    /// generate the name (and omit the NAME parameter)
    #[arg(short = 'g', long)]
    generate_name: bool,
    /// specify template used to name the release
    #[arg(long)]
    name_template: Option<String>,
    /// if set, disables JSON schema validation
    #[arg(long)]
    skip_schema_validation: bool,
    /// if set, render subchart notes along with the parent
    #[arg(long)]
    render_subchart_notes: bool,
    /// prints the verdict in the specified format
    #[arg(short = 'o', long, value_enum, default_value = "text")]
    output: OutputFormat,
}

/// How the verdict is printed.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum OutputFormat {
    /// One line per violation, then a summary line.
    Text,
    /// One JSON object, for scripts and CI.
    Json,
}

impl CheckArgs {
    fn run(self, ctx: &mut Context<'_>) -> anyhow::Result<()> {
        let mut policies = Vec::new();
        for file in &self.policies {
            policies.extend(read_policy_file(file)?);
        }
        let (name, chart) = name_and_chart(
            &self.args,
            self.generate_name,
            self.name_template.as_deref().unwrap_or_default(),
            install::now(),
        )?;
        let from_cluster = self.from_cluster || self.policies.is_empty();
        let output = self.output;
        let release = self.build_release(ctx, name, &chart)?;
        if from_cluster {
            policies.extend(cluster_policies(ctx)?);
        }
        let source = chart_source(&chart);
        let groups = dedup(&ctx.settings.kube_as_groups);
        let requester = Requester {
            user: &ctx.settings.kube_as_user,
            groups: &groups,
        };
        let subject = Subject {
            release: &release,
            source: Some(&source),
            signer: None,
        };
        let judgement = judge_release(&policies, &subject, &requester)?;
        let text = match output {
            OutputFormat::Text => report(&release, &source, policies.len(), &judgement),
            OutputFormat::Json => report_json(&release, &source, policies.len(), &judgement),
        };
        ctx.out.write_all(text.as_bytes())?;
        if !judgement.allowed() {
            let count = judgement.with_mode(Mode::Enforce).count();
            anyhow::bail!(
                "the install would be denied: {count} enforced ChartPolicy rule(s) broken"
            );
        }
        Ok(())
    }

    /// The record `install` would write, in its `pending-install` state,
    /// rendered with the default capabilities as a client-side dry run.
    fn build_release(
        self,
        ctx: &mut Context<'_>,
        name: String,
        chart: &str,
    ) -> anyhow::Result<Release> {
        let path = locate_chart(chart, &ctx.settings)?;
        let user = helm::values::UserValues::from(self.values).merge()?;
        let loaded = load(&path, &mut WriteLog(&mut *ctx.err))?;
        check_chart(&loaded, &mut WriteLog(&mut *ctx.err))?;
        let install = Install {
            release_name: name,
            namespace: ctx.settings.namespace(),
            skip_schema_validation: self.skip_schema_validation,
            subchart_notes: self.render_subchart_notes,
            ..Install::default()
        };
        let (release, _) = install.build(
            loaded,
            user,
            Capabilities::default(),
            install::now(),
            &mut WriteLog(&mut *ctx.err),
        )?;
        Ok(release)
    }
}

/// The ChartPolicies of one file, at most [`MAX_POLICY_FILE`] bytes.
fn read_policy_file(file: &str) -> anyhow::Result<Vec<Policy>> {
    let mut text = String::new();
    std::fs::File::open(file)
        .and_then(|f| f.take(MAX_POLICY_FILE + 1).read_to_string(&mut text))
        .map_err(|e| anyhow::anyhow!("reading policy file {file}: {e}"))?;
    if text.len() as u64 > MAX_POLICY_FILE {
        anyhow::bail!("policy file {file} is larger than {MAX_POLICY_FILE} bytes");
    }
    Policy::from_yaml(&text).map_err(|e| anyhow::anyhow!("policy file {file}: {e}"))
}

/// Every ChartPolicy of the cluster; none when the cluster does not serve
/// the resource (the CRD is not installed).
fn cluster_policies(ctx: &Context<'_>) -> anyhow::Result<Vec<Policy>> {
    let cluster = Connection::open(ctx).map_err(|e| {
        anyhow::anyhow!("{e} (give ChartPolicies with --policy FILE to check without a cluster)")
    })?;
    let objects = cluster.runtime.block_on(async {
        let resource = match cluster
            .kube
            .resource(helm::policy::spec::API_VERSION, helm::policy::spec::KIND)
            .await
        {
            Ok(resource) => resource,
            Err(KubeError::NoMatch { .. }) => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        cluster.kube.list(&resource, "", "").await
    })?;
    objects
        .iter()
        .map(|object| {
            Policy::from_object(object)
                .map_err(|e| anyhow::anyhow!("the cluster's ChartPolicies: {e}"))
        })
        .collect()
}

fn dedup(groups: &[String]) -> Vec<String> {
    let mut seen = Vec::new();
    for group in groups {
        if !seen.contains(group) {
            seen.push(group.clone());
        }
    }
    seen
}

/// What is printed: one line per violation, then the verdict.
fn report(release: &Release, source: &str, policies: usize, judgement: &Judgement) -> String {
    let mut text = String::new();
    for v in &judgement.violations {
        let _ = writeln!(
            text,
            "[{}] ChartPolicy {} rule {}: {}",
            v.mode.as_str(),
            v.policy,
            v.rule.as_str(),
            v.message
        );
    }
    let count = |mode| judgement.with_mode(mode).count();
    let _ = writeln!(
        text,
        "{}: release {} in namespace {} from {source}, {policies} {}: {} enforce, {} warn, {} audit",
        if judgement.allowed() {
            "ALLOWED"
        } else {
            "DENIED"
        },
        release.name,
        release.namespace,
        if policies == 1 {
            "ChartPolicy"
        } else {
            "ChartPolicies"
        },
        count(Mode::Enforce),
        count(Mode::Warn),
        count(Mode::Audit),
    );
    text
}

/// The verdict as one JSON object: the release, the source, how many
/// policies judged it, whether it is allowed, and every violation.
fn report_json(release: &Release, source: &str, policies: usize, judgement: &Judgement) -> String {
    let violations: Vec<serde_json::Value> = judgement
        .violations
        .iter()
        .map(|v| {
            serde_json::json!({
                "policy": v.policy,
                "rule": v.rule.as_str(),
                "mode": v.mode.as_str(),
                "message": v.message,
            })
        })
        .collect();
    let verdict = serde_json::json!({
        "release": release.name,
        "namespace": release.namespace,
        "source": source,
        "policies": policies,
        "allowed": judgement.allowed(),
        "violations": violations,
    });
    format!("{verdict}\n")
}
