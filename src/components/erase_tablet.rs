//! "Sign out and erase this tablet" (settings): one confirmation when nothing is unsent,
//! two when changes are waiting; then `sync::sign_out_and_erase`, and the app restarts empty.

use crate::components::confirm::ConfirmDialog;
use crate::i18n::{use_i18n, T};
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn EraseTablet() -> impl IntoView {
    let i18n = use_i18n();
    let status = expect_context::<crate::sync::SyncStatus>();
    let (first, second, last) = (RwSignal::new(false), RwSignal::new(false), RwSignal::new(false));
    let failed = RwSignal::new(None::<String>);
    let erase = move || {
        spawn_local(async move {
            if let Err(e) = crate::sync::sign_out_and_erase().await {
                failed.set(Some(e.to_string()));
            }
        })
    };
    let start = move |_| {
        failed.set(None);
        spawn_local(async move {
            // Counted now, not from the header's last figure: photos waiting count too.
            let unsent = match crate::storage::Db::app().await {
                Ok(db) => db.holding().await.map(|h| h.unsent()).unwrap_or(1),
                Err(_) => 1,
            };
            if unsent > 0 {
                first.set(true);
            } else {
                last.set(true);
            }
        });
    };
    view! {
        <h2>{move || i18n.t(T::EraseTitle)}</h2>
        <p>{move || i18n.t(T::EraseHint)}</p>
        <Show when=move || { status.waiting.get() > 0 }>
            <p data-testid="erase-waiting">{move || status.waiting.get()} " " {move || i18n.t(T::EraseWaiting)}</p>
        </Show>
        <button type="button" class="danger" on:click=start data-testid="erase-tablet">{move || i18n.t(T::EraseButton)}</button>
        {move || failed.get().map(|e| view! { <p class="error" role="alert">{move || i18n.t(T::EraseFailed)} " " {e.clone()}</p> })}
        <ConfirmDialog open=first message=T::EraseUnsentFirst confirm=T::EraseGoOn on_confirm=move |_| second.set(true)/>
        <ConfirmDialog open=second message=T::EraseUnsentAgain confirm=T::EraseNow on_confirm=move |_| erase()/>
        <ConfirmDialog open=last message=T::EraseConfirm confirm=T::EraseNow on_confirm=move |_| erase()/>
    }
}
