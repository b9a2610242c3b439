//! A tablet for the fault tests: core's sync engine (`sync_native`) with
//! its documents, outbox and cursor in core's `MemoryStore`, talking
//! HTTP/1.1 over a real TCP connection (one request per connection) to the
//! proxy or the server.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use serde_json::Value;
use xunfang_core::clock::{ClockBound, DEFAULT_MAX_SKEW_MILLIS};
use xunfang_core::sync::{AnyDoc, SyncRequest, SyncResponse};
use xunfang_core::sync_client::memory::MemoryStore;
use xunfang_core::sync_client::{sync_native, NativeTransport, Progress, SyncError};
use xunfang_core::{Activity, DeviceId, Document, Hlc, Id, Stamp, Suggestion};

use super::proxy::find;

/// Runs of the engine `settle_via` tries.
pub const ATTEMPTS: u32 = 30;

/// A tablet; its store's maps (`docs`, `outbox`) are reached through `Deref`.
pub struct Tablet {
    pub name: String,
    pub store: MemoryStore,
    clock: Cell<u64>,
    made: Cell<u32>,
    /// Where it syncs, and with which token.
    pub endpoint: Cell<SocketAddr>,
    token: String,
}

impl Tablet {
    pub fn new(name: &str, endpoint: SocketAddr, token: &str) -> Tablet {
        Tablet {
            name: name.into(),
            store: MemoryStore::default(),
            clock: Cell::new(1_716_170_000_000),
            made: Cell::new(0),
            endpoint: Cell::new(endpoint),
            token: token.into(),
        }
    }

    fn tick(&self) -> Stamp {
        // After everything seen from elsewhere, as the app's device clock.
        self.clock.set(self.clock.get().max(self.store.seen_millis.get()) + 1);
        Stamp { hlc: Hlc { millis: self.clock.get(), counter: 0 }, device: DeviceId(self.name.clone()) }
    }

    fn keep(&self, doc: Document<Activity>) {
        self.store.write(AnyDoc::Activity(doc));
    }

    /// A new record, made on this tablet.
    pub fn record(&self, title: &str) -> Id {
        self.made.set(self.made.get() + 1);
        let mut random = [0u8; 10];
        random[..4].copy_from_slice(&self.made.get().to_be_bytes());
        random[4..].copy_from_slice(&self.tag());
        let id = Id::new_v7(self.clock.get(), random);
        self.keep(Document::create(id.clone(), Activity { kind: "visit".into(), title: title.into(), ..Activity::default() }, self.tick()));
        id
    }

    /// Six bytes that tell this tablet's ids from another's (the end of its
    /// name: "tablet-a" and "tablet-b" differ there).
    fn tag(&self) -> [u8; 6] {
        let mut tag = [b'.'; 6];
        for (t, b) in tag.iter_mut().rev().zip(self.name.bytes().rev()) {
            *t = b;
        }
        tag
    }

    /// Edits a record it holds.
    pub fn edit(&self, id: &Id, change: impl FnOnce(&mut Activity)) {
        let mut doc = self.activity(id);
        let mut body = doc.body.clone();
        change(&mut body);
        doc.edit(body, self.tick());
        self.keep(doc);
    }

    /// Adds a suggestion with a fresh id to a record.
    pub fn suggest(&self, id: &Id, content: &str) {
        self.made.set(self.made.get() + 1);
        let mut random = [7u8; 10];
        random[..4].copy_from_slice(&self.made.get().to_be_bytes());
        random[4..].copy_from_slice(&self.tag());
        let sid = Id::new_v7(self.clock.get(), random);
        self.edit(id, |a| a.suggestions.push(Suggestion { content: content.into(), ..Suggestion::new(sid) }));
    }

    pub fn activity(&self, id: &Id) -> Document<Activity> {
        match self.docs.borrow().get(id) {
            Some(AnyDoc::Activity(d)) => d.clone(),
            other => panic!("{}: no activity {id}: {other:?}", self.name),
        }
    }

    /// Every document as JSON, by id.
    pub fn snapshot(&self) -> BTreeMap<String, Value> {
        self.docs.borrow().iter().map(|(id, d)| (id.to_string(), d.to_value())).collect()
    }

    /// One run of the engine; faults make it fail.
    pub fn sync_once(&self) -> Result<Progress, SyncError> {
        self.sync_via(&Http::new(self.endpoint.get(), &self.token))
    }

    /// One run of the engine over `transport` (which may spread the
    /// requests over several servers).
    pub fn sync_via(&self, transport: &impl NativeTransport) -> Result<Progress, SyncError> {
        // Checked against the real clock, as a tablet does (its own stamps start in 2024).
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64;
        let bound = ClockBound::new(now, DEFAULT_MAX_SKEW_MILLIS);
        block_on(sync_native(&self.store, transport, &self.name, bound, |_| {}, || false))
    }

