//! The connection settings Helm's PostgreSQL library (`lib/pq`) takes from
//! a connection string: what the string leaves out comes from the `PG*`
//! environment variables, then from the library's defaults (`localhost`,
//! TLS required).

use std::time::Duration;

use tokio_postgres::Config;
use tokio_postgres::config::SslMode;

use super::SqlError;
use crate::settings::Environment;

/// The settings for `connection_string` (a `key=value` list or a
/// `postgres://` URL) in the environment `env`.
pub fn settings(connection_string: &str, env: &dyn Environment) -> Result<Config, SqlError> {
    let mut config: Config = connection_string.parse().map_err(SqlError::Connect)?;
    let var = |name: &'static str| env.var(name).filter(|v| !v.is_empty());
    if config.get_hosts().is_empty() && config.get_hostaddrs().is_empty() {
        let hosts = var("PGHOST").unwrap_or_else(|| "localhost".to_string());
        for host in hosts.split(',') {
            config.host(host);
        }
    }
    if config.get_ports().is_empty()
        && let Some(port) = var("PGPORT")
    {
        let port = port.parse().map_err(|_| SqlError::Environment("PGPORT"))?;
        config.port(port);
    }
    if config.get_user().is_none()
        && let Some(user) = var("PGUSER")
    {
        config.user(user);
    }
    if config.get_dbname().is_none()
        && let Some(dbname) = var("PGDATABASE")
    {
        config.dbname(dbname);
    }
    if config.get_password().is_none()
        && let Some(password) = var("PGPASSWORD")
    {
        config.password(password);
    }
    if config.get_application_name().is_none()
        && let Some(name) = var("PGAPPNAME")
    {
        config.application_name(name);
    }
    if config.get_connect_timeout().is_none()
        && let Some(seconds) = var("PGCONNECT_TIMEOUT")
    {
        let seconds: u64 = seconds
            .parse()
            .map_err(|_| SqlError::Environment("PGCONNECT_TIMEOUT"))?;
        // Zero waits forever, as in libpq.
        if seconds > 0 {
            config.connect_timeout(Duration::from_secs(seconds));
        }
    }
    if !sets_sslmode(connection_string) {
        let mode = match var("PGSSLMODE").as_deref() {
            None | Some("require") => SslMode::Require,
            Some("disable") => SslMode::Disable,
            Some("prefer") => SslMode::Prefer,
            Some(_) => return Err(SqlError::Environment("PGSSLMODE")),
        };
        config.ssl_mode(mode);
    }
    Ok(config)
}

/// Whether the string gives `sslmode` itself: tokio-postgres reads its
/// absence as `prefer`, where Helm's library requires TLS (or takes
/// `PGSSLMODE`), so the two must be told apart.
fn sets_sslmode(connection_string: &str) -> bool {
    let url = ["postgres://", "postgresql://"]
        .iter()
        .find_map(|scheme| connection_string.strip_prefix(scheme));
    match url {
        Some(rest) => rest.split_once('?').is_some_and(|(_, query)| {
            query
                .split('&')
                .any(|pair| pair.split('=').next() == Some("sslmode"))
        }),
        None => keys(connection_string).any(|key| key == "sslmode"),
    }
}

