//! `backup --into DIR --keep N`, the daily timer's command, on the real binary: a dated backup that
//! opens, the oldest dated ones removed, every other file left alone.

use std::process::Command;

#[test]
fn a_dated_backup_is_written_and_only_the_oldest_dated_ones_go() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("live.sqlite3");
    xunfang_server::SqliteStore::open(&db).unwrap().create_token("office", "").unwrap();
    let backups = dir.path().join("backups");
    std::fs::create_dir_all(&backups).unwrap();
    for old in ["xunfang-20200101T020000Z.sqlite3", "xunfang-20200102T020000Z.sqlite3", "keep-me.sqlite3"] {
        std::fs::write(backups.join(old), "old").unwrap();
    }
    let out =
        Command::new(env!("CARGO_BIN_EXE_xunfang-server")).args(["backup", "--into"]).arg(&backups).args(["--keep", "2", "--db"]).arg(&db).output().unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said}{}", String::from_utf8_lossy(&out.stderr));
    assert!(said.contains("removed the old backup") && said.contains("xunfang-20200101T020000Z.sqlite3"), "{said}");

    let mut names: Vec<String> = std::fs::read_dir(&backups).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    assert_eq!(names.len(), 3, "{names:?}");
    assert_eq!(names[0], "keep-me.sqlite3");
    assert_eq!(names[1], "xunfang-20200102T020000Z.sqlite3");
    assert!(names[2].starts_with("xunfang-20") && names[2] > names[1], "{names:?}");
    let copy = xunfang_server::SqliteStore::open(backups.join(&names[2])).unwrap();
    assert_eq!(copy.list_tokens().unwrap().len(), 1, "the new backup opens and holds the database");

    let out = Command::new(env!("CARGO_BIN_EXE_xunfang-server")).args(["backup", "--keep", "2", "--db"]).arg(&db).output().unwrap();
    assert!(!out.status.success(), "--keep without --into, or no file: refused");
}
