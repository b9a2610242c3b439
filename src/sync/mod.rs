//! When to sync, and what the header says about it. The only place (with
//! `http`, and `devices` for set-up codes and the office's device list)
//! that talks to the network.
//!
//! Sync runs by itself at start-up, when the browser comes back online, a
//! few seconds after local changes and every few minutes while online;
//! "Sync now" is always there. It never blocks editing: the engine works on
//! IndexedDB while the UI keeps its own drafts. Failures that may pass
//! (no connection, 5xx, 429) are retried with exponential backoff and jitter
//! (`xunfang_core::backoff`), never before a server's `Retry-After`, not
//! even on "Sync now"; failures that need a person (a refused token) wait.

pub mod devices;
mod http;
pub mod photos;
mod switch;
mod transport;

pub use switch::{plan, switch_erasing, Plan, SwitchStopped};

use crate::settings::{self, SyncConfig, SyncMode};
use crate::storage::Db;
use leptos::prelude::*;
use std::cell::{Cell, RefCell};
use xunfang_core::sync_client::{self, LocalStore, Progress, SyncError};

/// After a local change, wait this long for more before syncing.
const AFTER_CHANGE_MS: i32 = 3_000;
/// While online and idle, sync this often.
const PERIODIC_MS: i32 = 5 * 60 * 1000;

/// What the header and the settings screen show.
#[derive(Clone, Copy)]
pub struct SyncStatus {
    /// Changes waiting to be sent.
    pub waiting: RwSignal<usize>,
    /// Time (ms since epoch) of the last successful sync.
    pub last_ok: RwSignal<Option<f64>>,
    pub last_error: RwSignal<Option<SyncError>>,
    /// When the next automatic retry is due (ms since epoch).
    pub retry_at: RwSignal<Option<f64>>,
    pub running: RwSignal<bool>,
    pub progress: RwSignal<Option<Progress>>,
    /// Bumped whenever a sync brought documents in: screens reload.
    pub revision: RwSignal<u64>,
}

thread_local! {
    static STATUS: RefCell<Option<SyncStatus>> = const { RefCell::new(None) };
    static TIMER: Cell<Option<i32>> = const { Cell::new(None) };
    static FAILURES: Cell<u32> = const { Cell::new(0) };
    static STOP: Cell<bool> = const { Cell::new(false) };
    /// No request before this (ms since epoch): a server's `Retry-After`.
    static NOT_BEFORE: Cell<f64> = const { Cell::new(0.0) };
}

fn status() -> Option<SyncStatus> {
    STATUS.with(|s| *s.borrow())
}

fn now() -> f64 {
    js_sys::Date::now()
}

fn online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

/// Starts the automatic schedule; call once at app start.
pub fn start() -> SyncStatus {
    let status = SyncStatus {
        waiting: RwSignal::new(0),
        last_ok: RwSignal::new(settings::last_sync_ok()),
        last_error: RwSignal::new(None),
        retry_at: RwSignal::new(None),
        running: RwSignal::new(false),
        progress: RwSignal::new(None),
        revision: RwSignal::new(0),
    };
    STATUS.with(|s| *s.borrow_mut() = Some(status));
    refresh_waiting();
    schedule(500);
    let back_online = window_event_listener(leptos::ev::online, move |_| {
        FAILURES.with(|f| f.set(0));
        schedule(500);
    });
    std::mem::forget(back_online); // lives as long as the page
    if let Some(w) = web_sys::window() {
        use wasm_bindgen::prelude::*;
        let tick = Closure::<dyn FnMut()>::new(move || {
            if online() && !status.running.get_untracked() && status.retry_at.get_untracked().is_none() {
                run_now();
            }
        });
        let _ = w.set_interval_with_callback_and_timeout_and_arguments_0(tick.as_ref().unchecked_ref(), PERIODIC_MS);
        tick.forget();
    }
    status
}

/// A local change was saved: count it, and sync a little later.
pub fn poke() {
    refresh_waiting();
    if FAILURES.with(Cell::get) == 0 {
        schedule(AFTER_CHANGE_MS);
    }
}

/// "Sync now": right away, forgetting any backoff.
pub fn run_now() {
    FAILURES.with(|f| f.set(0));
    schedule(0);
}

/// Stops a running sync after its current round trip; what was confirmed
/// stays confirmed and the next sync resumes from there.
pub fn interrupt() {
    STOP.with(|s| s.set(true));
}

fn refresh_waiting() {
    wasm_bindgen_futures::spawn_local(async {
        if let (Some(s), Ok(db)) = (status(), Db::app().await) {
            if let Ok(n) = db.pending_count().await {
                s.waiting.set(n);
            }
        }
    });
}

fn schedule(delay_ms: i32) {
    use wasm_bindgen::prelude::*;
    let Some(w) = web_sys::window() else { return };
    if let Some(t) = TIMER.with(Cell::take) {
        w.clear_timeout_with_handle(t);
    }
    let run = Closure::once_into_js(|| {
        TIMER.with(|t| t.set(None));
        wasm_bindgen_futures::spawn_local(run());
    });
    if let Ok(handle) = w.set_timeout_with_callback_and_timeout_and_arguments_0(run.unchecked_ref(), delay_ms.max(0)) {
        TIMER.with(|t| t.set(Some(handle)));
    }
}

