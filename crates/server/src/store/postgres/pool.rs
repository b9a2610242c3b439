//! The PostgreSQL store's handle: a pool of connections (deadpool, each with
//! its cache of prepared statements), the session settings every connection
//! starts with, the transactions queries run in, and which driver errors
//! mean "the database is unavailable, try again" (answered 503).

use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, PoolError, RecyclingMethod, Runtime};
use tokio_postgres::error::SqlState;
use tokio_postgres::{IsolationLevel, NoTls};

use super::schema;
use crate::store::tokens::RecentUse;
use crate::store::StoreError;

/// How a push numbers its documents. Only [`CursorMode::TeamCounter`] is
/// correct; the other exists for the test that must catch its skips.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CursorMode {
    /// The team's `head`, locked by the push's first statement.
    TeamCounter,
    /// A database-wide `nextval()` taken when a document is written, without
    /// the team's lock: a negative control for tests, never for serving
    /// (a pull can move past a number whose transaction commits later).
    #[doc(hidden)]
    NaiveSequence,
}

/// Pool size and the time limits each connection's session runs under.
#[derive(Clone, Debug)]
pub struct PgSettings {
    /// Connections per server instance (`--pg-pool-size`).
    pub pool_size: usize,
    /// How long a statement waits for a row lock (the team's counter) before
    /// the request is refused with 503 (`lock_timeout`).
    pub lock_timeout: Duration,
    /// How long one statement may run (`statement_timeout`).
    pub statement_timeout: Duration,
    /// How long a transaction may sit idle before the database ends its
    /// session (`idle_in_transaction_session_timeout`): a stuck instance
    /// cannot hold a team's lock for longer than this.
    pub idle_in_transaction_timeout: Duration,
    /// How long to wait for a connection (from the pool, or a new one).
    pub connect_timeout: Duration,
    pub cursor: CursorMode,
}

impl Default for PgSettings {
    fn default() -> Self {
        // All well under the request deadline (60 s by default), so a
        // request that waits on the database is answered 503 by the store
        // with its reason rather than cut off by the deadline.
        PgSettings {
            pool_size: 16,
            lock_timeout: Duration::from_secs(10),
            statement_timeout: Duration::from_secs(30),
            idle_in_transaction_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            cursor: CursorMode::TeamCounter,
        }
    }
}

/// Whether `database` names a PostgreSQL server: a `postgres://` or
/// `postgresql://` URL, or libpq's `key=value` form (`host=/run/postgresql
/// dbname=xunfang`).
pub fn is_postgres_url(database: &str) -> bool {
    let d = database.trim();
    if d.starts_with("postgres://") || d.starts_with("postgresql://") {
        return true;
    }
    // `key=value …`: the first word is a key (letters and `_`) and `=`.
    let first = d.split_whitespace().next().unwrap_or("");
    match first.split_once('=') {
        Some((key, _)) => !key.is_empty() && key.chars().all(|c| c.is_ascii_alphabetic() || c == '_'),
        None => false,
    }
}

/// The PostgreSQL store; cheap to clone (the pool is shared).
#[derive(Clone)]
pub struct PgStore {
    pool: Pool,
    cursor: CursorMode,
    /// Tokens' uses this instance knows to be written (shared by clones, as the pool).
    recent_use: Arc<RecentUse>,
    /// Where it connects, without the password (for logs and messages).
    shown: String,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore").field("database", &self.shown).field("cursor", &self.cursor).finish()
    }
}

