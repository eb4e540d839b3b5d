//! Writing `Chart.lock` (or `requirements.lock`) and the digest that ties it
//! to the declared dependencies.
//!
//! Helm's digest is the SHA-256 of `json.Marshal` of the pair (declared
//! dependencies, locked dependencies): Go's struct field order, empty
//! optional fields left out, `<`, `>` and `&` escaped. `dependency build`
//! recomputes it to tell whether the lock still matches `Chart.yaml`.

use std::collections::BTreeMap;

use chrono::Offset as _;
use sha2::{Digest, Sha256};

use super::{Dependency, Lock};
use crate::codec::json::{self, JsonError};
use crate::codec::yaml;
use crate::engine::Value;
use crate::engine::value::{Map, MapKind};

/// Helm's `HashReq`: the digest of the declared dependencies (`req`;
/// `None` when the chart declares none, which Go writes as `null`) and
/// what they were locked to, as `sha256:HEX`.
pub fn hash_requirements(
    req: Option<&[Dependency]>,
    locked: &[Dependency],
) -> Result<String, JsonError> {
    let data = format!("[{},{}]", json_list(req)?, json_list(Some(locked))?);
    Ok(sha256(&data))
}

/// Helm 2's digest (`HashV2Req`), which `requirements.lock` files written
/// by Helm 2 carry: `{"dependencies": [...]}` of the declared dependencies.
pub fn hash_v2_requirements(req: Option<&[Dependency]>) -> Result<String, JsonError> {
    Ok(sha256(&format!("{{\"dependencies\":{}}}", json_list(req)?)))
}

