//! `history`: the revisions of a release, as Helm prints them.

use helm::engine::value::{IntKind, Map, MapKind, Value};
use helm::release::Release;

use super::Context;
use super::cluster::{Cluster, Reach};
use super::list::chart_columns;
use super::output::{Format, go_time, json_string, local_location, table, yaml_text};

/// Go's `time.ANSIC` layout, which the table's UPDATED column uses.
const ANSIC: &str = "Mon Jan _2 15:04:05 2006";

#[derive(Debug, clap::Args)]
pub struct HistoryArgs {
    #[arg(value_name = "RELEASE_NAME")]
    name: String,
    /// maximum number of revision to include in history
    #[arg(long, default_value_t = 256, allow_negative_numbers = true)]
    max: i64,
    /// prints the output in the specified format. Allowed values: table, json, yaml
    #[arg(short, long, value_parser = Format::parse, default_value = "table")]
    output: Format,
    /// show the rollback revision column in table output
    #[arg(long)]
    show_rollback_revision: bool,
}

/// One revision, as Helm's `releaseInfo`.
struct Row {
    revision: i64,
    /// RFC 3339 as `encoding/json` writes the time.
    updated_json: String,
    /// `time.ANSIC` in the zone the time was read in.
    updated_table: String,
    status: String,
    chart: String,
    app_version: String,
    /// The revision a rollback restored; 0 for other revisions.
    rollback: i64,
    description: String,
}

impl Row {
    fn new(release: &Release, ctx: &Context<'_>) -> Row {
        let info = release.info.as_ref();
        let updated = info.map(|i| i.last_deployed).unwrap_or_default();
        let (chart, app_version) = chart_columns(release);
        Row {
            revision: release.version,
            updated_json: updated.to_go_string(),
            updated_table: go_time(&updated, &local_location(ctx.env)).format(ANSIC),
            status: release.status().map(|s| s.to_string()).unwrap_or_default(),
            chart,
            app_version,
            rollback: info.map_or(0, |i| i.rollback_revision),
            description: info.map(|i| i.description.clone()).unwrap_or_default(),
        }
    }
}

impl HistoryArgs {
    pub fn run(self, ctx: &mut Context<'_>) -> anyhow::Result<()> {
        let cluster = Cluster::open(ctx, &ctx.settings.namespace(), Reach::UnlessMemory)?;
        // A negative `--max` shows nothing, as Helm's `min` does.
        let max = usize::try_from(self.max).unwrap_or(0);
        let revisions =
            cluster
                .runtime
                .block_on(helm::action::history(&cluster.storage, &self.name, max))?;
        let rows: Vec<Row> = revisions.iter().map(|r| Row::new(r, ctx)).collect();
        let text = match self.output {
            Format::Table => history_table(&rows, self.show_rollback_revision),
            Format::Json => history_json(&rows).into_bytes(),
            Format::Yaml => yaml_text(&history_value(&rows))?.into_bytes(),
        };
        ctx.out.write_all(&text)?;
        Ok(())
    }
}

/// The table; `--show-rollback-revision` adds a ROLLBACK column, empty
/// for revisions that are not rollbacks.
fn history_table(rows: &[Row], show_rollback: bool) -> Vec<u8> {
    let mut header = vec!["REVISION", "UPDATED", "STATUS", "CHART", "APP VERSION"];
    if show_rollback {
        header.push("ROLLBACK");
    }
    header.push("DESCRIPTION");
    let mut cells = vec![header.into_iter().map(String::from).collect::<Vec<_>>()];
    cells.extend(rows.iter().map(|r| {
        let mut row = vec![
            r.revision.to_string(),
            r.updated_table.clone(),
            r.status.clone(),
            r.chart.clone(),
            r.app_version.clone(),
        ];
        if show_rollback {
            row.push(if r.rollback == 0 {
                String::new()
            } else {
                r.rollback.to_string()
            });
        }
        row.push(r.description.clone());
        row
    }));
    table(&cells)
}

/// Helm prints `[]` for no revision, an array of objects otherwise, the
/// fields in Go's declaration order.
fn history_json(rows: &[Row]) -> String {
    let items: Vec<String> = rows
        .iter()
        .map(|r| {
            // `rollback_revision` is `omitempty`.
            let rollback = match r.rollback {
                0 => String::new(),
                n => format!("\"rollback_revision\":{n},"),
            };
            format!(
                "{{\"revision\":{},\"updated\":{},\"status\":{},\"chart\":{},\"app_version\":{},{rollback}\"description\":{}}}",
                r.revision,
                json_string(&r.updated_json),
                json_string(&r.status),
                json_string(&r.chart),
                json_string(&r.app_version),
                json_string(&r.description),
            )
        })
        .collect();
    format!("[{}]\n", items.join(","))
}

fn history_value(rows: &[Row]) -> Value {
    let items = rows.iter().map(|r| {
        let map = Map::new(MapKind::Any);
        map.insert("revision", Value::Int(r.revision, IntKind::Int));
        if r.rollback != 0 {
            map.insert("rollback_revision", Value::Int(r.rollback, IntKind::Int));
        }
        for (k, v) in [
            ("updated", &r.updated_json),
            ("status", &r.status),
            ("chart", &r.chart),
            ("app_version", &r.app_version),
            ("description", &r.description),
        ] {
            map.insert(k, Value::from(v.as_str()));
        }
        Value::Map(map)
    });
    Value::list(items.collect())
}
