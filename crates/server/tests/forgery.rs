//! Documents a device may not forge: clock readings far in the future (in
//! `stamps`, `seen`, `created`, `updated` or `conflicts`), past 2^53 ms or
//! with a counter out of range, and ids not written canonically. Each is
//! refused in `rejected` with what to do, and stores nothing.

mod common;

use std::time::{SystemTime, UNIX_EPOCH};

use common::{activity, fx, id, sync_body, val, with_edit};
use serde_json::{json, Value};
use xunfang_core::clock::{MAX_COUNTER, MAX_MILLIS};
use xunfang_core::{Activity, Document};
use xunfang_server::{AppState, Cors};

const HOUR: u64 = 3_600_000;

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as u64
}

/// `doc` as an app before format 2 pushed it (format 1: every stamp written out, easy to forge one by one).
fn val1(doc: &Document<Activity>) -> Value {
    serde_json::from_str(&doc.to_json_format1()).unwrap()
}

/// `doc` as pushed, with one clock reading of `device` replaced by `hlc` in `field`.
fn forged(doc: &Document<Activity>, field: &str, device: &str, hlc: Value) -> Value {
    let mut v = val1(doc);
    let stamp = json!({"hlc": hlc, "device": device});
    match field {
        "created" | "updated" => v[field] = stamp,
        "stamps" => v["stamps"]["title"] = stamp,
        "seen" => v["seen"][device] = hlc,
        "conflicts" => v["conflicts"] = json!({"title": [{"value": "别的标题", "stamp": stamp}]}),
        _ => unreachable!("{field}"),
    }
    v
}

const FIELDS: [&str; 5] = ["stamps", "seen", "created", "updated", "conflicts"];

#[tokio::test]
async fn every_forged_clock_shape_is_rejected_with_a_reason_and_stores_nothing() {
    let f = fx();
    let token = f.token("office");
    let readings = [
        ("over the skew", json!({"millis": now() + 30 * HOUR, "counter": 0}), "hours ahead"),
        ("past 2^53", json!({"millis": MAX_MILLIS + 1, "counter": 0}), "2^53"),
        ("counter out of range", json!({"millis": 5_000, "counter": MAX_COUNTER as u64 + 1}), "counter"),
    ];
    let mut n = 0;
    for (what, hlc, says) in &readings {
        for field in FIELDS {
            n += 1;
            let doc = activity(n, "forger", "伪造");
            let res = f.push(&token, "forger", None, vec![forged(&doc, field, "tablet-b", hlc.clone())]).await;
            assert_eq!(res["accepted"], json!([]), "{what} in {field}: {res}");
            assert_eq!(res["rejected"][0]["id"], json!(doc.id), "{what} in {field}");
            let reason = res["rejected"][0]["reason"].as_str().unwrap();
            assert!(reason.contains(says) && reason.contains("tablet-b"), "{what} in {field}: {reason}");
        }
    }
    assert!(f.store.team_docs("office").unwrap().is_empty(), "nothing forged was stored");
    // A reading a day minus a little ahead is a wrong time zone, not a forgery.
    let doc = activity(99, "d", "时区");
    let res = f.push(&token, "d", None, vec![forged(&doc, "updated", "d", json!({"millis": now() + 23 * HOUR, "counter": MAX_COUNTER}))]).await;
    assert_eq!(res["accepted"], json!([doc.id]), "{res}");
}

#[tokio::test]
async fn a_reading_ahead_says_by_how_many_hours_and_what_to_do() {
    let f = fx();
    let token = f.token("office");
    let doc = activity(1, "tablet-7", "视察");
    let res = f.push(&token, "tablet-7", None, vec![forged(&doc, "updated", "tablet-7", json!({"millis": now() + 48 * HOUR + 60_000, "counter": 0}))]).await;
    let reason = res["rejected"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("\"tablet-7\" was 49 hours ahead"), "{reason}");
    assert!(reason.contains("set the date and time on that tablet, then sync again"), "{reason}");
}

