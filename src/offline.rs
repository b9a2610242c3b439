//! Offline start and updates: registers the service worker (release builds
//! only, so development reloads stay simple) and notices a new version.
//!
//! A new build's worker installs beside the running one and waits. The app
//! then offers "new version, reload"; on that, open editors are saved first,
//! the new worker takes over, and the page reloads once it controls the page,
//! so html, js and wasm always come from one build.

use crate::editing;
use js_sys::Reflect;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{ServiceWorkerContainer, ServiceWorkerRegistration, ServiceWorkerState};

/// How often a long-open app checks for a new version while online.
const UPDATE_CHECK_MS: i32 = 30 * 60 * 1000;

/// Whether a new version is installed and waiting for the user's go-ahead.
#[derive(Clone, Copy)]
pub struct AppUpdate {
    pub ready: RwSignal<bool>,
}

fn container() -> Option<ServiceWorkerContainer> {
    let navigator = web_sys::window()?.navigator();
    if !Reflect::has(&navigator, &JsValue::from_str("serviceWorker")).unwrap_or(false) {
        return None;
    }
    Some(navigator.service_worker())
}

/// The build id the server put into index.html (`<meta name="xunfang-build">`).
pub fn build_id() -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("meta[name=xunfang-build]").ok().flatten())
        .and_then(|m| m.get_attribute("content"))
        .unwrap_or_else(|| "dev".into())
}

impl AppUpdate {
    pub fn start() -> AppUpdate {
        let update = AppUpdate { ready: RwSignal::new(false) };
        if cfg!(debug_assertions) {
            return update;
        }
        if let Some(c) = container() {
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(reg) = JsFuture::from(c.register("/sw.js")).await {
                    update.watch(reg.unchecked_into());
                }
            });
        }
        update
    }

    fn watch(self, reg: ServiceWorkerRegistration) {
        let ready = self.ready;
        // Only an update when a worker already controls the page; the very
        // first install needs no reload.
        let controlled = || container().and_then(|c| c.controller()).is_some();
        if reg.waiting().is_some() && controlled() {
            ready.set(true);
        }
        let r = reg.clone();
        let on_found = Closure::<dyn FnMut()>::new(move || {
            let Some(worker) = r.installing() else { return };
            let w = worker.clone();
            let on_state = Closure::<dyn FnMut()>::new(move || {
                if w.state() == ServiceWorkerState::Installed && controlled() {
                    ready.set(true);
                }
            });
            worker.set_onstatechange(Some(on_state.as_ref().unchecked_ref()));
            on_state.forget();
        });
        reg.set_onupdatefound(Some(on_found.as_ref().unchecked_ref()));
        on_found.forget();
        // A tablet left open for days still notices new versions.
        let r = reg.clone();
        let check = Closure::<dyn FnMut()>::new(move || {
            if web_sys::window().is_some_and(|w| w.navigator().on_line()) {
                let _ = r.update();
            }
        });
        if let Some(w) = web_sys::window() {
            let _ = w.set_interval_with_callback_and_timeout_and_arguments_0(check.as_ref().unchecked_ref(), UPDATE_CHECK_MS);
        }
        check.forget();
    }

    /// Saves open edits, lets the waiting worker take over, reloads.
    pub fn apply(self) {
        wasm_bindgen_futures::spawn_local(async move {
            editing::flush_all().await;
            let Some(c) = container() else { return reload() };
            let reg: Option<ServiceWorkerRegistration> = JsFuture::from(c.get_registration()).await.ok().and_then(|r| r.dyn_into().ok());
            let Some(waiting) = reg.and_then(|r| r.waiting()) else { return reload() };
            let on_change = Closure::<dyn FnMut()>::new(reload);
            c.set_oncontrollerchange(Some(on_change.as_ref().unchecked_ref()));
            on_change.forget();
            let msg = js_sys::Object::new();
            let _ = Reflect::set(&msg, &JsValue::from_str("type"), &JsValue::from_str("SKIP_WAITING"));
            let _ = waiting.post_message(&msg);
        });
    }
}

fn reload() {
    if let Some(w) = web_sys::window() {
        let _ = w.location().reload();
    }
}

/// The browser's idea of being online, kept current by its events.
pub fn online_signal() -> RwSignal<bool> {
    let online = RwSignal::new(web_sys::window().is_none_or(|w| w.navigator().on_line()));
    let a = window_event_listener(leptos::ev::online, move |_| online.set(true));
    let b = window_event_listener(leptos::ev::offline, move |_| online.set(false));
    on_cleanup(move || {
        a.remove();
        b.remove();
    });
    online
}

/// Safari may clear a site's data after seven days without use unless it
/// was added to the home screen: true when that applies here.
pub fn at_risk_of_safari_eviction() -> bool {
    let Some(w) = web_sys::window() else { return false };
    let ua = w.navigator().user_agent().unwrap_or_default();
    let webkit_only = ua.contains("Safari") && !["Chrome", "Chromium", "Android", "Edg", "Firefox"].iter().any(|x| ua.contains(x));
    let ios = ["iPhone", "iPad", "iPod"].iter().any(|x| ua.contains(x));
    let standalone = w.match_media("(display-mode: standalone)").ok().flatten().is_some_and(|m| m.matches())
        || Reflect::get(&w.navigator(), &JsValue::from_str("standalone")).ok().and_then(|v| v.as_bool()).unwrap_or(false);
    (webkit_only || ios) && !standalone
}

/// Whether this page is a secure context (https, or this machine's own
/// address): only there does the browser give it a service worker and Web
/// Crypto, without which the app cannot start offline nor keep photos.
pub fn secure_context() -> bool {
    web_sys::window().is_none_or(|w| w.is_secure_context())
}
