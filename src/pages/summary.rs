//! The drafted summary (工作总结草稿): one click writes the period's summary
//! from the records (Chinese, or English with an English UI), lists plainly
//! what the records do not say, and leaves the text to edit, copy or print.

use crate::components::field::TextArea;
use crate::components::period_picker::{PeriodChoice, PeriodPicker};
use crate::components::store_error::StoreErrorNotice;
use crate::files;
use crate::i18n::{use_i18n, T};
use crate::settings::{rule_settings, template};
use crate::storage::{Db, StoreError};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use xunfang_core::summary::draft_summary;

#[component]
pub fn SummaryPage() -> impl IntoView {
    let i18n = use_i18n();
    let period = PeriodChoice::new("year");
    let text = RwSignal::new(String::new());
    let missing = RwSignal::new(Vec::<String>::new());
    let drafted = RwSignal::new(false);
    let failed = RwSignal::new(None::<StoreError>);
    let copied = RwSignal::new(None::<T>);
    let draft = move |_| {
        let Some(range) = period.range() else { return };
        let lang = i18n.lang();
        spawn_local(async move {
            match async { Db::app().await?.all_docs().await }.await {
                Ok((docs, _)) => {
                    let d = draft_summary(&docs.records(), range, &template(), &rule_settings(), lang);
                    missing.set(d.missing.iter().map(|m| m.describe(lang, &template())).collect());
                    text.set(d.text);
                    drafted.set(true);
                    copied.set(None);
                }
                Err(e) => failed.set(Some(e)),
            }
        });
    };
    let copy = move |_| {
        spawn_local(async move {
            copied.set(Some(if files::copy(&text.get_untracked()).await { T::Copied } else { T::CopyFailed }));
        })
    };
    view! {
        <section class="page">
            <A href="/office" attr:class="back no-print">{move || i18n.t(T::BackToOffice)}</A>
            <div class="page-head no-print"><h1>{move || i18n.t(T::SummaryTitle)}</h1></div>
            <div class="filters no-print">
                <PeriodPicker choice=period id="summary-period"/>
                <button type="button" class="primary" disabled=move || period.range().is_none() on:click=draft>{move || i18n.t(T::DraftSummary)}</button>
            </div>
            {move || failed.get().map(|e| view! { <StoreErrorNotice error=e/> })}
            <Show when=move || drafted.get()>
                <Show when=move || !missing.read().is_empty()>
                    <div class="problems no-print" role="status">
                        <p>{move || i18n.t(T::MissingIntro)}</p>
                        <ul class="missing">{move || missing.get().into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}</ul>
                    </div>
                </Show>
                <div class="no-print">
                    <TextArea id="summary-text".into() label=Signal::derive(move || i18n.t(T::SummaryText).to_string()) value=text on_input=move |v| text.set(v) rows=24/>
                    <div class="row">
                        <button type="button" on:click=copy>{move || i18n.t(T::Copy)}</button>
                        <button type="button" on:click=|_| files::print()>{move || i18n.t(T::Print)}</button>
                        <span role="status">{move || copied.get().map(|t| i18n.t(t))}</span>
                    </div>
                </div>
                <div class="printable print-only summary-print">{move || text.get()}</div>
            </Show>
        </section>
    }
}
