//! `POST /validate` over HTTPS against a test cluster: every consistency
//! rule, ChartPolicy modes, and bad input.

mod common;

use std::io::Write as _;

use base64::Engine as _;
use common::{Harness, record, release, review, review_by};
use helm::release::Status;
use serde_json::{Value, json};

fn denial(answer: &common::Answer) -> String {
    let response = answer.response();
    assert_eq!(response["allowed"], false, "{response}");
    assert_eq!(response["status"]["code"], 403, "{response}");
    assert_eq!(
        response["uid"], "705ab4f5-6393-11e8-b7cc-42010a800002",
        "the uid is echoed"
    );
    response["status"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn allowed(answer: &common::Answer) -> Vec<String> {
    let response = answer.response();
    assert_eq!(response["allowed"], true, "{response}");
    assert_eq!(response["uid"], "705ab4f5-6393-11e8-b7cc-42010a800002");
    response["warnings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

fn owned_config_map(namespace: &str, name: &str, release: &str) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": {"app.kubernetes.io/managed-by": "Helm"},
            "annotations": {
                "meta.helm.sh/release-name": release,
                "meta.helm.sh/release-namespace": namespace,
            },
        },
        "data": {"k": "v"},
    })
}

#[test]
fn a_record_as_helm_writes_it_passes_and_lies_are_denied() {
    let h = Harness::start();
    h.namespace("shop");
    let good = record(&release("shop", "web", 1, Status::PendingInstall));
    assert!(allowed(&h.validate(&review("CREATE", Some(&good), None))).is_empty());

    let mut liar = good.clone();
    liar["metadata"]["name"] = json!("sh.helm.release.v1.web.v2");
    let message = denial(&h.validate(&review("CREATE", Some(&liar), None)));
    assert!(
        message.starts_with("[releaseRecords] release record sh.helm.release.v1.web.v2: it holds release \"web\" version 1"),
        "{message}"
    );
    assert!(message.ends_with("(ChartPolicy default)"), "{message}");

    let mut labels = good.clone();
    labels["metadata"]["labels"]["status"] = json!("deployed");
    let message = denial(&h.validate(&review("CREATE", Some(&labels), None)));
    assert!(
        message.contains("label status is \"deployed\""),
        "{message}"
    );
}

#[test]
fn two_deployed_revisions_and_shrinking_versions_are_denied() {
    let h = Harness::start();
    h.namespace("shop");
    h.store_release(&release("shop", "web", 3, Status::Deployed));

    let deployed = record(&release("shop", "web", 4, Status::Deployed));
    let message = denial(&h.validate(&review("CREATE", Some(&deployed), None)));
    assert!(
        message.contains("already deployed at version 3"),
        "{message}"
    );

    let older = record(&release("shop", "web", 2, Status::PendingUpgrade));
    let message = denial(&h.validate(&review("CREATE", Some(&older), None)));
    assert!(message.contains("versions only grow"), "{message}");

    let next = record(&release("shop", "web", 4, Status::PendingUpgrade));
    assert!(allowed(&h.validate(&review("CREATE", Some(&next), None))).is_empty());
}

#[test]
fn deleting_the_latest_record_of_a_live_release_is_denied() {
    let h = Harness::start();
    h.namespace("shop");
    let live = h.store_release(&release("shop", "web", 1, Status::Deployed));
    h.create(&owned_config_map("shop", "web-config", "web"));
    let message = denial(&h.validate(&review("DELETE", None, Some(&live))));
    assert!(
        message.contains("it is the latest record of release \"web\", whose objects still exist"),
        "{message}"
    );

    // A release whose objects are gone may lose its record.
    h.namespace("empty");
    let gone = h.store_release(&release("empty", "gone", 1, Status::Deployed));
    assert!(allowed(&h.validate(&review("DELETE", None, Some(&gone)))).is_empty());
}

