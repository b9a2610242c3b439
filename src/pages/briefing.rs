//! The briefing (活动简报): the activities of a chosen week or month, ready
//! to print on A4 or to copy into a message for the members (text from core).

use crate::components::field::{SelectField, TextField};
use crate::components::loaded::{read_on_sync, Loaded};
use crate::device;
use crate::files;
use crate::i18n::{use_i18n, T};
use crate::settings::template;
use crate::storage::Db;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use xunfang_core::briefing::{briefing, month_of, week_of, Briefing};
use xunfang_core::records::AllDocs;

#[component]
pub fn BriefingPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = read_on_sync(|| async { Db::app().await?.all_docs().await });
    let span = RwSignal::new("week".to_string());
    let day = RwSignal::new(device::today().to_string());
    let copied = RwSignal::new(None::<T>);
    let label = move |key: T| Signal::derive(move || i18n.t(key).to_string());
    let spans =
        Signal::derive(move || vec![("week".to_string(), i18n.t(T::BriefingWeek).to_string()), ("month".to_string(), i18n.t(T::BriefingMonth).to_string())]);
    // An unreadable date (a half-typed one) falls back to today, never an error.
    let range = move || {
        let d = day.get().parse().unwrap_or_else(|_| device::today());
        if span.get() == "month" {
            month_of(d)
        } else {
            week_of(d)
        }
    };
    let view_of = move |docs: AllDocs| {
        let lang = i18n.lang();
        let b = briefing(&docs.records(), range(), &template(), lang);
        let text = StoredValue::new(b.to_text(lang));
        let copy = move |_| {
            spawn_local(async move {
                copied.set(Some(if files::copy(&text.get_value()).await { T::Copied } else { T::CopyFailed }));
            })
        };
        view! {
            <div class="row no-print">
                <button type="button" class="primary" on:click=|_| files::print()>{move || i18n.t(T::Print)}</button>
                <button type="button" on:click=copy>{move || i18n.t(T::Copy)}</button>
                <span role="status">{move || copied.get().map(|t| i18n.t(t))}</span>
            </div>
            <BriefingSheet b=b/>
        }
    };
    view! {
        <section class="page">
            <A href="/office" attr:class="back no-print">{move || i18n.t(T::BackToOffice)}</A>
            <div class="page-head no-print"><h1>{move || i18n.t(T::BriefingTitle)}</h1></div>
            <div class="filters no-print">
                <SelectField id="briefing-span".into() label=label(T::BriefingSpan) options=spans value=span on_change=move |v| span.set(v)/>
                <TextField id="briefing-day".into() kind="date" label=label(T::BriefingDay) value=day on_input=move |v| day.set(v)/>
            </div>
            <Loaded data=data content=move |(docs, _)| view_of(docs)/>
        </section>
    }
}

/// The briefing as it prints: heading, overview, one block per activity.
#[component]
fn BriefingSheet(b: Briefing) -> impl IntoView {
    let items = b
        .items
        .into_iter()
        .map(|it| {
            let lines = [it.place, it.attended, it.excused].into_iter().filter(|l| !l.is_empty()).map(|l| view! { <p>{l}</p> }).collect_view();
            let suggestions = (!it.suggestions.is_empty())
                .then(|| view! { <ul class="briefing-suggestions">{it.suggestions.into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}</ul> });
            view! {
                <article class="briefing-item">
                    <h3>{it.when_what} " " {it.title}</h3>
                    {lines}
                    {suggestions}
                </article>
            }
        })
        .collect_view();
    view! {
        <div class="printable briefing" data-testid="briefing">
            <h2>{b.heading}</h2>
            <p class="overview">{b.overview}</p>
            {items}
        </div>
    }
}
