//! The app shell: language context, header, and one route per screen.
//!
//! Every screen but the record list is a lazy route. With the `split` feature
//! (the default `cargo xtask build`, xtask/src/split.rs) each becomes a wasm chunk
//! of its own; without it the route is the same code in the one wasm.

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
#[cfg(feature = "split")]
use leptos_router::lazy_route;
use leptos_router::{path, Lazy, LazyRoute};

/// A screen that is not on the first screen. In the split build its code goes
/// to a chunk that is fetched when the route first opens (the service worker
/// precaches every chunk, so an offline start still has the screen). Only the
/// split build may use `#[lazy_route]`: it leaves imports in the wasm that only
/// the splitter resolves.
macro_rules! lazy_screen {
    ($($route:ident => $page:ident),* $(,)?) => {$(
        struct $route;

        #[cfg_attr(feature = "split", lazy_route)]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            #[cfg(feature = "split")]
            fn view(_this: Self) -> AnyView {
                RouteShown::mark();
                view! { <$page/> }.into_any()
            }

            #[cfg(not(feature = "split"))]
            async fn view(_this: Self) -> AnyView {
                RouteShown::mark();
                view! { <$page/> }.into_any()
            }
        }
    )*};
}

lazy_screen! {
    RecordEditRoute => RecordEditPage,
    RosterRoute => RosterPage,
    PersonEditRoute => PersonEditPage,
    TrashRoute => TrashPage,
    OfficeRoute => OfficePage,
    SuggestionsRoute => SuggestionsPage,
    ProposalEditRoute => ProposalEditPage,
    OpinionEditRoute => OpinionEditPage,
    AttendanceRoute => AttendancePage,
    ReportRoute => ReportPage,
    SummaryRoute => SummaryPage,
    BriefingRoute => BriefingPage,
    DutyRoute => DutyPage,
    ExportsRoute => ExportsPage,
    DevicesRoute => DevicesPage,
    TemplateRoute => TemplatePage,
    VisitsRoute => VisitsPage,
    SettingsRoute => SettingsPage,
}

/// Whether the router has shown a screen since the app started. Until then the first screen's
/// chunk may still be on its way, and leptos_router 0.8 lets a navigation begun in that time be
/// overtaken by the first screen when it arrives (the URL says `/`, settings shows): the header's
/// links wait for it.
#[derive(Clone, Copy)]
struct RouteShown(RwSignal<bool>);

impl RouteShown {
    /// Called by every route's view as it is made.
    fn mark() {
        if let Some(shown) = use_context::<RouteShown>() {
            if !shown.0.get_untracked() {
                shown.0.set(true);
            }
        }
    }
}

/// Whether the record list's first screen is usable (its `xunfang:list-first-screen` mark, or
/// `xunfang:list-ready` for a list with no first few rows to show): the preloads wait for it.
#[derive(Clone, Copy)]
pub struct FirstScreen(RwSignal<bool>);

impl FirstScreen {
    /// Called by the record list where it marks its first screen.
    pub fn usable() {
        if let Some(first_screen) = use_context::<FirstScreen>() {
            first_screen.0.set(true);
        }
    }
}

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
    let i18n = use_i18n();
    // While the next screen's code is on its way (a lazy route's chunk in the split build), the
    // router keeps the screen being left in place: it is hidden, so that no tap or keystroke
    // lands on it (the record list's kind filter has the same label as the editor's kind).
    let routing = RwSignal::new(false);
    let shown = RouteShown(RwSignal::new(false));
    provide_context(shown);
    let opening = move || routing.get() || !shown.0.get();
    // "New record" is the first screen's main action: its editor is fetched once the first screen
    // is usable, so it opens at once, and offline too on a tablet that went offline right after
    // (before the service worker had every chunk). The record list needs no chunk and must not
    // wait for one; any other first screen came with a chunk of its own, so there it starts at once.
    let first_screen = FirstScreen(RwSignal::new(false));
    provide_context(first_screen);
    let on_list = window().location().pathname().is_ok_and(|p| p == "/");
    Effect::new(move |started: Option<bool>| {
        if started == Some(true) || (on_list && !first_screen.0.get()) {
            return started == Some(true);
        }
        request_idle_callback(|| leptos::task::spawn_local(RecordEditRoute::preload()));
        true
    });
    view! {
        <Router set_is_routing=routing>
            <Header {..} inert=move || !shown.0.get()/>
            <main id="main" aria-busy=move || opening().to_string()>
                <p class="notice" role="status" hidden=move || !opening()>{move || i18n.t(T::OpeningScreen)}</p>
                <div hidden=move || routing.get()>
                <SetupClaim/>
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=|| { RouteShown::mark(); view! { <RecordsPage/> } }/>
                    <Route path=path!("/records/:id") view={Lazy::<RecordEditRoute>::new()}/>
                    <Route path=path!("/people") view={Lazy::<RosterRoute>::new()}/>
                    <Route path=path!("/people/:id") view={Lazy::<PersonEditRoute>::new()}/>
                    <Route path=path!("/trash") view={Lazy::<TrashRoute>::new()}/>
                    <Route path=path!("/office") view={Lazy::<OfficeRoute>::new()}/>
                    <Route path=path!("/office/suggestions") view={Lazy::<SuggestionsRoute>::new()}/>
                    <Route path=path!("/office/proposals/:id") view={Lazy::<ProposalEditRoute>::new()}/>
                    <Route path=path!("/office/opinions/:id") view={Lazy::<OpinionEditRoute>::new()}/>
                    <Route path=path!("/office/attendance") view={Lazy::<AttendanceRoute>::new()}/>
                    <Route path=path!("/office/report") view={Lazy::<ReportRoute>::new()}/>
                    <Route path=path!("/office/summary") view={Lazy::<SummaryRoute>::new()}/>
                    <Route path=path!("/office/briefing") view={Lazy::<BriefingRoute>::new()}/>
                    <Route path=path!("/office/duty") view={Lazy::<DutyRoute>::new()}/>
                    <Route path=path!("/office/exports") view={Lazy::<ExportsRoute>::new()}/>
                    <Route path=path!("/office/devices") view={Lazy::<DevicesRoute>::new()}/>
                    <Route path=path!("/office/template") view={Lazy::<TemplateRoute>::new()}/>
                    <Route path=path!("/office/visits") view={Lazy::<VisitsRoute>::new()}/>
                    <Route path=path!("/settings") view={Lazy::<SettingsRoute>::new()}/>
                </Routes>
                </div>
            </main>
        </Router>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    RouteShown::mark();
    let i18n = use_i18n();
    view! { <p class="notice">{move || i18n.t(T::PageNotFound)}</p> }
}
