//! The serving certificate, reloaded from disk without a restart: a
//! resolver whose key is swapped when the files change (cert-manager and
//! kubelet rewrite mounted Secrets in place).

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use rustls::ServerConfig;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

/// Why a certificate or key file cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A file cannot be read.
    #[error("reading {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The certificate file holds no PEM certificate, or a broken one.
    #[error("{path}: no PEM certificate: {reason}")]
    Certificate { path: PathBuf, reason: String },
    /// The key file holds no PEM private key, or one rustls cannot sign with.
    #[error("{path}: no usable PEM private key: {reason}")]
    Key { path: PathBuf, reason: String },
    /// The key does not belong to the certificate.
    #[error("{key} does not match the certificate in {cert}: {reason}")]
    Mismatch {
        cert: PathBuf,
        key: PathBuf,
        reason: String,
    },
    /// The crypto provider lacks the default protocol versions.
    #[error("TLS configuration: {0}")]
    Protocols(rustls::Error),
}

/// The bytes a key was loaded from, to notice when the files change.
type Loaded = (Vec<u8>, Vec<u8>);

/// Serves the certificate last loaded from two PEM files.
pub struct ReloadingCert {
    cert_path: PathBuf,
    key_path: PathBuf,
    current: RwLock<(Loaded, Arc<CertifiedKey>)>,
}

impl fmt::Debug for ReloadingCert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReloadingCert")
            .field("cert_path", &self.cert_path)
            .field("key_path", &self.key_path)
            .finish_non_exhaustive()
    }
}

impl ReloadingCert {
    /// Loads the files; fails when they cannot be served.
    pub fn load(cert_path: &Path, key_path: &Path) -> Result<ReloadingCert, TlsError> {
        let loaded = read_pair(cert_path, key_path)?;
        let key = certified_key(cert_path, key_path, &loaded)?;
        Ok(ReloadingCert {
            cert_path: cert_path.to_path_buf(),
            key_path: key_path.to_path_buf(),
            current: RwLock::new((loaded, key)),
        })
    }

    /// Reads the files again and swaps the key in if they changed.
    /// Returns whether it did; a broken pair keeps the old key served.
    pub fn reload(&self) -> Result<bool, TlsError> {
        let loaded = read_pair(&self.cert_path, &self.key_path)?;
        if self.current.read().is_ok_and(|c| c.0 == loaded) {
            return Ok(false);
        }
        let key = certified_key(&self.cert_path, &self.key_path, &loaded)?;
        if let Ok(mut current) = self.current.write() {
            *current = (loaded, key);
        }
        Ok(true)
    }

    /// Checks the files every `interval` for as long as the task runs.
    pub async fn watch(self: Arc<Self>, interval: Duration) {
        let mut ticks = tokio::time::interval(interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let this = Arc::clone(&self);
            match tokio::task::spawn_blocking(move || this.reload()).await {
                Ok(Ok(true)) => {
                    tracing::info!(cert = %self.cert_path.display(), "serving certificate reloaded")
                }
                Ok(Ok(false)) => {}
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "serving certificate not reloaded; the old one stays")
                }
                Err(e) => tracing::warn!(error = %e, "certificate reload task failed"),
            }
        }
    }

    /// A rustls server configuration (ring, HTTP/1.1) that serves this
    /// certificate.
    pub fn server_config(self: Arc<Self>) -> Result<ServerConfig, TlsError> {
        let mut config =
            ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .map_err(TlsError::Protocols)?
                .with_no_client_auth()
                .with_cert_resolver(self);
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(config)
    }
}

impl ResolvesServerCert for ReloadingCert {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.current.read().ok().map(|c| Arc::clone(&c.1))
    }
}

fn read_pair(cert_path: &Path, key_path: &Path) -> Result<Loaded, TlsError> {
    let read = |path: &Path| {
        std::fs::read(path).map_err(|source| TlsError::Read {
            path: path.to_path_buf(),
            source,
        })
    };
    Ok((read(cert_path)?, read(key_path)?))
}

fn certified_key(
    cert_path: &Path,
    key_path: &Path,
    (cert_pem, key_pem): &Loaded,
) -> Result<Arc<CertifiedKey>, TlsError> {
    let cert_error = |reason: String| TlsError::Certificate {
        path: cert_path.to_path_buf(),
        reason,
    };
    let chain = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| cert_error(e.to_string()))?;
    if chain.is_empty() {
        return Err(cert_error("the file is empty".into()));
    }
    let key_error = |reason: String| TlsError::Key {
        path: key_path.to_path_buf(),
        reason,
    };
    let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| key_error(e.to_string()))?;
    let signer = rustls::crypto::ring::sign::any_supported_type(&key)
        .map_err(|e| key_error(e.to_string()))?;
    let certified = CertifiedKey::new(chain, signer);
    certified.keys_match().map_err(|e| TlsError::Mismatch {
        cert: cert_path.to_path_buf(),
        key: key_path.to_path_buf(),
        reason: e.to_string(),
    })?;
    Ok(Arc::new(certified))
}
