//! The `kubectl-helm` command line as a library: the binary is a thin
//! `main` over [`run`], and the tests drive the very same code in-process.

mod commands;

use std::ffi::OsString;
use std::io::{self, Write};

use clap::Parser;
use helm::settings::{Environment, ProcessEnvironment};

/// Runs one command line (`args[0]` is the program name), writing as the
/// binary would, and returns the exit status.
pub fn run<I, T>(args: I, stdout: &mut dyn Write, stderr: &mut dyn Write) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let terminal = std::io::IsTerminal::is_terminal(&io::stdout());
    run_in(args, &ProcessEnvironment, terminal, stdout, stderr)
}

/// [`run`] with the environment variables of `env` instead of the
/// process's.
pub fn run_with_env<I, T>(
    args: I,
    env: &dyn Environment,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    run_in(args, env, false, stdout, stderr)
}

/// [`run_with_env`], told whether standard output is a terminal (which
/// `--color auto` colours).
fn run_in<I, T>(
    args: I,
    env: &dyn Environment,
    terminal: bool,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let bin = args
        .first()
        .map(|a| a.to_string_lossy().into_owned())
        .unwrap_or_default();
    let cli = match commands::Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = write!(stderr, "{}", e.render());
            return if e.use_stderr() { 1 } else { 0 };
        }
    };
    let settings = cli.settings(env);
    let color = match cli.color(env, terminal) {
        Ok(color) => color,
        Err(e) => {
            let _ = writeln!(stderr, "Error: {e}");
            return 1;
        }
    };
    let mut ctx = commands::Context {
        settings,
        env,
        color,
        bin,
        out: stdout,
        err: stderr,
    };
    let result = cli.run(&mut ctx).and_then(|()| Ok(ctx.out.flush()?));
    match result {
        Ok(()) => 0,
        // Output cut short by a closed pipe (`| head`) is not a failure.
        Err(e) if is_broken_pipe(&e) => 0,
        Err(e) => {
            let _ = writeln!(ctx.err, "Error: {e}");
            1
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.downcast_ref::<io::Error>()
        .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
}
