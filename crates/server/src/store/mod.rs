//! The seam between the server and a database: the traits a backend
//! implements ([`SyncStore`] for requests, [`DeviceStore`] for tokens as
//! requests see them and the devices API, [`AdminStore`] for the `token`
//! commands, [`BackupStore`] for `backup` and `restore`), the values they
//! trade, and the steps every backend shares.
//!
//! The handlers see only `dyn SyncStore`; SQL lives only in a backend
//! ([`sqlite`], embedded, and [`postgres`], for several instances over one
//! database; one file per concern). A backend owns transactions and
//! rows; what a pushed document becomes is decided here ([`decide`], which
//! calls `xunfang_core::incoming`), and how tokens are made and picked in
//! [`tokens`], so two backends cannot disagree on either.
//!
//! # What a backend promises
//!
//! * **Teams never wait for each other for long.** Every method works on one
//!   team's rows, and a transaction does only that sync's work: the pushed
//!   documents are validated and parsed *before* it starts ([`sync`]), a
//!   pull reads at most one page (capped by count and by bytes, [`Pull`]),
//!   and nothing waits on the network inside it (the answer is sent after
//!   the commit). SQLite has one writer for the whole file, so another
//!   team's push waits at most for one such short transaction (at most 200
//!   documents written and one capped page read), and readers never wait
//!   (WAL). PostgreSQL
//!   locks no more than the team's counter row (`SELECT … FOR NO KEY
//!   UPDATE` on it, never a table lock or `SERIALIZABLE` across teams), so pushes of
//!   different teams run side by side; pulls need no lock (`REPEATABLE READ`
//!   snapshot). The push's record of itself in its token's row takes that
//!   row only if no other write holds it (`SKIP LOCKED`), so it never waits.
//! * **Quotas are checked inside the transaction.** A push that would take
//!   the team past its document quota is rolled back whole and answered
//!   [`QuotaExceeded`]; a photo past the team's photo quota is not stored.
//!   The count is read in the same transaction that writes (SQLite skips it
//!   while the team's `head` shows the push cannot reach the quota), so two
//!   pushes at once cannot both slip under the limit.
//! * **A push takes the team's counter first.** [`SyncStore::sync`] runs in
//!   one transaction whose first step holds the team's counter (`head`) for
//!   writing, and only then reads stored copies: two pushes of one team never
//!   merge against the same old copy, and sequence numbers become visible in
//!   the order they are taken. So a pull that returns cursor `c` has seen
//!   every commit `<= c`, and none can appear below `c` later.
//! * **A pull reads one snapshot.** The head and the page of documents come
//!   from the same snapshot (the push's transaction, or a read-only one).
//! * **A photo is written with its usage row** in one transaction.
//! * **Documents are kept as the exact text** given by [`decide`]; pulls
//!   return that text (never re-encoded: "returned unchanged" means bytes),
//!   except to an app from before document format 2, which gets each
//!   document in format 1 ([`for_reader`], outside the transaction).
//!
//! Methods return boxed `Send` futures ([`StoreFuture`]) so the trait can be
//! held as `Arc<dyn SyncStore>` and an async driver (tokio-postgres) fits as
//! well as a blocking one (SQLite runs on `spawn_blocking`).

pub mod backup;
pub mod migrate;
pub mod photos;
pub mod postgres;
pub mod sqlite;
pub mod tokens;

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use serde_json::value::RawValue;
use serde_json::Value;
use xunfang_core::clock::ClockBound;
use xunfang_core::doc::Header;
use xunfang_core::doc_format;
use xunfang_core::incoming::{merge_incoming_text, Keep, Refusal};
use xunfang_core::merge::MergeError;
use xunfang_core::sync::{pull_limit, validate_pushed_json, AnyDoc, Rejected, SyncRequest, SyncResponse};
use xunfang_core::FORMAT_VERSION;
use xunfang_core::{BlobHash, Id};

