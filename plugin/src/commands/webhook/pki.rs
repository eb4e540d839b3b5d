//! The webhook's certificates: a CA of its own and a serving certificate
//! it signs for the Service's DNS names, both ECDSA P-256.

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose, SanType,
};
use time::{Duration, OffsetDateTime};

/// A CA and the serving certificate it signed, PEM.
pub struct Issued {
    /// The CA certificate; its key is dropped once the leaf is signed, so
    /// nothing can sign with it later.
    pub ca_pem: String,
    /// The serving certificate.
    pub cert_pem: String,
    /// The serving certificate's PKCS#8 private key.
    pub key_pem: String,
}

/// The name the API server connects to for the Service `service` in
/// `namespace`, and the certificate's subject.
pub fn server_name(service: &str, namespace: &str) -> String {
    format!("{service}.{namespace}.svc")
}

/// Every name the Service may be reached by, [`server_name`] first.
fn dns_names(service: &str, namespace: &str) -> Vec<String> {
    vec![
        server_name(service, namespace),
        format!("{service}.{namespace}.svc.cluster.local"),
        format!("{service}.{namespace}"),
        service.to_string(),
    ]
}

/// Issues a fresh CA and a serving certificate for the names of
/// `service` in `namespace`, both valid from a minute ago (for clocks a
/// little behind ours) for `validity`.
pub fn issue(service: &str, namespace: &str, validity: Duration) -> Result<Issued, rcgen::Error> {
    let not_before = OffsetDateTime::now_utc() - Duration::minutes(1);
    let not_after = not_before + validity;
    let server_name = server_name(service, namespace);

    let mut ca = CertificateParams::default();
    ca.distinguished_name = name(&format!("{server_name} CA"));
    ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    (ca.not_before, ca.not_after) = (not_before, not_after);
    let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate()?)?;

    let mut leaf = CertificateParams::default();
    leaf.distinguished_name = name(&server_name);
    leaf.subject_alt_names = dns_names(service, namespace)
        .into_iter()
        .map(|n| Ok(SanType::DnsName(n.try_into()?)))
        .collect::<Result<_, rcgen::Error>>()?;
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    (leaf.not_before, leaf.not_after) = (not_before, not_after);
    let key = KeyPair::generate()?;
    let cert = leaf.signed_by(&key, &ca)?;

    Ok(Issued {
        ca_pem: ca.pem(),
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    })
}

fn name(common_name: &str) -> DistinguishedName {
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, common_name);
    name
}
