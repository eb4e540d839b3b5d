//! Helm's `sql` driver (`HELM_DRIVER=sql`): releases in PostgreSQL, in the
//! tables, migrations and queries of Helm's own driver, so that helm and we
//! read and write one database interchangeably.
//!
//! A record is a row of `releases_v1` keyed by (`key`, `namespace`), its body
//! [`encode_release`] of the release and Helm's labels in columns
//! (`name`, `namespace`, `version`, `status`, `owner`, `createdat`,
//! `modifiedat`); the release's own labels are rows of `custom_labels_v1`.
//! `schema.rs` creates both as Helm's migrations do.
//!
//! Reads and deletes see the driver's namespace; an empty namespace lists
//! and queries every namespace (`--all-namespaces`), while `get` and
//! `delete` then find nothing, as in Helm. Writes go to the release's own
//! namespace (`default` when it has none).

mod config;
mod schema;
mod tls;

use std::collections::BTreeMap;

use tokio::sync::Mutex;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Config, GenericClient, Row};

use super::{
    Driver, OWNER, SECRET_TYPE, StorageError, decode_release, encode_release, filter_system_labels,
};
use crate::release::{Release, Status, Time};
use crate::settings::{Environment, ProcessEnvironment};

/// The environment variable Helm reads the connection string from.
pub const CONNECTION_STRING_ENV: &str = "HELM_DRIVER_SQL_CONNECTION_STRING";

/// Why the SQL driver failed, beyond Helm's storage errors.
#[derive(Debug, thiserror::Error)]
pub enum SqlError {
    /// [`SqlDriver::connect`] was called outside a tokio runtime, which has
    /// to drive the connection.
    #[error("the SQL storage driver needs a tokio runtime")]
    NoRuntime,
    /// A `PG*` environment variable has a value Helm's library refuses
    /// too (a port that is no number, an `sslmode` we do not support…).
    #[error("invalid value in environment variable {0}")]
    Environment(&'static str),
    /// The TLS client could not be set up (no protocol version that both
    /// rustls and its crypto provider support).
    #[error("setting up TLS for the SQL database: {0}")]
    Tls(#[source] rustls::Error),
    /// The connection string is malformed, or the server cannot be
    /// reached or refused us.
    #[error("connecting to the SQL database: {0}")]
    Connect(#[source] tokio_postgres::Error),
    /// One of Helm's migrations (or creating the migration table) failed.
    #[error("applying SQL migration {id:?}: {source}")]
    Migrate {
        /// The migration's id in `gorp_migrations`.
        id: &'static str,
        source: tokio_postgres::Error,
    },
    /// A statement failed: the connection broke, a value does not fit its
    /// column, a label value is not a number where one is needed…
    #[error(transparent)]
    Statement(#[from] tokio_postgres::Error),
    /// A query asked for a label that has no column (Helm's text).
    #[error("unknown label {0}")]
    UnknownLabel(String),
}

impl From<tokio_postgres::Error> for StorageError {
    fn from(e: tokio_postgres::Error) -> StorageError {
        StorageError::Sql(SqlError::Statement(e))
    }
}

/// Releases in a PostgreSQL database shared with Helm.
pub struct SqlDriver {
    /// Behind a lock because transactions need the client to themselves.
    client: Mutex<Client>,
    /// The namespace reads and deletes look in; empty for all.
    namespace: String,
}

impl std::fmt::Debug for SqlDriver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlDriver")
            .field("namespace", &self.namespace)
            .finish_non_exhaustive()
    }
}

/// The columns a query may filter on, by Helm's label name, and whether the
/// column holds a number.
fn label_column(label: &str) -> Option<(&'static str, bool)> {
    Some(match label {
        "name" => ("name", false),
        "owner" => ("owner", false),
        "status" => ("status", false),
        "version" => ("version", true),
        "createdAt" => ("createdat", true),
        "modifiedAt" => ("modifiedat", true),
        _ => return None,
    })
}

impl SqlDriver {
    /// Connects as Helm does with `connection_string` (`host=… user=…
    /// dbname=…` or a `postgres://` URL; what it leaves out comes from the
    /// `PG*` variables of this process), creates Helm's tables if the
    /// database lacks them, and reads in `namespace` (empty: every
    /// namespace).
    ///
    /// TLS is as in Helm: required unless `sslmode=disable` (or
    /// `PGSSLMODE`) says otherwise, and the server's certificate is not
    /// verified (see `tls.rs`); `verify-ca` and `verify-full` are not supported.
    ///
    /// Must run inside a tokio runtime, on which the connection is spawned;
    /// it closes when the driver is dropped.
    pub async fn connect(connection_string: &str, namespace: &str) -> Result<SqlDriver, SqlError> {
        SqlDriver::connect_in(connection_string, namespace, &ProcessEnvironment).await
    }

    /// [`SqlDriver::connect`] with the `PG*` variables of `env`.
    pub fn connect_in(
        connection_string: &str,
        namespace: &str,
        env: &dyn Environment,
    ) -> impl Future<Output = Result<SqlDriver, SqlError>> + Send + use<> {
        // Read now, so that the future holds no reference to `env`.
        let settings = config::settings(connection_string, env);
        let namespace = namespace.to_string();
        async move { SqlDriver::open(settings?, namespace).await }
    }

    async fn open(config: Config, namespace: String) -> Result<SqlDriver, SqlError> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| SqlError::NoRuntime)?;
        let tls = tls::RequireTls::new().map_err(SqlError::Tls)?;
        let (mut client, connection) = config.connect(tls).await.map_err(SqlError::Connect)?;
        // The connection task does the socket I/O for the client; a broken
        // connection shows up as errors of the client's next statements.
        runtime.spawn(connection);
        schema::ensure(&mut client).await?;
        Ok(SqlDriver {
            client: Mutex::new(client),
            namespace,
        })
    }
}

