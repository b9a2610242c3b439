//! Editing a stored document with autosave: the `Editor` behind every editor
//! screen (see `components::editor_shell`), and one-off writes from lists.
//!
//! The draft lives in a signal the form binds to. Each edit schedules a write
//! a moment after typing stops; hiding the page writes at once. The write
//! merges the draft into the copy stored now (`core::save::onto_stored`), so
//! fields a sync brought meanwhile survive; a copy that cannot be merged is
//! never written over: the draft stays on screen and the status says so. A
//! failed write keeps the draft and is retried with the next edit, so an
//! error never loses text. Saves never overlap: one that arrives while
//! another runs is folded into a follow-up write of the newest draft.

use crate::device;
use crate::storage::{Db, StoreError};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;
use xunfang_core::doc::Body;
use xunfang_core::{Document, Id};

/// How long after the last keystroke the draft is written.
const QUIET: Duration = Duration::from_millis(300);

/// Where an editor's draft stands; the status line shows it.
#[derive(Clone, Debug, PartialEq)]
pub enum SaveState {
    /// Nothing typed yet on a new document: nothing stored.
    Untouched,
    Pending,
    Saved,
    /// The write failed; the next edit retries it.
    Failed(StoreError),
    /// The stored copy could not be merged with the draft (another app
    /// version's or a damaged copy): both are kept, nothing was written.
    NotMerged,
}

/// An editor on screen: its key and the function that saves its draft now.
type Flusher = (u64, Rc<dyn Fn()>);

thread_local! {
    /// Flushers of the editors on screen, so an app update can save them first.
    static OPEN: RefCell<Vec<Flusher>> = const { RefCell::new(Vec::new()) };
    static NEXT_KEY: Cell<u64> = const { Cell::new(0) };
    /// Writes started and not yet finished.
    static IN_FLIGHT: Cell<usize> = const { Cell::new(0) };
}

/// Writes every open editor's unsaved draft and waits (up to a few seconds)
/// until all writes have finished: called before the app reloads itself.
pub async fn flush_all() {
    let flushers: Vec<Rc<dyn Fn()>> = OPEN.with(|o| o.borrow().iter().map(|(_, f)| f.clone()).collect());
    for f in flushers {
        f();
    }
    for _ in 0..100 {
        if IN_FLIGHT.with(Cell::get) == 0 {
            return;
        }
        gloo_timers::future::TimeoutFuture::new(30).await;
    }
}

pub struct Editor<T: Body + Send + Sync + 'static> {
    pub id: StoredValue<Id>,
    pub draft: RwSignal<T>,
    pub state: RwSignal<SaveState>,
    /// The stored document; `None` until the first edit of a new one.
    pub doc: RwSignal<Option<Document<T>>>,
    timer: StoredValue<Option<TimeoutHandle>>,
    busy: StoredValue<bool>,
    again: StoredValue<bool>,
}

impl<T: Body + Send + Sync + 'static> Clone for Editor<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: Body + Send + Sync + 'static> Copy for Editor<T> {}

