//! Photos on a record: take or choose, shrunk and hashed in the browser,
//! stored beside the record; thumbnails, full view, caption, delete. And the
//! record's position ("use my position").

use crate::components::confirm::ConfirmDialog;
use crate::device;
use crate::editing::Editor;
use crate::i18n::{use_i18n, T};
use crate::media::{self, GeoError, MediaError};
use crate::storage::Db;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use xunfang_core::model::PhotoRef;
use xunfang_core::{Activity, Id};

/// Shrinks, hashes and stores one picked image; returns its reference.
async fn take_in(file: web_sys::Blob) -> Result<PhotoRef, String> {
    let full = media::shrink(&file, media::PHOTO_MAX_SIDE, media::PHOTO_QUALITY).await.map_err(describe)?;
    let thumb = media::shrink(&full.blob, media::THUMB_MAX_SIDE, media::THUMB_QUALITY).await.map_err(describe)?;
    let sha = media::sha256_hex(&full.blob).await.map_err(describe)?;
    let thumb_sha = media::sha256_hex(&thumb.blob).await.map_err(describe)?;
    let db = Db::app().await.map_err(|e| e.to_string())?;
    db.put_photo(&sha, &full.blob, true).await.map_err(|e| e.to_string())?;
    db.put_photo(&thumb_sha, &thumb.blob, true).await.map_err(|e| e.to_string())?;
    Ok(PhotoRef {
        id: device::new_id(),
        sha256: sha,
        thumb_sha256: thumb_sha,
        caption: String::new(),
        width: full.width,
        height: full.height,
        bytes: full.blob.size() as u64,
    })
}

fn describe(e: MediaError) -> String {
    match e {
        MediaError::NotAnImage(_) => "not-an-image".into(),
        MediaError::Failed(why) => why,
    }
}

#[component]
pub fn PhotosEditor(editor: Editor<Activity>) -> impl IntoView {
    let i18n = use_i18n();
    let draft = editor.draft;
    let busy = RwSignal::new(0usize);
    let error = RwSignal::new(None::<String>);
    let viewing = RwSignal::new(None::<String>);
    let on_files = move |ev: leptos::ev::Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
        let Some(files) = input.files() else { return };
        let picked: Vec<web_sys::Blob> = (0..files.length()).filter_map(|i| files.get(i)).map(Into::into).collect();
        input.set_value("");
        for file in picked {
            busy.update(|n| *n += 1);
            spawn_local(async move {
                match take_in(file).await {
                    Ok(photo) => {
                        error.set(None);
                        editor.edit(|a| a.photos.push(photo));
                    }
                    Err(e) if e == "not-an-image" => error.set(Some(i18n.t(T::PhotoNotImage).to_string())),
                    Err(e) => error.set(Some(format!("{}{e}", i18n.t(T::PhotoFailed)))),
                }
                busy.update(|n| *n -= 1);
            });
        }
    };
    let ids = move || draft.read().photos.iter().map(|p| p.id.clone()).collect::<Vec<_>>();
    view! {
        <fieldset class="photos" id="photos">
            <legend>{move || i18n.t(T::Photos)}</legend>
            <ul class="photo-grid">
                <For each=ids key=|id: &Id| id.clone() let:id>
                    <PhotoItem editor=editor id=id viewing=viewing/>
                </For>
            </ul>
            <div class="pick-row">
                <label class="button" for="take-photo">{move || i18n.t(T::TakePhoto)}</label>
                <input id="take-photo" class="visually-hidden" type="file" accept="image/*" capture="environment" on:change=on_files/>
                <label class="button" for="choose-photo">{move || i18n.t(T::ChoosePhoto)}</label>
                <input id="choose-photo" class="visually-hidden" type="file" accept="image/*" multiple on:change=on_files/>
                <Show when=move || busy.get() != 0>
                    <span role="status">{move || i18n.t(T::PhotoProcessing)}</span>
                </Show>
            </div>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || viewing.get().map(|sha| view! { <PhotoViewer sha=sha viewing=viewing/> })}
        </fieldset>
        <LocationField editor=editor/>
    }
}

