//! A list that only draws the rows on screen (and a few either side), so
//! that 10,000 records scroll as smoothly as 10. Rows have one fixed height
//! (`row_px`, matched by the CSS); the list takes the height of all its rows,
//! so the page's own scroll bar stays true and the keyboard and the browser's
//! find still move through the page as usual.

use leptos::prelude::*;
use std::hash::Hash;

/// Rows drawn above and below the screen, so a fast flick shows no gap.
const OVERSCAN: usize = 12;
/// Rows drawn before the list knows where it is on the page.
const INITIAL: usize = 30;
/// Rows scrolled past before the rows are drawn afresh under a new parent.
/// Leptos 0.8's `For` gives each row a reactive owner whose parent keeps a weak
/// reference to it until the parent itself goes, holding ~100 bytes of every
/// row ever drawn: 50,000 records scrolled once kept ~4 MB more for good.
/// Drawing the screenful again every so many rows lets that go.
const RENEW_AFTER: usize = 2_000;

#[component]
pub fn VirtualList<K, KeyFn, RowFn, V>(
    /// How many rows there are.
    count: Signal<usize>,
    /// Height of one row in CSS pixels, margins included.
    row_px: f64,
    /// What identifies the row at a position (reruns when the rows change).
    key: KeyFn,
    /// Draws the row at a position.
    row: RowFn,
    #[prop(into)] class: String,
) -> impl IntoView
where
    K: Eq + Hash + Clone + Send + Sync + 'static,
    KeyFn: Fn(usize) -> K + Clone + Send + Sync + 'static,
    RowFn: Fn(usize) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let container = NodeRef::<leptos::html::Div>::new();
    let window = RwSignal::new((0usize, INITIAL));
    let generation = RwSignal::new(0u32);
    let moved = StoredValue::new(0usize);
    let measure = move || {
        let Some(el) = container.get_untracked() else { return };
        let top = el.get_bounding_client_rect().top();
        let height = web_sys::window().and_then(|w| w.inner_height().ok()).and_then(|h| h.as_f64()).unwrap_or(800.0);
        let first = (-top / row_px).floor().max(0.0) as usize;
        let shown = (height / row_px).ceil() as usize;
        let next = (first.saturating_sub(OVERSCAN), first + shown + OVERSCAN);
        let before = window.get_untracked();
        if before != next {
            moved.update_value(|m| *m += before.0.abs_diff(next.0));
            if moved.get_value() > RENEW_AFTER {
                moved.set_value(0);
                generation.update(|g| *g = g.wrapping_add(1));
            }
            window.set(next);
        }
    };
    let on_scroll = window_event_listener(leptos::ev::scroll, move |_| measure());
    let on_resize = window_event_listener(leptos::ev::resize, move |_| measure());
    on_cleanup(move || {
        on_scroll.remove();
        on_resize.remove();
    });
    // Once drawn, and whenever the rows change, find the window again.
    Effect::new(move |_| {
        count.track();
        measure();
    });

    let each = move || {
        let (start, end) = window.get();
        let end = end.min(count.get());
        (start.min(end)..end).map(|i| (i, key(i))).collect::<Vec<_>>()
    };
    let offset = move || format!("transform: translateY({}px)", window.get().0.min(count.get()) as f64 * row_px);
    view! {
        <div class="virtual-list" node_ref=container style=move || format!("height: {}px", count.get() as f64 * row_px)>
            <ul class=class style=offset data-count=move || count.get()>
                {move || {
                    generation.track();
                    let (each, row) = (each.clone(), row.clone());
                    view! { <For each=each key=|(_, k)| k.clone() children=move |(i, _)| row(i)/> }
                }}
            </ul>
        </div>
    }
}
