//! What an autosave writes: the user's edited copy of a document merged into
//! the copy stored now (a sync may have brought other fields meanwhile).
//! The rule is sync's: what cannot be merged is never written over.

use crate::doc::Body;
use crate::merge::{merge, MergeError};
use crate::Document;

/// The document to store for `edited`, given what is `stored` under its id;
/// `Err` when the two cannot merge (the stored copy is of another type, or
/// damaged): then nothing may be stored, as sync's `absorb` stores nothing.
pub fn onto_stored<T: Body>(stored: Option<&Document<T>>, edited: Document<T>) -> Result<Document<T>, MergeError> {
    match stored {
        Some(stored) if *stored != edited => merge(stored, &edited),
        _ => Ok(edited),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::{edited, stamp_on as stamp};
    use crate::{Activity, Id};

    fn record(title: &str) -> Document<Activity> {
        let id = Id::new_v7(1_700_000_000_000, [7; 10]);
        Document::create(id, Activity { title: title.into(), ..Activity::default() }, stamp("a", 1))
    }

    #[test]
    fn a_first_save_stores_the_edit() {
        let new = record("走访");
        assert_eq!(onto_stored(None, new.clone()), Ok(new));
    }

    #[test]
    fn fields_synced_in_meanwhile_survive_the_save() {
        let base = record("走访");
        let synced = edited(&base, stamp("b", 5), |a| a.place = "开发区".into());
        let mine = edited(&base, stamp("a", 6), |a| a.notes = "座谈两小时".into());
        let saved = onto_stored(Some(&synced), mine).unwrap();
        assert_eq!(saved.body.place, "开发区");
        assert_eq!(saved.body.notes, "座谈两小时");
    }

    #[test]
    fn an_edit_that_cannot_merge_is_refused_and_the_stored_copy_kept() {
        let base = record("走访");
        let mut foreign = edited(&base, stamp("b", 5), |a| a.place = "开发区".into());
        foreign.doc_type = crate::DocType::Person;
        let mine = edited(&base, stamp("a", 6), |a| a.notes = "座谈两小时".into());
        assert!(matches!(onto_stored(Some(&foreign), mine), Err(MergeError::WrongType { .. })));
    }
}
