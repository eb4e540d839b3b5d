//! The release record against Helm 4.3.1: `helm install --dry-run=client
//! -o json` prints the record Helm would store; we read it and write it
//! back, and must produce Helm's bytes. Then through the storage encoding.

use helm::codec::{json, yaml};
use helm::release::{Release, Status};
use helm::storage::{Stamp, StoredObject, decode_release, encode_release, object_name};
use kubectl_helm_tests::{assert_same_bytes, charts_dir, fingerprint_dir, reference};

/// Helm's record for `helm install NAME CHART --dry-run=client` with
/// `extra` flags, in `format` (`json` or `yaml`).
fn helm_record(name: &str, chart: &str, extra: &[&str], format: &str) -> String {
    let dir = charts_dir().join(chart);
    let path = dir.to_string_lossy().into_owned();
    let mut args = vec![
        "install",
        name,
        &path,
        "--dry-run=client",
        "-n",
        "web",
        "-o",
        format,
    ];
    args.extend_from_slice(extra);
    let out = reference::run(&args, &fingerprint_dir(&dir));
    assert!(out.success, "helm {args:?} failed: {}", out.stderr);
    out.stdout
}

/// Cases: chart, flags. Hooks and tests come from podinfo (test pods) and
/// the `subchart` test chart (whose subcharts the record leaves out).
const CASES: &[(&str, &[&str])] = &[
    ("podinfo", &[]),
    (
        "podinfo",
        &[
            "--set",
            "replicaCount=3",
            "--set",
            "ui.message=a<b&c",
            "--set-json",
            "x={\"f\":1.5e300,\"n\":null}",
        ],
    ),
    ("ingress-nginx", &[]),
    (
        "helm-testcharts/subchart",
        &["--set", "subchartA.enabled=true"],
    ),
    ("helm-testcharts/object-order", &[]),
    ("helm-testcharts/chart-with-schema", &[]),
    ("helm-testcharts/chart-with-lib-dep", &[]),
    // Lock files (`Chart.lock`, `requirements.lock`).
    ("helm-testcharts/reqtest", &[]),
    ("helm-testcharts/chart-with-subchart-update", &[]),
    // Lifecycle hooks with weights and delete policies.
    (
        "podinfo",
        &[
            "--set",
            "hooks.preInstall.job.enabled=true",
            "--set",
            "hooks.postInstall.job.enabled=true",
            "--set",
            "hooks.preUpgrade.job.enabled=true",
        ],
    ),
];

#[test]
fn helm_json_round_trips_byte_for_byte() {
    for (chart, extra) in CASES {
        let printed = helm_record("demo", chart, extra, "json");
        // `helm -o json` is an Encoder's output: the Marshal bytes and a newline.
        let helm_json = printed.strip_suffix('\n').expect("a trailing newline");
        let release = Release::from_json(helm_json)
            .unwrap_or_else(|e| panic!("{chart}: decoding Helm's record: {e}"));
        assert_eq!(release.name, "demo");
        assert_eq!(release.namespace, "web");
        assert_eq!(release.version, 1);
        assert_eq!(release.status(), Some(&Status::PendingInstall));
        assert_same_bytes(&format!("{chart} {extra:?}"), helm_json, &release.to_json());
    }
}

#[test]
fn records_with_hooks_keep_them() {
    let printed = helm_record("demo", "podinfo", &[], "json");
    let release = Release::from_json(printed.trim_end()).unwrap();
    assert!(!release.hooks.is_empty());
    assert!(release.hooks.iter().all(|h| h.events == ["test"]));
    let chart = release.chart.as_ref().unwrap();
    assert_eq!(chart.metadata.as_ref().unwrap().name, "podinfo");
    assert!(chart.templates.as_ref().is_some_and(|t| !t.is_empty()));

    let printed = helm_record("demo", "podinfo", CASES[CASES.len() - 1].1, "json");
    let release = Release::from_json(printed.trim_end()).unwrap();
    let pre = release
        .hooks
        .iter()
        .find(|h| h.events == ["pre-install"])
        .expect("a pre-install hook");
    assert_eq!(pre.kind, "Job");
    assert_eq!(pre.delete_policies, ["hook-succeeded", "hook-failed"]);
}

