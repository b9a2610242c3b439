//! Documents in PostgreSQL: one sync's push and pull in one transaction,
//! and a team's documents for administration and tests.
//!
//! What a pushed document becomes is `store::decide`'s (core's merge rule);
//! this file only reads and writes rows, in the order the module header
//! (`store::postgres`) explains: the team's counter first.
//!
//! # Round trips
//!
//! A push costs four round trips to the database whatever its length (a
//! page that leaves more waiting adds a count): `BEGIN`; the counter's lock,
//! all stored copies (one `id = ANY($2)`) and the epoch, sent together;
//! every changed document (one `INSERT … SELECT FROM unnest(…)`), the new
//! head, the page and the sync's record in the token's row (`last_sync`,
//! [`RECORD_SYNC`]), sent together; `COMMIT`. Statements sent together
//! are pipelined on the connection (tokio-postgres sends each when its
//! future is first polled; `try_join!(biased; …)` polls them in the order
//! written) and
//! the database runs them one after the other in that order, so the order
//! of the module header holds: under `READ COMMITTED` each statement's
//! snapshot is taken when it starts, which for the stored copies is after
//! the lock is granted. A pull costs four as well: `BEGIN`, head and epoch,
//! the page, `COMMIT`; its record is a fifth, after the commit
//! (`DeviceStore::token_synced`: a read-only snapshot cannot write it).

use std::collections::{HashMap, HashSet};

use deadpool_postgres::{GenericClient, Object, Transaction};
use tokio_postgres::types::ToSql;
use tokio_postgres::{IsolationLevel, Row, Statement};

use super::pool::Attempt;
use super::tokens::RECORD_SYNC;
use super::{CursorMode, PgStore};
use crate::store::photos::named_photos;
use crate::store::sqlite::StoredDoc;
use crate::store::{resume_from, to_write, Epoch, Page, PageFill, Pull, PushResult, Pushed, QuotaExceeded, StoreError, Synced, SyncedBy, Team};

/// The changed documents of a push, written by one statement: `seq` is the
/// counter's next in the order given (`WITH ORDINALITY`, from 1) or, as the
/// negative control, `nextval()`.
const WRITE_NUMBERED: &str = "INSERT INTO docs (team, id, type, json, seq)
     SELECT $1, w.id, w.type, w.json, $5 + w.n FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS w(id, type, json, n)
     ON CONFLICT (team, id) DO UPDATE SET type = excluded.type, json = excluded.json, seq = excluded.seq";
