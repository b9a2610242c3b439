//! The SQLite tables and their version (`PRAGMA user_version`), created or
//! checked when the file is opened.
//!
//! * `teams`: a name and `head`, the team's last assigned sequence number;
//! * `tokens`: the SHA-256 of each access token (never the token), its team,
//!   label, a short prefix to tell tokens apart, created and revoked times;
//!   since schema 2 also its `kind` (`team`: one shared by a team, as every
//!   token of schema 1; `device`: one tablet's; `admin`: manages the team's
//!   devices), an optional expiry, when it was last used and last synced, and
//!   how many changes the device still had queued at that sync (`waiting`);
//! * `setup_codes` (schema 2): single-use codes that become a device token
//!   when a tablet claims them: the SHA-256 of the code (never the code),
//!   team, the device's label and expiry, when the code expires and when it
//!   was used;
//! * `docs`: per team and document id, the type, the JSON as stored and
//!   `seq`, the team's sequence number of the commit that last changed it;
//! * `blobs`: photos, content-addressed: per team and SHA-256 (lowercase
//!   hex), the bytes, their size, the `Content-Type` given at upload and when
//!   they came;
//! * `team_blobs`: per team, how many blobs and how many bytes (for logs and
//!   administration), kept up to date in the transaction that adds a blob;
//! * `blob_marks` (schema 3): per team and photo hash, when a collection
//!   pass first found no stored document naming it (cleared when one does,
//!   or when a push names it again);
//! * `meta`: key → value for the database as a whole: its `epoch` and
//!   whether cursors without one count (`legacy_cursors`), see [`super::epoch`].

use rusqlite::Connection;

use crate::store::StoreError;

/// The database file's name inside the data directory.
pub const DB_FILE: &str = "xunfang.sqlite3";

/// Schema version kept in `PRAGMA user_version`: schema 1 and each of
/// [`STEPS`].
pub(super) const SCHEMA_VERSION: i64 = 1 + STEPS.len() as i64;

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
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
";

/// Schema 1 → 2: per-device and admin tokens, and set-up codes. Existing
/// tokens become `team` tokens (what they were) and keep working; columns
/// are only added, so no row changes. A schema 1 server refuses the file
/// afterwards (it is newer), rather than ignoring an expiry or a kind.
const STEP_2: &str = "
ALTER TABLE tokens ADD COLUMN kind TEXT NOT NULL DEFAULT 'team';
ALTER TABLE tokens ADD COLUMN expires INTEGER;
ALTER TABLE tokens ADD COLUMN last_used INTEGER;
ALTER TABLE tokens ADD COLUMN last_sync INTEGER;
ALTER TABLE tokens ADD COLUMN waiting INTEGER;
CREATE INDEX IF NOT EXISTS tokens_by_team ON tokens (team, created);
CREATE TABLE IF NOT EXISTS setup_codes (
    hash           BLOB PRIMARY KEY,
    team           INTEGER NOT NULL REFERENCES teams(id),
    label          TEXT NOT NULL,
    device_expires INTEGER,
    created        INTEGER NOT NULL,
    expires        INTEGER NOT NULL,
    used           INTEGER
);
";

/// Schema 2 → 3: `blob_marks`, when a collection pass first found no stored
/// document naming a photo (`xunfang-server photos collect`); only a new
/// table, so no row changes. A missing mark only delays a collection.
const STEP_3: &str = "
CREATE TABLE IF NOT EXISTS blob_marks (
    team          INTEGER NOT NULL REFERENCES teams(id),
    hash          TEXT NOT NULL,
    unnamed_since INTEGER NOT NULL,
    PRIMARY KEY (team, hash)
);
";

/// The versioned steps after schema 1, in order: `STEPS[i]` brings a file
/// from version `i + 1` to `i + 2`. Never edit a released one: add the next.
const STEPS: &[&str] = &[STEP_2, STEP_3];

/// Refuses a file written by a newer server, then creates what is missing
/// and takes each versioned step the file has not had, in one transaction
/// (a step that fails leaves the file as it was).
pub(super) fn migrate(conn: &Connection, path: &std::path::Path) -> Result<(), StoreError> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > SCHEMA_VERSION {
        return Err(StoreError(format!(
            "the database {} was written by a newer xunfang-server (schema {version}, this one knows {SCHEMA_VERSION}); update the server",
            path.display()
        )));
    }
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let stepped = (|| {
        // Always: tables added to schema 1 after its release (it only
        // creates what is missing). A new file (version 0) then takes every step.
        conn.execute_batch(SCHEMA)?;
        for step in STEPS.iter().skip((version.max(1) - 1) as usize) {
            conn.execute_batch(step)?;
        }
        super::epoch::ensure(conn)?;
        conn.execute_batch(&format!("PRAGMA user_version = {SCHEMA_VERSION}"))?;
        Ok::<_, StoreError>(())
    })();
    match stepped {
        Ok(()) => conn.execute_batch("COMMIT")?,
        Err(err) => {
            let _ = conn.execute_batch("ROLLBACK");
            return Err(err);
        }
    }
    Ok(())
}
