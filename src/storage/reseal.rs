//! Rewrites every stored value in the form the passcode now asks for: sealed
//! when one was just set, as it is when it was just removed.
//!
//! Changing the passcode does not come here (only the data key is re-wrapped).
//! One transaction per store; values of both forms read, so a rewrite cut
//! short (a closed tab) leaves a tablet that still works and is finished
//! by the next set or remove.

use super::record::{doc_json, record_of};
use super::sync_store::sealed_value;
use super::{crypto, schema, store_for, Db, StoreError, StoreErrorKind};
use rexie::TransactionMode;
use wasm_bindgen::{JsCast, JsValue};
use xunfang_core::vault::Key;
use xunfang_core::DocType;

const DOC_TYPES: [DocType; 5] = [DocType::Activity, DocType::Person, DocType::Proposal, DocType::OpinionReport, DocType::TeamSettings];

fn unreadable(e: impl std::fmt::Display) -> StoreError {
    StoreError::new(StoreErrorKind::Unreadable, e.to_string())
}

fn field(value: &JsValue, name: &str) -> Option<JsValue> {
    js_sys::Reflect::get(value, &JsValue::from_str(name)).ok().filter(|v| !v.is_undefined())
}

/// A stored value's plain bytes: opened with `old` when sealed (removing the
/// passcode: the current state no longer holds the key), else `plain`.
fn plain_of(value: &JsValue, old: Option<&Key>, plain: impl FnOnce(&JsValue) -> Result<Option<Vec<u8>>, StoreError>) -> Result<Option<Vec<u8>>, StoreError> {
    match (crypto::sealed_field(value), old) {
        (Some(sealed), Some(key)) => key.open(&sealed).map(Some).map_err(unreadable),
        (Some(sealed), None) => crypto::open(&sealed).map(Some),
        (None, _) => plain(value),
    }
}

impl Db {
    /// After a passcode was set: every value sealed under the data key in memory.
    pub(crate) async fn reseal_all(&self) -> Result<(), StoreError> {
        self.reseal(None).await
    }

    /// After the passcode was removed: every value sealed under `old` stored as it is.
    pub(crate) async fn reseal_all_with(&self, old: &Key) -> Result<(), StoreError> {
        self.reseal(Some(old)).await
    }

    async fn reseal(&self, old: Option<&Key>) -> Result<(), StoreError> {
        for doc_type in DOC_TYPES {
            self.rewrite(store_for(doc_type), |v| {
                let json = match plain_of(v, old, |v| doc_json(v).map(|j| Some(j.into_bytes())))? {
                    Some(bytes) => String::from_utf8(bytes).map_err(unreadable)?,
                    None => return Ok(None),
                };
                let id = field(v, "id").and_then(|i| i.as_string()).unwrap_or_default();
                record_of(&id, doc_type.as_str(), &json).map(Some)
            })
            .await?;
        }
        self.rewrite(schema::OUTBOX, |v| {
            let stringify = |v: &JsValue| Ok(js_sys::JSON::stringify(v).ok().map(|s| String::from(s).into_bytes()));
            let Some(json) = plain_of(v, old, stringify)? else { return Ok(None) };
            let id = field(v, "id").and_then(|i| i.as_string()).unwrap_or_default();
            match crypto::seal(&json)? {
                Some(sealed) => Ok(Some(sealed_value(&id, &sealed))),
                None => js_sys::JSON::parse(&String::from_utf8(json).map_err(unreadable)?).map(Some).map_err(|e| unreadable(format!("{e:?}"))),
            }
        })
        .await?;
        self.rewrite(schema::ACTIVITY_ROWS, |v| {
            if field(v, "unreadable").and_then(|u| u.as_bool()) == Some(true) {
                return Ok(Some(v.clone()));
            }
            let bytes = |v: &JsValue| Ok(field(v, "utf8").and_then(|b| b.dyn_into::<js_sys::Uint8Array>().ok()).map(|b| b.to_vec()));
            // A row of an older layout (a plain object) is dropped: the counts then
            // differ and the next read rebuilds the rows in the current form.
            let Some(json) = plain_of(v, old, bytes)? else { return Ok(None) };
            let row = js_sys::Object::new();
            for key in ["id", "sort"] {
                let _ = js_sys::Reflect::set(&row, &key.into(), &field(v, key).unwrap_or(JsValue::NULL));
            }
            let (name, bytes) = match crypto::seal(&json)? {
                Some(sealed) => ("sealed", sealed),
                None => ("utf8", json),
            };
            let _ = js_sys::Reflect::set(&row, &name.into(), &js_sys::Uint8Array::from(bytes.as_slice()));
            Ok(Some(row.into()))
        })
        .await?;
        self.reseal_photos(old).await
    }

    /// Rewrites every value of `store` as `each` says (`None`: delete it), in one transaction.
    async fn rewrite(&self, store: &str, each: impl Fn(&JsValue) -> Result<Option<JsValue>, StoreError>) -> Result<(), StoreError> {
        let tx = self.rexie.transaction(&[store], TransactionMode::ReadWrite).map_err(StoreError::writing)?;
        let s = tx.store(store).map_err(StoreError::writing)?;
        let pairs = s.scan(None, None, None, None).await.map_err(StoreError::writing)?;
        let mut puts = Vec::with_capacity(pairs.len());
        for (key, value) in pairs {
            match each(&value)? {
                Some(new) => puts.push((new, None)),
                None => s.delete(key).await.map_err(StoreError::writing)?,
            }
        }
        s.put_all(puts.into_iter()).await.map_err(StoreError::writing)?;
        tx.done().await.map_err(StoreError::writing)?;
        Ok(())
    }
}
