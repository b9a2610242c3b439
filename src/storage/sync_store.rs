//! IndexedDB as the sync engine's `LocalStore`: the outbox (with the reason
//! a server gave for refusing an entry), received documents merged in, and
//! the cursor stored with them in one transaction.

use super::record::{any_record_as, record_with, same_stored, Content};
use super::rows::{row_value, RowText};
use super::{from_js_any, schema, to_js, Db, StoreError};
use futures::future::join_all;
use futures::{StreamExt, TryStreamExt};
use rexie::{KeyRange, Store, TransactionMode};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::task::Poll;
use wasm_bindgen::JsValue;
use xunfang_core::sync::AnyDoc;
use xunfang_core::sync_client::{absorb, updated, Cursor, LocalStore, Pending, Received};
use xunfang_core::{DocType, Id, Stamp};

const CURSOR_KEY: &str = "sync.cursor";

/// Received documents are handed to IndexedDB this many at a time, so that
/// the browser writes one batch while the next is merged and encoded.
const WRITE_BATCH: usize = 50;

/// With a passcode, a received page is merged, sealed and written this many at a time (`absorb_docs`).
const SEAL_PIECE: usize = 100;

/// How many pieces' writes may be asked of IndexedDB before the first is done.
const PIECES_IN_FLIGHT: usize = 8;

/// One document waiting to be pushed, and the change it waits with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub id: Id,
    #[serde(rename = "type")]
    pub doc_type: DocType,
    /// Stored as the stamp's JSON text (`stamp_text`), never as numbers.
    #[serde(with = "stamp_text")]
    pub updated: Stamp,
    /// Why the server refused this version, in its words; `None` until it
    /// does. Entries written before this field read as `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
}

impl OutboxEntry {
    /// The entry for `doc`'s latest change, waiting to be sent (no refusal yet).
    pub fn of(doc: &AnyDoc) -> OutboxEntry {
        OutboxEntry { id: doc.id().clone(), doc_type: doc.doc_type(), updated: updated(doc), refused: None }
    }

    /// The value to put in the outbox store.
    /// With a passcode set, `{id, sealed}`: the stamp and a refusal's words are sealed too.
    pub fn to_js(&self) -> Result<JsValue, StoreError> {
        let json = serde_json::to_string(self).expect("serialises");
        match super::crypto::seal(json.as_bytes())? {
            Some(sealed) => Ok(sealed_value(self.id.as_str(), &sealed)),
            None => to_js(&json),
        }
    }
}

/// An outbox entry's stamp as JSON text inside the record. The record goes
/// through `JSON.parse`, which reads numbers as doubles: a clock reading
/// past 2^53 ms would come back changed, never match the document's stamp
/// again, and its confirmation would never clear the entry. Text comes back
/// exactly. Entries written before hold the stamp as an object; they read too.
mod stamp_text {
    use serde::{Deserialize, Deserializer, Serializer};
    use xunfang_core::Stamp;

    pub fn serialize<S: Serializer>(stamp: &Stamp, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&serde_json::to_string(stamp).expect("stamps serialise"))
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Stored {
        Text(String),
        Object(Stamp),
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Stamp, D::Error> {
        match Stored::deserialize(d)? {
            Stored::Text(text) => serde_json::from_str(&text).map_err(serde::de::Error::custom),
            Stored::Object(stamp) => Ok(stamp),
        }
    }
}

/// The stored cursor: `value` is the sequence number, `epoch` the server
/// database's epoch it counts in (absent in entries stored before epochs:
/// the engine then pushes everything once, see `sync_client::new_epoch`).
#[derive(Serialize, Deserialize)]
struct CursorEntry {
    key: String,
    value: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    epoch: Option<String>,
}

use super::{store_for as store_name, DOC_STORES};

fn text(e: StoreError) -> String {
    e.to_string()
}

/// `{id, sealed}`: a value sealed whole, under its key.
pub(super) fn sealed_value(id: &str, sealed: &[u8]) -> JsValue {
    let o = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&o, &super::record::js_text("id"), &JsValue::from_str(id));
    let _ = js_sys::Reflect::set(&o, &super::record::js_text("sealed"), &js_sys::Uint8Array::from(sealed));
    o.into()
}

fn parse<T: for<'de> Deserialize<'de>>(v: &JsValue) -> Option<T> {
    if let Some(sealed) = super::crypto::sealed_field(v) {
        return serde_json::from_slice(&super::crypto::open(&sealed).ok()?).ok();
    }
    let json: String = js_sys::JSON::stringify(v).ok()?.into();
    serde_json::from_str(&json).ok()
}

