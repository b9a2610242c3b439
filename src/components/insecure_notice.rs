//! The warning on every screen (the first included) when the page is not a
//! secure context: in words, why the app cannot work offline here and what to do.

use crate::i18n::{use_i18n, T};
use crate::offline;
use leptos::prelude::*;

/// Nothing in a secure context; otherwise the warning, with the link to the
/// server's certificate set-up page.
#[component]
pub fn InsecureNotice() -> impl IntoView {
    let i18n = use_i18n();
    let insecure = !offline::secure_context();
    view! {
        <Show when=move || insecure>
            <div class="banner insecure" role="alert">
                <span>{move || i18n.t(T::InsecureContext)}</span>
                // A server page, not a route of the app: a full page load.
                <a class="button" href="/setup/ca" rel="external">{move || i18n.t(T::InsecureSetupLink)}</a>
            </div>
        </Show>
    }
}
