//! Sprig's certificate functions: X.509 v3 certificates laid out as Go's
//! `x509.CreateCertificate` writes them for Sprig's templates, and the
//! `sprig.certificate` value (`.Cert`, `.Key`) they return.

use std::any::Any;
use std::net::IpAddr;
use std::rc::Rc;
use std::time::{SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

use super::der::{self, Element};
use super::keys::{PrivateKey, pem_decode, pem_encode};
use crate::engine::value::{Map, MapKind, Object, Value};

/// Sprig's `certificate` struct.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Certificate {
    pub cert: String,
    pub key: String,
}

impl Certificate {
    pub fn into_value(self) -> Value {
        Value::Object(Rc::new(self))
    }

    /// The certificate of a template value, if it is one.
    pub fn of(v: &Value) -> Option<&Certificate> {
        match v {
            Value::Object(o) => o.as_any()?.downcast_ref(),
            _ => None,
        }
    }
}

impl Object for Certificate {
    fn type_name(&self) -> &str {
        "sprig.certificate"
    }

    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Cert" => Some(Value::str(self.cert.as_str())),
            "Key" => Some(Value::str(self.key.as_str())),
            _ => None,
        }
    }

    fn format(&self) -> String {
        format!("{{{} {}}}", self.cert, self.key)
    }

    fn to_json(&self) -> Option<Value> {
        let map = Map::new(MapKind::Any);
        map.insert("Cert", Value::str(self.cert.as_str()));
        map.insert("Key", Value::str(self.key.as_str()));
        Some(Value::Map(map))
    }

    fn as_any(&self) -> Option<&dyn Any> {
        Some(self)
    }
}

/// What the certificate asserts, from a template's arguments.
pub struct Request {
    pub common_name: String,
    pub ips: Vec<IpAddr>,
    pub dns_names: Vec<String>,
    pub days_valid: i64,
    pub is_ca: bool,
}

impl Request {
    /// Sprig's `getBaseCertTemplate` checks of the IP and DNS lists.
    pub fn new(cn: &str, ips: &Value, dns: &Value, days_valid: i64) -> Result<Request, String> {
        let ips = list_items(ips)
            .iter()
            .map(|ip| {
                let text = ip
                    .as_str()
                    .ok_or_else(|| format!("error parsing ip: {} is not a string", shown(ip)))?;
                parse_ip(text).ok_or_else(|| format!("error parsing ip: {text}"))
            })
            .collect::<Result<_, String>>()?;
        let dns_names = list_items(dns)
            .iter()
            .map(|name| {
                name.as_str().map(str::to_string).ok_or_else(|| {
                    format!(
                        "error processing alternate dns name: {} is not a string",
                        shown(name)
                    )
                })
            })
            .collect::<Result<_, String>>()?;
        Ok(Request {
            common_name: cn.to_string(),
            ips,
            dns_names,
            days_valid,
            is_ca: false,
        })
    }

    pub fn certificate_authority(cn: &str, days_valid: i64) -> Request {
        Request {
            common_name: cn.to_string(),
            ips: vec![],
            dns_names: vec![],
            days_valid,
            is_ca: true,
        }
    }
}

fn list_items(v: &Value) -> Vec<Value> {
    match v {
        Value::List(l) => l.items.clone(),
        _ => vec![],
    }
}

fn shown(v: &Value) -> String {
    crate::engine::gofmt::format_value(v)
}

/// Go's `net.ParseIP` (dotted IPv4 or any IPv6 form).
fn parse_ip(text: &str) -> Option<IpAddr> {
    text.parse().ok()
}

/// The issuing side: the CA's certificate and key, or (self-signed, no CA)
/// the new key itself.
pub struct Issuer<'a> {
    pub ca: Option<CaCertificate>,
    pub key: &'a PrivateKey,
}

/// The parts of a parsed CA certificate that signing needs.
pub struct CaCertificate {
    /// The raw DER of its subject name (the new certificate's issuer).
    subject: Vec<u8>,
    subject_key_id: Option<Vec<u8>>,
    public_key_info: Vec<u8>,
}

/// Decodes and parses the CA certificate of `genSignedCert`.
pub fn parse_ca_certificate(pem: &str) -> Result<CaCertificate, String> {
    let (_, bytes) = pem_decode(pem).ok_or("unable to decode certificate")?;
    parse_certificate(&bytes).ok_or_else(|| {
        "error parsing certificate: decodedSignerCert.Bytes: x509: malformed certificate".into()
    })
}

