//! One webhook call: an HTTPS POST of the AdmissionReview that trusts only
//! the webhook's `caBundle`, bounded by its timeout, and the checks
//! kube-apiserver makes on the answer.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{Request, header};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http_body_util::{BodyExt as _, Full, Limited};
use hyper_util::rt::TokioIo;
use rustls::RootCertStore;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use serde_json::Value;
use tokio_rustls::TlsConnector;

/// The largest webhook answer read; a longer one is a failed call.
const MAX_RESPONSE_BYTES: usize = 3 * 1024 * 1024;

/// Where one call goes.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// The address connected to (always loopback).
    pub address: SocketAddr,
    /// The name the certificate must be valid for.
    pub server_name: String,
    /// `host[:port]` for the `Host` header.
    pub authority: String,
    /// Path and query of the POST, with `?timeout=Ns` as client-go adds it.
    pub path_and_query: String,
}

impl Endpoint {
    /// The URL as Go prints it in errors: `https://authority/path?timeout=10s`.
    pub fn url(&self) -> String {
        format!("https://{}{}", self.authority, self.path_and_query)
    }
}

/// Why a call gave no usable answer. The texts follow what
/// kube-apiserver puts after `failed calling webhook "NAME": `.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// The connection, TLS, the HTTP exchange or the timeout failed.
    #[error("failed to call webhook: Post \"{url}\": {reason}")]
    Transport {
        /// The URL posted to.
        url: String,
        /// What went wrong, in Go's words where they are known.
        reason: String,
    },
    /// The webhook answered with an error status, or with a body that is
    /// not JSON.
    #[error("failed to call webhook: {0}")]
    Response(String),
    /// The webhook answered, but not with a valid AdmissionReview.
    #[error("received invalid webhook response: {0}")]
    InvalidResponse(String),
}

/// The verdict of one webhook.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// `response.allowed`.
    pub allowed: bool,
    /// `response.status`, when given.
    pub status: Option<Value>,
    /// `response.warnings`.
    pub warnings: Vec<String>,
}

/// POSTs `review` (whose request uid is `uid`) and checks the answer.
pub async fn call(
    endpoint: &Endpoint,
    ca_bundle: Option<&str>,
    review: &Value,
    uid: &str,
    timeout: Duration,
) -> Result<Verdict, CallError> {
    let answer = match tokio::time::timeout(timeout, exchange(endpoint, ca_bundle, review)).await {
        Ok(answer) => answer?,
        Err(_) => {
            return Err(CallError::Transport {
                url: endpoint.url(),
                reason: "context deadline exceeded".to_owned(),
            });
        }
    };
    verify(&answer, uid).map_err(CallError::InvalidResponse)
}

/// Connects, shakes hands, posts and decodes the answer.
async fn exchange(
    endpoint: &Endpoint,
    ca_bundle: Option<&str>,
    review: &Value,
) -> Result<Value, CallError> {
    let transport = |reason: String| CallError::Transport {
        url: endpoint.url(),
        reason,
    };
    let connector = connector(ca_bundle).map_err(transport)?;
    let server_name = ServerName::try_from(endpoint.server_name.clone()).map_err(|e| {
        transport(format!(
            "invalid server name {:?}: {e}",
            endpoint.server_name
        ))
    })?;
    let tcp = tokio::net::TcpStream::connect(endpoint.address)
        .await
        .map_err(|e| transport(dial_error(endpoint.address, &e)))?;
    let tls = connector
        .connect(server_name, tcp)
        .await
        .map_err(|e| transport(tls_error(&e, &endpoint.server_name)))?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
        .await
        .map_err(|e| transport(e.to_string()))?;
    // Drives the connection; it ends when `sender` is dropped.
    tokio::spawn(connection);
    let request = Request::post(&endpoint.path_and_query)
        .header(header::HOST, &endpoint.authority)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, "application/json, */*")
        .header(header::USER_AGENT, "kube-apiserver-admission")
        .body(Full::new(Bytes::from(review.to_string())))
        .map_err(|e| transport(e.to_string()))?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| transport(e.to_string()))?;
    let status = response.status();
    let is_text = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/"));
    let body = Limited::new(response.into_body(), MAX_RESPONSE_BYTES)
        .collect()
        .await
        .map_err(|e| transport(e.to_string()))?
        .to_bytes();
    if !status.is_success() {
        let text = String::from_utf8_lossy(&body);
        return Err(CallError::Response(unexpected_status(
            status.as_u16(),
            is_text.then(|| text.trim()),
        )));
    }
    serde_json::from_slice(&body).map_err(|e| {
        CallError::Response(format!("couldn't get version/kind; json parse error: {e}"))
    })
}

