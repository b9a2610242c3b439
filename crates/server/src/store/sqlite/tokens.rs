//! Access tokens in SQLite: the rows behind the `token` commands and the
//! lookup every request makes. How tokens are made and which one a prefix
//! means are `store::tokens`' rules.

use rusqlite::{params, OptionalExtension, Transaction};

use super::{now, SqliteStore};
use crate::store::tokens::{new_token, pick_token, revoke_argument, token_hash, NewToken, TokenInfo};
use crate::store::{StoreError, Team, TOKEN_PREFIX_LEN};

impl SqliteStore {
    /// Makes a new random token for `team` (creating the team if needed) and
    /// returns it; only its hash is stored.
    pub fn create_token(&self, team: &str, label: &str) -> Result<String, StoreError> {
        let (team, new) = new_token(team)?;
        self.add_token_row(&team, label, &new)?;
        Ok(new.token)
    }

    /// Stores `new` for `team`, creating the team if needed.
    pub(super) fn add_token_row(&self, team: &str, label: &str, new: &NewToken) -> Result<(), StoreError> {
        let now = now();
        self.write(|tx| {
            tx.execute("INSERT INTO teams (name, created) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING", params![team, now])?;
            let team_id: i64 = tx.query_row("SELECT id FROM teams WHERE name = ?1", [team], |r| r.get(0))?;
            tx.execute(
                "INSERT INTO tokens (hash, prefix, team, label, created) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![new.hash, new.prefix, team_id, label, now],
            )?;
            Ok(())
        })
    }

    /// The team of a valid (known, not revoked) token.
    pub fn team_for_token(&self, token: &str) -> Result<Option<Team>, StoreError> {
        let hash = token_hash(token.trim());
        self.with_conn(|conn| {
            Ok(conn
                .query_row(
                    "SELECT teams.id, teams.name FROM tokens JOIN teams ON teams.id = tokens.team
                     WHERE tokens.hash = ?1 AND tokens.revoked IS NULL",
                    [hash],
                    |r| Ok(Team { id: r.get(0)?, name: r.get(1)? }),
                )
                .optional()?)
        })
    }

    /// All tokens, oldest first.
    pub fn list_tokens(&self) -> Result<Vec<TokenInfo>, StoreError> {
        self.with_conn(|conn| {
            let mut stmt = conn.prepare(
                "SELECT tokens.prefix, teams.name, tokens.label, tokens.created, tokens.revoked
                 FROM tokens JOIN teams ON teams.id = tokens.team
                 ORDER BY tokens.created, tokens.rowid",
            )?;
            let rows =
                stmt.query_map([], |r| Ok(TokenInfo { prefix: r.get(0)?, team: r.get(1)?, label: r.get(2)?, created: r.get(3)?, revoked: r.get(4)? }))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
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
    let mut stmt = tx.prepare(
        "SELECT tokens.hash, tokens.prefix, teams.name, tokens.label, tokens.created, tokens.revoked
         FROM tokens JOIN teams ON teams.id = tokens.team
         WHERE tokens.hash = ?1 OR tokens.prefix = substr(?2, 1, ?3)",
    )?;
    let rows = stmt.query_map(params![token_hash(given), given, TOKEN_PREFIX_LEN as i64], |r| {
        Ok((r.get::<_, Vec<u8>>(0)?, TokenInfo { prefix: r.get(1)?, team: r.get(2)?, label: r.get(3)?, created: r.get(4)?, revoked: r.get(5)? }))
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}
