//! Limits that keep one client from hurting the others: the per-token rate
//! (429 with Retry-After), the pull's byte cap, the teams' quotas (507 and
//! 413 with what to do), and the request deadline and concurrency gate.

mod common;

use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::routing::get;
use axum::Router;
use common::*;
use sha2::{Digest, Sha256};
use xunfang_server::limits::{self, Gate, Limits};

fn limits() -> Limits {
    Limits::default()
}

// ---- rate ------------------------------------------------------------------

#[tokio::test]
async fn a_token_past_its_rate_is_told_to_retry_after_some_seconds() {
    let f = fx_limits(Limits { rate_per_minute: 60, rate_burst: 2, ..limits() });
    let token = f.token("office");
    let other = f.token("office");
    let body = sync_body("tablet-a", None, vec![], None);
    for _ in 0..2 {
        assert_eq!(try_sync(&f.app, &token, body.clone()).await.status, StatusCode::OK);
    }
    let res = try_sync(&f.app, &token, body.clone()).await;
    res.assert_refused(StatusCode::TOO_MANY_REQUESTS, "too many requests");
    let wait: u64 = res.header(header::RETRY_AFTER).parse().expect("Retry-After in whole seconds");
    assert!((1..=60).contains(&wait), "{wait}");
    assert!(res.error().contains(&format!("{wait} s")), "{}", res.error());
    // Per token: another tablet of the same team is not held up.
    assert_eq!(try_sync(&f.app, &other, body).await.status, StatusCode::OK);
}

#[tokio::test]
async fn photos_count_against_the_same_rate() {
    let f = fx_limits(Limits { rate_per_minute: 60, rate_burst: 1, ..limits() });
    let token = f.token("office");
    assert_eq!(try_sync(&f.app, &token, sync_body("tablet-a", None, vec![], None)).await.status, StatusCode::OK);
    let hash = format!("{:x}", Sha256::digest(b"photo"));
    let req = Request::head(format!("/api/blobs/{hash}")).header(header::AUTHORIZATION, format!("Bearer {token}")).body(Body::empty()).unwrap();
    let res = call(&f.app, req).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(res.header(header::RETRY_AFTER).parse::<u64>().unwrap() >= 1);
}

// ---- byte cap --------------------------------------------------------------

#[tokio::test]
async fn a_document_larger_than_the_byte_cap_is_sent_alone() {
    let f = fx_limits(Limits { max_pull_bytes: 2_000, ..limits() });
    let token = f.token("office");
    let big = activity(1, "tablet-a", &"大".repeat(2_000));
    let small = activity(2, "tablet-a", "小");
    f.push(&token, "tablet-a", None, vec![val(&big), val(&small)]).await;
    let first = f.pull(&token, "tablet-b", None, None).await;
    assert_eq!(first["docs"].as_array().unwrap().len(), 1, "the big one, alone");
    assert_eq!(first["docs"][0]["id"], big.id.to_string());
    assert_eq!(first["more"], true);
    let second = f.pull(&token, "tablet-b", first["cursor"].as_u64(), None).await;
    assert_eq!(second["docs"][0]["id"], small.id.to_string());
    assert_eq!(second["more"], false);
}

// ---- quotas ----------------------------------------------------------------

#[tokio::test]
async fn a_team_at_its_document_quota_is_told_what_to_do_and_nothing_of_the_push_is_stored() {
    let f = fx_limits(Limits { max_team_docs: 2, ..limits() });
    let token = f.token("office");
    let one = activity(1, "tablet-a", "一");
    f.push(&token, "tablet-a", None, vec![val(&one), val(&activity(2, "tablet-a", "二"))]).await;

    let edited = with_edit(&one, "tablet-a", 50_000, |b| b.notes = "改".into());
    let res = try_sync(&f.app, &token, sync_body("tablet-a", None, vec![val(&edited), val(&activity(3, "tablet-a", "三"))], None)).await;
    res.assert_refused(StatusCode::INSUFFICIENT_STORAGE, "limit of 2 documents");
    assert!(res.error().contains("ask the administrator") && res.error().contains("--max-team-docs"), "{}", res.error());
    // Rolled back whole: the edit that came with it is not half-stored.
    let docs = f.store.team_docs("office").unwrap();
    assert_eq!(docs.len(), 2);
    assert!(!docs.iter().any(|d| d.json.contains('改')));

    // Edits of documents the team has still sync; other teams are not held.
    let answer = f.push(&token, "tablet-a", None, vec![val(&edited)]).await;
    assert_eq!(answer["accepted"].as_array().unwrap().len(), 1);
    let elsewhere = f.token("district");
    f.push(&elsewhere, "tablet-z", None, vec![val(&activity(1, "tablet-z", "一")), val(&activity(2, "tablet-z", "二"))]).await;
}

#[tokio::test]
async fn a_team_at_its_photo_quota_is_told_what_to_do() {
    let f = fx_limits(Limits { max_team_photo_bytes: 1_000, ..limits() });
    let token = f.token("office");
    let put = |bytes: Vec<u8>| {
        let hash = format!("{:x}", Sha256::digest(&bytes));
        let req = Request::put(format!("/api/blobs/{hash}"))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "image/jpeg")
            .body(Body::from(bytes))
            .unwrap();
        call(&f.app, req)
    };
    assert_eq!(put(vec![1; 600]).await.status, StatusCode::CREATED);
    let res = put(vec![2; 600]).await;
    res.assert_refused(StatusCode::PAYLOAD_TOO_LARGE, "limit of 1000 bytes of photos");
    assert!(res.error().contains("ask the administrator") && res.error().contains("--max-team-photo-bytes"), "{}", res.error());
    assert_eq!(f.store.blob_usage("office").unwrap(), (1, 600));
    // A photo the team already has is no new bytes: still fine.
    assert_eq!(put(vec![1; 600]).await.status, StatusCode::OK);
}

// ---- deadline and concurrency (tokio's paused clock: no real waiting) -----

fn gated(limits: &Limits) -> Router {
    Router::new()
        .route("/slow", get(std::future::pending::<&'static str>))
        .route("/fast", get(|| async { "ok" }))
        .layer(axum::middleware::from_fn_with_state(Gate::new(limits), limits::gate))
}

#[tokio::test(start_paused = true)]
async fn a_request_past_its_deadline_is_refused_with_retry_after() {
    let app = gated(&Limits { request_timeout: Duration::from_secs(30), ..limits() });
    let res = call(&app, Request::get("/slow").body(Body::empty()).unwrap()).await;
    res.assert_refused(StatusCode::SERVICE_UNAVAILABLE, "took too long");
    assert!(res.header(header::RETRY_AFTER).parse::<u64>().unwrap() >= 1);
    assert_eq!(call(&app, Request::get("/fast").body(Body::empty()).unwrap()).await.status, StatusCode::OK);
}

#[tokio::test(start_paused = true)]
async fn requests_past_the_concurrency_limit_wait_and_then_are_told_the_server_is_busy() {
    let app = gated(&Limits { request_timeout: Duration::from_secs(30), max_concurrent: 1, ..limits() });
    let holder = tokio::spawn({
        let app = app.clone();
        async move { call(&app, Request::get("/slow").body(Body::empty()).unwrap()).await }
    });
    tokio::task::yield_now().await;
    let res = call(&app, Request::get("/fast").body(Body::empty()).unwrap()).await;
    res.assert_refused(StatusCode::SERVICE_UNAVAILABLE, "busy");
    assert_eq!(holder.await.unwrap().status, StatusCode::SERVICE_UNAVAILABLE);
}
