//! `backup` and `restore` for SQLite: a consistent copy of the live file by
//! `VACUUM INTO` (a read snapshot: writers go on, the WAL is included), and a
//! restore that writes a checked copy into the live file with the online
//! backup API in one step. A lock file beside the database (`<db>.lock`),
//! held by `serve` and by `restore`, lets a restore refuse while a server
//! runs on the file.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use super::{epoch, schema, SqliteStore};
use crate::store::{StoreError, Summary};

/// The lock `serve` holds while it runs, and `restore` while it writes. The
/// system drops it when the process ends, however it ends (even `kill -9`).
#[derive(Debug)]
pub struct DataLock {
    _file: File,
}

impl SqliteStore {
    /// Takes the lock for serving; refused while a restore runs (or another
    /// server runs on the same file).
    pub fn lock_for_serving(&self) -> Result<DataLock, StoreError> {
        take_lock(self.path(), "another xunfang-server is running on this database, or a restore is under way; stop it first")
    }

    /// `BackupStore::backup`.
    pub fn backup_to(&self, to: &Path) -> Result<Summary, StoreError> {
        if to.exists() {
            return Err(StoreError(format!("{} already exists; a backup never overwrites a file, give a new name", to.display())));
        }
        let target = path_text(to)?;
        self.with_conn(|conn| Ok(conn.execute("VACUUM INTO ?1", [target])?))?;
        let copy = Connection::open(to)?;
        // One self-contained file, whatever the live database's mode.
        copy.query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(()))?;
        let id = epoch::renew(&copy)?;
        summary(&copy, id)
    }

    /// `BackupStore::restore`.
    pub fn restore_from(&self, from: &Path) -> Result<Summary, StoreError> {
        let _lock = take_lock(self.path(), "a server is running on this database (or another restore is); stop it, then run restore again")?;
        let source = open_backup(from)?;
        // The copy that goes in is made and given its epoch first, so the
        // live file changes once, from the old content to the new.
        let temp = sibling(self.path(), "restoring");
        remove_if_there(&temp)?;
        source.execute("VACUUM INTO ?1", [path_text(&temp)?])?;
        drop(source);
        let result = self.restore_copy(&temp);
        remove_if_there(&temp)?;
        result
    }

    fn restore_copy(&self, temp: &Path) -> Result<Summary, StoreError> {
        let summary = {
            let copy = Connection::open(temp)?;
            copy.query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(()))?;
            schema::migrate(&copy, temp)?;
            let id = epoch::renew(&copy)?;
            summary(&copy, id)?
        };
        let copy = Connection::open_with_flags(temp, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        self.with_conn(|live| {
            let backup = Backup::new(&copy, live)?;
            // All pages in one step: one write transaction on the live file.
            match backup.step(-1)? {
                StepResult::Done => Ok(()),
                _ => Err(StoreError("the database is busy; stop whatever uses it and run restore again".into())),
            }
        })?;
        Ok(summary)
    }
}

/// Opens a backup read-only and checks that it is an undamaged Xunfang
/// database this server can read.
fn open_backup(from: &Path) -> Result<Connection, StoreError> {
    if !from.is_file() {
        return Err(StoreError(format!("{} is not a file", from.display())));
    }
    let not_ours = |why: String| StoreError(format!("{} is not a Xunfang backup ({why})", from.display()));
    let conn = Connection::open_with_flags(from, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(|e| not_ours(e.to_string()))?;
    let check: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0)).map_err(|e| not_ours(e.to_string()))?;
    if check != "ok" {
        return Err(StoreError(format!("{} is damaged ({check}); use another backup", from.display())));
    }
    let tables: i64 = conn.query_row("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('teams', 'tokens', 'docs')", [], |r| r.get(0))?;
    if tables != 3 {
        return Err(not_ours("it has no teams, tokens and docs tables".into()));
    }
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > schema::SCHEMA_VERSION {
        return Err(StoreError(format!(
            "{} was written by a newer xunfang-server (schema {version}, this one knows {}); restore it with that version",
            from.display(),
            schema::SCHEMA_VERSION
        )));
    }
    Ok(conn)
}

/// How many teams, documents and photos a database holds.
fn summary(conn: &Connection, epoch: String) -> Result<Summary, StoreError> {
    let count = |table: &str| -> Result<u64, StoreError> { Ok(conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get::<_, i64>(0))? as u64) };
    Ok(Summary { teams: count("teams")?, docs: count("docs")?, blobs: count("blobs")?, epoch })
}

fn take_lock(db: &Path, busy: &str) -> Result<DataLock, StoreError> {
    let path = sibling(db, "lock");
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| StoreError(format!("cannot open the lock file {}: {e}", path.display())))?;
    match file.try_lock() {
        Ok(()) => Ok(DataLock { _file: file }),
        Err(TryLockError::WouldBlock) => Err(StoreError(format!("{} is in use: {busy}", db.display()))),
        Err(TryLockError::Error(e)) => Err(StoreError(format!("cannot lock {}: {e}", path.display()))),
    }
}

/// `<db>.<suffix>`, beside the database.
fn sibling(db: &Path, suffix: &str) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

fn remove_if_there(path: &Path) -> Result<(), StoreError> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(StoreError(format!("cannot remove {}: {e}", path.display()))),
        _ => Ok(()),
    }
}

fn path_text(path: &Path) -> Result<&str, StoreError> {
    path.to_str().ok_or_else(|| StoreError(format!("{} is not a UTF-8 path; choose another name", path.display())))
}
