//! Sync settings: mode, address, token; "Sync now" and "Stop"; progress; the
//! tablet set-up link with its QR code, and taking such a link in (its host and
//! what the tablet holds shown first; another team's settings go through the switch warning).

use crate::components::field::{CheckField, SelectField, TextField};
use crate::components::sync_status::{describe, describe_refusal};
use crate::components::team_switch;
use crate::i18n::{use_i18n, T};
use crate::settings::{self, SyncConfig, SyncMode};
use crate::setup_link;
use crate::sync::{self, SyncStatus};
use leptos::prelude::*;
use xunfang_core::sync_client::rest::{Paging, RestOptions};

#[component]
pub fn SyncSettings() -> impl IntoView {
    let i18n = use_i18n();
    let status = expect_context::<SyncStatus>();
    let saved = settings::sync_config();
    let mode = RwSignal::new(saved.mode.key().to_string());
    let endpoint = RwSignal::new(saved.endpoint.clone());
    let token = RwSignal::new(saved.token.clone());
    let conditional = RwSignal::new(saved.rest.conditional);
    let since_query = RwSignal::new(saved.rest.since_query.clone());
    let paging = RwSignal::new(saved.rest.paging.key().to_string());
    let current = RwSignal::new(saved);
    let notice = RwSignal::new(None::<T>);

    // A set-up link was opened: offer its settings (read from the fragment
    // at start, already gone from the address).
    let offered = RwSignal::new(setup_link::offered_settings());
    // Or later, into this page (e.g. onto this screen while locked: shown after the unlock).
    Effect::new(move |_| {
        setup_link::track();
        offered.set(setup_link::offered_settings());
    });

    let pending = RwSignal::new(None::<crate::sync::Plan>);
    let failed = RwSignal::new(None::<String>);
    let apply = move |config: SyncConfig| {
        setup_link::forget_offer();
        offered.set(None);
        failed.set(None);
        let shown = config.clone();
        team_switch::plan_then_apply(config, pending, move |applied| match applied {
            Ok(()) => {
                mode.set(shown.mode.key().to_string());
                endpoint.set(shown.endpoint.clone());
                token.set(shown.token.clone());
                conditional.set(shown.rest.conditional);
                since_query.set(shown.rest.since_query.clone());
                paging.set(shown.rest.paging.key().to_string());
                current.set(shown);
                notice.set(Some(T::SyncSaved));
            }
            Err(e) => failed.set(Some(e.to_string())),
        });
    };
    // What a set-up link's warning counts: the records on this tablet.
    let held = LocalResource::new(|| async { crate::storage::Db::app().await.ok()?.holding().await.ok() });
    let save = move |_| {
        let config = SyncConfig {
            mode: SyncMode::from_key(&mode.get_untracked()).unwrap_or_default(),
            endpoint: endpoint.get_untracked().trim().to_string(),
            token: token.get_untracked().trim().to_string(),
            rest: RestOptions {
                conditional: conditional.get_untracked(),
                since_query: since_query.get_untracked().trim().to_string(),
                paging: Paging::from_key(&paging.get_untracked()).unwrap_or_default(),
            },
        };
        apply(config);
    };
    let modes = Signal::derive(move || {
        SyncMode::ALL
            .into_iter()
            .map(|m| {
                let key = match m {
                    SyncMode::Native => T::SyncModeNative,
                    SyncMode::Rest => T::SyncModeRest,
                    SyncMode::PushOnly => T::SyncModePushOnly,
                };
                (m.key().to_string(), i18n.t(key).to_string())
            })
            .collect::<Vec<_>>()
    });
    let pagings = Signal::derive(move || {
        Paging::ALL
            .into_iter()
            .map(|p| {
                let key = match p {
                    Paging::None => T::SyncRestPagingNone,
                    Paging::Limit => T::SyncRestPagingLimit,
                    Paging::PerPage => T::SyncRestPagingPerPage,
                };
                (p.key().to_string(), i18n.t(key).to_string())
            })
            .collect::<Vec<_>>()
    });
    let label = move |key: T| Signal::derive(move || i18n.t(key).to_string());

    view! {
        <h2>{move || i18n.t(T::SyncTitle)}</h2>
        {move || offered.get().filter(|o| *o != current.get()).map(|o| {
            let shown = format!("{} · {}", o.endpoint, i18n.t(match o.mode {
                SyncMode::Native => T::SyncModeNative,
                SyncMode::Rest => T::SyncModeRest,
                SyncMode::PushOnly => T::SyncModePushOnly,
            }));
            let records = held.get().flatten().map_or(0, |h| h.records);
            let dismiss = move |_| {
                setup_link::forget_offer();
                offered.set(None);
            };
            match team_switch::link_notice(i18n, &o.endpoint, records) {
                Ok(what) => view! {
                    <div class="notice" role="alert" data-testid="setup-offer">
                        <p>{move || i18n.t(T::SyncSetupConfirm)}</p>
                        <p><code>{shown}</code></p>
                        <p data-testid="setup-offer-holding">{what}</p>
                        <button type="button" on:click=dismiss>{move || i18n.t(T::LinkDismiss)}</button>
                        <button type="button" class="primary" on:click=move |_| apply(o.clone())>{move || i18n.t(T::SyncSetupUse)}</button>
                    </div>
                }.into_any(),
                Err(why) => view! {
                    <div class="error" role="alert" data-testid="setup-offer-refused">
                        <p>{move || i18n.t(why)}</p>
                        <p><code>{shown}</code></p>
                        <button type="button" on:click=dismiss>{move || i18n.t(T::LinkDismiss)}</button>
                    </div>
                }.into_any(),
            }
        })}
        <team_switch::SwitchWarning plan=pending/>
        {move || failed.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        <Show when=move || !current.get().is_set()>
            <p>{move || i18n.t(T::SyncNotSet)}</p>
        </Show>
        <form class="sync-form" on:submit=|ev| ev.prevent_default()>
            <div class="row">
                <SelectField id="sync-mode".into() label=label(T::SyncMode) options=modes value=mode on_change=move |v| mode.set(v)/>
                <TextField id="sync-endpoint".into() kind="url" label=label(T::SyncEndpoint) value=endpoint on_input=move |v| endpoint.set(v)/>
                <TextField id="sync-token".into() label=label(T::SyncToken) value=token on_input=move |v| token.set(v)/>
            </div>
            <Show when=move || mode.get() == SyncMode::Rest.key()>
                <fieldset class="rest-options">
                    <legend>{move || i18n.t(T::SyncRestTitle)}</legend>
                    <p>{move || i18n.t(T::SyncRestHint)}</p>
                    <CheckField id="sync-rest-conditional".into() label=label(T::SyncRestConditional) checked=conditional on_change=move |v| conditional.set(v)/>
                    <TextField id="sync-rest-since".into() label=label(T::SyncRestSince) value=since_query on_input=move |v| since_query.set(v)/>
                    <SelectField id="sync-rest-paging".into() label=label(T::SyncRestPaging) options=pagings value=paging on_change=move |v| paging.set(v)/>
                </fieldset>
            </Show>
            <div class="row">
                <button type="button" class="primary" on:click=save>{move || i18n.t(T::SyncSave)}</button>
                <button type="button" on:click=move |_| sync::run_now() disabled=move || !current.get().is_set() || status.running.get()>
                    {move || i18n.t(T::SyncNow)}
                </button>
                <Show when=move || status.running.get()>
                    <button type="button" class="danger" on:click=move |_| sync::interrupt()>{move || i18n.t(T::SyncStop)}</button>
                </Show>
            </div>
        </form>
        {move || notice.get().map(|n| view! { <p role="status">{move || i18n.t(n)}</p> })}
        {move || status.progress.get().map(|p| {
            let rejected = p.rejected.clone();
            let refused = p.refused.clone();
            view! {
                <p data-testid="sync-progress">
                    {move || i18n.t(T::SyncSent)} " " {p.pushed} " · " {move || i18n.t(T::SyncReceived)} " " {p.pulled}
                    {(p.expected > p.pulled).then(|| view! { " / " {move || i18n.t(T::SyncAbout)} " " {p.expected} })}
                    " · " {p.waiting} " " {move || i18n.t(T::SyncWaiting)}
                </p>
                {(!rejected.is_empty()).then(|| view! {
                    <div class="error" role="alert">
                        <p>{rejected.len()} " " {move || i18n.t(T::SyncRejected)}</p>
                        <ul>{rejected.into_iter().map(|(id, why)| view! { <li><code>{id}</code> ": " {why}</li> }).collect_view()}</ul>
                    </div>
                })}
                {(!refused.is_empty()).then(|| view! {
                    <div class="error" role="alert" data-testid="sync-refused">
                        <p>{refused.len()} " " {move || i18n.t(T::SyncRefused)}</p>
                        <ul>{refused.into_iter().map(|(id, why)| view! { <li><code>{id}</code> ": " {move || describe_refusal(i18n, &why)}</li> }).collect_view()}</ul>
                    </div>
                })}
            }
        })}
        {move || status.last_error.get().map(|e| view! { <p class="error" role="alert">{describe(i18n, &e, status.retry_at.get())}</p> })}
        {move || {
            let config = current.get();
            config.is_set().then(|| {
                let link = setup_link::settings_link(&config);
                let svg = setup_link::qr_svg(&link).unwrap_or_default();
                view! {
                    <p>{move || i18n.t(T::SyncSetupLink)}</p>
                    <p><a href=link.clone() data-testid="setup-link">{link.clone()}</a></p>
                    <div class="qr" inner_html=svg></div>
                }
            })
        }}
    }
}
