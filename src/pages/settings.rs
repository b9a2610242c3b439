//! Settings: the UI language, and facts about this device.

use crate::components::field::SelectField;
use crate::device;
use crate::i18n::{use_i18n, Lang, T};
use leptos::prelude::*;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let options = Signal::derive(|| vec![("zh-CN".to_string(), "中文".to_string()), ("en".to_string(), "English".to_string())]);
    let device = device::device_id().0;
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
            <p>{move || i18n.t(T::DataHere)}</p>
            <p>{move || i18n.t(T::DeviceId)} ": " <code>{device}</code></p>
        </section>
    }
}
