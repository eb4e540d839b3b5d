//! `kubectl helm policy check` with `--policy` files: the release record
//! `install` would write, judged as the webhook judges it. Every rule kind
//! is broken at least once; exit statuses and the named field of a bad
//! policy are checked. The cluster's ChartPolicies are tested with the
//! test cluster (`tests/cluster/tests/policy_webhook.rs`).

use std::path::PathBuf;

use kubectl_helm_tests::{Outcome, ours, repo_root};

fn fixtures() -> PathBuf {
    repo_root().join("tests/fixtures/policy")
}

/// `policy check ARGS` on the web chart (release `web`), with `{p}`
/// standing for the policy fixtures' directory, and no cluster at all.
fn check(args: &[&str]) -> Outcome {
    let dir = fixtures().to_string_lossy().into_owned();
    let mut argv = vec!["policy".to_string(), "check".to_string()];
    argv.extend(args.iter().map(|a| a.replace("{p}", &dir)));
    let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
    ours::run_with_env(&argv, &[("KUBECONFIG", "/nonexistent/kubeconfig")])
}

fn web_source() -> String {
    fixtures().join("web").to_string_lossy().into_owned()
}

#[test]
fn a_chart_within_every_rule_is_allowed() {
    let out = check(&["web", "{p}/web", "--policy", "{p}/allow.yaml"]);
    assert!(out.success, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        format!(
            "ALLOWED: release web in namespace default from {}, 1 ChartPolicy: 0 enforce, 0 warn, 0 audit\n",
            web_source()
        )
    );
    assert_eq!(out.stderr, "");
}

#[test]
fn enforced_chart_rules_deny_with_exit_status_1() {
    let out = check(&["web", "{p}/web", "--policy", "{p}/strict.yaml"]);
    assert!(!out.success);
    let source = web_source();
    assert_eq!(
        out.stdout,
        format!(
            "[enforce] ChartPolicy supply-chain rule sources: chart policy-web 1.2.3 comes from {source}, which ChartPolicy supply-chain does not allow\n\
             [enforce] ChartPolicy supply-chain rule charts: chart policy-web 1.2.3 is not allowed by ChartPolicy supply-chain\n\
             [enforce] ChartPolicy supply-chain rule provenance: chart policy-web 1.2.3 was not verified against a provenance file, which ChartPolicy supply-chain requires\n\
             [enforce] ChartPolicy tenancy rule namespaces: chart policy-web may not be installed in namespace default (ChartPolicy tenancy)\n\
             DENIED: release web in namespace default from {source}, 2 ChartPolicies: 4 enforce, 0 warn, 0 audit\n"
        )
    );
    assert_eq!(
        out.stderr,
        "Error: the install would be denied: 4 enforced ChartPolicy rule(s) broken\n"
    );
}

