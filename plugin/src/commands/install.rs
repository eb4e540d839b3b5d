//! `install`: install a chart. Without a cluster client yet, only the
//! client-side dry run (`--dry-run=client`) runs; it prints the release
//! Helm would create.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use helm::action::dependency;
use helm::action::deploy::Deploy;
use helm::action::install::{self, Install, InstallError, mark_dry_run, name_and_chart};
use helm::action::locate_chart;
use helm::action::prepare::{PrepareError, check_chart};
use helm::action::printer::{StatusTable, release_json, release_yaml};
use helm::action::waiting::ReleaseWait;
use helm::chart::{Capabilities, Chart, load};
use helm::engine::funcs::parse_duration;
use helm::engine::{Value, gofmt};
use helm::kube::resources::WriteMethod;
use helm::kube::status::strategy::Strategy;
use helm::log::{Level, Log, Record, WriteLog};

use super::Context;
use super::cluster::Connection;
use super::output::Format;
use super::values::ValuesFlags;

#[derive(Debug, clap::Args)]
pub struct InstallArgs {
    /// [NAME] CHART
    #[arg(required = true, num_args = 1.., value_name = "NAME] [CHART")]
    args: Vec<String>,
    #[command(flatten)]
    values: ValuesFlags,
    /// prints the output in the specified format. Allowed values: table, json, yaml
    #[arg(short = 'o', long, default_value = "table")]
    output: String,
    /// simulates the operation without persisting changes. Must be one of: "none" (default), "client", or "server"
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "unset")]
    dry_run: Option<String>,
    /// generate the name (and omit the NAME parameter)
    #[arg(short = 'g', long)]
    generate_name: bool,
    /// specify template used to name the release
    #[arg(long)]
    name_template: Option<String>,
    /// add a custom description
    #[arg(long)]
    description: Option<String>,
    /// Labels that would be added to release metadata. Should be divided by comma.
    #[arg(short = 'l', long, value_delimiter = ',')]
    labels: Vec<String>,
    /// if set, do not show notes in install output. Does not affect presence in chart metadata
    #[arg(long)]
    hide_notes: bool,
    /// hide Kubernetes Secrets when also using the --dry-run flag
    #[arg(long)]
    hide_secret: bool,
    /// prevent hooks from running during install
    #[arg(long)]
    no_hooks: bool,
    /// if set, no CRDs will be installed. By default, CRDs are installed if not already present
    #[arg(long)]
    skip_crds: bool,
    /// if set, disables JSON schema validation
    #[arg(long)]
    skip_schema_validation: bool,
    /// if set, render subchart notes along with the parent
    #[arg(long)]
    render_subchart_notes: bool,
    /// object updates run in the server instead of the client
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "true")]
    server_side: bool,
    /// update dependencies if they are missing before installing the chart
    #[arg(long)]
    dependency_update: bool,
    /// create the release namespace if not present
    #[arg(long)]
    create_namespace: bool,
    /// use development versions, too. Equivalent to version '>0.0.0-0'. If --version is set, this is ignored
    #[arg(long)]
    devel: bool,
    /// specify a version constraint for the chart version to use
    #[arg(long)]
    version: Option<String>,
    /// enable DNS lookups when rendering templates
    #[arg(long)]
    enable_dns: bool,
    #[command(flatten)]
    cluster: ClusterFlags,
}

/// Flags that only matter once an install reaches the cluster; a client
/// dry run accepts them, as Helm does, and they change nothing.
#[derive(Debug, clap::Args)]
struct ClusterFlags {
    /// time to wait for any individual Kubernetes operation (like Jobs for hooks)
    #[arg(long, default_value = "5m0s")]
    timeout: String,
    /// wait until resources are ready (up to --timeout): 'watcher', 'hookOnly' or 'legacy'
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "watcher")]
    wait: Option<String>,
    /// if set and --wait enabled, will wait until all Jobs have been completed before marking the release as successful
    #[arg(long)]
    wait_for_jobs: bool,
    /// if set, Helm will rollback (uninstall) the installation upon failure
    #[arg(long)]
    rollback_on_failure: bool,
    /// force resource updates by replacement
    #[arg(long)]
    force_replace: bool,
    /// if set server-side apply will force changes against conflicts
    #[arg(long)]
    force_conflicts: bool,
    /// if set, install will ignore the check for helm annotations and take ownership of the existing resources
    #[arg(long)]
    take_ownership: bool,
    /// reuse the given name, only if that name is a deleted release which remains in the history
    #[arg(long)]
    replace: bool,
    /// if set, the installation process will not validate rendered templates against the Kubernetes OpenAPI Schema
    #[arg(long)]
    disable_openapi_validation: bool,
}

