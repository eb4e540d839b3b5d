//! `helm template`: render a chart locally and print its manifests.

use std::path::PathBuf;

use super::render::{ReleaseOptions, RenderStepError, render_chart};
use crate::chart::{
    Capabilities, KubeVersion, LoadError, MissingDependencies, check_dependencies, load_dir,
    process_dependencies,
};
use crate::values::{CoalesceError, UserValues, ValuesError, coalesce_values};
use crate::{manifest, pathmatch};

/// The options of `helm template`.
#[derive(Clone, Debug)]
pub struct Template {
    pub release_name: String,
    pub namespace: String,
    pub chart: PathBuf,
    pub values: UserValues,
    pub kube_version: Option<KubeVersion>,
    /// `--api-versions`, added to the defaults.
    pub api_versions: Vec<String>,
    pub include_crds: bool,
    pub skip_tests: bool,
    pub no_hooks: bool,
    pub is_upgrade: bool,
    /// `--show-only`: templates (globs) whose manifests alone are printed.
    pub show_only: Vec<String>,
}

impl Default for Template {
    fn default() -> Template {
        Template {
            release_name: "release-name".into(),
            namespace: "default".into(),
            chart: PathBuf::new(),
            values: UserValues::default(),
            kube_version: None,
            api_versions: Vec::new(),
            include_crds: false,
            skip_tests: false,
            no_hooks: false,
            is_upgrade: false,
            show_only: Vec::new(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Values(#[from] ValuesError),
    #[error("library charts are not installable")]
    Library,
    #[error(
        "an error occurred while checking for chart dependencies. You may need to run 'helm dependency build' to fetch missing dependencies: {0}"
    )]
    MissingDependencies(#[from] MissingDependencies),
    #[error("chart dependencies processing failed: {0}")]
    Dependencies(CoalesceError),
    #[error(transparent)]
    Coalesce(#[from] CoalesceError),
    /// A failure once rendering began; Helm adds its `--debug` hint.
    #[error("{0}\n\nUse --debug flag to render out invalid YAML")]
    Render(#[from] RenderStepError),
    #[error("could not find template {0} in chart")]
    ShowOnlyMissing(String),
}

impl Template {
    /// Renders the chart and returns exactly what `helm template` prints.
    pub fn run(&self) -> Result<String, TemplateError> {
        let user = self.values.merge()?;
        let mut chart = load_dir(&self.chart)?;
        if chart.metadata.is_library() {
            return Err(TemplateError::Library);
        }
        if chart.metadata.dependencies.is_some() {
            check_dependencies(&chart)?;
        }
        process_dependencies(&mut chart, &user).map_err(TemplateError::Dependencies)?;
        let values = coalesce_values(&chart, &user)?;
        let mut caps = Capabilities::default();
        if let Some(kv) = &self.kube_version {
            caps.kube_version = kv.clone();
        }
        caps.api_versions.extend(self.api_versions.iter().cloned());
        let release = ReleaseOptions {
            name: self.release_name.clone(),
            namespace: self.namespace.clone(),
            revision: 1,
            is_install: !self.is_upgrade,
            is_upgrade: self.is_upgrade,
        };
        let rendered = render_chart(&chart, values, &release, &caps, false)?;

        let mut manifests = String::new();
        if self.include_crds {
            for (name, crd) in chart.crd_files() {
                push_doc(&mut manifests, &name, &String::from_utf8_lossy(&crd.data));
            }
        }
        for m in &rendered.sorted.manifests {
            push_doc(&mut manifests, &m.source, &m.content);
        }
        let mut out = manifests.trim().to_string();
        out.push('\n');
        if !self.no_hooks {
            for hook in &rendered.sorted.hooks {
                if self.skip_tests && hook.is_test() {
                    continue;
                }
                push_doc(&mut out, &hook.manifest.source, &hook.manifest.content);
            }
        }
        if self.show_only.is_empty() {
            Ok(out)
        } else {
            self.select(&out)
        }
    }

    /// `--show-only`: the documents whose `# Source:` path (without the
    /// chart name) matches one of the patterns, pattern by pattern.
    fn select(&self, all: &str) -> Result<String, TemplateError> {
        let docs = manifest::split(all);
        let mut out = String::new();
        for pattern in &self.show_only {
            let mut found = false;
            for doc in &docs {
                let Some(path) = source_path(doc) else {
                    continue;
                };
                if pathmatch::matches(pattern, path).unwrap_or(false) {
                    out.push_str("---\n");
                    out.push_str(doc);
                    out.push('\n');
                    found = true;
                }
            }
            if !found {
                return Err(TemplateError::ShowOnlyMissing(pattern.clone()));
            }
        }
        Ok(out)
    }
}

fn push_doc(out: &mut String, source: &str, content: &str) {
    out.push_str("---\n# Source: ");
    out.push_str(source);
    out.push('\n');
    out.push_str(content);
    out.push('\n');
}

/// The part of a `# Source: chart/path` line after the chart name.
fn source_path(doc: &str) -> Option<&str> {
    let at = doc.find("# Source: ")?;
    let rest = &doc[at + "# Source: ".len()..];
    let line = rest.lines().next()?;
    let slash = line.find('/')?;
    (slash > 0).then(|| &line[slash + 1..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_path_drops_the_chart_name() {
        assert_eq!(
            source_path("# Source: c/templates/x.yaml\nkind: A"),
            Some("templates/x.yaml")
        );
        assert_eq!(source_path("kind: A"), None);
    }
}
