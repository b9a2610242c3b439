//! One HTTP exchange through the browser's fetch, with every failure turned
//! into a `SyncError` that says what happened; a sync answer is read only up
//! to `MAX_ANSWER_BYTES`.

use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, Response};
use xunfang_core::sync::ErrorBody;
use xunfang_core::sync_client::rest::{Listed, Validators};
use xunfang_core::sync_client::{answer_fits, SyncError};

/// Sends one request with the bearer token and returns the response; a
/// failure to get any answer is "no connection".
async fn send(
    method: &str,
    url: &str,
    token: &str,
    body: Option<JsValue>,
    content_type: &str,
    accept: Option<&str>,
    extra: &[(&str, &str)],
) -> Result<Response, SyncError> {
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
    for (name, value) in extra {
        let _ = headers.set(name, value);
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
    call_with(method, url, token, body, false).await
}

/// `call` for a sync answer: one over `MAX_ANSWER_BYTES` is refused by its
/// `Content-Length` before it is read, or as soon as what has arrived passes
/// the cap, and the rest is not downloaded.
pub async fn call_capped(method: &str, url: &str, token: &str, body: Option<String>) -> Result<String, SyncError> {
    call_with(method, url, token, body, true).await
}

async fn call_with(method: &str, url: &str, token: &str, body: Option<String>, capped: bool) -> Result<String, SyncError> {
    let response = send(method, url, token, body.map(|b| JsValue::from_str(&b)), "application/json", Some("application/json"), &[]).await?;
    answer_text(&response, capped).await
}

/// The text of a 2xx answer, or the error its status and text say.
async fn answer_text(response: &Response, capped: bool) -> Result<String, SyncError> {
    let status = response.status();
    // The body's bytes are UTF-8 already: taking them as they are skips
    // decoding them to a JavaScript string and encoding that back, twice
    // over a first sync's ~90 MB.
    let bytes = if capped {
        read_capped(response).await?
    } else {
        match response.array_buffer() {
            Ok(p) => JsFuture::from(p).await.map(|b| js_sys::Uint8Array::new(&b).to_vec()).unwrap_or_default(),
            Err(_) => Vec::new(),
        }
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
    Err(SyncError::from_answer(status, &text, retry_after(response).as_deref()))
}

/// A REST listing: `GET` with `If-None-Match` / `If-Modified-Since` from
/// `conditions`. Setting either makes the browser leave its own cache out
/// of it (the fetch standard), so a 304 reaches the sync engine; the
/// answer's `ETag` and `Last-Modified` are read when the endpoint lets
/// scripts see them (same origin, or `Access-Control-Expose-Headers`).
pub async fn get_listing(url: &str, token: &str, conditions: &Validators) -> Result<Listed, SyncError> {
    let mut extra = Vec::new();
    if let Some(etag) = &conditions.etag {
        extra.push(("If-None-Match", etag.as_str()));
    }
    if let Some(since) = &conditions.last_modified {
        extra.push(("If-Modified-Since", since.as_str()));
    }
    let response = send("GET", url, token, None, "application/json", Some("application/json"), &extra).await?;
    if response.status() == 304 {
        return Ok(Listed::NotModified);
    }
    let header = |name: &str| response.headers().get(name).ok().flatten();
    let validators = Validators::from_headers(header("ETag").as_deref(), header("Last-Modified").as_deref());
    let text = answer_text(&response, false).await?;
    Ok(Listed::Body { text, validators })
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
    let response = send(method, url, token, body.map(|b| js_sys::Uint8Array::from(b).into()), content_type, None, &[]).await?;
    let status = response.status();
    let bytes = match response.array_buffer() {
        Ok(p) => JsFuture::from(p).await.map(|b| js_sys::Uint8Array::new(&b).to_vec()).unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    match status {
        401 | 403 | 429 | 500..=599 => Err(SyncError::from_answer(status, &String::from_utf8_lossy(&bytes), retry_after(&response).as_deref())),
        _ => Ok((status, bytes)),
    }
}

/// The body's bytes, read piece by piece from its stream so that an answer
/// over the cap is refused (and its download cancelled) once it passes it.
async fn read_capped(response: &Response) -> Result<Vec<u8>, SyncError> {
    let length = response.headers().get("Content-Length").ok().flatten().and_then(|v| v.trim().parse::<u64>().ok());
    answer_fits(length.unwrap_or(0))?;
    let body = Reflect::get(response, &JsValue::from_str("body")).unwrap_or(JsValue::NULL);
    if body.is_null() || body.is_undefined() {
        return Ok(Vec::new());
    }
    let method = |target: &JsValue, name: &str| -> Result<js_sys::Function, SyncError> {
        Reflect::get(target, &JsValue::from_str(name))
            .ok()
            .and_then(|f| f.dyn_into().ok())
            .ok_or_else(|| SyncError::BadResponse(format!("the browser cannot read the answer ({name})")))
    };
    let reader = method(&body, "getReader")?.call0(&body).map_err(|e| SyncError::BadResponse(describe(&e)))?;
    let (read, cancel) = (method(&reader, "read")?, method(&reader, "cancel")?);
    let cut = |e: JsValue| SyncError::Offline(describe(&e));
    let mut bytes = Vec::with_capacity(length.unwrap_or(0) as usize);
    loop {
        let promise: js_sys::Promise = read.call0(&reader).map_err(cut)?.unchecked_into();
        let chunk = JsFuture::from(promise).await.map_err(cut)?;
        if Reflect::get(&chunk, &JsValue::from_str("done")).ok().and_then(|d| d.as_bool()).unwrap_or(true) {
            return Ok(bytes);
        }
        let piece = js_sys::Uint8Array::new(&Reflect::get(&chunk, &JsValue::from_str("value")).map_err(cut)?);
        if let Err(too_large) = answer_fits((bytes.len() + piece.length() as usize) as u64) {
            let _ = cancel.call0(&reader);
            return Err(too_large);
        }
        let start = bytes.len();
        bytes.resize(start + piece.length() as usize, 0);
        piece.copy_to(&mut bytes[start..]);
    }
}

fn describe(e: &JsValue) -> String {
    Reflect::get(e, &JsValue::from_str("message")).ok().and_then(|m| m.as_string()).unwrap_or_else(|| format!("{e:?}"))
}
