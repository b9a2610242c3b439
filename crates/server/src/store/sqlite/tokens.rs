//! Access tokens in SQLite: made at random, stored only as their SHA-256,
//! listed and revoked by the `token` commands, looked up on every request.

use rusqlite::{params, OptionalExtension};
use sha2::{Digest, Sha256};
use xunfang_core::blob::hex;

use super::{now, SqliteStore};
use crate::store::{StoreError, Team};

/// How many characters of a token `token list` shows and `token revoke`
/// accepts as a prefix.
pub const TOKEN_PREFIX_LEN: usize = 8;

/// One row of `token list`.
#[derive(Clone, Debug)]
pub struct TokenInfo {
    pub prefix: String,
    pub team: String,
    pub label: String,
    /// Unix seconds.
    pub created: i64,
    /// Unix seconds, if revoked.
    pub revoked: Option<i64>,
}

/// SHA-256 of a token, as stored.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

impl SqliteStore {
    /// Makes a new random token for `team` (creating the team if needed) and
    /// returns it; only its hash is stored.
    pub fn create_token(&self, team: &str, label: &str) -> Result<String, StoreError> {
        let team = team.trim();
        if team.is_empty() {
            return Err(StoreError(
                "the team name is empty; pass --team NAME".into(),
            ));
        }
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|e| StoreError(format!("no random numbers from the system: {e}")))?;
        let token = hex(&bytes);
        let now = now();
        self.write(|tx| {
            tx.execute(
                "INSERT INTO teams (name, created) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING",
                params![team, now],
            )?;
            let team_id: i64 =
                tx.query_row("SELECT id FROM teams WHERE name = ?1", [team], |r| r.get(0))?;
            tx.execute(
                "INSERT INTO tokens (hash, prefix, team, label, created) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![token_hash(&token), &token[..TOKEN_PREFIX_LEN], team_id, label, now],
            )?;
            Ok(())
        })?;
        Ok(token)
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
                    |r| {
                        Ok(Team {
                            id: r.get(0)?,
                            name: r.get(1)?,
                        })
                    },
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
            let rows = stmt.query_map([], |r| {
                Ok(TokenInfo {
                    prefix: r.get(0)?,
                    team: r.get(1)?,
                    label: r.get(2)?,
                    created: r.get(3)?,
                    revoked: r.get(4)?,
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    /// Revokes the token given whole or by a prefix of at least
    /// `TOKEN_PREFIX_LEN` characters (as `list_tokens` shows). Refuses a
    /// prefix that matches several tokens. Returns the token and whether it
    /// was already revoked before.
    pub fn revoke_token(&self, token_or_prefix: &str) -> Result<(TokenInfo, bool), StoreError> {
        let given = token_or_prefix.trim().to_ascii_lowercase();
        if given.len() < TOKEN_PREFIX_LEN {
            return Err(StoreError(format!(
                "give the whole token or at least its first {TOKEN_PREFIX_LEN} characters (see `xunfang-server token list`)"
            )));
        }
        let now = now();
        self.write(|tx| {
            let mut stmt = tx.prepare(
                "SELECT tokens.hash, tokens.prefix, teams.name, tokens.label, tokens.created, tokens.revoked
                 FROM tokens JOIN teams ON teams.id = tokens.team
                 WHERE tokens.hash = ?1 OR tokens.prefix = substr(?2, 1, ?3)",
            )?;
            let candidates = stmt
                .query_map(params![token_hash(&given), given, TOKEN_PREFIX_LEN as i64], |r| {
                    Ok((
                        r.get::<_, Vec<u8>>(0)?,
                        TokenInfo {
                            prefix: r.get(1)?,
                            team: r.get(2)?,
                            label: r.get(3)?,
                            created: r.get(4)?,
                            revoked: r.get(5)?,
                        },
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            // A whole token matches by hash; a prefix must match the stored
            // prefix and be no longer than it (longer = a whole-token guess).
            let exact: Vec<_> = candidates
                .iter()
                .filter(|(hash, _)| *hash == token_hash(&given))
                .collect();
            let matches: Vec<_> = if !exact.is_empty() {
                exact
            } else if given.len() == TOKEN_PREFIX_LEN {
                candidates.iter().collect()
            } else {
                Vec::new()
            };
            match matches.as_slice() {
                [] => Err(StoreError(format!(
                    "no token matches \"{}\" (see `xunfang-server token list`)",
                    token_or_prefix.trim()
                ))),
                [(hash, info)] => {
                    if info.revoked.is_none() {
                        tx.execute("UPDATE tokens SET revoked = ?1 WHERE hash = ?2", params![now, hash])?;
                    }
                    let already = info.revoked.is_some();
                    Ok((TokenInfo { revoked: Some(info.revoked.unwrap_or(now)), ..info.clone() }, already))
                }
                several => Err(StoreError(format!(
                    "{} tokens start with \"{given}\"; give the whole token to revoke one",
                    several.len()
                ))),
            }
        })
    }

    /// Whether at least one usable token exists.
    pub fn has_active_tokens(&self) -> Result<bool, StoreError> {
        self.with_conn(|conn| {
            Ok(conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM tokens WHERE revoked IS NULL)",
                [],
                |r| r.get(0),
            )?)
        })
    }
}
