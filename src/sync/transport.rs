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
/// `PUT <endpoint>/<collection>/<id>`, `POST` and `DELETE` (when to use
/// which is `xunfang_core::sync_client::rest`'s to say).
pub struct Rest<'a> {
    pub endpoint: &'a str,
    pub token: &'a str,
}

impl RestTransport for Rest<'_> {
    async fn list(&self, query: &str, conditions: &Validators) -> Result<Listed, SyncError> {
        get_listing(&format!("{}/{query}", base(self.endpoint)), self.token, conditions).await
    }

    async fn put(&self, collection: &str, id: &Id, doc: &serde_json::Value) -> Result<(), SyncError> {
        call("PUT", &format!("{}/{collection}/{id}", base(self.endpoint)), self.token, Some(doc.to_string())).await.map(|_| ())
    }

    async fn post(&self, collection: &str, doc: &serde_json::Value) -> Result<String, SyncError> {
        call("POST", &format!("{}/{collection}", base(self.endpoint)), self.token, Some(doc.to_string())).await
    }

    async fn delete(&self, collection: &str, id: &str) -> Result<(), SyncError> {
        let url = format!("{}/{collection}/{}", base(self.endpoint), js_sys::encode_uri_component(id));
        call("DELETE", &url, self.token, None).await.map(|_| ())
    }
}

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
