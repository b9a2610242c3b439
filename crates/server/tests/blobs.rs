//! `HEAD`/`GET`/`PUT /api/blobs/<sha256>` against the router (tower
//! `oneshot`), with a SQLite database in a temporary directory.

mod common;

use axum::body::{Body, Bytes};
use axum::http::{header, Request, StatusCode};
use axum::Router;
use common::{call, fx, fx_with, Res};
use serde_json::json;
use sha2::{Digest, Sha256};
use xunfang_core::BlobHash;
use xunfang_server::blobs::{BLOB_CACHE, DEFAULT_MAX_BLOB_BYTES};
use xunfang_server::Cors;

/// A photo's name, as the app computes it.
fn sha(bytes: &[u8]) -> String {
    BlobHash::of_digest(&Sha256::digest(bytes)).unwrap().to_string()
}

/// A fake JPEG of `n` bytes, different for each `seed`.
fn photo(seed: u8, n: usize) -> Vec<u8> {
    let mut bytes = vec![0xff, 0xd8, 0xff, 0xe0];
    bytes.extend((0..n.saturating_sub(4)).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)));
    bytes
}

fn request(method: &str, hash: &str, token: Option<&str>) -> axum::http::request::Builder {
    let mut req = Request::builder().method(method).uri(format!("/api/blobs/{hash}"));
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    req
}

async fn head(app: &Router, token: &str, hash: &str) -> Res {
    call(app, request("HEAD", hash, Some(token)).body(Body::empty()).unwrap()).await
}

async fn get(app: &Router, token: &str, hash: &str) -> Res {
    call(app, request("GET", hash, Some(token)).body(Body::empty()).unwrap()).await
}

async fn put(app: &Router, token: &str, hash: &str, content_type: Option<&str>, bytes: Vec<u8>) -> Res {
    let mut req = request("PUT", hash, Some(token)).header(header::CONTENT_LENGTH, bytes.len());
    if let Some(ct) = content_type {
        req = req.header(header::CONTENT_TYPE, ct);
    }
    call(app, req.body(Body::from(bytes)).unwrap()).await
}

/// A request body that yields `chunks` and then, if `then_fail`, an error:
/// a connection that broke off midway. No `Content-Length` is known.
fn streamed(chunks: &[u8], chunk: usize, then_fail: bool) -> Body {
    let mut items: Vec<Result<Bytes, std::io::Error>> = chunks.chunks(chunk).map(|c| Ok(Bytes::copy_from_slice(c))).collect();
    if then_fail {
        items.push(Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "connection reset by peer")));
    }
    Body::from_stream(futures_util::stream::iter(items))
}

// ---- round trip --------------------------------------------------------------

#[tokio::test]
async fn upload_then_head_and_get_give_the_photo_back() {
    let f = fx();
    let token = f.token("office");
    let bytes = photo(1, 300_000);
    let hash = sha(&bytes);

    let res = head(&f.app, &token, &hash).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "not there before the upload");

    let res = put(&f.app, &token, &hash, Some("image/jpeg"), bytes.clone()).await;
    assert_eq!(res.status, StatusCode::CREATED, "{:?}", res.body);
    assert_eq!(res.json(), json!({"stored": true, "bytes": 300_000}));
    assert_eq!(res.header(header::LOCATION), format!("/api/blobs/{hash}"));

    let res = head(&f.app, &token, &hash).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.is_empty());
    assert_eq!(res.header(header::CONTENT_LENGTH), "300000");
    assert_eq!(res.header(header::CONTENT_TYPE), "image/jpeg");

    let res = get(&f.app, &token, &hash).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body == bytes, "the same bytes come back");
    assert_eq!(res.header(header::CONTENT_TYPE), "image/jpeg");
    assert_eq!(res.header(header::CONTENT_LENGTH), "300000");
    assert_eq!(res.header(header::CACHE_CONTROL), BLOB_CACHE);
    assert_eq!(res.header(header::CACHE_CONTROL), "private, max-age=31536000, immutable");
    assert_eq!(res.header(header::ETAG), format!("\"{hash}\""));
    assert_eq!(res.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");

    // Never compressed, even when the client accepts it.
    let req = request("GET", &hash, Some(&token)).header(header::ACCEPT_ENCODING, "gzip, br").body(Body::empty()).unwrap();
    let res = call(&f.app, req).await;
    assert!(res.headers.get(header::CONTENT_ENCODING).is_none());
    assert!(res.body == bytes);

    // A revalidation gets 304 without the bytes.
    let req = request("GET", &hash, Some(&token)).header(header::IF_NONE_MATCH, format!("\"{hash}\"")).body(Body::empty()).unwrap();
    let res = call(&f.app, req).await;
    assert_eq!(res.status, StatusCode::NOT_MODIFIED);
    assert!(res.body.is_empty());
    assert_eq!(res.header(header::ETAG), format!("\"{hash}\""));

    assert_eq!(f.store.blob_usage("office").unwrap(), (1, 300_000));
}

