//! AdmissionReview `admission.k8s.io/v1` in and out: reading a request
//! into a [`policy::Write`], and answering with a [`Judgement`].

use helm::policy::{self, Judgement, Mode, Operation, Violation};
use kube::core::admission::{self, AdmissionRequest, AdmissionResponse, AdmissionReview};
use kube::core::{DynamicObject, Status};
use serde_json::Value;

const API_VERSION: &str = "admission.k8s.io/v1";
const KIND: &str = "AdmissionReview";

/// Why a body is not an AdmissionReview the webhook can answer; the API
/// server gets it back as a 400.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    /// The body is not JSON, or not shaped like an AdmissionReview.
    #[error("malformed AdmissionReview: {0}")]
    Malformed(serde_json::Error),
    /// Another apiVersion or kind than `admission.k8s.io/v1` AdmissionReview.
    #[error(
        "expected apiVersion {API_VERSION:?} and kind {KIND:?}, got {api_version:?} and {kind:?}"
    )]
    WrongType { api_version: String, kind: String },
    /// The review has no `request`.
    #[error("AdmissionReview has no request")]
    NoRequest,
}

/// One request, with its objects as JSON for the rules.
pub struct Review {
    pub request: AdmissionRequest<DynamicObject>,
    object: Option<Value>,
    old_object: Option<Value>,
    field_manager: Option<String>,
}

impl Review {
    /// Reads a request body.
    pub fn parse(body: &[u8]) -> Result<Review, ReviewError> {
        let review: AdmissionReview<DynamicObject> =
            serde_json::from_slice(body).map_err(ReviewError::Malformed)?;
        if review.types.api_version != API_VERSION || review.types.kind != KIND {
            return Err(ReviewError::WrongType {
                api_version: review.types.api_version,
                kind: review.types.kind,
            });
        }
        let mut request: AdmissionRequest<DynamicObject> =
            review.try_into().map_err(|_| ReviewError::NoRequest)?;
        let as_json = |object: Option<DynamicObject>| {
            object
                .map(|o| serde_json::to_value(o).map_err(ReviewError::Malformed))
                .transpose()
        };
        let object = as_json(request.object.take())?;
        let old_object = as_json(request.old_object.take())?;
        let field_manager = request
            .options
            .as_ref()
            .and_then(|o| o.0.get("fieldManager"))
            .and_then(Value::as_str)
            .map(str::to_string);
        Ok(Review {
            request,
            object,
            old_object,
            field_manager,
        })
    }

    /// The parts of the request the rules read.
    pub fn write(&self) -> policy::Write<'_> {
        let request = &self.request;
        policy::Write {
            operation: match request.operation {
                admission::Operation::Create => Operation::Create,
                admission::Operation::Update => Operation::Update,
                admission::Operation::Delete => Operation::Delete,
                admission::Operation::Connect => Operation::Connect,
            },
            group: &request.kind.group,
            kind: &request.kind.kind,
            sub_resource: request.sub_resource.as_deref().unwrap_or_default(),
            name: &request.name,
            namespace: request.namespace.as_deref().unwrap_or_default(),
            user: request.user_info.username.as_deref().unwrap_or_default(),
            groups: request.user_info.groups.as_deref().unwrap_or_default(),
            field_manager: self.field_manager.as_deref(),
            object: self.object.as_ref(),
            old_object: self.old_object.as_ref(),
        }
    }

    /// The operation's name as the API server spells it.
    pub fn operation(&self) -> &'static str {
        match self.request.operation {
            admission::Operation::Create => "CREATE",
            admission::Operation::Update => "UPDATE",
            admission::Operation::Delete => "DELETE",
            admission::Operation::Connect => "CONNECT",
        }
    }
}

/// How one violation reads, in a denial and in a warning:
/// `[rule] message (ChartPolicy name)`. The plugin shows this text, so it
/// stays stable.
pub fn describe(violation: &Violation) -> String {
    format!(
        "[{}] {} (ChartPolicy {})",
        violation.rule.as_str(),
        violation.message,
        violation.policy
    )
}

/// The answer to a request: denied (403, every enforced violation in the
/// message, joined by `; `) when a violation is enforced; `warn`
/// violations as warnings either way; `audit` ones are not sent.
pub fn respond(
    request: &AdmissionRequest<DynamicObject>,
    judgement: &Judgement,
) -> AdmissionResponse {
    let mut response = AdmissionResponse::from(request);
    let warnings: Vec<String> = judgement.with_mode(Mode::Warn).map(describe).collect();
    if !warnings.is_empty() {
        response.warnings = Some(warnings);
    }
    if !judgement.allowed() {
        let reasons: Vec<String> = judgement.with_mode(Mode::Enforce).map(describe).collect();
        let message = reasons.join("; ");
        response = response.deny(&message);
        response.result = Status::failure(&message, "Forbidden");
        response.result.code = 403;
    }
    response
}
