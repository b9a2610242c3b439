//! The database the tests run on: SQLite in the test's directory, or a new
//! database of its own on the PostgreSQL cluster `XUNFANG_TEST_POSTGRES`
//! names (`cargo xtask test native` starts one and runs the suite twice).
//! Each test gets an empty database, so tests run in parallel on both.
//! They are not dropped: the cluster is a throwaway one (xtask removes it
//! whole), so do not point the variable at a database server you keep.
//!
//! [`TestStore`] is either store behind one face: the seam's traits for the
//! router, and blocking helpers for assertions. PostgreSQL helpers run on a
//! runtime of their own with their own connection, so a test can call them
//! between requests without an `.await`.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use xunfang_core::BlobHash;
use xunfang_server::store::postgres::PgSettings;
use xunfang_server::store::sqlite::StoredDoc;
use xunfang_server::store::tokens::{access, revoke_argument, token_hash, TokenInfo};
use xunfang_server::store::{
    unix_now, Access, AdminStore, Blob, BlobMeta, BlobPut, ClaimRefused, Claimed, DeviceRevoked, DeviceStore, Epoch, NewBlob, NewSetupCode, NewToken,
    PhotoPass, Pull, Pushed, QuotaExceeded, StoreError, StoreFuture, Synced, SyncedBy, Team, TeamPhotos, TokenKind, TokenRow,
};
use xunfang_server::{PgStore, SqliteStore, SyncStore};

/// The variable `cargo xtask test native` sets to the cluster's address.
pub const ENV: &str = "XUNFANG_TEST_POSTGRES";

/// The PostgreSQL cluster the suite runs on, if any.
pub fn on_postgres() -> Option<String> {
    std::env::var(ENV).ok().filter(|s| !s.trim().is_empty())
}

/// For a test that can only hold on SQLite (a file, a lock file): `true` on
/// PostgreSQL, after saying which test is skipped and why (never silently).
pub fn sqlite_only(why: &str) -> bool {
    if on_postgres().is_none() {
        return false;
    }
    let name = std::thread::current().name().unwrap_or("?").to_string();
    // Straight to stderr: the test harness hides what `eprintln!` prints in
    // a passing test, and a skip must show.
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "skipped on PostgreSQL: {name}: SQLite only ({why})");
    true
}

/// For a test that needs PostgreSQL: the cluster, or `None` after saying
/// this test is skipped.
pub fn pg_cluster() -> Option<String> {
    let url = on_postgres();
    if url.is_none() {
        use std::io::Write;
        let name = std::thread::current().name().unwrap_or("?").to_string();
        let _ = writeln!(std::io::stderr(), "skipped: {name}: PostgreSQL only (set XUNFANG_TEST_POSTGRES, or run `cargo xtask test native`)");
    }
    url
}

pub async fn connect(url: &str) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(conn);
    client
}

/// How many of the server's sessions wait for a lock.
pub async fn lock_waiters(observer: &tokio_postgres::Client) -> i64 {
    let sql = "SELECT count(*) FROM pg_stat_activity
               WHERE datname = current_database() AND application_name = 'xunfang-server' AND wait_event_type = 'Lock'";
    observer.query_one(sql, &[]).await.unwrap().get(0)
}

