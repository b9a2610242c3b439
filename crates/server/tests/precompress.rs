//! Static files compressed once and served from memory (src/precompress.rs).

use std::path::Path;
use std::time::{Duration, SystemTime};

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use tower::ServiceExt;
use xunfang_server::precompress::{self, Encoding};
use xunfang_server::{AppState, Cors};

const WASM: &str = "xunfang-1a2b3c4d5e6f7a8b_bg.wasm";

struct Fixture {
    dir: tempfile::TempDir,
    state: AppState,
    app: Router,
}

fn wasm_bytes(words: &str, n: usize) -> Vec<u8> {
    let mut wasm = b"\0asm\x01\0\0\0".to_vec();
    for i in 0..n {
        wasm.extend_from_slice(format!("{words} {i} ").as_bytes());
    }
    wasm
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("index.html"), "<!DOCTYPE html><html><body>巡访</body></html>\n".repeat(20)).unwrap();
    std::fs::write(d.join(WASM), wasm_bytes("xunfang wasm body", 2000)).unwrap();
    // Big enough to be compressed if it were not an image.
    std::fs::write(d.join("photo.png"), [0x89, b'P', b'N', b'G'].repeat(500)).unwrap();
    let state = AppState::new(d);
    let app = xunfang_server::app(state.clone(), &Cors::SameOrigin);
    Fixture { dir, state, app }
}

async fn request(app: &Router, req: Request<Body>) -> (axum::http::response::Parts, Vec<u8>) {
    let res = app.clone().oneshot(req).await.unwrap();
    let (parts, body) = res.into_parts();
    (parts, body.collect().await.unwrap().to_bytes().to_vec())
}

async fn get(app: &Router, uri: &str, accept_encoding: &str) -> (axum::http::response::Parts, Vec<u8>) {
    send(app, Method::GET, uri, &[(header::ACCEPT_ENCODING, accept_encoding)]).await
}

async fn send(app: &Router, method: Method, uri: &str, headers: &[(header::HeaderName, &str)]) -> (axum::http::response::Parts, Vec<u8>) {
    let mut req = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        req = req.header(name, *value);
    }
    request(app, req.body(Body::empty()).unwrap()).await
}

fn h(parts: &axum::http::response::Parts, name: header::HeaderName) -> &str {
    parts.headers.get(&name).map(|v| v.to_str().unwrap()).unwrap_or("")
}

fn unbrotli(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::BrotliDecompress(&mut &data[..], &mut out).unwrap();
    out
}

fn gunzip(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(data), &mut out).unwrap();
    out
}

fn read(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap()
}

#[test]
fn release_builds_store_the_best_brotli() {
    if !cfg!(debug_assertions) {
        assert_eq!(precompress::BROTLI_QUALITY, 11);
    }
    assert_eq!(precompress::GZIP_LEVEL, 9);
}

#[tokio::test]
async fn a_second_request_is_served_from_memory_identically() {
    let f = fixture();
    let uri = format!("/{WASM}");
    let original = read(f.dir.path(), WASM);
    let (first, body1) = get(&f.app, &uri, "gzip, deflate, br, zstd").await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(h(&first, header::CONTENT_ENCODING), "br");
    assert_eq!(h(&first, header::CONTENT_TYPE), "application/wasm");
    assert_eq!(h(&first, header::CACHE_CONTROL), "public, max-age=31536000, immutable");
    assert_eq!(h(&first, header::VARY), "accept-encoding");
    assert_eq!(h(&first, header::ACCEPT_RANGES), "");
    assert_eq!(h(&first, header::CONTENT_LENGTH), body1.len().to_string(), "length known now");
    assert!(!h(&first, header::LAST_MODIFIED).is_empty());
    // The stored quality, not the layer's on-the-fly one.
    assert_eq!(body1, Encoding::Brotli.compress(&original).unwrap());
    assert_eq!(unbrotli(&body1), original);
    assert_eq!(f.state.precompressed().compressions(), 1);

    let (second, body2) = get(&f.app, &uri, "br").await;
    assert_eq!(body2, body1);
    assert_eq!(second.headers, first.headers);
    assert_eq!(f.state.precompressed().compressions(), 1, "not compressed again");

    // gzip is its own entry, also kept.
    let (gz, gz1) = get(&f.app, &uri, "gzip").await;
    assert_eq!(h(&gz, header::CONTENT_ENCODING), "gzip");
    assert_eq!(h(&gz, header::VARY), "accept-encoding");
    assert_eq!(gunzip(&gz1), original);
    assert_eq!(gz1, Encoding::Gzip.compress(&original).unwrap());
    let (_, gz2) = get(&f.app, &uri, "gzip").await;
    assert_eq!(gz2, gz1);
    assert_eq!(f.state.precompressed().compressions(), 2);

    // Identity as before: the file, with its length, ranges and Vary.
    let (plain, raw) = get(&f.app, &uri, "identity").await;
    assert_eq!(raw, original);
    assert_eq!(h(&plain, header::CONTENT_ENCODING), "");
    assert_eq!(h(&plain, header::ACCEPT_RANGES), "bytes");
    assert_eq!(h(&plain, header::VARY), "accept-encoding");
}

