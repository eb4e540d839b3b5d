//! Helm's `lookup` template function against a live cluster: one object by
//! name, or a whole list, as JSON turned into template values.

use std::rc::Rc;
use std::sync::Arc;

use serde_json::Value as Json;

use super::client::{Kube, KubeError};
use super::discovery::split_api_version;
use crate::engine::exec::LookupFn;
use crate::engine::value::{IntKind, Map, MapKind, Value};

/// What `lookup` finds: the object, the list (`name` empty), or an empty
/// map when the object does not exist or the group version has no such
/// kind. A group version the server does not serve is an error, worded as
/// Helm words it.
pub async fn lookup(
    kube: &Kube,
    api_version: &str,
    kind: &str,
    namespace: &str,
    name: &str,
) -> Result<Json, String> {
    let resources = kube.resources_of(api_version).await.map_err(|e| {
        let (group, version) = split_api_version(api_version);
        format!("unable to get apiresource from unstructured: {group}/{version}, Kind={kind}: {e}")
    })?;
    let Some(resource) = resources.iter().find(|r| r.kind == kind) else {
        return Ok(empty());
    };
    let namespace = if resource.namespaced { namespace } else { "" };
    let found = if name.is_empty() {
        kube.list_object(resource, namespace, "").await
    } else {
        kube.get(resource, namespace, name).await
    };
    match found {
        Ok(object) => Ok(object),
        Err(e) if e.is_not_found() => Ok(empty()),
        // A name the API cannot address names no object.
        Err(KubeError::InvalidName(_)) => Ok(empty()),
        Err(e) => Err(e.to_string()),
    }
}

fn empty() -> Json {
    Json::Object(serde_json::Map::new())
}

/// The engine's `lookup` hook over `kube`, whose requests run on `runtime`
/// (the runtime the client was connected on). Templates are rendered
/// synchronously, so each lookup blocks on the runtime; rendering must
/// therefore happen outside any runtime's `block_on` (inside one, the hook
/// reports so rather than deadlock).
pub fn lookup_hook(kube: Arc<Kube>, runtime: Arc<tokio::runtime::Runtime>) -> Rc<LookupFn> {
    Rc::new(move |api_version, kind, namespace, name| {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err("lookup cannot wait for the cluster from inside an async task".into());
        }
        let found = runtime.block_on(lookup(&kube, api_version, kind, namespace, name))?;
        Ok(template_value(&found))
    })
}

/// JSON as Go's unstructured decoding gives it to templates: objects as
/// `map[string]interface {}`, integers as `int64`, other numbers as
/// `float64`.
pub fn template_value(json: &Json) -> Value {
    match json {
        Json::Null => Value::Nil,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i, IntKind::Int64),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Value::from(s.as_str()),
        Json::Array(items) => Value::list(items.iter().map(template_value).collect()),
        Json::Object(fields) => {
            let map = Map::new(MapKind::Any);
            for (k, v) in fields {
                map.insert(k.as_str(), template_value(v));
            }
            Value::Map(map)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_becomes_unstructured_values() {
        let json: Json =
            serde_json::from_str(r#"{"a": 3, "b": 1.5, "c": [true, null, "x"], "d": {}}"#).unwrap();
        let Value::Map(map) = template_value(&json) else {
            panic!("a map");
        };
        assert!(matches!(map.get("a"), Some(Value::Int(3, IntKind::Int64))));
        assert!(matches!(map.get("b"), Some(Value::Float(f)) if f == 1.5));
        let Some(Value::List(list)) = map.get("c") else {
            panic!("a list");
        };
        assert!(matches!(list.items[1], Value::Nil));
        assert!(matches!(map.get("d"), Some(Value::Map(_))));
    }
}
