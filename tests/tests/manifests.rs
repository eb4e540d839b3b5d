//! The webhook's manifests agree with the code: the ChartPolicy CRD's
//! schema describes exactly the fields `helm::policy::spec` reads.

use std::collections::BTreeSet;
use std::path::Path;

use helm::policy::Policy;
use helm::policy::spec::ChartPolicySpec;
use serde_json::{Value, json};

fn manifest(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../manifests")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let parsed = helm::codec::yaml::from_str(&text).expect("manifest is YAML");
    let json = helm::codec::json::to_string(&parsed).expect("YAML as JSON");
    serde_json::from_str(&json).expect("JSON")
}

fn spec_schema() -> Value {
    let crd = manifest("chartpolicy-crd.yaml");
    assert_eq!(crd["spec"]["group"], "policy.kubectl-helm.io");
    assert_eq!(crd["spec"]["names"]["kind"], helm::policy::spec::KIND);
    let version = &crd["spec"]["versions"][0];
    assert_eq!(
        format!(
            "{}/{}",
            crd["spec"]["group"].as_str().unwrap_or_default(),
            version["name"].as_str().unwrap_or_default()
        ),
        helm::policy::spec::API_VERSION
    );
    version["schema"]["openAPIV3Schema"]["properties"]["spec"].clone()
}

/// A value for every property the schema declares (one item per array).
fn example(schema: &Value) -> Value {
    match schema["type"].as_str() {
        Some("object") => match schema.get("properties").and_then(Value::as_object) {
            Some(properties) => properties
                .iter()
                .map(|(k, v)| (k.clone(), example(v)))
                .collect(),
            None => json!({"some.path": "value"}),
        },
        Some("array") => json!([example(&schema["items"])]),
        Some("integer") => json!(3),
        Some("boolean") => json!(true),
        _ => match schema.get("enum").and_then(|e| e.get(0)) {
            Some(first) => first.clone(),
            None => json!("*"),
        },
    }
}

/// Dotted paths of every key (arrays looked through), maps of free keys
/// (`fields`) not descended into.
fn paths(value: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                out.insert(path.clone());
                if key != "fields" {
                    paths(child, &path, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| paths(item, prefix, out)),
        _ => {}
    }
}

#[test]
fn chart_policy_crd_schema_and_spec_name_the_same_fields() {
    let example = example(&spec_schema());
    let object = json!({
        "apiVersion": helm::policy::spec::API_VERSION,
        "kind": "ChartPolicy",
        "metadata": {"name": "every-field"},
        "spec": example,
    });
    // Every schema property is a field the code reads (unknown fields are
    // refused)…
    let policy = Policy::from_object(&object).unwrap_or_else(|e| panic!("{e}"));
    // …and every field the code reads is in the schema.
    let mut from_code = BTreeSet::new();
    let spec: ChartPolicySpec = policy.spec;
    paths(
        &serde_json::to_value(&spec).expect("serialises"),
        "",
        &mut from_code,
    );
    let mut from_schema = BTreeSet::new();
    paths(&object["spec"], "", &mut from_schema);
    assert_eq!(from_code, from_schema);
}

#[test]
fn the_webhook_configuration_skips_its_own_namespace_and_uses_v1_reviews() {
    let configuration = manifest("validatingwebhookconfiguration.yaml");
    let webhooks = configuration["webhooks"].as_array().expect("webhooks");
    assert_eq!(webhooks.len(), 2);
    for webhook in webhooks {
        assert_eq!(webhook["admissionReviewVersions"], json!(["v1"]));
        assert_eq!(webhook["sideEffects"], "None");
        assert_eq!(webhook["clientConfig"]["service"]["path"], "/validate");
        let excluded = &webhook["namespaceSelector"]["matchExpressions"][0];
        assert_eq!(excluded["operator"], "NotIn");
        assert!(
            excluded["values"]
                .as_array()
                .is_some_and(|v| v.contains(&json!("kubectl-helm-system")))
        );
    }
}
