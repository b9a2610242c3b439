//! The passcode's bulk work in a real browser (wasm-bindgen-test in headless
//! Chromium): Web Crypto opens what wasm sealed, and refuses what is damaged;
//! a pulled page sealed ahead through Web Crypto is stored sealed, and what
//! changed locally in between is merged and sealed again in the write; values
//! are stored compressed and those of the previous release still open.

use wasm_bindgen_test::*;
use xunfang::storage::{crypto, schema, Db, StoreErrorKind};
use xunfang_core::clock::{DeviceId, Hlc, Stamp};
use xunfang_core::sync::AnyDoc;
use xunfang_core::sync_client::{Cursor, LocalStore, Received};
use xunfang_core::vault::{Key, LockPolicy, SecretKind, WrappedKey, ENVELOPE_PACKED, ENVELOPE_VERSION, IV_LEN};
use xunfang_core::{Activity, Document, Id};

const SECRET: &str = "correct horse battery";

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn rows_sealed_in_wasm_open_all_at_once_and_a_damaged_or_short_envelope_is_refused() {
    unlocked_with_passcode().await;
    let _ = rexie::Rexie::delete("t-vault").await;
    let db = Db::open("t-vault").await.expect("IndexedDB opens in the test browser");
    let stamp = Stamp { hlc: Hlc { millis: 1, counter: 0 }, device: DeviceId("test-tablet".into()) };
    let doc = Document::create(Id::new_v7(1_700_000_000_001, [1; 10]), Activity { title: "巡回审判".into(), ..Activity::default() }, stamp);
    db.put(&doc).await.expect("stored");

    drop(db);
    let rexie = schema::current("t-vault").build().await.expect("reopens");
    let tx = rexie.transaction(&[schema::ACTIVITY_ROWS], rexie::TransactionMode::ReadOnly).expect("a read");
    let stored = tx.store(schema::ACTIVITY_ROWS).expect("rows").get_all(None, None).await.expect("rows read");
    drop(tx);
    rexie.close();
    let good = crypto::sealed_array(&stored[0]).expect("the row is sealed");
    assert!(!String::from_utf8_lossy(&good.to_vec()).contains("巡回审判"), "nothing readable in the clear");
    let damaged = js_sys::Uint8Array::new(&good.slice(0, good.length()));
    let last = damaged.length() - 1;
    damaged.set_index(last, damaged.get_index(last) ^ 1);
    let short = good.slice(0, 20);
    let other_version = js_sys::Uint8Array::new(&good.slice(0, good.length()));
    other_version.set_index(0, 9);

    let opened = crypto::open_all(&[Some(good), None, Some(damaged), Some(short), Some(other_version)]).await.expect("unlocked");
    let json = opened[0].as_ref().expect("sealed").as_ref().expect("opens with the right key");
    assert!(String::from_utf8_lossy(json).contains("巡回审判"));
    assert!(opened[1].is_none(), "a value stored as it is stays as it is");
    for (i, refused) in opened[2..].iter().enumerate() {
        let e = refused.as_ref().expect("sealed").as_ref().expect_err("refused");
        assert_eq!(e.kind, StoreErrorKind::Unreadable, "envelope {i}");
        assert!(e.detail.contains("stored value"), "a message, not a dump: {}", e.detail);
    }

    crypto::lock();
    assert!(crypto::open_all(&[crypto::sealed_array(&stored[0])]).await.is_err(), "nothing opens while locked");
}

/// A passcode set and the tablet unlocked, whichever test of this file runs first.
async fn unlocked_with_passcode() {
    if !crypto::passcode_set() {
        crypto::set_passcode(SecretKind::Passcode, SECRET, LockPolicy::default()).await.expect("a passcode is set");
    } else if !crypto::unlocked() {
        assert_eq!(crypto::unlock(SECRET).await.expect("tried"), crypto::Unlock::Open);
    }
}

