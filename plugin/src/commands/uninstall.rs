//! `uninstall`: remove releases from the cluster, as Helm prints it.

use helm::action::uninstall::Uninstall;
use helm::engine::gofmt;
use helm::kube::resources::Cascade;
use helm::kube::status::strategy::Strategy;

use super::Context;
use super::cluster::Connection;
use super::install::parse_timeout;

#[derive(Debug, clap::Args)]
pub struct UninstallArgs {
    /// RELEASE_NAME [...]
    #[arg(required = true, num_args = 1.., value_name = "RELEASE_NAME")]
    names: Vec<String>,
    /// Must be "background", "orphan", or "foreground". Selects the deletion cascading strategy for the dependents. Defaults to background.
    #[arg(long, default_value = "background")]
    cascade: String,
    /// add a custom description
    #[arg(long, default_value = "")]
    description: String,
    /// treat "release not found" as a successful uninstall
    #[arg(long)]
    ignore_not_found: bool,
    /// remove all associated resources and mark the release as deleted, but retain the release history
    #[arg(long)]
    keep_history: bool,
    /// simulate a uninstall
    #[arg(long)]
    dry_run: bool,
    /// prevent hooks from running during uninstallation
    #[arg(long)]
    no_hooks: bool,
    /// time to wait for any individual Kubernetes operation (like Jobs for hooks)
    #[arg(long, default_value = "5m0s")]
    timeout: String,
    /// wait until resources are deleted (up to --timeout): 'watcher', 'hookOnly' or 'legacy'
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "watcher")]
    wait: Option<String>,
}

impl UninstallArgs {
    pub fn run(self, ctx: &mut Context<'_>) -> anyhow::Result<()> {
        let strategy = match self.wait.as_deref() {
            None => Strategy::DEFAULT,
            Some(value) => {
                let (strategy, warning) = Strategy::parse(value)?;
                if let Some(warning) = warning {
                    writeln!(ctx.err, "level=WARN msg={}", gofmt::quote(&warning))?;
                }
                strategy
            }
        };
        if !matches!(
            self.cascade.as_str(),
            "background" | "foreground" | "orphan"
        ) {
            anyhow::bail!(
                "invalid cascade value ({}). Must be \"background\", \"foreground\", or \"orphan\"",
                self.cascade
            );
        }
        let uninstall = Uninstall {
            keep_history: self.keep_history,
            no_hooks: self.no_hooks,
            cascade: Cascade::parse(&self.cascade),
            wait: strategy.waits_for_release(),
            timeout: parse_timeout(&self.timeout)?,
            description: self.description.clone(),
            ignore_not_found: self.ignore_not_found,
            dry_run: self.dry_run,
        };
        let cluster = Connection::open(ctx)?;
        let storage = cluster.storage(ctx, &ctx.settings.namespace())?;
        for name in &self.names {
            let done = cluster
                .runtime
                .block_on(uninstall.run(&cluster.kube, &storage, name))?;
            if !done.info.is_empty() {
                writeln!(ctx.out, "{}", done.info)?;
            }
            writeln!(ctx.out, "release \"{name}\" uninstalled")?;
        }
        Ok(())
    }
}
