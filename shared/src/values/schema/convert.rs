//! Values (Go-typed) as the JSON the validator sees.
//!
//! Helm hands the validator Go values: numbers from YAML are float64,
//! `--set` integers int64. v6 calls any of them a `number`, and an
//! `integer` when it has no fraction, so a float64 `1.0` is an integer;
//! boon does the same for a JSON float with no fraction.

use serde_json::{Number, Value as Json};

use crate::engine::Value;
use crate::engine::value::Map;

/// A map of values as a JSON object.
pub fn map_to_json(map: &Map) -> Json {
    Json::Object(
        map.entries()
            .iter()
            .map(|(k, v)| (k.clone(), to_json(v)))
            .collect(),
    )
}

/// One value as JSON. Values never hold bytes or Go objects from user
/// input; if they do, bytes read as a string and objects as null. A NaN or
/// infinite float (YAML's `.nan`, `.inf`) has no JSON form and reads as
/// null.
pub fn to_json(value: &Value) -> Json {
    match value {
        Value::Nil | Value::Object(_) => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i, _) => Json::Number(Number::from(*i)),
        Value::Uint(u, _) => Json::Number(Number::from(*u)),
        Value::Float(f) => Number::from_f64(*f).map_or(Json::Null, Json::Number),
        Value::String(s) => Json::String(s.to_string()),
        Value::Bytes(b) => Json::String(String::from_utf8_lossy(b).into_owned()),
        Value::List(list) => Json::Array(list.items.iter().map(to_json).collect()),
        Value::Map(map) => map_to_json(map),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::value::{IntKind, MapKind};

    #[test]
    fn integers_stay_integers_and_floats_stay_floats() {
        assert_eq!(
            to_json(&Value::Int(10, IntKind::Int64)),
            serde_json::json!(10)
        );
        assert!(to_json(&Value::Int(10, IntKind::Int64)).is_i64());
        let one = to_json(&Value::Float(1.0));
        assert!(one.is_f64());
        assert_eq!(one.as_f64(), Some(1.0));
        assert_eq!(to_json(&Value::Float(2.5)), serde_json::json!(2.5));
    }

    #[test]
    fn non_finite_floats_become_null() {
        assert_eq!(to_json(&Value::Float(f64::NAN)), Json::Null);
        assert_eq!(to_json(&Value::Float(f64::INFINITY)), Json::Null);
    }

    #[test]
    fn nested_maps_and_lists_convert() {
        let inner = Map::new(MapKind::Any);
        inner.insert(
            "b".to_string(),
            Value::list(vec![Value::str("x"), Value::Nil]),
        );
        let outer = Map::new(MapKind::Values);
        outer.insert("a".to_string(), Value::Map(inner));
        outer.insert("t".to_string(), Value::Bool(true));
        assert_eq!(
            map_to_json(&outer),
            serde_json::json!({"a": {"b": ["x", null]}, "t": true})
        );
    }
}
