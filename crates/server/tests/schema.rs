//! Versioned schemas on both backends: a database written by a newer
//! server is refused at start with what to do (never opened and changed),
//! and several servers starting at once on a new PostgreSQL database
//! migrate it once.

mod common;

use common::backend::{connect, fresh_pg_database, pg_cluster};
use xunfang_server::store::postgres::{PgSettings, SCHEMA_VERSION};
use xunfang_server::{PgStore, SqliteStore};

#[test]
fn a_sqlite_file_of_a_newer_server_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("xunfang.sqlite3");
    drop(SqliteStore::open(&path).unwrap());
    rusqlite::Connection::open(&path).unwrap().execute_batch("PRAGMA user_version = 99").unwrap();
    let err = SqliteStore::open(&path).unwrap_err().to_string();
    assert!(err.contains("newer xunfang-server (schema 99") && err.contains("update the server"), "{err}");
    let version: i64 = rusqlite::Connection::open(&path).unwrap().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, 99, "left as it was");
}

#[tokio::test]
async fn a_postgres_database_of_a_newer_server_is_refused() {
    let Some(cluster) = pg_cluster() else { return };
    let url = fresh_pg_database(&cluster);
    drop(PgStore::open(&url, PgSettings::default()).await.unwrap());
    let db = connect(&url).await;
    db.batch_execute("UPDATE xunfang_schema SET version = 99").await.unwrap();
    let err = PgStore::open(&url, PgSettings::default()).await.unwrap_err().to_string();
    assert!(err.contains("newer xunfang-server (schema 99") && err.contains("update the server"), "{err}");
    let version: i64 = db.query_one("SELECT version FROM xunfang_schema", &[]).await.unwrap().get(0);
    assert_eq!(version, 99, "left as it was");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn servers_starting_at_once_on_a_new_postgres_database_migrate_it_once() {
    let Some(cluster) = pg_cluster() else { return };
    let url = fresh_pg_database(&cluster);
    let opens: Vec<_> = (0..4).map(|_| PgStore::open(&url, PgSettings::default())).collect();
    for store in futures_util::future::join_all(opens).await {
        store.unwrap();
    }
    let db = connect(&url).await;
    let rows = db.query("SELECT version FROM xunfang_schema", &[]).await.unwrap();
    assert_eq!(rows.iter().map(|r| r.get::<_, i64>(0)).collect::<Vec<_>>(), [SCHEMA_VERSION]);
    let epochs: i64 = db.query_one("SELECT count(*) FROM meta WHERE key = 'epoch'", &[]).await.unwrap().get(0);
    assert_eq!(epochs, 1);
}
