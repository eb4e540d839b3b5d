//! `-o, --output`: the formats Helm's commands print in.

use helm::engine::gofmt;

/// `-o`: how a command prints its result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    /// Human-readable text (the default).
    Table,
    /// JSON, as Helm's encoder writes it.
    Json,
    /// YAML, as `sigs.k8s.io/yaml` writes it.
    Yaml,
}

impl OutputFormat {
    /// Reads `-o`, refusing what Helm refuses, in its words.
    pub fn parse(text: &str) -> anyhow::Result<OutputFormat> {
        match text {
            "table" => Ok(OutputFormat::Table),
            "json" => Ok(OutputFormat::Json),
            "yaml" => Ok(OutputFormat::Yaml),
            other => anyhow::bail!(
                "invalid argument {} for \"-o, --output\" flag: invalid format type",
                gofmt::quote(other)
            ),
        }
    }
}
