//! The HTTP routes: `POST /validate`, `/healthz`, `/readyz`, `/metrics`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use helm::policy::{self, Judgement};

use crate::facts::{Cluster, FactsError, Source};
use crate::metrics::Metrics;
use crate::review::{self, Review, ReviewError};

/// What the handlers share.
#[derive(Debug)]
pub struct App {
    /// Where facts come from.
    pub cluster: Cluster,
    /// The counters `/metrics` shows.
    pub metrics: Arc<Metrics>,
    /// Time allowed for one decision.
    pub deadline: Duration,
}

/// The router, refusing bodies over `max_body_bytes` with 413 (the
/// stream is cut there, not read whole).
pub fn router(app: Arc<App>, max_body_bytes: usize) -> Router {
    Router::new()
        .route("/validate", post(validate))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .layer(axum::middleware::from_fn_with_state(
            max_body_bytes,
            refuse_declared_oversize,
        ))
        .with_state(app)
}

/// Answers 413 at once when the declared length is over the limit, so the
/// body is never read (the body limit covers bodies sent without one).
async fn refuse_declared_oversize(
    State(max): State<usize>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("request body over {max} bytes\n"),
        )
            .into_response();
    }
    next.run(request).await
}

async fn readyz(State(app): State<Arc<App>>) -> Response {
    if app.cluster.is_ready() {
        "ok".into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "caches not synced\n").into_response()
    }
}

async fn metrics(State(app): State<Arc<App>>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        app.metrics.render(),
    )
        .into_response()
}

/// Why a request got no verdict.
#[derive(Debug, thiserror::Error)]
enum Failure {
    #[error(transparent)]
    Review(#[from] ReviewError),
    #[error("cannot decide: {0}")]
    Facts(#[from] FactsError),
    #[error("cannot decide within the {0:?} deadline")]
    Deadline(Duration),
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        // A 5xx makes the API server apply the webhook's failurePolicy.
        let status = match self {
            Failure::Review(_) => StatusCode::BAD_REQUEST,
            Failure::Facts(_) | Failure::Deadline(_) => StatusCode::SERVICE_UNAVAILABLE,
        };
        (status, format!("{self}\n")).into_response()
    }
}

async fn validate(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let started = Instant::now();
    let review = match Review::parse(&body) {
        Ok(review) => review,
        Err(e) => {
            app.metrics.bad_review();
            tracing::warn!(error = %e, "bad AdmissionReview");
            return Failure::from(e).into_response();
        }
    };
    // The body is no longer needed; a 1 MiB record should not be held twice.
    drop(body);
    let uid = review.request.uid.clone();
    let decided = tokio::time::timeout(app.deadline, judge(&app, &review)).await;
    let judgement = match decided {
        Ok(Ok(judgement)) => judgement,
        Ok(Err(e)) => return fail(&uid, e.into()),
        Err(_) => return fail(&uid, Failure::Deadline(app.deadline)),
    };
    let answer = review::respond(&review.request, &judgement);
    app.metrics.request(review.operation());
    for v in &judgement.violations {
        app.metrics.violation(v.rule.as_str(), v.mode.as_str());
    }
    app.metrics.latency(started.elapsed().as_secs_f64());
    let write = review.write();
    let rules: Vec<String> = judgement
        .violations
        .iter()
        .map(|v| format!("{}:{}:{}", v.rule.as_str(), v.mode.as_str(), v.policy))
        .collect();
    tracing::info!(
        uid = %uid,
        operation = review.operation(),
        kind = write.kind,
        namespace = write.namespace,
        name = write.name,
        user = write.user,
        allowed = answer.allowed,
        rules = ?rules,
        messages = ?judgement.violations.iter().map(review::describe).collect::<Vec<_>>(),
        "verdict"
    );
    axum::Json(answer.into_review()).into_response()
}

fn fail(uid: &str, failure: Failure) -> Response {
    tracing::error!(uid = %uid, error = %failure, "no verdict");
    failure.into_response()
}

/// Decides a request: from the caches first; a violation found there is
/// checked again against the server, so a stale cache never denies.
async fn judge(app: &App, review: &Review) -> Result<Judgement, FactsError> {
    let write = review.write();
    let concern = write.concern();
    if concern == policy::Concern::Unrelated {
        return Ok(Judgement::default());
    }
    let policies = app.cluster.policies().await?;
    let gathered = app.cluster.gather(&write, &concern, Source::Cache).await?;
    let judgement = policy::decide(&policies, &write, &gathered.facts());
    if judgement.violations.is_empty() || matches!(concern, policy::Concern::Record { .. }) {
        return Ok(judgement);
    }
    let gathered = app.cluster.gather(&write, &concern, Source::Server).await?;
    Ok(policy::decide(&policies, &write, &gathered.facts()))
}
