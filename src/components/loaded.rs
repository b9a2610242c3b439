//! The "loading… / storage error / content" wrapper every screen that reads
//! the store puts around what it shows, and the read that follows syncs.

use crate::components::store_error::StoreErrorNotice;
use crate::i18n::{use_i18n, T};
use crate::storage::StoreError;
use leptos::prelude::*;
use std::future::Future;

/// What a screen reads from the store, read again whenever a sync brought
/// documents in (and whenever a signal `read` tracks changes).
pub fn read_on_sync<X, Fut>(read: impl Fn() -> Fut + 'static) -> LocalResource<X>
where
    X: 'static,
    Fut: Future<Output = X> + 'static,
{
    let revision = crate::sync::use_status().map(|s| s.revision);
    LocalResource::new(move || {
        if let Some(r) = revision {
            r.track();
        }
        read()
    })
}

#[component]
pub fn Loaded<X, V, F>(
    /// What the screen reads; it reloads when the resource's own inputs change.
    data: LocalResource<Result<X, StoreError>>,
    /// Draws what was read.
    content: F,
    /// Shown while reading instead of "Loading…".
    #[prop(optional, into)]
    fallback: Option<ViewFn>,
    /// Keeps what was shown on screen while it reads again (a list that
    /// refreshes after a sync), instead of going back to the fallback.
    #[prop(optional)]
    keep_previous: bool,
) -> impl IntoView
where
    X: Clone + 'static,
    F: Fn(X) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let i18n = use_i18n();
    let fallback = fallback.unwrap_or_else(|| ViewFn::from(move || view! { <p>{move || i18n.t(T::Loading)}</p> }));
    let body = move || {
        data.get().map(|result| match result {
            Ok(x) => content(x).into_any(),
            Err(e) => view! { <StoreErrorNotice error=e/> }.into_any(),
        })
    };
    if keep_previous {
        view! { <Transition fallback=move || fallback.run()>{body}</Transition> }.into_any()
    } else {
        view! { <Suspense fallback=move || fallback.run()>{body}</Suspense> }.into_any()
    }
}
