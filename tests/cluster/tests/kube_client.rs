//! Our Kubernetes client and release drivers (`helm::kube`,
//! `helm::storage::ClusterDriver`) against the test cluster, checked with
//! the reference `helm` and `kubectl`: what helm writes we read, and what
//! we write helm reads.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use common::{cluster, reference_dir, run_err, run_ok};
use helm::kube::{DeleteParams, Kube, KubeError, Patch, PatchParams, PostParams};
use helm::release::Status;
use helm::settings::EnvSettings;
use helm::storage::{ClusterDriver, ObjectKind, Storage, StorageError};

use serde_json::json;

/// Settings as the environment of a `kubectl helm` run against the
/// cluster makes them, in `namespace`.
fn settings(namespace: &str) -> EnvSettings {
    let env = BTreeMap::from([
        (
            "KUBECONFIG".to_string(),
            cluster().kubeconfig().to_string_lossy().into_owned(),
        ),
        ("HELM_NAMESPACE".to_string(), namespace.to_string()),
    ]);
    EnvSettings::from_env(&env)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

fn connect(rt: &tokio::runtime::Runtime, namespace: &str) -> Arc<Kube> {
    Arc::new(
        rt.block_on(Kube::connect(&settings(namespace)))
            .expect("connects"),
    )
}

/// The reference helm with `HELM_DRIVER` set, requiring success.
fn helm_with_driver(driver: &str, args: &[&str]) -> String {
    let out = Command::new(reference_dir().join("helm"))
        .args(args)
        .env("KUBECONFIG", cluster().kubeconfig())
        .env("HOME", cluster().dir())
        .env("HELM_DRIVER", driver)
        .env_remove("HELM_NAMESPACE")
        .output()
        .expect("helm runs");
    assert!(
        out.status.success(),
        "helm {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A chart with one ConfigMap, written under `dir`.
fn chart(dir: &Path) -> PathBuf {
    let chart = dir.join("one");
    std::fs::create_dir_all(chart.join("templates")).expect("chart dir");
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: one\nversion: 0.1.0\nappVersion: \"1.0\"\n",
    )
    .expect("Chart.yaml");
    std::fs::write(
        chart.join("templates/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cm\ndata: {a: b}\n",
    )
    .expect("template");
    chart
}

#[test]
fn any_object_round_trips_through_discovery_and_the_dynamic_verbs() {
    run_ok("kubectl", &["create", "namespace", "dyn"]);
    let rt = runtime();
    let kube = connect(&rt, "dyn");
    assert_eq!(kube.namespace(), "dyn");
    rt.block_on(async {
        kube.is_reachable().await.expect("reachable");
        let cm = kube.resource("v1", "ConfigMap").await.expect("discovered");
        assert_eq!(cm.plural, "configmaps");
        assert!(cm.namespaced);
        let deploy = kube.resource("apps/v1", "Deployment").await.expect("apps");
        assert_eq!(deploy.plural, "deployments");
        let ns = kube.resource("v1", "Namespace").await.expect("ns");
        assert!(!ns.namespaced);

        let object = json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "c1", "labels": {"app": "x"}},
            "data": {"k": "v"},
        });
        let created = kube
            .create(&cm, "dyn", &object, &PostParams::default())
            .await
            .expect("created");
        assert!(created["metadata"]["uid"].is_string());
        let err = kube
            .create(&cm, "dyn", &object, &PostParams::default())
            .await
            .expect_err("exists");
        assert!(err.is_already_exists(), "{err}");
        assert_eq!(err.to_string(), "configmaps \"c1\" already exists");

        let got = kube.get(&cm, "dyn", "c1").await.expect("got");
        assert_eq!(got["data"]["k"], "v");
        let listed = kube.list(&cm, "dyn", "app=x").await.expect("listed");
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0]["kind"], "ConfigMap");
        assert_eq!(listed[0]["apiVersion"], "v1");
        assert!(
            kube.list(&cm, "dyn", "app=y")
                .await
                .expect("empty")
                .is_empty()
        );

        let mut changed = got.clone();
        changed["data"]["k"] = json!("w");
        let replaced = kube
            .replace(&cm, "dyn", "c1", &changed, &PostParams::default())
            .await
            .expect("replaced");
        assert_eq!(replaced["data"]["k"], "w");
        // The old resourceVersion is stale now.
        let err = kube
            .replace(&cm, "dyn", "c1", &got, &PostParams::default())
            .await
            .expect_err("conflict");
        assert!(err.is_conflict(), "{err}");

        let patch = Patch::Merge(json!({"data": {"extra": "1"}}));
        let patched = kube
            .patch(&cm, "dyn", "c1", &patch, &PatchParams::default())
            .await
            .expect("patched");
        assert_eq!(patched["data"], json!({"k": "w", "extra": "1"}));

        kube.delete(&cm, "dyn", "c1", &DeleteParams::default())
            .await
            .expect("deleted");
        let err = kube.get(&cm, "dyn", "c1").await.expect_err("gone");
        assert!(err.is_not_found(), "{err}");
        assert_eq!(err.to_string(), "configmaps \"c1\" not found");

        for (api_version, kind) in [("v1", "Widget"), ("example.com/v1", "Widget")] {
            let err = kube.resource(api_version, kind).await.expect_err("unknown");
            assert!(matches!(err, KubeError::NoMatch { .. }), "{err}");
        }
        let err = kube.get(&cm, "dyn", "a/b").await.expect_err("bad name");
        assert!(matches!(err, KubeError::InvalidName(_)), "{err}");
    });
}

