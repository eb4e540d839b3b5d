//! `.helmignore`: which files of a chart directory are left out, with Helm's
//! rules: one `filepath.Match` pattern per line, `#` comments, `!` negation,
//! a trailing `/` for directories only, a leading `/` anchored at the root,
//! patterns without `/` matched against the base name, `**` refused.

use crate::pathmatch::{self, BadPattern};

/// Rules in file order; the first that decides, decides.
#[derive(Debug, Default)]
pub struct Rules(Vec<Rule>);

#[derive(Debug)]
struct Rule {
    pattern: String,
    negate: bool,
    dir_only: bool,
    scope: Scope,
}

#[derive(Debug)]
enum Scope {
    /// No slash in the pattern: compared with the base name.
    BaseName,
    /// Compared with the whole relative path.
    Path,
}

#[derive(Debug, thiserror::Error)]
pub enum IgnoreError {
    #[error("double-star (**) syntax is not supported")]
    DoubleStar,
    #[error(transparent)]
    BadPattern(#[from] BadPattern),
}

impl Rules {
    /// Parses a `.helmignore` file.
    pub fn parse(text: &str) -> Result<Rules, IgnoreError> {
        let mut rules = Rules::default();
        for line in text.lines() {
            rules.add(line)?;
        }
        Ok(rules)
    }

    /// The rule Helm always adds: dotfiles directly in `templates/`.
    pub fn add_defaults(&mut self) {
        self.add("templates/.?*")
            .expect("the default rule is valid");
    }

    fn add(&mut self, line: &str) -> Result<(), IgnoreError> {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            return Ok(());
        }
        if line.contains("**") {
            return Err(IgnoreError::DoubleStar);
        }
        pathmatch::matches(line, "abc")?;
        let (negate, rest) = match line.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, line),
        };
        let (dir_only, rest) = match rest.strip_suffix('/') {
            Some(rest) => (true, rest),
            None => (false, rest),
        };
        let (scope, pattern) = if let Some(anchored) = rest.strip_prefix('/') {
            (Scope::Path, anchored)
        } else if rest.contains('/') {
            (Scope::Path, rest)
        } else {
            (Scope::BaseName, rest)
        };
        self.0.push(Rule {
            pattern: pattern.to_string(),
            negate,
            dir_only,
            scope,
        });
        Ok(())
    }

    /// Whether the file or directory at slash-separated `path` (relative to
    /// the chart root) is ignored.
    pub fn ignores(&self, path: &str, is_dir: bool) -> bool {
        if path.is_empty() || path == "." || path == "./" {
            return false;
        }
        for rule in &self.0 {
            let matched = rule.matches(path);
            if rule.negate {
                // Helm's reading of a negated rule: anything it does not
                // match (or a file, for a directory rule) is ignored.
                if (rule.dir_only && !is_dir) || !matched {
                    return true;
                }
                continue;
            }
            if rule.dir_only && !is_dir {
                continue;
            }
            if matched {
                return true;
            }
        }
        false
    }
}

impl Rule {
    fn matches(&self, path: &str) -> bool {
        let subject = match self.scope {
            Scope::BaseName => path.rsplit('/').next().unwrap_or(path),
            Scope::Path => path,
        };
        pathmatch::matches(&self.pattern, subject).unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helm_rules() {
        let mut rules = Rules::parse("# c\n*.bak\n.git/\n/top.txt\ndocs/*.md\n").unwrap();
        rules.add_defaults();
        assert!(rules.ignores("a.bak", false));
        assert!(rules.ignores("sub/a.bak", false));
        assert!(rules.ignores(".git", true));
        assert!(!rules.ignores(".git", false));
        assert!(rules.ignores("top.txt", false));
        assert!(!rules.ignores("sub/top.txt", false));
        assert!(rules.ignores("docs/x.md", false));
        assert!(rules.ignores("templates/.hidden", false));
        assert!(!rules.ignores("templates/x.yaml", false));
    }

    #[test]
    fn negation_ignores_what_it_does_not_match() {
        let rules = Rules::parse("!keep.txt\n").unwrap();
        assert!(!rules.ignores("keep.txt", false));
        assert!(rules.ignores("other.txt", false));
    }

    #[test]
    fn refuses_double_star_and_bad_patterns() {
        assert!(matches!(Rules::parse("a/**"), Err(IgnoreError::DoubleStar)));
        assert!(matches!(
            Rules::parse("[x"),
            Err(IgnoreError::BadPattern(_))
        ));
    }
}
