//! A throwaway PostgreSQL server on loopback, for the tests of Helm's SQL
//! storage driver.
//!
//! [`TestPostgres::start`] runs `initdb` into a temporary directory and
//! serves it with `postgres` on 127.0.0.1 and a free port, trusting every
//! local connection ([`TestPostgres::start_tls`] serves TLS too). When the
//! tests run as root, both run as `nobody` (PostgreSQL refuses root)
//! through `setpriv`. The server is started by a small `sh` watchdog that
//! holds a pipe from this process: when the [`TestPostgres`] is dropped,
//! or the test process ends without dropping it (a `static`), the pipe
//! closes and the watchdog stops the server and removes its directory.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long the server may take to accept connections.
const READY_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a stopping server may take before it is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(20);
/// What the server logs once it accepts connections.
const READY_LINE: &str = "database system is ready to accept connections";
/// How many ports to try when the one picked is taken meanwhile.
const PORT_ATTEMPTS: u32 = 3;
/// The lines of the server's log kept for error reports.
const LOG_TAIL: usize = 40;

/// Runs the server given as arguments after the data directory, and stops
/// it with SIGINT (a fast shutdown) when standard input closes; then
/// removes the directory. Background lists read /dev/null unless told
/// otherwise, hence the copy of standard input on descriptor 3.
const WATCHDOG: &str = r#"
dir=$1; shift
exec 3<&0 </dev/null
"$@" 3<&- &
pid=$!
( read -r _ <&3; kill -INT "$pid" ) >/dev/null 2>&1 &
exec 3<&-
wait "$pid"
rm -rf "$dir"
"#;

/// Why a test PostgreSQL could not start.
#[derive(Debug, thiserror::Error)]
pub enum PostgresError {
    /// Neither `PATH` nor `/usr/lib/postgresql/*/bin` has `initdb` and
    /// `postgres`.
    #[error(
        "PostgreSQL is not installed (no initdb and postgres on PATH or in /usr/lib/postgresql/*/bin)"
    )]
    NotInstalled,
    /// Running as root, and `/etc/passwd` has no `nobody` to run as.
    #[error("running as root and there is no user nobody to run PostgreSQL as")]
    NoUnprivilegedUser,
    /// A directory, a port or a process could not be had.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: &'static str,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Generating the server's certificate failed.
    #[error("generating the PostgreSQL certificate: {0}")]
    Certificates(#[from] rcgen::Error),
    /// `initdb` failed; its output.
    #[error("initdb failed:\n{0}")]
    Initdb(String),
    /// The server exited or did not become ready in time; its log.
    #[error("postgres did not start:\n{0}")]
    Server(String),
}

fn io(context: &'static str) -> impl FnOnce(std::io::Error) -> PostgresError {
    move |source| PostgresError::Io { context, source }
}

/// A running PostgreSQL server; dropping it stops the server and removes
/// its files.
#[derive(Debug)]
pub struct TestPostgres {
    /// The watchdog `sh`; `None` only while dropping.
    watchdog: Option<Child>,
    /// Closing it tells the watchdog to stop the server.
    stop: Option<ChildStdin>,
    dir: PathBuf,
    port: u16,
    bin: PathBuf,
}

impl TestPostgres {
    /// Creates a cluster in a new temporary directory and starts a server on
    /// 127.0.0.1, returning once it accepts connections.
    pub fn start() -> Result<TestPostgres, PostgresError> {
        TestPostgres::launch_retrying(false)
    }

    /// [`TestPostgres::start`], serving TLS as well (with a certificate for
    /// 127.0.0.1 from a CA made for the purpose).
    pub fn start_tls() -> Result<TestPostgres, PostgresError> {
        TestPostgres::launch_retrying(true)
    }

    /// [`TestPostgres::launch`], again with a new port when another process
    /// took the one picked before the server could bind it.
    fn launch_retrying(tls: bool) -> Result<TestPostgres, PostgresError> {
        let mut attempts = 1;
        loop {
            match TestPostgres::launch(tls) {
                Err(PostgresError::Server(log))
                    if attempts < PORT_ATTEMPTS && log.contains("already in use") =>
                {
                    attempts += 1;
                }
                result => return result,
            }
        }
    }

