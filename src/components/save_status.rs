//! The autosave status line: nothing yet, saving, saved, or what went wrong
//! and what to do (the states are `editing::SaveState`).

use crate::components::store_error::{not_merged_message, StoreErrorNotice};
use crate::editing::SaveState;
use crate::i18n::{use_i18n, T};
use leptos::prelude::*;

#[component]
pub fn SaveStatus(state: RwSignal<SaveState>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="save-status" role="status" aria-live="polite">
            {move || match state.get() {
                SaveState::Untouched => i18n.t(T::NotSavedYet).into_any(),
                SaveState::Pending => i18n.t(T::Saving).into_any(),
                SaveState::Saved => view! { <span data-saved="true">{i18n.t(T::Saved)}</span> }.into_any(),
                SaveState::Failed(e) => view! { <StoreErrorNotice error=e/> }.into_any(),
                SaveState::NotMerged => view! {
                    <div class="error" role="alert" data-testid="not-merged">
                        <p>{move || not_merged_message(i18n.lang.get())}</p>
                    </div>
                }
                .into_any(),
            }}
        </div>
    }
}
