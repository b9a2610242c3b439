//! `--config FILE` on the real binary: `backup` takes the database from the file (and
//! ignores the keys of `serve` it has no use for), a flag wins over the file, an unknown
//! key or a bad value is refused with the file and the key named.

use std::path::Path;
use std::process::{Command, Output};

fn server(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xunfang-server")).args(args).env("RUST_LOG", "off").output().unwrap()
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn write_config(dir: &Path, body: &str) -> String {
    let path = dir.join("config.toml");
    std::fs::write(&path, body).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn backup_reads_the_database_from_the_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("office.sqlite3");
    xunfang_server::SqliteStore::open(&db).unwrap().create_token("office", "").unwrap();
    let config =
        write_config(dir.path(), &format!("# the service's options\nbind = \"0.0.0.0:8080\"\ndb = {:?}\nmax_blob_bytes = 1000\n", db.to_str().unwrap()));
    let copy = dir.path().join("copy.sqlite3");
    let out = server(&["backup", copy.to_str().unwrap(), "--config", &config]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("office.sqlite3"), "{}", text(&out));
    assert_eq!(xunfang_server::SqliteStore::open(&copy).unwrap().list_tokens().unwrap().len(), 1, "the copy is of the configured database");
}

#[test]
fn a_flag_wins_over_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "dist = \"/nonexistent/from-the-file\"\nbind = \"127.0.0.1:0\"\n");
    let out = server(&["serve", "--config", &config]);
    assert!(!out.status.success());
    assert!(text(&out).contains("/nonexistent/from-the-file"), "the file's dist: {}", text(&out));
    let out = server(&["serve", "--config", &config, "--dist", "/nonexistent/from-the-flag"]);
    assert!(!out.status.success());
    assert!(text(&out).contains("/nonexistent/from-the-flag") && !text(&out).contains("from-the-file"), "the flag's dist: {}", text(&out));
}

#[test]
fn an_unknown_key_or_a_bad_value_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "max_concurent = 8\n");
    for args in [&["serve", "--config", &config][..], &["token", "list", "--config", &config]] {
        let out = server(args);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        assert!(text(&out).contains(&format!("{config}: unknown key `max_concurent`")), "{}", text(&out));
        assert!(text(&out).contains("max_concurrent"), "the message lists the keys: {}", text(&out));
    }
    let config = write_config(dir.path(), "max_concurrent = \"many\"\n");
    let out = server(&["serve", "--config", &config]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("`max_concurrent`: invalid value 'many' for '--max-concurrent <N>'"), "{}", text(&out));
}