    /// Syncs over `transport` until nothing waits, at most [`ATTEMPTS`]
    /// runs (a growing pause after each that fails); the last failure if none succeeds.
    pub fn settle_via(&self, transport: &impl NativeTransport) -> Result<(), String> {
        let mut last = String::new();
        for attempt in 0..ATTEMPTS {
            match self.sync_via(transport) {
                Ok(p) if p.waiting == 0 => return Ok(()),
                Ok(p) => last = format!("{} still waiting", p.waiting),
                Err(e) => last = e.to_string(),
            }
            std::thread::sleep(Duration::from_millis(50 * u64::from(attempt + 1)));
        }
        Err(last)
    }

    /// Syncs until a run succeeds with nothing left to push.
    pub fn sync(&self) -> Progress {
        let mut last = None;
        for _ in 0..200 {
            match self.sync_once() {
                Ok(p) if p.waiting == 0 => return p,
                other => last = Some(other),
            }
        }
        panic!("{}: sync never completed: {last:?}", self.name);
    }
}

impl std::ops::Deref for Tablet {
    type Target = MemoryStore;
    fn deref(&self) -> &MemoryStore {
        &self.store
    }
}

/// `POST /api/sync` over a plain TCP connection.
pub struct Http {
    endpoint: SocketAddr,
    token: String,
}

impl Http {
    pub fn new(endpoint: SocketAddr, token: &str) -> Http {
        Http { endpoint, token: token.into() }
    }
}

impl NativeTransport for Http {
    async fn exchange(&self, request: &SyncRequest) -> Result<SyncResponse, SyncError> {
        let body = serde_json::to_vec(request).unwrap();
        let (status, answer) = post(self.endpoint, &self.token, &body).map_err(SyncError::Offline)?;
        let text = String::from_utf8_lossy(&answer).into_owned();
        match status {
            200 => serde_json::from_slice(&answer).map_err(|e| SyncError::BadResponse(e.to_string())),
            401 | 403 => Err(SyncError::Unauthorized(text)),
            500.. => Err(SyncError::Server { status, message: text }),
            _ => Err(SyncError::Refused { status, message: text }),
        }
    }
}

/// One request on its own connection; the status and the whole body, or
/// why there is none (refused, cut, closed early).
pub fn post(endpoint: SocketAddr, token: &str, body: &[u8]) -> Result<(u16, Vec<u8>), String> {
    request(endpoint, "POST /api/sync", token, "application/json", body)
}

/// One request (`line`: method and path) on its own connection, as [`post`].
pub fn request(endpoint: SocketAddr, line: &str, token: &str, content_type: &str, body: &[u8]) -> Result<(u16, Vec<u8>), String> {
    let mut conn = TcpStream::connect(endpoint).map_err(|e| e.to_string())?;
    // Only so that a broken test fails instead of hanging.
    conn.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let head = format!(
        "{line} HTTP/1.1\r\nHost: {endpoint}\r\nAuthorization: Bearer {token}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    conn.write_all(head.as_bytes()).and_then(|_| conn.write_all(body)).map_err(|e| e.to_string())?;
    let mut answer = Vec::new();
    conn.read_to_end(&mut answer).map_err(|e| e.to_string())?;
    let head_end = find(&answer, b"\r\n\r\n").ok_or("the connection closed before an answer")? + 4;
    let head = String::from_utf8_lossy(&answer[..head_end]).to_ascii_lowercase();
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).ok_or("no status line")?;
    let body = answer[head_end..].to_vec();
    if head.contains("transfer-encoding: chunked") {
        return dechunk(&body).map(|b| (status, b)).ok_or_else(|| "the answer was cut off".into());
    }
    let length: usize = head.lines().find_map(|l| l.strip_prefix("content-length:")).and_then(|v| v.trim().parse().ok()).ok_or("no Content-Length")?;
    if body.len() < length {
        return Err(format!("the answer was cut off after {} of {length} bytes", body.len()));
    }
    Ok((status, body))
}

/// A chunked body, or `None` if it ends before its last chunk.
fn dechunk(mut rest: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = find(rest, b"\r\n")?;
        let size = usize::from_str_radix(std::str::from_utf8(&rest[..line_end]).ok()?.trim(), 16).ok()?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(rest.get(..size)?);
        rest = rest.get(size + 2..)?;
    }
}

/// Runs a future whose every step completes at once (the store is memory and
/// the transport blocks), as the engine's own tests do.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    let mut f = std::pin::pin!(f);
    match f.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(v) => v,
        std::task::Poll::Pending => panic!("nothing here waits"),
    }
}