#[tokio::test]
async fn the_skew_allowed_is_the_servers_setting() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.html"), "<!DOCTYPE html>").unwrap();
    let store = common::TestStore::fresh(dir.path());
    let token = store.create_token("office", "").unwrap();
    let app = xunfang_server::app(AppState::new(dir.path()).with_store(store.clone()).with_max_clock_skew_hours(1), &Cors::SameOrigin);
    let (soon, later) = (activity(1, "d", "半小时后"), activity(2, "d", "两小时后"));
    let push = vec![
        forged(&soon, "updated", "d", json!({"millis": now() + HOUR / 2, "counter": 0})),
        forged(&later, "updated", "d", json!({"millis": now() + 2 * HOUR, "counter": 0})),
    ];
    let res = common::sync(&app, &token, sync_body("d", None, push, None)).await;
    assert_eq!(res["accepted"], json!([soon.id]), "{res}");
    assert!(res["rejected"][0]["reason"].as_str().unwrap().contains("2 hours ahead"), "{res}");
}

/// The scenario: a copy claiming to have seen another tablet's
/// changes up to 2^53 - 1 ms would make the server drop that tablet's next
/// honest edit (and still answer `accepted`). Refused, the honest edit is
/// kept, and the first tablet pulls it.
#[tokio::test]
async fn an_honest_edit_after_a_refused_forged_seen_is_kept_and_pulled() {
    let f = fx();
    let token = f.token("office");
    let doc = activity(1, "tablet-a", "座谈会");
    let first = f.push(&token, "tablet-a", None, vec![val(&doc)]).await;
    let cursor_a = first["cursor"].as_u64();
    let pulled_b = f.pull(&token, "tablet-b", None, None).await;
    let at_b: Document<Activity> = serde_json::from_value(pulled_b["docs"][0].clone()).unwrap();

    let mut forged_copy = val1(&with_edit(&doc, "mallory", 2_000, |b| b.notes = "伪造".into()));
    forged_copy["seen"]["tablet-b"] = json!({"millis": 9_007_199_254_740_991u64, "counter": 0});
    let res = f.push(&token, "mallory", None, vec![forged_copy]).await;
    assert_eq!(res["accepted"], json!([]), "{res}");
    assert!(res["rejected"][0]["reason"].as_str().unwrap().contains("tablet-b"), "{res}");

    let honest = with_edit(&at_b, "tablet-b", now(), |b| b.title = "座谈会（改期）".into());
    let res = f.push(&token, "tablet-b", pulled_b["cursor"].as_u64(), vec![val(&honest)]).await;
    assert_eq!(res["accepted"], json!([doc.id]), "{res}");
    let pulled_a = f.pull(&token, "tablet-a", cursor_a, None).await;
    let at_a: Document<Activity> = serde_json::from_value(pulled_a["docs"][0].clone()).unwrap();
    assert_eq!(at_a.body.title, "座谈会（改期）", "tablet B's honest edit reached tablet A");
    assert_eq!(at_a.body.notes, "", "nothing of the forged copy is stored");
}

#[tokio::test]
async fn an_id_not_written_as_a_lowercase_uuid_is_rejected_and_not_stored() {
    let f = fx();
    let token = f.token("office");
    let doc = activity(1, "d", "视察");
    let lower = id(1).to_string();
    let mut push = Vec::new();
    for raw in [lower.to_uppercase(), format!(" {lower}"), format!("{lower}\t")] {
        let mut v = val(&doc);
        v["id"] = json!(raw);
        push.push(v);
    }
    let res = f.push(&token, "d", None, push).await;
    assert_eq!(res["accepted"], json!([]), "{res}");
    let rejected = res["rejected"].as_array().unwrap();
    assert_eq!(rejected.len(), 3);
    assert_eq!(rejected[0]["id"], json!(lower.to_uppercase()), "named as pushed, so the tablet finds it");
    for r in rejected {
        let reason = r["reason"].as_str().unwrap();
        assert!(reason.contains("lowercase UUID without spaces") && reason.contains(&format!("(\"{lower}\")")), "{reason}");
    }
    assert!(f.store.team_docs("office").unwrap().is_empty(), "no second row beside the lowercase id");
    let res = f.push(&token, "d", None, vec![val(&doc)]).await;
    assert_eq!(res["accepted"], json!([doc.id]));
}
