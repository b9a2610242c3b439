//! The app that trunk built into `dist/`, served with the right type and
//! cache policy, compressed from memory ([`crate::precompress`]).
//!
//! * `index.html` and service workers: `Cache-Control: no-cache`, so a new
//!   deployment is picked up on the next load;
//! * files whose name carries trunk's content hash (`xunfang-<hash>.js`,
//!   `xunfang-<hash>_bg.wasm`, `main-<hash>.css`): cached for a year,
//!   `immutable`;
//! * everything else: a short cache.
//!
//! HTML pages carry their own Content-Security-Policy ([`headers`]).
//!
//! Paths without a file extension that are not files (`/records/abc`,
//! `/people`) get `index.html`, so deep links work (SPA fallback); a missing
//! file with an extension is a 404, and a path that could leave `dist/` a 400.

use std::path::{Component, Path, PathBuf};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::Response;
use tower::ServiceExt;
use tower_http::compression::predicate::{DefaultPredicate, Predicate};
use tower_http::services::ServeFile;

use crate::{headers, precompress, AppError, AppState};

/// `Cache-Control` for documents that must be revalidated on every load.
pub const NO_CACHE: &str = "no-cache";
/// `Cache-Control` for content-hashed assets.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` for other static files (icons, manifest, copied assets).
pub const SHORT_CACHE: &str = "public, max-age=300";

/// Serves a file from `dist`, or `index.html` for extension-less paths.
pub(crate) async fn static_file(State(state): State<AppState>, req: Request) -> Result<Response, AppError> {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return Err(AppError::MethodNotAllowed);
    }
    let rel = relative_path(req.uri().path()).ok_or(AppError::BadPath)?;
    let dist = state.dist();

    let mut candidate = dist.join(&rel);
    if is_dir(&candidate).await {
        candidate = candidate.join("index.html");
    }
    if is_file(&candidate).await {
        return serve(&state, &candidate, req).await;
    }
    if rel.extension().is_none() {
        let index = dist.join("index.html");
        if !is_file(&index).await {
            return Err(AppError::NotBuilt);
        }
        return serve(&state, &index, req).await;
    }
    Err(AppError::NotFound)
}

async fn serve(state: &AppState, path: &Path, req: Request) -> Result<Response, AppError> {
    let mime = content_type_for(path);
    let cache = cache_control_for(path);
    let encoding = precompress::negotiate(req.headers());
    let whole = !req.headers().contains_key(header::RANGE);
    // ServeFile answers conditional requests (304) and sets Last-Modified.
    let response = ServeFile::new_with_mime(path, &mime).oneshot(req).await.unwrap_or_else(|never| match never {});
    let mut response = response.map(Body::new);
    // What the compression layer would compress, from memory instead: the
    // same headers it sets (Content-Encoding, Vary, no Accept-Ranges), plus
    // the length, which is now known. (HEAD answers have an empty body, which
    // the layer's predicate never compresses: they stay as they were.)
    if let Some(encoding) = encoding.filter(|_| whole && response.status() == StatusCode::OK && DefaultPredicate::new().should_compress(&response)) {
        if let Some(bytes) = state.precompressed().get(path, encoding).await {
            let headers = response.headers_mut();
            headers.remove(header::ACCEPT_RANGES);
            headers.insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding.as_str()));
            headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
            *response.body_mut() = Body::from(bytes);
        }
    }
    // 304s keep the header too: browsers update their cache entry from it.
    if response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED {
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
        // A page's policy names its inline scripts (trunk's loader) by hash;
        // read from the file itself, it follows every rebuild.
        if mime.essence_str() == "text/html" {
            if let Ok(html) = tokio::fs::read_to_string(path).await {
                if let Ok(csp) = HeaderValue::from_str(&headers::csp_for_html(&html)) {
                    response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, csp);
                }
            }
        }
    }
    Ok(response)
}

async fn is_file(path: &Path) -> bool {
    tokio::fs::metadata(path).await.map(|m| m.is_file()).unwrap_or(false)
}

