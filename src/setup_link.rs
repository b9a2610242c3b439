//! Set-up links carry their secret in the address's fragment (`#…`), which
//! no server log or `Referer` sees; [`take_from_address`] reads it first
//! thing at start and removes it from the address bar and history at once.
//!
//! Two kinds (`xunfang_core::devices::read_fragment`): `/#setup=<code>` from
//! the office's device screen (claimed by [`crate::sync::set_up_from_code`]),
//! and `/settings#sync=<address>&token=<token>&mode=<mode>` from a tablet's
//! sync settings (offered there for confirmation).
//!
//! A link opened into a running page (only the fragment changes: no new
//! page, e.g. onto the locked settings screen) is taken the same way when the
//! `hashchange` comes. Until the app is unlocked it waits here, in memory
//! only (the token never reaches storage unsealed); the lock screen says so,
//! and after the unlock it goes through the usual confirmation.

use std::cell::{Cell, RefCell};

use crate::settings::{SyncConfig, SyncMode};
use xunfang_core::devices::{read_fragment, SetupFragment};

thread_local! {
    static TAKEN: RefCell<Option<SetupFragment>> = const { RefCell::new(None) };
    static WATCHING: Cell<bool> = const { Cell::new(false) };
    /// Bumped when a link is taken or used: screens that offer it read again.
    static TAKEN_REVISION: leptos::prelude::ArcRwSignal<u64> = leptos::prelude::ArcRwSignal::new(0);
}

fn revision() -> leptos::prelude::ArcRwSignal<u64> {
    TAKEN_REVISION.with(Clone::clone)
}

/// Subscribes the caller (a view, an effect) to links taken or used later.
pub fn track() {
    use leptos::prelude::Track;
    revision().track();
}

fn bump() {
    use leptos::prelude::Update;
    revision().update(|r| *r += 1);
}

/// Whether a link is waiting to be used (the lock screen says it needs the unlock; subscribes).
pub fn waiting() -> bool {
    track();
    TAKEN.with(|t| t.borrow().is_some())
}

/// Reads a set-up fragment from the address, if there is one, and replaces
/// the current history entry with the address without it (before anything
/// else runs, so nothing later can read, log or send it). Call once, first:
/// it also watches for links opened into this page later.
/// A link of the old form, with the settings in the query
/// (`/settings?sync=…&token=…`), still works and is removed the same way.
pub fn take_from_address() {
    take();
    if !WATCHING.with(|w| w.replace(true)) {
        // Lives as long as the page.
        std::mem::forget(leptos::prelude::window_event_listener(leptos::ev::hashchange, |_| take()));
    }
}

fn take() {
    let Some(window) = web_sys::window() else { return };
    let location = window.location();
    let (path, query, hash) = (location.pathname().unwrap_or_default(), location.search().unwrap_or_default(), location.hash().unwrap_or_default());
    let (found, bare) = match read_fragment(&pairs_of(hash.strip_prefix('#').unwrap_or_default())) {
        Some(found) => (found, format!("{path}{query}")),
        None => match read_fragment(&pairs_of(query.strip_prefix('?').unwrap_or_default())) {
            Some(found @ SetupFragment::Settings { .. }) => (found, format!("{path}{hash}")),
            _ => return,
        },
    };
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&bare));
    }
    TAKEN.with(|t| *t.borrow_mut() = Some(found));
    bump();
}

/// `a=1&b=2`, decoded, in order.
fn pairs_of(text: &str) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    if text.is_empty() {
        return pairs;
    }
    let Ok(params) = web_sys::UrlSearchParams::new_with_str(text) else { return pairs };
    for entry in js_sys::try_iter(&params.entries()).ok().flatten().into_iter().flatten().flatten() {
        let pair = js_sys::Array::from(&entry);
        pairs.push((pair.get(0).as_string().unwrap_or_default(), pair.get(1).as_string().unwrap_or_default()));
    }
    pairs
}

/// The set-up code the address carried, once.
pub fn take_code() -> Option<String> {
    let code = TAKEN.with(|t| {
        let mut taken = t.borrow_mut();
        match taken.as_ref() {
            Some(SetupFragment::Code(_)) => match taken.take() {
                Some(SetupFragment::Code(code)) => Some(code),
                _ => None,
            },
            _ => None,
        }
    });
    if code.is_some() {
        bump();
    }
    code
}

/// The sync settings the address offered (until [`forget_offer`]).
pub fn offered_settings() -> Option<SyncConfig> {
    TAKEN.with(|t| match &*t.borrow() {
        Some(SetupFragment::Settings { endpoint, token, mode }) => {
            Some(SyncConfig { endpoint: endpoint.clone(), token: token.clone(), mode: SyncMode::from_key(mode).unwrap_or_default(), ..SyncConfig::default() })
        }
        _ => None,
    })
}

/// The offered settings were used or declined.
pub fn forget_offer() {
    if TAKEN.with(|t| t.borrow_mut().take()).is_some() {
        bump();
    }
}

/// The link that sets a tablet up with `config`: this app's settings page,
/// the settings in the fragment.
pub fn settings_link(config: &SyncConfig) -> String {
    let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
    let params = web_sys::UrlSearchParams::new().expect("URLSearchParams exists");
    params.append("sync", config.endpoint.trim());
    params.append("token", config.token.trim());
    params.append("mode", config.mode.key());
    format!("{origin}/settings#{}", String::from(params.to_string()))
}

/// The address of a set-up link the server gave (`/#setup=<code>`, relative).
pub fn absolute(link: &str) -> String {
    let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
    format!("{origin}{link}")
}

/// A QR code of `text` as SVG.
pub fn qr_svg(text: &str) -> Option<String> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    Some(code.render::<qrcode::render::svg::Color>().min_dimensions(220, 220).quiet_zone(true).build())
}
