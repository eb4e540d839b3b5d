//! The objects `webhook certs` writes, as JSON: the `kubernetes.io/tls`
//! Secret the webhook mounts, and the CA bundle of every webhook of its
//! ValidatingWebhookConfiguration.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};

use super::pki::Issued;

/// The Secret type the serving certificate is stored as.
pub const TLS_SECRET_TYPE: &str = "kubernetes.io/tls";
/// The key of the CA certificate in the Secret (cert-manager's too).
pub const CA_KEY: &str = "ca.crt";

/// The largest previous CA certificate carried into a new bundle; ours
/// are well under a kilobyte, and anything bigger is not ours.
const MAX_PREVIOUS_CA: usize = 16 * 1024;

/// Why the cluster's objects cannot take the certificates.
#[derive(Debug, thiserror::Error)]
pub enum ObjectsError {
    /// The Secret exists with another type, which the API server will not
    /// change in place.
    #[error(
        "Secret {namespace}/{name} exists with type {found:?}, not {TLS_SECRET_TYPE:?}; delete it first"
    )]
    SecretType {
        namespace: String,
        name: String,
        found: String,
    },
    /// The configuration has no webhook to give the bundle to.
    #[error("ValidatingWebhookConfiguration {0} has no webhooks")]
    NoWebhooks(String),
}

/// The Secret holding `issued`: `existing` (as read, to keep its metadata
/// and `resourceVersion` for a guarded replace) with its data replaced,
/// or a new one.
pub fn tls_secret(
    existing: Option<&Value>,
    namespace: &str,
    name: &str,
    issued: &Issued,
) -> Result<Value, ObjectsError> {
    let data = json!({
        "tls.crt": STANDARD.encode(&issued.cert_pem),
        "tls.key": STANDARD.encode(&issued.key_pem),
        CA_KEY: STANDARD.encode(&issued.ca_pem),
    });
    let Some(existing) = existing else {
        return Ok(json!({
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {
                "name": name,
                "namespace": namespace,
                "labels": {"app.kubernetes.io/name": "kubectl-helm-webhook"},
            },
            "type": TLS_SECRET_TYPE,
            "data": data,
        }));
    };
    let found = existing
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("Opaque");
    if found != TLS_SECRET_TYPE {
        return Err(ObjectsError::SecretType {
            namespace: namespace.to_string(),
            name: name.to_string(),
            found: found.to_string(),
        });
    }
    let mut secret = existing.clone();
    if let Some(object) = secret.as_object_mut() {
        object.remove("stringData");
        object.insert("data".into(), data);
    }
    Ok(secret)
}

/// The CA of a Secret this command wrote before, when it holds one.
pub fn previous_ca(secret: &Value) -> Option<String> {
    let encoded = secret.get("data")?.get(CA_KEY)?.as_str()?;
    if encoded.len() > MAX_PREVIOUS_CA * 4 / 3 + 4 {
        return None;
    }
    let pem = String::from_utf8(STANDARD.decode(encoded).ok()?).ok()?;
    let pem = pem.trim();
    let one_certificate = pem.starts_with("-----BEGIN CERTIFICATE-----")
        && pem.ends_with("-----END CERTIFICATE-----")
        && pem.matches("-----BEGIN").count() == 1;
    one_certificate.then(|| format!("{pem}\n"))
}

/// The CA bundle for the webhooks: the new CA, then the previous one, so
/// that a webhook still serving the old certificate (until it reloads the
/// Secret) is trusted meanwhile. Older CAs are dropped.
pub fn ca_bundle(new_ca: &str, previous: Option<&str>) -> String {
    match previous {
        Some(old) if old.trim() != new_ca.trim() => format!("{new_ca}{old}"),
        _ => new_ca.to_string(),
    }
}

