//! Reference server for 巡访 Xunfang.
//!
//! # Usage
//!
//! ```text
//! xunfang-server serve --bind 127.0.0.1:8080 --dist dist --data data [--db FILE] [--cors-origin ORIGIN]... [--max-blob-bytes N]
//! xunfang-server token create --team office [--label "tablet 3"] [--data DIR | --db FILE]
//! xunfang-server token list   [--data DIR | --db FILE]
//! xunfang-server token revoke <token-or-first-8-characters> [--data DIR | --db FILE]
//! ```
//!
//! `serve` serves the app and the sync endpoint; `cargo xtask serve` builds
//! the app and runs it with `--dist dist --data data`. Sync data lives in one
//! SQLite file, `<data>/xunfang.sqlite3` (or `--db FILE`). Each device syncs
//! with an access token: `token create` prints a new one once (only its hash
//! is stored); type it into the app's Settings. A token belongs to a team,
//! and a team sees only its own documents. `--cors-origin` (repeatable, `*`
//! for any) lets an app served from another origin call `/api`; by default
//! only the same origin can.
//!
//! # Static files
//!
//! Serves the app that trunk built into `dist/`:
//!
//! * `index.html` and service workers: `Cache-Control: no-cache`, so a new
//!   deployment is picked up on the next load;
//! * files whose name carries trunk's content hash (`xunfang-<hash>.js`,
//!   `xunfang-<hash>_bg.wasm`, `main-<hash>.css`): cached for a year,
//!   `immutable`;
//! * everything else: a short cache.
//!
//! Paths without a file extension that are not files (`/records/abc`,
//! `/people`) get `index.html`, so deep links work (SPA fallback); a missing
//! file with an extension is a 404. Responses are gzip/brotli compressed when
//! the client accepts it (wasm included). Static files are compressed once,
//! at the best ratio (brotli 11, gzip 9; brotli 5 in debug builds), and kept
//! in memory until the file changes ([`precompress`]); `serve` compresses
//! `dist/` before it says it runs. API responses are compressed on the fly.
//!
//! # API
//!
//! * `GET /api/health` answers `{"ok":true,"version":"..."}`.
//! * `POST /api/sync`: the native sync protocol (`docs/sync-protocol.md`),
//!   see [`sync`]. Validation and merging are `xunfang_core`'s; this crate
//!   only moves documents between HTTP and the database ([`store`]).
//! * `HEAD`/`GET`/`PUT /api/blobs/<sha256>`: photos, content-addressed and
//!   per team, stored in the same database; see [`blobs`].
//!
//! Errors are `{"error": "<message for a person>"}` with a 4xx/5xx status.

pub mod blobs;
pub mod precompress;
pub mod store;
pub mod sync;

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, Extensions, HeaderMap, HeaderValue, Method, StatusCode, Version};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;
use tower::ServiceExt;
use tower_http::compression::predicate::{DefaultPredicate, Predicate};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeFile;
use tower_http::trace::TraceLayer;
use xunfang_core::sync::{ErrorBody, MAX_REQUEST_BYTES};

pub use precompress::PrecompressCache;
pub use store::{Store, StoreError, Team};

/// `Cache-Control` for documents that must be revalidated on every load.
pub const NO_CACHE: &str = "no-cache";
/// `Cache-Control` for content-hashed assets.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` for other static files (icons, manifest, copied assets).
pub const SHORT_CACHE: &str = "public, max-age=300";

/// Server version, reported by `/api/health`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Shared state of the router.
#[derive(Debug, Clone)]
pub struct AppState {
    dist: Arc<PathBuf>,
    store: Option<Store>,
    max_blob_bytes: usize,
    precompressed: PrecompressCache,
}

impl AppState {
    pub fn new(dist: impl Into<PathBuf>) -> Self {
        Self {
            dist: Arc::new(dist.into()),
            store: None,
            max_blob_bytes: blobs::DEFAULT_MAX_BLOB_BYTES,
            precompressed: PrecompressCache::new(),
        }
    }

