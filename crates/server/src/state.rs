//! The router's shared state: where the app's files are, the sync database
//! (any backend of the store seam), the photo size limit, how far ahead of
//! the server's clock a pushed document's clock may be, the other
//! [`Limits`], the per-token rate, the compressed static files, the
//! counters of [`crate::metrics`].

use std::path::{Path, PathBuf};
use std::sync::Arc;

use xunfang_core::clock::{ClockBound, DEFAULT_MAX_SKEW_MILLIS};

use crate::limits::{Limits, RateLimiter};
use crate::metrics::Metrics;
use crate::store::SyncStore;
use crate::{blobs, AppError, PrecompressCache};

/// Shared state of the router.
#[derive(Debug, Clone)]
pub struct AppState {
    dist: Arc<PathBuf>,
    store: Option<Arc<dyn SyncStore>>,
    max_blob_bytes: usize,
    max_clock_skew_millis: u64,
    limits: Limits,
    rate: Arc<RateLimiter>,
    precompressed: PrecompressCache,
    metrics: Arc<Metrics>,
}

impl AppState {
    pub fn new(dist: impl Into<PathBuf>) -> Self {
        let limits = Limits::default();
        Self {
            dist: Arc::new(dist.into()),
            store: None,
            max_blob_bytes: blobs::DEFAULT_MAX_BLOB_BYTES,
            max_clock_skew_millis: DEFAULT_MAX_SKEW_MILLIS,
            rate: Arc::new(RateLimiter::new(&limits)),
            limits,
            precompressed: PrecompressCache::new(),
            metrics: Arc::default(),
        }
    }

    /// Serves with these limits (the rate starts afresh).
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.rate = Arc::new(RateLimiter::new(&limits));
        self.limits = limits;
        self
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The per-token request rate.
    pub fn rate(&self) -> &RateLimiter {
        &self.rate
    }

    /// The counters `/metrics` shows (shared by every clone of this state).
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// The static files compressed so far (`warm` it at start-up).
    pub fn precompressed(&self) -> &PrecompressCache {
        &self.precompressed
    }

    /// The largest photo `PUT /api/blobs/…` accepts (default
    /// [`blobs::DEFAULT_MAX_BLOB_BYTES`], 8 MiB).
    pub fn with_max_blob_bytes(mut self, bytes: usize) -> Self {
        self.max_blob_bytes = bytes;
        self
    }

    pub fn max_blob_bytes(&self) -> usize {
        self.max_blob_bytes
    }

    /// How many hours ahead of the server's clock a pushed document's clock
    /// readings may be (default 24: a tablet in the wrong time zone still
    /// syncs); a document with a reading further ahead is rejected.
    pub fn with_max_clock_skew_hours(mut self, hours: u64) -> Self {
        self.max_clock_skew_millis = hours.saturating_mul(3_600_000);
        self
    }

    /// The clock readings a push may carry, by the server's clock now.
    pub fn clock_bound(&self) -> ClockBound {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
        ClockBound::new(now, self.max_clock_skew_millis)
    }

    /// Serves sync and photos from `store` (any backend of the seam).
    pub fn with_store(mut self, store: impl SyncStore) -> Self {
        self.store = Some(Arc::new(store));
        self
    }

    /// [`with_store`](Self::with_store) for a store already shared (a
    /// backend chosen at run time).
    pub fn with_shared_store(mut self, store: Arc<dyn SyncStore>) -> Self {
        self.store = Some(store);
        self
    }

    pub fn dist(&self) -> &Path {
        &self.dist
    }

    /// The sync database, or the error that says sync is off.
    pub fn store(&self) -> Result<&dyn SyncStore, AppError> {
        self.store.as_deref().ok_or(AppError::SyncDisabled)
    }
}
