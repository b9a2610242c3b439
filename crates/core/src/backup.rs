//! Full backups: every document of every type (trashed ones too, with their
//! stamps, so nothing is lost) in one JSON file, with a backup format
//! version and the export time the caller passes in. Importing merges each
//! document by id through `merge::merge`, so importing the same file twice —
//! or an old file over newer edits — changes nothing that should not change.
//!
//! File layout: `{"app":"xunfang","backup_format":1,"exported_at":<unix ms>,
//! "documents":[<document>, ...]}`; each document is as stored and synced,
//! told apart by its `"type"`.

use crate::doc::{Body, DocError, DocType, Document};
use crate::merge::{merge, MergeError};
use crate::records::AllDocs;
use serde_json::{json, Value};
use std::fmt;

/// The backup format this build writes and reads up to.
pub const BACKUP_FORMAT: u32 = 1;
/// The `app` field of every backup.
pub const APP: &str = "xunfang";

/// A backup as read or about to be written.
#[derive(Clone, Debug, PartialEq)]
pub struct Backup {
    /// Backup format version (`BACKUP_FORMAT` when written by this build).
    pub backup_format: u32,
    /// When it was exported: Unix time in milliseconds, passed in by the caller.
    pub exported_at: u64,
    /// Every document.
    pub docs: AllDocs,
}

/// Why a backup could not be read or imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BackupError {
    /// Not JSON, not a Xunfang backup, or damaged.
    Malformed(String),
    /// Written by a newer app (backup format or a document's format or type).
    TooNew(String),
    /// A document could not be merged with the one stored under its id.
    Merge(String),
}

impl fmt::Display for BackupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BackupError::Malformed(why) => write!(f, "this is not a Xunfang backup that can be read: {why}"),
            BackupError::TooNew(why) => write!(f, "the backup was written by a newer version of Xunfang ({why}); update the app"),
            BackupError::Merge(why) => write!(f, "a document in the backup could not be merged: {why}"),
        }
    }
}

impl std::error::Error for BackupError {}

impl Backup {
    /// A backup of everything in `docs`, exported at `exported_at` (Unix ms).
    pub fn new(docs: &AllDocs, exported_at: u64) -> Backup {
        Backup { backup_format: BACKUP_FORMAT, exported_at, docs: docs.clone() }
    }

    /// The backup file's JSON.
    pub fn to_json(&self) -> String {
        fn values<T: Body>(docs: &[Document<T>]) -> impl Iterator<Item = Value> + '_ {
            docs.iter().map(|d| serde_json::to_value(d).expect("documents always serialise"))
        }
        let d = &self.docs;
        let documents: Vec<Value> = values(&d.people)
            .chain(values(&d.activities))
            .chain(values(&d.proposals))
            .chain(values(&d.opinion_reports))
            .chain(values(&d.team_settings))
            .collect();
        let file = json!({ "app": APP, "backup_format": self.backup_format, "exported_at": self.exported_at, "documents": documents });
        serde_json::to_string_pretty(&file).expect("backups always serialise")
    }

    /// Reads a backup file, checking the app, the format and every document.
    pub fn from_json(text: &str) -> Result<Backup, BackupError> {
        let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
        let value: Value = serde_json::from_str(text).map_err(|e| BackupError::Malformed(e.to_string()))?;
        if value.get("app").and_then(Value::as_str) != Some(APP) {
            return Err(BackupError::Malformed("it does not say it is a Xunfang backup".into()));
        }
        let format = value.get("backup_format").and_then(Value::as_u64).ok_or_else(|| BackupError::Malformed("no backup format".into()))?;
        if format > u64::from(BACKUP_FORMAT) {
            return Err(BackupError::TooNew(format!("backup format {format}, this one reads up to {BACKUP_FORMAT}")));
        }
        let exported_at = value.get("exported_at").and_then(Value::as_u64).ok_or_else(|| BackupError::Malformed("no export time".into()))?;
        let Some(Value::Array(documents)) = value.get("documents") else {
            return Err(BackupError::Malformed("no list of documents".into()));
        };
        let mut docs = AllDocs::default();
        for (i, doc) in documents.iter().enumerate() {
            let doc_type = doc.get("type").and_then(Value::as_str);
            match doc_type.map(|t| (t, DocType::parse(t))) {
                Some((_, Some(DocType::Activity))) => docs.activities.push(read(doc, i)?),
                Some((_, Some(DocType::Person))) => docs.people.push(read(doc, i)?),
                Some((_, Some(DocType::Proposal))) => docs.proposals.push(read(doc, i)?),
                Some((_, Some(DocType::OpinionReport))) => docs.opinion_reports.push(read(doc, i)?),
                Some((_, Some(DocType::TeamSettings))) => docs.team_settings.push(read(doc, i)?),
                Some((other, None)) => return Err(BackupError::TooNew(format!("document {} has the unknown type \"{other}\"", i + 1))),
                None => return Err(BackupError::Malformed(format!("document {} has no type", i + 1))),
            }
        }
        Ok(Backup { backup_format: BACKUP_FORMAT, exported_at, docs })
    }
}

