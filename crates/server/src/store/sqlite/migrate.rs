//! SQLite as the source of `migrate` ([`crate::store::migrate`]): every row as stored, teams, tokens, set-up
//! codes and photo usage at once, a team's documents in `seq` order, photos one at a time.

use rusqlite::OptionalExtension;

use super::{SqliteStore, StoredDoc};
use crate::store::migrate::{BlobRow, Catalog, MigrateSource, SetupCodeRow, TeamBlobsRow, TeamRow, TokenRow};
use crate::store::StoreError;

impl MigrateSource for SqliteStore {
    fn catalog(&self) -> Result<Catalog, StoreError> {
        // One snapshot, so teams and tokens agree.
        self.read(|tx| {
            let teams = tx
                .prepare("SELECT id, name, head, created FROM teams ORDER BY id")?
                .query_map([], |r| Ok(TeamRow { id: r.get(0)?, name: r.get(1)?, head: r.get(2)?, created: r.get(3)? }))?
                .collect::<Result<Vec<_>, _>>()?;
            let tokens = tx
                .prepare(
                    "SELECT hash, prefix, team, label, created, revoked, kind, expires, last_used, last_sync, waiting FROM tokens ORDER BY created, rowid",
                )?
                .query_map([], |r| {
                    Ok(TokenRow {
                        hash: r.get(0)?,
                        prefix: r.get(1)?,
                        team: r.get(2)?,
                        label: r.get(3)?,
                        created: r.get(4)?,
                        revoked: r.get(5)?,
                        kind: r.get(6)?,
                        expires: r.get(7)?,
                        last_used: r.get(8)?,
                        last_sync: r.get(9)?,
                        waiting: r.get(10)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            let setup_codes = tx
                .prepare("SELECT hash, team, label, device_expires, created, expires, used FROM setup_codes ORDER BY created, rowid")?
                .query_map([], |r| {
                    Ok(SetupCodeRow {
                        hash: r.get(0)?,
                        team: r.get(1)?,
                        label: r.get(2)?,
                        device_expires: r.get(3)?,
                        created: r.get(4)?,
                        expires: r.get(5)?,
                        used: r.get(6)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            let team_blobs = tx
                .prepare("SELECT team, count, bytes FROM team_blobs ORDER BY team")?
                .query_map([], |r| Ok(TeamBlobsRow { team: r.get(0)?, count: r.get(1)?, bytes: r.get(2)? }))?
                .collect::<Result<Vec<_>, _>>()?;
            let meta = tx
                .prepare("SELECT key, value FROM meta WHERE key IN ('epoch', 'legacy_cursors') ORDER BY key")?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Catalog { teams, tokens, setup_codes, team_blobs, meta })
        })
    }

    fn docs(&self, team: i64) -> Result<Vec<StoredDoc>, StoreError> {
        self.read(|tx| {
            let mut stmt = tx.prepare("SELECT id, type, seq, json FROM docs WHERE team = ?1 ORDER BY seq")?;
            let rows = stmt.query_map([team], |r| Ok(StoredDoc { id: r.get(0)?, doc_type: r.get(1)?, seq: r.get::<_, i64>(2)? as u64, json: r.get(3)? }))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    fn blob_hashes(&self, team: i64) -> Result<Vec<String>, StoreError> {
        self.read(|tx| {
            Ok(tx.prepare("SELECT hash FROM blobs WHERE team = ?1 ORDER BY hash")?.query_map([team], |r| r.get(0))?.collect::<Result<Vec<_>, _>>()?)
        })
    }

    fn blob(&self, team: i64, hash: &str) -> Result<BlobRow, StoreError> {
        self.read(|tx| {
            tx.prepare("SELECT hash, type, size, created, data FROM blobs WHERE team = ?1 AND hash = ?2")?
                .query_row(rusqlite::params![team, hash], |r| {
                    Ok(BlobRow { hash: r.get(0)?, media_type: r.get(1)?, size: r.get(2)?, created: r.get(3)?, data: r.get(4)? })
                })
                .optional()?
                .ok_or_else(|| StoreError(format!("the photo {hash} of team {team} went away while it was copied; is a server running on the file?")))
        })
    }
}
