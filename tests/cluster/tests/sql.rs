//! Helm's SQL storage driver on a real PostgreSQL, against the reference
//! `helm` with `HELM_DRIVER=sql` on the same database: what helm writes we
//! read field for field, what we write helm lists and shows, and the schema
//! either side creates is the other's.

mod common;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use base64::Engine as _;
use common::{run_err, run_ok};
use helm::release::{Release, Status};
use helm::storage::sql::{SqlDriver, SqlError};
use helm::storage::{Driver, Storage, StorageError, object_name};
use kubectl_helm_test_cluster::postgres::TestPostgres;
use serde_json::Value;

/// The PostgreSQL server of this test binary.
fn postgres() -> &'static TestPostgres {
    static PG: OnceLock<TestPostgres> = OnceLock::new();
    PG.get_or_init(|| TestPostgres::start().expect("PostgreSQL starts"))
}

/// A new, empty database on the shared server; its connection string.
fn database(name: &str) -> String {
    postgres().create_database(name).expect("database created");
    postgres().connection_string(name)
}

/// A raw client on `conn`, to look at the tables as they are.
async fn raw(conn: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(conn, tokio_postgres::NoTls)
        .await
        .expect("raw connection");
    tokio::spawn(connection);
    client
}

/// The reference helm with the SQL driver on `conn`, against the cluster.
fn helm(conn: &str, args: &[&str]) -> Output {
    helm_in(&BTreeMap::new(), conn, args)
}

/// [`helm`] with the variables of `env` set too.
fn helm_in(env: &BTreeMap<String, String>, conn: &str, args: &[&str]) -> Output {
    Command::new(common::reference_dir().join("helm"))
        .args(args)
        .envs(env)
        .env("KUBECONFIG", common::cluster().kubeconfig())
        .env("HOME", common::cluster().dir())
        .env_remove("HELM_NAMESPACE")
        .env("HELM_DRIVER", "sql")
        .env("HELM_DRIVER_SQL_CONNECTION_STRING", conn)
        .output()
        .expect("helm runs")
}

