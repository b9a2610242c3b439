//! One HTTP exchange through the browser's fetch, with every failure turned
//! into a `SyncError` that says what happened.

use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, Response};
use xunfang_core::sync::ErrorBody;
use xunfang_core::sync_client::SyncError;

/// Sends one request with the bearer token and returns the response; a
/// failure to get any answer is "no connection".
async fn send(method: &str, url: &str, token: &str, body: Option<JsValue>, content_type: &str, accept: Option<&str>) -> Result<Response, SyncError> {
    let init = RequestInit::new();
    init.set_method(method);
    if let Some(b) = &body {
        init.set_body(b);
    }
    let request = Request::new_with_str_and_init(url, &init).map_err(|e| SyncError::Refused { status: 0, message: describe(&e) })?;
    let headers = request.headers();
    if let Some(a) = accept {
        let _ = headers.set("Accept", a);
    }
    if body.is_some() {
        let _ = headers.set("Content-Type", content_type);
    }
    if !token.is_empty() {
        let _ = headers.set("Authorization", &format!("Bearer {token}"));
    }
    let window = web_sys::window().ok_or_else(|| SyncError::Offline("no window".into()))?;
    JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|e| SyncError::Offline(describe(&e)))?
        .dyn_into()
        .map_err(|_| SyncError::BadResponse("not a response".into()))
}

/// Sends `body` (JSON) with the bearer token; returns the response text of a
/// 2xx answer.
pub async fn call(method: &str, url: &str, token: &str, body: Option<String>) -> Result<String, SyncError> {
    let response = send(method, url, token, body.map(|b| JsValue::from_str(&b)), "application/json", Some("application/json")).await?;
    let status = response.status();
    // The body's bytes are UTF-8 already: taking them as they are skips
    // decoding them to a JavaScript string and encoding that back, twice
    // over a first sync's ~90 MB.
    let bytes = match response.array_buffer() {
        Ok(p) => JsFuture::from(p).await.map(|b| js_sys::Uint8Array::new(&b).to_vec()).unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    let ok = (200..300).contains(&status);
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) if ok => return Err(SyncError::BadResponse(format!("the answer is not UTF-8 text: {e}"))),
        // A refusal still says what it is (a proxy's 401 page in another
        // encoding is a refused token, not a bad answer).
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    };
    if ok {
        return Ok(text);
    }
    Err(SyncError::from_status(status, message_of(&text), retry_after(&response).as_deref()))
}

/// What a refusal says: our server explains itself as `{"error": "..."}`;
/// others may not (then the start of their text).
pub fn message_of(text: &str) -> String {
    serde_json::from_str::<ErrorBody>(text).map(|e| e.error).unwrap_or_else(|_| text.chars().take(200).collect())
}

/// The answer's `Retry-After` (readable cross-origin: the server exposes it).
fn retry_after(response: &Response) -> Option<String> {
    response.headers().get("Retry-After").ok().flatten()
}

/// A binary exchange (photos): returns the status and body of any answer
/// that is not an auth, rate or server failure, so callers can read 404 as
/// "absent".
pub async fn call_bytes(method: &str, url: &str, token: &str, body: Option<&[u8]>, content_type: &str) -> Result<(u16, Vec<u8>), SyncError> {
    let response = send(method, url, token, body.map(|b| js_sys::Uint8Array::from(b).into()), content_type, None).await?;
    let status = response.status();
    let bytes = match response.array_buffer() {
        Ok(p) => JsFuture::from(p).await.map(|b| js_sys::Uint8Array::new(&b).to_vec()).unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    match status {
        401 | 403 | 429 | 500..=599 => Err(SyncError::from_status(status, message_of(&String::from_utf8_lossy(&bytes)), retry_after(&response).as_deref())),
        _ => Ok((status, bytes)),
    }
}

fn describe(e: &JsValue) -> String {
    Reflect::get(e, &JsValue::from_str("message")).ok().and_then(|m| m.as_string()).unwrap_or_else(|| format!("{e:?}"))
}
