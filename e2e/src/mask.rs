//! Masking the times in command output, so that expectations written once
//! hold on every run.

use std::sync::LazyLock;

use regex::Regex;

/// What a masked time reads as.
pub const TIME: &str = "<TIME>";

/// The time layouts Helm prints: Go's default `Time.String()`
/// (`2006-01-02 15:04:05.999999999 -0700 MST`, in tables and list JSON),
/// RFC 3339 with or without fractions (history JSON/YAML, release
/// records), and `ANSIC` (`Mon Jan _2 15:04:05 2006`, the history table).
static TIMES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d+)?",
        r"(?:Z|[+-]\d{2}:\d{2}| [+-]\d{4}(?: [A-Za-z0-9+-]+)?)?",
        r"|(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d{2}:\d{2}:\d{2} \d{4}",
    ))
    .unwrap_or_else(|error| unreachable!("the time pattern is valid: {error}"))
});

/// `text` with each time replaced by [`TIME`].
pub fn mask_times(text: &str) -> String {
    TIMES.replace_all(text, TIME).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_each_layout_helm_prints() {
        for (text, wanted) in [
            (
                "web\tns\t1\t2026-11-22 04:10:53.123456789 +0000 UTC\tdeployed",
                "web\tns\t1\t<TIME>\tdeployed",
            ),
            ("2026-11-22 09:40:53.1 +0530 IST|", "<TIME>|"),
            (
                r#""updated":"2026-11-22T04:10:53.12345+05:30""#,
                r#""updated":"<TIME>""#,
            ),
            ("updated: \"2026-11-22T04:10:53Z\"", "updated: \"<TIME>\""),
            (
                "1       \tSun Nov  2 04:10:53 2026\tsuperseded",
                "1       \t<TIME>\tsuperseded",
            ),
            (
                "2006-01-02 is a date, 04:10 is not a time",
                "2006-01-02 is a date, 04:10 is not a time",
            ),
        ] {
            assert_eq!(mask_times(text), wanted, "{text}");
        }
    }
}
