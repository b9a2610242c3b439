//! `POST /api/sync` against the router (tower `oneshot`), with a SQLite
//! database in a temporary directory.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use common::{activity, call, fx, fx_with, id, sqlite_only, stamp, sync, sync_body, sync_request, val, with_edit};
use serde_json::{json, Value};
use xunfang_core::sync::{MAX_DOC_BYTES, MAX_PUSH_BATCH, MAX_REQUEST_BYTES};
use xunfang_core::{Activity, Document, Person};
use xunfang_server::blobs::DEFAULT_MAX_BLOB_BYTES;
use xunfang_server::store::tokens::token_hash;
use xunfang_server::store::{unix_now, Access, AdminStore, TokenKind, TokenRow};
use xunfang_server::{AppState, Cors, SyncStore};

async fn send(app: &Router, token: Option<&str>, content_type: Option<&str>, body: impl Into<Body>) -> (StatusCode, Value) {
    let (status, bytes) = send_raw(app, token, content_type, body).await;
    (status, serde_json::from_slice(&bytes).unwrap())
}

/// `send`, answering the body's bytes as they came (checked to be JSON).
async fn send_raw(app: &Router, token: Option<&str>, content_type: Option<&str>, body: impl Into<Body>) -> (StatusCode, Vec<u8>) {
    let res = call(app, sync_request(token, content_type, body)).await;
    let ct = res.header_or_empty(header::CONTENT_TYPE);
    assert!(ct.starts_with("application/json"), "{}: content type {ct:?}", res.status);
    (res.status, res.body.to_vec())
}

/// Pulls everything from `cursor` in batches of `limit`; returns the docs
/// and the final cursor.
async fn pull_all(app: &Router, token: &str, mut cursor: Option<u64>, limit: usize) -> (Vec<Value>, u64) {
    let mut docs = Vec::new();
    loop {
        let res = sync(app, token, sync_body("puller", cursor, vec![], Some(limit))).await;
        docs.extend(res["docs"].as_array().unwrap().iter().cloned());
        cursor = Some(res["cursor"].as_u64().unwrap());
        if !res["more"].as_bool().unwrap() {
            return (docs, cursor.unwrap());
        }
    }
}

fn error_of(json: &Value) -> &str {
    json["error"].as_str().unwrap_or_else(|| panic!("no error message in {json}"))
}

// ---- auth ---------------------------------------------------------------