pub use backup::{BackupStore, Epoch, Summary};
pub use photos::{PhotoPass, TeamPhotos};
pub use postgres::PgStore;
pub use sqlite::SqliteStore;
pub use tokens::{Access, ClaimRefused, Claimed, DeviceRevoked, NewSetupCode, NewToken, SetupCodeRow, TokenInfo, TokenKind, TokenRow, TOKEN_PREFIX_LEN};

/// A storage failure (the database or the file system), for the log; users
/// get a general message ([`crate::AppError::Store`]).
#[derive(Debug)]
pub struct StoreError(pub String);

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StoreError {}

/// How a [`StoreError`] that means "the database cannot serve now" begins.
const UNAVAILABLE: &str = "database unavailable: ";

impl StoreError {
    /// The database cannot be reached or cannot serve now (a lost
    /// connection, no free connection, a lock or statement time limit):
    /// nothing was committed and trying again later may succeed (503).
    pub fn unavailable(detail: impl fmt::Display) -> StoreError {
        StoreError(format!("{UNAVAILABLE}{detail}"))
    }

    /// Whether this is an [`unavailable`](Self::unavailable) error.
    pub fn is_unavailable(&self) -> bool {
        self.0.starts_with(UNAVAILABLE)
    }
}

/// What a store method answers with: a `Send` future, boxed so that
/// [`SyncStore`] stays usable as a trait object.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// A team, as found from a token. `id` is the backend's key for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Team {
    pub id: i64,
    pub name: String,
}

/// A pushed document that passed `validate_pushed`, and the JSON text it was
/// checked as (what is stored when it is kept as it came: written out once).
#[derive(Clone, Debug)]
pub struct Pushed {
    pub doc: AnyDoc,
    pub text: String,
    /// It came in this server's document format (`"format"`), not converted.
    pub current_format: bool,
}

/// Which page a sync pulls: after `cursor` (`None`: from the start) of
/// `epoch` (see [`resume_from`]), at most `limit` documents and at most
/// `max_bytes` of their text. A page ends early (with `more`) before the
/// document that would pass `max_bytes`, but always holds at least one: a
/// single document larger than the cap is sent alone, so no client is stuck
/// behind it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pull {
    pub cursor: Option<u64>,
    pub epoch: Option<String>,
    pub limit: usize,
    pub max_bytes: usize,
}

/// One page being filled from a team's rows in `seq` order, by every
/// backend alike: stops before the document that would pass the byte cap
/// (but takes the first whatever its size) or past the count.
#[derive(Debug)]
pub struct PageFill {
    limit: usize,
    max_bytes: usize,
    bytes: usize,
    last: Option<u64>,
    more: bool,
    docs: Vec<Box<RawValue>>,
}

impl PageFill {
    pub fn new(pull: &Pull) -> PageFill {
        PageFill { limit: pull.limit, max_bytes: pull.max_bytes, bytes: 0, last: None, more: false, docs: Vec::new() }
    }

    /// Takes the stored row `seq`, `json`; `false` when the page is full
    /// (more documents wait) and no further row should be read. The text is
    /// checked to be JSON (one pass, no allocation): a damaged row must not
    /// make the whole answer unreadable for every client.
    pub fn take(&mut self, seq: i64, json: String) -> Result<bool, StoreError> {
        // The cap counts the documents' text (the envelope is small); the
        // first document goes out whatever its size, or it would block all
        // that follow it.
        if self.docs.len() == self.limit || (!self.docs.is_empty() && self.bytes + json.len() > self.max_bytes) {
            self.more = true;
            return Ok(false);
        }
        self.bytes += json.len();
        let doc = RawValue::from_string(json).map_err(|e| StoreError(format!("stored document at seq {seq} is not JSON: {e}")))?;
        self.docs.push(doc);
        self.last = Some(seq as u64);
        Ok(true)
    }

    /// The cursor (the last `seq` taken, else `head`), whether more wait,
    /// and the documents.
    pub fn finish(self, head: u64) -> (u64, bool, Vec<Box<RawValue>>) {
        (self.last.unwrap_or(head), self.more, self.docs)
    }
}

/// A write refused because the team is at its quota (the quota); nothing
/// of the request was stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuotaExceeded(pub u64);

