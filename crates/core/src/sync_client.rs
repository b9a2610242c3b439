//! The client side of sync, written against two narrow traits: a `LocalStore`
//! (IndexedDB in the app, memory in tests) and a transport for one of three
//! endpoint kinds (our native protocol, a plain REST collection, push only).
//!
//! Data flows one way: local edits enter the outbox with the document (one
//! transaction, the store's job); a sync pushes the outbox, pulls what others
//! wrote, merges it in with `merge`, and only then advances the cursor, so a
//! sync cut off anywhere resumes from its last confirmed cursor and repeats
//! nothing harmful: merging is idempotent. Not here: timers, retries, HTTP.

use crate::clock::{ClockBound, Stamp};
use crate::doc::DocType;
use crate::id::Id;
use crate::incoming::{merge_incoming, Keep, Outcome, Refusal};
use crate::sync::{admit_text, AnyDoc, PushError, SyncRequest, SyncResponse, MAX_ANSWER_BYTES, MAX_PULL_BATCH, MAX_PUSH_BATCH, PROTOCOL_VERSION};
use serde_json::Value;
use std::cell::Cell;
use std::collections::HashSet;
use std::fmt;

/// A document waiting in the outbox, as it will be sent.
#[derive(Clone, Debug, PartialEq)]
pub struct Pending {
    pub doc: AnyDoc,
}

impl Pending {
    /// What a confirmation must match to clear the outbox entry: an edit made
    /// while the push was under way changes it, and keeps the entry.
    pub fn mark(&self) -> (Id, Stamp) {
        (self.doc.id().clone(), updated(&self.doc))
    }
}

/// The document's latest change.
pub fn updated(doc: &AnyDoc) -> Stamp {
    match doc {
        AnyDoc::Activity(d) => d.updated.clone(),
        AnyDoc::Person(d) => d.updated.clone(),
        AnyDoc::Proposal(d) => d.updated.clone(),
        AnyDoc::OpinionReport(d) => d.updated.clone(),
        AnyDoc::TeamSettings(d) => d.updated.clone(),
    }
}

/// What the engine needs from local storage.
#[allow(async_fn_in_trait)] // used single-threaded in the browser; no Send bound wanted
pub trait LocalStore {
    /// Up to `limit` documents from the outbox, oldest change first,
    /// leaving out those in `skip` (refused earlier in the same sync).
    async fn pending(&self, limit: usize, skip: &HashSet<Id>) -> Result<Vec<Pending>, String>;
    /// How many documents wait in the outbox.
    async fn pending_count(&self) -> Result<usize, String>;
    /// Clears outbox entries whose document is unchanged since it was sent.
    async fn confirm(&self, sent: &[(Id, Stamp)]) -> Result<(), String>;
    /// Keeps the outbox entries of documents the server refused, each with
    /// the server's reason (shown on the record), unless the document
    /// changed since it was sent. A later local write clears the reason.
    async fn note_refused(&self, refused: &[((Id, Stamp), String)]) -> Result<(), String>;
    /// Merges `docs` into the local ones (see `absorb`) and, in the same
    /// transaction, stores `cursor` when given. A document stored as
    /// received (`push` false: the server's copy covers the local one)
    /// leaves the outbox, whatever change it waited with: the server has
    /// it, and an entry left behind would never match a confirmation.
    async fn absorb(&self, docs: Vec<Received>, cursor: Option<Cursor>) -> Result<(), String>;
    /// The last confirmed cursor of the native protocol.
    async fn cursor(&self) -> Result<Option<Cursor>, String>;
    /// Puts every local document in the outbox (the server answered in a new
    /// epoch: it may have lost what it had accepted from this device).
    async fn requeue_all(&self) -> Result<(), String>;
}

/// Where a device resumes the native protocol: the server's sequence number,
/// and the epoch of the database that issued it (`None`: stored before
/// epochs existed, or from a server without them). Stored as JSON by the app.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Cursor {
    pub seq: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch: Option<String>,
}

impl Cursor {
    /// The cursor an answer gives, in the answer's epoch.
    pub fn of(response: &SyncResponse) -> Cursor {
        Cursor { seq: response.cursor, epoch: response.epoch.clone() }
    }
}

