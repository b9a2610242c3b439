//! Who is asking: the token of the request's `Authorization: Bearer <token>`,
//! as extractors — [`AuthTeam`] for every route that touches team data (team
//! and device tokens), [`AuthAdmin`] for the devices API (admin tokens); what
//! each kind may do is `store::tokens::access`. Sync routes also take the
//! request from the token's rate ([`crate::limits`]) and record its use.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

use crate::store::tokens::token_hash;
use crate::store::{unix_now, Access, Team};
use crate::{AppError, AppState};

/// The SHA-256 of the token a request came with (as stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenHash(pub Vec<u8>);

/// The team of the request's `Authorization: Bearer <token>`, for a token
/// that may sync, and that token's hash.
#[derive(Debug, Clone)]
pub struct AuthTeam(pub Team, pub TokenHash);

/// The team whose devices the request's admin token manages.
#[derive(Debug, Clone)]
pub struct AuthAdmin(pub Team);

/// Message for a request without a token.
pub const NO_TOKEN: &str = "the sync token is missing; enter the access token you were given in Settings";
/// Message for a token the server does not accept.
pub const BAD_TOKEN: &str = "the server refused the token (it is wrong or was revoked); check it in Settings or ask the administrator for a new one";
/// Message for a token past its expiry.
pub const EXPIRED_TOKEN: &str = "this device's access has expired; ask the office for a new set-up link (the records on this device stay on it)";
/// Message for an admin token used to sync.
pub const ADMIN_NOT_SYNC: &str =
    "this is an admin token: it manages the team's devices on the office screen and does not sync records; set up the tablet with a set-up link instead";
/// Message for a sync token used on the office screen.
pub const NOT_ADMIN: &str =
    "this token cannot manage devices; on the office computer, enter an admin token (`xunfang-server token create --admin --team NAME`)";

/// Longer "tokens" are refused unread: no database work for junk.
const MAX_TOKEN_LEN: usize = 512;

/// The request's bearer token, as given (trimmed); refused when absent or
/// too long to be one.
fn bearer(parts: &Parts) -> Result<String, AppError> {
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
        .ok_or(AppError::Unauthorized(NO_TOKEN))?;
    if token.len() > MAX_TOKEN_LEN {
        return Err(AppError::Unauthorized(BAD_TOKEN));
    }
    Ok(token.to_string())
}

/// The team the request's token grants `admin` (managing devices) or sync
/// rights for, and its hash; otherwise the refusal that says why.
async fn grant(parts: &Parts, state: &AppState, admin: bool) -> Result<(Team, TokenHash), AppError> {
    let store = state.store()?;
    let token = bearer(parts)?;
    let hash = TokenHash(token_hash(&token));
    let row = store.find_token(hash.0.clone()).await?;
    let team = match (crate::store::tokens::access(row.as_ref(), unix_now()), admin) {
        (Access::Sync(team), false) | (Access::Admin(team), true) => team,
        (Access::Withdrawn, _) => return Err(AppError::Withdrawn),
        (Access::Expired, _) => return Err(AppError::Unauthorized(EXPIRED_TOKEN)),
        (Access::Admin(_), false) => return Err(AppError::Forbidden(ADMIN_NOT_SYNC)),
        (Access::Sync(_), true) => return Err(AppError::Forbidden(NOT_ADMIN)),
        (Access::Unknown, _) => return Err(AppError::Unauthorized(BAD_TOKEN)),
    };
    // The rate is counted for accepted tokens only, so junk cannot grow
    // the limiter's table (the concurrency gate bounds junk instead).
    state.rate().check(&token)?;
    // A failure to note the use is logged: the request goes on.
    if let Err(err) = store.token_used(hash.0.clone(), unix_now()).await {
        tracing::warn!(error = %err, "could not record a token's use");
    }
    Ok((team, hash))
}

impl FromRequestParts<AppState> for AuthTeam {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        grant(parts, state, false).await.map(|(team, hash)| AuthTeam(team, hash))
    }
}

impl FromRequestParts<AppState> for AuthAdmin {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        grant(parts, state, true).await.map(|(team, _)| AuthAdmin(team))
    }
}
