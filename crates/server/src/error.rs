//! Every way a request can fail, as one enum: each variant maps to its
//! status, its message for a person and its headers here, and nowhere else.
//!
//! Answers are `{"error": "<message>"}` (`xunfang_core::sync::ErrorBody`),
//! never cached. Database and internal failures are logged in full and
//! answered with a general message: their detail is for the administrator.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use xunfang_core::sync::{ErrorBody, MAX_REQUEST_BYTES, REASON_WITHDRAWN};

use crate::blobs::human_bytes;
use crate::store::StoreError;

/// Everything that can go wrong while answering a request.
#[derive(Debug)]
pub enum AppError {
    /// No such file (or an unknown API route).
    NotFound,
    /// A path with `..`, a drive prefix or similar.
    BadPath,
    /// Only GET and HEAD are served for static files.
    MethodNotAllowed,
    /// Photos take GET, HEAD and PUT only.
    BlobMethodNotAllowed,
    /// `dist/index.html` is missing: the app has not been built.
    NotBuilt,
    /// Unexpected I/O trouble.
    Io(std::io::Error),
    /// No token, or one the server does not know (or revoked).
    Unauthorized(&'static str),
    /// A device token the office revoked (the tablet words it itself,
    /// by `reason`).
    Withdrawn,
    /// A valid token of the wrong kind for the route (admin / sync).
    Forbidden(&'static str),
    /// A set-up code that cannot be claimed.
    SetupCode(crate::store::ClaimRefused),
    /// A request the server cannot read (not JSON, wrong shape, protocol).
    BadRequest(String),
    /// A photo address that does not end in a SHA-256 (what it ended in).
    BadBlobHash(String),
    /// A photo whose bytes do not hash to its name.
    BlobDamaged { expected: String, got: String },
    /// A photo upload that broke off (the transport's reason is logged).
    BlobBrokeOff,
    /// The body is over `MAX_REQUEST_BYTES`.
    TooLarge,
    /// A photo over the server's blob limit (the limit, in bytes).
    BlobTooLarge(usize),
    /// A photo upload with a `Content-Type` that is not a picture (as sent).
    UnsupportedMediaType(String),
    /// The team has no blob with this hash.
    BlobNotFound,
    /// The server runs without a sync database.
    SyncDisabled,
    /// The database failed.
    Store(StoreError),
    /// The database cannot serve now (connection lost, no free connection,
    /// a lock waited too long); nothing was committed, the client retries.
    StoreUnavailable(StoreError),
    /// The token made more requests than the server allows; it may try
    /// again after this many seconds (`Retry-After`).
    TooManyRequests { retry_after_secs: u64 },
    /// No request slot freed up before the request's deadline.
    Busy,
    /// The request was not answered within the server's deadline.
    TimedOut,
    /// A push would take the team past its document quota (the quota).
    DocQuota(u64),
    /// A photo would take the team past its photo quota (the quota, bytes).
    PhotoQuota(u64),
}

/// Seconds a client is told to wait when the server is busy.
const BUSY_RETRY_SECS: u64 = 5;

impl From<std::io::Error> for AppError {
    fn from(err: std::io::Error) -> Self {
        AppError::Io(err)
    }
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        if err.is_unavailable() {
            AppError::StoreUnavailable(err)
        } else {
            AppError::Store(err)
        }
    }
}

impl AppError {
    /// The status this failure is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound | AppError::BlobNotFound => StatusCode::NOT_FOUND,
            AppError::BadPath | AppError::BadRequest(_) | AppError::BadBlobHash(_) | AppError::BlobDamaged { .. } | AppError::BlobBrokeOff => {
                StatusCode::BAD_REQUEST
            }
            AppError::MethodNotAllowed | AppError::BlobMethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::NotBuilt | AppError::SyncDisabled => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Unauthorized(_) | AppError::Withdrawn => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::SetupCode(crate::store::ClaimRefused::Unknown) => StatusCode::NOT_FOUND,
            AppError::SetupCode(_) => StatusCode::GONE,
            AppError::TooLarge | AppError::BlobTooLarge(_) | AppError::PhotoQuota(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Busy | AppError::TimedOut | AppError::StoreUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::DocQuota(_) => StatusCode::INSUFFICIENT_STORAGE,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Io(_) | AppError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AppError::NotFound => f.write_str("not found"),
            AppError::BadPath => f.write_str("bad path"),
            AppError::MethodNotAllowed => f.write_str("method not allowed"),
            AppError::BlobMethodNotAllowed => f.write_str("photos are read with GET or HEAD and uploaded with PUT"),
            AppError::NotBuilt => f.write_str("the app has not been built (dist/index.html is missing); run `cargo xtask serve`"),
            // The detail (paths, OS errors) is logged, not sent.
            AppError::Io(_) => f.write_str("the server could not read one of its files; try again later, and tell the administrator if this persists"),
            AppError::Unauthorized(why) | AppError::Forbidden(why) => f.write_str(why),
            AppError::Withdrawn => f.write_str(
                "the office has withdrawn this tablet's access, so it no longer syncs; its records stay on it and nothing was deleted; \
                 ask the office for a new set-up link if this is a mistake",
            ),
            AppError::SetupCode(refused) => f.write_str(refused.message()),
            AppError::BadRequest(why) => f.write_str(why),
            AppError::BadBlobHash(shown) => write!(f, "a photo's address must end in its SHA-256 as 64 lowercase hexadecimal characters, not \"{shown}\""),
            AppError::BlobDamaged { expected, got } => {
                write!(f, "the photo's content does not match its name; it was damaged on the way: expected {expected} got {got}")
            }
            AppError::BlobBrokeOff => f.write_str("the photo did not arrive whole; nothing was stored, send it again"),
            AppError::TooLarge => {
                write!(f, "the request is larger than the server accepts ({} MiB); sync fewer or smaller documents at once", MAX_REQUEST_BYTES / (1024 * 1024))
            }
            AppError::BlobTooLarge(limit) => write!(f, "the photo is larger than the server accepts ({}); shrink it and send it again", human_bytes(*limit)),
            AppError::UnsupportedMediaType(shown) => {
                write!(f, "a photo must be sent as image/jpeg (or another image/* type, or application/octet-stream), not \"{shown}\"")
            }
            AppError::BlobNotFound => f.write_str("the server has no photo with this hash for your team; it has not been uploaded yet"),
            AppError::SyncDisabled => f.write_str("this server has no sync database; sync is not available here"),
            AppError::Store(_) => f.write_str("the server could not read or write its database; try again later, and tell the administrator if this persists"),
            AppError::StoreUnavailable(_) => f.write_str(
                "the server's database is busy or cannot be reached just now; nothing of this request was stored, and it will be tried again by itself shortly",
            ),
            AppError::TooManyRequests { retry_after_secs } => {
                write!(f, "this device is sending too many requests; it will try again by itself in {retry_after_secs} s")
            }
            AppError::Busy => f.write_str("the server is busy; it will be tried again by itself shortly"),
            AppError::TimedOut => {
                f.write_str("the server took too long to answer; it will be tried again by itself (sync fewer documents at once if this persists)")
            }
            AppError::DocQuota(limit) => write!(
                f,
                "your team has reached this server's limit of {limit} documents, so this sync was not stored (your records stay on this device); \
                 ask the administrator to raise the limit (--max-team-docs)"
            ),
            AppError::PhotoQuota(limit) => write!(
                f,
                "your team has reached this server's limit of {} of photos, so this photo was not stored (it stays on this device); \
                 ask the administrator to raise the limit (--max-team-photo-bytes)",
                human_bytes(usize::try_from(*limit).unwrap_or(usize::MAX))
            ),
        }
    }
}

