//! `get`: what a release holds (values, manifest, hooks, notes, all).

use std::collections::BTreeMap;

use helm::action::get;
use helm::kube::Kube;
use helm::release::Release;
use helm::storage::{filter_system_labels, object_name, release_labels};

use super::Context;
use super::cluster::Connection;
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
    /// This command fetches metadata for a given release
    Metadata(MetadataArgs),
}

#[derive(Debug, clap::Args)]
struct MetadataArgs {
    #[command(flatten)]
    release: Named,
    /// prints the output in the specified format. Allowed values: table, json, yaml
    #[arg(short, long, value_parser = Format::parse, default_value = "table")]
    output: Format,
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
            What::Metadata(m) => &m.release,
        };
        let cluster = Connection::open(ctx)?;
        let storage = cluster.storage(ctx, &ctx.settings.namespace())?;
        let (release, labels) = cluster.runtime.block_on(async {
            let release = pick(&storage, &named.name, named.revision).await?;
            // Only `metadata` shows the stored object's labels.
            let labels = match self.what {
                What::Metadata(_) => stored_labels(&cluster.kube, ctx, &release).await?,
                _ => BTreeMap::new(),
            };
            anyhow::Ok((release, labels))
        })?;
        let text = match &self.what {
            What::All(_) => get::all(&release)?,
            What::Hooks(_) => get::hooks(&release),
            What::Manifest(_) => get::manifest(&release),
            What::Notes(_) => get::notes(&release),
            What::Values(v) => values(&release, v)?,
            What::Metadata(m) => {
                // Helm 4.3.1 shows the stored object's labels for the last
                // revision (read by label query) but the release's own for
                // `--revision N` (read by key), as measured.
                let labels = if m.release.revision > 0 {
                    filter_system_labels(&labels)
                } else {
                    labels
                };
                let metadata = get::ReleaseMetadata::new(&release, &labels);
                match m.output {
                    Format::Table => metadata.table(),
                    Format::Json => metadata.json(),
                    Format::Yaml => metadata.yaml()?,
                }
            }
        };
        ctx.out.write_all(text.as_bytes())?;
        Ok(())
    }
}

/// The labels of the Secret or ConfigMap holding `release` (Helm's
/// stamps among them); the labels Helm would write, for drivers that keep
/// no object.
async fn stored_labels(
    kube: &Kube,
    ctx: &Context<'_>,
    release: &Release,
) -> anyhow::Result<BTreeMap<String, String>> {
    let kind = match ctx.env.var("HELM_DRIVER").unwrap_or_default().as_str() {
        "" | "secret" | "secrets" => "Secret",
        "configmap" | "configmaps" => "ConfigMap",
        _ => return Ok(release_labels(release, None)),
    };
    let resource = kube.resource("v1", kind).await?;
    let key = object_name(&release.name, release.version);
    let object = kube.get(&resource, &release.namespace, &key).await?;
    Ok(object["metadata"]["labels"]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
        .collect())
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
