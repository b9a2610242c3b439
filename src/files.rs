//! Files in and out of the browser: downloads (a Blob, an object URL and an
//! `<a download>`), reading a picked file, the clipboard and printing.
//! Everything works offline: nothing leaves the device.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Offers `text` as a file download named `name` (`mime` with charset).
pub fn download(name: &str, mime: &str, text: &str) -> Result<(), JsValue> {
    offer(name, mime, &JsValue::from_str(text))
}

/// Offers `bytes` (e.g. an Excel workbook) as a file download named `name`.
pub fn download_bytes(name: &str, mime: &str, bytes: &[u8]) -> Result<(), JsValue> {
    offer(name, mime, &js_sys::Uint8Array::from(bytes))
}

fn offer(name: &str, mime: &str, content: &JsValue) -> Result<(), JsValue> {
    let parts = js_sys::Array::of1(content);
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_blob_sequence_and_options(&parts, &options)?;
    let href = web_sys::Url::create_object_url_with_blob(&blob)?;
    let document = leptos::prelude::document();
    let a: web_sys::HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    a.set_href(&href);
    a.set_download(name);
    a.set_attribute("hidden", "")?;
    document.body().ok_or_else(|| JsValue::from_str("no body"))?.append_child(&a)?;
    a.click();
    a.remove();
    // Revoke later: some browsers start reading the URL after click returns.
    let _ = leptos::prelude::set_timeout_with_handle(
        move || {
            let _ = web_sys::Url::revoke_object_url(&href);
        },
        std::time::Duration::from_secs(30),
    );
    Ok(())
}

/// Offers a CSV file (the text already carries its byte-order mark).
pub fn download_csv(name: &str, csv: &str) -> Result<(), JsValue> {
    download(name, "text/csv;charset=utf-8", csv)
}

/// The text of the first file picked in an `<input type=file>`.
pub async fn read_picked(input: &web_sys::HtmlInputElement) -> Result<Option<String>, JsValue> {
    let Some(file) = input.files().and_then(|f| f.get(0)) else { return Ok(None) };
    let text = JsFuture::from(file.text()).await?;
    Ok(text.as_string())
}

/// Copies `text` to the clipboard; `false` when the browser refuses (no
/// clipboard API, not allowed, or not a secure context).
pub async fn copy(text: &str) -> bool {
    let Some(window) = web_sys::window() else { return false };
    let clipboard = window.navigator().clipboard();
    if clipboard.is_undefined() {
        return false;
    }
    JsFuture::from(clipboard.write_text(text)).await.is_ok()
}

/// Opens the print dialog (the print stylesheet prints only `.printable`).
pub fn print() {
    if let Some(w) = web_sys::window() {
        let _ = w.print();
    }
}
