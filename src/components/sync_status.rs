//! The header's sync line: changes waiting, last successful sync, how many
//! documents the server refused and why, the last error in plain words, and
//! "Sync now".

use crate::i18n::{use_i18n, I18n, T};
use crate::settings;
use crate::sync::{self, SyncStatus};
use leptos::prelude::*;
use xunfang_core::clock::ClockProblem;
use xunfang_core::sync::PushError;
use xunfang_core::sync_client::{BadAnswer, SyncError};

/// A sync error in the UI's language, with the server's own words when it
/// gave some and the minutes to the next automatic try.
pub fn describe(i18n: I18n, e: &SyncError, retry_at: Option<f64>) -> String {
    let (key, detail) = match e {
        SyncError::Offline(_) => (T::SyncErrOffline, String::new()),
        SyncError::Unauthorized(m) => (T::SyncErrToken, m.clone()),
        SyncError::Server { status, message } => (T::SyncErrServer, format!("{status} {message}")),
        SyncError::RateLimited { message, .. } => (T::SyncErrBusy, message.clone()),
        SyncError::Refused { status, message } => (T::SyncErrRefused, format!("{status} {message}")),
        SyncError::BadResponse(m) => (T::SyncErrBadResponse, m.clone()),
        SyncError::Store(m) => (T::SyncErrStore, m.clone()),
        SyncError::Untrusted(why) => (untrusted(why), String::new()),
        SyncError::Interrupted => (T::SyncErrInterrupted, String::new()),
        SyncError::Withdrawn => (T::SyncErrWithdrawn, String::new()),
        SyncError::SetupCode(reason) => (setup_refusal(reason), String::new()),
    };
    let mut text = i18n.t(key).to_string();
    if !detail.trim().is_empty() {
        text.push_str(&format!(" ({})", detail.trim()));
    }
    if let Some(at) = retry_at {
        let minutes = ((at - js_sys::Date::now()) / 60_000.0).ceil().max(1.0) as u32;
        text.push_str(&format!("; {minutes} {}", i18n.t(T::SyncRetryIn)));
    }
    text
}

/// Why the server would not take a set-up code (its `reason`).
pub fn setup_refusal(reason: &str) -> T {
    match reason {
        "setup_used" => T::SetupUsed,
        "setup_expired" => T::SetupExpired,
        _ => T::SetupUnknown,
    }
}

/// Why a document the server sent was not taken (`Progress::refused`), in
/// the UI's language: what is wrong and who can fix it.
pub fn describe_refusal(i18n: I18n, why: &PushError) -> String {
    match why {
        PushError::Clock { device, problem: problem @ ClockProblem::Ahead { .. } } => format!(
            "{} {device} {} {} {}",
            i18n.t(T::SyncRefusedClockOf),
            i18n.t(T::SyncRefusedClockAhead),
            problem.hours_ahead(),
            i18n.t(T::SyncRefusedClockHours)
        ),
        PushError::Clock { device, .. } => format!("{} {device}", i18n.t(T::SyncRefusedForged)),
        PushError::NotCanonical(_) | PushError::BadId(_) => i18n.t(T::SyncRefusedId).to_string(),
        _ => i18n.t(T::SyncRefusedUnreadable).to_string(),
    }
}

/// What the tablet did with an answer it refused, in the UI's words.
fn untrusted(why: &BadAnswer) -> T {
    match why {
        BadAnswer::CursorStuck { .. } => T::SyncErrCursorStuck,
        BadAnswer::CursorBackwards { .. } => T::SyncErrCursorBack,
        BadAnswer::TooManyDocs { .. } => T::SyncErrTooManyDocs,
        BadAnswer::TooLarge { .. } => T::SyncErrTooLarge,
        BadAnswer::NotModifiedUnasked => T::SyncErrNotModifiedUnasked,
        BadAnswer::EndlessPages { .. } => T::SyncErrEndlessPages,
    }
}

fn clock(ms: f64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    format!("{:02}:{:02}", d.get_hours(), d.get_minutes())
}

#[component]
pub fn SyncStatusLine() -> impl IntoView {
    let i18n = use_i18n();
    let status = expect_context::<SyncStatus>();
    let configured = move || {
        status.running.track();
        settings::sync_config().is_set()
    };
    view! {
        <Show when=configured>
            <div
                class="sync-line"
                role="status"
                aria-live="polite"
                data-testid="sync-status"
                data-running=move || status.running.get().to_string()
                data-last-ok=move || status.last_ok.get().map(|t| t.to_string()).unwrap_or_default()
            >
                {move || {
                    if status.running.get() {
                        // A long first sync: "n of about m" so people know to wait.
                        return match status.progress.get() {
                            Some(p) if p.expected > p.pulled => format!(
                                "{} {} {} / {} {}",
                                i18n.t(T::SyncRunning),
                                i18n.t(T::SyncReceived),
                                p.pulled,
                                i18n.t(T::SyncAbout),
                                p.expected
                            ),
                            _ => i18n.t(T::SyncRunning).to_string(),
                        };
                    }
                    let waiting = status.waiting.get();
                    let mut parts = vec![if waiting == 0 {
                        i18n.t(T::SyncAllSent).to_string()
                    } else {
                        format!("{waiting} {}", i18n.t(T::SyncWaiting))
                    }];
                    parts.push(match status.last_ok.get() {
                        Some(t) => format!("{} {}", i18n.t(T::SyncLast), clock(t)),
                        None => i18n.t(T::SyncNever).to_string(),
                    });
                    let refused = status.progress.get().map_or(0, |p| p.refused.len());
                    if refused > 0 {
                        parts.push(format!("{refused} {}", i18n.t(T::SyncRefusedShort)));
                    }
                    // Refused documents wait in the outbox: say how many, and why.
                    if let Some((_, why)) = status.progress.with(|p| p.as_ref().and_then(|p| p.rejected.first().cloned())) {
                        let n = status.progress.with(|p| p.as_ref().map_or(0, |p| p.rejected.len()));
                        parts.push(format!("{n} {} {why}", i18n.t(T::SyncRejected)));
                    }
                    parts.join(" · ")
                }}
                {move || status.last_error.get().map(|e| view! { <span class="sync-error">{describe(i18n, &e, status.retry_at.get())}</span> })}
                <button type="button" class="small" on:click=move |_| sync::run_now() disabled=move || status.running.get()>
                    {move || i18n.t(T::SyncNow)}
                </button>
            </div>
        </Show>
    }
}
