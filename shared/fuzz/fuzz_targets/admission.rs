//! The webhook's decision on hostile input: any bytes as the object of a
//! write (a release record's Secret or ConfigMap, or an object claiming a
//! release), with the release records it concerns also built from the
//! input, must yield a verdict and never panic. The release body inside a
//! record goes through the bounded decoder (base64, gzip, JSON).
#![no_main]

use std::sync::LazyLock;

use helm::policy::{
    Facts, Operation, Policy, RecordFacts, RecordLabels, ReleaseRecords, Write, decide,
};
use helm::release::{Release, Status};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

static POLICIES: LazyLock<Vec<Policy>> = LazyLock::new(|| {
    Policy::from_yaml(
        "apiVersion: policy.kubectl-helm.io/v1alpha1
kind: ChartPolicy
metadata:
  name: fuzz
spec:
  managedObjects: {mode: enforce}
  charts: {mode: warn, allow: [{name: 'w*', versions: '>=1.0.0'}]}
  deniedKinds: {kinds: [{kind: ClusterRoleBinding, fields: {roleRef.name: cluster-admin}}]}
  imageRegistries: {allow: [docker.io]}
  requiredLabels: {mode: audit, labels: [team]}
  maxObjects: {limit: 5}
",
    )
    .expect("the fuzz policy compiles")
});

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(object) = serde_json::from_slice::<Value>(rest) else {
        return;
    };
    let operation = match selector % 3 {
        0 => Operation::Create,
        1 => Operation::Update,
        _ => Operation::Delete,
    };
    let kind = ["Secret", "ConfigMap", "Deployment"][usize::from(selector / 3 % 3)];
    let text = |pointer: &str| {
        object
            .pointer(pointer)
            .and_then(Value::as_str)
            .unwrap_or_default()
    };
    // A release whose manifest is the input's `manifest` string, so claims
    // are checked against attacker-chosen YAML too.
    let release = Release {
        name: text("/metadata/annotations/meta.helm.sh~1release-name").to_string(),
        namespace: text("/metadata/namespace").to_string(),
        manifest: text("/manifest").to_string(),
        version: 1,
        ..Release::default()
    };
    let records = [release];
    let others = [RecordLabels {
        version: 1,
        status: Status::Deployed,
    }];
    let write = Write {
        operation,
        group: "",
        kind,
        sub_resource: "",
        name: text("/metadata/name"),
        namespace: text("/metadata/namespace"),
        user: "fuzzer",
        groups: &[],
        field_manager: Some("kubectl"),
        object: (operation != Operation::Delete).then_some(&object),
        old_object: (operation != Operation::Create).then_some(&object),
    };
    let facts = if selector & 0x80 == 0 {
        Facts::Record(RecordFacts {
            others: &others,
            objects_remain: true,
        })
    } else {
        Facts::Owned {
            claimed: ReleaseRecords { records: &records },
            previous: ReleaseRecords { records: &records },
        }
    };
    let _ = decide(&POLICIES, &write, &facts);
});
