//! Benchmark: `list -A` over 2,000 releases and `history` of a release
//! with 200 revisions, by the reference Helm and by us, as processes
//! against one test cluster in one run. Prints the median wall time of
//! each and the ratio (ours / Helm).
//!
//! The records are written straight into the cluster with
//! `helm::storage` (copies of one release the reference Helm installed),
//! so seeding takes seconds, not an install per release.
//!
//! ```sh
//! cargo build -p kubectl-helm -p kubectl-helm-e2e
//! cargo run -p kubectl-helm-e2e --bin bench-releases [ITERATIONS]
//! ```
//!
//! Our binary is `E2E_KUBECTL_HELM`, else `target/release/kubectl-helm`
//! when it is built, else `target/debug/kubectl-helm`: say which when
//! quoting numbers.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use helm::kube::Kube;
use helm::release::{Release, Status};
use helm::settings::EnvSettings;
use helm::storage::{ClusterDriver, ObjectKind, Storage};
use kubectl_helm_test_cluster::TestCluster;

/// Releases listed by `list -A`.
const RELEASES: usize = 2_000;
/// Namespaces they are spread over.
const NAMESPACES: usize = 20;
/// Revisions of the release whose history is read.
const REVISIONS: i64 = 200;
/// Records written at once while seeding.
const WRITE_BATCH: usize = 32;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("bench-releases: {error}");
            ExitCode::FAILURE
        }
    }
}

fn repo_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    // `e2e/` is a directory of the repository.
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// Our binary: `E2E_KUBECTL_HELM`, else the release build, else the
/// debug build.
fn ours() -> PathBuf {
    if let Some(path) = std::env::var_os("E2E_KUBECTL_HELM") {
        return path.into();
    }
    let release = repo_root().join("target/release/kubectl-helm");
    if release.is_file() {
        release
    } else {
        repo_root().join("target/debug/kubectl-helm")
    }
}

