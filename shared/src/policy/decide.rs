//! The webhook's verdict on one write: the consistency rules (records,
//! ownership, managed objects) and, when a release record is created, the
//! ChartPolicy rules. Pure: the webhook reads what [`Facts`] need first.

use serde_json::json;

use super::claims::{self, ReleaseRecords};
use super::compile::Policy;
use super::judge::{self, Judgement, Requester, Subject, Violation};
use super::records::{self, RecordFacts};
use super::rule::Rule;
use super::spec::Mode;
use super::write::{Concern, Operation, Write};
use super::{PROVENANCE_ANNOTATION, SOURCE_ANNOTATION};

/// The name violations of a rule carry when no ChartPolicy sets the rule
/// and its built-in default applies.
pub const DEFAULT_POLICY: &str = "default";

/// Users whose changes to managed objects pass when no policy sets
/// `managedObjects`: the cluster's own controllers (garbage collector,
/// namespace deletion), which act on objects of any release.
const CONTROLLER_USERS: [&str; 2] = [
    "system:serviceaccount:kube-system:",
    "system:kube-controller-manager",
];

/// What the webhook read for a write, by its [`Concern`].
#[derive(Clone, Copy, Debug, Default)]
pub enum Facts<'a> {
    /// For a release record: the release's other records.
    Record(RecordFacts<'a>),
    /// For an object claiming a release: the records of the release it
    /// claims and of the one it claimed before.
    Owned {
        claimed: ReleaseRecords<'a>,
        previous: ReleaseRecords<'a>,
    },
    #[default]
    Unrelated,
}

/// Decides a write.
pub fn decide(policies: &[Policy], write: &Write<'_>, facts: &Facts<'_>) -> Judgement {
    let requester = Requester {
        user: write.user,
        groups: write.groups,
    };
    let mut found = Findings {
        policies,
        write,
        requester,
        violations: Vec::new(),
    };
    match (write.concern(), facts) {
        (Concern::Record { .. }, Facts::Record(record_facts)) => {
            let check = records::check_record(write, record_facts);
            for problem in check.problems {
                found.consistency(Rule::ReleaseRecords, problem);
            }
            // Chart policy is judged once, when the record is created:
            // before any object of the release or revision exists.
            if let (Some(release), Operation::Create, Some(object)) =
                (&check.release, write.operation, write.object)
            {
                let annotation =
                    |key: &str| object.pointer("/metadata/annotations")?.get(key)?.as_str();
                let subject = Subject {
                    release,
                    source: annotation(SOURCE_ANNOTATION),
                    signer: annotation(PROVENANCE_ANNOTATION),
                };
                match judge::judge_release(policies, &subject, &requester) {
                    Ok(judgement) => found.violations.extend(judgement.violations),
                    Err(e) => found.consistency(
                        Rule::ReleaseRecords,
                        format!("release record {}: its manifest, {e}", write.name),
                    ),
                }
            }
        }
        (
            Concern::Owned { claimed, previous },
            Facts::Owned {
                claimed: claimed_records,
                previous: previous_records,
            },
        ) => {
            if let Some((namespace, name)) = &claimed {
                let before = previous
                    .as_ref()
                    .map(|(ns, n)| ((ns.as_str(), n.as_str()), *previous_records));
                match claims::check_ownership(write, (namespace, name), *claimed_records, before) {
                    Ok(problems) => problems
                        .into_iter()
                        .for_each(|p| found.consistency(Rule::Ownership, p)),
                    Err(e) => found.consistency(
                        Rule::Ownership,
                        format!("release {name:?}: its manifest, {e}"),
                    ),
                }
            }
            if let Some((namespace, name)) = &previous {
                let managers = found.allowed_managers();
                if let Some(problem) = claims::check_managed_change(
                    write,
                    (namespace, name),
                    *previous_records,
                    &managers,
                ) {
                    found.consistency(Rule::ManagedObjects, problem);
                }
            }
        }
        _ => {}
    }
    Judgement {
        violations: found.violations,
    }
}

struct Findings<'a> {
    policies: &'a [Policy],
    write: &'a Write<'a>,
    requester: Requester<'a>,
    violations: Vec<Violation>,
}

impl Findings<'_> {
    /// The field managers any policy setting `managedObjects` allows.
    fn allowed_managers(&self) -> Vec<String> {
        self.policies
            .iter()
            .filter_map(|p| p.spec.managed_objects.as_ref())
            .flat_map(|r| r.field_managers.iter().cloned())
            .collect()
    }

    /// Records a broken consistency rule with the mode the policies give
    /// it: the strictest among the policies that set the rule and do not
    /// exempt the write, or the rule's default when none sets it.
    fn consistency(&mut self, rule: Rule, reason: String) {
        let setters: Vec<&Policy> = self
            .policies
            .iter()
            .filter(|p| rule.mode_in(&p.spec).is_some())
            .collect();
        if setters.is_empty() {
            if rule == Rule::ManagedObjects && is_controller(self.write.user) {
                return;
            }
            if let Some(mode) = rule.default_mode() {
                self.violations.push(Violation {
                    policy: DEFAULT_POLICY.to_string(),
                    rule,
                    mode,
                    message: reason,
                });
            }
            return;
        }
        let strictest = setters
            .into_iter()
            .filter(|p| !p.exempts(self.write.namespace, &self.requester))
            .filter_map(|p| Some((strictness(rule.mode_in(&p.spec)?), p)))
            .min_by_key(|(rank, _)| *rank);
        let Some((_, policy)) = strictest else {
            return;
        };
        let mode = rule.mode_in(&policy.spec).unwrap_or_default();
        let mut context = self
            .write
            .current()
            .map(judge::object_context)
            .unwrap_or_default();
        context.insert("policy", &policy.name);
        context.insert("reason", &reason);
        context.insert(
            "request",
            &json!({"user": self.write.user, "namespace": self.write.namespace}),
        );
        let message = policy.message(rule, &context);
        self.violations.push(Violation {
            policy: policy.name.clone(),
            rule,
            mode,
            message,
        });
    }
}

fn strictness(mode: Mode) -> u8 {
    match mode {
        Mode::Enforce => 0,
        Mode::Warn => 1,
        Mode::Audit => 2,
    }
}

fn is_controller(user: &str) -> bool {
    CONTROLLER_USERS
        .iter()
        .any(|prefix| user.starts_with(prefix))
}