async fn run() {
    let Some(s) = status() else { return };
    let config = settings::sync_config();
    if !config.is_set() || s.running.get_untracked() {
        return;
    }
    // The server asked for quiet until then: whatever woke us, wait.
    let wait = NOT_BEFORE.with(Cell::get) - now();
    if wait > 0.0 {
        schedule(wait.ceil() as i32);
        return;
    }
    s.running.set(true);
    s.retry_at.set(None);
    s.progress.set(None);
    STOP.with(|x| x.set(false));
    let result = sync_once(config, s).await;
    s.running.set(false);
    if s.progress.get_untracked().is_some_and(|p| p.pulled > 0) {
        // The pull may have brought team settings: in use before screens reload.
        settings::load_template().await;
        s.revision.update(|r| *r += 1);
    }
    match result {
        Ok(_) => {
            FAILURES.with(|f| f.set(0));
            let t = now();
            settings::set_last_sync_ok(t);
            s.last_ok.set(Some(t));
            s.last_error.set(None);
        }
        Err(SyncError::Interrupted) => s.last_error.set(Some(SyncError::Interrupted)),
        Err(e) => {
            let retry = e.retryable();
            let asked = e.retry_after_secs();
            s.last_error.set(Some(e));
            if retry {
                let n = FAILURES.with(|f| {
                    f.set(f.get() + 1);
                    f.get()
                });
                let delay = xunfang_core::backoff::delay_ms(n, js_sys::Math::random(), asked);
                if asked.is_some() {
                    NOT_BEFORE.with(|t| t.set(now() + delay));
                }
                s.retry_at.set(Some(now() + delay));
                schedule(delay as i32);
            }
        }
    }
    refresh_waiting();
}

/// One sync by the configured mode. In the split build it is a wasm chunk of
/// its own (`#[lazy]`): the engine is not needed to draw the first screen, so
/// it is fetched when the first sync starts (the service worker precaches it
/// with every other chunk, so an offline start still syncs when back online).
/// A lazy function takes its arguments by value.
#[cfg_attr(feature = "split", leptos::lazy)]
async fn sync_once(config: SyncConfig, s: SyncStatus) -> Result<Progress, SyncError> {
    let config = &config;
    let db = Db::app().await.map_err(|e| SyncError::Store(e.to_string()))?;
    let progress = move |p: &Progress| {
        s.progress.set(Some(p.clone()));
        s.waiting.set(p.waiting);
    };
    let stop = || STOP.with(Cell::get);
    let (endpoint, token) = (config.endpoint.as_str(), config.token.as_str());
    match config.mode {
        SyncMode::Native => {
            switch::learn_team(config).await;
            let device = crate::device::device_id().0;
            let done = sync_client::sync_native(&db, &transport::Native { endpoint, token }, &device, crate::device::clock_bound(), progress, stop).await?;
            // Records first: they sync even while photos are still waiting.
            photos::upload_pending(&db, endpoint, token).await?;
            Ok(done)
        }
        SyncMode::Rest => {
            // Kept whatever the outcome: it only holds what was read whole.
            let mut state = settings::rest_state();
            let done =
                sync_client::sync_rest(&db, &transport::Rest { endpoint, token }, &config.rest, &mut state, crate::device::clock_bound(), progress, stop).await;
            settings::set_rest_state(&state);
            done
        }
        SyncMode::PushOnly => sync_client::sync_push_only(&db, &transport::PushOnly { endpoint, token }, progress, stop).await,
    }
}

/// Saves new settings; a new endpoint or mode starts from the beginning
/// (every local document is queued for it), then syncs.
pub async fn configure(config: SyncConfig) -> Result<(), crate::storage::StoreError> {
    let old = settings::sync_config();
    settings::set_sync_config(&config);
    if old.endpoint.trim() != config.endpoint.trim() || old.mode != config.mode {
        Db::app().await?.reset_sync().await?;
        settings::clear_rest_state();
    }
    run_now();
    Ok(())
}

/// Sets this tablet up from a set-up code: claims it for a device token
/// and syncs with this app's own server. The team and label it was given,
/// and, when the tablet holds another team's data, the plan to show instead
/// (nothing was changed then).
pub async fn set_up_from_code(code: &str) -> Result<(String, String, Option<Plan>), SyncError> {
    let claimed = devices::claim(code).await?;
    let plan = switch::set_up_claimed(claimed.token).await.map_err(|e| SyncError::Store(e.to_string()))?;
    Ok((claimed.team, claimed.label, plan))
}

/// Applies new settings the person confirmed, when `plan` needs no warning.
pub async fn apply(plan: Plan) -> Result<(), crate::storage::StoreError> {
    switch::apply(plan).await
}

/// Waits for a running sync to finish and keeps any other from starting: the
/// tablet is being erased or switched (until `running` is set back, or the app restarts).
async fn hold() {
    let Some(s) = status() else { return };
    interrupt();
    while s.running.get_untracked() {
        gloo_timers::future::TimeoutFuture::new(100).await;
    }
    s.running.set(true);
    // The stop was for the sync that ran; a switch's own last send must not stop at once.
    STOP.with(|x| x.set(false));
}

/// "Sign out and erase this tablet": no sync runs from now on; every store, the
/// database, the data caches and every setting and token go; the app restarts empty.
pub async fn sign_out_and_erase() -> Result<(), crate::storage::StoreError> {
    hold().await;
    if let Err(e) = crate::storage::erase_all().await {
        if let Some(s) = status() {
            s.running.set(false);
        }
        return Err(e);
    }
    settings::erase_all();
    switch::restart();
    Ok(())
}

/// The sync status, if sync has started (it has, once the app is mounted).
pub fn use_status() -> Option<SyncStatus> {
    status()
}