/// Whether an answer in epoch `answer` to a request sent with `sent` comes
/// from another life of the server's database (restored from a backup): then
/// the server may have lost edits it had accepted from this device, so the
/// device pushes everything it holds. A cursor without epoch counts as
/// another life (it cannot be told apart, and pushing again is harmless);
/// no cursor (a first sync) or an answer without epoch (an older server)
/// does not.
pub fn new_epoch(sent: Option<&Cursor>, answer: Option<&str>) -> bool {
    match (sent, answer) {
        (Some(cursor), Some(answer)) => cursor.epoch.as_deref() != Some(answer),
        _ => false,
    }
}

/// A received document, and its JSON text as received.
#[derive(Clone, Debug, PartialEq)]
pub struct Received {
    pub doc: AnyDoc,
    /// The text `doc` was read from. When `absorb` stores the document
    /// unchanged (`push` false), a store can keep this text as it is
    /// instead of writing the document out again.
    pub json: String,
    /// `json` is in the current document format: kept as it is, it is what
    /// this build would write (an older format is written out again).
    pub current: bool,
}

impl Received {
    /// A document that came without text of its own: its text is written out.
    pub fn of(doc: AnyDoc) -> Received {
        let json = doc.to_json();
        Received { doc, json, current: true }
    }

    /// A document read from its text (any format this build reads), with no
    /// check of its clock readings: what `admit` adds for text from elsewhere.
    pub fn read(json: String) -> Result<Received, PushError> {
        let (doc, current) = AnyDoc::read_text(&json)?;
        Ok(Received { doc, json, current })
    }
}

/// What becomes of one received document.
#[derive(Clone, Debug, PartialEq)]
pub struct Absorbed {
    /// The document to store, if it changes what is stored.
    pub store: Option<AnyDoc>,
    /// The local copy knew something the received one did not: push it.
    pub push: bool,
    /// Why the received copy was not merged (the local copy is kept as it
    /// is), for a caller that tells the user.
    pub refused: Option<Refusal>,
    /// `store` is the received document itself (nothing merged into it): a
    /// store that keeps the text it came with needs not read that again.
    pub as_received: bool,
}

/// Merges a received document into the local copy by the one rule both
/// sides use (`incoming::merge_incoming`). Pure: the store calls it inside
/// its transaction. A received document that cannot merge (another type
/// under the same id) never overwrites the local copy: nothing is stored and
/// `refused` says why.
pub fn absorb(local: Option<&AnyDoc>, remote: AnyDoc) -> Absorbed {
    match merge_incoming(local, &remote) {
        Ok(Outcome { keep, stored_knew_more }) => {
            let (store, as_received) = match keep {
                Keep::Stored => (None, false),
                Keep::Incoming => (Some(remote), true),
                Keep::Merged(merged) => (Some(*merged), false),
            };
            Absorbed { store, push: stored_knew_more, refused: None, as_received }
        }
        Err(refusal) => Absorbed { store: None, push: false, refused: Some(refusal), as_received: false },
    }
}

/// Why a sync stopped. Every variant has a message a field worker can act on
/// (the app words them in the UI's language from the variant).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyncError {
    /// No connection, DNS failure, connection refused or cut.
    Offline(String),
    /// The token was missing, unknown or revoked (401/403).
    Unauthorized(String),
    /// The server failed (5xx): retry later.
    Server { status: u16, message: String },
    /// Too many requests from this device (429): retry, but not before the
    /// server's `Retry-After`.
    RateLimited { retry_after_secs: u64, message: String },
    /// The server refused the request itself (4xx other than auth): retrying
    /// the same request will not help.
    Refused { status: u16, message: String },
    /// The answer was not what the protocol says (not JSON, wrong shape).
    BadResponse(String),
    /// Local storage failed.
    Store(String),
    /// The server's answer was well formed but cannot be trusted (following
    /// it would loop forever or hold too much): nothing from it was stored.
    Untrusted(BadAnswer),
    /// The user interrupted it; what was confirmed stays confirmed.
    Interrupted,
    /// The office revoked this device's token (401 with reason
    /// `REASON_WITHDRAWN`): on purpose, so a person must act; the device's
    /// records and outbox stay as they are.
    Withdrawn,
    /// A set-up code the server would not take: its `reason`
    /// (`setup_unknown`, `setup_used`, `setup_expired`; the app words them).
    SetupCode(String),
}

