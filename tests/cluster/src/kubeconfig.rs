//! The kubeconfig any client uses to reach the cluster as `admin`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::pki::Pki;

/// The name of the cluster, user and context in the kubeconfig.
pub const CONTEXT: &str = "test-cluster";

/// A kubeconfig with one cluster (`server`, trusting the cluster CA), one
/// user (the admin client certificate, inline), and a current context
/// whose namespace is `default`.
pub fn render(server: &str, pki: &Pki) -> String {
    let ca = STANDARD.encode(&pki.ca_pem);
    let cert = STANDARD.encode(&pki.admin.cert_pem);
    let key = STANDARD.encode(&pki.admin.key_pem);
    format!(
        "apiVersion: v1
kind: Config
clusters:
- name: {CONTEXT}
  cluster:
    server: {server}
    certificate-authority-data: {ca}
users:
- name: {CONTEXT}-admin
  user:
    client-certificate-data: {cert}
    client-key-data: {key}
contexts:
- name: {CONTEXT}
  context:
    cluster: {CONTEXT}
    user: {CONTEXT}-admin
    namespace: default
current-context: {CONTEXT}
preferences: {{}}
"
    )
}
