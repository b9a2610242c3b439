//! `HEAD`/`GET`/`PUT /api/blobs/<sha256>`: photos, content-addressed, per
//! team (`docs/sync-protocol.md`, "Photos (blobs)").
//!
//! A photo's name is the SHA-256 of its bytes (64 lowercase hex digits). The
//! server recomputes it on upload and refuses bytes that do not match, so a
//! stored blob is always exactly what the device hashed.
//!
//! Storage: the store seam ([`crate::store::SyncStore`]), one blob per team
//! and hash. An upload is read whole into memory (at most `--max-blob-bytes`,
//! 8 MiB by default), checked, then written in one transaction: an upload
//! that breaks off midway stores nothing, and the client sends the whole
//! photo again. Teams are isolated exactly as for documents: the same photo
//! in two teams is two blobs.

use std::time::Instant;

use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use http_body_util::BodyExt;
use serde_json::json;
use sha2::{Digest, Sha256};
use xunfang_core::BlobHash;

use crate::auth::AuthTeam;
use crate::store::{BlobMeta, NewBlob, QuotaExceeded};
use crate::{AppError, AppState};

/// Default for `--max-blob-bytes`: 8 MiB. Photos are about 1 MB after the
/// app shrinks them.
pub const DEFAULT_MAX_BLOB_BYTES: usize = 8 * 1024 * 1024;

/// `Cache-Control` of a photo: its name is its content, so it never
/// changes; `private` because it is only for the team that may read it.
pub const BLOB_CACHE: &str = "private, max-age=31536000, immutable";

/// `Content-Type` stored for an upload that does not say.
pub const DEFAULT_BLOB_TYPE: &str = "image/jpeg";

/// Marks a response the compression layer must leave alone.
#[derive(Debug, Clone, Copy)]
pub struct Uncompressed;

/// The `<sha256>` of `/api/blobs/<sha256>`, checked: any other last segment
/// is a 400 that says what a photo's address looks like.
#[derive(Debug, Clone)]
pub struct PhotoHash(pub BlobHash);

impl<S: Send + Sync> FromRequestParts<S> for PhotoHash {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        let raw = parts.uri.path().rsplit('/').next().unwrap_or_default();
        BlobHash::parse(raw).map(PhotoHash).ok_or_else(|| AppError::BadBlobHash(raw.chars().take(80).collect()))
    }
}

/// Headers a stored photo is answered with (`GET`, and `HEAD` alike).
fn blob_headers(hash: &BlobHash, meta: &BlobMeta) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_str(&meta.content_type).unwrap_or(HeaderValue::from_static(DEFAULT_BLOB_TYPE)));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(meta.size));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(BLOB_CACHE));
    headers.insert(header::ETAG, HeaderValue::from_str(&format!("\"{hash}\"")).expect("hex is a valid header"));
    // Served as the picture it claims to be, never sniffed as a page; an
    // SVG opened directly runs no scripts.
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; sandbox"));
    headers
}

/// Whether `If-None-Match` names this blob (or `*`).
fn not_modified(request: &HeaderMap, hash: &BlobHash) -> bool {
    request
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/").trim_matches('"'))
        .any(|tag| tag == "*" || tag == hash.as_str())
}

fn with_headers(status: StatusCode, headers: HeaderMap, body: Body) -> Response {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response.extensions_mut().insert(Uncompressed);
    response
}

/// `HEAD /api/blobs/<sha256>`: 200 with the photo's headers
/// (`Content-Length` = its size) if the team has it, else 404.
pub async fn head_blob(State(state): State<AppState>, AuthTeam(team, _): AuthTeam, PhotoHash(hash): PhotoHash) -> Result<Response, AppError> {
    let meta = state.store()?.blob_meta(team, hash.clone()).await?.ok_or(AppError::BlobNotFound)?;
    Ok(with_headers(StatusCode::OK, blob_headers(&hash, &meta), Body::empty()))
}

/// `GET /api/blobs/<sha256>`: the photo as uploaded, if the team has it.
pub async fn get_blob(
    State(state): State<AppState>,
    AuthTeam(team, _): AuthTeam,
    PhotoHash(hash): PhotoHash,
    request_headers: HeaderMap,
) -> Result<Response, AppError> {
    let store = state.store()?;
    if not_modified(&request_headers, &hash) {
        let meta = store.blob_meta(team, hash.clone()).await?.ok_or(AppError::BlobNotFound)?;
        let mut headers = blob_headers(&hash, &meta);
        headers.remove(header::CONTENT_LENGTH);
        headers.remove(header::CONTENT_TYPE);
        return Ok(with_headers(StatusCode::NOT_MODIFIED, headers, Body::empty()));
    }
    let blob = store.blob(team, hash.clone()).await?.ok_or(AppError::BlobNotFound)?;
    let meta = BlobMeta { size: blob.data.len() as u64, content_type: blob.content_type };
    Ok(with_headers(StatusCode::OK, blob_headers(&hash, &meta), Body::from(blob.data)))
}

