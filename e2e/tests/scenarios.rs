//! Every scenario shipped parses, says what it shows, and has steps, so a
//! typo fails here rather than at the start of an e2e run.

use std::path::Path;

use kubectl_helm_e2e::scenario::Scenario;

#[test]
fn every_scenario_file_parses() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).expect("the scenarios directory") {
        let path = entry.expect("an entry").path();
        if path.extension().is_none_or(|ext| ext != "scenario") {
            continue;
        }
        let scenario = Scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            !scenario.description.is_empty(),
            "{}: no describe line",
            path.display()
        );
        assert!(!scenario.steps.is_empty(), "{}: no steps", path.display());
        count += 1;
    }
    assert!(count >= 3, "found {count} scenarios in {}", dir.display());
}
