//! REST mode (a plain JSON collection such as json-server) read without
//! reading it all each time: conditional requests, a "changed since" query,
//! paging, and skipping a page whose text did not change; then the outbox is PUT.
//! A copy an endpoint stored under an id of its own (json-server 1.0) is taken back.
//!
//! Every answer is hostile input: a server that ignores the filter or the
//! paging, sends a page twice or lies about totals or validators costs bytes,
//! never documents (merging is idempotent, and every `FULL_READ_EVERY`
//! syncs the whole collection is read again with no shortcut at all).

use super::{collection_of, settle, store_err, Admitted, BadAnswer, LocalStore, Progress, RestTransport, SyncError, REST_COLLECTIONS};
use crate::clock::ClockBound;
use crate::id::Id;
use crate::sync::MAX_PUSH_BATCH;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};

/// Documents asked for per page when the endpoint pages.
pub const PAGE_SIZE: usize = 500;

/// Pages read of one collection before the endpoint counts as sending full
/// pages forever (500 × 2,000 = a million documents).
pub const MAX_PAGES: usize = 2_000;

/// How far before the newest change seen a "changed since" read starts:
/// tablets' clocks differ, and a change written a little before the newest
/// one seen may reach the endpoint after it.
pub const SINCE_OVERLAP_MILLIS: u64 = 10 * 60 * 1000;

/// Every this many syncs, a collection is read whole with no condition,
/// filter or skipped page: what a lying validator or a change stamped
/// before the "since" (a tablet that was offline for days) hid is read then.
pub const FULL_READ_EVERY: u32 = 24;

/// Copies stored under an id of the endpoint's own that are remembered to
/// be taken back (only the first new document is POSTed: see `RestState::renames`).
pub const MAX_STRAYS: usize = 16;

/// The reason kept on a record a REST endpoint would only store under an id
/// of its own (shown as the endpoint's reason, like its own messages).
pub const RENAMED: &str = "该接口给新记录另起编号（如 json-server 1.0），无法保存本应用的记录 / the endpoint gives new records ids of its own (as json-server 1.0 does) and cannot hold this app's records";

/// What the office says its REST endpoint can do (sync settings). The
/// default reads everything every time, as any endpoint allows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RestOptions {
    /// Send `If-None-Match` / `If-Modified-Since` with the validators of the
    /// last answer to the same request; a 304 means nothing to read.
    pub conditional: bool,
    /// Query parameters that select the documents changed since `{since}`
    /// (milliseconds of the documents' `updated.hlc.millis`), e.g.
    /// `updated.hlc.millis_gte={since}` for json-server 0.17 and 1.0.
    /// Empty: the endpoint has no such filter.
    pub since_query: String,
    pub paging: Paging,
}

/// How the endpoint pages a listing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Paging {
    /// One request lists the whole collection.
    #[default]
    None,
    /// `_page=N&_limit=M`, answered with an array (json-server 0.17).
    Limit,
    /// `_page=N&_per_page=M`, answered with `{"data": [...], ...}` (json-server 1.0).
    PerPage,
}

impl Paging {
    pub const ALL: [Paging; 3] = [Paging::None, Paging::Limit, Paging::PerPage];

    pub fn key(self) -> &'static str {
        match self {
            Paging::None => "none",
            Paging::Limit => "limit",
            Paging::PerPage => "per_page",
        }
    }

    pub fn from_key(key: &str) -> Option<Paging> {
        Paging::ALL.into_iter().find(|p| p.key() == key)
    }

    fn param(self, page: usize) -> Option<String> {
        match self {
            Paging::None => None,
            Paging::Limit => Some(format!("_page={page}&_limit={PAGE_SIZE}")),
            Paging::PerPage => Some(format!("_page={page}&_per_page={PAGE_SIZE}")),
        }
    }
}

/// An answer's validators (`ETag`, `Last-Modified`), as the next request's
/// conditions. A value that is not short printable ASCII is not kept.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Validators {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
}