/// What `--dry-run` asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DryRun {
    /// A real install.
    None,
    /// Render only, without a cluster.
    Client,
    /// Render with the cluster, write nothing.
    Server,
}

impl InstallArgs {
    pub fn run(self, ctx: &mut Context<'_>) -> anyhow::Result<()> {
        // Flag errors first, as pflag reports them before the command runs.
        let format = Format::parse(&self.output)?;
        let labels = self.parse_labels()?;
        let dry_run = self.dry_run_mode(ctx)?;
        self.install(ctx, dry_run, format, labels)
            .map_err(|e| anyhow::anyhow!("INSTALLATION FAILED: {e}"))
    }

    /// `--dry-run`, with Helm's warnings for its deprecated forms.
    fn dry_run_mode(&self, ctx: &mut Context<'_>) -> anyhow::Result<DryRun> {
        let (mode, warning) = match self.dry_run.as_deref() {
            None | Some("none") => (DryRun::None, None),
            Some("client") => (DryRun::Client, None),
            Some("server") => (DryRun::Server, None),
            Some("unset") => (
                DryRun::Client,
                Some("--dry-run is deprecated and should be replaced with '--dry-run=client'"),
            ),
            Some("true") => (
                DryRun::Client,
                Some(
                    "boolean '--dry-run=true' flag is deprecated and must be replaced with '--dry-run=client'",
                ),
            ),
            Some("false") => (
                DryRun::None,
                Some(
                    "boolean '--dry-run=false' flag is deprecated and must be replaced with '--dry-run=none'",
                ),
            ),
            Some(other) => anyhow::bail!(
                "invalid dry-run value ({}). Must be \"none\", \"server\", or \"client\"",
                gofmt::quote(other)
            ),
        };
        if let Some(warning) = warning {
            writeln!(ctx.err, "level=WARN msg={}", gofmt::quote(warning))?;
        }
        Ok(mode)
    }

    /// `--labels`, as pflag's `stringToString` reads them.
    fn parse_labels(&self) -> anyhow::Result<BTreeMap<String, String>> {
        let mut labels = BTreeMap::new();
        for label in &self.labels {
            let Some((key, value)) = label.split_once('=') else {
                anyhow::bail!(
                    "invalid argument {} for \"-l, --labels\" flag: {label} must be formatted as key=value",
                    gofmt::quote(&self.labels.join(","))
                );
            };
            labels.insert(key.to_string(), value.to_string());
        }
        Ok(labels)
    }

    fn install(
        mut self,
        ctx: &mut Context<'_>,
        dry_run: DryRun,
        format: Format,
        labels: BTreeMap<String, String>,
    ) -> anyhow::Result<()> {
        let now = install::now();
        let template = self.name_template.clone().unwrap_or_default();
        let (name, chart) = name_and_chart(&self.args, self.generate_name, &template, now)?;
        let debug = ctx.settings.debug;
        if debug {
            let version = self.version.as_deref().unwrap_or_default();
            debug_log(
                ctx,
                Record::new(Level::Debug, "Original chart version").attr("version", version),
            );
            if version.is_empty() && self.devel {
                debug_log(
                    ctx,
                    Record::new(Level::Debug, "setting version to >0.0.0-0"),
                );
            }
        }
        let path = locate_chart(&chart, &ctx.settings)?;
        if debug {
            let shown = absolute(&path);
            debug_log(
                ctx,
                Record::new(Level::Debug, "Chart path").attr("path", shown.display()),
            );
        }
        let user = helm::values::UserValues::from(std::mem::take(&mut self.values)).merge()?;
        let mut loaded = load(&path, &mut WriteLog(&mut *ctx.err))?;
        match check_chart(&loaded, &mut WriteLog(&mut *ctx.err)) {
            Err(PrepareError::MissingDependencies(_)) if self.dependency_update => {
                dependency::update_missing(
                    &path,
                    ctx.settings.debug,
                    ctx.out,
                    &mut WriteLog(&mut *ctx.err),
                )?;
                loaded = load(&path, &mut WriteLog(&mut *ctx.err))?;
            }
            other => other?,
        }
        if dry_run != DryRun::Client {
            return self.install_in_cluster(ctx, dry_run, format, labels, name, loaded, user, now);
        }
        let install = self.record_options(ctx, name, labels, true);
        let (mut release, prepared) = build_record(ctx, &install, loaded, user, now)?;
        if debug {
            log_dependency_counts(&prepared.chart, &mut WriteLog(&mut *ctx.err));
        }
        mark_dry_run(&mut release);
        let text = match format {
            Format::Json => release_json(&release),
            Format::Yaml => release_yaml(&release)?,
            Format::Table => {
                let table = StatusTable {
                    show_metadata: false,
                    hide_notes: self.hide_notes,
                    color: ctx.color,
                    computed_values: ctx
                        .settings
                        .debug
                        .then(|| Value::Map(prepared.values.clone())),
                };
                table.render(&release)?
            }
        };
        ctx.out.write_all(text.as_bytes())?;
        Ok(())
    }
}

