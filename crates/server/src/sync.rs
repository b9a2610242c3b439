//! `POST /api/sync`: the native sync protocol (`docs/sync-protocol.md`).
//!
//! The handler only translates: the token becomes a team ([`AuthTeam`]), the
//! body a `SyncRequest` ([`SyncBody`], checked with `validate_request`),
//! [`store::sync`] validates and merges by `xunfang_core`'s rules in one
//! transaction of the store (held to the server's byte cap and document
//! quota), and the `SyncResponse` (or an [`AppError`]) goes back as JSON.

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use serde_json::value::RawValue;
use xunfang_core::sync::{validate_envelope, SyncRequest};

use crate::auth::AuthTeam;
use crate::store::{self, unix_now, QuotaExceeded, SyncLimits, SyncedBy};
use crate::{AppError, AppState};

/// A `SyncRequest` read from a JSON body, with the envelope checked; its
/// pushed documents apart, each as the raw JSON text that came (`push` in the
/// request is left empty): each is read once, into core's types, by
/// `store::sync`, instead of into a `Value` tree first and written out again.
#[derive(Debug)]
pub struct SyncBody(pub SyncRequest, pub Vec<Box<RawValue>>);

/// The body as read: `push` taken as raw text, the rest as a `SyncRequest`.
#[derive(Deserialize)]
struct RawBody {
    #[serde(default)]
    push: Vec<Box<RawValue>>,
    #[serde(flatten)]
    envelope: SyncRequest,
}

impl<S: Send + Sync> FromRequest<S> for SyncBody {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        if !is_json(req.headers().get(header::CONTENT_TYPE)) {
            return Err(AppError::BadRequest("the request must be JSON (Content-Type: application/json)".into()));
        }
        // The transport's and the parser's words are logged, not sent: the
        // answer says what to do in a sentence.
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::TooLarge
            } else {
                tracing::info!(error = %e.body_text(), "sync request body could not be read");
                AppError::BadRequest(BODY_BROKE_OFF.into())
            }
        })?;
        let RawBody { push, envelope } = serde_json::from_slice(&bytes).map_err(|e| {
            tracing::info!(error = %e, "sync request is not a valid sync request");
            AppError::BadRequest(not_a_sync_request(e.classify(), &bytes))
        })?;
        validate_envelope(&envelope, push.len()).map_err(AppError::BadRequest)?;
        Ok(SyncBody(envelope, push))
    }
}

/// The answer to a body that broke off on the way.
pub const BODY_BROKE_OFF: &str = "the request did not arrive whole; nothing was stored, it will be sent again";
/// The answer to a body that is not a sync request: what kind of wrong, in
/// words (the parser's own message, with its positions, is logged).
fn not_a_sync_request(category: serde_json::error::Category, body: &[u8]) -> String {
    use serde_json::error::Category;
    let what = match category {
        Category::Io | Category::Eof => "it ends too early (was it cut off on the way?)".to_string(),
        Category::Syntax => "it is not well-formed JSON".to_string(),
        Category::Data => match misshapen_field(body) {
            Some(field) => format!("its field \"{field}\" is missing or not what docs/sync-protocol.md says"),
            None => "it is not a JSON object with the fields docs/sync-protocol.md gives".to_string(),
        },
    };
    format!("the request is not a valid sync request: {what}; update the app, or check that the sync address points at a Xunfang server")
}

/// The first envelope field of a JSON object that is absent or of the wrong
/// kind (the documents inside `push` are checked one by one later).
fn misshapen_field(body: &[u8]) -> Option<&'static str> {
    use serde_json::Value;
    let value: Value = serde_json::from_slice(body).ok()?;
    let object = value.as_object()?;
    let count = |v: Option<&Value>| v.is_none_or(|v| v.is_null() || v.is_u64());
    [
        ("protocol", object.get("protocol").is_some_and(|v| v.as_u64().is_some_and(|n| u32::try_from(n).is_ok()))),
        ("device", object.get("device").is_some_and(Value::is_string)),
        ("cursor", count(object.get("cursor"))),
        ("push", object.get("push").is_none_or(Value::is_array)),
        ("pull_limit", count(object.get("pull_limit"))),
        ("waiting", count(object.get("waiting"))),
        ("reads_format", count(object.get("reads_format"))),
    ]
    .into_iter()
    .find_map(|(field, ok)| (!ok).then_some(field))
}

fn is_json(content_type: Option<&HeaderValue>) -> bool {
    let Some(mime) = content_type.and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<mime_guess::Mime>().ok()) else {
        return false;
    };
    mime.type_() == "application" && (mime.subtype() == "json" || mime.suffix().is_some_and(|s| s == "json"))
}

/// `POST /api/sync`.
pub async fn sync(State(state): State<AppState>, AuthTeam(team, token): AuthTeam, SyncBody(request, push): SyncBody) -> Result<impl IntoResponse, AppError> {
    let started = Instant::now();
    let team_name = team.name.clone();
    let limits = state.limits();
    let limits = SyncLimits { max_pull_bytes: limits.max_pull_bytes, max_team_docs: limits.max_team_docs };
    let by = SyncedBy { token: token.0, at: unix_now(), waiting: request.waiting };
    let outcome = store::sync(state.store()?, team, &request, &push, limits, state.clock_bound(), by.clone()).await?.map_err(|QuotaExceeded(limit)| {
        tracing::warn!(team = %team_name, limit, "push refused: the team is at its document quota");
        AppError::DocQuota(limit)
    })?;
    // A push's transaction recorded it in the office's device list (and a
    // push refused at the quota, rolled back, is no sync to record). A pull's
    // read-only snapshot cannot write, so its record comes after the commit,
    // outside any transaction: it holds up none of the team's pushes.
    // The sync is committed: failing to note it is logged, not answered.
    if !outcome.recorded {
        if let Err(err) = state.store()?.token_synced(by).await {
            tracing::warn!(error = %err, "could not record the sync in the device list");
        }
    }
    let response = &outcome.response;
    state.metrics().synced(response.accepted.len(), response.rejected.len(), response.docs.len());
    tracing::info!(
        team = %team_name,
        device = ?request.device.chars().take(64).collect::<String>(),
        cursor_in = ?request.cursor,
        pushed = push.len(),
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
