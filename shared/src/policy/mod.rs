//! ChartPolicy: what cluster admins allow, and how a release is judged
//! against it. The webhook enforces it when a release record is written;
//! the plugin asks the same question before installing (`policy check`).
//!
//! A [`Policy`] is compiled from the custom resource ([`spec`] is its
//! schema); [`judge_release`] takes the policies, a [`Subject`] (the
//! record, and the chart's source and signer as the client recorded them)
//! and the [`Requester`], and returns a [`Judgement`]: every [`Violation`]
//! with the rule's [`Mode`]. No I/O happens here.
//!
//! The webhook's whole verdict on a write is [`decide`]: the [`Write`]
//! says what it [concerns](Concern), the webhook reads those [`Facts`]
//! (a release's other records, the records of the release an object
//! claims), and `decide` applies the consistency rules (`releaseRecords`,
//! `ownership`, `managedObjects`, which hold with built-in modes even
//! without a ChartPolicy) and, when a release record is created, every
//! ChartPolicy rule.

mod claims;
mod compile;
mod decide;
mod judge;
pub mod objects;
mod records;
mod rule;
mod source;
pub mod spec;
mod write;

pub use claims::{HELM_FIELD_MANAGER, ReleaseRecords};
pub use compile::{Policy, PolicyError};
pub use decide::{DEFAULT_POLICY, Facts, decide};
pub use judge::{Judgement, Requester, Subject, Violation, judge_release};
pub use records::{RecordFacts, RecordLabels};
pub use rule::Rule;
pub use source::chart_source;
pub use spec::Mode;
pub use write::{Concern, Operation, Write};

/// The annotation on a release record (Secret or ConfigMap) in which
/// `kubectl helm` records where the chart came from: a repository URL with
/// the chart name, an `oci://` reference, or a local path. Plain `helm`
/// writes none, so such records have an unknown source.
pub const SOURCE_ANNOTATION: &str = "policy.kubectl-helm.io/chart-source";

/// The annotation in which `kubectl helm --verify` records who signed the
/// chart's provenance file.
pub const PROVENANCE_ANNOTATION: &str = "policy.kubectl-helm.io/signed-by";

#[cfg(test)]
mod consistency_tests;
#[cfg(test)]
mod tests;