/// The type a photo is stored with: that of the upload, if it is a picture
/// or `application/octet-stream`; `image/jpeg` if the upload names none.
fn upload_type(headers: &HeaderMap) -> Result<String, AppError> {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Ok(DEFAULT_BLOB_TYPE.to_string());
    };
    let refuse = |shown: &str| AppError::UnsupportedMediaType(shown.to_string());
    let text = value.to_str().map_err(|_| refuse("?"))?;
    let shown: String = text.chars().take(80).collect();
    let mime: mime_guess::Mime = text.parse().map_err(|_| refuse(&shown))?;
    let essence = mime.essence_str().to_ascii_lowercase();
    let ok = (mime.type_() == mime_guess::mime::IMAGE || essence == "application/octet-stream") && essence.len() <= 100;
    if ok {
        Ok(essence)
    } else {
        Err(refuse(&shown))
    }
}

/// `PUT /api/blobs/<sha256>`: stores the body as the team's photo `<sha256>`
/// after checking that it is the SHA-256 of the body. 201 `{"stored": true,
/// "bytes": n}` when new, 200 `{"stored": false}` when the team already had
/// it (nothing is rewritten).
pub async fn put_blob(State(state): State<AppState>, AuthTeam(team, _): AuthTeam, PhotoHash(hash): PhotoHash, request: Request) -> Result<Response, AppError> {
    let started = Instant::now();
    let store = state.store()?;
    let content_type = upload_type(request.headers())?;
    let limit = state.max_blob_bytes();
    let declared = request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(AppError::BlobTooLarge(limit));
    }

    // Read and hash the whole body before touching the database: a body
    // that breaks off, or grows past the limit, stores nothing.
    let mut body = request.into_body();
    let mut data = Vec::with_capacity(declared.unwrap_or(0).min(limit as u64) as usize);
    let mut hasher = Sha256::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|err| {
            tracing::info!(team = %team.name, hash = hash.short(), received = data.len(), error = %err, "blob upload broke off; nothing stored");
            AppError::BlobBrokeOff
        })?;
        if let Ok(chunk) = frame.into_data() {
            if data.len() + chunk.len() > limit {
                return Err(AppError::BlobTooLarge(limit));
            }
            hasher.update(&chunk);
            data.extend_from_slice(&chunk);
        }
    }
    let got = BlobHash::of_digest(&hasher.finalize()).expect("SHA-256 digests are 32 bytes");
    if got != hash {
        tracing::warn!(team = %team.name, expected = %hash, got = %got, bytes = data.len(), "blob upload refused: content does not match its hash");
        return Err(AppError::BlobDamaged { expected: hash.to_string(), got: got.to_string() });
    }

    let bytes = data.len();
    let team_name = team.name.clone();
    let blob = NewBlob { hash: hash.clone(), content_type, data };
    let quota = state.limits().max_team_photo_bytes;
    let put = store.put_blob(team, blob, quota).await?.map_err(|QuotaExceeded(limit)| {
        tracing::warn!(team = %team_name, hash = hash.short(), bytes, limit, "blob upload refused: the team is at its photo quota");
        AppError::PhotoQuota(limit)
    })?;
    tracing::info!(
        team = %team_name,
        hash = hash.short(),
        bytes,
        stored = put.stored,
        outcome = if put.stored { "stored" } else { "already present" },
        team_blobs = put.team_count,
        team_bytes = put.team_bytes,
        duration_ms = started.elapsed().as_secs_f64() * 1000.0,
        "blob upload"
    );
    let no_store = [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))];
    Ok(if put.stored {
        (
            StatusCode::CREATED,
            no_store,
            [(header::LOCATION, HeaderValue::from_str(&format!("/api/blobs/{hash}")).expect("hex is a valid header"))],
            Json(json!({"stored": true, "bytes": bytes})),
        )
            .into_response()
    } else {
        (StatusCode::OK, no_store, Json(json!({"stored": false}))).into_response()
    })
}

/// Any other method on `/api/blobs/<sha256>`.
pub async fn method_not_allowed() -> AppError {
    AppError::BlobMethodNotAllowed
}

/// `8 MiB`, `500 KiB`, `1234 bytes`.
pub fn human_bytes(n: usize) -> String {
    const KIB: usize = 1024;
    const MIB: usize = 1024 * 1024;
    if n >= MIB && n / MIB * MIB == n {
        format!("{} MiB", n / MIB)
    } else if n >= KIB && n / KIB * KIB == n {
        format!("{} KiB", n / KIB)
    } else {
        format!("{n} bytes")
    }
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn sizes_read_well() {
        assert_eq!(human_bytes(8 * 1024 * 1024), "8 MiB");
        assert_eq!(human_bytes(512 * 1024), "512 KiB");
        assert_eq!(human_bytes(1000), "1000 bytes");
    }

    #[test]
    fn if_none_match() {
        let h = BlobHash::parse(&"a".repeat(64)).unwrap();
        let mut req = HeaderMap::new();
        assert!(!not_modified(&req, &h));
        req.insert(header::IF_NONE_MATCH, HeaderValue::from_str(&format!("\"x\", W/\"{h}\"")).unwrap());
        assert!(not_modified(&req, &h));
    }
}
