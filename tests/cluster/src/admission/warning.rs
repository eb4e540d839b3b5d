//! The `Warning` headers of a response, recorded as kube-apiserver's
//! warning recorder does: each text once, `299 - "…"` with `"` and `\`
//! escaped, and past 4096 characters in all every warning cut to 256
//! characters and later ones dropped once the total is reached.

use std::collections::HashSet;

/// Total characters of warning text before truncation starts.
const TRUNCATE_AT_TOTAL: usize = 4 * 1024;
/// What each warning is cut to once truncating.
const TRUNCATE_ITEM: usize = 256;

/// Warnings gathered for one response.
#[derive(Debug, Default)]
pub struct Recorder {
    seen: HashSet<String>,
    /// Every distinct text in arrival order, for replay when truncating.
    ordered: Vec<String>,
    /// Characters of text in `headers`.
    written: usize,
    truncating: bool,
    headers: Vec<String>,
}

impl Recorder {
    /// Records one warning text.
    pub fn add(&mut self, text: &str) {
        if text.is_empty() || (self.truncating && self.written >= TRUNCATE_AT_TOTAL) {
            return;
        }
        if !self.seen.insert(text.to_owned()) {
            return;
        }
        self.ordered.push(text.to_owned());
        let (text, length) = if self.truncating {
            cut(text)
        } else {
            (text, text.chars().count())
        };
        let Some(value) = header(text) else {
            return;
        };
        if self.truncating || self.written + length <= TRUNCATE_AT_TOTAL {
            self.written += length;
            self.headers.push(value);
            return;
        }
        // Over the limit: start again with every warning cut short.
        self.truncating = true;
        self.written = 0;
        self.headers.clear();
        for text in &self.ordered {
            let (text, length) = cut(text);
            if let Some(value) = header(text) {
                self.written += length;
                self.headers.push(value);
            }
        }
    }

    /// The `Warning` header values, in order.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }
}

/// `text` cut to [`TRUNCATE_ITEM`] characters, and its length.
fn cut(text: &str) -> (&str, usize) {
    match text.char_indices().nth(TRUNCATE_ITEM) {
        Some((end, _)) => (&text[..end], TRUNCATE_ITEM),
        None => (text, text.chars().count()),
    }
}

/// `299 - "text"`; `None` for text a header cannot carry (control
/// characters).
fn header(text: &str) -> Option<String> {
    if text.chars().any(char::is_control) {
        return None;
    }
    Some(format!(
        "299 - \"{}\"",
        text.replace('\\', "\\\\").replace('"', "\\\"")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_are_quoted_once_each() {
        let mut recorder = Recorder::default();
        for text in ["plain", "say \"hi\" \\ bye", "plain", "bad\nline", ""] {
            recorder.add(text);
        }
        assert_eq!(
            recorder.headers(),
            ["299 - \"plain\"", "299 - \"say \\\"hi\\\" \\\\ bye\""]
        );
    }

    #[test]
    fn past_the_total_every_warning_is_cut_and_later_ones_dropped() {
        let mut recorder = Recorder::default();
        let long = "é".repeat(300);
        recorder.add(&long);
        assert_eq!(recorder.headers()[0].chars().count(), 300 + 8);
        for i in 0..20 {
            recorder.add(&format!("{i}{}", "x".repeat(300)));
        }
        let headers = recorder.headers();
        // 4096 / 256 = 16 cut warnings fill the total; the rest are dropped.
        assert_eq!(headers.len(), 16);
        assert!(headers.iter().all(|h| h.chars().count() == 256 + 8));
        assert!(headers[0].starts_with("299 - \"éé"));
    }
}
