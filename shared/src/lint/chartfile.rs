//! Rules for `Chart.yaml` (Helm's `rules/chartfile.go`).

use std::collections::BTreeMap;
use std::fs;
use std::sync::OnceLock;

use regex::Regex;

use super::loading::declared_dependencies;
use super::{Linter, Severity};
use crate::chart::Metadata;
use crate::codec::yaml;
use crate::constraints;
use crate::engine::Value;

const FILE: &str = "Chart.yaml";

/// The fields of `Chart.yaml` Helm knows (matched case-insensitively, as
/// Go's JSON decoding matches them).
const METADATA_FIELDS: &[&str] = &[
    "name",
    "home",
    "sources",
    "version",
    "description",
    "keywords",
    "maintainers",
    "icon",
    "apiVersion",
    "condition",
    "tags",
    "appVersion",
    "deprecated",
    "annotations",
    "kubeVersion",
    "dependencies",
    "type",
];
const MAINTAINER_FIELDS: &[&str] = &["name", "email", "url"];
const DEPENDENCY_FIELDS: &[&str] = &[
    "name",
    "version",
    "repository",
    "condition",
    "tags",
    "enabled",
    "import-values",
    "alias",
];

/// Go's prefix for errors reading the JSON that YAML became.
const JSON_ERROR: &str = "error unmarshaling JSON: while decoding JSON: ";

pub(super) fn lint(linter: &mut Linter) {
    let path = linter.chart_dir.join(FILE);
    let not_dir = if path.is_dir() {
        Err("should be a file, not a directory".to_string())
    } else {
        Ok(())
    };
    linter.check(Severity::Error, FILE, not_dir);

    let parsed = fs::read(&path)
        .map_err(|e| format!("read {}: {}", path.display(), io_text(&e)))
        .and_then(|data| {
            let text = String::from_utf8_lossy(&data).into_owned();
            let doc = yaml::from_str(&text).map_err(|e| e.to_string())?;
            let md = Metadata::from_value(&doc).map_err(|e| format!("{JSON_ERROR}{e}"))?;
            Ok((doc, md))
        });
    let (doc, md) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => {
            linter.check(
                Severity::Error,
                FILE,
                Err(format!("unable to parse YAML\n\t{e}")),
            );
            return;
        }
    };
    let fields = match &doc {
        Value::Map(m) => m.entries().clone(),
        _ => BTreeMap::new(),
    };

    linter.check(Severity::Warning, FILE, strict_fields(&fields));
    linter.check(Severity::Error, FILE, name(&md));
    linter.check(Severity::Error, FILE, api_version(&md));
    linter.check(Severity::Error, FILE, is_string(&fields, "version"));
    linter.check(Severity::Error, FILE, version(&md));
    linter.check(Severity::Error, FILE, is_string(&fields, "appVersion"));
    linter.check(Severity::Error, FILE, maintainers(&fields, &md));
    linter.check(Severity::Error, FILE, sources(&md));
    let icon = if md.icon.is_empty() {
        Err("icon is recommended".to_string())
    } else {
        Ok(())
    };
    linter.check(Severity::Info, FILE, icon);
    linter.check(Severity::Error, FILE, icon_url(&md));
    linter.check(Severity::Error, FILE, chart_type(&md));
    let has_dependencies = !declared_dependencies(&linter.chart_dir, "").is_empty();
    linter.check(Severity::Error, FILE, dependencies(&md, has_dependencies));
    linter.check(Severity::Warning, FILE, strict_semver(&md));
}

fn io_text(e: &std::io::Error) -> String {
    match e.raw_os_error() {
        Some(21) => "is a directory".into(),
        _ if e.kind() == std::io::ErrorKind::NotFound => "no such file or directory".into(),
        _ => e.to_string(),
    }
}

