//! Who made a request: the identity kube-apiserver's x509 authenticator
//! reads from a client certificate (the subject's common name is the user
//! name, its organizations are the groups), plus the group every
//! authenticated user is in.

use serde::Serialize;
use x509_parser::prelude::{FromDer, X509Certificate};

/// The group kube-apiserver adds to every authenticated user.
const AUTHENTICATED: &str = "system:authenticated";

/// An authenticated user, as `authentication.k8s.io/v1` `UserInfo`
/// serializes it (the fields it leaves out when empty are left out here).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserInfo {
    /// The certificate's common name.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub username: String,
    /// The certificate's organizations, then `system:authenticated`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
}

impl UserInfo {
    /// The user a DER client certificate names, or `None` when it does not
    /// parse (the TLS layer has already verified it against the CA).
    pub fn from_certificate(der: &[u8]) -> Option<Self> {
        let (_, certificate) = X509Certificate::from_der(der).ok()?;
        let subject = certificate.subject();
        let username = subject
            .iter_common_name()
            .next()
            .and_then(|cn| cn.as_str().ok())
            .unwrap_or_default()
            .to_owned();
        let mut groups: Vec<String> = subject
            .iter_organization()
            .filter_map(|o| o.as_str().ok())
            .map(str::to_owned)
            .collect();
        groups.push(AUTHENTICATED.to_owned());
        Some(Self { username, groups })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;

    #[test]
    fn the_admin_certificate_names_admin_in_system_masters() {
        let pki = crate::pki::Pki::generate().expect("certificates");
        let der = CertificateDer::from_pem_slice(pki.admin.cert_pem.as_bytes()).expect("PEM");
        let user = UserInfo::from_certificate(&der).expect("parses");
        assert_eq!(user.username, "admin");
        assert_eq!(user.groups, ["system:masters", "system:authenticated"]);
        assert_eq!(
            serde_json::to_value(&user).expect("serializes"),
            serde_json::json!({"username": "admin", "groups": ["system:masters", "system:authenticated"]})
        );
        assert_eq!(UserInfo::from_certificate(b"not DER"), None);
    }
}
