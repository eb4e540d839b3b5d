//! Which release owns an object: the label and annotations Helm writes on
//! every object it applies, and the check it makes before adopting an
//! object that already exists. The webhook asks the same question, so the
//! rules live here, over plain JSON objects.

use serde_json::{Map, Value};

/// The label naming the tool that manages an object.
pub const MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by";
/// Its value on objects a release owns.
pub const MANAGED_BY_HELM: &str = "Helm";
/// The annotation naming the owning release.
pub const RELEASE_NAME_ANNOTATION: &str = "meta.helm.sh/release-name";
/// The annotation naming the owning release's namespace.
pub const RELEASE_NAMESPACE_ANNOTATION: &str = "meta.helm.sh/release-namespace";

/// Why an object cannot belong to a release; displayed as Helm words it
/// (`invalid ownership metadata; label validation error: …`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid ownership metadata; {}", .problems.join("; "))]
pub struct OwnershipError {
    /// One line per missing or different key, label first.
    pub problems: Vec<String>,
}

/// Checks that `object` carries the ownership metadata of release `name`
/// in `namespace` (Helm's `checkOwnership`).
pub fn check_ownership(object: &Value, name: &str, namespace: &str) -> Result<(), OwnershipError> {
    let labels = string_map(object, "labels");
    let annotations = string_map(object, "annotations");
    let checks = [
        ("label", labels, MANAGED_BY_LABEL, MANAGED_BY_HELM),
        ("annotation", annotations, RELEASE_NAME_ANNOTATION, name),
        (
            "annotation",
            annotations,
            RELEASE_NAMESPACE_ANNOTATION,
            namespace,
        ),
    ];
    let problems: Vec<String> = checks
        .into_iter()
        .filter_map(|(what, map, key, want)| {
            require_value(map, key, want).map(|p| format!("{what} validation error: {p}"))
        })
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(OwnershipError { problems })
    }
}

/// The release an object claims to belong to, from its annotations:
/// `(name, namespace)`, when both are present.
pub fn owning_release(object: &Value) -> Option<(&str, &str)> {
    let annotations = string_map(object, "annotations")?;
    let name = annotations.get(RELEASE_NAME_ANNOTATION)?.as_str()?;
    let namespace = annotations.get(RELEASE_NAMESPACE_ANNOTATION)?.as_str()?;
    Some((name, namespace))
}

/// Writes the ownership label and annotations of release `name` in
/// `namespace` into `object`, replacing any earlier owner (Helm's
/// `setMetadataVisitor` with force, which is how it prepares every
/// rendered object).
pub fn set_ownership(object: &mut Value, name: &str, namespace: &str) {
    let Some(metadata) = object
        .as_object_mut()
        .map(|o| {
            o.entry("metadata")
                .or_insert_with(|| Value::Object(Map::new()))
        })
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    insert_string(metadata, "labels", MANAGED_BY_LABEL, MANAGED_BY_HELM);
    insert_string(metadata, "annotations", RELEASE_NAME_ANNOTATION, name);
    insert_string(
        metadata,
        "annotations",
        RELEASE_NAMESPACE_ANNOTATION,
        namespace,
    );
}

/// How Helm names an object in its messages:
/// `ConfigMap "x" in namespace "ns"` (with `""` for cluster-scoped ones).
pub fn describe(kind: &str, name: &str, namespace: &str) -> String {
    format!("{kind} {name:?} in namespace {namespace:?}")
}

fn string_map<'a>(object: &'a Value, field: &str) -> Option<&'a Map<String, Value>> {
    object.get("metadata")?.get(field)?.as_object()
}

fn require_value(map: Option<&Map<String, Value>>, key: &str, want: &str) -> Option<String> {
    match map.and_then(|m| m.get(key)) {
        None => Some(format!("missing key {key:?}: must be set to {want:?}")),
        Some(actual) => {
            let actual = actual.as_str().unwrap_or_default();
            (actual != want)
                .then(|| format!("key {key:?} must equal {want:?}: current value is {actual:?}"))
        }
    }
}

fn insert_string(metadata: &mut Map<String, Value>, field: &str, key: &str, value: &str) {
    let slot = metadata
        .entry(field)
        .or_insert_with(|| Value::Object(Map::new()));
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    if let Some(map) = slot.as_object_mut() {
        map.insert(key.to_string(), Value::String(value.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_unowned_object_lists_every_missing_key() {
        let object = json!({"kind": "ConfigMap", "metadata": {"name": "taken"}});
        let error = check_ownership(&object, "r", "default").unwrap_err();
        // The reference helm's words for a ConfigMap created by kubectl.
        assert_eq!(
            error.to_string(),
            "invalid ownership metadata; label validation error: missing key \
             \"app.kubernetes.io/managed-by\": must be set to \"Helm\"; annotation \
             validation error: missing key \"meta.helm.sh/release-name\": must be set \
             to \"r\"; annotation validation error: missing key \
             \"meta.helm.sh/release-namespace\": must be set to \"default\""
        );
    }

    #[test]
    fn another_release_is_named_with_its_value() {
        let mut object = json!({"metadata": {}});
        set_ownership(&mut object, "other", "ns");
        let error = check_ownership(&object, "mine", "ns").unwrap_err();
        assert_eq!(
            error.problems,
            [
                "annotation validation error: key \"meta.helm.sh/release-name\" must equal \
              \"mine\": current value is \"other\""
            ]
        );
        assert_eq!(owning_release(&object), Some(("other", "ns")));
    }

    #[test]
    fn set_ownership_keeps_other_metadata_and_passes_the_check() {
        let mut object = json!({"metadata": {"labels": {"app": "web"}, "annotations": null}});
        set_ownership(&mut object, "r", "ns");
        assert_eq!(object["metadata"]["labels"]["app"], "web");
        assert_eq!(check_ownership(&object, "r", "ns"), Ok(()));
        assert_eq!(
            describe("ConfigMap", "x", ""),
            "ConfigMap \"x\" in namespace \"\""
        );
    }

    #[test]
    fn objects_without_a_metadata_map_are_left_alone_and_not_owned() {
        for original in [json!(null), json!([]), json!({"metadata": 3})] {
            let mut object = original.clone();
            set_ownership(&mut object, "r", "ns");
            assert_eq!(object, original);
            assert!(check_ownership(&object, "r", "ns").is_err());
        }
        assert_eq!(
            owning_release(&json!({"metadata": {"annotations": 1}})),
            None
        );
    }
}