/// Writes one of Helm's `--debug` records to stderr.
fn debug_log(ctx: &mut Context<'_>, record: Record) {
    WriteLog(&mut *ctx.err).log(record);
}

/// `path` made absolute and cleaned lexically (`.` and `..` resolved
/// without touching the file system), as Go's `filepath.Abs` gives it.
fn absolute(path: &Path) -> PathBuf {
    let joined = std::env::current_dir().unwrap_or_default().join(path);
    let mut clean = PathBuf::new();
    for part in joined.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                clean.pop();
            }
            other => clean.push(other),
        }
    }
    clean
}

/// What Helm's dependency processing logs at debug level: each chart that
/// remains, parent first, with how many subcharts it keeps. (Helm logs
/// them as it processes, between any warnings of coalescing; here they
/// follow the processing.)
fn log_dependency_counts(chart: &Chart, log: &mut dyn Log) {
    log.log(
        Record::new(Level::Debug, "number of dependencies in the chart")
            .attr("chart", chart.name())
            .attr("dependencies", chart.dependencies.len()),
    );
    for sub in &chart.dependencies {
        log_dependency_counts(sub, log);
    }
}

impl InstallArgs {
    /// The options of the record, for a release named `name`.
    fn record_options(
        &self,
        ctx: &Context<'_>,
        name: String,
        labels: BTreeMap<String, String>,
        dry_run: bool,
    ) -> Install {
        Install {
            release_name: name,
            namespace: ctx.settings.namespace(),
            description: self.description.clone().unwrap_or_default(),
            labels,
            server_side: self.server_side,
            skip_schema_validation: self.skip_schema_validation,
            hide_secret: self.hide_secret,
            dry_run,
            subchart_notes: self.render_subchart_notes,
        }
    }

    /// How the release waits (`--wait`, which `--rollback-on-failure`
    /// turns on), with the warning for a deprecated value.
    fn wait_strategy(&self, ctx: &mut Context<'_>) -> anyhow::Result<Strategy> {
        let strategy = match self.cluster.wait.as_deref() {
            None => Strategy::DEFAULT,
            Some(value) => {
                let (strategy, warning) = Strategy::parse(value)?;
                if let Some(warning) = warning {
                    writeln!(ctx.err, "level=WARN msg={}", gofmt::quote(&warning))?;
                }
                strategy
            }
        };
        if self.cluster.rollback_on_failure && strategy == Strategy::HookOnly {
            return Ok(Strategy::FLAG_ALONE);
        }
        Ok(strategy)
    }

