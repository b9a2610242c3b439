//! Autosave: edits are written to IndexedDB shortly after typing stops, and
//! at once when the page is hidden. The status line says where things stand.

use crate::i18n::{use_i18n, T};
use crate::storage::StoreError;
use leptos::prelude::*;

#[derive(Clone, Debug, PartialEq)]
pub enum SaveState {
    /// Nothing typed yet on a new record: nothing stored.
    Untouched,
    Pending,
    Saved,
    Failed(StoreError),
}

#[component]
pub fn SaveStatus(state: RwSignal<SaveState>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="save-status" role="status" aria-live="polite">
            {move || match state.get() {
                SaveState::Untouched => i18n.t(T::NotSavedYet).into_any(),
                SaveState::Pending => i18n.t(T::Saving).into_any(),
                SaveState::Saved => view! { <span data-saved="true">{i18n.t(T::Saved)}</span> }.into_any(),
                SaveState::Failed(e) => view! { <crate::components::store_error::StoreErrorNotice error=e/> }.into_any(),
            }}
        </div>
    }
}
