//! End to end over real TCP against the real `xunfang-server` binary:
//! tablets running core's sync engine make edits through a proxy that cuts
//! answers after the server committed, replays requests and refuses
//! connections; the server is killed with SIGKILL in the middle of a push
//! and restarted; and a backup taken while tablets push is restored. In
//! every case each record any tablet had ends on the server exactly once,
//! and every tablet ends with what the server has. With
//! `XUNFANG_TEST_POSTGRES` the server runs on a PostgreSQL database of its
//! own (`--database`); the backup case is SQLite's.

mod common;
mod fault;

use std::collections::BTreeSet;
use std::net::SocketAddr;

use fault::proxy::{Fault, FaultProxy};
use fault::server::RealServer;
use fault::tablet::{post, Tablet};
use serde_json::{json, Value};

/// The ids the server holds for the team, read straight from it (no proxy),
/// each as often as it answers it: a duplicate would show.
fn server_ids(addr: SocketAddr, token: &str) -> Vec<String> {
    let body = json!({"protocol": 1, "device": "check", "cursor": null, "push": [], "pull_limit": 500});
    let (status, answer) = post(addr, token, body.to_string().as_bytes()).unwrap();
    assert_eq!(status, 200);
    let answer: Value = serde_json::from_slice(&answer).unwrap();
    assert_eq!(answer["more"], false, "the tests stay under one page");
    answer["docs"].as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap().to_string()).collect()
}

fn assert_each_once(ids: &[String], expected: usize) {
    let unique: BTreeSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "no record twice");
    assert_eq!(ids.len(), expected, "every record");
}

#[test]
fn two_tablets_through_a_proxy_that_cuts_replays_and_refuses_lose_nothing_and_duplicate_nothing() {
    let server = RealServer::start();
    let token = server.token();
    let proxy = FaultProxy::start(server.addr, server.pid());
    let (a, b) = (Tablet::new("tablet-a", proxy.addr, &token), Tablet::new("tablet-b", proxy.addr, &token));
    let shared = a.record("座谈会");
    a.sync();
    b.sync();
    proxy.cycle(&[Fault::CutAnswer, Fault::Pass, Fault::Replay, Fault::Refuse, Fault::CutAnswer, Fault::Replay, Fault::Pass]);
    for round in 0..4 {
        for (t, who) in [(&a, "A"), (&b, "B")] {
            for k in 0..10 {
                t.record(&format!("{who} 记录 {round}-{k}"));
            }
            t.suggest(&shared, &format!("{who} 的建议 {round}"));
            t.edit(&shared, |x| if who == "A" { x.place = format!("地点 {round}") } else { x.notes = format!("纪要 {round}") });
            t.sync();
        }
    }
    for fault in [Fault::CutAnswer, Fault::Replay, Fault::Refuse] {
        assert!(proxy.applied(fault) > 0, "{fault:?} happened");
    }
    proxy.cycle(&[]);
    for t in [&a, &b, &a] {
        t.sync();
    }

    assert_each_once(&server_ids(server.addr, &token), 1 + 2 * 4 * 10);
    let office = Tablet::new("office", server.addr, &token);
    office.sync();
    assert_eq!(a.snapshot(), office.snapshot(), "tablet A holds what the server holds");
    assert_eq!(b.snapshot(), office.snapshot(), "tablet B holds what the server holds");
    let merged = office.activity(&shared);
    let suggestions: BTreeSet<&str> = merged.body.suggestions.iter().map(|s| s.content.as_str()).collect();
    assert_eq!((merged.body.suggestions.len(), suggestions.len()), (8, 8), "each suggestion once: {suggestions:?}");
    assert_eq!((merged.body.place.as_str(), merged.body.notes.as_str()), ("地点 3", "纪要 3"));
}

