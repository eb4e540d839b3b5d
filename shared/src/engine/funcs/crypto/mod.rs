//! Sprig's crypto functions: checksums, `bcrypt`/`htpasswd`,
//! `derivePassword`, `encryptAES`/`decryptAES`, `randBytes`, private keys
//! and certificates.

mod aes;
mod certs;
mod der;
mod hash;
mod keys;
mod password;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::{FuncMap, add};
use crate::engine::value::{Ty, Value};
use certs::{Certificate, Issuer, Request};
use keys::PrivateKey;

pub(super) fn register(map: &mut FuncMap) {
    add(map, "sha1sum", &[Ty::String], |_, a| {
        Ok(hex_of(&a, hash::sha1_hex))
    });
    add(map, "sha256sum", &[Ty::String], |_, a| {
        Ok(hex_of(&a, hash::sha256_hex))
    });
    add(map, "sha512sum", &[Ty::String], |_, a| {
        Ok(hex_of(&a, hash::sha512_hex))
    });
    add(map, "adler32sum", &[Ty::String], |_, a| {
        Ok(hex_of(&a, hash::adler32_decimal))
    });
    add(map, "bcrypt", &[Ty::String], |_, a| {
        Ok(Value::str(password::bcrypt(str_arg(&a, 0))))
    });
    add(map, "htpasswd", &[Ty::String, Ty::String], |_, a| {
        Ok(Value::str(password::htpasswd(
            str_arg(&a, 0),
            str_arg(&a, 1),
        )))
    });
    let password_params = &[Ty::Uint32, Ty::String, Ty::String, Ty::String, Ty::String];
    add(map, "derivePassword", password_params, |_, a| {
        let counter = match a.first() {
            Some(Value::Uint(n, _)) => *n as u32,
            _ => 0,
        };
        let (kind, password, user, site) = (
            str_arg(&a, 1),
            str_arg(&a, 2),
            str_arg(&a, 3),
            str_arg(&a, 4),
        );
        Ok(Value::str(password::derive_password(
            counter, kind, password, user, site,
        )))
    });
    add(map, "encryptAES", &[Ty::String, Ty::String], |_, a| {
        aes::encrypt(str_arg(&a, 0), str_arg(&a, 1)).map(Value::str)
    });
    add(map, "decryptAES", &[Ty::String, Ty::String], |_, a| {
        aes::decrypt(str_arg(&a, 0), str_arg(&a, 1)).map(Value::str)
    });
    add(map, "genPrivateKey", &[Ty::String], |_, a| {
        Ok(Value::str(generate_private_key(str_arg(&a, 0))))
    });
    add(map, "buildCustomCert", &[Ty::String, Ty::String], |_, a| {
        build_custom_certificate(str_arg(&a, 0), str_arg(&a, 1))
    });
    add(map, "genCA", &[Ty::String, Ty::Int], |_, a| {
        let key = PrivateKey::generate_rsa(keys::RSA_BITS_FOR_CERTS).map_err(rsa_error)?;
        certificate_authority(&a, &key)
    });
    add(
        map,
        "genCAWithKey",
        &[Ty::String, Ty::Int, Ty::String],
        |_, a| certificate_authority(&a, &key_arg(&a, 2)?),
    );
    let self_signed = &[Ty::String, Ty::List, Ty::List, Ty::Int];
    add(map, "genSelfSignedCert", self_signed, |_, a| {
        let key = PrivateKey::generate_rsa(keys::RSA_BITS_FOR_CERTS).map_err(rsa_error)?;
        self_signed_certificate(&a, &key)
    });
    let self_signed_with_key = &[Ty::String, Ty::List, Ty::List, Ty::Int, Ty::String];
    add(
        map,
        "genSelfSignedCertWithKey",
        self_signed_with_key,
        |_, a| self_signed_certificate(&a, &key_arg(&a, 4)?),
    );
    let signed = &[Ty::String, Ty::List, Ty::List, Ty::Int, CERTIFICATE];
    add(map, "genSignedCert", signed, |_, a| {
        let ca = certificate_arg(&a[4])?;
        let key = PrivateKey::generate_rsa(keys::RSA_BITS_FOR_CERTS).map_err(rsa_error)?;
        signed_certificate(&a, ca, &key)
    });
    let signed_with_key = &[
        Ty::String,
        Ty::List,
        Ty::List,
        Ty::Int,
        CERTIFICATE,
        Ty::String,
    ];
    add(map, "genSignedCertWithKey", signed_with_key, |_, a| {
        let ca = certificate_arg(&a[4])?;
        signed_certificate(&a, ca, &key_arg(&a, 5)?)
    });
}

