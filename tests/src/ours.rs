//! Our command line, run in-process exactly as the binary runs it.

use crate::Outcome;

/// Runs `kubectl-helm ARGS`. Paths in `args` should be absolute: the
/// process's working directory is shared by every test thread.
pub fn run(args: &[&str]) -> Outcome {
    let argv = std::iter::once("kubectl-helm").chain(args.iter().copied());
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let status = kubectl_helm::run(argv, &mut stdout, &mut stderr);
    Outcome {
        success: status == 0,
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// [`run`] with exactly the environment variables `vars`.
pub fn run_with_env(args: &[&str], vars: &[(&str, &str)]) -> Outcome {
    let argv = std::iter::once("kubectl-helm").chain(args.iter().copied());
    let env: std::collections::BTreeMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let status = kubectl_helm::run_with_env(argv, &env, &mut stdout, &mut stderr);
    Outcome {
        success: status == 0,
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}
