//! This page's log of the list rows written (`xunfang_core::row_changes`), so
//! the record list reads only those again after a sync. An id is noted once
//! its write has committed: a read whose mark was taken before then finds it
//! in `since`, and a read that starts after it sees the write itself.

use std::cell::RefCell;
use xunfang_core::row_changes::ChangeLog;
pub use xunfang_core::row_changes::{Mark, Since};
use xunfang_core::Id;

/// Ids kept before the log says "everything" (a first sync, a big pull).
const KEPT: usize = 5_000;

thread_local! {
    static LOG: RefCell<ChangeLog> = RefCell::new(ChangeLog::new(KEPT));
}

/// Now, for a read of the rows about to start.
pub fn mark() -> Mark {
    LOG.with(|l| l.borrow().mark())
}

/// What was written since `mark`.
pub fn since(mark: Mark) -> Since {
    LOG.with(|l| l.borrow().since(mark))
}

/// The row of `id` was written (committed).
pub(super) fn written(id: &Id) {
    LOG.with(|l| l.borrow_mut().written(id))
}

/// Every row was written again.
pub(super) fn everything() {
    LOG.with(|l| l.borrow_mut().everything())
}
