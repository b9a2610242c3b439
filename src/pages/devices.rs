//! The office's device screen (平板管理): with the team's admin token (kept
//! in this browser only), lists the team's tablets and when each synced,
//! adds a tablet (its set-up link and QR, shown once) and withdraws a lost one.

use crate::components::confirm::ConfirmDialog;
use crate::components::field::TextField;
use crate::components::sync_status::describe;
use crate::i18n::{use_i18n, I18n, T};
use crate::settings;
use crate::setup_link;
use crate::sync::devices;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use xunfang_core::devices::{Device, DeviceList, SetupLink};
use xunfang_core::sync_client::SyncError;

/// Unix seconds as this browser's local date and time, in the UI's language.
fn when(i18n: I18n, secs: Option<i64>) -> String {
    match secs {
        None => i18n.t(T::DevicesNever).to_string(),
        Some(s) => {
            let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(s as f64 * 1000.0));
            String::from(date.to_locale_string(if i18n.lang() == crate::i18n::Lang::Zh { "zh-CN" } else { "en-GB" }, &wasm_bindgen::JsValue::UNDEFINED))
        }
    }
}

/// A date input's `YYYY-MM-DD` as the Unix second that day ends (local time).
fn end_of_day(date: &str) -> Option<i64> {
    let date = date.trim();
    if date.is_empty() {
        return None;
    }
    let t = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(&format!("{date}T23:59:59"))).get_time();
    t.is_finite().then(|| (t / 1000.0) as i64)
}

