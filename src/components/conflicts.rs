//! Values edited on two devices at once: the one shown won (the later
//! change); the others wait here until someone picks one ("use this").
//! Part of every editor's shell (`editor_shell`).

use crate::components::store_error::StoreErrorNotice;
use crate::device;
use crate::editing::Editor;
use crate::i18n::{use_i18n, T};
use crate::storage::StoreError;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;
use xunfang_core::doc::Body;
use xunfang_core::Hlc;

/// The labels of a field path ("title", "suggestions/<id>/content"): each
/// named part through the screen's own table; ids are skipped.
fn path_label(path: &str, labels: fn(&str) -> Option<T>) -> Vec<T> {
    path.split('/').filter_map(labels).collect()
}

fn show(value: &Option<Value>) -> String {
    match value {
        None => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) => "—".into(),
        Some(v) => v.to_string(),
    }
}

#[component]
pub fn ConflictList<B: Body + Send + Sync + 'static>(
    editor: Editor<B>,
    /// The label of a field name in this kind of document.
    labels: fn(&str) -> Option<T>,
) -> impl IntoView {
    let i18n = use_i18n();
    let failed = RwSignal::new(None::<StoreError>);
    let conflicts = Memo::new(move |_| editor.doc.read().as_ref().map(|d| d.conflicts()).unwrap_or_default());
    view! {
        <Show when=move || !conflicts.read().is_empty()>
            <div class="conflicts" role="alert" data-testid="conflicts">
                <p>{move || i18n.t(T::ConflictIntro)}</p>
                <ul>
                    {move || conflicts.get().into_iter().flat_map(|c| {
                        let label = path_label(&c.path, labels);
                        c.others.into_iter().map(move |other| {
                            let (path, label) = (c.path.clone(), label.clone());
                            let device_name = other.stamp.device.0.chars().take(8).collect::<String>();
                            let when = device::local_time(Hlc { millis: other.stamp.hlc.millis, counter: 0 });
                            let value = show(&other.value);
                            let removed = other.value.is_none();
                            let chosen = other.value.clone();
                            view! {
                                <li class="conflict">
                                    <strong>{move || label.iter().map(|k| i18n.t(*k)).collect::<Vec<_>>().join(" · ")}</strong> ": "
                                    {move || i18n.t(T::ConflictAlso)} " " <code>{device_name.clone()}</code> " "
                                    {move || i18n.t(T::ConflictAt)} " " {when.clone()} ": "
                                    <q>{value.clone()}</q>
                                    {removed.then(|| view! { {move || i18n.t(T::ConflictRemoved)} })}
                                    " "
                                    <button type="button" class="small" on:click=move |_| {
                                        let (path, chosen) = (path.clone(), chosen.clone());
                                        spawn_local(async move {
                                            if let Err(e) = editor.resolve(&path, chosen).await {
                                                failed.set(Some(e));
                                            }
                                        });
                                    }>{move || i18n.t(T::ConflictUse)}</button>
                                </li>
                            }
                        }).collect::<Vec<_>>()
                    }).collect_view()}
                </ul>
            </div>
        </Show>
        {move || failed.get().map(|e| view! { <StoreErrorNotice error=e/> })}
    }
}
