//! `kubectl-helm`: Helm as a kubectl plugin.

use std::io;
use std::process::ExitCode;

fn main() -> ExitCode {
    let status = kubectl_helm::run(
        std::env::args_os(),
        &mut io::stdout().lock(),
        &mut io::stderr(),
    );
    ExitCode::from(status)
}
