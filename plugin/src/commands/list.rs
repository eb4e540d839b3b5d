//! `list`: the releases of a namespace (or of all), as Helm prints them.

use helm::action::{List, Sort, States};
use helm::engine::value::{Map, MapKind, Value};
use helm::release::Release;

use super::Context;
use super::cluster::{Cluster, Reach};
use super::output::{
    Format, go_time, header, json_string, local_location, namespace, status, table, yaml_text,
};

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// list releases across all namespaces
    #[arg(short = 'A', long)]
    all_namespaces: bool,
    /// sort by release date
    #[arg(short, long)]
    date: bool,
    /// show deployed releases
    #[arg(long)]
    deployed: bool,
    /// show failed releases
    #[arg(long)]
    failed: bool,
    /// a regular expression (Perl compatible). Any releases that match the expression will be included in the results
    #[arg(short, long, default_value = "")]
    filter: String,
    /// maximum number of releases to fetch
    #[arg(short, long, default_value_t = 256, allow_negative_numbers = true)]
    max: i64,
    /// don't print headers when using the default output format
    #[arg(long)]
    no_headers: bool,
    /// next release index in the list, used to offset from start value
    #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
    offset: i64,
    /// prints the output in the specified format. Allowed values: table, json, yaml
    #[arg(short, long, value_parser = Format::parse, default_value = "table")]
    output: Format,
    /// show pending releases
    #[arg(long)]
    pending: bool,
    /// reverse the sort order
    #[arg(short, long)]
    reverse: bool,
    /// Selector (label query) to filter on, supports '=', '==', and '!='.(e.g. -l key1=value1,key2=value2). Works only for secret(default) and configmap storage backends.
    #[arg(short = 'l', long, default_value = "")]
    selector: String,
    /// output short (quiet) listing format
    #[arg(short = 'q', long)]
    short: bool,
    /// show superseded releases
    #[arg(long)]
    superseded: bool,
    /// format time using golang time formatter. Example: --time-format "2006-01-02 15:04:05Z0700"
    #[arg(long, default_value = "")]
    time_format: String,
    /// show uninstalled releases (if 'helm uninstall --keep-history' was used)
    #[arg(long)]
    uninstalled: bool,
    /// show releases that are currently being uninstalled
    #[arg(long)]
    uninstalling: bool,
}

impl ListArgs {
    fn action(&self) -> List {
        let states = States {
            deployed: self.deployed,
            uninstalled: self.uninstalled,
            uninstalling: self.uninstalling,
            pending: self.pending,
            superseded: self.superseded,
            failed: self.failed,
        };
        List {
            states,
            filter: self.filter.clone(),
            selector: self.selector.clone(),
            sort: Sort::from_flags(self.date, self.reverse),
            // A negative `--max` lists everything, as 0 does.
            limit: usize::try_from(self.max).unwrap_or(0),
            offset: usize::try_from(self.offset).unwrap_or(0),
        }
    }

    pub fn run(self, ctx: &mut Context<'_>) -> anyhow::Result<()> {
        let (namespace, reach) = if self.all_namespaces {
            (String::new(), Reach::Always)
        } else {
            (ctx.settings.namespace(), Reach::UnlessMemory)
        };
        let cluster = Cluster::open(ctx, &namespace, reach)?;
        let releases = cluster
            .runtime
            .block_on(self.action().run(&cluster.storage))?;
        let text = if self.short {
            short(&releases, self.output)?.into_bytes()
        } else {
            let rows: Vec<Row> = releases
                .iter()
                .map(|r| Row::new(r, &self.time_format, ctx))
                .collect();
            match self.output {
                Format::Table => list_table(&rows, self.no_headers, ctx.color),
                Format::Json => list_json(&rows).into_bytes(),
                Format::Yaml => yaml_text(&list_value(&rows))?.into_bytes(),
            }
        };
        ctx.out.write_all(&text)?;
        Ok(())
    }
}

