//! The load bench's transport for one simulated tablet: `POST /api/sync` over HTTP/1.1 connections kept open
//! between requests (keep-alive, one per server instance, as a tablet's browser keeps them), each request to an instance at random.
//!
//! What it saves against the fault rig's `Spread` (a new connection per request, answers copied twice) is the
//! simulation's overhead, not the tablet's work: the request is still serialised and the answer still parsed by
//! core's types, as the app does.

use std::cell::{Cell, RefCell};
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use serde_json::Value;
use xunfang_core::sync::{SyncRequest, SyncResponse};
use xunfang_core::sync_client::{NativeTransport, SyncError};

use crate::fault::proxy::find;
use crate::fault::spread::Rng;

/// Longer heads are not an answer of this server (it sends a few hundred bytes).
const MAX_HEAD: usize = 16 * 1024;

/// One tablet's connections and what it pushed.
pub struct KeepAlive {
    addrs: Vec<SocketAddr>,
    token: String,
    rng: Cell<Rng>,
    /// The open connection to each of `addrs`, if any.
    conns: RefCell<Vec<Option<TcpStream>>>,
    /// Every request body sent through it, as sent: the check reads the
    /// documents pushed out of them after the measured phase ([`pushed`]),
    /// so keeping them costs a tablet no more than a copy of the bytes.
    pub sent: RefCell<Vec<Vec<u8>>>,
    /// Connections opened (a kept one the server had closed is opened again).
    pub connects: Cell<usize>,
}

impl KeepAlive {
    pub fn new(addrs: &[SocketAddr], token: &str, seed: u64) -> KeepAlive {
        KeepAlive {
            addrs: addrs.to_vec(),
            token: token.into(),
            rng: Cell::new(Rng::new(seed)),
            conns: RefCell::new(addrs.iter().map(|_| None).collect()),
            sent: RefCell::default(),
            connects: Cell::new(0),
        }
    }

    /// Opens a connection to each instance that has none yet: a tablet behind a proxy keeps one connection to it,
    /// and the proxy keeps its own to every instance, so no request of the measured sync waits for a handshake.
    pub fn open_all(&self) -> Result<(), String> {
        for n in 0..self.addrs.len() {
            if self.conns.borrow()[n].is_none() {
                let conn = self.connect(n)?;
                self.conns.borrow_mut()[n] = Some(conn);
            }
        }
        Ok(())
    }

    /// Status, body and `Retry-After` of one request to instance `n`, on its kept connection or a new one. A kept
    /// connection the server closed while it was idle (it ends idle connections) fails before any byte of an
    /// answer: then the request goes once more on a new connection, as a browser does. Any other failure is the
    /// tablet's error (it syncs again).
    fn post(&self, n: usize, body: &[u8]) -> Result<(u16, Vec<u8>, Option<String>), String> {
        let head = format!(
            "POST /api/sync HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            self.addrs[n],
            self.token,
            body.len()
        );
        let kept = self.conns.borrow_mut()[n].take();
        let reused = kept.is_some();
        let mut conn = match kept {
            Some(conn) => conn,
            None => self.connect(n)?,
        };
        let answer = match exchange(&mut conn, head.as_bytes(), body) {
            Err(Stale) if reused => {
                conn = self.connect(n)?;
                exchange(&mut conn, head.as_bytes(), body)
            }
            other => other,
        };
        let answer = answer.map_err(|Stale| "the server closed the connection before it answered".to_string())?;
        let answer = answer?;
        if answer.keep {
            self.conns.borrow_mut()[n] = Some(conn);
        }
        Ok((answer.status, answer.body, answer.retry_after))
    }

    fn connect(&self, n: usize) -> Result<TcpStream, String> {
        let conn = TcpStream::connect(self.addrs[n]).map_err(|e| e.to_string())?;
        // Small requests and answers go out at once rather than waiting for an acknowledgement.
        conn.set_nodelay(true).map_err(|e| e.to_string())?;
        // Only so that a broken run fails instead of hanging.
        conn.set_read_timeout(Some(Duration::from_secs(120))).map_err(|e| e.to_string())?;
        self.connects.set(self.connects.get() + 1);
        Ok(conn)
    }
}

impl NativeTransport for KeepAlive {
    async fn exchange(&self, request: &SyncRequest) -> Result<SyncResponse, SyncError> {
        let mut rng = self.rng.get();
        let n = rng.below(self.addrs.len());
        self.rng.set(rng);
        let body = serde_json::to_vec(request).map_err(|e| SyncError::BadResponse(e.to_string()))?;
        if !request.push.is_empty() {
            self.sent.borrow_mut().push(body.clone());
        }
        let (status, answer, retry_after) = self.post(n, &body).map_err(SyncError::Offline)?;
        if status == 200 {
            serde_json::from_slice(&answer).map_err(|e| SyncError::BadResponse(e.to_string()))
        } else {
            Err(SyncError::from_answer(status, &String::from_utf8_lossy(&answer), retry_after.as_deref()))
        }
    }
}

