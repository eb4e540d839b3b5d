//! The admission webhook of issue 5: an HTTPS server that answers the API
//! server's AdmissionReviews with [`helm::policy::decide`]'s verdict.

pub mod app;
pub mod cache;
pub mod facts;
pub mod flags;
pub mod metrics;
pub mod review;
pub mod serve;
pub mod tls;

use std::future::Future;
use std::sync::Arc;

use kube::config::{KubeConfigOptions, Kubeconfig};

/// Why the webhook cannot start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The serving certificate cannot be loaded.
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    /// The kubeconfig (or in-cluster configuration) cannot be used.
    #[error("cluster configuration: {0}")]
    Config(String),
    /// The listen address cannot be bound.
    #[error("listening on {addr}: {source}")]
    Listen {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
}

/// The client configuration the flags choose: the kubeconfig and context
/// given, else in-cluster when in a Pod, else kube-rs's inference.
pub async fn client_config(flags: &flags::Flags) -> Result<kube::Config, StartError> {
    let config_error = |e: &dyn std::fmt::Display| StartError::Config(e.to_string());
    if flags.kubeconfig.is_none() && flags.context.is_none() {
        // In a Pod the service account is the identity RBAC grants.
        if std::env::var_os("KUBERNETES_SERVICE_HOST").is_some() {
            return kube::Config::incluster().map_err(|e| config_error(&e));
        }
        return kube::Config::infer().await.map_err(|e| config_error(&e));
    }
    let options = KubeConfigOptions {
        context: flags.context.clone(),
        ..KubeConfigOptions::default()
    };
    match &flags.kubeconfig {
        Some(path) => {
            let kubeconfig = Kubeconfig::read_from(path).map_err(|e| config_error(&e))?;
            kube::Config::from_custom_kubeconfig(kubeconfig, &options)
                .await
                .map_err(|e| config_error(&e))
        }
        None => kube::Config::from_kubeconfig(&options)
            .await
            .map_err(|e| config_error(&e)),
    }
}

/// Runs the webhook as the flags say until `shutdown` completes, then
/// drains requests in flight.
pub async fn run(
    flags: flags::Flags,
    shutdown: impl Future<Output = ()>,
) -> Result<(), StartError> {
    let listener = tokio::net::TcpListener::bind(flags.listen)
        .await
        .map_err(|source| StartError::Listen {
            addr: flags.listen,
            source,
        })?;
    run_on(listener, flags, shutdown).await
}

/// [`run`] on a listener already bound (tests bind port 0).
pub async fn run_on(
    listener: tokio::net::TcpListener,
    flags: flags::Flags,
    shutdown: impl Future<Output = ()>,
) -> Result<(), StartError> {
    let cert = Arc::new(tls::ReloadingCert::load(
        &flags.tls_cert_file,
        &flags.tls_private_key_file,
    )?);
    let reload = tokio::spawn(Arc::clone(&cert).watch(flags.tls_reload_interval));
    let server_config = cert.server_config()?;
    let config = client_config(&flags).await?;
    let client = kube::Client::try_from(config).map_err(|e| StartError::Config(e.to_string()))?;
    let metrics = Arc::new(metrics::Metrics::new());
    let app = Arc::new(app::App {
        cluster: facts::Cluster::new(client, Arc::clone(&metrics)),
        metrics,
        deadline: flags.decision_deadline,
    });
    tracing::info!(listen = %flags.listen, "serving");
    let router = app::router(app, flags.max_body_bytes);
    serve::serve(
        listener,
        server_config,
        router,
        shutdown,
        flags.shutdown_grace,
    )
    .await;
    reload.abort();
    Ok(())
}