fn read<T: Body>(value: &Value, index: usize) -> Result<Document<T>, BackupError> {
    Document::<T>::from_value(value.clone()).map_err(|e| match e {
        DocError::TooNew { .. } => BackupError::TooNew(format!("document {}: {e}", index + 1)),
        other => BackupError::Malformed(format!("document {}: {other}", index + 1)),
    })
}

/// What an import did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImportCounts {
    /// Documents that were not here and were added.
    pub added: u32,
    /// Documents here that the merge changed.
    pub updated: u32,
    /// Documents here that the merge left as they were.
    pub unchanged: u32,
}

fn merge_list<T: Body>(into: &mut Vec<Document<T>>, incoming: &[Document<T>], counts: &mut ImportCounts) -> Result<(), BackupError> {
    for doc in incoming {
        match into.iter_mut().find(|d| d.id == doc.id) {
            Some(here) => {
                let fail = |e: MergeError| BackupError::Merge(format!("{}: {e}", doc.id));
                let merged = merge(here, doc).map_err(fail)?;
                // A merge also puts keyed list elements in its canonical
                // order; a document that differs from the merge only by
                // that order has gained nothing and is left as it is.
                if merged == *here || merged == merge(here, here).map_err(fail)? {
                    counts.unchanged += 1;
                } else {
                    *here = merged;
                    counts.updated += 1;
                }
            }
            None => {
                into.push(doc.clone());
                counts.added += 1;
            }
        }
    }
    Ok(())
}