impl PgStore {
    /// Connects to `url` and brings the schema up to date (refusing a
    /// database written by a newer server). Must run inside a tokio runtime.
    pub async fn open(url: &str, settings: PgSettings) -> Result<PgStore, StoreError> {
        let mut config: tokio_postgres::Config = url
            .parse()
            .map_err(|e| StoreError(format!("cannot read the database address: {e}; give postgres://USER@HOST/DB or host=/run/postgresql dbname=DB")))?;
        let shown = shown(&config);
        // Every session starts with the limits (no extra round trip; a
        // user's own `options` in the URL are kept, ours come after).
        let ours = format!(
            "-c lock_timeout={} -c statement_timeout={} -c idle_in_transaction_session_timeout={}",
            settings.lock_timeout.as_millis(),
            settings.statement_timeout.as_millis(),
            settings.idle_in_transaction_timeout.as_millis()
        );
        let options = match config.get_options() {
            Some(theirs) if !theirs.is_empty() => format!("{theirs} {ours}"),
            _ => ours,
        };
        config.options(&options);
        config.connect_timeout(settings.connect_timeout);
        if config.get_application_name().is_none() {
            config.application_name("xunfang-server");
        }
        // Fast: the pool checks only that the driver has not seen the connection close. One the database
        // ended while it sat idle (a restart, a failover, an administrator) can still be handed out before
        // the driver notices, so every caller proves the connection: `client` with an empty query first
        // (what `Verified` would do), the requests every sync makes (`retrying`) by their first statement,
        // tried again on another connection when it finds the connection lost, which saves that round
        // trip on each of them (tests/pg_outage.rs ends idle connections under the pool).
        let manager = Manager::from_config(config, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
        let pool = Pool::builder(manager)
            .max_size(settings.pool_size.max(1))
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(settings.connect_timeout))
            .create_timeout(Some(settings.connect_timeout))
            .build()
            .map_err(|e| StoreError(format!("cannot set up the database pool: {e}")))?;
        let store = PgStore { pool, cursor: settings.cursor, recent_use: Arc::default(), shown };
        let mut client = store.client().await.map_err(|e| StoreError(format!("cannot connect to the database {}: {e}", store.shown)))?;
        schema::migrate(&mut client, &store.shown, settings.cursor).await?;
        Ok(store)
    }

    /// Where this store connects (user, host, port, database; never the password).
    pub fn shown(&self) -> &str {
        &self.shown
    }

    pub(super) fn cursor_mode(&self) -> CursorMode {
        self.cursor
    }

    pub(super) fn recent_use(&self) -> &RecentUse {
        &self.recent_use
    }

    /// A connection from the pool, proven alive by an empty query (one round
    /// trip); one found lost is dropped and the next taken (a new one once
    /// the pool holds no more it could hand out).
    pub(super) async fn client(&self) -> Result<Object, StoreError> {
        self.retrying(|client| async move {
            match client.simple_query("").await {
                Ok(_) => Ok(client),
                Err(e) => Err(Attempt::from_first(e)),
            }
        })
        .await
    }

    /// Runs `attempt` on a connection as the pool hands it out (not checked
    /// first) and again on the next one while it fails with
    /// [`Attempt::Lost`]: the connection was gone before anything of the
    /// request could happen. At most once per connection the pool may hold,
    /// and once more (a new one), so connections the database ended all at
    /// once cannot turn into a failed request; a database that is down
    /// fails at connecting instead, at once.
    pub(super) async fn retrying<T, F, Fut>(&self, mut attempt: F) -> Result<T, StoreError>
    where
        F: FnMut(Object) -> Fut,
        Fut: std::future::Future<Output = Result<T, Attempt>>,
    {
        let mut tries = self.pool.status().max_size + 1;
        loop {
            let client = self.pool.get().await.map_err(from_pool)?;
            match attempt(client).await {
                Ok(done) => return Ok(done),
                Err(Attempt::Lost(e)) if tries > 1 => {
                    tracing::info!(error = %err_text(&e), "a pooled database connection was lost; trying another");
                    tries -= 1;
                }
                Err(Attempt::Lost(e)) => return Err(e.into()),
                Err(Attempt::Failed(e)) => return Err(e),
            }
        }
    }

    /// A connection in a transaction of `level`, read-only if `read_only`.
    pub(super) async fn begin(
        client: &mut Object,
        level: IsolationLevel,
        read_only: bool,
    ) -> Result<deadpool_postgres::Transaction<'_>, tokio_postgres::Error> {
        client.build_transaction().isolation_level(level).read_only(read_only).start().await
    }
}

