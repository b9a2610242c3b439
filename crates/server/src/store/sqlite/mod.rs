//! The SQLite backend of the store seam: one file, `<data>/xunfang.sqlite3`,
//! in WAL mode; the only place in the server with SQL.
//!
//! One file per concern: [`schema`] (tables, version), [`pool`]
//! (connections, read and write transactions), [`tokens`], [`docs`]
//! (push and pull), [`blobs`], [`collect`] (the photo collection pass), [`epoch`], [`backup`] (with `restore`) and [`migrate`] (the source of a copy). Documents and blobs of different teams
//! never meet: every query names the team, and the same id (or the same
//! photo) in two teams is two rows.
//!
//! # Why a pull never skips a late commit
//!
//! The sync cursor is `seq`. A write takes the next `seq` from `teams.head`
//! *inside* its write transaction (`BEGIN IMMEDIATE`), and SQLite lets only
//! one write transaction run at a time (WAL mode: one writer, many readers).
//! So the transaction that took `seq = n` has committed (or rolled back,
//! giving `n` back) before any other can take `n + 1`: sequence numbers
//! become visible in exactly the order they are assigned. A reader sees a
//! snapshot of committed transactions; if it sees `n + 1` it sees every
//! number below. Hence when a pull returns cursor `c`, every commit with a
//! `seq <= c` is already visible and none can appear later below `c`: a
//! client resuming from `c` misses nothing. (An auto-increment taken before
//! the commit, or a timestamp, would not give this: a transaction that took
//! an earlier number could commit after a reader had moved past it.)
//! `tests/sync.rs` (`a_pull_never_skips_a_write_that_commits_late`) holds a
//! write transaction open while others pull, and checks exactly this.
//! `BEGIN IMMEDIATE` is also what makes "the team's counter first" hold:
//! the write lock is taken before any stored copy is read.

mod backup;
mod blobs;
mod collect;
mod docs;
mod epoch;
mod migrate;
mod pool;
mod schema;
mod tokens;

use std::path::{Path, PathBuf};

use xunfang_core::BlobHash;

use super::{
    AdminStore, BackupStore, Blob, BlobMeta, BlobPut, ClaimRefused, Claimed, DeviceRevoked, DeviceStore, NewBlob, NewSetupCode, NewToken, PhotoPass, Pull,
    Pushed, QuotaExceeded, StoreError, StoreFuture, Summary, SyncStore, Synced, SyncedBy, Team, TeamPhotos, TokenInfo, TokenKind, TokenRow,
};
pub use backup::DataLock;
pub use docs::StoredDoc;
pub use pool::SqliteStore;
pub use schema::DB_FILE;

impl From<rusqlite::Error> for StoreError {
    fn from(err: rusqlite::Error) -> Self {
        StoreError(format!("database error: {err}"))
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path`, in WAL mode, with
    /// the schema this build writes.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteStore, StoreError> {
        SqliteStore::open_pool(path.as_ref())
    }

    /// Runs `f` on a blocking thread with a handle of this store: SQLite
    /// calls block, and must not hold up the async threads.
    fn blocking<R: Send + 'static>(&self, f: impl FnOnce(SqliteStore) -> Result<R, StoreError> + Send + 'static) -> StoreFuture<'static, R> {
        let store = self.clone();
        Box::pin(async move { tokio::task::spawn_blocking(move || f(store)).await.map_err(|e| StoreError(format!("database task failed: {e}")))? })
    }
}

impl DeviceStore for SqliteStore {
    fn find_token(&self, hash: Vec<u8>) -> StoreFuture<'_, Option<TokenRow>> {
        self.blocking(move |store| store.token_row(&hash))
    }

    fn token_used(&self, hash: Vec<u8>, now: i64) -> StoreFuture<'_, ()> {
        self.blocking(move |store| store.mark_used(&hash, now))
    }

    fn token_synced(&self, by: SyncedBy) -> StoreFuture<'_, ()> {
        self.blocking(move |store| store.mark_synced(&by))
    }

    fn team_devices(&self, team: Team) -> StoreFuture<'_, Vec<TokenInfo>> {
        self.blocking(move |store| store.list_team_devices(&team))
    }

    fn add_setup_code(&self, team: Team, code: NewSetupCode) -> StoreFuture<'_, ()> {
        self.blocking(move |store| store.insert_setup_code(&team, &code))
    }

    fn claim_setup_code(&self, code_hash: Vec<u8>, token: NewToken, now: i64) -> StoreFuture<'_, Result<Claimed, ClaimRefused>> {
        self.blocking(move |store| store.claim_code(&code_hash, &token, now))
    }

    fn revoke_device(&self, team: Team, prefix: String, now: i64) -> StoreFuture<'_, DeviceRevoked> {
        self.blocking(move |store| store.revoke_team_device(&team, &prefix, now))
    }
}

impl SyncStore for SqliteStore {
    fn sync(&self, team: Team, push: Vec<Pushed>, pull: Pull, max_docs: u64, by: SyncedBy) -> StoreFuture<'_, Result<Synced, QuotaExceeded>> {
        self.blocking(move |store| store.sync_team(&team, push, pull, max_docs, &by))
    }

    fn blob_meta(&self, team: Team, hash: BlobHash) -> StoreFuture<'_, Option<BlobMeta>> {
        self.blocking(move |store| store.find_blob_meta(&team, &hash))
    }

    fn blob(&self, team: Team, hash: BlobHash) -> StoreFuture<'_, Option<Blob>> {
        self.blocking(move |store| store.find_blob(&team, &hash))
    }

    fn put_blob(&self, team: Team, blob: NewBlob, max_team_bytes: u64) -> StoreFuture<'_, Result<BlobPut, QuotaExceeded>> {
        self.blocking(move |store| store.insert_blob(&team, &blob, max_team_bytes))
    }
}

impl AdminStore for SqliteStore {
    fn add_token(&self, team: String, label: String, token: NewToken, kind: TokenKind) -> StoreFuture<'_, ()> {
        self.blocking(move |store| store.add_token_row(&team, &label, &token, kind))
    }

    fn list_tokens(&self) -> StoreFuture<'_, Vec<TokenInfo>> {
        self.blocking(|store| SqliteStore::list_tokens(&store))
    }

    fn revoke_token(&self, given: String, shown: String) -> StoreFuture<'_, (TokenInfo, bool)> {
        self.blocking(move |store| store.revoke_picked(&given, &shown))
    }

    fn has_active_tokens(&self) -> StoreFuture<'_, bool> {
        self.blocking(|store| SqliteStore::has_active_tokens(&store))
    }

    fn collect_photos(&self, pass: PhotoPass) -> StoreFuture<'_, Vec<TeamPhotos>> {
        self.blocking(move |store| store.collect_pass(&pass))
    }
}

impl BackupStore for SqliteStore {
    fn backup(&self, to: PathBuf) -> StoreFuture<'_, Summary> {
        self.blocking(move |store| store.backup_to(&to))
    }

    fn restore(&self, from: PathBuf) -> StoreFuture<'_, Summary> {
        self.blocking(move |store| store.restore_from(&from))
    }
}

/// Unix seconds, as the tables keep times.
fn now() -> i64 {
    super::unix_now()
}
