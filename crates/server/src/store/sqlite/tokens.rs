//! Access tokens in SQLite: the rows behind the `token` commands, the
//! lookup every request makes and the usage it records, and the set-up
//! codes of the devices API. How tokens are made, which one a prefix means
//! and what each allows are `store::tokens`' rules.

use rusqlite::{params, OptionalExtension, Row, Transaction};

use super::{now, SqliteStore};
use crate::store::tokens::{
    access, claim_check, new_token, pick_token, revoke_argument, token_hash, Access, ClaimRefused, Claimed, DeviceRevoked, NewSetupCode, NewToken,
    SetupCodeRow, TokenInfo, TokenKind, TokenRow, USED_EVERY_SECS,
};
use crate::store::{StoreError, SyncedBy, Team, TOKEN_PREFIX_LEN};

/// The columns [`info`] reads, in its order.
const INFO_COLUMNS: &str =
    "tokens.prefix, teams.name, tokens.label, tokens.created, tokens.revoked, tokens.kind, tokens.expires, tokens.last_used, tokens.last_sync, tokens.waiting";

/// A row of [`INFO_COLUMNS`], from column `at` on.
fn info(r: &Row<'_>, at: usize) -> rusqlite::Result<TokenInfo> {
    Ok(TokenInfo {
        prefix: r.get(at)?,
        team: r.get(at + 1)?,
        label: r.get(at + 2)?,
        created: r.get(at + 3)?,
        revoked: r.get(at + 4)?,
        kind: TokenKind::parse(&r.get::<_, String>(at + 5)?),
        expires: r.get(at + 6)?,
        last_used: r.get(at + 7)?,
        last_sync: r.get(at + 8)?,
        waiting: r.get::<_, Option<i64>>(at + 9)?.and_then(|w| u64::try_from(w).ok()),
    })
}

impl SqliteStore {
    /// Makes a new random team-wide token for `team` (creating the team if
    /// needed) and returns it; only its hash is stored.
    pub fn create_token(&self, team: &str, label: &str) -> Result<String, StoreError> {
        self.create_token_of(team, label, TokenKind::Team)
    }

    /// `create_token` for a token of `kind`.
    pub fn create_token_of(&self, team: &str, label: &str, kind: TokenKind) -> Result<String, StoreError> {
        let (team, new) = new_token(team)?;
        self.add_token_row(&team, label, &new, kind)?;
        Ok(new.token)
    }

    /// Stores `new` of `kind` for `team`, creating the team if needed.
    pub(super) fn add_token_row(&self, team: &str, label: &str, new: &NewToken, kind: TokenKind) -> Result<(), StoreError> {
        let now = now();
        self.write(|tx| {
            tx.execute("INSERT INTO teams (name, created) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING", params![team, now])?;
            let team_id: i64 = tx.query_row("SELECT id FROM teams WHERE name = ?1", [team], |r| r.get(0))?;
            insert_token(tx, team_id, label, new, kind, None, now)
        })
    }

    /// The team a token may sync, if it may (see `store::tokens::access`).
    pub fn team_for_token(&self, token: &str) -> Result<Option<Team>, StoreError> {
        match access(self.token_row(&token_hash(token.trim()))?.as_ref(), now()) {
            Access::Sync(team) => Ok(Some(team)),
            _ => Ok(None),
        }
    }

