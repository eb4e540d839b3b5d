//! Validating admission webhooks against the reference `kubectl` and
//! `helm`: writes denied, warned and allowed, with the texts they print,
//! and the AdmissionReviews the webhook received.
//!
//! Every test works in its own namespace, and its webhooks select that
//! namespace only, so tests sharing the binary's cluster do not see each
//! other's webhooks.

mod common;
mod webhook_server;

use std::io::Write as _;
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::Instant;

use common::{cluster, reference_dir, run, run_err, run_ok};
use serde_json::{Value, json};
use webhook_server::{SERVICE_HOST, WebhookServer};

fn webhook() -> &'static WebhookServer {
    static SERVER: OnceLock<WebhookServer> = OnceLock::new();
    SERVER.get_or_init(WebhookServer::start)
}

/// Runs the reference `binary` with `input` on stdin.
fn run_with_stdin(binary: &str, args: &[&str], input: &str) -> Output {
    let mut child = Command::new(reference_dir().join(binary))
        .args(args)
        .env("KUBECONFIG", cluster().kubeconfig())
        .env("HOME", cluster().dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the reference binary runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("writes stdin");
    child.wait_with_output().expect("finishes")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A webhook on ConfigMaps in `namespace` only, posting to `path` of the
/// test webhook; `extra` overrides or adds fields.
fn hook(name: &str, namespace: &str, path: &str, extra: Value) -> Value {
    let mut hook = json!({
        "name": name,
        "clientConfig": {"url": webhook().url(path), "caBundle": webhook().ca_bundle()},
        "rules": [{
            "operations": ["CREATE", "UPDATE", "DELETE"],
            "apiGroups": [""],
            "apiVersions": ["v1"],
            "resources": ["configmaps"],
        }],
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": namespace}},
        "sideEffects": "None",
        "admissionReviewVersions": ["v1"],
    });
    if let (Some(hook), Value::Object(extra)) = (hook.as_object_mut(), extra) {
        hook.extend(extra);
    }
    hook
}

/// Creates `namespace` and a configuration holding `hooks`.
fn setup(namespace: &str, hooks: Vec<Value>) {
    run_ok("kubectl", &["create", "namespace", namespace]);
    let configuration = json!({
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingWebhookConfiguration",
        "metadata": {"name": namespace},
        "webhooks": hooks,
    });
    let out = run_with_stdin("kubectl", &["apply", "-f", "-"], &configuration.to_string());
    assert!(out.status.success(), "{}", stderr(&out));
}

/// A review with its random parts (uids, timestamps) blanked, and without
/// `managedFields`, which are the field manager's to test.
fn normalized(mut review: Value) -> Value {
    let request = &mut review["request"];
    request["uid"] = json!("UID");
    for object in ["object", "oldObject"] {
        if let Some(metadata) = request[object]
            .get_mut("metadata")
            .and_then(Value::as_object_mut)
        {
            metadata.remove("managedFields");
            for field in ["uid", "creationTimestamp", "resourceVersion"] {
                if metadata.contains_key(field) {
                    metadata.insert(field.into(), json!(field.to_uppercase()));
                }
            }
        }
    }
    review
}

#[test]
fn a_denied_create_is_refused_with_the_webhook_message_and_the_review_is_complete() {
    let ns = "adm-deny";
    setup(ns, vec![hook("deny.example.com", ns, "/deny", json!({}))]);
    let err = run_err(
        "kubectl",
        &[
            "create",
            "configmap",
            "forbidden-one",
            "-n",
            ns,
            "--from-literal=a=b",
        ],
    );
    assert_eq!(
        err,
        "error: failed to create configmap: admission webhook \"deny.example.com\" denied the \
         request: configmaps named forbidden-* are not allowed\n"
    );
    let err = run_err("kubectl", &["get", "configmap", "forbidden-one", "-n", ns]);
    assert!(err.contains("not found"), "{err}");

    let received = webhook().received_in(ns);
    assert_eq!(received.len(), 1, "{received:?}");
    assert_eq!(received[0].path, "/deny");
    assert_eq!(received[0].query, "timeout=10s");
    assert_eq!(
        normalized(received[0].review.clone()),
        json!({
            "kind": "AdmissionReview",
            "apiVersion": "admission.k8s.io/v1",
            "request": {
                "uid": "UID",
                "kind": {"group": "", "version": "v1", "kind": "ConfigMap"},
                "resource": {"group": "", "version": "v1", "resource": "configmaps"},
                "requestKind": {"group": "", "version": "v1", "kind": "ConfigMap"},
                "requestResource": {"group": "", "version": "v1", "resource": "configmaps"},
                "name": "forbidden-one",
                "namespace": ns,
                "operation": "CREATE",
                "userInfo": {"username": "admin", "groups": ["system:masters", "system:authenticated"]},
                "object": {
                    "kind": "ConfigMap",
                    "apiVersion": "v1",
                    "metadata": {
                        "name": "forbidden-one",
                        "namespace": ns,
                        "uid": "UID",
                        "creationTimestamp": "CREATIONTIMESTAMP",
                    },
                    "data": {"a": "b"},
                },
                "oldObject": null,
                "dryRun": false,
                "options": {
                    "kind": "CreateOptions",
                    "apiVersion": "meta.k8s.io/v1",
                    "fieldManager": "kubectl-create",
                    "fieldValidation": "Strict",
                },
            }
        })
    );
}

#[test]
fn a_bad_dry_run_value_is_refused_before_admission() {
    let ns = "adm-bad-dry-run";
    setup(ns, vec![hook("deny.example.com", ns, "/deny", json!({}))]);
    let manifest = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}});
    let path = format!("/api/v1/namespaces/{ns}/configmaps?dryRun=Sometimes");
    let out = run_with_stdin(
        "kubectl",
        &["create", "--raw", &path, "-f", "-"],
        &manifest.to_string(),
    );
    // The wording is the API's (`api.rs`), not admission's.
    assert!(!out.status.success());
    assert!(stderr(&out).contains("Sometimes"), "{}", stderr(&out));
    assert!(webhook().received_in(ns).is_empty());
}

