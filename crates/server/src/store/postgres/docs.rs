//! Documents in PostgreSQL: one sync's push and pull in one transaction,
//! and a team's documents for administration and tests.
//!
//! What a pushed document becomes is `store::decide`'s (core's merge rule);
//! this file only reads and writes rows, in the order the module header
//! (`store::postgres`) explains: the team's counter first.

use deadpool_postgres::{GenericClient, Transaction};
use tokio_postgres::IsolationLevel;

use super::{CursorMode, PgStore};
use crate::store::photos::named_photos;
use crate::store::sqlite::StoredDoc;
use crate::store::{resume_from, to_write, Page, PageFill, Pull, PushResult, Pushed, QuotaExceeded, StoreError, Synced, Team};

impl PgStore {
    /// A team's documents in commit order (administration and tests).
    pub async fn team_docs(&self, team: &str) -> Result<Vec<StoredDoc>, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT docs.id, docs.type, docs.seq, docs.json FROM docs JOIN teams ON teams.id = docs.team WHERE teams.name = $1 ORDER BY docs.seq",
                &[&team],
            )
            .await?;
        Ok(rows.iter().map(|r| StoredDoc { id: r.get(0), doc_type: r.get(1), seq: r.get::<_, i64>(2) as u64, json: r.get(3) }).collect())
    }

    /// `SyncStore::sync`: a `REPEATABLE READ READ ONLY` snapshot when nothing
    /// is pushed; else a `READ COMMITTED` transaction whose first statement
    /// locks the team's counter, that stores what changed and pulls after
    /// it, or is rolled back whole if a new document would pass `max_docs`.
    pub(super) async fn sync_team(&self, team: &Team, push: Vec<Pushed>, pull: Pull, max_docs: u64) -> Result<Result<Synced, QuotaExceeded>, StoreError> {
        let mut client = self.client().await?;
        if push.is_empty() {
            let tx = PgStore::begin(&mut client, IsolationLevel::RepeatableRead, true).await?;
            let page = read_page(&tx, team, pull).await?;
            tx.commit().await?;
            return Ok(Ok(Synced { pushed: Vec::new(), page }));
        }
        let mode = self.cursor_mode();
        let tx = PgStore::begin(&mut client, IsolationLevel::ReadCommitted, false).await?;
        let counter = match mode {
            // NO KEY UPDATE: pushes of the team take turns, but rows that
            // only reference the team (a photo, a token) need a key share,
            // which this lock does not block.
            CursorMode::TeamCounter => "SELECT head FROM teams WHERE id = $1 FOR NO KEY UPDATE",
            CursorMode::NaiveSequence => "SELECT head FROM teams WHERE id = $1",
        };
        let head: i64 = tx.query_one(&tx.prepare_cached(counter).await?, &[&team.id]).await?.get(0);
        // As in SQLite: the team holds at most `head` documents, so a team
        // further below its quota than this push is long needs no count.
        let mut count = if (head as u64).saturating_add(push.len() as u64) < max_docs {
            None
        } else {
            let stmt = tx.prepare_cached("SELECT COUNT(*) FROM docs WHERE team = $1").await?;
            Some(tx.query_one(&stmt, &[&team.id]).await?.get::<_, i64>(0) as u64)
        };
        let mut writer = Writer { tx: &tx, team, mode, head };
        let mut pushed = Vec::with_capacity(push.len());
        for doc in &push {
            match writer.store(doc, &mut count, max_docs).await? {
                Ok(result) => pushed.push(result),
                // Dropping `tx` uncommitted rolls it back.
                Err(quota) => return Ok(Err(quota)),
            }
        }
        if writer.head != head {
            // GREATEST: in the naive mode numbers come from elsewhere and
            // may be below another push's.
            let stmt = tx.prepare_cached("UPDATE teams SET head = GREATEST(head, $2) WHERE id = $1").await?;
            tx.execute(&stmt, &[&team.id, &writer.head]).await?;
        }
        let page = read_page(&tx, team, pull).await?;
        tx.commit().await?;
        Ok(Ok(Synced { pushed, page }))
    }
}

