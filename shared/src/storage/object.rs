//! The Kubernetes objects Helm keeps releases in: a Secret (the default)
//! or a ConfigMap, named `sh.helm.release.v1.NAME.vN`, with Helm's labels
//! and the encoded record under `release`.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde_json::{Value, json};

use super::encoding::encode_release;
use crate::release::{Release, Time};

/// The Secret type Helm 3 and 4 give release Secrets.
pub const SECRET_TYPE: &str = "helm.sh/release.v1";
/// The data key holding the encoded record.
pub const DATA_KEY: &str = "release";
/// The `owner` label of every release object.
pub const OWNER: &str = "helm";

/// The labels Helm sets itself; a release's own labels may not override
/// them and are read back without them.
pub const SYSTEM_LABELS: [&str; 6] = [
    "name",
    "owner",
    "status",
    "version",
    "createdAt",
    "modifiedAt",
];

/// The name of the object holding a revision.
pub fn object_name(release: &str, version: i64) -> String {
    format!("sh.helm.release.v1.{release}.v{version}")
}

/// Why the object is written: Helm stamps `createdAt` on create and
/// `modifiedAt` on update, in Unix seconds.
#[derive(Clone, Copy, Debug)]
pub enum Stamp {
    Created(Time),
    Modified(Time),
}

/// A revision ready to be written as a Secret or a ConfigMap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredObject {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    /// [`encode_release`] of the record.
    pub data: String,
}

impl StoredObject {
    /// The object for `release` under `key`, labelled as Helm labels it:
    /// the release's own labels, then the stamp, then Helm's labels.
    pub fn new(key: &str, release: &Release, stamp: Stamp) -> StoredObject {
        StoredObject {
            name: key.to_string(),
            labels: release_labels(release, Some(stamp)),
            data: encode_release(release),
        }
    }

    /// The `v1` Secret: its data is the record's text, base64 again as the
    /// API carries every Secret's bytes.
    pub fn to_secret(&self) -> Value {
        let data = base64::engine::general_purpose::STANDARD.encode(&self.data);
        json!({
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": self.name, "labels": self.labels},
            "type": SECRET_TYPE,
            "data": {DATA_KEY: data},
        })
    }

    /// The `v1` ConfigMap: the record's text as is.
    pub fn to_config_map(&self) -> Value {
        json!({
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": self.name, "labels": self.labels},
            "data": {DATA_KEY: self.data},
        })
    }
}

/// The labels of the object holding `release`: its own labels, then the
/// stamp, then Helm's `name`, `owner`, `status` and `version`, which win.
pub fn release_labels(release: &Release, stamp: Option<Stamp>) -> BTreeMap<String, String> {
    let mut labels = release.labels.clone();
    match stamp {
        Some(Stamp::Created(t)) => labels.insert("createdAt".into(), t.unix().to_string()),
        Some(Stamp::Modified(t)) => labels.insert("modifiedAt".into(), t.unix().to_string()),
        None => None,
    };
    labels.insert("name".into(), release.name.clone());
    labels.insert("owner".into(), OWNER.into());
    labels.insert(
        "status".into(),
        release.status().map(|s| s.to_string()).unwrap_or_default(),
    );
    labels.insert("version".into(), release.version.to_string());
    labels
}

/// A release's own labels: an object's labels without Helm's.
pub fn filter_system_labels(labels: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    labels
        .iter()
        .filter(|(k, _)| !SYSTEM_LABELS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::encoding::decode_release;

    #[test]
    fn secret_as_helm_writes_it() {
        let mut rel =
            Release::from_json(r#"{"name":"web","info":{"status":"deployed"},"version":3}"#)
                .unwrap();
        rel.labels.insert("team".into(), "a".into());
        rel.labels.insert("owner".into(), "mallory".into());
        let key = object_name("web", 3);
        let created = Time::parse("2024-01-01T00:00:00Z").unwrap();
        let obj = StoredObject::new(&key, &rel, Stamp::Created(created));
        let secret = obj.to_secret();
        assert_eq!(secret["metadata"]["name"], "sh.helm.release.v1.web.v3");
        assert_eq!(secret["type"], "helm.sh/release.v1");
        let labels = &secret["metadata"]["labels"];
        assert_eq!(labels["owner"], "helm");
        assert_eq!(labels["status"], "deployed");
        assert_eq!(labels["version"], "3");
        assert_eq!(labels["createdAt"], "1704067200");
        assert_eq!(labels["team"], "a");
        let inner = base64::engine::general_purpose::STANDARD
            .decode(secret["data"]["release"].as_str().unwrap())
            .unwrap();
        let back = decode_release(std::str::from_utf8(&inner).unwrap()).unwrap();
        assert_eq!(back.name, "web");
        let cm = StoredObject::new(&key, &rel, Stamp::Modified(created)).to_config_map();
        assert_eq!(cm["metadata"]["labels"]["modifiedAt"], "1704067200");
        assert_eq!(cm["data"]["release"], obj.data);
        assert_eq!(
            filter_system_labels(&obj.labels),
            BTreeMap::from([("team".to_string(), "a".to_string())])
        );
    }
}
