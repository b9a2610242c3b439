//! One activity record: every field, autosaved as it is typed.
//!
//! Opening `/records/<new id>` starts a blank record that is stored on the
//! first edit, so "New record" followed by "back" leaves nothing behind.

use crate::components::custom_fields::{CustomFields, ValueChange};
use crate::components::editor_shell::{EditorPage, Opened, Trash};
use crate::components::field::{SelectField, TextArea, TextField};
use crate::components::participants::ParticipantsEditor;
use crate::components::suggestions::SuggestionsEditor;
use crate::device;
use crate::editing::Editor;
use crate::i18n::{use_i18n, T};
use crate::settings::template;
use crate::storage::{Db, StoreError};
use leptos::prelude::*;
use xunfang_core::tags::{parse_tags, tags_line};
use xunfang_core::validate::{activity_problems, Problem};
use xunfang_core::{Activity, Id, Person, Roster};

/// The record the route names, with the whole roster: people moved to the
/// trash keep their names on the records they took part in.
async fn open(param: Option<String>) -> Result<Option<Opened<Activity, Roster>>, StoreError> {
    let Some(id) = param.as_deref().and_then(Id::parse) else {
        return Ok(None);
    };
    let db = Db::app().await?;
    let doc = db.get::<Activity>(&id).await?;
    let roster = Roster::new(db.all::<Person>().await?.docs);
    let blank = Activity { date: Some(device::today()), ..Activity::default() };
    Ok(Some(Opened { id, doc, blank, extra: roster }))
}

/// The label of a record's field name, nested suggestion fields included.
fn labels(name: &str) -> Option<T> {
    Some(match name {
        "kind" => T::FieldKind,
        "title" => T::FieldTitle,
        "date" => T::FieldDate,
        "start" => T::FieldStart,
        "end" => T::FieldEnd,
        "place" => T::FieldPlace,
        "organiser" => T::FieldOrganiser,
        "notes" => T::Notes,
        "findings" => T::Findings,
        "follow_up" => T::FollowUp,
        "tags" => T::Tags,
        "other_attendees" => T::OtherAttendees,
        "participants" => T::Participants,
        "suggestions" => T::Suggestions,
        "status" => T::SuggestionStatus,
        "content" => T::SuggestionContent,
        "raised_by" => T::RaisedBy,
        "department" => T::Department,
        "reply" => T::Reply,
        "reply_date" => T::ReplyDate,
        "reason" => T::Reason,
        // A custom field's own label is data; the conflict names the group.
        "custom" => T::KindFields,
        _ => return None,
    })
}

fn problems(a: &Activity) -> Vec<Problem> {
    activity_problems(a, &template())
}

#[component]
pub fn RecordEditPage() -> impl IntoView {
    view! {
        <EditorPage
            back_href="/"
            back_label=T::BackToList
            heading=T::EditRecord
            not_found=T::RecordNotFound
            open=open
            labels=labels
            problems=problems
            trash=Trash { delete: T::DeleteRecord, confirm: T::ConfirmDeleteRecord }
            form=|editor, roster| view! { <RecordForm editor=editor roster=roster/> }
        />
    }
}

#[component]
fn RecordForm(editor: Editor<Activity>, roster: Roster) -> impl IntoView {
    let i18n = use_i18n();
    let people = StoredValue::new(roster);
    let draft = editor.draft;
    // The shell lists the problems; the form marks the fields they are about.
    let problems = Memo::new(move |_| problems(&draft.read()));
    let has = move |p: Problem| problems.read().contains(&p);

    let text = move |get: fn(&Activity) -> &String| Signal::derive(move || get(&draft.read()).clone());
    let label = move |key: T| Signal::derive(move || i18n.t(key).to_string());
    let kind_options = Signal::derive(move || template().kind_options(i18n.english(), &draft.read().kind));
    let time_text = |t: Option<chrono::NaiveTime>| t.map(|t| t.format("%H:%M").to_string()).unwrap_or_default();
    let parse_time = |v: &str| chrono::NaiveTime::parse_from_str(v, "%H:%M").or_else(|_| chrono::NaiveTime::parse_from_str(v, "%H:%M:%S")).ok();

    view! {
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
                    on_input=move |v: String| editor.edit(|a| {
                        a.start = parse_time(&v);
                        // The team's default duration proposes the end; a typed end stays.
                        if a.end.is_none() {
                            a.end = a.start.and_then(|s| default_end(s, template().default_minutes));
                        }
                    })
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
            <CustomFields
                kind=Signal::derive(move || draft.read().kind.clone())
                template=Signal::derive(|| (*template()).clone())
                values=Signal::derive(move || draft.read().custom.clone())
                on_change=Callback::new(move |(key, value): ValueChange| {
                    editor.edit(|a| match value {
                        Some(v) => {
                            a.custom.insert(key, v);
                        }
                        None => {
                            a.custom.remove(&key);
                        }
                    })
                })
            />
            <ParticipantsEditor editor=editor people=people/>
            <TextArea id="notes".into() label=label(T::Notes) value=text(|a| &a.notes) on_input=move |v| editor.edit(|a| a.notes = v) rows=6/>
            <TextArea id="findings".into() label=label(T::Findings) value=text(|a| &a.findings) on_input=move |v| editor.edit(|a| a.findings = v)/>
            <SuggestionsEditor editor=editor/>
            <crate::components::photos::PhotosEditor editor=editor/>
            <TextArea id="follow-up".into() label=label(T::FollowUp) value=text(|a| &a.follow_up) on_input=move |v| editor.edit(|a| a.follow_up = v) rows=3/>
            <TagsField editor=editor/>
        </form>
    }
}

/// `start` plus the team's default duration, unless that passes midnight
/// (an end before the start would be a problem of the record).
fn default_end(start: chrono::NaiveTime, minutes: u32) -> Option<chrono::NaiveTime> {
    let (end, wrapped) = start.overflowing_add_signed(chrono::Duration::minutes(minutes.into()));
    (minutes > 0 && wrapped == 0).then_some(end)
}

/// Tags typed as one line; kept as text while typing so separators survive.
#[component]
fn TagsField(editor: Editor<Activity>) -> impl IntoView {
    let i18n = use_i18n();
    let typed = RwSignal::new(tags_line(&editor.draft.get_untracked().tags));
    view! {
        <TextField
            id="tags".into()
            label=Signal::derive(move || i18n.t(T::Tags).to_string())
            value=typed
            on_input=move |v: String| {
                let tags = parse_tags(&v);
                typed.set(v);
                editor.edit(|a| a.tags = tags);
            }
        />
    }
}
