//! A Kubernetes API server in a test process, faithful enough that
//! `kubectl`, the reference `helm` and kube-rs accept it.
//!
//! [`TestCluster::start`] generates a CA and certificates ([`pki`]), binds
//! 127.0.0.1 on a free port, and serves HTTPS with client-certificate
//! authentication ([`server`]) from a tokio runtime it owns, so synchronous
//! tests can use it. Requests are routed by [`api`]: discovery documents
//! come from [`discovery`] and [`openapi`], objects from the in-memory [`store`], both
//! driven by the one table of types in [`resources`]; bodies come as JSON or,
//! from client-go's typed clients, as [`protobuf`]. Errors are the
//! `metav1.Status` bodies of [`status`]. Writes pass validating admission
//! webhooks first ([`admission`]), which know the requester from its
//! client certificate ([`user`]). A kubeconfig for the `admin` user is
//! written beside it ([`kubeconfig`]). Every write is announced through
//! [`events`], which feeds [`watch`] streams and the simulated
//! [`controllers`] that make workloads run, become ready and finish.
//!
//! One cluster per test binary is the intended use:
//!
//! ```no_run
//! use std::sync::OnceLock;
//! use kubectl_helm_test_cluster::TestCluster;
//!
//! fn cluster() -> &'static TestCluster {
//!     static CLUSTER: OnceLock<TestCluster> = OnceLock::new();
//!     CLUSTER.get_or_init(|| TestCluster::start().expect("test cluster starts"))
//! }
//! ```

pub mod admission;
pub mod api;
pub mod apply;
pub mod controllers;
pub mod custom;
pub mod defaults;
pub mod discovery;
pub mod events;
pub mod kubeconfig;
pub mod logs;
pub mod openapi;
pub mod patch;
pub mod pki;
pub mod postgres;
pub mod protobuf;
pub mod resources;
pub mod selector;
pub mod server;
pub mod status;
pub mod store;
pub mod subresource;
pub mod user;
pub mod watch;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::runtime::Runtime;

use crate::api::ApiState;
use crate::pki::Pki;
use crate::store::Store;

/// Why a test cluster could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// Generating the CA or a certificate failed.
    #[error("generating certificates: {0}")]
    Certificates(#[from] rcgen::Error),
    /// The TLS configuration was refused.
    #[error(transparent)]
    Tls(#[from] server::TlsError),
    /// The runtime, the listener or the kubeconfig file could not be made.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: &'static str,
        /// The underlying error.
        source: std::io::Error,
    },
}

fn io(context: &'static str) -> impl FnOnce(std::io::Error) -> StartError {
    move |source| StartError::Io { context, source }
}

/// A running API server and the kubeconfig that reaches it. Dropping it
/// stops the server and removes the kubeconfig.
#[derive(Debug)]
pub struct TestCluster {
    /// `None` only while dropping.
    runtime: Option<Runtime>,
    address: SocketAddr,
    state: Arc<ApiState>,
    admission: Arc<admission::Admission>,
    pki: Pki,
    /// Holds the kubeconfig; removed on drop.
    dir: tempfile::TempDir,
    kubeconfig: PathBuf,
}

impl TestCluster {
    /// Starts a cluster on 127.0.0.1 with a free port and writes its
    /// kubeconfig. Takes a few milliseconds.
    pub fn start() -> Result<Self, StartError> {
        let pki = Pki::generate()?;
        let acceptor = server::tls_acceptor(&pki)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("test-cluster")
            .enable_all()
            .build()
            .map_err(io("starting the runtime"))?;
        let listener =
            std::net::TcpListener::bind("127.0.0.1:0").map_err(io("binding 127.0.0.1"))?;
        listener
            .set_nonblocking(true)
            .map_err(io("configuring the listener"))?;
        let address = listener.local_addr().map_err(io("reading the port"))?;
        let listener = {
            let _guard = runtime.enter();
            tokio::net::TcpListener::from_std(listener).map_err(io("registering the listener"))?
        };
        let state = Arc::new(ApiState {
            store: Store::new(),
            server_address: address.to_string(),
        });
        let admission = Arc::new(admission::Admission::new(state.clone()));
        let router = axum::Router::new()
            .fallback(api::handle)
            .layer(axum::middleware::from_fn_with_state(
                admission.clone(),
                admission::middleware,
            ))
            // kube-apiserver's limit on request bodies (axum's default is 2 MiB).
            .layer(axum::extract::DefaultBodyLimit::max(3 * 1024 * 1024))
            .with_state(state.clone());
        runtime.spawn(server::serve(listener, acceptor, router));
        runtime.spawn(controllers::run(state.clone()));

        let dir = tempfile::Builder::new()
            .prefix("test-cluster-")
            .tempdir()
            .map_err(io("creating the kubeconfig directory"))?;
        let kubeconfig = dir.path().join("kubeconfig");
        let server_url = format!("https://{address}");
        std::fs::write(&kubeconfig, kubeconfig::render(&server_url, &pki))
            .map_err(io("writing the kubeconfig"))?;
        Ok(Self {
            runtime: Some(runtime),
            address,
            state,
            admission,
            pki,
            dir,
            kubeconfig,
        })
    }

    /// The kubeconfig file naming this cluster as its current context.
    pub fn kubeconfig(&self) -> &Path {
        &self.kubeconfig
    }

    /// `https://127.0.0.1:PORT`.
    pub fn server_url(&self) -> String {
        format!("https://{}", self.address)
    }

    /// The certificates: the CA to trust and the admin client identity.
    pub fn pki(&self) -> &Pki {
        &self.pki
    }

    /// The object store, for tests that look behind the API.
    pub fn store(&self) -> &Store {
        &self.state.store
    }

    /// Validating admission: where webhook Services are routed.
    pub fn admission(&self) -> &admission::Admission {
        &self.admission
    }

    /// The directory the kubeconfig is in, removed on drop; tests may put
    /// other files there.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for TestCluster {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            // Connections may be mid-request; nothing waits for them.
            runtime.shutdown_background();
        }
    }
}