#[tokio::test]
async fn missing_wrong_and_revoked_tokens_get_401_with_a_message() {
    let f = fx();
    let token = f.store.create_token("office", "tablet 1").unwrap();
    let body = sync_body("d", None, vec![val(&activity(1, "d", "x"))], None).to_string();

    let (status, json) = send(&f.app, None, Some("application/json"), body.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(error_of(&json).contains("Settings"), "{json}");

    let (status, json) = send(&f.app, Some("not-a-token"), Some("application/json"), body.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(error_of(&json).contains("the server refused the token"), "{json}");

    let res = Request::post("/api/sync")
        .header(header::AUTHORIZATION, format!("Basic {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.clone()))
        .unwrap();
    let res = call(&f.app, res).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert_eq!(res.headers[header::WWW_AUTHENTICATE], "Bearer");

    let (status, _) = send(&f.app, Some(&token), Some("application/json"), sync_body("d", None, vec![], None).to_string()).await;
    assert_eq!(status, StatusCode::OK);

    f.store.revoke_token(&token[..8]).unwrap();
    let (status, json) = send(&f.app, Some(&token), Some("application/json"), body).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(error_of(&json).contains("revoked"), "{json}");
    assert!(f.store.team_docs("office").unwrap().is_empty(), "nothing stored without a valid token");
}

#[tokio::test]
async fn tokens_are_stored_hashed_and_revoked_by_prefix() {
    let f = fx();
    let a = f.store.create_token("office", "tablet 1").unwrap();
    let b = f.token("office");
    assert_eq!(a.len(), 64);
    assert_ne!(a, b);
    // SQLite: the file's bytes; PostgreSQL: every column of every row as text.
    match &f.store {
        common::TestStore::Sqlite(store) => {
            let raw = std::fs::read(store.path()).unwrap();
            let wal = std::fs::read(store.path().with_extension("sqlite3-wal")).unwrap_or_default();
            for bytes in [&raw, &wal] {
                assert!(!bytes.windows(64).any(|w| w == a.as_bytes()), "the token itself is never stored");
            }
        }
        common::TestStore::Postgres(..) => {
            let found = f.store.count(&format!("SELECT count(*) FROM tokens t WHERE t::text LIKE '%{a}%'"));
            assert_eq!(found, 0, "the token itself is never stored");
        }
    }
    let list = f.store.list_tokens().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].prefix, a[..8]);
    assert_eq!(list[0].label, "tablet 1");
    assert!(f.store.revoke_token("abc").unwrap_err().to_string().contains("at least"));
    assert!(f.store.revoke_token(&format!("{}0", &a[..8])).is_err(), "a longer wrong guess matches nothing");
    let (revoked, already) = f.store.revoke_token(&a).unwrap();
    assert_eq!((revoked.team.as_str(), already), ("office", false));
    assert!(f.store.revoke_token(&a[..8]).unwrap().1, "revoking twice says so");
    assert!(f.store.team_for_token(&a).unwrap().is_none());
    assert_eq!(f.store.team_for_token(&b).unwrap().unwrap().name, "office");
}

#[tokio::test]
async fn the_token_commands_work_through_the_admin_seam() {
    let f = fx();
    let admin: &dyn AdminStore = &f.store;
    assert!(!admin.has_active_tokens().await.unwrap());
    let token = xunfang_server::store::create_token(admin, " office ", "tablet 1", TokenKind::Team).await.unwrap();
    assert!(admin.has_active_tokens().await.unwrap());
    let listed = admin.list_tokens().await.unwrap();
    assert_eq!((listed[0].team.as_str(), listed[0].label.as_str()), ("office", "tablet 1"));
    let requests: &dyn SyncStore = &f.store;
    let access = |row: Option<TokenRow>| xunfang_server::store::tokens::access(row.as_ref(), unix_now());
    let row = requests.find_token(token_hash(&token)).await.unwrap();
    assert!(matches!(access(row), Access::Sync(team) if team.name == "office"));
    let prefix = token[..8].to_string();
    let (revoked, already) = admin.revoke_token(prefix.clone(), prefix).await.unwrap();
    assert!(revoked.revoked.is_some() && !already);
    assert_eq!(access(requests.find_token(token_hash(&token)).await.unwrap()), Access::Unknown);
}

// ---- teams ----------------------------------------------------------------

#[tokio::test]
async fn teams_never_see_each_others_documents() {
    let f = fx();
    let a = f.token("office-a");
    let b = f.token("office-b");
    let in_a = activity(1, "tablet-a", "A 的记录");
    let mut in_b = activity(1, "tablet-b", "B 的记录"); // same id, other team
    in_b.body.place = "B 地".into();
    let only_a = activity(2, "tablet-a", "只在 A");

    let res = sync(&f.app, &a, sync_body("tablet-a", None, vec![val(&in_a), val(&only_a)], None)).await;
    assert_eq!(res["accepted"].as_array().unwrap().len(), 2);
    sync(&f.app, &b, sync_body("tablet-b", None, vec![val(&in_b)], None)).await;
    let res = sync(&f.app, &b, sync_body("tablet-b2", None, vec![], None)).await;
    let docs = res["docs"].as_array().unwrap();
    assert_eq!(docs.len(), 1, "B pulls only its own document: {res}");
    assert_eq!(docs[0], val(&in_b), "stored as pushed, not merged with A's copy");

    let (docs_a, _) = pull_all(&f.app, &a, None, 500).await;
    assert_eq!(docs_a, vec![val(&in_a), val(&only_a)]);
    assert_eq!(f.store.team_docs("office-a").unwrap().len(), 2);
    assert_eq!(f.store.team_docs("office-b").unwrap().len(), 1);
}

// ---- limits and bad requests --------------------------------------------

#[tokio::test]
async fn an_oversized_body_is_413_with_a_message() {
    let f = fx();
    let token = f.token("office");
    let body = format!(r#"{{"protocol":1,"device":"d","push":[],"pad":"{}"}}"#, "x".repeat(MAX_REQUEST_BYTES));
    let (status, json) = send(&f.app, Some(&token), Some("application/json"), body).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(error_of(&json).contains("8 MiB"), "{json}");
}

#[tokio::test]
async fn pushing_more_than_the_batch_limit_is_400_and_stores_nothing() {
    let f = fx();
    let token = f.token("office");
    let push: Vec<Value> = (0..=MAX_PUSH_BATCH as u32).map(|n| val(&activity(n, "d", "x"))).collect();
    let (status, json) = send(&f.app, Some(&token), Some("application/json"), sync_body("d", None, push, None).to_string()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error_of(&json).contains("batches"), "{json}");
    assert!(f.store.team_docs("office").unwrap().is_empty());
}

#[tokio::test]
async fn malformed_requests_are_400_with_what_was_wrong_and_store_nothing() {
    let f = fx();
    let token = f.token("office");
    let good_doc = val(&activity(1, "d", "x"));
    let cases: Vec<(Option<&str>, String, &str)> = vec![
        (Some("application/json"), "{\"protocol\": 1, \"device\": \"d\", \"push\": [".into(), "not a valid sync request"),
        (Some("application/json"), "[]".into(), "not a valid sync request"),
        (Some("application/json"), json!({"protocol": 1, "push": [good_doc]}).to_string(), "device"),
        (Some("application/json"), json!({"protocol": 1, "device": "d", "push": good_doc}).to_string(), "not a valid sync request"),
        (Some("application/json"), json!({"protocol": 2, "device": "d", "push": [good_doc]}).to_string(), "protocol 2"),
        (Some("application/json"), json!({"protocol": 1, "device": " ", "push": [good_doc]}).to_string(), "no device"),
        (Some("application/json"), json!({"protocol": 1, "device": "d", "cursor": -1}).to_string(), "its field \"cursor\""),
        (Some("text/plain"), sync_body("d", None, vec![good_doc.clone()], None).to_string(), "Content-Type: application/json"),
        (None, sync_body("d", None, vec![good_doc.clone()], None).to_string(), "Content-Type: application/json"),
        (Some("application/json"), "\u{feff}garbage".into(), "not a valid sync request"),
    ];
    for (ct, body, expect) in cases {
        let (status, json) = send(&f.app, Some(&token), ct, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body:.80}: {json}");
        assert!(error_of(&json).contains(expect), "{body:.80}: {json}");
    }
    // A JSON nested far deeper than any document: refused, no stack overflow. The envelope reads (each pushed
    // document is taken as raw text, skipped without recursion); the document is refused on its own when read.
    let deep = format!(r#"{{"protocol":1,"device":"d","push":[{}1{}]}}"#, "[".repeat(100_000), "]".repeat(100_000));
    let (status, json) = send(&f.app, Some(&token), Some("application/json"), deep).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!((json["accepted"].as_array().unwrap().len(), json["rejected"].as_array().unwrap().len()), (0, 1), "{json}");
    assert!(f.store.team_docs("office").unwrap().is_empty());
    // `application/…+json` is JSON too.
    let (status, _) = send(&f.app, Some(&token), Some("application/vnd.xunfang+json; charset=utf-8"), sync_body("d", None, vec![], None).to_string()).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn refusals_say_what_to_do_without_the_parsers_words() {
    let f = fx();
    let token = f.token("office");
    let cases = [
        "{\"protocol\": 1, \"device\": \"d\", \"push\": [".to_string(),
        json!({"protocol": 1, "device": "d", "cursor": "soon"}).to_string(),
        "{\"protocol\": 1,, }".to_string(),
    ];
    for body in cases {
        let (status, json) = send(&f.app, Some(&token), Some("application/json"), body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let error = error_of(&json);
        for internal in ["line ", "column", "expected", "EOF", "invalid type"] {
            assert!(!error.contains(internal), "{body}: {internal:?} in {error}");
        }
        assert!(error.contains("update the app"), "{error}");
    }
}

#[tokio::test]
async fn a_pushed_body_that_does_not_fit_its_type_is_rejected_without_the_parsers_words() {
    let f = fx();
    let token = f.token("office");
    let mut doc = val(&activity(1, "tablet-a", "视察"));
    doc["body"]["date"] = json!(17);
    let answer = f.push(&token, "tablet-a", None, vec![doc]).await;
    assert_eq!(answer["accepted"], json!([]));
    let reason = answer["rejected"][0]["reason"].as_str().unwrap();
    for internal in ["line ", "column", "expected", "invalid type"] {
        assert!(!reason.contains(internal), "{internal:?} in {reason}");
    }
    assert!(reason.contains("activity") && reason.contains("update the app"), "{reason}");
}

#[tokio::test]
async fn a_stored_copy_the_server_cannot_read_is_not_described_to_the_client() {
    let f = fx();
    let token = f.token("office");
    let doc = activity(1, "tablet-a", "视察");
    f.push(&token, "tablet-a", None, vec![val(&doc)]).await;
    f.store.execute("UPDATE docs SET json = '{damaged'");
    let edited = with_edit(&doc, "tablet-a", 50_000, |b| b.notes = "改".into());
    // From cursor 1: the damaged row is not pulled, only pushed against.
    let answer = f.push(&token, "tablet-a", Some(1), vec![val(&edited)]).await;
    let reason = answer["rejected"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("ask the administrator"), "{reason}");
    for internal in ["missing field", "line ", "column", "`"] {
        assert!(!reason.contains(internal), "{internal:?} in {reason}");
    }
}

#[tokio::test]
async fn a_pull_answer_stops_at_four_mebibytes_whatever_the_count() {
    let f = fx();
    let token = f.token("office");
    // 20 documents of ~240 KB: ~4.8 MB, far fewer than a page's 500.
    let docs: Vec<Value> = (1..=20).map(|n| val(&with_edit(&activity(n, "tablet-a", "x"), "tablet-a", 9_000, |b| b.notes = "记".repeat(80_000)))).collect();
    f.push(&token, "tablet-a", None, docs.clone()).await;
    let mut cursor = None;
    let mut seen = BTreeSet::new();
    loop {
        let (status, bytes) = send_raw(&f.app, Some(&token), Some("application/json"), sync_body("tablet-b", cursor, vec![], Some(500)).to_string()).await;
        assert_eq!(status, StatusCode::OK);
        assert!(bytes.len() <= 4 * 1024 * 1024 + 4096, "an answer of {} bytes", bytes.len());
        let page: Value = serde_json::from_slice(&bytes).unwrap();
        for doc in page["docs"].as_array().unwrap() {
            assert!(seen.insert(doc["id"].as_str().unwrap().to_string()), "sent twice");
        }
        cursor = page["cursor"].as_u64();
        if page["more"] != true {
            break;
        }
        assert!(!page["docs"].as_array().unwrap().is_empty());
    }
    assert_eq!(seen.len(), 20);
}

#[tokio::test]
async fn hostile_documents_are_rejected_one_by_one_and_the_rest_accepted() {
    let f = fx();
    let token = f.token("office");
    let good = activity(1, "d", "好");
    let mut big_but_fine = activity(2, "d", "长");
    big_but_fine.body.notes = "字".repeat((MAX_DOC_BYTES - 4096) / 3); // 3 bytes a character
    let mut too_big = val(&activity(3, "d", "太长"));
    too_big["body"]["notes"] = json!("x".repeat(MAX_DOC_BYTES));
    let mut not_uuid = val(&activity(4, "d", "x"));
    not_uuid["id"] = json!("../../etc/passwd");
    let mut unknown_type = val(&activity(5, "d", "x"));
    unknown_type["type"] = json!("meeting");
    let mut too_new = val(&activity(6, "d", "x"));
    too_new["format"] = json!(99);
    let mut nested = val(&activity(7, "d", "x"));
    let mut deep = json!(1);
    for _ in 0..100 {
        deep = json!([deep]);
    }
    nested["body"]["title"] = deep;
    let mut sql = val(&activity(8, "d", "x"));
    sql["id"] = json!("1'); DROP TABLE docs; --");
    let push = vec![val(&good), val(&big_but_fine), too_big, not_uuid, unknown_type, too_new, nested, sql, json!("just a string"), json!({"id": 5})];
    let res = f.push(&token, "d", None, push).await;
    assert_eq!(res["accepted"], json!([good.id, big_but_fine.id]), "{:.300}", res.to_string());
    let rejected = res["rejected"].as_array().unwrap();
    let reasons: Vec<(&str, &str)> = rejected.iter().map(|r| (r["id"].as_str().unwrap(), r["reason"].as_str().unwrap())).collect();
    assert_eq!(reasons.len(), 8, "{reasons:?}");
    assert!(reasons[0].1.contains("bytes, more than the limit"), "{reasons:?}");
    assert_eq!(reasons[1].0, "../../etc/passwd");
    assert!(reasons[1].1.contains("not a UUID"));
    assert!(reasons[2].1.contains("unknown document type \"meeting\""));
    assert!(reasons[3].1.contains("format 99"));
    assert!(reasons[4].1.contains("does not match the activity format"), "{reasons:?}");
    assert!(reasons[5].1.contains("not a UUID"));
    assert!(reasons[6].1.contains("JSON object"));
    assert_eq!(reasons[7].0, "5");
    let stored = f.store.team_docs("office").unwrap();
    assert_eq!(stored.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(), vec![good.id.as_str(), big_but_fine.id.as_str()]);
    assert_eq!(res["docs"], json!([]), "the two stored went in as pushed: the device has them");
    let res = f.pull(&token, "other", None, None).await;
    assert_eq!(res["docs"].as_array().unwrap().len(), 2);
    assert_eq!(res["docs"][1], val(&big_but_fine));
}

#[tokio::test]
async fn a_person_pushed_over_an_activity_of_the_same_id_is_rejected() {
    let f = fx();
    let token = f.token("office");
    let act = activity(1, "d", "x");
    let person = Document::create(id(1), Person { name: "张三".into(), ..Person::default() }, stamp("d", 5));
    f.push(&token, "d", None, vec![val(&act)]).await;
    let res = f.sync(&token, sync_body("d", None, vec![val(&person)], None)).await;
    assert_eq!(res["accepted"], json!([]));
    assert!(res["rejected"][0]["reason"].as_str().unwrap().contains("cannot merge"), "{res}");
    assert_eq!(f.store.team_docs("office").unwrap()[0].doc_type, "activity");
}

// ---- cursor, idempotence, batches ------------------------------------------

#[tokio::test]
async fn re_pushing_the_same_change_is_a_no_op() {
    let f = fx();
    let token = f.token("office");
    let doc = activity(1, "d", "x");
    let first = f.sync(&token, sync_body("d", None, vec![val(&doc)], None)).await;
    assert_eq!(first["cursor"], 1);
    let seq_before = f.store.team_docs("office").unwrap()[0].seq;
    for _ in 0..3 {
        let again = f.sync(&token, sync_body("d", Some(1), vec![val(&doc)], None)).await;
        assert_eq!(again["accepted"], json!([doc.id]), "accepted again, so the client marks it synced");
        assert_eq!(again["cursor"], 1, "no new seq");
        assert_eq!(again["docs"], json!([]));
        assert_eq!(again["more"], false);
    }
    assert_eq!(f.store.team_docs("office").unwrap()[0].seq, seq_before);
    // A document the server merged into a newer form: pushing the older
    // copy again changes nothing either.
    let mut edited = doc.clone();
    edited = with_edit(&edited, "d", 9_000, |b| b.place = "会议室".into());
    let res = f.sync(&token, sync_body("d", Some(1), vec![val(&edited)], None)).await;
    assert_eq!(res["cursor"], 2);
    let res = f.sync(&token, sync_body("d", Some(2), vec![val(&doc)], None)).await;
    assert_eq!(res["cursor"], 2, "an older copy adds nothing: {res}");
}

#[tokio::test]
async fn a_push_does_not_bring_back_what_it_sent_only_what_the_server_changed() {
    let f = fx();
    let token = f.token("office");
    let first = activity(1, "tablet-a", "走访企业");
    let second = activity(2, "tablet-a", "座谈会");
    let res = f.push(&token, "tablet-a", None, vec![val(&first), val(&second)]).await;
    assert_eq!(res["accepted"].as_array().unwrap().len(), 2, "{res}");
    assert_eq!(res["docs"], json!([]), "stored as they came: the tablet has them, they do not cross the link again");
    assert_eq!((res["cursor"].as_u64(), res["more"].as_bool()), (Some(2), Some(false)), "the cursor passes them all the same");
    let on_b = f.pull(&token, "tablet-b", None, None).await;
    assert_eq!(on_b["docs"], json!([val(&first), val(&second)]), "another device gets them");

    // B edits the second; A edits both, the second in another field: A's answer
    // holds the second as merged (not as A sent it), and not the first.
    let by_b = with_edit(&second, "tablet-b", 10_000, |b| b.notes = "座谈纪要".into());
    f.push(&token, "tablet-b", Some(2), vec![val(&by_b)]).await;
    let first_by_a = with_edit(&first, "tablet-a", 10_001, |b| b.title = "走访民营企业".into());
    let second_by_a = with_edit(&second, "tablet-a", 10_002, |b| b.place = "会议室".into());
    let res = f.push(&token, "tablet-a", Some(2), vec![val(&first_by_a), val(&second_by_a)]).await;
    let docs = res["docs"].as_array().unwrap();
    assert_eq!(docs.len(), 1, "{res}");
    let merged: Document<Activity> = serde_json::from_value(docs[0].clone()).unwrap();
    assert_eq!((merged.id.as_str(), merged.body.place.as_str(), merged.body.notes.as_str()), (id(2).as_str(), "会议室", "座谈纪要"));
    assert_eq!(res["cursor"], 5);
    let on_b = f.pull(&token, "tablet-b", Some(3), None).await;
    assert_eq!(on_b["docs"], json!([val(&first_by_a), docs[0]]), "B gets both");

    // A page of nothing but the pushed documents: empty, and the cursor moves on.
    let third = activity(3, "tablet-a", "视察");
    let fourth = activity(4, "tablet-a", "调研");
    let res = f.sync(&token, sync_body("tablet-a", Some(5), vec![val(&third), val(&fourth)], Some(1))).await;
    assert_eq!((res["docs"].clone(), res["cursor"].as_u64(), res["more"].as_bool()), (json!([]), Some(6), Some(true)), "{res}");
    let res = f.pull(&token, "tablet-a", Some(6), Some(1)).await;
    assert_eq!((res["docs"].clone(), res["cursor"].as_u64(), res["more"].as_bool()), (json!([val(&fourth)]), Some(7), Some(false)), "{res}");
}

#[tokio::test]
async fn a_client_resumes_from_its_cursor_in_batches_and_gets_each_doc_once() {
    let f = fx();
    let token = f.token("office");
    let docs: Vec<Value> = (1..=5).map(|n| val(&activity(n, "writer", &format!("记录 {n}")))).collect();
    f.sync(&token, sync_body("writer", None, docs.clone(), Some(1))).await;

    let mut cursor = None;
    let mut got = Vec::new();
    let mut rounds = Vec::new();
    loop {
        let res = f.pull(&token, "reader", cursor, Some(2)).await;
        let batch = res["docs"].as_array().unwrap().clone();
        assert!(batch.len() <= 2);
        got.extend(batch.iter().cloned());
        cursor = res["cursor"].as_u64();
        rounds.push((batch.len(), res["more"].as_bool().unwrap(), cursor.unwrap(), res["remaining"].as_u64()));
        if !res["more"].as_bool().unwrap() {
            break;
        }
    }
    assert_eq!(rounds, vec![(2, true, 2, Some(3)), (2, true, 4, Some(1)), (1, false, 5, Some(0))], "remaining says how many still wait");
    assert_eq!(got, docs, "every document exactly once, in commit order");
    let res = f.pull(&token, "reader", cursor, Some(2)).await;
    assert_eq!((res["docs"].as_array().unwrap().len(), res["cursor"].as_u64()), (0, Some(5)));

    // A later edit comes again, alone, at a new seq.
    let mut changed: Document<Activity> = serde_json::from_value(docs[0].clone()).unwrap();
    changed = with_edit(&changed, "writer", 50_000, |b| b.findings = "发现".into());
    f.push(&token, "writer", Some(5), vec![val(&changed)]).await;
    let res = f.pull(&token, "reader", Some(5), Some(2)).await;
    assert_eq!(res["docs"], json!([val(&changed)]));
    assert_eq!(res["cursor"], 6);
}

#[tokio::test]
async fn a_cursor_the_server_never_issued_gets_everything() {
    let f = fx();
    let token = f.token("office");
    let docs: Vec<Value> = (1..=3).map(|n| val(&activity(n, "d", "x"))).collect();
    f.push(&token, "d", None, docs.clone()).await;
    let res = f.pull(&token, "restored", Some(1_000_000), None).await;
    assert_eq!(res["docs"], json!(docs));
    assert_eq!(res["cursor"], 3);
}

/// The reasoning in `store/sqlite/mod.rs`: a write transaction that took seq n holds
/// SQLite's single write lock until it commits, so nobody takes n + 1 before
/// and a reader never moves past n while n is still invisible.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pull_never_skips_a_write_that_commits_late() {
    if sqlite_only("holds SQLite's write lock from a second connection; PostgreSQL's version is tests/pg_cursor.rs") {
        return;
    }
    let f = fx();
    let token = f.token("office");
    let early: Vec<Value> = (1..=2).map(|n| val(&activity(n, "early", "x"))).collect();
    f.push(&token, "early", None, early.clone()).await;

    // A slow writer (another process, say) takes seq 3 and does not commit yet.
    let late = val(&activity(3, "late", "late"));
    let db = f.store.path();
    let (taken_tx, taken_rx) = std::sync::mpsc::channel();
    let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
    let late_json = late.to_string();
    let late_id = id(3).to_string();
    let writer = std::thread::spawn(move || {
        let mut conn = rusqlite::Connection::open(db).unwrap();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).unwrap();
        let team: i64 = tx.query_row("SELECT id FROM teams WHERE name = 'office'", [], |r| r.get(0)).unwrap();
        let seq: i64 = tx.query_row("UPDATE teams SET head = head + 1 WHERE id = ?1 RETURNING head", [team], |r| r.get(0)).unwrap();
        tx.execute("INSERT INTO docs (team, id, type, json, seq) VALUES (?1, ?2, 'activity', ?3, ?4)", rusqlite::params![team, late_id, late_json, seq])
            .unwrap();
        taken_tx.send(seq).unwrap();
        go_rx.recv().unwrap();
        tx.commit().unwrap();
    });
    let late_seq = taken_rx.recv().unwrap();
    assert_eq!(late_seq, 3);

    // A reader meanwhile sees the committed state: cursor 2, not 3.
    let res = f.pull(&token, "reader", None, None).await;
    assert_eq!(res["cursor"], 2);
    assert_eq!(res["docs"], json!(early));

    // Another client pushes now: it must wait for the slow writer, so it
    // cannot take seq 4 and commit it before 3 is visible.
    let app = f.app.clone();
    let t = token.clone();
    let pusher = tokio::spawn(async move { sync(&app, &t, sync_body("pusher", Some(2), vec![val(&activity(4, "pusher", "x"))], None)).await });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!pusher.is_finished(), "a second writer waits for the first");
    let res = f.pull(&token, "reader", Some(2), None).await;
    assert_eq!(res["cursor"], 2, "nothing past 2 is visible yet: {res}");

    go_tx.send(()).unwrap();
    writer.join().unwrap();
    let pushed = pusher.await.unwrap();
    assert_eq!(pushed["docs"], json!([late]), "the late doc (not the pushed one, stored as it came): {pushed}");
    assert_eq!(pushed["cursor"], 4);

    // The reader resumes from 2 and gets the late document (seq 3) first.
    let res = f.pull(&token, "reader", Some(2), None).await;
    assert_eq!(res["docs"][0], late);
    assert_eq!(res["cursor"], 4);
}

// ---- merging and concurrency --------------------------------------------

#[tokio::test]
async fn the_server_merges_edits_of_different_fields_and_keeps_conflicts() {
    let f = fx();
    let token = f.token("office");
    let original = activity(1, "tablet-a", "走访企业");
    f.push(&token, "tablet-a", None, vec![val(&original)]).await;
    let res = f.pull(&token, "tablet-b", None, None).await;
    let mut on_b: Document<Activity> = serde_json::from_value(res["docs"][0].clone()).unwrap();
    let mut on_a = original.clone();

    // Different fields: both survive.
    on_a = with_edit(&on_a, "tablet-a", 10_000, |b| b.place = "科技园".into());
    on_b = with_edit(&on_b, "tablet-b", 10_001, |b| b.notes = "座谈".into());
    f.push(&token, "tablet-a", Some(1), vec![val(&on_a)]).await;
    let res = f.sync(&token, sync_body("tablet-b", Some(1), vec![val(&on_b)], None)).await;
    let merged: Document<Activity> = serde_json::from_value(res["docs"].as_array().unwrap().last().unwrap().clone()).unwrap();
    assert_eq!(merged.body.place, "科技园");
    assert_eq!(merged.body.notes, "座谈");
    assert!(merged.conflicts.is_empty());

    // The same field, concurrently: the later shown, the other kept.
    on_a = with_edit(&on_a, "tablet-a", 20_000, |b| b.title = "走访民营企业".into());
    on_b = with_edit(&on_b, "tablet-b", 20_001, |b| b.title = "走访科技企业".into());
    let res_a = f.sync(&token, sync_body("tablet-a", None, vec![val(&on_a)], None)).await;
    let res_b = f.sync(&token, sync_body("tablet-b", None, vec![val(&on_b)], None)).await;
    let doc: Document<Activity> = serde_json::from_value(res_b["docs"][0].clone()).unwrap();
    assert_eq!(doc.body.title, "走访科技企业");
    assert_eq!(doc.conflicts["title"].len(), 1, "{:?}", doc.conflicts);
    assert_eq!(doc.conflicts["title"][0].value, Some(json!("走访民营企业")));
    assert_eq!((doc.body.place.as_str(), doc.body.notes.as_str()), ("科技园", "座谈"));
    assert!(res_b["cursor"].as_u64() > res_a["cursor"].as_u64());
}

#[tokio::test]
async fn a_push_holding_one_document_twice_stores_the_merge_of_both_once() {
    // A store that reads all stored copies at once and writes all changes
    // in one statement must still merge the second copy against the first.
    let f = fx();
    let token = f.token("office");
    let original = activity(1, "tablet-a", "走访企业");
    f.push(&token, "tablet-a", None, vec![val(&original)]).await;
    let on_a = with_edit(&original, "tablet-a", 10_000, |b| b.place = "科技园".into());
    let on_b = with_edit(&original, "tablet-b", 10_001, |b| b.notes = "座谈".into());
    let other = activity(2, "tablet-a", "另一条");
    let res = f.sync(&token, sync_body("relay", Some(1), vec![val(&on_a), val(&other), val(&on_b)], None)).await;
    assert_eq!(res["accepted"].as_array().unwrap().len(), 3, "{res}");
    assert!(res["rejected"].as_array().unwrap().is_empty(), "{res}");
    let (docs, _) = pull_all(&f.app, &token, None, 10).await;
    let ids: BTreeSet<&str> = docs.iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!((docs.len(), ids.len()), (2, 2), "each id once: {docs:?}");
    let merged: Document<Activity> = serde_json::from_value(docs.iter().find(|d| d["id"] == json!(id(1).as_str())).unwrap().clone()).unwrap();
    assert_eq!((merged.body.place.as_str(), merged.body.notes.as_str()), ("科技园", "座谈"));
}

#[tokio::test]
async fn team_settings_saved_on_two_office_computers_merge_into_one_document_for_every_tablet() {
    use xunfang_core::attendance_rule::RuleSettings;
    use xunfang_core::template::{base_settings, team_settings_id, Template};
    let f = fx();
    let token = f.token("office");
    // Each office computer saves the settings before it has heard of the other's.
    let mut a = base_settings();
    let mut body = a.body.clone();
    body.rule = RuleSettings { warn_after: 1, remove_after: 2 };
    a.edit(body, stamp("office-a", 2_000));
    let mut b = base_settings();
    let mut body = b.body.clone();
    body.kinds.extend(Template::school_safety().kinds.into_iter().take(1));
    body.fields.extend(Template::school_safety().fields.into_iter().filter(|f| f.kind == "school_inspection"));
    b.edit(body, stamp("office-b", 2_500));
    let answer = f.push(&token, "office-a", None, vec![val(&a)]).await;
    assert_eq!(answer["accepted"], json!([team_settings_id()]));
    let answer = f.push(&token, "office-b", None, vec![val(&b)]).await;
    assert_eq!(answer["accepted"], json!([team_settings_id()]));
    let res = f.pull(&token, "tablet", None, None).await;
    let docs = res["docs"].as_array().unwrap();
    assert_eq!(docs.len(), 1, "one settings document per team");
    let merged: Document<Template> = serde_json::from_value(docs[0].clone()).unwrap();
    assert_eq!(merged.body.rule, RuleSettings { warn_after: 1, remove_after: 2 });
    assert_eq!(merged.body.kind_label("school_inspection", false), "学校安全检查");
    assert_eq!(merged.body.fields_of("school_inspection").count(), 6);
    assert!(!merged.has_conflicts(), "{:?}", merged.conflicts());

    let stray = Document::create(id(77), Template::liaison(), stamp("office-a", 3_000));
    let answer = f.push(&token, "office-a", None, vec![val(&stray)]).await;
    assert_eq!(answer["accepted"], json!([]));
    assert!(answer["rejected"][0]["reason"].as_str().unwrap().contains(team_settings_id().as_str()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_clients_lose_nothing_and_never_share_a_seq() {
    let f = fx();
    let token = f.token("office");
    let shared = activity(0, "origin", "共享");
    f.push(&token, "origin", None, vec![val(&shared)]).await;

    let mut tasks = Vec::new();
    for i in 0..8u32 {
        let app = f.app.clone();
        let token = token.clone();
        let shared = shared.clone();
        tasks.push(tokio::spawn(async move {
            let device = format!("tablet-{i}");
            let mut cursor = Some(1);
            for round in 0..5u32 {
                let mut push: Vec<Value> = (0..4).map(|k| val(&activity(1000 + i * 100 + round * 10 + k, &device, "own"))).collect();
                // Each device edits its own field of the shared document.
                let mut mine = shared.clone();
                let mut body = mine.body.clone();
                match i {
                    0 => body.title = format!("t{round}"),
                    1 => body.place = format!("p{round}"),
                    2 => body.organiser = format!("o{round}"),
                    3 => body.notes = format!("n{round}"),
                    4 => body.findings = format!("f{round}"),
                    5 => body.follow_up = format!("u{round}"),
                    6 => body.kind = format!("k{round}"),
                    _ => body.other_attendees = round + 1,
                }
                mine.edit(body, stamp(&device, 100_000 + round as u64));
                push.push(val(&mine));
                let res = sync(&app, &token, sync_body(&device, cursor, push, Some(3))).await;
                assert_eq!(res["accepted"].as_array().unwrap().len(), 5);
                cursor = res["cursor"].as_u64();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }

    let stored = f.store.team_docs("office").unwrap();
    assert_eq!(stored.len(), 1 + 8 * 5 * 4);
    let seqs: BTreeSet<u64> = stored.iter().map(|d| d.seq).collect();
    assert_eq!(seqs.len(), stored.len(), "no two documents share a seq");
    let (docs, cursor) = pull_all(&f.app, &token, None, 7).await;
    assert_eq!(docs.len(), stored.len());
    assert_eq!(cursor, *seqs.last().unwrap());
    let by_id: BTreeMap<&str, &Value> = docs.iter().map(|d| (d["id"].as_str().unwrap(), d)).collect();
    let merged: Document<Activity> = serde_json::from_value(by_id[shared.id.as_str()].clone().clone()).unwrap();
    let b = &merged.body;
    assert_eq!(
        (
            b.title.as_str(),
            b.place.as_str(),
            b.organiser.as_str(),
            b.notes.as_str(),
            b.findings.as_str(),
            b.follow_up.as_str(),
            b.kind.as_str(),
            b.other_attendees
        ),
        ("t4", "p4", "o4", "n4", "f4", "u4", "k4", 5),
        "every device's last edit is in the merged document"
    );
}

// ---- CORS -------------------------------------------------------------------

#[tokio::test]
async fn cors_is_off_by_default_and_allows_configured_origins() {
    let preflight = |origin: &str| {
        Request::options("/api/sync")
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "authorization, content-type")
            .body(Body::empty())
            .unwrap()
    };
    let f = fx();
    let res = call(&f.app, preflight("https://app.example.org")).await;
    assert!(res.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());

    let cors = Cors::from_args(&["https://app.example.org".into()]).unwrap();
    let f = fx_with(&cors, DEFAULT_MAX_BLOB_BYTES);
    let res = call(&f.app, preflight("https://app.example.org")).await;
    assert!(res.status.is_success(), "{}", res.status);
    assert_eq!(res.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "https://app.example.org");
    let allowed = res.headers[header::ACCESS_CONTROL_ALLOW_HEADERS].to_str().unwrap().to_ascii_lowercase();
    assert!(allowed.contains("authorization") && allowed.contains("content-type"), "{allowed}");
    let res = call(&f.app, preflight("https://evil.example")).await;
    assert!(res.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
    // An error answer carries the header too, so the app can read the message.
    let req = Request::post("/api/sync").header(header::ORIGIN, "https://app.example.org").body(Body::empty()).unwrap();
    let res = call(&f.app, req).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert_eq!(res.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "https://app.example.org");

    assert_eq!(Cors::from_args(&["*".into(), "https://x.org".into()]).unwrap(), Cors::Any);
    assert!(Cors::from_args(&["app.example.org".into()]).unwrap_err().contains("scheme://host"));
    assert!(Cors::from_args(&["https://app.example.org/path".into()]).is_err());
}

#[tokio::test]
async fn without_a_database_sync_is_503_json() {
    let dir = tempfile::tempdir().unwrap();
    let app = xunfang_server::router(dir.path());
    let (status, json) = send(&app, Some("x"), Some("application/json"), "{}").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(error_of(&json).contains("sync"));
}

#[tokio::test]
async fn the_database_survives_a_restart() {
    let f = fx();
    let token = f.token("office");
    f.push(&token, "d", None, vec![val(&activity(1, "d", "x"))]).await;
    let store = f.store.reopen();
    drop(f.app);
    drop(f.store);
    let app = xunfang_server::app(AppState::new(f.dir.path()).with_store(store), &Cors::SameOrigin);
    let res = sync(&app, &token, sync_body("d", Some(1), vec![val(&activity(2, "d", "y"))], None)).await;
    assert_eq!(res["cursor"], 2, "the sequence continues after a restart");
}

#[tokio::test]
async fn fields_this_server_does_not_know_are_kept_when_nothing_needs_merging() {
    let f = fx();
    let token = f.token("office");
    let doc = activity(1, "newer-app", "x");
    let mut from_newer_app = val(&doc);
    from_newer_app["body"]["weather"] = json!({"sky": "sunny", "temp_c": 21});
    from_newer_app["future"] = json!(true);
    f.sync(&token, sync_body("newer-app", None, vec![from_newer_app.clone()], None)).await;
    let res = f.pull(&token, "other", None, None).await;
    assert_eq!(res["docs"], json!([from_newer_app]), "stored whole, returned unchanged");
    // A newer copy from that app (merge result = the pushed copy) keeps them too.
    let mut edited = doc.clone();
    edited = with_edit(&edited, "newer-app", 90_000, |b| b.title = "y".into());
    let mut edited = val(&edited);
    edited["body"]["weather"] = json!({"sky": "rain", "temp_c": 18});
    f.sync(&token, sync_body("newer-app", Some(1), vec![edited.clone()], None)).await;
    let res = f.pull(&token, "other", Some(1), None).await;
    assert_eq!(res["docs"], json!([edited]));
}

#[tokio::test]
async fn a_pushed_document_is_stored_and_pulled_as_the_exact_text_that_came() {
    let f = fx();
    let token = f.token("office");
    // Not as a `Value` writes it: fields in the struct's order (not sorted), with line breaks and indents.
    let text = serde_json::to_string_pretty(&activity(1, "d", "视察")).unwrap();
    assert_ne!(text, val(&activity(1, "d", "视察")).to_string());
    let body = format!(r#"{{"protocol":1,"device":"d","push":[{text}],"reads_format":2}}"#);
    let (status, answer) = send(&f.app, Some(&token), Some("application/json"), body).await;
    assert_eq!((status, answer["accepted"].as_array().unwrap().len()), (StatusCode::OK, 1), "{answer}");
    assert_eq!(f.store.team_docs("office").unwrap()[0].json, text, "stored byte for byte");
    let (_, bytes) = send_raw(&f.app, Some(&token), Some("application/json"), sync_body("other", None, vec![], None).to_string()).await;
    assert!(String::from_utf8(bytes).unwrap().contains(&format!("\"docs\":[{text}]")), "pulled byte for byte");
}

#[tokio::test]
async fn pulled_documents_are_the_stored_text_and_the_answer_is_the_protocols() {
    let f = fx();
    let token = f.token("office");
    let mut docs: Vec<Value> = (1..=3).map(|n| val(&activity(n, "d", "视察 \"引号\" \\ \u{1}"))).collect();
    docs[1]["body"]["weather"] = json!({"temp_c": -2.5, "sky": "雪"});
    let pushed = f.sync(&token, sync_body("d", None, docs.clone(), Some(2))).await;
    assert_eq!(pushed["more"], true);

    let pull = sync_body("other", None, vec![], Some(2)).to_string();
    let (status, bytes) = send_raw(&f.app, Some(&token), Some("application/json"), pull).await;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8(bytes).unwrap();
    // Each document exactly as stored, in commit order.
    let stored = f.store.team_docs("office").unwrap();
    let expected = format!("[{},{}]", stored[0].json, stored[1].json);
    assert!(text.contains(&format!("\"docs\":{expected}")), "{text}");
    // And the whole answer is what serialising the protocol's type gives.
    let parsed: xunfang_core::sync::SyncResponse = serde_json::from_str(&text).unwrap();
    assert_eq!(serde_json::to_string(&parsed).unwrap(), text);
    let parsed_docs: Vec<Value> = parsed.docs.iter().map(|d| serde_json::from_str(d.get()).unwrap()).collect();
    assert_eq!(parsed_docs, docs[..2].to_vec());
    assert_eq!((parsed.cursor, parsed.more, parsed.remaining), (2, true, Some(1)));
}

#[tokio::test]
async fn a_damaged_stored_document_is_a_500_not_a_broken_answer() {
    let f = fx();
    let token = f.token("office");
    f.push(&token, "d", None, vec![val(&activity(1, "d", "x"))]).await;
    f.store.execute("UPDATE docs SET json = '{\"id\": broken'");
    let (status, json) = send(&f.app, Some(&token), Some("application/json"), sync_body("other", None, vec![], None).to_string()).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(error_of(&json).contains("database"), "{json}");
}
