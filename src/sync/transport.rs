//! The three endpoint kinds, as the sync engine's transports.

use super::http::{call, call_capped, get_listing};
use xunfang_core::sync::{SyncRequest, SyncResponse};
use xunfang_core::sync_client::rest::{Listed, Validators};
use xunfang_core::sync_client::{read_answer, NativeTransport, PushTransport, RestTransport, SyncError};
use xunfang_core::Id;

fn base(endpoint: &str) -> &str {
    endpoint.trim().trim_end_matches('/')
}

/// Our native protocol: `POST <endpoint>/api/sync`.
pub struct Native<'a> {
    pub endpoint: &'a str,
    pub token: &'a str,
}

impl NativeTransport for Native<'_> {
    async fn exchange(&self, request: &SyncRequest) -> Result<SyncResponse, SyncError> {
        let body = serde_json::to_string(request).expect("requests serialise");
        let text = call_capped("POST", &format!("{}/api/sync", base(self.endpoint)), self.token, Some(body)).await?;
        read_answer(&text)
    }
}

/// A plain REST collection: `GET <endpoint>/<collection>[?filter, paging]`,
/// `PUT <endpoint>/<collection>/<id>` (POST when the id is new to it).
pub struct Rest<'a> {
    pub endpoint: &'a str,
    pub token: &'a str,
}

impl RestTransport for Rest<'_> {
    async fn list(&self, query: &str, conditions: &Validators) -> Result<Listed, SyncError> {
        get_listing(&format!("{}/{query}", base(self.endpoint)), self.token, conditions).await
    }

    async fn put(&self, collection: &str, id: &Id, doc: &serde_json::Value) -> Result<(), SyncError> {
        let url = format!("{}/{collection}/{id}", base(self.endpoint));
        match call("PUT", &url, self.token, Some(doc.to_string())).await {
            // Many REST servers only PUT what exists; a new document is POSTed.
            Err(SyncError::Refused { status: 404, .. }) => {
                let stored = call("POST", &format!("{}/{collection}", base(self.endpoint)), self.token, Some(doc.to_string())).await?;
                // Some servers give what is POSTed an id of their own
                // (json-server 1.0 does): that copy could never be matched
                // again, and each sync would add one more. It is taken back.
                let given = serde_json::from_str::<serde_json::Value>(&stored).ok().and_then(|v| v.get("id").and_then(|i| i.as_str().map(String::from)));
                match given {
                    Some(given) if given != id.as_str() => {
                        let _ =
                            call("DELETE", &format!("{}/{collection}/{}", base(self.endpoint), js_sys::encode_uri_component(&given)), self.token, None).await;
                        Err(SyncError::Refused { status: 409, message: RENAMED.into() })
                    }
                    _ => Ok(()),
                }
            }
            other => other.map(|_| ()),
        }
    }
}

/// The reason kept on a record a REST endpoint would only store under an id
/// of its own (shown as the endpoint's reason, like its own messages).
const RENAMED: &str = "该接口给新记录另起编号（如 json-server 1.0），无法保存本应用的记录 / the endpoint gives new records ids of its own (as json-server 1.0 does) and cannot hold this app's records";

/// Push only: `POST <endpoint>` with each changed document.
pub struct PushOnly<'a> {
    pub endpoint: &'a str,
    pub token: &'a str,
}

impl PushTransport for PushOnly<'_> {
    async fn post(&self, doc: &serde_json::Value) -> Result<(), SyncError> {
        call("POST", base(self.endpoint), self.token, Some(doc.to_string())).await.map(|_| ())
    }
}
