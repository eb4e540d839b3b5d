//! `helm dependency update` / `build`, `template --dependency-update` and
//! `package -u` against the reference Helm, on the charts of
//! `tests/fixtures/depbuild` (which depend on each other through `file://`
//! repositories).
//!
//! Each scenario copies the fixtures twice, runs the same commands with
//! Helm in one copy and with us in the other, and compares after every
//! command: the exit status, stdout and stderr (the copy's path replaced
//! by `$ROOT`), and the files left behind. Archives are compared by their
//! unpacked contents (ours have fixed timestamps), lock files with their
//! `generated:` line masked.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use helm::chart::archive::read_archive;
use kubectl_helm_tests::{Outcome, ours, reference, repo_root};
use tempfile::TempDir;

/// One scenario: a fixture chart and the commands to run on it in turn;
/// `CHART` stands for the chart's path, `ROOT` for the copy's root.
struct Scenario {
    chart: &'static str,
    steps: &'static [&'static [&'static str]],
}

const UPDATE_THEN_BUILD: &[&[&str]] = &[
    &["dependency", "update", "CHART"],
    &["template", "rel", "CHART"],
    &["dependency", "update", "CHART"],
    &["dependency", "build", "CHART"],
    &["template", "rel", "CHART"],
];

#[test]
fn update_then_build_matches_helm() {
    let mut failures = Vec::new();
    for chart in ["parent", "range", "nested", "v1", "local", "stale"] {
        run_scenario(
            &Scenario {
                chart,
                steps: UPDATE_THEN_BUILD,
            },
            &mut failures,
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn failures_match_helm() {
    let mut failures = Vec::new();
    for chart in ["mismatch", "missing"] {
        run_scenario(
            &Scenario {
                chart,
                steps: &[
                    &["dependency", "update", "CHART"],
                    &["dependency", "build", "CHART"],
                    &["template", "rel", "CHART", "--dependency-update"],
                ],
            },
            &mut failures,
        );
    }
    const ODD: &[&[&[&str]]] = &[
        &[&["dependency", "update", "ROOT/nowhere"]],
        &[&["dependency", "build", "CHART/Chart.yaml"]],
        &[&["dependency", "update", "CHART", "--debug"]],
    ];
    for steps in ODD {
        run_scenario(
            &Scenario {
                chart: "parent",
                steps,
            },
            &mut failures,
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn build_without_lock_updates_and_stale_locks_are_refused() {
    let mut failures = Vec::new();
    for chart in ["parent", "v1"] {
        run_scenario(
            &Scenario {
                chart,
                steps: &[
                    &["dependency", "build", "CHART"],
                    &["dependency", "build", "CHART"],
                ],
            },
            &mut failures,
        );
    }
    // The lock no longer matches once Chart.yaml (or requirements.yaml)
    // changes.
    for (chart, file, from, to) in [
        ("range", "Chart.yaml", "<2.0.0", "<1.9.0"),
        ("v1", "requirements.yaml", "~1.4.0", "~1.4.1"),
    ] {
        let pair = Pair::new();
        let edit = |root: &Path| {
            let path = root.join(chart).join(file);
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(text.contains(from), "{} holds {from}", path.display());
            std::fs::write(&path, text.replace(from, to)).unwrap();
        };
        pair.step(chart, &["dependency", "update", "CHART"], &mut failures);
        edit(pair.helm.path());
        edit(pair.ours.path());
        pair.step(chart, &["dependency", "build", "CHART"], &mut failures);
        pair.step(chart, &["dependency", "update", "CHART"], &mut failures);
        pair.step(chart, &["dependency", "build", "CHART"], &mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn template_and_package_update_dependencies() {
    let mut failures = Vec::new();
    for chart in ["parent", "nested", "v1", "mismatch"] {
        run_scenario(
            &Scenario {
                chart,
                steps: &[
                    &["template", "rel", "CHART"],
                    &["template", "rel", "CHART", "--dependency-update"],
                    &["template", "rel", "CHART", "--dependency-update"],
                ],
            },
            &mut failures,
        );
        run_scenario(
            &Scenario {
                chart,
                steps: &[
                    &["package", "CHART", "-d", "ROOT/out"],
                    &["package", "-u", "CHART", "-d", "ROOT/out"],
                    &["package", "--dependency-update", "CHART", "-d", "ROOT/out"],
                ],
            },
            &mut failures,
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn run_scenario(scenario: &Scenario, failures: &mut Vec<String>) {
    let pair = Pair::new();
    for step in scenario.steps {
        pair.step(scenario.chart, step, failures);
    }
}

/// Two copies of the fixtures: one for Helm, one for us.
struct Pair {
    helm: TempDir,
    ours: TempDir,
}

impl Pair {
    fn new() -> Pair {
        let fixtures = repo_root().join("tests/fixtures/depbuild");
        let pair = Pair {
            helm: TempDir::new().unwrap(),
            ours: TempDir::new().unwrap(),
        };
        copy_dir(&fixtures, pair.helm.path());
        copy_dir(&fixtures, pair.ours.path());
        pair
    }

    /// Runs `args` on both sides and records any difference.
    fn step(&self, chart: &str, args: &[&str], failures: &mut Vec<String>) {
        let label = format!("{chart}: {}", args.join(" "));
        let helm_args = expand(args, self.helm.path(), chart);
        let ours_args = expand(args, self.ours.path(), chart);
        let helm = normalise(
            &reference::run_uncached(&helm_args, self.helm.path()),
            self.helm.path(),
        );
        let ours = normalise(
            &ours::run(&ours_args.iter().map(String::as_str).collect::<Vec<_>>()),
            self.ours.path(),
        );
        if helm != ours {
            failures.push(format!("── {label}\n   helm: {helm:?}\n   ours: {ours:?}"));
        }
        let (helm_tree, ours_tree) = (tree(self.helm.path()), tree(self.ours.path()));
        if helm_tree != ours_tree {
            let names = |t: &BTreeMap<String, Vec<u8>>| t.keys().cloned().collect::<Vec<_>>();
            let differing: Vec<&String> = helm_tree
                .iter()
                .filter(|(k, v)| ours_tree.get(*k) != Some(*v))
                .map(|(k, _)| k)
                .collect();
            failures.push(format!(
                "── {label}: files differ {differing:?}\n   helm: {:?}\n   ours: {:?}",
                names(&helm_tree),
                names(&ours_tree)
            ));
        }
    }
}

/// `CHART` and `ROOT` replaced by paths in the copy at `root`.
fn expand(args: &[&str], root: &Path, chart: &str) -> Vec<String> {
    let root = root.to_string_lossy();
    args.iter()
        .map(|a| {
            a.replace("CHART", &format!("{root}/{chart}"))
                .replace("ROOT", &root)
        })
        .collect()
}

fn normalise(outcome: &Outcome, root: &Path) -> Outcome {
    let root = root.to_string_lossy();
    Outcome {
        success: outcome.success,
        stdout: outcome.stdout.replace(root.as_ref(), "$ROOT"),
        stderr: outcome.stderr.replace(root.as_ref(), "$ROOT"),
    }
}

/// Every file under `root` by relative path: archives as their unpacked
/// entries, lock files without their `generated:` line.
fn tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for path in files(root) {
        let name = path
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let data = std::fs::read(&path).unwrap();
        let shown = if name.ends_with(".tgz") {
            match read_archive(&data) {
                Ok(mut entries) => {
                    entries.sort_by(|a, b| a.name.cmp(&b.name));
                    let mut listing = Vec::new();
                    for e in entries {
                        listing.extend_from_slice(e.name.as_bytes());
                        listing.push(0);
                        listing.extend_from_slice(&masked(&e.name, e.data));
                        listing.push(0);
                    }
                    listing
                }
                Err(e) => format!("unreadable archive: {e}").into_bytes(),
            }
        } else {
            masked(&name, data)
        };
        out.insert(name, shown);
    }
    out
}

/// A lock file without its `generated:` line; other files as they are.
fn masked(name: &str, data: Vec<u8>) -> Vec<u8> {
    if !(name.ends_with("Chart.lock") || name.ends_with("requirements.lock")) {
        return data;
    }
    String::from_utf8_lossy(&data)
        .lines()
        .map(|l| {
            if l.starts_with("generated:") {
                "generated: (masked)"
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        .into_bytes()
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Chart repositories are not implemented: we refuse them (Helm would try
/// to download) with a message that says so, and write nothing.
#[test]
fn remote_repositories_are_refused() {
    let pair = Pair::new();
    let chart = pair.ours.path().join("remote");
    for verb in ["update", "build"] {
        let outcome = ours::run(&["dependency", verb, &chart.to_string_lossy()]);
        assert!(!outcome.success);
        assert_eq!(
            outcome.stderr,
            "Error: dependency \"redis\" comes from repository \"https://charts.example.invalid/\": \
             remote chart repositories are not supported yet; only file:// dependencies and \
             charts already in charts/ can be used\n"
        );
        assert!(!chart.join("charts").exists() && !chart.join("Chart.lock").exists());
    }
}