    /// The token stored with `hash`.
    pub(super) fn token_row(&self, hash: &[u8]) -> Result<Option<TokenRow>, StoreError> {
        self.with_conn(|conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT teams.id, teams.name, tokens.kind, tokens.expires, tokens.revoked FROM tokens JOIN teams ON teams.id = tokens.team
                     WHERE tokens.hash = ?1",
                )?
                .query_row([hash], |r| Ok(TokenRow { team: Team { id: r.get(0)?, name: r.get(1)? }, kind: r.get(2)?, expires: r.get(3)?, revoked: r.get(4)? }))
                .optional()?)
        })
    }

    /// `DeviceStore::token_used`.
    pub(super) fn mark_used(&self, hash: &[u8], now: i64) -> Result<(), StoreError> {
        // Read first: most requests find a fresh time and need no write lock.
        let stale: bool = self.with_conn(|conn| {
            Ok(conn
                .prepare_cached("SELECT EXISTS (SELECT 1 FROM tokens WHERE hash = ?1 AND (last_used IS NULL OR last_used <= ?2))")?
                .query_row(params![hash, now - USED_EVERY_SECS], |r| r.get(0))?)
        })?;
        if stale {
            self.try_write(|tx| Ok(tx.execute("UPDATE tokens SET last_used = ?2 WHERE hash = ?1", params![hash, now]).map(drop)?))?;
        }
        Ok(())
    }

    /// `DeviceStore::token_synced` (a pull's; a push records its sync in
    /// its own write transaction, [`record_sync`]).
    pub(super) fn mark_synced(&self, by: &SyncedBy) -> Result<(), StoreError> {
        // Skipped while another write runs (the next sync records it): a
        // pull must not wait for bookkeeping.
        let done = self.try_write(|tx| record_sync(tx, by))?;
        if done.is_none() {
            tracing::debug!("the database was busy; this sync is not recorded in the device list");
        }
        Ok(())
    }

    /// All tokens, oldest first.
    pub fn list_tokens(&self) -> Result<Vec<TokenInfo>, StoreError> {
        self.with_conn(|conn| {
            let mut stmt =
                conn.prepare(&format!("SELECT {INFO_COLUMNS} FROM tokens JOIN teams ON teams.id = tokens.team ORDER BY tokens.created, tokens.rowid"))?;
            let rows = stmt.query_map([], |r| info(r, 0))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    /// `DeviceStore::team_devices`.
    pub(super) fn list_team_devices(&self, team: &Team) -> Result<Vec<TokenInfo>, StoreError> {
        self.with_conn(|conn| {
            let mut stmt = conn.prepare(&format!(
                "SELECT {INFO_COLUMNS} FROM tokens JOIN teams ON teams.id = tokens.team
                 WHERE tokens.team = ?1 AND tokens.kind <> 'admin' ORDER BY tokens.created, tokens.rowid"
            ))?;
            let rows = stmt.query_map([team.id], |r| info(r, 0))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    /// `DeviceStore::add_setup_code`.
    pub(super) fn insert_setup_code(&self, team: &Team, code: &NewSetupCode) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO setup_codes (hash, team, label, device_expires, created, expires) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![code.hash, team.id, code.label, code.device_expires, code.created, code.expires],
            )?;
            Ok(())
        })
    }

    /// `DeviceStore::claim_setup_code`.
    pub(super) fn claim_code(&self, code_hash: &[u8], token: &NewToken, now: i64) -> Result<Result<Claimed, ClaimRefused>, StoreError> {
        self.write_unless(|tx| {
            let row = tx
                .query_row(
                    "SELECT teams.id, teams.name, setup_codes.label, setup_codes.device_expires, setup_codes.expires, setup_codes.used
                     FROM setup_codes JOIN teams ON teams.id = setup_codes.team WHERE setup_codes.hash = ?1",
                    [code_hash],
                    |r| {
                        Ok(SetupCodeRow {
                            team: Team { id: r.get(0)?, name: r.get(1)? },
                            label: r.get(2)?,
                            device_expires: r.get(3)?,
                            expires: r.get(4)?,
                            used: r.get(5)?,
                        })
                    },
                )
                .optional()?;
            let row = match claim_check(row.as_ref(), now) {
                Ok(row) => row,
                Err(refused) => return Ok(Err(refused)),
            };
            tx.execute("UPDATE setup_codes SET used = ?2 WHERE hash = ?1", params![code_hash, now])?;
            insert_token(tx, row.team.id, &row.label, token, TokenKind::Device, row.device_expires, now)?;
            Ok(Ok(Claimed { team: row.team.clone(), label: row.label.clone() }))
        })
    }

    /// `DeviceStore::revoke_device`.
    pub(super) fn revoke_team_device(&self, team: &Team, prefix: &str, now: i64) -> Result<DeviceRevoked, StoreError> {
        self.write(|tx| {
            let mut stmt = tx.prepare(&format!(
                "SELECT tokens.hash, {INFO_COLUMNS} FROM tokens JOIN teams ON teams.id = tokens.team
                 WHERE tokens.team = ?1 AND tokens.prefix = ?2 AND tokens.kind <> 'admin'"
            ))?;
            let rows = stmt.query_map(params![team.id, prefix], |r| Ok((r.get::<_, Vec<u8>>(0)?, info(r, 1)?)))?.collect::<Result<Vec<_>, _>>()?;
            match rows.as_slice() {
                [] => Ok(DeviceRevoked::NotFound),
                [(hash, info)] => {
                    if info.revoked.is_none() {
                        tx.execute("UPDATE tokens SET revoked = ?1 WHERE hash = ?2", params![now, hash])?;
                    }
                    Ok(DeviceRevoked::Revoked(TokenInfo { revoked: Some(info.revoked.unwrap_or(now)), ..info.clone() }, info.revoked.is_some()))
                }
                several => Ok(DeviceRevoked::Ambiguous(several.len())),
            }
        })
    }

    /// Revokes the token given whole or by a prefix of at least
    /// `TOKEN_PREFIX_LEN` characters (as `list_tokens` shows). Refuses a
    /// prefix that matches several tokens. Returns the token and whether it
    /// was already revoked before.
    pub fn revoke_token(&self, token_or_prefix: &str) -> Result<(TokenInfo, bool), StoreError> {
        let given = revoke_argument(token_or_prefix)?;
        self.revoke_picked(&given, token_or_prefix.trim())
    }

    /// `revoke_token` for a checked argument.
    pub(super) fn revoke_picked(&self, given: &str, shown: &str) -> Result<(TokenInfo, bool), StoreError> {
        let now = now();
        self.write(|tx| {
            let candidates = candidates(tx, given)?;
            let (hash, info) = pick_token(given, shown, &candidates)?;
            if info.revoked.is_none() {
                tx.execute("UPDATE tokens SET revoked = ?1 WHERE hash = ?2", params![now, hash])?;
            }
            let already = info.revoked.is_some();
            Ok((TokenInfo { revoked: Some(info.revoked.unwrap_or(now)), ..info.clone() }, already))
        })
    }

    /// Whether at least one usable token exists.
    pub fn has_active_tokens(&self) -> Result<bool, StoreError> {
        self.with_conn(|conn| Ok(conn.query_row("SELECT EXISTS (SELECT 1 FROM tokens WHERE revoked IS NULL)", [], |r| r.get(0))?))
    }
}

/// The tokens `given` could mean: its hash, or its first characters as prefix.
fn candidates(tx: &Transaction<'_>, given: &str) -> Result<Vec<(Vec<u8>, TokenInfo)>, StoreError> {
    let mut stmt = tx.prepare(&format!(
        "SELECT tokens.hash, {INFO_COLUMNS} FROM tokens JOIN teams ON teams.id = tokens.team
         WHERE tokens.hash = ?1 OR tokens.prefix = substr(?2, 1, ?3)"
    ))?;
    let rows = stmt.query_map(params![token_hash(given), given, TOKEN_PREFIX_LEN as i64], |r| Ok((r.get::<_, Vec<u8>>(0)?, info(r, 1)?)))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Records `by` in its token's row, in `tx` (a write transaction).
pub(super) fn record_sync(tx: &Transaction<'_>, by: &SyncedBy) -> Result<(), StoreError> {
    tx.prepare_cached("UPDATE tokens SET last_used = ?2, last_sync = ?2, waiting = ?3 WHERE hash = ?1")?.execute(params![
        by.token,
        by.at,
        by.waiting_column()
    ])?;
    Ok(())
}

/// Inserts one token row.
fn insert_token(tx: &Transaction<'_>, team_id: i64, label: &str, new: &NewToken, kind: TokenKind, expires: Option<i64>, now: i64) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO tokens (hash, prefix, team, label, created, kind, expires) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![new.hash, new.prefix, team_id, label, now, kind.as_str(), expires],
    )?;
    Ok(())
}