#[test]
fn ownership_claims_must_be_true() {
    let h = Harness::start();
    h.namespace("shop");
    h.store_release(&release("shop", "web", 1, Status::Deployed));
    h.store_release(&release("shop", "other", 1, Status::Deployed));

    let listed = owned_config_map("shop", "web-config", "web");
    assert!(allowed(&h.validate(&review("CREATE", Some(&listed), None))).is_empty());

    let missing = owned_config_map("shop", "web-config", "nothing");
    let message = denial(&h.validate(&review("CREATE", Some(&missing), None)));
    assert_eq!(
        message,
        "[ownership] ConfigMap \"web-config\" in namespace \"shop\" claims release \"nothing\" in namespace \"shop\", which does not exist (ChartPolicy default)"
    );

    let unlisted = owned_config_map("shop", "stray", "web");
    let message = denial(&h.validate(&review("CREATE", Some(&unlisted), None)));
    assert!(message.contains("manifest does not list it"), "{message}");

    // Release "other" lists web-config too, but "web" owns it.
    let takeover = owned_config_map("shop", "web-config", "other");
    let message = denial(&h.validate(&review_by(
        "UPDATE",
        Some(&takeover),
        Some(&listed),
        "alice",
        Some("helm"),
    )));
    assert!(message.contains("may not take it over"), "{message}");
}

#[test]
fn a_release_newer_than_the_cache_is_read_from_the_server() {
    let h = Harness::start();
    h.namespace("shop");
    // Stored and judged at once, before the watch can have delivered it:
    // the cache's "does not exist" is checked against the server.
    for n in 0..20 {
        let name = format!("fresh{n}");
        let mut fresh = release("shop", &name, 1, Status::PendingInstall);
        fresh.manifest =
            format!("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}-config\n");
        h.store_release(&fresh);
        let object = owned_config_map("shop", &format!("{name}-config"), &name);
        let warnings = allowed(&h.validate(&review("CREATE", Some(&object), None)));
        assert!(warnings.is_empty(), "{warnings:?}");
    }
}

#[test]
fn outside_edits_of_managed_objects_are_warned_then_enforced_by_policy() {
    let h = Harness::start();
    h.namespace("shop");
    h.store_release(&release("shop", "web", 1, Status::Deployed));
    let before = owned_config_map("shop", "web-config", "web");
    let mut after = before.clone();
    after["data"]["k"] = json!("edited");
    let edit = review_by(
        "UPDATE",
        Some(&after),
        Some(&before),
        "alice",
        Some("kubectl-edit"),
    );
    let warnings = allowed(&h.validate(&edit));
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].starts_with("[managedObjects] ConfigMap \"web-config\" in namespace \"shop\" is managed by release \"web\""),
        "{warnings:?}"
    );
    // Helm's own field manager passes.
    let by_helm = review_by("UPDATE", Some(&after), Some(&before), "alice", Some("helm"));
    assert!(allowed(&h.validate(&by_helm)).is_empty());

    h.policy(
        "strict",
        json!({"managedObjects": {"mode": "enforce"}, "exemptions": {"users": ["ci-*"]}}),
    );
    let message = denial(&h.validate(&edit));
    assert!(message.starts_with("[managedObjects]"), "{message}");
    assert!(message.ends_with("(ChartPolicy strict)"), "{message}");

    // An exempt user passes without a word.
    let exempt = review_by(
        "UPDATE",
        Some(&after),
        Some(&before),
        "ci-bot",
        Some("kubectl-edit"),
    );
    assert!(allowed(&h.validate(&exempt)).is_empty());
}

