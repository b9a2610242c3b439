//! Backups and restores behind the store seam ([`BackupStore`]), and the
//! epoch every database carries so that a restore loses nothing a tablet
//! still holds.
//!
//! A restored database's sequence is behind what tablets have seen: their
//! cursors would skip what is committed after the restore, and the edits
//! they pushed after the backup are gone from it. So each database has an
//! [`Epoch`], made when it is made and anew by every restore (and in every
//! backup copy, so a file put back by hand is a new epoch too). The epoch
//! travels with the cursor; a cursor of another epoch is answered from the
//! start ([`super::resume_from`]) and the tablet, seeing a new epoch, pushes
//! everything it holds (`xunfang_core::sync_client::new_epoch`).

use std::path::PathBuf;

use xunfang_core::blob::hex;

use super::{StoreError, StoreFuture};

/// A database's epoch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Epoch {
    /// Random (128 bits as 32 hex digits), unique to this life of the database.
    pub id: String,
    /// Whether a cursor sent without an epoch (by an app from before epochs)
    /// counts in this one: only while the database has never been restored.
    /// After a restore such a cursor is answered from the start.
    pub legacy_cursors: bool,
}

/// A fresh epoch id.
pub fn new_epoch_id() -> Result<String, StoreError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| StoreError(format!("no random numbers from the system: {e}")))?;
    Ok(hex(&bytes))
}

/// What a backup or a restore holds, for the command's message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    pub teams: u64,
    pub docs: u64,
    pub blobs: u64,
    /// The epoch of the copy written (the backup file's, or the restored
    /// database's).
    pub epoch: String,
}

/// What the `backup` and `restore` commands need from a database. Each
/// backend does it its own way (SQLite: `VACUUM INTO` and the online backup
/// API; PostgreSQL would use its own tools); the epoch rule is the same.
pub trait BackupStore: Send + Sync + 'static {
    /// Writes a consistent copy of the live database to `to` (a new file)
    /// while requests go on, with an epoch of its own.
    fn backup(&self, to: PathBuf) -> StoreFuture<'_, Summary>;

    /// Checks the backup `from`, then replaces the whole database with it in
    /// one step, with a new epoch. Refuses while a server runs on the
    /// database (when the backend can tell).
    fn restore(&self, from: PathBuf) -> StoreFuture<'_, Summary>;
}
