//! The photo collection pass (`xunfang-server photos collect`, `AdminStore::collect_photos`) on
//! the test backend (SQLite, or PostgreSQL under `cargo xtask test native`): a photo goes only
//! when no stored document of its team names it for the whole grace period.

mod common;

use common::{activity, fx, stamp, val, with_edit, Fx};
use xunfang_core::model::PhotoRef;
use xunfang_core::BlobHash;
use xunfang_server::store::{unix_now, AdminStore, NewBlob, PhotoPass, TeamPhotos};
use xunfang_server::SyncStore;

const DAY: i64 = 86_400;
const GRACE: i64 = 30 * DAY;

/// A photo of `n` bytes named by `c` (the store trusts the caller's hash).
fn hash(c: char) -> BlobHash {
    BlobHash::parse(&c.to_string().repeat(64)).unwrap()
}

async fn upload(f: &Fx, token: &str, name: char, n: usize) {
    let team = f.store.team_for_token(token).unwrap().unwrap();
    let blob = NewBlob { hash: hash(name), content_type: "image/jpeg".into(), data: vec![0xff; n] };
    assert!(f.store.put_blob(team, blob, u64::MAX).await.unwrap().unwrap().stored);
}

/// One pass at `at` days after now (uploads happen now).
async fn pass(f: &Fx, at: i64, dry_run: bool) -> Vec<TeamPhotos> {
    f.store.collect_photos(PhotoPass { now: unix_now() + at, grace_secs: GRACE, dry_run }).await.unwrap()
}

fn photo_ref(name: char) -> PhotoRef {
    serde_json::from_value(serde_json::json!({"id": common::id(900), "sha256": hash(name).as_str()})).unwrap()
}

fn has(f: &Fx, team: &str, name: char) -> bool {
    let sql = format!("SELECT COUNT(*) FROM blobs JOIN teams ON teams.id = blobs.team WHERE teams.name = '{team}' AND hash = '{}'", hash(name).as_str());
    f.store.count(&sql) == 1
}

#[tokio::test]
async fn a_photo_no_document_names_for_the_grace_period_goes_and_named_ones_stay() {
    let f = fx();
    let token = f.token("office");
    for name in ['a', 'b', 'c', 'd'] {
        upload(&f, &token, name, 1_000).await;
    }
    let named = with_edit(&activity(1, "tab", "named"), "tab", 2_000, |a| a.photos = vec![photo_ref('b')]);
    let mut trashed = with_edit(&activity(2, "tab", "trashed"), "tab", 2_000, |a| a.photos = vec![photo_ref('c')]);
    trashed.set_trashed(true, stamp("tab", 3_000));
    let conflicted = activity(3, "tab", "conflict");
    f.push(&token, "tab", None, vec![val(&named), val(&trashed), val(&conflicted)]).await;
    // Only the losing side of a conflict names `d` (as the merge keeps it in the stored text).
    f.store.execute(&format!(
        "UPDATE docs SET json = '{{\"conflicts\":{{\"photos/x/sha256\":[{{\"value\":\"{}\"}}]}}}}' WHERE id = '{}'",
        hash('d').as_str(),
        conflicted.id.as_str()
    ));

    let first = pass(&f, 40 * DAY, false).await;
    assert_eq!(first, [TeamPhotos { team: "office".into(), collected: 0, bytes: 0, marked: 1 }], "the first pass only marks `a`");
    let second = pass(&f, 70 * DAY, false).await;
    assert_eq!(second, [TeamPhotos { team: "office".into(), collected: 1, bytes: 1_000, marked: 0 }]);
    assert!(!has(&f, "office", 'a'));
    assert!(has(&f, "office", 'b') && has(&f, "office", 'c') && has(&f, "office", 'd'), "named (also when trashed or in a conflict) stays");
    assert_eq!(f.store.blob_usage("office").unwrap(), (3, 3_000), "the team's photo usage follows");
}

