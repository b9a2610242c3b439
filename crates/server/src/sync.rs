//! `POST /api/sync`: the native sync protocol (`docs/sync-protocol.md`).
//!
//! The handler only translates: the token becomes a team ([`AuthTeam`]), the
//! body a `SyncRequest` ([`SyncBody`], checked with `validate_request`), the
//! store runs validation and merge from `xunfang_core` in one transaction,
//! and the `SyncResponse` (or an [`AppError`]) goes back as JSON.

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use xunfang_core::sync::{validate_request, SyncRequest};

use crate::store::Team;
use crate::{AppError, AppState};

/// The team of the request's `Authorization: Bearer <token>`.
#[derive(Debug, Clone)]
pub struct AuthTeam(pub Team);

/// Message for a request without a token.
pub const NO_TOKEN: &str =
    "the sync token is missing; enter the access token you were given in Settings";
/// Message for a token the server does not accept.
pub const BAD_TOKEN: &str = "the server refused the token (it is wrong or was revoked); check it in Settings or ask the administrator for a new one";

impl FromRequestParts<AppState> for AuthTeam {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let store = state.store()?.clone();
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
        if token.len() > 512 {
            return Err(AppError::Unauthorized(BAD_TOKEN));
        }
        let team = blocking(move || store.team_for_token(&token)).await?;
        team.map(AuthTeam).ok_or(AppError::Unauthorized(BAD_TOKEN))
    }
}

/// A `SyncRequest` read from a JSON body, with the envelope checked.
#[derive(Debug)]
pub struct SyncBody(pub SyncRequest);

impl<S: Send + Sync> FromRequest<S> for SyncBody {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        if !is_json(req.headers().get(header::CONTENT_TYPE)) {
            return Err(AppError::BadRequest(
                "the request must be JSON (Content-Type: application/json)".into(),
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::TooLarge
            } else {
                AppError::BadRequest(format!(
                    "the request body could not be read: {}",
                    e.body_text()
                ))
            }
        })?;
        let request: SyncRequest = serde_json::from_slice(&bytes).map_err(|e| {
            AppError::BadRequest(format!("the request is not a valid sync request: {e}"))
        })?;
        validate_request(&request).map_err(AppError::BadRequest)?;
        Ok(SyncBody(request))
    }
}

fn is_json(content_type: Option<&HeaderValue>) -> bool {
    let Some(mime) = content_type
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<mime_guess::Mime>().ok())
    else {
        return false;
    };
    mime.type_() == "application"
        && (mime.subtype() == "json" || mime.suffix().is_some_and(|s| s == "json"))
}

/// `POST /api/sync`.
pub async fn sync(
    State(state): State<AppState>,
    AuthTeam(team): AuthTeam,
    SyncBody(request): SyncBody,
) -> Result<impl IntoResponse, AppError> {
    let started = Instant::now();
    let store = state.store()?.clone();
    let (outcome, team, request) = blocking(move || {
        let outcome = store.sync(&team, &request)?;
        Ok((outcome, team, request))
    })
    .await?;
    let response = &outcome.response;
    tracing::info!(
        team = %team.name,
        device = ?request.device.chars().take(64).collect::<String>(),
        cursor_in = ?request.cursor,
        pushed = request.push.len(),
        accepted = response.accepted.len(),
        rejected = response.rejected.len(),
        written = outcome.written,
        pulled = response.docs.len(),
        cursor = response.cursor,
        more = response.more,
        duration_ms = started.elapsed().as_secs_f64() * 1000.0,
        "sync"
    );
    Ok((
        [(header::CACHE_CONTROL, "no-store")],
        Json(outcome.response),
    ))
}

/// Runs blocking database work off the async threads.
pub(crate) async fn blocking<R: Send + 'static>(
    f: impl FnOnce() -> Result<R, crate::StoreError> + Send + 'static,
) -> Result<R, AppError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AppError::Internal(format!("database task failed: {e}")))?
        .map_err(AppError::from)
}