#[tokio::test]
async fn the_content_type_is_kept_and_defaults_to_jpeg() {
    let f = fx();
    let token = f.token("office");
    let cases = [
        (Some("image/png"), "image/png"),
        (Some("IMAGE/WebP; q=1"), "image/webp"),
        (Some("application/octet-stream"), "application/octet-stream"),
        (None, "image/jpeg"),
    ];
    for (seed, (sent, stored)) in cases.into_iter().enumerate() {
        let bytes = photo(seed as u8 + 10, 1000);
        let hash = sha(&bytes);
        let res = put(&f.app, &token, &hash, sent, bytes).await;
        assert_eq!(res.status, StatusCode::CREATED, "{sent:?}");
        let res = get(&f.app, &token, &hash).await;
        assert_eq!(res.header(header::CONTENT_TYPE), stored, "{sent:?}");
    }
    // Not a picture: refused, nothing stored.
    let bytes = b"<script>alert(1)</script>".to_vec();
    let hash = sha(&bytes);
    let res = put(&f.app, &token, &hash, Some("text/html"), bytes).await;
    res.assert_refused(StatusCode::UNSUPPORTED_MEDIA_TYPE, "image/jpeg");
    assert_eq!(head(&f.app, &token, &hash).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn uploading_again_is_a_no_op() {
    let f = fx();
    let token = f.token("office");
    let bytes = photo(2, 5000);
    let hash = sha(&bytes);
    let res = put(&f.app, &token, &hash, Some("image/jpeg"), bytes.clone()).await;
    assert_eq!(res.status, StatusCode::CREATED);
    for _ in 0..2 {
        // Even with another type: the first upload stays as it was.
        let res = put(&f.app, &token, &hash, Some("image/png"), bytes.clone()).await;
        assert_eq!(res.status, StatusCode::OK);
        assert_eq!(res.json(), json!({"stored": false}));
    }
    let res = get(&f.app, &token, &hash).await;
    assert_eq!(res.header(header::CONTENT_TYPE), "image/jpeg");
    assert!(res.body == bytes);
    assert_eq!(f.store.blob_usage("office").unwrap(), (1, 5000), "counted once");
}

// ---- refused uploads -----------------------------------------------------------

#[tokio::test]
async fn a_damaged_photo_is_refused_and_nothing_is_stored() {
    let f = fx();
    let token = f.token("office");
    let bytes = photo(3, 20_000);
    let hash = sha(&bytes);
    let mut damaged = bytes.clone();
    damaged[10_000] ^= 0x40;
    let got = sha(&damaged);

    let res = put(&f.app, &token, &hash, Some("image/jpeg"), damaged.clone()).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    let error = res.error();
    assert!(error.contains("does not match its name") && error.contains(&hash) && error.contains(&got), "{error}");
    assert_eq!(error, format!("the photo's content does not match its name; it was damaged on the way: expected {hash} got {got}"));
    assert_eq!(head(&f.app, &token, &hash).await.status, StatusCode::NOT_FOUND);
    assert_eq!(head(&f.app, &token, &got).await.status, StatusCode::NOT_FOUND);
    assert_eq!(f.store.blob_usage("office").unwrap(), (0, 0));

    // A damaged copy of a photo the team already has is refused too.
    assert_eq!(put(&f.app, &token, &hash, None, bytes.clone()).await.status, StatusCode::CREATED);
    let res = put(&f.app, &token, &hash, None, damaged).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert!(get(&f.app, &token, &hash).await.body == bytes);
}

#[tokio::test]
async fn a_photo_over_the_limit_is_413_with_a_message() {
    let limit = 64 * 1024;
    let f = fx_with(&Cors::SameOrigin, limit);
    let token = f.token("office");

    // Exactly the limit is fine.
    let fits = photo(4, limit);
    let res = put(&f.app, &token, &sha(&fits), None, fits).await;
    assert_eq!(res.status, StatusCode::CREATED);

    // Declared too large.
    let big = photo(5, limit + 1);
    let hash = sha(&big);
    let res = put(&f.app, &token, &hash, Some("image/jpeg"), big.clone()).await;
    res.assert_refused(StatusCode::PAYLOAD_TOO_LARGE, "64 KiB");

    // No Content-Length (streamed): stopped while reading.
    let req = request("PUT", &hash, Some(&token)).header(header::CONTENT_TYPE, "image/jpeg").body(streamed(&big, 10_000, false)).unwrap();
    let res = call(&f.app, req).await;
    res.assert_refused(StatusCode::PAYLOAD_TOO_LARGE, "larger than the server accepts");
    assert_eq!(head(&f.app, &token, &hash).await.status, StatusCode::NOT_FOUND);

    // The default limit is 8 MiB, and its message says so.
    let f = fx();
    let token = f.token("office");
    let huge = vec![7u8; DEFAULT_MAX_BLOB_BYTES + 1];
    let res = put(&f.app, &token, &sha(&huge), None, huge).await;
    res.assert_refused(StatusCode::PAYLOAD_TOO_LARGE, "8 MiB");
}

#[tokio::test]
async fn a_bad_hash_in_the_address_is_400() {
    let f = fx();
    let token = f.token("office");
    let bytes = photo(6, 100);
    let good = sha(&bytes);
    let bad = [
        good.to_ascii_uppercase(),
        good[..63].to_string(),
        format!("{good}0"),
        format!("{}g", &good[..63]),
        "photo.jpg".to_string(),
        "..%2F..%2Fetc%2Fpasswd".to_string(),
    ];
    for hash in &bad {
        for method in ["GET", "PUT"] {
            let req = request(method, hash, Some(&token)).body(Body::from(bytes.clone())).unwrap();
            let res = call(&f.app, req).await;
            assert_eq!(res.status, StatusCode::BAD_REQUEST, "{method} {hash}");
            assert!(res.error().contains("64 lowercase hexadecimal"), "{}", res.error());
        }
        let res = head(&f.app, &token, hash).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "HEAD {hash}");
    }
    assert_eq!(f.store.blob_usage("office").unwrap(), (0, 0));
    // Other methods: 405 with the allowed ones.
    let req = request("DELETE", &good, Some(&token)).body(Body::empty()).unwrap();
    let res = call(&f.app, req).await;
    assert_eq!(res.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(res.header(header::ALLOW), "GET, HEAD, PUT");
    assert!(!res.error().is_empty());
}

// ---- auth and teams ---------------------------------------------------------------

#[tokio::test]
async fn no_or_unknown_token_is_401() {
    let f = fx();
    let token = f.token("office");
    let bytes = photo(7, 1000);
    let hash = sha(&bytes);
    assert_eq!(put(&f.app, &token, &hash, None, bytes.clone()).await.status, StatusCode::CREATED);
    for method in ["HEAD", "GET", "PUT"] {
        for t in [None, Some("not-a-token")] {
            let req = request(method, &hash, t).body(Body::from(bytes.clone())).unwrap();
            let res = call(&f.app, req).await;
            assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{method} {t:?}");
            assert_eq!(res.header(header::WWW_AUTHENTICATE), "Bearer");
            if method != "HEAD" {
                let error = res.error();
                let expect = if t.is_none() { "missing" } else { "refused" };
                assert!(error.contains(expect), "{method} {t:?}: {error}");
            }
        }
    }
    // Before the hash is even looked at.
    let req = request("GET", "nope", None).body(Body::empty()).unwrap();
    assert_eq!(call(&f.app, req).await.status, StatusCode::UNAUTHORIZED);
    // A revoked token reads nothing either.
    f.store.revoke_token(&token).unwrap();
    assert_eq!(head(&f.app, &token, &hash).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(get(&f.app, &token, &hash).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn teams_never_see_each_others_photos() {
    let f = fx();
    let a = f.token("office-a");
    let b = f.token("office-b");
    let bytes = photo(8, 50_000);
    let hash = sha(&bytes);
    assert_eq!(put(&f.app, &a, &hash, Some("image/jpeg"), bytes.clone()).await.status, StatusCode::CREATED);

    // B cannot test for or read A's photo, though it knows the hash.
    assert_eq!(head(&f.app, &b, &hash).await.status, StatusCode::NOT_FOUND);
    let res = get(&f.app, &b, &hash).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert!(!res.body.windows(4).any(|w| w == [0xff, 0xd8, 0xff, 0xe0]));
    let req = request("GET", &hash, Some(&b)).header(header::IF_NONE_MATCH, format!("\"{hash}\"")).body(Body::empty()).unwrap();
    assert_eq!(call(&f.app, req).await.status, StatusCode::NOT_FOUND, "no 304 either");

    // B uploading the same bytes stores B's own copy (201, not "already there").
    let res = put(&f.app, &b, &hash, Some("image/png"), bytes.clone()).await;
    assert_eq!(res.status, StatusCode::CREATED);
    assert_eq!(res.json(), json!({"stored": true, "bytes": 50_000}));
    let res = get(&f.app, &b, &hash).await;
    assert!(res.body == bytes);
    assert_eq!(res.header(header::CONTENT_TYPE), "image/png");

    // A's copy is intact, with its own type.
    let res = get(&f.app, &a, &hash).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body == bytes);
    assert_eq!(res.header(header::CONTENT_TYPE), "image/jpeg");

    // A photo only B has stays B's.
    let only_b = photo(9, 800);
    let hash_b = sha(&only_b);
    assert_eq!(put(&f.app, &b, &hash_b, None, only_b).await.status, StatusCode::CREATED);
    assert_eq!(head(&f.app, &a, &hash_b).await.status, StatusCode::NOT_FOUND);
    assert_eq!(f.store.blob_usage("office-a").unwrap(), (1, 50_000));
    assert_eq!(f.store.blob_usage("office-b").unwrap(), (2, 50_800));
}

// ---- interrupted uploads -------------------------------------------------------------

#[tokio::test]
async fn an_interrupted_upload_stores_nothing_and_a_retry_succeeds() {
    let f = fx();
    let token = f.token("office");
    let bytes = photo(10, 900_000);
    let hash = sha(&bytes);

    // Half the photo arrives, then the connection breaks.
    let req = request("PUT", &hash, Some(&token))
        .header(header::CONTENT_TYPE, "image/jpeg")
        .header(header::CONTENT_LENGTH, bytes.len())
        .body(streamed(&bytes[..450_000], 64 * 1024, true))
        .unwrap();
    let res = call(&f.app, req).await;
    res.assert_refused(StatusCode::BAD_REQUEST, "nothing was stored");
    assert_eq!(head(&f.app, &token, &hash).await.status, StatusCode::NOT_FOUND);
    assert_eq!(get(&f.app, &token, &hash).await.status, StatusCode::NOT_FOUND);
    assert_eq!(f.store.blob_usage("office").unwrap(), (0, 0));

    // The client sends the whole photo again.
    let res = put(&f.app, &token, &hash, Some("image/jpeg"), bytes.clone()).await;
    assert_eq!(res.status, StatusCode::CREATED);
    assert_eq!(res.json(), json!({"stored": true, "bytes": 900_000}));
    let res = get(&f.app, &token, &hash).await;
    assert!(res.body == bytes);
    assert_eq!(f.store.blob_usage("office").unwrap(), (1, 900_000));
}

// ---- CORS and a server without a database ------------------------------------------------

#[tokio::test]
async fn cors_applies_as_for_sync() {
    let cors = Cors::from_args(&["https://app.example.org".into()]).unwrap();
    let f = fx_with(&cors, DEFAULT_MAX_BLOB_BYTES);
    let token = f.token("office");
    let hash = "0".repeat(64);
    let req = Request::options(format!("/api/blobs/{hash}"))
        .header(header::ORIGIN, "https://app.example.org")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "PUT")
        .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "authorization, content-type")
        .body(Body::empty())
        .unwrap();
    let res = call(&f.app, req).await;
    assert!(res.status.is_success(), "{}", res.status);
    assert_eq!(res.header(header::ACCESS_CONTROL_ALLOW_ORIGIN), "https://app.example.org");
    let methods = res.header(header::ACCESS_CONTROL_ALLOW_METHODS).to_string();
    for m in ["GET", "HEAD", "PUT"] {
        assert!(methods.contains(m), "{methods}");
    }

    let bytes = photo(11, 2000);
    let hash = sha(&bytes);
    let req = request("PUT", &hash, Some(&token)).header(header::ORIGIN, "https://app.example.org").body(Body::from(bytes)).unwrap();
    let res = call(&f.app, req).await;
    assert_eq!(res.status, StatusCode::CREATED);
    assert_eq!(res.header(header::ACCESS_CONTROL_ALLOW_ORIGIN), "https://app.example.org");
    let req = request("GET", &hash, Some(&token)).header(header::ORIGIN, "https://app.example.org").body(Body::empty()).unwrap();
    let res = call(&f.app, req).await;
    let exposed = res.header(header::ACCESS_CONTROL_EXPOSE_HEADERS).to_ascii_lowercase();
    assert!(exposed.contains("etag") && exposed.contains("retry-after"), "{exposed}");

    // Without --cors-origin: no CORS headers.
    let f = fx();
    let req = request("GET", &hash, None).header(header::ORIGIN, "https://app.example.org").body(Body::empty()).unwrap();
    let res = call(&f.app, req).await;
    assert!(res.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
}

#[tokio::test]
async fn without_a_database_blobs_are_503() {
    let dir = tempfile::tempdir().unwrap();
    let app = xunfang_server::router(dir.path());
    let req = request("GET", &"0".repeat(64), Some("t")).body(Body::empty()).unwrap();
    let res = call(&app, req).await;
    assert_eq!(res.status, StatusCode::SERVICE_UNAVAILABLE);
}