/// Waits (without a time limit that could fail a slow machine; a stuck
/// test is stopped by the harness) until `n` of the server's sessions wait
/// for a lock.
pub async fn until_waiting(observer: &tokio_postgres::Client, n: i64) {
    while lock_waiters(observer).await < n {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Runs `make()`'s future to its end on a runtime of its own, in a thread of
/// its own (callable from inside a test's runtime).
pub fn on_own_runtime<T: Send, F: Future<Output = T>>(make: impl FnOnce() -> F + Send) -> T {
    std::thread::scope(|scope| scope.spawn(|| tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(make())).join().unwrap())
}

/// Runs `f` with a connection of its own to `url`, on a runtime of its own.
fn on_own_connection<T: Send, F: Future<Output = T>>(url: &str, f: impl FnOnce(std::sync::Arc<tokio_postgres::Client>) -> F + Send) -> T {
    on_own_runtime(|| async move {
        let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.expect("connect to the test database");
        let conn = tokio::spawn(conn);
        let client = std::sync::Arc::new(client);
        let out = f(client.clone()).await;
        drop(client);
        let _ = conn.await;
        out
    })
}

/// A new, empty database on the cluster: its connection string.
pub fn fresh_pg_database(cluster: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let name = format!("t{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
    let create = format!("CREATE DATABASE {name}");
    on_own_connection(cluster, |client| async move { client.batch_execute(&create).await.expect("create a test database") });
    with_dbname(cluster, &name)
}

/// `url` with its database replaced by `name` (libpq `key=value`: a later
/// key wins; a URL: its path).
fn with_dbname(url: &str, name: &str) -> String {
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return format!("{url} dbname={name}");
    }
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").unwrap() + 3;
    let host_end = base[scheme_end..].find('/').map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{name}", &base[..host_end]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// The store a test runs on.
#[derive(Clone, Debug)]
pub enum TestStore {
    Sqlite(SqliteStore),
    /// The store serving the router, and its database's connection string.
    Postgres(PgStore, String),
}

impl TestStore {
    /// A fresh database: `<dir>/data/xunfang.sqlite3`, or a new one on the cluster.
    pub fn fresh(dir: &Path) -> TestStore {
        match on_postgres() {
            Some(cluster) => TestStore::open_pg(fresh_pg_database(&cluster)),
            None => TestStore::Sqlite(SqliteStore::open(dir.join("data").join("xunfang.sqlite3")).unwrap()),
        }
    }

    /// The PostgreSQL database at `url` (migrated on its own runtime; the
    /// pool makes new connections in the caller's).
    pub fn open_pg(url: String) -> TestStore {
        let store = on_own_runtime(|| PgStore::open(&url, PgSettings::default())).expect("open the test database");
        TestStore::Postgres(store, url)
    }

    /// The same database opened anew (a server restart).
    pub fn reopen(&self) -> TestStore {
        match self {
            TestStore::Sqlite(s) => TestStore::Sqlite(SqliteStore::open(s.path()).unwrap()),
            TestStore::Postgres(_, url) => TestStore::open_pg(url.clone()),
        }
    }

    /// The SQLite store; for tests that are [`sqlite_only`].
    pub fn sqlite(&self) -> &SqliteStore {
        match self {
            TestStore::Sqlite(s) => s,
            TestStore::Postgres(..) => panic!("a SQLite-only test ran on PostgreSQL: guard it with sqlite_only()"),
        }
    }

    /// The SQLite file; for tests that are [`sqlite_only`].
    pub fn path(&self) -> PathBuf {
        self.sqlite().path().to_path_buf()
    }

    /// Runs `f` on a PostgreSQL store of its own (blocking), or on SQLite.
    fn either<T: Send, F: Future<Output = Result<T, StoreError>>>(
        &self,
        sqlite: impl FnOnce(&SqliteStore) -> Result<T, StoreError>,
        pg: impl FnOnce(PgStore) -> F + Send,
    ) -> Result<T, StoreError> {
        match self {
            TestStore::Sqlite(s) => sqlite(s),
            TestStore::Postgres(_, url) => on_own_runtime(|| async move { pg(PgStore::open(url, PgSettings::default()).await?).await }),
        }
    }

    pub fn create_token(&self, team: &str, label: &str) -> Result<String, StoreError> {
        self.create_token_of(team, label, TokenKind::Team)
    }

    pub fn create_token_of(&self, team: &str, label: &str, kind: TokenKind) -> Result<String, StoreError> {
        self.either(|s| s.create_token_of(team, label, kind), |pg| async move { xunfang_server::store::create_token(&pg, team, label, kind).await })
    }

    pub fn list_tokens(&self) -> Result<Vec<TokenInfo>, StoreError> {
        self.either(|s| s.list_tokens(), |pg| async move { AdminStore::list_tokens(&pg).await })
    }

    pub fn revoke_token(&self, token_or_prefix: &str) -> Result<(TokenInfo, bool), StoreError> {
        self.either(
            |s| s.revoke_token(token_or_prefix),
            |pg| async move { AdminStore::revoke_token(&pg, revoke_argument(token_or_prefix)?, token_or_prefix.trim().to_string()).await },
        )
    }

    pub fn team_for_token(&self, token: &str) -> Result<Option<Team>, StoreError> {
        self.either(
            |s| s.team_for_token(token),
            |pg| async move {
                let row = DeviceStore::find_token(&pg, token_hash(token.trim())).await?;
                Ok(match access(row.as_ref(), unix_now()) {
                    Access::Sync(team) => Some(team),
                    _ => None,
                })
            },
        )
    }

    pub fn team_docs(&self, team: &str) -> Result<Vec<StoredDoc>, StoreError> {
        self.either(|s| s.team_docs(team), |pg| async move { pg.team_docs(team).await })
    }

    pub fn blob_usage(&self, team: &str) -> Result<(u64, u64), StoreError> {
        self.either(|s| s.blob_usage(team), |pg| async move { pg.blob_usage(team).await })
    }

    pub fn epoch(&self) -> Result<Epoch, StoreError> {
        self.either(|s| s.epoch(), |pg| async move { pg.epoch().await })
    }

    /// Runs SQL both backends read alike on the database, behind the store's
    /// back (to damage a row, say).
    pub fn execute(&self, sql: &str) {
        match self {
            TestStore::Sqlite(s) => {
                rusqlite::Connection::open(s.path()).unwrap().execute_batch(sql).unwrap();
            }
            TestStore::Postgres(_, url) => on_own_connection(url, |client| async move { client.batch_execute(sql).await.unwrap() }),
        }
    }

    /// The number a query of one `bigint`/`INTEGER` answers, on the
    /// database behind the store's back.
    pub fn count(&self, sql: &str) -> i64 {
        match self {
            TestStore::Sqlite(s) => rusqlite::Connection::open(s.path()).unwrap().query_row(sql, [], |r| r.get(0)).unwrap(),
            TestStore::Postgres(_, url) => on_own_connection(url, |client| async move { client.query_one(sql, &[]).await.unwrap().get(0) }),
        }
    }

    fn sync_store(&self) -> &dyn SyncStore {
        match self {
            TestStore::Sqlite(s) => s,
            TestStore::Postgres(pg, _) => pg,
        }
    }

    fn admin_store(&self) -> &dyn AdminStore {
        match self {
            TestStore::Sqlite(s) => s,
            TestStore::Postgres(pg, _) => pg,
        }
    }
}

impl DeviceStore for TestStore {
    fn find_token(&self, hash: Vec<u8>) -> StoreFuture<'_, Option<TokenRow>> {
        self.sync_store().find_token(hash)
    }

    fn token_used(&self, hash: Vec<u8>, now: i64) -> StoreFuture<'_, ()> {
        self.sync_store().token_used(hash, now)
    }

    fn token_synced(&self, by: SyncedBy) -> StoreFuture<'_, ()> {
        self.sync_store().token_synced(by)
    }

    fn team_devices(&self, team: Team) -> StoreFuture<'_, Vec<TokenInfo>> {
        self.sync_store().team_devices(team)
    }

    fn add_setup_code(&self, team: Team, code: NewSetupCode) -> StoreFuture<'_, ()> {
        self.sync_store().add_setup_code(team, code)
    }

    fn claim_setup_code(&self, code_hash: Vec<u8>, token: NewToken, now: i64) -> StoreFuture<'_, Result<Claimed, ClaimRefused>> {
        self.sync_store().claim_setup_code(code_hash, token, now)
    }

    fn revoke_device(&self, team: Team, prefix: String, now: i64) -> StoreFuture<'_, DeviceRevoked> {
        self.sync_store().revoke_device(team, prefix, now)
    }
}

