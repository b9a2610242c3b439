//! The record list's own small copy of each activity: what a card shows and
//! what a search looks at, without the per-field stamps that make up most of
//! a stored document. The app keeps one row per activity next to the
//! documents, so a list of 10,000 records reads and filters a few MB instead
//! of ~90 MB of documents.
//!
//! Participants' names are not copied into the row (a person can be renamed
//! after the record was written): a search looks them up at query time, so
//! rows and `search::filter_activities` find exactly the same records.

use crate::doc::Document;
use crate::id::Id;
use crate::model::Activity;
use crate::search::{fold, ListFilter, Query};
use crate::template::Template;
use crate::validate::activity_problems;
use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};
use std::borrow::Borrow;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Bumped when what a row holds changes: rows of another version are rebuilt
/// from the documents.
/// 2: the text holds custom fields' values and "incomplete" their problems.
pub const ROW_VERSION: u32 = 2;

/// One activity as the list shows and searches it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ListRow {
    pub id: Id,
    /// Orders the list when read through an index: see `sort_key`.
    pub sort: String,
    #[serde(default)]
    pub row_version: u32,
    pub kind: String,
    pub title: String,
    pub date: Option<NaiveDate>,
    #[serde(default)]
    pub start: Option<NaiveTime>,
    pub place: String,
    pub person_times: u32,
    pub suggestions: u32,
    /// The record has problems left (a missing date, title, ...).
    pub incomplete: bool,
    pub trashed: bool,
    /// Roster ids of the participants, whose names a search also matches.
    pub participants: Vec<Id>,
    /// Every searchable field but the names, folded (`search::fold`) and
    /// joined with a separator no one types.
    pub text: String,
}

impl ListRow {
    pub fn of(doc: &Document<Activity>, template: &Template) -> ListRow {
        let a = &doc.body;
        ListRow {
            id: doc.id.clone(),
            sort: sort_key(a.date, a.start, &doc.id),
            row_version: ROW_VERSION,
            kind: a.kind.clone(),
            title: a.title.trim().to_string(),
            date: a.date,
            start: a.start,
            place: a.place.clone(),
            person_times: a.person_times(),
            suggestions: a.suggestions.len() as u32,
            incomplete: !activity_problems(a, template).is_empty(),
            trashed: doc.trashed,
            participants: a.participants.iter().map(|p| p.person.clone()).collect(),
            text: [crate::search::haystack(a, &HashMap::new()), crate::search::custom_labels(a, template)].join("\u{1}"),
        }
    }
}

/// A string that sorts rows the way the list shows them when read in
/// descending order: undated drafts first, then by date, start time and
/// creation (ids are time-ordered), newest first.
pub fn sort_key(date: Option<NaiveDate>, start: Option<NaiveTime>, id: &Id) -> String {
    // '~' sorts after every digit, so undated rows come first in descending order.
    let date = date.map_or_else(|| "~".to_string(), |d| d.format("%Y-%m-%d").to_string());
    let start = start.map_or_else(String::new, |t| t.format("%H:%M:%S").to_string());
    format!("{date}|{start:<8}|{id}")
}

/// Sorts rows newest first, as the list shows them. Unstable: every key ends
/// with the record's id, so no two are equal and the order is the one a
/// stable sort gives; and it needs no scratch copy of the rows (the stable
/// sort takes one as large as the slice, up to 8 MB), which would stay in
/// the app's wasm memory: it grows, never shrinks.
pub fn sort_rows<R: Borrow<ListRow>>(rows: &mut [R]) {
    rows.sort_unstable_by(|a, b| b.borrow().sort.cmp(&a.borrow().sort));
}

/// The rows after those of some activities changed, in list order: what reading
/// every row again would give. `fresh` are the changed activities' rows as read
/// now (one each), `gone` the changed ones that have no row any more. The other
/// rows are shared, not copied, so a sync that brought a few records costs the
/// list a few rows, not a second copy of all of them.
pub fn patch_rows(rows: &[Arc<ListRow>], fresh: Vec<ListRow>, gone: &[Id]) -> Vec<Arc<ListRow>> {
    let replaced: HashSet<&Id> = fresh.iter().map(|r| &r.id).chain(gone).collect();
    let mut out: Vec<Arc<ListRow>> = rows.iter().filter(|r| !replaced.contains(&r.id)).cloned().collect();
    out.extend(fresh.into_iter().map(Arc::new));
    sort_rows(&mut out);
    out
}

/// For each character of the rows' text, which rows contain it (a bit per
/// row). A search term can only occur in rows that contain all of its
/// characters: the substring test then runs on those alone, and a one-character
/// term (common in Chinese) needs no substring test at all.
#[derive(Clone, Debug, Default)]
pub struct CharIndex {
    bits: HashMap<char, Vec<u64>>,
    words: usize,
}