impl std::error::Error for AppError {}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match &self {
            AppError::Io(err) => tracing::error!(error = %err, "i/o error while serving a request"),
            AppError::Store(err) => {
                tracing::error!(error = %err, "database error while serving a request")
            }
            AppError::StoreUnavailable(err) => tracing::warn!(error = %err, "database unavailable; request refused with 503"),
            _ => {}
        }
        let reason = match &self {
            AppError::Withdrawn => Some(REASON_WITHDRAWN.to_string()),
            AppError::SetupCode(refused) => Some(refused.reason().to_string()),
            _ => None,
        };
        let body = ErrorBody { error: self.to_string(), reason };
        let mut response = (self.status(), Json(body)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        match self {
            AppError::MethodNotAllowed => {
                headers.insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
            }
            AppError::BlobMethodNotAllowed => {
                headers.insert(header::ALLOW, HeaderValue::from_static("GET, HEAD, PUT"));
            }
            AppError::Unauthorized(_) | AppError::Withdrawn => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            AppError::TooManyRequests { retry_after_secs } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            }
            AppError::Busy | AppError::TimedOut | AppError::StoreUnavailable(_) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(BUSY_RETRY_SECS));
            }
            _ => {}
        }
        response
    }
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn only_the_database_and_io_are_server_faults() {
        assert_eq!(AppError::Store(StoreError("x".into())).status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(AppError::BadBlobHash("x".into()).status(), StatusCode::BAD_REQUEST);
        assert_eq!(AppError::BlobMethodNotAllowed.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert!(AppError::Store(StoreError("secret path".into())).to_string().contains("administrator"));
    }

    #[test]
    fn a_database_that_cannot_serve_now_is_a_503_to_retry() {
        let err = AppError::from(StoreError::unavailable("connection closed: 10.0.0.5:5432"));
        assert_eq!(err.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(!err.to_string().contains("10.0.0.5"), "{err}");
        assert_eq!(err.into_response().headers()[header::RETRY_AFTER], BUSY_RETRY_SECS.to_string().as_str());
        assert_eq!(AppError::from(StoreError("syntax error".into())).status(), StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn io_failures_are_answered_without_their_detail() {
        let err = AppError::Io(std::io::Error::other("/srv/xunfang/dist/index.html: permission denied (os error 13)"));
        let message = err.to_string();
        assert!(!message.contains("/srv") && !message.contains("os error"), "{message}");
        assert!(message.contains("administrator"), "{message}");
    }

    #[test]
    fn a_rate_refusal_carries_retry_after_in_seconds() {
        let res = AppError::TooManyRequests { retry_after_secs: 7 }.into_response();
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(res.headers()[header::RETRY_AFTER], "7");
    }
}
