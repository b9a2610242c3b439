//! A proposal (提案): 案由, category, lead proposer and co-signers from the
//! roster, 承办单位, status and reply; autosaved like a record, in the
//! editor shell. Promoted ones link back to the suggestion's record.

use crate::components::editor_shell::{EditorPage, Opened, Trash};
use crate::components::field::{CheckField, SelectField, TextArea, TextField};
use crate::editing::Editor;
use crate::i18n::{use_i18n, T};
use crate::storage::{Db, StoreError};
use leptos::prelude::*;
use leptos_router::components::A;
use xunfang_core::proposal::{Proposal, ProposalStatus};
use xunfang_core::{Id, Person, Roster};

async fn open(param: Option<String>) -> Result<Option<Opened<Proposal, Roster>>, StoreError> {
    let Some(id) = param.as_deref().and_then(Id::parse) else {
        return Ok(None);
    };
    let db = Db::app().await?;
    let doc = db.get::<Proposal>(&id).await?;
    let roster = Roster::new(db.all::<Person>().await?.docs);
    Ok(Some(Opened { id, doc, blank: Proposal::default(), extra: roster }))
}

/// The label of a proposal's field name.
fn labels(name: &str) -> Option<T> {
    Some(match name {
        "title" => T::ProposalCaseTitle,
        "category" => T::Category,
        "content" => T::ProposalContent,
        "lead" => T::LeadProposer,
        "co_signers" => T::CoSigners,
        "handling_unit" => T::HandlingUnit,
        "date" => T::SubmittedOn,
        "status" => T::SuggestionStatus,
        "reply" => T::Reply,
        "reply_date" => T::ReplyDate,
        _ => return None,
    })
}

#[component]
pub fn ProposalEditPage() -> impl IntoView {
    view! {
        <EditorPage
            back_href="/office"
            back_label=T::BackToOffice
            heading=T::ProposalTitle
            not_found=T::RecordNotFound
            open=open
            labels=labels
            trash=Trash { delete: T::DeleteProposal, confirm: T::ConfirmDeleteProposal }
            form=|editor, people| view! { <ProposalForm editor=editor people=people/> }
        />
    }
}

#[component]
fn ProposalForm(editor: Editor<Proposal>, people: Roster) -> impl IntoView {
    let i18n = use_i18n();
    let draft = editor.draft;
    let label = move |key: T| Signal::derive(move || i18n.t(key).to_string());
    let text = move |get: fn(&Proposal) -> &String| Signal::derive(move || get(&draft.read()).clone());
    let person_options: Vec<(String, String)> = people.active().map(|p| (p.id.to_string(), p.body.name.clone())).collect();
    let status_options = Signal::derive(move || {
        let lang = i18n.lang();
        ProposalStatus::ALL.into_iter().map(|s| (s.key().to_string(), s.label(lang).to_string())).collect::<Vec<_>>()
    });
    let date_of = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let source = draft.get_untracked().source.map(|s| format!("/records/{}", s.activity));
    let co_signers = people
        .active()
        .map(|p| {
            let pid = p.id.clone();
            let pid2 = p.id.clone();
            view! {
                <CheckField
                    id=format!("co-{}", p.id)
                    label=Signal::derive({ let n = p.body.name.clone(); move || n.clone() })
                    checked=Signal::derive(move || draft.read().co_signers.contains(&pid))
                    on_change=move |on: bool| {
                        let pid = pid2.clone();
                        editor.edit(move |d| {
                            d.co_signers.retain(|x| *x != pid);
                            if on { d.co_signers.push(pid) }
                        })
                    }
                />
            }
        })
        .collect_view();
    view! {
        {source.map(|href| view! { <p><A href=href>{move || i18n.t(T::FromSuggestion)}</A></p> })}
        <form on:submit=|ev| ev.prevent_default()>
            <div class="row">
                <TextField id="p-title".into() label=label(T::ProposalCaseTitle) value=text(|p| &p.title) on_input=move |v| editor.edit(|p| p.title = v)/>
                <TextField id="p-category".into() label=label(T::Category) value=text(|p| &p.category) on_input=move |v| editor.edit(|p| p.category = v)/>
            </div>
            <TextArea id="p-content".into() label=label(T::ProposalContent) value=text(|p| &p.content) on_input=move |v| editor.edit(|p| p.content = v) rows=6/>
            <div class="row">
                <SelectField
                    id="p-lead".into()
                    label=label(T::LeadProposer)
                    options=Signal::derive(move || person_options.clone())
                    value=Signal::derive(move || draft.read().lead.as_ref().map(|i| i.to_string()).unwrap_or_default())
                    on_change=move |v: String| editor.edit(|p| p.lead = Id::parse(&v))
                    placeholder=label(T::ChoosePerson)
                />
                <TextField id="p-unit".into() label=label(T::HandlingUnit) value=text(|p| &p.handling_unit) on_input=move |v| editor.edit(|p| p.handling_unit = v)/>
                <TextField id="p-date".into() kind="date" label=label(T::SubmittedOn) value=Signal::derive(move || date_of(draft.read().date)) on_input=move |v: String| editor.edit(|p| p.date = v.parse().ok())/>
            </div>
            <fieldset>
                <legend>{move || i18n.t(T::CoSigners)}</legend>
                <div class="check-grid">{co_signers}</div>
            </fieldset>
            <div class="row">
                <SelectField
                    id="p-status".into()
                    label=label(T::SuggestionStatus)
                    options=status_options
                    value=Signal::derive(move || draft.read().status.key().to_string())
                    on_change=move |v: String| editor.edit(|p| p.status = ProposalStatus::ALL.into_iter().find(|s| s.key() == v).unwrap_or(p.status))
                />
                <TextField id="p-reply-date".into() kind="date" label=label(T::ReplyDate) value=Signal::derive(move || date_of(draft.read().reply_date)) on_input=move |v: String| editor.edit(|p| p.reply_date = v.parse().ok())/>
            </div>
            <TextArea id="p-reply".into() label=label(T::Reply) value=text(|p| &p.reply) on_input=move |v| editor.edit(|p| p.reply = v)/>
        </form>
    }
}
