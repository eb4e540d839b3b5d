//! The consistency rules through [`decide`], with records as Helm writes
//! them.

use serde_json::{Value, json};

use super::*;
use crate::release::{Info, Release, Status, Time};
use crate::storage::{Stamp, StoredObject, object_name};

const MANIFEST: &str = "---\n# Source: web/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-config\n---\n# Source: web/templates/deploy.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\n";

fn release(name: &str, version: i64, status: Status) -> Release {
    Release {
        name: name.into(),
        namespace: "shop".into(),
        version,
        manifest: MANIFEST.into(),
        info: Some(Info {
            status: Some(status),
            ..Info::default()
        }),
        ..Release::default()
    }
}

/// The Secret Helm writes for `release`, in the release's namespace.
fn secret(release: &Release) -> Value {
    let key = object_name(&release.name, release.version);
    let mut secret = StoredObject::new(&key, release, Stamp::Created(Time::now())).to_secret();
    secret["metadata"]["namespace"] = json!(release.namespace);
    secret
}

fn record_write<'a>(
    operation: Operation,
    object: Option<&'a Value>,
    old: Option<&'a Value>,
) -> Write<'a> {
    let current = object.or(old).expect("an object");
    Write {
        operation,
        group: "",
        kind: current["kind"].as_str().unwrap_or_default(),
        sub_resource: "",
        name: current["metadata"]["name"].as_str().unwrap_or_default(),
        namespace: current["metadata"]["namespace"]
            .as_str()
            .unwrap_or_default(),
        user: "alice",
        groups: &[],
        field_manager: None,
        object,
        old_object: old,
    }
}

fn labels(version: i64, status: Status) -> RecordLabels {
    RecordLabels { version, status }
}

fn decide_record(write: &Write<'_>, others: &[RecordLabels], objects_remain: bool) -> Judgement {
    decide(
        &[],
        write,
        &Facts::Record(RecordFacts {
            others,
            objects_remain,
        }),
    )
}

fn messages(judgement: &Judgement) -> Vec<&str> {
    judgement
        .violations
        .iter()
        .map(|v| v.message.as_str())
        .collect()
}

#[test]
fn writes_are_sorted_by_what_they_concern() {
    let record = secret(&release("web", 1, Status::PendingInstall));
    assert_eq!(
        record_write(Operation::Create, Some(&record), None).concern(),
        Concern::Record { name: "web".into() }
    );
    let config_map = json!({"kind": "ConfigMap", "metadata": {"name": "sh.helm.release.v1.web.v1", "labels": {"owner": "helm", "name": "web"}}});
    assert_eq!(
        record_write(Operation::Delete, None, Some(&config_map)).concern(),
        Concern::Record { name: "web".into() }
    );
    let owned = owned_object("web");
    assert_eq!(
        record_write(Operation::Create, Some(&owned), None).concern(),
        Concern::Owned {
            claimed: Some(("shop".into(), "web".into())),
            previous: None
        }
    );
    let plain = json!({"kind": "Secret", "type": "Opaque", "metadata": {"name": "s"}});
    assert_eq!(
        record_write(Operation::Create, Some(&plain), None).concern(),
        Concern::Unrelated
    );
}

#[test]
fn a_record_as_helm_writes_it_passes() {
    let record = secret(&release("web", 2, Status::PendingUpgrade));
    let write = record_write(Operation::Create, Some(&record), None);
    let judgement = decide_record(&write, &[labels(1, Status::Deployed)], false);
    assert!(judgement.violations.is_empty(), "{judgement:?}");
}

