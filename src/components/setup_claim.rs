//! The notice a tablet shows when it was opened from a set-up link: the
//! code (taken from the address at start) is claimed, sync is configured,
//! and the outcome is said in words; a tablet holding another team's data is
//! asked first (the switch warning). A link opened while the lock screen
//! covers the app is claimed after the unlock.

use crate::components::sync_status::describe;
use crate::i18n::{use_i18n, T};
use crate::setup_link;
use leptos::prelude::*;
use leptos::task::spawn_local;
use xunfang_core::sync_client::SyncError;

#[derive(Clone)]
enum Claim {
    Running,
    Done(String),
    Failed(SyncError),
}

#[component]
pub fn SetupClaim() -> impl IntoView {
    let i18n = use_i18n();
    let state = RwSignal::new(None::<Claim>);
    let pending = RwSignal::new(None::<crate::sync::Plan>);
    let claim = move |code: String| {
        state.set(Some(Claim::Running));
        spawn_local(async move {
            state.set(Some(match crate::sync::set_up_from_code(&code).await {
                Ok((team, label, None)) => Claim::Done(format!("{team} · {label}")),
                Ok((_, _, Some(plan))) => {
                    // The tablet holds another team's data: the warning decides.
                    pending.set(Some(plan));
                    return state.set(None);
                }
                Err(e) => Claim::Failed(e),
            }));
        });
    };
    // Also a link opened later into this page; while the lock screen covers the app
    // it waits for the unlock (a locked tablet is never re-pointed by a link alone).
    let covered = use_context::<crate::lock::Lock>().map(|l| l.covered);
    Effect::new(move |_| {
        setup_link::track();
        if covered.is_some_and(|c| c.get()) {
            return;
        }
        if let Some(code) = setup_link::take_code() {
            claim(code);
        }
    });
    let shown = move || {
        state.get().map(|claim| match claim {
            Claim::Running => view! { <p class="notice" role="status">{move || i18n.t(T::SetupClaiming)}</p> }.into_any(),
            Claim::Done(who) => view! { <p class="notice" role="status" data-testid="setup-done">{move || i18n.t(T::SetupDone)} " " {who}</p> }.into_any(),
            Claim::Failed(e) => view! { <p class="error" role="alert" data-testid="setup-failed">{move || describe(i18n, &e, None)}</p> }.into_any(),
        })
    };
    view! {
        {shown}
        <crate::components::team_switch::SwitchWarning plan=pending/>
    }
}
