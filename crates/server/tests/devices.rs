//! Per-device tokens, admin tokens and set-up codes: the schema step from a
//! schema 1 file, the devices API (`/api/devices…`) end to end through the
//! router, and each sync as the device list records it (a push in its own
//! transaction, a pull after its snapshot), on the suite's database.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{activity, call, fx, sync_body, try_sync, val, Fx, Res};
use serde_json::{json, Value};
use xunfang_core::clock::{ClockBound, DEFAULT_MAX_SKEW_MILLIS};
use xunfang_core::sync::validate_pushed_json;
use xunfang_core::{Activity, Document};
use xunfang_server::store::tokens::{token_hash, NewSetupCode};
use xunfang_server::store::{unix_now, DeviceStore, Pull, Pushed, QuotaExceeded, SyncedBy, TokenKind};
use xunfang_server::{SqliteStore, SyncStore, Team};

/// A request to the devices API with `token` (if any) and a JSON `body` (if any).
async fn api(f: &Fx, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> Res {
    let mut req = Request::builder().method(method).uri(path);
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let body = match body {
        Some(b) => {
            req = req.header(header::CONTENT_TYPE, "application/json");
            Body::from(b.to_string())
        }
        None => Body::empty(),
    };
    call(&f.app, req.body(body).unwrap()).await
}

fn admin(f: &Fx, team: &str) -> String {
    f.store.create_token_of(team, "office pc", TokenKind::Admin).unwrap()
}

/// Adds a tablet called `label` as `admin`; its set-up code.
async fn add_tablet(f: &Fx, admin: &str, label: &str) -> String {
    let res = api(f, "POST", "/api/devices", Some(admin), Some(json!({ "label": label }))).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let answer = res.json();
    let code = answer["code"].as_str().unwrap().to_string();
    assert_eq!(answer["link"], format!("/#setup={code}"), "the code travels in the fragment, never the query");
    code
}

/// Claims `code`; the device token.
async fn claim(f: &Fx, code: &str) -> String {
    let res = api(f, "POST", "/api/devices/claim", None, Some(json!({ "code": code }))).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    res.json()["token"].as_str().unwrap().to_string()
}

async fn devices(f: &Fx, admin: &str) -> Vec<Value> {
    let res = api(f, "GET", "/api/devices", Some(admin), None).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    res.json()["devices"].as_array().unwrap().clone()
}

/// Writes a database as the schema 1 release did, at `path`: team
/// "office" with the team token `"a" × 64` and one document; that document's text.
fn schema_1_file(path: &std::path::Path) -> String {
    let token = "a".repeat(64);
    // That release wrote document format 1.
    let doc = activity(1, "tablet-a", "village meeting").to_json_format1();
    {
        let conn = rusqlite::Connection::open(path).unwrap();
        conn.execute_batch(include_str!("fixtures/schema-1.sql")).unwrap();
        conn.execute_batch(
            "INSERT INTO teams (id, name, head, created) VALUES (1, 'office', 1, 100);
             INSERT INTO meta (key, value) VALUES ('epoch', 'e1'), ('legacy_cursors', 'yes');
             PRAGMA user_version = 1;",
        )
        .unwrap();
        conn.execute("INSERT INTO tokens (hash, prefix, team, label, created) VALUES (?1, 'aaaaaaaa', 1, 'shared', 100)", [token_hash(&token)]).unwrap();
        conn.execute("INSERT INTO docs (team, id, type, json, seq) VALUES (1, ?1, 'activity', ?2, 1)", [common::id(1).to_string(), doc.clone()]).unwrap();
    }
    doc
}

#[tokio::test]
async fn a_schema_1_file_opens_without_loss_and_its_team_tokens_keep_syncing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("xunfang.sqlite3");
    let token = "a".repeat(64);
    let doc = schema_1_file(&path);
    let store = SqliteStore::open(&path).unwrap();
    let version: i64 = rusqlite::Connection::open(&path).unwrap().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, 3, "every step after schema 1 ran (2: devices, 3: photo marks)");
    let listed = store.list_tokens().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0].kind, listed[0].label.as_str(), listed[0].created, listed[0].revoked), (Some(TokenKind::Team), "shared", 100, None));
    assert_eq!(store.epoch().unwrap().id, "e1", "the epoch is kept: tablets' cursors still count");
    drop(store);

    // The same file served: the old token pulls the old document, byte for byte.
    let f = common::fx_on(&path);
    let res = try_sync(&f.app, &token, sync_body("tablet-a", None, vec![], None)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let text = res.text();
    assert!(text.contains(&doc), "{text}");
    assert!(f.store.list_tokens().unwrap()[0].last_sync.is_some(), "its sync is recorded");
    // Opening again takes no step twice.
    drop(f);
    SqliteStore::open(&path).unwrap();
}