    /// The static files compressed so far (`warm` it at start-up).
    pub fn precompressed(&self) -> &PrecompressCache {
        &self.precompressed
    }

    /// The largest photo `PUT /api/blobs/…` accepts (default
    /// [`blobs::DEFAULT_MAX_BLOB_BYTES`], 8 MiB).
    pub fn with_max_blob_bytes(mut self, bytes: usize) -> Self {
        self.max_blob_bytes = bytes;
        self
    }

    pub fn max_blob_bytes(&self) -> usize {
        self.max_blob_bytes
    }

    /// Serves sync from `store`.
    pub fn with_store(mut self, store: Store) -> Self {
        self.store = Some(store);
        self
    }

    pub fn dist(&self) -> &Path {
        &self.dist
    }

    /// The sync database, or the error that says sync is off.
    pub fn store(&self) -> Result<&Store, AppError> {
        self.store.as_ref().ok_or(AppError::SyncDisabled)
    }
}

/// Which other origins may call `/api` (CORS).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Cors {
    /// Same origin only (no CORS headers).
    #[default]
    SameOrigin,
    /// Any origin (`--cors-origin '*'`).
    Any,
    /// These origins (`https://app.example.org`).
    Origins(Vec<HeaderValue>),
}

impl Cors {
    /// From the `--cors-origin` values; `*` among them means any.
    pub fn from_args(origins: &[String]) -> Result<Cors, String> {
        if origins.is_empty() {
            return Ok(Cors::SameOrigin);
        }
        if origins.iter().any(|o| o.trim() == "*") {
            return Ok(Cors::Any);
        }
        origins
            .iter()
            .map(|o| {
                let o = o.trim().trim_end_matches('/');
                let ok = (o.starts_with("http://") || o.starts_with("https://"))
                    && !o["https://".len().min(o.len())..].contains('/');
                match HeaderValue::from_str(o) {
                    Ok(v) if ok => Ok(v),
                    _ => Err(format!(
                        "--cors-origin {o:?} is not an origin; write it as scheme://host[:port], e.g. https://app.example.org, or * for any"
                    )),
                }
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Cors::Origins)
    }

    fn layer(&self) -> Option<CorsLayer> {
        let origin = match self {
            Cors::SameOrigin => return None,
            Cors::Any => AllowOrigin::any(),
            Cors::Origins(list) => AllowOrigin::list(list.clone()),
        };
        Some(
            CorsLayer::new()
                .allow_origin(origin)
                .allow_methods([
                    Method::GET,
                    Method::HEAD,
                    Method::POST,
                    Method::PUT,
                    Method::OPTIONS,
                ])
                .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
                // So the app can read a photo's hash back from a response.
                .expose_headers([header::ETAG])
                .max_age(std::time::Duration::from_secs(3600)),
        )
    }
}

/// Builds the application router serving `dist`, without sync
/// (`/api/sync` answers 503).
pub fn router(dist: impl Into<PathBuf>) -> Router {
    app(AppState::new(dist), &Cors::SameOrigin)
}

/// Builds the application router: the static app, `/api/health` and, when
/// the state has a store, `/api/sync` and `/api/blobs/<sha256>`.
pub fn app(state: AppState, cors: &Cors) -> Router {
    // Static files come compressed from `precompress` (brotli 11, once);
    // this layer compresses the rest on the fly: API answers, and a static
    // file the cache does not hold (one changing underfoot, over 32 MiB).
    // Level 5 keeps brotli fast enough for that (11 takes seconds a megabyte).
    // Photos are already compressed (and served as stored, with their length
    // and hash as ETag): responses marked `Uncompressed` are left alone.
    let compression = CompressionLayer::new()
        .gzip(true)
        .br(true)
        .quality(CompressionLevel::Precise(5))
        .compress_when(DefaultPredicate::new().and(
            |_: StatusCode, _: Version, _: &HeaderMap, extensions: &Extensions| {
                extensions.get::<blobs::Uncompressed>().is_none()
            },
        ));
    // Sync answers are JSON made per request (a page of 500 documents is
    // ~4 MB): the fastest levels still shrink it ~8× for a thin connection,
    // where level 5 spent more time compressing than a loopback sync took
    // for everything else. The outer layer leaves an encoded answer alone.
    let sync_compression = CompressionLayer::new().gzip(true).br(true).quality(CompressionLevel::Fastest);
    let sync_route = Router::new()
        .route("/api/sync", post(sync::sync).layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES)))
        .layer(sync_compression);
    let mut api = Router::new()
        .route("/api/health", get(health))
        .merge(sync_route)
        // The PUT reads its body itself, up to the state's `max_blob_bytes`.
        .route(
            "/api/blobs/{hash}",
            get(blobs::get_blob)
                .head(blobs::head_blob)
                .put(blobs::put_blob)
                .fallback(blobs::method_not_allowed),
        )
        .route("/api/{*rest}", axum::routing::any(api_not_found));
    if let Some(cors) = cors.layer() {
        api = api.layer(cors);
    }
    api.fallback(static_file)
        .with_state(state)
        .layer(compression)
        .layer(TraceLayer::new_for_http())
}