impl Db {
    /// Forgets the sync position (a new endpoint starts from the beginning)
    /// and queues every document for pushing to it.
    pub async fn reset_sync(&self) -> Result<(), StoreError> {
        self.queue_everything(true).await
    }

    /// Puts every document in the outbox and, if `forget_cursor`, deletes
    /// the cursor, in one transaction.
    async fn queue_everything(&self, forget_cursor: bool) -> Result<(), StoreError> {
        let names = [DOC_STORES.as_slice(), &[schema::OUTBOX, schema::META]].concat();
        let tx = self.rexie.transaction(&names, TransactionMode::ReadWrite).map_err(StoreError::writing)?;
        let outbox = tx.store(schema::OUTBOX).map_err(StoreError::writing)?;
        for name in DOC_STORES {
            let store = tx.store(name).map_err(StoreError::writing)?;
            for v in store.get_all(None, None).await.map_err(StoreError::writing)? {
                if let Ok(doc) = from_js_any(&v) {
                    outbox.put(&OutboxEntry::of(&doc).to_js()?, None).await.map_err(StoreError::writing)?;
                }
            }
        }
        if forget_cursor {
            let meta = tx.store(schema::META).map_err(StoreError::writing)?;
            meta.delete(JsValue::from_str(CURSOR_KEY)).await.map_err(StoreError::writing)?;
        }
        tx.done().await.map_err(StoreError::writing)?;
        Ok(())
    }

    async fn pending_docs(&self, limit: usize, skip: &HashSet<Id>) -> Result<Vec<Pending>, StoreError> {
        let names = [DOC_STORES.as_slice(), &[schema::OUTBOX]].concat();
        let tx = self.rexie.transaction(&names, TransactionMode::ReadOnly).map_err(StoreError::reading)?;
        let outbox = tx.store(schema::OUTBOX).map_err(StoreError::reading)?;
        // The first `limit` entries not skipped lie among the first
        // `limit + skip.len()`.
        let entries = outbox.get_all(None, Some((limit + skip.len()) as u32)).await.map_err(StoreError::reading)?;
        let mut out = Vec::with_capacity(limit.min(entries.len()));
        for e in entries {
            if out.len() == limit {
                break;
            }
            let Some(entry) = parse::<OutboxEntry>(&e).filter(|entry| !skip.contains(&entry.id)) else { continue };
            let store = tx.store(store_name(entry.doc_type)).map_err(StoreError::reading)?;
            if let Some(v) = store.get(JsValue::from_str(entry.id.as_str())).await.map_err(StoreError::reading)? {
                if let Ok(doc) = from_js_any(&v) {
                    out.push(Pending { doc });
                }
            }
        }
        Ok(out)
    }

    async fn count_pending(&self) -> Result<usize, StoreError> {
        let tx = self.rexie.transaction(&[schema::OUTBOX], TransactionMode::ReadOnly).map_err(StoreError::reading)?;
        let n = tx.store(schema::OUTBOX).map_err(StoreError::reading)?.count(None).await.map_err(StoreError::reading)?;
        Ok(n as usize)
    }

    async fn confirm_sent(&self, sent: &[(Id, Stamp)]) -> Result<(), StoreError> {
        let tx = self.rexie.transaction(&[schema::OUTBOX], TransactionMode::ReadWrite).map_err(StoreError::writing)?;
        let outbox = tx.store(schema::OUTBOX).map_err(StoreError::writing)?;
        for (id, stamp) in sent {
            let key = JsValue::from_str(id.as_str());
            let current = outbox.get(key.clone()).await.map_err(StoreError::writing)?.and_then(|v| parse::<OutboxEntry>(&v));
            // An edit made while the push was under way keeps its entry.
            if current.is_some_and(|e| &e.updated == stamp) {
                outbox.delete(key).await.map_err(StoreError::writing)?;
            }
        }
        tx.done().await.map_err(StoreError::writing)?;
        Ok(())
    }

