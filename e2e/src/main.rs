//! `e2e [--scenarios DIR] [--ours PATH] [NAME...]`: runs the scenarios
//! (all of `e2e/scenarios/`, or those named) against the cluster
//! `KUBECONFIG` names, or against a test cluster started for the run when
//! it is unset. Prints one line per scenario and driver, the failures in
//! full, and exits 1 when any failed.
//!
//! Environment: `KUBECONFIG`; `E2E_HELM` and `E2E_KUBECTL` (else the
//! reference binaries fetched by `scripts/fetch-reference-helm.sh`);
//! `E2E_SQL_CONNECTION_STRING` for `HELM_DRIVER=sql` (else a throwaway
//! PostgreSQL is started when a scenario needs one).

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::sync::OnceLock;

use kubectl_helm_e2e::runner::{Databases, Runner, Target, Tools};
use kubectl_helm_e2e::scenario::Scenario;
use kubectl_helm_test_cluster::TestCluster;
use kubectl_helm_test_cluster::postgres::TestPostgres;

/// The repository's root, from this crate's place in it.
fn repo_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    // `e2e/` is a directory of the repository.
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

struct Options {
    scenarios: PathBuf,
    ours: PathBuf,
    names: Vec<String>,
}

/// `kubectl-helm` from the same build as this runner (its directory holds
/// every binary of the workspace, whatever the target dir and profile).
fn beside_this_binary() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.join("kubectl-helm")))
        .unwrap_or_else(|| repo_root().join("target/debug/kubectl-helm"))
}

fn options() -> Result<Options, String> {
    let mut options = Options {
        scenarios: repo_root().join("e2e/scenarios"),
        ours: std::env::var_os("E2E_KUBECTL_HELM")
            .map(PathBuf::from)
            .unwrap_or_else(beside_this_binary),
        names: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--scenarios" => {
                options.scenarios = args.next().ok_or("--scenarios needs a directory")?.into()
            }
            "--ours" => options.ours = args.next().ok_or("--ours needs a path")?.into(),
            flag if flag.starts_with('-') => return Err(format!("unknown flag {flag}")),
            name => options.names.push(name.to_owned()),
        }
    }
    Ok(options)
}

/// The reference binaries: from `E2E_HELM`/`E2E_KUBECTL`, else fetched
/// (the script prints the path of `helm`; `kubectl` is beside it).
fn reference() -> Result<(PathBuf, PathBuf), String> {
    if let (Some(helm), Some(kubectl)) = (
        std::env::var_os("E2E_HELM"),
        std::env::var_os("E2E_KUBECTL"),
    ) {
        return Ok((helm.into(), kubectl.into()));
    }
    let out = Command::new("bash")
        .arg(repo_root().join("scripts/fetch-reference-helm.sh"))
        .output()
        .map_err(|e| format!("running the fetch script: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "fetching the reference helm:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let helm = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    let kubectl = helm.with_file_name("kubectl");
    Ok((helm, kubectl))
}

/// Databases for `HELM_DRIVER=sql`: one given server shared by every run,
/// or a throwaway PostgreSQL started on first use with a database per
/// scenario.
enum Sql {
    Given(String),
    Started(OnceLock<Result<TestPostgres, String>>),
}

impl Databases for Sql {
    fn database(&self, name: &str) -> Result<String, String> {
        match self {
            Sql::Given(conn) => Ok(conn.clone()),
            Sql::Started(server) => {
                let server = server
                    .get_or_init(|| TestPostgres::start().map_err(|e| e.to_string()))
                    .as_ref()
                    .map_err(Clone::clone)?;
                server.create_database(name).map_err(|e| e.to_string())?;
                Ok(server.connection_string(name))
            }
        }
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("e2e: {error}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<bool, String> {
    let options = options()?;
    if !options.ours.is_file() {
        return Err(format!(
            "{} is missing: build it first (cargo build -p kubectl-helm) or pass --ours",
            options.ours.display()
        ));
    }
    let scenarios = load(&options)?;
    let (helm, kubectl) = reference()?;
    let tools = Tools {
        ours: options.ours,
        helm,
        kubectl,
    };
    // Kept alive for the whole run when started here.
    let mut cluster = None;
    let kubeconfig = match std::env::var("KUBECONFIG") {
        Ok(path) if !path.is_empty() => path,
        _ => {
            let started =
                TestCluster::start().map_err(|e| format!("starting a test cluster: {e}"))?;
            let path = started.kubeconfig().display().to_string();
            println!(
                "no KUBECONFIG: started a test cluster at {}",
                started.server_url()
            );
            cluster = Some(started);
            path
        }
    };
    let home = tempfile::tempdir().map_err(|e| format!("a HOME for the tools: {e}"))?;
    let target = Target {
        kubeconfig,
        home: home.path().to_path_buf(),
        charts: repo_root().join("tests/charts"),
    };
    let sql = match std::env::var("E2E_SQL_CONNECTION_STRING") {
        Ok(conn) if !conn.is_empty() => Sql::Given(conn),
        _ => Sql::Started(OnceLock::new()),
    };
    let runner = Runner {
        tools: &tools,
        target: &target,
        databases: Some(&sql),
    };
    let (mut passed, mut failed) = (0, Vec::new());
    for scenario in &scenarios {
        for driver in &scenario.drivers {
            let label = format!("{} [{}]", scenario.name, driver.name());
            match runner.run(scenario, *driver) {
                Ok(()) => {
                    passed += 1;
                    println!("ok      {label}");
                }
                Err(error) => {
                    println!("FAILED  {label}");
                    failed.push(format!("{label}: {error}"));
                }
            }
        }
    }
    for failure in &failed {
        println!("\n==== {failure}");
    }
    println!("\n{passed} passed, {} failed", failed.len());
    drop(cluster);
    Ok(failed.is_empty())
}

/// The scenarios to run, sorted by name: those named, or every one.
fn load(options: &Options) -> Result<Vec<Scenario>, String> {
    let entries = std::fs::read_dir(&options.scenarios)
        .map_err(|e| format!("reading {}: {e}", options.scenarios.display()))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "scenario"))
        .collect();
    paths.sort();
    let mut scenarios = Vec::new();
    for path in paths {
        let scenario = Scenario::load(&path).map_err(|e| e.to_string())?;
        if options.names.is_empty() || options.names.contains(&scenario.name) {
            scenarios.push(scenario);
        }
    }
    for name in &options.names {
        if !scenarios.iter().any(|s| &s.name == name) {
            return Err(format!(
                "no scenario {name:?} in {}",
                options.scenarios.display()
            ));
        }
    }
    Ok(scenarios)
}
