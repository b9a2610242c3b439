//! The record list: newest first, filtered by kind and period, searched by text.

use crate::components::field::{SelectField, TextField};
use crate::components::store_error::StoreErrorNotice;
use crate::device;
use crate::i18n::{use_i18n, T};
use crate::settings::template;
use crate::storage::{Db, StoreError};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use std::collections::HashMap;
use xunfang_core::search::{filter_activities, ListFilter};
use xunfang_core::validate::activity_problems;
use xunfang_core::{Activity, Document, Id, Period, Person};

#[derive(Clone)]
struct ListData {
    activities: Vec<Document<Activity>>,
    names: HashMap<Id, String>,
    unreadable: usize,
}

async fn load() -> Result<ListData, StoreError> {
    let db = Db::app().await?;
    let activities = db.all::<Activity>().await?;
    let people = db.all::<Person>().await?;
    let names = people.docs.into_iter().map(|p| (p.id, p.body.name)).collect();
    Ok(ListData { activities: activities.docs, names, unreadable: activities.unreadable + people.unreadable })
}

fn period_of(key: &str, from: &str, to: &str) -> Period {
    match key {
        "month" => Period::ThisMonth,
        "quarter" => Period::ThisQuarter,
        "year" => Period::ThisYear,
        "custom" => Period::Custom { from: from.parse().ok(), to: to.parse().ok() },
        _ => Period::All,
    }
}

#[component]
pub fn RecordsPage() -> impl IntoView {
    let i18n = use_i18n();
    // Reloads when a sync brought documents in.
    let revision = crate::sync::use_status().map(|s| s.revision);
    let data = LocalResource::new(move || {
        if let Some(r) = revision {
            r.track();
        }
        load()
    });
    let text = RwSignal::new(String::new());
    let kind = RwSignal::new(String::new());
    let period = RwSignal::new("all".to_string());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let navigate = use_navigate();
    let new_record = move |_| navigate(&format!("/records/{}", device::new_id()), Default::default());

    let kind_options = Signal::derive(move || {
        let english = i18n.english();
        template().kinds.iter().map(|k| (k.key.clone(), if english { k.en.clone() } else { k.zh.clone() })).collect::<Vec<_>>()
    });
    let period_options = Signal::derive(move || {
        [("all", T::PeriodAll), ("month", T::PeriodMonth), ("quarter", T::PeriodQuarter), ("year", T::PeriodYear), ("custom", T::PeriodCustom)]
            .into_iter()
            .map(|(k, t)| (k.to_string(), i18n.t(t).to_string()))
            .collect::<Vec<_>>()
    });

    let list = move |data: ListData| {
        let filter = ListFilter {
            kind: Some(kind.get()).filter(|k| !k.is_empty()),
            period: period_of(&period.get(), &from.get(), &to.get()),
            text: text.get(),
        };
        let shown = filter_activities(&data.activities, &filter, &data.names, device::today());
        let any = data.activities.iter().any(|d| !d.trashed);
        let unreadable = data.unreadable;
        let items = shown.into_iter().map(|d| view! { <RecordCard doc=d.clone()/> }).collect_view();
        view! {
            {(unreadable > 0).then(|| view! { <p class="error" role="alert">{unreadable} " " {move || i18n.t(T::UnreadableSome)}</p> })}
            {if !any {
                view! { <p class="empty">{move || i18n.t(T::NoRecords)}</p> }.into_any()
            } else if items.is_empty() {
                view! { <p class="empty">{move || i18n.t(T::NoMatches)}</p> }.into_any()
            } else {
                view! { <ul class="record-list">{items}</ul> }.into_any()
            }}
        }
    };

    view! {
        <section class="page">
            <div class="page-head">
                <h1>{move || i18n.t(T::NavRecords)}</h1>
                <button type="button" class="primary" on:click=new_record>{move || i18n.t(T::NewRecord)}</button>
            </div>
            <div class="filters" role="search">
                <div class="field field-search">
                    <label for="search">{move || i18n.t(T::Search)}</label>
                    <input
                        id="search"
                        type="search"
                        placeholder=move || i18n.t(T::SearchHint)
                        prop:value=move || text.get()
                        on:input=move |ev| text.set(event_target_value(&ev))
                    />
                </div>
                <SelectField
                    id="filter-kind".into()
                    label=Signal::derive(move || i18n.t(T::FilterKind).to_string())
                    options=kind_options
                    value=kind
                    on_change=move |v| kind.set(v)
                    placeholder=Signal::derive(move || i18n.t(T::AllKinds).to_string())
                />
                <SelectField
                    id="filter-period".into()
                    label=Signal::derive(move || i18n.t(T::FilterPeriod).to_string())
                    options=period_options
                    value=period
                    on_change=move |v| period.set(v)
                />
                <Show when=move || period.get() == "custom">
                    <TextField id="filter-from".into() kind="date" label=Signal::derive(move || i18n.t(T::From).to_string()) value=from on_input=move |v| from.set(v)/>
                    <TextField id="filter-to".into() kind="date" label=Signal::derive(move || i18n.t(T::To).to_string()) value=to on_input=move |v| to.set(v)/>
                </Show>
            </div>
            <Suspense fallback=move || view! { <p>{move || i18n.t(T::Loading)}</p> }>
                {move || {
                    data.get()
                        .map(|result| match result {
                            Ok(d) => list(d).into_any(),
                            Err(e) => view! { <StoreErrorNotice error=e/> }.into_any(),
                        })
                }}
            </Suspense>
        </section>
    }
}

/// One line of the list: kind, title, date and place, and whether it is complete.
#[component]
fn RecordCard(doc: Document<Activity>) -> impl IntoView {
    let i18n = use_i18n();
    let a = doc.body;
    let href = format!("/records/{}", doc.id);
    let incomplete = !activity_problems(&a, template()).is_empty();
    let kind = a.kind.clone();
    let title = a.title.trim().to_string();
    let date = a.date.map(|d| d.to_string());
    let suggestions = a.suggestions.len();
    let person_times = a.person_times();
    view! {
        <li class="record-card">
            <A href=href>
                <span class="kind">{move || template().kind_label(&kind, i18n.english()).to_string()}</span>
                <span class="title">
                    {if title.is_empty() { view! { {move || i18n.t(T::Untitled)} }.into_any() } else { title.into_any() }}
                </span>
                <span class="meta">
                    {match date.clone() {
                        Some(d) => d.into_any(),
                        None => view! { {move || i18n.t(T::Undated)} }.into_any(),
                    }}
                    {(!a.place.is_empty()).then(|| format!(" · {}", a.place))}
                    {(person_times > 0).then(|| view! { " · " {person_times} " " {move || i18n.t(T::PersonTimes)} })}
                    {(suggestions > 0).then(|| view! { " · " {move || i18n.t(T::Suggestions)} " " {suggestions} })}
                </span>
                {incomplete.then(|| view! { <span class="badge">{move || i18n.t(T::Incomplete)}</span> })}
            </A>
        </li>
    }
}