    async fn note_refusals(&self, refused: &[((Id, Stamp), String)]) -> Result<(), StoreError> {
        if refused.is_empty() {
            return Ok(());
        }
        let tx = self.rexie.transaction(&[schema::OUTBOX], TransactionMode::ReadWrite).map_err(StoreError::writing)?;
        let outbox = tx.store(schema::OUTBOX).map_err(StoreError::writing)?;
        for ((id, stamp), reason) in refused {
            let current = outbox.get(JsValue::from_str(id.as_str())).await.map_err(StoreError::writing)?.and_then(|v| parse::<OutboxEntry>(&v));
            // An edit made since it was sent is another version: not refused yet.
            if let Some(entry) = current.filter(|e| &e.updated == stamp) {
                let entry = OutboxEntry { refused: Some(reason.clone()), ..entry };
                outbox.put(&entry.to_js()?, None).await.map_err(StoreError::writing)?;
            }
        }
        tx.done().await.map_err(StoreError::writing)?;
        Ok(())
    }

    /// Why the server refused the waiting version of document `id`, if it
    /// did: the editor shows it on the record.
    pub async fn refusal(&self, id: &Id) -> Result<Option<String>, StoreError> {
        let tx = self.rexie.transaction(&[schema::OUTBOX], TransactionMode::ReadOnly).map_err(StoreError::reading)?;
        let outbox = tx.store(schema::OUTBOX).map_err(StoreError::reading)?;
        let entry = outbox.get(JsValue::from_str(id.as_str())).await.map_err(StoreError::reading)?.and_then(|v| parse::<OutboxEntry>(&v));
        Ok(entry.and_then(|e| e.refused))
    }

    async fn absorb_docs(&self, docs: Vec<Received>, cursor: Option<Cursor>) -> Result<(), StoreError> {
        let Some(seen) = self.read_for_sealing(&docs).await? else { return self.absorb_page(docs, cursor, None).await.map(drop) };
        // With a passcode the page goes in pieces, each in its own transaction, and no piece
        // waits for the one before: while IndexedDB writes some, the next is merged (wasm) and
        // sealed (Web Crypto). The page's local copies were read above, at once, before any of
        // its writes: a read asked for later would queue behind them. IndexedDB runs writes to
        // the same stores in the order they were asked for, so each piece's write re-reads the
        // local copies after the pieces before it. The cursor goes last, once every piece is
        // stored: a page cut short is pulled again and merges to the same.
        let (send, sealed_pieces) = futures::channel::mpsc::unbounded();
        let seal = async move {
            let (mut docs, mut seen) = (docs, seen);
            while !docs.is_empty() {
                let n = SEAL_PIECE.min(docs.len());
                let (rest, rest_seen) = (docs.split_off(n), seen.split_off(n));
                // `None` (the passcode went, the tablet locked, no Web Crypto): that piece is merged and sealed in its write, or refused.
                let ahead = seal_read(&docs, seen).await?;
                let _ = send.unbounded_send((std::mem::replace(&mut docs, rest), ahead));
                seen = rest_seen;
            }
            Ok::<(), StoreError>(())
        };
        let write = sealed_pieces.map(|(piece, ahead)| self.absorb_page(piece, None, ahead)).buffered(PIECES_IN_FLIGHT).try_for_each(|_| async { Ok(()) });
        let (sealed, written) = futures::join!(seal, write);
        sealed?;
        written?;
        if cursor.is_some() {
            self.absorb_page(Vec::new(), cursor, None).await?;
        }
        Ok(())
    }

    /// With a passcode, `docs` merged with what is stored and their records and
    /// rows sealed through Web Crypto, before `absorb_page`'s transaction (its
    /// promises would end it): native AES instead of wasm's for a page of
    /// hundreds. `None` without a passcode, or when Web Crypto is not there.
    /// Public so that a test can change a record between this and the write.
    pub async fn seal_page(&self, docs: &[Received]) -> Result<Option<SealedPage>, StoreError> {
        match self.read_for_sealing(docs).await? {
            Some(seen) => seal_read(docs, seen).await,
            None => Ok(None),
        }
    }

    /// With a passcode, the local copies of `docs` as stored now (one read, all
    /// asked for at once); `None` without one: nothing is sealed ahead.
    async fn read_for_sealing(&self, docs: &[Received]) -> Result<Option<Vec<Option<JsValue>>>, StoreError> {
        if !matches!(super::crypto::sealing(), Ok(true)) {
            return Ok(None);
        }
        let tx = self.rexie.transaction(&DOC_STORES, TransactionMode::ReadOnly).map_err(StoreError::reading)?;
        let stores = DOC_STORES.iter().map(|&name| Ok((name, tx.store(name).map_err(StoreError::reading)?))).collect::<Result<HashMap<_, _>, StoreError>>()?;
        Ok(Some(read_locals(&stores, docs).await.map_err(StoreError::reading)?))
    }