/// The reference `helm`, fetched by the repository's script.
fn reference_helm() -> Result<PathBuf, String> {
    let out = Command::new("bash")
        .arg(repo_root().join("scripts/fetch-reference-helm.sh"))
        .output()
        .map_err(|e| format!("running the fetch script: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    Ok(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

/// Runs a tool with `KUBECONFIG` and `HOME` set and nothing else but
/// `PATH`; returns stdout, requiring success.
fn tool(program: &Path, args: &[&str], env: &[(&str, &Path)]) -> Result<String, String> {
    let out = Command::new(program)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("running {}: {e}", program.display()))?;
    if !out.status.success() {
        return Err(format!(
            "{} {args:?} failed:\n{}",
            program.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn run() -> Result<(), String> {
    let iterations: usize = match std::env::args().nth(1) {
        Some(n) => n
            .parse()
            .map_err(|_| format!("ITERATIONS {n:?} is not a number"))?,
        None => 10,
    };
    let ours = ours();
    if !ours.is_file() {
        return Err(format!(
            "{} is missing: cargo build -p kubectl-helm",
            ours.display()
        ));
    }
    let helm = reference_helm()?;
    let kubectl = helm.with_file_name("kubectl");
    let cluster = TestCluster::start().map_err(|e| format!("starting the test cluster: {e}"))?;
    let home = tempfile::tempdir().map_err(|e| format!("a HOME: {e}"))?;
    let env = [("KUBECONFIG", cluster.kubeconfig()), ("HOME", home.path())];

    for n in 0..NAMESPACES {
        tool(
            &kubectl,
            &["create", "namespace", &format!("bench-{n}")],
            &env,
        )?;
    }
    let chart = repo_root().join("tests/charts/podinfo");
    let chart = chart.to_string_lossy();
    tool(&helm, &["install", "seed", &chart, "-n", "bench-0"], &env)?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("a tokio runtime: {e}"))?;
    let started = Instant::now();
    runtime.block_on(seed(cluster.kubeconfig()))?;
    println!(
        "seeded {RELEASES} releases and {REVISIONS} revisions in {:.1}s; ours: {}",
        started.elapsed().as_secs_f64(),
        ours.display()
    );

    let cases: [(&str, &[&str]); 3] = [
        ("list -A (2,000 releases)", &["list", "-A"]),
        (
            "list -A --max 0 -o json",
            &["list", "-A", "--max", "0", "-o", "json"],
        ),
        (
            "history (200 revisions)",
            &["history", "long", "-n", "bench-1", "--max", "256"],
        ),
    ];
    println!(
        "{:<28} {:>10} {:>10} {:>7}",
        "command", "helm", "ours", "ratio"
    );
    for (label, args) in cases {
        let theirs = tool(&helm, args, &env)?;
        let mine = tool(&ours, args, &env)?;
        let agree = if theirs == mine {
            ""
        } else {
            "  (outputs differ!)"
        };
        let h = median(iterations, || tool(&helm, args, &env).map(drop))?;
        let o = median(iterations, || tool(&ours, args, &env).map(drop))?;
        println!(
            "{label:<28} {:>8.1}ms {:>8.1}ms {:>7.3}{agree}",
            ms(h),
            ms(o),
            ms(o) / ms(h)
        );
    }
    Ok(())
}

/// Writes [`RELEASES`] copies of the release `seed` (one revision each,
/// spread over the namespaces) and a release `long` with [`REVISIONS`]
/// revisions, as Helm's Secrets.
async fn seed(kubeconfig: &Path) -> Result<(), String> {
    let vars = BTreeMap::from([
        ("KUBECONFIG".to_owned(), kubeconfig.display().to_string()),
        // No client-side rate limit: seeding is not what is measured.
        ("HELM_QPS".to_owned(), "-1".to_owned()),
    ]);
    let settings = EnvSettings::from_env(&vars);
    let kube = Arc::new(
        Kube::connect(&settings)
            .await
            .map_err(|e| format!("connecting: {e}"))?,
    );
    let seeded = Storage::new(ClusterDriver::new(
        Arc::clone(&kube),
        ObjectKind::Secret,
        "bench-0",
    ));
    // Written in each release's own namespace.
    let storage = Storage::new(ClusterDriver::new(kube, ObjectKind::Secret, ""));
    let template = seeded
        .get("seed", 1)
        .await
        .map_err(|e| format!("reading the seed release: {e}"))?;
    let mut records = Vec::new();
    for i in 0..RELEASES {
        records.push(copy(
            &template,
            &format!("rel-{i:04}"),
            &format!("bench-{}", i % NAMESPACES),
            1,
            Status::Deployed,
        ));
    }
    for version in 1..=REVISIONS {
        let status = if version == REVISIONS {
            Status::Deployed
        } else {
            Status::Superseded
        };
        records.push(copy(&template, "long", "bench-1", version, status));
    }
    for batch in records.chunks(WRITE_BATCH) {
        // A batch at a time, concurrently: each is one request.
        let writes = batch.iter().map(|release| storage.create(release));
        for result in join_all(writes).await {
            result.map_err(|e| format!("writing a record: {e}"))?;
        }
    }
    Ok(())
}

/// `template` as revision `version` of `name` in `namespace`.
fn copy(template: &Release, name: &str, namespace: &str, version: i64, status: Status) -> Release {
    let mut release = template.clone();
    release.name = name.to_owned();
    release.namespace = namespace.to_owned();
    release.version = version;
    if let Some(info) = release.info.as_mut() {
        info.status = Some(status);
        info.description = format!("revision {version}");
    }
    release
}

/// The median wall time of `iterations` calls of `once`.
fn median(
    iterations: usize,
    mut once: impl FnMut() -> Result<(), String>,
) -> Result<Duration, String> {
    let mut times = Vec::new();
    for _ in 0..iterations.max(1) {
        let start = Instant::now();
        once()?;
        times.push(start.elapsed());
    }
    times.sort();
    Ok(times[times.len() / 2])
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