/// The release's own labels stored for `key` in `namespace`.
/// The release stored under `key` in `namespace`, without its labels.
async fn stored_release(
    client: &impl GenericClient,
    key: &str,
    namespace: &str,
) -> Result<Release, StorageError> {
    let row = client
        .query_opt(
            "SELECT body FROM releases_v1 WHERE key = $1 AND namespace = $2",
            &[&key, &namespace],
        )
        .await?
        .ok_or(StorageError::NotFound)?;
    let body: String = row.try_get(0)?;
    decode_release(&body).map_err(|source| StorageError::Decode {
        key: key.to_string(),
        source,
    })
}

async fn custom_labels(
    client: &impl GenericClient,
    key: &str,
    namespace: &str,
) -> Result<BTreeMap<String, String>, StorageError> {
    let rows = client
        .query(
            "SELECT key, value FROM custom_labels_v1 \
             WHERE releasekey = $1 AND releasenamespace = $2",
            &[&key, &namespace],
        )
        .await?;
    let mut labels = BTreeMap::new();
    for row in rows {
        // Both columns may be NULL in Helm's table; such a row is no label.
        if let (Ok(Some(k)), Ok(Some(v))) = (row.try_get(0), row.try_get(1)) {
            labels.insert(k, v);
        }
    }
    Ok(filter_system_labels(&labels))
}

/// The key and the decoded body of a `SELECT key, body` row; `None` when
/// the body is not a release.
fn decode_row(row: &Row) -> Result<Option<(String, Release)>, StorageError> {
    let key: String = row.try_get(0)?;
    let body: String = row.try_get(1)?;
    Ok(decode_release(&body).ok().map(|release| (key, release)))
}

fn status_of(release: &Release) -> &str {
    release.status().map_or("", Status::as_str)
}

