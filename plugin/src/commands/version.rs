//! `version`: what this binary is, in Helm's three output forms.

use std::collections::BTreeMap;
use std::io::Write;

use helm::engine::Value;
use helm::engine::render::{RenderFile, Renderer};
use helm::engine::value::{Map, MapKind};

#[derive(Debug, clap::Args)]
pub struct VersionArgs {
    /// print the version number
    #[arg(long)]
    short: bool,
    /// template for version string format
    #[arg(long)]
    template: Option<String>,
}

const VERSION: &str = concat!("v", env!("CARGO_PKG_VERSION"));
const GIT_COMMIT: &str = env!("KUBECTL_HELM_GIT_COMMIT");
const GIT_TREE_STATE: &str = env!("KUBECTL_HELM_GIT_TREE_STATE");
const RUST_VERSION: &str = env!("KUBECTL_HELM_RUST_VERSION");
/// The Kubernetes API version we are written against (Helm's
/// `KubeClientVersion`).
const KUBE_CLIENT_VERSION: &str = "v1.37";

impl VersionArgs {
    pub fn run(&self, out: &mut dyn Write) -> anyhow::Result<()> {
        if let Some(template) = &self.template {
            write!(out, "{}", render(template)?)?;
        } else if self.short {
            writeln!(out, "{}", short())?;
        } else {
            writeln!(
                out,
                "version.BuildInfo{{Version:{VERSION:?}, GitCommit:{GIT_COMMIT:?}, \
                 GitTreeState:{GIT_TREE_STATE:?}, RustVersion:\"rust{RUST_VERSION}\", \
                 KubeClientVersion:{KUBE_CLIENT_VERSION:?}}}"
            )?;
        }
        Ok(())
    }
}

/// `v0.1.0+g1234567`, or just the version when built outside git.
fn short() -> String {
    match GIT_COMMIT.get(..7) {
        Some(abbrev) => format!("{VERSION}+g{abbrev}"),
        None => VERSION.to_string(),
    }
}

/// `--template`: a Go template over the build information.
fn render(template: &str) -> anyhow::Result<String> {
    let fields = [
        ("Version", VERSION),
        ("GitCommit", GIT_COMMIT),
        ("GitTreeState", GIT_TREE_STATE),
        ("RustVersion", RUST_VERSION),
        ("KubeClientVersion", KUBE_CLIENT_VERSION),
    ];
    let data: BTreeMap<String, Value> = fields
        .iter()
        .map(|(k, v)| (k.to_string(), Value::str(*v)))
        .collect();
    let file = RenderFile {
        name: "version".into(),
        text: template.into(),
        data: Value::Map(Map::from_entries(MapKind::Any, data)),
        base_path: String::new(),
    };
    let mut rendered = Renderer::default().render(vec![file])?;
    Ok(rendered.remove("version").unwrap_or_default())
}