fn sha256(data: &str) -> String {
    let hex: String = Sha256::digest(data.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256:{hex}")
}

fn json_list(deps: Option<&[Dependency]>) -> Result<String, JsonError> {
    let Some(deps) = deps else {
        return Ok("null".to_string());
    };
    let items = deps
        .iter()
        .map(dependency_json)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(format!("[{}]", items.join(",")))
}

/// One dependency as `json.Marshal` writes Helm's struct.
fn dependency_json(dep: &Dependency) -> Result<String, JsonError> {
    let string = |s: &str| json::to_string(&Value::str(s));
    let mut fields = vec![format!("\"name\":{}", string(&dep.name)?)];
    if !dep.version.is_empty() {
        fields.push(format!("\"version\":{}", string(&dep.version)?));
    }
    fields.push(format!("\"repository\":{}", string(&dep.repository)?));
    if !dep.condition.is_empty() {
        fields.push(format!("\"condition\":{}", string(&dep.condition)?));
    }
    if !dep.tags.is_empty() {
        let tags = dep.tags.iter().map(|t| Value::str(t.as_str())).collect();
        fields.push(format!("\"tags\":{}", json::to_string(&Value::list(tags))?));
    }
    if dep.enabled {
        fields.push("\"enabled\":true".to_string());
    }
    if !dep.import_values.is_empty() {
        let values = Value::list(dep.import_values.clone());
        fields.push(format!("\"import-values\":{}", json::to_string(&values)?));
    }
    if !dep.alias.is_empty() {
        fields.push(format!("\"alias\":{}", string(&dep.alias)?));
    }
    Ok(format!("{{{}}}", fields.join(",")))
}

impl Lock {
    /// The lock file's text, as `sigs.k8s.io/yaml` marshals Helm's struct:
    /// keys sorted, and each locked dependency with only its name,
    /// repository and (if any) version.
    pub fn to_yaml(&self) -> String {
        let deps = self
            .dependency_list()
            .map(|d| {
                let mut fields = BTreeMap::new();
                fields.insert("name".to_string(), Value::str(d.name.as_str()));
                fields.insert("repository".to_string(), Value::str(d.repository.as_str()));
                if !d.version.is_empty() {
                    fields.insert("version".to_string(), Value::str(d.version.as_str()));
                }
                Value::Map(Map::from_entries(MapKind::Any, fields))
            })
            .collect();
        let mut doc = BTreeMap::new();
        doc.insert("dependencies".to_string(), Value::list(deps));
        doc.insert("digest".to_string(), Value::str(self.digest.as_str()));
        doc.insert("generated".to_string(), Value::str(self.generated.as_str()));
        // Strings, lists and maps only: nothing the encoder refuses.
        yaml::to_yaml(&Value::Map(Map::from_entries(MapKind::Any, doc))).unwrap_or_default()
    }
}

/// A time as Go's `time.Time` marshals to JSON (RFC 3339 with nanoseconds,
/// trailing zeros of the fraction dropped, `Z` for UTC).
pub fn go_timestamp<Tz: chrono::TimeZone>(time: &chrono::DateTime<Tz>) -> String
where
    Tz::Offset: std::fmt::Display,
{
    let nanos = time.timestamp_subsec_nanos();
    let fraction = if nanos == 0 {
        String::new()
    } else {
        format!(".{nanos:09}").trim_end_matches('0').to_string()
    };
    let offset = time.offset().fix().local_minus_utc();
    let zone = if offset == 0 {
        "Z".to_string()
    } else {
        let sign = if offset < 0 { '-' } else { '+' };
        let abs = offset.unsigned_abs();
        format!("{sign}{:02}:{:02}", abs / 3600, abs % 3600 / 60)
    };
    format!("{}{fraction}{zone}", time.format("%Y-%m-%dT%H:%M:%S"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{FixedOffset, TimeZone, Utc};

    fn dep(name: &str, version: &str, repository: &str) -> Dependency {
        Dependency {
            name: name.into(),
            version: version.into(),
            repository: repository.into(),
            ..Dependency::default()
        }
    }

    #[test]
    fn dependencies_marshal_in_struct_order_with_html_escaped() {
        let mut d = dep("a", ">=1.0.0 <2.0.0", "file://../a");
        d.condition = "a.enabled".into();
        d.alias = "x".into();
        assert_eq!(
            dependency_json(&d).unwrap(),
            r#"{"name":"a","version":"\u003e=1.0.0 \u003c2.0.0","repository":"file://../a","condition":"a.enabled","alias":"x"}"#
        );
        assert_eq!(
            dependency_json(&dep("b", "", "")).unwrap(),
            r#"{"name":"b","repository":""}"#
        );
    }

    #[test]
    fn digests_cover_both_lists() {
        let req = [dep("a", "1.2.3", "file://../a")];
        let one = hash_requirements(Some(&req), &[dep("a", "1.2.3", "file://../a")]).unwrap();
        let two = hash_requirements(Some(&req), &[dep("a", "1.2.4", "file://../a")]).unwrap();
        let none = hash_requirements(None, &[]).unwrap();
        assert_eq!(none, sha256("[null,[]]"));
        assert!(one.starts_with("sha256:") && one.len() == 7 + 64);
        assert_ne!(one, two);
    }

    #[test]
    fn timestamps_as_go_writes_them() {
        let t = Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap();
        assert_eq!(go_timestamp(&t), "2024-05-01T12:00:00Z");
        let t = t + chrono::Duration::nanoseconds(120_000_000);
        assert_eq!(go_timestamp(&t), "2024-05-01T12:00:00.12Z");
        let east = FixedOffset::east_opt(5 * 3600 + 1800).unwrap();
        assert_eq!(
            go_timestamp(&t.with_timezone(&east)),
            "2024-05-01T17:30:00.12+05:30"
        );
    }

    #[test]
    fn lock_files_sort_keys_and_quote_timestamps() {
        let lock = Lock {
            generated: "2024-05-01T12:00:00Z".into(),
            digest: "sha256:00".into(),
            dependencies: Some(vec![
                Some(dep("a", "1.2.3", "file://../a")),
                Some(dep("b", "", "")),
            ]),
        };
        assert_eq!(
            lock.to_yaml(),
            "dependencies:\n- name: a\n  repository: file://../a\n  version: 1.2.3\n\
             - name: b\n  repository: \"\"\ndigest: sha256:00\ngenerated: \"2024-05-01T12:00:00Z\"\n"
        );
    }
}