#[test]
fn records_that_lie_are_denied() {
    // The name says v1, the record v2.
    let mut liar = secret(&release("web", 2, Status::PendingInstall));
    liar["metadata"]["name"] = json!("sh.helm.release.v1.web.v1");
    let judgement = decide_record(
        &record_write(Operation::Create, Some(&liar), None),
        &[],
        false,
    );
    assert!(!judgement.allowed());
    assert_eq!(
        messages(&judgement),
        [
            "release record sh.helm.release.v1.web.v1: it holds release \"web\" version 2, so its name must be sh.helm.release.v1.web.v2"
        ]
    );
    assert_eq!(judgement.violations[0].policy, DEFAULT_POLICY);
    assert_eq!(judgement.violations[0].rule, Rule::ReleaseRecords);

    let mut status = secret(&release("web", 1, Status::Deployed));
    status["metadata"]["labels"]["status"] = json!("failed");
    status["metadata"]["namespace"] = json!("other");
    let judgement = decide_record(
        &record_write(Operation::Update, Some(&status), None),
        &[],
        false,
    );
    assert_eq!(
        messages(&judgement),
        [
            "release record sh.helm.release.v1.web.v1: it holds a release of namespace \"shop\" but is stored in \"other\"",
            "release record sh.helm.release.v1.web.v1: label status is \"failed\" but the record says \"deployed\"",
        ]
    );

    let mut garbage = secret(&release("web", 1, Status::Deployed));
    garbage["data"]["release"] = json!("bm90IGd6aXA=");
    let judgement = decide_record(
        &record_write(Operation::Create, Some(&garbage), None),
        &[],
        false,
    );
    assert!(
        messages(&judgement)[0]
            .starts_with("release record sh.helm.release.v1.web.v1: cannot be read:")
    );
}

#[test]
fn one_deployed_revision_and_growing_versions() {
    let deployed = secret(&release("web", 3, Status::Deployed));
    let judgement = decide_record(
        &record_write(Operation::Update, Some(&deployed), None),
        &[labels(2, Status::Deployed), labels(1, Status::Superseded)],
        false,
    );
    assert_eq!(
        messages(&judgement),
        [
            "release record sh.helm.release.v1.web.v3: release \"web\" is already deployed at version 2; at most one revision may be deployed"
        ]
    );

    let old = secret(&release("web", 2, Status::PendingUpgrade));
    let judgement = decide_record(
        &record_write(Operation::Create, Some(&old), None),
        &[labels(3, Status::Deployed)],
        false,
    );
    assert_eq!(
        messages(&judgement),
        [
            "release record sh.helm.release.v1.web.v2: version 2 is not above version 3, which release \"web\" already has; versions only grow"
        ]
    );
}

#[test]
fn the_latest_record_outlives_its_objects() {
    let latest = secret(&release("web", 2, Status::Deployed));
    let delete = record_write(Operation::Delete, None, Some(&latest));
    let history = [labels(1, Status::Superseded)];
    assert_eq!(
        messages(&decide_record(&delete, &history, true)),
        [
            "release record sh.helm.release.v1.web.v2: it is the latest record of release \"web\", whose objects still exist; uninstall the release (kubectl helm uninstall web -n shop) instead of deleting its record"
        ]
    );
    // Objects gone, history pruning, and Helm's own uninstall all pass.
    assert!(
        decide_record(&delete, &history, false)
            .violations
            .is_empty()
    );
    let pruned = secret(&release("web", 1, Status::Superseded));
    let prune = record_write(Operation::Delete, None, Some(&pruned));
    assert!(
        decide_record(&prune, &[labels(2, Status::Deployed)], true)
            .violations
            .is_empty()
    );
    let uninstalled = secret(&release("web", 2, Status::Uninstalled));
    let purge = record_write(Operation::Delete, None, Some(&uninstalled));
    assert!(decide_record(&purge, &history, true).violations.is_empty());
}

fn owned_object(release: &str) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": "web-config",
            "namespace": "shop",
            "labels": {"app.kubernetes.io/managed-by": "Helm"},
            "annotations": {"meta.helm.sh/release-name": release, "meta.helm.sh/release-namespace": "shop"},
        },
    })
}

