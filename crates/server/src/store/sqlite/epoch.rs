//! The database's epoch in SQLite: two rows of `meta`, made when the file
//! gets its schema and replaced by a restore (see `store::backup`).

use rusqlite::{params, Connection};

use crate::store::backup::new_epoch_id;
use crate::store::{Epoch, StoreError};

/// Gives a database without an epoch one. A database that had none was made
/// by a server from before epochs and never restored by this one, so the
/// cursors its apps hold (without epoch) still count.
pub(super) fn ensure(conn: &Connection) -> Result<(), StoreError> {
    conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('epoch', ?1)", [new_epoch_id()?])?;
    conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('legacy_cursors', 'yes')", [])?;
    Ok(())
}

/// Starts a new life of the database (a restore, a backup copy): a new
/// epoch, in which cursors without epoch no longer count.
pub(super) fn renew(conn: &Connection) -> Result<String, StoreError> {
    let id = new_epoch_id()?;
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('epoch', ?1), ('legacy_cursors', 'no')", params![id])?;
    Ok(id)
}

/// The database's epoch.
pub(super) fn read(conn: &Connection) -> Result<Epoch, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT key, value FROM meta WHERE key IN ('epoch', 'legacy_cursors')")?;
    let mut rows = stmt.query([])?;
    let (mut id, mut legacy_cursors) = (None, false);
    while let Some(row) = rows.next()? {
        let (key, value): (String, String) = (row.get(0)?, row.get(1)?);
        match key.as_str() {
            "epoch" => id = Some(value),
            _ => legacy_cursors = value == "yes",
        }
    }
    let id = id.ok_or_else(|| StoreError("the database has no epoch (meta table damaged)".into()))?;
    Ok(Epoch { id, legacy_cursors })
}

impl super::SqliteStore {
    /// The database's epoch (administration and tests).
    pub fn epoch(&self) -> Result<Epoch, StoreError> {
        self.with_conn(|conn| read(conn))
    }
}