fn stamp(ms: u64, device: &str) -> Stamp {
    Stamp { hlc: Hlc { millis: ms, counter: 0 }, device: DeviceId(device.into()) }
}

fn activity(n: u64, title: &str, device: &str) -> Document<Activity> {
    Document::create(Id::new_v7(1_700_000_000_000 + n, [n as u8; 10]), Activity { title: title.into(), ..Activity::default() }, stamp(n, device))
}

fn edited(doc: &Document<Activity>, ms: u64, device: &str, change: impl FnOnce(&mut Activity)) -> Document<Activity> {
    let (mut doc, mut body) = (doc.clone(), doc.body.clone());
    change(&mut body);
    doc.edit(body, stamp(ms, device));
    doc
}

/// Every value of `store` as the browser holds it.
async fn raw(name: &str, store: &str) -> Vec<wasm_bindgen::JsValue> {
    let rexie = schema::current(name).build().await.expect("reopens");
    let tx = rexie.transaction(&[store], rexie::TransactionMode::ReadOnly).expect("a read");
    let values = tx.store(store).expect("store").get_all(None, None).await.expect("read");
    drop(tx);
    rexie.close();
    values
}

#[wasm_bindgen_test]
async fn a_page_sealed_ahead_is_stored_sealed_and_a_record_changed_in_between_is_merged_again() {
    unlocked_with_passcode().await;
    let _ = rexie::Rexie::delete("t-ahead").await;
    let db = Db::open("t-ahead").await.expect("IndexedDB opens in the test browser");
    // Stored here and sent; then the office changed its place.
    let a = activity(1, "巡回审判", "test-tablet");
    db.put(&a).await.expect("stored");
    db.confirm(&[(a.id.clone(), a.updated.clone())]).await.expect("confirmed");
    let a_remote = edited(&a, 90, "office", |b| b.place = "县政协会议室".into());
    // New from the office: one left alone meanwhile, one whose id a record made here takes meanwhile.
    let (b, c) = (activity(2, "走访委员企业", "office"), activity(3, "座谈会", "office"));
    let page = || vec![Received::of(AnyDoc::Activity(a_remote.clone())), Received::of(AnyDoc::Activity(b.clone())), Received::of(AnyDoc::Activity(c.clone()))];

    let ahead = db.seal_page(&page()).await.expect("read and sealed");
    assert!(ahead.is_some(), "with a passcode a page is sealed before its write");
    // Meanwhile on this tablet: A's notes edited, and a record under C's id.
    let a_local = edited(&a, 50, "test-tablet", |b| b.notes = "当场答复三件".into());
    db.put(&a_local).await.expect("stored");
    db.put(&edited(&c, 60, "test-tablet", |b| b.place = "村委会".into())).await.expect("stored");

    let used = db.absorb_page(page(), Some(Cursor { seq: 3, epoch: None }), ahead).await.expect("written");
    assert_eq!(used, 1, "only B's local copy is still the one its page was merged with");
    let a_now = db.get::<Activity>(&a.id).await.expect("read").expect("stored");
    assert_eq!((a_now.body.place.as_str(), a_now.body.notes.as_str()), ("县政协会议室", "当场答复三件"), "both edits kept");
    let c_now = db.get::<Activity>(&c.id).await.expect("read").expect("stored");
    assert_eq!((c_now.body.title.as_str(), c_now.body.place.as_str()), ("座谈会", "村委会"), "merged with the local record, not overwritten");
    // B's record and row were sealed by Web Crypto: the wasm reader and the bulk reader open them.
    assert_eq!(db.get::<Activity>(&b.id).await.expect("opens in wasm"), Some(b.clone()));
    let rows = db.list_rows().await.expect("rows open");
    let mut titles: Vec<_> = rows.rows.iter().map(|r| r.title.clone()).collect();
    titles.sort();
    assert_eq!(titles, ["巡回审判", "座谈会", "走访委员企业"]);
    assert_eq!(db.pending_count().await.expect("counted"), 2, "A and C knew more than the office's copies: they wait");
    assert_eq!(db.cursor().await.expect("read"), Some(Cursor { seq: 3, epoch: None }));
    for store in [schema::ACTIVITIES, schema::ACTIVITY_ROWS, schema::OUTBOX] {
        for v in raw("t-ahead", store).await {
            let sealed = crypto::sealed_array(&v).unwrap_or_else(|| panic!("{store}: every value sealed"));
            let bytes = String::from_utf8_lossy(&sealed.to_vec()).into_owned();
            assert!(!["巡回审判", "走访委员企业", "座谈会", "县政协会议室", "村委会"].iter().any(|t| bytes.contains(t)), "{store}: nothing in the clear");
        }
    }

    // Locked between sealing and writing: the page sealed ahead is not used, and nothing is written unsealed.
    let d = activity(4, "调研", "office");
    let ahead = db.seal_page(&[Received::of(AnyDoc::Activity(d.clone()))]).await.expect("sealed");
    assert!(ahead.is_some());
    crypto::lock();
    assert!(db.absorb_page(vec![Received::of(AnyDoc::Activity(d.clone()))], None, ahead).await.is_err(), "a locked tablet writes nothing");
    unlocked_with_passcode().await;
    assert_eq!(db.get::<Activity>(&d.id).await.expect("read"), None);
    db.close();
}