#[test]
fn a_server_killed_in_the_middle_of_a_push_and_restarted_loses_nothing_and_stores_nothing_twice() {
    let mut server = RealServer::start();
    let token = server.token();
    let proxy = FaultProxy::start(server.addr, server.pid());
    let a = Tablet::new("tablet-a", proxy.addr, &token);
    let shared = a.record("走访");
    a.sync();
    let restart = |server: &mut RealServer| {
        server.reap_killed();
        server.restart();
        proxy.retarget(server.addr, server.pid());
    };

    // Killed while the request is still arriving: nothing of it is stored.
    for k in 0..30 {
        a.record(&format!("第一批 {k}"));
    }
    a.suggest(&shared, "第一条建议");
    proxy.then(&[Fault::KillMidRequest]);
    assert!(a.sync_once().is_err());
    restart(&mut server);
    assert_each_once(&server_ids(server.addr, &token), 1);
    a.sync();
    assert_each_once(&server_ids(server.addr, &token), 31);

    // Killed after it committed, before the answer left: stored, and the
    // tablet, not knowing, pushes it all again.
    for k in 0..30 {
        a.record(&format!("第二批 {k}"));
    }
    a.suggest(&shared, "第二条建议");
    proxy.then(&[Fault::KillBeforeAnswer]);
    assert!(a.sync_once().is_err());
    assert_eq!(a.outbox.borrow().len(), 31, "unconfirmed: still queued");
    restart(&mut server);
    assert_each_once(&server_ids(server.addr, &token), 61);
    a.sync();
    assert!(a.outbox.borrow().is_empty());

    assert_each_once(&server_ids(server.addr, &token), 61);
    let b = Tablet::new("tablet-b", server.addr, &token);
    b.sync();
    assert_eq!(b.snapshot(), a.snapshot());
    let suggestions: Vec<String> = b.activity(&shared).body.suggestions.iter().map(|s| s.content.clone()).collect();
    assert_eq!(suggestions, ["第一条建议", "第二条建议"], "each once");
}

#[test]
fn a_backup_taken_while_tablets_push_then_restored_gets_back_every_record_any_tablet_had() {
    if common::sqlite_only("`backup` and `restore` write and read a SQLite file; PostgreSQL uses pg_dump") {
        return;
    }
    let mut server = RealServer::start();
    let token = server.token();
    let (a, b) = (Tablet::new("tablet-a", server.addr, &token), Tablet::new("tablet-b", server.addr, &token));
    let shared = a.record("调研");
    a.sync();
    b.sync();
    let backup = server.dir.path().join("backup.sqlite3");
    let (backed_up_tx, backed_up) = std::sync::mpsc::channel::<()>();
    let (half_way_tx, half_way) = std::sync::mpsc::channel::<()>();
    let (a, b) = std::thread::scope(|s| {
        // Owned here, so that a failure below drops it and A stops waiting.
        let backed_up_tx = backed_up_tx;
        // A pushes, waits for the backup, and pushes more: edits the backup lacks.
        let shared = shared.clone();
        let pusher_a = s.spawn(move || {
            for round in 0..6 {
                if round == 3 {
                    half_way_tx.send(()).unwrap();
                    backed_up.recv().unwrap();
                }
                for k in 0..8 {
                    a.record(&format!("A {round}-{k}"));
                }
                a.suggest(&shared, &format!("A 建议 {round}"));
                a.sync();
            }
            a
        });
        // B pushes all along, also while the backup runs.
        let pusher_b = s.spawn(move || {
            for round in 0..6 {
                for k in 0..8 {
                    b.record(&format!("B {round}-{k}"));
                }
                b.sync();
            }
            b
        });
        half_way.recv().unwrap();
        let out = server.cli(&["backup", backup.to_str().unwrap()]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        backed_up_tx.send(()).unwrap();
        (pusher_a.join().unwrap(), pusher_b.join().unwrap())
    });
    let everything = 1 + 6 * 8 * 2;
    assert_each_once(&server_ids(server.addr, &token), everything);

    let refused = server.cli(&["restore", backup.to_str().unwrap()]);
    assert!(!refused.status.success());
    let why = String::from_utf8_lossy(&refused.stderr);
    assert!(why.contains("a server is running") && why.contains("stop it"), "{why}");

    server.kill();
    let out = server.cli(&["restore", backup.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("new epoch"));
    server.restart();
    let restored = server_ids(server.addr, &token).len();
    assert!(restored < everything, "the backup lacks what came after it ({restored} of {everything})");

    for t in [&a, &b] {
        t.endpoint.set(server.addr);
    }
    for t in [&a, &b, &a] {
        t.sync();
    }
    assert_each_once(&server_ids(server.addr, &token), everything);
    let office = Tablet::new("office", server.addr, &token);
    office.sync();
    assert_eq!(a.snapshot(), office.snapshot());
    assert_eq!(b.snapshot(), office.snapshot());
    assert_eq!(office.activity(&shared).body.suggestions.len(), 6, "A's suggestions, from before and after the backup");
}

#[test]
fn backup_and_restore_on_postgres_say_to_use_its_own_tools() {
    let Some(_) = common::backend::pg_cluster() else { return };
    let server = RealServer::start();
    for command in ["backup", "restore"] {
        let out = server.cli(&[command, "copy.dump"]);
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && said.contains("pg_dump") && said.contains("pg_restore"), "{command}: {said}");
    }
}