/// A chart policy allowing only chart `db`, in each mode.
#[test]
fn chart_policy_modes() {
    for (mode, denied, warned) in [
        ("enforce", true, false),
        ("warn", false, true),
        ("audit", false, false),
    ] {
        let h = Harness::start();
        h.namespace("shop");
        h.policy(
            "only-db",
            json!({"charts": {"mode": mode, "allow": [{"name": "db"}]}}),
        );
        let web = record(&release("shop", "web", 1, Status::PendingInstall));
        let answer = h.validate(&review("CREATE", Some(&web), None));
        if denied {
            let message = denial(&answer);
            assert!(message.starts_with("[charts] "), "{message}");
            assert!(message.ends_with("(ChartPolicy only-db)"), "{message}");
        } else {
            let warnings = allowed(&answer);
            assert_eq!(warnings.len(), usize::from(warned), "{mode}: {warnings:?}");
        }
        let metrics = h.get("/metrics").text();
        let line =
            format!("kubectl_helm_webhook_violations_total{{rule=\"charts\",mode=\"{mode}\"}} 1");
        assert!(metrics.contains(&line), "{mode}: {metrics}");
    }
}

#[test]
fn bad_input_is_a_400_and_huge_bodies_a_413() {
    let h = Harness::start_with(|flags| flags.max_body_bytes = 1 << 20);
    let bad = h
        .request("POST", "/validate", b"{not json".to_vec())
        .expect("POST");
    assert_eq!(bad.status, 400);
    assert!(
        bad.text().starts_with("malformed AdmissionReview"),
        "{}",
        bad.text()
    );

    let mut wrong = review(
        "CREATE",
        Some(
            &json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "shop"}}),
        ),
        None,
    );
    wrong["apiVersion"] = json!("admission.k8s.io/v1beta1");
    let answer = h.validate(&wrong);
    assert_eq!(answer.status, 400);
    assert!(
        answer.text().contains("admission.k8s.io/v1beta1"),
        "{}",
        answer.text()
    );

    let answer =
        h.validate(&json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview"}));
    assert_eq!(answer.status, 400);
    assert_eq!(answer.text(), "AdmissionReview has no request\n");

    // The answer comes before the body is sent whole.
    let status = h.runtime.block_on(async {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let (mut tls, _) = common::connect(h.address, &h.ca_pem).await.expect("TLS");
        let head = format!(
            "POST /validate HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            2 << 20
        );
        tls.write_all(head.as_bytes()).await.expect("write");
        tls.write_all(&[b' '; 1024]).await.expect("write");
        let mut answer = vec![0; 64];
        let read = tls.read(&mut answer).await.expect("read");
        String::from_utf8_lossy(&answer[..read]).into_owned()
    });
    assert!(status.starts_with("HTTP/1.1 413 "), "{status}");

    let metrics = h.get("/metrics").text();
    assert!(
        metrics.contains("kubectl_helm_webhook_decode_failures_total{what=\"review\"} 3"),
        "{metrics}"
    );
}

#[test]
fn a_gzip_bomb_record_is_refused_by_the_decoding_bound() {
    let h = Harness::start();
    h.namespace("shop");
    // 65 MiB of JSON whitespace: past helm::storage's 64 MiB bound.
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let chunk = vec![b' '; 1 << 20];
    for _ in 0..65 {
        gzip.write_all(&chunk).expect("gzip");
    }
    let bomb = gzip.finish().expect("gzip");
    let body = base64::engine::general_purpose::STANDARD.encode(bomb);
    let mut secret = record(&release("shop", "web", 1, Status::PendingInstall));
    secret["data"]["release"] = json!(base64::engine::general_purpose::STANDARD.encode(body));
    let message = denial(&h.validate(&review("CREATE", Some(&secret), None)));
    assert!(message.contains("cannot be read"), "{message}");
    assert!(message.contains("exceeds 64 MiB decompressed"), "{message}");
}

#[test]
fn health_readiness_and_metrics() {
    let h = Harness::start();
    assert_eq!(h.get("/healthz").status, 200);
    assert_eq!(h.get("/readyz").status, 200);
    let plain = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "shop"}});
    allowed(&h.validate(&review("CREATE", Some(&plain), None)));
    let metrics = h.get("/metrics").text();
    assert!(
        metrics.contains("kubectl_helm_webhook_admission_requests_total{operation=\"CREATE\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("kubectl_helm_webhook_decision_seconds_count 1"),
        "{metrics}"
    );
}
