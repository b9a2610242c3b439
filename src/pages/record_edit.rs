//! One activity record: every field, autosaved as it is typed.
//!
//! Opening `/records/<new id>` starts a blank record that is stored on the
//! first edit, so "New record" followed by "back" leaves nothing behind.

use crate::components::confirm::ConfirmDialog;
use crate::components::field::{SelectField, TextArea, TextField};
use crate::components::participants::ParticipantsEditor;
use crate::components::problems::ProblemList;
use crate::components::save_status::SaveStatus;
use crate::components::store_error::StoreErrorNotice;
use crate::components::suggestions::SuggestionsEditor;
use crate::device;
use crate::editing::Editor;
use crate::i18n::{use_i18n, T};
use crate::settings::template;
use crate::storage::{Db, StoreError};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use xunfang_core::validate::{activity_problems, Problem};
use xunfang_core::{Activity, Document, Id, Person};

#[derive(Clone)]
struct Loaded {
    id: Id,
    doc: Option<Document<Activity>>,
    people: Vec<Document<Person>>,
}

async fn load(id: Option<Id>) -> Result<Option<Loaded>, StoreError> {
    let Some(id) = id else { return Ok(None) };
    let db = Db::app().await?;
    let doc = db.get::<Activity>(&id).await?;
    let mut people = db.all::<Person>().await?.docs;
    people.sort_by(|a, b| a.body.name.cmp(&b.body.name));
    Ok(Some(Loaded { id, doc, people }))
}

#[component]
pub fn RecordEditPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let data = LocalResource::new(move || {
        let id = params.read().get("id").and_then(|s| Id::parse(&s));
        load(id)
    });
    view! {
        <section class="page">
            <A href="/" attr:class="back">{move || i18n.t(T::BackToList)}</A>
            <Suspense fallback=move || view! { <p>{move || i18n.t(T::Loading)}</p> }>
                {move || {
                    data.get()
                        .map(|result| match result {
                            Ok(Some(l)) => view! { <RecordForm loaded=l/> }.into_any(),
                            Ok(None) => view! { <p class="notice">{move || i18n.t(T::RecordNotFound)}</p> }.into_any(),
                            Err(e) => view! { <StoreErrorNotice error=e/> }.into_any(),
                        })
                }}
            </Suspense>
        </section>
    }
}

