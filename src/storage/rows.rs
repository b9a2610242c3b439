//! The record list's rows (`xunfang_core::list::ListRow`): one per activity,
//! written with it, read instead of the documents so that a list of 10,000
//! records starts from a few rows and searches a few MB.
//!
//! An activity this version cannot read still gets a row, a placeholder that
//! counts as unreadable, so "one row per activity" holds and the counts of
//! the two stores tell whether the rows need rebuilding.

use super::record::Content;
use super::{changes, collect, schema, Db, StoreError};
use futures::future::join_all;
use rexie::{Direction, Store, TransactionMode};
use std::sync::Arc;
use wasm_bindgen::{JsCast, JsValue};
use xunfang_core::list::{sort_rows, ListRow, ROW_VERSION};
use xunfang_core::{Activity, Document, Id};

/// What a read of the rows found.
#[derive(Clone, Debug, Default)]
pub struct Rows {
    /// Newest first, trashed ones included; shared, so that the list after a
    /// sync keeps the rows that did not change (`list::patch_rows`).
    pub rows: Vec<Arc<ListRow>>,
    /// Activities that could not be read (newer format, damaged).
    pub unreadable: usize,
}

/// The row of an activity, as stored: the fields the store's key and index
/// read (`id`, `sort`), and the whole row as JSON in UTF-8 bytes (`utf8`),
/// one copy each way between wasm and IndexedDB (see `record.rs`). Rows
/// stored earlier as plain objects still read.
pub(super) fn row_value(doc: &Document<Activity>) -> Result<JsValue, StoreError> {
    let row = RowText::of(doc);
    // The search text is the record's words: sealed like the record when a passcode is set.
    Ok(row.value(Content::now(&row.json)?))
}

/// An activity's row before it is stored: the keys in the clear, the row's JSON to seal or not.
pub(super) struct RowText {
    id: String,
    sort: String,
    pub(super) json: Vec<u8>,
}

impl RowText {
    pub(super) fn of(doc: &Document<Activity>) -> RowText {
        let row = ListRow::of(doc, &crate::settings::template());
        let json = serde_json::to_vec(&row).expect("rows serialise");
        RowText { id: row.id.to_string(), sort: row.sort, json }
    }

    /// The value to store, the row's JSON as `content` (from `json`).
    pub(super) fn value(&self, content: Content) -> JsValue {
        let record = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&record, &super::record::js_text("id"), &JsValue::from_str(&self.id));
        let _ = js_sys::Reflect::set(&record, &super::record::js_text("sort"), &JsValue::from_str(&self.sort));
        content.set_on(&record);
        record.into()
    }
}

/// Writes the row of `doc` into an open transaction's row store.
pub(super) async fn put_row(rows: &Store, doc: &Document<Activity>) -> Result<(), StoreError> {
    rows.put(&row_value(doc)?, None).await.map_err(StoreError::writing)?;
    Ok(())
}

fn placeholder(id: &JsValue) -> JsValue {
    let o = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&o, &"id".into(), id);
    let _ = js_sys::Reflect::set(&o, &"sort".into(), &"".into());
    let _ = js_sys::Reflect::set(&o, &"unreadable".into(), &true.into());
    o.into()
}

/// A row from its opened JSON bytes (`None`: of another version, or not a row).
fn row_of(json: &[u8]) -> Option<ListRow> {
    serde_json::from_slice::<ListRow>(json).ok().filter(|row| row.row_version == ROW_VERSION)
}

fn parse(value: &JsValue) -> Option<ListRow> {
    if let Some(sealed) = super::crypto::sealed_field(value) {
        return row_of(&super::crypto::open(&sealed).ok()?);
    }
    let bytes = js_sys::Reflect::get(value, &JsValue::from_str("utf8")).ok().and_then(|b| b.dyn_into::<js_sys::Uint8Array>().ok());
    let row = match bytes {
        Some(bytes) => serde_json::from_slice::<ListRow>(&bytes.to_vec()).ok()?,
        None => serde_json::from_str::<ListRow>(&String::from(js_sys::JSON::stringify(value).ok()?)).ok()?,
    };
    (row.row_version == ROW_VERSION).then_some(row)
}

fn is_placeholder(value: &JsValue) -> bool {
    js_sys::Reflect::get(value, &"unreadable".into()).ok().and_then(|u| u.as_bool()) == Some(true)
}

/// The rows of stored values, opened and parsed (`None`: a placeholder, or of
/// another version). With a passcode every row is opened at once, after the
/// reading transaction (Web Crypto's promises would end it).
async fn open_rows(values: &[JsValue]) -> Result<Vec<Option<ListRow>>, StoreError> {
    let sealed: Vec<_> = values.iter().map(super::crypto::sealed_array).collect();
    let opened = super::crypto::open_all(&sealed).await?;
    Ok(values
        .iter()
        .zip(opened)
        .map(|(v, opened)| match opened {
            Some(json) => json.ok().and_then(|json| row_of(&json)),
            None => parse(v),
        })
        .collect())
}

