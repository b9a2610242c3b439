//! Router behaviour: headers, MIME types, SPA fallback, 404s, compression.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use common::{call, Res};

const INDEX: &str = "<!DOCTYPE html><html lang=\"zh-CN\"><head></head><body></body></html>";
const JS: &str = "xunfang-1a2b3c4d5e6f7a8b.js";
const WASM: &str = "xunfang-1a2b3c4d5e6f7a8b_bg.wasm";
const CSS: &str = "main-0123456789abcdef.css";

struct Fixture {
    _dir: tempfile::TempDir,
    app: Router,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("index.html"), INDEX).unwrap();
    std::fs::write(d.join(JS), "export default function init() {}\n".repeat(200)).unwrap();
    // Something wasm-like and compressible.
    let mut wasm = b"\0asm\x01\0\0\0".to_vec();
    wasm.extend(std::iter::repeat_n(b"xunfang wasm body ".as_slice(), 500).flatten());
    std::fs::write(d.join(WASM), wasm).unwrap();
    std::fs::write(d.join(CSS), "body { color: black; }\n".repeat(100)).unwrap();
    std::fs::write(d.join("sw.js"), "self.addEventListener('fetch', () => {});\n").unwrap();
    std::fs::write(d.join("manifest.webmanifest"), "{\"name\":\"巡访\"}").unwrap();
    std::fs::write(d.join("icon.png"), [0x89, b'P', b'N', b'G']).unwrap();
    let app = xunfang_server::router(d);
    Fixture { _dir: dir, app }
}

async fn get(app: &Router, uri: &str, accept_encoding: Option<&str>) -> Res {
    let mut req = Request::get(uri);
    if let Some(enc) = accept_encoding {
        req = req.header(header::ACCEPT_ENCODING, enc);
    }
    call(app, req.body(Body::empty()).unwrap()).await
}

/// `index.html`, never cached (how the app and its deep links are served).
fn assert_is_index(res: &Res, uri: &str) {
    assert_eq!(res.status, StatusCode::OK, "{uri}");
    assert_eq!(res.header_or_empty(header::CACHE_CONTROL), "no-cache", "{uri}");
    let content_type = res.header_or_empty(header::CONTENT_TYPE);
    assert!(content_type.starts_with("text/html"), "{uri}: {content_type}");
    assert_eq!(res.text(), INDEX, "{uri}");
}

#[tokio::test]
async fn health_says_ok_and_nothing_an_outsider_could_use() {
    let f = fixture();
    let res = get(&f.app, "/api/health", None).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json(), serde_json::json!({"ok": true})); // which checks that it is JSON
    assert!(!res.text().contains(env!("CARGO_PKG_VERSION")));
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let f = fixture();
    for uri in ["/", "/records/abc", "/sw.js", &format!("/{JS}"), "/api/health", "/api/nope", "/missing.js"] {
        let res = get(&f.app, uri, None).await;
        assert_eq!(res.header_or_empty(header::X_CONTENT_TYPE_OPTIONS), "nosniff", "{uri}");
        assert_eq!(res.header_or_empty(header::REFERRER_POLICY), "no-referrer", "{uri}");
        let permissions = res.header_or_empty(header::HeaderName::from_static("permissions-policy"));
        assert!(permissions.contains("camera=(self)") && permissions.contains("geolocation=(self)"), "{uri}: {permissions}");
        let csp = res.header_or_empty(header::CONTENT_SECURITY_POLICY);
        for directive in [
            "script-src 'self' 'wasm-unsafe-eval'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "connect-src 'self' https:",
            "img-src 'self' blob: data:",
        ] {
            assert!(csp.contains(directive), "{uri}: {directive} missing from {csp}");
        }
        assert!(!csp.contains("'unsafe-eval'") && !csp.contains("script-src 'self' 'wasm-unsafe-eval' 'unsafe-inline'"), "{uri}: {csp}");
    }
}

#[tokio::test]
async fn the_app_shell_allows_its_inline_loader_by_hash_only() {
    use base64::Engine;
    use sha2::Digest;
    let dir = tempfile::tempdir().unwrap();
    let loader = "\nimport init, * as bindings from '/xunfang-1a2b.js';\nconst wasm = await init({ module_or_path: '/xunfang-1a2b_bg.wasm' });\n";
    let html =
        format!("<!DOCTYPE html><html><head><link rel=\"modulepreload\" href=\"/xunfang-1a2b.js\"><script type=\"module\">{loader}</script></head></html>");
    std::fs::write(dir.path().join("index.html"), html).unwrap();
    let app = xunfang_server::router(dir.path());
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(loader));
    for uri in ["/", "/settings"] {
        let res = get(&app, uri, None).await;
        let csp = res.header(header::CONTENT_SECURITY_POLICY);
        assert!(csp.contains(&format!("script-src 'self' 'wasm-unsafe-eval' 'sha256-{hash}';")), "{uri}: {csp}");
    }
}