impl<T: Body + Send + Sync + 'static> Editor<T> {
    /// An editor over a stored document, or over `blank` for a new one.
    pub fn new(id: Id, stored: Option<Document<T>>, blank: T) -> Editor<T> {
        let state = if stored.is_some() { SaveState::Saved } else { SaveState::Untouched };
        let draft = stored.as_ref().map(|d| d.body.clone()).unwrap_or(blank);
        let editor = Editor {
            id: StoredValue::new(id),
            draft: RwSignal::new(draft),
            state: RwSignal::new(state),
            doc: RwSignal::new(stored),
            timer: StoredValue::new(None),
            busy: StoredValue::new(false),
            again: StoredValue::new(false),
        };
        // Leaving the page (tab switch, screen off, navigation) writes now.
        let hidden = window_event_listener(leptos::ev::pagehide, move |_| editor.flush());
        let visibility = leptos::prelude::document();
        let vis = window_event_listener(leptos::ev::visibilitychange, move |_| {
            if visibility.visibility_state() == web_sys::VisibilityState::Hidden {
                editor.flush();
            }
        });
        // A sync brought documents in: show this one's new state if nothing
        // is being typed (otherwise the next write merges it in).
        if let Some(sync) = crate::sync::use_status() {
            let id = editor.id.get_value();
            Effect::new(move |first: Option<()>| {
                sync.revision.track();
                if first.is_none() {
                    return;
                }
                let id = id.clone();
                spawn_local(async move {
                    let Ok(db) = Db::app().await else { return };
                    let Ok(Some(fresh)) = db.get::<T>(&id).await else {
                        return;
                    };
                    if editor.state.try_get_untracked() == Some(SaveState::Saved) && editor.doc.try_get_untracked().flatten().as_ref() != Some(&fresh) {
                        editor.draft.try_set(fresh.body.clone());
                        editor.doc.try_set(Some(fresh));
                    }
                });
            });
        }
        let key = NEXT_KEY.with(|k| {
            k.set(k.get() + 1);
            k.get()
        });
        OPEN.with(|o| o.borrow_mut().push((key, Rc::new(move || editor.flush()))));
        on_cleanup(move || {
            editor.flush();
            OPEN.with(|o| o.borrow_mut().retain(|(k, _)| *k != key));
            hidden.remove();
            vis.remove();
        });
        editor
    }

    /// Changes the draft and schedules a write.
    pub fn edit(&self, change: impl FnOnce(&mut T)) {
        self.draft.update(change);
        self.state.set(SaveState::Pending);
        if let Some(Some(handle)) = self.timer.try_get_value() {
            handle.clear();
        }
        let editor = *self;
        let handle = set_timeout_with_handle(move || editor.flush(), QUIET).ok();
        self.timer.set_value(handle);
    }

    /// Writes the draft now if it has unsaved changes. The draft is taken
    /// synchronously, so this also works while the page is being left.
    pub fn flush(&self) {
        match self.state.try_get_untracked() {
            Some(SaveState::Pending | SaveState::Failed(_) | SaveState::NotMerged) => {}
            _ => return,
        }
        if let Some(Some(handle)) = self.timer.try_get_value() {
            handle.clear();
            self.timer.try_set_value(None);
        }
        if self.busy.try_get_value() == Some(true) {
            self.again.try_set_value(true);
            return;
        }
        let Some(body) = self.draft.try_get_untracked() else {
            return;
        };
        let stored = self.doc.try_get_untracked().flatten();
        self.busy.set_value(true);
        IN_FLIGHT.with(|n| n.set(n.get() + 1));
        let (editor, id) = (*self, self.id.get_value());
        spawn_local(async move {
            let result = write(id, stored, body).await;
            IN_FLIGHT.with(|n| n.set(n.get() - 1));
            editor.busy.try_set_value(false);
            match result {
                Ok(Some(doc)) => {
                    // Fields merged in from elsewhere show, unless the user
                    // typed on in the meantime (the next write merges again).
                    if editor.again.try_get_value() != Some(true) && editor.draft.try_get_untracked().as_ref() != Some(&doc.body) {
                        editor.draft.try_set(doc.body.clone());
                    }
                    editor.doc.try_set(Some(doc));
                    if editor.again.try_get_value() == Some(true) {
                        // Typed while this write ran: write the newer draft too.
                        editor.again.try_set_value(false);
                        editor.flush();
                    } else {
                        editor.state.try_set(SaveState::Saved);
                    }
                }
                Ok(None) => {
                    editor.again.try_set_value(false);
                    editor.state.try_set(SaveState::NotMerged);
                }
                Err(e) => {
                    editor.state.try_set(SaveState::Failed(e));
                }
            }
        });
    }

    /// Moves the document to the trash (or back) and writes it at once.
    /// `Ok(false)`: the stored copy could not be merged, nothing was written
    /// (the status line says so).
    pub async fn set_trashed(&self, trashed: bool) -> Result<bool, StoreError> {
        self.flush();
        let mut doc = match self.doc.get_untracked() {
            Some(doc) => doc,
            None => Document::create(self.id.get_value(), self.draft.get_untracked(), device::stamp()),
        };
        doc.set_trashed(trashed, device::stamp());
        self.settle(store(doc).await?)
    }

    /// Settles a conflict with the chosen value ("use this") as a new local
    /// change, written at once. `Ok(false)` as for `set_trashed`.
    pub async fn resolve(&self, path: &str, chosen: Option<serde_json::Value>) -> Result<bool, StoreError> {
        self.flush();
        let Some(mut doc) = self.doc.get_untracked() else {
            return Ok(true);
        };
        if doc.resolve(path, chosen, device::stamp()).is_err() {
            return Ok(true);
        }
        self.settle(store(doc).await?)
    }

    /// Shows what a one-off write (trash, "use this") stored.
    fn settle(&self, written: Option<Document<T>>) -> Result<bool, StoreError> {
        match written {
            Some(doc) => {
                self.draft.set(doc.body.clone());
                self.doc.set(Some(doc));
                Ok(true)
            }
            None => {
                self.state.set(SaveState::NotMerged);
                Ok(false)
            }
        }
    }
}

