//! TLS and HTTP: accepts connections on the listener, checks client
//! certificates against the cluster CA, and serves HTTP/2 or HTTP/1.1 (as
//! ALPN settles) with the API router. A client without a certificate gets
//! kube-apiserver's 401 on every request, as an anonymous user does there.

use std::sync::Arc;

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use rustls::RootCertStore;
use rustls::server::WebPkiClientVerifier;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use crate::api;
use crate::pki::Pki;
use crate::user::UserInfo;

/// Why the TLS configuration could not be built.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A generated certificate or key did not parse back from PEM.
    #[error("reading a generated PEM: {0}")]
    Pem(#[from] rustls_pki_types::pem::Error),
    /// rustls refused the CA, the certificate or the key.
    #[error("configuring TLS: {0}")]
    Rustls(#[from] rustls::Error),
    /// The client verifier could not be built from the CA.
    #[error("configuring client authentication: {0}")]
    Verifier(#[from] rustls::server::VerifierBuilderError),
}

/// The server side of TLS: the serving certificate, and client
/// certificates checked against the cluster CA when one is presented (a
/// wrong one fails the handshake).
pub fn tls_acceptor(pki: &Pki) -> Result<TlsAcceptor, TlsError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = RootCertStore::empty();
    roots.add(CertificateDer::from_pem_slice(pki.ca_pem.as_bytes())?)?;
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .allow_unauthenticated()
        .build()?;
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            vec![CertificateDer::from_pem_slice(
                pki.server.cert_pem.as_bytes(),
            )?],
            PrivateKeyDer::from_pem_slice(pki.server.key_pem.as_bytes())?,
        )?;
    // client-go speaks HTTP/2 when offered, as kube-apiserver offers it.
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Serves connections until the task is dropped (the runtime shuts down).
pub async fn serve(listener: TcpListener, acceptor: TlsAcceptor, router: Router) {
    let anonymous = Router::new().fallback(api::unauthorized);
    loop {
        let Ok((stream, _peer)) = listener.accept().await else {
            // Accept errors (out of file descriptors, a connection reset
            // before accept) concern one connection, not the server.
            continue;
        };
        let acceptor = acceptor.clone();
        let (router, anonymous) = (router.clone(), anonymous.clone());
        tokio::spawn(async move {
            // A failed handshake (no or wrong client certificate) or a
            // broken connection ends that connection only.
            let Ok(tls) = acceptor.accept(stream).await else {
                return;
            };
            // The user the certificate names rides on every request
            // (admission reviews carry it as `userInfo`).
            let user = tls
                .get_ref()
                .1
                .peer_certificates()
                .and_then(|certs| certs.first())
                .and_then(|cert| UserInfo::from_certificate(cert));
            let service = TowerToHyperService::new(match user {
                Some(user) => router.layer(axum::Extension(user)),
                None => anonymous,
            });
            let _ = auto::Builder::new(TokioExecutor::new())
                .serve_connection_with_upgrades(TokioIo::new(tls), service)
                .await;
        });
    }
}