fn decide_owned(
    policies: &[Policy],
    write: &Write<'_>,
    claimed: &[Release],
    previous: &[Release],
) -> Judgement {
    let facts = Facts::Owned {
        claimed: ReleaseRecords { records: claimed },
        previous: ReleaseRecords { records: previous },
    };
    decide(policies, write, &facts)
}

#[test]
fn claims_must_be_listed_by_the_claimed_release() {
    let object = owned_object("web");
    let create = record_write(Operation::Create, Some(&object), None);
    let web = [release("web", 1, Status::PendingInstall)];
    assert!(decide_owned(&[], &create, &web, &[]).violations.is_empty());

    assert_eq!(
        messages(&decide_owned(&[], &create, &[], &[])),
        [
            "ConfigMap \"web-config\" in namespace \"shop\" claims release \"web\" in namespace \"shop\", which does not exist"
        ]
    );
    let mut other_manifest = release("web", 1, Status::Deployed);
    other_manifest.manifest =
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: something-else\n".into();
    let judgement = decide_owned(&[], &create, &[other_manifest], &[]);
    assert!(!judgement.allowed());
    assert_eq!(
        messages(&judgement),
        [
            "ConfigMap \"web-config\" in namespace \"shop\" claims release \"web\" in namespace \"shop\", but that release's manifest does not list it"
        ]
    );
}

#[test]
fn takeovers_of_objects_another_release_lists_are_denied() {
    let before = owned_object("web");
    let after = owned_object("thief");
    let mut update = record_write(Operation::Update, Some(&after), Some(&before));
    update.field_manager = Some("helm");
    let mut thief = release("thief", 1, Status::PendingInstall);
    thief.name = "thief".into();
    let judgement = decide_owned(
        &[],
        &update,
        &[thief],
        &[release("web", 1, Status::Deployed)],
    );
    assert_eq!(
        messages(&judgement),
        [
            "ConfigMap \"web-config\" in namespace \"shop\" belongs to release \"web\" in namespace \"shop\", which still lists it; release \"thief\" may not take it over"
        ]
    );
}

#[test]
fn outside_changes_to_managed_objects_are_warned_by_default() {
    let before = owned_object("web");
    let mut after = before.clone();
    after["data"] = json!({"k": "edited"});
    let web = [release("web", 1, Status::Deployed)];
    let mut update = record_write(Operation::Update, Some(&after), Some(&before));
    update.field_manager = Some("kubectl-edit");
    let judgement = decide_owned(&[], &update, &web, &web);
    assert!(judgement.allowed());
    assert_eq!(judgement.with_mode(Mode::Warn).count(), 1);
    assert_eq!(
        messages(&judgement),
        [
            "ConfigMap \"web-config\" in namespace \"shop\" is managed by release \"web\" in namespace \"shop\"; change it through the release (kubectl helm upgrade web -n shop), not with field manager \"kubectl-edit\""
        ]
    );

    // Helm itself, status writes and the cluster's controllers pass.
    update.field_manager = Some("helm");
    assert!(decide_owned(&[], &update, &web, &web).violations.is_empty());
    update.field_manager = Some("kubectl-edit");
    update.sub_resource = "status";
    assert!(decide_owned(&[], &update, &web, &web).violations.is_empty());
    let mut delete = record_write(Operation::Delete, None, Some(&before));
    delete.user = "system:serviceaccount:kube-system:generic-garbage-collector";
    assert!(decide_owned(&[], &delete, &[], &web).violations.is_empty());

    // A deletion passes while the release's own uninstall runs, and is
    // warned otherwise.
    delete.user = "alice";
    assert_eq!(decide_owned(&[], &delete, &[], &web).violations.len(), 1);
    let uninstalling = [release("web", 1, Status::Uninstalling)];
    assert!(
        decide_owned(&[], &delete, &[], &uninstalling)
            .violations
            .is_empty()
    );
}

