//! When the app locks: after the office's idle minutes without a touch or a
//! key, or when it comes back after being hidden that long; and on "Lock now".
//!
//! Locking saves open drafts first. Without "sync while locked" it forgets
//! the data key and reloads the page, so no decrypted record stays in
//! memory; with it the lock screen covers the running app (the key stays
//! until the page is closed, and sync goes on). The rules are `xunfang_core::vault`.

use crate::storage::crypto;
use leptos::prelude::*;
use std::cell::Cell;
use std::rc::Rc;

/// The app's lock: `covered` is true while the lock screen covers a running app.
#[derive(Clone, Copy)]
pub struct Lock {
    pub covered: RwSignal<bool>,
}

pub fn use_lock() -> Lock {
    expect_context::<Lock>()
}

impl Lock {
    /// Locks now (nothing happens without a passcode).
    pub fn now(self) {
        if !crypto::passcode_set() || self.covered.get_untracked() {
            return;
        }
        leptos::task::spawn_local(async move {
            crate::editing::flush_all().await;
            if crypto::policy().sync_while_locked {
                self.covered.set(true);
            } else {
                crypto::lock();
                if let Some(w) = web_sys::window() {
                    let _ = w.location().reload();
                }
            }
        });
    }

    /// Watches for use and for the app being hidden, and locks when the policy says.
    pub fn watch(self) {
        let now = js_sys::Date::now;
        let last_use = Rc::new(Cell::new(now()));
        let hidden_since = Rc::new(Cell::new(None::<f64>));
        let check = {
            let (last_use, hidden_since) = (last_use.clone(), hidden_since.clone());
            move || {
                if crypto::passcode_set() && crypto::policy().lock_due(now(), last_use.get(), hidden_since.get()) {
                    self.now();
                }
            }
        };
        for event in ["pointerdown", "keydown", "touchstart", "wheel"] {
            let last_use = last_use.clone();
            let on = wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || last_use.set(now()));
            if let Some(w) = web_sys::window() {
                let _ = w.add_event_listener_with_callback(event, wasm_bindgen::JsCast::unchecked_ref(on.as_ref()));
            }
            // Lives as long as the page: the app never stops watching.
            on.forget();
        }
        let on_visibility = {
            let check = check.clone();
            move |_| {
                if document().visibility_state() == web_sys::VisibilityState::Hidden {
                    hidden_since.set(Some(now()));
                } else {
                    // Back after a while: lock first if it was hidden too long.
                    check();
                    hidden_since.set(None);
                    last_use.set(now());
                }
            }
        };
        let _ = window_event_listener(leptos::ev::visibilitychange, on_visibility);
        let _ = set_interval_with_handle(check, std::time::Duration::from_secs(10));
    }
}