/// Sets `clientConfig.caBundle` of every webhook of the configuration
/// `config` to `bundle` (PEM), and returns the webhooks' names.
pub fn set_ca_bundles(config: &mut Value, bundle: &str) -> Result<Vec<String>, ObjectsError> {
    let name = config
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let encoded = STANDARD.encode(bundle);
    let webhooks = config
        .get_mut("webhooks")
        .and_then(Value::as_array_mut)
        .filter(|w| !w.is_empty())
        .ok_or_else(|| ObjectsError::NoWebhooks(name.clone()))?;
    let mut names = Vec::new();
    for webhook in webhooks.iter_mut().filter_map(Value::as_object_mut) {
        names.push(
            webhook
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
        );
        let client = webhook
            .entry("clientConfig")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(client) = client.as_object_mut() {
            client.insert("caBundle".into(), Value::from(encoded.clone()));
        }
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issued() -> Issued {
        Issued {
            ca_pem: "-----BEGIN CERTIFICATE-----\nQ0E=\n-----END CERTIFICATE-----\n".into(),
            cert_pem: "CERT".into(),
            key_pem: "KEY".into(),
        }
    }

    #[test]
    fn a_new_secret_is_a_tls_secret_with_the_ca() {
        let secret = tls_secret(None, "ns", "tls", &issued()).unwrap();
        assert_eq!(secret["type"], TLS_SECRET_TYPE);
        assert_eq!(secret["metadata"]["namespace"], "ns");
        assert_eq!(secret["data"]["tls.crt"], STANDARD.encode("CERT"));
        assert_eq!(secret["data"]["tls.key"], STANDARD.encode("KEY"));
        assert_eq!(
            previous_ca(&secret).as_deref(),
            Some(issued().ca_pem.as_str())
        );
    }

    #[test]
    fn a_replaced_secret_keeps_its_metadata_but_not_another_type() {
        let old = json!({"apiVersion": "v1", "kind": "Secret", "type": TLS_SECRET_TYPE,
            "metadata": {"name": "tls", "resourceVersion": "7", "labels": {"team": "a"}},
            "data": {"tls.crt": "b2xk", "extra": "eA=="}, "stringData": {"x": "y"}});
        let secret = tls_secret(Some(&old), "ns", "tls", &issued()).unwrap();
        assert_eq!(secret["metadata"], old["metadata"]);
        assert_eq!(secret["data"]["tls.crt"], STANDARD.encode("CERT"));
        assert!(secret.get("stringData").is_none());
        assert!(secret["data"].get("extra").is_none());

        let opaque = json!({"metadata": {"name": "tls"}, "type": "Opaque"});
        let err = tls_secret(Some(&opaque), "ns", "tls", &issued()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Secret ns/tls exists with type \"Opaque\", not \"kubernetes.io/tls\"; delete it first"
        );
    }

    #[test]
    fn only_one_well_formed_previous_ca_is_carried_over() {
        let with = |pem: &str| json!({"data": {CA_KEY: STANDARD.encode(pem)}});
        let ca = issued().ca_pem;
        assert_eq!(previous_ca(&with(&ca)).as_deref(), Some(ca.as_str()));
        assert_eq!(previous_ca(&with(&format!("{ca}{ca}"))), None);
        assert_eq!(previous_ca(&with("not a certificate")), None);
        assert_eq!(previous_ca(&json!({"data": {CA_KEY: "%%%"}})), None);
        assert_eq!(previous_ca(&json!({"data": {}})), None);

        assert_eq!(ca_bundle("NEW\n", Some("OLD\n")), "NEW\nOLD\n");
        assert_eq!(ca_bundle("NEW\n", Some("NEW\n")), "NEW\n");
        assert_eq!(ca_bundle("NEW\n", None), "NEW\n");
    }

    #[test]
    fn every_webhook_gets_the_bundle() {
        let mut config = json!({"metadata": {"name": "hooks"}, "webhooks": [
            {"name": "a", "clientConfig": {"service": {"name": "s"}, "caBundle": "b2xk"}},
            {"name": "b"}]});
        let names = set_ca_bundles(&mut config, "PEM").unwrap();
        assert_eq!(names, ["a", "b"]);
        for webhook in config["webhooks"].as_array().unwrap() {
            assert_eq!(webhook["clientConfig"]["caBundle"], STANDARD.encode("PEM"));
        }
        assert_eq!(
            config["webhooks"][0]["clientConfig"]["service"]["name"],
            "s"
        );

        let mut empty = json!({"metadata": {"name": "hooks"}, "webhooks": []});
        let err = set_ca_bundles(&mut empty, "PEM").unwrap_err();
        assert_eq!(
            err.to_string(),
            "ValidatingWebhookConfiguration hooks has no webhooks"
        );
    }
}
