//! The photo collection pass (`xunfang-server photos collect`) as every backend runs it:
//! what one team's pass does with each stored photo (core's `blob_collect` rule), and what it reports.
//!
//! A backend reads the team's documents and photos in one snapshot, asks [`plan`], then
//! applies the plan in a short write transaction that holds the team's counter (as a push
//! does), deleting a photo only while its old mark is still there: a push that named the
//! photo since the snapshot cleared the mark ([`named_photos`]), so the photo stays.

use std::collections::BTreeSet;

use xunfang_core::blob_collect::{named_in, verdict, StoredBlob, Verdict};
use xunfang_core::BlobHash;

/// One collection pass: at `now` (Unix seconds), photos unnamed and uploaded at least
/// `grace_secs` ago go; with `dry_run` nothing is written (not even marks).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PhotoPass {
    pub now: i64,
    pub grace_secs: i64,
    pub dry_run: bool,
}

impl PhotoPass {
    /// A mark set at or before this is old enough for its photo to go.
    pub fn cutoff(&self) -> i64 {
        self.now.saturating_sub(self.grace_secs)
    }
}

/// What a pass did (or, dry, would do) for one team.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TeamPhotos {
    pub team: String,
    /// Photos deleted and their bytes.
    pub collected: u64,
    pub bytes: u64,
    /// Photos newly found unnamed (collected at a pass after the grace period).
    pub marked: u64,
}

/// A team's stored photo as a pass reads it: the rule's view, and its size.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub blob: StoredBlob,
    pub size: u64,
}

impl Candidate {
    /// From a stored row; `None` for a hash that is no photo name (such a row is never touched).
    pub fn from_row(hash: &str, created: i64, size: i64, unnamed_since: Option<i64>) -> Option<Candidate> {
        Some(Candidate { blob: StoredBlob { hash: BlobHash::parse(hash)?, uploaded: created, unnamed_since }, size: size.max(0) as u64 })
    }
}

/// What to write for one team.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub mark: Vec<BlobHash>,
    pub unmark: Vec<BlobHash>,
    pub collect: Vec<(BlobHash, u64)>,
}

/// Core's verdict for each of a team's photos, given every name in the team's stored documents.
pub fn plan(candidates: &[Candidate], named: &BTreeSet<BlobHash>, pass: &PhotoPass) -> Plan {
    let mut plan = Plan::default();
    for c in candidates {
        match verdict(&c.blob, named.contains(&c.blob.hash), pass.now, pass.grace_secs) {
            Verdict::Keep => {}
            Verdict::MarkUnnamed => plan.mark.push(c.blob.hash.clone()),
            Verdict::Unmark => plan.unmark.push(c.blob.hash.clone()),
            Verdict::Collect => plan.collect.push((c.blob.hash.clone(), c.size)),
        }
    }
    plan
}

/// Every photo name in a document's stored text: the marks a push writing it clears.
pub fn named_photos(json: &str) -> BTreeSet<BlobHash> {
    let mut named = BTreeSet::new();
    named_in(json, &mut named);
    named
}

#[cfg(test)]
mod unit {
    use super::*;

    const DAY: i64 = 86_400;

    fn hash(c: char) -> BlobHash {
        BlobHash::parse(&c.to_string().repeat(64)).unwrap()
    }

    #[test]
    fn only_an_old_mark_on_an_old_unnamed_photo_is_collected() {
        let pass = PhotoPass { now: 100 * DAY, grace_secs: 30 * DAY, dry_run: false };
        let c = |h, since| Candidate { blob: StoredBlob { hash: hash(h), uploaded: 0, unnamed_since: since }, size: 7 };
        let named: BTreeSet<_> = [hash('b')].into();
        let got = plan(&[c('a', Some(60 * DAY)), c('b', Some(DAY)), c('c', None), c('d', Some(80 * DAY))], &named, &pass);
        assert_eq!(got, Plan { mark: vec![hash('c')], unmark: vec![hash('b')], collect: vec![(hash('a'), 7)] });
    }
}