/// The first field (in the sorted order Go decodes the JSON in) that the
/// metadata has no place for.
fn strict_fields(fields: &BTreeMap<String, Value>) -> Result<(), String> {
    let unknown = first_unknown(fields, METADATA_FIELDS, |key, value| {
        let nested = if key.eq_ignore_ascii_case("maintainers") {
            MAINTAINER_FIELDS
        } else if key.eq_ignore_ascii_case("dependencies") {
            DEPENDENCY_FIELDS
        } else {
            return None;
        };
        let Value::List(items) = value else {
            return None;
        };
        items.items.iter().find_map(|item| match item {
            Value::Map(m) => first_unknown(&m.entries(), nested, |_, _| None),
            _ => None,
        })
    });
    match unknown {
        Some(field) => Err(format!(
            "failed to strictly parse chart metadata file\n\t{JSON_ERROR}json: unknown field {field:?}"
        )),
        None => Ok(()),
    }
}

fn first_unknown(
    fields: &BTreeMap<String, Value>,
    known: &[&str],
    nested: impl Fn(&str, &Value) -> Option<String>,
) -> Option<String> {
    fields.iter().find_map(|(key, value)| {
        if known.iter().any(|k| k.eq_ignore_ascii_case(key)) {
            nested(key, value)
        } else {
            Some(key.clone())
        }
    })
}

fn name(md: &Metadata) -> Result<(), String> {
    if md.name.is_empty() {
        return Err("name is required".into());
    }
    if md.name.rsplit('/').next() != Some(md.name.as_str()) || md.name == "." || md.name == ".." {
        return Err(format!("chart name {:?} is invalid", md.name));
    }
    Ok(())
}

fn api_version(md: &Metadata) -> Result<(), String> {
    match md.api_version.as_str() {
        "" => Err("apiVersion is required. The value must be either \"v1\" or \"v2\"".into()),
        "v1" | "v2" => Ok(()),
        other => Err(format!(
            "apiVersion '{other}' is not valid. The value must be either \"v1\" or \"v2\""
        )),
    }
}

/// `version` and `appVersion` must be YAML strings: `1.10` would be read
/// as the number 1.1.
fn is_string(fields: &BTreeMap<String, Value>, key: &str) -> Result<(), String> {
    let Some(value) = fields.get(key) else {
        return Ok(());
    };
    let go_type = match value {
        Value::String(_) => return Ok(()),
        Value::Nil => "<nil>",
        Value::Bool(_) => "bool",
        Value::List(_) => "[]interface {}",
        Value::Map(_) => "map[string]interface {}",
        _ => "float64",
    };
    Err(format!(
        "{key} should be of type string but it's of type {go_type}"
    ))
}

fn version(md: &Metadata) -> Result<(), String> {
    if md.version.is_empty() {
        return Err("version is required".into());
    }
    if constraints::parse_version(&md.version).is_err() {
        return Err(format!("version '{}' is not a valid SemVer", md.version));
    }
    Ok(())
}

/// SemVer 2 proper: three numbers without leading zeros, no `v`.
fn strict_semver(md: &Metadata) -> Result<(), String> {
    semver::Version::parse(&md.version)
        .map(|_| ())
        .map_err(|_| format!("version '{}' is not a valid SemVerV2", md.version))
}

fn maintainers(fields: &BTreeMap<String, Value>, md: &Metadata) -> Result<(), String> {
    if let Some(Value::List(items)) = fields.get("maintainers")
        && let Some(at) = items.items.iter().position(Value::is_nil)
    {
        // Entries before the empty one are checked first.
        check_maintainers(&md.maintainers[..at])?;
        return Err("a maintainer entry is empty".into());
    }
    check_maintainers(&md.maintainers)
}

fn check_maintainers(list: &[Option<crate::chart::Maintainer>]) -> Result<(), String> {
    for m in list.iter().flatten() {
        if m.name.is_empty() {
            return Err("each maintainer requires a name".into());
        }
        if !m.email.is_empty() && !is_email(&m.email) {
            return Err(format!(
                "invalid email '{}' for maintainer '{}'",
                m.email, m.name
            ));
        }
        if !m.url.is_empty() && !is_url(&m.url) {
            return Err(format!(
                "invalid url '{}' for maintainer '{}'",
                m.url, m.name
            ));
        }
    }
    Ok(())
}