/// One page of a team's documents in commit order, as stored.
#[derive(Debug)]
pub struct Page {
    /// The `seq` of the last document the page read, or the head if none.
    pub cursor: u64,
    /// The database's epoch `cursor` counts in, read in the same snapshot.
    pub epoch: String,
    /// More documents wait past `cursor`.
    pub more: bool,
    /// How many wait past `cursor` (counted only when `more`, else 0).
    pub remaining: u64,
    /// The stored text of each document, checked to be JSON.
    pub docs: Vec<Box<RawValue>>,
}

/// What became of one pushed document inside the sync transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PushResult {
    /// Stored with a new `seq`.
    Written,
    /// The stored copy already held it: no new `seq`.
    Unchanged,
    /// Not merged; the stored copy is kept. The reason, for `rejected`.
    Refused(String),
}

/// What [`SyncStore::sync`] did: one result per pushed document, in order,
/// and the page pulled after them.
#[derive(Debug)]
pub struct Synced {
    pub pushed: Vec<PushResult>,
    pub page: Page,
    /// The sync was recorded in the device list ([`SyncedBy`]) in this
    /// transaction, committed with it (or skipped, as
    /// [`DeviceStore::token_synced`] skips, for another write of the token's
    /// row); `false`: the caller records it after the commit
    /// (`token_synced`).
    pub recorded: bool,
}

/// A sync as the office's device list records it: the hash of the token it
/// came with, when (Unix seconds; `last_sync` and `last_used`), and how many
/// changes the device said it still had queued (`None`: it did not say).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncedBy {
    pub token: Vec<u8>,
    pub at: i64,
    pub waiting: Option<u64>,
}

impl SyncedBy {
    /// `waiting` as the tables keep it (a count past `i64` is kept as its largest).
    pub fn waiting_column(&self) -> Option<i64> {
        self.waiting.map(|w| i64::try_from(w).unwrap_or(i64::MAX))
    }
}

/// A stored blob's description (`HEAD`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobMeta {
    pub size: u64,
    pub content_type: String,
}

/// A stored blob (`GET`).
#[derive(Clone, Debug)]
pub struct Blob {
    pub content_type: String,
    pub data: Vec<u8>,
}

/// A photo to store; the caller has checked that `hash` is its SHA-256.
#[derive(Clone, Debug)]
pub struct NewBlob {
    pub hash: BlobHash,
    pub content_type: String,
    pub data: Vec<u8>,
}

/// What `put_blob` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobPut {
    /// `true`: newly stored; `false`: the team already had it (nothing written).
    pub stored: bool,
    /// The team's blobs after the upload: how many, and their total bytes.
    pub team_count: u64,
    pub team_bytes: u64,
}

/// Tokens as requests see them, and the devices API (`crate::devices`).
/// Tokens and set-up codes are named by their SHA-256 ([`tokens::token_hash`]);
/// times are Unix seconds passed in by the caller, so a backend decides
/// nothing about time: what a row allows is [`tokens::access`] and
/// [`tokens::claim_check`], called by the caller or inside the backend's
/// transaction.
pub trait DeviceStore: Send + Sync + 'static {
    /// The token stored with this hash, whatever its kind and state.
    fn find_token(&self, hash: Vec<u8>) -> StoreFuture<'_, Option<TokenRow>>;

    /// Records that the token was used at `now` (its `last_used`). May skip
    /// the write when the stored time is under a minute old: it is read by
    /// people, and every request would otherwise be a write. Never waits for
    /// another write: skipped while one runs (readers never wait).
    fn token_used(&self, hash: Vec<u8>, now: i64) -> StoreFuture<'_, ()>;

    /// Records a sync ([`SyncedBy`]: `last_sync` and `last_used`, and the
    /// changes still queued on the device) that [`SyncStore::sync`] did not
    /// record in its own transaction ([`Synced::recorded`]: a pull), after
    /// its commit. Like `token_used`, skipped rather than waiting for another
    /// write (for PostgreSQL: a plain `UPDATE` of the token's row, which
    /// waits for no other team).
    fn token_synced(&self, by: SyncedBy) -> StoreFuture<'_, ()>;

    /// The team's tokens other than admin tokens (team-wide and device
    /// tokens, revoked ones included), oldest first.
    fn team_devices(&self, team: Team) -> StoreFuture<'_, Vec<TokenInfo>>;

    /// Stores a set-up code for `team` (its hash, never the code).
    fn add_setup_code(&self, team: Team, code: NewSetupCode) -> StoreFuture<'_, ()>;

    /// In one transaction: finds the code with hash `code_hash`, checks it
    /// with [`tokens::claim_check`] at `now`, stores `token` as a device
    /// token of the code's team (label and expiry from the code) and marks
    /// the code used. Two claims of one code at once: one wins.
    fn claim_setup_code(&self, code_hash: Vec<u8>, token: NewToken, now: i64) -> StoreFuture<'_, Result<Claimed, ClaimRefused>>;

    /// Revokes at `now` the team's team-wide or device token whose prefix is
    /// `prefix` (checked with [`tokens::is_prefix`]); never an admin token,
    /// never another team's.
    fn revoke_device(&self, team: Team, prefix: String, now: i64) -> StoreFuture<'_, DeviceRevoked>;
}