    /// Merges `docs` into what is stored and writes the result with `cursor`,
    /// in one transaction. A document whose local copy is still the one
    /// `seal_page` merged with is stored as sealed then; any other (changed
    /// since, or no page sealed) is merged and sealed here, in wasm. Returns
    /// how many were stored as sealed ahead.
    pub async fn absorb_page(&self, docs: Vec<Received>, cursor: Option<Cursor>, ahead: Option<SealedPage>) -> Result<usize, StoreError> {
        let names = [DOC_STORES.as_slice(), &[schema::OUTBOX, schema::META, schema::ACTIVITY_ROWS]].concat();
        let tx = self.rexie.transaction(&names, TransactionMode::ReadWrite).map_err(StoreError::writing)?;
        // Asked before the transaction's first wait: a lock or a passcode removal since the sealing means sealing again here.
        let mut ahead = ahead.filter(|a| a.sealed.still_open());
        let stores = names.iter().map(|&name| Ok((name, tx.store(name).map_err(StoreError::writing)?))).collect::<Result<HashMap<_, _>, StoreError>>()?;
        let locals = read_locals(&stores, &docs).await.map_err(StoreError::writing)?;
        let mut batch: HashMap<&'static str, Vec<JsValue>> = HashMap::new();
        let mut batched = 0;
        let mut writing = Vec::new();
        let mut covered = Vec::new();
        let mut rows_written = Vec::new();
        let mut latest = None::<Stamp>;
        let mut used_ahead = 0;
        for (i, (received, local)) in docs.into_iter().zip(locals).enumerate() {
            latest = latest.max(Some(updated(&received.doc)));
            let planned = match ahead.as_mut().and_then(|a| a.take(i, local.as_ref())) {
                Some(planned) => {
                    used_ahead += 1;
                    planned
                }
                None => match plan(local.and_then(|v| from_js_any(&v).ok()).as_ref(), received) {
                    Some(plan) => {
                        let record = any_record_as(&plan.doc, &plan.text)?;
                        let row = if let AnyDoc::Activity(activity) = &plan.doc { Some(row_value(activity)?) } else { None };
                        Some((plan, record, row))
                    }
                    None => None,
                },
            };
            let Some((Plan { doc, push, .. }, record, row)) = planned else { continue };
            batch.entry(store_name(doc.doc_type())).or_default().push(record);
            if let Some(row) = row {
                batch.entry(schema::ACTIVITY_ROWS).or_default().push(row);
                rows_written.push(doc.id().clone());
            }
            if push {
                batch.entry(schema::OUTBOX).or_default().push(OutboxEntry::of(&doc).to_js()?);
            } else {
                // The server's copy covers the local one: nothing waits.
                covered.push((doc.id().to_string(), doc.doc_type()));
            }
            batched += 1;
            if batched == WRITE_BATCH {
                start_puts(&stores, &mut batch, &mut writing).await?;
                batched = 0;
            }
        }
        start_puts(&stores, &mut batch, &mut writing).await?;
        for result in join_all(writing).await {
            result.map_err(StoreError::writing)?;
        }
        if !covered.is_empty() {
            // One listing of the (usually short) outbox, then only deletes
            // of entries that are there: a first pull covers every document.
            let outbox = &stores[schema::OUTBOX];
            let queued: HashSet<String> = outbox.get_all_keys(None, None).await.map_err(StoreError::writing)?.iter().filter_map(JsValue::as_string).collect();
            // The outbox is keyed by id alone: an entry is cleared only if it
            // waits with a document of the covered one's type (a received
            // document of another type under the same id covers nothing).
            let deletes = covered.into_iter().filter(|(id, _)| queued.contains(id.as_str())).map(|(id, doc_type)| async move {
                let key = JsValue::from_str(&id);
                let entry = outbox.get(key.clone()).await?.and_then(|v| parse::<OutboxEntry>(&v));
                if entry.is_some_and(|e| e.doc_type == doc_type) {
                    outbox.delete(key).await?;
                }
                Ok::<(), rexie::Error>(())
            });
            for result in join_all(deletes).await {
                result.map_err(StoreError::writing)?;
            }
        }
        if let Some(cursor) = cursor {
            let meta = &stores[schema::META];
            let entry = CursorEntry { key: CURSOR_KEY.into(), value: Some(cursor.seq), epoch: cursor.epoch };
            meta.put(&to_js(&serde_json::to_string(&entry).expect("serialises"))?, None).await.map_err(StoreError::writing)?;
        }
        tx.done().await.map_err(StoreError::writing)?;
        rows_written.iter().for_each(super::changes::written);
        // Later local edits must sort after everything seen from elsewhere.
        if let Some(stamp) = latest {
            crate::device::observe(stamp.hlc);
        }
        Ok(used_ahead)
    }

