//! One person on the roster, autosaved like a record.
//! `/people/new` (linked from a record's participant picker) starts a new one.

use crate::components::confirm::ConfirmDialog;
use crate::components::field::{CheckField, SelectField, TextArea, TextField};
use crate::components::problems::ProblemList;
use crate::components::save_status::SaveStatus;
use crate::components::store_error::StoreErrorNotice;
use crate::device;
use crate::editing::Editor;
use crate::i18n::{use_i18n, T};
use crate::settings::template;
use crate::storage::{Db, StoreError};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use xunfang_core::validate::{person_problems, Problem};
use xunfang_core::{Document, Id, Person};

async fn load(param: Option<String>) -> Result<Option<(Id, Option<Document<Person>>)>, StoreError> {
    let id = match param.as_deref() {
        Some("new") => return Ok(Some((device::new_id(), None))),
        Some(p) => Id::parse(p),
        None => None,
    };
    let Some(id) = id else { return Ok(None) };
    let doc = Db::app().await?.get::<Person>(&id).await?;
    Ok(Some((id, doc)))
}

#[component]
pub fn PersonEditPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let data = LocalResource::new(move || load(params.read().get("id")));
    view! {
        <section class="page">
            <A href="/people" attr:class="back">{move || i18n.t(T::BackToRoster)}</A>
            <Suspense fallback=move || view! { <p>{move || i18n.t(T::Loading)}</p> }>
                {move || {
                    data.get()
                        .map(|r| match r {
                            Ok(Some((id, doc))) => view! { <PersonForm id=id doc=doc/> }.into_any(),
                            Ok(None) => view! { <p class="notice">{move || i18n.t(T::PersonNotFound)}</p> }.into_any(),
                            Err(e) => view! { <StoreErrorNotice error=e/> }.into_any(),
                        })
                }}
            </Suspense>
        </section>
    }
}

#[component]
fn PersonForm(id: Id, doc: Option<Document<Person>>) -> impl IntoView {
    let i18n = use_i18n();
    let editor = Editor::new(id, doc, Person::default());
    let draft = editor.draft;
    let problems = Memo::new(move |_| person_problems(&draft.read()));
    let confirm_delete = RwSignal::new(false);
    let trash_error = RwSignal::new(None::<StoreError>);
    let navigate = use_navigate();
    let text = move |get: fn(&Person) -> &String| Signal::derive(move || get(&draft.read()).clone());
    let label = move |key: T| Signal::derive(move || i18n.t(key).to_string());
    let role_options = Signal::derive(move || {
        let english = i18n.english();
        template().roles.iter().map(|r| (r.key.clone(), if english { r.en.clone() } else { r.zh.clone() })).collect::<Vec<_>>()
    });
    let trashed = move || editor.doc.read().as_ref().is_some_and(|d| d.trashed);
    let on_delete = Callback::new(move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            match editor.set_trashed(true).await {
                Ok(()) => navigate("/people", Default::default()),
                Err(e) => trash_error.set(Some(e)),
            }
        })
    });
    let restore = move |_| {
        spawn_local(async move {
            if let Err(e) = editor.set_trashed(false).await {
                trash_error.set(Some(e));
            }
        })
    };

    view! {
        <div class="page-head">
            <h1>{move || i18n.t(T::EditPerson)}</h1>
            <SaveStatus state=editor.state/>
        </div>
        <Show when=trashed>
            <div class="notice" role="status">
                {move || i18n.t(T::InTrash)} " "
                <button type="button" on:click=restore>{move || i18n.t(T::Restore)}</button>
            </div>
        </Show>
        {move || trash_error.get().map(|e| view! { <StoreErrorNotice error=e/> })}
        <crate::components::conflicts::ConflictList editor=editor/>
        <ProblemList problems=problems/>
        <form class="person-form" on:submit=|ev| ev.prevent_default()>
            <div class="row">
                <TextField
                    id="name".into()
                    label=label(T::Name)
                    value=text(|p| &p.name)
                    on_input=move |v| editor.edit(|p| p.name = v)
                    invalid=Signal::derive(move || problems.read().contains(&Problem::NameMissing))
                    required=true
                />
                <SelectField
                    id="role".into()
                    label=label(T::Role)
                    options=role_options
                    value=text(|p| &p.role)
                    on_change=move |v| editor.edit(|p| p.role = v)
                />
            </div>
            <div class="row">
                <TextField id="sector".into() label=label(T::Sector) value=text(|p| &p.sector) on_input=move |v| editor.edit(|p| p.sector = v)/>
                <TextField id="group".into() label=label(T::Group) value=text(|p| &p.group) on_input=move |v| editor.edit(|p| p.group = v)/>
            </div>
            <div class="row">
                <TextField id="unit".into() label=label(T::Unit) value=text(|p| &p.unit) on_input=move |v| editor.edit(|p| p.unit = v)/>
                <TextField id="phone".into() kind="tel" label=label(T::Phone) value=text(|p| &p.phone) on_input=move |v| editor.edit(|p| p.phone = v)/>
            </div>
            <TextArea id="note".into() label=label(T::Note) value=text(|p| &p.note) on_input=move |v| editor.edit(|p| p.note = v) rows=3/>
            <CheckField
                id="active".into()
                label=label(T::ActiveLabel)
                checked=Signal::derive(move || draft.read().active)
                on_change=move |v| editor.edit(|p| p.active = v)
            />
        </form>
        <div class="danger-zone">
            <Show when=move || !trashed() && editor.doc.read().is_some()>
                <button type="button" class="danger" on:click=move |_| confirm_delete.set(true)>{move || i18n.t(T::DeletePerson)}</button>
            </Show>
        </div>
        <ConfirmDialog open=confirm_delete message=T::ConfirmDeletePerson confirm=T::MoveToTrash on_confirm=on_delete/>
    }
}
