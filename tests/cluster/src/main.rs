//! `test-cluster [KUBECONFIG]`: starts a test cluster, copies its
//! kubeconfig to KUBECONFIG if given, prints the kubeconfig's path and
//! serves until interrupted.

use std::process::ExitCode;

use kubectl_helm_test_cluster::TestCluster;

fn main() -> ExitCode {
    let cluster = match TestCluster::start() {
        Ok(cluster) => cluster,
        Err(error) => {
            eprintln!("test-cluster: {error}");
            return ExitCode::FAILURE;
        }
    };
    let kubeconfig = match std::env::args_os().nth(1) {
        Some(path) => {
            if let Err(error) = std::fs::copy(cluster.kubeconfig(), &path) {
                eprintln!("test-cluster: writing {}: {error}", path.display());
                return ExitCode::FAILURE;
            }
            std::path::PathBuf::from(path)
        }
        None => cluster.kubeconfig().to_path_buf(),
    };
    println!(
        "serving {} (kubeconfig {})",
        cluster.server_url(),
        kubeconfig.display()
    );
    let waited = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .and_then(|runtime| runtime.block_on(tokio::signal::ctrl_c()));
    if let Err(error) = waited {
        eprintln!("test-cluster: waiting for interrupt: {error}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
