//! The template engine against the reference Helm, case by case: every
//! snippet in `tests/conformance/*.cases` must render to the same bytes, or
//! fail with the same error. The cases named in
//! `tests/conformance/known-differences.txt` are the documented exceptions;
//! they must still differ, so a fix forces the list to shrink.
//! `CONFORMANCE_FILTER=text` runs the cases whose label contains `text`.

use std::sync::Mutex;

use kubectl_helm_tests::cases::{self, Case};
use kubectl_helm_tests::{compare, ours, reference};

#[test]
fn every_case_renders_as_helm_renders_it() {
    let filter = std::env::var("CONFORMANCE_FILTER").unwrap_or_default();
    let cases: Vec<Case> = cases::load_all()
        .into_iter()
        .filter(|c| c.label.contains(&filter))
        .collect();
    assert!(!cases.is_empty(), "no conformance cases matched {filter:?}");
    check_unique_names(&cases);
    reference::helm_binary();

    let known = cases::known_differences();
    let failures = Mutex::new(Vec::new());
    let next = Mutex::new(cases.iter());
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().max(2));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                while let Some(case) = { next.lock().unwrap().next() } {
                    let report = run_case(case);
                    let report = match (report, known.contains(&case.name)) {
                        (Some(diff), false) => Some(diff),
                        (None, true) => Some(format!(
                            "── {}\n   now renders as Helm does: remove it from known-differences.txt",
                            case.label
                        )),
                        _ => None,
                    };
                    if let Some(report) = report {
                        failures.lock().unwrap().push(report);
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(
        failures.is_empty(),
        "{} of {} conformance cases differ from Helm:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    println!(
        "{} conformance cases render as Helm renders them",
        cases.len()
    );
}

fn run_case(case: &Case) -> Option<String> {
    let dir = tempfile::tempdir().expect("temporary chart directory");
    case.write_chart(dir.path());
    let chart = dir.path().to_string_lossy().into_owned();
    let args = ["template", "conf", chart.as_str()];
    let helm = reference::run(&args, &case.fingerprint());
    let ours = ours::run(&args);
    compare(&case.label, &helm, &ours)
}

fn check_unique_names(cases: &[Case]) {
    let mut seen = std::collections::HashMap::new();
    for case in cases {
        if let Some(first) = seen.insert(case.name.as_str(), case.label.as_str()) {
            panic!(
                "case name {:?} used twice: {first} and {}",
                case.name, case.label
            );
        }
    }
}