/// Reads a certificate's subject, subject key identifier and public key.
pub fn parse_certificate(bytes: &[u8]) -> Option<CaCertificate> {
    let (cert, rest) = der::read(bytes)?;
    if cert.tag != der::SEQUENCE || !rest.is_empty() {
        return None;
    }
    let parts = der::children(cert.content)?;
    let [tbs, _algorithm, _signature] = parts.as_slice() else {
        return None;
    };
    let mut fields = der::children(tbs.content)?.into_iter().peekable();
    // An explicit [0] version comes first when present.
    fields.next_if(|f| f.tag == 0xa0);
    let fields: Vec<Element> = fields.collect();
    let [
        _serial,
        _sigalg,
        _issuer,
        _validity,
        subject,
        spki,
        extra @ ..,
    ] = fields.as_slice()
    else {
        return None;
    };
    let key_id = extra
        .iter()
        .find(|f| f.tag == 0xa3)
        .and_then(|e| subject_key_id(e.content));
    Some(CaCertificate {
        subject: subject.raw.to_vec(),
        subject_key_id: key_id,
        public_key_info: spki.raw.to_vec(),
    })
}

fn subject_key_id(explicit: &[u8]) -> Option<Vec<u8>> {
    let (list, _) = der::read(explicit)?;
    let wanted = der::oid(&[2, 5, 29, 14]);
    der::children(list.content)?.into_iter().find_map(|ext| {
        let fields = der::children(ext.content)?;
        if fields.first()?.raw != wanted.as_slice() {
            return None;
        }
        let (id, _) = der::read(fields.last()?.content)?;
        Some(id.content.to_vec())
    })
}

/// Go's `CreateCertificate` + PEM encoding of certificate and key.
pub fn create(
    req: &Request,
    subject_key: &PrivateKey,
    issuer: &Issuer,
) -> Result<Certificate, String> {
    let cert =
        build(req, subject_key, issuer).map_err(|e| format!("error creating certificate: {e}"))?;
    Ok(Certificate {
        cert: pem_encode("CERTIFICATE", &cert),
        key: subject_key.to_pem()?,
    })
}

fn build(req: &Request, subject_key: &PrivateKey, issuer: &Issuer) -> Result<Vec<u8>, String> {
    let signature_algorithm = issuer.key.signature_algorithm()?;
    let spki = subject_key
        .public_key_info()
        .map_err(|_| "x509: unsupported public key type: *dsa.PublicKey".to_string())?;
    let subject = name(&req.common_name);
    let (issuer_name, authority_key_id) = match &issuer.ca {
        Some(ca) => {
            if ca.public_key_info != issuer.key.public_key_info()? {
                return Err("x509: provided PrivateKey doesn't match parent's PublicKey".into());
            }
            // Go names the authority key only when issuer and subject differ.
            let aki = if ca.subject == subject {
                None
            } else {
                ca.subject_key_id.clone()
            };
            (ca.subject.clone(), aki)
        }
        None => (subject.clone(), None),
    };
    let subject_key_id = req.is_ca.then(|| key_identifier(&spki));
    let serial = random_serial()?;
    let (not_before, not_after) = validity(req.days_valid);
    let tbs = der::sequence(&[
        der::tlv(0xa0, &der::small_integer(2)),
        der::unsigned_integer(&serial),
        signature_algorithm.clone(),
        issuer_name,
        der::sequence(&[not_before, not_after]),
        subject,
        spki,
        der::tlv(0xa3, &extensions(req, subject_key_id, authority_key_id)),
    ]);
    let signature = issuer.key.sign(&tbs)?;
    Ok(der::sequence(&[
        tbs,
        signature_algorithm,
        der::bit_string(&signature),
    ]))
}

/// A `Name` with just a common name (none if it is empty).
fn name(common_name: &str) -> Vec<u8> {
    if common_name.is_empty() {
        return der::sequence(&[]);
    }
    // Go's asn1 writes a PrintableString when it can, else UTF8String.
    let printable = common_name
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || b" '()+,-./:=?*&".contains(&c));
    let tag = if printable {
        der::PRINTABLE_STRING
    } else {
        der::UTF8_STRING
    };
    let attribute = der::sequence(&[
        der::oid(&[2, 5, 4, 3]),
        der::tlv(tag, common_name.as_bytes()),
    ]);
    der::sequence(&[der::tlv(der::SET, &attribute)])
}