    fn launch(tls: bool) -> Result<TestPostgres, PostgresError> {
        let bin = find_bin_dir().ok_or(PostgresError::NotInstalled)?;
        let user = if running_as_root()? {
            Some(nobody()?)
        } else {
            None
        };
        // Removed on the way out until the watchdog takes it over.
        let tmp = tempfile::Builder::new()
            .prefix("helm-pg")
            .tempdir()
            .map_err(io("creating the PostgreSQL directory"))?;
        let dir = tmp.path().to_path_buf();
        if let Some((uid, gid)) = user {
            std::os::unix::fs::chown(&dir, Some(uid), Some(gid))
                .map_err(io("handing the PostgreSQL directory to nobody"))?;
        }
        let data = dir.join("data");
        let out = as_user(user, &bin.join("initdb"))
            .arg("--pgdata")
            .arg(&data)
            .args(["--username=postgres", "--auth=trust", "--no-sync"])
            .args(["--encoding=UTF8", "--locale=C"])
            .current_dir(&dir)
            .output()
            .map_err(io("running initdb"))?;
        if !out.status.success() {
            return Err(PostgresError::Initdb(format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )));
        }
        let mut settings = vec!["max_connections=50".to_string()];
        if tls {
            let pki = crate::pki::Pki::generate()?;
            let cert = dir.join("server.crt");
            let key = dir.join("server.key");
            write_private(&cert, &pki.server.cert_pem, user)?;
            write_private(&key, &pki.server.key_pem, user)?;
            settings.push("ssl=on".into());
            settings.push(format!("ssl_cert_file={}", cert.display()));
            settings.push(format!("ssl_key_file={}", key.display()));
        }
        let port = free_port()?;
        let mut server = as_user(user, &bin.join("postgres"));
        for setting in &settings {
            server.arg("-c").arg(setting);
        }
        let mut watchdog = Command::new("sh")
            .arg("-c")
            .arg(WATCHDOG)
            .arg("sh")
            .arg(&dir)
            .arg(server.get_program())
            .args(server.get_args())
            .arg("-D")
            .arg(&data)
            .arg("-k")
            .arg(&dir)
            .args(["-h", "127.0.0.1", "-p", &port.to_string()])
            // No fsync: the data is thrown away anyway.
            .arg("-F")
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(io("starting postgres"))?;
        // The watchdog removes the directory, even when this process ends
        // first.
        let dir = tmp.keep();
        let stop = watchdog.stdin.take();
        let log = watchdog.stderr.take();
        let pg = TestPostgres {
            watchdog: Some(watchdog),
            stop,
            dir,
            port,
            bin,
        };
        let ready = log.map(watch_log);
        match ready.map(|r| r.recv_timeout(READY_TIMEOUT)) {
            Some(Ok(Ok(()))) => Ok(pg),
            Some(Ok(Err(tail))) => Err(PostgresError::Server(tail)),
            // Dropping `pg` stops what did start.
            _ => Err(PostgresError::Server(format!(
                "not ready after {READY_TIMEOUT:?}"
            ))),
        }
    }

    /// The port the server listens on, on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A libpq connection string for database `dbname` as the superuser
    /// `postgres`, without TLS.
    pub fn connection_string(&self, dbname: &str) -> String {
        format!(
            "host=127.0.0.1 port={} user=postgres dbname={dbname} sslmode=disable",
            self.port
        )
    }

    /// The directory of the server's binaries (`psql` among them).
    pub fn bin_dir(&self) -> &Path {
        &self.bin
    }

    /// Creates an empty database, so tests sharing a server do not see each
    /// other's tables.
    pub fn create_database(&self, name: &str) -> Result<(), PostgresError> {
        let out = Command::new(self.bin.join("psql"))
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1"])
            .arg(self.connection_string("postgres"))
            .arg("-c")
            .arg(format!("CREATE DATABASE \"{}\"", name.replace('"', "\"\"")))
            .output()
            .map_err(io("running psql"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(PostgresError::Server(
                String::from_utf8_lossy(&out.stderr).into_owned(),
            ))
        }
    }

    /// Stops the server (fast shutdown), waits for it, and removes its files.
    fn stop(&mut self) {
        // Closing the pipe is the watchdog's signal.
        drop(self.stop.take());
        let Some(mut watchdog) = self.watchdog.take() else {
            return;
        };
        let deadline = Instant::now() + STOP_TIMEOUT;
        while Instant::now() < deadline {
            match watchdog.try_wait() {
                Ok(Some(_)) | Err(_) => return,
                Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            }
        }
        // A server that ignores its shutdown: kill the watchdog so that at
        // least this process does not hang, and remove what we can.
        let _ = watchdog.kill();
        let _ = watchdog.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Drop for TestPostgres {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Reads the server's log on a thread of its own (the pipe must be drained
/// for as long as the server logs), sending `Ok` once it is ready, or the
/// end of the log if it exits first.
fn watch_log(log: impl std::io::Read + Send + 'static) -> mpsc::Receiver<Result<(), String>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut tail = std::collections::VecDeque::with_capacity(LOG_TAIL);
        let mut told = false;
        // By bytes: a line that is not UTF-8 must not stop the draining.
        for line in BufReader::new(log).split(b'\n') {
            let Ok(line) = line else { break };
            let line = String::from_utf8_lossy(&line);
            if told {
                continue;
            }
            if line.contains(READY_LINE) {
                // The receiver may have given up waiting; nothing to do then.
                let _ = tx.send(Ok(()));
                told = true;
            } else {
                if tail.len() == LOG_TAIL {
                    tail.pop_front();
                }
                tail.push_back(line.into_owned());
            }
        }
        if !told {
            let _ = tx.send(Err(Vec::from(tail).join("\n")));
        }
    });
    rx
}

/// Writes a file only its owner may read (PostgreSQL refuses a key others
/// can read), owned by `user` when one is given.
fn write_private(path: &Path, text: &str, user: Option<(u32, u32)>) -> Result<(), PostgresError> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(io("writing the PostgreSQL certificate"))?;
    std::io::Write::write_all(&mut file, text.as_bytes())
        .map_err(io("writing the PostgreSQL certificate"))?;
    if let Some((uid, gid)) = user {
        std::os::unix::fs::chown(path, Some(uid), Some(gid))
            .map_err(io("handing the PostgreSQL certificate to nobody"))?;
    }
    Ok(())
}

