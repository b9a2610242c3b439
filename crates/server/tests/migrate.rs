//! `xunfang-server migrate --from FILE --to URL` with the real binary: a SQLite server's teams, tokens,
//! documents and photos copied into an empty PostgreSQL database; tablets carry on against a server on the copy
//! with their old tokens and cursors, and miss nothing.
//!
//! PostgreSQL only (`XUNFANG_TEST_POSTGRES`): without it each test prints that it is skipped, by name, and passes.

mod common;
mod fault;

use std::process::Command;

use common::backend::{fresh_pg_database, pg_cluster};
use fault::server::{Options, RealServer};
use fault::tablet::{request, Tablet};
use xunfang_server::store::postgres::PgSettings;
use xunfang_server::store::tokens::{new_setup_code, new_token, token_hash};
use xunfang_server::store::{unix_now, DeviceStore, PgStore, SqliteStore, SyncedBy};

fn migrate(from: &std::path::Path, to: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_xunfang-server")).args(["migrate", "--from"]).arg(from).args(["--to", to]).output().unwrap()
}

#[test]
fn a_sqlite_database_migrated_to_postgres_keeps_tokens_cursors_and_photos_and_no_tablet_misses_anything() {
    let Some(cluster) = pg_cluster() else { return };
    let target = fresh_pg_database(&cluster);
    // SQLite, whichever backend the suite runs on: it is the source.
    let mut sqlite = RealServer::start_with(Options::default());
    let (token, other_team) = (sqlite.token(), sqlite.token_for("另一个联络站"));
    let (a, b) = (Tablet::new("tablet-a", sqlite.addr, &token), Tablet::new("tablet-b", sqlite.addr, &token));
    let other = Tablet::new("tablet-o", sqlite.addr, &other_team);
    let records: Vec<_> = (0..10).map(|k| a.record(&format!("走访 {k}"))).collect();
    a.suggest(&records[0], "建议");
    a.sync();
    other.record("别的团队的记录");
    other.sync();
    let photo = b"\xff\xd8\xff\xe0 not really a jpeg, but bytes all the same".to_vec();
    let hash = xunfang_server::store::migrate::blob_digest(&photo);
    let (status, _) = request(sqlite.addr, &format!("PUT /api/blobs/{hash}"), &token, "image/jpeg", &photo).unwrap();
    assert_eq!(status, 201, "the photo is stored");
    b.sync();
    // Two more that B has not seen when the database moves: it must get them with its old cursor.
    a.record("迁移前最后一条");
    a.edit(&records[1], |x| x.notes = "迁移前改过".into());
    a.sync();
    let data = sqlite.data().join("xunfang.sqlite3");

    let refused = migrate(&data, &target);
    assert!(!refused.status.success(), "refused while a server runs on the file");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("in use"), "{}", String::from_utf8_lossy(&refused.stderr));
    sqlite.kill();
    // Schema 2's device bookkeeping: what the tablet reported at its last sync, and a set-up code not yet claimed.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let source = SqliteStore::open(&data).unwrap();
    let token_hash = token_hash(&token);
    runtime.block_on(source.token_synced(SyncedBy { token: token_hash.clone(), at: unix_now(), waiting: Some(3) })).unwrap();
    let token_row = runtime.block_on(source.find_token(token_hash.clone())).unwrap().unwrap();
    let code = new_setup_code("第三台平板", None, unix_now()).unwrap();
    let code_hash = code.hash.clone();
    runtime.block_on(source.add_setup_code(token_row.team.clone(), code)).unwrap();
    drop(source);
    let out = migrate(&data, &target);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("2 teams, 2 tokens, 12 documents, 1 photos"), "{said}");
    let again = migrate(&data, &target);
    assert!(!again.status.success() && String::from_utf8_lossy(&again.stderr).contains("already holds"), "a second copy is refused");

    let copy = runtime.block_on(PgStore::open(&target, PgSettings::default())).unwrap();
    assert_eq!(runtime.block_on(copy.find_token(token_hash)).unwrap(), Some(token_row), "the token, with what its device last reported");
    let (_, device) = new_token("office").unwrap();
    let claimed = runtime.block_on(copy.claim_setup_code(code_hash, device, unix_now())).unwrap();
    assert!(claimed.is_ok(), "the set-up code came along, unused: {claimed:?}");

    let pg = RealServer::start_with(Options { database: Some(target), serve_args: Vec::new() });
    for t in [&a, &b, &other] {
        t.endpoint.set(pg.addr);
    }
    let cursor_before = b.cursor.borrow().clone();
    let caught_up = b.sync();
    assert_eq!(caught_up.pulled, 2, "B's cursor counts on the copy: just the two it had not seen (not everything again)");
    assert_eq!(b.cursor.borrow().as_ref().unwrap().epoch, cursor_before.unwrap().epoch, "same epoch");
    assert_eq!(b.snapshot(), a.snapshot());
    assert_eq!(a.sync().pulled, 0, "A was up to date");

    // Writing on the copy goes on from the copied head.
    b.edit(&records[2], |x| x.notes = "迁移后改过".into());
    b.sync();
    assert_eq!(a.sync().pulled, 1);
    assert_eq!(a.snapshot(), b.snapshot());
    assert_eq!(other.sync().pulled, 0, "the other team's tablet too resumes where it was");
    let fresh = Tablet::new("tablet-c", pg.addr, &token);
    fresh.sync();
    assert_eq!(fresh.snapshot(), a.snapshot(), "a full pull from the copy holds everything");
    assert_eq!(fresh.docs.borrow().len(), 11);

    let (status, bytes) = request(pg.addr, &format!("GET /api/blobs/{hash}"), &token, "image/jpeg", b"").unwrap();
    assert_eq!((status, bytes), (200, photo), "the photo came along, byte for byte");
}
