//! Judging a release record against ChartPolicies: a pure function of the
//! record, what the client recorded beside it, who asks, and the policies.

use serde_json::{Value, json};
use tera::Context;

use super::compile::Policy;
use super::objects::{self, ManifestError};
use super::rule::Rule;
use super::spec::Mode;
use crate::constraints::parse_version;
use crate::release::Release;

/// Who is writing the record, for exemptions.
#[derive(Clone, Copy, Debug)]
pub struct Requester<'a> {
    pub user: &'a str,
    pub groups: &'a [String],
}

/// A release record and what the client said about its chart.
#[derive(Clone, Copy, Debug)]
pub struct Subject<'a> {
    pub release: &'a Release,
    /// Where the chart came from ([`super::SOURCE_ANNOTATION`]), when the
    /// client recorded it.
    pub source: Option<&'a str>,
    /// Who signed the chart's provenance file, when the client verified
    /// one ([`super::PROVENANCE_ANNOTATION`]).
    pub signer: Option<&'a str>,
}

/// A broken rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub policy: String,
    pub rule: Rule,
    pub mode: Mode,
    pub message: String,
}

/// Every violation of every policy; the write is allowed unless one is
/// enforced.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Judgement {
    pub violations: Vec<Violation>,
}

impl Judgement {
    /// Whether no enforced rule is broken.
    pub fn allowed(&self) -> bool {
        self.with_mode(Mode::Enforce).next().is_none()
    }

    /// The violations of rules in `mode`.
    pub fn with_mode(&self, mode: Mode) -> impl Iterator<Item = &Violation> {
        self.violations.iter().filter(move |v| v.mode == mode)
    }
}

/// Judges a release record against every policy that applies to the
/// requester and the release's namespace.
pub fn judge_release(
    policies: &[Policy],
    subject: &Subject<'_>,
    requester: &Requester<'_>,
) -> Result<Judgement, ManifestError> {
    let mut judgement = Judgement::default();
    let namespace = subject.release.namespace.as_str();
    let applicable: Vec<&Policy> = policies
        .iter()
        .filter(|p| !p.exempts(namespace, requester))
        .collect();
    if applicable.is_empty() {
        return Ok(judgement);
    }
    let objects = objects::release_objects(subject.release)?;
    for policy in applicable {
        let mut judge = Judge {
            policy,
            subject,
            base: base_context(policy, subject),
            violations: &mut judgement.violations,
        };
        judge.chart_rules();
        judge.object_rules(&objects);
    }
    Ok(judgement)
}

impl Policy {
    /// Whether this policy leaves writes in `namespace` by `requester` alone.
    pub(super) fn exempts(&self, namespace: &str, requester: &Requester<'_>) -> bool {
        self.exempt_namespaces.is_match(namespace)
            || self.exempt_users.is_match(requester.user)
            || requester
                .groups
                .iter()
                .any(|g| self.exempt_groups.is_match(g))
    }

    /// The rule's message for `context`. An admin's template can still
    /// fail on data (a variable this rule does not have): the violation
    /// stands, and says why its message is missing.
    pub(super) fn message(&self, rule: Rule, context: &Context) -> String {
        self.messages
            .render(rule.as_str(), context)
            .unwrap_or_else(|e| {
                format!(
                    "ChartPolicy {} rule {} (message template failed: {e})",
                    self.name,
                    rule.as_str()
                )
            })
    }
}

fn chart_identity(release: &Release) -> (&str, &str, &str) {
    match release.chart.as_ref().and_then(|c| c.metadata.as_ref()) {
        Some(m) => (&m.name, &m.version, &m.app_version),
        None => ("", "", ""),
    }
}

fn base_context(policy: &Policy, subject: &Subject<'_>) -> Context {
    let release = subject.release;
    let (name, version, app_version) = chart_identity(release);
    let mut context = Context::new();
    context.insert("policy", &policy.name);
    context.insert(
        "release",
        &json!({"name": release.name, "namespace": release.namespace, "version": release.version}),
    );
    context.insert(
        "chart",
        &json!({"name": name, "version": version, "appVersion": app_version}),
    );
    context.insert("source", &subject.source.unwrap_or_default());
    context.insert("signer", &subject.signer.unwrap_or_default());
    context
}

