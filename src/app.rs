//! The app shell: language context, header, and one route per screen.

use crate::components::header::Header;
use crate::components::lock_screen::LockScreen;
use crate::components::setup_claim::SetupClaim;
use crate::i18n::{use_i18n, I18n, T};
use crate::offline::AppUpdate;
use crate::pages::{
    attendance::AttendancePage, briefing::BriefingPage, devices::DevicesPage, duty::DutyPage, exports::ExportsPage, office::OfficePage,
    opinion_edit::OpinionEditPage, person_edit::PersonEditPage, proposal_edit::ProposalEditPage, record_edit::RecordEditPage, records::RecordsPage,
    report::ReportPage, roster::RosterPage, settings::SettingsPage, suggestions::SuggestionsPage, summary::SummaryPage, template::TemplatePage,
    trash::TrashPage, visits::VisitsPage,
};
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

/// With a passcode set and the data key not in memory, only the lock screen
/// shows: nothing reads IndexedDB or starts syncing before the unlock.
#[component]
pub fn App() -> impl IntoView {
    provide_context(I18n::new());
    // Opening reads nothing: while the lock screen waits, the database is made ready for after the unlock.
    crate::storage::Db::open_early();
    let unlocked = RwSignal::new(crate::storage::crypto::unlocked());
    let lock = crate::lock::Lock { covered: RwSignal::new(false) };
    provide_context(lock);
    lock.watch();
    view! {
        <Show when=move || unlocked.get() fallback=move || view! { <LockScreen on_unlock=move |_| unlocked.set(true)/> }>
            <Show when=move || lock.covered.get()>
                <div class="lock-cover">
                    <LockScreen on_unlock=move |_| lock.covered.set(false)/>
                </div>
            </Show>
            <div hidden=move || lock.covered.get()>
                <Unlocked/>
            </div>
        </Show>
    }
}

#[component]
fn Unlocked() -> impl IntoView {
    crate::storage::Db::open_early();
    leptos::task::spawn_local(crate::settings::load_template());
    provide_context(AppUpdate::start());
    provide_context(crate::sync::start());
    view! {
        <Router>
            <Header/>
            <main id="main">
                <SetupClaim/>
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=RecordsPage/>
                    <Route path=path!("/records/:id") view=RecordEditPage/>
                    <Route path=path!("/people") view=RosterPage/>
                    <Route path=path!("/people/:id") view=PersonEditPage/>
                    <Route path=path!("/trash") view=TrashPage/>
                    <Route path=path!("/office") view=OfficePage/>
                    <Route path=path!("/office/suggestions") view=SuggestionsPage/>
                    <Route path=path!("/office/proposals/:id") view=ProposalEditPage/>
                    <Route path=path!("/office/opinions/:id") view=OpinionEditPage/>
                    <Route path=path!("/office/attendance") view=AttendancePage/>
                    <Route path=path!("/office/report") view=ReportPage/>
                    <Route path=path!("/office/summary") view=SummaryPage/>
                    <Route path=path!("/office/briefing") view=BriefingPage/>
                    <Route path=path!("/office/duty") view=DutyPage/>
                    <Route path=path!("/office/exports") view=ExportsPage/>
                    <Route path=path!("/office/devices") view=DevicesPage/>
                    <Route path=path!("/office/template") view=TemplatePage/>
                    <Route path=path!("/office/visits") view=VisitsPage/>
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
