//! The record list: newest first, filtered by kind and period, searched by text.

use crate::components::field::SelectField;
use crate::components::loaded::{read_on_sync, Loaded};
use crate::components::period_picker::{PeriodChoice, PeriodPicker};
use crate::components::virtual_list::VirtualList;
use crate::device;
use crate::i18n::{text, use_i18n, Lang, T};
use crate::perf;
use crate::settings::template;
use crate::storage::changes::{self, Mark, Since};
use crate::storage::{Db, StoreError};
use futures::FutureExt;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use std::collections::HashMap;
use std::sync::Arc;
use xunfang_core::list::{any_live, filter_rows, patch_rows, CharIndex, ListRow};
use xunfang_core::search::ListFilter;
use xunfang_core::{Id, Person};

/// Rows of the first screen, read through the sort index before the rest.
const FIRST_SCREEN: u32 = 30;
/// Height of one card in the list, margin included (`.record-card` in the CSS).
const ROW_PX: f64 = 84.0;

/// Every row, and the roster's names a search also looks at.
#[derive(Clone)]
struct ListData {
    rows: Arc<Vec<Arc<ListRow>>>,
    index: Arc<CharIndex>,
    names: Arc<HashMap<Id, String>>,
    /// Activities and people that could not be read.
    unreadable_rows: usize,
    unreadable_people: usize,
    /// Taken before the rows were read: what was written since is read again.
    mark: Mark,
}

impl ListData {
    fn unreadable(&self) -> usize {
        self.unreadable_rows + self.unreadable_people
    }
}

async fn names(db: &Db) -> Result<(Arc<HashMap<Id, String>>, usize), StoreError> {
    let people = db.all::<Person>().await?;
    Ok((Arc::new(people.docs.into_iter().map(|p| (p.id, p.body.name)).collect()), people.unreadable))
}

async fn load() -> Result<ListData, StoreError> {
    let mark = changes::mark();
    let db = Db::app().await?;
    let rows = db.list_rows().await?;
    let (names, unreadable_people) = names(&db).await?;
    let index = Arc::new(CharIndex::new(&rows.rows));
    Ok(ListData { rows: Arc::new(rows.rows), index, names, unreadable_rows: rows.unreadable, unreadable_people, mark })
}

/// The list after a sync from the one before: only the rows written since are
/// read (at 50,000 records reading every row takes seconds and, while the old
/// list stays on screen, a second copy of them all). `None`: read every row
/// (the log no longer knows, or a row needs more than a read).
async fn refresh(before: &ListData) -> Result<Option<ListData>, StoreError> {
    let Since::Rows(ids) = changes::since(before.mark) else { return Ok(None) };
    if before.unreadable_rows > 0 {
        return Ok(None);
    }
    let mark = changes::mark();
    let db = Db::app().await?;
    let Some((fresh, gone)) = db.rows_of(&ids).await? else { return Ok(None) };
    let rows = patch_rows(&before.rows, fresh, &gone);
    let (names, unreadable_people) = names(&db).await?;
    let index = Arc::new(CharIndex::new(&rows));
    Ok(Some(ListData { rows: Arc::new(rows), index, names, unreadable_rows: 0, unreadable_people, mark }))
}

async fn load_first() -> Result<Arc<Vec<ListRow>>, StoreError> {
    Ok(Arc::new(Db::app().await?.first_rows(FIRST_SCREEN).await?))
}

