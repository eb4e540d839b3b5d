//! Request bodies in Kubernetes' protobuf encoding, turned into the JSON
//! the store keeps.
//!
//! client-go's typed clients (kubectl's `create configmap`, Helm's release
//! storage and `--create-namespace`) send built-in types as protobuf and do
//! not fall back to JSON on a 415, so the cluster must read it. They accept
//! JSON answers, so responses stay JSON. The message types come from
//! `k8s-pb`; the JSON form of each kind served is written out here, since
//! those types carry no serde. A kind not listed answers 415.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use k8s_pb::api::core::v1 as core;
use k8s_pb::apimachinery::pkg::apis::meta::v1 as meta;
use k8s_pb::apimachinery::pkg::runtime::Unknown;
use prost::Message;
use serde_json::{Map, Value, json};

use crate::status::ApiError;

/// The media type client-go sends protobuf bodies as.
pub const MEDIA_TYPE: &str = "application/vnd.kubernetes.protobuf";

/// Every protobuf body starts with these bytes, then a `runtime.Unknown`.
const MAGIC: &[u8] = b"k8s\0";

/// Decodes a protobuf request body into the object's JSON form.
pub fn decode(body: &[u8]) -> Result<Value, ApiError> {
    let envelope = body
        .strip_prefix(MAGIC)
        .ok_or_else(|| ApiError::bad_request("protobuf body does not start with the k8s magic"))?;
    let unknown = Unknown::decode(envelope).map_err(malformed)?;
    let type_meta = unknown.type_meta.unwrap_or_default();
    let api_version = type_meta.api_version.unwrap_or_default();
    let kind = type_meta.kind.unwrap_or_default();
    let raw = unknown.raw.unwrap_or_default();
    let mut object = match (api_version.as_str(), kind.as_str()) {
        ("v1", "ConfigMap") => {
            config_map(core::ConfigMap::decode(raw.as_slice()).map_err(malformed)?)
        }
        ("v1", "Secret") => secret(core::Secret::decode(raw.as_slice()).map_err(malformed)?),
        ("v1", "Namespace") => {
            namespace(core::Namespace::decode(raw.as_slice()).map_err(malformed)?)
        }
        _ => return Err(ApiError::unsupported_media_type(&["application/json"])),
    };
    object.insert("apiVersion".to_owned(), json!(api_version));
    object.insert("kind".to_owned(), json!(kind));
    Ok(Value::Object(object))
}

fn malformed(error: prost::DecodeError) -> ApiError {
    ApiError::bad_request(format!(
        "the body of the request could not be decoded: {error}"
    ))
}

/// Inserts `value` under `key` unless it is absent, as `omitempty` does.
fn put(object: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(value) = value {
        object.insert(key.to_owned(), value);
    }
}

/// A string field: Go marshals empty strings into protobuf but omits
/// them from JSON (`omitempty`).
fn text(value: Option<String>) -> Option<Value> {
    value.filter(|v| !v.is_empty()).map(Value::from)
}

fn string_map(map: BTreeMap<String, String>) -> Option<Value> {
    (!map.is_empty()).then(|| json!(map))
}

fn bytes_map(map: BTreeMap<String, Vec<u8>>) -> Option<Value> {
    (!map.is_empty()).then(|| {
        Value::Object(
            map.into_iter()
                .map(|(key, bytes)| (key, json!(STANDARD.encode(bytes))))
                .collect(),
        )
    })
}

fn strings(list: Vec<String>) -> Option<Value> {
    (!list.is_empty()).then(|| json!(list))
}

/// `metav1.Time`: RFC 3339 in seconds; the zero time is omitted, as Go's
/// JSON encoding writes it as null.
fn time(time: Option<meta::Time>) -> Option<Value> {
    let time = time?;
    let seconds = time.seconds.unwrap_or(0);
    if seconds == 0 && time.nanos.unwrap_or(0) == 0 {
        return None;
    }
    let at = chrono::DateTime::from_timestamp(seconds, 0)?;
    Some(json!(at.format("%Y-%m-%dT%H:%M:%SZ").to_string()))
}

fn object_meta(meta: Option<meta::ObjectMeta>) -> Value {
    let meta = meta.unwrap_or_default();
    let mut out = Map::new();
    put(&mut out, "name", text(meta.name));
    put(&mut out, "generateName", text(meta.generate_name));
    put(&mut out, "namespace", text(meta.namespace));
    put(&mut out, "uid", text(meta.uid));
    put(&mut out, "resourceVersion", text(meta.resource_version));
    put(
        &mut out,
        "generation",
        meta.generation.filter(|g| *g != 0).map(Value::from),
    );
    put(&mut out, "creationTimestamp", time(meta.creation_timestamp));
    put(&mut out, "deletionTimestamp", time(meta.deletion_timestamp));
    put(
        &mut out,
        "deletionGracePeriodSeconds",
        meta.deletion_grace_period_seconds.map(Value::from),
    );
    put(&mut out, "labels", string_map(meta.labels));
    put(&mut out, "annotations", string_map(meta.annotations));
    let owners: Vec<Value> = meta
        .owner_references
        .into_iter()
        .map(owner_reference)
        .collect();
    put(
        &mut out,
        "ownerReferences",
        (!owners.is_empty()).then(|| json!(owners)),
    );
    put(&mut out, "finalizers", strings(meta.finalizers));
    let managed: Vec<Value> = meta
        .managed_fields
        .into_iter()
        .map(managed_fields)
        .collect();
    put(
        &mut out,
        "managedFields",
        (!managed.is_empty()).then(|| json!(managed)),
    );
    Value::Object(out)
}

