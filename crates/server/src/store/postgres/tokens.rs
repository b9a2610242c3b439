//! Access tokens in PostgreSQL: the rows behind the `token` commands, the
//! lookup every request makes and the usage it records, and the set-up
//! codes of the devices API. How tokens are made, which one a prefix means
//! and what each allows are `store::tokens`' rules.

use deadpool_postgres::GenericClient;
use tokio_postgres::Row;

use super::pool::Attempt;
use super::PgStore;
use crate::store::tokens::{
    claim_check, pick_token, token_hash, ClaimRefused, Claimed, DeviceRevoked, NewSetupCode, NewToken, SetupCodeRow, TokenInfo, TokenKind, TokenRow,
    USED_EVERY_SECS,
};
use crate::store::{unix_now, StoreError, SyncedBy, Team, TOKEN_PREFIX_LEN};

/// Records a sync (`$1` the token's hash, `$2` its time, `$3` what still
/// waits on the device: [`SyncedBy`]) in the token's row, unless another
/// write holds that row (`SKIP LOCKED`: the row's lock is never waited for,
/// so it cannot hold up a push of the team, in whose transaction it may run,
/// nor wait in a cycle with a revoke, which locks token rows `FOR UPDATE` and
/// no team's row); the next sync records it then.
pub(super) const RECORD_SYNC: &str = "UPDATE tokens SET last_used = $2, last_sync = $2, waiting = $3 WHERE hash = (
     SELECT hash FROM tokens WHERE hash = $1 FOR UPDATE SKIP LOCKED)";

/// The columns [`info`] reads, in its order.
const INFO_COLUMNS: &str =
    "tokens.prefix, teams.name, tokens.label, tokens.created, tokens.revoked, tokens.kind, tokens.expires, tokens.last_used, tokens.last_sync, tokens.waiting";

/// A row of [`INFO_COLUMNS`], from column `at` on.
fn info(r: &Row, at: usize) -> TokenInfo {
    TokenInfo {
        prefix: r.get(at),
        team: r.get(at + 1),
        label: r.get(at + 2),
        created: r.get(at + 3),
        revoked: r.get(at + 4),
        kind: TokenKind::parse(r.get(at + 5)),
        expires: r.get(at + 6),
        last_used: r.get(at + 7),
        last_sync: r.get(at + 8),
        waiting: r.get::<_, Option<i64>>(at + 9).and_then(|w| u64::try_from(w).ok()),
    }
}