/// Merges every document of the backup into `into`, by id. Idempotent:
/// importing the same backup again leaves `into` as it is. On an error,
/// documents before the failing one are already merged (each merge is safe
/// on its own; the caller stores `into` only on success if it wants
/// all-or-nothing).
pub fn import(into: &mut AllDocs, backup: &Backup) -> Result<ImportCounts, BackupError> {
    let mut counts = ImportCounts::default();
    merge_list(&mut into.people, &backup.docs.people, &mut counts)?;
    merge_list(&mut into.activities, &backup.docs.activities, &mut counts)?;
    merge_list(&mut into.proposals, &backup.docs.proposals, &mut counts)?;
    merge_list(&mut into.opinion_reports, &backup.docs.opinion_reports, &mut counts)?;
    merge_list(&mut into.team_settings, &backup.docs.team_settings, &mut counts)?;
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{DeviceId, Hlc, Stamp};
    use crate::fixture::{stamp, year_2024};

    const EXPORTED: u64 = 1_735_600_000_000;

    #[test]
    fn a_backup_round_trips_every_document_of_every_type_including_trash() {
        let mut all = year_2024();
        let settings = crate::template::Template::school_safety();
        all.team_settings.push(Document::create(crate::template::team_settings_id(), settings, stamp(900)));
        let backup = Backup::new(&all, EXPORTED);
        let json = backup.to_json();
        let back = Backup::from_json(&json).unwrap();
        assert_eq!(back, backup);
        assert_eq!(back.docs.len(), 16 + 11 + 2 + 1 + 1);
        assert_eq!(back.docs.team_settings[0].body, crate::template::Template::school_safety());
        assert!(back.docs.activities.iter().any(|d| d.trashed), "the trash is backed up too");
        assert!(json.contains("\"exported_at\": 1735600000000"));
    }

    #[test]
    fn a_backup_written_before_format_2_imports_every_document_whole() {
        // What the release before format 2 wrote: the same file, its documents in format 1.
        let all = year_2024();
        let new = Backup::new(&all, EXPORTED).to_json();
        let mut old: Value = serde_json::from_str(&new).unwrap();
        let mut format_1 = Vec::new();
        for doc in old["documents"].as_array().unwrap() {
            let doc = crate::sync::AnyDoc::from_value(doc.clone()).unwrap();
            format_1.push(doc.to_value_format1());
        }
        old["documents"] = Value::Array(format_1);
        let old = serde_json::to_string_pretty(&old).unwrap();
        assert!(old.contains("\"format\": 1") && !old.contains("\"format\": 2"));
        assert_eq!(Backup::from_json(&old).unwrap(), Backup::new(&all, EXPORTED));
        assert!(new.len() < old.len(), "the new backup is smaller: {} against {} bytes", new.len(), old.len());
    }

    #[test]
    fn importing_the_same_backup_twice_changes_nothing_the_second_time() {
        let backup = Backup::from_json(&Backup::new(&year_2024(), EXPORTED).to_json()).unwrap();
        let mut here = AllDocs::default();
        assert_eq!(import(&mut here, &backup).unwrap(), ImportCounts { added: 30, updated: 0, unchanged: 0 });
        let once = here.clone();
        assert_eq!(import(&mut here, &backup).unwrap(), ImportCounts { added: 0, updated: 0, unchanged: 30 });
        assert_eq!(here, once);
    }

    #[test]
    fn an_old_backup_does_not_undo_newer_edits_and_unseen_edits_are_merged_in() {
        let old = Backup::new(&year_2024(), EXPORTED);
        let mut here = year_2024();
        let mut body = here.activities[9].body.clone();
        body.place = "县人民法院".into();
        here.activities[9].edit(body, stamp(5_000));
        let before = here.clone();
        assert_eq!(import(&mut here, &old).unwrap().updated, 0);
        assert_eq!(here, before, "the place filled in after the backup stays");

        // A backup from another device with an edit this one has not seen.
        let mut other = year_2024();
        let mut body = other.people[0].body.clone();
        body.phone = "0771-3621234".into();
        other.people[0].edit(body, Stamp { hlc: Hlc { millis: 6_000, counter: 0 }, device: DeviceId("tablet-b".into()) });
        let counts = import(&mut here, &Backup::new(&other, EXPORTED)).unwrap();
        assert_eq!((counts.updated, counts.unchanged), (1, 29));
        assert_eq!((here.people[0].body.phone.as_str(), here.activities[9].body.place.as_str()), ("0771-3621234", "县人民法院"));
    }

    #[test]
    fn foreign_or_newer_files_are_refused_with_a_reason() {
        assert!(matches!(Backup::from_json("{not json"), Err(BackupError::Malformed(_))));
        assert!(matches!(Backup::from_json(r#"{"app":"other","backup_format":1,"exported_at":1,"documents":[]}"#), Err(BackupError::Malformed(_))));
        let newer = r#"{"app":"xunfang","backup_format":2,"exported_at":1,"documents":[]}"#;
        assert!(Backup::from_json(newer).unwrap_err().to_string().contains("update the app"));
        let unknown = r#"{"app":"xunfang","backup_format":1,"exported_at":1,"documents":[{"type":"meeting","format":1}]}"#;
        assert!(matches!(Backup::from_json(unknown), Err(BackupError::TooNew(_))));
        let json = Backup::new(&year_2024(), 1).to_json().replacen("\"format\": 2", "\"format\": 9", 1);
        assert!(matches!(Backup::from_json(&json), Err(BackupError::TooNew(_))));
    }
}
