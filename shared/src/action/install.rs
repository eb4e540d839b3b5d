//! `helm install` without the cluster: the release name, and the release
//! record an install creates, from a chart and the user's values.
//!
//! What talks to the cluster (the name's availability in storage, CRDs,
//! creating the objects, hooks, waiting) is not here: [`Install::build`]
//! gives the record in Helm's `pending-install` state, and
//! [`mark_dry_run`], [`mark_deployed`] and [`mark_failed`] move it on as
//! Helm does.

use std::collections::BTreeMap;

use super::prepare::{PrepareError, PrepareOptions, Prepared, prepare};
use super::render::ReleaseOptions;
use super::template::{TemplateError, render_name_template, validate_release_name};
use crate::chart::{Capabilities, Chart};
use crate::engine::Value;
use crate::engine::value::Map;
use crate::log::Log;
use crate::release::{
    ApplyMethod, DecodeError, Info, Release, Status, StoredChart, Time, engine_map,
};
use crate::storage::SYSTEM_LABELS;

/// The options of `helm install` that shape the release record.
#[derive(Clone, Debug)]
pub struct Install {
    /// The release's name (already chosen, see [`name_and_chart`]).
    pub release_name: String,
    /// The namespace the release lives in.
    pub namespace: String,
    /// `--description`: the description once the install completes.
    pub description: String,
    /// `--labels`: the release's own labels.
    pub labels: BTreeMap<String, String>,
    /// `--server-side` (Helm 4's default): recorded as `ssa`, else `csa`.
    pub server_side: bool,
    /// `--skip-schema-validation`
    pub skip_schema_validation: bool,
    /// `--hide-secret`: needs a dry run.
    pub hide_secret: bool,
    /// Whether this is a dry run (`--dry-run=client|server`).
    pub dry_run: bool,
    /// `--render-subchart-notes`
    pub subchart_notes: bool,
}

impl Default for Install {
    /// Helm's defaults: server-side apply, no dry run, namespace `default`.
    fn default() -> Install {
        Install {
            release_name: String::new(),
            namespace: "default".into(),
            description: String::new(),
            labels: BTreeMap::new(),
            server_side: true,
            skip_schema_validation: false,
            hide_secret: false,
            dry_run: false,
            subchart_notes: false,
        }
    }
}