#[test]
fn a_webhook_status_code_and_reason_reach_the_client() {
    let ns = "adm-forbidden";
    setup(
        ns,
        vec![hook("forbid.example.com", ns, "/deny-forbidden", json!({}))],
    );
    let manifest = json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "c", "namespace": ns}, "data": {"k": "v"}});
    let out = run_with_stdin("kubectl", &["apply", "-f", "-"], &manifest.to_string());
    assert!(!out.status.success());
    assert_eq!(
        stderr(&out),
        "Error from server (Forbidden): error when creating \"STDIN\": admission webhook \
         \"forbid.example.com\" denied the request: policy says no\n"
    );
}

#[test]
fn warnings_are_printed_and_the_write_goes_through() {
    let ns = "adm-warn";
    setup(ns, vec![hook("warn.example.com", ns, "/warn", json!({}))]);
    let out = run(
        "kubectl",
        &[
            "create",
            "configmap",
            "warned",
            "-n",
            ns,
            "--from-literal=a=b",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "Warning: first warning\nWarning: second \"quoted\" warning\n"
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "configmap/warned created\n"
    );
    run_ok("kubectl", &["get", "configmap", "warned", "-n", ns]);
}

#[test]
fn updates_deletes_and_dry_runs_are_reviewed_with_their_old_objects_and_options() {
    let ns = "adm-ops";
    setup(ns, vec![hook("allow.example.com", ns, "/allow", json!({}))]);
    run_ok(
        "kubectl",
        &[
            "create",
            "configmap",
            "c",
            "-n",
            ns,
            "--from-literal=a=b",
            "--dry-run=server",
        ],
    );
    run_ok(
        "kubectl",
        &["create", "configmap", "c", "-n", ns, "--from-literal=a=b"],
    );
    run_ok("kubectl", &["label", "configmap", "c", "-n", ns, "team=x"]);
    run_ok("kubectl", &["delete", "configmap", "c", "-n", ns]);
    let reviews: Vec<Value> = webhook()
        .received_in(ns)
        .into_iter()
        .map(|r| r.review["request"].clone())
        .collect();
    let summary: Vec<(&str, bool)> = reviews
        .iter()
        .map(|r| {
            (
                r["operation"].as_str().unwrap_or_default(),
                r["dryRun"].as_bool().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("CREATE", true),
            ("CREATE", false),
            ("UPDATE", false),
            ("DELETE", false)
        ]
    );
    assert_eq!(
        reviews[0]["options"],
        json!({"kind": "CreateOptions", "apiVersion": "meta.k8s.io/v1", "dryRun": ["All"],
            "fieldManager": "kubectl-create", "fieldValidation": "Strict"})
    );
    let update = &reviews[2];
    assert_eq!(update["object"]["metadata"]["labels"], json!({"team": "x"}));
    assert_eq!(update["oldObject"]["metadata"].get("labels"), None);
    assert_eq!(
        update["object"]["metadata"]["resourceVersion"],
        update["oldObject"]["metadata"]["resourceVersion"]
    );
    assert_eq!(
        update["options"],
        json!({"kind": "UpdateOptions", "apiVersion": "meta.k8s.io/v1", "fieldManager": "kubectl-label"})
    );
    let delete = &reviews[3];
    assert_eq!(delete["object"], Value::Null);
    assert_eq!(
        delete["oldObject"]["metadata"]["labels"],
        json!({"team": "x"})
    );
    assert_eq!(delete["name"], "c");
    assert_eq!(
        delete["options"],
        json!({"kind": "DeleteOptions", "apiVersion": "meta.k8s.io/v1", "propagationPolicy": "Background"})
    );
}

#[test]
fn a_failed_call_refuses_the_write_when_the_policy_is_fail() {
    let ns = "adm-failures";
    // A port nothing listens on: bind one, then free it.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port");
    setup(
        ns,
        vec![hook(
            "refused.example.com",
            ns,
            "/x",
            json!({"clientConfig": {"url": format!("https://{closed}/x"), "caBundle": webhook().ca_bundle()}}),
        )],
    );
    let err = run_err("kubectl", &["create", "configmap", "c", "-n", ns]);
    assert_eq!(
        err,
        format!(
            "error: failed to create configmap: Internal error occurred: failed calling webhook \
             \"refused.example.com\": failed to call webhook: Post \"https://{closed}/x?timeout=10s\": \
             dial tcp {closed}: connect: connection refused\n"
        )
    );
}

#[test]
fn an_ignored_failure_lets_the_write_through() {
    let ns = "adm-ignore";
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port");
    setup(
        ns,
        vec![hook(
            "ignored.example.com",
            ns,
            "/x",
            json!({"failurePolicy": "Ignore",
                "clientConfig": {"url": format!("https://{closed}/x"), "caBundle": webhook().ca_bundle()}}),
        )],
    );
    run_ok("kubectl", &["create", "configmap", "c", "-n", ns]);
}

#[test]
fn timeouts_errors_wrong_uids_and_untrusted_certificates_fail_the_call() {
    let ns = "adm-bad-answers";
    setup(
        ns,
        vec![
            hook(
                "slow.example.com",
                ns,
                "/slow",
                json!({"timeoutSeconds": 1, "objectSelector": {"matchLabels": {"case": "slow"}}}),
            ),
            hook(
                "uid.example.com",
                ns,
                "/wrong-uid",
                json!({"objectSelector": {"matchLabels": {"case": "uid"}}}),
            ),
            hook(
                "error.example.com",
                ns,
                "/error",
                json!({"objectSelector": {"matchLabels": {"case": "error"}}}),
            ),
            hook(
                "untrusted.example.com",
                ns,
                "/allow",
                json!({"clientConfig": {"url": webhook().url("/allow")},
                    "objectSelector": {"matchLabels": {"case": "ca"}}}),
            ),
        ],
    );
    let create = |case: &str| {
        let manifest = json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": case, "namespace": ns, "labels": {"case": case}}});
        stderr(&run_with_stdin(
            "kubectl",
            &["create", "-f", "-"],
            &manifest.to_string(),
        ))
    };
    let prefix = |name: &str, path: &str, query: &str| {
        format!(
            "Error from server (InternalError): error when creating \"STDIN\": Internal error \
             occurred: failed calling webhook \"{name}\": failed to call webhook: Post \"{}?{query}\": ",
            webhook().url(path)
        )
    };
    assert_eq!(
        create("slow"),
        format!(
            "{}context deadline exceeded\n",
            prefix("slow.example.com", "/slow", "timeout=1s")
        )
    );
    assert_eq!(
        create("ca"),
        format!(
            "{}tls: failed to verify certificate: x509: certificate signed by unknown authority\n",
            prefix("untrusted.example.com", "/allow", "timeout=10s")
        )
    );
    assert_eq!(
        create("error"),
        "Error from server (InternalError): error when creating \"STDIN\": Internal error \
         occurred: failed calling webhook \"error.example.com\": failed to call webhook: an error \
         on the server (\"boom\") has prevented the request from succeeding\n"
    );
    let err = create("uid");
    assert!(
        err.starts_with(
            "Error from server (InternalError): error when creating \"STDIN\": Internal error \
             occurred: failed calling webhook \"uid.example.com\": received invalid webhook \
             response: expected response.uid=\""
        ) && err.ends_with("\", got \"not-the-request-uid\"\n"),
        "{err}"
    );
}

#[test]
fn webhooks_are_called_concurrently() {
    let ns = "adm-parallel";
    let slow = |name: &str| hook(name, ns, "/slow", json!({"timeoutSeconds": 10}));
    setup(
        ns,
        vec![
            slow("one.example.com"),
            slow("two.example.com"),
            slow("three.example.com"),
        ],
    );
    let start = Instant::now();
    run_ok("kubectl", &["create", "configmap", "c", "-n", ns]);
    let elapsed = start.elapsed();
    assert_eq!(webhook().received_in(ns).len(), 3);
    // Three calls of SLOW each, in parallel: well under twice SLOW (in
    // turn they would take three times).
    assert!(
        elapsed >= webhook_server::SLOW && elapsed < webhook_server::SLOW * 2,
        "{elapsed:?}"
    );
}

#[test]
fn selectors_and_match_conditions_pick_the_requests() {
    let ns = "adm-select";
    setup(
        ns,
        vec![
            hook(
                "labelled.example.com",
                ns,
                "/deny",
                json!({"objectSelector": {"matchExpressions": [{"key": "guarded", "operator": "Exists"}]}}),
            ),
            hook(
                "broken-cel.example.com",
                ns,
                "/allow",
                json!({"matchConditions": [
                    {"name": "only-broken", "expression": "object.metadata.name == 'broken'"},
                    {"name": "no-data", "expression": "object.data.tier == 'x'"},
                ]}),
            ),
            hook(
                "cel.example.com",
                ns,
                "/deny-forbidden",
                json!({"matchConditions": [
                    {"name": "only-checked", "expression": "object.metadata.name.startsWith('checked-')"},
                    {"name": "only-admin", "expression": "request.userInfo.username == 'admin'"},
                ]}),
            ),
        ],
    );
    run_ok("kubectl", &["create", "configmap", "free", "-n", ns]);
    // A condition that cannot be evaluated refuses the write (failurePolicy
    // Fail) before any webhook is called.
    let err = run_err("kubectl", &["create", "configmap", "broken", "-n", ns]);
    assert_eq!(
        err,
        "error: failed to create configmap: configmaps \"broken\" is forbidden: expression \
         'object.data.tier == 'x'' resulted in error: no such key: data\n"
    );
    let err = run_err("kubectl", &["create", "configmap", "checked-1", "-n", ns]);
    assert!(
        err.contains("\"cel.example.com\" denied the request: policy says no"),
        "{err}"
    );
    // Labelling an unguarded object is an update whose new object matches.
    let err = run_err(
        "kubectl",
        &["label", "configmap", "free", "-n", ns, "guarded=yes"],
    );
    assert!(
        err.contains("admission webhook \"labelled.example.com\" denied the request"),
        "{err}"
    );
    let paths: Vec<String> = webhook()
        .received_in(ns)
        .into_iter()
        .map(|r| r.path)
        .collect();
    assert_eq!(paths, ["/deny-forbidden", "/deny"]);
}

#[test]
fn service_references_reach_the_routed_address_and_check_its_name() {
    let ns = "adm-service";
    let admission = cluster().admission();
    admission.route_service("webhooks", "hook", webhook().address());
    // Routed to the same server, whose certificate does not name it.
    admission.route_service("webhooks", "other", webhook().address());
    let service = |name: &str, case: &str| {
        hook(
            &format!("{case}.example.com"),
            ns,
            "/",
            json!({
                "clientConfig": {
                    "service": {"namespace": "webhooks", "name": name, "path": "/deny"},
                    "caBundle": webhook().ca_bundle(),
                },
                "objectSelector": {"matchLabels": {"case": case}},
            }),
        )
    };
    setup(
        ns,
        vec![
            service("hook", "routed"),
            service("other", "misnamed"),
            service("missing", "unrouted"),
        ],
    );
    let create = |case: &str| {
        let manifest = json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": case, "namespace": ns, "labels": {"case": case}}});
        stderr(&run_with_stdin(
            "kubectl",
            &["create", "-f", "-"],
            &manifest.to_string(),
        ))
    };
    assert_eq!(
        create("routed"),
        "Error from server: error when creating \"STDIN\": admission webhook \
         \"routed.example.com\" denied the request: configmaps named forbidden-* are not allowed\n"
    );
    let failed = |case: &str, host: &str, reason: &str| {
        format!(
            "Error from server (InternalError): error when creating \"STDIN\": Internal error \
             occurred: failed calling webhook \"{case}.example.com\": failed to call webhook: \
             Post \"https://{host}:443/deny?timeout=10s\": {reason}\n"
        )
    };
    assert_eq!(
        create("misnamed"),
        failed(
            "misnamed",
            "other.webhooks.svc",
            &format!(
                "tls: failed to verify certificate: x509: certificate is valid for localhost, \
                 {SERVICE_HOST}, not other.webhooks.svc"
            )
        )
    );
    assert_eq!(
        create("unrouted"),
        failed(
            "unrouted",
            "missing.webhooks.svc",
            "service \"missing\" not found"
        )
    );
    let paths: Vec<String> = webhook()
        .received_in(ns)
        .into_iter()
        .map(|r| r.path)
        .collect();
    assert_eq!(paths, ["/deny"]);
}

#[test]
fn bad_configurations_are_refused_as_the_api_server_refuses_them() {
    let configuration = json!({
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingWebhookConfiguration",
        "metadata": {"name": "adm-bad-config"},
        "webhooks": [{
            "name": "bad",
            "clientConfig": {"url": "http://127.0.0.1/x"},
            "admissionReviewVersions": ["v1"],
        }],
    });
    let out = run_with_stdin(
        "kubectl",
        &["create", "-f", "-"],
        &configuration.to_string(),
    );
    assert!(!out.status.success());
    assert_eq!(
        stderr(&out),
        "The ValidatingWebhookConfiguration \"adm-bad-config\" is invalid: \n\
         * webhooks[0].name: Invalid value: \"bad\": should be a domain with at least three segments separated by dots\n\
         * webhooks[0].sideEffects: Required value: must specify one of None, NoneOnDryRun\n\
         * webhooks[0].clientConfig.url: Invalid value: \"http\": 'https' is the only allowed URL scheme; desired format: https://host[/path]\n"
    );
    let good = json!({
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingWebhookConfiguration",
        "metadata": {"name": "adm-defaults"},
        // Every namespace, so only Leases: no other test writes them.
        "webhooks": [hook("defaults.example.com", "adm-nothing", "/allow", json!({
            "namespaceSelector": null,
            "rules": [{"operations": ["CREATE"], "apiGroups": ["coordination.k8s.io"],
                "apiVersions": ["v1"], "resources": ["leases"]}],
        }))],
    });
    let out = run_with_stdin("kubectl", &["create", "-f", "-"], &good.to_string());
    assert!(out.status.success(), "{}", stderr(&out));
    let stored: Value = serde_json::from_str(&run_ok(
        "kubectl",
        &[
            "get",
            "validatingwebhookconfiguration",
            "adm-defaults",
            "-o",
            "json",
        ],
    ))
    .expect("JSON");
    let hook = &stored["webhooks"][0];
    assert_eq!(
        (
            &hook["failurePolicy"],
            &hook["matchPolicy"],
            &hook["timeoutSeconds"],
            &hook["namespaceSelector"],
            &hook["objectSelector"],
            &hook["rules"][0]["scope"],
        ),
        (
            &json!("Fail"),
            &json!("Equivalent"),
            &json!(10),
            &json!({}),
            &json!({}),
            &json!("*")
        )
    );
    run_ok(
        "kubectl",
        &["delete", "validatingwebhookconfiguration", "adm-defaults"],
    );
}

#[test]
fn namespaces_are_selected_by_their_own_labels() {
    let guard = json!({
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingWebhookConfiguration",
        "metadata": {"name": "adm-namespaces"},
        "webhooks": [{
            "name": "namespaces.example.com",
            "clientConfig": {"url": webhook().url("/deny"), "caBundle": webhook().ca_bundle()},
            "rules": [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"],
                "resources": ["namespaces"], "scope": "Cluster"}],
            "namespaceSelector": {"matchLabels": {"adm-guard": "yes"}},
            "sideEffects": "None",
            "admissionReviewVersions": ["v1"],
        }],
    });
    let out = run_with_stdin("kubectl", &["create", "-f", "-"], &guard.to_string());
    assert!(out.status.success(), "{}", stderr(&out));
    run_ok("kubectl", &["create", "namespace", "adm-ns-free"]);
    let guarded = json!({"apiVersion": "v1", "kind": "Namespace",
        "metadata": {"name": "adm-ns-guarded", "labels": {"adm-guard": "yes"}}});
    let out = run_with_stdin("kubectl", &["create", "-f", "-"], &guarded.to_string());
    assert_eq!(
        stderr(&out),
        "Error from server: error when creating \"STDIN\": admission webhook \
         \"namespaces.example.com\" denied the request: configmaps named forbidden-* are not allowed\n"
    );
    // A Namespace's review names it as its own namespace.
    let received = webhook().received_in("adm-ns-guarded");
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].review["request"]["name"], "adm-ns-guarded");
    assert!(webhook().received_in("adm-ns-free").is_empty());
    run_ok(
        "kubectl",
        &["delete", "validatingwebhookconfiguration", "adm-namespaces"],
    );
}

