//! The office's hub (办公室): links to the board, attendance, report,
//! summary, briefing, duty records, exports and devices, and the proposals and opinion reports on file.

use crate::components::loaded::Loaded;
use crate::device;
use crate::i18n::{use_i18n, T};
use crate::storage::Db;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use xunfang_core::records::AllDocs;

#[component]
pub fn OfficePage() -> impl IntoView {
    let i18n = use_i18n();
    let data = LocalResource::new(|| async { Db::app().await?.all_docs().await });
    let navigate = use_navigate();
    let nav2 = navigate.clone();
    let new_proposal = move |_| navigate(&format!("/office/proposals/{}", device::new_id()), Default::default());
    let new_opinion = move |_| nav2(&format!("/office/opinions/{}", device::new_id()), Default::default());
    let links = [
        ("/office/suggestions", T::BoardTitle, T::BoardIntro),
        ("/office/attendance", T::AttendanceTitle, T::AttendanceIntro),
        ("/office/visits", T::VisitsTitle, T::VisitsIntro),
        ("/office/report", T::ReportTitle, T::ReportIntro),
        ("/office/summary", T::SummaryTitle, T::SummaryIntro),
        ("/office/briefing", T::BriefingTitle, T::BriefingIntro),
        ("/office/duty", T::DutyTitle, T::DutyIntro),
        ("/office/exports", T::ExportsTitle, T::ExportsIntro),
        ("/office/devices", T::DevicesTitle, T::DevicesIntro),
        ("/office/template", T::TplTitle, T::TplIntro),
    ]
    .into_iter()
    .map(|(href, title, intro)| {
        view! {
            <li><A href=href><span class="title">{move || i18n.t(title)}</span><span class="meta">{move || i18n.t(intro)}</span></A></li>
        }
    })
    .collect_view();
    let untitled = move |t: &str| {
        if t.trim().is_empty() {
            i18n.t(T::Untitled).to_string()
        } else {
            t.to_string()
        }
    };
    let lists = move |(docs, _): (AllDocs, usize)| {
        let proposals = docs
            .proposals
            .iter()
            .filter(|d| !d.trashed)
            .map(|d| {
                let t = d.body.title.clone();
                view! { <li><A href=format!("/office/proposals/{}", d.id)>{move || untitled(&t)}</A> " · " {d.body.status.label(i18n.lang())}</li> }
            })
            .collect_view();
        let reports = docs
            .opinion_reports
            .iter()
            .filter(|d| !d.trashed)
            .map(|d| {
                let t = d.body.title.clone();
                view! { <li><A href=format!("/office/opinions/{}", d.id)>{move || untitled(&t)}</A></li> }
            })
            .collect_view();
        view! {
            <h2>{move || i18n.t(T::Proposals)}</h2>
            <ul class="doc-list">{proposals}</ul>
            <h2>{move || i18n.t(T::OpinionReports)}</h2>
            <ul class="doc-list">{reports}</ul>
        }
    };
    view! {
        <section class="page">
            <div class="page-head"><h1>{move || i18n.t(T::OfficeTitle)}</h1></div>
            <ul class="hub">{links}</ul>
            <Loaded data=data content=lists/>
            <div class="row">
                <button type="button" on:click=new_proposal>{move || i18n.t(T::NewProposal)}</button>
                <button type="button" on:click=new_opinion>{move || i18n.t(T::NewOpinion)}</button>
            </div>
        </section>
    }
}
