//! The photo collection pass in SQLite ([`crate::store::photos`]): per team, the names and
//! photos read in one snapshot, then the plan written in one short write transaction.

use std::collections::BTreeSet;

use rusqlite::{params, OptionalExtension, Transaction};
use xunfang_core::blob_collect::named_in;

use super::SqliteStore;
use crate::store::photos::{plan, Candidate, PhotoPass, Plan, TeamPhotos};
use crate::store::StoreError;

impl SqliteStore {
    pub(super) fn collect_pass(&self, pass: &PhotoPass) -> Result<Vec<TeamPhotos>, StoreError> {
        let teams: Vec<(i64, String)> = self.read(|tx| {
            Ok(tx
                .prepare("SELECT id, name FROM teams WHERE id IN (SELECT team FROM blobs) ORDER BY id")?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?)
        })?;
        let mut out = Vec::with_capacity(teams.len());
        for (team, name) in teams {
            // Reading is the slow part; it holds no write lock, so no other team's push waits for it.
            let plan = self.read(|tx| Ok(plan(&candidates(tx, team)?, &names(tx, team)?, pass)))?;
            let mut done = TeamPhotos { team: name, collected: 0, bytes: 0, marked: plan.mark.len() as u64 };
            if pass.dry_run {
                done.collected = plan.collect.len() as u64;
                done.bytes = plan.collect.iter().map(|(_, size)| size).sum();
            } else {
                (done.collected, done.bytes) = self.write(|tx| apply(tx, team, &plan, pass))?;
            }
            out.push(done);
        }
        Ok(out)
    }
}

/// Every photo name in the team's stored documents (trashed ones and conflict values are in the text too).
fn names(tx: &Transaction<'_>, team: i64) -> Result<BTreeSet<xunfang_core::BlobHash>, StoreError> {
    let mut named = BTreeSet::new();
    let mut stmt = tx.prepare("SELECT json FROM docs WHERE team = ?1")?;
    let mut rows = stmt.query([team])?;
    while let Some(row) = rows.next()? {
        named_in(row.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?, &mut named);
    }
    Ok(named)
}

fn candidates(tx: &Transaction<'_>, team: i64) -> Result<Vec<Candidate>, StoreError> {
    let mut stmt = tx.prepare(
        "SELECT b.hash, b.created, b.size, m.unnamed_since FROM blobs b
         LEFT JOIN blob_marks m ON m.team = b.team AND m.hash = b.hash WHERE b.team = ?1",
    )?;
    let rows = stmt.query_map([team], |r| Ok(Candidate::from_row(&r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    Ok(rows.filter_map(Result::transpose).collect::<Result<_, _>>()?)
}

/// Writes the plan (SQLite's one writer serializes it with the team's pushes); a photo goes
/// only while its old mark is still there. The photos deleted and their bytes.
fn apply(tx: &Transaction<'_>, team: i64, plan: &Plan, pass: &PhotoPass) -> Result<(u64, u64), StoreError> {
    for hash in &plan.unmark {
        tx.prepare_cached("DELETE FROM blob_marks WHERE team = ?1 AND hash = ?2")?.execute(params![team, hash.as_str()])?;
    }
    for hash in &plan.mark {
        tx.prepare_cached("INSERT INTO blob_marks (team, hash, unnamed_since) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING")?.execute(params![
            team,
            hash.as_str(),
            pass.now
        ])?;
    }
    let (mut count, mut bytes) = (0u64, 0u64);
    for (hash, _) in &plan.collect {
        let old = tx.prepare_cached("DELETE FROM blob_marks WHERE team = ?1 AND hash = ?2 AND unnamed_since <= ?3")?.execute(params![
            team,
            hash.as_str(),
            pass.cutoff()
        ])?;
        if old == 0 {
            continue;
        }
        let size: Option<i64> = tx
            .prepare_cached("DELETE FROM blobs WHERE team = ?1 AND hash = ?2 RETURNING size")?
            .query_row(params![team, hash.as_str()], |r| r.get(0))
            .optional()?;
        if let Some(size) = size {
            count += 1;
            bytes += size.max(0) as u64;
            tx.prepare_cached("UPDATE team_blobs SET count = count - 1, bytes = bytes - ?2 WHERE team = ?1")?.execute(params![team, size])?;
        }
    }
    Ok((count, bytes))
}
