//! Watches against the test cluster, through the reference `kubectl`:
//! `get -w`, and raw watch streams for the parameters client-go uses
//! (resourceVersion, selectors, bookmarks, watch-list).

mod common;

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{cluster, reference_dir, run_ok};
use kubectl_helm_test_cluster::resources;
use serde_json::{Value, json};

/// A reference kubectl running in the background, its stdout read line
/// by line as it comes.
struct Background {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Background {
    fn start(args: &[&str]) -> Self {
        let mut child = Command::new(reference_dir().join("kubectl"))
            .args(args)
            .env("KUBECONFIG", cluster().kubeconfig())
            .env("HOME", cluster().dir())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("kubectl starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    return;
                }
            }
        });
        Self {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Waits (up to 30 s) until `count` lines have been printed.
    fn wait_for_lines(&mut self, count: usize) -> &[String] {
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.seen.len() < count {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => self.seen.push(line),
                Err(_) => panic!("only {:?} printed", self.seen),
            }
        }
        &self.seen
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        // Ignored: it may have exited already.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The events of a raw watch that ends by `timeoutSeconds`.
fn watch_events(path: &str) -> Vec<Value> {
    run_ok("kubectl", &["get", "--raw", path])
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is one JSON event"))
        .collect()
}

fn summary(events: &[Value]) -> Vec<(String, String)> {
    events
        .iter()
        .map(|e| {
            (
                e["type"].as_str().unwrap_or_default().to_owned(),
                e["object"]["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect()
}

fn pair(kind: &str, name: &str) -> (String, String) {
    (kind.to_owned(), name.to_owned())
}

#[test]
fn kubectl_get_watch_prints_changes_as_they_happen() {
    run_ok("kubectl", &["create", "namespace", "watch-get"]);
    run_ok("kubectl", &["create", "cm", "first", "-n", "watch-get"]);
    let mut watcher = Background::start(&[
        "get",
        "cm",
        "-n",
        "watch-get",
        "-w",
        "--output-watch-events",
    ]);
    // The header and the listed object: kubectl watches from here on.
    watcher.wait_for_lines(2);
    run_ok("kubectl", &["create", "cm", "second", "-n", "watch-get"]);
    run_ok(
        "kubectl",
        &["label", "cm", "second", "-n", "watch-get", "a=b"],
    );
    run_ok("kubectl", &["delete", "cm", "first", "-n", "watch-get"]);
    let out = watcher.wait_for_lines(5).to_vec();
    let rows: Vec<Vec<&str>> = out
        .iter()
        .map(|l| l.split_whitespace().take(2).collect())
        .collect();
    assert_eq!(
        rows,
        [
            vec!["EVENT", "NAME"],
            vec!["ADDED", "first"],
            vec!["ADDED", "second"],
            vec!["MODIFIED", "second"],
            vec!["DELETED", "first"],
        ],
        "{out:?}"
    );
}

#[test]
fn a_watch_from_a_resource_version_sees_the_writes_after_it() {
    run_ok("kubectl", &["create", "namespace", "watch-rv"]);
    run_ok("kubectl", &["create", "cm", "before", "-n", "watch-rv"]);
    let version = run_ok(
        "kubectl",
        &[
            "get",
            "cm",
            "before",
            "-n",
            "watch-rv",
            "-o",
            "jsonpath={.metadata.resourceVersion}",
        ],
    );
    run_ok("kubectl", &["create", "cm", "after", "-n", "watch-rv"]);
    run_ok(
        "kubectl",
        &["label", "cm", "after", "-n", "watch-rv", "pick=me"],
    );
    run_ok("kubectl", &["create", "cm", "elsewhere", "-n", "default"]);
    run_ok("kubectl", &["delete", "cm", "before", "-n", "watch-rv"]);
    run_ok(
        "kubectl",
        &["label", "cm", "after", "-n", "watch-rv", "pick-"],
    );
    let events = watch_events(&format!(
        "/api/v1/namespaces/watch-rv/configmaps?watch=true&resourceVersion={version}&timeoutSeconds=1"
    ));
    assert_eq!(
        summary(&events),
        [
            pair("ADDED", "after"),
            pair("MODIFIED", "after"),
            pair("DELETED", "before"),
            pair("MODIFIED", "after"),
        ]
    );
    // Every event carries a newer resourceVersion than the last.
    let versions: Vec<u64> = events
        .iter()
        .filter_map(|e| {
            e["object"]["metadata"]["resourceVersion"]
                .as_str()?
                .parse()
                .ok()
        })
        .collect();
    assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
    assert!(versions[0] > version.parse::<u64>().expect("a number"));
    // Cluster-wide, with a label selector: being labelled brings the
    // object into the selection, losing the label takes it out.
    let events = watch_events(&format!(
        "/api/v1/configmaps?watch=1&resourceVersion={version}&labelSelector=pick%3Dme&timeoutSeconds=1"
    ));
    assert_eq!(
        summary(&events),
        [pair("ADDED", "after"), pair("DELETED", "after")]
    );
}

#[test]
fn watch_list_sends_the_state_then_the_end_bookmark() {
    run_ok("kubectl", &["create", "namespace", "watch-list"]);
    run_ok("kubectl", &["create", "cm", "one", "-n", "watch-list"]);
    run_ok("kubectl", &["create", "cm", "two", "-n", "watch-list"]);
    let events = watch_events(
        "/api/v1/namespaces/watch-list/configmaps?watch=true&sendInitialEvents=true\
         &resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=2",
    );
    let kinds: Vec<&str> = events.iter().filter_map(|e| e["type"].as_str()).collect();
    assert_eq!(&kinds[..3], ["ADDED", "ADDED", "BOOKMARK"], "{kinds:?}");
    assert!(kinds[3..].iter().all(|k| *k == "BOOKMARK"), "{kinds:?}");
    assert_eq!(events[0]["object"]["kind"], "ConfigMap");
    let end = &events[2]["object"];
    assert_eq!(
        end["metadata"]["annotations"]["k8s.io/initial-events-end"],
        "true"
    );
    assert_eq!(end["kind"], "ConfigMap");
    assert_eq!(end["apiVersion"], "v1");
    // Without resourceVersionMatch the API server refuses the watch-list.
    let err = common::run_err(
        "kubectl",
        &[
            "get",
            "--raw",
            "/api/v1/configmaps?watch=true&sendInitialEvents=true&allowWatchBookmarks=true",
        ],
    );
    assert!(
        err.contains("sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"),
        "{err}"
    );
}

#[test]
fn a_watch_too_far_back_ends_with_expired() {
    let store = cluster().store();
    let namespaces = resources::find("", "v1", "namespaces").expect("served");
    let configmaps = resources::find("", "v1", "configmaps").expect("served");
    store
        .create(
            namespaces,
            "",
            json!({"metadata": {"name": "watch-old"}}),
            false,
        )
        .expect("created");
    let start = store.revision();
    for i in 0..=kubectl_helm_test_cluster::events::HISTORY {
        store
            .create(
                configmaps,
                "watch-old",
                json!({"metadata": {"name": format!("c{i}")}}),
                false,
            )
            .expect("created");
    }
    let events = watch_events(&format!(
        "/api/v1/namespaces/watch-old/configmaps?watch=true&resourceVersion={start}"
    ));
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["type"], "ERROR");
    let status = &events[0]["object"];
    assert_eq!(status["code"], 410);
    assert_eq!(status["reason"], "Expired");
    let message = status["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with(&format!("too old resource version: {start} (")),
        "{message}"
    );
}

#[test]
fn kubectl_wait_for_delete_sees_the_deletion() {
    run_ok("kubectl", &["create", "namespace", "watch-delete"]);
    run_ok("kubectl", &["create", "cm", "doomed", "-n", "watch-delete"]);
    // kubectl prints nothing for an object already gone, so the deletion
    // comes once it is surely watching.
    let deleter = std::thread::spawn(|| {
        std::thread::sleep(Duration::from_secs(2));
        run_ok("kubectl", &["delete", "cm", "doomed", "-n", "watch-delete"]);
    });
    let out = run_ok(
        "kubectl",
        &[
            "wait",
            "--for=delete",
            "cm/doomed",
            "-n",
            "watch-delete",
            "--timeout=10s",
        ],
    );
    deleter.join().expect("the deleter finishes");
    assert_eq!(out, "configmap/doomed condition met\n");
}