/// What the HTTP handlers need from a database (see the module header for
/// the transaction rules each method keeps).
pub trait SyncStore: DeviceStore + Send + Sync + fmt::Debug + 'static {
    /// One sync for `team`, in one transaction: with the team's counter held
    /// first, each of `push` is merged into its stored copy by [`decide`] and
    /// written with the next `seq` when it changed; then the page after
    /// `pull.cursor` is read in the same transaction ([`resume_from`] says
    /// where a page starts). A transaction that writes also records the sync
    /// in the device list (`by`, as [`DeviceStore::token_synced`] would:
    /// never waiting for another write of the token's row), so a push that
    /// commits is recorded with no statement of its own; with `push` empty, a
    /// read-only snapshot will do, and the caller records the sync after it
    /// ([`Synced::recorded`] says which was done).
    /// If the new documents would take the team past `max_docs`, the whole
    /// transaction is rolled back, the record with it: [`QuotaExceeded`].
    fn sync(&self, team: Team, push: Vec<Pushed>, pull: Pull, max_docs: u64, by: SyncedBy) -> StoreFuture<'_, Result<Synced, QuotaExceeded>>;

    /// Size and type of `team`'s blob `hash`, if the team has it.
    fn blob_meta(&self, team: Team, hash: BlobHash) -> StoreFuture<'_, Option<BlobMeta>>;

    /// `team`'s blob `hash`, if the team has it.
    fn blob(&self, team: Team, hash: BlobHash) -> StoreFuture<'_, Option<Blob>>;

    /// Stores `blob` for `team` unless the team has it (then nothing is
    /// written), together with the team's usage, in one transaction; a new
    /// blob that would take the team's photos past `max_team_bytes` is not
    /// stored: [`QuotaExceeded`].
    fn put_blob(&self, team: Team, blob: NewBlob, max_team_bytes: u64) -> StoreFuture<'_, Result<BlobPut, QuotaExceeded>>;

    /// Whether the database answers, for `/api/health`. By default one
    /// token look-up (a real round trip to the database, finding nothing);
    /// a backend may answer more cheaply.
    fn reachable(&self) -> StoreFuture<'_, ()> {
        Box::pin(async move { self.find_token(Vec::new()).await.map(|_| ()) })
    }
}