/// The keys of a `key=value` connection string, read as libpq reads it:
/// values are single-quoted or run to the next space, and a backslash
/// escapes the next character in either.
fn keys(text: &str) -> impl Iterator<Item = String> + '_ {
    let mut chars = text.chars().peekable();
    std::iter::from_fn(move || {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        chars.peek()?;
        let mut key = String::new();
        while let Some(c) = chars.next_if(|c| *c != '=' && !c.is_whitespace()) {
            key.push(c);
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        chars.next_if_eq(&'=')?;
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.next_if_eq(&'\'').is_some() {
            while let Some(c) = chars.next() {
                match c {
                    '\\' => {
                        chars.next();
                    }
                    '\'' => break,
                    _ => {}
                }
            }
        } else {
            while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                if c == '\\' {
                    chars.next();
                }
            }
        }
        Some(key)
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use tokio_postgres::config::Host;

    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_string_wins_over_the_environment() {
        let env = env(&[
            ("PGHOST", "elsewhere"),
            ("PGPORT", "6543"),
            ("PGUSER", "env-user"),
            ("PGDATABASE", "env-db"),
            ("PGSSLMODE", "disable"),
        ]);
        let c = settings(
            "host=db port=5433 user=helm dbname=releases sslmode=require",
            &env,
        )
        .expect("settings");
        assert_eq!(c.get_hosts(), [Host::Tcp("db".into())]);
        assert_eq!(c.get_ports(), [5433]);
        assert_eq!(c.get_user(), Some("helm"));
        assert_eq!(c.get_dbname(), Some("releases"));
        assert!(matches!(c.get_ssl_mode(), SslMode::Require));
    }

    #[test]
    fn the_environment_fills_what_the_string_leaves_out() {
        let env = env(&[
            ("PGHOST", "db"),
            ("PGPORT", "6543"),
            ("PGUSER", "helm"),
            ("PGDATABASE", "releases"),
            ("PGPASSWORD", "secret"),
            ("PGAPPNAME", "kubectl-helm"),
            ("PGCONNECT_TIMEOUT", "7"),
            ("PGSSLMODE", "disable"),
        ]);
        let c = settings("", &env).expect("settings");
        assert_eq!(c.get_hosts(), [Host::Tcp("db".into())]);
        assert_eq!(c.get_ports(), [6543]);
        assert_eq!(c.get_user(), Some("helm"));
        assert_eq!(c.get_dbname(), Some("releases"));
        assert_eq!(c.get_password(), Some(&b"secret"[..]));
        assert_eq!(c.get_application_name(), Some("kubectl-helm"));
        assert_eq!(c.get_connect_timeout(), Some(&Duration::from_secs(7)));
        assert!(matches!(c.get_ssl_mode(), SslMode::Disable));
    }

    #[test]
    fn defaults_are_localhost_and_tls_required() {
        let c = settings("user=helm", &env(&[])).expect("settings");
        assert_eq!(c.get_hosts(), [Host::Tcp("localhost".into())]);
        assert!(matches!(c.get_ssl_mode(), SslMode::Require));
        // An explicit `prefer` stays: Helm's library then falls back to
        // plain text too.
        let c = settings("postgres://h/db?sslmode=prefer", &env(&[])).expect("settings");
        assert!(matches!(c.get_ssl_mode(), SslMode::Prefer));
        let c = settings("postgres://h/db?application_name=x", &env(&[])).expect("settings");
        assert!(matches!(c.get_ssl_mode(), SslMode::Require));
    }

    #[test]
    fn helms_documented_url_form_is_read() {
        let url = "postgresql://helm-postgres:5432/helm?user=helm&password=changeme";
        let c = settings(url, &env(&[])).expect("settings");
        assert_eq!(c.get_hosts(), [Host::Tcp("helm-postgres".into())]);
        assert_eq!(c.get_ports(), [5432]);
        assert_eq!(c.get_dbname(), Some("helm"));
        assert_eq!(c.get_user(), Some("helm"));
        assert_eq!(c.get_password(), Some(&b"changeme"[..]));
        assert!(matches!(c.get_ssl_mode(), SslMode::Require));
    }

    #[test]
    fn run_time_parameters_in_the_string_are_refused() {
        // lib/pq would send `search_path` to the server; tokio-postgres
        // takes it only inside `options`.
        let err = settings("host=db search_path=helm", &env(&[])).unwrap_err();
        assert!(matches!(err, SqlError::Connect(_)), "{err}");
        let c = settings("host=db options='-c search_path=helm'", &env(&[])).expect("options");
        assert_eq!(c.get_options(), Some("-c search_path=helm"));
    }

    #[test]
    fn bad_environment_values_are_errors() {
        for (name, value) in [
            ("PGPORT", "http"),
            ("PGCONNECT_TIMEOUT", "soon"),
            ("PGSSLMODE", "verify-full"),
        ] {
            let err = settings("host=db", &env(&[(name, value)])).unwrap_err();
            assert!(
                matches!(err, SqlError::Environment(n) if n == name),
                "{name}: {err}"
            );
        }
    }

    #[test]
    fn sslmode_is_found_only_as_a_key() {
        assert!(sets_sslmode("host=db sslmode=disable"));
        assert!(sets_sslmode("host=db   sslmode = 'disable'"));
        assert!(sets_sslmode("postgres://u@h/db?x=1&sslmode=require"));
        assert!(!sets_sslmode("host=db password='a sslmode=disable'"));
        assert!(!sets_sslmode(r"host=db password=a\ sslmode=disable"));
        assert!(!sets_sslmode("postgres://u:sslmode=x@h/db"));
        assert!(!sets_sslmode(""));
    }
}
