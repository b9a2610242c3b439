//! The server's storage: one SQLite file (`<data>/xunfang.sqlite3`).
//!
//! Tables:
//!
//! * `teams`: a name and `head`, the team's last assigned sequence number;
//! * `tokens`: the SHA-256 of each access token (never the token), its team,
//!   label, a short prefix to tell tokens apart, created and revoked times;
//! * `docs`: per team and document id, the type, the JSON as stored and
//!   `seq`, the team's sequence number of the commit that last changed it;
//! * `blobs`: photos, content-addressed: per team and SHA-256 (lowercase
//!   hex), the bytes, their size, the `Content-Type` given at upload and when
//!   they came;
//! * `team_blobs`: per team, how many blobs and how many bytes (for logs and
//!   administration), kept up to date in the transaction that adds a blob.
//!
//! Documents and blobs of different teams never meet: every query names the
//! team, and the same id (or the same photo) in two teams is two rows.
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

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::Value;
use sha2::{Digest, Sha256};
use xunfang_core::sync::{pull_limit, validate_pushed, AnyDoc, Rejected, SyncRequest};

/// The database file's name inside the data directory.
pub const DB_FILE: &str = "xunfang.sqlite3";

/// Schema version kept in `PRAGMA user_version`.
const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS teams (
    id      INTEGER PRIMARY KEY,
    name    TEXT NOT NULL UNIQUE,
    head    INTEGER NOT NULL DEFAULT 0,
    created INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
    hash    BLOB PRIMARY KEY,
    prefix  TEXT NOT NULL,
    team    INTEGER NOT NULL REFERENCES teams(id),
    label   TEXT NOT NULL DEFAULT '',
    created INTEGER NOT NULL,
    revoked INTEGER
);
CREATE TABLE IF NOT EXISTS docs (
    team INTEGER NOT NULL REFERENCES teams(id),
    id   TEXT NOT NULL,
    type TEXT NOT NULL,
    json TEXT NOT NULL,
    seq  INTEGER NOT NULL,
    UNIQUE (team, id)
);
CREATE UNIQUE INDEX IF NOT EXISTS docs_by_seq ON docs (team, seq);
-- Added after schema 1 was released; only new tables, so schema 1 servers
-- still open the file (they ignore them) and the version stays 1.
-- `data` is the last column: reading `size` or `type` never touches the
-- bytes' overflow pages.
CREATE TABLE IF NOT EXISTS blobs (
    team    INTEGER NOT NULL REFERENCES teams(id),
    hash    TEXT NOT NULL,
    type    TEXT NOT NULL,
    size    INTEGER NOT NULL,
    created INTEGER NOT NULL,
    data    BLOB NOT NULL,
    UNIQUE (team, hash)
);
CREATE TABLE IF NOT EXISTS team_blobs (
    team  INTEGER PRIMARY KEY REFERENCES teams(id),
    count INTEGER NOT NULL,
    bytes INTEGER NOT NULL
);
";

/// How many characters of a token `token list` shows and `token revoke`
/// accepts as a prefix.
pub const TOKEN_PREFIX_LEN: usize = 8;

/// A storage failure (SQLite or the file system).
#[derive(Debug)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StoreError {}

impl From<rusqlite::Error> for StoreError {
    fn from(err: rusqlite::Error) -> Self {
        StoreError(format!("database error: {err}"))
    }
}

/// A team, as found from a token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Team {
    pub id: i64,
    pub name: String,
}

/// One row of `token list`.
#[derive(Clone, Debug)]
pub struct TokenInfo {
    pub prefix: String,
    pub team: String,
    pub label: String,
    /// Unix seconds.
    pub created: i64,
    /// Unix seconds, if revoked.
    pub revoked: Option<i64>,
}

/// One stored document (for tests and administration).
#[derive(Clone, Debug)]
pub struct StoredDoc {
    pub id: String,
    pub doc_type: String,
    pub seq: u64,
    pub json: String,
}

