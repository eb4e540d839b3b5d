//! How Helm 4 turns the statuses of a release's objects into its decision
//! to stop waiting, and into the error it returns when it stops short.
//!
//! A [`Progress`] starts with every object [`Status::Unknown`], takes each
//! status a watch reports, says when the wait is [`done`](Progress::done),
//! and gives the [`outcome`](Progress::outcome): for an install or upgrade
//! every object must end Current (a Failed one stops the wait early, since
//! only a person can fix it); for a deletion every object must be gone.

use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

use serde_json::Value;

use super::{Status, group_kind};

/// The message of an object the watch saw deleted (or never found), with
/// [`Status::NotFound`].
pub const NOT_FOUND_MESSAGE: &str = "Resource not found";

/// The timeout Helm's status waits use when given none (zero), rather than
/// giving up at once.
pub const ZERO_TIMEOUT_FALLBACK: Duration = Duration::from_secs(30);

/// The identity of an object in a wait: its group, kind, namespace and
/// name (the version does not matter).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectId {
    /// API group, empty for the core group.
    pub group: String,
    /// Kind.
    pub kind: String,
    /// Namespace, empty for cluster-scoped objects.
    pub namespace: String,
    /// Name.
    pub name: String,
}

impl ObjectId {
    /// The identity of `object` from its apiVersion, kind and metadata
    /// (missing parts empty).
    pub fn of(object: &Value) -> Self {
        let (group, kind) = group_kind(object);
        let metadata = |field: &str| {
            object
                .get("metadata")
                .and_then(|m| m.get(field))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        ObjectId {
            group: group.to_string(),
            kind: kind.to_string(),
            namespace: metadata("namespace"),
            name: metadata("name"),
        }
    }
}

impl fmt::Display for ObjectId {
    /// `Kind/namespace/name`, as Helm names an object in its wait errors.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.kind, self.namespace, self.name)
    }
}

/// What a wait is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Goal {
    /// Install, upgrade, rollback and hooks: every object Current.
    Ready,
    /// Uninstall and deletions: every object NotFound. Objects still there
    /// are judged by [`super::readers::WaitFor::Resources`]; a deleted one
    /// is NotFound with [`NOT_FOUND_MESSAGE`].
    Deleted,
}

impl Goal {
    /// The status every object must reach.
    pub fn desired(self) -> Status {
        match self {
            Goal::Ready => Status::Current,
            Goal::Deleted => Status::NotFound,
        }
    }
}

/// The latest status and message of one object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observed {
    /// The object.
    pub id: ObjectId,
    /// Its latest status ([`Status::Unknown`] until a watch reports it).
    pub status: Status,
    /// The message that came with it (empty when unknown).
    pub message: String,
}

/// The state of one wait over a list of objects.
#[derive(Clone, Debug)]
pub struct Progress {
    goal: Goal,
    /// The objects in the order Helm was given them (repeats kept: Helm
    /// reports a repeated object once per occurrence).
    order: Vec<ObjectId>,
    /// Each distinct object's latest observation.
    latest: HashMap<ObjectId, Observed>,
}

impl Progress {
    /// A wait for `goal` over `objects`, none of them observed yet.
    pub fn new(goal: Goal, objects: Vec<ObjectId>) -> Self {
        let latest = objects
            .iter()
            .map(|id| {
                let unknown = Observed {
                    id: id.clone(),
                    status: Status::Unknown,
                    message: String::new(),
                };
                (id.clone(), unknown)
            })
            .collect();
        Progress {
            goal,
            order: objects,
            latest,
        }
    }

    /// Records that `id` now has `status` with `message`. Objects the wait
    /// is not about are ignored, as Helm's collector ignores them.
    pub fn observe(&mut self, id: &ObjectId, status: Status, message: impl Into<String>) {
        if let Some(entry) = self.latest.get_mut(id) {
            entry.status = status;
            entry.message = message.into();
        }
    }

    /// The latest observation of `id`, if the wait is about it.
    pub fn get(&self, id: &ObjectId) -> Option<&Observed> {
        self.latest.get(id)
    }

    /// Whether Helm stops waiting now, asked after each event of the watch
    /// (never before the first): when the objects that still count all
    /// have the desired status. For [`Goal::Ready`] a Failed object no
    /// longer counts; for [`Goal::Deleted`] an Unknown one does not (it may
    /// have gone before the watch began).
    pub fn done(&self) -> bool {
        let desired = self.goal.desired();
        let counted: Vec<Status> = self
            .latest
            .values()
            .map(|o| o.status)
            .filter(|status| !self.ignored(*status))
            .collect();
        aggregate(&counted, desired) == desired
    }

