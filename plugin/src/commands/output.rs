//! How release commands print: `-o table|json|yaml`, the `uitable` tables
//! Helm draws, Go's JSON strings, and times shown as Go shows a time it
//! read back from a release record.

use helm::codec::{json, yaml};
use helm::engine::funcs::{GoTime, Location};
use helm::engine::value::Value;
use helm::release::Time;
use helm::settings::Environment;

/// `-o, --output`: how a command prints its result.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// Human-readable text (the default).
    #[default]
    Table,
    /// JSON, as Helm's encoder writes it.
    Json,
    /// YAML, as `sigs.k8s.io/yaml` writes it.
    Yaml,
}

impl Format {
    /// Reads `-o`, refusing what Helm refuses, in its words (clap's own
    /// wording for a bad value differs).
    pub fn parse(text: &str) -> anyhow::Result<Format> {
        match text {
            "table" => Ok(Format::Table),
            "json" => Ok(Format::Json),
            "yaml" => Ok(Format::Yaml),
            other => anyhow::bail!(
                "invalid argument {} for \"-o, --output\" flag: invalid format type",
                helm::engine::gofmt::quote(other)
            ),
        }
    }
}

/// A table as `uitable` draws it and Helm writes it. Each column is as
/// wide as the widest line of its cells; a cell is padded to that width,
/// or cut to it with `...` when its text (all lines counted together) is
/// wider; a cell of several lines spans as many table lines. Cells are
/// joined by a tab, lines by a newline, and Helm adds a final newline.
pub fn table(rows: &[Vec<String>]) -> Vec<u8> {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .flat_map(|cell| cell.split('\n'))
                .map(width)
                .max()
                .unwrap_or(0)
        })
        .collect();
    let lines: Vec<String> = rows.iter().map(|row| draw_row(row, &widths)).collect();
    let mut out = lines.join("\n");
    out.push('\n');
    out.into_bytes()
}

