//! Settings for the passcode lock: set, change or remove the passcode, and
//! the office's lock policy (idle minutes, wrong tries before the erase, sync while locked).

use crate::components::confirm::ConfirmDialog;
use crate::components::field::{CheckField, SelectField, TextField};
use crate::i18n::{use_i18n, T};
use crate::storage::crypto;
use leptos::prelude::*;
use leptos::task::spawn_local;
use xunfang_core::vault::{check_new_secret, LockPolicy, PasscodeProblem, SecretKind};

/// What the last action came to.
#[derive(Clone, PartialEq)]
enum Outcome {
    Idle,
    Working,
    Saved,
    Problem(T),
    Failed(String),
}

fn problem_text(p: PasscodeProblem) -> T {
    match p {
        PasscodeProblem::PinNotSixDigits => T::PasscodePinNotSix,
        PasscodeProblem::PinTooSimple => T::PasscodePinSimple,
        PasscodeProblem::PasscodeTooShort => T::PasscodeTooShort,
    }
}

#[component]
pub fn PasscodeSettings(#[prop(into)] on_lock: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let is_set = RwSignal::new(crypto::passcode_set());
    let kind = RwSignal::new(crypto::secret_kind().unwrap_or(SecretKind::Pin));
    let (first, again) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let policy = crypto::policy();
    let idle = RwSignal::new(policy.idle_minutes.to_string());
    let tries = RwSignal::new(policy.max_tries.to_string());
    let sync_locked = RwSignal::new(policy.sync_while_locked);
    let outcome = RwSignal::new(Outcome::Idle);
    let confirm_remove = RwSignal::new(false);
    let read_policy = move || {
        let default = LockPolicy::default();
        LockPolicy {
            idle_minutes: idle.get_untracked().trim().parse().unwrap_or(default.idle_minutes),
            max_tries: tries.get_untracked().trim().parse().unwrap_or(default.max_tries),
            sync_while_locked: sync_locked.get_untracked(),
        }
        .clamped()
    };
    let finish = move |result: Result<(), crate::storage::StoreError>| {
        outcome.set(match result {
            Ok(()) => Outcome::Saved,
            Err(e) => Outcome::Failed(e.to_string()),
        });
        is_set.set(crypto::passcode_set());
        let p = crypto::policy();
        idle.set(p.idle_minutes.to_string());
        tries.set(p.max_tries.to_string());
    };
    let set_secret = move |_| {
        let (secret, kind_now) = (first.get_untracked(), kind.get_untracked());
        if let Err(p) = check_new_secret(kind_now, &secret) {
            return outcome.set(Outcome::Problem(problem_text(p)));
        }
        if secret != again.get_untracked() {
            return outcome.set(Outcome::Problem(T::PasscodeMismatch));
        }
        // The passcode's key is derived through Web Crypto, which a browser gives only to a
        // secure context: on a plain-http office address there is nothing to set it with.
        if !crate::offline::secure_context() {
            return outcome.set(Outcome::Problem(T::PasscodeNeedsHttps));
        }
        outcome.set(Outcome::Working);
        let policy = read_policy();
        spawn_local(async move {
            let result = crypto::set_passcode(kind_now, &secret, policy).await;
            if result.is_ok() {
                first.set(String::new());
                again.set(String::new());
            }
            finish(result);
        });
    };
    let save_policy = move |_| finish(crypto::set_policy(read_policy()));
    let remove = move |_| {
        outcome.set(Outcome::Working);
        spawn_local(async move { finish(crypto::remove_passcode().await) });
    };
    let kinds =
        Signal::derive(move || vec![("pin".to_string(), i18n.t(T::PasscodePin).to_string()), ("passcode".to_string(), i18n.t(T::PasscodeText).to_string())]);
    let label = move |t: T| Signal::derive(move || i18n.t(t).to_string());
    view! {
        <section class="passcode-settings" aria-labelledby="passcode-title">
            <h2 id="passcode-title">{move || i18n.t(T::PasscodeTitle)}</h2>
            <p data-testid="passcode-state">{move || i18n.t(if is_set.get() { T::PasscodeOn } else { T::PasscodeOff })}</p>
            <p class="notice">{move || i18n.t(T::PasscodeForgotten)}</p>
            <SelectField
                id="passcode-kind".into()
                label=label(T::PasscodeKind)
                options=kinds
                value=Signal::derive(move || if kind.get() == SecretKind::Pin { "pin".to_string() } else { "passcode".to_string() })
                on_change=move |v: String| kind.set(if v == "pin" { SecretKind::Pin } else { SecretKind::Passcode })
            />
            <TextField id="passcode-new".into() kind="password" label=label(T::PasscodeNew) value=first on_input=move |v| first.set(v)/>
            <TextField id="passcode-again".into() kind="password" label=label(T::PasscodeRepeat) value=again on_input=move |v| again.set(v)/>
            <TextField id="passcode-idle".into() kind="number" label=label(T::PasscodeIdle) value=idle on_input=move |v| idle.set(v)/>
            <TextField id="passcode-tries".into() kind="number" label=label(T::PasscodeMaxTries) value=tries on_input=move |v| tries.set(v)/>
            <CheckField id="passcode-sync-locked".into() label=label(T::PasscodeSyncLocked) checked=sync_locked on_change=move |v| sync_locked.set(v)/>
            <div class="actions">
                <button type="button" class="primary" on:click=set_secret disabled=move || outcome.get() == Outcome::Working>
                    {move || i18n.t(if is_set.get() { T::PasscodeChange } else { T::PasscodeSet })}
                </button>
                <Show when=move || is_set.get()>
                    <button type="button" on:click=save_policy>{move || i18n.t(T::PasscodeSavePolicy)}</button>
                    <button type="button" on:click=move |_| on_lock.run(())>{move || i18n.t(T::LockNow)}</button>
                    <button type="button" class="danger" on:click=move |_| confirm_remove.set(true)>{move || i18n.t(T::PasscodeRemove)}</button>
                </Show>
            </div>
            <p role="status" aria-live="polite" data-testid="passcode-outcome">
                {move || match outcome.get() {
                    Outcome::Idle => String::new(),
                    Outcome::Working => i18n.t(T::PasscodeWorking).to_string(),
                    Outcome::Saved => i18n.t(T::PasscodeSaved).to_string(),
                    Outcome::Problem(t) => i18n.t(t).to_string(),
                    Outcome::Failed(e) => format!("{}{e}", i18n.t(T::PasscodeFailed)),
                }}
            </p>
            <ConfirmDialog open=confirm_remove message=T::PasscodeRemoveConfirm confirm=T::PasscodeRemove on_confirm=remove/>
        </section>
    }
}