/// client-go's error for an answer that is not a 2xx and carries no
/// Status; `text` is the body of a `text/*` answer.
fn unexpected_status(code: u16, text: Option<&str>) -> String {
    let server_message = text.unwrap_or("unknown");
    let fixed = match code {
        400 => "the server rejected our request for an unknown reason",
        401 => "the server has asked for the client to provide credentials",
        403 => server_message,
        404 => "the server could not find the requested resource",
        405 => "the server does not allow this method on the requested resource",
        409 => "the server reported a conflict",
        422 => "the server rejected our request due to an error in our request",
        429 => "the server has received too many requests and has asked us to try again later",
        504 => {
            "the server was unable to return a response in the time allotted, but may still be \
             processing the request"
        }
        500.. => {
            return format!(
                "an error on the server ({server_message:?}) has prevented the request from \
                 succeeding"
            );
        }
        _ => {
            return format!(
                "the server responded with the status code {code} but did not return more \
                 information"
            );
        }
    };
    fixed.to_owned()
}

/// TLS that trusts exactly the PEM certificates of `caBundle` (none when
/// it is absent: this cluster has no system roots to fall back on).
fn connector(ca_bundle: Option<&str>) -> Result<TlsConnector, String> {
    let mut roots = RootCertStore::empty();
    if let Some(bundle) = ca_bundle.filter(|b| !b.is_empty()) {
        let pem = STANDARD
            .decode(bundle)
            .map_err(|e| format!("illegal base64 data in caBundle: {e}"))?;
        for certificate in CertificateDer::pem_slice_iter(&pem) {
            let certificate =
                certificate.map_err(|e| format!("unable to load root certificates: {e}"))?;
            roots
                .add(certificate)
                .map_err(|e| format!("unable to load root certificates: {e}"))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(TlsConnector::from(Arc::new(config)))
}

/// Go's dial errors for the common cases.
fn dial_error(address: SocketAddr, error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::ConnectionRefused => {
            format!("dial tcp {address}: connect: connection refused")
        }
        _ => format!("dial tcp {address}: {error}"),
    }
}

/// Go's certificate errors for the common cases.
fn tls_error(error: &std::io::Error, server_name: &str) -> String {
    use rustls::CertificateError;
    let rustls_error = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>());
    match rustls_error {
        Some(rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer)) => {
            "tls: failed to verify certificate: x509: certificate signed by unknown authority"
                .to_owned()
        }
        Some(rustls::Error::InvalidCertificate(CertificateError::NotValidForNameContext {
            presented,
            ..
        })) => format!(
            "tls: failed to verify certificate: {}",
            hostname_error(server_name, presented)
        ),
        Some(rustls::Error::InvalidCertificate(CertificateError::NotValidForName)) => format!(
            "tls: failed to verify certificate: x509: certificate is not valid for any names, \
             but wanted to match {server_name}"
        ),
        Some(other) => format!("tls: {other}"),
        None => error.to_string(),
    }
}

/// Go's `x509.HostnameError`: the certificate's names of the kind asked
/// for (IP addresses for an IP, DNS names otherwise) and the one wanted.
/// `presented` holds webpki's renderings, `DnsName("x")` and
/// `IpAddress(1.2.3.4)`.
fn hostname_error(host: &str, presented: &[String]) -> String {
    let wants_ip = host.parse::<std::net::IpAddr>().is_ok();
    let names: Vec<&str> = presented
        .iter()
        .filter_map(|name| match wants_ip {
            true => name.strip_prefix("IpAddress(")?.strip_suffix(')'),
            false => name.strip_prefix("DnsName(\"")?.strip_suffix("\")"),
        })
        .collect();
    match (names.is_empty(), wants_ip) {
        (true, true) => format!(
            "x509: cannot validate certificate for {host} because it doesn't contain any IP SANs"
        ),
        (true, false) => {
            format!("x509: certificate is not valid for any names, but wanted to match {host}")
        }
        (false, _) => format!(
            "x509: certificate is valid for {}, not {host}",
            names.join(", ")
        ),
    }
}

