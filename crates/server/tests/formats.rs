//! Document formats 1 and 2 on one team: a tablet that was not updated (it reads and writes
//! format 1 only, and says nothing of formats) and an updated one (`reads_format: 2`) sync the
//! same documents through the server, on SQLite and on PostgreSQL (`TestStore`).

mod common;

use std::collections::BTreeMap;

use common::{activity, fx, id, sync_body, with_edit};
use serde::Deserialize;
use serde_json::{json, Value};
use xunfang_core::{Activity, ConflictValue, DeviceId, Document, Hlc, Stamp};

/// What an app from before format 2 reads: its document type, derived by serde, and its
/// check of the format (`TooNew` past 1).
#[derive(Debug, Deserialize)]
struct OldDocument {
    format: u32,
    body: Activity,
    #[allow(dead_code)]
    created: Stamp,
    #[allow(dead_code)]
    updated: Stamp,
    #[serde(default)]
    stamps: BTreeMap<String, Stamp>,
    #[allow(dead_code)]
    #[serde(default)]
    seen: BTreeMap<DeviceId, Hlc>,
    #[allow(dead_code)]
    #[serde(default)]
    conflicts: BTreeMap<String, Vec<ConflictValue>>,
}

fn old_read(doc: &Value) -> OldDocument {
    let old: OldDocument = serde_json::from_value(doc.clone()).unwrap_or_else(|e| panic!("an old tablet cannot read {doc}: {e}"));
    assert_eq!(old.format, 1, "an old tablet refuses any other format: {doc}");
    old
}

/// A sync of the updated app: it says it reads format 2.
fn new_body(device: &str, cursor: Option<u64>, push: Vec<Value>) -> Value {
    let body = sync_body(device, cursor, push, None);
    assert_eq!(body["reads_format"], json!(2));
    body
}

/// A sync of an app from before format 2: it says nothing of formats.
fn old_body(device: &str, cursor: Option<u64>, push: Vec<Value>) -> Value {
    let mut body = sync_body(device, cursor, push, None);
    body.as_object_mut().unwrap().remove("reads_format");
    body
}

fn is_format_2(json: &str) -> bool {
    serde_json::from_str::<Value>(json).unwrap()["format"] == json!(2)
}

fn format1(doc: &Document<Activity>) -> Value {
    serde_json::from_str(&doc.to_json_format1()).unwrap()
}

#[tokio::test]
async fn an_old_tablet_and_an_updated_one_share_a_team_and_each_gets_a_format_it_reads() {
    let f = fx();
    let token = f.token("office");

    // The old tablet makes a record (format 1); the server stores it in format 2.
    let made = activity(1, "old-tablet", "走访委员企业");
    let res = f.sync(&token, old_body("old-tablet", None, vec![format1(&made)])).await;
    assert_eq!(res["accepted"], json!([made.id]), "{res}");
    let stored = f.store.team_docs("office").unwrap();
    assert!(is_format_2(&stored[0].json), "stored in format 2: {}", stored[0].json);

    // The updated tablet pulls it in format 2 and edits it.
    let res = f.sync(&token, new_body("new-tablet", None, vec![])).await;
    assert_eq!(res["docs"][0]["format"], json!(2), "{res}");
    let at_new: Document<Activity> = serde_json::from_value(res["docs"][0].clone()).unwrap();
    assert_eq!(at_new, made);
    let new_cursor = res["cursor"].as_u64();
    let edited_new = with_edit(&at_new, "new-tablet", 2_000, |b| b.place = "县工业园区".into());
    let res = f.sync(&token, new_body("new-tablet", new_cursor, vec![serde_json::to_value(&edited_new).unwrap()])).await;
    assert_eq!(res["accepted"], json!([made.id]), "{res}");
    let new_cursor = res["cursor"].as_u64();

    // The old tablet edits its copy meanwhile, then syncs: its push merges with the updated
    // tablet's edit, and what it pulls is format 1, which its reader takes.
    let edited_old = with_edit(&made, "old-tablet", 3_000, |b| b.notes = "带相机".into());
    let res = f.sync(&token, old_body("old-tablet", None, vec![format1(&edited_old)])).await;
    assert_eq!(res["accepted"], json!([made.id]), "{res}");
    let docs = res["docs"].as_array().unwrap();
    assert_eq!(docs.len(), 1, "{res}");
    let at_old = old_read(&docs[0]);
    assert_eq!((at_old.body.place.as_str(), at_old.body.notes.as_str()), ("县工业园区", "带相机"), "both edits reached the old tablet");
    assert_eq!(at_old.stamps["place"], common::stamp("new-tablet", 2_000));

    // A second record made by the updated tablet reaches the old one in format 1 too.
    let second = activity(2, "new-tablet", "视察");
    let res = f.sync(&token, new_body("new-tablet", new_cursor, vec![serde_json::to_value(&second).unwrap()])).await;
    let docs = res["docs"].as_array().unwrap().clone();
    assert!(docs.iter().all(|d| d["format"] == json!(2)), "the updated tablet gets format 2: {res}");
    let at_new: Document<Activity> = serde_json::from_value(docs.iter().find(|d| d["id"] == json!(id(1).as_str())).unwrap().clone()).unwrap();
    assert_eq!((at_new.body.place.as_str(), at_new.body.notes.as_str()), ("县工业园区", "带相机"));
    let res = f.sync(&token, old_body("old-tablet", None, vec![])).await;
    let docs = res["docs"].as_array().unwrap();
    assert_eq!(docs.len(), 2, "{res}");
    for doc in docs {
        let old = old_read(doc);
        let now: Document<Activity> = serde_json::from_value(doc.clone()).unwrap();
        assert_eq!(old.body, now.body);
    }
    // Both tablets hold the same documents.
    let old_first: Document<Activity> = serde_json::from_value(docs.iter().find(|d| d["id"] == json!(id(1).as_str())).unwrap().clone()).unwrap();
    assert_eq!(old_first, at_new);
    for row in f.store.team_docs("office").unwrap() {
        assert!(is_format_2(&row.json), "{}", row.json);
    }
}

