//! Emptying this tablet: what it holds (counted for the warning before a switch
//! of team) and the erase that leaves no record, row, outbox entry, photo or cached answer behind.
//!
//! [`Db::erase_team_data`] empties every store in one transaction (a switch of team);
//! [`erase_all`] does that and then deletes the database and the data caches (sign-out).
//! Whatever else a later module keeps in IndexedDB (key material) belongs in [`erase_all`] too.

use super::{schema, Db, StoreError, DOC_STORES};
use js_sys::{Function, Promise, Reflect};
use rexie::TransactionMode;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use xunfang_core::team_switch::Holding;

/// Every store of records and their sync state (documents, outbox, cursor, list rows);
/// with [`PHOTO_STORES`], every store of the schema.
pub(super) const RECORD_STORES: [&str; 8] = [
    schema::ACTIVITIES,
    schema::PEOPLE,
    schema::PROPOSALS,
    schema::OPINION_REPORTS,
    schema::TEAM_SETTINGS,
    schema::OUTBOX,
    schema::META,
    schema::ACTIVITY_ROWS,
];
const PHOTO_STORES: [&str; 2] = [schema::PHOTOS, schema::PHOTO_UPLOADS];

impl Db {
    /// What is on this tablet, as the warning before a switch says it; one read transaction.
    pub async fn holding(&self) -> Result<Holding, StoreError> {
        let names = [DOC_STORES.as_slice(), &[schema::OUTBOX, schema::PHOTOS, schema::PHOTO_UPLOADS]].concat();
        let tx = self.rexie.transaction(&names, TransactionMode::ReadOnly).map_err(StoreError::reading)?;
        let count = |name: &'static str| {
            let store = tx.store(name);
            async move { store.map_err(StoreError::reading)?.count(None).await.map_err(StoreError::reading) }
        };
        let mut records = 0;
        for name in DOC_STORES {
            records += count(name).await? as usize;
        }
        Ok(Holding {
            records,
            photos: count(schema::PHOTOS).await?,
            unsent_records: count(schema::OUTBOX).await? as usize,
            unsent_photos: count(schema::PHOTO_UPLOADS).await?,
        })
    }

    /// Empties every store in one transaction: nothing of the team it held stays,
    /// and the sync cursor goes with it, so the next team starts from its beginning.
    pub async fn erase_team_data(&self) -> Result<(), StoreError> {
        self.clear_stores(&[RECORD_STORES.as_slice(), &PHOTO_STORES].concat()).await
    }

    /// Empties the stores `names` in one transaction.
    pub(super) async fn clear_stores(&self, names: &[&str]) -> Result<(), StoreError> {
        let tx = self.rexie.transaction(names, TransactionMode::ReadWrite).map_err(StoreError::writing)?;
        for name in names {
            tx.store(name).map_err(StoreError::writing)?.clear().await.map_err(StoreError::writing)?;
        }
        tx.done().await.map_err(StoreError::writing)?;
        Ok(())
    }
}

/// "Sign out and erase this tablet": empties every store (so nothing is left even if the
/// rest fails), asks the browser to delete the database, and deletes every Cache Storage
/// cache but the running build's app shell (the app's public files, which it needs to start
/// offline and which hold nothing of a team). The caller reloads the page.
pub async fn erase_all() -> Result<(), StoreError> {
    let db = Db::app().await?;
    db.erase_team_data().await?;
    // Forgotten, and closed unless a screen still holds it: this page's own connection
    // blocks the deletion until the reload.
    Db::forget_app();
    db.close();
    delete_database(schema::APP_DB_NAME).await;
    erase_caches(&format!("xunfang-{}", crate::offline::build_id())).await;
    Ok(())
}

/// `indexedDB.deleteDatabase(name)`, waited for until it succeeded, failed or is blocked.
async fn delete_database(name: &str) {
    let Some(window) = web_sys::window() else { return };
    let Ok(factory) = Reflect::get(&window, &JsValue::from_str("indexedDB")) else { return };
    let Ok(delete) = Reflect::get(&factory, &JsValue::from_str("deleteDatabase")).and_then(|f| f.dyn_into::<Function>()) else { return };
    let Ok(request) = delete.call1(&factory, &JsValue::from_str(name)) else { return };
    let settled = Promise::new(&mut |resolve, _| {
        for event in ["onsuccess", "onerror", "onblocked"] {
            let _ = Reflect::set(&request, &JsValue::from_str(event), &resolve);
        }
    });
    let _ = JsFuture::from(settled).await;
}

/// Deletes every cache of this origin's Cache Storage except `keep`.
async fn erase_caches(keep: &str) {
    let Some(window) = web_sys::window() else { return };
    let Ok(caches) = Reflect::get(&window, &JsValue::from_str("caches")) else { return };
    if caches.is_undefined() {
        return; // no Cache Storage outside a secure context
    }
    let method = |name: &str| Reflect::get(&caches, &JsValue::from_str(name)).ok().and_then(|f| f.dyn_into::<Function>().ok());
    let (Some(keys), Some(delete)) = (method("keys"), method("delete")) else { return };
    let Ok(names) = keys.call0(&caches) else { return };
    let Ok(names) = JsFuture::from(Promise::from(names)).await else { return };
    for name in js_sys::Array::from(&names).iter() {
        if name.as_string().is_some_and(|n| n != keep) {
            if let Ok(done) = delete.call1(&caches, &name) {
                let _ = JsFuture::from(Promise::from(done)).await;
            }
        }
    }
}
