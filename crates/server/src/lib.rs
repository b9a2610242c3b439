//! Reference server for 巡访 Xunfang.
//!
//! # Usage
//!
//! ```text
//! xunfang-server serve --bind 127.0.0.1:8080 --dist dist --data data [--db FILE] [--cors-origin ORIGIN]... [--max-blob-bytes N]
//!     [--max-clock-skew-hours HOURS] [--request-timeout SECONDS] [--max-concurrent N] [--rate-per-minute N] [--rate-burst N]
//!     [--max-pull-bytes BYTES] [--max-team-docs N] [--max-team-photo-bytes BYTES]
//!     [--database URL] [--pg-pool-size N] [--pg-lock-timeout SECONDS] [--pg-statement-timeout SECONDS]
//!     [--pg-idle-in-transaction-timeout SECONDS]
//!     [--tls-cert FILE --tls-key FILE | --no-tls] [--http-bind ADDR] [--trust-proxy]
//!     [--metrics-bind 127.0.0.1:9464 [--metrics-allow-remote]] [--config FILE]
//! xunfang-server tls init  --name office.lan --ip 192.168.1.10 [--name … --ip …] [--data DIR | --dir DIR]
//! xunfang-server tls renew [--name … --ip …] [--data DIR | --dir DIR]
//! xunfang-server token create --team office [--admin] [--label "tablet 3"] [--data DIR | --db FILE | --database URL]
//! xunfang-server token list   [--data DIR | --db FILE | --database URL]
//! xunfang-server token revoke <token-or-first-8-characters> [--data DIR | --db FILE | --database URL]
//! xunfang-server backup FILE  [--data DIR | --db FILE]
//! xunfang-server backup --into DIR [--keep 14] [--data DIR | --db FILE]
//! xunfang-server restore FILE [--data DIR | --db FILE]
//! ```
//!
//! `--database URL` (or `XUNFANG_DATABASE`) puts the data in PostgreSQL
//! instead (`postgres://…`, `postgresql://…` or libpq's `host=… dbname=…`),
//! where several servers can share it ([`store::postgres`]); `backup` and
//! `restore` then point to `pg_dump` and `pg_restore`.
//!
//! `serve` serves the app and the sync endpoint; `cargo xtask serve` builds
//! the app and runs it with `--dist dist --data data`. Sync data lives in one
//! SQLite file, `<data>/xunfang.sqlite3` (or `--db FILE`). Each device syncs
//! with an access token: `token create` prints a new one once (only its hash
//! is stored); type it into the app's Settings. A token belongs to a team,
//! and a team sees only its own documents. `--cors-origin` (repeatable, `*`
//! for any) lets an app served from another origin call `/api` ([`cors`]);
//! by default only the same origin can. `backup` writes a consistent copy
//! of the live database; `restore` (with the server stopped) puts one back
//! under a new epoch, so tablets push what the backup lacks
//! ([`store::backup`]). `--config FILE` (every command that opens the
//! database takes it) reads the options of `serve` from a TOML file, keys
//! named like the flags; flags win over it ([`config`]).
//!
//! HTTPS ([`tls`], rustls): with `--tls-cert/--tls-key`, or by default with
//! `DATA/tls/server.{crt,key}` that `tls init` made together with a local CA
//! ([`local_ca`]); `--http-bind` adds a plain-HTTP port that only redirects
//! to https and serves the CA set-up page ([`setup`]), or, while there is no
//! certificate yet (a fresh package install), serves the app itself. `--trust-proxy`
//! believes a reverse proxy's `X-Forwarded-Proto`. docs/deploy.md, HTTPS.
//!
//! # Routes
//!
//! * Static files: the app built into `dist/` ([`static_files`]), gzip/brotli
//!   compressed once at the best ratio and kept in memory ([`precompress`]);
//!   `serve` compresses `dist/` before it says it runs. API responses are
//!   compressed on the fly.
//! * `GET /api/health` answers `{"ok":true}`, or 503 `{"ok":false}` when the
//!   database does not answer (nothing more an outsider could use: no
//!   version, no paths). The version, the database's state and the counters
//!   are on a listener of their own for monitors, off the public port
//!   (`--metrics-bind`, loopback only unless `--metrics-allow-remote`):
//!   `/api/health` and `/metrics` there ([`metrics`]).
//! * `POST /api/sync`: the native sync protocol (`docs/sync-protocol.md`),
//!   see [`sync`]. Validation and merging are `xunfang_core`'s; this crate
//!   only moves documents between HTTP and a database behind the store seam
//!   ([`store`]; SQLite is [`store::sqlite`]).
//! * `HEAD`/`GET`/`PUT /api/blobs/<sha256>`: photos, content-addressed and
//!   per team, stored in the same database; see [`blobs`].
//! * `/api/devices…`: an office's admin token manages the team's tablets
//!   (list, add with a single-use set-up code, revoke); a tablet claims its
//!   code for a device token; see [`devices`].
//! * `GET /api/whoami`: the team (id and name) of the request's sync token,
//!   for a tablet to keep teams apart; see [`devices`].
//! * `GET /setup/ca` and `/setup/ca.crt`: how a tablet trusts the local CA,
//!   and its certificate ([`setup`]; merged in by `serve`).
//!
//! Errors are `{"error": "<message for a person>"}` with a 4xx/5xx status,
//! all worded in [`error`]; internal details only go to the log.
//!
//! Every request is held to [`limits`] (a deadline, a cap on requests at
//! once, a rate per token, quotas per team) and every answer carries the
//! security headers of [`headers`]. The request log names the method and
//! the path, never the query (a set-up link carries a token in it) or a
//! header.

