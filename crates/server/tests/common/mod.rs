//! Fixtures the server's integration tests share: the router over a fresh
//! database (SQLite in a temporary directory, or, when
//! `XUNFANG_TEST_POSTGRES` names a PostgreSQL cluster, a database of its
//! own there: see [`backend`]), requests sent through tower's `oneshot`,
//! answers read whole, and sample documents.

// Each test file is its own crate and uses only part of this.
#![allow(dead_code)]

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;
use xunfang_core::{Activity, DeviceId, Document, Hlc, Id, Stamp};
use xunfang_server::blobs::DEFAULT_MAX_BLOB_BYTES;
use xunfang_server::limits::Limits;
use xunfang_server::{AppState, Cors};

pub mod backend;
#[allow(unused_imports)]
pub use backend::{on_postgres, sqlite_only, TestStore};

/// A server with a database: the directory (its `dist/` holds a stub
/// `index.html`), the store, and the router over both.
pub struct Fx {
    pub dir: tempfile::TempDir,
    pub store: TestStore,
    pub app: Router,
}

/// `fx_with` the defaults: same origin only, 8 MiB photos.
pub fn fx() -> Fx {
    fx_with(&Cors::SameOrigin, DEFAULT_MAX_BLOB_BYTES)
}

pub fn fx_with(cors: &Cors, max_blob_bytes: usize) -> Fx {
    fx_state(cors, |state| state.with_max_blob_bytes(max_blob_bytes))
}

/// `fx` with these limits (rate, byte cap, quotas).
pub fn fx_limits(limits: Limits) -> Fx {
    fx_state(&Cors::SameOrigin, |state| state.with_limits(limits))
}

/// `fx`, and the state its router serves (for a second router over it, such as the metrics').
pub fn fx_shared() -> (Fx, AppState) {
    let mut shared = None;
    let f = fx_state(&Cors::SameOrigin, |state| {
        shared = Some(state.clone());
        state
    });
    (f, shared.expect("fx_state configures the state"))
}

fn fx_state(cors: &Cors, configure: impl FnOnce(AppState) -> AppState) -> Fx {
    fx_in(tempfile::tempdir().unwrap(), None, cors, configure)
}

/// `fx` over the SQLite file `db` (made elsewhere, e.g. by an older schema).
pub fn fx_on(db: &std::path::Path) -> Fx {
    fx_in(tempfile::tempdir().unwrap(), Some(db), &Cors::SameOrigin, |state| state)
}

/// A fixture in `dir` over `db`, or a fresh database of the suite's backend.
fn fx_in(dir: tempfile::TempDir, db: Option<&std::path::Path>, cors: &Cors, configure: impl FnOnce(AppState) -> AppState) -> Fx {
    std::fs::write(dir.path().join("index.html"), "<!DOCTYPE html>").unwrap();
    let store = match db {
        Some(db) => TestStore::Sqlite(xunfang_server::SqliteStore::open(db).unwrap()),
        None => TestStore::fresh(dir.path()),
    };
    let state = configure(AppState::new(dir.path()).with_store(store.clone()));
    let app = xunfang_server::app(state, cors);
    Fx { dir, store, app }
}

impl Fx {
    /// A new token of `team` (the team is made if new).
    pub fn token(&self, team: &str) -> String {
        self.store.create_token(team, "").unwrap()
    }

    /// One `POST /api/sync` that must succeed; its JSON answer.
    pub async fn sync(&self, token: &str, body: Value) -> Value {
        sync(&self.app, token, body).await
    }

    /// A sync of `device` that pushes `docs` (and pulls with the default limit).
    pub async fn push(&self, token: &str, device: &str, cursor: Option<u64>, docs: Vec<Value>) -> Value {
        self.sync(token, sync_body(device, cursor, docs, None)).await
    }

    /// A sync of `device` that only pulls, at most `limit` documents.
    pub async fn pull(&self, token: &str, device: &str, cursor: Option<u64>, limit: Option<usize>) -> Value {
        self.sync(token, sync_body(device, cursor, vec![], limit)).await
    }
}