const WRITE_NAIVE: &str = "INSERT INTO docs (team, id, type, json, seq)
     SELECT $1, w.id, w.type, w.json, nextval('naive_seq') FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS w(id, type, json, n)
     ON CONFLICT (team, id) DO UPDATE SET type = excluded.type, json = excluded.json, seq = excluded.seq
     RETURNING seq";

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
    /// is pushed (the caller records the sync after it); else a `READ
    /// COMMITTED` transaction whose first statement locks the team's counter,
    /// that stores what changed, records the sync in the token's row
    /// ([`RECORD_SYNC`], sent with the write and the page) and pulls after
    /// it, or is rolled back whole (the record with it) if a new document
    /// would pass `max_docs`.
    /// The connection is the pool's, unchecked: its first statement (`BEGIN`)
    /// proves it, and one found lost there is replaced (`PgStore::retrying`);
    /// a connection lost later is a 503 (nothing is committed, the client
    /// sends it again).
    pub(super) async fn sync_team(
        &self,
        team: &Team,
        push: Vec<Pushed>,
        pull: Pull,
        max_docs: u64,
        by: &SyncedBy,
    ) -> Result<Result<Synced, QuotaExceeded>, StoreError> {
        self.retrying(|client| self.sync_on(client, team, &push, &pull, max_docs, by)).await
    }

    /// One try of [`PgStore::sync_team`] on `client`.
    async fn sync_on(
        &self,
        mut client: Object,
        team: &Team,
        push: &[Pushed],
        pull: &Pull,
        max_docs: u64,
        by: &SyncedBy,
    ) -> Result<Result<Synced, QuotaExceeded>, Attempt> {
        if push.is_empty() {
            let tx = PgStore::begin(&mut client, IsolationLevel::RepeatableRead, true).await.map_err(Attempt::from_first)?;
            let head = tx.prepare_cached("SELECT head FROM teams WHERE id = $1").await?;
            let epoch = tx.prepare_cached(super::epoch::READ).await?;
            let by_team: [&(dyn ToSql + Sync); 1] = [&team.id];
            let (head, epoch) = tokio::try_join!(biased; tx.query_one(&head, &by_team), tx.query(&epoch, &[]))?;
            let head = head.get::<_, i64>(0) as u64;
            let epoch = super::epoch::from_rows(&epoch)?;
            let from = resume_from(pull, &epoch, head);
            let rows = page_rows(&tx, &tx.prepare_cached(PAGE).await?, team, from, pull).await?;
            let page = finish_page(&tx, team, pull, epoch, head, rows).await?;
            tx.commit().await?;
            // A read-only snapshot cannot record the sync: the caller does,
            // after it (a `REPEATABLE READ` one that wrote the token's row
            // would fail where another sync had written it since the snapshot).
            return Ok(Ok(Synced { pushed: Vec::new(), page, recorded: false }));
        }
        let mode = self.cursor_mode();
        let tx = PgStore::begin(&mut client, IsolationLevel::ReadCommitted, false).await.map_err(Attempt::from_first)?;
        let counter = match mode {
            // NO KEY UPDATE: pushes of the team take turns, but rows that
            // only reference the team (a photo, a token) need a key share,
            // which this lock does not block.
            CursorMode::TeamCounter => "SELECT head FROM teams WHERE id = $1 FOR NO KEY UPDATE",
            CursorMode::NaiveSequence => "SELECT head FROM teams WHERE id = $1",
        };
        // Prepared first (from the connection's cache, or one round trip
        // each the first time), so the three below go out in this order.
        let counter = tx.prepare_cached(counter).await?;
        let stored = tx.prepare_cached("SELECT id, json FROM docs WHERE team = $1 AND id = ANY($2)").await?;
        let epoch = tx.prepare_cached(super::epoch::READ).await?;
        let ids: Vec<&str> = push.iter().map(|p| p.doc.id().as_str()).collect();
        let (by_team, by_ids): ([&(dyn ToSql + Sync); 1], [&(dyn ToSql + Sync); 2]) = ([&team.id], [&team.id, &ids]);
        let (head, stored, epoch) = tokio::try_join!(biased; tx.query_one(&counter, &by_team), tx.query(&stored, &by_ids), tx.query(&epoch, &[]))?;
        let head: i64 = head.get(0);
        let epoch = super::epoch::from_rows(&epoch)?;
        let mut stored: HashMap<String, String> = stored.into_iter().map(|r| (r.get(0), r.get(1))).collect();
        // As in SQLite: the team holds at most `head` documents, so a team
        // further below its quota than this push is long needs no count.
        let mut count = if (head as u64).saturating_add(push.len() as u64) < max_docs {
            None
        } else {
            let stmt = tx.prepare_cached("SELECT COUNT(*) FROM docs WHERE team = $1").await?;
            Some(tx.query_one(&stmt, &[&team.id]).await?.get::<_, i64>(0) as u64)
        };
        let mut pushed = Vec::with_capacity(push.len());
        let mut writes = Vec::new();
        for doc in push {
            let id = doc.doc.id().as_str();
            match to_write(stored.get(id).map(String::as_str), doc, &mut count, max_docs) {
                Ok(Ok(json)) => {
                    // A later copy of the same id in this push is merged
                    // against this one, as if it were stored already.
                    stored.insert(id.to_string(), json.clone());
                    writes.push((id, doc.doc.doc_type().as_str(), json));
                    pushed.push(PushResult::Written);
                }
                Ok(Err(done)) => pushed.push(done),
                // Dropping `tx` uncommitted rolls it back.
                Err(quota) => return Ok(Err(quota)),
            }
        }
        let writes = last_of_each(writes);
        // The sync's record goes out last with the page (and the write), so
        // it costs no round trip; it holds the token's row to the commit, and
        // never waits for it (`RECORD_SYNC`).
        let record = tx.prepare_cached(RECORD_SYNC).await?;
        let waiting = by.waiting_column();
        let synced_by: [&(dyn ToSql + Sync); 3] = [&by.token, &by.at, &waiting];
        let (page, changed) = if writes.is_empty() {
            let from = resume_from(pull, &epoch, head as u64);
            let stmt = tx.prepare_cached(PAGE).await?;
            let (rows, changed) = tokio::try_join!(biased; page_rows(&tx, &stmt, team, from, pull), tx.execute(&record, &synced_by))?;
            (finish_page(&tx, team, pull, epoch, head as u64, rows).await?, changed)
        } else {
            let ids: Vec<&str> = writes.iter().map(|w| w.0).collect();
            let types: Vec<&str> = writes.iter().map(|w| w.1).collect();
            let jsons: Vec<&str> = writes.iter().map(|w| w.2.as_str()).collect();
            // A photo this push names is no longer waiting to be collected, even if a pass read the
            // team's documents before this commit (see `store::photos`); one statement for all.
            let named: Vec<String> =
                writes.iter().flat_map(|w| named_photos(&w.2)).map(|h| h.as_str().to_string()).collect::<HashSet<_>>().into_iter().collect();
            if !named.is_empty() {
                let stmt = tx.prepare_cached("DELETE FROM blob_marks WHERE team = $1 AND hash = ANY($2)").await?;
                tx.execute(&stmt, &[&team.id, &named]).await?;
            }
            match mode {
                CursorMode::TeamCounter => {
                    // The lock is held: the head is ours to move, and the page
                    // (read after the write, in the order sent) sees it.
                    let new_head = head + writes.len() as i64;
                    let from = resume_from(pull, &epoch, new_head as u64);
                    let write = tx.prepare_cached(WRITE_NUMBERED).await?;
                    let update = tx.prepare_cached("UPDATE teams SET head = $2 WHERE id = $1").await?;
                    let stmt = tx.prepare_cached(PAGE).await?;
                    let written: [&(dyn ToSql + Sync); 5] = [&team.id, &ids, &types, &jsons, &head];
                    let moved: [&(dyn ToSql + Sync); 2] = [&team.id, &new_head];
                    let (_, _, rows, changed) = tokio::try_join!(biased; tx.execute(&write, &written), tx.execute(&update, &moved),
                        page_rows(&tx, &stmt, team, from, pull), tx.execute(&record, &synced_by)
                    )?;
                    (finish_page(&tx, team, pull, epoch, new_head as u64, rows).await?, changed)
                }
                CursorMode::NaiveSequence => {
                    // Numbers from elsewhere, no lock: the head is read
                    // back (GREATEST: another push's may be higher).
                    let write = tx.prepare_cached(WRITE_NAIVE).await?;
                    let seqs = tx.query(&write, &[&team.id, &ids, &types, &jsons]).await?;
                    let top = seqs.iter().map(|r| r.get::<_, i64>(0)).max().unwrap_or(head);
                    let stmt = tx.prepare_cached("UPDATE teams SET head = GREATEST(head, $2) WHERE id = $1 RETURNING head").await?;
                    let new_head: i64 = tx.query_one(&stmt, &[&team.id, &top]).await?.get(0);
                    let from = resume_from(pull, &epoch, new_head as u64);
                    let stmt = tx.prepare_cached(PAGE).await?;
                    let (rows, changed) = tokio::try_join!(biased; page_rows(&tx, &stmt, team, from, pull), tx.execute(&record, &synced_by))?;
                    (finish_page(&tx, team, pull, epoch, new_head as u64, rows).await?, changed)
                }
            }
        };
        tx.commit().await?;
        self.recorded(by, changed);
        Ok(Ok(Synced { pushed, page, recorded: true }))
    }
}

