//! A public-opinion report (社情民意信息): situation, cause, suggestion,
//! reporter and unit; autosaved like a record. Promoted ones link back to
//! the suggestion's record.

use crate::components::field::{CheckField, SelectField, TextArea, TextField};
use crate::components::save_status::SaveStatus;
use crate::components::store_error::StoreErrorNotice;
use crate::editing::Editor;
use crate::i18n::{use_i18n, T};
use crate::storage::{Db, StoreError};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use xunfang_core::proposal::OpinionReport;
use xunfang_core::{Document, Id, Person};

type Loaded = (Id, Option<Document<OpinionReport>>, Vec<Document<Person>>);

async fn load(id: Option<Id>) -> Result<Option<Loaded>, StoreError> {
    let Some(id) = id else { return Ok(None) };
    let db = Db::app().await?;
    Ok(Some((id.clone(), db.get::<OpinionReport>(&id).await?, db.roster().await?)))
}

#[component]
pub fn OpinionEditPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let data = LocalResource::new(move || load(params.read().get("id").and_then(|s| Id::parse(&s))));
    view! {
        <section class="page">
            <A href="/office" attr:class="back">{move || i18n.t(T::BackToOffice)}</A>
            <Suspense fallback=move || view! { <p>{move || i18n.t(T::Loading)}</p> }>
                {move || data.get().map(|r| match r {
                    Ok(Some((id, doc, people))) => view! { <OpinionForm id=id doc=doc people=people/> }.into_any(),
                    Ok(None) => view! { <p class="notice">{move || i18n.t(T::RecordNotFound)}</p> }.into_any(),
                    Err(e) => view! { <StoreErrorNotice error=e/> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn OpinionForm(id: Id, doc: Option<Document<OpinionReport>>, people: Vec<Document<Person>>) -> impl IntoView {
    let i18n = use_i18n();
    let editor = Editor::new(id, doc, OpinionReport::default());
    let draft = editor.draft;
    let label = move |key: T| Signal::derive(move || i18n.t(key).to_string());
    let text = move |get: fn(&OpinionReport) -> &String| Signal::derive(move || get(&draft.read()).clone());
    let person_options: Vec<(String, String)> = people.iter().map(|p| (p.id.to_string(), p.body.name.clone())).collect();
    let source = draft.get_untracked().source.map(|s| format!("/records/{}", s.activity));
    view! {
        <div class="page-head">
            <h1>{move || i18n.t(T::OpinionTitle)}</h1>
            <SaveStatus state=editor.state/>
        </div>
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
