//! The photo collection pass in PostgreSQL ([`crate::store::photos`]): per team, the names
//! and photos read in one `REPEATABLE READ` snapshot, then the plan written in one short
//! transaction that holds the team's counter (pushes of the team wait for it, as for each
//! other) and its photo usage row (uploads of the team wait too).

use std::collections::BTreeSet;

use tokio_postgres::IsolationLevel;
use xunfang_core::blob_collect::named_in;

use super::PgStore;
use crate::store::photos::{plan, Candidate, PhotoPass, TeamPhotos};
use crate::store::StoreError;

/// How many documents a pass reads per query.
const DOC_PAGE: i64 = 500;

impl PgStore {
    pub(super) async fn collect_pass(&self, pass: &PhotoPass) -> Result<Vec<TeamPhotos>, StoreError> {
        let mut client = self.client().await?;
        let teams = client.query("SELECT id, name FROM teams WHERE id IN (SELECT team FROM blobs) ORDER BY id", &[]).await?;
        let mut out = Vec::with_capacity(teams.len());
        for team in teams {
            let (team, name): (i64, String) = (team.get(0), team.get(1));
            let tx = PgStore::begin(&mut client, IsolationLevel::RepeatableRead, true).await?;
            // Page by page in `seq` order, so a big team's documents are never all in memory at once.
            let mut named = BTreeSet::new();
            let mut after = i64::MIN;
            loop {
                let page = tx.query("SELECT seq, json FROM docs WHERE team = $1 AND seq > $2 ORDER BY seq LIMIT $3", &[&team, &after, &DOC_PAGE]).await?;
                for row in &page {
                    named_in(row.get(1), &mut named);
                }
                match page.last() {
                    Some(last) if page.len() as i64 == DOC_PAGE => after = last.get(0),
                    _ => break,
                }
            }
            let rows = tx
                .query(
                    "SELECT b.hash, b.created, b.size, m.unnamed_since FROM blobs b
                     LEFT JOIN blob_marks m ON m.team = b.team AND m.hash = b.hash WHERE b.team = $1",
                    &[&team],
                )
                .await?;
            tx.commit().await?;
            let candidates: Vec<Candidate> = rows.iter().filter_map(|r| Candidate::from_row(r.get(0), r.get(1), r.get(2), r.get(3))).collect();
            let plan = plan(&candidates, &named, pass);
            let mut done = TeamPhotos { team: name, collected: 0, bytes: 0, marked: plan.mark.len() as u64 };
            if pass.dry_run {
                done.collected = plan.collect.len() as u64;
                done.bytes = plan.collect.iter().map(|(_, size)| size).sum();
                out.push(done);
                continue;
            }
            let tx = PgStore::begin(&mut client, IsolationLevel::ReadCommitted, false).await?;
            // The order a push (counter) and an upload (usage row) take them: no deadlock.
            tx.execute("SELECT head FROM teams WHERE id = $1 FOR NO KEY UPDATE", &[&team]).await?;
            tx.execute("SELECT count FROM team_blobs WHERE team = $1 FOR UPDATE", &[&team]).await?;
            let unmark: Vec<&str> = plan.unmark.iter().map(|h| h.as_str()).collect();
            tx.execute("DELETE FROM blob_marks WHERE team = $1 AND hash = ANY($2)", &[&team, &unmark]).await?;
            let mark: Vec<&str> = plan.mark.iter().map(|h| h.as_str()).collect();
            tx.execute(
                "INSERT INTO blob_marks (team, hash, unnamed_since) SELECT $1, h, $3 FROM unnest($2::text[]) AS h ON CONFLICT DO NOTHING",
                &[&team, &mark, &pass.now],
            )
            .await?;
            // Only photos whose old mark is still there: a push since the snapshot cleared it.
            let collect: Vec<&str> = plan.collect.iter().map(|(h, _)| h.as_str()).collect();
            let gone = tx
                .query(
                    "WITH old AS (DELETE FROM blob_marks WHERE team = $1 AND hash = ANY($2) AND unnamed_since <= $3 RETURNING hash)
                     DELETE FROM blobs WHERE team = $1 AND hash IN (SELECT hash FROM old) RETURNING size",
                    &[&team, &collect, &pass.cutoff()],
                )
                .await?;
            done.collected = gone.len() as u64;
            done.bytes = gone.iter().map(|r| r.get::<_, i64>(0).max(0) as u64).sum();
            tx.execute(
                "UPDATE team_blobs SET count = count - $2, bytes = bytes - $3 WHERE team = $1",
                &[&team, &(done.collected as i64), &(done.bytes as i64)],
            )
            .await?;
            tx.commit().await?;
            out.push(done);
        }
        Ok(out)
    }
}
