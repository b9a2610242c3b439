//! The app shell: language context, header, and one route per screen.

use crate::components::header::Header;
use crate::i18n::{use_i18n, I18n, T};
use crate::offline::AppUpdate;
use crate::pages::{
    person_edit::PersonEditPage, record_edit::RecordEditPage, records::RecordsPage, roster::RosterPage,
    settings::SettingsPage, trash::TrashPage,
};
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

#[component]
pub fn App() -> impl IntoView {
    provide_context(I18n::new());
    provide_context(AppUpdate::start());
    provide_context(crate::sync::start());
    view! {
        <Router>
            <Header/>
            <main id="main">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=RecordsPage/>
                    <Route path=path!("/records/:id") view=RecordEditPage/>
                    <Route path=path!("/people") view=RosterPage/>
                    <Route path=path!("/people/:id") view=PersonEditPage/>
                    <Route path=path!("/trash") view=TrashPage/>
                    <Route path=path!("/settings") view=SettingsPage/>
                </Routes>
            </main>
        </Router>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    view! { <p class="notice">{move || i18n.t(T::PageNotFound)}</p> }
}
