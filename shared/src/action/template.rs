//! `helm template`: render a chart locally and print its manifests.

use std::collections::BTreeSet;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use super::prepare::{PrepareError, PrepareOptions, check_chart, prepare, push_doc};
use super::render::{ReleaseOptions, Rendered};
use crate::chart::{Capabilities, Chart, KubeVersion, LoadError, load};
use crate::engine::Value;
use crate::engine::exec::{ExecOptions, Templates};
use crate::engine::funcs::helm_funcs;
use crate::log::{Level, Log, Record};
use crate::values::{UserValues, ValuesError};
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
    /// `--skip-schema-validation`: do not check values against
    /// `values.schema.json`.
    pub skip_schema_validation: bool,
    /// `--output-dir`: write each template's manifests to a file there
    /// instead of printing them.
    pub output_dir: Option<String>,
    /// `--release-name`: put the files under `output-dir/RELEASE/`.
    pub use_release_name: bool,
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
            skip_schema_validation: false,
            output_dir: None,
            use_release_name: false,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Values(#[from] ValuesError),
    /// The chart could not be prepared; to a failure once rendering began
    /// Helm adds its `--debug` hint.
    #[error("{}", prepare_message(.0))]
    Prepare(#[from] PrepareError),
    #[error("could not find template {0} in chart")]
    ShowOnlyMissing(String),
    #[error("{0}")]
    NameTemplate(String),
    /// The release name is unusable; Helm also logs this at error level.
    #[error("release name check failed: {0}")]
    ReleaseName(String),
    #[error("{path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

fn prepare_message(e: &PrepareError) -> String {
    match e {
        PrepareError::Render(_) => format!("{e}\n\nUse --debug flag to render out invalid YAML"),
        other => other.to_string(),
    }
}

/// Helm's rule for release names (DNS-1123 subdomain, at most 53 bytes).
const RELEASE_NAME_MAX_LEN: usize = 53;
const RELEASE_NAME_PATTERN: &str =
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

/// Checks a release name as Helm does before rendering.
pub fn validate_release_name(name: &str) -> Result<(), TemplateError> {
    if name.is_empty() {
        return Err(TemplateError::ReleaseName(format!(
            "release name {name:?}: no name provided"
        )));
    }
    let valid = regex::Regex::new(RELEASE_NAME_PATTERN).is_ok_and(|re| re.is_match(name));
    if !valid || name.len() > RELEASE_NAME_MAX_LEN {
        return Err(TemplateError::ReleaseName(format!(
            "release name {name:?}: invalid release name, must match regex \
             {RELEASE_NAME_PATTERN} and the length must not be longer than {RELEASE_NAME_MAX_LEN}"
        )));
    }
    Ok(())
}

/// `--name-template`: the release name rendered from a Go template over
/// no data. Errors are Go's own (`template: name-template:…`), not Helm's
/// render errors.
pub fn render_name_template(template: &str) -> Result<String, TemplateError> {
    const NAME: &str = "name-template";
    let mut templates = Templates::new(Rc::new(helm_funcs()));
    templates
        .parse(NAME, template)
        .map_err(|e| TemplateError::NameTemplate(e.0))?;
    templates
        .execute(NAME, Value::Nil, &ExecOptions::default())
        // Helm's `fail` marks its message for the chart render's error
        // formatting; the name template reports Go's plain error.
        .map_err(|e| {
            TemplateError::NameTemplate(
                e.message
                    .replace("HELM_ERR_START", "")
                    .replace("HELM_ERR_END", ""),
            )
        })
}

impl Template {
    /// Renders the chart and returns exactly what `helm template` prints
    /// on standard output; Helm's warnings on the way go to `log`.
    pub fn run(&self, log: &mut dyn Log) -> Result<String, TemplateError> {
        let user = self.values.merge()?;
        let chart = load(&self.chart, log)?;
        check_chart(&chart, log)?;
        // Checked once the chart is loaded, before its dependencies are
        // processed: where Helm checks it, so the same warnings come first.
        if let Err(e) = validate_release_name(&self.release_name) {
            if let TemplateError::ReleaseName(detail) = &e {
                log.log(
                    Record::new(Level::Error, "release name check failed").attr("error", detail),
                );
            }
            return Err(e);
        }
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
        let opts = PrepareOptions {
            include_crds: self.include_crds,
            skip_schema_validation: self.skip_schema_validation,
            ..PrepareOptions::new(release, caps)
        };
        let prepared = prepare(chart, user, &opts, log)?;
        if let Some(dir) = &self.output_dir {
            let wrote = self.write_files(dir, &prepared.chart, &prepared.rendered)?;
            return if self.show_only.is_empty() {
                Ok(wrote + "\n")
            } else {
                self.select("").map(|_| wrote)
            };
        }

        // Helm prints the stored manifest trimmed, then the hooks.
        let mut out = prepared.manifest.trim().to_string();
        out.push('\n');
        if !self.no_hooks {
            for hook in &prepared.rendered.sorted.hooks {
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

    /// `--output-dir`: every manifest appended to the file of its template
    /// (CRDs with `--include-crds`, then manifests, then hooks); returns
    /// the `wrote PATH` lines Helm prints.
    fn write_files(
        &self,
        dir: &str,
        chart: &Chart,
        rendered: &Rendered,
    ) -> Result<String, TemplateError> {
        let base = if self.use_release_name {
            Path::new(dir)
                .join(&self.release_name)
                .display()
                .to_string()
        } else {
            dir.to_string()
        };
        let mut docs: Vec<(String, String)> = Vec::new();
        if self.include_crds {
            for (name, crd) in chart.crd_files() {
                docs.push((name, String::from_utf8_lossy(&crd.data).into_owned()));
            }
        }
        for m in &rendered.sorted.manifests {
            docs.push((m.source.clone(), m.content.clone()));
        }
        if !self.no_hooks {
            for hook in &rendered.sorted.hooks {
                if !(self.skip_tests && hook.is_test()) {
                    let m = &hook.manifest;
                    docs.push((m.source.clone(), m.content.clone()));
                }
            }
        }
        let mut written = BTreeSet::new();
        let mut out = String::new();
        for (name, content) in docs {
            let path = format!("{base}/{name}");
            let append = !written.insert(name.clone());
            write_doc(&path, &name, &content, append).map_err(|source| TemplateError::Write {
                path: path.clone(),
                source,
            })?;
            out.push_str(&format!("wrote {path}\n"));
        }
        Ok(out)
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

fn write_doc(path: &str, name: &str, content: &str, append: bool) -> std::io::Result<()> {
    if let Some(parent) = Path::new(path).parent() {
        fs::create_dir_all(parent)?;
    }
    let mut file = fs::OpenOptions::new()
        .create(true)
        .write(true)
        .append(append)
        .truncate(!append)
        .open(path)?;
    write!(file, "---\n# Source: {name}\n{content}\n")
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