#[wasm_bindgen_test]
async fn a_page_of_several_pieces_is_stored_whole_and_sealed_with_its_cursor() {
    unlocked_with_passcode().await;
    let _ = rexie::Rexie::delete("t-pieces").await;
    let db = Db::open("t-pieces").await.expect("IndexedDB opens in the test browser");
    // More than two pieces (a piece is 100), the last one short; one of them already stored here with a local edit.
    let docs: Vec<_> = (1..=250).map(|n| activity(n, &format!("走访{n}"), "office")).collect();
    let local = edited(&docs[160], 900, "test-tablet", |b| b.notes = "本机补充".into());
    db.put(&local).await.expect("stored");
    let page = docs.iter().map(|d| Received::of(AnyDoc::Activity(d.clone()))).collect();
    db.absorb(page, Some(Cursor { seq: 250, epoch: Some("e".into()) })).await.expect("written");
    assert_eq!(db.cursor().await.expect("read"), Some(Cursor { seq: 250, epoch: Some("e".into()) }), "the cursor is stored with the page");
    assert_eq!(db.list_rows().await.expect("rows open").rows.len(), 250);
    assert_eq!(db.all::<Activity>().await.expect("read").docs.len(), 250);
    assert_eq!(db.get::<Activity>(&docs[249].id).await.expect("read"), Some(docs[249].clone()));
    assert_eq!(db.get::<Activity>(&local.id).await.expect("read").expect("stored").body.notes, "本机补充", "the local edit kept");
    for store in [schema::ACTIVITIES, schema::ACTIVITY_ROWS] {
        assert!(raw("t-pieces", store).await.iter().all(|v| crypto::sealed_array(v).is_some()), "{store}: every value sealed");
    }
    db.close();
}

