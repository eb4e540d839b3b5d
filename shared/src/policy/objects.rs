//! The objects of a release as a policy sees them: parsed from the
//! manifest and hooks the record holds, with the images their Pod specs
//! run.

use serde_json::Value;

use crate::codec::{json, yaml};
use crate::manifest;
use crate::release::Release;

/// A manifest document that is not a Kubernetes object we can read.
#[derive(Debug, thiserror::Error)]
#[error("document {index}: {reason}")]
pub struct ManifestError {
    /// 1-based position among the documents (for a release: manifest,
    /// then hooks).
    pub index: usize,
    pub reason: String,
}

/// Every object a release creates: its manifest's documents, then its
/// hooks'. Empty documents are skipped, as Helm skips them.
pub fn release_objects(release: &Release) -> Result<Vec<Value>, ManifestError> {
    let hooks = release.hooks.iter().map(|h| h.manifest.as_str());
    parse_documents(
        manifest::split(&release.manifest)
            .into_iter()
            .chain(hooks.flat_map(manifest::split)),
    )
}

/// YAML documents as JSON objects, empty documents skipped; anything but
/// a mapping is an error naming the document.
pub fn parse_documents<'a>(
    documents: impl Iterator<Item = &'a str>,
) -> Result<Vec<Value>, ManifestError> {
    let mut objects = Vec::new();
    for (i, document) in documents.enumerate() {
        let fail = |reason: String| ManifestError {
            index: i + 1,
            reason,
        };
        let parsed = yaml::from_str(document).map_err(|e| fail(e.to_string()))?;
        if parsed.is_nil() {
            continue;
        }
        let text = json::to_string(&parsed).map_err(|e| fail(e.to_string()))?;
        let object: Value = serde_json::from_str(&text).map_err(|e| fail(e.to_string()))?;
        if !object.is_object() {
            return Err(fail("not a mapping".into()));
        }
        objects.push(object);
    }
    Ok(objects)
}

/// `kind`, `metadata.name` and the API group of an object, for messages
/// and matching.
pub struct Identity<'a> {
    pub group: &'a str,
    pub kind: &'a str,
    pub name: &'a str,
    pub namespace: &'a str,
}

/// Reads an object's identity; missing fields read as empty.
pub fn identity(object: &Value) -> Identity<'_> {
    let str_at = |pointer: &str| {
        object
            .pointer(pointer)
            .and_then(Value::as_str)
            .unwrap_or("")
    };
    let api_version = str_at("/apiVersion");
    Identity {
        group: api_version.rsplit_once('/').map_or("", |(group, _)| group),
        kind: str_at("/kind"),
        name: str_at("/metadata/name"),
        namespace: str_at("/metadata/namespace"),
    }
}

/// Where the Pod spec sits in the kinds that carry one.
fn pod_spec(object: &Value) -> Option<&Value> {
    let pointer = match object.get("kind")?.as_str()? {
        "Pod" => "/spec",
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "ReplicationController"
        | "Job" => "/spec/template/spec",
        "CronJob" => "/spec/jobTemplate/spec/template/spec",
        _ => return None,
    };
    object.pointer(pointer)
}

/// The images of every container (init and ephemeral included) of an
/// object's Pod spec, as written.
pub fn images(object: &Value) -> Vec<&str> {
    let Some(spec) = pod_spec(object) else {
        return Vec::new();
    };
    ["initContainers", "containers", "ephemeralContainers"]
        .iter()
        .filter_map(|field| spec.get(field)?.as_array())
        .flatten()
        .filter_map(|container| container.get("image")?.as_str())
        .collect()
}

/// An image reference written out in full, as the container runtime
/// resolves it: `nginx` is `docker.io/library/nginx`, `me/app:1` is
/// `docker.io/me/app:1`; a first component with a `.` or `:` (or
/// `localhost`) is a registry host.
pub fn normalise_image(image: &str) -> String {
    match image.split_once('/') {
        Some((first, _)) if first.contains(['.', ':']) || first == "localhost" => image.to_string(),
        Some(_) => format!("docker.io/{image}"),
        None => format!("docker.io/library/{image}"),
    }
}

/// Whether a normalised image lies under `prefix` at a path boundary
/// (`registry.io` covers `registry.io/a`, not `registry.io.evil/a`).
pub fn image_under(image: &str, prefix: &str) -> bool {
    let prefix = prefix.trim_end_matches('/');
    image
        .strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', ':', '@']))
}

/// The value at a dotted path (`roleRef.name`) as text, if it is a scalar.
pub fn field_text(object: &Value, path: &str) -> Option<String> {
    let value = path.split('.').try_fold(object, |v, key| v.get(key))?;
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn images_are_found_in_every_pod_spec_kind_and_container_list() {
        let deployment = json!({"kind": "Deployment", "spec": {"template": {"spec": {
            "initContainers": [{"image": "busybox"}],
            "containers": [{"image": "nginx:1.25"}, {"name": "no-image"}]}}}});
        assert_eq!(images(&deployment), ["busybox", "nginx:1.25"]);
        let cron = json!({"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {"spec": {
            "containers": [{"image": "r.io/x"}]}}}}}});
        assert_eq!(images(&cron), ["r.io/x"]);
        assert!(images(&json!({"kind": "ConfigMap", "data": {"image": "x"}})).is_empty());
    }

    #[test]
    fn images_normalise_as_the_runtime_resolves_them() {
        assert_eq!(normalise_image("nginx"), "docker.io/library/nginx");
        assert_eq!(normalise_image("me/app:1"), "docker.io/me/app:1");
        assert_eq!(normalise_image("ghcr.io/me/app"), "ghcr.io/me/app");
        assert_eq!(normalise_image("localhost/app"), "localhost/app");
        assert_eq!(normalise_image("reg:5000/app"), "reg:5000/app");
    }

    #[test]
    fn registry_prefixes_stop_at_path_boundaries() {
        assert!(image_under("registry.io/a/b:1", "registry.io"));
        assert!(image_under("registry.io/a/b:1", "registry.io/a/"));
        assert!(image_under(
            "docker.io/library/nginx@sha256:00",
            "docker.io/library/nginx"
        ));
        assert!(!image_under("registry.io.evil/a", "registry.io"));
        assert!(!image_under(
            "docker.io/librarything/x",
            "docker.io/library"
        ));
    }

    #[test]
    fn manifest_and_hooks_are_parsed_and_blank_documents_skipped() {
        let mut release = Release {
            manifest: "---\n# Source: c/templates/a.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n# empty\n".into(),
            ..Release::default()
        };
        release.hooks.push(crate::release::Hook {
            manifest: "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\n".into(),
            ..Default::default()
        });
        let objects = release_objects(&release).expect("parses");
        let names: Vec<_> = objects.iter().map(|o| identity(o).name).collect();
        assert_eq!(names, ["a", "j"]);
        assert_eq!(identity(&objects[1]).group, "batch");

        release.manifest = "kind: [unclosed\n".into();
        let error = release_objects(&release).expect_err("bad yaml");
        assert_eq!(error.index, 1);
    }
}
