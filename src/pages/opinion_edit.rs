//! A public-opinion report (社情民意信息): situation, cause, suggestion,
//! reporter and unit; autosaved like a record, in the editor shell.
//! Promoted ones link back to the suggestion's record.

use crate::components::editor_shell::{EditorPage, Opened, Trash};
use crate::components::field::{CheckField, SelectField, TextArea, TextField};
use crate::editing::Editor;
use crate::i18n::{use_i18n, T};
use crate::storage::{Db, StoreError};
use leptos::prelude::*;
use leptos_router::components::A;
use xunfang_core::proposal::OpinionReport;
use xunfang_core::{Id, Person, Roster};

async fn open(param: Option<String>) -> Result<Option<Opened<OpinionReport, Roster>>, StoreError> {
    let Some(id) = param.as_deref().and_then(Id::parse) else {
        return Ok(None);
    };
    let db = Db::app().await?;
    let doc = db.get::<OpinionReport>(&id).await?;
    let roster = Roster::new(db.all::<Person>().await?.docs);
    Ok(Some(Opened { id, doc, blank: OpinionReport::default(), extra: roster }))
}

/// The label of an opinion report's field name.
fn labels(name: &str) -> Option<T> {
    Some(match name {
        "title" => T::FieldTitle,
        "situation" => T::Situation,
        "cause" => T::Cause,
        "suggestion" => T::Suggestions,
        "reporter" => T::Reporter,
        "unit" => T::ReporterUnit,
        "date" => T::FieldDate,
        "adopted" => T::Adopted,
        _ => return None,
    })
}

#[component]
pub fn OpinionEditPage() -> impl IntoView {
    view! {
        <EditorPage
            back_href="/office"
            back_label=T::BackToOffice
            heading=T::OpinionTitle
            not_found=T::RecordNotFound
            open=open
            labels=labels
            trash=Trash { delete: T::DeleteOpinion, confirm: T::ConfirmDeleteOpinion }
            form=|editor, people| view! { <OpinionForm editor=editor people=people/> }
        />
    }
}

#[component]
fn OpinionForm(editor: Editor<OpinionReport>, people: Roster) -> impl IntoView {
    let i18n = use_i18n();
    let draft = editor.draft;
    let label = move |key: T| Signal::derive(move || i18n.t(key).to_string());
    let text = move |get: fn(&OpinionReport) -> &String| Signal::derive(move || get(&draft.read()).clone());
    let person_options: Vec<(String, String)> = people.active().map(|p| (p.id.to_string(), p.body.name.clone())).collect();
    let source = draft.get_untracked().source.map(|s| format!("/records/{}", s.activity));
    view! {
        {source.map(|href| view! { <p><A href=href>{move || i18n.t(T::FromSuggestion)}</A></p> })}
        <form on:submit=|ev| ev.prevent_default()>
            <TextField id="o-title".into() label=label(T::FieldTitle) value=text(|r| &r.title) on_input=move |v| editor.edit(|r| r.title = v)/>
            <TextArea id="o-situation".into() label=label(T::Situation) value=text(|r| &r.situation) on_input=move |v| editor.edit(|r| r.situation = v)/>
            <TextArea id="o-cause".into() label=label(T::Cause) value=text(|r| &r.cause) on_input=move |v| editor.edit(|r| r.cause = v)/>
            <TextArea id="o-suggestion".into() label=label(T::Suggestions) value=text(|r| &r.suggestion) on_input=move |v| editor.edit(|r| r.suggestion = v)/>
            <div class="row">
                <SelectField
                    id="o-reporter".into()
                    label=label(T::Reporter)
                    options=Signal::derive(move || person_options.clone())
                    value=Signal::derive(move || draft.read().reporter.as_ref().map(|i| i.to_string()).unwrap_or_default())
                    on_change=move |v: String| editor.edit(|r| r.reporter = Id::parse(&v))
                    placeholder=label(T::ChoosePerson)
                />
                <TextField id="o-unit".into() label=label(T::ReporterUnit) value=text(|r| &r.unit) on_input=move |v| editor.edit(|r| r.unit = v)/>
                <TextField
                    id="o-date".into()
                    kind="date"
                    label=label(T::FieldDate)
                    value=Signal::derive(move || draft.read().date.map(|d| d.to_string()).unwrap_or_default())
                    on_input=move |v: String| editor.edit(|r| r.date = v.parse().ok())
                />
            </div>
            <CheckField id="o-adopted".into() label=label(T::Adopted) checked=Signal::derive(move || draft.read().adopted) on_change=move |v| editor.edit(|r| r.adopted = v)/>
        </form>
    }
}
