//! The reference Helm: fetched once per machine by
//! `scripts/fetch-reference-helm.sh`, run with an isolated environment, and
//! its outcomes cached by the content of what it was asked.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

use crate::{Outcome, repo_root};

/// The path of the reference `helm` binary, fetching it on first use.
pub fn helm_binary() -> &'static Path {
    static HELM: OnceLock<PathBuf> = OnceLock::new();
    HELM.get_or_init(|| {
        let script = repo_root().join("scripts/fetch-reference-helm.sh");
        let out = Command::new("bash")
            .arg(&script)
            .output()
            .unwrap_or_else(|e| panic!("running {}: {e}", script.display()));
        assert!(
            out.status.success(),
            "fetching the reference Helm failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
    })
}

/// Runs `helm ARGS` (paths in `args` absolute). `fingerprint` must capture everything the
/// result depends on besides the arguments (e.g. the chart's files); equal
/// fingerprints and arguments reuse the cached outcome.
pub fn run(args: &[&str], fingerprint: &[u8]) -> Outcome {
    run_with_env(args, &[], fingerprint)
}

/// [`run`] with extra environment variables (which override the isolated
/// `HOME`, `PATH` and `TZ`).
pub fn run_with_env(args: &[&str], vars: &[(&str, &str)], fingerprint: &[u8]) -> Outcome {
    let helm = helm_binary();
    let mut hasher = Sha256::new();
    hasher.update(helm.to_string_lossy().as_bytes());
    for a in args {
        hasher.update(a.as_bytes());
        hasher.update([0]);
    }
    for (k, v) in vars {
        hasher.update(format!("{k}={v}").as_bytes());
        hasher.update([0]);
    }
    hasher.update(fingerprint);
    let key: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let cache = helm
        .parent()
        .expect("helm is in a directory")
        .join("outcomes");
    let cached = cache.join(&key);
    if let Some(outcome) = std::fs::read(&cached).ok().and_then(|b| decode(&b)) {
        return outcome;
    }
    let outcome = execute(args, None, vars);
    if !is_nondeterministic(args) {
        let _ = std::fs::create_dir_all(&cache);
        let _ = std::fs::write(&cached, encode(&outcome));
    }
    outcome
}

/// Runs `helm ARGS` in `dir` without the cache, for commands that write
/// files (which a cached outcome would not).
pub fn run_uncached<S: AsRef<OsStr>>(args: &[S], dir: &Path) -> Outcome {
    execute(args, Some(dir), &[])
}

/// Runs `helm ARGS` in the isolated environment: a fresh `HOME`, a
/// minimal `PATH` and `TZ=UTC`, then `vars`; in `dir` if given.
fn execute<S: AsRef<OsStr>>(args: &[S], dir: Option<&Path>, vars: &[(&str, &str)]) -> Outcome {
    let helm = helm_binary();
    let home = tempfile::tempdir().expect("temporary HOME for helm");
    let mut command = Command::new(helm);
    command
        .args(args)
        .env_clear()
        .env("HOME", home.path())
        .env("PATH", "/usr/bin:/bin")
        .env("TZ", "UTC")
        .envs(vars.iter().copied());
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", helm.display()));
    Outcome {
        success: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs whose output may change between runs are never cached.
fn is_nondeterministic(args: &[&str]) -> bool {
    args.contains(&"--no-cache")
}

fn encode(o: &Outcome) -> Vec<u8> {
    let mut out = format!("{}\n{}\n", o.success as u8, o.stdout.len()).into_bytes();
    out.extend_from_slice(o.stdout.as_bytes());
    out.extend_from_slice(o.stderr.as_bytes());
    out
}

fn decode(bytes: &[u8]) -> Option<Outcome> {
    let text = std::str::from_utf8(bytes).ok()?;
    let (success, rest) = text.split_once('\n')?;
    let (len, rest) = rest.split_once('\n')?;
    let len: usize = len.parse().ok()?;
    Some(Outcome {
        success: success == "1",
        stdout: rest.get(..len)?.to_string(),
        stderr: rest.get(len..)?.to_string(),
    })
}