    async fn stored_cursor(&self) -> Result<Option<Cursor>, StoreError> {
        let tx = self.rexie.transaction(&[schema::META], TransactionMode::ReadOnly).map_err(StoreError::reading)?;
        let meta = tx.store(schema::META).map_err(StoreError::reading)?;
        let v = meta.get(JsValue::from_str(CURSOR_KEY)).await.map_err(StoreError::reading)?;
        Ok(v.and_then(|v| parse::<CursorEntry>(&v)).and_then(|c| Some(Cursor { seq: c.value?, epoch: c.epoch })))
    }
}

/// `docs` merged with `seen`, their local copies as read, and their records and
/// rows sealed at once through Web Crypto (`crypto::seal_all`); `None` when
/// nothing can be sealed ahead now.
async fn seal_read(docs: &[Received], seen: Vec<Option<JsValue>>) -> Result<Option<SealedPage>, StoreError> {
    let mut plans = Vec::with_capacity(docs.len());
    for (received, local) in docs.iter().zip(&seen) {
        let plan = plan(local.as_ref().and_then(|v| from_js_any(v).ok()).as_ref(), received.clone());
        let row = plan.as_ref().and_then(|p| if let AnyDoc::Activity(a) = &p.doc { Some(RowText::of(a)) } else { None });
        plans.push(plan.map(|p| (p, row)));
    }
    let plains: Vec<&[u8]> = plans.iter().flatten().flat_map(|(p, row)| [Some(p.text.as_bytes()), row.as_ref().map(|r| r.json.as_slice())]).flatten().collect();
    let Some(sealed) = super::crypto::seal_all(&plains).await? else { return Ok(None) };
    let mut envelopes = sealed.envelopes.iter().cloned();
    let mut values = Vec::with_capacity(plans.len());
    for planned in plans {
        values.push(planned.map(|(plan, row)| {
            let record = record_with(plan.doc.id().as_str(), plan.doc.doc_type().as_str(), Content::Sealed(envelopes.next().expect("one per text")));
            let row = row.map(|row| row.value(Content::Sealed(envelopes.next().expect("one per row"))));
            (plan, record, row)
        }));
    }
    Ok(Some(SealedPage { sealed, seen, values }))
}

/// What storing one received document comes to, before anything is sealed.
pub struct Plan {
    doc: AnyDoc,
    /// The text to store for `doc`.
    text: String,
    /// The local copy knew more: `doc` waits in the outbox.
    push: bool,
}

/// `remote` merged with the local copy by `sync_client::absorb`: `None` when
/// nothing is stored (the local copy covers it, or it was refused).
fn plan(local: Option<&AnyDoc>, Received { doc: remote, json, current }: Received) -> Option<Plan> {
    let result = absorb(local, remote);
    let doc = result.store?;
    // Stored unchanged: as the text received, not written out again, unless
    // it came in an older format (an older server, a REST collection): the
    // app stores format 2, a third of the bytes.
    let text = if result.push || !current { doc.to_json() } else { json };
    Some(Plan { doc, text, push: result.push })
}

/// A page merged and sealed by `Db::seal_page`, waiting for its write.
pub struct SealedPage {
    sealed: super::crypto::SealedAhead,
    /// The local copies (as stored) each document was merged with.
    seen: Vec<Option<JsValue>>,
    /// Per document: what to store (plan, sealed record, sealed row), `None` when nothing.
    values: Vec<Option<Sealed>>,
}

type Sealed = (Plan, JsValue, Option<JsValue>);

impl SealedPage {
    /// Document `i`'s sealed values if `local`, as the write reads it, is the
    /// copy they were merged with (`None`: merge again).
    fn take(&mut self, i: usize, local: Option<&JsValue>) -> Option<Option<Sealed>> {
        same_stored(self.seen.get(i)?.as_ref(), local).then(|| self.values.get_mut(i).and_then(Option::take))
    }
}

