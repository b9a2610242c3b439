//! The trash: deleted records, people, proposals and opinion reports, each restorable.

use crate::components::loaded::{read_on_sync, Loaded};
use crate::components::store_error::StoreErrorNotice;
use crate::editing::set_trashed;
use crate::i18n::{use_i18n, T};
use crate::settings::template;
use crate::storage::{Db, StoreError};
use leptos::prelude::*;
use leptos::task::spawn_local;
use xunfang_core::doc::Body;
use xunfang_core::proposal::{OpinionReport, Proposal};
use xunfang_core::{Activity, Document, Person};

#[derive(Clone)]
struct Trash {
    activities: Vec<Document<Activity>>,
    people: Vec<Document<Person>>,
    proposals: Vec<Document<Proposal>>,
    opinion_reports: Vec<Document<OpinionReport>>,
}

impl Trash {
    fn is_empty(&self) -> bool {
        self.activities.is_empty() && self.people.is_empty() && self.proposals.is_empty() && self.opinion_reports.is_empty()
    }
}

/// The trashed documents of one type, most recently changed first.
async fn trashed<B: Body>(db: &Db) -> Result<Vec<Document<B>>, StoreError> {
    let mut docs = db.all::<B>().await?.docs;
    docs.retain(|d| d.trashed);
    docs.sort_by(|a, b| b.updated.cmp(&a.updated));
    Ok(docs)
}

async fn load() -> Result<Trash, StoreError> {
    let db = Db::app().await?;
    Ok(Trash { activities: trashed(&db).await?, people: trashed(&db).await?, proposals: trashed(&db).await?, opinion_reports: trashed(&db).await? })
}

/// One trashed document: its kind (if any), title, date, and "restore".
/// Restoring writes the flag back (synced like the deletion) and reloads the list.
fn item<B: Body + Clone + 'static>(doc: Document<B>, kind: String, title: String, date: String, on_restore: impl Fn(Document<B>) + Copy + 'static) -> AnyView {
    let i18n = use_i18n();
    let untitled = title.trim().is_empty();
    view! {
        <li class="trash-item">
            {(!kind.is_empty()).then(|| view! { <span class="kind">{kind}</span> })}
            <span class="title">{move || if untitled { i18n.t(T::Untitled).to_string() } else { title.clone() }}</span>
            {(!date.is_empty()).then(|| view! { <span class="meta">{date}</span> })}
            <button type="button" on:click=move |_| on_restore(doc.clone())>{move || i18n.t(T::Restore)}</button>
        </li>
    }
    .into_any()
}

fn day(d: Option<chrono::NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

#[component]
pub fn TrashPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = read_on_sync(load);
    let error = RwSignal::new(None::<StoreError>);
    fn restore<B: Body + 'static>(
        data: LocalResource<Result<Trash, StoreError>>,
        error: RwSignal<Option<StoreError>>,
    ) -> impl Fn(Document<B>) + Copy + 'static {
        move |doc| {
            spawn_local(async move {
                match set_trashed(doc, false).await {
                    Ok(()) => data.refetch(),
                    Err(e) => error.set(Some(e)),
                }
            })
        }
    }
    let show = move |trash: Trash| {
        if trash.is_empty() {
            return view! { <p class="empty">{move || i18n.t(T::TrashEmpty)}</p> }.into_any();
        }
        let english = i18n.english();
        let activities = trash
            .activities
            .into_iter()
            .map(|d| {
                let (kind, title, date) = (template().kind_label(&d.body.kind, english).to_string(), d.body.title.clone(), day(d.body.date));
                item(d, kind, title, date, restore(data, error))
            })
            .collect_view();
        let people = trash.people.into_iter().map(|d| item(d.clone(), String::new(), d.body.name, String::new(), restore(data, error))).collect_view();
        let proposals =
            trash.proposals.into_iter().map(|d| item(d.clone(), String::new(), d.body.title, day(d.body.date), restore(data, error))).collect_view();
        let opinions =
            trash.opinion_reports.into_iter().map(|d| item(d.clone(), String::new(), d.body.title, day(d.body.date), restore(data, error))).collect_view();
        view! {
            <h2>{move || i18n.t(T::TrashRecords)}</h2>
            <ul class="trash-list">{activities}</ul>
            <h2>{move || i18n.t(T::TrashPeople)}</h2>
            <ul class="trash-list">{people}</ul>
            <h2>{move || i18n.t(T::TrashProposals)}</h2>
            <ul class="trash-list">{proposals}</ul>
            <h2>{move || i18n.t(T::TrashOpinions)}</h2>
            <ul class="trash-list">{opinions}</ul>
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