impl Validators {
    /// Validators from the headers as received, each dropped unless it is
    /// at most 200 printable ASCII characters (it goes back into a header).
    pub fn from_headers(etag: Option<&str>, last_modified: Option<&str>) -> Validators {
        let keep =
            |v: Option<&str>| v.map(str::trim).filter(|v| !v.is_empty() && v.len() <= 200 && v.bytes().all(|b| (0x20..0x7f).contains(&b))).map(String::from);
        Validators { etag: keep(etag), last_modified: keep(last_modified) }
    }

    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }
}

/// A listing's answer.
#[derive(Clone, Debug, PartialEq)]
pub enum Listed {
    /// 304: the same as the answer the conditions came from.
    NotModified,
    /// The answer's text and its validators.
    Body { text: String, validators: Validators },
}

/// What one request's last answer was: its validators, a digest of its
/// text, and how many documents it listed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Seen {
    pub validators: Validators,
    pub digest: u64,
    pub count: usize,
    /// Read afresh, it listed no document not listed before it in the same
    /// read: a page sent again, where the listing ends.
    pub repeat: bool,
}

/// What this device knows of one collection on the endpoint.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CollectionState {
    /// The newest `updated.hlc.millis` among the documents read from it.
    pub newest: Option<u64>,
    /// The last complete read's answers, by request (`query`).
    pub pages: BTreeMap<String, Seen>,
}

/// What the last REST syncs learnt, kept by the app between syncs (and
/// dropped with the endpoint). Made for one `RestOptions`: other options
/// start afresh.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RestState {
    pub options: RestOptions,
    /// Syncs since the last full read.
    pub since_full: u32,
    pub collections: BTreeMap<String, CollectionState>,
    /// The endpoint stored a POSTed document under an id of its own: no new
    /// document is POSTed to it again (each would leave one more copy).
    pub renames: bool,
    /// Such copies, to be DELETEd at the start of each sync until the
    /// endpoint answers that one is gone. A 2xx to a DELETE is not enough:
    /// json-server 1.0 reloads its file when it sees it change, and a reload
    /// the POST's write started may end after the DELETE and bring the copy
    /// back (the DELETE's own write, within 50 ms, starts no reload).
    pub strays: Vec<Stray>,
}

/// A copy the endpoint stored under an id of its own.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Stray {
    pub collection: String,
    /// As the endpoint gave it (any text: it goes into the path encoded).
    pub id: String,
}

/// FNV-1a, 64 bits: a page's text compared with the last one's. Stable
/// across builds (the digest is stored).
fn digest(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3))
}

/// The documents of a listing: a JSON array (json-server 0.17, most REST
/// servers) or an object with the array under `data` (json-server 1.0 when
/// paging). Each document stays text, read by `sync::admit`.
pub fn read_listing(text: &str) -> Result<Vec<Box<RawValue>>, SyncError> {
    #[derive(Deserialize)]
    struct Envelope {
        data: Vec<Box<RawValue>>,
    }
    serde_json::from_str::<Vec<Box<RawValue>>>(text)
        .or_else(|_| serde_json::from_str::<Envelope>(text).map(|e| e.data))
        .map_err(|e| SyncError::BadResponse(format!("a listing is a JSON array of documents (or {{\"data\": [...]}}): {e}")))
}

/// The request for `page` of `collection`: the filter when `since` is
/// given, and the paging parameters.
fn query(collection: &str, options: &RestOptions, since: Option<u64>, page: usize) -> String {
    let filter = since.map(|s| options.since_query.trim().trim_start_matches(['?', '&']).replace("{since}", &s.to_string()));
    let params: Vec<String> = filter.into_iter().chain(options.paging.param(page)).collect();
    if params.is_empty() {
        collection.to_string()
    } else {
        format!("{collection}?{}", params.join("&"))
    }
}

/// How one sync reads: with which options, whether `full` (no conditions,
/// no filter, no page skipped), and the clock bound documents must pass.
struct Plan<'a> {
    options: &'a RestOptions,
    full: bool,
    bound: ClockBound,
}

