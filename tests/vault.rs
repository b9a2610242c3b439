//! The passcode's bulk read in a real browser (wasm-bindgen-test in headless
//! Chromium): Web Crypto opens what wasm sealed, and refuses what is damaged.

use wasm_bindgen_test::*;
use xunfang::storage::{crypto, schema, Db, StoreErrorKind};
use xunfang_core::clock::{DeviceId, Hlc, Stamp};
use xunfang_core::vault::{LockPolicy, SecretKind};
use xunfang_core::{Activity, Document, Id};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn rows_sealed_in_wasm_open_all_at_once_and_a_damaged_or_short_envelope_is_refused() {
    crypto::set_passcode(SecretKind::Passcode, "correct horse battery", LockPolicy::default()).await.expect("a passcode is set");
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
