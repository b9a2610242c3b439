//! Photos in PostgreSQL: one `bytea` row per team and hash, and the team's
//! count and bytes, written together in one transaction, within the
//! team's quota. The usage row is the team's photo lock (taken first), so
//! two uploads of one team cannot both slip under the quota, and a photo
//! upload never waits for a document push (whose lock on the team's row,
//! `FOR NO KEY UPDATE`, leaves the key share a new row's foreign key takes).

use tokio_postgres::Row;
use xunfang_core::BlobHash;

use super::PgStore;
use crate::store::{unix_now, Blob, BlobMeta, BlobPut, NewBlob, QuotaExceeded, StoreError, Team};

impl PgStore {
    pub(super) async fn find_blob_meta(&self, team: &Team, hash: &BlobHash) -> Result<Option<BlobMeta>, StoreError> {
        let row = self.blob_row(team, hash, "SELECT size, type FROM blobs WHERE team = $1 AND hash = $2").await?;
        Ok(row.map(|r| BlobMeta { size: r.get::<_, i64>(0) as u64, content_type: r.get(1) }))
    }

    pub(super) async fn find_blob(&self, team: &Team, hash: &BlobHash) -> Result<Option<Blob>, StoreError> {
        let row = self.blob_row(team, hash, "SELECT type, data FROM blobs WHERE team = $1 AND hash = $2").await?;
        Ok(row.map(|r| Blob { content_type: r.get(0), data: r.get(1) }))
    }

    /// The row `sql` selects for `team`'s blob `hash`, if there is one.
    async fn blob_row(&self, team: &Team, hash: &BlobHash, sql: &str) -> Result<Option<Row>, StoreError> {
        let client = self.client().await?;
        let stmt = client.prepare_cached(sql).await?;
        Ok(client.query_opt(&stmt, &[&team.id, &hash.as_str()]).await?)
    }

    pub(super) async fn insert_blob(&self, team: &Team, blob: &NewBlob, max_team_bytes: u64) -> Result<Result<BlobPut, QuotaExceeded>, StoreError> {
        let now = unix_now();
        let size = blob.data.len() as i64;
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let stmt = tx.prepare_cached("INSERT INTO team_blobs (team, count, bytes) VALUES ($1, 0, 0) ON CONFLICT (team) DO NOTHING").await?;
        tx.execute(&stmt, &[&team.id]).await?;
        let stmt = tx.prepare_cached("SELECT count, bytes FROM team_blobs WHERE team = $1 FOR UPDATE").await?;
        let usage = tx.query_one(&stmt, &[&team.id]).await?;
        let (count, bytes) = (usage.get::<_, i64>(0) as u64, usage.get::<_, i64>(1) as u64);
        let stmt = tx.prepare_cached("SELECT 1 FROM blobs WHERE team = $1 AND hash = $2").await?;
        if tx.query_opt(&stmt, &[&team.id, &blob.hash.as_str()]).await?.is_some() {
            // A tablet uploads a photo a record of it names: no longer waiting to be collected.
            let stmt = tx.prepare_cached("DELETE FROM blob_marks WHERE team = $1 AND hash = $2").await?;
            tx.execute(&stmt, &[&team.id, &blob.hash.as_str()]).await?;
            tx.commit().await?;
            return Ok(Ok(BlobPut { stored: false, team_count: count, team_bytes: bytes }));
        }
        if bytes.saturating_add(size as u64) > max_team_bytes {
            return Ok(Err(QuotaExceeded(max_team_bytes)));
        }
        let stmt = tx.prepare_cached("INSERT INTO blobs (team, hash, type, size, created, data) VALUES ($1, $2, $3, $4, $5, $6)").await?;
        tx.execute(&stmt, &[&team.id, &blob.hash.as_str(), &blob.content_type, &size, &now, &blob.data]).await?;
        let stmt = tx.prepare_cached("UPDATE team_blobs SET count = count + 1, bytes = bytes + $2 WHERE team = $1").await?;
        tx.execute(&stmt, &[&team.id, &size]).await?;
        tx.commit().await?;
        Ok(Ok(BlobPut { stored: true, team_count: count + 1, team_bytes: bytes + size as u64 }))
    }

    /// How many blobs team `team` (by name) has, and their total bytes.
    pub async fn blob_usage(&self, team: &str) -> Result<(u64, u64), StoreError> {
        let client = self.client().await?;
        let row = client.query_opt("SELECT tb.count, tb.bytes FROM team_blobs tb JOIN teams ON teams.id = tb.team WHERE teams.name = $1", &[&team]).await?;
        Ok(row.map_or((0, 0), |r| (r.get::<_, i64>(0) as u64, r.get::<_, i64>(1) as u64)))
    }
}
