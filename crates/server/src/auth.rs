//! Who is asking: the team of the request's `Authorization: Bearer <token>`,
//! as an extractor ([`AuthTeam`]) for every route that touches team data;
//! it also takes the request from the token's rate ([`crate::limits`]).

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

use crate::store::Team;
use crate::{AppError, AppState};

/// The team of the request's `Authorization: Bearer <token>`.
#[derive(Debug, Clone)]
pub struct AuthTeam(pub Team);

/// Message for a request without a token.
pub const NO_TOKEN: &str = "the sync token is missing; enter the access token you were given in Settings";
/// Message for a token the server does not accept.
pub const BAD_TOKEN: &str = "the server refused the token (it is wrong or was revoked); check it in Settings or ask the administrator for a new one";

/// Longer "tokens" are refused unread: no database work for junk.
const MAX_TOKEN_LEN: usize = 512;

impl FromRequestParts<AppState> for AuthTeam {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let store = state.store()?;
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .and_then(|v| {
                let (scheme, token) = v.split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
            })
            .filter(|t| !t.is_empty())
            .ok_or(AppError::Unauthorized(NO_TOKEN))?
            .to_string();
        if token.len() > MAX_TOKEN_LEN {
            return Err(AppError::Unauthorized(BAD_TOKEN));
        }
        // The rate is counted for accepted tokens only, so junk cannot grow
        // the limiter's table (the concurrency gate bounds junk instead).
        let team = store.team_for_token(token.clone()).await?.ok_or(AppError::Unauthorized(BAD_TOKEN))?;
        state.rate().check(&token)?;
        Ok(AuthTeam(team))
    }
}
