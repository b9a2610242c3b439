//! Access tokens in PostgreSQL: the rows behind the `token` commands and the
//! lookup every request makes. How tokens are made and which one a prefix
//! means are `store::tokens`' rules.

use tokio_postgres::Row;

use super::PgStore;
use crate::store::tokens::{pick_token, token_hash, NewToken, TokenInfo};
use crate::store::{now, StoreError, Team, TOKEN_PREFIX_LEN};

impl PgStore {
    /// Stores `new` for `team`, creating the team if needed.
    pub(super) async fn add_token_row(&self, team: &str, label: &str, new: &NewToken) -> Result<(), StoreError> {
        let now = now();
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        tx.execute("INSERT INTO teams (name, created) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING", &[&team, &now]).await?;
        let team_id: i64 = tx.query_one("SELECT id FROM teams WHERE name = $1", &[&team]).await?.get(0);
        tx.execute("INSERT INTO tokens (hash, prefix, team, label, created) VALUES ($1, $2, $3, $4, $5)", &[&new.hash, &new.prefix, &team_id, &label, &now])
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The team of a valid (known, not revoked) token.
    pub(super) async fn find_team(&self, token: &str) -> Result<Option<Team>, StoreError> {
        let hash = token_hash(token.trim());
        let client = self.client().await?;
        let stmt = client
            .prepare_cached("SELECT teams.id, teams.name FROM tokens JOIN teams ON teams.id = tokens.team WHERE tokens.hash = $1 AND tokens.revoked IS NULL")
            .await?;
        Ok(client.query_opt(&stmt, &[&hash]).await?.map(|r| Team { id: r.get(0), name: r.get(1) }))
    }

    /// All tokens, oldest first.
    pub(super) async fn token_rows(&self) -> Result<Vec<TokenInfo>, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT tokens.prefix, teams.name, tokens.label, tokens.created, tokens.revoked
                 FROM tokens JOIN teams ON teams.id = tokens.team ORDER BY tokens.created, tokens.n",
                &[],
            )
            .await?;
        Ok(rows.iter().map(|r| info(r, 0)).collect())
    }

    /// `AdminStore::revoke_token` for a checked argument, in one transaction
    /// (the candidates locked until it commits).
    pub(super) async fn revoke_picked(&self, given: &str, shown: &str) -> Result<(TokenInfo, bool), StoreError> {
        let now = now();
        let prefix: String = given.chars().take(TOKEN_PREFIX_LEN).collect();
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let rows = tx
            .query(
                "SELECT tokens.hash, tokens.prefix, teams.name, tokens.label, tokens.created, tokens.revoked
                 FROM tokens JOIN teams ON teams.id = tokens.team
                 WHERE tokens.hash = $1 OR tokens.prefix = $2 FOR UPDATE OF tokens",
                &[&token_hash(given), &prefix],
            )
            .await?;
        let candidates: Vec<(Vec<u8>, TokenInfo)> = rows.iter().map(|r| (r.get(0), info(r, 1))).collect();
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

/// A token's row, its columns from `at`: prefix, team, label, created, revoked.
fn info(r: &Row, at: usize) -> TokenInfo {
    TokenInfo { prefix: r.get(at), team: r.get(at + 1), label: r.get(at + 2), created: r.get(at + 3), revoked: r.get(at + 4) }
}
