//! How much of the browser's storage the app uses, and whether the browser
//! may evict it (navigator.storage: estimate, persisted, persist).

use js_sys::Reflect;
use std::cell::Cell;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// What the browser says about this site's storage.
#[derive(Clone, Debug, PartialEq)]
pub struct StorageInfo {
    pub usage: u64,
    pub quota: u64,
    /// `Some(true)`: the browser will not evict the data on its own.
    pub persisted: Option<bool>,
}

impl StorageInfo {
    /// Share of the quota in use, 0–100.
    pub fn percent_used(&self) -> f64 {
        if self.quota == 0 {
            0.0
        } else {
            self.usage as f64 * 100.0 / self.quota as f64
        }
    }

    /// Past 80% the app warns and says what to do.
    pub fn nearly_full(&self) -> bool {
        self.percent_used() >= 80.0
    }
}

fn manager() -> Option<web_sys::StorageManager> {
    let navigator = web_sys::window()?.navigator();
    // Old browsers and insecure origins have no navigator.storage.
    if !Reflect::has(&navigator, &JsValue::from_str("storage")).unwrap_or(false) {
        return None;
    }
    Some(navigator.storage())
}

fn number(obj: &JsValue, key: &str) -> u64 {
    Reflect::get(obj, &JsValue::from_str(key)).ok().and_then(|v| v.as_f64()).unwrap_or(0.0) as u64
}

/// Usage, quota and persistence, or `None` where the browser cannot tell.
pub async fn info() -> Option<StorageInfo> {
    let m = manager()?;
    let estimate = JsFuture::from(m.estimate().ok()?).await.ok()?;
    let persisted = match m.persisted() {
        Ok(p) => JsFuture::from(p).await.ok().and_then(|v| v.as_bool()),
        Err(_) => None,
    };
    Some(StorageInfo { usage: number(&estimate, "usage"), quota: number(&estimate, "quota"), persisted })
}

/// Asks the browser to keep the data even when space runs low. Returns the
/// answer (`None`: the browser has no such request).
pub async fn persist() -> Option<bool> {
    let m = manager()?;
    JsFuture::from(m.persist().ok()?).await.ok().and_then(|v| v.as_bool())
}

thread_local! {
    static ASKED: Cell<bool> = const { Cell::new(false) };
}

/// Asks once per page load, after the first record is written: asking on
/// first start, before anything is worth keeping, is refused by browsers
/// that weigh how much the site is used.
pub fn persist_once() {
    if ASKED.with(|a| a.replace(true)) {
        return;
    }
    wasm_bindgen_futures::spawn_local(async {
        if let Some(info) = info().await {
            if info.persisted != Some(true) {
                let _ = persist().await;
            }
        }
    });
}