impl SyncError {
    /// Whether trying again later can help (backoff), as opposed to needing
    /// a person (a new token, another address).
    pub fn retryable(&self) -> bool {
        matches!(
            self,
            SyncError::Offline(_)
                | SyncError::Server { .. }
                | SyncError::RateLimited { .. }
                | SyncError::BadResponse(_)
                | SyncError::Store(_)
                | SyncError::Untrusted(_)
        )
    }

    /// The error for an HTTP answer that is not a success: its status, the
    /// server's message, and its `Retry-After` header if any.
    /// A refusal from its status and body: our server's `{"error",
    /// "reason"?}` (a withdrawn device is told so), or the start of another
    /// server's text; `retry_after` as `from_status` takes it.
    pub fn from_answer(status: u16, body: &str, retry_after: Option<&str>) -> SyncError {
        let parsed = serde_json::from_str::<crate::sync::ErrorBody>(body).ok();
        match parsed.as_ref().and_then(|e| e.reason.as_deref()) {
            Some(crate::sync::REASON_WITHDRAWN) if status == 401 => return SyncError::Withdrawn,
            Some(reason) if reason.starts_with("setup_") && matches!(status, 404 | 410) => return SyncError::SetupCode(reason.chars().take(40).collect()),
            _ => {}
        }
        let message = parsed.map(|e| e.error).unwrap_or_else(|| body.chars().take(200).collect());
        SyncError::from_status(status, message, retry_after)
    }

    pub fn from_status(status: u16, message: String, retry_after: Option<&str>) -> SyncError {
        match status {
            401 | 403 => SyncError::Unauthorized(message),
            429 => SyncError::RateLimited { retry_after_secs: crate::backoff::retry_after_secs(retry_after), message },
            500..=599 => SyncError::Server { status, message },
            _ => SyncError::Refused { status, message },
        }
    }

    /// The seconds the server asked this device to wait before trying again.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            SyncError::RateLimited { retry_after_secs, .. } => Some(*retry_after_secs),
            _ => None,
        }
    }
}

impl fmt::Display for SyncError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SyncError::Offline(why) => write!(f, "no connection to the server ({why})"),
            SyncError::Unauthorized(why) => write!(f, "the server refused the token ({why})"),
            SyncError::Server { status, message } => write!(f, "the server answered {status}: {message}"),
            SyncError::Refused { status, message } => write!(f, "the server refused the request ({status}): {message}"),
            SyncError::RateLimited { retry_after_secs, message } => write!(f, "the server asked to wait {retry_after_secs} s: {message}"),
            SyncError::BadResponse(why) => write!(f, "the server's answer could not be read: {why}"),
            SyncError::Store(why) => write!(f, "local storage failed: {why}"),
            SyncError::Untrusted(why) => write!(f, "the server's answer was refused: {why}"),
            SyncError::Interrupted => write!(f, "sync was interrupted"),
            SyncError::Withdrawn => write!(f, "the office withdrew this device's access; its records stay on it"),
            SyncError::SetupCode(reason) => write!(f, "the set-up code was not accepted ({reason}); ask the office for a new set-up link"),
        }
    }
}

/// What is wrong with an answer the client refuses (see `check_answer`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BadAnswer {
    /// `more: true` with the cursor that was sent: asking again would get
    /// the same answer forever.
    CursorStuck { cursor: u64 },
    /// In the middle of a sync, a cursor before the one sent: pages would
    /// come round again and again.
    CursorBackwards { sent: u64, got: u64 },
    /// More documents than the request's `pull_limit`.
    TooManyDocs { asked: usize, got: usize },
    /// An answer larger than `MAX_ANSWER_BYTES`.
    TooLarge { bytes: u64 },
    /// A REST endpoint answered "not modified" to a request that named no
    /// earlier answer: there is nothing it could be the same as.
    NotModifiedUnasked,
    /// A REST endpoint kept sending full pages past `rest::MAX_PAGES`.
    EndlessPages { pages: usize },
}

