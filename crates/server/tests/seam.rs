//! The store seam holds a second backend: an in-memory `SyncStore` (no SQL)
//! serves sync and photos through the same router, and core's merge rule
//! decides what it keeps, exactly as with SQLite.

mod common;

use std::collections::HashMap;
use std::sync::Mutex;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{activity, call, sync, sync_body, val, with_edit};
use serde_json::value::RawValue;
use xunfang_core::BlobHash;
use xunfang_server::store::tokens::token_hash;
use xunfang_server::store::{
    decide, resume_from, Blob, BlobMeta, BlobPut, ClaimRefused, Claimed, Decision, DeviceRevoked, DeviceStore, Epoch, NewBlob, NewSetupCode, NewToken, Page,
    Pull, PushResult, Pushed, QuotaExceeded, StoreError, StoreFuture, Synced, SyncedBy, Team, TokenInfo, TokenRow,
};
use xunfang_server::{AppState, Cors, SyncStore};

const TOKEN: &str = "memory-token";

/// One team's documents as `(seq, id, json)` in commit order, and photos.
#[derive(Debug, Default)]
struct Memory {
    docs: Mutex<Vec<(u64, String, String)>>,
    blobs: Mutex<HashMap<BlobHash, Blob>>,
}

impl Memory {
    fn sync_now(&self, push: Vec<Pushed>, pull: Pull) -> Synced {
        // The lock is the team's counter: taken before any stored copy is read.
        let mut docs = self.docs.lock().unwrap();
        let mut results = Vec::new();
        for pushed in push {
            let id = pushed.doc.id().as_str().to_string();
            let at = docs.iter().position(|(_, i, _)| *i == id);
            match decide(at.map(|at| docs[at].2.as_str()), &pushed) {
                Decision::Unchanged => results.push(PushResult::Unchanged),
                Decision::Refuse(why) => results.push(PushResult::Refused(why)),
                Decision::Write(json) => {
                    let seq = docs.last().map_or(0, |(seq, _, _)| *seq) + 1;
                    if let Some(at) = at {
                        docs.remove(at);
                    }
                    docs.push((seq, id, json));
                    results.push(PushResult::Written);
                }
            }
        }
        let head = docs.last().map_or(0, |(seq, _, _)| *seq);
        // Never restored: one epoch for its whole life.
        let epoch = Epoch { id: "memory".into(), legacy_cursors: true };
        let from = resume_from(&pull, &epoch, head);
        let after: Vec<_> = docs.iter().filter(|(seq, _, _)| *seq > from).collect();
        let more = after.len() > pull.limit;
        let page: Vec<_> = after.iter().take(pull.limit).collect();
        Synced {
            pushed: results,
            page: Page {
                cursor: page.last().map_or(head, |(seq, _, _)| *seq),
                epoch: epoch.id,
                more,
                remaining: if more { (after.len() - pull.limit) as u64 } else { 0 },
                docs: page.iter().map(|(_, _, json)| RawValue::from_string(json.clone()).unwrap()).collect(),
            },
            // It keeps no device list.
            recorded: false,
        }
    }
}

// One team-wide token, no devices: this backend shows the sync seam.
impl DeviceStore for Memory {
    fn find_token(&self, hash: Vec<u8>) -> StoreFuture<'_, Option<TokenRow>> {
        let row =
            (hash == token_hash(TOKEN)).then(|| TokenRow { team: Team { id: 1, name: "memory".into() }, kind: "team".into(), expires: None, revoked: None });
        Box::pin(async move { Ok(row) })
    }

    fn token_used(&self, _: Vec<u8>, _: i64) -> StoreFuture<'_, ()> {
        Box::pin(async { Ok(()) })
    }

    fn token_synced(&self, _: SyncedBy) -> StoreFuture<'_, ()> {
        Box::pin(async { Ok(()) })
    }

    fn team_devices(&self, _: Team) -> StoreFuture<'_, Vec<TokenInfo>> {
        Box::pin(async { Ok(Vec::new()) })
    }

    fn add_setup_code(&self, _: Team, _: NewSetupCode) -> StoreFuture<'_, ()> {
        Box::pin(async { Err(StoreError("this backend keeps no set-up codes".into())) })
    }

    fn claim_setup_code(&self, _: Vec<u8>, _: NewToken, _: i64) -> StoreFuture<'_, Result<Claimed, ClaimRefused>> {
        Box::pin(async { Ok(Err(ClaimRefused::Unknown)) })
    }

    fn revoke_device(&self, _: Team, _: String, _: i64) -> StoreFuture<'_, DeviceRevoked> {
        Box::pin(async { Ok(DeviceRevoked::NotFound) })
    }
}

