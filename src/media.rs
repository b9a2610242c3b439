//! Photos and position from the device: shrinking an image in the browser
//! (longest side about 1600 px, JPEG about 0.8, orientation applied), its
//! SHA-256, a thumbnail, and "use my position". No network involved.

use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, CanvasRenderingContext2d, HtmlCanvasElement};
use xunfang_core::model::Location;

/// Longest side of a stored photo, in pixels.
pub const PHOTO_MAX_SIDE: u32 = 1600;
pub const PHOTO_QUALITY: f64 = 0.8;
/// Longest side of the thumbnail shown in lists and loaded first elsewhere.
pub const THUMB_MAX_SIDE: u32 = 320;
pub const THUMB_QUALITY: f64 = 0.7;

/// Why a photo could not be taken in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MediaError {
    /// Not an image the browser can read (or a damaged file).
    NotAnImage(String),
    /// The browser failed while shrinking or hashing.
    Failed(String),
}

/// A shrunk JPEG and its size in pixels.
#[derive(Clone, Debug)]
pub struct Shrunk {
    pub blob: Blob,
    pub width: u32,
    pub height: u32,
}

fn js_err(e: JsValue) -> String {
    Reflect::get(&e, &JsValue::from_str("message")).ok().and_then(|m| m.as_string()).unwrap_or_else(|| format!("{e:?}"))
}

/// The size a `width`×`height` image gets when its longest side is at most `max`.
pub fn fit(width: u32, height: u32, max: u32) -> (u32, u32) {
    let longest = width.max(height);
    if longest <= max || longest == 0 {
        return (width, height);
    }
    let scale = max as f64 / longest as f64;
    (((width as f64 * scale).round() as u32).max(1), ((height as f64 * scale).round() as u32).max(1))
}

/// Decodes `image` (orientation from its EXIF applied) and re-encodes it as
/// a JPEG whose longest side is at most `max_side`.
pub async fn shrink(image: &Blob, max_side: u32, quality: f64) -> Result<Shrunk, MediaError> {
    let window = web_sys::window().ok_or_else(|| MediaError::Failed("no window".into()))?;
    let create: Function = Reflect::get(&window, &JsValue::from_str("createImageBitmap"))
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(|| MediaError::Failed("this browser cannot decode images (createImageBitmap)".into()))?;
    let options = Object::new();
    let _ = Reflect::set(&options, &JsValue::from_str("imageOrientation"), &JsValue::from_str("from-image"));
    let promise: Promise = create.call2(&window, image, &options).map_err(|e| MediaError::NotAnImage(js_err(e)))?.unchecked_into();
    let bitmap: web_sys::ImageBitmap = JsFuture::from(promise).await.map_err(|e| MediaError::NotAnImage(js_err(e)))?.unchecked_into();
    let (w, h) = fit(bitmap.width(), bitmap.height(), max_side);
    let document = window.document().ok_or_else(|| MediaError::Failed("no document".into()))?;
    let canvas: HtmlCanvasElement = document.create_element("canvas").map_err(|e| MediaError::Failed(js_err(e)))?.unchecked_into();
    canvas.set_width(w);
    canvas.set_height(h);
    let ctx: CanvasRenderingContext2d = canvas.get_context("2d").ok().flatten().ok_or_else(|| MediaError::Failed("no 2d canvas".into()))?.unchecked_into();
    ctx.set_image_smoothing_enabled(true);
    ctx.draw_image_with_image_bitmap_and_dw_and_dh(&bitmap, 0.0, 0.0, w as f64, h as f64).map_err(|e| MediaError::Failed(js_err(e)))?;
    bitmap.close();
    let blob = to_jpeg(&canvas, quality).await?;
    Ok(Shrunk { blob, width: w, height: h })
}

async fn to_jpeg(canvas: &HtmlCanvasElement, quality: f64) -> Result<Blob, MediaError> {
    let canvas = canvas.clone();
    let promise = Promise::new(&mut |resolve, reject| {
        let done = Closure::once_into_js(move |blob: JsValue| {
            let _ = resolve.call1(&JsValue::NULL, &blob);
        });
        if let Err(e) = canvas.to_blob_with_type_and_encoder_options(done.unchecked_ref(), "image/jpeg", &JsValue::from_f64(quality)) {
            let _ = reject.call1(&JsValue::NULL, &e);
        }
    });
    let v = JsFuture::from(promise).await.map_err(|e| MediaError::Failed(js_err(e)))?;
    v.dyn_into::<Blob>().map_err(|_| MediaError::Failed("the browser could not encode the JPEG".into()))
}