/// An answer, read whole.
pub struct Res {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Res {
    /// The body as JSON; the answer must say it is JSON.
    pub fn json(&self) -> Value {
        let ct = self.header_or_empty(header::CONTENT_TYPE);
        assert!(ct.starts_with("application/json"), "{}: content type {ct:?}", self.status);
        serde_json::from_slice(&self.body).unwrap()
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8(self.body.to_vec()).unwrap()
    }

    /// The `{"error": ...}` message.
    pub fn error(&self) -> String {
        let json = self.json();
        json["error"].as_str().unwrap_or_else(|| panic!("no error message in {json}")).to_string()
    }

    /// Asserts a refusal: this status, and a message that says `says`.
    pub fn assert_refused(&self, status: StatusCode, says: &str) {
        assert_eq!(self.status, status, "{:?}", self.body);
        let error = self.error();
        assert!(error.contains(says), "{error}");
    }

    /// A header that must be there.
    pub fn header(&self, name: header::HeaderName) -> &str {
        self.headers.get(&name).unwrap_or_else(|| panic!("no {name} header")).to_str().unwrap()
    }

    /// A header, or "" when absent.
    pub fn header_or_empty(&self, name: header::HeaderName) -> &str {
        self.headers.get(&name).map(|v| v.to_str().unwrap()).unwrap_or_default()
    }
}

/// Sends `req` through the router and reads the whole answer.
pub async fn call(app: &Router, req: Request<Body>) -> Res {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    Res { status, headers, body }
}

/// A `POST /api/sync` with the token and content type given.
pub fn sync_request(token: Option<&str>, content_type: Option<&str>, body: impl Into<Body>) -> Request<Body> {
    let mut req = Request::post("/api/sync");
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    if let Some(ct) = content_type {
        req = req.header(header::CONTENT_TYPE, ct);
    }
    req.body(body.into()).unwrap()
}

/// One `POST /api/sync` with a JSON body, whatever the answer.
pub async fn try_sync(app: &Router, token: &str, body: Value) -> Res {
    call(app, sync_request(Some(token), Some("application/json"), body.to_string())).await
}

/// One `POST /api/sync` that must succeed; its JSON answer.
pub async fn sync(app: &Router, token: &str, body: Value) -> Value {
    let req = sync_request(Some(token), Some("application/json"), body.to_string());
    let res = call(app, req).await;
    let json = res.json();
    assert_eq!(res.status, StatusCode::OK, "{json}");
    json
}

/// A sync request body, as this release's app sends it (it reads document format 2).
pub fn sync_body(device: &str, cursor: Option<u64>, push: Vec<Value>, pull_limit: Option<usize>) -> Value {
    json!({"protocol": 1, "device": device, "cursor": cursor, "push": push, "pull_limit": pull_limit, "reads_format": 2})
}

pub fn stamp(device: &str, millis: u64) -> Stamp {
    Stamp { hlc: Hlc { millis, counter: 0 }, device: DeviceId(device.into()) }
}

/// A distinct, valid id for each `n`.
pub fn id(n: u32) -> Id {
    let mut random = [0u8; 10];
    random[..4].copy_from_slice(&n.to_be_bytes());
    Id::new_v7(1_716_170_000_000 + n as u64, random)
}

pub fn activity(n: u32, device: &str, title: &str) -> Document<Activity> {
    Document::create(id(n), Activity { title: title.into(), ..Activity::default() }, stamp(device, 1_000 + n as u64))
}

/// `doc` after `change`, made on `device` at `millis`.
pub fn with_edit(doc: &Document<Activity>, device: &str, millis: u64, change: impl FnOnce(&mut Activity)) -> Document<Activity> {
    let mut doc = doc.clone();
    let mut body = doc.body.clone();
    change(&mut body);
    doc.edit(body, stamp(device, millis));
    doc
}

/// A document as pushed.
pub fn val<T: serde::Serialize>(doc: &T) -> Value {
    serde_json::to_value(doc).unwrap()
}