pub mod auth;
pub mod backup_dir;
pub mod blobs;
pub mod config;
pub mod cors;
pub mod devices;
pub mod error;
pub mod headers;
pub mod limits;
pub mod listen;
pub mod local_ca;
pub mod metrics;
pub mod precompress;
pub mod setup;
pub mod state;
pub mod static_files;
pub mod store;
pub mod sync;
pub mod tls;

use axum::extract::DefaultBodyLimit;
use axum::http::Request;
use axum::http::{Extensions, HeaderMap, StatusCode, Version};
use axum::routing::{get, post};
use axum::Router;
use std::path::PathBuf;
use tower_http::compression::predicate::{DefaultPredicate, Predicate};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::trace::TraceLayer;
use xunfang_core::sync::MAX_REQUEST_BYTES;

pub use cors::Cors;
pub use error::AppError;
pub use listen::{bind, serve_until_shutdown};
pub use precompress::PrecompressCache;
pub use state::AppState;
pub use store::{PgStore, SqliteStore, StoreError, SyncStore, Team};

/// Server version (the `--version` of the binary; not told to clients).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

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
    let compression = CompressionLayer::new().gzip(true).br(true).quality(CompressionLevel::Precise(5)).compress_when(
        DefaultPredicate::new().and(|_: StatusCode, _: Version, _: &HeaderMap, extensions: &Extensions| extensions.get::<blobs::Uncompressed>().is_none()),
    );
    // Sync answers are JSON made per request (a page of 500 documents is
    // ~4 MB): the fastest levels still shrink it ~8× for a thin connection,
    // where level 5 spent more time compressing than a loopback sync took
    // for everything else. The outer layer leaves an encoded answer alone.
    let sync_compression = CompressionLayer::new().gzip(true).br(true).quality(CompressionLevel::Fastest);
    let sync_route = Router::new().route("/api/sync", post(sync::sync).layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES))).layer(sync_compression);
    let mut api = Router::new()
        .route("/api/health", get(metrics::public_health))
        .merge(sync_route)
        // The PUT reads its body itself, up to the state's `max_blob_bytes`.
        .route("/api/blobs/{hash}", get(blobs::get_blob).head(blobs::head_blob).put(blobs::put_blob).fallback(blobs::method_not_allowed))
        .merge(devices_routes())
        .route("/api/{*rest}", axum::routing::any(api_not_found));
    if let Some(cors) = cors.layer() {
        api = api.layer(cors);
    }
    let gate = limits::Gate::new(state.limits());
    let counters = state.metrics().clone();
    // Outermost first: the log sees every request; the headers go on every
    // answer, refusals of the gate included; the metrics time and count
    // those refusals too.
    api.fallback(static_files::static_file)
        .with_state(state)
        .layer(compression)
        .layer(axum::middleware::from_fn_with_state(gate, limits::gate))
        .layer(axum::middleware::from_fn_with_state(counters, metrics::record))
        .layer(axum::middleware::from_fn(headers::security_headers))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
}

/// The devices API ([`devices`]), its bodies held to a few KiB.
fn devices_routes() -> Router<AppState> {
    Router::new()
        .route("/api/devices", get(devices::list).post(devices::add))
        .route("/api/devices/claim", post(devices::claim))
        .route("/api/devices/{id}/revoke", post(devices::revoke))
        .route("/api/whoami", get(devices::whoami))
        .layer(DefaultBodyLimit::max(devices::MAX_BODY_BYTES))
}

/// The request's log span: method and path only. The query may hold a
/// set-up link's token and the headers the bearer token; neither is logged.
fn request_span<B>(request: &Request<B>) -> tracing::Span {
    tracing::debug_span!("request", method = %request.method(), path = %request.uri().path())
}

async fn api_not_found() -> AppError {
    AppError::NotFound
}