#[test]
fn the_flags_override_the_kubeconfig() {
    let rt = runtime();
    let mut s = settings("default");
    s.kube_context = "nope".into();
    let err = rt.block_on(Kube::connect(&s)).expect_err("no such context");
    assert_eq!(err.to_string(), "context \"nope\" does not exist");

    // The server from the flag, its certificate unchecked: still the
    // kubeconfig's client certificate, so still admitted.
    let mut s = settings("default");
    s.kube_api_server = cluster().server_url().replace("https://", "");
    s.kube_insecure_skip_tls_verify = true;
    s.kube_tls_server_name = "not-the-server".into();
    let kube = rt.block_on(Kube::connect(&s)).expect("connects");
    rt.block_on(kube.is_reachable()).expect("reachable");

    // A closed port fails in Go's words, naming the URL and the address.
    let mut s = settings("default");
    s.kube_api_server = "https://127.0.0.1:1".into();
    let kube = rt.block_on(Kube::connect(&s)).expect("connects lazily");
    let err = rt.block_on(kube.is_reachable()).expect_err("unreachable");
    assert_eq!(
        err.to_string(),
        "Get \"https://127.0.0.1:1/version\": dial tcp 127.0.0.1:1: connect: connection refused"
    );
}

#[test]
fn qps_and_burst_limit_requests_as_client_go_does() {
    let rt = runtime();
    let mut s = settings("default");
    s.qps = 4.0;
    s.burst_limit = 2;
    let kube = rt.block_on(Kube::connect(&s)).expect("connects");
    let started = std::time::Instant::now();
    rt.block_on(async {
        for _ in 0..4 {
            kube.is_reachable().await.expect("reachable");
        }
    });
    // Two go at once, the next two wait a quarter second each.
    let took = started.elapsed();
    assert!(took >= std::time::Duration::from_millis(450), "{took:?}");

    // A negative rate turns limiting off.
    s.qps = -1.0;
    let kube = rt.block_on(Kube::connect(&s)).expect("connects");
    let started = std::time::Instant::now();
    rt.block_on(async {
        for _ in 0..4 {
            kube.is_reachable().await.expect("reachable");
        }
    });
    assert!(started.elapsed() < took, "{:?}", started.elapsed());
}