/// `cmd` as a command, run as `user` through `setpriv` when one is given.
fn as_user(user: Option<(u32, u32)>, cmd: &Path) -> Command {
    match user {
        None => Command::new(cmd),
        Some((uid, gid)) => {
            let mut c = Command::new("setpriv");
            c.arg(format!("--reuid={uid}"))
                .arg(format!("--regid={gid}"))
                .arg("--clear-groups")
                .arg("--")
                .arg(cmd);
            c
        }
    }
}

/// The directory holding `initdb` and `postgres`: the one of `initdb` on
/// `PATH` (following links), else the newest `/usr/lib/postgresql/*/bin`.
fn find_bin_dir() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join("initdb"))
            .find(|initdb| initdb.is_file())
    });
    let from_path = on_path
        .and_then(|initdb| std::fs::canonicalize(initdb).ok())
        .and_then(|initdb| initdb.parent().map(Path::to_path_buf));
    let has_both = |dir: &PathBuf| dir.join("initdb").is_file() && dir.join("postgres").is_file();
    if let Some(dir) = from_path.filter(has_both) {
        return Some(dir);
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            Some((version, e.path().join("bin")))
        })
        .filter(|(_, dir)| has_both(dir))
        .collect();
    versions.sort();
    versions.pop().map(|(_, dir)| dir)
}

/// Whether this process runs as root, told by the owner of its `/proc`
/// entry (std has no `geteuid`).
fn running_as_root() -> Result<bool, PostgresError> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata("/proc/self").map_err(io("reading /proc/self"))?;
    Ok(meta.uid() == 0)
}

/// The uid and gid of `nobody`, from `/etc/passwd`.
fn nobody() -> Result<(u32, u32), PostgresError> {
    let passwd = std::fs::read_to_string("/etc/passwd").map_err(io("reading /etc/passwd"))?;
    passwd
        .lines()
        .find_map(|line| {
            let mut fields = line.split(':');
            if fields.next()? != "nobody" {
                return None;
            }
            let uid = fields.nth(1)?.parse().ok()?;
            let gid = fields.next()?.parse().ok()?;
            Some((uid, gid))
        })
        .ok_or(PostgresError::NoUnprivilegedUser)
}

/// A port that was free a moment ago on 127.0.0.1.
fn free_port() -> Result<u16, PostgresError> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(io("finding a free port"))?;
    let port = listener
        .local_addr()
        .map_err(io("finding a free port"))?
        .port();
    Ok(port)
}
