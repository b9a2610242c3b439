//! Which activities' list rows were written since a point, so the record list
//! reads only those again after a sync instead of every row (`list::patch_rows`).
//! The app keeps one log per page (src/storage/changes.rs); a new page reads
//! every row anyway.

use crate::id::Id;

/// A point in the log, taken before a read of the rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mark(u64);

/// What changed since a mark.
#[derive(Debug, PartialEq, Eq)]
pub enum Since {
    /// Only these activities' rows (each once, in id order; maybe none).
    Rows(Vec<Id>),
    /// Too much, or unknown: read every row.
    Everything,
}

/// The writes of rows, up to `kept` ids; past that (a first sync) it says
/// "everything" to any mark taken before.
#[derive(Debug)]
pub struct ChangeLog {
    kept: usize,
    /// Sequence number of the next write.
    next: u64,
    /// Marks before this one are too old.
    floor: u64,
    /// (sequence, id) of the writes from `floor` on.
    ids: Vec<(u64, Id)>,
}

impl ChangeLog {
    pub fn new(kept: usize) -> ChangeLog {
        ChangeLog { kept, next: 0, floor: 0, ids: Vec::new() }
    }

    /// Now, for a read about to start.
    pub fn mark(&self) -> Mark {
        Mark(self.next)
    }

    /// What was written since `mark`.
    pub fn since(&self, mark: Mark) -> Since {
        if mark.0 < self.floor {
            return Since::Everything;
        }
        let mut ids: Vec<Id> = self.ids.iter().filter(|(n, _)| *n >= mark.0).map(|(_, id)| id.clone()).collect();
        ids.sort_unstable();
        ids.dedup();
        Since::Rows(ids)
    }

    /// The row of `id` is being written.
    pub fn written(&mut self, id: &Id) {
        if self.ids.len() >= self.kept {
            self.everything();
        } else {
            self.ids.push((self.next, id.clone()));
            self.next += 1;
        }
    }

    /// Every row is being written (rebuilt, or too many to keep): no mark
    /// taken before holds.
    pub fn everything(&mut self) {
        self.next += 1;
        self.ids.clear();
        self.floor = self.next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u64) -> Id {
        Id::new_v7(1_700_000_000_000 + n, [n as u8; 10])
    }

    #[test]
    fn a_mark_sees_the_writes_after_it_once_each() {
        let mut log = ChangeLog::new(100);
        log.written(&id(1));
        let mark = log.mark();
        assert_eq!(log.since(mark), Since::Rows(vec![]));
        log.written(&id(3));
        log.written(&id(2));
        log.written(&id(3));
        assert_eq!(log.since(mark), Since::Rows(vec![id(2), id(3)]));
        let later = log.mark();
        log.written(&id(4));
        assert_eq!(log.since(later), Since::Rows(vec![id(4)]));
    }

    #[test]
    fn too_many_writes_or_a_rebuild_say_everything_to_older_marks() {
        let mut log = ChangeLog::new(3);
        let mark = log.mark();
        for n in 0..3 {
            log.written(&id(n));
        }
        assert!(matches!(log.since(mark), Since::Rows(ids) if ids.len() == 3));
        log.written(&id(9));
        assert_eq!(log.since(mark), Since::Everything);
        // A mark taken after that starts afresh.
        let fresh = log.mark();
        log.written(&id(5));
        assert_eq!(log.since(fresh), Since::Rows(vec![id(5)]));
        log.everything();
        assert_eq!(log.since(fresh), Since::Everything);
        assert_eq!(log.since(log.mark()), Since::Rows(vec![]));
    }
}