/// [`helm`], requiring success; its stdout.
fn helm_ok(conn: &str, args: &[&str]) -> String {
    let out = helm(conn, args);
    assert!(
        out.status.success(),
        "helm {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// [`helm_ok`], parsed as JSON.
fn helm_json(conn: &str, args: &[&str]) -> Value {
    let out = helm_ok(conn, args);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("helm {args:?}: {e}: {out}"))
}

/// A chart with one ConfigMap from a value, under `dir`.
fn chart(dir: &Path) -> PathBuf {
    let chart = dir.join("greet");
    std::fs::create_dir_all(chart.join("templates")).expect("chart dir");
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: greet\nversion: 0.1.0\nappVersion: \"1.0\"\n",
    )
    .expect("Chart.yaml");
    std::fs::write(chart.join("values.yaml"), "greeting: hello\n").expect("values");
    std::fs::write(
        chart.join("templates/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-config\n\
         data:\n  greeting: {{ .Values.greeting | quote }}\n",
    )
    .expect("template");
    chart
}

/// The JSON Helm stored in `body`: base64 of gzip.
fn body_json(body: &str) -> String {
    let gz = base64::engine::general_purpose::STANDARD
        .decode(body)
        .expect("base64 body");
    let mut json = String::new();
    flate2::read::GzDecoder::new(gz.as_slice())
        .read_to_string(&mut json)
        .expect("gzip body");
    json
}

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[tokio::test]
async fn helm_installs_we_read_every_field() {
    let conn = database("helm_writes");
    let dir = tempfile::tempdir().expect("temp dir");
    let chart = chart(dir.path());
    let chart = chart.to_string_lossy();
    run_ok("kubectl", &["create", "namespace", "sql-a"]);
    let common = ["-n", "sql-a", "--server-side=false"];
    let install = [
        &["install", "web", &chart, "--labels", "team=blue"],
        &common[..],
    ]
    .concat();
    helm_ok(&conn, &install);
    // A value no template uses: the objects stay as they are, and the
    // cluster is not asked to patch them.
    let upgrade = [
        &["upgrade", "web", &chart, "--set", "unused=bye"],
        &common[..],
    ]
    .concat();
    helm_ok(&conn, &upgrade);

    let db = raw(&conn).await;
    let driver = SqlDriver::connect(&conn, "sql-a").await.expect("connect");
    assert_eq!(driver.name(), "SQL");
    for version in [1, 2] {
        let key = object_name("web", version);
        let row = db
            .query_one(
                "SELECT body, name, namespace, version, status, owner, type, createdat \
                 FROM releases_v1 WHERE key = $1",
                &[&key],
            )
            .await
            .expect("helm's row");
        let ours = driver.get(&key).await.expect("we read helm's record");
        // Every field read: re-encoded, it is the JSON helm stored.
        assert_eq!(ours.to_json(), body_json(row.get(0)), "revision {version}");
        assert_eq!(ours.name, row.get::<_, String>(1));
        assert_eq!(ours.namespace, row.get::<_, String>(2));
        assert_eq!(ours.version, i64::from(row.get::<_, i32>(3)));
        assert_eq!(
            ours.status().map(|s| s.to_string()),
            Some(row.get::<_, String>(4))
        );
        assert_eq!(row.get::<_, String>(5), "helm");
        assert_eq!(row.get::<_, String>(6), "helm.sh/release.v1");
        assert!(row.get::<_, i32>(7) > 1_700_000_000);
        // Helm copies the labels of the previous revision on upgrade.
        assert_eq!(ours.labels, labels(&[("team", "blue")]));
    }

    let storage = Storage::new(driver);
    let history = storage.history("web").await.expect("history");
    assert_eq!(history.len(), 2);
    let deployed = storage.deployed("web").await.expect("deployed");
    assert_eq!(deployed.version, 2);
    // What helm shows of the same records.
    let values = helm_json(
        &conn,
        &["get", "values", "web", "-n", "sql-a", "-o", "json"],
    );
    assert_eq!(
        Value::Object(deployed.config.clone().unwrap_or_default()),
        values
    );
    assert_eq!(values, serde_json::json!({"unused": "bye"}));
    let manifest = helm_ok(&conn, &["get", "manifest", "web", "-n", "sql-a"]);
    assert_eq!(manifest.trim_end(), deployed.manifest.trim_end());
    let helm_history = helm_json(&conn, &["history", "web", "-n", "sql-a", "-o", "json"]);
    let helm_history = helm_history.as_array().expect("history list");
    assert_eq!(helm_history.len(), 2);
    for entry in helm_history {
        let revision = entry["revision"].as_i64().expect("revision");
        let ours = history
            .iter()
            .find(|r| r.version == revision)
            .expect("same revisions");
        let info = ours.info.as_ref().expect("info");
        assert_eq!(
            entry["status"],
            info.status.as_ref().expect("status").as_str()
        );
        assert_eq!(entry["description"], info.description.as_str());
        assert_eq!(entry["chart"], "greet-0.1.0");
    }
    assert_eq!(
        history
            .iter()
            .find(|r| r.version == 1)
            .and_then(|r| r.status()),
        Some(&Status::Superseded)
    );

    // Interleaved: we record an upgrade, helm rolls back over it, and we
    // read what helm made of our revision.
    let mut superseded = deployed.clone();
    if let Some(info) = superseded.info.as_mut() {
        info.status = Some(Status::Superseded);
    }
    storage.update(&superseded).await.expect("supersede v2");
    let mut ours = deployed.clone();
    ours.version = 3;
    if let Some(info) = ours.info.as_mut() {
        info.description = "Upgraded by us".into();
    }
    storage.create(&ours).await.expect("create v3");
    let listed = helm_json(&conn, &["list", "-n", "sql-a", "-o", "json"]);
    assert_eq!(listed[0]["revision"], "3");
    helm_ok(&conn, &["rollback", "web", "1", "-n", "sql-a"]);
    let after = storage
        .deployed("web")
        .await
        .expect("deployed after rollback");
    assert_eq!(after.version, 4);
    assert_eq!(
        after.info.as_ref().map(|i| i.description.as_str()),
        Some("Rollback to 1")
    );
    assert_eq!(after.labels, labels(&[("team", "blue")]));
    let ours_now = storage.get("web", 3).await.expect("our v3");
    assert_eq!(ours_now.status(), Some(&Status::Superseded));
    assert_eq!(
        ours_now.info.as_ref().map(|i| i.description.as_str()),
        Some("Upgraded by us")
    );

    // helm uninstalls; the records are gone for us too.
    helm_ok(&conn, &["uninstall", "web", "-n", "sql-a"]);
    run_err(
        "kubectl",
        &["get", "configmap", "web-config", "-n", "sql-a"],
    );
    assert!(matches!(
        storage.history("web").await,
        Err(StorageError::NotFound)
    ));
}

/// A release as `helm install` records it, built by hand.
fn record(version: i64, status: &str, greeting: &str) -> Release {
    let json = serde_json::json!({
        "name": "made",
        "namespace": "sql-b",
        "version": version,
        "info": {
            "first_deployed": "2025-01-02T03:04:05.123456789Z",
            "last_deployed": "2025-01-02T03:04:05.123456789Z",
            "deleted": "",
            "description": format!("written by us, revision {version}"),
            "status": status,
        },
        "chart": {
            "metadata": {"name": "greet", "version": "0.1.0", "appVersion": "1.0", "apiVersion": "v2"},
            "templates": [],
            "values": {"greeting": "hello"},
        },
        "config": {"greeting": greeting},
        "manifest": format!("---\n# Source: greet/templates/cm.yaml\nkind: ConfigMap\ndata:\n  greeting: {greeting}\n"),
    });
    Release::from_json(&json.to_string()).expect("release")
}

#[tokio::test]
async fn we_write_helm_lists_and_shows() {
    let conn = database("ours_write");
    let storage = Storage::new(SqlDriver::connect(&conn, "sql-b").await.expect("connect"));
    let mut first = record(1, "superseded", "hi");
    first.labels = labels(&[("team", "red")]);
    let mut second = record(2, "deployed", "bye");
    second.labels = labels(&[("team", "red")]);
    storage.create(&first).await.expect("create v1");
    storage.create(&second).await.expect("create v2");

    let list = helm_json(&conn, &["list", "-n", "sql-b", "-o", "json"]);
    let list = list.as_array().expect("list");
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["name"], "made");
    assert_eq!(list[0]["namespace"], "sql-b");
    assert_eq!(list[0]["revision"], "2");
    assert_eq!(list[0]["status"], "deployed");
    assert_eq!(list[0]["chart"], "greet-0.1.0");
    assert_eq!(list[0]["app_version"], "1.0");
    assert_eq!(
        list[0]["updated"],
        "2025-01-02 03:04:05.123456789 +0000 UTC"
    );
    // Our custom labels are where helm's selector looks.
    let selected = helm_json(
        &conn,
        &[
            "list",
            "-n",
            "sql-b",
            "--selector",
            "team=red",
            "-o",
            "json",
        ],
    );
    assert_eq!(selected.as_array().map(Vec::len), Some(1));
    let none = helm_json(
        &conn,
        &[
            "list",
            "-n",
            "sql-b",
            "--selector",
            "team=blue",
            "-o",
            "json",
        ],
    );
    assert_eq!(none.as_array().map(Vec::len), Some(0));

    let history = helm_json(&conn, &["history", "made", "-n", "sql-b", "-o", "json"]);
    let statuses: Vec<(i64, String, String)> = history
        .as_array()
        .expect("history")
        .iter()
        .map(|e| {
            (
                e["revision"].as_i64().unwrap_or_default(),
                e["status"].as_str().unwrap_or_default().to_string(),
                e["description"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        vec![
            (1, "superseded".into(), "written by us, revision 1".into()),
            (2, "deployed".into(), "written by us, revision 2".into()),
        ]
    );
    let values = helm_json(
        &conn,
        &[
            "get",
            "values",
            "made",
            "-n",
            "sql-b",
            "--revision",
            "1",
            "-o",
            "json",
        ],
    );
    assert_eq!(values, serde_json::json!({"greeting": "hi"}));
    let all = helm_json(
        &conn,
        &["get", "values", "made", "-n", "sql-b", "-a", "-o", "json"],
    );
    assert_eq!(all, serde_json::json!({"greeting": "bye"}));
    let manifest = helm_ok(&conn, &["get", "manifest", "made", "-n", "sql-b"]);
    assert!(manifest.contains("greeting: bye"), "{manifest}");

    // Other namespaces do not see it; every namespace does.
    let other = helm_json(&conn, &["list", "-n", "default", "-o", "json"]);
    assert_eq!(other.as_array().map(Vec::len), Some(0));
    let every = helm_json(&conn, &["list", "-A", "-o", "json"]);
    assert_eq!(every.as_array().map(Vec::len), Some(1));
    // Helm looks custom labels up in the driver's namespace, none with
    // `-A`, so its selector finds nothing there; ours does the same.
    let every_red = helm_json(
        &conn,
        &["list", "-A", "--selector", "team=red", "-o", "json"],
    );
    assert_eq!(every_red.as_array().map(Vec::len), Some(0));
    let everywhere = SqlDriver::connect(&conn, "").await.expect("connect");
    let listed = everywhere.list(|_| true).await.expect("list");
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().all(|r| !r.labels.contains_key("team")));

    // We delete a revision; helm no longer finds it.
    storage.delete("made", 1).await.expect("delete v1");
    let out = helm(
        &conn,
        &["get", "values", "made", "-n", "sql-b", "--revision", "1"],
    );
    assert!(!out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim_end(),
        "Error: release: not found"
    );
}

/// The schema of database `conn` as the catalog describes it: columns,
/// indexes, row security, grants, and the migrations recorded.
async fn schema(conn: &str) -> Vec<String> {
    let db = raw(conn).await;
    let queries = [
        "SELECT table_name, column_name, ordinal_position::text, data_type, \
         coalesce(character_maximum_length::text, ''), is_nullable, coalesce(column_default, '') \
         FROM information_schema.columns WHERE table_schema = 'public' \
         ORDER BY table_name, ordinal_position",
        "SELECT tablename, indexname, indexdef FROM pg_indexes \
         WHERE schemaname = 'public' ORDER BY indexname",
        "SELECT relname, relrowsecurity::text FROM pg_class \
         WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' ORDER BY relname",
        "SELECT table_name, grantee, privilege_type FROM information_schema.role_table_grants \
         WHERE table_schema = 'public' ORDER BY table_name, grantee, privilege_type",
        "SELECT id FROM gorp_migrations ORDER BY id",
    ];
    let mut out = Vec::new();
    for query in queries {
        for row in db.query(query, &[]).await.expect("catalog query") {
            let fields: Vec<String> = (0..row.len()).map(|i| row.get(i)).collect();
            out.push(fields.join(" | "));
        }
    }
    out
}

/// What `psql`'s `\d` prints for Helm's three tables.
fn describe(conn: &str) -> String {
    let out = Command::new(postgres().bin_dir().join("psql"))
        .args(["-X", "-v", "ON_ERROR_STOP=1"])
        .arg(conn)
        .args(["-c", r"\d releases_v1", "-c", r"\d custom_labels_v1"])
        .args(["-c", r"\d gorp_migrations"])
        .output()
        .expect("psql runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// When each migration was applied.
async fn applied_at(conn: &str) -> Vec<String> {
    let db = raw(conn).await;
    let rows = db
        .query(
            "SELECT id || ' ' || applied_at::text FROM gorp_migrations ORDER BY id",
            &[],
        )
        .await
        .expect("migrations");
    rows.iter().map(|r| r.get(0)).collect()
}

#[tokio::test]
async fn schema_is_helms_both_ways() {
    // helm creates one database's schema, we the other's.
    let by_helm = database("schema_by_helm");
    let by_us = database("schema_by_us");
    helm_ok(&by_helm, &["list", "-n", "sql-c"]);
    let ours = SqlDriver::connect(&by_us, "sql-c").await.expect("connect");
    let helms = schema(&by_helm).await;
    assert!(helms.contains(&"custom_labels".to_string()), "{helms:#?}");
    assert!(helms.contains(&"init".to_string()), "{helms:#?}");
    assert_eq!(schema(&by_us).await, helms);
    assert_eq!(describe(&by_us), describe(&by_helm));

    // Each side takes the other's schema as set up: no migration runs again.
    let helm_applied = applied_at(&by_helm).await;
    let our_applied = applied_at(&by_us).await;
    let on_helms = SqlDriver::connect(&by_helm, "sql-c")
        .await
        .expect("connect to helm's");
    helm_ok(&by_us, &["list", "-n", "sql-c"]);
    assert_eq!(applied_at(&by_helm).await, helm_applied);
    assert_eq!(applied_at(&by_us).await, our_applied);

    // And each writes into the other's tables what the other reads.
    let dir = tempfile::tempdir().expect("temp dir");
    let chart = chart(dir.path());
    run_ok("kubectl", &["create", "namespace", "sql-c"]);
    helm_ok(
        &by_us,
        &[
            "install",
            "cross",
            &chart.to_string_lossy(),
            "-n",
            "sql-c",
            "--server-side=false",
        ],
    );
    let read = ours
        .get(&object_name("cross", 1))
        .await
        .expect("helm's record");
    assert_eq!(read.status(), Some(&Status::Deployed));
    let mut made = record(1, "deployed", "hi");
    made.namespace = "sql-c".into();
    on_helms
        .create(&object_name("made", 1), &made)
        .await
        .expect("create");
    let list = helm_json(&by_helm, &["list", "-n", "sql-c", "-o", "json"]);
    assert_eq!(list[0]["name"], "made");
}

/// Inserts a row whose body is not a release.
async fn insert_corrupt(conn: &str, key: &str, namespace: &str) {
    raw(conn)
        .await
        .execute(
            "INSERT INTO releases_v1 (key, type, body, name, namespace, version, status, owner, createdat) \
             VALUES ($1, 'helm.sh/release.v1', 'not base64!', 'bad', $2, 1, 'deployed', 'helm', 0)",
            &[&key, &namespace],
        )
        .await
        .expect("corrupt row");
}

#[tokio::test]
async fn driver_semantics_match_helms_queries() {
    let conn = database("semantics");
    let in_a = SqlDriver::connect(&conn, "a").await.expect("connect");
    let everywhere = SqlDriver::connect(&conn, "").await.expect("connect");
    let key = object_name("made", 1);
    let mut rel = record(1, "deployed", "hi");
    rel.namespace = "a".into();
    rel.labels = labels(&[("team", "red"), ("owner", "mallory")]);
    in_a.create(&key, &rel).await.expect("create in a");
    // The same key in another namespace is another record.
    let mut in_b = rel.clone();
    in_b.namespace = "b".into();
    in_a.create(&key, &in_b).await.expect("create in b");
    let err = in_a.create(&key, &rel).await.unwrap_err();
    assert_eq!(err.to_string(), "release: already exists");

    // get and delete look in the driver's namespace only; Helm's `owner`
    // label is not a custom label.
    let got = in_a.get(&key).await.expect("get");
    assert_eq!(got.namespace, "a");
    assert_eq!(got.labels, labels(&[("team", "red")]));
    assert!(matches!(
        everywhere.get(&key).await,
        Err(StorageError::NotFound)
    ));
    assert!(matches!(
        in_a.get(&object_name("made", 9)).await,
        Err(StorageError::NotFound)
    ));

    // list: by namespace, with Helm's column labels added.
    let listed = in_a.list(|_| true).await.expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(
        listed[0].labels,
        labels(&[
            ("name", "made"),
            ("owner", "helm"),
            ("status", "deployed"),
            ("team", "red"),
            ("version", "1"),
        ])
    );
    assert_eq!(everywhere.list(|_| true).await.expect("list all").len(), 2);
    let filtered = in_a
        .list(|r| r.labels.get("team").map(String::as_str) == Some("blue"))
        .await
        .expect("list");
    assert!(filtered.is_empty());

    // query: on the columns only, numbers parsed by the database.
    let by_version = labels(&[("name", "made"), ("version", "1")]);
    assert_eq!(everywhere.query(&by_version).await.expect("query").len(), 2);
    assert_eq!(in_a.query(&by_version).await.expect("query").len(), 1);
    let none = labels(&[("status", "failed")]);
    assert!(matches!(
        in_a.query(&none).await,
        Err(StorageError::NotFound)
    ));
    let custom = labels(&[("team", "red")]);
    let err = in_a.query(&custom).await.unwrap_err();
    assert!(matches!(err, StorageError::Sql(SqlError::UnknownLabel(_))));
    assert_eq!(err.to_string(), "unknown label team");
    let not_a_number = labels(&[("version", "one")]);
    let err = in_a.query(&not_a_number).await.unwrap_err();
    assert!(
        matches!(err, StorageError::Sql(SqlError::Statement(_))),
        "{err}"
    );

    // update: body and columns; the custom labels stay as created.
    let mut failed = rel.clone();
    if let Some(info) = failed.info.as_mut() {
        info.status = Some(Status::Failed);
    }
    failed.labels = labels(&[("team", "blue")]);
    in_a.update(&key, &failed).await.expect("update");
    let got = in_a.query(&none).await.expect("now failed");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].labels, labels(&[("team", "red")]));
    let db = raw(&conn).await;
    let stamps = db
        .query_one(
            "SELECT createdat, modifiedat FROM releases_v1 WHERE key = $1 AND namespace = 'a'",
            &[&key],
        )
        .await
        .expect("row");
    assert!(stamps.get::<_, i32>(0) > 1_700_000_000);
    assert!(stamps.get::<_, i32>(1) >= stamps.get::<_, i32>(0));
    // Updating what is not stored is no error, as in Helm.
    in_a.update(&object_name("ghost", 1), &failed)
        .await
        .expect("update of nothing");

    // delete: returns the record with its labels, and removes them.
    let deleted = in_a.delete(&key).await.expect("delete");
    assert_eq!(deleted.labels, labels(&[("team", "red")]));
    assert!(matches!(
        in_a.delete(&key).await,
        Err(StorageError::NotFound)
    ));
    let left: i64 = db
        .query_one(
            "SELECT count(*) FROM custom_labels_v1 WHERE releasenamespace = 'a'",
            &[],
        )
        .await
        .expect("count")
        .get(0);
    assert_eq!(left, 0);

    // A record that does not decode: an error to get, skipped by list.
    insert_corrupt(&conn, &object_name("bad", 1), "a").await;
    let err = in_a.get(&object_name("bad", 1)).await.unwrap_err();
    assert!(matches!(err, StorageError::Decode { .. }), "{err}");
    assert!(in_a.list(|_| true).await.expect("list").is_empty());
    let bad = labels(&[("name", "bad")]);
    assert!(matches!(
        in_a.query(&bad).await,
        Err(StorageError::NotFound)
    ));
}

#[tokio::test]
async fn unreachable_database_is_a_connect_error() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
        listener.local_addr().expect("addr").port()
    };
    let conn = format!("host=127.0.0.1 port={port} user=postgres sslmode=disable");
    let err = SqlDriver::connect(&conn, "").await.unwrap_err();
    assert!(matches!(err, SqlError::Connect(_)), "{err}");
    let err = SqlDriver::connect("port=notanumber", "").await.unwrap_err();
    assert!(matches!(err, SqlError::Connect(_)), "{err}");
}