#[tokio::test]
async fn unknown_api_route_is_json_404() {
    let f = fixture();
    let res = get(&f.app, "/api/nope", None).await;
    res.assert_refused(StatusCode::NOT_FOUND, "not found");
}

#[tokio::test]
async fn index_is_not_cached() {
    let f = fixture();
    for uri in ["/", "/index.html"] {
        assert_is_index(&get(&f.app, uri, None).await, uri);
    }
}

#[tokio::test]
async fn service_worker_is_not_cached() {
    let f = fixture();
    let res = get(&f.app, "/sw.js", None).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.header_or_empty(header::CACHE_CONTROL), "no-cache");
    assert!(res.header_or_empty(header::CONTENT_TYPE).starts_with("text/javascript"));
}

#[tokio::test]
async fn hashed_assets_are_immutable_with_right_mime() {
    let f = fixture();
    for (uri, mime) in [(format!("/{JS}"), "text/javascript"), (format!("/{WASM}"), "application/wasm"), (format!("/{CSS}"), "text/css")] {
        let res = get(&f.app, &uri, None).await;
        assert_eq!(res.status, StatusCode::OK, "{uri}");
        assert_eq!(res.header_or_empty(header::CACHE_CONTROL), "public, max-age=31536000, immutable", "{uri}");
        assert!(res.header_or_empty(header::CONTENT_TYPE).starts_with(mime), "{uri}: {}", res.header_or_empty(header::CONTENT_TYPE));
    }
}

#[tokio::test]
async fn other_files_get_short_cache() {
    let f = fixture();
    let res = get(&f.app, "/manifest.webmanifest", None).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.header_or_empty(header::CONTENT_TYPE), "application/manifest+json");
    assert_eq!(res.header_or_empty(header::CACHE_CONTROL), "public, max-age=300");
    let res = get(&f.app, "/icon.png", None).await;
    assert_eq!(res.header_or_empty(header::CONTENT_TYPE), "image/png");
    assert_eq!(res.header_or_empty(header::CACHE_CONTROL), "public, max-age=300");
}

#[tokio::test]
async fn deep_links_fall_back_to_index() {
    let f = fixture();
    for uri in ["/records/abc", "/people", "/records/abc/", "/records/%E5%B7%A1%E8%AE%BF?x=1"] {
        assert_is_index(&get(&f.app, uri, None).await, uri);
    }
}

#[tokio::test]
async fn missing_file_with_extension_is_404() {
    let f = fixture();
    for uri in ["/missing.js", "/records/abc.png", "/xunfang-ffffffffffffffff_bg.wasm"] {
        let res = get(&f.app, uri, None).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{uri}");
    }
}

#[tokio::test]
async fn path_traversal_is_refused() {
    let f = fixture();
    let res = get(&f.app, "/..%2f..%2fetc%2fpasswd", None).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn post_to_static_is_405() {
    let f = fixture();
    let req = Request::post("/index.html").body(Body::empty()).unwrap();
    assert_eq!(call(&f.app, req).await.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn wasm_is_compressed_with_brotli_and_gzip() {
    let f = fixture();
    let uri = format!("/{WASM}");
    let res = get(&f.app, &uri, Some("br")).await;
    assert_eq!(res.header_or_empty(header::CONTENT_ENCODING), "br");
    assert_eq!(res.header_or_empty(header::CONTENT_TYPE), "application/wasm");
    assert_eq!(res.header_or_empty(header::CACHE_CONTROL), "public, max-age=31536000, immutable");
    assert!(res.header_or_empty(header::VARY).to_ascii_lowercase().contains("accept-encoding"));
    let res = get(&f.app, &uri, Some("gzip")).await;
    assert_eq!(res.header_or_empty(header::CONTENT_ENCODING), "gzip");
    let compressed = &res.body;
    assert!(compressed.len() < 9000 / 4, "gzip body is {} bytes", compressed.len());
    let res = get(&f.app, &uri, Some("gzip, deflate, br")).await;
    assert_eq!(res.header_or_empty(header::CONTENT_ENCODING), "br", "brotli preferred when both accepted");
}

#[tokio::test]
async fn html_and_js_are_compressed_and_identity_is_not() {
    let f = fixture();
    let res = get(&f.app, &format!("/{JS}"), Some("gzip")).await;
    assert_eq!(res.header_or_empty(header::CONTENT_ENCODING), "gzip");
    let res = get(&f.app, "/records/abc", Some("br")).await;
    assert_eq!(res.header_or_empty(header::CONTENT_ENCODING), "br");
    let res = get(&f.app, &format!("/{JS}"), None).await;
    assert_eq!(res.header_or_empty(header::CONTENT_ENCODING), "");
}