/// The release with the labels Helm's `list` adds: the ones it keeps in
/// columns.
fn with_column_labels(mut release: Release) -> Release {
    let system = [
        ("name", release.name.clone()),
        ("owner", OWNER.to_string()),
        ("status", status_of(&release).to_string()),
        ("version", release.version.to_string()),
    ];
    for (k, v) in system {
        release.labels.insert(k.to_string(), v);
    }
    release
}

impl Driver for SqlDriver {
    fn name(&self) -> &'static str {
        "SQL"
    }

    async fn get(&self, key: &str) -> Result<Release, StorageError> {
        let client = self.client.lock().await;
        let mut release = stored_release(&*client, key, &self.namespace).await?;
        release.labels = custom_labels(&*client, key, &self.namespace).await?;
        Ok(release)
    }

    async fn list(
        &self,
        filter: impl Fn(&Release) -> bool + Send,
    ) -> Result<Vec<Release>, StorageError> {
        let client = self.client.lock().await;
        let rows = if self.namespace.is_empty() {
            let sql = "SELECT key, body FROM releases_v1 WHERE owner = $1";
            client.query(sql, &[&OWNER]).await?
        } else {
            let sql = "SELECT key, body FROM releases_v1 WHERE owner = $1 AND namespace = $2";
            client.query(sql, &[&OWNER, &self.namespace]).await?
        };
        let mut found = Vec::new();
        for row in &rows {
            // As Helm does, a record that does not decode is left out
            // rather than failing the whole listing.
            let Some((key, mut release)) = decode_row(row)? else {
                continue;
            };
            // Helm looks labels up in the driver's namespace, not the
            // record's, so listing every namespace finds none; kept so that
            // `--selector` matches what helm matches.
            release.labels = custom_labels(&*client, &key, &self.namespace).await?;
            let release = with_column_labels(release);
            if filter(&release) {
                found.push(release);
            }
        }
        Ok(found)
    }

    async fn query(&self, labels: &BTreeMap<String, String>) -> Result<Vec<Release>, StorageError> {
        let mut conditions = Vec::new();
        let mut params: Vec<&(dyn ToSql + Sync)> = Vec::new();
        for (label, value) in labels {
            let (column, numeric) =
                label_column(label).ok_or_else(|| SqlError::UnknownLabel(label.clone()))?;
            params.push(value);
            let n = params.len();
            // Label values are text; PostgreSQL parses them for the number
            // columns, as it does for Helm's untyped parameters.
            conditions.push(if numeric {
                format!("{column} = ${n}::text::integer")
            } else {
                format!("{column} = ${n}")
            });
        }
        if !self.namespace.is_empty() {
            params.push(&self.namespace);
            conditions.push(format!("namespace = ${}", params.len()));
        }
        let mut sql = String::from("SELECT key, body FROM releases_v1");
        if !conditions.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&conditions.join(" AND "));
        }
        let client = self.client.lock().await;
        let rows = client.query(&sql, &params).await?;
        let mut found = Vec::new();
        for row in &rows {
            let Some((key, mut release)) = decode_row(row)? else {
                continue;
            };
            release.labels = custom_labels(&*client, &key, &self.namespace).await?;
            found.push(release);
        }
        if found.is_empty() {
            return Err(StorageError::NotFound);
        }
        Ok(found)
    }

    async fn create(&self, key: &str, release: &Release) -> Result<(), StorageError> {
        let namespace = namespace_of(release);
        let body = encode_release(release);
        let mut client = self.client.lock().await;
        // Dropped without a commit, the transaction rolls back.
        let tx = client.transaction().await?;
        let inserted = tx
            .execute(
                "INSERT INTO releases_v1 \
                 (key, type, body, name, namespace, version, status, owner, createdat) \
                 VALUES ($1, $2, $3, $4, $5, $6::bigint, $7, $8, $9::bigint)",
                &[
                    &key,
                    &SECRET_TYPE,
                    &body,
                    &release.name,
                    &namespace,
                    &release.version,
                    &status_of(release),
                    &OWNER,
                    &Time::now().unix(),
                ],
            )
            .await;
        match inserted {
            Ok(_) => {}
            Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
                return Err(StorageError::Exists);
            }
            Err(e) => return Err(e.into()),
        }
        for (k, v) in filter_system_labels(&release.labels) {
            tx.execute(
                "INSERT INTO custom_labels_v1 (releasekey, releasenamespace, key, value) \
                 VALUES ($1, $2, $3, $4)",
                &[&key, &namespace, &k, &v],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Rewrites the record's body and columns. As in Helm, the release's
    /// own labels keep their stored values, and updating a key that is not
    /// stored changes nothing and is no error.
    async fn update(&self, key: &str, release: &Release) -> Result<(), StorageError> {
        let body = encode_release(release);
        let client = self.client.lock().await;
        client
            .execute(
                "UPDATE releases_v1 SET body = $1, name = $2, version = $3::bigint, \
                 status = $4, owner = $5, modifiedat = $6::bigint \
                 WHERE key = $7 AND namespace = $8",
                &[
                    &body,
                    &release.name,
                    &release.version,
                    &status_of(release),
                    &OWNER,
                    &Time::now().unix(),
                    &key,
                    &namespace_of(release),
                ],
            )
            .await?;
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<Release, StorageError> {
        let mut client = self.client.lock().await;
        let tx = client.transaction().await?;
        let mut release = stored_release(&tx, key, &self.namespace).await?;
        tx.execute(
            "DELETE FROM releases_v1 WHERE key = $1 AND namespace = $2",
            &[&key, &self.namespace],
        )
        .await?;
        release.labels = custom_labels(&tx, key, &self.namespace).await?;
        tx.execute(
            "DELETE FROM custom_labels_v1 WHERE releasekey = $1 AND releasenamespace = $2",
            &[&key, &self.namespace],
        )
        .await?;
        tx.commit().await?;
        Ok(release)
    }
}

/// The namespace a release is written to: its own, or `default`.
fn namespace_of(release: &Release) -> &str {
    if release.namespace.is_empty() {
        "default"
    } else {
        &release.namespace
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_filter_only_on_helms_label_columns() {
        assert_eq!(label_column("createdAt"), Some(("createdat", true)));
        assert_eq!(label_column("status"), Some(("status", false)));
        assert_eq!(label_column("team"), None);
        // Case matters, as in Helm's label set.
        assert_eq!(label_column("Name"), None);
    }

    #[test]
    fn list_adds_the_column_labels() {
        let mut release =
            Release::from_json(r#"{"name":"web","info":{"status":"failed"},"version":7}"#)
                .expect("release");
        release.labels.insert("team".into(), "a".into());
        let labels = with_column_labels(release).labels;
        let expected = [
            ("name", "web"),
            ("owner", "helm"),
            ("status", "failed"),
            ("team", "a"),
            ("version", "7"),
        ];
        let expected: BTreeMap<String, String> = expected
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(labels, expected);
    }

    #[test]
    fn certificate_checking_modes_are_refused_before_connecting() {
        for conn in [
            "host=127.0.0.1 port=1 sslmode=verify-full",
            "host=127.0.0.1 port=1 sslrootcert=/ca.pem",
        ] {
            let fut = SqlDriver::connect(conn, "");
            let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
            let result = std::pin::pin!(fut).poll(&mut cx);
            assert!(
                matches!(result, std::task::Poll::Ready(Err(SqlError::Connect(_)))),
                "{conn}"
            );
        }
    }

    #[test]
    fn connecting_outside_a_runtime_is_an_error_not_a_panic() {
        let fut = SqlDriver::connect("host=127.0.0.1 port=1", "");
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        let err = match std::pin::pin!(fut).poll(&mut cx) {
            std::task::Poll::Ready(r) => r.map(|_| ()),
            std::task::Poll::Pending => panic!("refused before any I/O"),
        };
        assert!(matches!(err, Err(SqlError::NoRuntime)), "{err:?}");
    }
}