fn str_arg(args: &[Value], i: usize) -> &str {
    args.get(i).and_then(Value::as_str).unwrap_or("")
}

fn int_arg(args: &[Value], i: usize) -> i64 {
    match args.get(i) {
        Some(Value::Int(n, _)) => *n,
        _ => 0,
    }
}

fn hex_of(args: &[Value], f: fn(&str) -> String) -> Value {
    Value::str(f(str_arg(args, 0)))
}

fn rsa_error(e: String) -> String {
    format!("error generating rsa key: {e}")
}

/// A `*WithKey` function's PEM key argument.
fn key_arg(args: &[Value], i: usize) -> Result<PrivateKey, String> {
    keys::parse_private_key_pem(str_arg(args, i)).map_err(|e| format!("parsing private key: {e}"))
}

/// Sprig's certificate struct as a parameter type.
const CERTIFICATE: Ty = Ty::Object("sprig.certificate");

/// The `sprig.certificate` parameter of `genSignedCert` (declared
/// [`CERTIFICATE`], so the executor checked it).
fn certificate_arg(v: &Value) -> Result<&Certificate, String> {
    Certificate::of(v).ok_or_else(|| {
        format!(
            "wrong type for value; expected sprig.certificate; got {}",
            v.type_name()
        )
    })
}

/// Sprig's `genPrivateKey`: errors come back as the result text.
fn generate_private_key(kind: &str) -> String {
    let key = match kind {
        "" | "rsa" => PrivateKey::generate_rsa(keys::RSA_BITS_FOR_KEYS),
        "ecdsa" => PrivateKey::generate_ecdsa(),
        "ed25519" => PrivateKey::generate_ed25519(),
        _ => return format!("Unknown type {kind}"),
    };
    match key.and_then(|k| k.to_pem()) {
        Ok(pem) => pem,
        Err(e) => format!("failed to generate private key: {e}"),
    }
}

fn build_custom_certificate(cert64: &str, key64: &str) -> Result<Value, String> {
    let cert = STANDARD
        .decode(cert64)
        .map_err(|_| "unable to decode base64 certificate")?;
    let key = STANDARD
        .decode(key64)
        .map_err(|_| "unable to decode base64 private key")?;
    let cert = String::from_utf8_lossy(&cert).into_owned();
    let key = String::from_utf8_lossy(&key).into_owned();
    let (_, der) = keys::pem_decode(&cert).ok_or("unable to decode certificate")?;
    if certs::parse_certificate(&der).is_none() {
        return Err(
            "error parsing certificate: decodedCert.Bytes: x509: malformed certificate".into(),
        );
    }
    keys::parse_private_key_pem(&key).map_err(|e| format!("error parsing private key: {e}"))?;
    Ok(Certificate { cert, key }.into_value())
}

fn certificate_authority(args: &[Value], key: &PrivateKey) -> Result<Value, String> {
    let request = Request::certificate_authority(str_arg(args, 0), int_arg(args, 1));
    let issuer = Issuer { ca: None, key };
    certs::create(&request, key, &issuer).map(Certificate::into_value)
}

fn self_signed_certificate(args: &[Value], key: &PrivateKey) -> Result<Value, String> {
    let request = Request::new(str_arg(args, 0), &args[1], &args[2], int_arg(args, 3))?;
    let issuer = Issuer { ca: None, key };
    certs::create(&request, key, &issuer).map(Certificate::into_value)
}

