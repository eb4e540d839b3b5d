//! The cluster's certificates: a CA made at startup, a serving certificate
//! for the loopback names, and the `admin` client certificate a kubeconfig
//! carries.

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};

/// A certificate and its private key, both PEM.
#[derive(Debug, Clone)]
pub struct CertAndKey {
    /// The certificate, PEM.
    pub cert_pem: String,
    /// The PKCS#8 private key, PEM.
    pub key_pem: String,
}

/// Everything TLS needs: the CA that signed both leaves, the server's
/// certificate and the client's.
#[derive(Debug, Clone)]
pub struct Pki {
    /// The CA certificate (its key is dropped once the leaves are signed).
    pub ca_pem: String,
    /// Serving certificate for `127.0.0.1` and `localhost`.
    pub server: CertAndKey,
    /// Client certificate with CN `admin` and O `system:masters`, the
    /// identity kubeadm gives the cluster administrator.
    pub admin: CertAndKey,
}

impl Pki {
    /// Generates a fresh CA and signs the serving and client certificates
    /// with it. ECDSA P-256 keys keep this to a few milliseconds.
    pub fn generate() -> Result<Self, rcgen::Error> {
        let mut ca_params = CertificateParams::default();
        ca_params.distinguished_name = rcgen::DistinguishedName::new();
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "kubectl-helm-test-cluster-ca");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate()?)?;

        let mut server_params =
            CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])?;
        server_params.distinguished_name = rcgen::DistinguishedName::new();
        server_params
            .distinguished_name
            .push(DnType::CommonName, "kube-apiserver");
        server_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        server_params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        let server_key = KeyPair::generate()?;
        let server_cert = server_params.signed_by(&server_key, &ca)?;

        let mut admin_params = CertificateParams::default();
        admin_params.distinguished_name = rcgen::DistinguishedName::new();
        admin_params
            .distinguished_name
            .push(DnType::CommonName, "admin");
        admin_params
            .distinguished_name
            .push(DnType::OrganizationName, "system:masters");
        admin_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        admin_params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        let admin_key = KeyPair::generate()?;
        let admin_cert = admin_params.signed_by(&admin_key, &ca)?;

        Ok(Self {
            ca_pem: ca.pem(),
            server: CertAndKey {
                cert_pem: server_cert.pem(),
                key_pem: server_key.serialize_pem(),
            },
            admin: CertAndKey {
                cert_pem: admin_cert.pem(),
                key_pem: admin_key.serialize_pem(),
            },
        })
    }
}
