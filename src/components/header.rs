//! The top bar: app name, the main navigation and the language switch.

use crate::i18n::{use_i18n, T};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn Header() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <header class="app-header">
            <div class="brand">
                <span class="brand-name">{move || i18n.t(T::AppName)}</span>
                <span class="brand-tagline">{move || i18n.t(T::AppTagline)}</span>
            </div>
            <nav aria-label=move || i18n.t(T::MainNav)>
                <A href="/" exact=true>{move || i18n.t(T::NavRecords)}</A>
                <A href="/people">{move || i18n.t(T::NavPeople)}</A>
                <A href="/trash">{move || i18n.t(T::NavTrash)}</A>
                <A href="/settings">{move || i18n.t(T::NavSettings)}</A>
            </nav>
            <button
                type="button"
                class="lang-switch"
                lang=move || i18n.lang.get().other().code()
                on:click=move |_| i18n.set(i18n.lang.get_untracked().other())
            >
                {move || i18n.t(T::SwitchLanguage)}
            </button>
        </header>
    }
}
