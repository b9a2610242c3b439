//! Performance marks around start-up, the list and saving, which
//! `cargo xtask bench` reads (tests/bench/run.mjs). Cheap enough to leave on:
//! one entry in the browser's performance timeline per event.

fn performance() -> Option<web_sys::Performance> {
    web_sys::window().and_then(|w| w.performance())
}

/// Marks a moment (`xunfang:list-first-screen`, `xunfang:list-ready`).
pub fn mark(name: &str) {
    if let Some(p) = performance() {
        let _ = p.mark(name);
    }
}

/// Records how long it has been since the mark `start` as a measure called `name`.
pub fn measure_since(name: &str, start: &str) {
    if let Some(p) = performance() {
        let _ = p.measure_with_start_mark(name, start);
    }
}
