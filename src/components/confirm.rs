//! A confirmation dialog with real buttons (not `window.confirm`, which cannot
//! be translated and blocks the page).

use crate::i18n::{use_i18n, T};
use leptos::prelude::*;

#[component]
pub fn ConfirmDialog(open: RwSignal<bool>, message: T, confirm: T, #[prop(into)] on_confirm: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Show when=move || open.get()>
            <div class="dialog-backdrop">
                <div class="dialog" role="alertdialog" aria-modal="true" aria-labelledby="confirm-message">
                    <p id="confirm-message">{move || i18n.t(message)}</p>
                    <div class="actions">
                        <button type="button" on:click=move |_| open.set(false)>{move || i18n.t(T::Cancel)}</button>
                        <button
                            type="button"
                            class="danger"
                            on:click=move |_| {
                                open.set(false);
                                on_confirm.run(());
                            }
                        >
                            {move || i18n.t(confirm)}
                        </button>
                    </div>
                </div>
            </div>
        </Show>
    }
}
