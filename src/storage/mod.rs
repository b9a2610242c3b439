//! The only place that touches IndexedDB (through rexie): one store per
//! document type, the outbox, the record list's rows, photos and sync state.
//!
//! A document is stored as its JSON text keyed by id (`record.rs`), written in
//! one transaction with its outbox entry and, for an activity, its list row;
//! `schema.rs` says which stores exist. Every failure comes back as a
//! `StoreError` the UI can explain; nothing here panics on bad data.

pub mod changes;
pub mod crypto;
mod erase;
mod error;
pub mod photos;
pub mod quota;
mod record;
mod reseal;
mod rows;
pub mod schema;
mod sync_store;

pub use erase::erase_all;
pub use error::{StoreError, StoreErrorKind};
pub use rows::Rows;

use futures::FutureExt;
use rexie::{Rexie, TransactionMode};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsValue;
use xunfang_core::backup::{Backup, BackupError, ImportCounts};
use xunfang_core::doc::{Body, DocType};
use xunfang_core::proposal::{OpinionReport, Proposal};
use xunfang_core::records::AllDocs;
use xunfang_core::template::{team_settings_id, Template};
use xunfang_core::{Activity, Document, Id, Person, Roster};

/// An open database. The app uses one (`Db::app()`); tests open their own.
#[derive(Clone)]
pub struct Db {
    pub(crate) rexie: Rc<Rexie>,
}

/// What a list read found: the documents, and how many stored ones could not
/// be read (written by a newer app version, or damaged). Those stay stored
/// untouched; the UI says they exist.
#[derive(Clone, Debug, Default)]
pub struct Loaded<T: Body> {
    pub docs: Vec<Document<T>>,
    pub unreadable: usize,
}

type Opening = futures::future::Shared<futures::future::LocalBoxFuture<'static, Result<Db, StoreError>>>;

thread_local! {
    static APP_DB: RefCell<Option<Db>> = const { RefCell::new(None) };
    static OPENING: RefCell<Option<Opening>> = const { RefCell::new(None) };
}

/// The object store that holds documents of type `T`.
pub fn store_name<T: Body>() -> &'static str {
    store_for(T::TYPE)
}

/// The object store for a document type.
pub const fn store_for(doc_type: DocType) -> &'static str {
    match doc_type {
        DocType::Activity => schema::ACTIVITIES,
        DocType::Person => schema::PEOPLE,
        DocType::Proposal => schema::PROPOSALS,
        DocType::OpinionReport => schema::OPINION_REPORTS,
        DocType::TeamSettings => schema::TEAM_SETTINGS,
    }
}

/// Every store that holds documents: one per document type.
pub const DOC_STORES: [&str; 5] = [
    store_for(DocType::Activity),
    store_for(DocType::Person),
    store_for(DocType::Proposal),
    store_for(DocType::OpinionReport),
    store_for(DocType::TeamSettings),
];

impl Db {
    /// The app's database, opened once per page: callers that arrive while
    /// it is opening wait for the same opening.
    pub async fn app() -> Result<Db, StoreError> {
        if let Some(db) = APP_DB.with(|d| d.borrow().clone()) {
            return Ok(db);
        }
        let opening = OPENING.with(|o| o.borrow_mut().get_or_insert_with(|| Db::open(schema::APP_DB_NAME).boxed_local().shared()).clone());
        let result = opening.await;
        OPENING.with(|o| *o.borrow_mut() = None);
        let db = result?; // a failed opening is tried afresh next time
        APP_DB.with(|d| *d.borrow_mut() = Some(db.clone()));
        Ok(db)
    }

    /// Forgets the open database (it is about to be deleted).
    pub(crate) fn forget_app() {
        APP_DB.with(|d| *d.borrow_mut() = None);
    }

    /// Starts opening the app's database while the first screen is drawn.
    pub fn open_early() {
        wasm_bindgen_futures::spawn_local(async {
            let _ = Db::app().await;
        });
    }

