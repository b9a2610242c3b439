//! Storage failures as values the UI can put into words.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreErrorKind {
    /// The browser's storage quota is used up.
    Quota,
    /// IndexedDB cannot be opened (private mode, blocked, another tab upgrading).
    Unavailable,
    /// A stored document cannot be read.
    Unreadable,
    /// Reading from IndexedDB failed (nothing was changed).
    ReadFailed,
    /// Any other failure, most often a write.
    Failed,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreError {
    pub kind: StoreErrorKind,
    /// The browser's own words, for the details line and bug reports.
    pub detail: String,
}

impl StoreError {
    pub fn new(kind: StoreErrorKind, detail: String) -> StoreError {
        StoreError { kind, detail }
    }

    fn classify(e: impl Into<rexie::Error>, otherwise: StoreErrorKind) -> StoreError {
        let detail = format!("{:?}", e.into());
        let kind = if detail.contains("QuotaExceeded") || detail.to_lowercase().contains("quota") { StoreErrorKind::Quota } else { otherwise };
        StoreError { kind, detail }
    }

    pub(crate) fn opening(e: impl Into<rexie::Error>) -> StoreError {
        Self::classify(e, StoreErrorKind::Unavailable)
    }

    pub(crate) fn reading(e: impl Into<rexie::Error>) -> StoreError {
        Self::classify(e, StoreErrorKind::ReadFailed)
    }

    pub(crate) fn writing(e: impl Into<rexie::Error>) -> StoreError {
        Self::classify(e, StoreErrorKind::Failed)
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {}", self.kind, self.detail)
    }
}