/// What the `token` commands need from a database (administration: no
/// request waits on it). Which token an argument means, and how tokens are
/// made, are [`tokens`]' rules, shared by every backend.
pub trait AdminStore: Send + Sync + 'static {
    /// Stores `token` (its hash and prefix, never the token) of `kind` for
    /// `team`, creating the team if it is new.
    fn add_token(&self, team: String, label: String, token: NewToken, kind: TokenKind) -> StoreFuture<'_, ()>;

    /// All tokens, oldest first.
    fn list_tokens(&self) -> StoreFuture<'_, Vec<TokenInfo>>;

    /// In one transaction: finds the token `given` (a checked
    /// [`tokens::revoke_argument`]) means by [`tokens::pick_token`] and
    /// revokes it. The token, and whether it was revoked before.
    fn revoke_token(&self, given: String, shown: String) -> StoreFuture<'_, (TokenInfo, bool)>;

    /// Whether at least one usable token exists.
    fn has_active_tokens(&self) -> StoreFuture<'_, bool>;

    /// One photo collection pass over every team ([`photos`]: per team, one snapshot read,
    /// then one short write transaction holding the team's counter); one entry per team
    /// that has photos, in team order.
    fn collect_photos(&self, pass: PhotoPass) -> StoreFuture<'_, Vec<TeamPhotos>>;
}

/// Makes a token of `kind` for `team` (the team is made if new) and returns
/// it: the only time it is shown.
pub async fn create_token(store: &dyn AdminStore, team: &str, label: &str, kind: TokenKind) -> Result<String, StoreError> {
    let (team, new) = tokens::new_token(team)?;
    let token = new.token.clone();
    store.add_token(team, label.to_string(), new, kind).await?;
    Ok(token)
}

/// Unix seconds now, as tokens and set-up codes count time.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// What a backend does with one pushed document, given the stored text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Nothing new: write nothing, take no `seq`.
    Unchanged,
    /// Store this text with the next `seq`.
    Write(String),
    /// Keep the stored copy; the reason goes to `rejected`.
    Refuse(String),
}

/// The refusal of a push whose stored copy this server cannot read.
pub const UNREADABLE_STORED: &str =
    "the server's copy of this document cannot be read, so yours was not merged; it stays on your device; ask the administrator";

/// Core's merge rule applied to a push: the pushed text as it came when
/// nothing was stored or the merge equals it (fields this server does not
/// know survive), the merged form otherwise; a copy that cannot be merged
/// never overwrites the stored one.
pub fn decide(stored: Option<&str>, pushed: &Pushed) -> Decision {
    match merge_incoming_text(stored, &pushed.doc) {
        Ok(outcome) => match outcome.keep {
            Keep::Stored => Decision::Unchanged,
            // A format-1 push (an app from before format 2) is stored in
            // format 2: the same content, and format 1 holds no field that
            // format 2 drops; text already in format 2 is kept as it came.
            Keep::Incoming if pushed.current_format => Decision::Write(pushed.text.clone()),
            Keep::Incoming => Decision::Write(pushed.doc.to_json()),
            Keep::Merged(merged) => Decision::Write(merged.to_json()),
        },
        // What exactly failed to parse is the administrator's (logged), not
        // the client's: the answer says what to do.
        Err(Refusal::UnreadableStored(why)) => {
            tracing::error!(id = %pushed.doc.id(), error = %why, "stored document cannot be read; push refused");
            Decision::Refuse(UNREADABLE_STORED.into())
        }
        Err(Refusal::Unmergeable(MergeError::Unreadable(why))) => {
            tracing::error!(id = %pushed.doc.id(), error = %why, "merge with the stored document failed; push refused");
            Decision::Refuse(UNREADABLE_STORED.into())
        }
        Err(Refusal::Unmergeable(err)) => Decision::Refuse(format!("cannot merge with the server's copy: {err}")),
    }
}

/// [`decide`] held to the team's document quota, as every backend applies
/// it inside the push's transaction: the text to store with the next `seq`
/// (`Ok(Ok)`), the result when nothing is written (`Ok(Err)`), or the quota
/// when a new document would take the team past `max_docs` (`count`: the
/// team's documents so far, counted on by each new one; `None` when this
/// push cannot reach the quota).
pub fn to_write(stored: Option<&str>, pushed: &Pushed, count: &mut Option<u64>, max_docs: u64) -> Result<Result<String, PushResult>, QuotaExceeded> {
    let json = match decide(stored, pushed) {
        Decision::Unchanged => return Ok(Err(PushResult::Unchanged)),
        Decision::Refuse(reason) => return Ok(Err(PushResult::Refused(reason))),
        Decision::Write(json) => json,
    };
    if let (None, Some(n)) = (stored, count.as_mut()) {
        if *n >= max_docs {
            return Err(QuotaExceeded(max_docs));
        }
        *n += 1;
    }
    Ok(Ok(json))
}

