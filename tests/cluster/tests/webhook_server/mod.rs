//! A validating admission webhook for tests: HTTPS on loopback with its
//! own CA, answering by path, and recording every AdmissionReview it
//! receives.
//!
//! Paths: `/allow`; `/deny` (a message, no code); `/deny-forbidden`
//! (code 403, reason `Forbidden`); `/warn` (allows with two warnings);
//! `/slow` (allows after [`SLOW`]); `/wrong-uid` (answers another uid);
//! `/error` (a plain-text 500).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Json;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use base64::Engine as _;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use serde_json::{Value, json};

/// How long `/slow` waits before answering.
pub const SLOW: Duration = Duration::from_secs(3);

/// The Service name the certificate is also valid for.
pub const SERVICE_HOST: &str = "hook.webhooks.svc";

/// One review the webhook received.
#[derive(Debug, Clone)]
pub struct Received {
    /// The request path.
    pub path: String,
    /// The request query (`timeout=10s`).
    pub query: String,
    /// The AdmissionReview body.
    pub review: Value,
}

type Log = Arc<Mutex<Vec<Received>>>;

/// A running webhook; dropping it stops it.
pub struct WebhookServer {
    runtime: Option<tokio::runtime::Runtime>,
    address: SocketAddr,
    ca_pem: String,
    log: Log,
}

impl WebhookServer {
    /// Starts the webhook on 127.0.0.1 with a free port.
    pub fn start() -> Self {
        let ca_key = KeyPair::generate().expect("CA key");
        let mut ca_params = CertificateParams::default();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca = CertifiedIssuer::self_signed(ca_params, ca_key).expect("CA");
        let key = KeyPair::generate().expect("key");
        let params = CertificateParams::new(vec![
            "127.0.0.1".to_owned(),
            "localhost".to_owned(),
            SERVICE_HOST.to_owned(),
        ])
        .expect("params");
        let cert = params.signed_by(&key, &ca).expect("certificate");
        Self::serve(&cert.pem(), &key.serialize_pem(), ca.pem())
    }

    /// Starts the webhook on 127.0.0.1 with a free port, serving the
    /// certificate `cert_pem` (signed by `ca_pem`) with `key_pem`.
    #[allow(dead_code, reason = "each test binary uses part of this module")]
    pub fn start_with(cert_pem: &str, key_pem: &str, ca_pem: &str) -> Self {
        Self::serve(cert_pem, key_pem, ca_pem.to_owned())
    }

    fn serve(cert_pem: &str, key_pem: &str, ca_pem: String) -> Self {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_no_client_auth()
            .with_single_cert(
                vec![CertificateDer::from_pem_slice(cert_pem.as_bytes()).expect("PEM")],
                PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).expect("PEM"),
            )
            .expect("TLS config");
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));

        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let address = listener.local_addr().expect("address");
        let log: Log = Arc::default();
        let router = axum::Router::new().fallback(answer).with_state(log.clone());
        runtime.spawn(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let (acceptor, router) = (acceptor.clone(), router.clone());
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(stream).await else {
                        return;
                    };
                    let _ = auto::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(tls), TowerToHyperService::new(router))
                        .await;
                });
            }
        });
        Self {
            runtime: Some(runtime),
            address,
            ca_pem,
            log,
        }
    }

    /// Where it listens.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// `https://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("https://{}{path}", self.address)
    }

    /// The `caBundle` that trusts it.
    pub fn ca_bundle(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(&self.ca_pem)
    }

    /// Every review received whose request names `namespace`.
    pub fn received_in(&self, namespace: &str) -> Vec<Received> {
        self.received_where(|request| request["namespace"] == namespace)
    }

    /// Every review received whose request satisfies `select`.
    pub fn received_where(&self, select: impl Fn(&Value) -> bool) -> Vec<Received> {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .filter(|r| select(&r.review["request"]))
            .cloned()
            .collect()
    }
}

impl Drop for WebhookServer {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

async fn answer(State(log): State<Log>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    let query = request.uri().query().unwrap_or_default().to_owned();
    let body = axum::body::to_bytes(request.into_body(), 16 * 1024 * 1024)
        .await
        .unwrap_or_default();
    let review: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let uid = review["request"]["uid"].clone();
    log.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(Received {
            path: path.clone(),
            query,
            review,
        });
    let response = match path.as_str() {
        "/deny" => json!({"uid": uid, "allowed": false,
            "status": {"message": "configmaps named forbidden-* are not allowed"}}),
        "/deny-forbidden" => json!({"uid": uid, "allowed": false,
            "status": {"code": 403, "reason": "Forbidden", "message": "policy says no"}}),
        "/warn" => json!({"uid": uid, "allowed": true,
            "warnings": ["first warning", "second \"quoted\" warning"]}),
        "/slow" => {
            tokio::time::sleep(SLOW).await;
            json!({"uid": uid, "allowed": true})
        }
        "/wrong-uid" => json!({"uid": "not-the-request-uid", "allowed": true}),
        "/error" => {
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, "text/plain")],
                "boom\n",
            )
                .into_response();
        }
        _ => json!({"uid": uid, "allowed": true}),
    };
    let review = json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "response": response});
    Json(review).into_response()
}