/// A stored blob's description (`HEAD`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobMeta {
    pub size: u64,
    pub content_type: String,
}

/// A stored blob (`GET`).
#[derive(Clone, Debug)]
pub struct Blob {
    pub content_type: String,
    pub data: Vec<u8>,
}

/// What `put_blob` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobPut {
    /// `true`: newly stored; `false`: the team already had it (nothing written).
    pub stored: bool,
    /// The team's blobs after the upload: how many, and their total bytes.
    pub team_count: u64,
    pub team_bytes: u64,
}

/// The answer to a sync: `xunfang_core::sync::SyncResponse` with the pulled
/// documents as the JSON text stored, passed through instead of parsed into
/// a `Value` and serialised again (most of a pull's work otherwise). Same
/// fields, order and attributes, hence the same bytes: stored text is what
/// `Value::to_string` wrote.
#[derive(Clone, Debug, Serialize)]
pub struct SyncReply {
    pub cursor: u64,
    pub more: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remaining: Option<u64>,
    pub docs: Vec<Box<RawValue>>,
    pub accepted: Vec<xunfang_core::Id>,
    pub rejected: Vec<Rejected>,
}

/// What a sync did, for the response and the log.
#[derive(Clone, Debug)]
pub struct SyncOutcome {
    pub response: SyncReply,
    /// Pushed documents that changed the stored copy (got a new `seq`).
    pub written: usize,
}

/// Handle to the database; cheap to clone. Connections are opened on demand
/// and kept for reuse; write transactions of this process take turns on a
/// mutex (SQLite would serialise them anyway; the mutex saves busy-waiting).
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    write: Mutex<()>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.inner.path)
            .finish()
    }
}