#[tokio::test]
async fn a_backup_made_at_schema_1_restores_with_its_tokens() {
    if common::sqlite_only("a backup file and restore are SQLite's; PostgreSQL uses pg_dump") {
        return;
    }
    let f = fx();
    let old = f.dir.path().join("old-backup.sqlite3");
    schema_1_file(&old);
    f.store.sqlite().restore_from(&old).unwrap();
    let token = "a".repeat(64);
    assert_eq!(f.store.list_tokens().unwrap()[0].kind, Some(TokenKind::Team));
    assert_eq!(try_sync(&f.app, &token, sync_body("tablet-a", None, vec![], None)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn two_tablets_claiming_one_code_at_once_get_one_token() {
    let f = fx();
    let admin = admin(&f, "office");
    let code = add_tablet(&f, &admin, "tablet").await;
    let body = || Some(json!({ "code": code }));
    let (a, b) = tokio::join!(api(&f, "POST", "/api/devices/claim", None, body()), api(&f, "POST", "/api/devices/claim", None, body()));
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::GONE]);
    assert_eq!(devices(&f, &admin).await.len(), 1);
}

#[tokio::test]
async fn an_admin_adds_a_tablet_that_claims_its_code_once_and_syncs() {
    let f = fx();
    let admin = admin(&f, "office");
    assert!(devices(&f, &admin).await.is_empty(), "the admin token itself is no device");
    let code = add_tablet(&f, &admin, " tablet 3 ").await;
    let token = claim(&f, &code).await;
    let again = api(&f, "POST", "/api/devices/claim", None, Some(json!({ "code": code }))).await;
    again.assert_refused(StatusCode::GONE, "already set up a tablet");
    assert_eq!(again.json()["reason"], "setup_used");

    let push = vec![val(&activity(1, "tablet-3", "well repair"))];
    let res = try_sync(&f.app, &token, json!({"protocol": 1, "device": "tablet-3", "push": push, "waiting": 4})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(f.store.team_docs("office").unwrap().len(), 1, "the device token syncs with the admin's team");

    let list = devices(&f, &admin).await;
    assert_eq!(list.len(), 1);
    let tablet = &list[0];
    assert_eq!((tablet["label"].as_str(), tablet["kind"].as_str(), tablet["id"].as_str()), (Some("tablet 3"), Some("device"), Some(&token[..8])));
    assert_eq!(tablet["waiting"], 4, "what it still had queued at that sync");
    assert!(tablet["last_sync"].as_i64().is_some() && tablet["last_used"].as_i64().is_some() && tablet["revoked"].is_null(), "{tablet}");
    // The file's bytes are SQLite's; PostgreSQL keeps the same columns.
    if let common::TestStore::Sqlite(store) = &f.store {
        let raw = std::fs::read(store.path()).unwrap();
        let wal = std::fs::read(store.path().with_extension("sqlite3-wal")).unwrap_or_default();
        for secret in [&code, &token] {
            assert!(![&raw, &wal].iter().any(|b| b.windows(64).any(|w| w == secret.as_bytes())), "codes and tokens are stored hashed");
        }
    }
}

#[tokio::test]
async fn a_lost_tablet_is_revoked_alone_and_told_its_access_was_withdrawn() {
    let f = fx();
    let admin = admin(&f, "office");
    let shared = f.token("office");
    let lost = claim(&f, &add_tablet(&f, &admin, "lost").await).await;
    let kept = claim(&f, &add_tablet(&f, &admin, "kept").await).await;
    let res = api(&f, "POST", &format!("/api/devices/{}/revoke", &lost[..8]), Some(&admin), None).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert!(res.json()["device"]["revoked"].as_i64().is_some());

    let refused = try_sync(&f.app, &lost, sync_body("lost", None, vec![], None)).await;
    refused.assert_refused(StatusCode::UNAUTHORIZED, "withdrawn");
    assert!(refused.error().contains("records stay on it"), "{}", refused.error());
    assert_eq!(refused.json()["reason"], "withdrawn", "the app words it in its own language");
    for other in [&kept, &shared] {
        assert_eq!(try_sync(&f.app, other, sync_body("x", None, vec![], None)).await.status, StatusCode::OK, "the others are untouched");
    }
    let list = devices(&f, &admin).await;
    assert_eq!(list.len(), 3, "team-wide tokens are listed too, to be moved off");
    assert_eq!(list.iter().filter(|d| !d["revoked"].is_null()).count(), 1);
}

#[tokio::test]
async fn admin_tokens_manage_only_their_team_and_never_sync() {
    let f = fx();
    let office = admin(&f, "office");
    let other = admin(&f, "other");
    let tablet = claim(&f, &add_tablet(&f, &office, "tablet").await).await;
    let res = api(&f, "POST", &format!("/api/devices/{}/revoke", &tablet[..8]), Some(&other), None).await;
    res.assert_refused(StatusCode::BAD_REQUEST, "no device with this id");
    assert_eq!(try_sync(&f.app, &tablet, sync_body("t", None, vec![], None)).await.status, StatusCode::OK, "another team's admin changed nothing");
    assert!(devices(&f, &other).await.is_empty());

    try_sync(&f.app, &office, sync_body("pc", None, vec![], None)).await.assert_refused(StatusCode::FORBIDDEN, "admin token");
    api(&f, "GET", "/api/devices", Some(&tablet), None).await.assert_refused(StatusCode::FORBIDDEN, "cannot manage devices");
    api(&f, "GET", "/api/devices", None, None).await.assert_refused(StatusCode::UNAUTHORIZED, "missing");
    let revoked_admin = f.store.revoke_token(&office).unwrap();
    assert!(!revoked_admin.1);
    api(&f, "GET", "/api/devices", Some(&office), None).await.assert_refused(StatusCode::UNAUTHORIZED, "refused the token");
}

#[tokio::test]
async fn expired_codes_and_tokens_and_hostile_bodies_are_refused_with_what_to_do() {
    let f = fx();
    let admin = admin(&f, "office");
    let team = f.store.find_token(token_hash(&admin)).await.unwrap().unwrap().team;
    let now = unix_now();
    let stale = NewSetupCode {
        code: String::new(),
        hash: token_hash(&"b".repeat(64)),
        label: "late".into(),
        device_expires: None,
        created: now - 100,
        expires: now - 1,
    };
    f.store.add_setup_code(team.clone(), stale).await.unwrap();
    let res = api(&f, "POST", "/api/devices/claim", None, Some(json!({ "code": "b".repeat(64) }))).await;
    res.assert_refused(StatusCode::GONE, "expired");
    assert_eq!(res.json()["reason"], "setup_expired");
    api(&f, "POST", "/api/devices/claim", None, Some(json!({ "code": "c".repeat(64) }))).await.assert_refused(StatusCode::NOT_FOUND, "not known");
    api(&f, "POST", "/api/devices/claim", None, Some(json!({ "code": "../../etc" }))).await.assert_refused(StatusCode::NOT_FOUND, "not known");
    api(&f, "POST", "/api/devices/claim", None, Some(json!({ "kode": 1 }))).await.assert_refused(StatusCode::BAD_REQUEST, "JSON object like");

    // A tablet whose token has expired is told so.
    let ended = NewSetupCode {
        code: String::new(),
        hash: token_hash(&"d".repeat(64)),
        label: "ended".into(),
        device_expires: Some(now - 1),
        created: now,
        expires: now + 60,
    };
    f.store.add_setup_code(team, ended).await.unwrap();
    let token = claim(&f, &"d".repeat(64)).await;
    try_sync(&f.app, &token, sync_body("t", None, vec![], None)).await.assert_refused(StatusCode::UNAUTHORIZED, "expired");

    let add = |body: Value| api(&f, "POST", "/api/devices", Some(&admin), Some(body));
    add(json!({ "label": "  " })).await.assert_refused(StatusCode::BAD_REQUEST, "name");
    add(json!({ "label": "x".repeat(81) })).await.assert_refused(StatusCode::BAD_REQUEST, "at most 80");
    add(json!({ "label": "t", "expires": now - 5 })).await.assert_refused(StatusCode::BAD_REQUEST, "already passed");
    add(json!({ "label": "x".repeat(5000) })).await.assert_refused(StatusCode::BAD_REQUEST, "longer than");
    let bad_id = api(&f, "POST", "/api/devices/ZZZZ'--/revoke", Some(&admin), None).await;
    bad_id.assert_refused(StatusCode::BAD_REQUEST, "8 characters");
}

#[tokio::test]
async fn a_sync_may_say_what_waits_but_not_nonsense() {
    let f = fx();
    let token = f.token("office");
    for waiting in [json!(-1), json!("7"), json!(1.5)] {
        let res = try_sync(&f.app, &token, json!({"protocol": 1, "device": "t", "waiting": waiting})).await;
        res.assert_refused(StatusCode::BAD_REQUEST, "\"waiting\"");
    }
    let res = try_sync(&f.app, &token, json!({"protocol": 1, "device": "t", "waiting": 20_000_000u64})).await;
    res.assert_refused(StatusCode::BAD_REQUEST, "waiting");
}

// ---- the sync as the device list records it --------------------------------

/// Each document as the store is given it, validated as the sync handler does.
fn pushed(docs: &[Document<Activity>]) -> Vec<Pushed> {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64;
    let bound = ClockBound::new(now, DEFAULT_MAX_SKEW_MILLIS);
    docs.iter()
        .map(|doc| {
            let text = serde_json::to_string(doc).unwrap();
            Pushed { doc: validate_pushed_json(&text, bound).unwrap(), text, current_format: true }
        })
        .collect()
}

fn from_start() -> Pull {
    Pull { cursor: None, epoch: None, limit: 100, max_bytes: usize::MAX }
}

/// The only device of `team`: its `(last_sync, last_used, waiting)`.
async fn recorded(f: &Fx, team: &Team) -> (Option<i64>, Option<i64>, Option<u64>) {
    let list = f.store.team_devices(team.clone()).await.unwrap();
    assert_eq!(list.len(), 1);
    (list[0].last_sync, list[0].last_used, list[0].waiting)
}

#[tokio::test]
async fn a_push_records_its_sync_in_the_device_list_in_its_own_transaction() {
    let f = fx();
    let token = f.token("office");
    let team = f.store.team_for_token(&token).unwrap().unwrap();
    let by = SyncedBy { token: token_hash(&token), at: 1_000, waiting: Some(4) };
    let synced = f.store.sync(team.clone(), pushed(&[activity(1, "t", "well")]), from_start(), 100, by).await.unwrap().unwrap();
    assert!(synced.recorded, "the store says it recorded the sync: the caller writes nothing after");
    assert_eq!(recorded(&f, &team).await, (Some(1_000), Some(1_000), Some(4)), "last sync, last use and what waits, with the push's commit");

    // A push that changes nothing writes in its transaction all the same.
    let by = SyncedBy { token: token_hash(&token), at: 2_000, waiting: Some(0) };
    let synced = f.store.sync(team.clone(), pushed(&[activity(1, "t", "well")]), from_start(), 100, by).await.unwrap().unwrap();
    assert!(synced.recorded);
    assert_eq!(recorded(&f, &team).await, (Some(2_000), Some(2_000), Some(0)));

    // A pull's read-only snapshot leaves it to the caller.
    let by = SyncedBy { token: token_hash(&token), at: 3_000, waiting: Some(1) };
    let synced = f.store.sync(team.clone(), Vec::new(), from_start(), 100, by).await.unwrap().unwrap();
    assert!(!synced.recorded);
    assert_eq!(recorded(&f, &team).await, (Some(2_000), Some(2_000), Some(0)), "not recorded by the snapshot");
}

#[tokio::test]
async fn a_push_refused_at_the_quota_records_no_sync() {
    let f = fx();
    let token = f.token("office");
    let team = f.store.team_for_token(&token).unwrap().unwrap();
    let by = SyncedBy { token: token_hash(&token), at: 1_000, waiting: Some(4) };
    f.store.sync(team.clone(), pushed(&[activity(1, "t", "well")]), from_start(), 1, by).await.unwrap().unwrap();
    let by = SyncedBy { token: token_hash(&token), at: 2_000, waiting: Some(9) };
    let refused = f.store.sync(team.clone(), pushed(&[activity(2, "t", "road")]), from_start(), 1, by).await.unwrap();
    assert!(matches!(refused, Err(QuotaExceeded(1))), "{refused:?}");
    // Rolled back whole: the office sees the last sync that got through, and what waited then.
    assert_eq!(recorded(&f, &team).await, (Some(1_000), Some(1_000), Some(4)));
    assert_eq!(f.store.team_docs("office").unwrap().len(), 1);

    // Through the router: the push is answered as refused, and nothing of it is recorded.
    let quota = common::fx_limits(xunfang_server::limits::Limits { max_team_docs: 1, ..Default::default() });
    let token = quota.token("office");
    let team = quota.store.team_for_token(&token).unwrap().unwrap();
    let res = try_sync(&quota.app, &token, json!({"protocol": 1, "device": "t", "push": [val(&activity(1, "t", "x"))], "waiting": 2})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    // That sync as if long ago, to tell it from one now.
    quota.store.execute("UPDATE tokens SET last_sync = 5");
    let res = try_sync(&quota.app, &token, json!({"protocol": 1, "device": "t", "push": [val(&activity(2, "t", "y"))], "waiting": 3})).await;
    res.assert_refused(StatusCode::INSUFFICIENT_STORAGE, "limit of 1 documents");
    let (last_sync, _, waiting) = recorded(&quota, &team).await;
    assert_eq!((last_sync, waiting), (Some(5), Some(2)), "neither the sync nor what waits is recorded");
}

#[tokio::test]
async fn a_pull_is_recorded_in_the_device_list_after_its_snapshot() {
    let f = fx();
    let token = f.token("office");
    let team = f.store.team_for_token(&token).unwrap().unwrap();
    let res = try_sync(&f.app, &token, json!({"protocol": 1, "device": "t", "waiting": 2})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let (last_sync, last_used, waiting) = recorded(&f, &team).await;
    assert!(last_sync.is_some() && last_used.is_some(), "a pull is a sync");
    assert_eq!(waiting, Some(2));

    // A push whose every document is refused before the store sees it is a pull for the store.
    let res = try_sync(&f.app, &token, json!({"protocol": 1, "device": "t", "push": [{"id": "not a document"}], "waiting": 5})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["rejected"].as_array().unwrap().len(), 1);
    assert_eq!(recorded(&f, &team).await.2, Some(5), "recorded after the snapshot");
}

#[tokio::test]
async fn a_push_never_waits_for_a_token_row_another_write_holds() {
    if common::backend::pg_cluster().is_none() {
        return;
    }
    let f = fx();
    let common::TestStore::Postgres(_, url) = &f.store else { unreachable!("the suite runs on PostgreSQL") };
    let token = f.token("office");
    let team = f.store.team_for_token(&token).unwrap().unwrap();
    // As a revoke does: the token's row locked, in a transaction left open.
    let revoking = common::backend::connect(url).await;
    revoking.batch_execute("BEGIN").await.unwrap();
    revoking.query("SELECT hash FROM tokens WHERE hash = $1 FOR UPDATE", &[&token_hash(&token)]).await.unwrap();
    let by = SyncedBy { token: token_hash(&token), at: 1_000, waiting: Some(4) };
    let push = f.store.sync(team.clone(), pushed(&[activity(1, "t", "well")]), from_start(), 100, by);
    let synced = tokio::time::timeout(std::time::Duration::from_secs(60), push).await.expect("the push did not wait for the row").unwrap().unwrap();
    assert_eq!(synced.pushed.len(), 1);
    assert_eq!(f.store.team_docs("office").unwrap().len(), 1, "committed");
    assert_eq!(recorded(&f, &team).await, (None, None, None), "skipped, as after a pull: the next sync records it");
    revoking.batch_execute("ROLLBACK").await.unwrap();

    let by = SyncedBy { token: token_hash(&token), at: 2_000, waiting: Some(0) };
    f.store.sync(team.clone(), pushed(&[activity(2, "t", "road")]), from_start(), 100, by).await.unwrap().unwrap();
    assert_eq!(recorded(&f, &team).await, (Some(2_000), Some(2_000), Some(0)));
}
