//! The list of what is still missing in a form, each linked to its field.

use crate::i18n::{use_i18n, T};
use leptos::prelude::*;
use xunfang_core::validate::Problem;

#[component]
pub fn ProblemList(#[prop(into)] problems: Signal<Vec<Problem>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Show when=move || !problems.get().is_empty()>
            <div class="problems" role="status">
                <p>{move || i18n.t(T::ProblemsIntro)}</p>
                <ul>
                    {move || {
                        problems
                            .get()
                            .into_iter()
                            .map(|p| {
                                let href = format!("#{}", p.field());
                                view! { <li><a href=href>{move || p.label(i18n.lang())}</a></li> }
                            })
                            .collect_view()
                    }}
                </ul>
            </div>
        </Show>
    }
}
