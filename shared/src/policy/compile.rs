//! A ChartPolicy read from its object and made ready to judge with: glob
//! patterns compiled, version ranges parsed, message templates parsed.
//! Everything an admin can get wrong is reported here, naming the field,
//! so judging itself cannot fail on the policy.

use globset::{Glob, GlobMatcher, GlobSet, GlobSetBuilder};
use serde_json::Value;
use tera::Tera;

use super::Rule;
use super::spec::{API_VERSION, ChartPolicy, ChartPolicySpec, KIND};
use crate::constraints::Constraint;
use crate::manifest;

/// A policy that cannot be used, and where it is wrong.
#[derive(Debug, thiserror::Error)]
#[error("ChartPolicy {policy:?}: {field}: {reason}")]
pub struct PolicyError {
    pub policy: String,
    /// The dotted path of the offending field (`spec.charts.allow[0].versions`).
    pub field: String,
    pub reason: String,
}

/// A ChartPolicy ready to judge with.
pub struct Policy {
    pub name: String,
    pub spec: ChartPolicySpec,
    pub(super) exempt_namespaces: GlobSet,
    pub(super) exempt_users: GlobSet,
    pub(super) exempt_groups: GlobSet,
    pub(super) sources: GlobSet,
    pub(super) charts: Vec<(GlobMatcher, Option<Constraint>)>,
    pub(super) signers: GlobSet,
    pub(super) namespaces: Vec<(GlobMatcher, GlobSet)>,
    pub(super) denied_names: Vec<Option<GlobMatcher>>,
    /// One template per rule: the admin's message or ours.
    pub(super) messages: Tera,
}

impl Policy {
    /// Reads a ChartPolicy object (as the API server returns it).
    pub fn from_object(object: &Value) -> Result<Policy, PolicyError> {
        let name = object
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let fail = |field: &str, reason: String| PolicyError {
            policy: name.to_string(),
            field: field.to_string(),
            reason,
        };
        let api_version = object
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if api_version != API_VERSION {
            return Err(fail(
                "apiVersion",
                format!("is {api_version:?}, want {API_VERSION:?}"),
            ));
        }
        let kind = object
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if kind != KIND {
            return Err(fail("kind", format!("is {kind:?}, want {KIND:?}")));
        }
        if name.is_empty() {
            return Err(fail("metadata.name", "must be set".into()));
        }
        let spec_value = object
            .get("spec")
            .cloned()
            .unwrap_or(Value::Object(Default::default()));
        let spec: ChartPolicySpec = serde_path_to_error::deserialize(spec_value).map_err(|e| {
            let path = e.path().to_string();
            let field = if path == "." {
                "spec".to_string()
            } else {
                format!("spec.{path}")
            };
            fail(&field, e.into_inner().to_string())
        })?;
        compile(ChartPolicy {
            name: name.to_string(),
            spec,
        })
    }

    /// Reads every ChartPolicy of a YAML file (documents separated by
    /// `---`), as `policy check -f` takes them.
    pub fn from_yaml(text: &str) -> Result<Vec<Policy>, PolicyError> {
        let objects =
            super::objects::parse_documents(manifest::split(text).into_iter()).map_err(|e| {
                PolicyError {
                    policy: String::new(),
                    field: format!("document {}", e.index),
                    reason: e.reason,
                }
            })?;
        let policies = objects
            .iter()
            .map(Policy::from_object)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(policies)
    }
}

fn compile(policy: ChartPolicy) -> Result<Policy, PolicyError> {
    let ChartPolicy { name, spec } = policy;
    let fail = |field: String, reason: String| PolicyError {
        policy: name.clone(),
        field,
        reason,
    };
    let globs = |field: &str, patterns: &[String]| -> Result<GlobSet, PolicyError> {
        let mut set = GlobSetBuilder::new();
        for (i, pattern) in patterns.iter().enumerate() {
            set.add(
                Glob::new(pattern)
                    .map_err(|e| fail(format!("{field}[{i}]"), e.kind().to_string()))?,
            );
        }
        set.build()
            .map_err(|e| fail(field.to_string(), e.to_string()))
    };
    let glob = |field: String, pattern: &str| -> Result<GlobMatcher, PolicyError> {
        Glob::new(pattern)
            .map(|g| g.compile_matcher())
            .map_err(|e| fail(field, e.kind().to_string()))
    };

    let exempt = &spec.exemptions;
    let exempt_namespaces = globs("spec.exemptions.namespaces", &exempt.namespaces)?;
    let exempt_users = globs("spec.exemptions.users", &exempt.users)?;
    let exempt_groups = globs("spec.exemptions.groups", &exempt.groups)?;
    let sources = globs(
        "spec.sources.allow",
        spec.sources.as_ref().map_or(&[], |r| &r.allow),
    )?;
    let signers = globs(
        "spec.provenance.signers",
        spec.provenance.as_ref().map_or(&[], |r| &r.signers),
    )?;

    let mut charts = Vec::new();
    for (i, allowed) in spec.charts.iter().flat_map(|r| &r.allow).enumerate() {
        let field = format!("spec.charts.allow[{i}]");
        let versions = match &allowed.versions {
            Some(range) => Some(
                Constraint::parse(range)
                    .map_err(|e| fail(format!("{field}.versions"), e.to_string()))?,
            ),
            None => None,
        };
        charts.push((glob(format!("{field}.name"), &allowed.name)?, versions));
    }
    let mut namespaces = Vec::new();
    for (i, rule) in spec.namespaces.iter().flat_map(|r| &r.rules).enumerate() {
        let field = format!("spec.namespaces.rules[{i}]");
        namespaces.push((
            glob(format!("{field}.chart"), &rule.chart)?,
            globs(&format!("{field}.namespaces"), &rule.namespaces)?,
        ));
    }
    let mut denied_names = Vec::new();
    for (i, denied) in spec.denied_kinds.iter().flat_map(|r| &r.kinds).enumerate() {
        let name = match &denied.name {
            Some(pattern) => Some(glob(format!("spec.deniedKinds.kinds[{i}].name"), pattern)?),
            None => None,
        };
        denied_names.push(name);
    }

    let mut messages = Tera::default();
    for rule in Rule::ALL {
        let (field, custom) = match rule.message_of(&spec) {
            Some(text) => (format!("spec.{}.message", rule.as_str()), text),
            None => (String::new(), rule.default_message()),
        };
        messages
            .add_raw_template(rule.as_str(), custom)
            .map_err(|e| fail(field, e.to_string()))?;
    }

    Ok(Policy {
        name,
        spec,
        exempt_namespaces,
        exempt_users,
        exempt_groups,
        sources,
        charts,
        signers,
        namespaces,
        denied_names,
        messages,
    })
}