impl CharIndex {
    pub fn new<R: Borrow<ListRow>>(rows: &[R]) -> CharIndex {
        let words = rows.len().div_ceil(64);
        let mut bits: HashMap<char, Vec<u64>> = HashMap::new();
        for (i, row) in rows.iter().enumerate() {
            for c in row.borrow().text.chars() {
                let set = bits.entry(c).or_insert_with(|| vec![0; words]);
                set[i / 64] |= 1 << (i % 64);
            }
        }
        CharIndex { bits, words }
    }

    /// Rows that contain every character of `term` (all rows for an empty term).
    fn candidates(&self, term: &str) -> Vec<u64> {
        let mut out = vec![u64::MAX; self.words];
        for c in term.chars() {
            match self.bits.get(&c) {
                Some(set) => out.iter_mut().zip(set).for_each(|(o, s)| *o &= s),
                None => return vec![0; self.words],
            }
        }
        out
    }
}

fn has(bits: &[u64], i: usize) -> bool {
    bits[i / 64] & (1 << (i % 64)) != 0
}

/// Positions in `rows` (already sorted by `sort_rows`, and indexed by
/// `index`) that pass the filter, in order. Matches exactly what
/// `search::filter_activities` returns for the same documents: every term
/// must occur in one field, a participant's name counting as a field.
pub fn filter_rows<R: Borrow<ListRow>>(rows: &[R], index: &CharIndex, filter: &ListFilter, names: &HashMap<Id, String>, today: NaiveDate) -> Vec<usize> {
    let query = Query::parse(&filter.text);
    let candidates: Vec<Vec<u64>> = query.terms().iter().map(|t| index.candidates(t)).collect();
    let one_char: Vec<bool> = query.terms().iter().map(|t| t.chars().count() == 1).collect();
    // For each term, the people whose (folded) name contains it.
    let named: Vec<HashSet<&Id>> =
        query.terms().iter().map(|t| names.iter().filter(|(_, n)| fold(n).contains(t.as_str())).map(|(id, _)| id).collect()).collect();
    let matches = |i: usize, r: &ListRow| {
        query.terms().iter().enumerate().all(|(n, t)| {
            let in_text = has(&candidates[n], i) && (one_char[n] || r.text.contains(t.as_str()));
            in_text || r.participants.iter().any(|p| named[n].contains(p))
        })
    };
    rows.iter()
        .map(Borrow::borrow)
        .enumerate()
        .filter(|(_, r)| !r.trashed)
        .filter(|(_, r)| filter.kind.as_ref().is_none_or(|k| &r.kind == k))
        .filter(|(_, r)| filter.period.contains(r.date, today))
        .filter(|(i, r)| query.is_empty() || matches(*i, r))
        .map(|(i, _)| i)
        .collect()
}

