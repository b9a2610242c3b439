//! One person on the roster, autosaved like a record, in the editor shell.
//! `/people/new` (linked from a record's participant picker) starts a new one.

use crate::components::editor_shell::{EditorPage, Opened, Trash};
use crate::components::field::{CheckField, SelectField, TextArea, TextField};
use crate::device;
use crate::editing::Editor;
use crate::i18n::{use_i18n, T};
use crate::settings::template;
use crate::storage::{Db, StoreError};
use leptos::prelude::*;
use xunfang_core::validate::{person_problems, Problem};
use xunfang_core::{Id, Person};

async fn open(param: Option<String>) -> Result<Option<Opened<Person, ()>>, StoreError> {
    let (id, doc) = match param.as_deref() {
        Some("new") => (device::new_id(), None),
        Some(p) => match Id::parse(p) {
            Some(id) => {
                let doc = Db::app().await?.get::<Person>(&id).await?;
                (id, doc)
            }
            None => return Ok(None),
        },
        None => return Ok(None),
    };
    Ok(Some(Opened { id, doc, blank: Person::default(), extra: () }))
}

/// The label of a person's field name.
fn labels(name: &str) -> Option<T> {
    Some(match name {
        "name" => T::Name,
        "role" => T::Role,
        "sector" => T::Sector,
        "group" => T::Group,
        "unit" => T::Unit,
        "phone" => T::Phone,
        "note" => T::Note,
        "active" => T::ActiveLabel,
        _ => return None,
    })
}

#[component]
pub fn PersonEditPage() -> impl IntoView {
    view! {
        <EditorPage
            back_href="/people"
            back_label=T::BackToRoster
            heading=T::EditPerson
            not_found=T::PersonNotFound
            open=open
            labels=labels
            problems=person_problems
            trash=Trash { delete: T::DeletePerson, confirm: T::ConfirmDeletePerson }
            form=|editor, ()| view! { <PersonForm editor=editor/> }
        />
    }
}

#[component]
fn PersonForm(editor: Editor<Person>) -> impl IntoView {
    let i18n = use_i18n();
    let draft = editor.draft;
    let problems = Memo::new(move |_| person_problems(&draft.read()));
    let text = move |get: fn(&Person) -> &String| Signal::derive(move || get(&draft.read()).clone());
    let label = move |key: T| Signal::derive(move || i18n.t(key).to_string());
    let role_options = Signal::derive(move || template().role_options(i18n.english(), &editor.draft.read().role));

    view! {
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
    }
}