#[test]
fn the_namespace_and_exemptions_change_the_verdict() {
    // `-n` is the release's namespace, as for install.
    let out = check(&[
        "web",
        "{p}/web",
        "--policy",
        "{p}/strict.yaml",
        "-n",
        "web-a",
    ]);
    assert!(!out.stdout.contains("rule namespaces"), "{}", out.stdout);
    assert!(out.stdout.contains("in namespace web-a"), "{}", out.stdout);
    // The tenancy policy exempts system:masters, the group impersonated.
    let out = check(&[
        "web",
        "{p}/web",
        "--policy",
        "{p}/strict.yaml",
        "--kube-as-group",
        "system:masters",
    ]);
    assert!(
        !out.stdout.contains("ChartPolicy tenancy"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("3 enforce"), "{}", out.stdout);
}

#[test]
fn warn_and_audit_rules_report_without_denying() {
    let out = check(&["web", "{p}/web", "--policy", "{p}/warn.yaml"]);
    assert!(out.success, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        format!(
            "[audit] ChartPolicy hygiene rule maxObjects: release web has 3 objects; ChartPolicy hygiene allows at most 1\n\
             [warn] ChartPolicy hygiene rule requiredLabels: ServiceAccount/web needs a team label (ask #platform)\n\
             [warn] ChartPolicy hygiene rule requiredLabels: Service/web needs a team label (ask #platform)\n\
             [warn] ChartPolicy hygiene rule imageRegistries: Deployment web runs image nginx:1.25, from a registry ChartPolicy hygiene does not allow\n\
             [warn] ChartPolicy hygiene rule requiredLabels: Deployment/web needs a team label (ask #platform)\n\
             ALLOWED: release web in namespace default from {}, 1 ChartPolicy: 0 enforce, 4 warn, 1 audit\n",
            web_source()
        )
    );
}

#[test]
fn the_verdict_prints_as_json() {
    let out = check(&[
        "web",
        "{p}/web",
        "--policy",
        "{p}/admin.yaml",
        "--set",
        "admin=true",
        "-o",
        "json",
    ]);
    assert!(!out.success);
    let verdict: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(
        verdict,
        serde_json::json!({
            "release": "web",
            "namespace": "default",
            "source": web_source(),
            "policies": 1,
            "allowed": false,
            "violations": [{
                "policy": "no-cluster-admin",
                "rule": "deniedKinds",
                "mode": "enforce",
                "message": "ClusterRoleBinding web-admin is denied by ChartPolicy no-cluster-admin",
            }],
        })
    );
    let out = check(&["web", "{p}/web", "--policy", "{p}/admin.yaml", "-o", "yaml"]);
    assert!(
        out.stderr
            .contains("invalid value 'yaml' for '--output <OUTPUT>'"),
        "{}",
        out.stderr
    );
}

#[test]
fn values_flags_render_the_record_as_install_would() {
    // The cluster-admin binding exists only with `admin: true`.
    let allowed = check(&["web", "{p}/web", "--policy", "{p}/admin.yaml"]);
    assert!(allowed.success, "{}", allowed.stderr);
    let denied = check(&[
        "web",
        "{p}/web",
        "--policy",
        "{p}/admin.yaml",
        "--set",
        "admin=true",
    ]);
    assert!(!denied.success);
    assert!(
        denied.stdout.starts_with(
            "[enforce] ChartPolicy no-cluster-admin rule deniedKinds: ClusterRoleBinding web-admin is denied by ChartPolicy no-cluster-admin\n"
        ),
        "{}",
        denied.stdout
    );
    // An image from elsewhere breaks the baseline's registries; both
    // policy files count.
    let out = check(&[
        "web",
        "{p}/web",
        "--policy",
        "{p}/allow.yaml",
        "--policy",
        "{p}/admin.yaml",
        "--set",
        "image=quay.io/evil/miner:1",
    ]);
    assert!(!out.success);
    assert!(
        out.stdout.starts_with(
            "[enforce] ChartPolicy baseline rule imageRegistries: Deployment web runs image quay.io/evil/miner:1, from a registry ChartPolicy baseline does not allow\n"
        ),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("2 ChartPolicies: 1 enforce"),
        "{}",
        out.stdout
    );
}

#[test]
fn the_release_name_follows_install_rules() {
    let out = check(&["{p}/web", "--generate-name", "--policy", "{p}/allow.yaml"]);
    assert!(out.success, "{}", out.stderr);
    assert!(
        out.stdout.starts_with("ALLOWED: release web-"),
        "{}",
        out.stdout
    );
    let out = check(&["{p}/web", "--policy", "{p}/allow.yaml"]);
    assert_eq!(
        out.stderr,
        "Error: must either provide a name or specify --generate-name\n"
    );
    let out = check(&["Bad_Name", "{p}/web", "--policy", "{p}/allow.yaml"]);
    assert!(!out.success);
    assert!(
        out.stderr.contains("release name check failed"),
        "{}",
        out.stderr
    );
}

#[test]
fn bad_policy_files_name_the_field() {
    let dir = fixtures().join("bad");
    let cases = [
        (
            "misspelt",
            "ChartPolicy \"misspelt\": spec.charts.allow[0].version: unknown field `version`, expected `name` or `versions`",
        ),
        (
            "range",
            "ChartPolicy \"bad-range\": spec.charts.allow[0].versions: improper constraint: \">=one\"",
        ),
        (
            "template",
            "ChartPolicy \"bad-template\": spec.maxObjects.message: ",
        ),
        (
            "kind",
            "ChartPolicy \"typo\": kind: is \"ChartPolcy\", want \"ChartPolicy\"",
        ),
    ];
    for (file, want) in cases {
        let path = dir.join(format!("{file}.yaml"));
        let path = path.to_string_lossy();
        let out = check(&["web", "{p}/web", "--policy", &path]);
        assert!(!out.success, "{file}");
        assert_eq!(out.stdout, "", "{file}");
        let prefix = format!("Error: policy file {path}: {want}");
        assert!(out.stderr.starts_with(&prefix), "{file}: {}", out.stderr);
    }
    let out = check(&["web", "{p}/web", "--policy", "{p}/missing.yaml"]);
    assert!(
        out.stderr.starts_with("Error: reading policy file "),
        "{}",
        out.stderr
    );
}

#[test]
fn without_policy_files_the_cluster_is_asked() {
    let out = check(&["web", "{p}/web"]);
    assert!(!out.success);
    assert!(
        out.stderr
            .starts_with("Error: kubernetes cluster unreachable: ")
            && out
                .stderr
                .ends_with(" (give ChartPolicies with --policy FILE to check without a cluster)\n"),
        "{}",
        out.stderr
    );
}
