//! An in-memory `LocalStore`: documents, outbox and cursor in maps, with the
//! same rules as the app's IndexedDB store. For tests and tools that run the
//! sync engine without a browser (core's tests, the server's fault tests).

use super::{absorb, updated, Cursor, LocalStore, Pending, Received};
use crate::clock::Stamp;
use crate::id::Id;
use crate::sync::AnyDoc;
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashSet};

/// A device's documents, outbox (id → the change it waits with) and cursor.
#[derive(Debug, Default)]
pub struct MemoryStore {
    pub docs: RefCell<BTreeMap<Id, AnyDoc>>,
    pub outbox: RefCell<BTreeMap<Id, Stamp>>,
    /// The server's reason, on outbox entries it refused.
    pub reasons: RefCell<BTreeMap<Id, String>>,
    pub cursor: RefCell<Option<Cursor>>,
    /// The highest wall-clock reading received: a device's clock moves past
    /// it so that later local edits sort after what was seen.
    pub seen_millis: Cell<u64>,
}

impl MemoryStore {
    /// A local write and its outbox entry, together (one transaction in the app).
    pub fn write(&self, doc: AnyDoc) {
        self.outbox.borrow_mut().insert(doc.id().clone(), updated(&doc));
        // A new version waits afresh: a reason the server gave the last one goes.
        self.reasons.borrow_mut().remove(doc.id());
        self.docs.borrow_mut().insert(doc.id().clone(), doc);
    }
}

impl LocalStore for MemoryStore {
    async fn pending(&self, limit: usize, skip: &HashSet<Id>) -> Result<Vec<Pending>, String> {
        let docs = self.docs.borrow();
        Ok(self.outbox.borrow().keys().filter(|id| !skip.contains(*id)).take(limit).map(|id| Pending { doc: docs[id].clone() }).collect())
    }

    async fn pending_count(&self) -> Result<usize, String> {
        Ok(self.outbox.borrow().len())
    }

    async fn confirm(&self, sent: &[(Id, Stamp)]) -> Result<(), String> {
        let mut outbox = self.outbox.borrow_mut();
        for (id, stamp) in sent {
            if outbox.get(id) == Some(stamp) {
                outbox.remove(id);
                self.reasons.borrow_mut().remove(id);
            }
        }
        Ok(())
    }

    async fn note_refused(&self, refused: &[((Id, Stamp), String)]) -> Result<(), String> {
        for ((id, stamp), reason) in refused {
            if self.outbox.borrow().get(id) == Some(stamp) {
                self.reasons.borrow_mut().insert(id.clone(), reason.clone());
            }
        }
        Ok(())
    }

    async fn absorb(&self, docs: Vec<Received>, cursor: Option<Cursor>) -> Result<(), String> {
        for Received { doc: remote, json, .. } in docs {
            let id = remote.id().clone();
            self.seen_millis.set(self.seen_millis.get().max(updated(&remote).hlc.millis));
            // Merged from a borrow, not a copy: the map is not written until the merge is done.
            let result = absorb(self.docs.borrow().get(&id), remote);
            if let Some(doc) = result.store {
                if result.push {
                    self.outbox.borrow_mut().insert(id.clone(), updated(&doc));
                } else {
                    self.outbox.borrow_mut().remove(&id);
                    self.reasons.borrow_mut().remove(&id);
                }
                // As the app does: what is stored unchanged is stored as the
                // text received, so that text must read back as the document
                // (the received document is: read from it, or written out as it).
                let doc = if result.push || result.as_received { doc } else { AnyDoc::from_json(&json).map_err(|e| e.to_string())? };
                self.docs.borrow_mut().insert(id, doc);
            }
        }
        if cursor.is_some() {
            *self.cursor.borrow_mut() = cursor;
        }
        Ok(())
    }

    async fn cursor(&self) -> Result<Option<Cursor>, String> {
        Ok(self.cursor.borrow().clone())
    }

    async fn requeue_all(&self) -> Result<(), String> {
        let mut outbox = self.outbox.borrow_mut();
        for (id, doc) in self.docs.borrow().iter() {
            outbox.insert(id.clone(), updated(doc));
        }
        Ok(())
    }
}