fn signed_certificate(args: &[Value], ca: &Certificate, key: &PrivateKey) -> Result<Value, String> {
    let ca_cert = certs::parse_ca_certificate(&ca.cert)?;
    let ca_key = keys::parse_private_key_pem(&ca.key)
        .map_err(|e| format!("error parsing private key: {e}"))?;
    let request = Request::new(str_arg(args, 0), &args[1], &args[2], int_arg(args, 3))?;
    let issuer = Issuer {
        ca: Some(ca_cert),
        key: &ca_key,
    };
    certs::create(&request, key, &issuer).map(Certificate::into_value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::funcs::call;

    fn s(v: &str) -> Value {
        Value::str(v)
    }

    fn text(v: &Value) -> String {
        v.as_str().unwrap_or_default().to_string()
    }

    fn field(v: &Value, name: &str) -> String {
        match v {
            Value::Object(o) => text(&o.field(name).unwrap_or_default()),
            _ => String::new(),
        }
    }

    #[test]
    fn checksums() {
        let r = call("sha256sum", vec![s("abc")]).unwrap();
        assert_eq!(
            text(&r),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            text(&call("adler32sum", vec![s("hello")]).unwrap()),
            "103547413"
        );
    }

    #[test]
    fn private_keys() {
        let ec = call("genPrivateKey", vec![s("ecdsa")]).unwrap();
        assert!(text(&ec).starts_with("-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE"));
        let ed = call("genPrivateKey", vec![s("ed25519")]).unwrap();
        assert!(text(&ed).starts_with("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI"));
        let unknown = call("genPrivateKey", vec![s("foo")]).unwrap();
        assert_eq!(text(&unknown), "Unknown type foo");
    }

    #[test]
    fn certificate_chain() {
        let key = call("genPrivateKey", vec![s("ecdsa")]).unwrap();
        let ca = call(
            "genCAWithKey",
            vec![s("my-ca"), Value::int(365), key.clone()],
        )
        .unwrap();
        assert_eq!(ca.type_name(), "sprig.certificate");
        assert_eq!(field(&ca, "Key"), text(&key));
        let cert_pem = field(&ca, "Cert");
        assert!(cert_pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
        let (_, der) = keys::pem_decode(&cert_pem).unwrap();
        assert!(certs::parse_certificate(&der).is_some());

        let leaf_key = call("genPrivateKey", vec![s("ed25519")]).unwrap();
        let ips = Value::strings(["10.0.0.1", "::1"]);
        let dns = Value::strings(["example.com"]);
        let args = vec![s("leaf"), ips, dns, Value::int(30), ca.clone(), leaf_key];
        let leaf = call("genSignedCertWithKey", args).unwrap();
        assert!(field(&leaf, "Cert").starts_with("-----BEGIN CERTIFICATE-----\n"));

        let b64 = |t: String| Value::str(STANDARD.encode(t));
        let custom = call(
            "buildCustomCert",
            vec![b64(field(&leaf, "Cert")), b64(field(&leaf, "Key"))],
        );
        assert_eq!(custom.unwrap().type_name(), "sprig.certificate");
    }

    #[test]
    fn rsa_certificate_authority() {
        let ca = call("genCA", vec![s("rsa-ca"), Value::int(1)]).unwrap();
        assert!(field(&ca, "Key").starts_with("-----BEGIN RSA PRIVATE KEY-----\n"));
        let args = vec![s("leaf"), Value::Nil, Value::Nil, Value::int(1), ca];
        let leaf = call("genSignedCert", args).unwrap();
        assert!(field(&leaf, "Cert").starts_with("-----BEGIN CERTIFICATE-----\n"));
    }

    #[test]
    fn certificate_errors() {
        let err = |name: &str, args: Vec<Value>| call(name, args).unwrap_err();
        assert_eq!(
            err("genCAWithKey", vec![s("x"), Value::int(3), s("x")]),
            "parsing private key: no PEM data in input"
        );
        let key = call("genPrivateKey", vec![s("ecdsa")]).unwrap();
        let bad_ip = vec![
            s("x"),
            Value::list(vec![Value::int(1)]),
            Value::Nil,
            Value::int(3),
            key.clone(),
        ];
        assert_eq!(
            err("genSelfSignedCertWithKey", bad_ip),
            "error parsing ip: 1 is not a string"
        );
        let bad_ip = vec![
            s("x"),
            Value::strings(["1.2.3"]),
            Value::Nil,
            Value::int(3),
            key.clone(),
        ];
        assert_eq!(
            err("genSelfSignedCertWithKey", bad_ip),
            "error parsing ip: 1.2.3"
        );
        let bad_dns = vec![
            s("x"),
            Value::Nil,
            Value::list(vec![Value::int(2)]),
            Value::int(3),
            key,
        ];
        assert_eq!(
            err("genSelfSignedCertWithKey", bad_dns),
            "error processing alternate dns name: 2 is not a string"
        );
        assert_eq!(
            err("buildCustomCert", vec![s("x"), s("y")]),
            "unable to decode base64 certificate"
        );
        assert_eq!(
            err("buildCustomCert", vec![s("eHg="), s("eHg=")]),
            "unable to decode certificate"
        );
    }
}