/// Go ≥ 1.25's subject key identifier: SHA-256 of the public key bits,
/// cut to 160 bits.
fn key_identifier(spki: &[u8]) -> Vec<u8> {
    let key_bits = der::read(spki)
        .and_then(|(info, _)| der::children(info.content))
        .and_then(|fields| {
            fields
                .get(1)
                .map(|bits| bits.content.get(1..).unwrap_or(&[]).to_vec())
        })
        .unwrap_or_default();
    Sha256::digest(&key_bits)[..20].to_vec()
}

/// A uniformly random serial below 2¹²⁸.
fn random_serial() -> Result<[u8; 16], String> {
    let mut serial = [0u8; 16];
    getrandom::fill(&mut serial).map_err(|e| e.to_string())?;
    Ok(serial)
}

/// `NotBefore` = now, `NotAfter` = now + days × 24h, with Go's wrapping
/// `time.Duration` arithmetic.
fn validity(days: i64) -> (Vec<u8>, Vec<u8>) {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let now = since_epoch.as_secs() as i64;
    let span_nanos = 86_400_000_000_000i64.wrapping_mul(days);
    let later_nanos = i128::from(since_epoch.subsec_nanos()) + i128::from(span_nanos);
    let later = now + later_nanos.div_euclid(1_000_000_000) as i64;
    (asn1_time(now), asn1_time(later))
}

/// UTCTime for 1950–2049, GeneralizedTime otherwise, as Go chooses.
fn asn1_time(unix: i64) -> Vec<u8> {
    let t = chrono::DateTime::from_timestamp(unix, 0).unwrap_or_default();
    let year = chrono::Datelike::year(&t);
    if (1950..2050).contains(&year) {
        der::tlv(
            der::UTC_TIME,
            t.format("%y%m%d%H%M%SZ").to_string().as_bytes(),
        )
    } else {
        der::tlv(
            der::GENERALIZED_TIME,
            t.format("%Y%m%d%H%M%SZ").to_string().as_bytes(),
        )
    }
}

/// The extensions in Go's order: key usage, extended key usage, basic
/// constraints, subject and authority key ids, alternative names.
fn extensions(
    req: &Request,
    subject_key_id: Option<Vec<u8>>,
    authority_key_id: Option<Vec<u8>>,
) -> Vec<u8> {
    // digitalSignature | keyEncipherment (| keyCertSign for a CA), as a
    // BIT STRING cut after the last set bit.
    let key_usage = if req.is_ca {
        [0x02, 0xa4]
    } else {
        [0x05, 0xa0]
    };
    let mut list = vec![
        extension(
            &[2, 5, 29, 15],
            true,
            &der::tlv(der::BIT_STRING, &key_usage),
        ),
        extension(
            &[2, 5, 29, 37],
            false,
            &der::sequence(&[
                der::oid(&[1, 3, 6, 1, 5, 5, 7, 3, 1]),
                der::oid(&[1, 3, 6, 1, 5, 5, 7, 3, 2]),
            ]),
        ),
    ];
    let constraints = if req.is_ca {
        der::sequence(&[der::tlv(der::BOOLEAN, &[0xff])])
    } else {
        der::sequence(&[])
    };
    list.push(extension(&[2, 5, 29, 19], true, &constraints));
    if let Some(id) = subject_key_id {
        list.push(extension(
            &[2, 5, 29, 14],
            false,
            &der::tlv(der::OCTET_STRING, &id),
        ));
    }
    if let Some(id) = authority_key_id {
        list.push(extension(
            &[2, 5, 29, 35],
            false,
            &der::sequence(&[der::tlv(0x80, &id)]),
        ));
    }
    if !req.dns_names.is_empty() || !req.ips.is_empty() {
        let dns = req.dns_names.iter().map(|n| der::tlv(0x82, n.as_bytes()));
        let ips = req.ips.iter().map(|ip| match ip {
            IpAddr::V4(v4) => der::tlv(0x87, &v4.octets()),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => der::tlv(0x87, &v4.octets()),
                None => der::tlv(0x87, &v6.octets()),
            },
        });
        let names: Vec<Vec<u8>> = dns.chain(ips).collect();
        list.push(extension(&[2, 5, 29, 17], false, &der::sequence(&names)));
    }
    der::sequence(&list)
}

fn extension(oid: &[u64], critical: bool, value: &[u8]) -> Vec<u8> {
    let mut fields = vec![der::oid(oid)];
    if critical {
        fields.push(der::tlv(der::BOOLEAN, &[0xff]));
    }
    fields.push(der::tlv(der::OCTET_STRING, value));
    der::sequence(&fields)
}