/// The page after a cursor: one more row than the limit, to tell whether
/// more wait.
const PAGE: &str = "SELECT seq, json FROM docs WHERE team = $1 AND seq > $2 ORDER BY seq LIMIT $3";

/// The rows of the page after `from` (`stmt`: [`PAGE`]). Sent when first
/// polled (the statement is prepared), so it keeps its place in a pipeline.
async fn page_rows(tx: &Transaction<'_>, stmt: &Statement, team: &Team, from: u64, pull: &Pull) -> Result<Vec<Row>, tokio_postgres::Error> {
    tx.query(stmt, &[&team.id, &(from as i64), &(pull.limit as i64 + 1)]).await
}

/// The writes of a push, each id once (its last copy, where the push held
/// it twice: one statement may not change a row twice), in push order.
fn last_of_each<'a>(writes: Vec<(&'a str, &'a str, String)>) -> Vec<(&'a str, &'a str, String)> {
    let mut seen = HashSet::new();
    let mut kept: Vec<_> = writes.into_iter().rev().filter(|w| seen.insert(w.0)).collect();
    kept.reverse();
    kept
}

/// The page from `rows` (read after the cursor, one more than the limit)
/// with head and epoch of the same snapshot; counts what remains only when
/// more wait (one more statement, in `tx`).
async fn finish_page(tx: &Transaction<'_>, team: &Team, pull: &Pull, epoch: Epoch, head: u64, rows: Vec<Row>) -> Result<Page, StoreError> {
    let mut fill = PageFill::new(pull);
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
