//! The top bar: app name, main navigation, connection state, language switch;
//! below it, the "new version" offer and the one-time Safari notice.

use crate::i18n::{use_i18n, T};
use crate::offline::{self, AppUpdate};
use leptos::prelude::*;
use leptos_router::components::A;

const SAFARI_NOTICE_SEEN: &str = "xunfang.safari-notice-seen";

#[component]
pub fn Header() -> impl IntoView {
    let i18n = use_i18n();
    let online = offline::online_signal();
    let update = expect_context::<AppUpdate>();
    view! {
        <header class="app-header">
            <div class="brand">
                <span class="brand-name">{move || i18n.t(T::AppName)}</span>
                <span class="brand-tagline">{move || i18n.t(T::AppTagline)}</span>
            </div>
            <nav aria-label=move || i18n.t(T::MainNav)>
                <A href="/" exact=true>{move || i18n.t(T::NavRecords)}</A>
                <A href="/people">{move || i18n.t(T::NavPeople)}</A>
                <A href="/office">{move || i18n.t(T::NavOffice)}</A>
                <A href="/trash">{move || i18n.t(T::NavTrash)}</A>
                <A href="/settings">{move || i18n.t(T::NavSettings)}</A>
            </nav>
            <span
                class="connection"
                class:offline=move || !online.get()
                role="status"
                data-online=move || online.get().to_string()
                title=move || if online.get() { "" } else { i18n.t(T::OfflineHint) }
            >
                {move || if online.get() { i18n.t(T::Online) } else { i18n.t(T::Offline) }}
            </span>
            <button
                type="button"
                class="lang-switch"
                lang=move || i18n.lang.get().other().code()
                on:click=move |_| i18n.set(i18n.lang.get_untracked().other())
            >
                {move || i18n.t(T::SwitchLanguage)}
            </button>
        </header>
        <crate::components::sync_status::SyncStatusLine/>
        <Show when=move || update.ready.get()>
            <div class="banner" role="alert">
                {move || i18n.t(T::UpdateReady)} " "
                <button type="button" class="primary" on:click=move |_| update.apply()>{move || i18n.t(T::UpdateReload)}</button>
            </div>
        </Show>
        <crate::components::insecure_notice::InsecureNotice/>
        <SafariNotice/>
    }
}

/// Shown once on Safari when the app is not opened from the home screen.
#[component]
fn SafariNotice() -> impl IntoView {
    use gloo_storage::{LocalStorage, Storage};
    let i18n = use_i18n();
    let seen = LocalStorage::get::<bool>(SAFARI_NOTICE_SEEN).unwrap_or(false);
    let show = RwSignal::new(!seen && offline::at_risk_of_safari_eviction());
    let dismiss = move |_| {
        let _ = LocalStorage::set(SAFARI_NOTICE_SEEN, true);
        show.set(false);
    };
    view! {
        <Show when=move || show.get()>
            <div class="banner" role="note">
                {move || i18n.t(T::SafariWarning)} " "
                <button type="button" on:click=dismiss>{move || i18n.t(T::Dismiss)}</button>
            </div>
        </Show>
    }
}