fn owner_reference(owner: meta::OwnerReference) -> Value {
    let mut out = Map::new();
    put(&mut out, "apiVersion", text(owner.api_version));
    put(&mut out, "kind", text(owner.kind));
    put(&mut out, "name", text(owner.name));
    put(&mut out, "uid", text(owner.uid));
    put(&mut out, "controller", owner.controller.map(Value::from));
    put(
        &mut out,
        "blockOwnerDeletion",
        owner.block_owner_deletion.map(Value::from),
    );
    Value::Object(out)
}

fn managed_fields(entry: meta::ManagedFieldsEntry) -> Value {
    let mut out = Map::new();
    put(&mut out, "manager", text(entry.manager));
    put(&mut out, "operation", text(entry.operation));
    put(&mut out, "apiVersion", text(entry.api_version));
    put(&mut out, "time", time(entry.time));
    put(&mut out, "fieldsType", text(entry.fields_type));
    // FieldsV1 holds its JSON as bytes.
    let fields = entry
        .fields_v1
        .and_then(|f| f.raw)
        .and_then(|raw| serde_json::from_slice(&raw).ok());
    put(&mut out, "fieldsV1", fields);
    put(&mut out, "subresource", text(entry.subresource));
    Value::Object(out)
}

fn config_map(config_map: core::ConfigMap) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("metadata".to_owned(), object_meta(config_map.metadata));
    put(&mut out, "immutable", config_map.immutable.map(Value::from));
    put(&mut out, "data", string_map(config_map.data));
    put(&mut out, "binaryData", bytes_map(config_map.binary_data));
    out
}

fn secret(secret: core::Secret) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("metadata".to_owned(), object_meta(secret.metadata));
    put(&mut out, "immutable", secret.immutable.map(Value::from));
    put(&mut out, "data", bytes_map(secret.data));
    put(&mut out, "stringData", string_map(secret.string_data));
    put(&mut out, "type", text(secret.r#type));
    out
}

fn namespace(namespace: core::Namespace) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("metadata".to_owned(), object_meta(namespace.metadata));
    if let Some(spec) = namespace.spec {
        let mut spec_out = Map::new();
        put(&mut spec_out, "finalizers", strings(spec.finalizers));
        out.insert("spec".to_owned(), Value::Object(spec_out));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_pb::apimachinery::pkg::runtime::TypeMeta;

    fn envelope(api_version: &str, kind: &str, raw: Vec<u8>) -> Vec<u8> {
        let unknown = Unknown {
            type_meta: Some(TypeMeta {
                api_version: Some(api_version.to_owned()),
                kind: Some(kind.to_owned()),
            }),
            raw: Some(raw),
            content_encoding: Some(String::new()),
            content_type: Some(String::new()),
        };
        let mut body = MAGIC.to_vec();
        body.extend(unknown.encode_to_vec());
        body
    }

    #[test]
    fn secrets_decode_to_their_json_form() {
        let secret = core::Secret {
            metadata: Some(meta::ObjectMeta {
                name: Some("sh.helm.release.v1.x.v1".to_owned()),
                generate_name: Some(String::new()),
                labels: BTreeMap::from([("owner".to_owned(), "helm".to_owned())]),
                creation_timestamp: Some(meta::Time::default()),
                ..Default::default()
            }),
            data: BTreeMap::from([("release".to_owned(), b"abc".to_vec())]),
            r#type: Some("helm.sh/release.v1".to_owned()),
            ..Default::default()
        };
        let decoded = decode(&envelope("v1", "Secret", secret.encode_to_vec())).expect("decodes");
        assert_eq!(
            decoded,
            json!({
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": "sh.helm.release.v1.x.v1", "labels": {"owner": "helm"}},
                "data": {"release": "YWJj"},
                "type": "helm.sh/release.v1",
            })
        );
    }

    #[test]
    fn unknown_kinds_and_bad_bodies_are_refused() {
        let err = decode(&envelope("apps/v1", "Deployment", Vec::new())).expect_err("refused");
        assert_eq!(err.code, 415);
        assert_eq!(decode(b"{}").map_err(|e| e.code), Err(400));
        assert_eq!(decode(b"k8s\0\xff\xff").map_err(|e| e.code), Err(400));
    }
}