impl fmt::Display for BadAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BadAnswer::CursorStuck { cursor } => write!(f, "it says more documents wait but its position ({cursor}) did not move"),
            BadAnswer::CursorBackwards { sent, got } => write!(f, "its position went back from {sent} to {got} in the middle of a sync"),
            BadAnswer::TooManyDocs { asked, got } => write!(f, "it sent {got} documents when at most {asked} were asked for"),
            BadAnswer::TooLarge { bytes } => write!(f, "it is {bytes} bytes, more than the {MAX_ANSWER_BYTES} bytes this app reads"),
            BadAnswer::NotModifiedUnasked => write!(f, "it answered \"not modified\" to a request that named no earlier answer"),
            BadAnswer::EndlessPages { pages } => write!(f, "it kept sending full pages after {pages} pages"),
        }
    }
}

/// Refuses an answer of `bytes` bytes (its `Content-Length`, or what has
/// been read of it so far) over `MAX_ANSWER_BYTES`, before it is read whole.
pub fn answer_fits(bytes: u64) -> Result<(), SyncError> {
    if bytes > MAX_ANSWER_BYTES as u64 {
        return Err(SyncError::Untrusted(BadAnswer::TooLarge { bytes }));
    }
    Ok(())
}

/// Reads an answer of the native protocol from its text, refusing one over
/// `MAX_ANSWER_BYTES`.
pub fn read_answer(text: &str) -> Result<SyncResponse, SyncError> {
    answer_fits(text.len() as u64)?;
    serde_json::from_str(text).map_err(|e| SyncError::BadResponse(e.to_string()))
}

/// How far a sync got, for "n of about m" and the header.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    pub pushed: usize,
    pub pulled: usize,
    /// Documents the server refused, with its reason (kept locally).
    pub rejected: Vec<(String, String)>,
    /// Documents the server sent that this device refused (`sync::admit`:
    /// a forged or far-future clock, an id not written canonically), by id
    /// as sent: not merged, the local copy kept as it was and still queued.
    pub refused: Vec<(String, PushError)>,
    /// Still waiting in the outbox when the sync ended.
    pub waiting: usize,
    /// About how many documents this sync will pull in all ("n of about
    /// m"): pulled so far plus what the server says remains.
    pub expected: usize,
}

/// Our native protocol: one request pushes a batch and pulls a batch.
#[allow(async_fn_in_trait)]
pub trait NativeTransport {
    async fn exchange(&self, request: &SyncRequest) -> Result<SyncResponse, SyncError>;
}

/// A plain REST collection (json-server and the like): list a collection,
/// write one document by id. The client merges; the server only stores.
#[allow(async_fn_in_trait)]
pub trait RestTransport {
    /// `GET <endpoint>/<query>` (`query` is the collection and, maybe,
    /// `?` and parameters), with `If-None-Match` / `If-Modified-Since` for
    /// what `conditions` holds. A 304 is `Listed::NotModified`.
    async fn list(&self, query: &str, conditions: &rest::Validators) -> Result<rest::Listed, SyncError>;
    /// `PUT <endpoint>/<collection>/<id>`; many servers answer 404 for an id they lack.
    async fn put(&self, collection: &str, id: &Id, doc: &Value) -> Result<(), SyncError>;
    /// `POST <endpoint>/<collection>`: the answer's text (what was stored).
    async fn post(&self, collection: &str, doc: &Value) -> Result<String, SyncError>;
    /// `DELETE <endpoint>/<collection>/<id>`, `id` as the server gave it (any text).
    async fn delete(&self, collection: &str, id: &str) -> Result<(), SyncError>;
}

/// An endpoint that only accepts data: each changed document is POSTed.
#[allow(async_fn_in_trait)]
pub trait PushTransport {
    async fn post(&self, doc: &Value) -> Result<(), SyncError>;
}

/// The REST collection a document type lives in.
pub const fn collection_of(doc_type: DocType) -> &'static str {
    match doc_type {
        DocType::Activity => "activities",
        DocType::Person => "people",
        DocType::Proposal => "proposals",
        DocType::OpinionReport => "opinion_reports",
        DocType::TeamSettings => "team_settings",
    }
}

