//! The release printers against Helm 4.3.1: the reference `helm` installs
//! releases into the test cluster, we read the Secrets it stored, decode
//! them and print them with `helm::action::{printer, get}`; `helm status`
//! and `helm get …` over the same records must print the same bytes.

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use helm::action::get::{self, ReleaseMetadata};
use helm::action::printer::{StatusTable, release_json, release_yaml};
use helm::release::Release;
use helm::storage::{StoredObject, object_name};
use kubectl_helm_test_cluster::TestCluster;
use kubectl_helm_tests::{assert_same_bytes, charts_dir, reference};

/// One cluster for this test binary, with the releases installed.
fn cluster() -> &'static TestCluster {
    static CLUSTER: OnceLock<TestCluster> = OnceLock::new();
    CLUSTER.get_or_init(|| {
        let cluster = TestCluster::start().expect("the test cluster starts");
        install_releases(&cluster);
        cluster
    })
}

fn reference_dir() -> &'static Path {
    reference::helm_binary()
        .parent()
        .expect("helm is in a directory")
}

/// Runs the reference `binary` against the cluster (in our time zone, so
/// local times print alike); returns stdout, failing on an error.
fn run(cluster: &TestCluster, binary: &str, args: &[&str]) -> String {
    let out = Command::new(reference_dir().join(binary))
        .args(args)
        .env("KUBECONFIG", cluster.kubeconfig())
        .env("HOME", cluster.dir())
        .env_remove("HELM_NAMESPACE")
        .env_remove("HELM_DRIVER")
        .output()
        .expect("the reference binary runs");
    assert!(
        out.status.success(),
        "{binary} {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn chart(path: &str) -> String {
    charts_dir().join(path).to_string_lossy().into_owned()
}

/// `web` (user values, labels, a description, unrun test hooks; then
/// upgraded to revision 2) and `plain` (no values, subchart notes).
fn install_releases(cluster: &TestCluster) {
    let podinfo = chart("podinfo");
    let csa = "--server-side=false";
    run(
        cluster,
        "helm",
        &[
            "install",
            "web",
            &podinfo,
            csa,
            "--set",
            "replicaCount=2",
            "--set",
            "ui.message=a<b",
            "-l",
            "team=x",
            "--description",
            "mine",
            "--no-hooks",
        ],
    );
    run(
        cluster,
        "helm",
        // The same objects again: no patch is needed.
        &["upgrade", "web", &podinfo, csa, "--reuse-values"],
    );
    let notes = chart("helm-testcharts/chart-with-subchart-notes");
    run(cluster, "helm", &["install", "plain", &notes, csa]);
}

/// The release stored as revision `version` of `name`, and the labels of
/// its Secret.
fn stored(name: &str, version: i64) -> (Release, std::collections::BTreeMap<String, String>) {
    let c = cluster();
    let text = run(
        c,
        "kubectl",
        &["get", "secret", &object_name(name, version), "-o", "json"],
    );
    let secret: serde_json::Value = serde_json::from_str(&text).expect("a Secret as JSON");
    let object = StoredObject::from_secret(&secret).expect("a release Secret");
    let release = object.release().expect("a decodable record");
    (release, object.labels)
}

/// `helm ARGS` against the cluster.
fn helm(args: &[&str]) -> String {
    run(cluster(), "helm", args)
}

/// `helm status` without its `RESOURCES:` block, which lists live objects
/// (not a printer of the record).
fn without_resources(text: &str) -> String {
    let Some(start) = text.find("RESOURCES:\n") else {
        return text.to_string();
    };
    let rest = &text[start..];
    let end = ["TEST SUITE:", "NOTES:"]
        .iter()
        .filter_map(|m| rest.find(m))
        .min()
        .unwrap_or(rest.len());
    format!("{}{}", &text[..start], &rest[end..])
}

/// [`assert_same_bytes`] in the order these tests read best.
#[track_caller]
fn same(ours: &str, helms: &str, what: &str) {
    assert_same_bytes(what, helms, ours);
}

#[test]
fn status_prints_as_helm() {
    for (name, revision) in REVISIONS {
        let (mut rel, _) = stored(name, revision);
        let rev = revision.to_string();
        let args = ["status", name, "--revision", &rev];
        let table = StatusTable::default().render(&rel).expect("prints");
        same(
            &table,
            &without_resources(&helm(&args)),
            &format!("{args:?}"),
        );
        // `status` strips the chart from the record it prints, and adds
        // the live objects (which the caller fetches; we take Helm's).
        rel.chart = None;
        let json_args = [&args[..], &["-o", "json"]].concat();
        let helms = helm(&json_args);
        let live = Release::from_json(helms.trim_end()).expect("Helm's JSON");
        if let (Some(info), Some(live)) = (rel.info.as_mut(), live.info) {
            info.resources = live.resources;
        }
        same(&release_json(&rel), &helms, &format!("{json_args:?}"));
        let yaml_args = [&args[..], &["-o", "yaml"]].concat();
        let yaml = release_yaml(&rel).expect("prints");
        same(&yaml, &helm(&yaml_args), &format!("{yaml_args:?}"));
    }
}

/// The revisions the tests print: the upgrade, the superseded install,
/// and a release without values.
const REVISIONS: [(&str, i64); 3] = [("web", 2), ("web", 1), ("plain", 1)];

#[test]
fn get_prints_as_helm() {
    for (name, revision) in REVISIONS {
        let (rel, object_labels) = stored(name, revision);
        let rev = revision.to_string();
        let get = |what: &[&str]| {
            let args = [&["get"], what, &[name, "--revision", &rev]].concat();
            (helm(&args), format!("{args:?}"))
        };
        let check = |ours: String, what: &[&str]| {
            let (helms, label) = get(what);
            same(&ours, &helms, &label);
        };
        let user = get::user_values(&rel).expect("values");
        let all = get::computed_values(&rel).expect("values");
        check(get::values_table(&user, false).unwrap(), &["values"]);
        check(get::values_json(&user).unwrap(), &["values", "-o", "json"]);
        check(get::values_yaml(&user).unwrap(), &["values", "-o", "yaml"]);
        check(get::values_table(&all, true).unwrap(), &["values", "-a"]);
        check(
            get::values_json(&all).unwrap(),
            &["values", "-a", "-o", "json"],
        );
        check(get::manifest(&rel), &["manifest"]);
        check(get::hooks(&rel), &["hooks"]);
        check(get::notes(&rel), &["notes"]);
        check(get::all(&rel).unwrap(), &["all"]);
        // A revision read by number carries the release's own labels.
        let meta = ReleaseMetadata::new(&rel, &rel.labels);
        check(meta.table(), &["metadata"]);
        check(meta.json(), &["metadata", "-o", "json"]);
        check(meta.yaml().unwrap(), &["metadata", "-o", "yaml"]);
        // The latest, found by a label query, carries its object's labels.
        if (name, revision) != ("web", 1) {
            let meta = ReleaseMetadata::new(&rel, &object_labels);
            same(&meta.table(), &helm(&["get", "metadata", name]), name);
        }
    }
}