/// Why an install could not build its release, worded as Helm words it.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    /// `--hide-secret` without a dry run.
    #[error("hiding Kubernetes secrets requires a dry-run mode")]
    HideSecretNeedsDryRun,
    /// The release name is not a valid name.
    #[error("release name check failed: {0}")]
    ReleaseName(String),
    /// `--labels` uses a label Helm's storage owns.
    #[error(
        "user supplied labels contains system reserved label name. System labels: [{}]",
        SYSTEM_LABELS.join(" ")
    )]
    SystemLabels,
    /// The chart could not be prepared (dependencies, values, rendering).
    #[error(transparent)]
    Prepare(#[from] PrepareError),
    /// A value the record cannot hold (as JSON) came out of the chart or
    /// the user's values.
    #[error("the release record cannot hold the chart or values: {0}")]
    Record(#[from] DecodeError),
}

/// Why the command line does not name a release, worded as Helm words it.
#[derive(Debug, thiserror::Error)]
pub enum NameError {
    /// More than `NAME CHART`.
    #[error("expected at most two arguments, unexpected arguments: {0}")]
    TooManyArguments(String),
    /// A name and `--generate-name`.
    #[error("cannot set --generate-name and also specify a name")]
    NameAndGenerate,
    /// A name and `--name-template`.
    #[error("cannot set --name-template and also specify a name")]
    NameAndTemplate,
    /// No name, no template, no `--generate-name`.
    #[error("must either provide a name or specify --generate-name")]
    Missing,
    /// The name template failed to parse or run.
    #[error("{0}")]
    Template(String),
}

/// Helm's `NameAndChart`: the release name and the chart argument from
/// `args` (`[NAME] CHART`), `--name-template` and `--generate-name`
/// (`CHARTBASE-UNIXSECONDS`, with `now` the time to stamp).
pub fn name_and_chart(
    args: &[String],
    generate_name: bool,
    name_template: &str,
    now: Time,
) -> Result<(String, String), NameError> {
    match args {
        [name, chart] => {
            if generate_name {
                Err(NameError::NameAndGenerate)
            } else if !name_template.is_empty() {
                Err(NameError::NameAndTemplate)
            } else {
                Ok((name.clone(), chart.clone()))
            }
        }
        [chart] => {
            if !name_template.is_empty() {
                let name = render_name_template(name_template).map_err(|e| match e {
                    TemplateError::NameTemplate(msg) => NameError::Template(msg),
                    other => NameError::Template(other.to_string()),
                })?;
                return Ok((name, chart.clone()));
            }
            if !generate_name {
                return Err(NameError::Missing);
            }
            Ok((generated_name(chart, now), chart.clone()))
        }
        [] => Err(NameError::Missing),
        [_, _, rest @ ..] => Err(NameError::TooManyArguments(rest.join(", "))),
    }
}

/// `--generate-name`: the chart's base name up to its first dot, then the
/// time in seconds.
fn generated_name(chart: &str, now: Time) -> String {
    let base = go_base(chart);
    let base = if base == "." { "chart" } else { base };
    let base = base.split('.').next().unwrap_or_default();
    format!("{base}-{}", now.unix())
}

/// Go's `filepath.Base`: the last element, trailing slashes dropped; "."
/// for an empty path, "/" for slashes only.
fn go_base(path: &str) -> &str {
    if path.is_empty() {
        return ".";
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/";
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed)
}

impl Install {
    /// The release this install records, before anything is applied:
    /// revision 1, `pending-install`, "Initial install underway", stamped
    /// `now`; with the prepared chart, whose manifest the cluster side
    /// applies. Rendering uses `caps`.
    pub fn build(
        &self,
        chart: Chart,
        user: Map,
        caps: Capabilities,
        now: Time,
        log: &mut dyn Log,
    ) -> Result<(Release, Prepared), InstallError> {
        if self.hide_secret && !self.dry_run {
            return Err(InstallError::HideSecretNeedsDryRun);
        }
        validate_release_name(&self.release_name).map_err(|e| match e {
            TemplateError::ReleaseName(msg) => InstallError::ReleaseName(msg),
            other => InstallError::ReleaseName(other.to_string()),
        })?;
        let release = ReleaseOptions {
            name: self.release_name.clone(),
            namespace: self.namespace.clone(),
            revision: 1,
            is_install: true,
            is_upgrade: false,
        };
        let opts = PrepareOptions {
            skip_schema_validation: self.skip_schema_validation,
            hide_secret: self.hide_secret,
            subchart_notes: self.subchart_notes,
            ..PrepareOptions::new(release, caps)
        };
        let prepared = prepare(chart, user, &opts, log);
        // Helm checks the labels after the values, before rendering.
        let reserved = self
            .labels
            .keys()
            .any(|k| SYSTEM_LABELS.contains(&k.as_str()));
        let prepared = match prepared {
            Err(PrepareError::Render(_)) | Ok(_) if reserved => {
                return Err(InstallError::SystemLabels);
            }
            other => other?,
        };
        let release = self.record(&prepared, now)?;
        Ok((release, prepared))
    }

    fn record(&self, prepared: &Prepared, now: Time) -> Result<Release, InstallError> {
        Ok(Release {
            name: self.release_name.clone(),
            info: Some(Info {
                first_deployed: now,
                last_deployed: now,
                description: "Initial install underway".into(),
                status: Some(Status::PendingInstall),
                notes: prepared.notes.clone(),
                ..Info::default()
            }),
            chart: Some(StoredChart::from_chart(&prepared.chart)?),
            config: engine_map(&Value::Map(prepared.config.clone()))?,
            manifest: prepared.manifest.clone(),
            hooks: prepared.hooks.clone(),
            version: 1,
            namespace: self.namespace.clone(),
            labels: self.labels.clone(),
            apply_method: if self.server_side {
                ApplyMethod::ServerSide
            } else {
                ApplyMethod::ClientSide
            },
        })
    }
}

/// The time Helm stamps a release with: `time.Now()`, in the local zone.
pub fn now() -> Time {
    Time::from(chrono::Local::now().fixed_offset())
}

/// A dry run stops here: the record says so, and stays `pending-install`.
pub fn mark_dry_run(release: &mut Release) {
    release.info.get_or_insert_with(Info::default).description = "Dry run complete".into();
}

/// A completed install: `deployed`, with the user's `--description` or
/// Helm's "Install complete".
pub fn mark_deployed(release: &mut Release, description: &str) {
    let description = if description.is_empty() {
        "Install complete"
    } else {
        description
    };
    set_status(release, Status::Deployed, description);
}

/// A failed install: `failed`, with Helm's wording of `error`.
pub fn mark_failed(release: &mut Release, error: &str) {
    let description = format!("Release {:?} failed: {error}", release.name);
    set_status(release, Status::Failed, &description);
}

fn set_status(release: &mut Release, status: Status, description: &str) {
    let info = release.info.get_or_insert_with(Info::default);
    info.status = Some(status);
    info.description = description.to_string();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn names_as_helm_chooses_them() {
        let now = Time::parse("2026-11-22T02:59:02Z").unwrap();
        let pick = |a: &[&str], g: bool, t: &str| name_and_chart(&args(a), g, t, now);
        assert_eq!(pick(&["a", "c"], false, "").unwrap().0, "a");
        assert_eq!(
            pick(&["charts/podinfo-1.2.tgz"], true, "").unwrap().0,
            "podinfo-1-1795316342"
        );
        assert_eq!(pick(&["."], true, "").unwrap().0, "chart-1795316342");
        assert_eq!(pick(&["web/"], true, "").unwrap().0, "web-1795316342");
        assert_eq!(pick(&[".."], true, "").unwrap().0, "-1795316342");
        assert_eq!(pick(&["c"], false, "x-{{ 1 }}").unwrap().0, "x-1");
        assert!(matches!(pick(&["c"], false, ""), Err(NameError::Missing)));
        assert!(matches!(
            pick(&["a", "c"], true, ""),
            Err(NameError::NameAndGenerate)
        ));
        assert!(matches!(
            pick(&["a", "c"], false, "x"),
            Err(NameError::NameAndTemplate)
        ));
        assert_eq!(
            pick(&["a", "b", "c", "d"], false, "")
                .unwrap_err()
                .to_string(),
            "expected at most two arguments, unexpected arguments: c, d"
        );
    }

    fn fixture() -> Chart {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures/charts/hook-annotations");
        crate::chart::load(&dir, &mut Vec::<String>::new()).expect("the fixture chart loads")
    }

    fn user() -> Map {
        match crate::codec::yaml::from_str("a: 1\n").expect("values") {
            Value::Map(m) => m,
            other => panic!("not a map: {other:?}"),
        }
    }

    #[test]
    fn builds_the_pending_record() {
        let now = Time::parse("2026-11-22T02:59:02Z").unwrap();
        let install = Install {
            release_name: "web".into(),
            namespace: "prod".into(),
            labels: BTreeMap::from([("team".into(), "x".into())]),
            ..Install::default()
        };
        let (rel, prepared) = install
            .build(
                fixture(),
                user(),
                Capabilities::default(),
                now,
                &mut Vec::<String>::new(),
            )
            .expect("builds");
        let info = rel.info.as_ref().expect("info");
        assert_eq!(info.status, Some(Status::PendingInstall));
        assert_eq!(info.description, "Initial install underway");
        assert_eq!((info.first_deployed, info.last_deployed), (now, now));
        assert_eq!(info.notes, "A note for web.\n");
        assert_eq!((rel.version, rel.namespace.as_str()), (1, "prod"));
        assert_eq!(rel.apply_method, ApplyMethod::ServerSide);
        assert_eq!(rel.labels["team"], "x");
        assert!(rel.to_json().contains(r#""config":{"a":1}"#));
        assert_eq!(rel.hooks.len(), 3);
        assert_eq!(rel.manifest, prepared.manifest);
    }

    #[test]
    fn refuses_what_helm_refuses() {
        let now = Time::ZERO;
        let build = |install: Install| {
            install
                .build(
                    fixture(),
                    user(),
                    Capabilities::default(),
                    now,
                    &mut Vec::<String>::new(),
                )
                .map(|_| ())
        };
        let named = |name: &str| Install {
            release_name: name.into(),
            ..Install::default()
        };
        assert!(matches!(
            build(Install {
                hide_secret: true,
                ..named("web")
            }),
            Err(InstallError::HideSecretNeedsDryRun)
        ));
        assert!(matches!(
            build(named("Web")),
            Err(InstallError::ReleaseName(_))
        ));
        let err = build(Install {
            labels: BTreeMap::from([("owner".into(), "me".into())]),
            ..named("web")
        })
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "user supplied labels contains system reserved label name. System labels: \
             [name owner status version createdAt modifiedAt]"
        );
    }

    #[test]
    fn status_changes_word_as_helm() {
        let mut rel = Release {
            name: "web".into(),
            ..Release::default()
        };
        mark_failed(&mut rel, "boom");
        let info = rel.info.as_ref().unwrap();
        assert_eq!(info.description, "Release \"web\" failed: boom");
        assert_eq!(info.status, Some(Status::Failed));
        mark_deployed(&mut rel, "");
        assert_eq!(rel.info.as_ref().unwrap().description, "Install complete");
        mark_deployed(&mut rel, "mine");
        assert_eq!(rel.info.as_ref().unwrap().description, "mine");
        mark_dry_run(&mut rel);
        assert_eq!(rel.info.unwrap().description, "Dry run complete");
    }
}