/// Where a page starts for a pull when the database is in `epoch` and the
/// team's head is `head`: a cursor of another epoch, one without epoch once
/// the database has been restored, or one past the head was not issued by
/// this life of the database (a restored backup, another server), so
/// everything is sent; clients merge.
pub fn resume_from(pull: &Pull, epoch: &Epoch, head: u64) -> u64 {
    let ours = match &pull.epoch {
        Some(e) => *e == epoch.id,
        None => epoch.legacy_cursors,
    };
    match pull.cursor {
        Some(c) if ours && c <= head => c,
        _ => 0,
    }
}

/// What a sync did, for the response and the log.
#[derive(Debug)]
pub struct SyncOutcome {
    pub response: SyncResponse,
    /// Pushed documents that changed the stored copy (got a new `seq`).
    pub written: usize,
    /// The store recorded the sync in its transaction ([`Synced::recorded`]).
    pub recorded: bool,
}

/// The limits one sync is held to (the server's [`crate::limits::Limits`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SyncLimits {
    /// The most bytes of documents in the pulled page.
    pub max_pull_bytes: usize,
    /// The most documents the team may keep.
    pub max_team_docs: u64,
}

/// One sync for `team`: validates the pushed documents (`push`, each the raw
/// JSON text that came; core's one check, with clock readings held to `bound`;
/// pure, before any transaction: it may be slow on big documents), lets the
/// store merge and pull (and record the sync as `by`, when its transaction
/// writes: [`SyncOutcome::recorded`]), and builds the protocol's answer. The
/// request's envelope must already be checked (`validate_envelope`); its own
/// `push` is not looked at.
pub async fn sync(
    store: &dyn SyncStore,
    team: Team,
    req: &SyncRequest,
    push: &[Box<RawValue>],
    limits: SyncLimits,
    bound: ClockBound,
    by: SyncedBy,
) -> Result<Result<SyncOutcome, QuotaExceeded>, StoreError> {
    let mut rejected = Vec::new();
    let mut valid = Vec::new();
    // As the client knows them: `accepted` parsed, `rejected` as pushed.
    let mut ids: Vec<(Id, String)> = Vec::new();
    for raw in push {
        let text = raw.get();
        match validate_pushed_json(text, bound) {
            Ok(doc) => {
                // A validated id is canonical: as parsed, it is the text pushed.
                ids.push((doc.id().clone(), doc.id().as_str().chars().take(100).collect()));
                let current_format = Header::of(text).is_some_and(|h| h.format == Some(u64::from(FORMAT_VERSION)));
                // Stored as it came when kept as it came: the exact text pushed.
                valid.push(Pushed { doc, text: text.to_string(), current_format });
            }
            Err(err) => {
                // Only a refused document is read as a `Value`, for its id as pushed.
                let id = serde_json::from_str::<Value>(text).map(|v| pushed_id(&v)).unwrap_or_default();
                // The parser's words stay in the log; the device gets a sentence.
                tracing::info!(id = %id, reason = %err, "pushed document refused");
                rejected.push(Rejected { id, reason: err.for_client() })
            }
        }
    }
    // The cap counts stored text; format 1 is up to about 4 times format 2
    // (the bench's records with UUID device ids: 10.3 KB against 2.5 KB), so
    // a page converted for an old reader is cut at a quarter of it.
    let max_bytes = if req.reads_format() < FORMAT_VERSION { limits.max_pull_bytes / 4 } else { limits.max_pull_bytes };
    let pull = Pull { cursor: req.cursor, epoch: req.epoch.clone(), limit: pull_limit(req), max_bytes };
    let Synced { pushed, page, recorded } = match store.sync(team, valid, pull, limits.max_team_docs, by).await? {
        Ok(synced) => synced,
        Err(quota) => return Ok(Err(quota)),
    };
    let mut accepted = Vec::new();
    let mut written = 0;
    for ((id, as_pushed), result) in ids.into_iter().zip(pushed) {
        match result {
            PushResult::Written => {
                written += 1;
                accepted.push(id);
            }
            PushResult::Unchanged => accepted.push(id),
            PushResult::Refused(reason) => rejected.push(Rejected { id: as_pushed, reason }),
        }
    }
    let docs = for_reader(without_echoes(page.docs, push), req.reads_format());
    let response = SyncResponse { cursor: page.cursor, epoch: Some(page.epoch), more: page.more, remaining: Some(page.remaining), docs, accepted, rejected };
    Ok(Ok(SyncOutcome { response, written, recorded }))
}

