//! A connection to the cluster: the kube-rs client for Helm's settings,
//! with client-go's rate limiting in front of every request and the
//! errors worded as Helm shows them.

use serde::de::DeserializeOwned;

use super::config::{ConfigError, client_config};
use super::discovery::ResourceCache;
use super::throttle::Throttle;
use crate::settings::EnvSettings;

/// Why a request to the cluster failed.
#[derive(Debug, thiserror::Error)]
pub enum KubeError {
    /// No client configuration could be built.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The client could not be set up (TLS material, for one).
    #[error("{0}")]
    Client(String),
    /// The API server answered with an error status; the text is its
    /// message, as client-go's `StatusError` prints it.
    #[error("{message}")]
    Api {
        /// The HTTP status code (404, 409, …).
        code: u16,
        /// The machine-readable reason (`NotFound`, `AlreadyExists`, …).
        reason: String,
        message: String,
    },
    /// The server was not reached, or its answer was not readable.
    #[error("{method} {url:?}: {message}")]
    Transport {
        method: String,
        url: String,
        message: String,
    },
    /// Discovery knows no resource of this kind in this API version.
    #[error("no matches for kind {kind:?} in version {api_version:?}")]
    NoMatch { api_version: String, kind: String },
    /// A request was built with a name the API cannot address.
    #[error("invalid object name {0:?}")]
    InvalidName(String),
}

impl KubeError {
    /// The API server said the object does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, KubeError::Api { code: 404, .. })
    }

    /// The API server said the object exists already.
    pub fn is_already_exists(&self) -> bool {
        matches!(self, KubeError::Api { reason, code: 409, .. } if reason == "AlreadyExists")
    }

    /// The API server refused a write on a stale resourceVersion.
    pub fn is_conflict(&self) -> bool {
        matches!(self, KubeError::Api { reason, code: 409, .. } if reason == "Conflict")
    }
}

/// A client for one cluster, as Helm's settings describe it, with the
/// resource types it has discovered so far.
pub struct Kube {
    client: kube::Client,
    throttle: Throttle,
    pub(super) resources: ResourceCache,
    /// The server's base URL, for error messages.
    server: String,
    namespace: String,
}

impl std::fmt::Debug for Kube {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kube")
            .field("server", &self.server)
            .field("namespace", &self.namespace)
            .finish_non_exhaustive()
    }
}

impl Kube {
    /// Connects as `settings` say (nothing is sent yet). Must run inside a
    /// tokio runtime, where the client's connection pool lives.
    pub async fn connect(settings: &EnvSettings) -> Result<Kube, KubeError> {
        let config = client_config(settings).await?;
        let server = config.cluster_url.to_string();
        let client =
            kube::Client::try_from(config).map_err(|e| KubeError::Client(e.to_string()))?;
        Ok(Kube {
            client,
            throttle: Throttle::new(settings.qps, settings.burst_limit),
            resources: ResourceCache::default(),
            server: server.trim_end_matches('/').to_string(),
            namespace: settings.namespace(),
        })
    }

    /// The namespace commands act in (`-n`, `HELM_NAMESPACE`, the
    /// context's, else `default`).
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// Asks the server its version, as Helm does before it acts to say
    /// early that the cluster is unreachable.
    pub async fn is_reachable(&self) -> Result<(), KubeError> {
        let req = http::Request::get("/version")
            .body(Vec::new())
            .map_err(|e| KubeError::Client(e.to_string()))?;
        self.send::<serde_json::Value>(req).await.map(drop)
    }

    /// Sends one request (after the rate limiter lets it go) and reads the
    /// JSON answer.
    pub(super) async fn send<T: DeserializeOwned>(
        &self,
        req: http::Request<Vec<u8>>,
    ) -> Result<T, KubeError> {
        self.throttle.acquire().await;
        let method = req.method().to_string();
        let url = format!("{}{}", self.server, req.uri());
        self.client.request::<T>(req).await.map_err(|e| match e {
            kube::Error::Api(status) => KubeError::Api {
                code: status.code,
                reason: status.reason.clone(),
                message: status.message.clone(),
            },
            other => KubeError::Transport {
                method: go_method(&method),
                message: dial_error(&other, &self.server).unwrap_or_else(|| error_chain(&other)),
                url,
            },
        })
    }
}

/// Go's `url.Error` names the method in title case (`Get`, `Post`).
fn go_method(method: &str) -> String {
    let lower = method.to_ascii_lowercase();
    let mut chars = lower.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// Go's words for a refused connection (`dial tcp 127.0.0.1:6443:
/// connect: connection refused`), naming the address as Go's dialer
/// resolved it, when `err` is one.
fn dial_error(err: &(dyn std::error::Error + 'static), server: &str) -> Option<String> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    let mut refused = false;
    while let Some(e) = source {
        if e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused)
        {
            refused = true;
            break;
        }
        source = e.source();
    }
    if !refused {
        return None;
    }
    let uri: http::Uri = server.parse().ok()?;
    let host = uri.host()?.trim_start_matches('[').trim_end_matches(']');
    let port = uri.port_u16().unwrap_or(match uri.scheme_str() {
        Some("http") => 80,
        _ => 443,
    });
    let address = std::net::ToSocketAddrs::to_socket_addrs(&(host, port))
        .ok()?
        .min_by_key(|a| a.is_ipv6())?;
    Some(format!("dial tcp {address}: connect: connection refused"))
}

/// The innermost causes of a transport error, the useful part of kube-rs's
/// layered messages (`connection refused`, a TLS failure).
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut parts = vec![err.to_string()];
    let mut source = err.source();
    while let Some(e) = source {
        parts.push(e.to_string());
        source = e.source();
    }
    parts.dedup();
    // Keep the last few causes: the outer layers repeat them.
    let keep = parts.len().saturating_sub(2);
    parts[keep..].join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_errors_are_classified_by_code_and_reason() {
        let err = |code, reason: &str| KubeError::Api {
            code,
            reason: reason.into(),
            message: "m".into(),
        };
        assert!(err(404, "NotFound").is_not_found());
        assert!(err(409, "AlreadyExists").is_already_exists());
        assert!(!err(409, "Conflict").is_already_exists());
        assert!(err(409, "Conflict").is_conflict());
        assert_eq!(err(500, "x").to_string(), "m");
        assert_eq!(go_method("GET"), "Get");
    }
}
