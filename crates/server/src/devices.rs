//! The devices API: an office's admin token lists the team's tablets, adds
//! one (a single-use set-up code, shown once) and revokes one; a tablet
//! claims a code for its own device token. Rules live in `store::tokens`.
//!
//! * `GET /api/devices` (admin): `{"team", "devices": [Device…]}`;
//! * `POST /api/devices` (admin) `{"label", "expires"?}`: 201
//!   `{"code", "link", "code_expires", "label"}`; `link` is relative to the
//!   app's address and carries the code in the fragment (`/#setup=<code>`),
//!   which browsers send to no server and put in no `Referer`;
//! * `POST /api/devices/{id}/revoke` (admin): `{"device": Device}`;
//! * `POST /api/devices/claim` `{"code"}` (no token: the code is the
//!   secret): `{"token", "team", "label"}`, once per code;
//! * `GET /api/whoami` (a sync token: team or device): `{"team": {"id",
//!   "name"}}`, so a tablet knows which team a token is of before it sends
//!   anything with it (`xunfang_core::team_switch`).
//!
//! Times are Unix seconds; the messages are `xunfang_core::devices`'. See
//! docs/sync-protocol.md.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde::de::DeserializeOwned;
use xunfang_core::devices::{is_secret, AddDevice, Claim, ClaimedToken, Device, DeviceList, SetupLink, SETUP_KEY};
use xunfang_core::team_switch::{TeamRef, WhoAmI};

use crate::auth::{AuthAdmin, AuthTeam};
use crate::store::tokens::{fresh_token, is_prefix, new_setup_code, token_hash};
use crate::store::{unix_now, DeviceRevoked, TokenInfo, TokenKind};
use crate::{AppError, AppState};

/// The largest body these routes read (a label and a date, or a code).
pub const MAX_BODY_BYTES: usize = 4096;

impl From<TokenInfo> for Device {
    fn from(t: TokenInfo) -> Device {
        Device {
            id: t.prefix,
            label: t.label,
            kind: t.kind.map_or("unknown", TokenKind::as_str).to_string(),
            created: t.created,
            last_used: t.last_used,
            last_sync: t.last_sync,
            waiting: t.waiting,
            expires: t.expires,
            revoked: t.revoked,
        }
    }
}

/// `GET /api/devices`.
pub async fn list(State(state): State<AppState>, AuthAdmin(team): AuthAdmin) -> Result<impl IntoResponse, AppError> {
    let name = team.name.clone();
    let devices = state.store()?.team_devices(team).await?.into_iter().map(Device::from).collect();
    Ok(no_store(Json(DeviceList { team: name, devices })))
}

/// `POST /api/devices`.
pub async fn add(State(state): State<AppState>, AuthAdmin(team): AuthAdmin, body: Result<Bytes, BytesRejection>) -> Result<impl IntoResponse, AppError> {
    let AddDevice { label, expires } = read_body(&body, "{\"label\": \"tablet 3\", \"expires\": null}")?;
    let code = new_setup_code(&label, expires, unix_now()).map_err(AppError::BadRequest)?;
    let answer = SetupLink { link: format!("/#{SETUP_KEY}={}", code.code), code: code.code.clone(), code_expires: code.expires, label: code.label.clone() };
    tracing::info!(team = %team.name, label = %answer.label, "set-up code issued");
    state.store()?.add_setup_code(team, code).await?;
    Ok((StatusCode::CREATED, no_store(Json(answer))))
}

/// `POST /api/devices/{id}/revoke`.
pub async fn revoke(State(state): State<AppState>, AuthAdmin(team): AuthAdmin, Path(id): Path<String>) -> Result<impl IntoResponse, AppError> {
    if !is_prefix(&id) {
        return Err(AppError::BadRequest("a device is named by the 8 characters of its id in the list (0-9, a-f)".into()));
    }
    let team_name = team.name.clone();
    match state.store()?.revoke_device(team, id, unix_now()).await? {
        DeviceRevoked::Revoked(info, already) => {
            tracing::info!(team = %team_name, device = %info.prefix, already, "device revoked");
            Ok(no_store(Json(serde_json::json!({ "device": Device::from(info) }))))
        }
        DeviceRevoked::NotFound => Err(AppError::BadRequest("your team has no device with this id; reload the list".into())),
        DeviceRevoked::Ambiguous(n) => Err(AppError::BadRequest(format!(
            "{n} of your team's tokens start with these characters; revoke the right one with `xunfang-server token revoke <whole token>`"
        ))),
    }
}

/// `POST /api/devices/claim`.
pub async fn claim(State(state): State<AppState>, body: Result<Bytes, BytesRejection>) -> Result<impl IntoResponse, AppError> {
    let Claim { code } = read_body(&body, "{\"code\": \"<the code of the set-up link>\"}")?;
    let code = code.trim();
    // A code is 64 lowercase hex digits; anything else is refused unread.
    if !is_secret(code) {
        return Err(AppError::SetupCode(crate::store::ClaimRefused::Unknown));
    }
    let store = state.store()?;
    let token = fresh_token()?;
    let secret = token.token.clone();
    let claimed = store.claim_setup_code(token_hash(code), token, unix_now()).await?.map_err(AppError::SetupCode)?;
    tracing::info!(team = %claimed.team.name, label = %claimed.label, "set-up code claimed");
    Ok(no_store(Json(ClaimedToken { token: secret, team: claimed.team.name, label: claimed.label })))
}

/// `GET /api/whoami`.
pub async fn whoami(AuthTeam(team, _): AuthTeam) -> impl IntoResponse {
    no_store(Json(WhoAmI { team: TeamRef { id: team.id, name: team.name } }))
}

/// A JSON body of these routes; `example` shows what is expected.
fn read_body<T: DeserializeOwned>(body: &Result<Bytes, BytesRejection>, example: &str) -> Result<T, AppError> {
    let body = body.as_ref().map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::BadRequest(format!("the request is longer than these requests can be ({MAX_BODY_BYTES} bytes); shorten the name"))
        } else {
            AppError::BadRequest(crate::sync::BODY_BROKE_OFF.into())
        }
    })?;
    serde_json::from_slice(body).map_err(|e| {
        tracing::info!(error = %e, "devices request is not what the route reads");
        AppError::BadRequest(format!("the request must be a JSON object like {example}"))
    })
}

fn no_store(body: impl IntoResponse) -> impl IntoResponse {
    ([(header::CACHE_CONTROL, "no-store")], body)
}
