//! Photo blobs: `HEAD`/`GET`/`PUT /api/blobs/<sha256>`, per team, checked
//! against their hash, limited in size, idempotent, nothing partial stored.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use sha2::{Digest, Sha256};
use tower::ServiceExt;
use xunfang_server::{AppState, Cors, Store};

struct Fx {
    _dir: tempfile::TempDir,
    store: Store,
    app: Router,
}

fn fx(max_bytes: usize) -> Fx {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.html"), "<!DOCTYPE html>").unwrap();
    let store = Store::open(dir.path().join("data").join("xunfang.sqlite3")).unwrap();
    let state = AppState::new(dir.path()).with_store(store.clone()).with_max_blob_bytes(max_bytes);
    let app = xunfang_server::app(state, &Cors::SameOrigin);
    Fx { _dir: dir, store, app }
}

fn hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn photo(n: u8, len: usize) -> Vec<u8> {
    (0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(n)).collect()
}

async fn call(app: &Router, method: &str, sha: &str, token: Option<&str>, body: Body) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let mut req = Request::builder().method(method).uri(format!("/api/blobs/{sha}")).header(header::CONTENT_TYPE, "image/jpeg");
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let res = app.clone().oneshot(req.body(body).unwrap()).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, headers, bytes)
}

#[tokio::test]
async fn an_uploaded_photo_comes_back_byte_for_byte_and_a_reupload_changes_nothing() {
    let f = fx(1 << 20);
    let token = f.store.create_token("office", "").unwrap();
    let bytes = photo(1, 50_000);
    let sha = hash(&bytes);
    let (status, _, _) = call(&f.app, "HEAD", &sha, Some(&token), Body::empty()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, body) = call(&f.app, "PUT", &sha, Some(&token), Body::from(bytes.clone())).await;
    assert_eq!(status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&body));
    let (status, _, _) = call(&f.app, "HEAD", &sha, Some(&token), Body::empty()).await;
    assert_eq!(status, StatusCode::OK);
    let (status, headers, body) = call(&f.app, "GET", &sha, Some(&token), Body::empty()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, bytes);
    assert_eq!(headers[header::CONTENT_TYPE], "image/jpeg");
    assert!(headers[header::CACHE_CONTROL].to_str().unwrap().contains("immutable"));
    let (status, _, body) = call(&f.app, "PUT", &sha, Some(&token), Body::from(bytes.clone())).await;
    assert_eq!(status, StatusCode::OK, "already there: a no-op");
    assert!(String::from_utf8_lossy(&body).contains("\"stored\":false"));
}

#[tokio::test]
async fn content_that_does_not_match_its_hash_is_refused_and_not_stored() {
    let f = fx(1 << 20);
    let token = f.store.create_token("office", "").unwrap();
    let sha = hash(&photo(1, 1000));
    let (status, _, body) = call(&f.app, "PUT", &sha, Some(&token), Body::from(photo(2, 1000))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(String::from_utf8_lossy(&body).contains(&sha), "the message names the expected hash");
    let (status, _, _) = call(&f.app, "HEAD", &sha, Some(&token), Body::empty()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_photo_over_the_size_limit_is_413_and_a_bad_name_is_400() {
    let f = fx(10_000);
    let token = f.store.create_token("office", "").unwrap();
    let big = photo(3, 20_000);
    let (status, _, body) = call(&f.app, "PUT", &hash(&big), Some(&token), Body::from(big.clone())).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{}", String::from_utf8_lossy(&body));
    let (status, _, _) = call(&f.app, "HEAD", &hash(&big), Some(&token), Body::empty()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    for bad in ["abc", "../../etc/passwd", &"G".repeat(64)] {
        let (status, _, _) = call(&f.app, "GET", bad, Some(&token), Body::empty()).await;
        assert!(status == StatusCode::BAD_REQUEST || status == StatusCode::NOT_FOUND, "{bad}: {status}");
    }
    let (status, _, _) = call(&f.app, "GET", &"g".repeat(64), Some(&token), Body::empty()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn photos_need_a_valid_token() {
    let f = fx(1 << 20);
    let bytes = photo(4, 100);
    let sha = hash(&bytes);
    for token in [None, Some("not-a-token")] {
        let (status, _, _) = call(&f.app, "PUT", &sha, token, Body::from(bytes.clone())).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, _, _) = call(&f.app, "GET", &sha, token, Body::empty()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn one_team_never_sees_another_teams_photos() {
    let f = fx(1 << 20);
    let a = f.store.create_token("county-court", "").unwrap();
    let b = f.store.create_token("town-cppcc", "").unwrap();
    let bytes = photo(5, 3000);
    let sha = hash(&bytes);
    assert_eq!(call(&f.app, "PUT", &sha, Some(&a), Body::from(bytes.clone())).await.0, StatusCode::CREATED);
    assert_eq!(call(&f.app, "HEAD", &sha, Some(&b), Body::empty()).await.0, StatusCode::NOT_FOUND);
    assert_eq!(call(&f.app, "GET", &sha, Some(&b), Body::empty()).await.0, StatusCode::NOT_FOUND);
    // B uploading the same bytes stores its own copy; A's stays.
    assert_eq!(call(&f.app, "PUT", &sha, Some(&b), Body::from(bytes.clone())).await.0, StatusCode::CREATED);
    assert_eq!(call(&f.app, "GET", &sha, Some(&a), Body::empty()).await.2, bytes);
}

#[tokio::test]
async fn an_upload_cut_midway_stores_nothing_and_a_retry_succeeds() {
    let f = fx(1 << 20);
    let token = f.store.create_token("office", "").unwrap();
    let bytes = photo(6, 40_000);
    let sha = hash(&bytes);
    let first = bytes[..10_000].to_vec();
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        vec![Ok(first), Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "cut"))];
    let cut = Body::from_stream(futures_util::stream::iter(chunks));
    let (status, _, _) = call(&f.app, "PUT", &sha, Some(&token), cut).await;
    assert!(status.is_client_error() || status.is_server_error(), "a cut upload fails: {status}");
    assert_eq!(call(&f.app, "HEAD", &sha, Some(&token), Body::empty()).await.0, StatusCode::NOT_FOUND, "nothing partial");
    assert_eq!(call(&f.app, "PUT", &sha, Some(&token), Body::from(bytes.clone())).await.0, StatusCode::CREATED);
    assert_eq!(call(&f.app, "GET", &sha, Some(&token), Body::empty()).await.2, bytes);
}