/// Reads one collection, page by page, absorbing each page as it comes.
async fn read_collection<S: LocalStore, T: RestTransport>(
    store: &S,
    transport: &T,
    collection: &str,
    plan: &Plan<'_>,
    known: &CollectionState,
    done: &mut Progress,
) -> Result<CollectionState, SyncError> {
    let Plan { options, full, bound } = *plan;
    let filtered = !full && !options.since_query.trim().is_empty();
    let since = known.newest.filter(|_| filtered).map(|n| n.saturating_sub(SINCE_OVERLAP_MILLIS));
    let mut read = CollectionState { newest: known.newest, pages: BTreeMap::new() };
    // Ids listed in this read: a page bringing none new is a page sent again
    // (json-server 1.0 answers any page past the last with the last).
    let mut ids = HashSet::<String>::new();
    for page in 1..=MAX_PAGES {
        let query = query(collection, options, since, page);
        let before = known.pages.get(&query).filter(|_| !full);
        let conditions = before.filter(|_| options.conditional).map(|s| s.validators.clone()).unwrap_or_default();
        let listed = match transport.list(&query, &conditions).await {
            // A server that has never seen a collection may answer 404: empty.
            Err(SyncError::Refused { status: 404, .. }) => return Ok(read),
            other => other?,
        };
        let seen = match listed {
            Listed::NotModified => match before {
                Some(seen) if !conditions.is_empty() => seen.clone(),
                _ => return Err(SyncError::Untrusted(BadAnswer::NotModifiedUnasked)),
            },
            Listed::Body { text, validators } => {
                let digest = digest(&text);
                match before {
                    // The same text as last time: nothing in it to read.
                    Some(seen) if seen.digest == digest => Seen { validators, ..seen.clone() },
                    _ => {
                        let listing = read_listing(&text)?;
                        let count = listing.len();
                        let mut admitted = Admitted::default();
                        for raw in listing {
                            admitted.take(String::from(Box::<str>::from(raw)), bound);
                        }
                        // A document listed twice is merged twice (harmless:
                        // the copy may differ) but counted once.
                        let before_page = ids.len();
                        for doc in &admitted.docs {
                            ids.insert(doc.doc.id().to_string());
                            read.newest = read.newest.max(Some(super::updated(&doc.doc).hlc.millis));
                        }
                        done.pulled += ids.len() - before_page;
                        ids.extend(admitted.refused.iter().map(|(id, _)| id.clone()));
                        let fresh = ids.len() > before_page;
                        let Admitted { docs, refused } = admitted;
                        done.refused.extend(refused);
                        store.absorb(docs, None).await.map_err(store_err)?;
                        Seen { validators, digest, count, repeat: !fresh }
                    }
                }
            }
        };
        let (count, repeat) = (seen.count, seen.repeat);
        read.pages.insert(query, seen);
        // A short page is the last; a longer one means the paging was
        // ignored (that was everything); a page of nothing new was sent before.
        if options.paging == Paging::None || count != PAGE_SIZE || repeat {
            return Ok(read);
        }
    }
    Err(SyncError::Untrusted(BadAnswer::EndlessPages { pages: MAX_PAGES }))
}

/// Syncs with a plain REST collection: reads what `options` lets it skip
/// least of (see the module), merges in what `sync::admit` takes with
/// `bound`, then writes back each local document the server lacks or has
/// older. `state` is what earlier syncs learnt; it is updated collection by
/// collection as each is read whole, and the caller keeps it.
pub async fn sync_rest<S: LocalStore, T: RestTransport>(
    store: &S,
    transport: &T,
    options: &RestOptions,
    state: &mut RestState,
    bound: ClockBound,
    mut progress: impl FnMut(&Progress),
    interrupted: impl Fn() -> bool,
) -> Result<Progress, SyncError> {
    if state.options != *options {
        // What is known of the endpoint itself stays.
        let RestState { renames, strays, .. } = std::mem::take(state);
        *state = RestState { options: options.clone(), renames, strays, ..RestState::default() };
    }
    take_back(transport, &mut state.strays).await?;
    let full = state.since_full >= FULL_READ_EVERY || state.collections.is_empty();
    let mut done = Progress::default();
    for collection in REST_COLLECTIONS {
        if interrupted() {
            return Err(SyncError::Interrupted);
        }
        let known = state.collections.get(collection).cloned().unwrap_or_default();
        let read = read_collection(store, transport, collection, &Plan { options, full, bound }, &known, &mut done).await?;
        state.collections.insert(collection.to_string(), read);
        progress(&done);
    }
    state.since_full = if full { 0 } else { state.since_full + 1 };
    push_outbox(store, transport, state, done, &mut progress, interrupted).await
}

