//! The period report (期间统计): for a month, quarter, year or custom range,
//! activities by kind, person-times (人次), people, suggestions by status,
//! proposals and opinion reports; a chart by month and kind; and the
//! per-person sheet, downloadable as CSV or Excel (with the whole report) and
//! printable.

use crate::components::bar_chart::BarChart;
use crate::components::loaded::Loaded;
use crate::components::period_picker::{PeriodChoice, PeriodPicker};
use crate::exports::xlsx;
use crate::files;
use crate::i18n::{use_i18n, T};
use crate::settings::{rule_settings, template};
use crate::storage::Db;
use leptos::prelude::*;
use leptos_router::components::A;
use xunfang_core::csv::sheet_table;
use xunfang_core::custom::{figures, Figure as CustomFigure};
use xunfang_core::records::{AllDocs, DateRange};
use xunfang_core::report::{period_report, PeriodReport};
use xunfang_core::sheet::{person_sheet, report_sheets};
use xunfang_core::Attendance;

#[component]
pub fn ReportPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = LocalResource::new(|| async { Db::app().await?.all_docs().await });
    let period = PeriodChoice::new("year");
    let show = move |docs: AllDocs, range: DateRange| {
        let report = period_report(&docs.records(), range, &template(), &rule_settings(), &template().scheme);
        let figures = figures(&docs.records().activities_in(range), &template());
        view! { <ReportView report=report figures=figures/> }
    };
    view! {
        <section class="page">
            <A href="/office" attr:class="back no-print">{move || i18n.t(T::BackToOffice)}</A>
            <div class="page-head">
                <h1>{move || i18n.t(T::ReportTitle)}</h1>
                <button type="button" class="no-print" on:click=|_| files::print()>{move || i18n.t(T::Print)}</button>
            </div>
            <div class="filters no-print"><PeriodPicker choice=period id="report-period"/></div>
            <Loaded data=data content=move |(docs, _)| match period.range() {
                Some(range) => show(docs, range).into_any(),
                None => view! { <p class="notice">{move || i18n.t(T::ChooseRange)}</p> }.into_any(),
            }/>
        </section>
    }
}

#[component]
fn Figure(name: T, value: u32, key: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    view! { <div class="figure" data-figure=key><dt>{move || i18n.t(name)}</dt><dd>{value}</dd></div> }
}