#[component]
fn PhotoItem(editor: Editor<Activity>, id: Id, viewing: RwSignal<Option<String>>) -> impl IntoView {
    let i18n = use_i18n();
    let draft = editor.draft;
    let photo = {
        let id = id.clone();
        Memo::new(move |_| draft.read().photos.iter().find(|p| p.id == id).cloned())
    };
    let confirm = RwSignal::new(false);
    let caption_id = format!("photo-{id}-caption");
    let (id1, id2) = (id.clone(), id.clone());
    let remove = Callback::new(move |_| {
        let id = id1.clone();
        let gone = photo.get_untracked();
        editor.edit(move |a| a.photos.retain(|p| p.id != id));
        if let Some(p) = gone {
            spawn_local(async move {
                if let Ok(db) = Db::app().await {
                    let _ = db.delete_photo(&p.sha256).await;
                    let _ = db.delete_photo(&p.thumb_sha256).await;
                }
            });
        }
    });
    view! {
        {move || photo.get().map(|p| {
            let (sha, thumb) = (p.sha256.clone(), p.thumb_sha256.clone());
            let id2 = id2.clone();
            view! {
                <li class="photo">
                    <button type="button" class="thumb" on:click=move |_| viewing.set(Some(sha.clone()))>
                        <PhotoImage sha=thumb alt=i18n.t(T::PhotoView).to_string()/>
                        <span class="visually-hidden">{move || i18n.t(T::PhotoView)}</span>
                    </button>
                    <div class="field">
                        <label for=caption_id.clone()>{move || i18n.t(T::PhotoCaption)}</label>
                        <input
                            id=caption_id.clone()
                            type="text"
                            prop:value=p.caption.clone()
                            on:input=move |ev| {
                                let v = event_target_value(&ev);
                                let id = id2.clone();
                                editor.edit(move |a| a.photos.iter_mut().filter(|x| x.id == id).for_each(|x| x.caption = v.clone()));
                            }
                        />
                    </div>
                    <button type="button" class="small danger" on:click=move |_| confirm.set(true)>{move || i18n.t(T::PhotoDelete)}</button>
                    <ConfirmDialog open=confirm message=T::PhotoConfirmDelete confirm=T::PhotoDelete on_confirm=remove/>
                </li>
            }
        })}
    }
}

/// An image by hash: from this device, or fetched from the server on demand.
#[component]
pub fn PhotoImage(sha: String, alt: String) -> impl IntoView {
    let i18n = use_i18n();
    let url = LocalResource::new(move || {
        let sha = sha.clone();
        async move {
            let blob = crate::sync::photos::load(&sha).await.ok()?;
            web_sys::Url::create_object_url_with_blob(&blob).ok()
        }
    });
    view! {
        <Suspense fallback=move || view! { <span class="photo-placeholder">"…"</span> }>
            {move || url.get().map(|u| match u {
                Some(src) => view! { <img src=src alt=alt.clone() data-testid="photo-img"/> }.into_any(),
                None => view! { <span class="photo-placeholder">{move || i18n.t(T::PhotoNotHere)}</span> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn PhotoViewer(sha: String, viewing: RwSignal<Option<String>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="dialog-backdrop" on:click=move |_| viewing.set(None)>
            <div class="dialog photo-dialog" role="dialog" aria-modal="true" aria-label=move || i18n.t(T::PhotoView)>
                <PhotoImage sha=sha alt=i18n.t(T::PhotoView).to_string()/>
                <div class="actions">
                    <button type="button" on:click=move |_| viewing.set(None)>{move || i18n.t(T::Close)}</button>
                </div>
            </div>
        </div>
    }
}

/// "Use my position": latitude, longitude and accuracy on the record.
#[component]
fn LocationField(editor: Editor<Activity>) -> impl IntoView {
    let i18n = use_i18n();
    let draft = editor.draft;
    let locating = RwSignal::new(false);
    let problem = RwSignal::new(None::<T>);
    let locate = move |_| {
        locating.set(true);
        problem.set(None);
        spawn_local(async move {
            match media::position().await {
                Ok(loc) => editor.edit(|a| a.location = Some(loc)),
                Err(e) => problem.set(Some(match e {
                    GeoError::Refused => T::PositionRefused,
                    GeoError::Unavailable => T::PositionUnavailable,
                    GeoError::Timeout => T::PositionTimeout,
                    GeoError::NotSupported => T::PositionUnsupported,
                })),
            }
            locating.set(false);
        });
    };
    view! {
        <div class="location" id="location">
            <span class="field-label">{move || i18n.t(T::PositionLabel)} ": "</span>
            {move || draft.read().location.map(|l| view! {
                <span data-testid="position">{format!("{:.5}, {:.5}", l.lat, l.lon)} " (" {move || i18n.t(T::PositionAccuracy)} " " {format!("{:.0}", l.accuracy_m)} " " {move || i18n.t(T::Metres)} ")"</span>
            })}
            <button type="button" on:click=locate disabled=move || locating.get()>
                {move || if locating.get() { i18n.t(T::PositionLocating) } else { i18n.t(T::UsePosition) }}
            </button>
            <Show when=move || draft.read().location.is_some()>
                <button type="button" class="small" on:click=move |_| editor.edit(|a| a.location = None)>{move || i18n.t(T::ClearPosition)}</button>
            </Show>
            {move || problem.get().map(|p| view! { <p class="notice" role="alert">{move || i18n.t(p)}</p> })}
        </div>
    }
}
