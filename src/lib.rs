//! 巡访 Xunfang, the browser app.
//!
//! Pages live in `pages/` (one screen a file), widgets in `components/`,
//! IndexedDB behind `storage/` only, all text in `i18n`. Domain logic (model,
//! validation, search) is in the `xunfang-core` crate; this crate stays thin.

pub mod app;
pub mod components;
pub mod device;
pub mod editing;
pub mod exports;
pub mod files;
pub mod i18n;
pub mod lock;
pub mod media;
pub mod offline;
pub mod pages;
pub mod perf;
pub mod settings;
pub mod setup_link;
pub mod storage;
pub mod sync;

/// Mounts the UI on the page.
pub fn start() {
    // Before anything else: a set-up link's secret leaves the address bar.
    setup_link::take_from_address();
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
