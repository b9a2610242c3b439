//! The SQLite store's handle: connections opened on demand and kept for
//! reuse, and the read and write transactions every query runs in.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::schema;
use crate::store::StoreError;

/// The SQLite store; cheap to clone. Write transactions of this process take
/// turns on a mutex (SQLite would serialise them anyway; the mutex saves
/// busy-waiting).
#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    write: Mutex<()>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").field("path", &self.inner.path).finish()
    }
}

/// How many idle connections are kept.
const IDLE_CONNECTIONS: usize = 8;

impl SqliteStore {
    /// Opens the file (creating its directory), switches it to WAL mode and
    /// brings the schema up to date.
    pub(super) fn open_pool(path: &Path) -> Result<SqliteStore, StoreError> {
        let path = path.to_path_buf();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| StoreError(format!("cannot create the directory {}: {e}", parent.display())))?;
        }
        let conn = Connection::open(&path).map_err(|e| StoreError(format!("cannot open the database {}: {e}", path.display())))?;
        conn.busy_timeout(Duration::from_secs(10))?;
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError(format!("the database {} cannot use WAL mode (got {mode}); put it on a local disk", path.display())));
        }
        schema::migrate(&conn, &path)?;
        configure(&conn)?;
        Ok(SqliteStore { inner: Arc::new(Inner { path, idle: Mutex::new(vec![conn]), write: Mutex::new(()) }) })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Runs `f` on a pooled connection.
    pub(super) fn with_conn<R>(&self, f: impl FnOnce(&mut Connection) -> Result<R, StoreError>) -> Result<R, StoreError> {
        let pooled = self.inner.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut conn = match pooled {
            Some(conn) => conn,
            None => {
                let conn = Connection::open(&self.inner.path)?;
                configure(&conn)?;
                conn
            }
        };
        let result = f(&mut conn);
        // A connection left inside a transaction (a panic in `f`) is dropped.
        if conn.is_autocommit() {
            let mut idle = self.inner.idle.lock().unwrap_or_else(|e| e.into_inner());
            if idle.len() < IDLE_CONNECTIONS {
                idle.push(conn);
            }
        }
        result
    }

    /// Runs `f` in a write transaction (`BEGIN IMMEDIATE`: the write lock is
    /// held from the first statement), committing if it returns `Ok`.
    pub(super) fn write<R>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<R, StoreError>) -> Result<R, StoreError> {
        self.with_conn(|conn| {
            let _turn = self.inner.write.lock().unwrap_or_else(|e| e.into_inner());
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        })
    }

    /// Like [`write`](Self::write), but an inner `Err` (a refusal such as a
    /// quota) rolls the whole transaction back and is returned as it is.
    pub(super) fn write_unless<R, E>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<Result<R, E>, StoreError>) -> Result<Result<R, E>, StoreError> {
        self.with_conn(|conn| {
            let _turn = self.inner.write.lock().unwrap_or_else(|e| e.into_inner());
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let out = f(&tx)?;
            if out.is_ok() {
                tx.commit()?;
            }
            // Dropping `tx` uncommitted rolls it back.
            Ok(out)
        })
    }

    /// Runs `f` in a write transaction only if the write lock is free now
    /// (`None` otherwise, nothing done): for bookkeeping a request must not
    /// wait for, such as when a token was last used — readers never wait.
    pub(super) fn try_write<R>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<R, StoreError>) -> Result<Option<R>, StoreError> {
        let Ok(_turn) = self.inner.write.try_lock() else { return Ok(None) };
        self.with_conn(|conn| {
            conn.busy_timeout(Duration::ZERO)?;
            let out = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
                Ok(tx) => f(&tx).and_then(|out| Ok(tx.commit().map(|()| Some(out))?)),
                Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::DatabaseBusy => Ok(None),
                Err(e) => Err(e.into()),
            };
            conn.busy_timeout(BUSY_TIMEOUT)?;
            out
        })
    }

    /// Runs `f` in a read transaction: one consistent snapshot.
    pub(super) fn read<R>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<R, StoreError>) -> Result<R, StoreError> {
        self.with_conn(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        })
    }
}

/// How long a statement waits for another process's write lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Per-connection settings.
fn configure(conn: &Connection) -> Result<(), StoreError> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // synchronous = FULL (the default) : a document the response lists as
    // accepted survives a power cut, since the client will not push it again.
    conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;")?;
    Ok(())
}