    /// A real install, or `--dry-run=server`: the cluster is asked, the
    /// record stored and the objects written.
    #[allow(clippy::too_many_arguments)]
    fn install_in_cluster(
        &self,
        ctx: &mut Context<'_>,
        dry_run: DryRun,
        format: Format,
        labels: BTreeMap<String, String>,
        name: String,
        chart: helm::chart::Chart,
        user: helm::engine::value::Map,
        now: helm::release::Time,
    ) -> anyhow::Result<()> {
        let strategy = self.wait_strategy(ctx)?;
        let timeout = parse_timeout(&self.cluster.timeout)?;
        let cluster = Connection::open(ctx)
            .map_err(|e| anyhow::anyhow!("cluster reachability check failed: {e}"))?;
        let namespace = ctx.settings.namespace();
        let storage = cluster.storage(ctx, &namespace)?;
        let deploy = Deploy {
            method: if self.server_side {
                WriteMethod::ServerSide {
                    force: self.cluster.force_conflicts,
                }
            } else {
                WriteMethod::ClientSide
            },
            take_ownership: self.cluster.take_ownership,
            create_namespace: self.create_namespace,
            replace: self.cluster.replace,
            skip_crds: self.skip_crds,
            no_hooks: self.no_hooks,
            dry_run: dry_run == DryRun::Server,
            rollback_on_failure: self.cluster.rollback_on_failure,
            wait: ReleaseWait::from_strategy(strategy, self.cluster.wait_for_jobs),
            timeout,
        };
        let install = self.record_options(ctx, name, labels, dry_run == DryRun::Server);
        if let Err(e) = helm::action::template::validate_release_name(&install.release_name) {
            let e = InstallError::ReleaseName(match e {
                helm::action::TemplateError::ReleaseName(msg) => msg,
                other => other.to_string(),
            });
            log_failure(ctx, &e)?;
            return Err(e.into());
        }
        if !deploy.dry_run
            && let Err(e) = cluster
                .runtime
                .block_on(deploy.check_name(&storage, &install.release_name))
        {
            writeln!(
                ctx.err,
                "level=ERROR msg=\"release name check failed\" error={}",
                gofmt::quote(&e.to_string())
            )?;
            anyhow::bail!("release name check failed: {e}");
        }
        let crds: Vec<(String, String)> = chart
            .crd_files()
            .into_iter()
            .map(|(path, file)| (path, String::from_utf8_lossy(&file.data).into_owned()))
            .collect();
        cluster
            .runtime
            .block_on(deploy.install_crds(&cluster.kube, &crds))?;
        let (release, prepared) = build_record(ctx, &install, chart, user, now)?;
        let description = self.description.clone().unwrap_or_default();
        let release = cluster
            .runtime
            .block_on(deploy.run(&cluster.kube, &storage, release, &description))
            .map_err(|(_, e)| e)?;
        self.print(ctx, format, &release, &prepared)
    }

    /// The installed release, as `-o` asks.
    fn print(
        &self,
        ctx: &mut Context<'_>,
        format: Format,
        release: &helm::release::Release,
        prepared: &helm::action::Prepared,
    ) -> anyhow::Result<()> {
        let text = match format {
            Format::Json => release_json(release),
            Format::Yaml => release_yaml(release)?,
            Format::Table => {
                let table = StatusTable {
                    show_metadata: false,
                    hide_notes: self.hide_notes,
                    color: ctx.color,
                    computed_values: ctx
                        .settings
                        .debug
                        .then(|| Value::Map(prepared.values.clone())),
                };
                table.render(release)?
            }
        };
        ctx.out.write_all(text.as_bytes())?;
        Ok(())
    }
}

/// `--timeout`, a Go duration; a negative one waits not at all.
pub fn parse_timeout(value: &str) -> anyhow::Result<Duration> {
    let nanos = parse_duration(value).map_err(|e| {
        anyhow::anyhow!(
            "invalid argument {} for \"--timeout\" flag: {e}",
            gofmt::quote(value)
        )
    })?;
    Ok(Duration::from_nanos(u64::try_from(nanos).unwrap_or(0)))
}

/// Helm logs some failures at error level before returning them.
/// The release record `install` describes, with Helm's log line for a
/// failure.
fn build_record(
    ctx: &mut Context<'_>,
    install: &Install,
    chart: Chart,
    user: helm::engine::value::Map,
    now: helm::release::Time,
) -> anyhow::Result<(helm::release::Release, helm::action::Prepared)> {
    match install.build(
        chart,
        user,
        Capabilities::default(),
        now,
        &mut WriteLog(&mut *ctx.err),
    ) {
        Ok(built) => Ok(built),
        Err(e) => {
            log_failure(ctx, &e)?;
            Err(e.into())
        }
    }
}

fn log_failure(ctx: &mut Context<'_>, e: &InstallError) -> std::io::Result<()> {
    match e {
        InstallError::ReleaseName(detail) => writeln!(
            ctx.err,
            "level=ERROR msg=\"release name check failed\" error={}",
            gofmt::quote(detail)
        ),
        InstallError::Prepare(PrepareError::Dependencies(cause)) => writeln!(
            ctx.err,
            "level=ERROR msg=\"chart dependencies processing failed\" error={}",
            gofmt::quote(&cause.to_string())
        ),
        InstallError::HideSecretNeedsDryRun => writeln!(
            ctx.err,
            "level=ERROR msg=\"hiding Kubernetes secrets requires a dry-run mode\""
        ),
        _ => Ok(()),
    }
}
