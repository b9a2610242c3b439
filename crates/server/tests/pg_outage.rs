//! A lost PostgreSQL connection: the server's session is ended by the
//! database (`pg_terminate_backend`, as a failover or a restart would) in
//! the middle of a push that has already written part of its documents.
//! The client gets a 503 with a message it can act on, nothing of that push
//! is committed, and its retry stores it whole. Idle connections that die
//! are replaced without a failed request the client cannot retry.
//!
//! PostgreSQL only: skipped (by name) without `XUNFANG_TEST_POSTGRES`.

mod common;

use axum::http::{header, StatusCode};
use common::backend::{connect, fresh_pg_database, pg_cluster, until_waiting};
use common::{activity, sync, sync_body, try_sync, val, with_edit};
use xunfang_server::store::postgres::PgSettings;
use xunfang_server::store::TokenKind;
use xunfang_server::{AppState, Cors, PgStore};

/// Ends the server's sessions of this database that `filter` (SQL on
/// `pg_stat_activity`) picks, waiting until each has ended (up to 10 s);
/// how many.
async fn terminate(observer: &tokio_postgres::Client, filter: &str) -> i64 {
    let sql = format!(
        "SELECT count(pg_terminate_backend(pid, 10000)) FROM pg_stat_activity
         WHERE datname = current_database() AND application_name = 'xunfang-server' AND {filter}"
    );
    observer.query_one(&sql, &[]).await.unwrap().get(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_lost_in_the_middle_of_a_push_is_a_503_and_stores_nothing_of_it() {
    let Some(cluster) = pg_cluster() else { return };
    let url = fresh_pg_database(&cluster);
    let store = PgStore::open(&url, PgSettings::default()).await.unwrap();
    let token = xunfang_server::store::create_token(&store, "office", "", TokenKind::Team).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let app = xunfang_server::app(AppState::new(dir.path()).with_store(store.clone()), &Cors::SameOrigin);
    let outside = connect(&url).await;
    let observer = connect(&url).await;

    let shared = activity(1, "seed", "共享");
    sync(&app, &token, sync_body("seed", None, vec![val(&shared)], None)).await;

    // The push writes two new documents, then stops at the held row of the
    // third; there its session is ended.
    outside.batch_execute(&format!("BEGIN; SELECT 1 FROM docs WHERE id = '{}' FOR UPDATE", shared.id)).await.unwrap();
    let edited = with_edit(&shared, "tablet", 90_000, |b| b.notes = "改".into());
    let batch = vec![val(&activity(2, "tablet", "a")), val(&activity(3, "tablet", "b")), val(&edited), val(&activity(4, "tablet", "c"))];
    let body = sync_body("tablet", Some(1), batch.clone(), None);
    let pushing = {
        let (app, token, body) = (app.clone(), token.clone(), body.clone());
        tokio::spawn(async move { try_sync(&app, &token, body).await })
    };
    until_waiting(&observer, 1).await;
    assert_eq!(terminate(&observer, "wait_event_type = 'Lock'").await, 1);
    let res = pushing.await.unwrap();
    res.assert_refused(StatusCode::SERVICE_UNAVAILABLE, "nothing of this request was stored");
    assert!(!res.error().contains("terminat"), "the driver's words stay in the log: {}", res.error());
    assert!(res.header(header::RETRY_AFTER).parse::<u64>().is_ok());
    outside.batch_execute("COMMIT").await.unwrap();

    let docs = store.team_docs("office").await.unwrap();
    assert_eq!(docs.iter().map(|d| d.seq).collect::<Vec<_>>(), [1], "no half-written push: {docs:?}");

    // The client retries: stored whole, numbered on from the last commit.
    let res = sync(&app, &token, body).await;
    assert_eq!(res["accepted"].as_array().unwrap().len(), 4, "{res}");
    let docs = store.team_docs("office").await.unwrap();
    assert_eq!(docs.iter().map(|d| d.seq).collect::<Vec<_>>(), [2, 3, 4, 5]);

    // Idle connections ended under the pool (all of them, and each has
    // ended): the pool may still hand them out, but the next requests, a
    // pull and a push, succeed (found lost by their first statement, they
    // run on another connection).
    assert!(terminate(&observer, "state = 'idle'").await >= 1);
    let res = sync(&app, &token, sync_body("tablet", Some(5), vec![], None)).await;
    assert_eq!(res["cursor"], 5);
    assert!(terminate(&observer, "state = 'idle'").await >= 1);
    let res = sync(&app, &token, sync_body("tablet", Some(5), vec![val(&activity(5, "tablet", "d"))], None)).await;
    assert_eq!(res["cursor"], 6, "{res}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_team_lock_held_too_long_is_a_503_within_the_lock_timeout() {
    let Some(cluster) = pg_cluster() else { return };
    let url = fresh_pg_database(&cluster);
    let settings = PgSettings { lock_timeout: std::time::Duration::from_millis(200), ..PgSettings::default() };
    let store = PgStore::open(&url, settings).await.unwrap();
    let token = xunfang_server::store::create_token(&store, "office", "", TokenKind::Team).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let app = xunfang_server::app(AppState::new(dir.path()).with_store(store.clone()), &Cors::SameOrigin);
    let outside = connect(&url).await;
    outside.batch_execute("BEGIN; SELECT head FROM teams WHERE name = 'office' FOR UPDATE").await.unwrap();
    let res = try_sync(&app, &token, sync_body("tablet", None, vec![val(&activity(1, "tablet", "x"))], None)).await;
    res.assert_refused(StatusCode::SERVICE_UNAVAILABLE, "tried again by itself");
    outside.batch_execute("ROLLBACK").await.unwrap();
    assert!(store.team_docs("office").await.unwrap().is_empty());
}