impl SyncStore for Memory {
    // Quotas are not what this backend shows; it keeps no limit.
    fn sync(&self, _: Team, push: Vec<Pushed>, pull: Pull, _max_docs: u64, _: SyncedBy) -> StoreFuture<'_, Result<Synced, QuotaExceeded>> {
        Box::pin(async move { Ok(Ok(self.sync_now(push, pull))) })
    }

    fn blob_meta(&self, _: Team, hash: BlobHash) -> StoreFuture<'_, Option<BlobMeta>> {
        Box::pin(async move { Ok(self.blobs.lock().unwrap().get(&hash).map(|b| BlobMeta { size: b.data.len() as u64, content_type: b.content_type.clone() })) })
    }

    fn blob(&self, _: Team, hash: BlobHash) -> StoreFuture<'_, Option<Blob>> {
        Box::pin(async move { Ok(self.blobs.lock().unwrap().get(&hash).cloned()) })
    }

    fn put_blob(&self, _: Team, blob: NewBlob, _max_team_bytes: u64) -> StoreFuture<'_, Result<BlobPut, QuotaExceeded>> {
        Box::pin(async move {
            let mut blobs = self.blobs.lock().unwrap();
            let stored = !blobs.contains_key(&blob.hash);
            blobs.entry(blob.hash).or_insert(Blob { content_type: blob.content_type, data: blob.data });
            Ok(Ok(BlobPut { stored, team_count: blobs.len() as u64, team_bytes: blobs.values().map(|b| b.data.len() as u64).sum() }))
        })
    }
}

#[tokio::test]
async fn another_backend_behind_the_seam_syncs_and_merges_by_the_same_rule() {
    let dir = tempfile::tempdir().unwrap();
    let app = xunfang_server::app(AppState::new(dir.path()).with_store(Memory::default()), &Cors::SameOrigin);
    let original = activity(1, "tablet-a", "视察");
    sync(&app, TOKEN, sync_body("tablet-a", None, vec![val(&original)], None)).await;
    let on_a = with_edit(&original, "tablet-a", 10_000, |b| b.place = "科技园".into());
    let on_b = with_edit(&original, "tablet-b", 10_001, |b| b.notes = "座谈".into());
    sync(&app, TOKEN, sync_body("tablet-a", Some(1), vec![val(&on_a)], None)).await;
    let res = sync(&app, TOKEN, sync_body("tablet-b", Some(1), vec![val(&on_b)], None)).await;
    assert_eq!(res["accepted"].as_array().unwrap().len(), 1);
    assert_eq!(res["cursor"], 3);
    assert_eq!(res["remaining"], 0);
    let merged = &res["docs"][0]["body"];
    assert_eq!((merged["place"].as_str(), merged["notes"].as_str()), (Some("科技园"), Some("座谈")));

    // Pushing what is stored again takes no new sequence number.
    let res = sync(&app, TOKEN, sync_body("tablet-b", Some(3), vec![val(&on_b)], None)).await;
    assert_eq!((res["cursor"].as_u64(), res["docs"].as_array().unwrap().len()), (Some(3), 0));

    // A wrong token is refused before the backend is asked for anything else.
    let req = common::sync_request(Some("nope"), Some("application/json"), "{}");
    call(&app, req).await.assert_refused(StatusCode::UNAUTHORIZED, "refused the token");

    // Photos go through it too.
    let hash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    let put = Request::put(format!("/api/blobs/{hash}"))
        .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
        .header(header::CONTENT_TYPE, "image/jpeg")
        .body(Body::empty())
        .unwrap();
    assert_eq!(call(&app, put).await.status, StatusCode::CREATED);
    let head = Request::head(format!("/api/blobs/{hash}")).header(header::AUTHORIZATION, format!("Bearer {TOKEN}")).body(Body::empty()).unwrap();
    let res = call(&app, head).await;
    assert_eq!((res.status, res.header(header::CONTENT_LENGTH)), (StatusCode::OK, "0"));
}
