//! Photo images in IndexedDB, as blobs keyed by their SHA-256, beside the
//! records (a record holds only the hash): the list stays fast, and the same
//! image is stored once. Photos taken here wait in `photo_uploads` until the
//! server has them.

use super::{schema, Db, StoreError};
use js_sys::{Object, Reflect};
use rexie::TransactionMode;
use wasm_bindgen::{JsCast, JsValue};

/// A stored image.
#[derive(Clone, Debug)]
pub struct StoredPhoto {
    pub sha256: String,
    pub blob: web_sys::Blob,
}

/// How much the photo store holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PhotoUsage {
    pub count: u32,
    pub bytes: u64,
    /// Taken here and not yet uploaded.
    pub waiting: u32,
}

fn entry(sha256: &str, blob: &web_sys::Blob) -> Result<JsValue, StoreError> {
    let o = Object::new();
    let set = |k: &str, v: &JsValue| Reflect::set(&o, &JsValue::from_str(k), v).map(|_| ());
    set("sha256", &JsValue::from_str(sha256))
        .and_then(|_| set("blob", blob))
        .and_then(|_| set("bytes", &JsValue::from_f64(blob.size())))
        .map_err(|e| StoreError::new(super::StoreErrorKind::Failed, format!("{e:?}")))?;
    Ok(o.into())
}

impl Db {
    /// Stores an image under its hash; `upload` queues it for the server
    /// (photos taken here), in the same transaction.
    pub async fn put_photo(&self, sha256: &str, blob: &web_sys::Blob, upload: bool) -> Result<(), StoreError> {
        let tx = self.rexie.transaction(&[schema::PHOTOS, schema::PHOTO_UPLOADS], TransactionMode::ReadWrite).map_err(StoreError::writing)?;
        tx.store(schema::PHOTOS).map_err(StoreError::writing)?.put(&entry(sha256, blob)?, None).await.map_err(StoreError::writing)?;
        if upload {
            let o = Object::new();
            let _ = Reflect::set(&o, &JsValue::from_str("sha256"), &JsValue::from_str(sha256));
            tx.store(schema::PHOTO_UPLOADS).map_err(StoreError::writing)?.put(&o, None).await.map_err(StoreError::writing)?;
        }
        tx.done().await.map_err(StoreError::writing)?;
        Ok(())
    }

    pub async fn get_photo(&self, sha256: &str) -> Result<Option<StoredPhoto>, StoreError> {
        let tx = self.rexie.transaction(&[schema::PHOTOS], TransactionMode::ReadOnly).map_err(StoreError::reading)?;
        let v = tx.store(schema::PHOTOS).map_err(StoreError::reading)?.get(JsValue::from_str(sha256)).await.map_err(StoreError::reading)?;
        Ok(v.and_then(|v| Reflect::get(&v, &JsValue::from_str("blob")).ok())
            .and_then(|b| b.dyn_into::<web_sys::Blob>().ok())
            .map(|blob| StoredPhoto { sha256: sha256.to_string(), blob }))
    }

    /// Removes an image (and its upload entry).
    pub async fn delete_photo(&self, sha256: &str) -> Result<(), StoreError> {
        let tx = self.rexie.transaction(&[schema::PHOTOS, schema::PHOTO_UPLOADS], TransactionMode::ReadWrite).map_err(StoreError::writing)?;
        tx.store(schema::PHOTOS).map_err(StoreError::writing)?.delete(JsValue::from_str(sha256)).await.map_err(StoreError::writing)?;
        tx.store(schema::PHOTO_UPLOADS).map_err(StoreError::writing)?.delete(JsValue::from_str(sha256)).await.map_err(StoreError::writing)?;
        tx.done().await.map_err(StoreError::writing)?;
        Ok(())
    }

    /// Hashes of images waiting to be uploaded.
    pub async fn photo_uploads(&self) -> Result<Vec<String>, StoreError> {
        let tx = self.rexie.transaction(&[schema::PHOTO_UPLOADS], TransactionMode::ReadOnly).map_err(StoreError::reading)?;
        let keys = tx.store(schema::PHOTO_UPLOADS).map_err(StoreError::reading)?.get_all_keys(None, None).await.map_err(StoreError::reading)?;
        Ok(keys.into_iter().filter_map(|k| k.as_string()).collect())
    }

    /// The server has this image: stop trying to upload it.
    pub async fn photo_uploaded(&self, sha256: &str) -> Result<(), StoreError> {
        let tx = self.rexie.transaction(&[schema::PHOTO_UPLOADS], TransactionMode::ReadWrite).map_err(StoreError::writing)?;
        tx.store(schema::PHOTO_UPLOADS).map_err(StoreError::writing)?.delete(JsValue::from_str(sha256)).await.map_err(StoreError::writing)?;
        tx.done().await.map_err(StoreError::writing)?;
        Ok(())
    }

    /// Count and total size of stored images, and how many wait for upload.
    pub async fn photo_usage(&self) -> Result<PhotoUsage, StoreError> {
        let tx = self.rexie.transaction(&[schema::PHOTOS, schema::PHOTO_UPLOADS], TransactionMode::ReadOnly).map_err(StoreError::reading)?;
        let all = tx.store(schema::PHOTOS).map_err(StoreError::reading)?.get_all(None, None).await.map_err(StoreError::reading)?;
        let waiting = tx.store(schema::PHOTO_UPLOADS).map_err(StoreError::reading)?.count(None).await.map_err(StoreError::reading)?;
        let bytes = all.iter().filter_map(|v| Reflect::get(v, &JsValue::from_str("bytes")).ok()).filter_map(|b| b.as_f64()).sum::<f64>();
        Ok(PhotoUsage { count: all.len() as u32, bytes: bytes as u64, waiting })
    }
}
