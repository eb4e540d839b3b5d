use serde_json::json;

use super::*;
use crate::release::{Hook, Metadata, Release, StoredChart};

const MANIFEST: &str = "---
# Source: web/templates/sa.yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: web
  labels:
    team: a
---
# Source: web/templates/crb.yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: web-admin
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: cluster-admin
---
# Source: web/templates/deploy.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    team: a
spec:
  template:
    spec:
      containers:
      - name: web
        image: registry.example.com/web:1.2
      - name: proxy
        image: envoyproxy/envoy:v1
";

fn release() -> Release {
    Release {
        name: "web".into(),
        namespace: "shop".into(),
        version: 3,
        manifest: MANIFEST.into(),
        hooks: vec![Hook {
            manifest: "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\n  labels:\n    team: a\nspec:\n  template:\n    spec:\n      containers:\n      - image: busybox\n".into(),
            ..Hook::default()
        }],
        chart: Some(StoredChart {
            metadata: Some(Metadata {
                name: "web".into(),
                version: "1.4.2".into(),
                app_version: "2.0".into(),
                ..Metadata::default()
            }),
            ..StoredChart::default()
        }),
        ..Release::default()
    }
}

fn policy(spec: serde_json::Value) -> Policy {
    Policy::from_object(&json!({
        "apiVersion": "policy.kubectl-helm.io/v1alpha1",
        "kind": "ChartPolicy",
        "metadata": {"name": "p"},
        "spec": spec,
    }))
    .expect("valid policy")
}

fn judge_with(spec: serde_json::Value, source: Option<&str>, signer: Option<&str>) -> Judgement {
    let release = release();
    let subject = Subject {
        release: &release,
        source,
        signer,
    };
    let requester = Requester {
        user: "alice",
        groups: &[],
    };
    judge_release(&[policy(spec)], &subject, &requester).expect("manifest parses")
}

fn judge(spec: serde_json::Value) -> Judgement {
    judge_with(spec, None, None)
}

fn messages(judgement: &Judgement) -> Vec<&str> {
    judgement
        .violations
        .iter()
        .map(|v| v.message.as_str())
        .collect()
}

#[test]
fn a_policy_without_rules_allows_everything() {
    let judgement = judge(json!({}));
    assert!(judgement.allowed());
    assert!(judgement.violations.is_empty());
}

#[test]
fn charts_are_matched_by_name_pattern_and_version_range() {
    let allowed = judge(json!({"charts": {"allow": [{"name": "w*", "versions": ">=1.4.0 <2"}]}}));
    assert!(allowed.allowed(), "{allowed:?}");

    let denied = judge(
        json!({"charts": {"allow": [{"name": "web", "versions": "^2.0.0"}, {"name": "other"}]}}),
    );
    assert!(!denied.allowed());
    assert_eq!(
        messages(&denied),
        ["chart web 1.4.2 is not allowed by ChartPolicy p"]
    );
    assert_eq!(denied.violations[0].rule, Rule::Charts);
}

#[test]
fn sources_match_across_slashes_and_unknown_sources_fail_unless_allowed() {
    let spec = json!({"sources": {"allow": ["https://charts.example.com/*", "oci://registry.example.com/*"]}});
    assert!(
        judge_with(
            spec.clone(),
            Some("https://charts.example.com/stable/web"),
            None
        )
        .allowed()
    );
    assert!(
        judge_with(
            spec.clone(),
            Some("oci://registry.example.com/charts/web"),
            None
        )
        .allowed()
    );

    let elsewhere = judge_with(spec.clone(), Some("https://evil.example.org/web"), None);
    assert_eq!(
        messages(&elsewhere),
        [
            "chart web 1.4.2 comes from https://evil.example.org/web, which ChartPolicy p does not allow"
        ]
    );
    let unknown = judge(spec);
    assert_eq!(
        messages(&unknown),
        ["chart web 1.4.2 comes from an unrecorded source, which ChartPolicy p does not allow"]
    );
    assert!(judge(json!({"sources": {"allow": [], "allowUnknown": true}})).allowed());
}