/// `--short`: the names alone.
fn short(releases: &[Release], format: Format) -> anyhow::Result<String> {
    let names = releases.iter().map(|r| r.name.as_str());
    Ok(match format {
        Format::Table => names.map(|n| format!("{n}\n")).collect(),
        Format::Json => {
            let items: Vec<String> = names.map(json_string).collect();
            format!("[{}]\n", items.join(","))
        }
        Format::Yaml => yaml_text(&Value::strings(names))?,
    })
}

/// One line of the listing, as Helm's `releaseElement`.
struct Row {
    name: String,
    namespace: String,
    revision: String,
    updated: String,
    status: String,
    chart: String,
    app_version: String,
}

impl Row {
    fn new(release: &Release, time_format: &str, ctx: &Context<'_>) -> Row {
        let updated = match release.info.as_ref().map(|i| &i.last_deployed) {
            Some(t) if !t.is_zero() => {
                let t = go_time(t, &local_location(ctx.env));
                if time_format.is_empty() {
                    t.string()
                } else {
                    t.format(time_format)
                }
            }
            _ => "-".to_string(),
        };
        let (chart, app_version) = chart_columns(release);
        Row {
            name: release.name.clone(),
            namespace: release.namespace.clone(),
            revision: release.version.to_string(),
            updated,
            status: release.status().map(|s| s.to_string()).unwrap_or_default(),
            chart,
            app_version,
        }
    }
}

/// The CHART (`name-version`) and APP VERSION columns; `MISSING` for both
/// when the record has no chart metadata, as Helm prints it.
pub fn chart_columns(release: &Release) -> (String, String) {
    match release.chart.as_ref().and_then(|c| c.metadata.as_ref()) {
        Some(m) => (format!("{}-{}", m.name, m.version), m.app_version.clone()),
        None => ("MISSING".to_string(), "MISSING".to_string()),
    }
}

/// The table; with colour, bold headers, cyan namespaces and coloured
/// statuses, as Helm draws them.
fn list_table(rows: &[Row], no_headers: bool, color: bool) -> Vec<u8> {
    let mut cells: Vec<Vec<String>> = Vec::with_capacity(rows.len() + 1);
    if !no_headers {
        cells.push(
            [
                "NAME",
                "NAMESPACE",
                "REVISION",
                "UPDATED",
                "STATUS",
                "CHART",
                "APP VERSION",
            ]
            .map(|h| header(h, color))
            .to_vec(),
        );
    }
    cells.extend(rows.iter().map(|r| {
        vec![
            r.name.clone(),
            namespace(&r.namespace, color),
            r.revision.clone(),
            r.updated.clone(),
            status(&r.status, color),
            r.chart.clone(),
            r.app_version.clone(),
        ]
    }));
    table(&cells)
}

/// The fields in Go's declaration order, as `encoding/json` writes them.
fn list_json(rows: &[Row]) -> String {
    let items: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "{{\"name\":{},\"namespace\":{},\"revision\":{},\"updated\":{},\"status\":{},\"chart\":{},\"app_version\":{}}}",
                json_string(&r.name),
                json_string(&r.namespace),
                json_string(&r.revision),
                json_string(&r.updated),
                json_string(&r.status),
                json_string(&r.chart),
                json_string(&r.app_version),
            )
        })
        .collect();
    format!("[{}]\n", items.join(","))
}

/// The rows as a YAML document's value (keys sorted on output, as
/// `sigs.k8s.io/yaml` sorts them).
fn list_value(rows: &[Row]) -> Value {
    let items = rows.iter().map(|r| {
        let map = Map::new(MapKind::Any);
        for (k, v) in [
            ("name", &r.name),
            ("namespace", &r.namespace),
            ("revision", &r.revision),
            ("updated", &r.updated),
            ("status", &r.status),
            ("chart", &r.chart),
            ("app_version", &r.app_version),
        ] {
            map.insert(k, Value::from(v.as_str()));
        }
        Value::Map(map)
    });
    Value::list(items.collect())
}
