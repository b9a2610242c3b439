//! Cursor correctness on PostgreSQL with many writers. Rows of the team are
//! held locked from outside (a connection of the test's own) while clients
//! push and pull through the router: no pull may ever move past a commit
//! that becomes visible later. The same scenario against the naive cursor
//! (`nextval()` when a document is written, no team lock first) must find
//! the skip: the negative control that shows the check can fail.
//!
//! PostgreSQL only: skipped (by name) without `XUNFANG_TEST_POSTGRES`.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Request};
use axum::Router;
use common::backend::{connect, fresh_pg_database, lock_waiters, pg_cluster, until_waiting};
use common::{activity, call, sync, sync_body, val, with_edit};
use serde_json::Value;
use sha2::Digest;
use tokio::task::JoinHandle;
use tokio_postgres::Client;
use xunfang_server::store::postgres::{CursorMode, PgSettings};
use xunfang_server::store::TokenKind;
use xunfang_server::{AppState, Cors, PgStore};

/// One tablet's view: the newest copy of each document it pulled, and its cursor.
#[derive(Default)]
struct Reader {
    cursor: Option<u64>,
    seen: BTreeMap<String, Value>,
}

impl Reader {
    /// Pulls until the server has nothing more for it.
    async fn pull(&mut self, app: &Router, token: &str) {
        loop {
            let res = sync(app, token, sync_body("reader", self.cursor, vec![], Some(2))).await;
            for doc in res["docs"].as_array().unwrap() {
                self.seen.insert(doc["id"].as_str().unwrap().to_string(), doc.clone());
            }
            self.cursor = res["cursor"].as_u64();
            if res["more"] != true {
                return;
            }
        }
    }
}

/// Waits until each of `pushes` has finished or waits for a lock (besides
/// the `already_waiting`).
async fn until_each_finished_or_waiting(observer: &Client, pushes: &[JoinHandle<Value>], already_waiting: i64) {
    loop {
        let finished = pushes.iter().filter(|p| p.is_finished()).count() as i64;
        if finished + lock_waiters(observer).await >= pushes.len() as i64 + already_waiting {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn push(app: &Router, token: &str, device: &str, docs: Vec<Value>) -> JoinHandle<Value> {
    let (app, token, device) = (app.clone(), token.to_string(), device.to_string());
    tokio::spawn(async move { sync(&app, &token, sync_body(&device, None, docs, None)).await })
}

/// The scenario on a store numbering its pushes by `mode`; `Err` lists what
/// the reader skipped for good.
async fn late_commits(cluster: &str, mode: CursorMode) -> Result<(), String> {
    let url = fresh_pg_database(cluster);
    let store = PgStore::open(&url, PgSettings { cursor: mode, ..PgSettings::default() }).await.unwrap();
    let office = xunfang_server::store::create_token(&store, "office", "", TokenKind::Team).await.unwrap();
    let bureau = xunfang_server::store::create_token(&store, "bureau", "", TokenKind::Team).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let app = xunfang_server::app(AppState::new(dir.path()).with_store(store), &Cors::SameOrigin);
    let outside = connect(&url).await;
    let observer = connect(&url).await;

    let shared = activity(1, "seed", "共享");
    sync(&app, &office, sync_body("seed", None, vec![val(&shared), val(&activity(2, "seed", "x"))], None)).await;
    let mut reader = Reader::default();
    reader.pull(&app, &office).await;
    assert_eq!(reader.cursor, Some(2));

    // 1. The team's counter row held from outside: the team's push waits,
    // another team's does not, and pulls go on seeing the last commit.
    outside.batch_execute("BEGIN; SELECT head FROM teams WHERE name = 'office' FOR UPDATE").await.unwrap();
    let waiting = push(&app, &office, "p1", vec![val(&activity(3, "p1", "x"))]);
    until_waiting(&observer, 1).await;
    let other = sync(&app, &bureau, sync_body("b", None, vec![val(&activity(50, "b", "x"))], None)).await;
    assert_eq!(other["accepted"].as_array().map(Vec::len), Some(1), "another team's push does not wait: {other}");
    reader.pull(&app, &office).await;
    assert_eq!(reader.cursor, Some(2), "nothing of the held team is visible yet");
    outside.batch_execute("COMMIT").await.unwrap();
    waiting.await.unwrap();

    // 2. A late commit: the row of `shared` held from outside, so the push
    // that edits it stops after it has taken its number, while others push
    // new documents and the reader pulls.
    outside.batch_execute(&format!("BEGIN; SELECT 1 FROM docs WHERE id = '{}' FOR UPDATE", shared.id)).await.unwrap();
    let edited = with_edit(&shared, "late", 90_000, |b| b.notes = "迟到的修改".into());
    let late = push(&app, &office, "late", vec![val(&edited)]);
    until_waiting(&observer, 1).await;
    // The push that waits holds the team's counter; a photo of the team
    // does not wait for it (its row's foreign key needs only a key share).
    let photo = b"jpeg bytes".to_vec();
    let hash = xunfang_core::BlobHash::of_digest(&sha2::Sha256::digest(&photo)).unwrap().to_string();
    let put = Request::put(format!("/api/blobs/{hash}"))
        .header(header::AUTHORIZATION, format!("Bearer {office}"))
        .header(header::CONTENT_TYPE, "image/jpeg")
        .body(Body::from(photo))
        .unwrap();
    let res = tokio::time::timeout(Duration::from_secs(30), call(&app, put)).await.expect("a photo upload waited for the team's push");
    assert!(res.status.is_success(), "{}: {}", res.status, res.text());
    let others: Vec<_> = (10..14).map(|n| push(&app, &office, &format!("p{n}"), vec![val(&activity(n, "p", "x"))])).collect();
    until_each_finished_or_waiting(&observer, &others, 1).await;
    reader.pull(&app, &office).await;
    outside.batch_execute("COMMIT").await.unwrap();
    late.await.unwrap();
    for p in others {
        p.await.unwrap();
    }
    reader.pull(&app, &office).await;

    // What the reader holds must be what a fresh tablet pulls from the start.
    let mut fresh = Reader::default();
    fresh.pull(&app, &office).await;
    assert_eq!(fresh.seen.len(), 7, "two seeded, one after the held counter, four new");
    assert_eq!(fresh.seen[shared.id.as_str()], val(&edited));
    let skipped: Vec<&String> = fresh.seen.iter().filter(|(id, doc)| reader.seen.get(*id) != Some(doc)).map(|(id, _)| id).collect();
    match skipped.as_slice() {
        [] => Ok(()),
        ids => Err(format!("the reader, at cursor {:?}, never got {ids:?}", reader.cursor)),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pull_never_skips_a_push_that_commits_late() {
    let Some(cluster) = pg_cluster() else { return };
    late_commits(&cluster, CursorMode::TeamCounter).await.unwrap();
}

/// The negative control: the same check catches a cursor taken from a
/// sequence before the commit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_check_catches_a_naive_nextval_cursor_skipping_a_late_commit() {
    let Some(cluster) = pg_cluster() else { return };
    let err = late_commits(&cluster, CursorMode::NaiveSequence).await.expect_err("a nextval() cursor skips the late commit");
    assert!(err.contains("never got"), "{err}");
}
