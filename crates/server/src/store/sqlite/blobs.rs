//! Photos in SQLite: one row per team and hash, and the team's count and
//! bytes, written together in one transaction, within the team's quota.

use rusqlite::{params, Connection, OptionalExtension};
use xunfang_core::BlobHash;

use super::{now, SqliteStore};
use crate::store::{Blob, BlobMeta, BlobPut, NewBlob, QuotaExceeded, StoreError, Team};

impl SqliteStore {
    pub(super) fn find_blob_meta(&self, team: &Team, hash: &BlobHash) -> Result<Option<BlobMeta>, StoreError> {
        self.blob_row(team, hash, "SELECT size, type FROM blobs WHERE team = ?1 AND hash = ?2", |r| {
            Ok(BlobMeta { size: r.get::<_, i64>(0)? as u64, content_type: r.get(1)? })
        })
    }

    pub(super) fn find_blob(&self, team: &Team, hash: &BlobHash) -> Result<Option<Blob>, StoreError> {
        self.blob_row(team, hash, "SELECT type, data FROM blobs WHERE team = ?1 AND hash = ?2", |r| Ok(Blob { content_type: r.get(0)?, data: r.get(1)? }))
    }

    /// The row `sql` selects for `team`'s blob `hash`, if there is one.
    fn blob_row<R>(
        &self,
        team: &Team,
        hash: &BlobHash,
        sql: &str,
        read: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<R>,
    ) -> Result<Option<R>, StoreError> {
        self.with_conn(|conn| Ok(conn.prepare_cached(sql)?.query_row(params![team.id, hash.as_str()], read).optional()?))
    }

    pub(super) fn insert_blob(&self, team: &Team, blob: &NewBlob, max_team_bytes: u64) -> Result<Result<BlobPut, QuotaExceeded>, StoreError> {
        let now = now();
        let size = blob.data.len() as i64;
        self.write_unless(|tx| {
            let exists = tx.prepare_cached("SELECT 1 FROM blobs WHERE team = ?1 AND hash = ?2")?.exists(params![team.id, blob.hash.as_str()])?;
            if exists {
                // A tablet uploads a photo a record of it names: no longer waiting to be collected.
                tx.prepare_cached("DELETE FROM blob_marks WHERE team = ?1 AND hash = ?2")?.execute(params![team.id, blob.hash.as_str()])?;
            } else {
                let (_, bytes) = team_blob_usage(tx, team.id)?;
                if bytes.saturating_add(size as u64) > max_team_bytes {
                    return Ok(Err(QuotaExceeded(max_team_bytes)));
                }
            }
            let inserted = tx.execute(
                "INSERT INTO blobs (team, hash, type, size, created, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (team, hash) DO NOTHING",
                params![team.id, blob.hash.as_str(), blob.content_type, size, now, blob.data],
            )?;
            if inserted == 1 {
                tx.execute(
                    "INSERT INTO team_blobs (team, count, bytes) VALUES (?1, 1, ?2)
                     ON CONFLICT (team) DO UPDATE SET count = count + 1, bytes = bytes + excluded.bytes",
                    params![team.id, size],
                )?;
            }
            let (count, bytes) = team_blob_usage(tx, team.id)?;
            Ok(Ok(BlobPut { stored: inserted == 1, team_count: count, team_bytes: bytes }))
        })
    }

    /// How many blobs team `team` (by name) has, and their total bytes.
    pub fn blob_usage(&self, team: &str) -> Result<(u64, u64), StoreError> {
        self.with_conn(|conn| {
            let id: Option<i64> = conn.query_row("SELECT id FROM teams WHERE name = ?1", [team], |r| r.get(0)).optional()?;
            match id {
                Some(id) => team_blob_usage(conn, id),
                None => Ok((0, 0)),
            }
        })
    }
}

fn team_blob_usage(conn: &Connection, team: i64) -> Result<(u64, u64), StoreError> {
    Ok(conn
        .query_row("SELECT count, bytes FROM team_blobs WHERE team = ?1", [team], |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64)))
        .optional()?
        .unwrap_or((0, 0)))
}
