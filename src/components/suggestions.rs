//! Suggestions collected on site (意见建议): content, who raised it, which
//! department it is for, and its follow-up (status, reply, reply date).

use crate::device;
use crate::editing::Editor;
use crate::i18n::{use_i18n, T};
use leptos::prelude::*;
use xunfang_core::{Activity, Id, Suggestion, SuggestionStatus};

#[component]
pub fn SuggestionsEditor(editor: Editor<Activity>) -> impl IntoView {
    let i18n = use_i18n();
    let draft = editor.draft;
    let ids = move || draft.read().suggestions.iter().map(|s| s.id.clone()).collect::<Vec<_>>();
    let add = move |_| editor.edit(|a| a.suggestions.push(Suggestion::new(device::new_id())));
    view! {
        <fieldset class="suggestions" id="suggestions">
            <legend>{move || i18n.t(T::Suggestions)}</legend>
            <ol class="suggestion-list">
                <For each=ids key=|id: &Id| id.clone() let:id>
                    <SuggestionForm editor=editor id=id/>
                </For>
            </ol>
            <button type="button" on:click=add>{move || i18n.t(T::AddSuggestion)}</button>
        </fieldset>
    }
}

/// One suggestion's fields. Input ids carry the suggestion's id so that every
/// label stays tied to its own input.
#[component]
fn SuggestionForm(editor: Editor<Activity>, id: Id) -> impl IntoView {
    let i18n = use_i18n();
    let draft = editor.draft;
    let field = {
        let id = id.clone();
        move |get: fn(&Suggestion) -> String| {
            let id = id.clone();
            Signal::derive(move || draft.read().suggestions.iter().find(|s| s.id == id).map(get).unwrap_or_default())
        }
    };
    let set = {
        let id = id.clone();
        move |apply: fn(&mut Suggestion, String)| {
            let id = id.clone();
            Callback::new(move |v: String| {
                let id = id.clone();
                editor.edit(move |a| a.suggestions.iter_mut().filter(|s| s.id == id).for_each(|s| apply(s, v.clone())));
            })
        }
    };
    let label = move |key: T| Signal::derive(move || i18n.t(key).to_string());
    let status_options =
        Signal::derive(move || SuggestionStatus::ALL.into_iter().map(|s| (s.key().to_string(), s.label(i18n.lang()).to_string())).collect::<Vec<_>>());
    let remove = {
        let id = id.clone();
        move |_| {
            let id = id.clone();
            editor.edit(move |a| a.suggestions.retain(|s| s.id != id))
        }
    };
    use crate::components::field::{SelectField, TextArea, TextField};
    view! {
        <li class="suggestion">
            <TextArea id=format!("sugg-{id}-content") label=label(T::SuggestionContent) value=field(|s| s.content.clone()) on_input=set(|s, v| s.content = v) rows=3/>
            <div class="row">
                <TextField id=format!("sugg-{id}-by") label=label(T::RaisedBy) value=field(|s| s.raised_by.clone()) on_input=set(|s, v| s.raised_by = v)/>
                <TextField id=format!("sugg-{id}-dept") label=label(T::Department) value=field(|s| s.department.clone()) on_input=set(|s, v| s.department = v)/>
                <SelectField
                    id=format!("sugg-{id}-status")
                    label=label(T::SuggestionStatus)
                    options=status_options
                    value=field(|s| s.status.key().to_string())
                    on_change=set(|s, v| s.status = SuggestionStatus::from_key(&v).unwrap_or(s.status))
                />
            </div>
            <div class="row">
                <TextField id=format!("sugg-{id}-reply") label=label(T::Reply) value=field(|s| s.reply.clone()) on_input=set(|s, v| s.reply = v)/>
                <TextField
                    id=format!("sugg-{id}-reply-date")
                    kind="date"
                    label=label(T::ReplyDate)
                    value=field(|s| s.reply_date.map(|d| d.to_string()).unwrap_or_default())
                    on_input=set(|s, v| s.reply_date = v.parse().ok())
                />
            </div>
            <button type="button" class="small danger" on:click=remove>{move || i18n.t(T::RemoveSuggestion)}</button>
        </li>
    }
}
