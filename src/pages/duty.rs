//! The duty records (履职档案): one printed page per member for a chosen
//! year (from core's `duty_record`), all members printed at once.

use crate::components::field::TextField;
use crate::components::loaded::{read_on_sync, Loaded};
use crate::device;
use crate::files;
use crate::i18n::{use_i18n, T};
use crate::settings::{rule_settings, template};
use crate::storage::Db;
use chrono::Datelike;
use leptos::prelude::*;
use leptos_router::components::A;
use xunfang_core::duty_record::{duty_records, Dated, DutyRecord};
use xunfang_core::records::AllDocs;

#[component]
pub fn DutyPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = read_on_sync(|| async { Db::app().await?.all_docs().await });
    let this_year = device::today().year();
    let year = RwSignal::new(this_year.to_string());
    // A year being typed ("20") or out of range shows this year's records.
    let chosen = move || year.get().trim().parse::<i32>().ok().filter(|y| (1900..=2999).contains(y)).unwrap_or(this_year);
    let pages = move |docs: AllDocs| {
        let t = template();
        let all = duty_records(&docs.records(), chosen(), &t, &rule_settings(), &t.scheme, i18n.lang());
        let any = !all.is_empty();
        let y = chosen();
        view! {
            <p class="no-print" role="status" data-testid="duty-count">{move || i18n.t(T::DutyCount)} " " {all.len()}</p>
            {(!any).then(|| view! { <p class="empty">{move || i18n.t(T::DutyEmpty)}</p> })}
            <div class="printable duty-records">{all.into_iter().map(|r| view! { <DutySheet r=r year=y/> }).collect_view()}</div>
        }
    };
    view! {
        <section class="page">
            <A href="/office" attr:class="back no-print">{move || i18n.t(T::BackToOffice)}</A>
            <div class="page-head no-print"><h1>{move || i18n.t(T::DutyTitle)}</h1></div>
            <div class="filters no-print">
                <TextField id="duty-year".into() kind="number" label=Signal::derive(move || i18n.t(T::DutyYear).to_string()) value=year on_input=move |v| year.set(v)/>
                <button type="button" class="primary" on:click=|_| files::print()>{move || i18n.t(T::DutyPrintAll)}</button>
            </div>
            <Loaded data=data content=move |(docs, _)| pages(docs)/>
        </section>
    }
}

/// A dated list (excused, absent, suggestions) as a table with its header,
/// or a line saying there is none.
fn dated_table(caption: T, rows: Vec<Dated>, what: T, note: T) -> impl IntoView {
    let i18n = use_i18n();
    if rows.is_empty() {
        return view! { <p class="duty-none">{move || i18n.t(caption)} {move || i18n.t(T::Colon)} {move || i18n.t(T::DutyNone)}</p> }.into_any();
    }
    let body = rows.into_iter().map(|d| view! { <tr><td class="date">{d.date.to_string()}</td><td>{d.what}</td><td>{d.note}</td></tr> }).collect_view();
    view! {
        <table class="duty-table">
            <caption>{move || i18n.t(caption)}</caption>
            <thead><tr>
                <th scope="col">{move || i18n.t(T::DutyDate)}</th>
                <th scope="col">{move || i18n.t(what)}</th>
                <th scope="col">{move || i18n.t(note)}</th>
            </tr></thead>
            <tbody>{body}</tbody>
        </table>
    }
    .into_any()
}

/// One member's page.
#[component]
fn DutySheet(r: DutyRecord, year: i32) -> impl IntoView {
    let i18n = use_i18n();
    let kinds = r.attended_by_kind.into_iter().map(|(k, n)| view! { <tr><th scope="row">{k}</th><td>{n}</td></tr> }).collect_view();
    let passed = r.passed;
    view! {
        <article class="duty-page" data-person=r.person.to_string()>
            <h2>{r.name} " · " {move || i18n.t(T::DutyTitle)} " " {year}</h2>
            <p class="meta">{r.role}</p>
            <dl class="duty-figures">
                <div><dt>{move || i18n.t(T::DutyAttended)}</dt><dd data-figure="attended">{r.attended}</dd></div>
                <div><dt>{move || i18n.t(T::Score)}</dt><dd data-figure="score">{r.score}</dd></div>
                <div><dt>{move || i18n.t(T::Passed)}</dt><dd data-figure="passed">{move || i18n.t(if passed { T::DutyYes } else { T::DutyNo })}</dd></div>
            </dl>
            <table class="duty-table by-kind">
                <caption>{move || i18n.t(T::DutyByKind)}</caption>
                <tbody>{kinds}</tbody>
            </table>
            {dated_table(T::DutyExcused, r.excused, T::DutyActivity, T::Reason)}
            {dated_table(T::DutyAbsent, r.absent, T::DutyActivity, T::DutyNote)}
            {dated_table(T::DutySuggestions, r.suggestions, T::DutySuggestion, T::DutyOutcome)}
        </article>
    }
}
