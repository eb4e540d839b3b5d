//! What the tests share: one cluster per test binary, and the reference
//! binaries run against it.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::OnceLock;

use kubectl_helm_test_cluster::TestCluster;

/// The cluster of this test binary, started on first use.
pub fn cluster() -> &'static TestCluster {
    static CLUSTER: OnceLock<TestCluster> = OnceLock::new();
    CLUSTER.get_or_init(|| TestCluster::start().expect("the test cluster starts"))
}

/// The directory of the reference `helm` and `kubectl`, fetched by the
/// repository's script (which prints the `helm` path).
pub fn reference_dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let script =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/fetch-reference-helm.sh");
        let out = Command::new("bash")
            .arg(&script)
            .output()
            .expect("the fetch script runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let helm = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        helm.parent().expect("helm is in a directory").to_path_buf()
    })
}

/// Runs the reference `binary` (`helm` or `kubectl`) against the cluster,
/// with a `HOME` of its own.
pub fn run(binary: &str, args: &[&str]) -> Output {
    Command::new(reference_dir().join(binary))
        .args(args)
        .env("KUBECONFIG", cluster().kubeconfig())
        .env("HOME", cluster().dir())
        .env_remove("HELM_NAMESPACE")
        .env_remove("HELM_DRIVER")
        .output()
        .expect("the reference binary runs")
}

/// [`run`], requiring success; returns stdout.
pub fn run_ok(binary: &str, args: &[&str]) -> String {
    let out = run(binary, args);
    assert!(
        out.status.success(),
        "{binary} {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// [`run`], requiring failure; returns stderr.
pub fn run_err(binary: &str, args: &[&str]) -> String {
    let out = run(binary, args);
    assert!(!out.status.success(), "{binary} {args:?} succeeded");
    String::from_utf8_lossy(&out.stderr).into_owned()
}
