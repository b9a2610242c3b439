//! Values edited on two devices at once: the one shown won (the later
//! change); the others wait here until someone picks one ("use this").

use crate::device;
use crate::editing::Editor;
use crate::i18n::{use_i18n, T};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;
use xunfang_core::doc::Body;
use xunfang_core::Hlc;

/// The label of a field path ("title", "suggestions/<id>/content").
fn path_label(path: &str) -> Vec<T> {
    let field = |name: &str| match name {
        "kind" => Some(T::FieldKind),
        "title" => Some(T::FieldTitle),
        "date" => Some(T::FieldDate),
        "start" => Some(T::FieldStart),
        "end" => Some(T::FieldEnd),
        "place" => Some(T::FieldPlace),
        "organiser" => Some(T::FieldOrganiser),
        "notes" => Some(T::Notes),
        "findings" => Some(T::Findings),
        "follow_up" => Some(T::FollowUp),
        "tags" => Some(T::Tags),
        "other_attendees" => Some(T::OtherAttendees),
        "participants" => Some(T::Participants),
        "suggestions" => Some(T::Suggestions),
        "status" => Some(T::SuggestionStatus),
        "content" => Some(T::SuggestionContent),
        "raised_by" => Some(T::RaisedBy),
        "department" => Some(T::Department),
        "reply" => Some(T::Reply),
        "reply_date" => Some(T::ReplyDate),
        "reason" => Some(T::Reason),
        "name" => Some(T::Name),
        "sector" => Some(T::Sector),
        "group" => Some(T::Group),
        "unit" => Some(T::Unit),
        "phone" => Some(T::Phone),
        "note" => Some(T::Note),
        "role" => Some(T::Role),
        _ => None,
    };
    path.split('/').filter_map(field).collect()
}

fn show(value: &Option<Value>) -> String {
    match value {
        None => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) => "—".into(),
        Some(v) => v.to_string(),
    }
}

#[component]
pub fn ConflictList<B: Body + Send + Sync + 'static>(editor: Editor<B>) -> impl IntoView {
    let i18n = use_i18n();
    let conflicts = Memo::new(move |_| editor.doc.read().as_ref().map(|d| d.conflicts()).unwrap_or_default());
    view! {
        <Show when=move || !conflicts.read().is_empty()>
            <div class="conflicts" role="alert" data-testid="conflicts">
                <p>{move || i18n.t(T::ConflictIntro)}</p>
                <ul>
                    {move || conflicts.get().into_iter().flat_map(|c| {
                        let label = path_label(&c.path);
                        c.others.into_iter().map(move |other| {
                            let (path, label) = (c.path.clone(), label.clone());
                            let device_name = other.stamp.device.0.chars().take(8).collect::<String>();
                            let when = device::local_time(Hlc { millis: other.stamp.hlc.millis, counter: 0 });
                            let value = show(&other.value);
                            let removed = other.value.is_none();
                            let chosen = other.value.clone();
                            view! {
                                <li class="conflict">
                                    <strong>{move || label.iter().map(|k| i18n.t(*k)).collect::<Vec<_>>().join(" · ")}</strong> ": "
                                    {move || i18n.t(T::ConflictAlso)} " " <code>{device_name.clone()}</code> " "
                                    {move || i18n.t(T::ConflictAt)} " " {when.clone()} ": "
                                    <q>{value.clone()}</q>
                                    {removed.then(|| view! { {move || i18n.t(T::ConflictRemoved)} })}
                                    " "
                                    <button type="button" class="small" on:click=move |_| {
                                        let (path, chosen) = (path.clone(), chosen.clone());
                                        spawn_local(async move { let _ = editor.resolve(&path, chosen).await; });
                                    }>{move || i18n.t(T::ConflictUse)}</button>
                                </li>
                            }
                        }).collect::<Vec<_>>()
                    }).collect_view()}
                </ul>
            </div>
        </Show>
    }
}
