//! The suggestions board (意见建议办理): every suggestion from every record in
//! one list, filtered by status, department, period and who raised it; each
//! moves along 新收集 → 已转交 → 办理中 → 已办结 / 已答复, and can become a
//! proposal (提案) or a public-opinion report (社情民意) that keeps the link.

use crate::components::field::{CheckField, SelectField, TextArea, TextField};
use crate::components::loaded::{read_on_sync, Loaded};
use crate::components::period_picker::{PeriodChoice, PeriodPicker};
use crate::components::store_error::StoreErrorNotice;
use crate::device;
use crate::editing;
use crate::exports::xlsx;
use crate::files;
use crate::i18n::{use_i18n, T};
use crate::settings::template;
use crate::storage::{Db, StoreError};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use xunfang_core::csv::suggestions_table;
use xunfang_core::proposal::{opinion_report_from_suggestion, proposal_from_suggestion};
use xunfang_core::records::AllDocs;
use xunfang_core::sheet::suggestions_sheet;
use xunfang_core::suggestions_board::{board, close, count_by_status, departments, forward, is_closed, start_handling, BoardFilter, BoardRow, FollowUpError};
use xunfang_core::{Activity, Id, Roster, Suggestion, SuggestionStatus};

/// A follow-up step applied to the stored suggestion.
type Step = Box<dyn FnOnce(&mut Suggestion) -> Result<(), FollowUpError>>;

/// What the board's rows need besides themselves.
#[derive(Clone, Copy)]
struct Board {
    open: RwSignal<Option<Id>>,
    reload: RwSignal<u32>,
    refused: RwSignal<Option<T>>,
    failed: RwSignal<Option<StoreError>>,
}

#[component]
pub fn SuggestionsPage() -> impl IntoView {
    let i18n = use_i18n();
    let b = Board { open: RwSignal::new(None), reload: RwSignal::new(0), refused: RwSignal::new(None), failed: RwSignal::new(None) };
    let data = read_on_sync(move || {
        b.reload.track();
        async { Db::app().await?.all_docs().await }
    });
    let status = RwSignal::new(String::new());
    let department = RwSignal::new(String::new());
    let who = RwSignal::new(String::new());
    let period = PeriodChoice::new("all");
    let xlsx_failed = RwSignal::new(None::<String>);
    let label = move |key: T| Signal::derive(move || i18n.t(key).to_string());
    let status_options =
        Signal::derive(move || SuggestionStatus::ALL.into_iter().map(|s| (s.key().to_string(), s.label(i18n.lang()).to_string())).collect::<Vec<_>>());
    let department_options = Signal::derive(move || {
        let docs = data.get().and_then(Result::ok).map(|(d, _)| d).unwrap_or_default();
        departments(&docs.records()).into_iter().map(|d| (d.clone(), d)).collect::<Vec<_>>()
    });

    let list = move |docs: AllDocs| {
        let filter = BoardFilter {
            status: SuggestionStatus::from_key(&status.get()),
            department: Some(department.get()).filter(|d| !d.is_empty()),
            period: period.period(),
            raised_by: who.get(),
        };
        let rows = board(&docs.records(), &filter, device::today());
        let counts = count_by_status(rows.iter().map(|r| &r.suggestion));
        let people = StoredValue::new(Roster::new(docs.people.clone()));
        let summary =
            counts.into_iter().map(|(s, n)| view! { <span class="count" data-status=s.key()>{move || s.label(i18n.lang())} " " {n}</span> }).collect_view();
        let any = !rows.is_empty();
        // The files hold exactly the rows the filter shows.
        let shown = StoredValue::new(rows.clone());
        let stem = format!("xunfang-suggestions-{}", device::today());
        let (csv_name, xlsx_name) = (format!("{stem}.csv"), format!("{stem}.xlsx"));
        let csv = move |_| {
            let _ = shown.with_value(|rows| files::download_csv(&csv_name, &suggestions_table(rows, &template(), i18n.lang()).to_csv()));
        };
        let excel = move |_| xlsx_failed.set(shown.with_value(|rows| xlsx::offer(&xlsx_name, &[suggestions_sheet(rows, &template(), i18n.lang())]).err()));
        let items = rows.into_iter().map(|row| view! { <BoardItem row=row b=b people=people/> }).collect_view();
        view! {
            <p class="status-counts" role="status">{summary}</p>
            <div class="row board-files">
                <button type="button" data-testid="board-csv" on:click=csv>{move || i18n.t(T::BoardCsv)}</button>
                <button type="button" data-testid="board-xlsx" on:click=excel>{move || i18n.t(T::BoardXlsx)}</button>
            </div>
            {move || xlsx_failed.get().map(|why| view! { <p class="error" role="alert">{move || i18n.t(T::XlsxFailed)} " " {why}</p> })}
            {if any {
                view! { <ul class="board">{items}</ul> }.into_any()
            } else {
                view! { <p class="empty">{move || i18n.t(T::BoardEmpty)}</p> }.into_any()
            }}
        }
    };

    view! {
        <section class="page">
            <A href="/office" attr:class="back">{move || i18n.t(T::BackToOffice)}</A>
            <div class="page-head">
                <h1>{move || i18n.t(T::BoardTitle)}</h1>
            </div>
            <div class="filters" role="search">
                <SelectField id="board-status".into() label=label(T::SuggestionStatus) options=status_options value=status on_change=move |v| status.set(v) placeholder=label(T::AllStatuses)/>
                <SelectField id="board-dept".into() label=label(T::Department) options=department_options value=department on_change=move |v| department.set(v) placeholder=label(T::AllDepartments)/>
                <TextField id="board-who".into() label=label(T::RaisedBy) value=who on_input=move |v| who.set(v)/>
                <PeriodPicker choice=period id="board-period" with_all=true/>
            </div>
            {move || b.refused.get().map(|t| view! { <p class="error" role="alert">{move || i18n.t(t)}</p> })}
            {move || b.failed.get().map(|e| view! { <StoreErrorNotice error=e/> })}
            <Loaded data=data content=move |(docs, _)| list(docs)/>
        </section>
    }
}

