//! Records what `kubectl-helm version` reports: the git commit, whether the
//! tree was clean, and the Rust compiler that built the binary.

use std::process::Command;

fn main() {
    let commit = output("git", &["rev-parse", "HEAD"]).unwrap_or_default();
    let dirty = output("git", &["status", "--porcelain", "--untracked-files=no"])
        .is_some_and(|s| !s.is_empty());
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let rust_version = output(&rustc, &["--version"])
        .and_then(|v| v.split_whitespace().nth(1).map(str::to_string))
        .unwrap_or_default();
    println!("cargo:rustc-env=KUBECTL_HELM_GIT_COMMIT={commit}");
    let state = if commit.is_empty() {
        ""
    } else if dirty {
        "dirty"
    } else {
        "clean"
    };
    println!("cargo:rustc-env=KUBECTL_HELM_GIT_TREE_STATE={state}");
    println!("cargo:rustc-env=KUBECTL_HELM_RUST_VERSION={rust_version}");
    println!("cargo:rerun-if-changed=../.git/HEAD");
    println!("cargo:rerun-if-changed=../.git/index");
}

fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}
