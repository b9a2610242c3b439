//! Settings: the UI language, storage use and persistence, this device and
//! this version, and signing out with the tablet erased.

use crate::components::field::SelectField;
use crate::device;
use crate::i18n::{use_i18n, T};
use crate::offline;
use crate::storage::quota::{self, StorageInfo};
use leptos::prelude::*;
use leptos::task::spawn_local;
use xunfang_core::Lang;

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let options = Signal::derive(|| vec![("zh-CN".to_string(), "中文".to_string()), ("en".to_string(), "English".to_string())]);
    let device = device::device_id().0;
    let lock = crate::lock::use_lock();
    view! {
        <section class="page">
            <h1>{move || i18n.t(T::SettingsTitle)}</h1>
            <SelectField
                id="language".into()
                label=Signal::derive(move || i18n.t(T::Language).to_string())
                options=options
                value=Signal::derive(move || i18n.lang.get().code().to_string())
                on_change=move |v: String| {
                    if let Some(lang) = Lang::from_code(&v) {
                        i18n.set(lang);
                    }
                }
            />
            <crate::components::sync_settings::SyncSettings/>
            <crate::components::passcode_settings::PasscodeSettings on_lock=move |_| lock.now()/>
            <StoragePanel/>
            <h2>{move || i18n.t(T::AppName)}</h2>
            <p>{move || i18n.t(T::DataHere)}</p>
            <p>{move || i18n.t(T::OfflineUse)}</p>
            <p>{move || i18n.t(T::DeviceId)} ": " <code>{device}</code></p>
            <p>{move || i18n.t(T::Version)} ": " <code data-testid="build">{offline::build_id()}</code></p>
            <crate::components::erase_tablet::EraseTablet/>
        </section>
    }
}

/// Usage against quota, persistence, and what to do when either is a risk.
#[component]
fn StoragePanel() -> impl IntoView {
    let i18n = use_i18n();
    let info = LocalResource::new(quota::info);
    let photos = LocalResource::new(|| async { crate::storage::Db::app().await.ok()?.photo_usage().await.ok() });
    let refused = RwSignal::new(false);
    let ask = move |_| {
        spawn_local(async move {
            let granted = quota::persist().await;
            refused.set(granted != Some(true));
            info.refetch();
        })
    };
    let show = move |info: Option<StorageInfo>| {
        let Some(info) = info else {
            return view! { <p>{move || i18n.t(T::StorageUnknown)}</p> }.into_any();
        };
        let persisted = info.persisted == Some(true);
        let nearly_full = info.nearly_full();
        view! {
            <p class="storage-usage">
                {move || i18n.t(T::StorageUsed)} " "
                <strong data-testid="storage-usage">{megabytes(info.usage)}</strong> " "
                {move || i18n.t(T::StorageOf)} " "
                <strong data-testid="storage-quota">{megabytes(info.quota)}</strong>
                {format!(" ({:.1}%)", info.percent_used())}
            </p>
            <meter min="0" max="100" low="60" high="80" optimum="0" value=info.percent_used() aria-label=move || i18n.t(T::StorageUsed)></meter>
            {nearly_full.then(|| view! { <p class="error" role="alert">{move || i18n.t(T::StorageNearlyFull)}</p> })}
            {if persisted {
                view! { <p data-testid="storage-persisted">{move || i18n.t(T::StoragePersisted)}</p> }.into_any()
            } else {
                view! {
                    <p data-testid="storage-persisted">{move || i18n.t(T::StorageNotPersisted)}</p>
                    <button type="button" on:click=ask>{move || i18n.t(T::StorageAskPersist)}</button>
                }
                .into_any()
            }}
        }
        .into_any()
    };
    view! {
        <h2>{move || i18n.t(T::StorageTitle)}</h2>
        <Suspense fallback=move || view! { <p>{move || i18n.t(T::Loading)}</p> }>{move || info.get().map(show)}</Suspense>
        <Suspense fallback=|| ()>
            {move || photos.get().flatten().map(|p| view! {
                <p data-testid="photo-usage">
                    {p.count} " " {move || i18n.t(T::PhotosStored)} " " {megabytes(p.bytes)}
                    {(p.waiting > 0).then(|| view! { " · " {p.waiting} " " {move || i18n.t(T::PhotosWaiting)} })}
                </p>
            })}
        </Suspense>
        <Show when=move || refused.get()>
            <p class="notice" role="alert">{move || i18n.t(T::StorageRefused)}</p>
        </Show>
    }
}