/// One row, on as many lines as its tallest cell.
fn draw_row(row: &[String], widths: &[usize]) -> String {
    let cells: Vec<String> = row
        .iter()
        .zip(widths)
        .map(|(cell, w)| resize(cell, *w))
        .collect();
    let split: Vec<Vec<&str>> = cells.iter().map(|c| c.split('\n').collect()).collect();
    let height = split.iter().map(Vec::len).max().unwrap_or(1);
    (0..height)
        .map(|line| {
            split
                .iter()
                .zip(widths)
                .map(|(cell_lines, w)| match cell_lines.get(line) {
                    Some(text) => resize(text, *w),
                    // A line this cell does not have: `uitable` pads a
                    // single space to the width.
                    None => " ".repeat((*w).max(1)),
                })
                .collect::<Vec<_>>()
                .join("\t")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `uitable`'s `Resize`: pad to `n` columns; when wider, keep characters
/// until the one that reaches `n - 3` columns (that one included), then
/// `...`. A width of 0 leaves the text alone.
fn resize(text: &str, n: usize) -> String {
    let w = width(text);
    if n == 0 || w == n {
        return text.to_string();
    }
    if w < n {
        return format!("{text}{}", " ".repeat(n - w));
    }
    let limit = n.saturating_sub(3);
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        out.push(c);
        let cw = char_width(c);
        if used + cw >= limit {
            break;
        }
        used += cw;
    }
    out.push_str("...");
    out
}

/// Display columns as `uitable` counts them: SGR escape sequences
/// (`ESC [ … m`) take none, wide East Asian characters two, control and
/// combining characters none.
fn width(text: &str) -> usize {
    let mut total = 0;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' && chars.peek() == Some(&'[') {
            // Up to and including the final byte of the sequence.
            for c in chars.by_ref() {
                if ('\u{40}'..='\u{7e}').contains(&c) && c != '[' {
                    break;
                }
            }
            continue;
        }
        total += char_width(c);
    }
    total
}

fn char_width(c: char) -> usize {
    use unicode_width::UnicodeWidthChar;
    if c.is_control() {
        0
    } else {
        c.width().unwrap_or(0)
    }
}

/// Text in an SGR style as the `fatih/color` package writes it (bold ends
/// with its own reset, colours with the full reset).
fn styled(text: &str, code: u8) -> String {
    let reset = if code == 1 { 22 } else { 0 };
    format!("\x1b[{code}m{text}\x1b[{reset}m")
}

/// A table header, bold when colouring.
pub fn header(text: &str, color: bool) -> String {
    if color {
        styled(text, 1)
    } else {
        text.to_string()
    }
}

/// A namespace, cyan when colouring.
pub fn namespace(text: &str, color: bool) -> String {
    if color {
        styled(text, 36)
    } else {
        text.to_string()
    }
}

/// A release status as Helm colours it: deployed green, failed and
/// unknown red, pending yellow, the others plain.
pub fn status(text: &str, color: bool) -> String {
    let code = match text {
        _ if !color => return text.to_string(),
        "deployed" => 32,
        "failed" | "unknown" => 31,
        "pending-install" | "pending-upgrade" | "pending-rollback" => 33,
        _ => return text.to_string(),
    };
    styled(text, code)
}

/// A string as Go's `encoding/json` writes it (HTML characters escaped).
pub fn json_string(s: &str) -> String {
    json::to_string(&Value::from(s)).unwrap_or_else(|_| "\"\"".to_string())
}

/// `sigs.k8s.io/yaml.Marshal` of `value`, as Helm's `-o yaml` prints it.
pub fn yaml_text(value: &Value) -> anyhow::Result<String> {
    yaml::to_yaml(value).map_err(|e| anyhow::anyhow!("{}", e.0))
}

/// The zone Go's `time.Local` is in this environment: `TZ` when set (an
/// empty or unknown name is UTC, as in Go), else the system's zone.
pub fn local_location(env: &dyn Environment) -> Location {
    let Some(tz) = env.var("TZ") else {
        return Location::Local;
    };
    let tz = tz.strip_prefix(':').unwrap_or(&tz);
    let name = match tz.rsplit_once("zoneinfo/") {
        Some((_, name)) if tz.starts_with('/') => name,
        _ => tz,
    };
    Location::load(name)
        .filter(|loc| !matches!(loc, Location::Local))
        .unwrap_or(Location::Utc)
}

/// A record's time as Go holds it after parsing the RFC 3339 text: `Z` is
/// UTC; an offset that the local zone has at that instant is the local
/// zone (with its abbreviation); any other offset is a nameless fixed
/// zone, which prints its offset where a name would go.
pub fn go_time(time: &Time, local: &Location) -> GoTime {
    let Some(t) = time.get() else {
        return GoTime::zero();
    };
    let offset = t.offset().local_minus_utc();
    let unix = t.timestamp();
    let nanos = t.timestamp_subsec_nanos();
    let location = if offset == 0 {
        Location::Utc
    } else if local.zone_at(unix).1 == offset {
        local.clone()
    } else {
        Location::Fixed {
            name: "".into(),
            offset,
        }
    };
    GoTime::at(unix, nanos, location)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn tables_pad_every_column() {
        let rows = vec![
            vec!["NAME".to_string(), "REVISION".to_string()],
            vec!["a-long-name".to_string(), "1".to_string()],
        ];
        assert_eq!(
            table(&rows),
            b"NAME       \tREVISION\na-long-name\t1       \n"
        );
        assert_eq!(table(&[]), b"\n");
    }

    #[test]
    fn cells_of_several_lines_span_lines_and_are_cut_as_a_whole() {
        let row = |a: &str, b: &str| vec![a.to_string(), b.to_string()];
        // The column is as wide as the widest line; the two-line cell
        // fits (its newline takes no width), so it spans two lines.
        let t = table(&[row("1", "ab\ncd"), row("2", "wxyz")]);
        assert_eq!(t, b"1\tab  \n \tcd  \n2\twxyz\n");
        // Counted whole, the cell is wider than its widest line: cut,
        // and what follows the cut is lost.
        let t = table(&[row("1", "abcdef\nabcdefgh")]);
        assert_eq!(t, b"1\tabcde...\n");
        let t = table(&[row("1", "two\nlines and <html> & more")]);
        assert_eq!(
            t,
            b"1\ttwo                    \n \tlines and <html> ...   \n"
        );
        // Wide characters count two columns.
        assert_eq!(
            table(&[row("日本", "x"), row("a", "y")]),
            "日本\tx\na   \ty\n".as_bytes()
        );
    }

    #[test]
    fn times_print_in_the_zone_go_parses_them_into() {
        let env = BTreeMap::from([("TZ".to_string(), "Asia/Kolkata".to_string())]);
        let local = local_location(&env);
        let at = |s: &str| go_time(&Time::parse(s).unwrap(), &local).string();
        assert_eq!(
            at("2024-05-01T10:00:00.5+05:30"),
            "2024-05-01 10:00:00.5 +0530 IST"
        );
        assert_eq!(at("2024-05-01T04:30:00Z"), "2024-05-01 04:30:00 +0000 UTC");
        assert_eq!(
            at("2024-05-01T06:30:00+02:00"),
            "2024-05-01 06:30:00 +0200 +0200"
        );
        let empty = BTreeMap::from([("TZ".to_string(), String::new())]);
        assert!(matches!(local_location(&empty), Location::Utc));
        assert_eq!(json_string("<a&b>"), r#""\u003ca\u0026b\u003e""#);
    }

    #[test]
    fn colours_are_fatih_colors() {
        assert_eq!(header("NAME", true), "\x1b[1mNAME\x1b[22m");
        assert_eq!(namespace("ns", true), "\x1b[36mns\x1b[0m");
        assert_eq!(status("failed", true), "\x1b[31mfailed\x1b[0m");
        assert_eq!(status("superseded", true), "superseded");
        assert_eq!(status("deployed", false), "deployed");
        // Escape sequences take no columns, as in `uitable`.
        assert_eq!(width(&header("NAME", true)), 4);
        assert_eq!(width(&status("deployed", true)), 8);
    }
}