#[component]
fn RecordForm(loaded: Loaded) -> impl IntoView {
    let i18n = use_i18n();
    let blank = Activity { date: Some(device::today()), ..Activity::default() };
    let editor = Editor::new(loaded.id.clone(), loaded.doc, blank);
    let people = StoredValue::new(loaded.people);
    let draft = editor.draft;
    let problems = Memo::new(move |_| activity_problems(&draft.read(), template()));
    let has = move |p: Problem| problems.read().contains(&p);
    let confirm_delete = RwSignal::new(false);
    let trash_error = RwSignal::new(None::<StoreError>);
    let navigate = use_navigate();

    let text = move |get: fn(&Activity) -> &String| Signal::derive(move || get(&draft.read()).clone());
    let label = move |key: T| Signal::derive(move || i18n.t(key).to_string());
    let kind_options = Signal::derive(move || {
        let english = i18n.english();
        template().kinds.iter().map(|k| (k.key.clone(), if english { k.en.clone() } else { k.zh.clone() })).collect::<Vec<_>>()
    });
    let time_text = |t: Option<chrono::NaiveTime>| t.map(|t| t.format("%H:%M").to_string()).unwrap_or_default();
    let parse_time = |v: &str| chrono::NaiveTime::parse_from_str(v, "%H:%M").or_else(|_| chrono::NaiveTime::parse_from_str(v, "%H:%M:%S")).ok();

    let on_delete = Callback::new(move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            match editor.set_trashed(true).await {
                Ok(()) => navigate("/", Default::default()),
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
    let trashed = move || editor.doc.read().as_ref().is_some_and(|d| d.trashed);

    view! {
        <div class="page-head">
            <h1>{move || i18n.t(T::EditRecord)}</h1>
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
        <form class="record-form" on:submit=|ev| ev.prevent_default()>
            <div class="row">
                <SelectField
                    id="kind".into()
                    label=label(T::FieldKind)
                    options=kind_options
                    value=Signal::derive(move || draft.read().kind.clone())
                    on_change=move |v| editor.edit(|a| a.kind = v)
                    placeholder=label(T::ChooseKind)
                    invalid=Signal::derive(move || has(Problem::KindMissing) || has(Problem::KindUnknown))
                />
                <TextField
                    id="title".into()
                    label=label(T::FieldTitle)
                    value=text(|a| &a.title)
                    on_input=move |v| editor.edit(|a| a.title = v)
                    invalid=Signal::derive(move || has(Problem::TitleMissing))
                    required=true
                />
            </div>
            <div class="row">
                <TextField
                    id="date".into()
                    kind="date"
                    label=label(T::FieldDate)
                    value=Signal::derive(move || draft.read().date.map(|d| d.to_string()).unwrap_or_default())
                    on_input=move |v: String| editor.edit(|a| a.date = v.parse().ok())
                    invalid=Signal::derive(move || has(Problem::DateMissing))
                    required=true
                />
                <TextField
                    id="start".into()
                    kind="time"
                    label=label(T::FieldStart)
                    value=Signal::derive(move || time_text(draft.read().start))
                    on_input=move |v: String| editor.edit(|a| a.start = parse_time(&v))
                />
                <TextField
                    id="end".into()
                    kind="time"
                    label=label(T::FieldEnd)
                    value=Signal::derive(move || time_text(draft.read().end))
                    on_input=move |v: String| editor.edit(|a| a.end = parse_time(&v))
                    invalid=Signal::derive(move || has(Problem::EndBeforeStart))
                />
            </div>
            <div class="row">
                <TextField id="place".into() label=label(T::FieldPlace) value=text(|a| &a.place) on_input=move |v| editor.edit(|a| a.place = v)/>
                <TextField id="organiser".into() label=label(T::FieldOrganiser) value=text(|a| &a.organiser) on_input=move |v| editor.edit(|a| a.organiser = v)/>
            </div>
            <ParticipantsEditor editor=editor people=people/>
            <TextArea id="notes".into() label=label(T::Notes) value=text(|a| &a.notes) on_input=move |v| editor.edit(|a| a.notes = v) rows=6/>
            <TextArea id="findings".into() label=label(T::Findings) value=text(|a| &a.findings) on_input=move |v| editor.edit(|a| a.findings = v)/>
            <SuggestionsEditor editor=editor/>
            <crate::components::photos::PhotosEditor editor=editor/>
            <TextArea id="follow-up".into() label=label(T::FollowUp) value=text(|a| &a.follow_up) on_input=move |v| editor.edit(|a| a.follow_up = v) rows=3/>
            <TagsField editor=editor/>
        </form>
        <div class="danger-zone">
            <Show when=move || !trashed()>
                <button type="button" class="danger" on:click=move |_| confirm_delete.set(true)>{move || i18n.t(T::DeleteRecord)}</button>
            </Show>
        </div>
        <ConfirmDialog open=confirm_delete message=T::ConfirmDeleteRecord confirm=T::MoveToTrash on_confirm=on_delete/>
    }
}

/// Tags typed as one line; kept as text while typing so separators survive.
#[component]
fn TagsField(editor: Editor<Activity>) -> impl IntoView {
    let i18n = use_i18n();
    let typed = RwSignal::new(editor.draft.get_untracked().tags.join("，"));
    view! {
        <TextField
            id="tags".into()
            label=Signal::derive(move || i18n.t(T::Tags).to_string())
            value=typed
            on_input=move |v: String| {
                typed.set(v.clone());
                let tags = v
                    .split([',', '，', '、', ' ', '\u{3000}'])
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_string)
                    .collect();
                editor.edit(|a| a.tags = tags);
            }
        />
    }
}