/// The collections a REST sync reads: one per document type.
pub const REST_COLLECTIONS: [&str; 5] = [
    collection_of(DocType::Activity),
    collection_of(DocType::Person),
    collection_of(DocType::Proposal),
    collection_of(DocType::OpinionReport),
    collection_of(DocType::TeamSettings),
];

fn store_err(e: String) -> SyncError {
    SyncError::Store(e)
}

/// Runs the native protocol until the outbox is empty and nothing more is
/// waiting on the server. `progress` is told after every round trip;
/// `interrupted` is asked before each one. What the server sends passes
/// `sync::admit` with `bound` (this device's clock) before it is merged.
///
/// Every answer is checked before anything in it is acted on
/// (`check_answer`): one that would make this loop forever (a cursor that
/// does not move, or goes back, while `more` says to go on) or that holds
/// more than was asked for stops the sync with `SyncError::Untrusted`, and
/// nothing from it is stored or confirmed. A document the server refuses
/// stays in the outbox with the server's reason and is not sent again in
/// this sync (the next sync tries it again: the server may have been
/// updated).
///
/// Memory: one answer is being stored while at most one more (the next
/// page of a pull-only round, asked for meanwhile) is in flight; no more
/// than two answers of at most `MAX_ANSWER_BYTES` each are held at once.
pub async fn sync_native<S: LocalStore, T: NativeTransport>(
    store: &S,
    transport: &T,
    device: &str,
    bound: ClockBound,
    mut progress: impl FnMut(&Progress),
    interrupted: impl Fn() -> bool,
) -> Result<Progress, SyncError> {
    let mut done = Progress::default();
    // Refused by the server in this sync: not sent again until the next one.
    let mut held_back = HashSet::new();
    // The next page, asked for while the last one was being stored, and the
    // cursor it was asked with.
    let mut prefetched: Option<(Cursor, Result<Answer, SyncError>)> = None;
    // The first answer of a sync may go back (a restored server starts
    // again from the beginning); later ones may not.
    let mut first = true;
    // Documents asked for per answer; halved for the rest of the sync when
    // an answer is over `MAX_ANSWER_BYTES` (see `exchange`).
    let page = Cell::new(MAX_PULL_BATCH);
    // Changes queued that the last request did not carry: each request
    // tells the server (`waiting`), for the office's device list.
    let mut left_queued = 0;
    loop {
        if interrupted() {
            return Err(SyncError::Interrupted);
        }
        let prefetched_round = prefetched.is_some();
        let (sent, batch, (response, Admitted { docs, refused: not_taken })) = match prefetched.take() {
            // That request pushed nothing.
            Some((sent, response)) => (Some(sent), Vec::new(), response?),
            None => {
                let cursor = store.cursor().await.map_err(store_err)?;
                let batch = store.pending(MAX_PUSH_BATCH, &held_back).await.map_err(store_err)?;
                let push = batch.iter().map(|p| p.doc.to_value()).collect();
                let queued = store.pending_count().await.map_err(store_err)?;
                left_queued = queued.saturating_sub(batch.len()) as u64;
                let answer = exchange(transport, pull_request(device, cursor.as_ref(), push, left_queued), first, &page, bound).await?;
                (cursor, batch, answer)
            }
        };
        first = false;
        // Queued before the new epoch's cursor is stored: if the app stops
        // in between, the next sync sees the new epoch again and requeues.
        let requeued = new_epoch(sent.as_ref(), response.epoch.as_deref());
        if requeued {
            store.requeue_all().await.map_err(store_err)?;
        }
        let pulled = docs.len();
        let absorbed = store.absorb(docs, Some(Cursor::of(&response)));
        if response.more && batch.is_empty() {
            // A pull-only round: the next request depends on nothing but the
            // cursor, so it travels while this page is stored. If storing
            // fails, its answer is dropped and the cursor stays where it was.
            let next_cursor = Cursor::of(&response);
            let next_request = pull_request(device, Some(&next_cursor), Vec::new(), left_queued);
            let (stored, next) = futures::future::join(absorbed, exchange(transport, next_request, false, &page, bound)).await;
            stored.map_err(store_err)?;
            prefetched = Some((next_cursor, next));
        } else {
            absorbed.await.map_err(store_err)?;
        }
        // A document the server answered with a copy this device refused
        // stays queued, whatever the answer says: that copy does not show
        // the server holds the edit. One the server refused keeps its reason.
        let taken_here = |id: &Id| !not_taken.iter().any(|(r, _)| r == id.as_str());
        let settled: Vec<(Id, Stamp)> = batch.iter().map(Pending::mark).filter(|(id, _)| response.accepted.contains(id) && taken_here(id)).collect();
        let reasons: Vec<((Id, Stamp), String)> =
            batch.iter().filter_map(|p| response.rejected.iter().find(|r| r.id == p.doc.id().as_str()).map(|r| (p.mark(), r.reason.clone()))).collect();
        settle(store, &settled, &reasons, &mut held_back).await?;
        done.pushed += response.accepted.len();
        done.pulled += pulled;
        done.expected = done.pulled + response.remaining.unwrap_or(0) as usize;
        done.rejected.extend(response.rejected.into_iter().map(|r| (r.id, r.reason)));
        done.refused.extend(not_taken);
        done.waiting = store.pending_count().await.map_err(store_err)?;
        progress(&done);
        // Done when the server has nothing more and nothing sendable waits,
        // or when a round settled nothing (refused or failing documents stay
        // in the outbox for the next sync instead of looping here). A
        // prefetched round could not push what waits, nor one that has just
        // requeued everything: one more round does.
        let sendable = done.waiting.saturating_sub(held_back.len());
        if !response.more && (sendable == 0 || (settled.is_empty() && reasons.is_empty() && !prefetched_round && !requeued)) {
            return Ok(done);
        }
    }
}

