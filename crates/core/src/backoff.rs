//! When a failed sync is tried again: exponential backoff with jitter, and
//! never sooner than a server's `Retry-After` (a 429 or a busy server).
//! Pure arithmetic; the app's scheduler (src/sync) only sets the timer.

/// The first retry comes after about this long (±20%).
pub const FIRST_MS: f64 = 5_000.0;
/// Retries come at least this often once the backoff has grown.
pub const MAX_MS: f64 = 10.0 * 60.0 * 1000.0;
/// A `Retry-After` that is missing or not a number of seconds counts as this.
pub const DEFAULT_RETRY_AFTER_SECS: u64 = 60;
/// A `Retry-After` is believed up to this (a server cannot park a tablet for days).
pub const MAX_RETRY_AFTER_SECS: u64 = 3_600;

/// The seconds a `Retry-After` header asks for: delta-seconds, bounded to
/// 1..=[`MAX_RETRY_AFTER_SECS`]; absent or unreadable (an HTTP date, say):
/// [`DEFAULT_RETRY_AFTER_SECS`].
pub fn retry_after_secs(header: Option<&str>) -> u64 {
    header.and_then(|h| h.trim().parse::<u64>().ok()).unwrap_or(DEFAULT_RETRY_AFTER_SECS).clamp(1, MAX_RETRY_AFTER_SECS)
}

/// Milliseconds until the next try after `failures` failures in a row
/// (1 for the first), with `jitter` in `0.0..1.0` (so a team coming back
/// into coverage does not retry in lockstep), and no sooner than
/// `retry_after_secs` if the server said so.
pub fn delay_ms(failures: u32, jitter: f64, retry_after_secs: Option<u64>) -> f64 {
    let base = (FIRST_MS * 2f64.powi(failures.saturating_sub(1).min(16) as i32)).min(MAX_MS);
    let jitter = if jitter.is_finite() { jitter.clamp(0.0, 1.0) } else { 0.5 };
    let backoff = base * (0.8 + 0.4 * jitter);
    let asked = retry_after_secs.map_or(0.0, |s| s.min(MAX_RETRY_AFTER_SECS) as f64 * 1000.0);
    backoff.max(asked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_that_says_retry_after_is_not_asked_sooner() {
        assert_eq!(delay_ms(1, 0.0, Some(120)), 120_000.0);
        // A longer backoff of its own still wins.
        assert_eq!(delay_ms(12, 0.5, Some(2)), MAX_MS);
    }

    #[test]
    fn retries_never_come_in_a_tight_loop() {
        for failures in [0, 1, 2, u32::MAX] {
            for jitter in [0.0, 0.5, 1.0, -3.0, f64::NAN] {
                let d = delay_ms(failures, jitter, Some(0));
                assert!(d >= FIRST_MS * 0.8, "{failures} {jitter}: {d}");
            }
        }
    }

    #[test]
    fn retry_after_is_read_as_seconds_and_bounded() {
        assert_eq!(retry_after_secs(Some("7")), 7);
        assert_eq!(retry_after_secs(Some(" 0 ")), 1);
        assert_eq!(retry_after_secs(Some("86400")), MAX_RETRY_AFTER_SECS);
        assert_eq!(retry_after_secs(Some("Wed, 21 Oct 2015 07:28:00 GMT")), DEFAULT_RETRY_AFTER_SECS);
        assert_eq!(retry_after_secs(None), DEFAULT_RETRY_AFTER_SECS);
    }
}

#[cfg(test)]
mod answers {
    use crate::sync_client::SyncError;

    #[test]
    fn a_429_is_retried_after_the_seconds_the_server_gave() {
        let err = SyncError::from_status(429, "too many".into(), Some("17"));
        assert!(err.retryable());
        assert_eq!(err.retry_after_secs(), Some(17));
        assert!(super::delay_ms(1, 0.0, err.retry_after_secs()) >= 17_000.0);
        // Without the header: still not at once.
        assert_eq!(SyncError::from_status(429, String::new(), None).retry_after_secs(), Some(super::DEFAULT_RETRY_AFTER_SECS));
        assert!(matches!(SyncError::from_status(413, String::new(), None), SyncError::Refused { status: 413, .. }));
        assert!(matches!(SyncError::from_status(507, String::new(), None), SyncError::Server { status: 507, .. }));
        assert!(matches!(SyncError::from_status(401, String::new(), None), SyncError::Unauthorized(_)));
    }
}