impl Db {
    /// The first `limit` rows of the list (newest first, trash left out),
    /// read backwards through the sort index: what the list shows while the
    /// rest loads.
    pub async fn first_rows(&self, limit: u32) -> Result<Vec<ListRow>, StoreError> {
        let tx = self.rexie.transaction(&[schema::ACTIVITY_ROWS], TransactionMode::ReadOnly).map_err(StoreError::reading)?;
        let store = tx.store(schema::ACTIVITY_ROWS).map_err(StoreError::reading)?;
        let index = store.index(schema::BY_SORT).map_err(StoreError::reading)?;
        let pairs = index.scan(None, Some(limit), None, Some(Direction::Prev)).await.map_err(StoreError::reading)?;
        Ok(pairs.iter().filter_map(|(_, v)| parse(v)).filter(|r| !r.trashed).collect())
    }

    /// The rows of the activities `ids` as stored now, and those of `ids` that
    /// have none; `None` if one is of another version or unreadable (reading
    /// every row then rebuilds or counts them).
    pub async fn rows_of(&self, ids: &[Id]) -> Result<Option<(Vec<ListRow>, Vec<Id>)>, StoreError> {
        let tx = self.rexie.transaction(&[schema::ACTIVITY_ROWS], TransactionMode::ReadOnly).map_err(StoreError::reading)?;
        let store = tx.store(schema::ACTIVITY_ROWS).map_err(StoreError::reading)?;
        let read = join_all(ids.iter().map(|id| store.get(JsValue::from_str(id.as_str())))).await;
        drop(tx);
        let mut gone = Vec::new();
        let mut values = Vec::with_capacity(ids.len());
        for (id, value) in ids.iter().zip(read) {
            match value.map_err(StoreError::reading)? {
                Some(v) => values.push(v),
                None => gone.push(id.clone()),
            }
        }
        let rows: Option<Vec<ListRow>> = open_rows(&values).await?.into_iter().collect();
        Ok(rows.map(|rows| (rows, gone)))
    }

    /// Every row, newest first. Rebuilds them from the activities first when
    /// they are missing or out of date (the first start after an upgrade).
    pub async fn list_rows(&self) -> Result<Rows, StoreError> {
        let tx = self.rexie.transaction(&[schema::ACTIVITY_ROWS, schema::ACTIVITIES], TransactionMode::ReadOnly).map_err(StoreError::reading)?;
        let activities = tx.store(schema::ACTIVITIES).map_err(StoreError::reading)?.count(None).await.map_err(StoreError::reading)?;
        let values = tx.store(schema::ACTIVITY_ROWS).map_err(StoreError::reading)?.get_all(None, None).await.map_err(StoreError::reading)?;
        drop(tx);
        let mut out = Rows { rows: Vec::with_capacity(values.len()), unreadable: 0 };
        let mut stale = values.len() != activities as usize;
        for (v, row) in values.iter().zip(open_rows(&values).await?) {
            match row {
                Some(row) => out.rows.push(Arc::new(row)),
                None if is_placeholder(v) => out.unreadable += 1,
                // A row of another version: rebuild them all.
                None => stale = true,
            }
        }
        if stale {
            return self.rebuild_rows().await;
        }
        sort_rows(&mut out.rows);
        Ok(out)
    }

    /// Writes a fresh row for every activity (and drops rows of activities
    /// that are gone) in one transaction.
    pub async fn rebuild_rows(&self) -> Result<Rows, StoreError> {
        let names = [schema::ACTIVITIES, schema::ACTIVITY_ROWS];
        let tx = self.rexie.transaction(&names, TransactionMode::ReadWrite).map_err(StoreError::writing)?;
        let values = tx.store(schema::ACTIVITIES).map_err(StoreError::writing)?.get_all(None, None).await.map_err(StoreError::writing)?;
        let rows = tx.store(schema::ACTIVITY_ROWS).map_err(StoreError::writing)?;
        rows.clear().await.map_err(StoreError::writing)?;
        let mut out = Rows::default();
        let mut writes = Vec::with_capacity(values.len());
        for v in &values {
            match collect::<Activity>(vec![v.clone()]).docs.pop() {
                Some(doc) => {
                    out.rows.push(Arc::new(ListRow::of(&doc, &crate::settings::template())));
                    writes.push(row_value(&doc)?);
                }
                None => {
                    out.unreadable += 1;
                    writes.push(placeholder(&js_sys::Reflect::get(v, &"id".into()).unwrap_or(JsValue::NULL)));
                }
            }
        }
        rows.put_all(writes.into_iter().map(|v| (v, None))).await.map_err(StoreError::writing)?;
        tx.done().await.map_err(StoreError::writing)?;
        changes::everything();
        sort_rows(&mut out.rows);
        Ok(out)
    }
}
