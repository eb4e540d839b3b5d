//! The tables Helm's SQL driver keeps releases in, and the migrations that
//! create them, recorded in the table Helm's migration library keeps
//! (`gorp_migrations`), so that a database set up by either Helm or us is
//! taken as set up by the other.

use tokio_postgres::Client;

use super::SqlError;

/// One schema change, under the id Helm records it by.
struct Migration {
    id: &'static str,
    up: &'static str,
}

/// Helm's migrations, in the order its migration library applies them:
/// by id, so `custom_labels` runs before `init`.
///
/// Column names are unquoted as in Helm's statements, so PostgreSQL folds
/// them to lower case (`createdat`, `releasekey`); every query here relies
/// on the same folding.
const MIGRATIONS: [Migration; 2] = [
    Migration {
        id: "custom_labels",
        // Label keys are at most a 253-character prefix, `/` and a
        // 63-character name; values at most 63 characters, as in
        // Kubernetes.
        up: "
            CREATE TABLE custom_labels_v1 (
                releaseKey VARCHAR(64),
                releaseNamespace VARCHAR(67),
                key VARCHAR(317),
                value VARCHAR(63)
            );
            CREATE INDEX ON custom_labels_v1 (releaseKey, releaseNamespace);
            GRANT ALL ON custom_labels_v1 TO PUBLIC;
            ALTER TABLE custom_labels_v1 ENABLE ROW LEVEL SECURITY;
        ",
    },
    Migration {
        id: "init",
        up: "
            CREATE TABLE releases_v1 (
                key VARCHAR(90),
                type VARCHAR(64) NOT NULL,
                body TEXT NOT NULL,
                name VARCHAR(64) NOT NULL,
                namespace VARCHAR(64) NOT NULL,
                version INTEGER NOT NULL,
                status TEXT NOT NULL,
                owner TEXT NOT NULL,
                createdAt INTEGER NOT NULL,
                modifiedAt INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (key, namespace)
            );
            CREATE INDEX ON releases_v1 (key, namespace);
            CREATE INDEX ON releases_v1 (version);
            CREATE INDEX ON releases_v1 (status);
            CREATE INDEX ON releases_v1 (owner);
            CREATE INDEX ON releases_v1 (createdAt);
            CREATE INDEX ON releases_v1 (modifiedAt);
            GRANT ALL ON releases_v1 TO PUBLIC;
            ALTER TABLE releases_v1 ENABLE ROW LEVEL SECURITY;
        ",
    },
];

/// The migration table as Helm's migration library creates it.
const CREATE_MIGRATION_TABLE: &str = r#"CREATE TABLE IF NOT EXISTS "gorp_migrations" ("id" text NOT NULL PRIMARY KEY, "applied_at" timestamp with time zone)"#;

/// The ids recorded as applied; `None` when the migration table cannot be
/// read (it does not exist yet, mostly).
async fn applied(client: &Client) -> Option<Vec<String>> {
    let rows = client
        .query(r#"SELECT "id" FROM "gorp_migrations""#, &[])
        .await
        .ok()?;
    rows.iter().map(|row| row.try_get(0).ok()).collect()
}

/// Brings the database to Helm's schema. As Helm does, it first only reads
/// the migration table, so a user who may not create tables can use a
/// database someone else set up; then it applies each missing migration
/// in a transaction of its own that also records it.
pub async fn ensure(client: &mut Client) -> Result<(), SqlError> {
    let missing = |done: &[String]| -> Vec<&'static Migration> {
        MIGRATIONS
            .iter()
            .filter(|m| !done.iter().any(|id| id == m.id))
            .collect()
    };
    if applied(client)
        .await
        .is_some_and(|done| missing(&done).is_empty())
    {
        return Ok(());
    }
    client
        .batch_execute(CREATE_MIGRATION_TABLE)
        .await
        .map_err(|source| SqlError::Migrate {
            id: "gorp_migrations",
            source,
        })?;
    let done = applied(client).await.unwrap_or_default();
    for migration in missing(&done) {
        let run = async {
            let tx = client.transaction().await?;
            tx.batch_execute(migration.up).await?;
            tx.execute(
                r#"INSERT INTO "gorp_migrations" ("id", "applied_at") VALUES ($1, now())"#,
                &[&migration.id],
            )
            .await?;
            tx.commit().await
        };
        run.await.map_err(|source| SqlError::Migrate {
            id: migration.id,
            source,
        })?;
    }
    Ok(())
}
