//! Reading objects back with their `managedFields`, for the tests of
//! server-side apply.

use serde_json::{Value, json};

use crate::common::run_ok;

/// The stored object, as `kubectl get -o json` prints it.
pub fn get(kind: &str, name: &str, namespace: &str) -> Value {
    let out = run_ok(
        "kubectl",
        &[
            "get",
            kind,
            name,
            "-n",
            namespace,
            "-o",
            "json",
            "--show-managed-fields",
        ],
    );
    serde_json::from_str(&out).expect("kubectl prints JSON")
}

/// `managedFields` without the times: `[manager, operation, fieldsV1]`.
pub fn managers(object: &Value) -> Vec<Value> {
    object["metadata"]["managedFields"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|entry| {
            assert_eq!(entry["fieldsType"], "FieldsV1");
            // An applier whose apply changed nothing has no time yet.
            assert!(entry["time"].as_str().is_none_or(|t| t.ends_with('Z')));
            json!([entry["manager"], entry["operation"], entry["fieldsV1"]])
        })
        .collect()
}
