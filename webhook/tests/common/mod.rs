//! A test cluster with the webhook serving in-process over HTTPS, and an
//! HTTPS client that trusts the webhook's CA.

#![allow(dead_code)] // Each test binary uses part of this.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use helm::release::{Info, Release, Status, Time};
use helm::storage::{Stamp, StoredObject, object_name};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use kube::api::{Api, DynamicObject, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::core::{ApiResource, GroupVersionKind};
use kubectl_helm_test_cluster::TestCluster;
use kubectl_helm_webhook::flags::Flags;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use serde_json::{Value, json};

/// The Service the webhook's certificate names, as the manifests do.
pub const SERVICE_NAMESPACE: &str = "kubectl-helm-system";
pub const SERVICE_NAME: &str = "kubectl-helm-webhook";

/// A CA and a serving certificate it signed.
pub struct Certs {
    pub ca_pem: String,
    pub cert_pem: String,
    pub key_pem: String,
}

/// Makes a CA and a certificate for the webhook's Service and loopback.
pub fn certs() -> Certs {
    let mut ca_params = CertificateParams::default();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca =
        CertifiedIssuer::self_signed(ca_params, KeyPair::generate().expect("CA key")).expect("CA");
    let key = KeyPair::generate().expect("key");
    let params = CertificateParams::new(vec![
        "127.0.0.1".to_owned(),
        "localhost".to_owned(),
        format!("{SERVICE_NAME}.{SERVICE_NAMESPACE}.svc"),
    ])
    .expect("params");
    let cert = params.signed_by(&key, &ca).expect("certificate");
    Certs {
        ca_pem: ca.pem(),
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    }
}

/// A cluster, the webhook reading it, and a client for both.
pub struct Harness {
    pub cluster: TestCluster,
    pub runtime: tokio::runtime::Runtime,
    pub address: SocketAddr,
    pub ca_pem: String,
    pub cert_file: PathBuf,
    pub key_file: PathBuf,
    pub client: kube::Client,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
}

/// An answer from the webhook.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Answer {
    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// The AdmissionReview's response.
    pub fn response(&self) -> Value {
        assert_eq!(self.status, 200, "{}", String::from_utf8_lossy(&self.body));
        self.json()["response"].clone()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl Harness {
    /// Starts a cluster with the ChartPolicy CRD, and the webhook on it;
    /// returns once the webhook is ready.
    pub fn start() -> Harness {
        Harness::start_with(|_| {})
    }

    /// [`Harness::start`] with changed flags.
    pub fn start_with(change: impl FnOnce(&mut Flags)) -> Harness {
        // The webhook's logs, shown for failing tests.
        let _ = tracing_subscriber::fmt()
            .with_test_writer()
            .with_env_filter(
                tracing_subscriber::EnvFilter::try_from_default_env()
                    .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
            )
            .try_init();
        let cluster = TestCluster::start().expect("test cluster");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let certs = certs();
        let cert_file = cluster.dir().join("tls.crt");
        let key_file = cluster.dir().join("tls.key");
        std::fs::write(&cert_file, &certs.cert_pem).expect("cert");
        std::fs::write(&key_file, &certs.key_pem).expect("key");
        let kubeconfig = cluster.kubeconfig().to_path_buf();
        let client = runtime.block_on(async {
            let config = kube::Config::from_custom_kubeconfig(
                Kubeconfig::read_from(&kubeconfig).expect("kubeconfig"),
                &KubeConfigOptions::default(),
            )
            .await
            .expect("config");
            kube::Client::try_from(config).expect("client")
        });
        let mut flags = Flags {
            listen: "127.0.0.1:0".parse().expect("address"),
            tls_cert_file: cert_file.clone(),
            tls_private_key_file: key_file.clone(),
            kubeconfig: Some(kubeconfig),
            context: None,
            max_body_bytes: 8 << 20,
            decision_deadline: Duration::from_secs(3),
            tls_reload_interval: Duration::from_millis(100),
            shutdown_grace: Duration::from_secs(5),
        };
        change(&mut flags);
        let mut harness = Harness {
            cluster,
            runtime,
            address: "127.0.0.1:1".parse().expect("address"),
            ca_pem: certs.ca_pem,
            cert_file,
            key_file,
            client,
            shutdown: None,
            server: None,
        };
        harness.apply_yaml(include_str!("../../../manifests/chartpolicy-crd.yaml"));
        let listener = harness
            .runtime
            .block_on(tokio::net::TcpListener::bind(flags.listen))
            .expect("bind");
        harness.address = listener.local_addr().expect("address");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        harness.server = Some(harness.runtime.spawn(async move {
            kubectl_helm_webhook::run_on(listener, flags, async {
                let _ = rx.await;
            })
            .await
            .expect("webhook");
        }));
        harness.shutdown = Some(tx);
        harness.wait_ready();
        harness
    }

    fn wait_ready(&self) {
        let mut last = None;
        for _ in 0..200 {
            match self.try_get("/readyz") {
                Ok(answer) if answer.status == 200 => return,
                answer => last = Some(answer),
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        panic!("the webhook never became ready: {last:?}");
    }

    /// Sends SIGTERM's equivalent and waits for the server to drain.
    pub fn shut_down(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            self.runtime.block_on(server).expect("server task");
        }
    }

    /// Starts shutdown without waiting for it.
    pub fn shutdown_signal(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }

    /// A TLS connection to the webhook, and the certificate it served.
    pub fn connect(
        &self,
    ) -> (
        tokio_rustls::client::TlsStream<tokio::net::TcpStream>,
        Vec<u8>,
    ) {
        self.runtime
            .block_on(connect(self.address, &self.ca_pem))
            .expect("TLS connection")
    }

    /// Sends one request (a fresh connection).
    pub fn request(&self, method: &str, path: &str, body: Vec<u8>) -> std::io::Result<Answer> {
        let (address, ca) = (self.address, self.ca_pem.clone());
        let (method, path) = (method.to_string(), path.to_string());
        self.runtime.block_on(async move {
            let (tls, _) = connect(address, &ca).await?;
            let io = hyper_util::rt::TokioIo::new(tls);
            let (mut sender, connection) = hyper::client::conn::http1::handshake(io)
                .await
                .map_err(std::io::Error::other)?;
            tokio::spawn(connection);
            let request = hyper::Request::builder()
                .method(method.as_str())
                .uri(path)
                .header("host", "localhost")
                .header("content-type", "application/json")
                .body(Full::new(Bytes::from(body)))
                .map_err(std::io::Error::other)?;
            let response = sender
                .send_request(request)
                .await
                .map_err(std::io::Error::other)?;
            let status = response.status().as_u16();
            let body = response
                .into_body()
                .collect()
                .await
                .map_err(std::io::Error::other)?
                .to_bytes()
                .to_vec();
            Ok(Answer { status, body })
        })
    }

    fn try_get(&self, path: &str) -> std::io::Result<Answer> {
        self.request("GET", path, Vec::new())
    }

    /// `GET path`.
    pub fn get(&self, path: &str) -> Answer {
        self.try_get(path).expect("GET")
    }

    /// `POST /validate` of a review.
    pub fn validate(&self, review: &Value) -> Answer {
        self.request("POST", "/validate", review.to_string().into_bytes())
            .expect("POST /validate")
    }

    /// Creates an object (any kind) in the cluster.
    pub fn create(&self, object: &Value) -> Value {
        let api_version = object["apiVersion"].as_str().expect("apiVersion");
        let kind = object["kind"].as_str().expect("kind");
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        let client = self.client.clone();
        let object = object.clone();
        let gvk = GroupVersionKind::gvk(group, version, kind);
        self.runtime.block_on(async move {
            let (resource, capabilities) = kube::discovery::pinned_kind(&client, &gvk)
                .await
                .expect("discovery");
            let api = match (capabilities.scope, object["metadata"]["namespace"].as_str()) {
                (kube::discovery::Scope::Namespaced, Some(ns)) => {
                    Api::<DynamicObject>::namespaced_with(client, ns, &resource)
                }
                _ => Api::<DynamicObject>::all_with(client, &resource),
            };
            let object: DynamicObject = serde_json::from_value(object).expect("object");
            let created = api
                .create(&PostParams::default(), &object)
                .await
                .expect("create");
            serde_json::to_value(created).expect("JSON")
        })
    }

    /// Creates the object of a one-document YAML file.
    pub fn apply_yaml(&self, yaml: &str) {
        let value = helm::codec::yaml::from_str(yaml).expect("YAML");
        let json = helm::codec::json::to_string(&value).expect("JSON");
        let object: Value = serde_json::from_str(&json).expect("JSON");
        self.create(&object);
        // A CRD is served once established; the test cluster does it at once.
        if object["kind"] == "CustomResourceDefinition" {
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Creates a namespace.
    pub fn namespace(&self, name: &str) {
        self.create(&json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}));
    }

    /// Creates a ChartPolicy and waits until the webhook's cache has it.
    pub fn policy(&self, name: &str, spec: Value) {
        self.create(&json!({
            "apiVersion": "policy.kubectl-helm.io/v1alpha1",
            "kind": "ChartPolicy",
            "metadata": {"name": name},
            "spec": spec,
        }));
        // The watch delivers it within milliseconds.
        std::thread::sleep(Duration::from_millis(300));
    }

    /// Stores a release's record, as Helm would.
    pub fn store_release(&self, release: &Release) -> Value {
        self.create(&record(release))
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        self.shut_down();
    }
}

/// Opens a TLS connection trusting `ca_pem`, for the name `localhost`.
pub async fn connect(
    address: SocketAddr,
    ca_pem: &str,
) -> std::io::Result<(
    tokio_rustls::client::TlsStream<tokio::net::TcpStream>,
    Vec<u8>,
)> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
        roots
            .add(cert.map_err(std::io::Error::other)?)
            .map_err(std::io::Error::other)?;
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(std::io::Error::other)?
    .with_root_certificates(roots)
    .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(address).await?;
    let name = ServerName::try_from("localhost").map_err(std::io::Error::other)?;
    let tls = connector.connect(name, tcp).await?;
    let served = tls
        .get_ref()
        .1
        .peer_certificates()
        .and_then(|c| c.first())
        .map(|c| c.to_vec())
        .unwrap_or_default();
    Ok((tls, served))
}

/// The manifest of release `web`: a ConfigMap and a Deployment.
pub const MANIFEST: &str = "---\n# Source: web/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-config\n---\n# Source: web/templates/deploy.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n";

/// A release of chart `web` 1.0.0 in `namespace`.
pub fn release(namespace: &str, name: &str, version: i64, status: Status) -> Release {
    let json = json!({
        "name": name,
        "namespace": namespace,
        "version": version,
        "manifest": MANIFEST,
        "chart": {"metadata": {"apiVersion": "v2", "name": "web", "version": "1.0.0"}},
    });
    let mut release = Release::from_json(&json.to_string()).expect("release");
    release.info = Some(Info {
        status: Some(status),
        ..Info::default()
    });
    release
}

/// The Secret Helm stores `release` in.
pub fn record(release: &Release) -> Value {
    let key = object_name(&release.name, release.version);
    let mut secret = StoredObject::new(&key, release, Stamp::Created(Time::now())).to_secret();
    secret["metadata"]["namespace"] = json!(release.namespace);
    secret
}

/// An AdmissionReview of a write.
pub fn review(operation: &str, object: Option<&Value>, old: Option<&Value>) -> Value {
    review_by(operation, object, old, "alice", None)
}

/// An AdmissionReview of a write by `user` with `field_manager`.
pub fn review_by(
    operation: &str,
    object: Option<&Value>,
    old: Option<&Value>,
    user: &str,
    field_manager: Option<&str>,
) -> Value {
    let current = object.or(old).expect("an object");
    let api_version = current["apiVersion"].as_str().unwrap_or("v1");
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
    let kind = current["kind"].as_str().unwrap_or_default();
    let resource = format!("{}s", kind.to_lowercase());
    let mut options = json!({"apiVersion": "meta.k8s.io/v1", "kind": format!("{}Options", match operation { "CREATE" => "Create", "UPDATE" => "Update", _ => "Delete" })});
    if let Some(manager) = field_manager {
        options["fieldManager"] = json!(manager);
    }
    json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
            "kind": {"group": group, "version": version, "kind": kind},
            "resource": {"group": group, "version": version, "resource": resource},
            "name": current["metadata"]["name"],
            "namespace": current["metadata"]["namespace"],
            "operation": operation,
            "userInfo": {"username": user, "groups": ["system:authenticated"]},
            "object": object,
            "oldObject": old,
            "dryRun": false,
            "options": options,
        }
    })
}

/// The gvk of ChartPolicy, for tests that read it back.
pub fn chart_policy_resource() -> ApiResource {
    kubectl_helm_webhook::cache::chart_policy_resource()
}