#[test]
fn cluster_scoped_objects_are_never_exempted_by_a_namespace_selector() {
    let configuration = json!({
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingWebhookConfiguration",
        "metadata": {"name": "adm-cluster-scoped"},
        "webhooks": [{
            "name": "cluster.example.com",
            "clientConfig": {"url": webhook().url("/deny-forbidden"), "caBundle": webhook().ca_bundle()},
            "rules": [{"operations": ["CREATE"], "apiGroups": ["rbac.authorization.k8s.io"],
                "apiVersions": ["v1"], "resources": ["clusterroles"], "scope": "Cluster"}],
            "namespaceSelector": {"matchLabels": {"no-namespace": "has-this"}},
            "objectSelector": {"matchLabels": {"adm-test": "cluster"}},
            "sideEffects": "None",
            "admissionReviewVersions": ["v1"],
        }],
    });
    let out = run_with_stdin(
        "kubectl",
        &["create", "-f", "-"],
        &configuration.to_string(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let role = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
        "metadata": {"name": "adm-role", "labels": {"adm-test": "cluster"}},
        "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]});
    let out = run_with_stdin("kubectl", &["create", "-f", "-"], &role.to_string());
    assert_eq!(
        stderr(&out),
        "Error from server (Forbidden): error when creating \"STDIN\": admission webhook \
         \"cluster.example.com\" denied the request: policy says no\n"
    );
    let received = webhook().received_where(|request| request["name"] == "adm-role");
    assert_eq!(received.len(), 1);
    let request = &received[0].review["request"];
    assert_eq!(request.get("namespace"), None);
    assert_eq!(
        request["resource"],
        json!({"group": "rbac.authorization.k8s.io", "version": "v1", "resource": "clusterroles"})
    );
    run_ok(
        "kubectl",
        &[
            "delete",
            "validatingwebhookconfiguration",
            "adm-cluster-scoped",
        ],
    );
}

#[test]
fn a_collection_delete_is_reviewed_object_by_object() {
    let ns = "adm-collection";
    setup(
        ns,
        vec![hook(
            "keep.example.com",
            ns,
            "/deny",
            json!({"rules": [{"operations": ["DELETE"], "apiGroups": [""], "apiVersions": ["v1"],
                "resources": ["configmaps"]}],
                "objectSelector": {"matchLabels": {"keep": "yes"}}}),
        )],
    );
    run_ok("kubectl", &["create", "configmap", "a", "-n", ns]);
    run_ok("kubectl", &["create", "configmap", "b", "-n", ns]);
    run_ok(
        "kubectl",
        &["label", "configmap", "b", "-n", ns, "keep=yes"],
    );
    let path = format!("/api/v1/namespaces/{ns}/configmaps");
    let err = run_err("kubectl", &["delete", "--raw", &path]);
    assert_eq!(
        err,
        "Error from server: admission webhook \"keep.example.com\" denied the request: \
         configmaps named forbidden-* are not allowed\n"
    );
    // Refused as a whole: both are still there.
    run_ok("kubectl", &["get", "configmap", "a", "b", "-n", ns]);
    let received = webhook().received_in(ns);
    assert_eq!(received.len(), 1);
    let request = &received[0].review["request"];
    assert_eq!(
        (&request["operation"], &request["name"], &request["object"]),
        (&json!("DELETE"), &json!("b"), &Value::Null)
    );
    assert_eq!(request["oldObject"]["kind"], "ConfigMap");
    assert_eq!(request["oldObject"]["apiVersion"], "v1");
}

/// A chart with one ConfigMap named after the release.
fn chart(dir: &std::path::Path) -> std::path::PathBuf {
    let chart = dir.join("admitted");
    std::fs::create_dir_all(chart.join("templates")).expect("chart dir");
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: admitted\nversion: 0.1.0\n",
    )
    .expect("Chart.yaml");
    std::fs::write(
        chart.join("templates/configmap.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  a: b\n",
    )
    .expect("template");
    chart
}

#[test]
fn helm_installs_and_uninstalls_are_denied_warned_and_reviewed() {
    let ns = "adm-helm";
    setup(
        ns,
        vec![
            hook(
                "helm-deny.example.com",
                ns,
                "/deny-forbidden",
                json!({"matchConditions": [{"name": "denied",
                    "expression": "object != null && object.metadata.name == 'denied'"}]}),
            ),
            hook(
                "helm-warn.example.com",
                ns,
                "/warn",
                json!({"matchConditions": [{"name": "warned",
                    "expression": "(object != null ? object : oldObject).metadata.name == 'warned'"}]}),
            ),
            // Helm writes its release Secrets with client-go's protobuf
            // client; webhooks see them as JSON.
            hook(
                "helm-releases.example.com",
                ns,
                "/allow",
                json!({"rules": [{"operations": ["*"], "apiGroups": [""], "apiVersions": ["v1"],
                    "resources": ["secrets"]}]}),
            ),
        ],
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let chart = chart(dir.path());
    let chart = chart.to_string_lossy();
    // Helm 4 defaults to server-side apply; client-side creates are what
    // this cluster serves today.
    let err = run_err(
        "helm",
        &["install", "denied", &chart, "-n", ns, "--server-side=false"],
    );
    assert_eq!(
        err,
        "Error: INSTALLATION FAILED: admission webhook \"helm-deny.example.com\" denied the \
         request: policy says no\n"
    );
    let out = run(
        "helm",
        &["install", "warned", &chart, "-n", ns, "--server-side=false"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    // client-go's default warning handler logs through klog.
    let lines: Vec<String> = stderr(&out)
        .lines()
        .map(|line| {
            line.split_once("] ")
                .map_or(line, |(_, text)| text)
                .to_owned()
        })
        .collect();
    assert_eq!(
        lines,
        [
            "\"Warning: first warning\"",
            "\"Warning: second \\\"quoted\\\" warning\""
        ]
    );
    run_ok("kubectl", &["get", "configmap", "warned", "-n", ns]);
    // Uninstalling deletes the ConfigMap: reviewed, and warned about again.
    let out = run("helm", &["uninstall", "warned", "-n", ns]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stderr(&out).lines().count(), 2, "{}", stderr(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "release \"warned\" uninstalled\n"
    );
    let (releases, requests): (Vec<Value>, Vec<Value>) = webhook()
        .received_in(ns)
        .into_iter()
        .map(|r| r.review["request"].clone())
        .partition(|r| r["resource"]["resource"] == "secrets");
    let summary: Vec<(&str, &str, &str)> = releases
        .iter()
        .map(|r| {
            fn text(v: &Value) -> &str {
                v.as_str().unwrap_or_default()
            }
            let object = match &r["object"] {
                Value::Null => &r["oldObject"],
                object => object,
            };
            (
                text(&r["operation"]),
                text(&r["name"]),
                text(&object["metadata"]["labels"]["status"]),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("CREATE", "sh.helm.release.v1.denied.v1", "pending-install"),
            ("UPDATE", "sh.helm.release.v1.denied.v1", "failed"),
            ("CREATE", "sh.helm.release.v1.warned.v1", "pending-install"),
            ("UPDATE", "sh.helm.release.v1.warned.v1", "deployed"),
            ("UPDATE", "sh.helm.release.v1.warned.v1", "uninstalling"),
            ("DELETE", "sh.helm.release.v1.warned.v1", "uninstalling"),
        ]
    );
    assert!(
        releases[..5]
            .iter()
            .all(|r| r["object"]["type"] == "helm.sh/release.v1"),
        "{releases:?}"
    );
    assert_eq!(requests.len(), 3, "{requests:#?}");
    for (request, name) in requests[..2].iter().zip(["denied", "warned"]) {
        assert_eq!(request["name"], name);
        assert_eq!(request["operation"], "CREATE");
        assert_eq!(
            request["options"],
            json!({"kind": "CreateOptions", "apiVersion": "meta.k8s.io/v1", "fieldManager": "helm"})
        );
        assert_eq!(
            request["object"]["metadata"]["labels"]["app.kubernetes.io/managed-by"],
            "Helm"
        );
    }
    let delete = &requests[2];
    assert_eq!(
        (&delete["operation"], &delete["name"], &delete["object"]),
        (&json!("DELETE"), &json!("warned"), &Value::Null)
    );
    assert_eq!(delete["oldObject"]["data"], json!({"a": "b"}));
    assert_eq!(
        delete["options"],
        json!({"kind": "DeleteOptions", "apiVersion": "meta.k8s.io/v1", "propagationPolicy": "Background"})
    );
}