/// Installs with helm, reads with us, writes a second revision with us,
/// and has helm read it back: the drivers agree with Helm's both ways.
fn drivers_interoperate(kind: ObjectKind, driver: &str, namespace: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let chart = chart(dir.path());
    run_ok("kubectl", &["create", "namespace", namespace]);
    helm_with_driver(
        driver,
        &[
            "install",
            "app",
            &chart.to_string_lossy(),
            "-n",
            namespace,
            "--server-side=false",
            "--labels",
            "team=blue",
        ],
    );
    let rt = runtime();
    let kube = connect(&rt, namespace);
    let storage = Storage::new(ClusterDriver::new(kube, kind, namespace));
    rt.block_on(async {
        let history = storage.history("app").await.expect("history");
        assert_eq!(history.len(), 1);
        // Query results carry every label of the object, as Helm's do.
        assert_eq!(history[0].labels["owner"], "helm");
        let first = storage.get("app", 1).await.expect("revision 1");
        assert_eq!(first.status(), Some(&Status::Deployed));
        assert_eq!(first.namespace, namespace);
        // Get returns only the release's own labels.
        assert_eq!(
            first.labels,
            BTreeMap::from([("team".to_string(), "blue".to_string())])
        );
        assert_eq!(storage.deployed("app").await.expect("deployed").version, 1);

        // A second revision, as an upgrade would write it.
        let mut second = first.clone();
        second.version = 2;
        if let Some(info) = second.info.as_mut() {
            info.description = "Upgrade complete".into();
        }
        storage.create(&second).await.expect("created");
        let err = storage.create(&second).await.expect_err("exists");
        assert!(matches!(err, StorageError::Exists), "{err}");
        let mut superseded = first.clone();
        if let Some(info) = superseded.info.as_mut() {
            info.status = Some(Status::Superseded);
        }
        storage.update(&superseded).await.expect("updated");

        let err = storage.get("app", 9).await.expect_err("missing");
        assert!(matches!(err, StorageError::NotFound), "{err}");
        let err = storage.history("a b").await.expect_err("invalid label");
        assert!(
            err.to_string()
                .starts_with("invalid label value: \"a b\": "),
            "{err}"
        );
    });

    let out = helm_with_driver(driver, &["history", "app", "-n", namespace, "-o", "json"]);
    assert!(out.contains("\"revision\":1,"), "{out}");
    assert!(out.contains("\"status\":\"superseded\""), "{out}");
    assert!(out.contains("\"revision\":2,"), "{out}");
    assert!(
        out.contains("\"description\":\"Upgrade complete\""),
        "{out}"
    );
    let out = helm_with_driver(driver, &["get", "metadata", "app", "-n", namespace]);
    assert!(out.contains("REVISION: 2\n"), "{out}");
    assert!(out.contains("team=blue"), "{out}");

    // Deleting a revision removes its object; helm sees one left.
    rt.block_on(async {
        let deleted = storage.delete("app", 2).await.expect("deleted");
        assert_eq!(deleted.version, 2);
        let err = storage.delete("app", 2).await.expect_err("gone");
        assert!(matches!(err, StorageError::NotFound), "{err}");
    });
    let out = helm_with_driver(driver, &["history", "app", "-n", namespace, "-o", "json"]);
    assert!(!out.contains("\"revision\":2,"), "{out}");
    let kind_name = match kind {
        ObjectKind::Secret => "secret",
        ObjectKind::ConfigMap => "configmap",
    };
    let err = run_err(
        "kubectl",
        &[
            "get",
            kind_name,
            "sh.helm.release.v1.app.v2",
            "-n",
            namespace,
        ],
    );
    assert!(err.contains("not found"), "{err}");
}

#[test]
fn the_secret_driver_interoperates_with_helm() {
    drivers_interoperate(ObjectKind::Secret, "secret", "store-secret");
    let objects = run_ok(
        "kubectl",
        &["get", "secrets", "-n", "store-secret", "-o", "name"],
    );
    assert!(
        objects.contains("secret/sh.helm.release.v1.app.v1\n"),
        "{objects}"
    );
}

