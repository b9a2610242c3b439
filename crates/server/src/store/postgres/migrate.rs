//! PostgreSQL as the target of `migrate` ([`crate::store::migrate`]): in one transaction, into an empty
//! database, every row as the source has it (ids, `seq`, `head`, the epoch), then read back and compared with
//! the source (counts, the documents' digest per team, each photo's content hash); committed only if all agree.

use deadpool_postgres::GenericClient;
use tokio_postgres::IsolationLevel;

use super::PgStore;
use crate::store::migrate::{blob_digest, compare, docs_digest, MigrateSource, Migrated, TeamRow};
use crate::store::sqlite::StoredDoc;
use crate::store::StoreError;

impl PgStore {
    /// Copies `source` in. Refuses a database that already holds a team (a copy goes into an empty one only:
    /// merging two databases' sequence numbers would break tablets' cursors).
    pub async fn import(&self, source: &dyn MigrateSource) -> Result<Migrated, StoreError> {
        let mut client = self.client().await?;
        let tx = PgStore::begin(&mut client, IsolationLevel::Serializable, false).await?;
        // Taken first: a server started on this database meanwhile waits until the copy is committed.
        tx.batch_execute("LOCK TABLE teams, tokens, setup_codes, docs, blobs, team_blobs, meta IN EXCLUSIVE MODE").await?;
        let held: i64 = tx.query_one("SELECT COUNT(*) FROM teams", &[]).await?.get(0);
        if held > 0 {
            return Err(StoreError(format!(
                "the database {} already holds {held} team(s); migrate copies into an empty database only (create a new one with createdb)",
                self.shown()
            )));
        }
        let catalog = source.catalog()?;
        let insert_team = tx.prepare("INSERT INTO teams (id, name, head, created) VALUES ($1, $2, $3, $4)").await?;
        for t in &catalog.teams {
            tx.execute(&insert_team, &[&t.id, &t.name, &t.head, &t.created]).await?;
        }
        // New teams made later get ids after the copied ones.
        tx.execute("SELECT setval(pg_get_serial_sequence('teams', 'id'), GREATEST((SELECT MAX(id) FROM teams), 1))", &[]).await?;
        let insert_token = tx
            .prepare(
                "INSERT INTO tokens (hash, prefix, team, label, created, revoked, kind, expires, last_used, last_sync, waiting)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .await?;
        for t in &catalog.tokens {
            let row: [&(dyn tokio_postgres::types::ToSql + Sync); 11] =
                [&t.hash, &t.prefix, &t.team, &t.label, &t.created, &t.revoked, &t.kind, &t.expires, &t.last_used, &t.last_sync, &t.waiting];
            tx.execute(&insert_token, &row).await?;
        }
        let insert_code =
            tx.prepare("INSERT INTO setup_codes (hash, team, label, device_expires, created, expires, used) VALUES ($1, $2, $3, $4, $5, $6, $7)").await?;
        for c in &catalog.setup_codes {
            tx.execute(&insert_code, &[&c.hash, &c.team, &c.label, &c.device_expires, &c.created, &c.expires, &c.used]).await?;
        }
        let insert_usage = tx.prepare("INSERT INTO team_blobs (team, count, bytes) VALUES ($1, $2, $3)").await?;
        for u in &catalog.team_blobs {
            tx.execute(&insert_usage, &[&u.team, &u.count, &u.bytes]).await?;
        }
        let set_meta = tx.prepare("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value").await?;
        for (key, value) in &catalog.meta {
            tx.execute(&set_meta, &[key, value]).await?;
        }

        let insert_doc = tx.prepare("INSERT INTO docs (team, id, type, json, seq) VALUES ($1, $2, $3, $4, $5)").await?;
        let insert_blob = tx.prepare("INSERT INTO blobs (team, hash, type, size, created, data) VALUES ($1, $2, $3, $4, $5, $6)").await?;
        let read_docs = tx.prepare("SELECT id, type, seq, json FROM docs WHERE team = $1 ORDER BY seq").await?;
        let read_blobs = tx.prepare("SELECT hash, size, length(data)::bigint, encode(sha256(data), 'hex') FROM blobs WHERE team = $1 ORDER BY hash").await?;
        let (mut docs, mut blobs) = (0, 0);
        for team in &catalog.teams {
            let source_docs = source.docs(team.id)?;
            for d in &source_docs {
                tx.execute(&insert_doc, &[&team.id, &d.id, &d.doc_type, &d.json, &(d.seq as i64)]).await?;
            }
            let hashes = source.blob_hashes(team.id)?;
            for hash in &hashes {
                let b = source.blob(team.id, hash)?;
                compare(&format!("photo {hash} of team {}: its content", team.name), blob_digest(&b.data), b.hash.clone())?;
                tx.execute(&insert_blob, &[&team.id, &b.hash, &b.media_type, &b.size, &b.created, &b.data]).await?;
            }
            // Read back what this transaction holds and compare it with the source.
            let copied: Vec<StoredDoc> = tx
                .query(&read_docs, &[&team.id])
                .await?
                .iter()
                .map(|r| StoredDoc { id: r.get(0), doc_type: r.get(1), seq: r.get::<_, i64>(2) as u64, json: r.get(3) })
                .collect();
            compare(&format!("documents of team {}", team.name), source_docs.len(), copied.len())?;
            compare(&format!("digest of team {}'s documents", team.name), docs_digest(&source_docs), docs_digest(&copied))?;
            let copied_blobs = tx.query(&read_blobs, &[&team.id]).await?;
            compare(&format!("photos of team {}", team.name), hashes.len(), copied_blobs.len())?;
            for r in &copied_blobs {
                let (hash, size, length, digest): (String, i64, i64, String) = (r.get(0), r.get(1), r.get(2), r.get(3));
                compare(&format!("photo {hash} of team {}: its content", team.name), hash.clone(), digest)?;
                compare(&format!("photo {hash} of team {}: its size", team.name), size, length)?;
            }
            docs += source_docs.len() as u64;
            blobs += hashes.len() as u64;
        }
        let count = |table: &'static str| {
            let tx = &tx;
            async move { Ok::<i64, StoreError>(tx.query_one(&format!("SELECT COUNT(*) FROM {table}"), &[]).await?.get(0)) }
        };
        compare("teams", catalog.teams.len() as i64, count("teams").await?)?;
        // Each team's head too: a push after the copy takes its next number from there.
        let teams: Vec<TeamRow> = tx
            .query("SELECT id, name, head, created FROM teams ORDER BY id", &[])
            .await?
            .iter()
            .map(|r| TeamRow { id: r.get(0), name: r.get(1), head: r.get(2), created: r.get(3) })
            .collect();
        compare("teams, their names and heads", &catalog.teams, &teams)?;
        compare("tokens", catalog.tokens.len() as i64, count("tokens").await?)?;
        compare("set-up codes", catalog.setup_codes.len() as i64, count("setup_codes").await?)?;
        let epoch = super::epoch::read(&tx).await?;
        let source_epoch = catalog.meta.iter().find(|(k, _)| k == "epoch").map(|(_, v)| v.clone());
        compare("epoch", source_epoch, Some(epoch.id.clone()))?;
        tx.commit().await?;
        Ok(Migrated { teams: catalog.teams.len() as u64, tokens: catalog.tokens.len() as u64, docs, blobs, epoch: epoch.id })
    }
}
