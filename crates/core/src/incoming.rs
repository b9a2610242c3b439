//! The one rule for a copy of a document that arrives (a push at the server,
//! a pull on a device): merge it into the stored copy, say whether anything
//! is new and which JSON text to keep. The server and the app both call it.
//!
//! When the two copies cannot be merged (another type under the same id, a
//! stored copy that no longer reads), nothing is overwritten: the stored copy
//! stays and the reason comes back as a value for the caller to show.

use crate::merge::MergeError;
use crate::sync::AnyDoc;
use std::fmt;

/// What to store after a copy arrived.
#[derive(Clone, Debug, PartialEq)]
pub enum Keep {
    /// Nothing new: the stored copy already holds everything that came.
    Stored,
    /// Store the arriving copy as the text it came in (nothing was stored, or
    /// the merge equals it), so fields this build does not know survive.
    Incoming,
    /// Store this merged document, written out anew (boxed: documents are
    /// large, the other answers empty).
    Merged(Box<AnyDoc>),
}

/// The decision for one arriving copy.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub keep: Keep,
    /// The stored copy knew something the arriving one did not (the merge
    /// differs from the arriving copy merged with itself): a device pushes
    /// its copy back.
    pub stored_knew_more: bool,
}

/// Why an arriving copy was not merged; the stored copy stays as it is.
/// `Display` says what happened; each caller adds what to do about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The stored text does not read as a document (damaged, or a format
    /// this build does not know).
    UnreadableStored(String),
    /// The two copies do not merge (another type under the same id).
    Unmergeable(MergeError),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::UnreadableStored(why) => write!(f, "the stored copy of this document cannot be read ({why})"),
            Refusal::Unmergeable(err) => write!(f, "it cannot be merged with the stored copy: {err}"),
        }
    }
}

impl std::error::Error for Refusal {}

/// Merges `incoming` into `stored` (`None`: nothing stored under its id).
/// `Err`: keep the stored copy unchanged and tell the user why.
pub fn merge_incoming(stored: Option<&AnyDoc>, incoming: &AnyDoc) -> Result<Outcome, Refusal> {
    let Some(stored) = stored else {
        return Ok(Outcome { keep: Keep::Incoming, stored_knew_more: false });
    };
    let merged = stored.merge(incoming).map_err(Refusal::Unmergeable)?;
    // A copy not in the form a merge writes (a keyed list out of id order, no
    // stamp for a field added later: another tool, an older build) differs
    // from every merge of it, even with itself. What the stored copy knew
    // more is what its merge adds to that one; else each full read of a REST
    // collection would write all such documents back (one PUT each).
    // Each comparison walks both documents: made once.
    let as_incoming = merged == *incoming;
    let stored_knew_more = !as_incoming && merged != incoming.merge(incoming).map_err(Refusal::Unmergeable)?;
    let keep = if merged == *stored {
        Keep::Stored
    } else if as_incoming {
        Keep::Incoming
    } else {
        Keep::Merged(Box::new(merged))
    };
    Ok(Outcome { keep, stored_knew_more })
}