    /// The object Helm names in its debug log while it waits: among those
    /// that count and lack the desired status, the first by name.
    pub fn first_pending(&self) -> Option<&Observed> {
        let desired = self.goal.desired();
        self.latest
            .values()
            .filter(|o| !self.ignored(o.status) && o.status != desired)
            .min_by(|a, b| a.id.name.cmp(&b.id.name).then_with(|| a.id.cmp(&b.id)))
    }

    /// The wait's result once it stopped, `deadline_exceeded` telling
    /// whether its time ran out: every object short of its goal, in the
    /// order given, then the deadline, as one error.
    pub fn outcome(&self, deadline_exceeded: bool) -> Result<(), WaitError> {
        let mut problems: Vec<Option<Problem>> = self
            .order
            .iter()
            .filter_map(|id| self.latest.get(id))
            .filter(|o| !self.satisfied(o.status))
            .map(|o| Problem {
                goal: self.goal,
                observed: o.clone(),
            })
            .map(Some)
            .collect();
        if deadline_exceeded {
            problems.push(None);
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(WaitError { problems })
        }
    }

    /// Statuses the stop decision leaves out.
    fn ignored(&self, status: Status) -> bool {
        match self.goal {
            Goal::Ready => status == Status::Failed,
            Goal::Deleted => status == Status::Unknown,
        }
    }

    /// Statuses the final result accepts.
    fn satisfied(&self, status: Status) -> bool {
        match self.goal {
            Goal::Ready => status == Status::Current,
            Goal::Deleted => matches!(status, Status::NotFound | Status::Unknown),
        }
    }
}

/// kstatus' aggregate of many statuses toward `desired`: Failed if any
/// failed, else Unknown if any is unknown, else `desired` if all have it
/// (or there are none), else InProgress.
pub fn aggregate(statuses: &[Status], desired: Status) -> Status {
    if statuses.contains(&Status::Failed) {
        Status::Failed
    } else if statuses.contains(&Status::Unknown) {
        Status::Unknown
    } else if statuses.iter().all(|s| *s == desired) {
        desired
    } else {
        Status::InProgress
    }
}

/// One object short of its goal.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Problem {
    goal: Goal,
    observed: Observed,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.goal {
            Goal::Ready => "not ready",
            Goal::Deleted => "still exists",
        };
        write!(
            f,
            "resource {} {what}. status: {}, message: {}",
            self.observed.id, self.observed.status, self.observed.message
        )
    }
}

/// Why a wait failed, displayed as Helm joins its errors: one line per
/// object short of its goal, then `context deadline exceeded` when the
/// time ran out.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.lines().join("\n"))]
pub struct WaitError {
    /// The objects short of their goal in order, `None` standing for the
    /// deadline (always last).
    problems: Vec<Option<Problem>>,
}

/// The words of Go's `context.DeadlineExceeded`.
pub const DEADLINE_EXCEEDED: &str = "context deadline exceeded";

impl WaitError {
    /// The objects short of their goal, in order.
    pub fn unsatisfied(&self) -> impl Iterator<Item = &Observed> {
        self.problems.iter().flatten().map(|p| &p.observed)
    }

    /// Whether the time ran out.
    pub fn deadline_exceeded(&self) -> bool {
        self.problems.iter().any(Option::is_none)
    }