/// kube-apiserver's checks of a validating webhook's AdmissionReview.
fn verify(answer: &Value, uid: &str) -> Result<Verdict, String> {
    let api_version = answer["apiVersion"].as_str().unwrap_or_default();
    let kind = answer["kind"].as_str().unwrap_or_default();
    let Some(response) = answer.get("response").filter(|r| r.is_object()) else {
        return Err("webhook response was absent".to_owned());
    };
    let got = response["uid"].as_str().unwrap_or_default();
    if got != uid {
        return Err(format!("expected response.uid={uid:?}, got {got:?}"));
    }
    if (api_version, kind) != ("admission.k8s.io/v1", "AdmissionReview") {
        return Err(format!(
            "expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got {api_version}, Kind={kind}"
        ));
    }
    if response
        .get("patch")
        .and_then(Value::as_str)
        .is_some_and(|p| !p.is_empty())
    {
        return Err("validating webhook may not return response.patch".to_owned());
    }
    if response.get("patchType").is_some_and(|p| !p.is_null()) {
        return Err("validating webhook may not return response.patchType".to_owned());
    }
    Ok(Verdict {
        allowed: response["allowed"].as_bool().unwrap_or(false),
        status: response.get("status").filter(|s| s.is_object()).cloned(),
        warnings: response["warnings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn name_mismatches_read_as_go_reports_them() {
        let presented = [
            "IpAddress(127.0.0.1)".to_owned(),
            "DnsName(\"localhost\")".to_owned(),
            "DnsName(\"hook.webhooks.svc\")".to_owned(),
        ];
        assert_eq!(
            hostname_error("other.webhooks.svc", &presented),
            "x509: certificate is valid for localhost, hook.webhooks.svc, not other.webhooks.svc"
        );
        assert_eq!(
            hostname_error("127.0.0.2", &presented),
            "x509: certificate is valid for 127.0.0.1, not 127.0.0.2"
        );
        assert_eq!(
            hostname_error("::1", &presented[1..]),
            "x509: cannot validate certificate for ::1 because it doesn't contain any IP SANs"
        );
    }

    #[test]
    fn error_statuses_read_as_client_go_reports_them() {
        assert_eq!(
            unexpected_status(500, Some("boom")),
            "an error on the server (\"boom\") has prevented the request from succeeding"
        );
        assert_eq!(
            unexpected_status(503, None),
            "an error on the server (\"unknown\") has prevented the request from succeeding"
        );
        assert_eq!(
            unexpected_status(404, Some("x")),
            "the server could not find the requested resource"
        );
        assert_eq!(
            unexpected_status(302, None),
            "the server responded with the status code 302 but did not return more information"
        );
    }

    #[test]
    fn answers_must_match_the_request() {
        let ok = json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
            "response": {"uid": "u", "allowed": false, "status": {"code": 403, "message": "no"}, "warnings": ["w"]}});
        assert_eq!(
            verify(&ok, "u"),
            Ok(Verdict {
                allowed: false,
                status: Some(json!({"code": 403, "message": "no"})),
                warnings: vec!["w".into()],
            })
        );
        assert_eq!(
            verify(&ok, "v"),
            Err("expected response.uid=\"v\", got \"u\"".into())
        );
        let mut old = ok.clone();
        old["apiVersion"] = json!("admission.k8s.io/v1beta1");
        assert_eq!(
            verify(&old, "u"),
            Err("expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got admission.k8s.io/v1beta1, Kind=AdmissionReview".into())
        );
        assert_eq!(
            verify(&json!({}), "u"),
            Err("webhook response was absent".into())
        );
        let mut patched = ok;
        patched["response"]["patch"] = json!("W10=");
        assert_eq!(
            verify(&patched, "u"),
            Err("validating webhook may not return response.patch".into())
        );
    }
}