/// Applies `body` to the document the editor started from, stamping what the
/// user changed, then merges that with what is stored now: a sync may have
/// brought other fields from elsewhere meanwhile, and they must survive.
/// `Ok(None)`: what is stored could not be merged, nothing was written.
async fn write<T: Body>(id: Id, base: Option<Document<T>>, body: T) -> Result<Option<Document<T>>, StoreError> {
    crate::perf::mark("xunfang:save-start");
    let edited = match base {
        Some(mut doc) => {
            if !doc.edit(body, device::stamp()) {
                return Ok(Some(doc));
            }
            doc
        }
        None => Document::create(id.clone(), body, device::stamp()),
    };
    let written = store(edited).await?;
    crate::perf::measure_since("xunfang:save", "xunfang:save-start");
    // Now that there is something to lose, ask the browser to keep it.
    crate::storage::quota::persist_once();
    Ok(written)
}

/// Merges `doc` into the copy stored under its id and stores the result; a
/// copy that cannot be merged is left alone (`core::save::onto_stored`) and
/// the answer is `None`.
async fn store<T: Body>(doc: Document<T>) -> Result<Option<Document<T>>, StoreError> {
    let db = Db::app().await?;
    let stored = db.get::<T>(&doc.id).await?;
    let Ok(doc) = xunfang_core::save::onto_stored(stored.as_ref(), doc) else {
        return Ok(None);
    };
    db.put(&doc).await?;
    crate::sync::poke();
    Ok(Some(doc))
}

/// Moves any stored document to the trash or back (from lists).
pub async fn set_trashed<T: Body>(mut doc: Document<T>, trashed: bool) -> Result<(), StoreError> {
    doc.set_trashed(trashed, device::stamp());
    Db::app().await?.put(&doc).await?;
    crate::sync::poke();
    Ok(())
}

/// Applies a checked change (a follow-up step, say) to a stored document and
/// writes it at once, stamping what changed. The inner `Err` is the change's
/// own refusal; nothing is written then. `Ok(Ok(false))`: no such document.
pub async fn update<T: Body, E>(id: &Id, change: impl FnOnce(&mut T) -> Result<(), E>) -> Result<Result<bool, E>, StoreError> {
    let db = Db::app().await?;
    let Some(mut doc) = db.get::<T>(id).await? else {
        return Ok(Ok(false));
    };
    let mut body = doc.body.clone();
    if let Err(e) = change(&mut body) {
        return Ok(Err(e));
    }
    if doc.edit(body, device::stamp()) {
        db.put(&doc).await?;
        crate::sync::poke();
    }
    Ok(Ok(true))
}

/// Applies a change to the team settings and writes it at once, onto what
/// is stored (or, with none stored yet, onto `settings::first_settings`),
/// and puts the result in use. `Ok(false)`: the stored copy could not be
/// merged, nothing was written.
pub async fn update_settings(change: impl FnOnce(&mut xunfang_core::Template)) -> Result<bool, StoreError> {
    let db = Db::app().await?;
    let stored = db.team_settings().await?;
    let mut doc = stored.clone().unwrap_or_else(crate::settings::first_settings);
    let mut body = doc.body.clone();
    change(&mut body);
    if !doc.edit(body, device::stamp()) && stored.is_some() {
        return Ok(true);
    }
    let Some(doc) = store(doc).await? else { return Ok(false) };
    crate::settings::use_template(&doc.body);
    Ok(true)
}

/// Stores a new document (a proposal promoted from a suggestion, say) at once.
pub async fn create<T: Body>(id: Id, body: T) -> Result<(), StoreError> {
    Db::app().await?.put(&Document::create(id, body, device::stamp())).await?;
    crate::sync::poke();
    Ok(())
}