    /// Opens (creating or upgrading) a database with the current schema.
    pub async fn open(name: &str) -> Result<Db, StoreError> {
        let rexie = schema::current(name).build().await.map_err(StoreError::opening)?;
        Ok(Db { rexie: Rc::new(rexie) })
    }

    /// Writes a local change: the document and its outbox entry (so sync
    /// pushes it), and for an activity its list row, in one transaction, so
    /// none exists without the others.
    pub async fn put<T: Body>(&self, doc: &Document<T>) -> Result<(), StoreError> {
        let name = store_name::<T>();
        let activity = T::as_activity(doc);
        let names: &[&str] = if activity.is_some() { &[name, schema::OUTBOX, schema::ACTIVITY_ROWS] } else { &[name, schema::OUTBOX] };
        let tx = self.rexie.transaction(names, TransactionMode::ReadWrite).map_err(StoreError::writing)?;
        let store = tx.store(name).map_err(StoreError::writing)?;
        store.put(&record::doc_record(doc, &doc.to_json())?, None).await.map_err(StoreError::writing)?;
        let outbox = tx.store(schema::OUTBOX).map_err(StoreError::writing)?;
        // A new version waits afresh: a reason the server gave the last one goes.
        let entry = sync_store::OutboxEntry { id: doc.id.clone(), doc_type: T::TYPE, updated: doc.updated.clone(), refused: None };
        outbox.put(&entry.to_js()?, None).await.map_err(StoreError::writing)?;
        if let Some(activity) = activity {
            rows::put_row(&tx.store(schema::ACTIVITY_ROWS).map_err(StoreError::writing)?, activity).await?;
        }
        tx.done().await.map_err(StoreError::writing)?;
        if let Some(activity) = activity {
            changes::written(&activity.id);
        }
        Ok(())
    }

    pub async fn get<T: Body>(&self, id: &Id) -> Result<Option<Document<T>>, StoreError> {
        let name = store_name::<T>();
        let tx = self.rexie.transaction(&[name], TransactionMode::ReadOnly).map_err(StoreError::reading)?;
        let store = tx.store(name).map_err(StoreError::reading)?;
        let value = store.get(JsValue::from_str(id.as_str())).await.map_err(StoreError::reading)?;
        value.map(|v| from_js::<T>(&v)).transpose()
    }

    /// Every stored document of type `T`, trashed ones included.
    pub async fn all<T: Body>(&self) -> Result<Loaded<T>, StoreError> {
        let name = store_name::<T>();
        let tx = self.rexie.transaction(&[name], TransactionMode::ReadOnly).map_err(StoreError::reading)?;
        let store = tx.store(name).map_err(StoreError::reading)?;
        let values = store.get_all(None, None).await.map_err(StoreError::reading)?;
        drop(tx);
        Ok(collect_opened(values).await)
    }

    /// Every stored document of every type (trashed ones too), as the office's
    /// board, reports and exports read them; `unreadable` counts the rest.
    pub async fn all_docs(&self) -> Result<(AllDocs, usize), StoreError> {
        let (a, p) = (self.all::<Activity>().await?, self.all::<Person>().await?);
        let (r, o) = (self.all::<Proposal>().await?, self.all::<OpinionReport>().await?);
        let s = self.all::<Template>().await?;
        let unreadable = a.unreadable + p.unreadable + r.unreadable + o.unreadable + s.unreadable;
        Ok((AllDocs { activities: a.docs, people: p.docs, proposals: r.docs, opinion_reports: o.docs, team_settings: s.docs }, unreadable))
    }