#[tokio::test]
async fn pg_variables_fill_the_string_as_in_helm() {
    postgres().create_database("from_env").expect("database");
    let port = postgres().port().to_string();
    let env = labels(&[
        ("PGHOST", "127.0.0.1"),
        ("PGPORT", &port),
        ("PGUSER", "postgres"),
        ("PGDATABASE", "from_env"),
        ("PGSSLMODE", "disable"),
    ]);
    // An empty string: everything from the environment, for both.
    let out = helm_in(&env, "", &["list", "-n", "sql-e"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ours = SqlDriver::connect_in("", "sql-e", &env)
        .await
        .expect("connect from the environment");
    let mut made = record(1, "deployed", "hi");
    made.namespace = "sql-e".into();
    ours.create(&object_name("made", 1), &made)
        .await
        .expect("create");
    let out = helm_in(&env, "", &["list", "-n", "sql-e", "-o", "json"]);
    let list: Value = serde_json::from_slice(&out.stdout).expect("helm list JSON");
    assert_eq!(list[0]["name"], "made");
    // It went to the database PGDATABASE named.
    let db = raw(&postgres().connection_string("from_env")).await;
    let count: i64 = db
        .query_one("SELECT count(*) FROM releases_v1", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(count, 1);
    // What the string says wins: here, another database.
    let other = database("string_wins");
    let in_other = SqlDriver::connect_in(&other, "sql-e", &env)
        .await
        .expect("connect");
    assert!(matches!(
        in_other.get(&object_name("made", 1)).await,
        Err(StorageError::NotFound)
    ));
}

/// How many client connections to the server of `conn` are encrypted.
async fn encrypted_sessions(conn: &str) -> i64 {
    raw(conn)
        .await
        .query_one(
            "SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) \
             WHERE s.ssl AND a.backend_type = 'client backend'",
            &[],
        )
        .await
        .expect("pg_stat_ssl")
        .get(0)
}

#[tokio::test]
async fn tls_as_helms_library_does_it() {
    // Without `sslmode=disable`, TLS is required: a plain server refuses
    // helm and us alike.
    let plain = postgres()
        .connection_string("postgres")
        .replace(" sslmode=disable", "");
    let out = helm(&plain, &["list", "-n", "sql-d"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("SSL is not enabled on the server"),
        "{stderr}"
    );
    let err = SqlDriver::connect(&plain, "sql-d").await.unwrap_err();
    assert!(matches!(err, SqlError::Connect(_)), "{err}");

    // A TLS server's certificate (from a CA neither side knows) is taken
    // without checks, and the session is encrypted.
    let server = TestPostgres::start_tls().expect("TLS server starts");
    let clear = server.connection_string("postgres");
    for mode in ["", " sslmode=require"] {
        let conn = clear.replace(" sslmode=disable", mode);
        let ours = SqlDriver::connect(&conn, "sql-d")
            .await
            .unwrap_or_else(|e| panic!("connect over TLS ({mode:?}): {e}"));
        assert_eq!(encrypted_sessions(&clear).await, 1, "{mode:?}");
        helm_ok(&conn, &["list", "-n", "sql-d"]);
        drop(ours);
    }
    let ours = SqlDriver::connect(&clear, "sql-d")
        .await
        .expect("connect in the clear");
    let mut made = record(1, "deployed", "hi");
    made.namespace = "sql-d".into();
    ours.create(&object_name("made", 1), &made)
        .await
        .expect("create");
    let list = helm_json(
        &clear.replace(" sslmode=disable", ""),
        &["list", "-n", "sql-d", "-o", "json"],
    );
    assert_eq!(list[0]["name"], "made");
}

#[test]
fn a_dropped_server_is_gone() {
    let pg = TestPostgres::start().expect("second server starts");
    let port = pg.port();
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_ok());
    drop(pg);
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
}

/// How a command ended: exit status, stdout, stderr.
type Printed = (i32, String, String);

/// Our `kubectl helm` with the SQL driver on `conn`, in the environment
/// [`helm_in`] gives the reference (plus `env`).
fn ours_in(env: &BTreeMap<String, String>, conn: &str, args: &[&str]) -> Printed {
    let mut vars = env.clone();
    for (key, value) in [
        (
            "KUBECONFIG",
            common::cluster()
                .kubeconfig()
                .to_string_lossy()
                .into_owned(),
        ),
        (
            "HOME",
            common::cluster().dir().to_string_lossy().into_owned(),
        ),
        ("HELM_DRIVER", "sql".to_owned()),
        ("HELM_DRIVER_SQL_CONNECTION_STRING", conn.to_owned()),
    ] {
        vars.insert(key.to_owned(), value);
    }
    let argv = std::iter::once("kubectl-helm").chain(args.iter().copied());
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let status = kubectl_helm::run_with_env(argv, &vars, &mut stdout, &mut stderr);
    (
        i32::from(status),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

/// `HELM_DRIVER=sql` through our command line: after the reference helm
/// installs, upgrades, rolls back and uninstalls with the SQL driver, our
/// `list` and `history` on the same database print what helm prints,
/// byte for byte; and a database that cannot be reached is an error.
#[test]
fn list_and_history_over_sql_print_as_helm_prints_them() {
    let conn = database("listing");
    let dir = tempfile::tempdir().expect("temp dir");
    let chart = chart(dir.path());
    let chart = chart.to_string_lossy();
    // A zone with a half-hour offset: times must be formatted, not copied.
    let env = BTreeMap::from([("TZ".to_owned(), "Asia/Kolkata".to_owned())]);
    let csa = "--server-side=false";
    for args in [
        &["install", "sqlls-web", &chart, csa][..],
        &["upgrade", "sqlls-web", &chart, "--set", "greeting=hi", csa],
        &["rollback", "sqlls-web", "1"],
        &["install", "sqlls-db", &chart, csa],
        &["install", "sqlls-gone", &chart, csa],
        &["uninstall", "sqlls-gone", "--keep-history"],
    ] {
        let out = helm_in(&env, &conn, args);
        assert!(
            out.status.success(),
            "helm {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    for args in [
        &["list"][..],
        &["list", "--superseded", "--deployed"],
        &["list", "--uninstalled"],
        &["list", "-A", "-o", "json"],
        &["list", "-q"],
        &["history", "sqlls-web"],
        &["history", "sqlls-web", "-o", "yaml"],
        &["history", "sqlls-gone"],
        &["history", "sqlls-missing"],
    ] {
        let out = helm_in(&env, &conn, args);
        let theirs = (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        );
        // Each listing has something to show (or is an error): an empty
        // database would agree too.
        assert!(
            theirs.0 != 0 || theirs.1.contains("sqlls") || theirs.1.contains("greet-0.1.0"),
            "helm {args:?} printed no release: {theirs:?}"
        );
        assert_eq!(ours_in(&env, &conn, args), theirs, "{args:?}");
    }

    let (status, stdout, stderr) =
        ours_in(&env, "host=127.0.0.1 port=1 sslmode=disable", &["list"]);
    assert_eq!((status, stdout.as_str()), (1, ""));
    assert!(
        stderr.starts_with("Error: unable to instantiate SQL driver: "),
        "{stderr}"
    );
}
