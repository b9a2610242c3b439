//! The roster: members, deputies, liaison officers … who take part in activities.

use crate::components::field::CheckField;
use crate::components::loaded::{read_on_sync, Loaded};
use crate::device;
use crate::i18n::{use_i18n, T};
use crate::settings::template;
use crate::storage::{Db, StoreError};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use xunfang_core::search::{fold, Query};
use xunfang_core::{Document, Person};

async fn load() -> Result<Vec<Document<Person>>, StoreError> {
    Db::app().await?.roster().await
}

#[component]
pub fn RosterPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = read_on_sync(load);
    let show_inactive = RwSignal::new(false);
    let text = RwSignal::new(String::new());
    let navigate = use_navigate();
    let add = move |_| navigate(&format!("/people/{}", device::new_id()), Default::default());

    let list = move |people: Vec<Document<Person>>| {
        if people.is_empty() {
            return view! { <p class="empty">{move || i18n.t(T::NoPeople)}</p> }.into_any();
        }
        let query = Query::parse(&text.get());
        let inactive = show_inactive.get();
        let rows = people
            .into_iter()
            .filter(|p| inactive || p.body.active)
            .filter(|p| {
                let b = &p.body;
                query.matches(&fold(&[b.name.as_str(), &b.sector, &b.group, &b.unit, &b.phone, &b.note].join("\u{1}")))
            })
            .map(|p| {
                let href = format!("/people/{}", p.id);
                let b = p.body;
                let role = b.role.clone();
                let details = [b.sector, b.group, b.unit].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" · ");
                view! {
                    <li class="person-card">
                        <A href=href>
                            <span class="title">{b.name}</span>
                            <span class="kind">{move || template().role_label(&role, i18n.english()).to_string()}</span>
                            <span class="meta">{details}</span>
                            {(!b.active).then(|| view! { <span class="badge">{move || i18n.t(T::Inactive)}</span> })}
                        </A>
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="record-list">{rows}</ul> }.into_any()
    };

    view! {
        <section class="page">
            <div class="page-head">
                <h1>{move || i18n.t(T::PeopleTitle)}</h1>
                <button type="button" class="primary" on:click=add>{move || i18n.t(T::NewPerson)}</button>
            </div>
            <div class="filters" role="search">
                <div class="field field-search">
                    <label for="roster-search">{move || i18n.t(T::Search)}</label>
                    <input id="roster-search" type="search" prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))/>
                </div>
                <CheckField
                    id="show-inactive".into()
                    label=Signal::derive(move || i18n.t(T::ShowInactive).to_string())
                    checked=show_inactive
                    on_change=move |v| show_inactive.set(v)
                />
            </div>
            <Loaded data=data content=list/>
        </section>
    }
}
