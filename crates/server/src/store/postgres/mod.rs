//! The PostgreSQL backend of the store seam, for several stateless server
//! instances over one database (`serve --database postgres://…`).
//!
//! One file per concern, as in [`super::sqlite`]: `schema` (versioned
//! migrations), `pool` (connections, settings, transactions, which errors
//! mean "the database is unavailable"), `tokens`, `docs` (push and
//! pull), `blobs`, `epoch` and `migrate` (the copy from SQLite). Documents are kept as the exact JSON
//! text (`TEXT`, not `jsonb`, which would reorder keys); photos as `bytea`,
//! written in the transaction of their usage row.
//!
//! # Why a pull never skips a late commit
//!
//! Several connections write at once here, so the order in which sequence
//! numbers are taken is not by itself the order they become visible. A push
//! runs in `READ COMMITTED` and its *first* statement is `SELECT head …
//! FOR NO KEY UPDATE` on the team's row (`FOR UPDATE` would also block
//! every insert whose foreign key names the team, such as its photos): the team's pushes take turns from there
//! to their commit, and each takes its numbers from the `head` it holds.
//! So the transaction that took `n` has committed (or rolled back) before
//! any other can take `n + 1`, and stored copies are read only after the
//! lock (another push's commit cannot be merged against a stale copy).
//! A pull reads `head` and the page from one `REPEATABLE READ READ ONLY`
//! snapshot: if it sees `n + 1` it sees `n`. Only the team's row is
//! waited for (the push's own token row is taken only when free: `SKIP
//! LOCKED`), so teams never wait for each other. A sequence (`nextval()`)
//! would hand out `n` and `n + 1` to two transactions that may commit in
//! either order; the test `pg_cursor` keeps such a store mode
//! ([`CursorMode::NaiveSequence`]) as the negative control that shows the
//! test catches the skip.
//!
//! `backup` and `restore` are PostgreSQL's own tools (`pg_dump`,
//! `pg_restore`); the commands say so ([`BackupStore`]).

mod blobs;
mod collect;
mod docs;
mod epoch;
mod migrate;
mod pool;
mod schema;
mod tokens;

use std::path::PathBuf;

use xunfang_core::BlobHash;

use super::{
    AdminStore, BackupStore, Blob, BlobMeta, BlobPut, ClaimRefused, Claimed, DeviceRevoked, DeviceStore, NewBlob, NewSetupCode, NewToken, PhotoPass, Pull,
    Pushed, QuotaExceeded, StoreError, StoreFuture, Summary, SyncStore, Synced, SyncedBy, Team, TeamPhotos, TokenInfo, TokenKind, TokenRow,
};
pub use pool::{is_postgres_url, CursorMode, PgSettings, PgStore};
pub use schema::SCHEMA_VERSION;

/// What `backup` and `restore` answer on PostgreSQL.
pub const USE_PG_DUMP: &str = "backup and restore of a PostgreSQL database are done with PostgreSQL's own tools: \
     `pg_dump --format=custom --file FILE URL` while the servers run, and `pg_restore --clean --dbname URL FILE` with them stopped, \
     then give the database a new epoch (README, \"Sync\")";

impl DeviceStore for PgStore {
    fn find_token(&self, hash: Vec<u8>) -> StoreFuture<'_, Option<TokenRow>> {
        Box::pin(async move { self.token_row(&hash).await })
    }

    fn token_used(&self, hash: Vec<u8>, now: i64) -> StoreFuture<'_, ()> {
        Box::pin(async move { self.mark_used(&hash, now).await })
    }

    fn token_synced(&self, by: SyncedBy) -> StoreFuture<'_, ()> {
        Box::pin(async move { self.mark_synced(&by).await })
    }

    fn team_devices(&self, team: Team) -> StoreFuture<'_, Vec<TokenInfo>> {
        Box::pin(async move { self.list_team_devices(&team).await })
    }

    fn add_setup_code(&self, team: Team, code: NewSetupCode) -> StoreFuture<'_, ()> {
        Box::pin(async move { self.insert_setup_code(&team, &code).await })
    }

    fn claim_setup_code(&self, code_hash: Vec<u8>, token: NewToken, now: i64) -> StoreFuture<'_, Result<Claimed, ClaimRefused>> {
        Box::pin(async move { self.claim_code(&code_hash, &token, now).await })
    }

    fn revoke_device(&self, team: Team, prefix: String, now: i64) -> StoreFuture<'_, DeviceRevoked> {
        Box::pin(async move { self.revoke_team_device(&team, &prefix, now).await })
    }
}

impl SyncStore for PgStore {
    fn sync(&self, team: Team, push: Vec<Pushed>, pull: Pull, max_docs: u64, by: SyncedBy) -> StoreFuture<'_, Result<Synced, QuotaExceeded>> {
        Box::pin(async move { self.sync_team(&team, push, pull, max_docs, &by).await })
    }

    fn blob_meta(&self, team: Team, hash: BlobHash) -> StoreFuture<'_, Option<BlobMeta>> {
        Box::pin(async move { self.find_blob_meta(&team, &hash).await })
    }

    fn blob(&self, team: Team, hash: BlobHash) -> StoreFuture<'_, Option<Blob>> {
        Box::pin(async move { self.find_blob(&team, &hash).await })
    }

    fn put_blob(&self, team: Team, blob: NewBlob, max_team_bytes: u64) -> StoreFuture<'_, Result<BlobPut, QuotaExceeded>> {
        Box::pin(async move { self.insert_blob(&team, &blob, max_team_bytes).await })
    }
}

impl AdminStore for PgStore {
    fn add_token(&self, team: String, label: String, token: NewToken, kind: TokenKind) -> StoreFuture<'_, ()> {
        Box::pin(async move { self.add_token_row(&team, &label, &token, kind).await })
    }

    fn list_tokens(&self) -> StoreFuture<'_, Vec<TokenInfo>> {
        Box::pin(self.token_rows())
    }

    fn revoke_token(&self, given: String, shown: String) -> StoreFuture<'_, (TokenInfo, bool)> {
        Box::pin(async move { self.revoke_picked(&given, &shown).await })
    }

    fn has_active_tokens(&self) -> StoreFuture<'_, bool> {
        Box::pin(self.any_active_token())
    }

    fn collect_photos(&self, pass: PhotoPass) -> StoreFuture<'_, Vec<TeamPhotos>> {
        Box::pin(async move { self.collect_pass(&pass).await })
    }
}

impl BackupStore for PgStore {
    fn backup(&self, _to: PathBuf) -> StoreFuture<'_, Summary> {
        Box::pin(async { Err(StoreError(USE_PG_DUMP.into())) })
    }

    fn restore(&self, _from: PathBuf) -> StoreFuture<'_, Summary> {
        Box::pin(async { Err(StoreError(USE_PG_DUMP.into())) })
    }
}