/// Resolves once the browser has drawn a frame (the next animation frame, then a
/// task after it, when that frame is on screen), or after 100 ms: a hidden page
/// draws no frames and must still read its list.
async fn after_next_paint() {
    let frame = js_sys::Promise::new(&mut |resolve, _| {
        let Some(w) = web_sys::window() else {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
            return;
        };
        let _ = w.request_animation_frame(&resolve);
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 100);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(frame).await;
    gloo_timers::future::TimeoutFuture::new(0).await;
}

#[component]
pub fn RecordsPage() -> impl IntoView {
    let i18n = use_i18n();
    // The first screen comes from a short index read; every row loads
    // alongside it for filters and search.
    let first_read = load_first().boxed_local().shared();
    let first = LocalResource::new({
        let first_read = first_read.clone();
        move || first_read.clone()
    });
    let shown_data = StoredValue::new(None::<ListData>);
    let data = read_on_sync(move || {
        // After the first screen: reading every row keeps the page busy, and
        // the first screen's index reads would wait behind it. (A plain
        // shared future, not the resource: awaiting that would subscribe
        // to it and read everything twice.)
        let first_read = first_read.clone();
        async move {
            let read = match shown_data.get_value() {
                Some(before) => match refresh(&before).await {
                    Ok(Some(after)) => Ok(after),
                    Ok(None) => load().await,
                    Err(e) => Err(e),
                },
                None => {
                    // Let the first screen be painted before every row is read and,
                    // with a passcode, decrypted: that read holds the page for a while.
                    if first_read.await.is_ok_and(|rows| !rows.is_empty()) {
                        after_next_paint().await;
                    }
                    load().await
                }
            };
            if let Ok(data) = &read {
                shown_data.set_value(Some(data.clone()));
            }
            read
        }
    });
    let text = RwSignal::new(String::new());
    let kind = RwSignal::new(String::new());
    let period = PeriodChoice::new("all");
    let navigate = use_navigate();
    let new_record = move |_| navigate(&format!("/records/{}", device::new_id()), Default::default());

    let kind_options = Signal::derive(move || template().kind_options(i18n.english(), ""));
    let filter = Memo::new(move |_| ListFilter { kind: Some(kind.get()).filter(|k| !k.is_empty()), period: period.period(), text: text.get() });
    let filtering = move || filter.with(|f| f != &ListFilter::default());

    let list = move |data: ListData| {
        let rows = data.rows.clone();
        let unreadable = data.unreadable();
        let shown = Memo::new(move |_| Arc::new(filter.with(|f| filter_rows(&rows, &data.index, f, &data.names, device::today()))));
        let any = any_live(&data.rows);
        let count = Signal::derive(move || shown.with(|s| s.len()));
        let rows = data.rows.clone();
        let key = move |i: usize| shown.with(|s| s.get(i).map(|&r| rows[r].id.clone()));
        let rows = data.rows.clone();
        let card = move |i: usize, count: usize, lang: Lang| {
            let row = shown.with_untracked(|s| s.get(i).map(|&r| rows[r].clone()));
            row.map(|row| view! { <RecordCard row=row position=i count=count lang=lang/> })
        };
        Effect::new(move |_| {
            perf::mark("xunfang:list-ready");
            crate::app::FirstScreen::usable();
        });
        view! {
            {(unreadable > 0).then(|| view! { <p class="error" role="alert">{unreadable} " " {move || i18n.t(T::UnreadableSome)}</p> })}
            {move || if !any {
                view! { <p class="empty">{move || i18n.t(T::NoRecords)}</p> }.into_any()
            } else if count.get() == 0 {
                view! { <p class="empty">{move || i18n.t(T::NoMatches)}</p> }.into_any()
            } else {
                // What the cards show as plain text (see `RecordCard`): a change draws the list again.
                let (shown_count, lang) = (count.get(), i18n.lang());
                template();
                let card = card.clone();
                let row = move |i| card(i, shown_count, lang);
                view! { <VirtualList count=count row_px=ROW_PX key=key.clone() row=row class="record-list"/> }.into_any()
            }}
        }
    };
    // Until every row is there: the newest few, unless a filter is already set.
    let first_screen = move || {
        let rows = first.get()?.ok()?;
        if filtering() || rows.is_empty() {
            return None;
        }
        Effect::new(move |_| {
            perf::mark("xunfang:list-first-screen");
            crate::app::FirstScreen::usable();
        });
        let lang = i18n.lang();
        let cards = rows.iter().enumerate().map(|(i, r)| view! { <RecordCard row=Arc::new(r.clone()) position=i count=0 lang=lang/> }).collect_view();
        Some(view! { <ul class="record-list">{cards}</ul> })
    };

    // Reactive inside: `Loaded` draws its fallback once, and the first rows arrive after that.
    let loading = move || {
        view! {
            {move || match first_screen() {
                Some(first) => first.into_any(),
                None => view! { <p>{move || i18n.t(T::Loading)}</p> }.into_any(),
            }}
        }
    };

    view! {
        <section class="page">
            <div class="page-head">
                <h1>{move || i18n.t(T::NavRecords)}</h1>
                <button type="button" class="primary" on:click=new_record>{move || i18n.t(T::NewRecord)}</button>
            </div>
            <div class="filters" role="search">
                <div class="field field-search">
                    <label for="search">{move || i18n.t(T::Search)}</label>
                    <input
                        id="search"
                        type="search"
                        placeholder=move || i18n.t(T::SearchHint)
                        prop:value=move || text.get()
                        on:input=move |ev| text.set(event_target_value(&ev))
                    />
                </div>
                <SelectField
                    id="filter-kind".into()
                    label=Signal::derive(move || i18n.t(T::FilterKind).to_string())
                    options=kind_options
                    value=kind
                    on_change=move |v| kind.set(v)
                    placeholder=Signal::derive(move || i18n.t(T::AllKinds).to_string())
                />
                <PeriodPicker choice=period id="filter-period" with_all=true/>
            </div>
            <Loaded data=data content=list fallback=loading keep_previous=true/>
        </section>
    }
}

/// One line of the list: kind, title, date and place, and whether it is complete.
///
/// Plain text, drawn once: no closure in a card subscribes to anything. Reactive
/// graph 0.2 (leptos 0.8) leaves a dropped effect in the subscriber set of every
/// signal it read, so each card scrolled past left ~0.5 KB in the language, the
/// template and the route for good (27 MB per pass over 50,000 records). The
/// list draws its cards again when the language, the template or the count changes.
#[component]
fn RecordCard(row: Arc<ListRow>, position: usize, count: usize, lang: Lang) -> impl IntoView {
    let t = |key| text(key, lang);
    let kind = untrack(template).kind_label(&row.kind, lang.is_english()).to_string();
    let title = if row.title.is_empty() { t(T::Untitled).to_string() } else { row.title.clone() };
    let mut meta = row.date.map_or_else(|| t(T::Undated).to_string(), |d| d.to_string());
    if !row.place.is_empty() {
        meta.push_str(&format!(" · {}", row.place));
    }
    if row.person_times > 0 {
        meta.push_str(&format!(" · {} {}", row.person_times, t(T::PersonTimes)));
    }
    if row.suggestions > 0 {
        meta.push_str(&format!(" · {} {}", t(T::Suggestions), row.suggestions));
    }
    // Screen readers hear "3 of 10,000" although only a screenful is drawn.
    let set_size = Some(count).filter(|n| *n > 0);
    view! {
        <li class="record-card" aria-posinset=position + 1 aria-setsize=set_size>
            <a href=format!("/records/{}", row.id)>
                <span class="kind">{kind}</span>
                <span class="title">{title}</span>
                <span class="meta">{meta}</span>
                {row.incomplete.then(|| view! { <span class="badge">{t(T::Incomplete)}</span> })}
            </a>
        </li>
    }
}