    fn lines(&self) -> Vec<String> {
        self.problems
            .iter()
            .map(|p| match p {
                Some(problem) => problem.to_string(),
                None => DEADLINE_EXCEEDED.to_string(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(kind: &str, name: &str) -> ObjectId {
        let group = match kind {
            "Deployment" => "apps",
            "Job" => "batch",
            _ => "",
        };
        ObjectId {
            group: group.to_string(),
            kind: kind.to_string(),
            namespace: "default".to_string(),
            name: name.to_string(),
        }
    }

    fn web() -> ObjectId {
        id("Deployment", "web")
    }

    fn cfg() -> ObjectId {
        id("ConfigMap", "cfg")
    }

    #[test]
    fn install_times_out_with_helms_words() {
        // What the reference helm printed after `install --wait --timeout 3s`
        // of a Deployment no controller acts on, beside a ConfigMap.
        let mut progress = Progress::new(Goal::Ready, vec![web(), cfg()]);
        assert!(!progress.done(), "unknown statuses keep it waiting");
        progress.observe(&cfg(), Status::Current, "Resource is always ready");
        progress.observe(&web(), Status::InProgress, "Replicas: 0/1");
        assert!(!progress.done());
        let error = progress.outcome(true).expect_err("timed out");
        assert_eq!(
            error.to_string(),
            "resource Deployment/default/web not ready. status: InProgress, message: Replicas: 0/1\n\
             context deadline exceeded"
        );
        assert!(error.deadline_exceeded());
        assert_eq!(error.unsatisfied().count(), 1);
    }

    #[test]
    fn install_succeeds_once_everything_is_current() {
        let mut progress = Progress::new(Goal::Ready, vec![web(), cfg()]);
        progress.observe(&cfg(), Status::Current, "Resource is always ready");
        progress.observe(
            &web(),
            Status::Current,
            "Deployment is available. Replicas: 1",
        );
        assert!(progress.done());
        assert_eq!(progress.outcome(false), Ok(()));
    }

    #[test]
    fn a_failed_object_ends_the_wait_early_and_is_reported() {
        let job = id("Job", "migrate");
        let mut progress = Progress::new(Goal::Ready, vec![web(), job.clone()]);
        progress.observe(&job, Status::Failed, "Job Failed. failed: 7/1");
        assert!(!progress.done(), "web is still unknown");
        progress.observe(
            &web(),
            Status::Current,
            "Deployment is available. Replicas: 1",
        );
        assert!(progress.done());
        assert_eq!(
            progress.outcome(false).map_err(|e| e.to_string()),
            Err("resource Job/default/migrate not ready. status: Failed, message: Job Failed. failed: 7/1".to_string())
        );
    }

    #[test]
    fn an_object_never_observed_is_unknown_with_no_message() {
        let progress = Progress::new(Goal::Ready, vec![cfg()]);
        assert_eq!(
            progress.outcome(true).map_err(|e| e.to_string()),
            Err(
                "resource ConfigMap/default/cfg not ready. status: Unknown, message: \n\
                 context deadline exceeded"
                    .to_string()
            )
        );
    }

    #[test]
    fn deletion_waits_for_not_found_and_forgives_unknown() {
        let mut progress = Progress::new(Goal::Deleted, vec![web(), cfg()]);
        progress.observe(
            &web(),
            Status::Terminating,
            "Resource scheduled for deletion",
        );
        assert!(!progress.done());
        assert_eq!(
            progress.outcome(true).map_err(|e| e.to_string()),
            Err(
                "resource Deployment/default/web still exists. status: Terminating, \
                 message: Resource scheduled for deletion\ncontext deadline exceeded"
                    .to_string()
            )
        );
        progress.observe(&web(), Status::NotFound, "Resource not found");
        assert!(progress.done(), "cfg, never seen, may be long gone");
        assert_eq!(progress.outcome(false), Ok(()));
    }

    #[test]
    fn repeated_objects_are_reported_per_occurrence_and_others_ignored() {
        let mut progress = Progress::new(Goal::Ready, vec![cfg(), cfg()]);
        progress.observe(&web(), Status::Current, "ignored");
        assert!(progress.get(&web()).is_none());
        let error = progress.outcome(false).expect_err("cfg unknown");
        assert_eq!(error.unsatisfied().count(), 2);
        assert!(!error.deadline_exceeded());
    }

    #[test]
    fn nothing_to_wait_for_is_done_at_once() {
        let progress = Progress::new(Goal::Ready, Vec::new());
        assert!(progress.done());
        assert_eq!(progress.outcome(false), Ok(()));
        // A deadline alone is still an error.
        assert_eq!(
            progress.outcome(true).map_err(|e| e.to_string()),
            Err(DEADLINE_EXCEEDED.to_string())
        );
    }

    #[test]
    fn the_pending_object_logged_is_the_first_by_name() {
        let mut progress = Progress::new(Goal::Ready, vec![web(), cfg(), id("Job", "a-job")]);
        progress.observe(&id("Job", "a-job"), Status::Failed, "");
        progress.observe(&web(), Status::InProgress, "Replicas: 0/1");
        let pending = progress.first_pending().expect("one pending");
        assert_eq!(pending.id, cfg(), "failed ones are not waited for");
    }

    #[test]
    fn identities_from_objects() {
        let deployment = serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "default"}});
        assert_eq!(ObjectId::of(&deployment), web());
        let crd = serde_json::json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "widgets.example.com"}});
        assert_eq!(
            ObjectId::of(&crd).to_string(),
            "CustomResourceDefinition//widgets.example.com"
        );
    }

    #[test]
    fn aggregation() {
        use Status::*;
        let cases: [(&[Status], Status, Status); 7] = [
            (&[], Current, Current),
            (&[Current, Current], Current, Current),
            (&[Current, InProgress], Current, InProgress),
            (&[Unknown, InProgress], Current, Unknown),
            (&[Unknown, Failed], Current, Failed),
            (&[NotFound, NotFound], NotFound, NotFound),
            (&[NotFound, Terminating], NotFound, InProgress),
        ];
        for (statuses, desired, expected) in cases {
            assert_eq!(aggregate(statuses, desired), expected, "{statuses:?}");
        }
    }
}
