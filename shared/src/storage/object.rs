//! The Kubernetes objects Helm keeps releases in: a Secret (the default)
//! or a ConfigMap, named `sh.helm.release.v1.NAME.vN`, with Helm's labels
//! and the encoded record under `release`.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde_json::{Value, json};

use super::StorageError;
use super::encoding::{decode_release, encode_release};
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

/// Why a Secret or ConfigMap does not hold a release record.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ObjectError {
    /// The object has no `metadata.name`.
    #[error("release object has no name")]
    NoName,
    /// The object has no `release` data, or it is not a string.
    #[error("release object {0:?} has no {DATA_KEY:?} data")]
    NoData(String),
    /// A Secret's data is not base64.
    #[error("release object {0:?}: data is not base64")]
    NotBase64(String),
}

impl StoredObject {
    /// Reads a Secret as the API returns it (data in base64).
    pub fn from_secret(secret: &Value) -> Result<StoredObject, ObjectError> {
        let name = object_name_of(secret)?;
        let raw = data_of(secret, &name)?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(raw)
            .map_err(|_| ObjectError::NotBase64(name.clone()))?;
        let data = String::from_utf8(bytes).map_err(|_| ObjectError::NotBase64(name.clone()))?;
        Ok(StoredObject {
            labels: labels_of(secret),
            name,
            data,
        })
    }

    /// Reads a ConfigMap as the API returns it.
    pub fn from_config_map(config_map: &Value) -> Result<StoredObject, ObjectError> {
        let name = object_name_of(config_map)?;
        let data = data_of(config_map, &name)?.to_string();
        Ok(StoredObject {
            labels: labels_of(config_map),
            name,
            data,
        })
    }

    /// The release it holds, with its own labels (Helm's removed), as
    /// Helm's drivers return it.
    pub fn release(&self) -> Result<Release, StorageError> {
        let mut release = decode_release(&self.data).map_err(|source| StorageError::Decode {
            key: self.name.clone(),
            source,
        })?;
        release.labels = filter_system_labels(&self.labels);
        Ok(release)
    }
}

fn object_name_of(object: &Value) -> Result<String, ObjectError> {
    object["metadata"]["name"]
        .as_str()
        .map(str::to_string)
        .ok_or(ObjectError::NoName)
}

fn data_of<'a>(object: &'a Value, name: &str) -> Result<&'a str, ObjectError> {
    object["data"][DATA_KEY]
        .as_str()
        .ok_or_else(|| ObjectError::NoData(name.to_string()))
}

fn labels_of(object: &Value) -> BTreeMap<String, String> {
    object["metadata"]["labels"]
        .as_object()
        .map(|labels| {
            labels
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default()
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

        // Read back as the API returns them: the release, its own labels.
        for back in [
            StoredObject::from_secret(&secret).unwrap(),
            StoredObject::from_config_map(&obj.to_config_map()).unwrap(),
        ] {
            assert_eq!(back, obj);
            let rel_back = back.release().unwrap();
            assert_eq!(rel_back.labels["team"], "a");
            assert!(!rel_back.labels.contains_key("owner"));
            assert_eq!(rel_back.version, 3);
        }
    }

    #[test]
    fn objects_without_a_record_are_errors() {
        let no_name = json!({"data": {"release": ""}});
        assert_eq!(
            StoredObject::from_secret(&no_name),
            Err(ObjectError::NoName)
        );
        let no_data = json!({"metadata": {"name": "x"}});
        assert_eq!(
            StoredObject::from_config_map(&no_data),
            Err(ObjectError::NoData("x".into()))
        );
        let bad = json!({"metadata": {"name": "x"}, "data": {"release": "%"}});
        assert_eq!(
            StoredObject::from_secret(&bad),
            Err(ObjectError::NotBase64("x".into()))
        );
        let corrupt = json!({"metadata": {"name": "x"}, "data": {"release": "H4sI"}});
        let err = StoredObject::from_config_map(&corrupt)
            .unwrap()
            .release()
            .unwrap_err();
        assert!(
            err.to_string().starts_with("failed to decode data \"x\": "),
            "{err}"
        );
    }
}
