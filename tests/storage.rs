//! The IndexedDB layer, in a real browser (wasm-bindgen-test in headless
//! Chromium): documents round-trip, the list's rows follow them, the trash
//! keeps documents restorable, and a schema bump loses nothing.

use chrono::NaiveDate;
use std::collections::HashSet;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;
use xunfang::storage::{schema, Db};
use xunfang_core::clock::{DeviceId, Hlc, Stamp};
use xunfang_core::sync::AnyDoc;
use xunfang_core::sync_client::{Cursor, LocalStore, Received};
use xunfang_core::{Activity, Attendance, Document, Id, Participant, Person, Suggestion};

wasm_bindgen_test_configure!(run_in_browser);

fn stamp(ms: u64) -> Stamp {
    Stamp { hlc: Hlc { millis: ms, counter: 0 }, device: DeviceId("test-tablet".into()) }
}

fn id(n: u64) -> Id {
    Id::new_v7(1_700_000_000_000 + n, [n as u8; 10])
}

fn activity(n: u64, kind: &str, title: &str, date: &str) -> Document<Activity> {
    let body = Activity {
        kind: kind.into(),
        title: title.into(),
        date: NaiveDate::parse_from_str(date, "%Y-%m-%d").ok(),
        participants: vec![Participant { person: id(100), status: Attendance::Attended, reason: String::new() }],
        suggestions: vec![Suggestion { content: "增加巡回审判点".into(), ..Suggestion::new(id(200 + n)) }],
        ..Activity::default()
    };
    Document::create(id(n), body, stamp(n))
}

/// A database of its own per test, so tests never see each other's data.
async fn fresh(name: &str) -> Db {
    let _ = rexie::Rexie::delete(name).await;
    Db::open(name).await.expect("IndexedDB opens in the test browser")
}

#[wasm_bindgen_test]
async fn documents_round_trip_through_indexeddb() {
    let db = fresh("t-roundtrip").await;
    let doc = activity(1, "hearing", "旁听庭审：劳动争议案", "2024-05-20");
    db.put(&doc).await.unwrap();
    assert_eq!(db.get::<Activity>(&doc.id).await.unwrap(), Some(doc.clone()));
    assert_eq!(db.get::<Activity>(&id(999)).await.unwrap(), None);
    // Stored as its JSON text in UTF-8 bytes beside its id and type; the
    // tests below read the older layouts.
    let rexie = schema::current("t-roundtrip").build().await.unwrap();
    let tx = rexie.transaction(&[schema::ACTIVITIES], rexie::TransactionMode::ReadOnly).unwrap();
    let raw = tx.store(schema::ACTIVITIES).unwrap().get(wasm_bindgen::JsValue::from_str(doc.id.as_str())).await.unwrap().unwrap();
    let field = |o: &wasm_bindgen::JsValue, k: &str| js_sys::Reflect::get(o, &k.into()).unwrap();
    let bytes = js_sys::Uint8Array::new(&field(&raw, "utf8")).to_vec();
    assert_eq!(String::from_utf8(bytes).unwrap(), doc.to_json());
    assert_eq!(field(&raw, "type").as_string().as_deref(), Some("activity"));
    assert!(field(&raw, "body").is_undefined(), "no copies of body fields: no index reads them");
    drop(tx);
    rexie.close();

    let person = Document::create(id(100), Person { name: "王建国".into(), sector: "经济界".into(), ..Person::default() }, stamp(1));
    db.put(&person).await.unwrap();
    let people = db.all::<Person>().await.unwrap();
    assert_eq!(people.docs, vec![person]);
    assert_eq!(people.unreadable, 0);
}

