//! The plugin's webhook commands against the test cluster: `webhook certs`
//! (the Secret's certificate is for the Service's name and verifies, with
//! rustls, against the CA bundle of every webhook; a second run rotates
//! both and keeps the previous CA for the switch-over) and `policy check`
//! with the cluster's ChartPolicies.

mod common;
#[allow(dead_code, reason = "this binary uses part of the shared test webhook")]
mod webhook_server;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use common::{cluster, run_err, run_ok};
use rustls::RootCertStore;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::ServerCertVerifier;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use serde_json::Value;
use webhook_server::WebhookServer;
use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};

const SERVER_NAME: &str = "kubectl-helm-webhook.kubectl-helm-system.svc";

/// What one of our runs printed and whether it succeeded.
struct Outcome {
    success: bool,
    stdout: String,
    stderr: String,
}

/// Runs our `kubectl-helm ARGS` in-process against the cluster.
fn ours(args: &[&str]) -> Outcome {
    let vars: BTreeMap<String, String> = [
        ("KUBECONFIG", cluster().kubeconfig().to_string_lossy()),
        ("HOME", cluster().dir().to_string_lossy()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.into_owned()))
    .collect();
    let argv = std::iter::once("kubectl-helm").chain(args.iter().copied());
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let status = kubectl_helm::run_with_env(argv, &vars, &mut stdout, &mut stderr);
    Outcome {
        success: status == 0,
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

fn repo_file(path: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
        .to_string_lossy()
        .into_owned()
}

fn get_json(args: &[&str]) -> Value {
    let mut argv = vec!["get"];
    argv.extend(args);
    argv.extend(["-o", "json"]);
    serde_json::from_str(&run_ok("kubectl", &argv)).expect("kubectl prints JSON")
}

fn decoded(text: &Value) -> String {
    let bytes = STANDARD
        .decode(text.as_str().expect("a base64 string"))
        .expect("base64");
    String::from_utf8(bytes).expect("PEM is text")
}

/// The webhook's Secret (certificate, key, CA) and every webhook's bundle.
struct Installed {
    cert: String,
    key: String,
    ca: String,
    bundles: Vec<String>,
}

fn installed() -> Installed {
    let secret = get_json(&[
        "secret",
        "-n",
        "kubectl-helm-system",
        "kubectl-helm-webhook-tls",
    ]);
    assert_eq!(secret["type"], "kubernetes.io/tls");
    let config = get_json(&["validatingwebhookconfiguration", "kubectl-helm-webhook"]);
    let webhooks = config["webhooks"].as_array().expect("webhooks");
    assert_eq!(webhooks.len(), 2);
    Installed {
        cert: decoded(&secret["data"]["tls.crt"]),
        key: decoded(&secret["data"]["tls.key"]),
        ca: decoded(&secret["data"]["ca.crt"]),
        bundles: webhooks
            .iter()
            .map(|w| decoded(&w["clientConfig"]["caBundle"]))
            .collect(),
    }
}

/// Verifies `cert` as a server certificate for [`SERVER_NAME`] against the
/// CAs of `bundle`, as a TLS client (the API server) would.
fn verify(bundle: &str, cert: &str) -> Result<(), rustls::Error> {
    let mut roots = RootCertStore::empty();
    for ca in CertificateDer::pem_slice_iter(bundle.as_bytes()) {
        roots.add(ca.expect("bundle PEM"))?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
        .build()
        .expect("a verifier");
    let leaf = CertificateDer::from_pem_slice(cert.as_bytes()).expect("certificate PEM");
    let name = ServerName::try_from(SERVER_NAME).expect("a DNS name");
    verifier
        .verify_server_cert(&leaf, &[], &name, &[], UnixTime::now())
        .map(drop)
}

fn der(pem: &str) -> Vec<u8> {
    CertificateDer::from_pem_slice(pem.as_bytes())
        .expect("certificate PEM")
        .to_vec()
}

/// Checks what x509-parser reads from the certificate and its CA.
fn check_certificates(installed: &Installed) {
    let leaf_der = der(&installed.cert);
    let (_, leaf) = X509Certificate::from_der(&leaf_der).expect("a certificate");
    let ca_der = der(&installed.ca);
    let (_, ca) = X509Certificate::from_der(&ca_der).expect("a CA certificate");
    assert!(ca.is_ca());
    assert!(!leaf.is_ca());
    assert_eq!(leaf.issuer(), ca.subject());
    let names: Vec<String> = leaf
        .subject_alternative_name()
        .expect("SAN readable")
        .expect("SAN present")
        .value
        .general_names
        .iter()
        .filter_map(|n| match n {
            GeneralName::DNSName(name) => Some(name.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(names[0], SERVER_NAME);
    assert!(names.contains(&"kubectl-helm-webhook".to_string()));
    // ECDSA P-256 keys (id-ecPublicKey with the prime256v1 curve).
    for cert in [&leaf, &ca] {
        let key = cert.public_key();
        assert_eq!(key.algorithm.algorithm.to_id_string(), "1.2.840.10045.2.1");
        let curve = key.algorithm.parameters.as_ref().expect("curve");
        assert_eq!(
            curve.as_oid().expect("curve OID").to_id_string(),
            "1.2.840.10045.3.1.7"
        );
    }
    let validity = leaf.validity();
    let span = validity.not_after.timestamp() - validity.not_before.timestamp();
    assert_eq!(span, 8760 * 3600);
    assert!(installed.key.starts_with("-----BEGIN PRIVATE KEY-----"));
}

/// Serves the webhook with `installed`'s certificate where the cluster
/// routes the webhook's Service.
fn serve(installed: &Installed) -> WebhookServer {
    let server = WebhookServer::start_with(&installed.cert, &installed.key, &installed.ca);
    cluster().admission().route_service(
        "kubectl-helm-system",
        "kubectl-helm-webhook",
        server.address(),
    );
    server
}

/// Writes a release record Secret (which the release-records webhook,
/// `failurePolicy: Fail`, must admit) and returns kubectl's outcome.
fn write_record(name: &str) -> std::process::Output {
    let record = serde_json::json!({
        "apiVersion": "v1", "kind": "Secret", "type": "helm.sh/release.v1",
        "metadata": {"name": format!("sh.helm.release.v1.{name}.v1"), "namespace": "default",
            "labels": {"owner": "helm", "name": name, "version": "1", "status": "deployed"}},
        "data": {"release": "e30="},
    });
    let file = cluster().dir().join(format!("{name}.json"));
    std::fs::write(&file, record.to_string()).expect("the record file is written");
    common::run("kubectl", &["create", "-f", &file.to_string_lossy()])
}

#[test]
fn webhook_certs_installs_and_rotates_the_serving_certificate() {
    for file in [
        "manifests/namespace.yaml",
        "manifests/validatingwebhookconfiguration.yaml",
    ] {
        run_ok("kubectl", &["apply", "-f", &repo_file(file)]);
    }

    // A dry run changes nothing.
    let dry = ours(&["webhook", "certs", "--dry-run"]);
    assert!(dry.success, "{}", dry.stderr);
    assert_eq!(
        dry.stdout,
        "ValidatingWebhookConfiguration kubectl-helm-webhook: caBundle would be set on webhooks release-records.kubectl-helm.io, release-objects.kubectl-helm.io (the new CA)\n\
         Secret kubectl-helm-system/kubectl-helm-webhook-tls would be created: serving certificate for kubectl-helm-webhook.kubectl-helm-system.svc signed by the new CA, valid for 8760h\n"
    );
    let missing = run_err(
        "kubectl",
        &[
            "get",
            "secret",
            "-n",
            "kubectl-helm-system",
            "kubectl-helm-webhook-tls",
        ],
    );
    assert!(missing.contains("(NotFound)"), "{missing}");
    let config = get_json(&["validatingwebhookconfiguration", "kubectl-helm-webhook"]);
    assert!(
        config["webhooks"][0]["clientConfig"]
            .get("caBundle")
            .is_none()
    );

    let first = ours(&["webhook", "certs"]);
    assert!(first.success, "{}", first.stderr);
    assert!(
        first
            .stdout
            .contains("Secret kubectl-helm-system/kubectl-helm-webhook-tls created")
    );
    let one = installed();
    check_certificates(&one);
    for bundle in &one.bundles {
        assert_eq!(bundle, &one.ca);
        verify(bundle, &one.cert).expect("the certificate verifies against the bundle");
    }
    // The cluster calls the webhook through the bundle, at the Service's name.
    let first_server = serve(&one);
    let out = write_record("first");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(first_server.received_in("default").len(), 1);
    // Another CA does not vouch for it.
    let other = rcgen::generate_simple_self_signed(vec![SERVER_NAME.to_string()]).expect("a cert");
    assert!(verify(&other.cert.pem(), &one.cert).is_err());

    // The second run rotates; the bundle holds the new CA and the previous
    // one, so the old certificate stays trusted until the webhook reloads.
    let second = ours(&["webhook", "certs"]);
    assert!(second.success, "{}", second.stderr);
    assert!(second.stdout.contains("(the new CA and the previous one)"));
    assert!(second.stdout.contains("kubectl-helm-webhook-tls replaced"));
    let two = installed();
    check_certificates(&two);
    assert_ne!(two.cert, one.cert);
    assert_ne!(two.key, one.key);
    assert_ne!(two.ca, one.ca);
    for bundle in &two.bundles {
        assert_eq!(bundle, &format!("{}{}", two.ca, one.ca));
        verify(bundle, &two.cert).expect("the new certificate verifies");
        verify(bundle, &one.cert).expect("the old certificate still verifies");
    }
    assert!(verify(&two.ca, &one.cert).is_err());
    // The webhook still serving the first certificate is still called;
    // then it reloads the new one.
    let out = write_record("second");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(first_server.received_in("default").len(), 2);
    let second_server = serve(&two);
    let out = write_record("third");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(second_server.received_in("default").len(), 1);

    // A third run drops the first CA.
    assert!(ours(&["webhook", "certs"]).success);
    let three = installed();
    for bundle in &three.bundles {
        assert_eq!(bundle, &format!("{}{}", three.ca, two.ca));
        assert!(verify(bundle, &one.cert).is_err());
    }
    // A webhook left on the first certificate is no longer trusted, and
    // the record webhook fails closed.
    serve(&one);
    let out = write_record("fourth");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("release-records.kubectl-helm.io"),
        "{stderr}"
    );
}

#[test]
fn webhook_certs_refuses_bad_arguments_before_writing() {
    let out = ours(&["webhook", "certs", "--validity", "0s"]);
    assert_eq!(
        out.stderr,
        "Error: invalid argument for --validity: 0s is not between 1s and 876600h\n"
    );
    let out = ours(&["webhook", "certs", "--validity", "a year"]);
    assert_eq!(
        out.stderr,
        "Error: invalid argument for --validity: time: invalid duration \"a year\"\n"
    );
    let out = ours(&["webhook", "certs", "--service", "Web.hook"]);
    assert!(
        out.stderr
            .starts_with("Error: invalid argument \"Web.hook\" for --service: "),
        "{}",
        out.stderr
    );
    let out = ours(&[
        "webhook",
        "certs",
        "-n",
        "elsewhere",
        "--webhook-configuration",
        "absent",
    ]);
    assert!(!out.success);
    assert!(
        out.stderr.ends_with(
            ": apply the webhook's manifests (manifests/) before creating its certificates\n"
        ),
        "{}",
        out.stderr
    );
}

#[test]
fn policy_check_reads_the_clusters_chart_policies() {
    let chart = repo_file("tests/fixtures/policy/web");
    // Without the CRD the cluster has no policies: nothing is broken.
    let out = ours(&["policy", "check", "web", &chart]);
    assert!(out.success, "{}", out.stderr);
    assert!(out.stdout.contains("0 ChartPolicies"), "{}", out.stdout);

    run_ok(
        "kubectl",
        &["apply", "-f", &repo_file("manifests/chartpolicy-crd.yaml")],
    );
    run_ok(
        "kubectl",
        &[
            "apply",
            "-f",
            &repo_file("tests/fixtures/policy/strict.yaml"),
        ],
    );
    // The CRD's resource is served once it is established.
    let mut out = ours(&["policy", "check", "web", &chart]);
    for _ in 0..50 {
        if out.stdout.contains("2 ChartPolicies") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        out = ours(&["policy", "check", "web", &chart]);
    }
    assert!(!out.success);
    assert!(
        out.stdout
            .contains("[enforce] ChartPolicy tenancy rule namespaces: "),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("DENIED: release web in namespace default")
    );
    assert!(out.stdout.contains("2 ChartPolicies: 4 enforce"));

    // Files and the cluster together.
    let warn = repo_file("tests/fixtures/policy/warn.yaml");
    let out = ours(&[
        "policy",
        "check",
        "web",
        &chart,
        "-n",
        "web-a",
        "--policy",
        &warn,
        "--from-cluster",
    ]);
    assert!(
        out.stdout
            .contains("3 ChartPolicies: 3 enforce, 4 warn, 1 audit"),
        "{}",
        out.stdout
    );
}