#[test]
fn the_configmap_driver_interoperates_with_helm() {
    drivers_interoperate(ObjectKind::ConfigMap, "configmap", "store-cm");
    let objects = run_ok(
        "kubectl",
        &[
            "get",
            "configmaps",
            "-n",
            "store-cm",
            "-l",
            "owner=helm",
            "-o",
            "name",
        ],
    );
    assert_eq!(objects, "configmap/sh.helm.release.v1.app.v1\n");
}

/// A template that exercises `lookup`'s cases; rendered by the reference
/// helm (`template --dry-run=server`) and by our engine with the live hook.
const LOOKUP_TEMPLATE: &str = r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: lk
data:
  missing: {{ lookup "v1" "ConfigMap" "lookups" "nope" | toJson | quote }}
  unknownkind: {{ lookup "v1" "Widget" "lookups" "x" | toJson | quote }}
  found: {{ (lookup "v1" "ConfigMap" "lookups" "seen").data | toJson | quote }}
  clusterscoped: {{ (lookup "v1" "Namespace" "ignored" "lookups").metadata.name | quote }}
  list: {{ (lookup "v1" "ConfigMap" "lookups" "").kind | quote }}
  items: "{{ range (lookup "v1" "ConfigMap" "lookups" "").items }}{{ .kind }}/{{ .metadata.name }} {{ end }}"
  int: {{ (index (lookup "v1" "Service" "lookups" "svc").spec.ports 0).port | typeOf | quote }}
"#;

#[test]
fn lookup_queries_the_cluster_as_helm_does() {
    use helm::engine::render::{RenderFile, Renderer};
    use helm::engine::value::{Map, MapKind, Value};
    use helm::kube::lookup::lookup_hook;

    run_ok("kubectl", &["create", "namespace", "lookups"]);
    run_ok(
        "kubectl",
        &[
            "create",
            "configmap",
            "seen",
            "-n",
            "lookups",
            "--from-literal=k=v",
        ],
    );

    let dir = tempfile::tempdir().expect("temp dir");
    let chart = dir.path().join("lk");
    std::fs::create_dir_all(chart.join("templates")).expect("chart dir");
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: lk\nversion: 0.1.0\n",
    )
    .expect("Chart.yaml");
    std::fs::write(chart.join("templates/cm.yaml"), LOOKUP_TEMPLATE).expect("template");

    let rt = Arc::new(runtime());
    let kube = connect(&rt, "lookups");
    rt.block_on(async {
        let svc = kube.resource("v1", "Service").await.expect("services");
        let object = json!({
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "svc"},
            "spec": {"ports": [{"port": 80}]},
        });
        kube.create(&svc, "lookups", &object, &PostParams::default())
            .await
            .expect("service created");
    });
    let render = |text: &str| {
        let renderer = Renderer {
            lookup: Some(lookup_hook(Arc::clone(&kube), Arc::clone(&rt))),
            ..Renderer::default()
        };
        renderer.render(vec![RenderFile {
            name: "lk/templates/cm.yaml".into(),
            text: text.into(),
            data: Value::Map(Map::new(MapKind::Any)),
            base_path: "lk/templates".into(),
        }])
    };
    let theirs = run_ok(
        "helm",
        &[
            "template",
            "x",
            &chart.to_string_lossy(),
            "--dry-run=server",
        ],
    );
    let ours = render(LOOKUP_TEMPLATE).expect("renders");
    let ours = &ours["lk/templates/cm.yaml"];
    assert_eq!(
        theirs,
        format!("---\n# Source: lk/templates/cm.yaml\n{ours}")
    );
    assert!(ours.contains("found: \"{\\\"k\\\":\\\"v\\\"}\""), "{ours}");
    assert!(ours.contains("int: \"int64\""), "{ours}");

    // A group version the server does not serve is an error, as in Helm.
    let err = render(r#"{{ lookup "example.com/v1" "Widget" "lookups" "x" }}"#)
        .expect_err("unknown group");
    assert!(
        err.to_string().ends_with(
            "error calling lookup: unable to get apiresource from unstructured: \
             example.com/v1, Kind=Widget: the server could not find the requested resource"
        ),
        "{err}"
    );
}