/// Everything that can go wrong while answering a request.
#[derive(Debug)]
pub enum AppError {
    /// No such file (or an unknown API route).
    NotFound,
    /// A path with `..`, a drive prefix or similar.
    BadPath,
    /// Only GET and HEAD are served for static files.
    MethodNotAllowed,
    /// `dist/index.html` is missing: the app has not been built.
    NotBuilt,
    /// Unexpected I/O trouble.
    Io(std::io::Error),
    /// No token, or one the server does not know (or revoked).
    Unauthorized(&'static str),
    /// A request the server cannot read (not JSON, wrong shape, protocol).
    BadRequest(String),
    /// The body is over `MAX_REQUEST_BYTES`.
    TooLarge,
    /// A photo over the server's blob limit (the limit, in bytes).
    BlobTooLarge(usize),
    /// A photo upload with a `Content-Type` that is not a picture.
    UnsupportedMediaType(String),
    /// The team has no blob with this hash.
    BlobNotFound,
    /// The server runs without a sync database.
    SyncDisabled,
    /// The database failed.
    Store(StoreError),
    /// A blocking task died.
    Internal(String),
}

impl From<std::io::Error> for AppError {
    fn from(err: std::io::Error) -> Self {
        AppError::Io(err)
    }
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        AppError::Store(err)
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AppError::NotFound => f.write_str("not found"),
            AppError::BadPath => f.write_str("bad path"),
            AppError::MethodNotAllowed => f.write_str("method not allowed"),
            AppError::NotBuilt => f.write_str(
                "the app has not been built (dist/index.html is missing); run `cargo xtask serve`",
            ),
            AppError::Io(err) => write!(f, "i/o error: {err}"),
            AppError::Unauthorized(why) => f.write_str(why),
            AppError::BadRequest(why) => f.write_str(why),
            AppError::TooLarge => write!(
                f,
                "the request is larger than the server accepts ({} MiB); sync fewer or smaller documents at once",
                MAX_REQUEST_BYTES / (1024 * 1024)
            ),
            AppError::BlobTooLarge(limit) => write!(
                f,
                "the photo is larger than the server accepts ({}); shrink it and send it again",
                blobs::human_bytes(*limit)
            ),
            AppError::UnsupportedMediaType(why) => f.write_str(why),
            AppError::BlobNotFound => f.write_str(
                "the server has no photo with this hash for your team; it has not been uploaded yet",
            ),
            AppError::SyncDisabled => f.write_str("this server has no sync database; sync is not available here"),
            AppError::Store(_) | AppError::Internal(_) => f.write_str(
                "the server could not read or write its database; try again later, and tell the administrator if this persists",
            ),
        }
    }
}