/// The data key as the tablet holds it, unwrapped the way `crypto::unlock` does (PBKDF2 through Web Crypto):
/// for writing values as the release before packed envelopes did.
async fn data_key() -> Key {
    use wasm_bindgen::JsCast;
    let stored: serde_json::Value = serde_json::from_str(&local_item("xunfang.vault")).expect("the vault record is JSON");
    let wrapped: WrappedKey = serde_json::from_value(stored["key"].clone()).expect("a wrapped key");
    let subtle = web_sys::window().unwrap().crypto().unwrap().subtle();
    let usages = js_sys::Array::of1(&"deriveBits".into());
    let base = subtle.import_key_with_str("raw", &js_sys::Uint8Array::from(SECRET.as_bytes()), "PBKDF2", false, &usages).unwrap();
    let base: web_sys::CryptoKey = wasm_bindgen_futures::JsFuture::from(base).await.unwrap().unchecked_into();
    let params = js_sys::Object::new();
    let salt = js_sys::Uint8Array::from(wrapped.salt_bytes().unwrap().as_slice());
    for (k, v) in
        [("name", wasm_bindgen::JsValue::from("PBKDF2")), ("hash", "SHA-256".into()), ("salt", salt.into()), ("iterations", wrapped.iterations.into())]
    {
        js_sys::Reflect::set(&params, &k.into(), &v).unwrap();
    }
    let bits = wasm_bindgen_futures::JsFuture::from(subtle.derive_bits_with_object(&params, &base, 256).unwrap()).await.unwrap();
    let passcode_key = Key::from_bytes(js_sys::Uint8Array::new(&bits).to_vec().try_into().unwrap());
    wrapped.unwrap_with(&passcode_key).expect("the test's passcode opens the key")
}

fn local_item(key: &str) -> String {
    web_sys::window().unwrap().local_storage().unwrap().unwrap().get_item(key).unwrap().expect("a passcode is set")
}

/// Every sealed value of `store` rewritten as the release before packed envelopes sealed it (version 1).
async fn as_previous_release(name: &str, store: &str, key: &Key) {
    let rexie = schema::current(name).build().await.expect("reopens");
    let tx = rexie.transaction(&[store], rexie::TransactionMode::ReadWrite).expect("a write");
    let s = tx.store(store).expect("store");
    for v in s.get_all(None, None).await.expect("read") {
        let sealed = crypto::sealed_array(&v).expect("sealed").to_vec();
        let old = key.seal([7; IV_LEN], &key.open(&sealed).expect("opens"));
        js_sys::Reflect::set(&v, &"sealed".into(), &js_sys::Uint8Array::from(old.as_slice())).unwrap();
        s.put(&v, None).await.expect("rewritten");
    }
    tx.done().await.expect("committed");
    rexie.close();
}

fn versions(values: &[wasm_bindgen::JsValue]) -> Vec<u8> {
    values.iter().map(|v| crypto::sealed_array(v).expect("sealed").get_index(0)).collect()
}