#[component]
pub fn DevicesPage() -> impl IntoView {
    let i18n = use_i18n();
    let token = RwSignal::new(settings::admin_token());
    let typed = RwSignal::new(token.get_untracked());
    let list = RwSignal::new(None::<DeviceList>);
    let error = RwSignal::new(None::<SyncError>);
    let new_label = RwSignal::new(String::new());
    let new_expires = RwSignal::new(String::new());
    let shown = RwSignal::new(None::<SetupLink>);
    let confirm = RwSignal::new(false);
    let losing = RwSignal::new(None::<String>);

    let load = move || {
        let admin = token.get_untracked();
        if admin.is_empty() {
            return;
        }
        spawn_local(async move {
            match devices::list(&admin).await {
                Ok(l) => {
                    list.set(Some(l));
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    load();
    let save_token = move |_| {
        let t = typed.get_untracked().trim().to_string();
        settings::set_admin_token(&t);
        token.set(t);
        load();
    };
    let add = move |_| {
        let (admin, label, expires) = (token.get_untracked(), new_label.get_untracked(), end_of_day(&new_expires.get_untracked()));
        spawn_local(async move {
            match devices::add(&admin, &label, expires).await {
                Ok(link) => {
                    shown.set(Some(link));
                    new_label.set(String::new());
                    new_expires.set(String::new());
                    error.set(None);
                    load();
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let revoke = move |()| {
        let Some(id) = losing.get_untracked() else { return };
        let admin = token.get_untracked();
        spawn_local(async move {
            match devices::revoke(&admin, &id).await {
                Ok(()) => load(),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let label = move |key: T| Signal::derive(move || i18n.t(key).to_string());

    let row = move |d: Device| {
        let kind = if d.kind == "team" { T::DevicesKindTeam } else { T::DevicesKindDevice };
        let revoked = d.revoked.is_some();
        let id = d.id.clone();
        let name = d.label.clone();
        view! {
            <tr data-testid="device-row" data-device=d.id.clone()>
                <td>{d.label.clone()}</td>
                <td>{move || i18n.t(kind)}</td>
                <td>{move || when(i18n, Some(d.created))}</td>
                <td>{move || when(i18n, d.last_used)}</td>
                <td>{move || when(i18n, d.last_sync)}</td>
                <td>{d.waiting.map(|w| w.to_string()).unwrap_or_else(|| "–".into())}</td>
                <td>{move || d.expires.map(|e| when(i18n, Some(e))).unwrap_or_else(|| "–".into())}</td>
                <td>{move || if revoked { format!("{} {}", i18n.t(T::DevicesRevoked), when(i18n, d.revoked)) } else { i18n.t(T::DevicesActive).to_string() }}</td>
                <td>
                    {(!revoked).then(|| view! {
                        <button type="button" class="danger" aria-label=format!("{} {name}", i18n.t(T::DevicesLost))
                            on:click=move |_| { losing.set(Some(id.clone())); confirm.set(true); }>
                            {move || i18n.t(T::DevicesLost)}
                        </button>
                    })}
                </td>
            </tr>
        }
    };

    view! {
        <section class="page">
            <div class="page-head"><h1>{move || i18n.t(T::DevicesTitle)}</h1></div>
            <A href="/office" attr:class="back">{move || i18n.t(T::BackToOffice)}</A>
            <form class="sync-form" on:submit=|ev| ev.prevent_default()>
                <p>{move || i18n.t(T::DevicesAdminTokenHint)}</p>
                <div class="row">
                    <TextField id="admin-token".into() kind="password" label=label(T::DevicesAdminToken) value=typed on_input=move |v| typed.set(v)/>
                    <button type="button" class="primary" on:click=save_token>{move || i18n.t(T::DevicesSaveToken)}</button>
                </div>
            </form>
            {move || error.get().map(|e| view! {
                <p class="error" role="alert" data-testid="devices-error">{move || i18n.t(T::DevicesFailed)} " " {describe(i18n, &e, None)}</p>
            })}
            {move || list.get().map(|l| {
                let empty = l.devices.is_empty();
                view! {
                    <p>{move || i18n.t(T::DevicesTeam)} " " {l.team.clone()}</p>
                    {empty.then(|| view! { <p>{move || i18n.t(T::DevicesNone)}</p> })}
                    {(!empty).then(|| view! {
                        <table class="sheet" data-testid="devices">
                            <thead><tr>
                                <th>{move || i18n.t(T::DevicesLabel)}</th>
                                <th>{move || i18n.t(T::DevicesKind)}</th>
                                <th>{move || i18n.t(T::DevicesCreated)}</th>
                                <th>{move || i18n.t(T::DevicesLastUsed)}</th>
                                <th>{move || i18n.t(T::DevicesLastSync)}</th>
                                <th>{move || i18n.t(T::DevicesWaiting)}</th>
                                <th>{move || i18n.t(T::DevicesExpires)}</th>
                                <th>{move || i18n.t(T::DevicesState)}</th>
                                <th></th>
                            </tr></thead>
                            <tbody>{l.devices.clone().into_iter().map(row).collect_view()}</tbody>
                        </table>
                    })}
                    <h2>{move || i18n.t(T::DevicesAdd)}</h2>
                    <form class="sync-form" on:submit=|ev| ev.prevent_default()>
                        <div class="row">
                            <TextField id="device-label".into() label=label(T::DevicesNewLabel) value=new_label on_input=move |v| new_label.set(v)/>
                            <TextField id="device-expires".into() kind="date" label=label(T::DevicesNewExpires) value=new_expires on_input=move |v| new_expires.set(v)/>
                            <button type="button" class="primary" on:click=add>{move || i18n.t(T::DevicesAdd)}</button>
                        </div>
                    </form>
                }
            })}
            {move || shown.get().map(|link| {
                let address = setup_link::absolute(&link.link);
                let svg = setup_link::qr_svg(&address).unwrap_or_default();
                view! {
                    <div class="notice" role="status">
                        <p>{move || i18n.t(T::DevicesLinkOnce)} " " {link.label.clone()}</p>
                        <p><a href=address.clone() rel="noreferrer" data-testid="device-setup-link">{address.clone()}</a></p>
                        <div class="qr" inner_html=svg></div>
                    </div>
                }
            })}
            <ConfirmDialog open=confirm message=T::DevicesLostConfirm confirm=T::DevicesLostDo on_confirm=revoke/>
        </section>
    }
}
