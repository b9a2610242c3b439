//! A storage failure, said in the UI's language, with the browser's own words.

use crate::i18n::{use_i18n, T};
use crate::storage::StoreError;
use leptos::prelude::*;

#[component]
pub fn StoreErrorNotice(error: StoreError) -> impl IntoView {
    let i18n = use_i18n();
    let kind = error.kind;
    view! {
        <div class="error" role="alert">
            <p>{move || i18n.t(T::store_error(kind))}</p>
            <p class="detail">{move || i18n.t(T::ErrDetails)} {error.detail.clone()}</p>
        </div>
    }
}