/// A kept connection that turned out closed before any byte of the answer came.
struct Stale;

/// An answer read whole.
struct Answer {
    status: u16,
    body: Vec<u8>,
    retry_after: Option<String>,
    /// Whether the connection may carry the next request.
    keep: bool,
}

/// Sends one request on `conn` and reads its answer (by `Content-Length`, or chunked).
fn exchange(conn: &mut TcpStream, head: &[u8], body: &[u8]) -> Result<Result<Answer, String>, Stale> {
    let sent = conn.write_all(head).and_then(|_| conn.write_all(body));
    if let Err(e) = sent {
        return if matches!(e.kind(), ErrorKind::BrokenPipe | ErrorKind::ConnectionReset) { Err(Stale) } else { Ok(Err(e.to_string())) };
    }
    let mut buf = Vec::with_capacity(64 * 1024);
    let head_end = loop {
        if let Some(at) = find(&buf, b"\r\n\r\n") {
            break at + 4;
        }
        if buf.len() > MAX_HEAD {
            return Ok(Err("the answer's head is too long".into()));
        }
        match read_more(conn, &mut buf) {
            Ok(0) if buf.is_empty() => return Err(Stale),
            Err(e) if buf.is_empty() && e.kind() == ErrorKind::ConnectionReset => return Err(Stale),
            Ok(0) => return Ok(Err("the connection closed in the middle of the answer's head".into())),
            Ok(_) => {}
            Err(e) => return Ok(Err(e.to_string())),
        }
    };
    Ok(read_answer(conn, buf, head_end))
}

/// The rest of an answer whose head ends at `head_end` of `buf`.
fn read_answer(conn: &mut TcpStream, mut buf: Vec<u8>, head_end: usize) -> Result<Answer, String> {
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).ok_or("no status line")?;
    let header = |name: &str| head.lines().find_map(|l| l.strip_prefix(name)).map(|v| v.trim().to_string());
    let keep = header("connection:").is_none_or(|v| v != "close");
    let retry_after = header("retry-after:");
    let body = if header("transfer-encoding:").is_some_and(|v| v.contains("chunked")) {
        read_chunked(conn, &mut buf, head_end)?
    } else {
        let length: usize = header("content-length:").and_then(|v| v.parse().ok()).ok_or("no Content-Length")?;
        fill(conn, &mut buf, head_end + length)?;
        buf.truncate(head_end + length);
        buf.drain(..head_end);
        buf
    };
    Ok(Answer { status, body, retry_after, keep })
}

/// A chunked body starting at `at` of `buf`, reading from `conn` as needed.
fn read_chunked(conn: &mut TcpStream, buf: &mut Vec<u8>, mut at: usize) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let line_end = loop {
            if let Some(end) = find(&buf[at..], b"\r\n") {
                break at + end;
            }
            if read_more(conn, buf).map_err(|e| e.to_string())? == 0 {
                return Err("the answer was cut off".into());
            }
        };
        let size_text = std::str::from_utf8(&buf[at..line_end]).map_err(|_| "a chunk size is not text")?;
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16).map_err(|_| "a chunk size is not a number")?;
        // The chunk and its CRLF (the last chunk: the CRLF that ends the trailers, none here).
        fill(conn, buf, line_end + 2 + size + 2)?;
        if size == 0 {
            return Ok(out);
        }
        out.extend_from_slice(&buf[line_end + 2..line_end + 2 + size]);
        at = line_end + 2 + size + 2;
    }
}

/// Reads from `conn` until `buf` holds `len` bytes.
fn fill(conn: &mut TcpStream, buf: &mut Vec<u8>, len: usize) -> Result<(), String> {
    buf.reserve(len.saturating_sub(buf.len()));
    while buf.len() < len {
        if read_more(conn, buf).map_err(|e| e.to_string())? == 0 {
            return Err(format!("the answer was cut off ({} of {len} bytes)", buf.len()));
        }
    }
    Ok(())
}

/// One read appended to `buf`; how many bytes came (0: the connection closed).
fn read_more(conn: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    let start = buf.len();
    buf.resize(start + 64 * 1024, 0);
    let got = conn.read(&mut buf[start..]);
    buf.truncate(start + *got.as_ref().unwrap_or(&0));
    got
}

/// Every document pushed in `bodies` (request bodies a [`KeepAlive`] kept), as sent, in order.
pub fn pushed(bodies: &[Vec<u8>]) -> Vec<Value> {
    bodies.iter().flat_map(|body| serde_json::from_slice::<SyncRequest>(body).expect("a request this tablet wrote").push).collect()
}