/// DELETEs each remembered stray copy; one is forgotten when the endpoint
/// answers that it is gone (404, 410) or that it will not delete it (another
/// refusal: nothing more this app can do). Any other failure ends the sync.
async fn take_back<T: RestTransport>(transport: &T, strays: &mut Vec<Stray>) -> Result<(), SyncError> {
    let mut kept = Vec::new();
    for stray in std::mem::take(strays) {
        match transport.delete(&stray.collection, &stray.id).await {
            Ok(()) => kept.push(stray),
            Err(SyncError::Refused { .. }) => {}
            Err(e) => {
                kept.push(stray);
                strays.extend(kept);
                return Err(e);
            }
        }
    }
    *strays = kept;
    Ok(())
}

/// PUTs one document; one the endpoint lacks (404) is POSTed, unless the
/// endpoint is known to store POSTed documents under ids of its own. Such
/// a copy could never be matched again: it is DELETEd at once, remembered
/// (the DELETE may not hold), and the document refused.
async fn put_one<T: RestTransport>(transport: &T, state: &mut RestState, collection: &str, id: &Id, doc: &Value) -> Result<(), SyncError> {
    let renamed = || SyncError::Refused { status: 409, message: RENAMED.into() };
    match transport.put(collection, id, doc).await {
        Err(SyncError::Refused { status: 404, .. }) if state.renames => Err(renamed()),
        Err(SyncError::Refused { status: 404, .. }) => {
            let stored = transport.post(collection, doc).await?;
            let given = serde_json::from_str::<Value>(&stored).ok().and_then(|v| v.get("id").and_then(Value::as_str).map(String::from));
            match given {
                Some(given) if given != id.as_str() => {
                    state.renames = true;
                    match transport.delete(collection, &given).await {
                        Err(SyncError::Refused { .. }) => {}
                        _ if state.strays.len() < MAX_STRAYS => state.strays.push(Stray { collection: collection.into(), id: given }),
                        _ => {}
                    }
                    Err(renamed())
                }
                _ => Ok(()),
            }
        }
        other => other,
    }
}

/// PUTs the outbox, batch by batch; a refused document keeps its entry and
/// the server's reason.
async fn push_outbox<S: LocalStore, T: RestTransport>(
    store: &S,
    transport: &T,
    state: &mut RestState,
    mut done: Progress,
    progress: &mut impl FnMut(&Progress),
    interrupted: impl Fn() -> bool,
) -> Result<Progress, SyncError> {
    // Refused in this sync (kept in the outbox): not sent again until the next.
    let mut refused = HashSet::new();
    loop {
        let batch = store.pending(MAX_PUSH_BATCH, &refused).await.map_err(store_err)?;
        if batch.is_empty() {
            break;
        }
        let (mut sent, mut reasons) = (Vec::new(), Vec::new());
        for p in &batch {
            if interrupted() {
                settle(store, &sent, &reasons, &mut refused).await?;
                return Err(SyncError::Interrupted);
            }
            // Format 1: what such a collection held before, and what its
            // "changed since" filter (`updated.hlc.millis`) names.
            let doc = p.doc.to_value_format1();
            match put_one(transport, state, collection_of(p.doc.doc_type()), p.doc.id(), &doc).await {
                Ok(()) => {
                    sent.push(p.mark());
                    done.pushed += 1;
                }
                Err(SyncError::Refused { message, .. }) => {
                    done.rejected.push((p.doc.id().to_string(), message.clone()));
                    reasons.push((p.mark(), message));
                }
                Err(e) => {
                    settle(store, &sent, &reasons, &mut refused).await?;
                    return Err(e);
                }
            }
        }
        settle(store, &sent, &reasons, &mut refused).await?;
        done.waiting = store.pending_count().await.map_err(store_err)?;
        progress(&done);
        if batch.len() < MAX_PUSH_BATCH {
            break;
        }
    }
    done.waiting = store.pending_count().await.map_err(store_err)?;
    Ok(done)
}