#[wasm_bindgen_test]
async fn values_are_stored_compressed_and_a_database_of_the_previous_release_still_opens() {
    unlocked_with_passcode().await;
    let _ = rexie::Rexie::delete("t-v1").await;
    let db = Db::open("t-v1").await.expect("IndexedDB opens in the test browser");
    let long = "群众反映村道年久失修，雨天无法通行，请求协调资金修缮。".repeat(8);
    let old_a = Document::create(
        Id::new_v7(1_700_000_000_101, [5; 10]),
        Activity { title: "巡回审判".into(), notes: long.clone(), ..Activity::default() },
        stamp(101, "test-tablet"),
    );
    db.put(&old_a).await.expect("stored");
    drop(db);
    // The database as the previous release left it: every record, row and outbox entry in a version-1 envelope.
    let key = data_key().await;
    for store in [schema::ACTIVITIES, schema::ACTIVITY_ROWS, schema::OUTBOX] {
        as_previous_release("t-v1", store, &key).await;
        assert_eq!(versions(&raw("t-v1", store).await), [ENVELOPE_VERSION], "{store}");
    }

    let db = Db::open("t-v1").await.expect("reopens");
    assert_eq!(db.get::<Activity>(&old_a.id).await.expect("opens in wasm"), Some(old_a.clone()));
    assert_eq!(db.list_rows().await.expect("rows open all at once").rows.iter().map(|r| r.title.as_str()).collect::<Vec<_>>(), ["巡回审判"]);
    assert_eq!(db.pending_count().await.expect("counted"), 1);
    assert_eq!(db.pending(10, &Default::default()).await.expect("the old outbox entry reads").len(), 1);

    // Written now, in wasm (a save) and through Web Crypto (a pulled page): packed, smaller, and read by both readers.
    let saved = Document::create(
        Id::new_v7(1_700_000_000_102, [6; 10]),
        Activity { title: "走访委员".into(), notes: long.clone(), ..Activity::default() },
        stamp(102, "test-tablet"),
    );
    db.put(&saved).await.expect("stored");
    let pulled: Vec<_> = (200..203)
        .map(|n| {
            Document::create(
                Id::new_v7(1_700_000_000_000 + n, [n as u8; 10]),
                Activity { title: format!("座谈{n}"), notes: long.clone(), ..Activity::default() },
                stamp(n, "office"),
            )
        })
        .collect();
    db.absorb(pulled.iter().map(|d| Received::of(AnyDoc::Activity(d.clone()))).collect(), Some(Cursor { seq: 3, epoch: None })).await.expect("written");
    let records = raw("t-v1", schema::ACTIVITIES).await;
    assert_eq!(versions(&records), [ENVELOPE_VERSION, ENVELOPE_PACKED, ENVELOPE_PACKED, ENVELOPE_PACKED, ENVELOPE_PACKED], "sorted by id: the old one first");
    let size = |v: &wasm_bindgen::JsValue| crypto::sealed_array(v).unwrap().length();
    assert!(size(&records[1]) * 2 < size(&records[0]), "a packed record is less than half the old one: {} against {}", size(&records[1]), size(&records[0]));
    for d in &pulled {
        assert_eq!(db.get::<Activity>(&d.id).await.expect("opens in wasm").as_ref(), Some(d));
    }
    assert_eq!(db.get::<Activity>(&saved.id).await.expect("opens in wasm"), Some(saved));
    let mut titles: Vec<_> = db.list_rows().await.expect("rows open").rows.iter().map(|r| r.title.clone()).collect();
    titles.sort();
    assert_eq!(titles, ["巡回审判", "座谈200", "座谈201", "座谈202", "走访委员"]);
    for store in [schema::ACTIVITIES, schema::ACTIVITY_ROWS, schema::OUTBOX] {
        for v in raw("t-v1", store).await {
            let bytes = String::from_utf8_lossy(&crypto::sealed_array(&v).unwrap().to_vec()).into_owned();
            assert!(!["巡回审判", "走访委员", "座谈", "村道"].iter().any(|t| bytes.contains(t)), "{store}: nothing in the clear");
        }
    }

    // Every record at once (the list's roster, the office's board): opened together through Web Crypto, old and new
    // envelopes alike; a damaged one is counted, not fatal.
    let all = db.all::<Activity>().await.expect("read");
    assert_eq!((all.docs.len(), all.unreadable), (5, 0));
    assert!(all.docs.contains(&old_a));
    drop(db);
    damage_first("t-v1", schema::ACTIVITIES).await;
    let db = Db::open("t-v1").await.expect("reopens");
    let all = db.all::<Activity>().await.expect("read");
    assert_eq!((all.docs.len(), all.unreadable), (4, 1), "the damaged old record counts as unreadable");
    crypto::lock();
    let locked = db.all::<Activity>().await.expect("a read, not a failure");
    assert_eq!((locked.docs.len(), locked.unreadable), (0, 5), "nothing opens while locked");
    unlocked_with_passcode().await;
    db.close();
}

/// The first value of `store` with one sealed byte flipped.
async fn damage_first(name: &str, store: &str) {
    let rexie = schema::current(name).build().await.expect("reopens");
    let tx = rexie.transaction(&[store], rexie::TransactionMode::ReadWrite).expect("a write");
    let s = tx.store(store).expect("store");
    let v = s.get_all(None, Some(1)).await.expect("read").remove(0);
    let sealed = crypto::sealed_array(&v).expect("sealed");
    let last = sealed.length() - 1;
    sealed.set_index(last, sealed.get_index(last) ^ 1);
    s.put(&v, None).await.expect("rewritten");
    tx.done().await.expect("committed");
    rexie.close();
}
