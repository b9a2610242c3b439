//! How a document sits in its object store. Since schema 5: its JSON text in
//! `json`, next to `id` and the few body fields the indexes read
//! (`body.date`, `body.kind`, `body.name`). IndexedDB structured-clones what
//! it stores; one string is far cheaper to clone than a stamped activity's
//! object of a few hundred properties, and reading needs no
//! `JSON.stringify`. Documents stored earlier as plain objects still read.

use super::{StoreError, StoreErrorKind};
use js_sys::{Object, Reflect};
use std::any::Any;
use wasm_bindgen::JsValue;
use xunfang_core::doc::Body;
use xunfang_core::sync::AnyDoc;
use xunfang_core::{Activity, Document, Person};

/// The record to store for a document given as JSON text.
pub(super) fn doc_record<T: Body>(doc: &Document<T>, json: &str) -> JsValue {
    let record = Object::new();
    let body = Object::new();
    let set = |o: &Object, k: &str, v: &JsValue| {
        let _ = Reflect::set(o, &JsValue::from_str(k), v);
    };
    let any = doc as &dyn Any;
    if let Some(a) = any.downcast_ref::<Document<Activity>>() {
        set(&body, "kind", &JsValue::from_str(&a.body.kind));
        if let Some(date) = a.body.date {
            set(&body, "date", &JsValue::from_str(&date.to_string()));
        }
    } else if let Some(p) = any.downcast_ref::<Document<Person>>() {
        set(&body, "name", &JsValue::from_str(&p.body.name));
    }
    set(&record, "id", &JsValue::from_str(doc.id.as_str()));
    set(&record, "type", &JsValue::from_str(T::TYPE));
    set(&record, "body", &body);
    set(&record, "json", &JsValue::from_str(json));
    record.into()
}

/// The record to store for a document of any type.
pub(super) fn any_record(doc: &AnyDoc) -> JsValue {
    any_record_as(doc, &doc.to_json())
}

/// The record to store for a document of any type whose JSON text is at
/// hand (it came that way): `json` must read back as `doc`.
pub(super) fn any_record_as(doc: &AnyDoc, json: &str) -> JsValue {
    match doc {
        AnyDoc::Activity(d) => doc_record(d, json),
        AnyDoc::Person(d) => doc_record(d, json),
        AnyDoc::Proposal(d) => doc_record(d, json),
        AnyDoc::OpinionReport(d) => doc_record(d, json),
    }
}

/// The JSON text of a stored document, in either layout.
pub(super) fn doc_json(value: &JsValue) -> Result<String, StoreError> {
    if let Some(json) = Reflect::get(value, &JsValue::from_str("json")).ok().and_then(|j| j.as_string()) {
        return Ok(json);
    }
    js_sys::JSON::stringify(value).map(String::from).map_err(|e| StoreError::new(StoreErrorKind::Unreadable, format!("{e:?}")))
}