impl PgStore {
    /// Stores `new` of `kind` for `team`, creating the team if needed.
    pub(super) async fn add_token_row(&self, team: &str, label: &str, new: &NewToken, kind: TokenKind) -> Result<(), StoreError> {
        let now = unix_now();
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        tx.execute("INSERT INTO teams (name, created) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING", &[&team, &now]).await?;
        let team_id: i64 = tx.query_one("SELECT id FROM teams WHERE name = $1", &[&team]).await?.get(0);
        insert_token(&tx, team_id, label, new, kind, None, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The token stored with `hash` (every request asks: on a connection as
    /// the pool hands it out, tried again on another if it was lost; a read).
    pub(super) async fn token_row(&self, hash: &[u8]) -> Result<Option<TokenRow>, StoreError> {
        let row = self
            .retrying(|client| async move {
                let stmt = client
                    .prepare_cached(
                        "SELECT teams.id, teams.name, tokens.kind, tokens.expires, tokens.revoked FROM tokens JOIN teams ON teams.id = tokens.team
                         WHERE tokens.hash = $1",
                    )
                    .await
                    .map_err(Attempt::from_first)?;
                client.query_opt(&stmt, &[&hash]).await.map_err(Attempt::from_first)
            })
            .await?;
        Ok(row.map(|r| TokenRow { team: Team { id: r.get(0), name: r.get(1) }, kind: r.get(2), expires: r.get(3), revoked: r.get(4) }))
    }

    /// `DeviceStore::token_used`: nothing sent while this instance knows the
    /// stored time to be under a minute old ([`RecentUse`]); else a plain
    /// `UPDATE` of the token's row when the stored time is stale, with
    /// `SKIP LOCKED` so it never waits for another write of that row, in one
    /// statement that also reads back the time stored now (written by this
    /// instance or another), for the next request to go by.
    pub(super) async fn mark_used(&self, hash: &[u8], now: i64) -> Result<(), StoreError> {
        if !self.recent_use().due(hash, now) {
            return Ok(());
        }
        let client = self.client().await?;
        // The outer SELECT sees the row as before the UPDATE (one snapshot), so the written time comes first.
        let stmt = client
            .prepare_cached(
                "WITH written AS (
                     UPDATE tokens SET last_used = $2 WHERE hash = (
                         SELECT hash FROM tokens WHERE hash = $1 AND (last_used IS NULL OR last_used <= $3) FOR UPDATE SKIP LOCKED)
                     RETURNING last_used)
                 SELECT COALESCE((SELECT last_used FROM written), (SELECT last_used FROM tokens WHERE hash = $1))",
            )
            .await?;
        let stored: Option<i64> = client.query_one(&stmt, &[&hash, &now, &(now - USED_EVERY_SECS)]).await?.get(0);
        if let Some(at) = stored {
            self.recent_use().note(hash, at, now);
        }
        Ok(())
    }

    /// `DeviceStore::token_synced` (a pull's: a push sends [`RECORD_SYNC`]
    /// in its own transaction); skipped (`SKIP LOCKED`) while another write
    /// holds the token's row: the next sync records it.
    pub(super) async fn mark_synced(&self, by: &SyncedBy) -> Result<(), StoreError> {
        let waiting = by.waiting_column();
        // After the pull: on a connection as the pool hands it out, tried
        // again on another if it was lost (writing the same times twice is harmless).
        let changed = self
            .retrying(|client| async move {
                let stmt = client.prepare_cached(RECORD_SYNC).await.map_err(Attempt::from_first)?;
                client.execute(&stmt, &[&by.token, &by.at, &waiting]).await.map_err(Attempt::from_first)
            })
            .await?;
        self.recorded(by, changed);
        Ok(())
    }

    /// After [`RECORD_SYNC`] of `by` changed `changed` rows, committed: a
    /// time written is one [`RecentUse`] knows (the request's
    /// `DeviceStore::token_used` sends nothing for a minute).
    pub(super) fn recorded(&self, by: &SyncedBy, changed: u64) {
        if changed == 1 {
            self.recent_use().note(&by.token, by.at, by.at);
        }
    }

    /// All tokens, oldest first.
    pub(super) async fn token_rows(&self) -> Result<Vec<TokenInfo>, StoreError> {
        let client = self.client().await?;
        let sql = format!("SELECT {INFO_COLUMNS} FROM tokens JOIN teams ON teams.id = tokens.team ORDER BY tokens.created, tokens.n");
        Ok(client.query(&sql, &[]).await?.iter().map(|r| info(r, 0)).collect())
    }

    /// `DeviceStore::team_devices`.
    pub(super) async fn list_team_devices(&self, team: &Team) -> Result<Vec<TokenInfo>, StoreError> {
        let client = self.client().await?;
        let sql = format!(
            "SELECT {INFO_COLUMNS} FROM tokens JOIN teams ON teams.id = tokens.team
             WHERE tokens.team = $1 AND tokens.kind <> 'admin' ORDER BY tokens.created, tokens.n"
        );
        Ok(client.query(&sql, &[&team.id]).await?.iter().map(|r| info(r, 0)).collect())
    }

    /// `DeviceStore::add_setup_code`.
    pub(super) async fn insert_setup_code(&self, team: &Team, code: &NewSetupCode) -> Result<(), StoreError> {
        let client = self.client().await?;
        client
            .execute(
                "INSERT INTO setup_codes (hash, team, label, device_expires, created, expires) VALUES ($1, $2, $3, $4, $5, $6)",
                &[&code.hash, &team.id, &code.label, &code.device_expires, &code.created, &code.expires],
            )
            .await?;
        Ok(())
    }

    /// `DeviceStore::claim_setup_code`: the code's row locked (`FOR
    /// UPDATE`), so of two claims at once the second sees it used.
    pub(super) async fn claim_code(&self, code_hash: &[u8], token: &NewToken, now: i64) -> Result<Result<Claimed, ClaimRefused>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let row = tx
            .query_opt(
                "SELECT teams.id, teams.name, setup_codes.label, setup_codes.device_expires, setup_codes.expires, setup_codes.used
                 FROM setup_codes JOIN teams ON teams.id = setup_codes.team WHERE setup_codes.hash = $1 FOR UPDATE OF setup_codes",
                &[&code_hash],
            )
            .await?
            .map(|r| SetupCodeRow {
                team: Team { id: r.get(0), name: r.get(1) },
                label: r.get(2),
                device_expires: r.get(3),
                expires: r.get(4),
                used: r.get(5),
            });
        let row = match claim_check(row.as_ref(), now) {
            Ok(row) => row,
            // Dropping `tx` uncommitted rolls it back.
            Err(refused) => return Ok(Err(refused)),
        };
        tx.execute("UPDATE setup_codes SET used = $2 WHERE hash = $1", &[&code_hash, &now]).await?;
        insert_token(&tx, row.team.id, &row.label, token, TokenKind::Device, row.device_expires, now).await?;
        let claimed = Claimed { team: row.team.clone(), label: row.label.clone() };
        tx.commit().await?;
        Ok(Ok(claimed))
    }

    /// `DeviceStore::revoke_device`.
    pub(super) async fn revoke_team_device(&self, team: &Team, prefix: &str, now: i64) -> Result<DeviceRevoked, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let sql = format!(
            "SELECT tokens.hash, {INFO_COLUMNS} FROM tokens JOIN teams ON teams.id = tokens.team
             WHERE tokens.team = $1 AND tokens.prefix = $2 AND tokens.kind <> 'admin' FOR UPDATE OF tokens"
        );
        let rows: Vec<(Vec<u8>, TokenInfo)> = tx.query(&sql, &[&team.id, &prefix]).await?.iter().map(|r| (r.get(0), info(r, 1))).collect();
        let done = match rows.as_slice() {
            [] => DeviceRevoked::NotFound,
            [(hash, info)] => {
                if info.revoked.is_none() {
                    tx.execute("UPDATE tokens SET revoked = $1 WHERE hash = $2", &[&now, hash]).await?;
                }
                DeviceRevoked::Revoked(TokenInfo { revoked: Some(info.revoked.unwrap_or(now)), ..info.clone() }, info.revoked.is_some())
            }
            several => DeviceRevoked::Ambiguous(several.len()),
        };
        tx.commit().await?;
        Ok(done)
    }