fn refusal(e: &FollowUpError) -> T {
    match e {
        FollowUpError::NotFrom { .. } => T::FollowUpNotFrom,
        FollowUpError::NoDepartment => T::FollowUpNoDepartment,
        FollowUpError::NoReply => T::FollowUpNoReply,
    }
}

/// One suggestion: what it says, where it came from, where it stands, and
/// (when opened) the next follow-up step.
#[component]
fn BoardItem(row: BoardRow, b: Board, people: StoredValue<Roster>) -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let s = row.suggestion.clone();
    let (aid, sid) = (row.activity_id.clone(), s.id.clone());
    let status = s.status;
    let is_open = {
        let sid = sid.clone();
        move || b.open.read().as_ref() == Some(&sid)
    };
    let toggle = {
        let sid = sid.clone();
        move |_| b.open.update(|o| *o = if o.as_ref() == Some(&sid) { None } else { Some(sid.clone()) })
    };

    // Applies a follow-up step to the stored suggestion.
    let step = {
        let (aid, sid) = (aid.clone(), sid.clone());
        move |change: Step| {
            let (aid, sid) = (aid.clone(), sid.clone());
            spawn_local(async move {
                let result = editing::update::<Activity, FollowUpError>(&aid, move |a| match a.suggestions.iter_mut().find(|s| s.id == sid) {
                    Some(s) => change(s),
                    None => Ok(()),
                })
                .await;
                match result {
                    Ok(Ok(_)) => {
                        b.refused.set(None);
                        b.failed.set(None);
                        b.reload.update(|n| *n += 1);
                    }
                    Ok(Err(e)) => b.refused.set(Some(refusal(&e))),
                    Err(e) => b.failed.set(Some(e)),
                }
            });
        }
    };

    // Promotes the suggestion to a proposal or an opinion report and opens it.
    let promote = {
        let (aid, sid, suggestion) = (aid.clone(), sid.clone(), s.clone());
        move |to_proposal: bool| {
            let (aid, sid, navigate) = (aid.clone(), sid.clone(), navigate.clone());
            let person = people.with_value(|r| r.raiser_of(&suggestion).map(|p| p.id.clone()));
            spawn_local(async move {
                let result: Result<Option<String>, StoreError> = async {
                    let Some(doc) = Db::app().await?.get::<Activity>(&aid).await? else { return Ok(None) };
                    let id = device::new_id();
                    if to_proposal {
                        let Some(p) = proposal_from_suggestion(&aid, &doc.body, &sid, person) else { return Ok(None) };
                        editing::create(id.clone(), p).await?;
                        Ok(Some(format!("/office/proposals/{id}")))
                    } else {
                        let Some(r) = opinion_report_from_suggestion(&aid, &doc.body, &sid, person) else { return Ok(None) };
                        editing::create(id.clone(), r).await?;
                        Ok(Some(format!("/office/opinions/{id}")))
                    }
                }
                .await;
                match result {
                    Ok(Some(path)) => navigate(&path, Default::default()),
                    Ok(None) => {}
                    Err(e) => b.failed.set(Some(e)),
                }
            });
        }
    };
    let (promote_p, promote_r) = (promote.clone(), promote);

    let date = row.activity_date.map(|d| d.to_string());
    let kind = row.activity_kind.clone();
    let title = row.activity_title.clone();
    let record_href = format!("/records/{}", row.activity_id);
    let proposals = row
        .proposals
        .iter()
        .enumerate()
        .map(|(i, id)| {
            view! { <A href=format!("/office/proposals/{id}")>{move || i18n.t(T::ProposalN)} " " {i + 1}</A> }
        })
        .collect_view();
    let reports = row
        .opinion_reports
        .iter()
        .enumerate()
        .map(|(i, id)| {
            view! { <A href=format!("/office/opinions/{id}")>{move || i18n.t(T::OpinionN)} " " {i + 1}</A> }
        })
        .collect_view();
    let content = if s.content.trim().is_empty() { None } else { Some(s.content.clone()) };

    view! {
        <li class="board-item" data-status=status.key()>
            <div class="board-main">
                <span class="status-badge">{move || status.label(i18n.lang())}</span>
                <p class="content">{match content {
                    Some(c) => c.into_any(),
                    None => view! { {move || i18n.t(T::Untitled)} }.into_any(),
                }}</p>
                <p class="meta">
                    <A href=record_href>{move || template().kind_label(&kind, i18n.english()).to_string()} " · " {title.clone()}</A>
                    {date.map(|d| format!(" · {d}"))}
                    {(!s.raised_by.is_empty()).then(|| view! { " · " {move || i18n.t(T::RaisedBy)} "：" {s.raised_by.clone()} })}
                    {(!s.department.is_empty()).then(|| view! { " · " {move || i18n.t(T::Department)} "：" {s.department.clone()} })}
                    {s.forwarded_on.map(|d| view! { " · " {move || i18n.t(T::ForwardedOn)} " " {d.to_string()} })}
                </p>
                {(!s.reply.is_empty()).then(|| view! {
                    <p class="reply">
                        {move || i18n.t(T::Reply)} "：" {s.reply.clone()}
                        {s.reply_date.map(|d| format!(" ({d})"))}
                        " · " {move || if s.told_raiser { i18n.t(T::RaiserTold) } else { i18n.t(T::RaiserNotTold) }}
                    </p>
                })}
                <p class="links">{proposals} " " {reports}</p>
            </div>
            <div class="board-actions">
                <button type="button" aria-expanded={let o = is_open.clone(); move || o().to_string()} on:click=toggle>{move || i18n.t(T::FollowUpAction)}</button>
                <button type="button" on:click=move |_| promote_p(true)>{move || i18n.t(T::PromoteProposal)}</button>
                <button type="button" on:click=move |_| promote_r(false)>{move || i18n.t(T::PromoteOpinion)}</button>
            </div>
            <Show when=is_open.clone()>
                <FollowUpForm id=sid.clone() suggestion=row.suggestion.clone() step=step.clone()/>
            </Show>
        </li>
    }
}