/// An answer, and its documents checked.
type Answer = (SyncResponse, Admitted);

/// The documents of an answer this device takes, and those it refused.
#[derive(Default)]
struct Admitted {
    docs: Vec<Received>,
    refused: Vec<(String, PushError)>,
}

impl Admitted {
    /// Checks one received document by `sync::admit`. A document this app
    /// cannot read (a newer format, a type it does not know) is skipped
    /// without a word: it stays on the server for an updated app. Any other
    /// refusal is reported.
    fn take(&mut self, json: String, bound: ClockBound) {
        match admit_text(&json, bound) {
            Ok((doc, current)) => self.docs.push(Received { doc, json, current }),
            Err(PushError::TooNew { .. } | PushError::UnknownType(_)) => {}
            Err(why) => self.refused.push((sent_id(&json), why)),
        }
    }
}

/// Clears the outbox entries of documents the server took, and notes the
/// server's reason on those it refused, which this sync then leaves out.
async fn settle<S: LocalStore>(store: &S, sent: &[(Id, Stamp)], reasons: &[((Id, Stamp), String)], refused: &mut HashSet<Id>) -> Result<(), SyncError> {
    store.confirm(sent).await.map_err(store_err)?;
    store.note_refused(reasons).await.map_err(store_err)?;
    refused.extend(reasons.iter().map(|((id, _), _)| id.clone()));
    Ok(())
}

/// One round trip: sends `request` asking for `page` documents, refuses an
/// answer `check_answer` refuses, and reads the documents out of the one it
/// keeps. An answer over `MAX_ANSWER_BYTES` is asked for again with half as
/// many documents, down to one (an honest server's single document is far
/// under the cap): at most nine tries, and the smaller page is kept for the
/// rest of the sync. Sending the same push again is harmless (idempotent).
async fn exchange<T: NativeTransport>(
    transport: &T,
    mut request: SyncRequest,
    first: bool,
    page: &Cell<usize>,
    bound: ClockBound,
) -> Result<(SyncResponse, Admitted), SyncError> {
    loop {
        request.pull_limit = Some(page.get());
        match transport.exchange(&request).await {
            Err(SyncError::Untrusted(BadAnswer::TooLarge { .. })) if page.get() > 1 => page.set(page.get() / 2),
            answer => {
                let mut response = answer?;
                check_answer(&request, &response, first).map_err(SyncError::Untrusted)?;
                let admitted = read_received(&mut response, bound);
                return Ok((response, admitted));
            }
        }
    }
}