fn sources(md: &Metadata) -> Result<(), String> {
    match md.sources.iter().find(|s| !is_request_url(s)) {
        Some(bad) => Err(format!("invalid source URL '{bad}'")),
        None => Ok(()),
    }
}

fn icon_url(md: &Metadata) -> Result<(), String> {
    if !md.icon.is_empty() && !is_request_url(&md.icon) {
        return Err(format!("invalid icon URL '{}'", md.icon));
    }
    Ok(())
}

fn chart_type(md: &Metadata) -> Result<(), String> {
    if !md.chart_type.is_empty() && md.api_version != "v2" {
        return Err(format!(
            "chart type is not valid in apiVersion '{}'. It is valid in apiVersion 'v2'",
            md.api_version
        ));
    }
    Ok(())
}

fn dependencies(md: &Metadata, has_dependencies: bool) -> Result<(), String> {
    if has_dependencies && md.api_version != "v2" {
        return Err(format!(
            "dependencies are not valid in the Chart file with apiVersion '{}'. They are valid in apiVersion 'v2'",
            md.api_version
        ));
    }
    Ok(())
}

fn regex(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("a valid pattern"))
}

/// An absolute URL with a scheme, as govalidator's `IsRequestURL` (Go's
/// `url.ParseRequestURI` plus a scheme).
fn is_request_url(text: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    regex(&RE, r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s\x00-\x1f\x7f]*$").is_match(text)
}

/// govalidator's `IsURL`, for the shapes charts use: an optional scheme,
/// a host name or address, an optional port and path.
fn is_url(text: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    if text.len() <= 3 || text.len() >= 2083 || text.starts_with('.') {
        return false;
    }
    regex(
        &RE,
        r"(?i)^([a-z][a-z0-9+.\-]*://)?([^\s/?#@:]+(:[^\s/?#@]*)?@)?(localhost|([a-z0-9\x{80}-\x{10ffff}_]([a-z0-9\x{80}-\x{10ffff}_\-]*[a-z0-9\x{80}-\x{10ffff}_])?\.)+[a-z\x{80}-\x{10ffff}]{2,}|\d{1,3}(\.\d{1,3}){3}|\[[0-9a-f:.]+\])(:\d{1,5})?([/?#][^\s]*)?$",
    )
    .is_match(text)
}

/// govalidator's `IsEmail`: a local part, `@`, and a dotted domain.
fn is_email(text: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    regex(
        &RE,
        r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.\-\x{80}-\x{10ffff}]+@([A-Za-z0-9\x{80}-\x{10ffff}]([A-Za-z0-9\-\x{80}-\x{10ffff}]*[A-Za-z0-9\x{80}-\x{10ffff}])?\.)+[A-Za-z\x{80}-\x{10ffff}]([A-Za-z0-9\-\x{80}-\x{10ffff}]*[A-Za-z0-9\x{80}-\x{10ffff}])?\.?$",
    )
    .is_match(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_emails() {
        assert!(is_request_url("https://example.com/icon.png"));
        assert!(!is_request_url("not a url"));
        assert!(!is_request_url("notaurl"));
        assert!(is_url("https://example.com"));
        assert!(is_url("example.com/x"));
        assert!(!is_url("::nope"));
        assert!(is_email("a.b@example.com"));
        assert!(!is_email("not-an-email"));
    }

    #[test]
    fn strict_semver_wants_three_numbers() {
        let md = |v: &str| Metadata {
            version: v.into(),
            ..Metadata::default()
        };
        assert!(strict_semver(&md("1.2.3")).is_ok());
        assert!(strict_semver(&md("v1.2.3")).is_err());
        assert!(strict_semver(&md("1.2")).is_err());
    }
}