impl Store {
    /// Opens (creating if needed) the database at `path`, in WAL mode.
    pub fn open(path: impl AsRef<Path>) -> Result<Store, StoreError> {
        let path = path.as_ref().to_path_buf();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| {
                StoreError(format!(
                    "cannot create the directory {}: {e}",
                    parent.display()
                ))
            })?;
        }
        let conn = Connection::open(&path)
            .map_err(|e| StoreError(format!("cannot open the database {}: {e}", path.display())))?;
        conn.busy_timeout(Duration::from_secs(10))?;
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError(format!(
                "the database {} cannot use WAL mode (got {mode}); put it on a local disk",
                path.display()
            )));
        }
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version > SCHEMA_VERSION {
            return Err(StoreError(format!(
                "the database {} was written by a newer xunfang-server (schema {version}, this one knows {SCHEMA_VERSION}); update the server",
                path.display()
            )));
        }
        conn.execute_batch(SCHEMA)?;
        conn.execute_batch(&format!("PRAGMA user_version = {SCHEMA_VERSION}"))?;
        configure(&conn)?;
        Ok(Store {
            inner: Arc::new(Inner {
                path,
                idle: Mutex::new(vec![conn]),
                write: Mutex::new(()),
            }),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Runs `f` on a pooled connection.
    fn with_conn<R>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        let pooled = self
            .inner
            .idle
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop();
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
            if idle.len() < 8 {
                idle.push(conn);
            }
        }
        result
    }

    /// Runs `f` in a write transaction (`BEGIN IMMEDIATE`), committing if it
    /// returns `Ok`.
    fn write<R>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        self.with_conn(|conn| {
            let _turn = self.inner.write.lock().unwrap_or_else(|e| e.into_inner());
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        })
    }

    /// Runs `f` in a read transaction: one consistent snapshot.
    fn read<R>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        self.with_conn(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        })
    }

    // ---- tokens ------------------------------------------------------------

    /// Makes a new random token for `team` (creating the team if needed) and
    /// returns it; only its hash is stored.
    pub fn create_token(&self, team: &str, label: &str) -> Result<String, StoreError> {
        let team = team.trim();
        if team.is_empty() {
            return Err(StoreError(
                "the team name is empty; pass --team NAME".into(),
            ));
        }
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|e| StoreError(format!("no random numbers from the system: {e}")))?;
        let token = hex(&bytes);
        let now = now();
        self.write(|tx| {
            tx.execute(
                "INSERT INTO teams (name, created) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING",
                params![team, now],
            )?;
            let team_id: i64 =
                tx.query_row("SELECT id FROM teams WHERE name = ?1", [team], |r| r.get(0))?;
            tx.execute(
                "INSERT INTO tokens (hash, prefix, team, label, created) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![token_hash(&token), &token[..TOKEN_PREFIX_LEN], team_id, label, now],
            )?;
            Ok(())
        })?;
        Ok(token)
    }

    /// The team of a valid (known, not revoked) token.
    pub fn team_for_token(&self, token: &str) -> Result<Option<Team>, StoreError> {
        let hash = token_hash(token.trim());
        self.with_conn(|conn| {
            Ok(conn
                .query_row(
                    "SELECT teams.id, teams.name FROM tokens JOIN teams ON teams.id = tokens.team
                     WHERE tokens.hash = ?1 AND tokens.revoked IS NULL",
                    [hash],
                    |r| {
                        Ok(Team {
                            id: r.get(0)?,
                            name: r.get(1)?,
                        })
                    },
                )
                .optional()?)
        })
    }

    /// All tokens, oldest first.
    pub fn list_tokens(&self) -> Result<Vec<TokenInfo>, StoreError> {
        self.with_conn(|conn| {
            let mut stmt = conn.prepare(
                "SELECT tokens.prefix, teams.name, tokens.label, tokens.created, tokens.revoked
                 FROM tokens JOIN teams ON teams.id = tokens.team
                 ORDER BY tokens.created, tokens.rowid",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok(TokenInfo {
                    prefix: r.get(0)?,
                    team: r.get(1)?,
                    label: r.get(2)?,
                    created: r.get(3)?,
                    revoked: r.get(4)?,
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    /// Revokes the token given whole or by a prefix of at least
    /// `TOKEN_PREFIX_LEN` characters (as `list_tokens` shows). Refuses a
    /// prefix that matches several tokens. Returns the token and whether it
    /// was already revoked before.
    pub fn revoke_token(&self, token_or_prefix: &str) -> Result<(TokenInfo, bool), StoreError> {
        let given = token_or_prefix.trim().to_ascii_lowercase();
        if given.len() < TOKEN_PREFIX_LEN {
            return Err(StoreError(format!(
                "give the whole token or at least its first {TOKEN_PREFIX_LEN} characters (see `xunfang-server token list`)"
            )));
        }
        let now = now();
        self.write(|tx| {
            let mut stmt = tx.prepare(
                "SELECT tokens.hash, tokens.prefix, teams.name, tokens.label, tokens.created, tokens.revoked
                 FROM tokens JOIN teams ON teams.id = tokens.team
                 WHERE tokens.hash = ?1 OR tokens.prefix = substr(?2, 1, ?3)",
            )?;
            let candidates = stmt
                .query_map(params![token_hash(&given), given, TOKEN_PREFIX_LEN as i64], |r| {
                    Ok((
                        r.get::<_, Vec<u8>>(0)?,
                        TokenInfo {
                            prefix: r.get(1)?,
                            team: r.get(2)?,
                            label: r.get(3)?,
                            created: r.get(4)?,
                            revoked: r.get(5)?,
                        },
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            // A whole token matches by hash; a prefix must match the stored
            // prefix and be no longer than it (longer = a whole-token guess).
            let exact: Vec<_> = candidates
                .iter()
                .filter(|(hash, _)| *hash == token_hash(&given))
                .collect();
            let matches: Vec<_> = if !exact.is_empty() {
                exact
            } else if given.len() == TOKEN_PREFIX_LEN {
                candidates.iter().collect()
            } else {
                Vec::new()
            };
            match matches.as_slice() {
                [] => Err(StoreError(format!(
                    "no token matches \"{}\" (see `xunfang-server token list`)",
                    token_or_prefix.trim()
                ))),
                [(hash, info)] => {
                    if info.revoked.is_none() {
                        tx.execute("UPDATE tokens SET revoked = ?1 WHERE hash = ?2", params![now, hash])?;
                    }
                    let already = info.revoked.is_some();
                    Ok((TokenInfo { revoked: Some(info.revoked.unwrap_or(now)), ..info.clone() }, already))
                }
                several => Err(StoreError(format!(
                    "{} tokens start with \"{given}\"; give the whole token to revoke one",
                    several.len()
                ))),
            }
        })
    }

    /// Whether at least one usable token exists.
    pub fn has_active_tokens(&self) -> Result<bool, StoreError> {
        self.with_conn(|conn| {
            Ok(conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM tokens WHERE revoked IS NULL)",
                [],
                |r| r.get(0),
            )?)
        })
    }

    // ---- documents -----------------------------------------------------------

    /// A team's documents in commit order (administration and tests).
    pub fn team_docs(&self, team: &str) -> Result<Vec<StoredDoc>, StoreError> {
        self.with_conn(|conn| {
            let mut stmt = conn.prepare(
                "SELECT docs.id, docs.type, docs.seq, docs.json FROM docs
                 JOIN teams ON teams.id = docs.team WHERE teams.name = ?1 ORDER BY docs.seq",
            )?;
            let rows = stmt.query_map([team], |r| {
                Ok(StoredDoc {
                    id: r.get(0)?,
                    doc_type: r.get(1)?,
                    seq: r.get::<_, i64>(2)? as u64,
                    json: r.get(3)?,
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    /// One sync for `team`: validates and merges the pushed documents
    /// (`xunfang_core`), commits those that changed in one transaction, then
    /// pulls what changed after the request's cursor. The request's envelope
    /// must already be checked (`validate_request`).
    pub fn sync(&self, team: &Team, req: &SyncRequest) -> Result<SyncOutcome, StoreError> {
        // Validation is pure and may be slow on big documents: do it before
        // taking the write lock.
        let mut rejected = Vec::new();
        let mut valid = Vec::new();
        for value in &req.push {
            match validate_pushed(value) {
                Ok(doc) => valid.push((doc, value)),
                Err(err) => rejected.push(Rejected {
                    id: pushed_id(value),
                    reason: err.to_string(),
                }),
            }
        }
        let limit = pull_limit(req);
        if valid.is_empty() {
            return self.read(|tx| {
                let response = pull(tx, team, req.cursor, limit, Vec::new(), rejected)?;
                Ok(SyncOutcome {
                    response,
                    written: 0,
                })
            });
        }
        self.write(|tx| {
            let mut accepted = Vec::new();
            let mut written = 0;
            for (doc, raw) in valid {
                match store_pushed(tx, team, doc, raw)? {
                    Ok(changed) => {
                        written += usize::from(changed);
                        accepted.push(raw_id(raw));
                    }
                    Err(reason) => rejected.push(Rejected {
                        id: pushed_id(raw),
                        reason,
                    }),
                }
            }
            let response = pull(tx, team, req.cursor, limit, accepted, rejected)?;
            Ok(SyncOutcome { response, written })
        })
    }

    // ---- blobs (photos) ------------------------------------------------------

    /// Size and type of `team`'s blob `hash`, if the team has it.
    pub fn blob_meta(&self, team: &Team, hash: &str) -> Result<Option<BlobMeta>, StoreError> {
        self.with_conn(|conn| {
            Ok(conn
                .prepare_cached("SELECT size, type FROM blobs WHERE team = ?1 AND hash = ?2")?
                .query_row(params![team.id, hash], |r| {
                    Ok(BlobMeta {
                        size: r.get::<_, i64>(0)? as u64,
                        content_type: r.get(1)?,
                    })
                })
                .optional()?)
        })
    }

    /// `team`'s blob `hash`, if the team has it.
    pub fn blob(&self, team: &Team, hash: &str) -> Result<Option<Blob>, StoreError> {
        self.with_conn(|conn| {
            Ok(conn
                .prepare_cached("SELECT type, data FROM blobs WHERE team = ?1 AND hash = ?2")?
                .query_row(params![team.id, hash], |r| {
                    Ok(Blob {
                        content_type: r.get(0)?,
                        data: r.get(1)?,
                    })
                })
                .optional()?)
        })
    }

    /// Stores `data` as `team`'s blob `hash` in one transaction, unless the
    /// team already has it (then nothing is written). The caller has checked
    /// that `hash` is the SHA-256 of `data`.
    pub fn put_blob(
        &self,
        team: &Team,
        hash: &str,
        content_type: &str,
        data: &[u8],
    ) -> Result<BlobPut, StoreError> {
        let now = now();
        self.write(|tx| {
            let inserted = tx.execute(
                "INSERT INTO blobs (team, hash, type, size, created, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (team, hash) DO NOTHING",
                params![team.id, hash, content_type, data.len() as i64, now, data],
            )?;
            if inserted == 1 {
                tx.execute(
                    "INSERT INTO team_blobs (team, count, bytes) VALUES (?1, 1, ?2)
                     ON CONFLICT (team) DO UPDATE SET count = count + 1, bytes = bytes + excluded.bytes",
                    params![team.id, data.len() as i64],
                )?;
            }
            let (count, bytes) = team_blob_usage(tx, team.id)?;
            Ok(BlobPut {
                stored: inserted == 1,
                team_count: count,
                team_bytes: bytes,
            })
        })
    }

    /// How many blobs team `team` (by name) has, and their total bytes.
    pub fn blob_usage(&self, team: &str) -> Result<(u64, u64), StoreError> {
        self.with_conn(|conn| {
            let id: Option<i64> = conn
                .query_row("SELECT id FROM teams WHERE name = ?1", [team], |r| r.get(0))
                .optional()?;
            match id {
                Some(id) => team_blob_usage(conn, id),
                None => Ok((0, 0)),
            }
        })
    }
}

fn team_blob_usage(conn: &Connection, team: i64) -> Result<(u64, u64), StoreError> {
    Ok(conn
        .query_row(
            "SELECT count, bytes FROM team_blobs WHERE team = ?1",
            [team],
            |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64)),
        )
        .optional()?
        .unwrap_or((0, 0)))
}

/// Per-connection settings.
fn configure(conn: &Connection) -> Result<(), StoreError> {
    conn.busy_timeout(Duration::from_secs(10))?;
    // synchronous = FULL (the default) : a document the response lists as
    // accepted survives a power cut, since the client will not push it again.
    conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;")?;
    Ok(())
}

/// Merges one valid pushed document into the stored copy and writes the
/// result with a new `seq` if it differs. `Ok(Err(reason))`: refused (the
/// stored copy and the pushed one do not merge).
fn store_pushed(
    tx: &Transaction<'_>,
    team: &Team,
    pushed: AnyDoc,
    raw: &Value,
) -> Result<Result<bool, String>, StoreError> {
    let id = pushed.id().as_str().to_string();
    let stored: Option<String> = tx
        .prepare_cached("SELECT json FROM docs WHERE team = ?1 AND id = ?2")?
        .query_row(params![team.id, id], |r| r.get(0))
        .optional()?;
    // The JSON to write: the pushed document as it came when it is new or
    // the merge equals it (so fields this server does not know are kept),
    // otherwise the merged form.
    let json = match stored {
        None => raw.to_string(),
        Some(stored_json) => {
            let stored = match serde_json::from_str::<Value>(&stored_json)
                .map_err(|e| e.to_string())
                .and_then(|v| AnyDoc::from_value(v).map_err(|e| e.to_string()))
            {
                Ok(doc) => doc,
                Err(why) => {
                    return Ok(Err(format!("the server's copy of this document cannot be read ({why}); ask the administrator")))
                }
            };
            let merged = match stored.merge(&pushed) {
                Ok(doc) => doc,
                Err(err) => return Ok(Err(format!("cannot merge with the server's copy: {err}"))),
            };
            if merged == stored {
                return Ok(Ok(false)); // nothing new: no new seq
            }
            if merged == pushed {
                raw.to_string()
            } else {
                merged.to_value().to_string()
            }
        }
    };
    let seq: i64 = tx
        .prepare_cached("UPDATE teams SET head = head + 1 WHERE id = ?1 RETURNING head")?
        .query_row([team.id], |r| r.get(0))?;
    tx.prepare_cached(
        "INSERT INTO docs (team, id, type, json, seq) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (team, id) DO UPDATE SET type = excluded.type, json = excluded.json, seq = excluded.seq",
    )?
    .execute(params![team.id, id, pushed.doc_type().as_str(), json, seq])?;
    Ok(Ok(true))
}

/// The documents of `team` committed after `cursor`, at most `limit`, as
/// stored (checked to be JSON, not parsed into values).
fn pull(
    tx: &Transaction<'_>,
    team: &Team,
    cursor: Option<u64>,
    limit: usize,
    accepted: Vec<xunfang_core::Id>,
    rejected: Vec<Rejected>,
) -> Result<SyncReply, StoreError> {
    let head: i64 = tx
        .prepare_cached("SELECT head FROM teams WHERE id = ?1")?
        .query_row([team.id], |r| r.get(0))?;
    let head = head as u64;
    // A cursor past the head was not issued by this database (a restored
    // backup, another server): send everything, clients merge.
    let from = match cursor {
        Some(c) if c <= head => c,
        _ => 0,
    };
    let mut stmt = tx.prepare_cached(
        "SELECT seq, json FROM docs WHERE team = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
    )?;
    let mut rows = stmt.query(params![team.id, from as i64, limit as i64 + 1])?;
    let mut docs = Vec::new();
    let mut last = None;
    let mut more = false;
    while let Some(row) = rows.next()? {
        if docs.len() == limit {
            more = true;
            break;
        }
        let seq: i64 = row.get(0)?;
        let json: String = row.get(1)?;
        // Validated (one pass, no allocation): a damaged row must not make
        // the whole answer unreadable for every client.
        let doc = RawValue::from_string(json)
            .map_err(|e| StoreError(format!("stored document at seq {seq} is not JSON: {e}")))?;
        docs.push(doc);
        last = Some(seq as u64);
    }
    drop(rows);
    let cursor = last.unwrap_or(head);
    // Only counted when a client must come back: "n of about m" on a new tablet.
    let remaining = if more {
        let n: i64 = tx
            .prepare_cached("SELECT COUNT(*) FROM docs WHERE team = ?1 AND seq > ?2")?
            .query_row(params![team.id, cursor as i64], |r| r.get(0))?;
        Some(n as u64)
    } else {
        Some(0)
    };
    Ok(SyncReply {
        cursor,
        more,
        remaining,
        docs,
        accepted,
        rejected,
    })
}

/// The id of a validated pushed document, as the client knows it.
fn raw_id(value: &Value) -> xunfang_core::Id {
    let raw = value.get("id").and_then(Value::as_str).unwrap_or_default();
    xunfang_core::Id::parse(raw).expect("validated documents have a UUID id")
}

/// The id of a pushed document for `rejected`, as pushed (may be anything).
fn pushed_id(value: &Value) -> String {
    match value.get("id") {
        Some(Value::String(s)) => s.chars().take(100).collect(),
        Some(other) => other.to_string().chars().take(100).collect(),
        None => String::new(),
    }
}

/// SHA-256 of a token, as stored.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
