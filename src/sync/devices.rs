//! The devices API from the app (`xunfang_core::devices`): a tablet claims
//! its set-up code; the office screen lists, adds and revokes tablets with
//! its admin token. Always the server that served the app; every answer is
//! checked before it is used.

use super::http::call;
use serde::de::DeserializeOwned;
use xunfang_core::devices::{AddDevice, Claim, ClaimedToken, DeviceList, SetupLink};
use xunfang_core::sync_client::SyncError;

/// This app's own address, where its server answers.
pub fn origin() -> String {
    web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default()
}

fn read<T: DeserializeOwned>(text: &str) -> Result<T, SyncError> {
    serde_json::from_str(text).map_err(|e| SyncError::BadResponse(e.to_string()))
}

/// Claims a set-up code (in the body, never the address): the device token.
pub async fn claim(code: &str) -> Result<ClaimedToken, SyncError> {
    let body = serde_json::to_string(&Claim { code: code.to_string() }).expect("serialises");
    let claimed: ClaimedToken = read(&call("POST", &format!("{}/api/devices/claim", origin()), "", Some(body)).await?)?;
    claimed.check().map_err(SyncError::BadResponse)?;
    Ok(claimed)
}

/// The team's devices.
pub async fn list(admin_token: &str) -> Result<DeviceList, SyncError> {
    let list: DeviceList = read(&call("GET", &format!("{}/api/devices", origin()), admin_token, None).await?)?;
    list.check().map_err(SyncError::BadResponse)?;
    Ok(list)
}

/// Adds a tablet: its set-up link, shown once.
pub async fn add(admin_token: &str, label: &str, expires: Option<i64>) -> Result<SetupLink, SyncError> {
    let body = serde_json::to_string(&AddDevice { label: label.to_string(), expires }).expect("serialises");
    let link: SetupLink = read(&call("POST", &format!("{}/api/devices", origin()), admin_token, Some(body)).await?)?;
    link.check().map_err(SyncError::BadResponse)?;
    Ok(link)
}

/// Revokes the device `id` (its 8 characters from the list).
pub async fn revoke(admin_token: &str, id: &str) -> Result<(), SyncError> {
    if id.len() != 8 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(SyncError::BadResponse("not a device id".into()));
    }
    call("POST", &format!("{}/api/devices/{id}/revoke", origin()), admin_token, None).await.map(drop)
}