fn policy(spec: Value) -> Policy {
    Policy::from_object(&json!({
        "apiVersion": "policy.kubectl-helm.io/v1alpha1",
        "kind": "ChartPolicy",
        "metadata": {"name": "strict"},
        "spec": spec,
    }))
    .expect("valid policy")
}

#[test]
fn policies_set_the_consistency_rules_modes_exemptions_and_messages() {
    let before = owned_object("web");
    let after = before.clone();
    let web = [release("web", 1, Status::Deployed)];
    let mut update = record_write(Operation::Update, Some(&after), Some(&before));
    update.field_manager = Some("kubectl-edit");

    let enforce = [policy(
        json!({"managedObjects": {"mode": "enforce", "message": "{{ object.kind }}/{{ object.name }}: {{ reason }}"}}),
    )];
    let judgement = decide_owned(&enforce, &update, &web, &web);
    assert!(!judgement.allowed());
    assert_eq!(judgement.violations[0].policy, "strict");
    assert!(messages(&judgement)[0].starts_with(
        "ConfigMap/web-config: ConfigMap \"web-config\" in namespace \"shop\" is managed by"
    ));

    let argo = [policy(
        json!({"managedObjects": {"fieldManagers": ["argocd-controller"]}}),
    )];
    update.field_manager = Some("argocd-controller");
    assert!(
        decide_owned(&argo, &update, &web, &web)
            .violations
            .is_empty()
    );

    // The strictest policy that does not exempt the requester wins.
    update.field_manager = Some("kubectl-edit");
    let mixed = [
        policy(json!({"managedObjects": {"mode": "audit"}})),
        Policy::from_object(&json!({
            "apiVersion": "policy.kubectl-helm.io/v1alpha1", "kind": "ChartPolicy",
            "metadata": {"name": "ops-exempt"},
            "spec": {"exemptions": {"users": ["alice"]}, "managedObjects": {"mode": "enforce"}},
        }))
        .expect("valid"),
    ];
    let judgement = decide_owned(&mixed, &update, &web, &web);
    assert_eq!(
        judgement
            .violations
            .iter()
            .map(|v| (v.policy.as_str(), v.mode))
            .collect::<Vec<_>>(),
        [("strict", Mode::Audit)]
    );

    let relaxed = [policy(json!({"releaseRecords": {"mode": "warn"}}))];
    let mut liar = secret(&release("web", 2, Status::PendingInstall));
    liar["metadata"]["name"] = json!("sh.helm.release.v1.web.v1");
    let write = record_write(Operation::Create, Some(&liar), None);
    let judgement = decide(&relaxed, &write, &Facts::Record(RecordFacts::default()));
    assert!(judgement.allowed());
    assert_eq!(judgement.with_mode(Mode::Warn).count(), 1);
}

#[test]
fn chart_policy_is_judged_when_a_record_is_created() {
    let policies = [policy(
        json!({"sources": {"allow": ["oci://registry.example.com/*"]}}),
    )];
    let mut record = secret(&release("web", 1, Status::PendingInstall));
    let create = record_write(Operation::Create, Some(&record), None);
    let judgement = decide(&policies, &create, &Facts::Record(RecordFacts::default()));
    assert_eq!(
        judgement
            .violations
            .iter()
            .map(|v| v.rule)
            .collect::<Vec<_>>(),
        [Rule::Sources]
    );

    record["metadata"]["annotations"] =
        json!({SOURCE_ANNOTATION: "oci://registry.example.com/charts/web"});
    let create = record_write(Operation::Create, Some(&record), None);
    assert!(
        decide(&policies, &create, &Facts::Record(RecordFacts::default()))
            .violations
            .is_empty()
    );

    // Later writes of the same revision (pending → deployed) are not
    // judged again, so a policy change cannot strand a release pending.
    let record = secret(&release("web", 1, Status::Deployed));
    let update = record_write(Operation::Update, Some(&record), None);
    assert!(
        decide(&policies, &update, &Facts::Record(RecordFacts::default()))
            .violations
            .is_empty()
    );
}