impl std::error::Error for AppError {}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = match &self {
            AppError::NotFound | AppError::BlobNotFound => StatusCode::NOT_FOUND,
            AppError::BadPath | AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::NotBuilt | AppError::SyncDisabled => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::TooLarge | AppError::BlobTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Io(err) => {
                tracing::error!(error = %err, "i/o error while serving a request");
                StatusCode::INTERNAL_SERVER_ERROR
            }
            AppError::Store(err) => {
                tracing::error!(error = %err, "database error while serving a request");
                StatusCode::INTERNAL_SERVER_ERROR
            }
            AppError::Internal(err) => {
                tracing::error!(error = %err, "internal error while serving a request");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        let body = ErrorBody {
            error: self.to_string(),
        };
        let mut response = (status, Json(body)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        match self {
            AppError::MethodNotAllowed => {
                headers.insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
            }
            AppError::Unauthorized(_) => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            _ => {}
        }
        response
    }
}

#[derive(Serialize)]
struct Health {
    ok: bool,
    version: &'static str,
}

async fn health() -> impl IntoResponse {
    (
        [(header::CACHE_CONTROL, "no-store")],
        Json(Health {
            ok: true,
            version: VERSION,
        }),
    )
}

async fn api_not_found() -> AppError {
    AppError::NotFound
}

/// Serves a file from `dist`, or `index.html` for extension-less paths.
async fn static_file(State(state): State<AppState>, req: Request) -> Result<Response, AppError> {
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
    let response = ServeFile::new_with_mime(path, &mime)
        .oneshot(req)
        .await
        .unwrap_or_else(|never| match never {});
    let mut response = response.map(Body::new);
    // What the compression layer would compress, from memory instead: the
    // same headers it sets (Content-Encoding, Vary, no Accept-Ranges), plus
    // the length, which is now known. (HEAD answers have an empty body, which
    // the layer's predicate never compresses: they stay as they were.)
    if let Some(encoding) = encoding.filter(|_| {
        whole && response.status() == StatusCode::OK && DefaultPredicate::new().should_compress(&response)
    }) {
        if let Some(bytes) = state.precompressed.get(path, encoding).await {
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
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    }
    Ok(response)
}

async fn is_file(path: &Path) -> bool {
    tokio::fs::metadata(path)
        .await
        .map(|m| m.is_file())
        .unwrap_or(false)
}

async fn is_dir(path: &Path) -> bool {
    tokio::fs::metadata(path)
        .await
        .map(|m| m.is_dir())
        .unwrap_or(false)
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
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
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
        Some((base, hash)) => {
            !base.is_empty()
                && (10..=64).contains(&hash.len())
                && hash.bytes().all(|b| b.is_ascii_hexdigit())
        }
        None => false,
    }
}

/// Binds `addr`, turning the usual failures into friendly messages.
pub async fn bind(addr: &str) -> Result<tokio::net::TcpListener, String> {
    match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => Ok(listener),
        Err(err) => Err(match err.kind() {
            std::io::ErrorKind::AddrInUse => format!(
                "address {addr} is already in use (is another Xunfang server running?). \
                 Stop it or pick another address, e.g. --bind 127.0.0.1:8081"
            ),
            std::io::ErrorKind::PermissionDenied => format!(
                "not allowed to listen on {addr} (ports below 1024 need privileges). \
                 Pick another address with --bind, e.g. --bind 127.0.0.1:8080"
            ),
            std::io::ErrorKind::AddrNotAvailable => format!(
                "address {addr} is not available on this machine. \
                 Pick another with --bind, e.g. --bind 127.0.0.1:8080"
            ),
            _ => format!("cannot listen on {addr}: {err}. Pick another address with --bind"),
        }),
    }
}

/// Serves `app` on `listener` until Ctrl-C or SIGTERM.
pub async fn serve_until_shutdown(
    listener: tokio::net::TcpListener,
    app: Router,
) -> std::io::Result<()> {
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
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
        assert_eq!(
            cache_control_for(Path::new("xunfang-1a2b3c4d5e6f7a8b_bg.wasm")),
            IMMUTABLE
        );
        assert_eq!(cache_control_for(Path::new("icon.png")), SHORT_CACHE);
    }
}
