//! Documents in SQLite: one sync's push and pull in one transaction, and a
//! team's documents for administration and tests.
//!
//! What a pushed document becomes is `store::decide`'s (core's merge rule);
//! this file only reads and writes rows.

use rusqlite::{params, OptionalExtension, Transaction};
use serde_json::value::RawValue;

use super::SqliteStore;
use crate::store::{decide, resume_from, Decision, Page, Pull, PushResult, Pushed, StoreError, Synced, Team};

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

    /// `SyncStore::sync`: a read snapshot when nothing is pushed, else one
    /// write transaction (`BEGIN IMMEDIATE`, the write lock first) that
    /// stores what changed and pulls after it.
    pub(super) fn sync_team(&self, team: &Team, push: Vec<Pushed>, pull: Pull) -> Result<Synced, StoreError> {
        if push.is_empty() {
            return self.read(|tx| Ok(Synced { pushed: Vec::new(), page: read_page(tx, team, pull)? }));
        }
        self.write(|tx| {
            let pushed = push.iter().map(|doc| store_pushed(tx, team, doc)).collect::<Result<Vec<_>, _>>()?;
            Ok(Synced { pushed, page: read_page(tx, team, pull)? })
        })
    }
}

/// Writes one pushed document with a new `seq` if `decide` says so.
fn store_pushed(tx: &Transaction<'_>, team: &Team, pushed: &Pushed) -> Result<PushResult, StoreError> {
    let id = pushed.doc.id().as_str();
    let stored: Option<String> =
        tx.prepare_cached("SELECT json FROM docs WHERE team = ?1 AND id = ?2")?.query_row(params![team.id, id], |r| r.get(0)).optional()?;
    let json = match decide(stored.as_deref(), pushed) {
        Decision::Unchanged => return Ok(PushResult::Unchanged),
        Decision::Refuse(reason) => return Ok(PushResult::Refused(reason)),
        Decision::Write(json) => json,
    };
    let seq: i64 = tx.prepare_cached("UPDATE teams SET head = head + 1 WHERE id = ?1 RETURNING head")?.query_row([team.id], |r| r.get(0))?;
    tx.prepare_cached(
        "INSERT INTO docs (team, id, type, json, seq) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (team, id) DO UPDATE SET type = excluded.type, json = excluded.json, seq = excluded.seq",
    )?
    .execute(params![team.id, id, pushed.doc.doc_type().as_str(), json, seq])?;
    Ok(PushResult::Written)
}

/// The documents of `team` committed after the pull's cursor, at most its
/// limit, as stored (checked to be JSON, not parsed into values).
fn read_page(tx: &Transaction<'_>, team: &Team, pull: Pull) -> Result<Page, StoreError> {
    let head: i64 = tx.prepare_cached("SELECT head FROM teams WHERE id = ?1")?.query_row([team.id], |r| r.get(0))?;
    let head = head as u64;
    let epoch = super::epoch::read(tx)?;
    let from = resume_from(&pull, &epoch, head);
    let limit = pull.limit;
    let mut stmt = tx.prepare_cached("SELECT seq, json FROM docs WHERE team = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3")?;
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
        let doc = RawValue::from_string(json).map_err(|e| StoreError(format!("stored document at seq {seq} is not JSON: {e}")))?;
        docs.push(doc);
        last = Some(seq as u64);
    }
    drop(rows);
    let cursor = last.unwrap_or(head);
    // Only counted when a client must come back: "n of about m" on a new tablet.
    let remaining = if more {
        let n: i64 = tx.prepare_cached("SELECT COUNT(*) FROM docs WHERE team = ?1 AND seq > ?2")?.query_row(params![team.id, cursor as i64], |r| r.get(0))?;
        n as u64
    } else {
        0
    };
    Ok(Page { cursor, epoch: epoch.id, more, remaining, docs })
}