#[test]
fn records_with_locks_keep_them() {
    for chart in [
        "helm-testcharts/reqtest",
        "helm-testcharts/chart-with-subchart-update",
    ] {
        let printed = helm_record("demo", chart, &[], "json");
        let release = Release::from_json(printed.trim_end()).unwrap();
        let lock = release.chart.and_then(|c| c.lock);
        assert!(lock.is_some_and(|l| !l.digest.is_empty()), "{chart}");
    }
}

#[test]
fn helm_yaml_is_the_same_record() {
    // `-o yaml` is sigs.k8s.io/yaml over the same JSON.
    for (chart, extra) in &CASES[..3] {
        let printed = helm_record("demo", chart, extra, "yaml");
        let release =
            Release::from_json(helm_record("demo", chart, extra, "json").trim_end()).unwrap();
        let value = json::from_str(&release.to_json()).unwrap();
        let ours = yaml::to_yaml(&value).unwrap();
        // The two runs stamp different times and random test-pod names;
        // compare the shape line by line where neither appears.
        let stable = |text: &str| -> Vec<String> {
            text.lines()
                .filter(|l| {
                    !l.contains("_deployed:") && !l.contains("-test-") && !l.contains("modtime")
                })
                .map(str::to_string)
                .collect()
        };
        assert_eq!(stable(&ours), stable(&printed), "{chart} {extra:?}");
    }
}

#[test]
fn storage_encoding_round_trips_helms_records() {
    for (chart, extra) in CASES {
        let printed = helm_record("demo", chart, extra, "json");
        let release = Release::from_json(printed.trim_end()).unwrap();
        let data = encode_release(&release);
        let back = decode_release(&data).unwrap();
        assert_eq!(back, release, "{chart}");
        assert_eq!(back.to_json(), printed.trim_end(), "{chart}");

        let obj = StoredObject::new(
            &object_name(&release.name, release.version),
            &release,
            Stamp::Created(helm::release::Time::now()),
        );
        let secret = obj.to_secret();
        assert_eq!(secret["metadata"]["name"], "sh.helm.release.v1.demo.v1");
        assert_eq!(secret["metadata"]["labels"]["status"], "pending-install");
        let read = StoredObject::from_secret(&secret)
            .unwrap()
            .release()
            .unwrap();
        assert_eq!(read.to_json(), printed.trim_end(), "{chart}");
    }
}

/// The record of a chart we loaded is Helm's, but for modification times
/// (our loader keeps none).
#[test]
fn stored_chart_of_our_loader_is_helms() {
    use helm::release::{StoredChart, Time, engine_map};
    use helm::values::UserValues;
    for (chart, extra) in CASES {
        let printed = helm_record("demo", chart, extra, "json");
        let release = Release::from_json(printed.trim_end()).unwrap();
        let mut helms = release.chart.clone().expect("a chart");
        helms.schema_modtime = Time::ZERO;
        helms.modtime = Time::ZERO;
        for f in helms
            .templates
            .iter_mut()
            .chain(helms.files.iter_mut())
            .flatten()
        {
            f.modtime = Time::ZERO;
        }
        // Helm stores the chart after dependency processing (`enabled`
        // set, imported values merged), with the user's values as config.
        let mut flags = UserValues::default();
        for pair in extra.chunks(2) {
            match pair {
                ["--set", v] => flags.set.push(v.to_string()),
                ["--set-json", v] => flags.set_json.push(v.to_string()),
                other => panic!("flag not handled here: {other:?}"),
            }
        }
        let user = flags.merge().expect("values");
        let mut loaded =
            helm::chart::load(&charts_dir().join(chart), &mut helm::log::Discard).expect("loads");
        helm::chart::process_dependencies(&mut loaded, &user, &mut helm::log::Discard)
            .expect("dependencies");
        let ours = StoredChart::from_chart(&loaded).expect("storable");
        let config = engine_map(&helm::engine::Value::Map(user))
            .expect("storable")
            .filter(|m| !m.is_empty());
        let config_json = |config| {
            Release {
                config,
                ..Release::default()
            }
            .to_json()
        };
        assert_eq!(
            config_json(config),
            config_json(release.config.clone()),
            "{chart}"
        );
        let wrap = |c: StoredChart| {
            Release {
                chart: Some(c),
                ..Release::default()
            }
            .to_json()
        };
        assert_same_bytes(&format!("{chart} {extra:?}"), &wrap(helms), &wrap(ours));
    }
}
