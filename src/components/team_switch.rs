//! The warning before sync settings that would mix two teams: what is on this tablet and
//! what happens, with "send what is waiting, then erase and switch" or cancel (`sync::switch`).
//!
//! If sending fails nothing is erased; the person may then erase anyway, the loss said in words.

use crate::components::sync_status::describe;
use crate::i18n::{link_holding, switch_holding, switch_still_unsent, use_i18n, T};
use crate::sync::{self, Plan, SwitchStopped};
use leptos::prelude::*;
use leptos::task::spawn_local;
use xunfang_core::team_switch::{link_target, LinkRefused, Verdict};

#[derive(Clone, PartialEq)]
enum Step {
    Asking,
    Sending,
    Stopped(SwitchStopped),
}

/// Shown while `plan` holds a plan that must be confirmed; cancelling clears it.
#[component]
pub fn SwitchWarning(plan: RwSignal<Option<Plan>>) -> impl IntoView {
    let i18n = use_i18n();
    let step = RwSignal::new(Step::Asking);
    let go = move |lose_unsent: bool| {
        let Some(p) = plan.get_untracked() else { return };
        step.set(Step::Sending);
        spawn_local(async move {
            // On success the app restarts; only a stop comes back.
            if let Err(stopped) = sync::switch_erasing(p.config, p.to_team, lose_unsent).await {
                step.set(Step::Stopped(stopped));
            }
        });
    };
    let cancel = move |_| {
        plan.set(None);
        step.set(Step::Asking);
    };
    move || {
        plan.get().map(|p| {
            let holding = p.holding;
            let from = p.from_team.clone();
            let to = match &p.to_team {
                Some(team) => format!("{} · {}", p.config.endpoint, team.name),
                None => p.config.endpoint.clone(),
            };
            view! {
                <div class="dialog-backdrop">
                    <div class="dialog" role="alertdialog" aria-modal="true" aria-labelledby="switch-title" data-testid="switch-warning">
                        <h2 id="switch-title">{move || i18n.t(T::SwitchTitle)}</h2>
                        <p data-testid="switch-holding">{move || switch_holding(i18n.lang(), &holding, from.as_deref())}</p>
                        <p>{move || i18n.t(T::SwitchTo)} " " <code>{to.clone()}</code></p>
                        {(p.verdict == Verdict::Unknown).then(|| view! { <p>{move || i18n.t(T::SwitchUnknownTeam)}</p> })}
                        <p>{move || i18n.t(T::SwitchExplain)}</p>
                        {move || match step.get() {
                            Step::Asking => view! {
                                <div class="actions">
                                    <button type="button" on:click=cancel>{move || i18n.t(T::Cancel)}</button>
                                    <button type="button" class="primary" on:click=move |_| go(false)>{move || i18n.t(T::SwitchSendThenErase)}</button>
                                </div>
                            }.into_any(),
                            Step::Sending => view! { <p role="status">{move || i18n.t(T::SwitchWorking)}</p> }.into_any(),
                            Step::Stopped(stopped) => view! {
                                <p class="error" role="alert" data-testid="switch-stopped">{move || match &stopped {
                                    SwitchStopped::NotSent(e) => format!("{} {}", i18n.t(T::SwitchNotSent), describe(i18n, e, None)),
                                    SwitchStopped::StillUnsent(n) => switch_still_unsent(i18n.lang(), *n),
                                    SwitchStopped::Store(detail) => format!("{} {detail}", i18n.t(T::SwitchNotSent)),
                                }}</p>
                                <div class="actions">
                                    <button type="button" on:click=cancel>{move || i18n.t(T::Cancel)}</button>
                                    <button type="button" class="danger" on:click=move |_| go(true)>{move || i18n.t(T::SwitchEraseAnyway)}</button>
                                </div>
                            }.into_any(),
                        }}
                    </div>
                </div>
            }
        })
    }
}

/// A set-up link's address checked before anything is offered: the host and what the tablet
/// holds, or why the link cannot be used.
pub fn link_notice(i18n: crate::i18n::I18n, endpoint: &str, records: usize) -> Result<String, T> {
    match link_target(endpoint) {
        Ok(target) => Ok(link_holding(i18n.lang(), &target.host, records)),
        Err(LinkRefused::NotHttps) => Err(T::LinkRefusedHttps),
        Err(LinkRefused::Malformed) => Err(T::LinkRefusedMalformed),
    }
}

/// Works out the plan for `config` and applies it when it needs no word; else hands it to
/// the warning through `pending`. `done` is told whether settings were applied (not called
/// while the warning waits for the person).
pub fn plan_then_apply(
    config: crate::settings::SyncConfig,
    pending: RwSignal<Option<Plan>>,
    done: impl FnOnce(Result<(), crate::storage::StoreError>) + 'static,
) {
    spawn_local(async move {
        match sync::plan(config).await {
            Ok(plan) if plan.must_warn() => pending.set(Some(plan)),
            Ok(plan) => done(sync::apply(plan).await),
            Err(e) => done(Err(e)),
        }
    });
}
