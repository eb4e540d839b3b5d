//! Benchmark: `template` of every public chart by the reference Helm and by
//! us, as processes, side by side in one run. Prints the median wall time of
//! each and the ratio (ours / Helm).
//!
//! ```sh
//! cargo build --release -p kubectl-helm
//! cargo run --release -p kubectl-helm-tests --bin bench-template [ITERATIONS]
//! ```

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kubectl_helm_tests::{charts_dir, reference, repo_root};

const CHARTS: &[&str] = &[
    "podinfo",
    "cert-manager",
    "ingress-nginx",
    "helm-testcharts/alpine",
    "helm-testcharts/object-order",
    "helm-testcharts/chart-with-secret",
];

fn main() {
    let iterations: usize = std::env::args()
        .nth(1)
        .map(|n| n.parse().expect("ITERATIONS is a number"))
        .unwrap_or(20);
    let ours = repo_root().join("target/release/kubectl-helm");
    assert!(
        ours.is_file(),
        "build it first: cargo build --release -p kubectl-helm"
    );
    let helm = reference::helm_binary().to_path_buf();
    println!(
        "{:<36} {:>10} {:>10} {:>7}",
        "chart", "helm", "ours", "ratio"
    );
    let (mut total_helm, mut total_ours) = (Duration::ZERO, Duration::ZERO);
    for chart in CHARTS {
        let dir = charts_dir().join(chart);
        let h = median_run(&helm, &dir, iterations);
        let o = median_run(&ours, &dir, iterations);
        total_helm += h;
        total_ours += o;
        println!(
            "{chart:<36} {:>8.1}ms {:>8.1}ms {:>7.3}",
            ms(h),
            ms(o),
            ms(o) / ms(h)
        );
    }
    println!(
        "{:<36} {:>8.1}ms {:>8.1}ms {:>7.3}",
        "all",
        ms(total_helm),
        ms(total_ours),
        ms(total_ours) / ms(total_helm)
    );
}

fn median_run(binary: &PathBuf, chart: &Path, iterations: usize) -> Duration {
    let mut times: Vec<Duration> = (0..iterations.max(1))
        .map(|_| {
            let start = Instant::now();
            let status = Command::new(binary)
                .args(["template", "bench"])
                .arg(chart)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .expect("run template");
            let elapsed = start.elapsed();
            assert!(
                status.success(),
                "{} failed on {}",
                binary.display(),
                chart.display()
            );
            elapsed
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
