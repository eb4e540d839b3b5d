//! Helm 4's `--wait` strategies and how the flag's value names them.

use std::fmt;

/// How Helm waits, chosen by `--wait`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// Watch every object until kstatus calls it Current (`--wait` alone).
    Watcher,
    /// Wait for hooks only (the default when `--wait` is not given).
    HookOnly,
    /// Poll with Helm 3's checks ([`super::legacy`]).
    Legacy,
}

/// A `--wait` value that names no strategy.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid wait input {0:?}. Valid inputs are watcher, hookOnly, and legacy")]
pub struct StrategyError(pub String);

impl Strategy {
    /// The strategy when `--wait` is not given.
    pub const DEFAULT: Strategy = Strategy::HookOnly;
    /// The strategy of `--wait` given without a value.
    pub const FLAG_ALONE: Strategy = Strategy::Watcher;

    /// The strategy `--wait=VALUE` names (exact, case-sensitive), with the
    /// warning Helm logs for the deprecated boolean values.
    pub fn parse(value: &str) -> Result<(Strategy, Option<String>), StrategyError> {
        let deprecated = |strategy: Strategy| {
            let warning = format!(
                "--wait={value} is deprecated (boolean value) and can be replaced with --wait={strategy}"
            );
            (strategy, Some(warning))
        };
        match value {
            "watcher" => Ok((Strategy::Watcher, None)),
            "hookOnly" => Ok((Strategy::HookOnly, None)),
            "legacy" => Ok((Strategy::Legacy, None)),
            "true" => Ok(deprecated(Strategy::Watcher)),
            "false" => Ok(deprecated(Strategy::HookOnly)),
            other => Err(StrategyError(other.to_string())),
        }
    }

    /// The name `--wait` takes.
    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::Watcher => "watcher",
            Strategy::HookOnly => "hookOnly",
            Strategy::Legacy => "legacy",
        }
    }

    /// Whether the release's own objects are waited for (and deletions on
    /// uninstall); hooks are waited for under every strategy.
    pub fn waits_for_release(self) -> bool {
        self != Strategy::HookOnly
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_as_the_reference_helm_takes_them() {
        let deprecated = |value: &str, replacement: &str| {
            Some(format!(
                "--wait={value} is deprecated (boolean value) and can be replaced with --wait={replacement}"
            ))
        };
        let accepted = [
            ("watcher", Strategy::Watcher, None),
            ("hookOnly", Strategy::HookOnly, None),
            ("legacy", Strategy::Legacy, None),
            ("true", Strategy::Watcher, deprecated("true", "watcher")),
            ("false", Strategy::HookOnly, deprecated("false", "hookOnly")),
        ];
        for (value, strategy, warning) in accepted {
            assert_eq!(Strategy::parse(value), Ok((strategy, warning)), "{value}");
        }
        for value in [
            "Watcher", "TRUE", "True", "1", "t", "hookonly", "", " legacy",
        ] {
            assert_eq!(
                Strategy::parse(value),
                Err(StrategyError(value.to_string()))
            );
        }
        assert_eq!(
            StrategyError("bogus".to_string()).to_string(),
            "invalid wait input \"bogus\". Valid inputs are watcher, hookOnly, and legacy"
        );
        assert_eq!(Strategy::DEFAULT.to_string(), "hookOnly");
        assert!(!Strategy::HookOnly.waits_for_release());
        assert!(Strategy::Legacy.waits_for_release() && Strategy::FLAG_ALONE.waits_for_release());
    }
}