    /// `AdminStore::revoke_token` for a checked argument, in one transaction
    /// (the candidates locked until it commits).
    pub(super) async fn revoke_picked(&self, given: &str, shown: &str) -> Result<(TokenInfo, bool), StoreError> {
        let now = unix_now();
        let prefix: String = given.chars().take(TOKEN_PREFIX_LEN).collect();
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let sql = format!(
            "SELECT tokens.hash, {INFO_COLUMNS} FROM tokens JOIN teams ON teams.id = tokens.team
             WHERE tokens.hash = $1 OR tokens.prefix = $2 FOR UPDATE OF tokens"
        );
        let candidates: Vec<(Vec<u8>, TokenInfo)> = tx.query(&sql, &[&token_hash(given), &prefix]).await?.iter().map(|r| (r.get(0), info(r, 1))).collect();
        let (hash, info) = pick_token(given, shown, &candidates)?;
        if info.revoked.is_none() {
            tx.execute("UPDATE tokens SET revoked = $1 WHERE hash = $2", &[&now, hash]).await?;
        }
        tx.commit().await?;
        let already = info.revoked.is_some();
        Ok((TokenInfo { revoked: Some(info.revoked.unwrap_or(now)), ..info.clone() }, already))
    }

    /// Whether at least one usable token exists.
    pub(super) async fn any_active_token(&self) -> Result<bool, StoreError> {
        let client = self.client().await?;
        Ok(client.query_one("SELECT EXISTS (SELECT 1 FROM tokens WHERE revoked IS NULL)", &[]).await?.get(0))
    }
}

/// Inserts one token row.
async fn insert_token(
    tx: &impl GenericClient,
    team_id: i64,
    label: &str,
    new: &NewToken,
    kind: TokenKind,
    expires: Option<i64>,
    now: i64,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO tokens (hash, prefix, team, label, created, kind, expires) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[&new.hash, &new.prefix, &team_id, &label, &now, &kind.as_str(), &expires],
    )
    .await?;
    Ok(())
}