/// The next steps for one suggestion, as its status allows.
#[component]
fn FollowUpForm<F>(id: Id, suggestion: Suggestion, step: F) -> impl IntoView
where
    F: Fn(Step) + Clone + Send + Sync + 'static,
{
    let i18n = use_i18n();
    let status = suggestion.status;
    let label = move |key: T| Signal::derive(move || i18n.t(key).to_string());
    let today = device::today().to_string();
    let dept = RwSignal::new(suggestion.department.clone());
    let forwarded_on = RwSignal::new(today.clone());
    let reply = RwSignal::new(suggestion.reply.clone());
    let reply_date = RwSignal::new(today);
    let told = RwSignal::new(suggestion.told_raiser);
    let date_of = |v: String| v.parse().unwrap_or_else(|_| device::today());

    let (s1, s2, s3, s4) = (step.clone(), step.clone(), step.clone(), step);
    let do_forward = move |_| {
        let (d, on) = (dept.get_untracked(), date_of(forwarded_on.get_untracked()));
        s1(Box::new(move |s| forward(s, &d, on)))
    };
    let do_handle = move |_| s2(Box::new(start_handling));
    let closing = move |to: SuggestionStatus| {
        let (r, on, t) = (reply.get_untracked(), date_of(reply_date.get_untracked()), told.get_untracked());
        Box::new(move |s: &mut Suggestion| close(s, to, &r, on, t)) as Step
    };
    let do_resolve = move |_| s3(closing(SuggestionStatus::Resolved));
    let do_answer = move |_| s4(closing(SuggestionStatus::Answered));
    let can_resolve = matches!(status, SuggestionStatus::Forwarded | SuggestionStatus::InProgress);

    view! {
        <div class="follow-up">
            {(status == SuggestionStatus::Collected).then(|| view! {
                <fieldset>
                    <legend>{move || i18n.t(T::ForwardStep)}</legend>
                    <div class="row">
                        <TextField id=format!("fwd-{id}-dept") label=label(T::ForwardTo) value=dept on_input=move |v| dept.set(v)/>
                        <TextField id=format!("fwd-{id}-date") kind="date" label=label(T::ForwardedOn) value=forwarded_on on_input=move |v| forwarded_on.set(v)/>
                        <button type="button" class="primary" on:click=do_forward>{move || i18n.t(T::Forward)}</button>
                    </div>
                </fieldset>
            })}
            {(status == SuggestionStatus::Forwarded).then(|| view! {
                <p><button type="button" on:click=do_handle>{move || i18n.t(T::StartHandling)}</button></p>
            })}
            {(!is_closed(status)).then(|| view! {
                <fieldset>
                    <legend>{move || i18n.t(T::CloseStep)}</legend>
                    <TextArea id=format!("close-{id}-reply") label=label(T::Reply) value=reply on_input=move |v| reply.set(v) rows=3/>
                    <div class="row">
                        <TextField id=format!("close-{id}-date") kind="date" label=label(T::ReplyDate) value=reply_date on_input=move |v| reply_date.set(v)/>
                        <CheckField id=format!("close-{id}-told") label=label(T::TellRaiser) checked=told on_change=move |v| told.set(v)/>
                    </div>
                    <div class="row">
                        {can_resolve.then(|| view! { <button type="button" on:click=do_resolve>{move || i18n.t(T::MarkResolved)}</button> })}
                        <button type="button" class="primary" on:click=do_answer>{move || i18n.t(T::MarkAnswered)}</button>
                    </div>
                </fieldset>
            })}
            {is_closed(status).then(|| view! { <p>{move || i18n.t(T::FollowUpDone)}</p> })}
        </div>
    }
}
