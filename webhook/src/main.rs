//! The admission webhook (issue 5). Until it exists this binary says so,
//! rather than pretending to serve.

use std::process::ExitCode;

fn main() -> ExitCode {
    eprintln!("kubectl-helm-webhook: the admission server is not implemented yet");
    ExitCode::from(2)
}
