//! The annotations tests put on objects to steer the simulated
//! controllers: how long until something is ready, and whether it ever is.

use std::time::Duration;

use serde_json::{Map, Value};

/// Delay before the object (or the pods made for it) becomes ready,
/// succeeds or is bound: `500ms`, `2s`, `1m`.
pub const READY_AFTER: &str = "test.kubectl-helm.io/ready-after";

/// `never-ready` (runs but never becomes ready or completes) or `fail`
/// (containers exit with an error; Jobs run out of retries).
pub const OUTCOME: &str = "test.kubectl-helm.io/outcome";

/// `"true"`: the controllers leave the object alone — they write no
/// status on it and make nothing for it — so a test can set the status it
/// needs through the `/status` subresource, as a real controller would,
/// and have it stay.
pub const FROZEN: &str = "test.kubectl-helm.io/frozen";

/// The longest delay honoured, so a typo cannot park a test for hours.
const MAX_DELAY: Duration = Duration::from_secs(3600);

/// How an object's story ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Outcome {
    /// Ready (or successful) once the delay has passed.
    #[default]
    Ready,
    /// Never ready, never finished.
    NeverReady,
    /// Fails once the delay has passed.
    Fail,
}

/// What an object's annotations ask of the controllers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Steering {
    /// How long after the object is first seen its outcome arrives.
    pub delay: Duration,
    /// What happens then.
    pub outcome: Outcome,
}

impl Steering {
    /// Reads the annotations of `object`; unknown values steer nothing.
    pub fn of(object: &Value) -> Self {
        let annotation = |key| object["metadata"]["annotations"][key].as_str();
        Self {
            delay: annotation(READY_AFTER)
                .and_then(parse_duration)
                .unwrap_or_default()
                .min(MAX_DELAY),
            outcome: match annotation(OUTCOME) {
                Some("never-ready") => Outcome::NeverReady,
                Some("fail") => Outcome::Fail,
                _ => Outcome::Ready,
            },
        }
    }
}

/// Whether `object` is annotated [`FROZEN`].
pub fn frozen(object: &Value) -> bool {
    object["metadata"]["annotations"][FROZEN] == "true"
}

/// The steering annotations of `object`, to copy onto what a controller
/// makes for it (a Deployment's ReplicaSet, a ReplicaSet's pods).
pub fn inherited(object: &Value) -> Map<String, Value> {
    object["metadata"]["annotations"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(key, _)| *key == READY_AFTER || *key == OUTCOME)
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect()
}

/// `250ms`, `2s`, `1m`, `1.5s`: a number and a unit.
fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit() && c != '.')?;
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let seconds = match unit {
        "ms" => number / 1000.0,
        "s" => number,
        "m" => number * 60.0,
        _ => return None,
    };
    Duration::try_from_secs_f64(seconds).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn annotations_steer() {
        let object = json!({"metadata": {"annotations": {
            READY_AFTER: "1.5s", OUTCOME: "never-ready", "other": "x"
        }}});
        let steering = Steering::of(&object);
        assert_eq!(steering.delay, Duration::from_millis(1500));
        assert_eq!(steering.outcome, Outcome::NeverReady);
        assert_eq!(inherited(&object).len(), 2);
        assert!(!frozen(&object));
        assert!(frozen(
            &json!({"metadata": {"annotations": {FROZEN: "true"}}})
        ));
        assert!(!frozen(
            &json!({"metadata": {"annotations": {FROZEN: "false"}}})
        ));
        assert_eq!(Steering::of(&json!({})), Steering::default());
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("2m"), Some(Duration::from_secs(120)));
        for bad in ["", "2", "s", "-1s", "2h", "1e999s"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
        let huge = json!({"metadata": {"annotations": {READY_AFTER: "99999999m"}}});
        assert_eq!(Steering::of(&huge).delay, MAX_DELAY);
    }
}
