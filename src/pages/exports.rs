//! Exports and backup (导出与备份): CSV and Excel files for spreadsheets
//! (records, suggestions, roster), a full JSON backup, and importing a backup, which
//! merges by id so importing the same file twice changes nothing.

use crate::components::store_error::StoreErrorNotice;
use crate::device;
use crate::exports::xlsx;
use crate::files;
use crate::i18n::{use_i18n, T};
use crate::settings::template;
use crate::storage::{Db, StoreError};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use wasm_bindgen::JsCast;
use xunfang_core::backup::{Backup, BackupError, ImportCounts};
use xunfang_core::csv::{activities_table, people_table, suggestions_table};
use xunfang_core::records::AllDocs;
use xunfang_core::sheet::{activities_sheet, people_sheet, suggestions_sheet};
use xunfang_core::suggestions_board::{board, BoardFilter};
use xunfang_core::Lang;

#[derive(Clone, Copy, PartialEq)]
enum Export {
    Records,
    Suggestions,
    People,
    Backup,
}

fn file_for(what: Export, docs: &AllDocs, lang: Lang) -> (String, String, &'static str) {
    let today = device::today();
    let r = docs.records();
    let t = &*template();
    match what {
        Export::Records => (format!("xunfang-records-{today}.csv"), activities_table(&r, t, lang).to_csv(), "text/csv;charset=utf-8"),
        Export::Suggestions => {
            let rows = board(&r, &BoardFilter::default(), today);
            (format!("xunfang-suggestions-{today}.csv"), suggestions_table(&rows, t, lang).to_csv(), "text/csv;charset=utf-8")
        }
        Export::People => (format!("xunfang-people-{today}.csv"), people_table(&r, t, lang).to_csv(), "text/csv;charset=utf-8"),
        Export::Backup => {
            let json = Backup::new(docs, js_sys::Date::now() as u64).to_json();
            (format!("xunfang-backup-{today}.json"), json, "application/json;charset=utf-8")
        }
    }
}

/// The roster, records or all suggestions as an Excel workbook.
fn offer_xlsx(what: Export, docs: &AllDocs, lang: Lang) -> Result<(), String> {
    let today = device::today();
    let r = docs.records();
    let t = &*template();
    let (stem, sheet) = match what {
        Export::Records => ("records", activities_sheet(&r, t, lang)),
        Export::Suggestions => ("suggestions", suggestions_sheet(&board(&r, &BoardFilter::default(), today), t, lang)),
        Export::People | Export::Backup => ("people", people_sheet(&r, t, lang)),
    };
    xlsx::offer(&format!("xunfang-{stem}-{today}.xlsx"), &[sheet])
}

/// What the last import did, or why it could not.
#[derive(Clone)]
enum Imported {
    Done(ImportCounts),
    Refused(BackupError),
    Failed(StoreError),
}

#[component]
pub fn ExportsPage() -> impl IntoView {
    let i18n = use_i18n();
    let failed = RwSignal::new(None::<StoreError>);
    let imported = RwSignal::new(None::<Imported>);
    let busy = RwSignal::new(false);
    let xlsx_failed = RwSignal::new(None::<String>);
    let export = move |what: Export, excel: bool| {
        let lang = i18n.lang();
        spawn_local(async move {
            match async { Db::app().await?.all_docs().await }.await {
                Ok((docs, _)) if excel => xlsx_failed.set(offer_xlsx(what, &docs, lang).err()),
                Ok((docs, _)) => {
                    let (name, text, mime) = file_for(what, &docs, lang);
                    let _ = files::download(&name, mime, &text);
                }
                Err(e) => failed.set(Some(e)),
            }
        });
    };
    let button = move |what: Export, label: T| view! { <button type="button" on:click=move |_| export(what, false)>{move || i18n.t(label)}</button> };
    let excel = move |what: Export, label: T| view! { <button type="button" on:click=move |_| export(what, true)>{move || i18n.t(label)}</button> };
    let on_file = move |ev: leptos::ev::Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
        busy.set(true);
        spawn_local(async move {
            let result = match files::read_picked(&input).await {
                Ok(Some(text)) => match Backup::from_json(&text) {
                    Ok(backup) => match async { Db::app().await?.import_backup(&backup).await }.await {
                        Ok(Ok(counts)) => Imported::Done(counts),
                        Ok(Err(e)) => Imported::Refused(e),
                        Err(e) => Imported::Failed(e),
                    },
                    Err(e) => Imported::Refused(e),
                },
                Ok(None) => {
                    busy.set(false);
                    return;
                }
                Err(e) => Imported::Refused(BackupError::Malformed(format!("{e:?}"))),
            };
            // The same file can be picked again.
            input.set_value("");
            busy.set(false);
            imported.set(Some(result));
        });
    };
    let outcome = move || {
        imported.get().map(|r| match r {
            Imported::Done(c) => view! {
                <p class="notice import-result" role="status">
                    {move || i18n.t(T::ImportDone)} " "
                    {move || i18n.t(T::ImportAdded)} " " <span data-count="added">{c.added}</span> " · "
                    {move || i18n.t(T::ImportUpdated)} " " <span data-count="updated">{c.updated}</span> " · "
                    {move || i18n.t(T::ImportUnchanged)} " " <span data-count="unchanged">{c.unchanged}</span>
                </p>
            }
            .into_any(),
            Imported::Refused(e) => {
                let why = match &e {
                    BackupError::Malformed(_) => T::ImportMalformed,
                    BackupError::TooNew(_) => T::ImportTooNew,
                    BackupError::Merge(_) => T::ImportMergeFailed,
                };
                view! { <p class="error" role="alert">{move || i18n.t(why)} <br/><span class="detail">{e.to_string()}</span></p> }.into_any()
            }
            Imported::Failed(e) => view! { <StoreErrorNotice error=e/> }.into_any(),
        })
    };
    view! {
        <section class="page">
            <A href="/office" attr:class="back">{move || i18n.t(T::BackToOffice)}</A>
            <div class="page-head"><h1>{move || i18n.t(T::ExportsTitle)}</h1></div>
            {move || failed.get().map(|e| view! { <StoreErrorNotice error=e/> })}
            <h2>{move || i18n.t(T::CsvTitle)}</h2>
            <p>{move || i18n.t(T::CsvIntro)}</p>
            <div class="row">
                {button(Export::Records, T::CsvRecords)}
                {button(Export::Suggestions, T::CsvSuggestions)}
                {button(Export::People, T::CsvPeople)}
                <A href="/office/report" attr:class="button">{move || i18n.t(T::CsvSheetOnReport)}</A>
            </div>
            <h2>{move || i18n.t(T::XlsxTitle)}</h2>
            <p>{move || i18n.t(T::XlsxIntro)}</p>
            {move || xlsx_failed.get().map(|why| view! { <p class="error" role="alert">{move || i18n.t(T::XlsxFailed)} " " {why}</p> })}
            <div class="row">
                {excel(Export::Records, T::XlsxRecords)}
                {excel(Export::Suggestions, T::XlsxSuggestions)}
                {excel(Export::People, T::XlsxPeople)}
            </div>
            <h2>{move || i18n.t(T::BackupTitle)}</h2>
            <p>{move || i18n.t(T::BackupIntro)}</p>
            <div class="row">{button(Export::Backup, T::DownloadBackup)}</div>
            <div class="field">
                <label for="import-file">{move || i18n.t(T::ImportBackup)}</label>
                <input id="import-file" type="file" accept=".json,application/json" disabled=move || busy.get() on:change=on_file/>
            </div>
            {outcome}
        </section>
    }
}
