//! How a document sits in its object store: its JSON text as UTF-8 bytes in
//! `utf8` (a `Uint8Array`), next to `id` (the key) and `type`. Records written
//! before schema 6 also carry `body.date`, `body.kind`, `body.name` for indexes
//! that are gone; they are read the same way and lose them when next written.
//! With a passcode set the text is sealed (`crypto.rs`) and stored in `sealed`.
//!
//! Why bytes: IndexedDB structured-clones what it stores. A stamped activity
//! as a plain object is a few hundred properties to build from wasm and
//! clone; as one JavaScript string it is cheap to build but twice its size
//! in UTF-16 (the Chinese text makes the whole string two bytes a
//! character), which doubled IndexedDB's write and read times; as bytes it
//! is one copy each way and the smallest value. Records written earlier
//! still read: the JSON text as a string in `json` (schema 5 before this
//! layout) and the plain object (before schema 5).

use super::{StoreError, StoreErrorKind};
use js_sys::{Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use xunfang_core::doc::Body;
use xunfang_core::sync::AnyDoc;
use xunfang_core::Document;

/// The record to store for a document given as JSON text: sealed when a
/// passcode is set (`crypto`), in `sealed` instead of `utf8`.
pub(super) fn doc_record<T: Body>(doc: &Document<T>, json: &str) -> Result<JsValue, StoreError> {
    record_of(doc.id.as_str(), T::TYPE.as_str(), json)
}

/// A property name (or another fixed text) as a JavaScript string, made once per page: each
/// `JsValue::from_str` decodes its text anew, and a first sync of 10,000 records builds 20,000
/// records and rows of three names each.
pub(super) fn js_text(text: &'static str) -> JsValue {
    thread_local! {
        static MADE: std::cell::RefCell<Vec<(&'static str, JsValue)>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    MADE.with(|made| {
        let mut made = made.borrow_mut();
        if let Some((_, v)) = made.iter().find(|(t, _)| *t == text) {
            return v.clone();
        }
        let v = JsValue::from_str(text);
        made.push((text, v.clone()));
        v
    })
}

/// The record for a document's id, type and JSON text.
pub(super) fn record_of(id: &str, doc_type: &'static str, json: &str) -> Result<JsValue, StoreError> {
    let record = Object::new();
    let set = |k: &'static str, v: &JsValue| {
        let _ = Reflect::set(&record, &js_text(k), v);
    };
    set("id", &JsValue::from_str(id));
    set("type", &js_text(doc_type));
    match super::crypto::seal(json.as_bytes())? {
        Some(sealed) => set("sealed", &js_sys::Uint8Array::from(sealed.as_slice())),
        None => set("utf8", &js_sys::Uint8Array::from(json.as_bytes())),
    }
    Ok(record.into())
}

/// The record to store for a document of any type.
pub(super) fn any_record(doc: &AnyDoc) -> Result<JsValue, StoreError> {
    any_record_as(doc, &doc.to_json())
}

/// The record to store for a document of any type whose JSON text is at
/// hand (it came that way): `json` must read back as `doc`.
pub(super) fn any_record_as(doc: &AnyDoc, json: &str) -> Result<JsValue, StoreError> {
    match doc {
        AnyDoc::Activity(d) => doc_record(d, json),
        AnyDoc::Person(d) => doc_record(d, json),
        AnyDoc::Proposal(d) => doc_record(d, json),
        AnyDoc::OpinionReport(d) => doc_record(d, json),
        AnyDoc::TeamSettings(d) => doc_record(d, json),
    }
}

/// The JSON text of a stored document, in any of its layouts.
pub(super) fn doc_json(value: &JsValue) -> Result<String, StoreError> {
    if let Some(sealed) = super::crypto::sealed_field(value) {
        return String::from_utf8(super::crypto::open(&sealed)?)
            .map_err(|e| StoreError::new(StoreErrorKind::Unreadable, format!("the opened text is not UTF-8: {e}")));
    }
    let field = |name: &str| Reflect::get(value, &JsValue::from_str(name)).ok().filter(|v| !v.is_undefined());
    if let Some(bytes) = field("utf8").and_then(|b| b.dyn_into::<js_sys::Uint8Array>().ok()) {
        return String::from_utf8(bytes.to_vec()).map_err(|e| StoreError::new(StoreErrorKind::Unreadable, format!("the stored text is not UTF-8: {e}")));
    }
    if let Some(json) = field("json").and_then(|j| j.as_string()) {
        return Ok(json);
    }
    js_sys::JSON::stringify(value).map(String::from).map_err(|e| StoreError::new(StoreErrorKind::Unreadable, format!("{e:?}")))
}