#[tokio::test]
async fn a_changed_file_is_compressed_afresh() {
    let f = fixture();
    let uri = format!("/{WASM}");
    let (_, before) = get(&f.app, &uri, "br").await;
    assert_eq!(unbrotli(&before), read(f.dir.path(), WASM));

    // A rebuild: other content, other length.
    let rebuilt = wasm_bytes("rebuilt wasm, new code", 1500);
    std::fs::write(f.dir.path().join(WASM), &rebuilt).unwrap();
    let (res, after) = get(&f.app, &uri, "br").await;
    assert_eq!(unbrotli(&after), rebuilt);
    assert_eq!(h(&res, header::CONTENT_LENGTH), after.len().to_string());
    assert_eq!(f.state.precompressed().compressions(), 2);

    // Same length, new content, later modification time.
    let mut same_len = rebuilt.clone();
    same_len[10] = b'X';
    std::fs::write(f.dir.path().join(WASM), &same_len).unwrap();
    let file = std::fs::File::options().write(true).open(f.dir.path().join(WASM)).unwrap();
    file.set_modified(SystemTime::now() + Duration::from_secs(5)).unwrap();
    drop(file);
    let (_, again) = get(&f.app, &uri, "br").await;
    assert_eq!(unbrotli(&again), same_len);
    assert_eq!(f.state.precompressed().compressions(), 3);

    // The SPA fallback serves index.html from the cache too, and sees its changes.
    let (res, html) = get(&f.app, "/records/abc", "br").await;
    assert_eq!(h(&res, header::CACHE_CONTROL), "no-cache");
    assert_eq!(unbrotli(&html), read(f.dir.path(), "index.html"));
    std::fs::write(f.dir.path().join("index.html"), "<!DOCTYPE html><p>new deployment, new shell</p>").unwrap();
    let (_, html) = get(&f.app, "/", "br").await;
    assert_eq!(unbrotli(&html), read(f.dir.path(), "index.html"));
}

#[tokio::test]
async fn concurrent_first_requests_share_one_compression() {
    let f = fixture();
    let uri = format!("/{WASM}");
    let bodies = futures_util::future::join_all((0..6).map(|_| get(&f.app, &uri, "br"))).await;
    assert!(bodies.windows(2).all(|w| w[0].1 == w[1].1));
    assert_eq!(f.state.precompressed().compressions(), 1);
}

#[tokio::test]
async fn warming_compresses_what_would_be_compressed() {
    let f = fixture();
    std::fs::create_dir(f.dir.path().join(".stage")).unwrap();
    std::fs::write(f.dir.path().join(".stage").join("half.js"), "x".repeat(500)).unwrap();
    std::fs::write(f.dir.path().join("tiny.js"), "1").unwrap();
    f.state.precompressed().warm(f.dir.path()).await;
    // index.html and the wasm, brotli; not the png, the dot-dir or the tiny file.
    assert_eq!(f.state.precompressed().compressions(), 2);
    let (res, body) = get(&f.app, &format!("/{WASM}"), "br").await;
    assert_eq!(h(&res, header::CONTENT_ENCODING), "br");
    assert_eq!(unbrotli(&body), read(f.dir.path(), WASM));
    assert_eq!(f.state.precompressed().compressions(), 2, "served from what warming stored");
    // gzip (clients without brotli) on first request.
    let (res, body) = get(&f.app, &format!("/{WASM}"), "gzip").await;
    assert_eq!(h(&res, header::CONTENT_ENCODING), "gzip");
    assert_eq!(gunzip(&body), read(f.dir.path(), WASM));
    assert_eq!(f.state.precompressed().compressions(), 3);
}

#[tokio::test]
async fn images_ranges_and_revalidation_are_left_as_they_were() {
    let f = fixture();
    let (png, body) = get(&f.app, "/photo.png", "br").await;
    assert_eq!(h(&png, header::CONTENT_ENCODING), "");
    assert_eq!(h(&png, header::VARY), "");
    assert_eq!(body, read(f.dir.path(), "photo.png"));

    let uri = format!("/{WASM}");
    let headers = [(header::ACCEPT_ENCODING, "br"), (header::RANGE, "bytes=0-3")];
    let (ranged, body) = send(&f.app, Method::GET, &uri, &headers).await;
    assert_eq!(ranged.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(h(&ranged, header::CONTENT_ENCODING), "");
    assert_eq!(body, b"\0asm");

    let (first, _) = get(&f.app, &uri, "br").await;
    let headers = [(header::ACCEPT_ENCODING, "br"), (header::IF_MODIFIED_SINCE, h(&first, header::LAST_MODIFIED))];
    let (not_modified, body) = send(&f.app, Method::GET, &uri, &headers).await;
    assert_eq!(not_modified.status, StatusCode::NOT_MODIFIED);
    assert_eq!(h(&not_modified, header::CACHE_CONTROL), "public, max-age=31536000, immutable");
    assert!(body.is_empty());

    // HEAD: the file's headers, uncompressed, as the layer always left them.
    let headers = [(header::ACCEPT_ENCODING, "br")];
    let (head, body) = send(&f.app, Method::HEAD, &uri, &headers).await;
    assert_eq!(head.status, StatusCode::OK);
    assert_eq!(h(&head, header::CONTENT_ENCODING), "");
    assert_eq!(h(&head, header::CONTENT_LENGTH), read(f.dir.path(), WASM).len().to_string());
    assert!(body.is_empty());
    assert_eq!(f.state.precompressed().compressions(), 1);
}
