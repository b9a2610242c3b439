//! The one shell of every editor screen (record, person, proposal, opinion
//! report): load, heading and autosave status, trash, conflicts, problems.
//!
//! A screen says what differs (how to open its document, its labels, its
//! form); the shell does the rest the same way for all, so a same-field
//! conflict shows, and is settled with "use this", in every document.

use crate::components::confirm::ConfirmDialog;
use crate::components::conflicts::ConflictList;
use crate::components::loaded::Loaded;
use crate::components::problems::ProblemList;
use crate::components::save_status::SaveStatus;
use crate::components::store_error::StoreErrorNotice;
use crate::editing::Editor;
use crate::i18n::{use_i18n, T};
use crate::storage::StoreError;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use std::future::Future;
use xunfang_core::doc::Body;
use xunfang_core::validate::Problem;
use xunfang_core::{Document, Id};

/// A document opened for editing: its id, the stored copy (`None`: a new
/// one, stored on the first edit), the body a new one starts from, and
/// whatever else the form needs (the roster, say).
#[derive(Clone)]
pub struct Opened<B: Body, X> {
    pub id: Id,
    pub doc: Option<Document<B>>,
    pub blank: B,
    pub extra: X,
}

/// The texts of a screen that can move its document to the trash.
#[derive(Clone, Copy)]
pub struct Trash {
    /// The delete button.
    pub delete: T,
    /// The question the confirmation asks.
    pub confirm: T,
}

/// The route `/<screen>/:id` as an editor: opens the document named by the
/// `id` parameter, then draws the shell around `form`.
#[component]
pub fn EditorPage<B, X, Fut, Open, Form, V>(
    /// Where "back" leads, and where a document moved to the trash leaves to.
    back_href: &'static str,
    back_label: T,
    /// The page heading.
    heading: T,
    /// Said when the route names no document.
    not_found: T,
    /// Opens the document the route's `id` names; `Ok(None)`: no such id.
    open: Open,
    /// The label of each named part of a field path (for conflicts).
    labels: fn(&str) -> Option<T>,
    /// What is still missing in the draft, listed above the form.
    #[prop(optional)]
    problems: Option<fn(&B) -> Vec<Problem>>,
    /// Whether the screen offers "move to trash", and its texts.
    #[prop(optional)]
    trash: Option<Trash>,
    /// Draws the form over the editor.
    form: Form,
) -> impl IntoView
where
    B: Body + Send + Sync + 'static,
    X: Clone + 'static,
    Fut: Future<Output = Result<Option<Opened<B, X>>, StoreError>> + 'static,
    Open: Fn(Option<String>) -> Fut + 'static,
    Form: Fn(Editor<B>, X) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let i18n = use_i18n();
    let params = use_params_map();
    let data = LocalResource::new(move || open(params.read().get("id")));
    let shell = Shell { back_href, heading, labels, problems, trash };
    let content = move |opened: Option<Opened<B, X>>| match opened {
        Some(opened) => shell.draw(opened, form.clone()).into_any(),
        None => view! { <p class="notice">{move || i18n.t(not_found)}</p> }.into_any(),
    };
    view! {
        <section class="page">
            <A href=back_href attr:class="back">{move || i18n.t(back_label)}</A>
            <Loaded data=data content=content/>
        </section>
    }
}

/// What the shell draws around every form.
struct Shell<B: Body> {
    back_href: &'static str,
    heading: T,
    labels: fn(&str) -> Option<T>,
    problems: Option<fn(&B) -> Vec<Problem>>,
    trash: Option<Trash>,
}

impl<B: Body> Clone for Shell<B> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<B: Body> Copy for Shell<B> {}

impl<B: Body + Send + Sync + 'static> Shell<B> {
    fn draw<X, V>(self, opened: Opened<B, X>, form: impl Fn(Editor<B>, X) -> V) -> impl IntoView
    where
        V: IntoView + 'static,
    {
        let i18n = use_i18n();
        let editor = Editor::new(opened.id, opened.doc, opened.blank);
        let draft = editor.draft;
        let check = self.problems;
        let problems = Memo::new(move |_| check.map(|check| check(&draft.read())).unwrap_or_default());
        let trash_error = RwSignal::new(None::<StoreError>);
        let trashed = move || editor.doc.read().as_ref().is_some_and(|d| d.trashed);
        let restore = move |_| {
            spawn_local(async move {
                if let Err(e) = editor.set_trashed(false).await {
                    trash_error.set(Some(e));
                }
            })
        };
        view! {
            <div class="page-head">
                <h1>{move || i18n.t(self.heading)}</h1>
                <SaveStatus state=editor.state/>
            </div>
            <Show when=trashed>
                <div class="notice" role="status">
                    {move || i18n.t(T::InTrash)} " "
                    <button type="button" on:click=restore>{move || i18n.t(T::Restore)}</button>
                </div>
            </Show>
            {move || trash_error.get().map(|e| view! { <StoreErrorNotice error=e/> })}
            <ConflictList editor=editor labels=self.labels/>
            <ProblemList problems=problems/>
            {form(editor, opened.extra)}
            {self.trash.map(|t| view! { <DangerZone editor=editor trash=t back_href=self.back_href error=trash_error/> })}
        }
    }
}

/// "Move to trash", asked first; shown once something is stored.
#[component]
fn DangerZone<B: Body + Send + Sync + 'static>(editor: Editor<B>, trash: Trash, back_href: &'static str, error: RwSignal<Option<StoreError>>) -> impl IntoView {
    let i18n = use_i18n();
    let confirm = RwSignal::new(false);
    let navigate = use_navigate();
    let on_delete = Callback::new(move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            match editor.set_trashed(true).await {
                Ok(true) => navigate(back_href, Default::default()),
                Ok(false) => {}
                Err(e) => error.set(Some(e)),
            }
        })
    });
    let shown = move || editor.doc.read().as_ref().is_some_and(|d| !d.trashed);
    view! {
        <div class="danger-zone">
            <Show when=shown>
                <button type="button" class="danger" on:click=move |_| confirm.set(true)>{move || i18n.t(trash.delete)}</button>
            </Show>
        </div>
        <ConfirmDialog open=confirm message=trash.confirm confirm=T::MoveToTrash on_confirm=on_delete/>
    }
}