/// `user@host:port/dbname` of a connection config.
fn shown(config: &tokio_postgres::Config) -> String {
    let host = config
        .get_hosts()
        .iter()
        .map(|h| match h {
            tokio_postgres::config::Host::Tcp(name) => name.clone(),
            tokio_postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .collect::<Vec<_>>()
        .join(",");
    let port = config.get_ports().first().map(|p| format!(":{p}")).unwrap_or_default();
    format!("{}@{host}{port}/{}", config.get_user().unwrap_or(""), config.get_dbname().unwrap_or(""))
}

/// How one try of [`PgStore::retrying`] failed.
pub(super) enum Attempt {
    /// The connection was found lost before anything of the request could
    /// have happened (its first statement, or a statement that may run
    /// twice): another connection may try it.
    Lost(tokio_postgres::Error),
    /// Anything else, answered as it is.
    Failed(StoreError),
}

impl Attempt {
    /// The failure of a try's first statement (or of one that may run
    /// twice): [`Attempt::Lost`] when the connection is gone.
    pub(super) fn from_first(err: tokio_postgres::Error) -> Attempt {
        if lost(&err) {
            Attempt::Lost(err)
        } else {
            Attempt::Failed(err.into())
        }
    }
}

impl From<StoreError> for Attempt {
    fn from(err: StoreError) -> Self {
        Attempt::Failed(err)
    }
}

impl From<tokio_postgres::Error> for Attempt {
    fn from(err: tokio_postgres::Error) -> Self {
        Attempt::Failed(err.into())
    }
}

/// The connection itself is gone: closed, ended by the server
/// (`57P01`–`57P03`, a connection exception `08…`), or an I/O error on it.
/// A lock or statement time limit is not: the connection still serves.
fn lost(err: &tokio_postgres::Error) -> bool {
    if err.is_closed() {
        return true;
    }
    match err.code() {
        Some(code) => code.code().starts_with("08") || ["57P01", "57P02", "57P03"].contains(&code.code()),
        None => std::error::Error::source(err).is_some_and(|s| s.is::<std::io::Error>()),
    }
}

fn from_pool(err: PoolError) -> StoreError {
    match err {
        PoolError::Backend(e) => e.into(),
        other => StoreError::unavailable(format!("no database connection: {other}")),
    }
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(err: tokio_postgres::Error) -> Self {
        if unavailable(&err) {
            StoreError::unavailable(err_text(&err))
        } else {
            StoreError(format!("database error: {}", err_text(&err)))
        }
    }
}

/// The error with the server's message, when there is one.
fn err_text(err: &tokio_postgres::Error) -> String {
    match err.as_db_error() {
        Some(db) => format!("{err}: {} ({})", db.message(), db.code().code()),
        None => match std::error::Error::source(err) {
            Some(source) => format!("{err}: {source}"),
            None => err.to_string(),
        },
    }
}

/// A failure that says nothing about the request, only that the database
/// cannot serve it now: the connection is gone, the server is shutting
/// down or refusing connections, or a lock or statement time limit ran
/// out. The transaction did not commit; the client may try again.
fn unavailable(err: &tokio_postgres::Error) -> bool {
    if err.is_closed() {
        return true;
    }
    match err.code() {
        Some(code) => {
            let c = code.code();
            c.starts_with("08") // connection exceptions
                || c.starts_with("57P") // admin/crash shutdown, cannot connect now
                || *code == SqlState::LOCK_NOT_AVAILABLE
                || *code == SqlState::QUERY_CANCELED
                || *code == SqlState::IDLE_IN_TRANSACTION_SESSION_TIMEOUT
                || *code == SqlState::TOO_MANY_CONNECTIONS
        }
        // No answer from the server at all: an I/O error on the socket.
        None => err.as_db_error().is_none(),
    }
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn postgres_addresses_are_told_from_sqlite_paths() {
        for pg in ["postgres://xunfang@db/xunfang", "postgresql://u:p@10.0.0.5:5433/x?sslmode=disable", "host=/run/postgresql dbname=xunfang", " dbname=x"] {
            assert!(is_postgres_url(pg), "{pg}");
        }
        for not in ["data/xunfang.sqlite3", "/srv/a=b/xunfang.sqlite3", "xunfang.sqlite3", "", "=x", "sqlite://x"] {
            assert!(!is_postgres_url(not), "{not}");
        }
    }
}