async fn is_dir(path: &Path) -> bool {
    tokio::fs::metadata(path).await.map(|m| m.is_dir()).unwrap_or(false)
}

/// Turns a URI path into a path relative to `dist`, refusing anything that
/// could escape it.
pub fn relative_path(uri_path: &str) -> Option<PathBuf> {
    let decoded = percent_decode(uri_path)?;
    let mut out = PathBuf::new();
    for part in decoded.split('/') {
        if part.is_empty() || part == "." {
            continue;
        }
        if part.contains('\\') || part.contains('\0') {
            return None;
        }
        let p = Path::new(part);
        let mut comps = p.components();
        match (comps.next(), comps.next()) {
            (Some(Component::Normal(c)), None) => out.push(c),
            _ => return None,
        }
    }
    Some(out)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The `Content-Type` a file is served with.
pub fn content_type_for(path: &Path) -> mime_guess::Mime {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    let explicit = match ext.as_str() {
        "wasm" => Some("application/wasm"),
        "webmanifest" => Some("application/manifest+json"),
        "js" | "mjs" => Some("text/javascript; charset=utf-8"),
        "html" | "htm" => Some("text/html; charset=utf-8"),
        "css" => Some("text/css; charset=utf-8"),
        "json" => Some("application/json"),
        "svg" => Some("image/svg+xml"),
        _ => None,
    };
    match explicit {
        Some(m) => m.parse().expect("valid mime literal"),
        None => mime_guess::from_ext(&ext).first_or_octet_stream(),
    }
}

/// The `Cache-Control` a file is served with.
pub fn cache_control_for(path: &Path) -> &'static str {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".html") || lower == "sw.js" || lower == "service-worker.js" {
        NO_CACHE
    } else if has_content_hash(name) {
        IMMUTABLE
    } else {
        SHORT_CACHE
    }
}

/// Whether a file name carries trunk's content hash: `stem-<hex>.ext` or
/// `stem-<hex>_bg.wasm`, where `<hex>` has at least 10 hex digits.
pub fn has_content_hash(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or("");
    if stem.len() == name.len() {
        return false; // no extension
    }
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    match stem.rsplit_once('-') {
        Some((base, hash)) => !base.is_empty() && (10..=64).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit()),
        None => false,
    }
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn detects_trunk_hashes() {
        assert!(has_content_hash("xunfang-1a2b3c4d5e6f7a8b.js"));
        assert!(has_content_hash("xunfang-1a2b3c4d5e6f7a8b_bg.wasm"));
        assert!(has_content_hash("main-0123456789abcdef.css"));
        assert!(!has_content_hash("index.html"));
        assert!(!has_content_hash("sw.js"));
        assert!(!has_content_hash("icon-192.png"));
        assert!(!has_content_hash("manifest.webmanifest"));
        assert!(!has_content_hash("xunfang-1a2b3c4d5e6f7a8b"));
    }

    #[test]
    fn rejects_escaping_paths() {
        assert_eq!(relative_path("/a/b.js"), Some(PathBuf::from("a/b.js")));
        assert_eq!(relative_path("/"), Some(PathBuf::new()));
        assert_eq!(relative_path("/%E5%B7%A1"), Some(PathBuf::from("巡")));
        assert_eq!(relative_path("/../etc/passwd"), None);
        assert_eq!(relative_path("/a/%2e%2e/%2e%2e/x"), None);
        assert_eq!(relative_path("/a\\..\\b"), None);
        assert_eq!(relative_path("/bad%zz"), None);
    }

    #[test]
    fn cache_policy() {
        assert_eq!(cache_control_for(Path::new("index.html")), NO_CACHE);
        assert_eq!(cache_control_for(Path::new("sw.js")), NO_CACHE);
        assert_eq!(cache_control_for(Path::new("service-worker.js")), NO_CACHE);
        assert_eq!(cache_control_for(Path::new("xunfang-1a2b3c4d5e6f7a8b_bg.wasm")), IMMUTABLE);
        assert_eq!(cache_control_for(Path::new("icon.png")), SHORT_CACHE);
    }
}
