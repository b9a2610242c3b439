//! `POST /api/sync`: the native sync protocol (`docs/sync-protocol.md`).
//!
//! The handler only translates: the token becomes a team ([`AuthTeam`]), the
//! body a `SyncRequest` ([`SyncBody`], checked with `validate_request`),
//! [`store::sync`] validates and merges by `xunfang_core`'s rules in one
//! transaction of the store, and the `SyncResponse` (or an [`AppError`])
//! goes back as JSON.

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use xunfang_core::sync::{validate_request, SyncRequest};

use crate::auth::AuthTeam;
use crate::store;
use crate::{AppError, AppState};

/// A `SyncRequest` read from a JSON body, with the envelope checked.
#[derive(Debug)]
pub struct SyncBody(pub SyncRequest);

impl<S: Send + Sync> FromRequest<S> for SyncBody {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        if !is_json(req.headers().get(header::CONTENT_TYPE)) {
            return Err(AppError::BadRequest("the request must be JSON (Content-Type: application/json)".into()));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::TooLarge
            } else {
                AppError::BadRequest(format!("the request body could not be read: {}", e.body_text()))
            }
        })?;
        let request: SyncRequest = serde_json::from_slice(&bytes).map_err(|e| AppError::BadRequest(format!("the request is not a valid sync request: {e}")))?;
        validate_request(&request).map_err(AppError::BadRequest)?;
        Ok(SyncBody(request))
    }
}

fn is_json(content_type: Option<&HeaderValue>) -> bool {
    let Some(mime) = content_type.and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<mime_guess::Mime>().ok()) else {
        return false;
    };
    mime.type_() == "application" && (mime.subtype() == "json" || mime.suffix().is_some_and(|s| s == "json"))
}

/// `POST /api/sync`.
pub async fn sync(State(state): State<AppState>, AuthTeam(team): AuthTeam, SyncBody(request): SyncBody) -> Result<impl IntoResponse, AppError> {
    let started = Instant::now();
    let team_name = team.name.clone();
    let outcome = store::sync(state.store()?, team, &request, state.clock_bound()).await?;
    let response = &outcome.response;
    tracing::info!(
        team = %team_name,
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
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(outcome.response)))
}