/// Every received document's local copy (`None`: not stored), asked for at
/// once: IndexedDB answers requests issued together far faster than one after
/// another. A document known not to be stored (`stored_among`) is not asked for.
async fn read_locals(stores: &HashMap<&'static str, Store>, docs: &[Received]) -> Result<Vec<Option<JsValue>>, rexie::Error> {
    let mut stored = HashMap::new();
    for (name, ids) in ids_by_store(docs) {
        stored.insert(name, stored_among(&stores[name], &ids).await?);
    }
    let reads = docs.iter().map(|Received { doc: remote, .. }| {
        let name = store_name(remote.doc_type());
        let absent = stored[name].as_ref().is_some_and(|ids| !ids.contains(remote.id().as_str()));
        let (store, key) = (&stores[name], JsValue::from_str(remote.id().as_str()));
        async move {
            if absent {
                Ok(None)
            } else {
                store.get(key).await
            }
        }
    });
    join_all(reads).await.into_iter().collect()
}

/// The received documents' ids, by the store each goes to.
fn ids_by_store(docs: &[Received]) -> HashMap<&'static str, Vec<&str>> {
    let mut by_store: HashMap<&'static str, Vec<&str>> = HashMap::new();
    for Received { doc, .. } in docs {
        by_store.entry(store_name(doc.doc_type())).or_default().push(doc.id().as_str());
    }
    by_store
}

/// Which of `ids` the store holds, found by listing the stored keys between
/// the lowest and highest of them: one request instead of one per id. Ids
/// grow with the time a document was made and a server sends documents in
/// the order it received them, so a page's ids are usually close together
/// and few other keys lie between. `None` when too many do (the listing
/// stops at a limit): then each document is looked up on its own.
async fn stored_among(store: &Store, ids: &[&str]) -> Result<Option<HashSet<String>>, rexie::Error> {
    let (Some(low), Some(high)) = (ids.iter().min(), ids.iter().max()) else { return Ok(Some(HashSet::new())) };
    let limit = ids.len() * 2 + 16;
    let range = KeyRange::bound(&JsValue::from_str(low), &JsValue::from_str(high), Some(false), Some(false))?;
    let keys = store.get_all_keys(Some(range), Some(limit as u32)).await?;
    Ok((keys.len() < limit).then(|| keys.iter().filter_map(JsValue::as_string).collect()))
}

type Puts<'a> = Pin<Box<dyn Future<Output = Result<(), rexie::Error>> + 'a>>;

/// Hands the batched records to their stores and leaves them writing: the
/// first poll issues every put (IndexedDB takes each value at once), and
/// the future waiting for the last put joins `writing`, awaited at the end.
/// A failed put aborts the whole transaction, so nothing is half stored.
async fn start_puts<'a>(
    stores: &'a HashMap<&'static str, Store>,
    batch: &mut HashMap<&'static str, Vec<JsValue>>,
    writing: &mut Vec<Puts<'a>>,
) -> Result<(), StoreError> {
    for (name, values) in batch.drain() {
        let mut puts: Puts<'a> = Box::pin(stores[name].put_all(values.into_iter().map(|v| (v, None))));
        match futures::poll!(puts.as_mut()) {
            Poll::Ready(result) => result.map_err(StoreError::writing)?,
            Poll::Pending => writing.push(puts),
        }
    }
    Ok(())
}

impl LocalStore for Db {
    async fn pending(&self, limit: usize, skip: &HashSet<Id>) -> Result<Vec<Pending>, String> {
        self.pending_docs(limit, skip).await.map_err(text)
    }
    async fn pending_count(&self) -> Result<usize, String> {
        self.count_pending().await.map_err(text)
    }
    async fn confirm(&self, sent: &[(Id, Stamp)]) -> Result<(), String> {
        self.confirm_sent(sent).await.map_err(text)
    }
    async fn note_refused(&self, refused: &[((Id, Stamp), String)]) -> Result<(), String> {
        self.note_refusals(refused).await.map_err(text)
    }
    async fn absorb(&self, docs: Vec<Received>, cursor: Option<Cursor>) -> Result<(), String> {
        self.absorb_docs(docs, cursor).await.map_err(text)
    }
    async fn cursor(&self) -> Result<Option<Cursor>, String> {
        self.stored_cursor().await.map_err(text)
    }
    async fn requeue_all(&self) -> Result<(), String> {
        self.queue_everything(false).await.map_err(text)
    }
}