/// Whether an answer to `request` may be followed: the documents fit the
/// `pull_limit` asked for, and `more: true` comes with a cursor that moved
/// past the one sent. Only the `first` answer of a sync may carry a cursor
/// before the one sent (a server restored from a backup answers a cursor it
/// never issued by starting again), or one in another epoch (a restore
/// between two answers); later, one going back in the same epoch would bring
/// the same pages round forever.
pub fn check_answer(request: &SyncRequest, response: &SyncResponse, first: bool) -> Result<(), BadAnswer> {
    let asked = request.pull_limit.unwrap_or(MAX_PULL_BATCH);
    if response.docs.len() > asked {
        return Err(BadAnswer::TooManyDocs { asked, got: response.docs.len() });
    }
    match request.cursor {
        Some(sent) if !first && response.epoch == request.epoch && response.cursor < sent => Err(BadAnswer::CursorBackwards { sent, got: response.cursor }),
        Some(sent) if response.more && response.cursor == sent => Err(BadAnswer::CursorStuck { cursor: sent }),
        _ => Ok(()),
    }
}

/// Takes the documents out of an answer, each checked and read into its
/// type (`Admitted::take`; a page asked for in advance is read while the
/// one before it is stored).
fn read_received(response: &mut SyncResponse, bound: ClockBound) -> Admitted {
    let mut admitted = Admitted::default();
    for raw in std::mem::take(&mut response.docs) {
        admitted.take(String::from(Box::<str>::from(raw)), bound);
    }
    admitted
}

/// The id a refused document was sent with, for the message (at most 100
/// characters; empty when it has none).
fn sent_id(json: &str) -> String {
    #[derive(serde::Deserialize)]
    struct WithId {
        #[serde(default)]
        id: Option<Value>,
    }
    match serde_json::from_str::<WithId>(json).ok().and_then(|d| d.id) {
        Some(Value::String(s)) => s.chars().take(100).collect(),
        Some(other) => other.to_string().chars().take(100).collect(),
        None => String::new(),
    }
}

fn pull_request(device: &str, cursor: Option<&Cursor>, push: Vec<Value>, waiting: u64) -> SyncRequest {
    SyncRequest {
        protocol: PROTOCOL_VERSION,
        device: device.to_string(),
        cursor: cursor.map(|c| c.seq),
        epoch: cursor.and_then(|c| c.epoch.clone()),
        push,
        pull_limit: Some(MAX_PULL_BATCH),
        waiting: Some(waiting.min(crate::sync::MAX_WAITING)),
        reads_format: Some(crate::doc::FORMAT_VERSION),
    }
}

/// Delivers the outbox to an endpoint that only accepts data.
pub async fn sync_push_only<S: LocalStore, T: PushTransport>(
    store: &S,
    transport: &T,
    mut progress: impl FnMut(&Progress),
    interrupted: impl Fn() -> bool,
) -> Result<Progress, SyncError> {
    let mut done = Progress::default();
    // Refused in this sync (kept in the outbox): not sent again until the next.
    let mut refused = HashSet::new();
    loop {
        let batch = store.pending(MAX_PUSH_BATCH, &refused).await.map_err(store_err)?;
        if batch.is_empty() {
            return Ok(done);
        }
        for p in &batch {
            if interrupted() {
                return Err(SyncError::Interrupted);
            }
            // Settled one by one: a cut connection resends at most one.
            // Format 1, as such a collector always received (docs/sync-protocol.md §4).
            match transport.post(&p.doc.to_value_format1()).await {
                Ok(()) => {
                    done.pushed += 1;
                    settle(store, &[p.mark()], &[], &mut refused).await?;
                }
                Err(SyncError::Refused { message, .. }) => {
                    done.rejected.push((p.doc.id().to_string(), message.clone()));
                    settle(store, &[], &[(p.mark(), message)], &mut refused).await?;
                }
                Err(e) => return Err(e),
            }
        }
        done.waiting = store.pending_count().await.map_err(store_err)?;
        progress(&done);
    }
}

#[path = "sync_memory.rs"]
pub mod memory;

#[path = "sync_rest.rs"]
pub mod rest;
pub use rest::sync_rest;

#[cfg(test)]
#[path = "sync_client_tests.rs"]
mod tests;
