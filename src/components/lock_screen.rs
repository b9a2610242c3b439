//! The lock screen: the passcode to unlock, the wait after wrong tries, the
//! warning before the erase. Needs no network and nothing from IndexedDB.

use crate::i18n::{use_i18n, T};
use crate::storage::crypto::{self, Unlock};
use leptos::prelude::*;
use leptos::task::spawn_local;
use xunfang_core::vault::{AfterFailure, SecretKind};

/// What the screen says under the input.
#[derive(Clone, Copy, PartialEq)]
enum Said {
    Nothing,
    Checking,
    Wrong,
    Erased,
    Failed,
}

#[component]
pub fn LockScreen(#[prop(into)] on_unlock: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let secret = RwSignal::new(String::new());
    let said = RwSignal::new(Said::Nothing);
    let error = RwSignal::new(String::new());
    let wait = RwSignal::new(crypto::wait_secs());
    let tries_left = RwSignal::new(crypto::warning_tries_left());
    // The wait counts down from what is stored, so a reload does not shorten it.
    let tick = set_interval_with_handle(move || wait.set(crypto::wait_secs()), std::time::Duration::from_secs(1)).ok();
    on_cleanup(move || {
        if let Some(t) = tick {
            t.clear();
        }
    });
    let pin = crypto::secret_kind() == Some(SecretKind::Pin);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if said.get_untracked() == Said::Checking || wait.get_untracked() > 0 {
            return;
        }
        said.set(Said::Checking);
        let tried = secret.get_untracked();
        spawn_local(async move {
            match crypto::unlock(&tried).await {
                Ok(Unlock::Open) => {
                    secret.set(String::new());
                    said.set(Said::Nothing);
                    on_unlock.run(());
                }
                Ok(Unlock::Wait(secs)) => {
                    wait.set(secs);
                    said.set(Said::Nothing);
                }
                Ok(Unlock::Wrong(after)) => {
                    secret.set(String::new());
                    said.set(Said::Wrong);
                    match after {
                        AfterFailure::Wait { seconds, tries_left: left, warn } => {
                            wait.set(seconds);
                            tries_left.set(warn.then_some(left));
                        }
                        // The page is reloading empty.
                        AfterFailure::Erase => said.set(Said::Erased),
                    }
                }
                Err(e) => {
                    error.set(e.to_string());
                    said.set(Said::Failed);
                }
            }
        });
    };
    view! {
        <section class="page lock-screen" data-testid="lock-screen">
            <h1>{move || i18n.t(T::LockTitle)}</h1>
            <form on:submit=submit>
                <div class="field">
                    <label for="unlock-passcode">{move || i18n.t(T::LockPrompt)}</label>
                    <input
                        id="unlock-passcode"
                        type="password"
                        autocomplete="off"
                        inputmode=if pin { "numeric" } else { "text" }
                        prop:value=move || secret.get()
                        on:input=move |ev| secret.set(event_target_value(&ev))
                    />
                </div>
                <button type="submit" class="primary" disabled=move || { said.get() == Said::Checking || wait.get() > 0 }>
                    {move || i18n.t(T::Unlock)}
                </button>
            </form>
            {move || {
                crate::setup_link::waiting()
                    .then(|| view! { <p class="notice" data-testid="lock-link-waiting">{move || i18n.t(T::LockLinkWaiting)}</p> })
            }}
            <div role="status" aria-live="polite" data-testid="lock-message">
                {move || match said.get() {
                    Said::Checking => i18n.t(T::LockChecking).to_string(),
                    Said::Wrong => i18n.t(T::LockWrong).to_string(),
                    Said::Erased => i18n.t(T::LockErased).to_string(),
                    Said::Failed => format!("{}{}", i18n.t(T::PasscodeFailed), error.get()),
                    Said::Nothing => String::new(),
                }}
                {move || (wait.get() > 0).then(|| view! { <p data-testid="lock-wait">{wait.get()} " " {i18n.t(T::LockWaitSecs)}</p> })}
            </div>
            {move || {
                tries_left
                    .get()
                    .map(|left| {
                        view! {
                            <p class="error" role="alert" data-testid="lock-warning">
                                {i18n.t(T::LockWarnBefore)}
                                {left}
                                {i18n.t(T::LockWarnAfter)}
                            </p>
                        }
                    })
            }}
        </section>
    }
}
