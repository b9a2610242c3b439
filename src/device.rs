//! This device's identity and clock: ids for new records, stamps for edits.
//!
//! The hybrid logical clock is kept in localStorage so it never runs
//! backwards across restarts, even when the tablet's clock is set back
//! (within the bound every peer holds readings to, `ClockBound`).

use crate::settings;
use chrono::{Datelike, NaiveDate};
use xunfang_core::clock::{ClockBound, DEFAULT_MAX_SKEW_MILLIS};
use xunfang_core::{DeviceId, Hlc, Id, Stamp};

fn now_millis() -> u64 {
    js_sys::Date::now() as u64
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    let crypto = web_sys::window().and_then(|w| w.crypto().ok());
    match crypto {
        Some(c) if c.get_random_values_with_u8_array(&mut buf).is_ok() => {}
        // No Web Crypto (very old browsers): Math.random is weaker but unique enough
        // together with the millisecond timestamp.
        _ => buf.iter_mut().for_each(|b| *b = (js_sys::Math::random() * 256.0) as u8),
    }
    buf
}

/// A fresh UUID v7 for a new record, person or suggestion.
pub fn new_id() -> Id {
    Id::new_v7(now_millis(), random_bytes())
}

/// This device's id, made on first use and kept.
pub fn device_id() -> DeviceId {
    if let Some(id) = settings::device_id() {
        return DeviceId(id);
    }
    let id = new_id().to_string();
    settings::set_device_id(&id);
    DeviceId(id)
}

/// The clock readings this device accepts from others now (what a server
/// or a REST collection sends is checked against it before it is merged).
pub fn clock_bound() -> ClockBound {
    ClockBound::new(now_millis(), DEFAULT_MAX_SKEW_MILLIS)
}

/// The stored clock reading to go on from. One that no peer would accept
/// (kept from a day the tablet's date was far ahead, or adopted from a
/// forged stamp before readings were bounded) is dropped: every edit after
/// it would be refused by the server.
fn last_hlc(now: u64) -> Hlc {
    let bound = ClockBound::new(now, DEFAULT_MAX_SKEW_MILLIS);
    settings::last_hlc().filter(|hlc| bound.check(*hlc).is_ok()).unwrap_or_default()
}

/// The stamp for a change made now on this device.
pub fn stamp() -> Stamp {
    let now = now_millis();
    let hlc = last_hlc(now).tick(now);
    settings::set_last_hlc(hlc);
    Stamp { hlc, device: device_id() }
}

/// Moves this device's clock past a stamp seen from elsewhere (never past
/// the bound: `Hlc::observe` ignores a reading beyond it).
pub fn observe(remote: Hlc) {
    let now = now_millis();
    let hlc = last_hlc(now).observe(remote, now);
    settings::set_last_hlc(hlc);
}

/// Today in the device's local time zone.
pub fn today() -> NaiveDate {
    let d = js_sys::Date::new_0();
    NaiveDate::from_ymd_opt(d.get_full_year() as i32, d.get_month() + 1, d.get_date())
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(2024, 1, 1).expect("valid date"))
}

/// A stamp's time as local "YYYY-MM-DD HH:MM", for "last changed" hints.
pub fn local_time(hlc: Hlc) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(hlc.millis as f64));
    let date = NaiveDate::from_ymd_opt(d.get_full_year() as i32, d.get_month() + 1, d.get_date());
    match date {
        Some(date) => format!("{}-{:02}-{:02} {:02}:{:02}", date.year(), date.month(), date.day(), d.get_hours(), d.get_minutes()),
        None => String::new(),
    }
}
