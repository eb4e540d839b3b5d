//! `status`: a release's status block, or its record as JSON or YAML.

use helm::action::printer::{StatusTable, release_json, release_yaml};
use helm::action::status::live_resources;
use helm::release::Release;
use helm::storage::{AnyDriver, Storage};

use super::Context;
use super::cluster::Connection;
use super::output::Format;

#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    #[arg(value_name = "RELEASE_NAME")]
    name: String,
    /// prints the output in the specified format. Allowed values: table, json, yaml
    #[arg(short, long, value_parser = Format::parse, default_value = "table")]
    output: Format,
    /// if set, display the status of the named release with revision
    #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
    revision: i64,
}

/// The revision `revision` of `name`, or its last when `revision` is not
/// positive, as Helm's `status` and `get` pick it.
pub async fn pick(
    storage: &Storage<AnyDriver>,
    name: &str,
    revision: i64,
) -> Result<Release, helm::storage::StorageError> {
    if revision > 0 {
        storage.get(name, revision).await
    } else {
        storage.last(name).await
    }
}

impl StatusArgs {
    pub fn run(self, ctx: &mut Context<'_>) -> anyhow::Result<()> {
        let cluster = Connection::open(ctx)?;
        let storage = cluster.storage(ctx, &ctx.settings.namespace())?;
        let mut release = cluster.runtime.block_on(async {
            let mut release = pick(&storage, &self.name, self.revision).await?;
            let resources = live_resources(&cluster.kube, &release).await?;
            release.info.get_or_insert_with(Default::default).resources = Some(resources);
            anyhow::Ok(release)
        })?;
        // Helm leaves the chart out of what `status` prints.
        release.chart = None;
        let text = match self.output {
            Format::Json => release_json(&release),
            Format::Yaml => release_yaml(&release)?,
            Format::Table => StatusTable {
                color: ctx.color,
                ..StatusTable::default()
            }
            .render(&release)?,
        };
        ctx.out.write_all(text.as_bytes())?;
        Ok(())
    }
}
