//! The trash: deleted records and people, each restorable.

use crate::components::loaded::{read_on_sync, Loaded};
use crate::components::store_error::StoreErrorNotice;
use crate::editing::set_trashed;
use crate::i18n::{use_i18n, T};
use crate::settings::template;
use crate::storage::{Db, StoreError};
use leptos::prelude::*;
use leptos::task::spawn_local;
use xunfang_core::{Activity, Document, Person};

#[derive(Clone)]
struct Trash {
    activities: Vec<Document<Activity>>,
    people: Vec<Document<Person>>,
}

async fn load() -> Result<Trash, StoreError> {
    let db = Db::app().await?;
    let mut activities = db.all::<Activity>().await?.docs;
    activities.retain(|d| d.trashed);
    activities.sort_by(|a, b| b.updated.cmp(&a.updated));
    let mut people = db.all::<Person>().await?.docs;
    people.retain(|d| d.trashed);
    people.sort_by(|a, b| b.updated.cmp(&a.updated));
    Ok(Trash { activities, people })
}

#[component]
pub fn TrashPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = read_on_sync(load);
    let error = RwSignal::new(None::<StoreError>);
    let restore_activity = move |doc: Document<Activity>| {
        spawn_local(async move {
            match set_trashed(doc, false).await {
                Ok(()) => data.refetch(),
                Err(e) => error.set(Some(e)),
            }
        })
    };
    let restore_person = move |doc: Document<Person>| {
        spawn_local(async move {
            match set_trashed(doc, false).await {
                Ok(()) => data.refetch(),
                Err(e) => error.set(Some(e)),
            }
        })
    };
    let show = move |trash: Trash| {
        if trash.activities.is_empty() && trash.people.is_empty() {
            return view! { <p class="empty">{move || i18n.t(T::TrashEmpty)}</p> }.into_any();
        }
        let activities = trash
            .activities
            .into_iter()
            .map(|d| {
                let kind = d.body.kind.clone();
                let title = d.body.title.clone();
                let date = d.body.date.map(|d| d.to_string()).unwrap_or_default();
                view! {
                    <li class="trash-item">
                        <span class="kind">{move || template().kind_label(&kind, i18n.english()).to_string()}</span>
                        <span class="title">{title}</span>
                        <span class="meta">{date}</span>
                        <button type="button" on:click=move |_| restore_activity(d.clone())>{move || i18n.t(T::Restore)}</button>
                    </li>
                }
            })
            .collect_view();
        let people = trash
            .people
            .into_iter()
            .map(|d| {
                let name = d.body.name.clone();
                view! {
                    <li class="trash-item">
                        <span class="title">{name}</span>
                        <button type="button" on:click=move |_| restore_person(d.clone())>{move || i18n.t(T::Restore)}</button>
                    </li>
                }
            })
            .collect_view();
        view! {
            <h2>{move || i18n.t(T::TrashRecords)}</h2>
            <ul class="trash-list">{activities}</ul>
            <h2>{move || i18n.t(T::TrashPeople)}</h2>
            <ul class="trash-list">{people}</ul>
        }
        .into_any()
    };
    view! {
        <section class="page">
            <h1>{move || i18n.t(T::TrashTitle)}</h1>
            <p>{move || i18n.t(T::TrashIntro)}</p>
            {move || error.get().map(|e| view! { <StoreErrorNotice error=e/> })}
            <Loaded data=data content=show/>
        </section>
    }
}
