//! `get`: what a release holds (values, manifest, hooks, notes, all).

use helm::action::get;
use helm::release::Release;

use super::Context;
use super::cluster::Cluster;
use super::output::Format;
use super::status::pick;

#[derive(Debug, clap::Args)]
pub struct GetArgs {
    #[command(subcommand)]
    what: What,
}

#[derive(Debug, clap::Subcommand)]
enum What {
    /// download all information for a named release
    All(Named),
    /// download all hooks for a named release
    Hooks(Named),
    /// download the manifest for a named release
    Manifest(Named),
    /// download the notes for a named release
    Notes(Named),
    /// download the values file for a named release
    Values(ValuesArgs),
}

/// A release and a revision.
#[derive(Debug, clap::Args)]
struct Named {
    #[arg(value_name = "RELEASE_NAME")]
    name: String,
    /// get the named release with revision
    #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
    revision: i64,
}

#[derive(Debug, clap::Args)]
struct ValuesArgs {
    #[command(flatten)]
    release: Named,
    /// dump all (computed) values
    #[arg(short, long)]
    all: bool,
    /// prints the output in the specified format. Allowed values: table, json, yaml
    #[arg(short, long, value_parser = Format::parse, default_value = "table")]
    output: Format,
}

impl GetArgs {
    pub fn run(self, ctx: &mut Context<'_>) -> anyhow::Result<()> {
        let named = match &self.what {
            What::All(n) | What::Hooks(n) | What::Manifest(n) | What::Notes(n) => n,
            What::Values(v) => &v.release,
        };
        let cluster = Cluster::connect(ctx)?;
        let storage = cluster.storage(ctx, &ctx.settings.namespace())?;
        let release = cluster
            .runtime
            .block_on(pick(&storage, &named.name, named.revision))?;
        let text = match &self.what {
            What::All(_) => get::all(&release)?,
            What::Hooks(_) => get::hooks(&release),
            What::Manifest(_) => get::manifest(&release),
            What::Notes(_) => get::notes(&release),
            What::Values(v) => values(&release, v)?,
        };
        ctx.out.write_all(text.as_bytes())?;
        Ok(())
    }
}

fn values(release: &Release, args: &ValuesArgs) -> anyhow::Result<String> {
    let values = if args.all {
        get::computed_values(release)?
    } else {
        get::user_values(release)?
    };
    Ok(match args.output {
        Format::Table => get::values_table(&values, args.all)?,
        Format::Json => get::values_json(&values)?,
        Format::Yaml => get::values_yaml(&values)?,
    })
}