/// The page without the documents stored exactly as this request pushed
/// them: the device has each as it sent it (taking it again would change
/// nothing), so it would only cross the link twice. A tablet that works alone
/// pulls nothing back for its push; one that pushed the same record as
/// another gets the merge. The cursor still counts the ones left out (the
/// store read them), so a page may hold fewer than asked for, or none.
/// Lengths are compared first, so an honest sync compares almost no bytes;
/// a hostile one (every pushed text as long as every page document) costs
/// at most the push's count times the page's byte cap in `memcmp`, within a
/// few times what validating that push costs already, and only to itself:
/// it can leave out only texts it sent.
fn without_echoes(docs: Vec<Box<RawValue>>, push: &[Box<RawValue>]) -> Vec<Box<RawValue>> {
    let sent = |doc: &RawValue| push.iter().any(|p| p.get().len() == doc.get().len() && p.get() == doc.get());
    docs.into_iter().filter(|doc| !sent(doc)).collect()
}

/// The page as a client reading formats up to `reads` can read it: stored
/// text in a newer format goes in format 1 (`doc_format::for_reader`); the
/// rest, and everything for a client of this format, goes as stored.
fn for_reader(docs: Vec<Box<RawValue>>, reads: u32) -> Vec<Box<RawValue>> {
    if reads >= FORMAT_VERSION {
        return docs;
    }
    docs.into_iter()
        .map(|raw| match doc_format::for_reader(raw.get(), reads).map(RawValue::from_string) {
            Some(Ok(older)) => older,
            _ => raw,
        })
        .collect()
}

/// The id of a pushed document for `rejected`, as pushed (may be anything).
fn pushed_id(value: &Value) -> String {
    match value.get("id") {
        Some(Value::String(s)) => s.chars().take(100).collect(),
        Some(other) => other.to_string().chars().take(100).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod unit {
    use super::*;

    fn pull(cursor: Option<u64>, epoch: Option<&str>) -> Pull {
        Pull { cursor, epoch: epoch.map(String::from), limit: 10, max_bytes: usize::MAX }
    }

    #[test]
    fn a_cursor_past_the_head_starts_from_the_beginning() {
        let epoch = Epoch { id: "e1".into(), legacy_cursors: true };
        assert_eq!(resume_from(&pull(None, Some("e1")), &epoch, 7), 0);
        assert_eq!(resume_from(&pull(Some(7), Some("e1")), &epoch, 7), 7);
        assert_eq!(resume_from(&pull(Some(3), Some("e1")), &epoch, 7), 3);
        assert_eq!(resume_from(&pull(Some(8), Some("e1")), &epoch, 7), 0);
    }

    #[test]
    fn a_cursor_of_another_epoch_starts_from_the_beginning() {
        let never_restored = Epoch { id: "e1".into(), legacy_cursors: true };
        let restored = Epoch { id: "e2".into(), legacy_cursors: false };
        assert_eq!(resume_from(&pull(Some(3), Some("e1")), &restored, 7), 0);
        assert_eq!(resume_from(&pull(Some(3), None), &never_restored, 7), 3, "an old app's cursor, before any restore");
        assert_eq!(resume_from(&pull(Some(3), None), &restored, 7), 0, "an old app's cursor may be from before the restore");
    }
}
