//! Running one tool as a subprocess, bounded in time and in output.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// The output kept from each stream; more is cut off (and a command that
/// keeps writing is stopped by its timeout).
const MAX_OUTPUT: u64 = 16 * 1024 * 1024;
/// How often a running command is checked for having exited.
const POLL: Duration = Duration::from_millis(10);

/// What a command printed and how it ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The exit code; -1 when a signal ended it.
    pub status: i32,
    /// Standard output, as UTF-8 (invalid bytes replaced).
    pub stdout: String,
    /// Standard error, likewise.
    pub stderr: String,
}

/// Why a command gave no outcome.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The program could not be started.
    #[error("starting {program}: {source}")]
    Spawn {
        program: String,
        source: std::io::Error,
    },
    /// Waiting for it failed.
    #[error("waiting for {program}: {source}")]
    Wait {
        program: String,
        source: std::io::Error,
    },
    /// It ran longer than allowed and was killed.
    #[error("{program} did not finish within {timeout:?}")]
    Timeout { program: String, timeout: Duration },
}

/// Runs `program` with `args` in exactly the environment `env` (nothing
/// inherited), killing it after `timeout`.
pub fn run(
    program: &Path,
    args: &[String],
    env: &[(String, String)],
    timeout: Duration,
) -> Result<Outcome, RunError> {
    let shown = program.display().to_string();
    let mut child = Command::new(program)
        .args(args)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| RunError::Spawn {
            program: shown.clone(),
            source,
        })?;
    let stdout = child.stdout.take().map(reader);
    let stderr = child.stderr.take().map(reader);
    let started = Instant::now();
    let status = loop {
        let waited = child.try_wait().map_err(|source| RunError::Wait {
            program: shown.clone(),
            source,
        })?;
        if let Some(status) = waited {
            break status;
        }
        if started.elapsed() > timeout {
            // Already exited between the checks is the only failure here.
            let _ = child.kill();
            let _ = child.wait();
            return Err(RunError::Timeout {
                program: shown,
                timeout,
            });
        }
        thread::sleep(POLL);
    };
    let collect = |handle: Option<thread::JoinHandle<Vec<u8>>>| {
        handle
            .and_then(|h| h.join().ok())
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .unwrap_or_default()
    };
    Ok(Outcome {
        status: status.code().unwrap_or(-1),
        stdout: collect(stdout),
        stderr: collect(stderr),
    })
}

/// Reads a stream to its end (up to [`MAX_OUTPUT`]) on its own thread, so
/// that neither pipe fills while the other is read.
fn reader(stream: impl Read + Send + 'static) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        // A read error ends the output early; what was read is kept.
        let _ = stream.take(MAX_OUTPUT).read_to_end(&mut bytes);
        bytes
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str, timeout: Duration) -> Result<Outcome, RunError> {
        run(
            Path::new("/bin/sh"),
            &["-c".into(), script.into()],
            &[("GREETING".into(), "hi".into())],
            timeout,
        )
    }

    #[test]
    fn captures_both_streams_the_status_and_only_the_given_environment() {
        let out = sh(
            "echo $GREETING; echo ${HOME:-nohome} >&2; exit 3",
            Duration::from_secs(10),
        )
        .expect("runs");
        assert_eq!(
            out,
            Outcome {
                status: 3,
                stdout: "hi\n".into(),
                stderr: "nohome\n".into()
            }
        );
    }

    #[test]
    fn kills_what_runs_too_long() {
        let error = sh("sleep 5", Duration::from_millis(200)).expect_err("times out");
        assert!(matches!(error, RunError::Timeout { .. }), "{error}");
    }
}