    /// Imports a backup with `backup::import` semantics: each document is
    /// merged by id with the stored one, and only what the merge added or
    /// changed is written (through `put`, so it also enters the outbox).
    /// Importing the same file twice writes nothing the second time.
    pub async fn import_backup(&self, backup: &Backup) -> Result<Result<ImportCounts, BackupError>, StoreError> {
        let (stored, _) = self.all_docs().await?;
        let mut merged = stored.clone();
        let counts = match xunfang_core::backup::import(&mut merged, backup) {
            Ok(c) => c,
            Err(e) => return Ok(Err(e)),
        };
        self.put_changed(&stored.activities, &merged.activities).await?;
        self.put_changed(&stored.people, &merged.people).await?;
        self.put_changed(&stored.proposals, &merged.proposals).await?;
        self.put_changed(&stored.opinion_reports, &merged.opinion_reports).await?;
        self.put_changed(&stored.team_settings, &merged.team_settings).await?;
        Ok(Ok(counts))
    }

    async fn put_changed<T: Body>(&self, before: &[Document<T>], after: &[Document<T>]) -> Result<(), StoreError> {
        for doc in after {
            if before.iter().find(|d| d.id == doc.id) != Some(doc) {
                self.put(doc).await?;
            }
        }
        Ok(())
    }

    /// The team's settings document, if one was saved here or synced in.
    pub async fn team_settings(&self) -> Result<Option<Document<Template>>, StoreError> {
        self.get::<Template>(&team_settings_id()).await
    }

    /// The roster as pickers and the roster screen show it
    /// (`Roster::into_active`: not in the trash, by name).
    pub async fn roster(&self) -> Result<Vec<Document<Person>>, StoreError> {
        Ok(Roster::new(self.all::<Person>().await?.docs).into_active())
    }

    /// Removes every document: for tests only, never offered in the UI.
    pub async fn clear_all(&self) -> Result<(), StoreError> {
        self.clear_stores(&erase::RECORD_STORES).await
    }

    pub fn close(self) {
        if let Ok(rexie) = Rc::try_unwrap(self.rexie) {
            rexie.close();
        }
    }
}

fn collect<T: Body>(values: Vec<JsValue>) -> Loaded<T> {
    let mut loaded = Loaded { docs: Vec::with_capacity(values.len()), unreadable: 0 };
    for v in values {
        match from_js::<T>(&v) {
            Ok(doc) => loaded.docs.push(doc),
            Err(_) => loaded.unreadable += 1,
        }
    }
    loaded
}

/// `collect`, with a passcode opening every sealed value at once through Web
/// Crypto (`crypto::open_all`, after the reading transaction) instead of one by
/// one in wasm: the list reads the 1,000 people of a roster this way.
async fn collect_opened<T: Body>(values: Vec<JsValue>) -> Loaded<T> {
    let sealed: Vec<_> = values.iter().map(crypto::sealed_array).collect();
    // Locked: every sealed value counts as unreadable, as `collect` has it.
    let Ok(opened) = crypto::open_all(&sealed).await else { return collect(values) };
    let mut loaded = Loaded { docs: Vec::with_capacity(values.len()), unreadable: 0 };
    for (v, opened) in values.iter().zip(opened) {
        let doc = match opened {
            Some(json) => json.and_then(|json| record::parse_doc::<T>(&json)),
            None => from_js::<T>(v),
        };
        match doc {
            Ok(doc) => loaded.docs.push(doc),
            Err(_) => loaded.unreadable += 1,
        }
    }
    loaded
}

fn to_js(json: &str) -> Result<JsValue, StoreError> {
    js_sys::JSON::parse(json).map_err(|e| StoreError::new(StoreErrorKind::Failed, format!("{e:?}")))
}

fn from_js_any(value: &JsValue) -> Result<xunfang_core::sync::AnyDoc, StoreError> {
    let json = record::doc_json(value)?;
    xunfang_core::sync::AnyDoc::from_json(&json).map_err(|e| StoreError::new(StoreErrorKind::Unreadable, e.to_string()))
}

fn from_js<T: Body>(value: &JsValue) -> Result<Document<T>, StoreError> {
    record::parse_doc(record::doc_json(value)?.as_bytes())
}
