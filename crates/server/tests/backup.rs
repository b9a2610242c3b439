//! `backup` and `restore` on SQLite: a backup taken while pushes run is a
//! consistent snapshot, a restore puts it back with a new epoch, and cursors
//! of the old epoch (or without one, after a restore) are answered from the
//! start so that no tablet skips anything.

mod common;

use std::collections::BTreeSet;

use common::{activity, fx, sqlite_only, sync, val};
use serde_json::{json, Value};
use xunfang_server::SqliteStore;

fn pull_body(cursor: Option<u64>, epoch: Option<&str>) -> Value {
    json!({"protocol": 1, "device": "tablet", "cursor": cursor, "epoch": epoch, "push": []})
}

fn ids(res: &Value) -> BTreeSet<String> {
    res["docs"].as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap().to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_pushes_run_is_a_consistent_snapshot() {
    if sqlite_only("backup files, restore and the .lock file are SQLite's; PostgreSQL uses pg_dump") {
        return;
    }
    let f = fx();
    let token = f.token("office");
    let pusher = {
        let (app, token) = (f.app.clone(), token.clone());
        tokio::spawn(async move {
            for n in 0..60u32 {
                // One new document per commit: a consistent copy holds seq 1..=head, no gaps.
                sync(&app, &token, json!({"protocol": 1, "device": "pusher", "cursor": null, "push": [val(&activity(n, "pusher", "记录"))]})).await;
            }
        })
    };
    // Backups one after another for as long as the pushes run.
    let mut copies = Vec::new();
    for k in 0.. {
        if pusher.is_finished() && k > 0 {
            break;
        }
        let path = f.dir.path().join(format!("backup-{k}.sqlite3"));
        let store = f.store.sqlite().clone();
        let to = path.clone();
        tokio::task::spawn_blocking(move || store.backup_to(&to)).await.unwrap().unwrap();
        copies.push(path);
    }
    pusher.await.unwrap();
    let live = f.store.epoch().unwrap();
    let mut sizes = Vec::new();
    for path in &copies {
        assert!(!std::path::Path::new(&format!("{}-wal", path.display())).exists(), "the backup is one file");
        let copy = SqliteStore::open(path).unwrap();
        let docs = copy.team_docs("office").unwrap();
        let seqs: Vec<u64> = docs.iter().map(|d| d.seq).collect();
        assert_eq!(seqs, (1..=docs.len() as u64).collect::<Vec<_>>(), "{}: every commit up to its head, none half", path.display());
        for d in &docs {
            serde_json::from_str::<Value>(&d.json).unwrap();
        }
        assert_ne!(copy.epoch().unwrap().id, live.id, "a backup copy is a new epoch");
        sizes.push(docs.len());
    }
    assert!(sizes.windows(2).all(|w| w[0] <= w[1]), "later backups hold more: {sizes:?}");
    assert_eq!(f.store.team_docs("office").unwrap().len(), 60, "the live database lost nothing meanwhile");
}

#[tokio::test]
async fn a_restore_gives_a_new_epoch_and_old_cursors_get_everything() {
    if sqlite_only("backup files, restore and the .lock file are SQLite's; PostgreSQL uses pg_dump") {
        return;
    }
    let f = fx();
    let token = f.token("office");
    let before: Vec<Value> = (0..3).map(|n| val(&activity(n, "a", "备份前"))).collect();
    let first = sync(&f.app, &token, json!({"protocol": 1, "device": "a", "cursor": null, "push": before})).await;
    let old_epoch = first["epoch"].as_str().expect("an epoch in every answer").to_string();
    let backup = f.dir.path().join("backup.sqlite3");
    f.store.sqlite().backup_to(&backup).unwrap();
    let after: Vec<Value> = (3..6).map(|n| val(&activity(n, "a", "备份后"))).collect();
    let second = sync(&f.app, &token, json!({"protocol": 1, "device": "a", "cursor": 3, "epoch": old_epoch, "push": after})).await;
    assert_eq!(second["epoch"], old_epoch);
    // Before any restore, an old app's cursor (no epoch) counts.
    assert_eq!(ids(&sync(&f.app, &token, pull_body(Some(3), None)).await).len(), 3);

    let summary = f.store.sqlite().restore_from(&backup).unwrap();
    assert_eq!((summary.teams, summary.docs), (1, 3));
    let new_epoch = f.store.epoch().unwrap();
    assert_ne!(new_epoch.id, old_epoch);
    assert!(!new_epoch.legacy_cursors);

    // The tablet's cursor (6) is past the restored head; one of 2 is not,
    // and would skip documents: both are of the old epoch, so from the start.
    for cursor in [6, 2] {
        let res = sync(&f.app, &token, pull_body(Some(cursor), Some(&old_epoch))).await;
        assert_eq!(res["epoch"], new_epoch.id.as_str());
        assert_eq!(ids(&res).len(), 3, "cursor {cursor} of the old epoch: everything");
        let res = sync(&f.app, &token, pull_body(Some(cursor), None)).await;
        assert_eq!(ids(&res).len(), 3, "cursor {cursor} without epoch, after a restore: everything");
    }
    let res = sync(&f.app, &token, pull_body(Some(2), Some(&new_epoch.id))).await;
    assert_eq!(ids(&res).len(), 1, "a cursor of the new epoch counts");
    // The tablet pushes what it holds: what came after the backup is back.
    let again: Vec<Value> = (0..6).map(|n| val(&activity(n, "a", if n < 3 { "备份前" } else { "备份后" }))).collect();
    let res = sync(&f.app, &token, json!({"protocol": 1, "device": "a", "cursor": 3, "epoch": new_epoch.id, "push": again})).await;
    assert_eq!(res["accepted"].as_array().unwrap().len(), 6);
    assert_eq!(f.store.team_docs("office").unwrap().len(), 6);
}

#[test]
fn restore_refuses_while_a_server_runs_on_the_database_and_refuses_what_is_no_backup() {
    if sqlite_only("backup files, restore and the .lock file are SQLite\'s; PostgreSQL uses pg_dump") {
        return;
    }
    let f = fx();
    f.token("office");
    let backup = f.dir.path().join("backup.sqlite3");
    f.store.sqlite().backup_to(&backup).unwrap();
    let err = f.store.sqlite().backup_to(&backup).unwrap_err().to_string();
    assert!(err.contains("never overwrites"), "{err}");

    let serving = f.store.sqlite().lock_for_serving().unwrap();
    let err = f.store.sqlite().restore_from(&backup).unwrap_err().to_string();
    assert!(err.contains("a server is running") && err.contains("stop it"), "{err}");
    drop(serving);

    let junk = f.dir.path().join("notes.txt");
    std::fs::write(&junk, "这不是数据库".repeat(500)).unwrap();
    let err = f.store.sqlite().restore_from(&junk).unwrap_err().to_string();
    assert!(err.contains("not a Xunfang backup"), "{err}");
    let err = f.store.sqlite().restore_from(&f.dir.path().join("missing.sqlite3")).unwrap_err().to_string();
    assert!(err.contains("is not a file"), "{err}");
    assert_eq!(f.store.list_tokens().unwrap().len(), 1, "a refused restore changes nothing");
    f.store.sqlite().restore_from(&backup).unwrap();
    assert_eq!(f.store.list_tokens().unwrap().len(), 1);
}
