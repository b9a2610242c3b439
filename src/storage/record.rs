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
    Ok(record_with(id, doc_type, Content::now(json.as_bytes())?))
}

/// The record for a document's id and type, its text as `content`.
pub(super) fn record_with(id: &str, doc_type: &'static str, content: Content) -> JsValue {
    let record = Object::new();
    let _ = Reflect::set(&record, &js_text("id"), &JsValue::from_str(id));
    let _ = Reflect::set(&record, &js_text("type"), &js_text(doc_type));
    content.set_on(&record);
    record.into()
}

/// A stored value's JSON bytes as they go in: sealed (`sealed`) or as they are (`utf8`).
pub(super) enum Content<'a> {
    Clear(&'a [u8]),
    Sealed(js_sys::Uint8Array),
}

impl<'a> Content<'a> {
    /// `plain` as the passcode's state has it now: sealed in wasm when one is set, refused while locked.
    pub(super) fn now(plain: &'a [u8]) -> Result<Content<'a>, StoreError> {
        Ok(match super::crypto::seal(plain)? {
            Some(sealed) => Content::Sealed(js_sys::Uint8Array::from(sealed.as_slice())),
            None => Content::Clear(plain),
        })
    }

    pub(super) fn set_on(self, record: &Object) {
        let _ = match self {
            Content::Sealed(sealed) => Reflect::set(record, &js_text("sealed"), &sealed),
            Content::Clear(plain) => Reflect::set(record, &js_text("utf8"), &js_sys::Uint8Array::from(plain)),
        };
    }
}

/// Whether two values read from a store hold the same bytes (both absent
/// counts): a sealed value gets a new random IV each time it is written, so
/// the same bytes mean it was not rewritten in between.
pub(super) fn same_stored(a: Option<&JsValue>, b: Option<&JsValue>) -> bool {
    let bytes = |v: &JsValue| {
        for name in ["sealed", "utf8"] {
            if let Some(b) = Reflect::get(v, &js_text(name)).ok().and_then(|b| b.dyn_into::<js_sys::Uint8Array>().ok()) {
                return Some(b.to_vec());
            }
        }
        js_sys::JSON::stringify(v).ok().map(|t| String::from(t).into_bytes())
    };
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => bytes(a).is_some_and(|x| Some(x) == bytes(b)),
        _ => false,
    }
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

/// A document from its JSON text (as stored, or as opened).
pub(super) fn parse_doc<T: Body>(json: &[u8]) -> Result<Document<T>, StoreError> {
    let json = std::str::from_utf8(json).map_err(|e| StoreError::new(StoreErrorKind::Unreadable, format!("the stored text is not UTF-8: {e}")))?;
    Document::from_json(json).map_err(|e| StoreError::new(StoreErrorKind::Unreadable, e.to_string()))
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