/// The writes of one push: where the numbers come from, and the last taken.
struct Writer<'a> {
    tx: &'a Transaction<'a>,
    team: &'a Team,
    mode: CursorMode,
    head: i64,
}

impl Writer<'_> {
    /// Writes one pushed document with a new `seq` if `decide` says so; a
    /// new one only while the team holds fewer than `max_docs` (`count`: its
    /// documents so far, `None` when this push cannot reach the quota).
    async fn store(&mut self, pushed: &Pushed, count: &mut Option<u64>, max_docs: u64) -> Result<Result<PushResult, QuotaExceeded>, StoreError> {
        let tx = self.tx;
        let id = pushed.doc.id().as_str();
        let stmt = tx.prepare_cached("SELECT json FROM docs WHERE team = $1 AND id = $2").await?;
        let stored: Option<String> = tx.query_opt(&stmt, &[&self.team.id, &id]).await?.map(|r| r.get(0));
        let json = match to_write(stored.as_deref(), pushed, count, max_docs) {
            Ok(Ok(json)) => json,
            Ok(Err(done)) => return Ok(Ok(done)),
            Err(quota) => return Ok(Err(quota)),
        };
        let seq = match self.mode {
            CursorMode::TeamCounter => self.head + 1,
            CursorMode::NaiveSequence => tx.query_one("SELECT nextval('naive_seq')", &[]).await?.get(0),
        };
        self.head = self.head.max(seq);
        let stmt = tx
            .prepare_cached(
                "INSERT INTO docs (team, id, type, json, seq) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (team, id) DO UPDATE SET type = excluded.type, json = excluded.json, seq = excluded.seq",
            )
            .await?;
        tx.execute(&stmt, &[&self.team.id, &id, &pushed.doc.doc_type().as_str(), &json, &seq]).await?;
        // A photo this push names is no longer waiting to be collected, even if a pass read the
        // team's documents before this commit (see `store::photos`); one statement for all.
        let named: Vec<String> = named_photos(&json).into_iter().map(|h| h.as_str().to_string()).collect();
        if !named.is_empty() {
            let stmt = tx.prepare_cached("DELETE FROM blob_marks WHERE team = $1 AND hash = ANY($2)").await?;
            tx.execute(&stmt, &[&self.team.id, &named]).await?;
        }
        Ok(Ok(PushResult::Written))
    }
}

/// The documents of `team` committed after the pull's cursor, at most its
/// limit and its bytes (but at least one), as stored (checked to be JSON,
/// not parsed into values); head, epoch and page from `tx`'s snapshot (a
/// push's transaction holds the team's lock, so no other push of the team
/// commits between its statements).
async fn read_page(tx: &Transaction<'_>, team: &Team, pull: Pull) -> Result<Page, StoreError> {
    let head: i64 = tx.query_one(&tx.prepare_cached("SELECT head FROM teams WHERE id = $1").await?, &[&team.id]).await?.get(0);
    let head = head as u64;
    let epoch = super::epoch::read(tx).await?;
    let from = resume_from(&pull, &epoch, head);
    let stmt = tx.prepare_cached("SELECT seq, json FROM docs WHERE team = $1 AND seq > $2 ORDER BY seq LIMIT $3").await?;
    let rows = tx.query(&stmt, &[&team.id, &(from as i64), &(pull.limit as i64 + 1)]).await?;
    let mut fill = PageFill::new(&pull);
    for row in rows {
        if !fill.take(row.get(0), row.get(1))? {
            break;
        }
    }
    let (cursor, more, docs) = fill.finish(head);
    let remaining = if more {
        let stmt = tx.prepare_cached("SELECT COUNT(*) FROM docs WHERE team = $1 AND seq > $2").await?;
        tx.query_one(&stmt, &[&team.id, &(cursor as i64)]).await?.get::<_, i64>(0) as u64
    } else {
        0
    };
    Ok(Page { cursor, epoch: epoch.id, more, remaining, docs })
}