#[wasm_bindgen_test]
async fn documents_stored_as_json_strings_by_the_previous_build_still_read_and_list() {
    let name = "t-text-layout";
    let db = fresh(name).await;
    let doc = activity(1, "visit", "走访：村级调解室", "2024-06-06");
    let person = Document::create(id(100), Person { name: "张华".into(), ..Person::default() }, stamp(1));
    // The layout of schema 5 until the UTF-8 bytes: the text as a string.
    let rexie = schema::current(name).build().await.unwrap();
    let tx = rexie.transaction(&[schema::ACTIVITIES, schema::PEOPLE], rexie::TransactionMode::ReadWrite).unwrap();
    let text = |id: &Id, doc_type: &str, body: &str, json: String| {
        let record = js_sys::JSON::parse(&format!(r#"{{"id":"{id}","type":"{doc_type}","body":{body}}}"#)).unwrap();
        js_sys::Reflect::set(&record, &"json".into(), &JsValue::from_str(&json)).unwrap();
        record
    };
    tx.store(schema::ACTIVITIES)
        .unwrap()
        .put(&text(&doc.id, "activity", r#"{"date":"2024-06-06","kind":"visit"}"#, doc.to_json_format1()), None)
        .await
        .unwrap();
    tx.store(schema::PEOPLE).unwrap().put(&text(&person.id, "person", r#"{"name":"张华"}"#, person.to_json_format1()), None).await.unwrap();
    tx.done().await.unwrap();
    rexie.close();
    assert_eq!(db.get::<Activity>(&doc.id).await.unwrap(), Some(doc.clone()));
    assert_eq!(db.all::<Person>().await.unwrap().docs, vec![person]);
    let rows = db.list_rows().await.unwrap();
    assert_eq!((rows.rows.len(), rows.unreadable), (1, 0));
    assert_eq!(rows.rows[0].title, "走访：村级调解室");
    // Saved again, it is written in the current layout and still reads.
    db.put(&doc).await.unwrap();
    assert_eq!(db.get::<Activity>(&doc.id).await.unwrap(), Some(doc));
}

#[wasm_bindgen_test]
async fn list_rows_stored_as_plain_objects_by_the_previous_build_are_read_as_they_are() {
    let name = "t-row-layout";
    let db = fresh(name).await;
    let doc = activity(1, "visit", "走访：村级调解室", "2024-06-06");
    db.put(&doc).await.unwrap();
    // The previous build's row: the ListRow's fields as a plain object. Its
    // title differs from the record's, so a rebuild would show.
    let mut row = xunfang_core::list::ListRow::of(&doc, &xunfang_core::Template::liaison());
    row.title = "旧的行".into();
    let rexie = schema::current(name).build().await.unwrap();
    let tx = rexie.transaction(&[schema::ACTIVITY_ROWS], rexie::TransactionMode::ReadWrite).unwrap();
    tx.store(schema::ACTIVITY_ROWS).unwrap().put(&js_sys::JSON::parse(&serde_json::to_string(&row).unwrap()).unwrap(), None).await.unwrap();
    tx.done().await.unwrap();
    rexie.close();
    let rows = db.list_rows().await.unwrap();
    assert_eq!(rows.rows.iter().map(|r| r.title.as_str()).collect::<Vec<_>>(), ["旧的行"]);
    assert_eq!(db.first_rows(5).await.unwrap()[0].title, "旧的行");
    // The next save writes the current layout.
    db.put(&doc).await.unwrap();
    assert_eq!(db.list_rows().await.unwrap().rows[0].title, "走访：村级调解室");
}

#[wasm_bindgen_test]
async fn a_trashed_document_stays_stored_and_can_be_restored() {
    let db = fresh("t-trash").await;
    let mut doc = activity(1, "inspection", "视察饮水工程", "2024-06-03");
    db.put(&doc).await.unwrap();
    doc.set_trashed(true, stamp(10));
    db.put(&doc).await.unwrap();
    let stored = db.get::<Activity>(&doc.id).await.unwrap().unwrap();
    assert!(stored.trashed, "trash is a flag, not a delete");
    assert_eq!(stored.body.title, "视察饮水工程");

    let mut restored = stored;
    restored.set_trashed(false, stamp(11));
    db.put(&restored).await.unwrap();
    let back = db.get::<Activity>(&doc.id).await.unwrap().unwrap();
    assert!(!back.trashed);
    assert_eq!(back.stamps[xunfang_core::doc::TRASHED_PATH], stamp(11));
}

#[wasm_bindgen_test]
async fn a_database_written_by_the_previous_schema_opens_without_loss() {
    let name = "t-upgrade";
    let _ = rexie::Rexie::delete(name).await;
    // Written by schema version 1 (before sync added the outbox) ...
    let old = schema::version_1(name).build().await.unwrap();
    assert_eq!(old.version().unwrap(), 1);
    let tx = old.transaction(&[schema::ACTIVITIES, schema::PEOPLE], rexie::TransactionMode::ReadWrite).unwrap();
    let doc = activity(1, "survey", "专题调研：农村养老", "2024-09-09");
    let person = Document::create(id(100), Person { name: "李梅".into(), ..Person::default() }, stamp(1));
    tx.store(schema::ACTIVITIES).unwrap().put(&js_sys::JSON::parse(&doc.to_json_format1()).unwrap(), None).await.unwrap();
    tx.store(schema::PEOPLE).unwrap().put(&js_sys::JSON::parse(&person.to_json_format1()).unwrap(), None).await.unwrap();
    tx.done().await.unwrap();
    old.close();
    // ... opened by this version: rexie drops undeclared stores on upgrade,
    // so this fails if the current schema forgets one.
    let db = Db::open(name).await.unwrap();
    assert_eq!(db.get::<Activity>(&doc.id).await.unwrap(), Some(doc.clone()));
    assert_eq!(db.get::<Person>(&person.id).await.unwrap(), Some(person));
    // The list's rows (added in version 5) are built from the documents.
    let rows = db.list_rows().await.unwrap();
    assert_eq!(rows.rows.len(), 1);
    assert_eq!(rows.rows[0].title, "专题调研：农村养老");
    assert_eq!(rows.rows[0].participants, vec![id(100)]);
    // And the new outbox works on the upgraded database.
    db.put(&doc).await.unwrap();
    assert_eq!(db.pending_count().await.unwrap(), 1);
}

#[wasm_bindgen_test]
async fn a_database_written_by_schema_5_opens_without_loss_and_without_the_unused_indexes() {
    let name = "t-upgrade-5";
    let _ = rexie::Rexie::delete(name).await;
    let doc = activity(1, "hearing", "旁听庭审：劳动争议案", "2024-05-20");
    let person = Document::create(id(100), Person { name: "王建国".into(), ..Person::default() }, stamp(1));
    // Written by schema version 5: records with the index fields beside the
    // text, an unsent change in the outbox and a sync cursor.
    let old = schema::version_5(name).build().await.unwrap();
    let stores = [schema::ACTIVITIES, schema::PEOPLE, schema::OUTBOX, schema::META];
    let tx = old.transaction(&stores, rexie::TransactionMode::ReadWrite).unwrap();
    let record = |id: &Id, doc_type: &str, body: &str, json: String| {
        let record = js_sys::JSON::parse(&format!(r#"{{"id":"{id}","type":"{doc_type}","body":{body}}}"#)).unwrap();
        js_sys::Reflect::set(&record, &"utf8".into(), &js_sys::Uint8Array::from(json.as_bytes())).unwrap();
        record
    };
    tx.store(schema::ACTIVITIES)
        .unwrap()
        .put(&record(&doc.id, "activity", r#"{"date":"2024-05-20","kind":"hearing"}"#, doc.to_json_format1()), None)
        .await
        .unwrap();
    tx.store(schema::PEOPLE).unwrap().put(&record(&person.id, "person", r#"{"name":"王建国"}"#, person.to_json_format1()), None).await.unwrap();
    let entry = serde_json::json!({ "id": doc.id, "type": "activity", "updated": doc.updated });
    tx.store(schema::OUTBOX).unwrap().put(&js_sys::JSON::parse(&entry.to_string()).unwrap(), None).await.unwrap();
    tx.store(schema::META).unwrap().put(&js_sys::JSON::parse(r#"{"key":"sync.cursor","value":42}"#).unwrap(), None).await.unwrap();
    tx.done().await.unwrap();
    old.close();

    let db = Db::open(name).await.unwrap();
    assert_eq!(db.get::<Activity>(&doc.id).await.unwrap(), Some(doc.clone()));
    assert_eq!(db.all::<Person>().await.unwrap().docs, vec![person]);
    assert_eq!(db.pending_count().await.unwrap(), 1, "the unsent change is still queued");
    assert_eq!(db.cursor().await.unwrap(), Some(Cursor { seq: 42, epoch: None }), "a cursor stored before epochs reads, without one");
    assert_eq!(db.list_rows().await.unwrap().rows[0].title, "旁听庭审：劳动争议案");
    let rexie = schema::current(name).build().await.unwrap();
    assert_eq!(rexie.version().unwrap(), schema::VERSION);
    let tx = rexie.transaction(&[schema::ACTIVITIES, schema::PEOPLE, schema::ACTIVITY_ROWS], rexie::TransactionMode::ReadOnly).unwrap();
    assert!(tx.store(schema::ACTIVITIES).unwrap().index_names().is_empty(), "the date and kind indexes are gone");
    assert!(tx.store(schema::PEOPLE).unwrap().index_names().is_empty(), "the name index is gone");
    assert_eq!(tx.store(schema::ACTIVITY_ROWS).unwrap().index_names(), [schema::BY_SORT], "the list's index stays");
    drop(tx);
    rexie.close();
}

#[wasm_bindgen_test]
async fn a_database_written_by_schema_6_opens_without_loss_and_keeps_team_settings() {
    use xunfang_core::template::{team_settings_id, Template};
    let name = "t-upgrade-6";
    let _ = rexie::Rexie::delete(name).await;
    let doc = activity(1, "visit", "走访委员企业", "2024-03-02");
    let old = schema::version_6(name).build().await.unwrap();
    assert!(!old.store_names().contains(&schema::TEAM_SETTINGS.to_string()), "version 6 had no settings store");
    let tx = old.transaction(&[schema::ACTIVITIES], rexie::TransactionMode::ReadWrite).unwrap();
    let record = js_sys::JSON::parse(&format!(r#"{{"id":"{}","type":"activity"}}"#, doc.id)).unwrap();
    js_sys::Reflect::set(&record, &"utf8".into(), &js_sys::Uint8Array::from(doc.to_json_format1().as_bytes())).unwrap();
    tx.store(schema::ACTIVITIES).unwrap().put(&record, None).await.unwrap();
    tx.done().await.unwrap();
    old.close();

    let db = Db::open(name).await.unwrap();
    assert_eq!(db.get::<Activity>(&doc.id).await.unwrap(), Some(doc));
    assert_eq!(db.team_settings().await.unwrap(), None, "no settings until the office saves some");
    let settings = Document::create(team_settings_id(), Template::school_safety(), stamp(5));
    db.put(&settings).await.unwrap();
    assert_eq!(db.team_settings().await.unwrap(), Some(settings.clone()));
    assert_eq!(db.all_docs().await.unwrap().0.team_settings, vec![settings]);
    assert_eq!(db.pending_count().await.unwrap(), 1, "the settings wait to be pushed like any document");
    db.close();
    // Reopened by this version, the settings are still there.
    let db = Db::open(name).await.unwrap();
    assert_eq!(db.team_settings().await.unwrap().map(|d| d.body), Some(Template::school_safety()));
}

/// The document text stored under `id` in `store`, as the app keeps it (UTF-8 bytes).
async fn stored_text(name: &str, store: &str, id: &Id) -> String {
    let rexie = schema::current(name).build().await.unwrap();
    let tx = rexie.transaction(&[store], rexie::TransactionMode::ReadOnly).unwrap();
    let record = tx.store(store).unwrap().get(JsValue::from_str(id.as_str())).await.unwrap().unwrap();
    let bytes = js_sys::Uint8Array::new(&js_sys::Reflect::get(&record, &JsValue::from_str("utf8")).unwrap()).to_vec();
    drop(tx);
    rexie.close();
    String::from_utf8(bytes).unwrap()
}

#[wasm_bindgen_test]
async fn a_database_of_format_1_documents_from_the_release_before_format_2_opens_without_loss() {
    let name = "t-format-1";
    let db = fresh(name).await;
    // What the release before format 2 stored: each document as format 1 text
    // (byte for byte what it wrote, crates/core's doc_format tests) in the
    // current layout, beside its list row; one record edited on two tablets,
    // with a conflict and a removed participant.
    let mut doc = activity(1, "hearing", "旁听庭审：劳动争议案", "2024-05-20");
    let mut there = doc.clone();
    let mut body = doc.body.clone();
    body.title = "旁听庭审".into();
    body.participants.clear();
    doc.edit(body, stamp(20));
    let mut body = there.body.clone();
    body.title = "旁听庭审：劳动争议".into();
    there.edit(body, Stamp { hlc: Hlc { millis: 21, counter: 2 }, device: DeviceId("0190a3b4-2222-7000-8000-00000000000b".into()) });
    let doc = xunfang_core::merge(&doc, &there).unwrap();
    assert!(doc.has_conflicts());
    let person = Document::create(id(100), Person { name: "王建国".into(), ..Person::default() }, stamp(1));
    db.put(&doc).await.unwrap();
    db.put(&person).await.unwrap();
    let rexie = schema::current(name).build().await.unwrap();
    let tx = rexie.transaction(&[schema::ACTIVITIES, schema::PEOPLE], rexie::TransactionMode::ReadWrite).unwrap();
    let record = |id: &Id, doc_type: &str, json: String| {
        let record = js_sys::JSON::parse(&format!(r#"{{"id":"{id}","type":"{doc_type}"}}"#)).unwrap();
        js_sys::Reflect::set(&record, &"utf8".into(), &js_sys::Uint8Array::from(json.as_bytes())).unwrap();
        record
    };
    tx.store(schema::ACTIVITIES).unwrap().put(&record(&doc.id, "activity", doc.to_json_format1()), None).await.unwrap();
    tx.store(schema::PEOPLE).unwrap().put(&record(&person.id, "person", person.to_json_format1()), None).await.unwrap();
    tx.done().await.unwrap();
    rexie.close();
    db.close();

    let db = Db::open(name).await.unwrap();
    assert!(stored_text(name, schema::ACTIVITIES, &doc.id).await.starts_with(r#"{"format":1,"#));
    assert_eq!(db.get::<Activity>(&doc.id).await.unwrap(), Some(doc.clone()), "every stamp, conflict and seen entry reads back");
    assert_eq!(db.all::<Person>().await.unwrap().docs, vec![person.clone()]);
    assert_eq!(db.all_docs().await.unwrap().0.activities, vec![doc.clone()]);
    assert_eq!(db.list_rows().await.unwrap().rows[0].title, doc.body.title);
    // A copy received from an older server (format 1 again) merges in and is stored in format 2.
    let mut remote = doc.clone();
    let mut body = remote.body.clone();
    body.place = "县人民法院".into();
    remote.edit(body, Stamp { hlc: Hlc { millis: 99, counter: 0 }, device: DeviceId("office".into()) });
    let text = remote.to_json_format1();
    db.absorb(vec![Received::read(text.clone()).unwrap()], None).await.unwrap();
    assert_eq!(db.get::<Activity>(&doc.id).await.unwrap(), Some(remote.clone()));
    let stored = stored_text(name, schema::ACTIVITIES, &doc.id).await;
    assert!(stored.starts_with(r#"{"format":2,"#), "{stored}");
    assert!(stored.len() < text.len() / 2, "format 2 {} bytes, format 1 {}", stored.len(), text.len());
    // Saved again, the person is written in format 2 too and reads the same.
    db.put(&person).await.unwrap();
    assert!(stored_text(name, schema::PEOPLE, &person.id).await.starts_with(r#"{"format":2,"#));
    assert_eq!(db.all::<Person>().await.unwrap().docs, vec![person]);
}

#[wasm_bindgen_test]
async fn a_local_write_queues_the_document_and_a_confirmation_clears_only_that_version() {
    let db = fresh("t-outbox").await;
    let mut doc = activity(1, "visit", "走访", "2024-02-02");
    db.put(&doc).await.unwrap();
    let sent = db.pending(10, &HashSet::new()).await.unwrap();
    assert_eq!(sent.len(), 1);
    let mark = sent[0].mark();
    // Edited again while the push was under way.
    let mut body = doc.body.clone();
    body.title = "走访委员企业".into();
    doc.edit(body, stamp(50));
    db.put(&doc).await.unwrap();
    db.confirm(&[mark]).await.unwrap();
    assert_eq!(db.pending_count().await.unwrap(), 1, "the newer edit still waits");
    let again = db.pending(10, &HashSet::new()).await.unwrap();
    db.confirm(&[again[0].mark()]).await.unwrap();
    assert_eq!(db.pending_count().await.unwrap(), 0);
}

#[wasm_bindgen_test]
async fn a_refused_document_stays_queued_with_the_servers_reason_until_a_new_version_or_a_confirmation() {
    let name = "t-refused";
    let db = fresh(name).await;
    let mut doc = activity(1, "visit", "走访", "2024-02-02");
    db.put(&doc).await.unwrap();
    let sent = db.pending(10, &HashSet::new()).await.unwrap();
    db.note_refused(&[(sent[0].mark(), "unknown document type; update the server".into())]).await.unwrap();
    assert_eq!(db.pending_count().await.unwrap(), 1, "still queued");
    assert_eq!(db.refusal(&doc.id).await.unwrap().as_deref(), Some("unknown document type; update the server"));
    assert!(db.pending(10, &HashSet::from([doc.id.clone()])).await.unwrap().is_empty(), "left out for the rest of that sync");
    assert_eq!(db.pending(10, &HashSet::new()).await.unwrap().len(), 1, "and sent again by the next");
    // An entry written before entries carried a reason still reads.
    let other = activity(2, "visit", "视察", "2024-02-03");
    db.put(&other).await.unwrap();
    let old = format!(r#"{{"id": "{}", "type": "activity", "updated": {{"hlc": {{"millis": 2, "counter": 0}}, "device": "test-tablet"}}}}"#, other.id);
    let rexie = schema::current(name).build().await.unwrap();
    let tx = rexie.transaction(&[schema::OUTBOX], rexie::TransactionMode::ReadWrite).unwrap();
    tx.store(schema::OUTBOX).unwrap().put(&js_sys::JSON::parse(&old).unwrap(), None).await.unwrap();
    tx.done().await.unwrap();
    rexie.close();
    assert_eq!(db.refusal(&other.id).await.unwrap(), None);
    assert_eq!(db.pending(10, &HashSet::from([doc.id.clone()])).await.unwrap()[0].doc.id(), &other.id);
    // A new version waits without the old reason; a confirmation clears it all.
    let mut body = doc.body.clone();
    body.title = "走访委员企业".into();
    doc.edit(body, stamp(50));
    db.put(&doc).await.unwrap();
    assert_eq!(db.refusal(&doc.id).await.unwrap(), None);
    db.confirm(&[(doc.id.clone(), doc.updated.clone())]).await.unwrap();
    assert_eq!(db.pending_count().await.unwrap(), 1, "only the other one waits");
}

#[wasm_bindgen_test]
async fn received_documents_merge_into_local_ones_and_the_cursor_moves_with_them() {
    let db = fresh("t-absorb").await;
    let local = activity(1, "forum", "座谈会", "2024-04-12");
    db.put(&local).await.unwrap();
    db.confirm(&[(local.id.clone(), local.updated.clone())]).await.unwrap();
    // The same record edited elsewhere (another field), and a new one.
    let mut remote = local.clone();
    let mut body = remote.body.clone();
    body.place = "县政协会议室".into();
    remote.edit(body, Stamp { hlc: Hlc { millis: 99, counter: 0 }, device: DeviceId("office".into()) });
    let other = activity(2, "visit", "走访", "2024-05-01");
    // A new document is stored as the text that came, a field this app does
    // not know included.
    let text = other.to_json().replacen('{', r#"{"from_a_later_app":"kept","#, 1);
    let other_received = Received::read(text).unwrap();
    db.absorb(vec![Received::of(AnyDoc::Activity(remote)), other_received], Some(Cursor { seq: 42, epoch: Some("e1".into()) })).await.unwrap();
    let merged = db.get::<Activity>(&local.id).await.unwrap().unwrap();
    assert_eq!(merged.body.place, "县政协会议室");
    assert_eq!(db.get::<Activity>(&other.id).await.unwrap(), Some(other.clone()));
    let rexie = schema::current("t-absorb").build().await.unwrap();
    let tx = rexie.transaction(&[schema::ACTIVITIES], rexie::TransactionMode::ReadOnly).unwrap();
    let record = tx.store(schema::ACTIVITIES).unwrap().get(JsValue::from_str(other.id.as_str())).await.unwrap().unwrap();
    let stored = String::from_utf8(js_sys::Uint8Array::new(&js_sys::Reflect::get(&record, &JsValue::from_str("utf8")).unwrap()).to_vec()).unwrap();
    assert!(stored.starts_with(r#"{"from_a_later_app":"kept","#), "{stored}");
    assert_eq!(db.cursor().await.unwrap(), Some(Cursor { seq: 42, epoch: Some("e1".into()) }), "stored with its epoch");
    assert_eq!(db.pending_count().await.unwrap(), 0, "nothing new to push back");
}

#[wasm_bindgen_test]
async fn a_new_epoch_requeues_every_document_and_a_received_copy_that_covers_one_clears_it() {
    let db = fresh("t-requeue").await;
    let (one, two) = (activity(1, "visit", "走访", "2024-04-12"), activity(2, "forum", "座谈会", "2024-04-13"));
    for doc in [&one, &two] {
        db.put(doc).await.unwrap();
        db.confirm(&[(doc.id.clone(), doc.updated.clone())]).await.unwrap();
    }
    assert_eq!(db.pending_count().await.unwrap(), 0);
    db.requeue_all().await.unwrap();
    assert_eq!(db.pending_count().await.unwrap(), 2, "everything waits to be pushed again");
    // The server holds a newer copy of one (it covers the local one).
    let mut newer = one.clone();
    let mut body = newer.body.clone();
    body.place = "县政协会议室".into();
    newer.edit(body, Stamp { hlc: Hlc { millis: 99_000_000, counter: 0 }, device: DeviceId("office".into()) });
    db.absorb(vec![Received::of(AnyDoc::Activity(newer))], Some(Cursor { seq: 1, epoch: Some("e2".into()) })).await.unwrap();
    let waiting: Vec<Id> = db.pending(10, &HashSet::new()).await.unwrap().iter().map(|p| p.doc.id().clone()).collect();
    assert_eq!(waiting, vec![two.id.clone()], "the covered one no longer waits: its entry would never be confirmed");
    assert_eq!(db.cursor().await.unwrap(), Some(Cursor { seq: 1, epoch: Some("e2".into()) }));
}

#[wasm_bindgen_test]
async fn received_documents_find_their_local_copies_however_many_others_lie_between_their_ids() {
    let db = fresh("t-absorb-between").await;
    let original = |n: u64| activity(n, "visit", &format!("走访 {n}"), "2024-04-12");
    for n in 1..=41 {
        db.put(&original(n)).await.unwrap();
    }
    // Edited here after it was sent: only a merge with the stored copy keeps this title.
    let edit_here = |n: u64| {
        let mut doc = original(n);
        let mut body = doc.body.clone();
        body.title = format!("走访 {n}（已改）");
        doc.edit(body, stamp(60));
        doc
    };
    // The same record as sent, edited in the office (another field).
    let from_office = |n: u64| {
        let mut doc = original(n);
        let mut body = doc.body.clone();
        body.place = "县政协会议室".into();
        doc.edit(body, Stamp { hlc: Hlc { millis: 99, counter: 0 }, device: DeviceId("office".into()) });
        Received::of(AnyDoc::Activity(doc))
    };
    // 20 and 21: adjacent ids, found by listing the keys between them.
    // 1 and 41: 39 stored ids between, more than the listing takes for two,
    // so each is looked up on its own.
    for pair in [[20, 21], [1, 41]] {
        for n in pair {
            db.put(&edit_here(n)).await.unwrap();
        }
        db.absorb(pair.iter().map(|&n| from_office(n)).collect(), Some(Cursor { seq: 3, epoch: None })).await.unwrap();
        for n in pair {
            let merged = db.get::<Activity>(&id(n)).await.unwrap().unwrap();
            assert_eq!((merged.body.title, merged.body.place.as_str()), (format!("走访 {n}（已改）"), "县政协会议室"), "record {n}");
        }
    }
    assert_eq!(db.get::<Activity>(&id(30)).await.unwrap(), Some(original(30)), "a record not received is untouched");
    assert_eq!(db.list_rows().await.unwrap().rows.len(), 41);
}

#[wasm_bindgen_test]
async fn a_document_from_a_newer_app_is_kept_and_counted_not_dropped() {
    let db = fresh("t-newer").await;
    db.put(&activity(1, "visit", "可读的记录", "2024-02-02")).await.unwrap();
    // Write a document of a future format straight into IndexedDB.
    let rexie = schema::current("t-newer").build().await.unwrap();
    let tx = rexie.transaction(&[schema::ACTIVITIES], rexie::TransactionMode::ReadWrite).unwrap();
    let store = tx.store(schema::ACTIVITIES).unwrap();
    let future = js_sys::JSON::parse(&format!(r#"{{"format":99,"id":"{}","type":"activity","body":{{"kind":"visit","date":"2024-02-03"}}}}"#, id(2))).unwrap();
    store.put(&future, None).await.unwrap();
    tx.done().await.unwrap();
    let all = db.all::<Activity>().await.unwrap();
    assert_eq!(all.docs.len(), 1);
    assert_eq!(all.unreadable, 1);
    // The list's rows are rebuilt (the counts differ) and count it too.
    let rows = db.list_rows().await.unwrap();
    assert_eq!((rows.rows.len(), rows.unreadable), (1, 1));
    assert_eq!(rows.rows[0].title, "可读的记录");
    let again = db.list_rows().await.unwrap();
    assert_eq!((again.rows.len(), again.unreadable), (1, 1), "the placeholder keeps one row per activity");
}

#[wasm_bindgen_test]
async fn list_rows_follow_local_writes_received_documents_and_the_trash() {
    let db = fresh("t-rows").await;
    let mut old = activity(1, "visit", "一月走访", "2024-01-15");
    db.put(&old).await.unwrap();
    db.put(&activity(2, "hearing", "三月旁听", "2024-03-31")).await.unwrap();
    let mut renamed = old.clone();
    let mut body = renamed.body.clone();
    body.title = "一月走访企业".into();
    renamed.edit(body, stamp(20));
    db.put(&renamed).await.unwrap();
    let received = activity(3, "forum", "五月座谈", "2024-05-01");
    db.absorb(vec![Received::of(AnyDoc::Activity(received))], Some(Cursor { seq: 7, epoch: None })).await.unwrap();
    let titles = |rows: &[std::sync::Arc<xunfang_core::list::ListRow>]| rows.iter().map(|r| r.title.clone()).collect::<Vec<_>>();
    let rows = db.list_rows().await.unwrap();
    assert_eq!(titles(&rows.rows), ["五月座谈", "三月旁听", "一月走访企业"], "newest first, edits and received documents included");
    let first = |rows: Vec<xunfang_core::list::ListRow>| rows.into_iter().map(|r| r.title).collect::<Vec<_>>();
    assert_eq!(first(db.first_rows(2).await.unwrap()), ["五月座谈", "三月旁听"], "the first screen reads the index backwards");
    old = renamed;
    old.set_trashed(true, stamp(30));
    db.put(&old).await.unwrap();
    let rows = db.list_rows().await.unwrap();
    assert!(rows.rows.iter().find(|r| r.id == old.id).unwrap().trashed);
    assert_eq!(first(db.first_rows(10).await.unwrap()), ["五月座谈", "三月旁听"], "the first screen leaves the trash out");
}

#[wasm_bindgen_test]
async fn the_rows_written_since_a_mark_are_known_and_read_on_their_own() {
    use xunfang::storage::changes::{self, Since};
    let db = fresh("t-rows-since").await;
    db.put(&activity(1, "visit", "一月走访", "2024-01-15")).await.unwrap();
    let mark = changes::mark();
    assert_eq!(changes::since(mark), Since::Rows(vec![]));
    let edited = activity(2, "hearing", "三月旁听", "2024-03-31");
    db.put(&edited).await.unwrap();
    let received = activity(3, "forum", "五月座谈", "2024-05-01");
    db.absorb(vec![Received::of(AnyDoc::Activity(received.clone()))], Some(Cursor { seq: 3, epoch: None })).await.unwrap();
    let Since::Rows(ids) = changes::since(mark) else { panic!("two writes are known one by one") };
    assert_eq!(ids, [id(2), id(3)], "a local write and a received one, not the one before the mark");
    let (rows, gone) = db.rows_of(&[id(3), id(9)]).await.unwrap().expect("rows of this version");
    assert_eq!(rows.iter().map(|r| r.title.as_str()).collect::<Vec<_>>(), ["五月座谈"]);
    assert_eq!(gone, [id(9)], "an id without a row");
    db.rebuild_rows().await.unwrap();
    assert_eq!(changes::since(mark), Since::Everything, "after a rebuild every row is read again");
}

#[wasm_bindgen_test]
async fn an_outbox_entry_keeps_any_clock_reading_exactly_so_its_confirmation_clears_it() {
    let name = "t-outbox-clock";
    let db = fresh(name).await;
    // Past 2^53 a JavaScript number cannot hold the reading; the entry's
    // copy must still equal the document's own stamp, or it waits forever.
    for millis in [1_700_000_000_000, xunfang_core::clock::MAX_MILLIS, xunfang_core::clock::MAX_MILLIS + 1, u64::MAX] {
        let mut doc = activity(1, "visit", "走访", "2024-02-02");
        doc.updated = Stamp { hlc: Hlc { millis, counter: u32::MAX }, device: DeviceId("test-tablet".into()) };
        db.put(&doc).await.unwrap();
        let sent = db.pending(10, &HashSet::new()).await.unwrap();
        assert_eq!(sent.len(), 1, "{millis}: the entry reads back");
        db.confirm(&[sent[0].mark()]).await.unwrap();
        assert_eq!(db.pending_count().await.unwrap(), 0, "{millis}: the confirmation matched the entry");
    }
    // An entry written by the previous build (the stamp as an object) still
    // reads, is sent, and is cleared by its confirmation.
    let doc = activity(2, "visit", "座谈", "2024-02-03");
    db.put(&doc).await.unwrap();
    let rexie = schema::current(name).build().await.unwrap();
    let tx = rexie.transaction(&[schema::OUTBOX], rexie::TransactionMode::ReadWrite).unwrap();
    let old = serde_json::json!({ "id": doc.id, "type": "activity", "updated": doc.updated });
    tx.store(schema::OUTBOX).unwrap().put(&js_sys::JSON::parse(&old.to_string()).unwrap(), None).await.unwrap();
    tx.done().await.unwrap();
    rexie.close();
    let sent = db.pending(10, &HashSet::new()).await.unwrap();
    assert_eq!(sent.len(), 1);
    db.confirm(&[sent[0].mark()]).await.unwrap();
    assert_eq!(db.pending_count().await.unwrap(), 0);
}
