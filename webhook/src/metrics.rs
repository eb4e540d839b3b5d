//! What `/metrics` reports, in the Prometheus text format.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabels {
    operation: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct VerdictLabels {
    rule: String,
    mode: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DecodeLabels {
    /// `review` (an AdmissionReview body) or `release` (a stored record).
    what: String,
}

/// The webhook's counters and histogram.
pub struct Metrics {
    registry: Registry,
    requests: Family<OperationLabels, Counter>,
    violations: Family<VerdictLabels, Counter>,
    latency: Histogram,
    decode_failures: Family<DecodeLabels, Counter>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// Registers every metric under the `kubectl_helm_webhook` prefix.
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("kubectl_helm_webhook");
        let requests = Family::<OperationLabels, Counter>::default();
        registry.register(
            "admission_requests",
            "AdmissionReviews answered, by operation",
            requests.clone(),
        );
        let violations = Family::<VerdictLabels, Counter>::default();
        registry.register(
            "violations",
            "Broken rules found, by rule and mode (enforce denies, warn warns, audit is only counted)",
            violations.clone(),
        );
        // 0.5 ms to ~4 s: the API server gives up at the webhook's timeout.
        let latency = Histogram::new(prometheus_client::metrics::histogram::exponential_buckets(
            0.0005, 2.0, 14,
        ));
        registry.register(
            "decision_seconds",
            "Time from a request's body read to its answer",
            latency.clone(),
        );
        let decode_failures = Family::<DecodeLabels, Counter>::default();
        registry.register(
            "decode_failures",
            "Bodies that could not be decoded: AdmissionReviews (what=review) and release records (what=release)",
            decode_failures.clone(),
        );
        Metrics {
            registry,
            requests,
            violations,
            latency,
            decode_failures,
        }
    }

    /// Counts a request answered.
    pub fn request(&self, operation: &str) {
        self.requests
            .get_or_create(&OperationLabels {
                operation: operation.to_string(),
            })
            .inc();
    }

    /// Counts a broken rule.
    pub fn violation(&self, rule: &str, mode: &str) {
        self.violations
            .get_or_create(&VerdictLabels {
                rule: rule.to_string(),
                mode: mode.to_string(),
            })
            .inc();
    }

    /// Records how long a decision took.
    pub fn latency(&self, seconds: f64) {
        self.latency.observe(seconds);
    }

    /// Counts an AdmissionReview body that was not one.
    pub fn bad_review(&self) {
        self.decode_failure("review");
    }

    /// Counts a release record that could not be decoded.
    pub fn bad_release(&self) {
        self.decode_failure("release");
    }

    fn decode_failure(&self, what: &str) {
        self.decode_failures
            .get_or_create(&DecodeLabels {
                what: what.to_string(),
            })
            .inc();
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}