#[component]
fn ReportView(report: PeriodReport, figures: Vec<CustomFigure>) -> impl IntoView {
    let i18n = use_i18n();
    let lang = i18n.lang();
    let en = lang.is_english();
    let r = &report;
    let kind = move |k: &str| template().kind_label(k, en).to_string();
    let by_kind = r.kinds.iter().zip(&r.by_kind).map(|(k, n)| view! { <tr><th scope="row">{kind(k)}</th><td>{*n}</td></tr> }).collect_view();
    let by_status = r
        .suggestions_by_status
        .iter()
        .map(|(s, n)| {
            let s = *s;
            view! { <tr data-status=s.key()><th scope="row">{move || s.label(i18n.lang())}</th><td>{*n}</td></tr> }
        })
        .collect_view();
    let kind_heads = r.kinds.iter().map(|k| view! { <th scope="col">{kind(k)}</th> }).collect_view();
    let sheet = r
        .sheet
        .iter()
        .map(|row| {
            view! {
                <tr>
                    <th scope="row">{row.name.clone()}</th>
                    {row.attended_by_kind.iter().map(|n| view! { <td>{*n}</td> }).collect_view()}
                    <td>{row.count.invited}</td>
                    <td>{row.count.absent}</td>
                    <td>{row.flag.map(|f| f.label(lang))}</td>
                    <td>{row.score}</td>
                </tr>
            }
        })
        .collect_view();
    // The team's own figures: number fields summed, choices counted.
    let custom = (!figures.is_empty()).then(|| {
        let lines = figures.iter().map(|f| view! { <li data-field=f.field.clone()>{f.describe(&template(), lang)}</li> }).collect_view();
        view! {
            <h2>{move || i18n.t(T::CustomFigures)}</h2>
            <ul class="custom-figures" data-testid="custom-figures">{lines}</ul>
        }
    });
    let csv = StoredValue::new(sheet_table(&report, &template(), lang).to_csv());
    let stem = format!("{}-{}", r.range.from, r.range.to);
    let file = format!("xunfang-sheet-{stem}.csv");
    let download = move |_| {
        let _ = files::download_csv(&file, &csv.get_value());
    };
    let xlsx_failed = RwSignal::new(None::<String>);
    let for_files = StoredValue::new(report.clone());
    let (sheet_name, report_name) = (format!("xunfang-sheet-{stem}.xlsx"), format!("xunfang-report-{stem}.xlsx"));
    let sheet_xlsx = move |_| xlsx_failed.set(for_files.with_value(|r| xlsx::offer(&sheet_name, &[person_sheet(r, &template(), lang)]).err()));
    let report_xlsx = move |_| xlsx_failed.set(for_files.with_value(|r| xlsx::offer(&report_name, &report_sheets(r, &template(), lang)).err()));
    view! {
        <div class="printable report">
            <p class="range">{r.range.from.to_string()} " – " {r.range.to.to_string()}</p>
            <dl class="figures">
                <Figure name=T::FigActivities value=r.activities key="activities"/>
                <Figure name=T::FigPersonTimes value=r.person_times key="person_times"/>
                <Figure name=T::FigPeopleAttended value=r.people_attended key="people_attended"/>
                <Figure name=T::FigPeopleInvited value=r.people_invited key="people_invited"/>
                <Figure name=T::FigSuggestions value=r.suggestions key="suggestions"/>
                <Figure name=T::FigForwarded value=r.suggestions_forwarded key="forwarded"/>
                <Figure name=T::FigClosed value=r.suggestions_closed key="closed"/>
                <Figure name=T::FigRaiserTold value=r.suggestions_raiser_told key="raiser_told"/>
                <Figure name=T::Proposals value=r.proposals key="proposals"/>
                <Figure name=T::OpinionReports value=r.opinion_reports key="opinion_reports"/>
            </dl>
            {(r.undated_activities > 0).then(|| view! { <p class="notice">{move || i18n.t(T::UndatedNotCounted)} " " {report.undated_activities}</p> })}
            {custom}
            <div class="report-tables">
                <table class="by-kind">
                    <caption>{move || i18n.t(T::ActivitiesByKind)}</caption>
                    <tbody>{by_kind}</tbody>
                </table>
                <table class="by-status">
                    <caption>{move || i18n.t(T::SuggestionsByStatus)}</caption>
                    <tbody>{by_status}</tbody>
                </table>
            </div>
            <BarChart rows=r.by_month.clone() kinds=r.kinds.clone()/>
            <h2>{move || i18n.t(T::PersonSheet)}</h2>
            <div class="table-wrap">
                <table class="sheet">
                    <thead><tr>
                        <th scope="col">{move || i18n.t(T::Name)}</th>
                        {kind_heads}
                        <th scope="col">{move || i18n.t(T::Invited)}</th>
                        <th scope="col">{move || Attendance::Absent.label(i18n.lang())}</th>
                        <th scope="col">{move || i18n.t(T::AttendanceFlag)}</th>
                        <th scope="col">{move || i18n.t(T::Score)}</th>
                    </tr></thead>
                    <tbody>{sheet}</tbody>
                </table>
            </div>
        </div>
        <p class="no-print row">
            <button type="button" on:click=download>{move || i18n.t(T::DownloadSheet)}</button>
            <button type="button" data-testid="sheet-xlsx" on:click=sheet_xlsx>{move || i18n.t(T::XlsxSheet)}</button>
            <button type="button" data-testid="report-xlsx" on:click=report_xlsx>{move || i18n.t(T::XlsxReport)}</button>
        </p>
        {move || xlsx_failed.get().map(|why| view! { <p class="error no-print" role="alert">{move || i18n.t(T::XlsxFailed)} " " {why}</p> })}
    }
}
