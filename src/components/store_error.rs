//! A storage failure, said in the UI's language: what happened and what to
//! do, with the browser's own words folded away under "technical details".
//!
//! The wording lives here, next to the notice, rather than in `i18n.rs`, so
//! the text table does not depend on the storage layer.

use crate::i18n::{use_i18n, Lang};
use crate::storage::{StoreError, StoreErrorKind};
use leptos::prelude::*;

/// What happened and what to do, for each kind of storage failure.
pub fn message(kind: StoreErrorKind, lang: Lang) -> &'static str {
    use StoreErrorKind::*;
    match (kind, lang) {
        (Quota, Lang::Zh) => "本机存储空间已满，刚才的修改没有保存。文字仍在屏幕上，请不要关闭页面：先清理浏览器存储或删除不需要的数据，再继续编辑即可重试保存。",
        (Quota, Lang::En) => "This device's storage is full, so your last change was not saved. The text is still on screen; don't close the page. Free some browser storage, then keep editing to retry.",
        (Unavailable, Lang::Zh) => "无法打开本机数据库（可能是无痕模式，浏览器禁止了存储，或另一个窗口正在更新本应用）。请关闭本应用的其他窗口，用普通窗口重新打开本应用。",
        (Unavailable, Lang::En) => "The local database cannot be opened (private browsing, storage blocked by the browser, or another tab is updating the app). Close the app's other tabs and open it again in a normal window.",
        (Unreadable, Lang::Zh) => "有一份数据无法读取（可能由更新版本的应用写入或已损坏），已原样保留，没有改动。请更新应用；如果仍然如此，请下载完整备份交给办公室。",
        (Unreadable, Lang::En) => "A stored item could not be read (written by a newer app version, or damaged); it was kept as it is, unchanged. Update the app; if this goes on, download a full backup and give it to the office.",
        (ReadFailed, Lang::Zh) => "暂时无法读取本机数据，没有任何改动。请重新加载页面；如果一直如此，请重启浏览器。",
        (ReadFailed, Lang::En) => "This device's data could not be read just now; nothing was changed. Reload the page; if this goes on, restart the browser.",
        (Failed, Lang::Zh) => "保存失败，修改仍在屏幕上，继续编辑时会自动重试。如果一直失败，请不要关闭页面，先把文字复制到别处。",
        (Failed, Lang::En) => "Saving failed. Your change is still on screen and is retried as you keep editing. If it keeps failing, don't close the page: copy your text somewhere first.",
    }
}

/// An autosave refused because the stored copy could not be merged with
/// the draft (`SaveState::NotMerged`): what happened and what to do.
pub fn not_merged_message(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "本机保存的版本无法与您的修改合并（可能由更新版本的应用写入或已损坏），所以这次没有保存。两份都原样保留，您的文字仍在屏幕上。请先把文字复制到别处，再更新应用或重新打开本页后重试。",
        Lang::En => "The copy stored on this device could not be combined with your change (written by a newer app version, or damaged), so this change was not saved. Both are kept as they are and your text is still on screen. Copy your text somewhere first, then update the app or reopen this page and try again.",
    }
}

/// The disclosure's summary and the words before the browser's report.
fn details_texts(lang: Lang) -> (&'static str, &'static str) {
    match lang {
        Lang::Zh => ("技术详情", "浏览器报告："),
        Lang::En => ("Technical details", "The browser said: "),
    }
}

#[component]
pub fn StoreErrorNotice(error: StoreError) -> impl IntoView {
    let i18n = use_i18n();
    let kind = error.kind;
    let detail = error.detail;
    view! {
        <div class="error" role="alert">
            <p>{move || message(kind, i18n.lang.get())}</p>
            <details class="detail">
                <summary>{move || details_texts(i18n.lang.get()).0}</summary>
                <p>{move || details_texts(i18n.lang.get()).1} <code>{detail.clone()}</code></p>
            </details>
        </div>
    }
}