#[tokio::test]
async fn a_photo_unnamed_for_less_than_the_grace_period_stays_and_a_dry_run_writes_nothing() {
    let f = fx();
    let token = f.token("office");
    upload(&f, &token, 'a', 500).await;
    assert_eq!(pass(&f, 40 * DAY, true).await[0].marked, 1, "a dry run says what it would mark");
    assert_eq!(f.store.count("SELECT COUNT(*) FROM blob_marks"), 0, "but writes no mark");
    pass(&f, 40 * DAY, false).await;
    assert_eq!(pass(&f, 40 * DAY + GRACE - 1, false).await[0].collected, 0, "marked a second less than the grace period ago");
    let dry = pass(&f, 40 * DAY + GRACE, true).await;
    assert_eq!((dry[0].collected, dry[0].bytes), (1, 500), "a dry run says what it would remove");
    assert!(has(&f, "office", 'a'), "and removes nothing");
    assert_eq!(f.store.blob_usage("office").unwrap(), (1, 500));
}

#[tokio::test]
async fn a_photo_uploaded_recently_stays_even_with_an_old_mark() {
    let f = fx();
    let token = f.token("office");
    upload(&f, &token, 'a', 500).await;
    // A mark older than the upload: a pass long ago on a photo uploaded again since.
    let past = unix_now() - 100 * DAY;
    f.store.execute(&format!("INSERT INTO blob_marks (team, hash, unnamed_since) SELECT id, '{}', {past} FROM teams", hash('a').as_str()));
    assert_eq!(pass(&f, GRACE - DAY, false).await[0].collected, 0);
    assert!(has(&f, "office", 'a'));
}

#[tokio::test]
async fn a_push_naming_a_marked_photo_clears_its_mark_and_it_stays() {
    let f = fx();
    let token = f.token("office");
    upload(&f, &token, 'a', 500).await;
    pass(&f, 40 * DAY, false).await;
    assert_eq!(f.store.count("SELECT COUNT(*) FROM blob_marks"), 1);
    let doc = with_edit(&activity(1, "tab", "late"), "tab", 2_000, |a| a.photos = vec![photo_ref('a')]);
    f.push(&token, "tab", None, vec![val(&doc)]).await;
    assert_eq!(f.store.count("SELECT COUNT(*) FROM blob_marks"), 0, "the push cleared the mark, before any pass reads it");
    // Even if the record is gone again at once, the grace period starts over.
    f.store.execute("DELETE FROM docs");
    assert_eq!(pass(&f, 71 * DAY, false).await[0], TeamPhotos { team: "office".into(), collected: 0, bytes: 0, marked: 1 });
    assert!(has(&f, "office", 'a'));
}

#[tokio::test]
async fn another_teams_document_does_not_keep_a_teams_photo() {
    let f = fx();
    let (office, field) = (f.token("office"), f.token("field"));
    upload(&f, &office, 'a', 500).await;
    upload(&f, &field, 'a', 500).await;
    let doc = with_edit(&activity(1, "tab", "theirs"), "tab", 2_000, |a| a.photos = vec![photo_ref('a')]);
    f.push(&field, "tab", None, vec![val(&doc)]).await;
    pass(&f, 40 * DAY, false).await;
    let second = pass(&f, 70 * DAY, false).await;
    let office_pass = second.iter().find(|t| t.team == "office").unwrap();
    assert_eq!(office_pass.collected, 1, "photos are per team: {second:?}");
    assert!(!has(&f, "office", 'a') && has(&f, "field", 'a'));
    assert_eq!(f.store.blob_usage("field").unwrap(), (1, 500));
    assert_eq!(f.store.blob_usage("office").unwrap(), (0, 0));
}

#[tokio::test]
async fn a_name_in_the_last_of_many_documents_keeps_its_photo() {
    let f = fx();
    let token = f.token("office");
    upload(&f, &token, 'a', 500).await;
    upload(&f, &token, 'b', 500).await;
    // More documents than a pass reads at once (PostgreSQL pages them by 500).
    for batch in 0..3 {
        let docs = (0..200).map(|n| val(&activity(batch * 200 + n + 1, "tab", "filler"))).collect();
        f.push(&token, "tab", None, docs).await;
    }
    let last = with_edit(&activity(601, "tab", "last"), "tab", 9_000, |a| a.photos = vec![photo_ref('a')]);
    f.push(&token, "tab", None, vec![val(&last)]).await;
    pass(&f, 40 * DAY, false).await;
    assert_eq!(pass(&f, 70 * DAY, false).await[0].collected, 1);
    assert!(has(&f, "office", 'a') && !has(&f, "office", 'b'));
}
