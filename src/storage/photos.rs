//! Photo images in IndexedDB, as blobs keyed by their SHA-256, beside the
//! records (a record holds only the hash): the list stays fast, and the same
//! image is stored once. Photos taken here wait in `photo_uploads` until the
//! server has them. With a passcode set the image bytes are sealed
//! (`crypto.rs`) and stored in `sealed` instead of `blob`.

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

/// Every stored photo is a JPEG (`media.rs` encodes them so).
const JPEG: &str = "image/jpeg";

fn failed(e: impl std::fmt::Debug) -> StoreError {
    StoreError::new(super::StoreErrorKind::Failed, format!("{e:?}"))
}

/// The value to store: the blob, or its bytes sealed when a passcode is set.
/// Reading the blob waits on a promise, so this runs before any transaction opens.
async fn entry(sha256: &str, blob: &web_sys::Blob) -> Result<JsValue, StoreError> {
    let sealed = match super::crypto::sealing()? {
        false => None,
        true => super::crypto::seal(&crate::media::bytes_of(blob).await.map_err(failed)?)?,
    };
    let o = Object::new();
    let set = |k: &str, v: &JsValue| Reflect::set(&o, &JsValue::from_str(k), v).map(|_| ());
    let content = |_| match &sealed {
        Some(bytes) => set("sealed", &js_sys::Uint8Array::from(bytes.as_slice())),
        None => set("blob", blob),
    };
    set("sha256", &JsValue::from_str(sha256))
        .and_then(content)
        .and_then(|_| set("bytes", &JsValue::from_f64(blob.size())))
        .map_err(|e| StoreError::new(super::StoreErrorKind::Failed, format!("{e:?}")))?;
    Ok(o.into())
}

/// The image of a stored photo value, opened when sealed (with `old` if given).
fn blob_of(v: &JsValue, old: Option<&xunfang_core::vault::Key>) -> Result<Option<web_sys::Blob>, StoreError> {
    if let Some(sealed) = super::crypto::sealed_field(v) {
        let bytes = match old {
            Some(key) => key.open(&sealed).map_err(|e| StoreError::new(super::StoreErrorKind::Unreadable, e.to_string()))?,
            None => super::crypto::open(&sealed)?,
        };
        return Ok(crate::media::blob_from(&bytes, JPEG));
    }
    Ok(Reflect::get(v, &JsValue::from_str("blob")).ok().and_then(|b| b.dyn_into::<web_sys::Blob>().ok()))
}

impl Db {
    /// Stores an image under its hash; `upload` queues it for the server
    /// (photos taken here), in the same transaction.
    pub async fn put_photo(&self, sha256: &str, blob: &web_sys::Blob, upload: bool) -> Result<(), StoreError> {
        let value = entry(sha256, blob).await?;
        let tx = self.rexie.transaction(&[schema::PHOTOS, schema::PHOTO_UPLOADS], TransactionMode::ReadWrite).map_err(StoreError::writing)?;
        tx.store(schema::PHOTOS).map_err(StoreError::writing)?.put(&value, None).await.map_err(StoreError::writing)?;
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
        let Some(v) = v else { return Ok(None) };
        Ok(blob_of(&v, None)?.map(|blob| StoredPhoto { sha256: sha256.to_string(), blob }))
    }

    /// After a passcode was set or removed: every image in the form it now asks for
    /// (`old`: the key they were sealed under, when it is no longer the one in force).
    /// Read in one transaction and written in another: a blob's bytes come by promise.
    pub(super) async fn reseal_photos(&self, old: Option<&xunfang_core::vault::Key>) -> Result<(), StoreError> {
        let tx = self.rexie.transaction(&[schema::PHOTOS], TransactionMode::ReadOnly).map_err(StoreError::reading)?;
        let all = tx.store(schema::PHOTOS).map_err(StoreError::reading)?.get_all(None, None).await.map_err(StoreError::reading)?;
        drop(tx);
        let mut values = Vec::with_capacity(all.len());
        for v in &all {
            let (Some(sha256), Some(blob)) = (Reflect::get(v, &"sha256".into()).ok().and_then(|s| s.as_string()), blob_of(v, old)?) else { continue };
            values.push((entry(&sha256, &blob).await?, None));
        }
        let tx = self.rexie.transaction(&[schema::PHOTOS], TransactionMode::ReadWrite).map_err(StoreError::writing)?;
        tx.store(schema::PHOTOS).map_err(StoreError::writing)?.put_all(values.into_iter()).await.map_err(StoreError::writing)?;
        tx.done().await.map_err(StoreError::writing)?;
        Ok(())
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
