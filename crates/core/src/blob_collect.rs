//! Which stored photos may be deleted, as a daily collection pass decides it: never one a
//! stored document names, and never one named or uploaded within the grace period.
//!
//! Why so careful: a tablet that has uploaded a photo never uploads it again, so a photo
//! collected while a record on some tablet still names it is lost for good. The rule:
//!
//! * "Named" is read from each stored document's whole text (every run of exactly 64
//!   lowercase hex digits), trashed documents included (they can be restored) and conflict
//!   values included (the losing side can be chosen): no field is missed, however new.
//! * A pass marks a photo no document names with the time it first saw it so
//!   (`unnamed_since`), and clears the mark when a document names it again.
//! * A marked photo is collected only when both its mark and its upload are older than the
//!   grace period: a tablet that was offline for less than that and pushes a record naming the
//!   photo finds it still there (its push clears the mark at the next pass).
//!
//! The limit of marks set by daily passes: a photo named again and unnamed again between two
//! passes keeps its older mark, so a tablet that pulled that short-lived version has less than
//! the grace period. A store that also clears the mark when a push names the photo closes it.

use crate::blob::BlobHash;
use std::collections::BTreeSet;

/// Every photo name in a stored document's text: each run of exactly 64 lowercase hex
/// digits (a longer run is no name).
pub fn named_in(text: &str, into: &mut BTreeSet<BlobHash>) {
    let is_hex = |b: u8| b.is_ascii_digit() || (b'a'..=b'f').contains(&b);
    let bytes = text.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        if !is_hex(bytes[start]) {
            start += 1;
            continue;
        }
        let end = start + bytes[start..].iter().take_while(|&&b| is_hex(b)).count();
        if end - start == BlobHash::LEN {
            into.extend(BlobHash::parse(&text[start..end]));
        }
        start = end;
    }
}

/// A stored photo as the collection pass sees it (times in Unix seconds).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredBlob {
    pub hash: BlobHash,
    /// When it was uploaded.
    pub uploaded: i64,
    /// When a pass first found no document naming it; `None` while one does.
    pub unnamed_since: Option<i64>,
}

/// What a pass does with one stored photo.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing changes.
    Keep,
    /// No document names it: mark it unnamed since now.
    MarkUnnamed,
    /// A document names it again: clear its mark.
    Unmark,
    /// Unnamed, and both the mark and the upload are older than the grace period: delete it.
    Collect,
}

/// The rule for one photo at `now`, given whether a stored document names it.
pub fn verdict(blob: &StoredBlob, named: bool, now: i64, grace_secs: i64) -> Verdict {
    match (named, blob.unnamed_since) {
        (true, Some(_)) => Verdict::Unmark,
        (true, None) => Verdict::Keep,
        (false, None) => Verdict::MarkUnnamed,
        (false, Some(since)) if now.saturating_sub(since) >= grace_secs && now.saturating_sub(blob.uploaded) >= grace_secs => Verdict::Collect,
        (false, Some(_)) => Verdict::Keep,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;
    const GRACE: i64 = 30 * DAY;

    fn h(c: char) -> BlobHash {
        BlobHash::parse(&c.to_string().repeat(64)).unwrap()
    }

    fn blob(c: char, uploaded: i64, unnamed_since: Option<i64>) -> StoredBlob {
        StoredBlob { hash: h(c), uploaded, unnamed_since }
    }

    #[test]
    fn names_are_read_from_every_part_of_a_document_trashed_and_conflicts_too() {
        let (a, b, c) = (h('a'), h('b'), h('c'));
        let doc = format!(
            r#"{{"trashed":true,"body":{{"photos":[{{"sha256":"{a}","thumb_sha256":"{b}"}}]}},"conflicts":{{"photos/x/sha256":[{{"value":"{c}"}}]}}}}"#
        );
        let mut named = BTreeSet::new();
        named_in(&doc, &mut named);
        assert_eq!(named, [a, b, c].into_iter().collect());
        // 63 or 65 hex digits, and uppercase, name nothing.
        let mut none = BTreeSet::new();
        named_in(&format!("\"{}\" \"{}\" \"{}\"", "a".repeat(63), "a".repeat(65), "A".repeat(64)), &mut none);
        assert!(none.is_empty());
    }

    #[test]
    fn a_named_photo_is_never_collected_and_a_renamed_one_loses_its_mark() {
        let old = 0;
        let now = 400 * DAY;
        assert_eq!(verdict(&blob('a', old, None), true, now, GRACE), Verdict::Keep);
        assert_eq!(verdict(&blob('a', old, Some(old)), true, now, GRACE), Verdict::Unmark);
    }

    #[test]
    fn an_unnamed_photo_is_collected_only_after_the_grace_period_from_its_mark_and_its_upload() {
        let now = 400 * DAY;
        // First seen unnamed: marked, not deleted, however old the upload.
        assert_eq!(verdict(&blob('a', 0, None), false, now, GRACE), Verdict::MarkUnnamed);
        // Marked a day short of the grace period: kept.
        assert_eq!(verdict(&blob('a', 0, Some(now - GRACE + DAY)), false, now, GRACE), Verdict::Keep);
        // Uploaded within the grace period (a record naming it may still be on its way): kept.
        assert_eq!(verdict(&blob('a', now - DAY, Some(now - GRACE)), false, now, GRACE), Verdict::Keep);
        assert_eq!(verdict(&blob('a', 0, Some(now - GRACE)), false, now, GRACE), Verdict::Collect);
    }
}