/// Whether any row is not in the trash (to tell "no records yet" from "no matches").
pub fn any_live<R: Borrow<ListRow>>(rows: &[R]) -> bool {
    rows.iter().any(|r| !r.borrow().trashed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{DeviceId, Hlc, Stamp};
    use crate::model::{Attendance, Participant, Suggestion};
    use crate::period::Period;
    use crate::search::filter_activities;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    fn stamp(n: u64) -> Stamp {
        Stamp { hlc: Hlc { millis: n, counter: 0 }, device: DeviceId("t".into()) }
    }

    fn id(n: u64) -> Id {
        Id::new_v7(1_700_000_000_000 + n, [n as u8; 10])
    }

    const KINDS: [&str; 3] = ["visit", "hearing", "forum"];
    const WORDS: [&str; 6] = ["饮水", "工程", "法院", "走访", "ＡＢ", "路灯"];

    fn activity(n: u64, seed: &[u8]) -> Document<Activity> {
        let pick = |i: usize| seed.get(i).copied().unwrap_or(0) as usize;
        let mut a = Activity {
            kind: KINDS[pick(0) % 3].into(),
            title: format!("{}{}", WORDS[pick(1) % 6], WORDS[pick(2) % 6]),
            date: (pick(3) % 4 != 0).then(|| NaiveDate::from_ymd_opt(2024, 1 + (pick(4) % 12) as u32, 1 + (pick(5) % 28) as u32).unwrap()),
            start: (pick(6) % 2 == 0).then(|| NaiveTime::from_hms_opt((pick(7) % 24) as u32, 0, 0).unwrap()),
            place: WORDS[pick(8) % 6].into(),
            ..Activity::default()
        };
        if pick(9) % 2 == 0 {
            a.suggestions.push(Suggestion { content: WORDS[pick(10) % 6].into(), ..Suggestion::new(id(1000 + n)) });
        }
        a.participants.push(Participant { person: id(500 + (pick(11) % 3) as u64), status: Attendance::Attended, reason: String::new() });
        let mut doc = Document::create(id(n), a, stamp(n));
        if pick(12) % 5 == 0 {
            doc.set_trashed(true, stamp(n + 1));
        }
        doc
    }

    fn names() -> HashMap<Id, String> {
        HashMap::from([(id(500), "王建国".to_string()), (id(501), "李工程".to_string()), (id(502), "Zhang".to_string())])
    }

    proptest! {
        /// Rows filter and order exactly like the documents they were made from.
        #[test]
        fn rows_list_the_same_records_as_the_documents(
            seeds in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 13), 0..150),
            kind in proptest::option::of(0usize..3),
            text in prop_oneof![Just(String::new()), Just("工程".to_string()), Just("建国".to_string()), Just("ab 路灯".to_string()), Just("饮水 zhang".to_string()), Just("法".to_string()), Just("g 灯".to_string())],
            period in 0usize..3,
        ) {
            let docs: Vec<_> = seeds.iter().enumerate().map(|(n, s)| activity(n as u64 + 1, s)).collect();
            let template = Template::liaison();
            let mut rows: Vec<_> = docs.iter().map(|d| ListRow::of(d, &template)).collect();
            sort_rows(&mut rows);
            let filter = ListFilter {
                kind: kind.map(|k| KINDS[k].to_string()),
                period: [Period::All, Period::ThisYear, Period::Custom { from: NaiveDate::from_ymd_opt(2024, 3, 1), to: NaiveDate::from_ymd_opt(2024, 8, 31) }][period],
                text,
            };
            let today = NaiveDate::from_ymd_opt(2024, 11, 28).unwrap();
            let expected: Vec<Id> = filter_activities(&docs, &filter, &names(), today).iter().map(|d| d.id.clone()).collect();
            let index = CharIndex::new(&rows);
            let got: Vec<Id> = filter_rows(&rows, &index, &filter, &names(), today).into_iter().map(|i| rows[i].id.clone()).collect();
            prop_assert_eq!(got, expected);
        }
    }

    proptest! {
        /// Patching the rows read earlier with the ones written since gives what
        /// reading them all again gives.
        #[test]
        fn patched_rows_equal_all_rows_read_again(
            seeds in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 13), 1..60),
            edits in proptest::collection::vec((0usize..80, proptest::collection::vec(any::<u8>(), 13), any::<bool>()), 0..30),
        ) {
            let template = Template::liaison();
            let mut docs: Vec<Option<Document<Activity>>> = seeds.iter().enumerate().map(|(n, s)| Some(activity(n as u64 + 1, s))).collect();
            let mut before: Vec<Arc<ListRow>> = docs.iter().flatten().map(|d| Arc::new(ListRow::of(d, &template))).collect();
            sort_rows(&mut before);
            let mut changed = BTreeSet::new();
            for (at, seed, remove) in edits {
                // An index past the end is a new record; `remove` deletes one.
                let n = at.min(docs.len());
                if n == docs.len() {
                    docs.push(None);
                }
                docs[n] = (!remove).then(|| activity(n as u64 + 1, &seed));
                changed.insert(n);
            }
            // What the list reads again: the changed ones' rows as they are now.
            let (mut fresh, mut gone) = (Vec::new(), Vec::new());
            for n in changed {
                match &docs[n] {
                    Some(doc) => fresh.push(ListRow::of(doc, &template)),
                    None => gone.push(id(n as u64 + 1)),
                }
            }
            let mut again: Vec<ListRow> = docs.iter().flatten().map(|d| ListRow::of(d, &template)).collect();
            sort_rows(&mut again);
            let patched: Vec<ListRow> = patch_rows(&before, fresh, &gone).into_iter().map(|r| (*r).clone()).collect();
            prop_assert_eq!(patched, again);
        }
    }

    #[test]
    fn undated_drafts_sort_first_then_newest() {
        let d = |m| NaiveDate::from_ymd_opt(2024, m, 1);
        let t = |h| NaiveTime::from_hms_opt(h, 0, 0);
        let mut keys = [sort_key(d(3), None, &id(1)), sort_key(None, None, &id(2)), sort_key(d(3), t(9), &id(3)), sort_key(d(5), None, &id(4))];
        keys.sort_by(|a, b| b.cmp(a));
        assert!(keys[0].starts_with('~'));
        assert!(keys[1].starts_with("2024-05-01"));
        assert!(keys[2].contains("09:00:00"));
    }

    #[test]
    fn a_row_round_trips_and_is_much_smaller_than_its_document() {
        let doc = activity(7, &[1, 2, 3, 1, 5, 6, 0, 8, 2, 0, 4, 1, 1]);
        let row = ListRow::of(&doc, &Template::liaison());
        let json = serde_json::to_string(&row).unwrap();
        assert_eq!(serde_json::from_str::<ListRow>(&json).unwrap(), row);
        assert!(json.len() < doc.to_json().len());
        assert_eq!(row.row_version, ROW_VERSION);
    }
}