/// `merge_incoming` for a stored copy held as JSON text (the server's rows):
/// text that does not read as a document is refused, never overwritten.
pub fn merge_incoming_text(stored: Option<&str>, incoming: &AnyDoc) -> Result<Outcome, Refusal> {
    let stored = stored.map(AnyDoc::from_json).transpose().map_err(|e| Refusal::UnreadableStored(e.to_string()))?;
    merge_incoming(stored.as_ref(), incoming)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{DeviceId, Hlc, Stamp};
    use crate::doc::Document;
    use crate::id::Id;
    use crate::model::{Activity, Person};

    fn stamp(millis: u64) -> Stamp {
        on("tablet", millis)
    }

    fn on(device: &str, millis: u64) -> Stamp {
        Stamp { hlc: Hlc { millis, counter: 0 }, device: DeviceId(device.into()) }
    }

    fn id() -> Id {
        Id::new_v7(1_700_000_000_000, [7; 10])
    }

    fn activity(title: &str) -> Document<Activity> {
        Document::create(id(), Activity { title: title.into(), ..Activity::default() }, stamp(1))
    }

    /// `doc` edited on another tablet, `device`, at `millis`.
    fn edited(doc: &Document<Activity>, device: &str, millis: u64, edit: impl FnOnce(&mut Activity)) -> AnyDoc {
        let mut doc = doc.clone();
        let mut body = doc.body.clone();
        edit(&mut body);
        doc.edit(body, on(device, millis));
        AnyDoc::Activity(doc)
    }

    #[test]
    fn a_copy_of_a_document_not_stored_is_kept_as_it_came() {
        let incoming = AnyDoc::Activity(activity("视察"));
        assert_eq!(merge_incoming(None, &incoming), Ok(Outcome { keep: Keep::Incoming, stored_knew_more: false }));
        assert_eq!(merge_incoming_text(None, &incoming), Ok(Outcome { keep: Keep::Incoming, stored_knew_more: false }));
    }

    #[test]
    fn the_same_copy_twice_changes_nothing() {
        let doc = AnyDoc::Activity(activity("视察"));
        assert_eq!(merge_incoming(Some(&doc), &doc), Ok(Outcome { keep: Keep::Stored, stored_knew_more: false }));
    }

    #[test]
    fn an_older_copy_changes_nothing_and_says_the_stored_one_knew_more() {
        let base = activity("视察");
        let newer = edited(&base, "a", 5, |a| a.title = "调研".into());
        let outcome = merge_incoming(Some(&newer), &AnyDoc::Activity(base)).unwrap();
        assert_eq!(outcome, Outcome { keep: Keep::Stored, stored_knew_more: true });
    }

    #[test]
    fn a_newer_copy_is_kept_as_it_came() {
        let base = activity("视察");
        let newer = edited(&base, "a", 5, |a| a.title = "调研".into());
        let outcome = merge_incoming(Some(&AnyDoc::Activity(base)), &newer).unwrap();
        assert_eq!(outcome, Outcome { keep: Keep::Incoming, stored_knew_more: false });
    }

    #[test]
    fn edits_of_different_fields_on_both_sides_are_stored_merged() {
        let base = activity("视察");
        let here = edited(&base, "a", 5, |a| a.title = "调研".into());
        let there = edited(&base, "b", 6, |a| a.notes = "带相机".into());
        let outcome = merge_incoming(Some(&here), &there).unwrap();
        assert!(outcome.stored_knew_more);
        let Keep::Merged(merged) = outcome.keep else { panic!("{outcome:?}") };
        let AnyDoc::Activity(merged) = *merged else { panic!("an activity") };
        assert_eq!((merged.body.title.as_str(), merged.body.notes.as_str()), ("调研", "带相机"));
    }

    #[test]
    fn another_type_under_the_same_id_is_refused_and_the_stored_copy_kept() {
        let stored = AnyDoc::Activity(activity("视察"));
        let person = AnyDoc::Person(Document::create(id(), Person { name: "李明".into(), ..Person::default() }, stamp(2)));
        let refusal = merge_incoming(Some(&stored), &person).unwrap_err();
        assert!(matches!(refusal, Refusal::Unmergeable(MergeError::WrongType { .. })), "{refusal:?}");
        assert!(refusal.to_string().contains("cannot be merged"), "{refusal}");
    }

    #[test]
    fn a_stored_text_that_does_not_read_is_refused_not_overwritten() {
        let incoming = AnyDoc::Activity(activity("视察"));
        let refusal = merge_incoming_text(Some("{\"id\": broken"), &incoming).unwrap_err();
        assert!(matches!(refusal, Refusal::UnreadableStored(_)), "{refusal:?}");
        assert!(refusal.to_string().contains("cannot be read"), "{refusal}");
    }

    #[test]
    fn a_stored_text_merges_as_the_document_it_holds() {
        let base = activity("视察");
        let newer = edited(&base, "a", 5, |a| a.title = "调研".into());
        let stored = AnyDoc::Activity(base).to_json();
        assert_eq!(merge_incoming_text(Some(&stored), &newer), Ok(Outcome { keep: Keep::Incoming, stored_knew_more: false }));
        assert_eq!(merge_incoming_text(Some(&newer.to_json()), &newer), Ok(Outcome { keep: Keep::Stored, stored_knew_more: false }));
    }
}