/// SHA-256 of a blob's bytes, lowercase hex (Web Crypto).
pub async fn sha256_hex(blob: &Blob) -> Result<String, MediaError> {
    let buffer = JsFuture::from(blob.array_buffer()).await.map_err(|e| MediaError::Failed(js_err(e)))?;
    let subtle = web_sys::window().and_then(|w| w.crypto().ok()).map(|c| c.subtle()).ok_or_else(|| MediaError::Failed("no Web Crypto".into()))?;
    let digest = subtle.digest_with_str_and_buffer_source("SHA-256", &buffer.unchecked_into::<js_sys::Object>()).map_err(|e| MediaError::Failed(js_err(e)))?;
    let bytes = Uint8Array::new(&JsFuture::from(digest).await.map_err(|e| MediaError::Failed(js_err(e)))?).to_vec();
    Ok(xunfang_core::blob::hex(&bytes))
}

/// The blob's bytes, for upload.
pub async fn bytes_of(blob: &Blob) -> Result<Vec<u8>, MediaError> {
    let buffer = JsFuture::from(blob.array_buffer()).await.map_err(|e| MediaError::Failed(js_err(e)))?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// A blob from downloaded bytes.
pub fn blob_from(bytes: &[u8], mime: &str) -> Option<Blob> {
    let parts = Array::of1(&Uint8Array::from(bytes).into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    Blob::new_with_u8_array_sequence_and_options(&parts, &options).ok()
}

/// Why "use my position" gave nothing; the record saves anyway.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GeoError {
    /// The person (or the browser's settings) said no.
    Refused,
    /// No fix: indoors, GPS off, no location service.
    Unavailable,
    /// No fix within the time allowed.
    Timeout,
    /// The browser has no geolocation (or the page is not on https).
    NotSupported,
}

/// Asks the device for its position (GPS; works offline).
pub async fn position() -> Result<Location, GeoError> {
    let navigator = web_sys::window().ok_or(GeoError::NotSupported)?.navigator();
    if !Reflect::has(&navigator, &JsValue::from_str("geolocation")).unwrap_or(false) {
        return Err(GeoError::NotSupported);
    }
    let geo = navigator.geolocation().map_err(|_| GeoError::NotSupported)?;
    let promise = Promise::new(&mut |resolve, reject| {
        let ok = Closure::once_into_js(move |p: JsValue| {
            let _ = resolve.call1(&JsValue::NULL, &p);
        });
        let fail = Closure::once_into_js(move |e: JsValue| {
            let _ = reject.call1(&JsValue::NULL, &e);
        });
        let options = web_sys::PositionOptions::new();
        options.set_enable_high_accuracy(true);
        options.set_timeout(20_000);
        options.set_maximum_age(60_000);
        let _ = geo.get_current_position_with_error_callback_and_options(ok.unchecked_ref(), Some(fail.unchecked_ref()), &options);
    });
    match JsFuture::from(promise).await {
        Ok(p) => {
            let coords = Reflect::get(&p, &JsValue::from_str("coords")).map_err(|_| GeoError::Unavailable)?;
            let num = |k: &str| Reflect::get(&coords, &JsValue::from_str(k)).ok().and_then(|v| v.as_f64());
            match (num("latitude"), num("longitude")) {
                (Some(lat), Some(lon)) => Ok(Location { lat, lon, accuracy_m: num("accuracy").unwrap_or(0.0) }),
                _ => Err(GeoError::Unavailable),
            }
        }
        Err(e) => Err(match Reflect::get(&e, &JsValue::from_str("code")).ok().and_then(|c| c.as_f64()) {
            Some(1.0) => GeoError::Refused,
            Some(3.0) => GeoError::Timeout,
            _ => GeoError::Unavailable,
        }),
    }
}