#[test]
fn provenance_needs_a_signer_from_the_list() {
    let spec = json!({"provenance": {"signers": ["*<*@example.com>"]}});
    assert!(
        judge_with(
            spec.clone(),
            None,
            Some("Release Team <release@example.com>")
        )
        .allowed()
    );
    assert_eq!(
        messages(&judge_with(spec.clone(), None, Some("mallory@evil.org"))),
        ["chart web 1.4.2 is signed by mallory@evil.org, not a signer ChartPolicy p requires"]
    );
    assert_eq!(
        messages(&judge(spec)),
        [
            "chart web 1.4.2 was not verified against a provenance file, which ChartPolicy p requires"
        ]
    );
    assert!(judge_with(json!({"provenance": {}}), None, Some("anyone")).allowed());
}

#[test]
fn namespaces_restrict_only_the_charts_they_name() {
    let spec = |ns: &str| json!({"namespaces": {"rules": [{"chart": "web", "namespaces": [ns]}, {"chart": "db", "namespaces": ["data"]}]}});
    assert!(judge(spec("sh*")).allowed());
    assert_eq!(
        messages(&judge(spec("web-*"))),
        ["chart web may not be installed in namespace shop (ChartPolicy p)"]
    );
}

#[test]
fn denied_kinds_can_be_narrowed_by_group_name_and_fields() {
    let admin = judge(json!({"deniedKinds": {"kinds": [
        {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRoleBinding", "fields": {"roleRef.name": "cluster-admin"}}
    ]}}));
    assert_eq!(
        messages(&admin),
        ["ClusterRoleBinding web-admin is denied by ChartPolicy p"]
    );

    let other_role = judge(
        json!({"deniedKinds": {"kinds": [{"kind": "ClusterRoleBinding", "fields": {"roleRef.name": "view"}}]}}),
    );
    assert!(other_role.allowed());
    let other_group =
        judge(json!({"deniedKinds": {"kinds": [{"apiGroup": "", "kind": "ClusterRoleBinding"}]}}));
    assert!(other_group.allowed());
    let by_name =
        judge(json!({"deniedKinds": {"kinds": [{"kind": "ServiceAccount", "name": "w?b"}]}}));
    assert_eq!(
        messages(&by_name),
        ["ServiceAccount web is denied by ChartPolicy p"]
    );
}

#[test]
fn image_registries_cover_manifest_and_hook_pods() {
    let judgement = judge(json!({"imageRegistries": {"allow": ["registry.example.com"]}}));
    assert_eq!(
        messages(&judgement),
        [
            "Deployment web runs image envoyproxy/envoy:v1, from a registry ChartPolicy p does not allow",
            "Job migrate runs image busybox, from a registry ChartPolicy p does not allow",
        ]
    );
    let all = judge(json!({"imageRegistries": {"allow": ["registry.example.com", "docker.io"]}}));
    assert!(all.allowed());
}

#[test]
fn object_count_includes_hooks() {
    assert!(judge(json!({"maxObjects": {"limit": 4}})).allowed());
    assert_eq!(
        messages(&judge(json!({"maxObjects": {"limit": 3}}))),
        ["release web has 4 objects; ChartPolicy p allows at most 3"]
    );
}

#[test]
fn required_labels_are_checked_on_every_object() {
    let judgement = judge(json!({"requiredLabels": {"labels": ["team"]}}));
    assert_eq!(
        messages(&judgement),
        ["ClusterRoleBinding web-admin lacks the label team that ChartPolicy p requires"]
    );
}

#[test]
fn warn_and_audit_violations_do_not_deny() {
    let judgement = judge(json!({
        "charts": {"mode": "warn", "allow": [{"name": "other"}]},
        "maxObjects": {"mode": "audit", "limit": 1},
    }));
    assert!(judgement.allowed());
    assert_eq!(judgement.with_mode(Mode::Warn).count(), 1);
    assert_eq!(
        judgement
            .with_mode(Mode::Audit)
            .map(|v| v.rule)
            .collect::<Vec<_>>(),
        [Rule::MaxObjects]
    );
}

#[test]
fn exempt_namespaces_users_and_groups_are_not_judged() {
    let release = release();
    let subject = Subject {
        release: &release,
        source: None,
        signer: None,
    };
    let spec = |exemptions: serde_json::Value| {
        policy(json!({"exemptions": exemptions, "charts": {"allow": []}}))
    };
    let alice = Requester {
        user: "alice",
        groups: &[],
    };
    let masters = ["system:masters".to_string()];
    let admin = Requester {
        user: "bob",
        groups: &masters,
    };
    let cases = [
        (json!({"namespaces": ["sh*"]}), alice, true),
        (json!({"users": ["ali*"]}), alice, true),
        (json!({"groups": ["system:masters"]}), admin, true),
        (json!({"groups": ["system:masters"]}), alice, false),
    ];
    for (exemptions, requester, exempt) in cases {
        let judgement =
            judge_release(&[spec(exemptions.clone())], &subject, &requester).expect("parses");
        assert_eq!(
            judgement.allowed(),
            exempt,
            "{exemptions} for {}",
            requester.user
        );
    }
}

#[test]
fn admins_write_messages_as_tera_templates() {
    let judgement = judge(json!({"deniedKinds": {
        "message": "{{ object.kind | lower }}/{{ object.name }} in {{ release.namespace }}: ask #platform ({{ chart.name }}@{{ chart.appVersion }})",
        "kinds": [{"kind": "ClusterRoleBinding"}],
    }}));
    assert_eq!(
        messages(&judgement),
        ["clusterrolebinding/web-admin in shop: ask #platform (web@2.0)"]
    );

    // A variable this rule does not have fails at judging time: the
    // violation stands and says why its message is missing.
    let judgement = judge(json!({"charts": {"message": "{{ object.name }}", "allow": []}}));
    assert!(!judgement.allowed());
    assert!(
        messages(&judgement)[0].starts_with("ChartPolicy p rule charts (message template failed:")
    );
}

#[test]
fn policy_mistakes_name_the_field() {
    let error = |spec: serde_json::Value| {
        let object = json!({"apiVersion": "policy.kubectl-helm.io/v1alpha1", "kind": "ChartPolicy", "metadata": {"name": "p"}, "spec": spec});
        match Policy::from_object(&object) {
            Ok(_) => panic!("accepted {spec}"),
            Err(e) => (e.field, e.reason),
        }
    };
    let (field, reason) = error(json!({"imageRegistries": {"alow": []}}));
    assert_eq!(field, "spec.imageRegistries.alow");
    assert!(reason.contains("unknown field `alow`"), "{reason}");
    assert_eq!(
        error(json!({"charts": {"allow": [{"name": "a", "versions": ">= one"}]}})).0,
        "spec.charts.allow[0].versions"
    );
    assert_eq!(
        error(json!({"exemptions": {"users": ["ok", "[bad"]}})).0,
        "spec.exemptions.users[1]"
    );
    assert_eq!(
        error(json!({"charts": {"mode": "block", "allow": []}})).0,
        "spec.charts.mode"
    );
    assert_eq!(
        error(json!({"charts": {"allow": [], "message": "{{ unclosed"}})).0,
        "spec.charts.message"
    );

    let wrong_kind = Policy::from_object(
        &json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}),
    );
    assert_eq!(
        wrong_kind.err().map(|e| e.to_string()).as_deref(),
        Some("ChartPolicy \"x\": apiVersion: is \"v1\", want \"policy.kubectl-helm.io/v1alpha1\"")
    );
}

#[test]
fn policy_files_hold_several_documents() {
    let text = "apiVersion: policy.kubectl-helm.io/v1alpha1\nkind: ChartPolicy\nmetadata:\n  name: one\nspec:\n  maxObjects:\n    limit: 10\n---\n---\napiVersion: policy.kubectl-helm.io/v1alpha1\nkind: ChartPolicy\nmetadata:\n  name: two\n";
    let names: Vec<_> = Policy::from_yaml(text)
        .expect("valid")
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, ["one", "two"]);
    let error = Policy::from_yaml("a: [").err().expect("bad yaml");
    assert_eq!(error.field, "document 1");
}
