//! Helm's log lines: what Helm 4 writes on stderr while it works (warnings
//! from coalescing values, dependency processing, loading), in the text
//! format of Go's `log/slog` as Helm configures it (no time field):
//! `level=INFO msg="warning: …" key=value`.
//!
//! Library code never prints. It hands [`Record`]s to a [`Log`] its caller
//! passes in; the command line writes them to stderr, tests collect them.

use std::fmt;
use std::io::Write;

use crate::engine::gofmt::is_print;

/// A record's severity, as `slog` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Shown only with `--debug`.
    Debug,
    /// What Go's `log.Printf` becomes under Helm's `slog` default logger.
    Info,
    /// `slog.Warn`: what Helm itself calls a warning.
    Warn,
    /// Failures Helm logs besides returning them.
    Error,
}

impl Level {
    fn name(self) -> &'static str {
        match self {
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warn => "WARN",
            Level::Error => "ERROR",
        }
    }
}

/// One log line: a level, a message and attributes in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub level: Level,
    /// The message, `msg=` on the line.
    pub msg: String,
    /// `key=value` pairs after the message, values already formatted.
    pub attrs: Vec<(&'static str, String)>,
}

impl Record {
    /// A record with no attributes.
    pub fn new(level: Level, msg: impl Into<String>) -> Record {
        Record {
            level,
            msg: msg.into(),
            attrs: Vec::new(),
        }
    }

    /// An `INFO` record (Helm's `log.Printf` warnings are these).
    pub fn info(msg: impl Into<String>) -> Record {
        Record::new(Level::Info, msg)
    }

    /// A `WARN` record.
    pub fn warn(msg: impl Into<String>) -> Record {
        Record::new(Level::Warn, msg)
    }

    /// The record with one more attribute (`key=value`).
    pub fn attr(mut self, key: &'static str, value: impl fmt::Display) -> Record {
        self.attrs.push((key, value.to_string()));
        self
    }
}

/// The line `slog`'s text handler writes, without the newline.
impl fmt::Display for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "level={} msg={}",
            self.level.name(),
            slog_value(&self.msg)
        )?;
        for (key, value) in &self.attrs {
            write!(f, " {}={}", slog_value(key), slog_value(value))?;
        }
        Ok(())
    }
}

/// Where library code sends its log records.
pub trait Log {
    /// Receives one record, in the order Helm would have written it.
    fn log(&mut self, record: Record);
}

/// Collects records (tests; callers that print later).
impl Log for Vec<Record> {
    fn log(&mut self, record: Record) {
        self.push(record);
    }
}

/// Collects the lines as they would be written (`helm lint` gathers its
/// log with the render's own).
impl Log for Vec<String> {
    fn log(&mut self, record: Record) {
        self.push(record.to_string());
    }
}

/// Drops every record.
#[derive(Clone, Copy, Debug, Default)]
pub struct Discard;

impl Log for Discard {
    fn log(&mut self, _record: Record) {}
}

/// Writes each record as a line, as Helm writes its log to standard error.
pub struct WriteLog<W: Write>(pub W);

impl<W: Write> Log for WriteLog<W> {
    fn log(&mut self, record: Record) {
        // A log line that cannot be written is lost, as Go's `log` loses
        // it: the command's own output and status matter more.
        let _ = writeln!(self.0, "{record}");
    }
}

/// A value as `slog`'s text handler writes it: bare, unless it is empty
/// or holds a space, `=`, `"`, a control or another unprintable character,
/// in which case Go-quoted (`strconv.Quote`).
pub fn slog_value(text: &str) -> String {
    let bare = !text.is_empty()
        && !text.chars().any(|c| {
            if c.is_ascii() {
                c == ' ' || c == '=' || c == '"' || (c.is_ascii_control() && c != '\x7f')
            } else {
                c.is_whitespace() || !is_print(c) || c == char::REPLACEMENT_CHARACTER
            }
        });
    if bare {
        text.to_string()
    } else {
        crate::engine::gofmt::quote(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_slog_text() {
        let r = Record::info("warning: skipped value for a.b: Not a table.");
        assert_eq!(
            r.to_string(),
            r#"level=INFO msg="warning: skipped value for a.b: Not a table.""#
        );
        let r = Record::warn("returned non-bool value")
            .attr("path", "sub.enabled")
            .attr("chart", "sub");
        assert_eq!(
            r.to_string(),
            r#"level=WARN msg="returned non-bool value" path=sub.enabled chart=sub"#
        );
        let r = Record::new(Level::Debug, "Original chart version").attr("version", "");
        assert_eq!(
            r.to_string(),
            r#"level=DEBUG msg="Original chart version" version="""#
        );
    }

    #[test]
    fn values_quote_only_when_slog_does() {
        assert_eq!(slog_value("a/b-c.d:e"), "a/b-c.d:e");
        assert_eq!(slog_value("x=y"), r#""x=y""#);
        assert_eq!(slog_value(r#"say "hi""#), r#""say \"hi\"""#);
        assert_eq!(slog_value("tab\there"), r#""tab\there""#);
        assert_eq!(slog_value("back\\slash"), "back\\slash");
        assert_eq!(slog_value("naïve"), "naïve");
        // Invisible format characters and non-ASCII spaces are quoted.
        assert_eq!(slog_value("a\u{200b}b"), r#""a\u200bb""#);
        assert_eq!(slog_value("a\u{a0}b"), r#""a\u00a0b""#);
    }
}
