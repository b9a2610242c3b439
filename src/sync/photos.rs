//! Photos over the network: uploaded separately from records (so records
//! sync even while photos wait), content-addressed, never sent twice; and
//! fetched on demand on other tablets, thumbnail first, so a tablet does not
//! fill up with the whole team's pictures.

use super::http::call_bytes;
use crate::media;
use crate::settings::{self, SyncMode};
use crate::storage::Db;
use xunfang_core::sync_client::SyncError;

fn blob_url(endpoint: &str, sha256: &str) -> String {
    format!("{}/api/blobs/{sha256}", endpoint.trim().trim_end_matches('/'))
}

/// Uploads every photo waiting here; returns how many went. A photo the
/// server already has (HEAD 200) is not sent again; an upload cut off is
/// simply sent again next time (the server stores nothing partial).
pub async fn upload_pending(db: &Db, endpoint: &str, token: &str) -> Result<usize, SyncError> {
    let mut sent = 0;
    for sha in db.photo_uploads().await.map_err(|e| SyncError::Store(e.to_string()))? {
        let url = blob_url(endpoint, &sha);
        let (status, _) = call_bytes("HEAD", &url, token, None, "").await?;
        if status != 200 {
            let Some(photo) = db.get_photo(&sha).await.map_err(|e| SyncError::Store(e.to_string()))? else {
                db.photo_uploaded(&sha).await.map_err(|e| SyncError::Store(e.to_string()))?;
                continue;
            };
            let bytes = media::bytes_of(&photo.blob).await.map_err(|e| SyncError::Store(format!("{e:?}")))?;
            let (status, body) = call_bytes("PUT", &url, token, Some(&bytes), "image/jpeg").await?;
            if !(200..300).contains(&status) {
                // A 413 says why in words (too large, or the team's photo quota).
                return Err(SyncError::Refused { status, message: super::http::message_of(&String::from_utf8_lossy(&body)) });
            }
            sent += 1;
        }
        db.photo_uploaded(&sha).await.map_err(|e| SyncError::Store(e.to_string()))?;
    }
    Ok(sent)
}

/// The image with this hash: from this device, or else fetched from the
/// server (checked against its hash) and kept here.
pub async fn load(sha256: &str) -> Result<web_sys::Blob, SyncError> {
    let db = Db::app().await.map_err(|e| SyncError::Store(e.to_string()))?;
    if let Some(p) = db.get_photo(sha256).await.map_err(|e| SyncError::Store(e.to_string()))? {
        return Ok(p.blob);
    }
    let config = settings::sync_config();
    if !config.is_set() || config.mode != SyncMode::Native {
        return Err(SyncError::Offline("the photo is on another device and no Xunfang server is set up".into()));
    }
    let (status, bytes) = call_bytes("GET", &blob_url(&config.endpoint, sha256), &config.token, None, "").await?;
    if status != 200 {
        return Err(SyncError::Refused { status, message: "the server does not have this photo yet".into() });
    }
    let blob = media::blob_from(&bytes, "image/jpeg").ok_or_else(|| SyncError::BadResponse("not an image".into()))?;
    let actual = media::sha256_hex(&blob).await.map_err(|e| SyncError::BadResponse(format!("{e:?}")))?;
    if actual != sha256 {
        return Err(SyncError::BadResponse("the photo arrived damaged".into()));
    }
    db.put_photo(sha256, &blob, false).await.map_err(|e| SyncError::Store(e.to_string()))?;
    Ok(blob)
}
