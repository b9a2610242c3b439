//! Documents in SQLite: one sync's push and pull in one transaction, and a
//! team's documents for administration and tests.
//!
//! What a pushed document becomes is `store::decide`'s (core's merge rule);
//! this file only reads and writes rows.

use rusqlite::{params, OptionalExtension, Transaction};

use super::tokens::record_sync;
use super::SqliteStore;
use crate::store::photos::named_photos;
use crate::store::{resume_from, to_write, Page, PageFill, Pull, PushResult, Pushed, QuotaExceeded, StoreError, Synced, SyncedBy, Team};

/// One stored document (for tests and administration).
#[derive(Clone, Debug)]
pub struct StoredDoc {
    pub id: String,
    pub doc_type: String,
    pub seq: u64,
    pub json: String,
}

impl SqliteStore {
    /// A team's documents in commit order (administration and tests).
    pub fn team_docs(&self, team: &str) -> Result<Vec<StoredDoc>, StoreError> {
        self.with_conn(|conn| {
            let mut stmt = conn.prepare(
                "SELECT docs.id, docs.type, docs.seq, docs.json FROM docs
                 JOIN teams ON teams.id = docs.team WHERE teams.name = ?1 ORDER BY docs.seq",
            )?;
            let rows = stmt.query_map([team], |r| Ok(StoredDoc { id: r.get(0)?, doc_type: r.get(1)?, seq: r.get::<_, i64>(2)? as u64, json: r.get(3)? }))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    /// `SyncStore::sync`: a read snapshot when nothing is pushed (the caller
    /// records the sync after it), else one write transaction (`BEGIN
    /// IMMEDIATE`, the write lock first) that stores what changed, records
    /// the sync in its token's row (the lock is held already: it waits for
    /// nothing, and costs no commit of its own) and pulls after it, or is
    /// rolled back whole if a new document would pass `max_docs`.
    pub(super) fn sync_team(
        &self,
        team: &Team,
        push: Vec<Pushed>,
        pull: Pull,
        max_docs: u64,
        by: &SyncedBy,
    ) -> Result<Result<Synced, QuotaExceeded>, StoreError> {
        if push.is_empty() {
            return self.read(|tx| Ok(Ok(Synced { pushed: Vec::new(), page: read_page(tx, team, pull)?, recorded: false })));
        }
        self.write_unless(|tx| {
            // Every stored document took a `seq`, so the team holds at most
            // `head` of them: a team further below its quota than this push
            // is long needs no count (a COUNT is slow on a big team, and it
            // would run while the write lock is held).
            let head: i64 = tx.prepare_cached("SELECT head FROM teams WHERE id = ?1")?.query_row([team.id], |r| r.get(0))?;
            let mut count = if (head as u64).saturating_add(push.len() as u64) < max_docs {
                None
            } else {
                Some(tx.prepare_cached("SELECT COUNT(*) FROM docs WHERE team = ?1")?.query_row([team.id], |r| r.get::<_, i64>(0))? as u64)
            };
            let mut pushed = Vec::with_capacity(push.len());
            for doc in &push {
                match store_pushed(tx, team, doc, &mut count, max_docs)? {
                    Ok(result) => pushed.push(result),
                    Err(quota) => return Ok(Err(quota)),
                }
            }
            record_sync(tx, by)?;
            Ok(Ok(Synced { pushed, page: read_page(tx, team, pull)?, recorded: true }))
        })
    }
}

/// Writes one pushed document with a new `seq` if `decide` says so; a new
/// one only while the team holds fewer than `max_docs` (`count`: the team's
/// documents so far, `None` when this push cannot reach the quota).
fn store_pushed(
    tx: &Transaction<'_>,
    team: &Team,
    pushed: &Pushed,
    count: &mut Option<u64>,
    max_docs: u64,
) -> Result<Result<PushResult, QuotaExceeded>, StoreError> {
    let id = pushed.doc.id().as_str();
    let stored: Option<String> =
        tx.prepare_cached("SELECT json FROM docs WHERE team = ?1 AND id = ?2")?.query_row(params![team.id, id], |r| r.get(0)).optional()?;
    let json = match to_write(stored.as_deref(), pushed, count, max_docs) {
        Ok(Ok(json)) => json,
        Ok(Err(done)) => return Ok(Ok(done)),
        Err(quota) => return Ok(Err(quota)),
    };
    let seq: i64 = tx.prepare_cached("UPDATE teams SET head = head + 1 WHERE id = ?1 RETURNING head")?.query_row([team.id], |r| r.get(0))?;
    tx.prepare_cached(
        "INSERT INTO docs (team, id, type, json, seq) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (team, id) DO UPDATE SET type = excluded.type, json = excluded.json, seq = excluded.seq",
    )?
    .execute(params![team.id, id, pushed.doc.doc_type().as_str(), json, seq])?;
    // A photo this push names is no longer waiting to be collected, even if a pass read the
    // team's documents before this commit (see `store::photos`).
    for hash in named_photos(&json) {
        tx.prepare_cached("DELETE FROM blob_marks WHERE team = ?1 AND hash = ?2")?.execute(params![team.id, hash.as_str()])?;
    }
    Ok(Ok(PushResult::Written))
}

/// The documents of `team` committed after the pull's cursor, at most its
/// limit and its bytes (but at least one), as stored (checked to be JSON,
/// not parsed into values).
fn read_page(tx: &Transaction<'_>, team: &Team, pull: Pull) -> Result<Page, StoreError> {
    let head: i64 = tx.prepare_cached("SELECT head FROM teams WHERE id = ?1")?.query_row([team.id], |r| r.get(0))?;
    let head = head as u64;
    let epoch = super::epoch::read(tx)?;
    let from = resume_from(&pull, &epoch, head);
    let mut stmt = tx.prepare_cached("SELECT seq, json FROM docs WHERE team = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3")?;
    let mut rows = stmt.query(params![team.id, from as i64, pull.limit as i64 + 1])?;
    let mut fill = PageFill::new(&pull);
    while let Some(row) = rows.next()? {
        if !fill.take(row.get(0)?, row.get(1)?)? {
            break;
        }
    }
    drop(rows);
    let (cursor, more, docs) = fill.finish(head);
    // Only counted when a client must come back: "n of about m" on a new tablet.
    let remaining = if more {
        let n: i64 = tx.prepare_cached("SELECT COUNT(*) FROM docs WHERE team = ?1 AND seq > ?2")?.query_row(params![team.id, cursor as i64], |r| r.get(0))?;
        n as u64
    } else {
        0
    };
    Ok(Page { cursor, epoch: epoch.id, more, remaining, docs })
}