impl SyncStore for TestStore {
    fn sync(&self, team: Team, push: Vec<Pushed>, pull: Pull, max_docs: u64, by: SyncedBy) -> StoreFuture<'_, Result<Synced, QuotaExceeded>> {
        self.sync_store().sync(team, push, pull, max_docs, by)
    }

    fn blob_meta(&self, team: Team, hash: BlobHash) -> StoreFuture<'_, Option<BlobMeta>> {
        self.sync_store().blob_meta(team, hash)
    }

    fn blob(&self, team: Team, hash: BlobHash) -> StoreFuture<'_, Option<Blob>> {
        self.sync_store().blob(team, hash)
    }

    fn put_blob(&self, team: Team, blob: NewBlob, max_team_bytes: u64) -> StoreFuture<'_, Result<BlobPut, QuotaExceeded>> {
        self.sync_store().put_blob(team, blob, max_team_bytes)
    }
}

impl AdminStore for TestStore {
    fn add_token(&self, team: String, label: String, token: NewToken, kind: TokenKind) -> StoreFuture<'_, ()> {
        self.admin_store().add_token(team, label, token, kind)
    }

    fn list_tokens(&self) -> StoreFuture<'_, Vec<TokenInfo>> {
        self.admin_store().list_tokens()
    }

    fn revoke_token(&self, given: String, shown: String) -> StoreFuture<'_, (TokenInfo, bool)> {
        self.admin_store().revoke_token(given, shown)
    }

    fn has_active_tokens(&self) -> StoreFuture<'_, bool> {
        self.admin_store().has_active_tokens()
    }

    fn collect_photos(&self, pass: PhotoPass) -> StoreFuture<'_, Vec<TeamPhotos>> {
        self.admin_store().collect_photos(pass)
    }
}
