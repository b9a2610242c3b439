//! The visit rule's screen (走访委员制度): for the current and past periods,
//! who has not been visited as often as the team's rule asks, and the rule itself (team settings, synced).

use crate::components::field::{CheckField, SelectField, TextField};
use crate::components::loaded::Loaded;
use crate::device;
use crate::i18n::{use_i18n, T};
use crate::settings;
use crate::storage::Db;
use leptos::prelude::*;
use leptos_router::components::A;
use xunfang_core::records::AllDocs;
use xunfang_core::visits::{recent_periods, VisitPeriod, VisitRule};

/// Periods shown before the current one: a year of quarters.
const PAST_PERIODS: u32 = 4;

#[component]
pub fn VisitsPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = LocalResource::new(|| async { Db::app().await?.all_docs().await });
    let rule = RwSignal::new(settings::template().visits.clone());
    // Settings synced in (or loaded after the page was drawn) show here too.
    Effect::new(move |_| rule.set(settings::template().visits.clone()));
    // Shown beside the rule, so nobody (and no test) leaves before the write lands.
    let save = RwSignal::new(crate::editing::SaveState::Saved);
    // The rule is a team setting: saved into the synced document, so every
    // office computer lists the same people.
    let change = move |edit: Box<dyn FnOnce(&mut VisitRule)>| {
        rule.update(|r| edit(r));
        let chosen = rule.get_untracked();
        save.set(crate::editing::SaveState::Pending);
        leptos::task::spawn_local(async move {
            save.set(match crate::editing::update_settings(move |t| t.visits = chosen).await {
                Ok(true) => crate::editing::SaveState::Saved,
                Ok(false) => crate::editing::SaveState::NotMerged,
                Err(e) => crate::editing::SaveState::Failed(e),
            });
        });
    };
    let label = move |key: T| Signal::derive(move || i18n.t(key).to_string());

    let toggles = move |list: fn(&mut VisitRule) -> &mut Vec<String>, options: Vec<(String, String)>, prefix: &'static str| {
        options
            .into_iter()
            .map(|(key, text)| {
                // Keys are a–z, 0–9, _ and - (template rule): fit for an element id.
                let id = format!("{prefix}-{key}");
                let k = key.clone();
                let checked = Signal::derive(move || list(&mut rule.get()).contains(&k));
                let on_change = move |on: bool| {
                    let key = key.clone();
                    change(Box::new(move |r| {
                        let l = list(r);
                        l.retain(|x| x != &key);
                        if on {
                            l.push(key);
                        }
                    }))
                };
                view! { <CheckField id=id label=Signal::derive(move || text.clone()) checked=checked on_change=on_change/> }
            })
            .collect_view()
    };
    let settings_form = move || {
        let english = i18n.lang().is_english();
        let t = settings::template();
        let kinds = t.kinds.iter().filter(|k| !k.retired).map(|k| (k.key.clone(), t.kind_label(&k.key, english).to_string())).collect();
        let roles = t.roles.iter().filter(|r| !r.retired).map(|r| (r.key.clone(), t.role_label(&r.key, english).to_string())).collect();
        let periods = Signal::derive(move || {
            let names = [T::VisitsMonthly, T::VisitsQuarterly, T::VisitsHalfYearly, T::VisitsYearly];
            VisitPeriod::ALL.into_iter().zip(names).map(|(p, n)| (p.key().to_string(), i18n.t(n).to_string())).collect::<Vec<_>>()
        });
        let set_period = move |v: String| {
            if let Some(p) = VisitPeriod::from_key(&v) {
                change(Box::new(move |r| r.period = p))
            }
        };
        let set_min = move |v: String| {
            if let Ok(n) = v.trim().parse::<u32>() {
                change(Box::new(move |r| r.min_visits = n.max(1)))
            }
        };
        view! {
            <details class="visit-rule">
                <summary>{move || i18n.t(T::VisitsRule)}</summary>
                <fieldset><legend>{move || i18n.t(T::VisitsKinds)}</legend>{toggles(|r| &mut r.kinds, kinds, "visit-kind")}</fieldset>
                <fieldset><legend>{move || i18n.t(T::VisitsRoles)}</legend>{toggles(|r| &mut r.roles, roles, "visit-role")}</fieldset>
                <SelectField id="visit-period".into() label=label(T::VisitsPeriod) options=periods value=Signal::derive(move || rule.get().period.key().to_string()) on_change=set_period/>
                <TextField id="visit-min".into() kind="number" label=label(T::VisitsMin) value=Signal::derive(move || rule.get().min_visits.to_string()) on_input=set_min/>
            </details>
        }
    };

    let list = move |docs: AllDocs| {
        let r = rule.get();
        let lang = i18n.lang();
        let periods = recent_periods(&r, &docs.records(), device::today(), PAST_PERIODS);
        if periods.is_empty() {
            return view! { <p class="notice">{move || i18n.t(T::VisitsOff)}</p> }.into_any();
        }
        periods
            .into_iter()
            .enumerate()
            .map(|(n, p)| {
                let title = p.label(r.period, lang);
                let current = (n == 0).then(|| view! { " " <span class="meta">{move || i18n.t(T::VisitsCurrent)}</span> });
                let visited = p.due - p.missing.len();
                let due = p.due;
                let body = if p.missing.is_empty() {
                    view! { <p class="all-visited">{move || i18n.t(T::VisitsAllDone)}</p> }.into_any()
                } else {
                    let names = p.missing.into_iter().map(|(_, name, times)| view! { <li data-visits=times>{name}</li> }).collect_view();
                    view! { <ul class="not-visited" aria-label=move || i18n.t(T::VisitsNotVisited)>{names}</ul> }.into_any()
                };
                view! {
                    <section class="visit-period" data-period=format!("{}-{}", p.year, p.index)>
                        <h2>{title}{current}</h2>
                        <p class="meta">{move || i18n.t(T::VisitsVisited)} " " {visited} " / " {due}</p>
                        {body}
                    </section>
                }
            })
            .collect_view()
            .into_any()
    };

    view! {
        <section class="page">
            <A href="/office" attr:class="back">{move || i18n.t(T::BackToOffice)}</A>
            <div class="page-head"><h1>{move || i18n.t(T::VisitsTitle)}</h1></div>
            <p class="intro">{move || i18n.t(T::VisitsExplain)}</p>
            {settings_form}
            <crate::components::save_status::SaveStatus state=save/>
            <Loaded data=data content=move |(docs, _)| list(docs)/>
        </section>
    }
}