struct Judge<'a> {
    policy: &'a Policy,
    subject: &'a Subject<'a>,
    base: Context,
    violations: &'a mut Vec<Violation>,
}

impl Judge<'_> {
    fn chart_rules(&mut self) {
        let spec = &self.policy.spec;
        let release = self.subject.release;
        let (chart, version, _) = chart_identity(release);

        if let Some(rule) = &spec.sources {
            let allowed = match self.subject.source {
                Some(source) => self.policy.sources.is_match(source),
                None => rule.allow_unknown,
            };
            if !allowed {
                self.report(Rule::Sources, Context::new());
            }
        }
        if spec.charts.is_some() {
            let parsed = parse_version(version).ok();
            let allowed = self.policy.charts.iter().any(|(name, range)| {
                name.is_match(chart)
                    && match range {
                        None => true,
                        Some(range) => parsed.as_ref().is_some_and(|v| range.matches(v)),
                    }
            });
            if !allowed {
                self.report(Rule::Charts, Context::new());
            }
        }
        if let Some(rule) = &spec.provenance {
            let allowed = match self.subject.signer {
                Some(signer) => rule.signers.is_empty() || self.policy.signers.is_match(signer),
                None => false,
            };
            if !allowed {
                self.report(Rule::Provenance, Context::new());
            }
        }
        if spec.namespaces.is_some() {
            let denied = self.policy.namespaces.iter().any(|(pattern, namespaces)| {
                pattern.is_match(chart) && !namespaces.is_match(&release.namespace)
            });
            if denied {
                self.report(Rule::Namespaces, Context::new());
            }
        }
    }

    fn object_rules(&mut self, objects: &[Value]) {
        let spec = &self.policy.spec;
        if let Some(rule) = &spec.max_objects
            && objects.len() > rule.limit
        {
            let mut extra = Context::new();
            extra.insert("count", &objects.len());
            extra.insert("limit", &rule.limit);
            self.report(Rule::MaxObjects, extra);
        }
        for object in objects {
            if let Some(rule) = &spec.denied_kinds {
                let id = objects::identity(object);
                let denied =
                    rule.kinds
                        .iter()
                        .zip(&self.policy.denied_names)
                        .any(|(kind, name)| {
                            kind.kind == id.kind
                                && kind.api_group.as_deref().is_none_or(|g| g == id.group)
                                && name.as_ref().is_none_or(|n| n.is_match(id.name))
                                && kind.fields.iter().all(|(path, want)| {
                                    objects::field_text(object, path).as_deref() == Some(want)
                                })
                        });
                if denied {
                    self.report(Rule::DeniedKinds, object_context(object));
                }
            }
            if let Some(rule) = &spec.image_registries {
                for image in objects::images(object) {
                    let full = objects::normalise_image(image);
                    if !rule
                        .allow
                        .iter()
                        .any(|prefix| objects::image_under(&full, prefix))
                    {
                        let mut extra = object_context(object);
                        extra.insert("image", image);
                        self.report(Rule::ImageRegistries, extra);
                    }
                }
            }
            if let Some(rule) = &spec.required_labels {
                let labels = object
                    .pointer("/metadata/labels")
                    .and_then(Value::as_object);
                for label in &rule.labels {
                    if !labels.is_some_and(|l| l.contains_key(label)) {
                        let mut extra = object_context(object);
                        extra.insert("label", label);
                        self.report(Rule::RequiredLabels, extra);
                    }
                }
            }
        }
    }

    fn report(&mut self, rule: Rule, extra: Context) {
        let Some(mode) = rule.mode_in(&self.policy.spec) else {
            return;
        };
        let mut context = self.base.clone();
        context.extend(extra);
        let message = self.policy.message(rule, &context);
        self.violations.push(Violation {
            policy: self.policy.name.clone(),
            rule,
            mode,
            message,
        });
    }
}

pub(super) fn object_context(object: &Value) -> Context {
    let id = objects::identity(object);
    let mut context = Context::new();
    let api_version = object
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or_default();
    context.insert(
        "object",
        &json!({"apiVersion": api_version, "kind": id.kind, "name": id.name, "namespace": id.namespace}),
    );
    context
}
