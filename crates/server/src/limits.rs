//! Limits that keep one client from hurting the others: a deadline and a
//! concurrency cap for every request, a rate per token, quotas per team.
//!
//! The numbers live in [`Limits`] (flags of `serve`, defaults here); the
//! refusals are [`AppError`] variants, so their statuses and messages are
//! worded in one place. The rate is a token bucket per access token, kept
//! in memory under the token's SHA-256 (never the token), and only for
//! tokens the database accepted: junk tokens cannot grow the table.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use crate::AppError;

/// Default: a request (reading its body included) must be answered within this.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// Default: requests served at once; more wait (within their deadline).
pub const DEFAULT_MAX_CONCURRENT: usize = 64;
/// Default: requests a token may make per minute, on average.
pub const DEFAULT_RATE_PER_MINUTE: u32 = 600;
/// Default: requests a token may make at once after a quiet spell.
pub const DEFAULT_RATE_BURST: u32 = 120;
/// Default: the most bytes of documents one pull answer carries (4 MiB).
pub const DEFAULT_MAX_PULL_BYTES: usize = 4 * 1024 * 1024;
/// Default: documents one team may keep.
pub const DEFAULT_MAX_TEAM_DOCS: u64 = 1_000_000;
/// Default: bytes of photos one team may keep (20 GiB).
pub const DEFAULT_MAX_TEAM_PHOTO_BYTES: u64 = 20 * 1024 * 1024 * 1024;

/// The server's limits, as configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub request_timeout: Duration,
    pub max_concurrent: usize,
    pub rate_per_minute: u32,
    pub rate_burst: u32,
    pub max_pull_bytes: usize,
    pub max_team_docs: u64,
    pub max_team_photo_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            max_concurrent: DEFAULT_MAX_CONCURRENT,
            rate_per_minute: DEFAULT_RATE_PER_MINUTE,
            rate_burst: DEFAULT_RATE_BURST,
            max_pull_bytes: DEFAULT_MAX_PULL_BYTES,
            max_team_docs: DEFAULT_MAX_TEAM_DOCS,
            max_team_photo_bytes: DEFAULT_MAX_TEAM_PHOTO_BYTES,
        }
    }
}

/// What the request layer shares: the limits and the permits of requests
/// being served.
#[derive(Debug, Clone)]
pub struct Gate {
    timeout: Duration,
    permits: Arc<Semaphore>,
}

impl Gate {
    pub fn new(limits: &Limits) -> Self {
        Gate { timeout: limits.request_timeout, permits: Arc::new(Semaphore::new(limits.max_concurrent.max(1))) }
    }
}

/// The longest a request waits for a free slot (at most its deadline):
/// past it, a "busy, try again" is kinder than a connection held open.
pub const QUEUE_WAIT: Duration = Duration::from_secs(10);

/// Middleware: waits for a permit (up to [`QUEUE_WAIT`]) and answers within
/// the deadline, or
/// refuses with [`AppError::Busy`] / [`AppError::TimedOut`]. A request that
/// runs out of time is dropped; a database step already running finishes on
/// its own thread (committed whole or not at all), and the client, told to
/// try again, sends it again: pushes are idempotent.
pub async fn gate(State(gate): State<Gate>, request: Request, next: Next) -> Result<Response, AppError> {
    let start = tokio::time::Instant::now();
    let deadline = start + gate.timeout;
    let queued_until = start + gate.timeout.min(QUEUE_WAIT);
    let permit = tokio::time::timeout_at(queued_until, gate.permits.clone().acquire_owned()).await.map_err(|_| AppError::Busy)?;
    let _permit = permit.map_err(|_| AppError::Busy)?;
    tokio::time::timeout_at(deadline, next.run(request)).await.map_err(|_| AppError::TimedOut)
}

/// Requests per token: a bucket of `burst` that refills at `per_minute`.
#[derive(Debug)]
pub struct RateLimiter {
    per_second: f64,
    burst: f64,
    buckets: Mutex<HashMap<[u8; 32], Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl RateLimiter {
    pub fn new(limits: &Limits) -> Self {
        RateLimiter {
            per_second: f64::from(limits.rate_per_minute.max(1)) / 60.0,
            burst: f64::from(limits.rate_burst.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from `token`'s bucket, or says after how many whole
    /// seconds the next one is allowed ([`AppError::TooManyRequests`]).
    pub fn check(&self, token: &str) -> Result<(), AppError> {
        self.check_at(token, Instant::now())
    }

    fn check_at(&self, token: &str, now: Instant) -> Result<(), AppError> {
        let key: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let bucket = buckets.entry(key).or_insert(Bucket { tokens: self.burst, at: now });
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.per_second).min(self.burst);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            return Ok(());
        }
        let wait = (1.0 - bucket.tokens) / self.per_second;
        Err(AppError::TooManyRequests { retry_after_secs: (wait.ceil() as u64).max(1) })
    }
}

#[cfg(test)]
mod unit {
    use super::*;

    fn limiter(per_minute: u32, burst: u32) -> RateLimiter {
        RateLimiter::new(&Limits { rate_per_minute: per_minute, rate_burst: burst, ..Limits::default() })
    }

    #[test]
    fn a_token_past_its_burst_is_told_when_to_come_back() {
        let rate = limiter(60, 2);
        let t = Instant::now();
        assert!(rate.check_at("a", t).is_ok());
        assert!(rate.check_at("a", t).is_ok());
        match rate.check_at("a", t) {
            Err(AppError::TooManyRequests { retry_after_secs }) => assert_eq!(retry_after_secs, 1),
            other => panic!("{other:?}"),
        }
        // Another token has its own bucket; time refills this one.
        assert!(rate.check_at("b", t).is_ok());
        assert!(rate.check_at("a", t + Duration::from_secs(1)).is_ok());
    }

    #[test]
    fn retry_after_is_whole_seconds_and_never_zero() {
        let rate = limiter(1, 1);
        let t = Instant::now();
        assert!(rate.check_at("a", t).is_ok());
        match rate.check_at("a", t + Duration::from_millis(500)) {
            Err(AppError::TooManyRequests { retry_after_secs }) => assert_eq!(retry_after_secs, 60),
            other => panic!("{other:?}"),
        }
    }
}