#[tokio::test]
async fn a_client_reading_format_2_gets_the_stored_text_unchanged() {
    let f = fx();
    let token = f.token("office");
    let doc = activity(1, "new-tablet", "座谈会");
    // Text of this format is stored as it came, fields this server does not know included.
    let mut pushed = serde_json::to_value(&doc).unwrap();
    pushed["from_a_newer_app"] = json!({"kept": true});
    f.sync(&token, new_body("new-tablet", None, vec![pushed.clone()])).await;
    let res = f.sync(&token, new_body("other", None, vec![])).await;
    assert_eq!(res["docs"][0], pushed);
    // An old tablet gets it in format 1 (without what only a newer reader would know).
    let res = f.sync(&token, old_body("old", None, vec![])).await;
    assert_eq!(old_read(&res["docs"][0]).body, doc.body);
}

#[tokio::test]
async fn a_reads_format_that_is_not_a_number_is_a_request_error_that_names_it() {
    let f = fx();
    let token = f.token("office");
    let mut body = sync_body("t", None, vec![], None);
    body["reads_format"] = json!("two");
    let res = common::try_sync(&f.app, &token, body).await;
    res.assert_refused(axum::http::StatusCode::BAD_REQUEST, "reads_format");
}

#[tokio::test]
async fn a_page_converted_for_an_old_tablet_stays_within_the_byte_cap() {
    let docs: Vec<Value> = (1..=8).map(|n| serde_json::to_value(activity(n, "new-tablet", "走访委员企业")).unwrap()).collect();
    let stored: usize = docs.iter().map(|d| d.to_string().len()).sum();
    let f = common::fx_limits(xunfang_server::limits::Limits { max_pull_bytes: stored, ..Default::default() });
    let token = f.token("office");
    f.sync(&token, new_body("new-tablet", None, docs)).await;
    let res = f.sync(&token, new_body("other", None, vec![])).await;
    assert_eq!((res["docs"].as_array().unwrap().len(), &res["more"]), (8, &json!(false)), "all fit the cap as stored");
    let (mut cursor, mut pages, mut got) = (None, 0, 0);
    loop {
        let res = f.sync(&token, old_body("old", cursor, vec![])).await;
        let page = res["docs"].as_array().unwrap();
        let bytes: usize = page.iter().map(|d| d.to_string().len()).sum();
        assert!(bytes <= stored, "format 1 page of {bytes} bytes, cap {stored}");
        page.iter().for_each(|d| assert_eq!(old_read(d).body.title, "走访委员企业"));
        (got, pages, cursor) = (got + page.len(), pages + 1, res["cursor"].as_u64());
        if res["more"] == json!(false) {
            break;
        }
    }
    assert_eq!(got, 8);
    assert!(pages > 1, "cut at a quarter of the cap, in {pages} pages");
}
