//! Kubernetes' rules for `metadata.name`, kind by kind, with the messages
//! of `k8s.io/apimachinery`'s validation (Helm's `validateMetadataName`).

use std::sync::OnceLock;

use regex::Regex;

use crate::engine::gofmt::quote;

const DNS1123_SUBDOMAIN_MAX: usize = 253;
const DNS_LABEL_MAX: usize = 63;

const DNS1123_SUBDOMAIN: &str = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const DNS1123_LABEL: &str = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1035_LABEL: &str = r"[a-z]([-a-z0-9]*[a-z0-9])?";

/// The name rules Kubernetes applies to a kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Rule {
    Dns1123Subdomain,
    Dns1123Label,
    Dns1035Label,
    PathSegment,
    None,
}

/// Which rule a kind's names follow; kinds Kubernetes has no special rule
/// for (and custom resources) are DNS subdomains.
fn rule_for(kind: &str) -> Rule {
    match kind.to_ascii_lowercase().as_str() {
        "service" => Rule::Dns1035Label,
        "namespace" => Rule::Dns1123Label,
        "certificatesigningrequest" => Rule::None,
        "role" | "clusterrole" | "rolebinding" | "clusterrolebinding" => Rule::PathSegment,
        _ => Rule::Dns1123Subdomain,
    }
}

/// Checks `name` for an object of `kind`; the error is Helm's warning text.
pub(super) fn validate(kind: &str, name: &str) -> Result<(), String> {
    let problems = problems(rule_for(kind), name);
    if problems.is_empty() {
        return Ok(());
    }
    let quoted = quote(name);
    let errors: Vec<String> = problems
        .iter()
        .map(|p| format!("metadata.name: Invalid value: {quoted}: {p}"))
        .collect();
    let aggregate = if errors.len() == 1 {
        errors[0].clone()
    } else {
        format!("[{}]", errors.join(", "))
    };
    Err(format!(
        "object name does not conform to Kubernetes naming requirements: {quoted}: {aggregate}"
    ))
}

fn problems(rule: Rule, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (max, pattern, message) = match rule {
        Rule::None => return out,
        Rule::PathSegment => {
            if name == "." || name == ".." {
                out.push(format!("may not be '{name}'"));
                return out;
            }
            for bad in ["/", "%"] {
                if name.contains(bad) {
                    out.push(format!("may not contain '{bad}'"));
                }
            }
            return out;
        }
        Rule::Dns1123Subdomain => (
            DNS1123_SUBDOMAIN_MAX,
            DNS1123_SUBDOMAIN,
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \
             '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com'",
        ),
        Rule::Dns1123Label => (
            DNS_LABEL_MAX,
            DNS1123_LABEL,
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', \
             and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc'",
        ),
        Rule::Dns1035Label => (
            DNS_LABEL_MAX,
            DNS1035_LABEL,
            "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start \
             with an alphabetic character, and end with an alphanumeric character (e.g. \
             'my-name',  or 'abc-123'",
        ),
    };
    if name.len() > max {
        out.push(format!("must be no more than {max} characters"));
    }
    if !anchored(pattern).is_match(name) {
        out.push(format!(
            "{message}, regex used for validation is '{pattern}')"
        ));
    }
    out
}

fn anchored(pattern: &str) -> &'static Regex {
    static SUBDOMAIN: OnceLock<Regex> = OnceLock::new();
    static LABEL: OnceLock<Regex> = OnceLock::new();
    static DNS1035: OnceLock<Regex> = OnceLock::new();
    let cell = match pattern {
        DNS1123_SUBDOMAIN => &SUBDOMAIN,
        DNS1123_LABEL => &LABEL,
        _ => &DNS1035,
    };
    cell.get_or_init(|| Regex::new(&format!("^(?:{pattern})$")).expect("a valid pattern"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_choose_their_rules() {
        assert!(validate("ConfigMap", "a.b-c").is_ok());
        assert!(validate("Service", "a.b").is_err());
        assert!(validate("Role", "a:b").is_ok());
        assert!(validate("CertificateSigningRequest", "ANY").is_ok());
        let err = validate("Role", "a/b").unwrap_err();
        assert!(err.ends_with("\"a/b\": may not contain '/'"), "{err}");
    }

    #[test]
    fn several_problems_are_listed() {
        let long = "A".repeat(300);
        let err = validate("Pod", &long).unwrap_err();
        assert!(err.contains(": [metadata.name: Invalid value: "), "{err}");
    }
}
