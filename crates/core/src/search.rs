//! Finding records: text search over every field a person would remember,
//! and the list's filter (kind, period, text), newest first.
//!
//! Chinese has no word breaks, so matching is by substring after folding
//! case and full-width letters and digits; several words must all match.

use crate::doc::Document;
use crate::id::Id;
use crate::model::Activity;
use crate::period::Period;
use chrono::NaiveDate;
use std::collections::HashMap;

/// Folds case and full-width ASCII (ＡＢＣ１２３, the ideographic space) so
/// that what is typed on a Chinese keyboard matches what was stored.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let c = match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        };
        // The common cases without the Unicode case tables (a binary search
        // per character): a first sync folds every record's text for its list row.
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else if has_no_case(c) {
            out.push(c);
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// CJK punctuation, kana, and the ideographs up to U+9FFF (Chinese text is
/// nearly all of these): none has a lowercase other than itself, which
/// `every_character_said_to_have_no_case_lowercases_to_itself` checks.
fn has_no_case(c: char) -> bool {
    ('\u{3001}'..='\u{9FFF}').contains(&c)
}

/// A parsed search: whitespace-separated terms, all of which must match.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    terms: Vec<String>,
}

impl Query {
    pub fn parse(text: &str) -> Query {
        Query { terms: fold(text).split_whitespace().map(str::to_string).collect() }
    }

    pub fn terms(&self) -> &[String] {
        &self.terms
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Whether every term occurs in the folded haystack.
    pub fn matches(&self, haystack: &str) -> bool {
        self.terms.iter().all(|t| haystack.contains(t.as_str()))
    }
}

/// All the text of an activity a search looks at, folded: title, place,
/// organiser, notes, findings, follow-up, tags, suggestions, the names of
/// the participants (looked up in the roster by `names`) and the custom
/// fields' values as stored (a choice by its key: `custom_labels` adds the
/// options' labels where the template is at hand).
pub fn haystack(a: &Activity, names: &HashMap<Id, String>) -> String {
    let mut parts: Vec<&str> = vec![&a.title, &a.place, &a.organiser, &a.notes, &a.findings, &a.follow_up];
    parts.extend(a.tags.iter().map(String::as_str));
    for s in &a.suggestions {
        parts.extend([s.content.as_str(), s.raised_by.as_str(), s.department.as_str(), s.reply.as_str()]);
    }
    parts.extend(a.participants.iter().filter_map(|p| names.get(&p.person)).map(String::as_str));
    parts.extend(a.photos.iter().map(|p| p.caption.as_str()));
    let custom: Vec<String> = a.custom.values().map(|v| crate::custom::display(None, v, crate::lang::Lang::Zh)).collect();
    parts.extend(custom.iter().map(String::as_str));
    // A separator no one types keeps a term from matching across two fields.
    fold(&parts.join("\u{1}"))
}

/// The labels, in both languages, of the options a record's choice fields
/// hold, folded and joined as `haystack` joins: "合格" finds a record whose
/// result is `pass` whichever language it was recorded in.
pub fn custom_labels(a: &Activity, template: &crate::template::Template) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for (key, value) in &a.custom {
        if let (Some(def), crate::custom::FieldValue::Text(t)) = (template.field(key), value) {
            if let Some(o) = def.option(t) {
                parts.extend([o.zh.as_str(), o.en.as_str()]);
            }
        }
    }
    fold(&parts.join("\u{1}"))
}

/// What the record list shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListFilter {
    /// A kind key, or every kind.
    pub kind: Option<String>,
    pub period: Period,
    pub text: String,
}

/// The documents that pass the filter, newest first: by date, then start
/// time, then creation (ids are time-ordered). Undated drafts come first,
/// since they are what someone is still writing. Trashed documents never show.
pub fn filter_activities<'a>(
    docs: &'a [Document<Activity>],
    filter: &ListFilter,
    names: &HashMap<Id, String>,
    today: NaiveDate,
) -> Vec<&'a Document<Activity>> {
    let query = Query::parse(&filter.text);
    let mut out: Vec<&Document<Activity>> = docs
        .iter()
        .filter(|d| !d.trashed)
        .filter(|d| filter.kind.as_ref().is_none_or(|k| &d.body.kind == k))
        .filter(|d| filter.period.contains(d.body.date, today))
        .filter(|d| query.is_empty() || query.matches(&haystack(&d.body, names)))
        .collect();
    out.sort_by(|a, b| {
        let key = |d: &Document<Activity>| (d.body.date.is_none(), d.body.date, d.body.start, d.id.clone());
        key(b).cmp(&key(a))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{DeviceId, Hlc, Stamp};
    use crate::model::{Attendance, Participant, Suggestion};

    fn id(n: u64) -> Id {
        Id::new_v7(1_700_000_000_000 + n, [n as u8; 10])
    }

    fn doc(n: u64, kind: &str, title: &str, date: Option<NaiveDate>) -> Document<Activity> {
        let stamp = Stamp { hlc: Hlc { millis: n, counter: 0 }, device: DeviceId("t".into()) };
        Document::create(id(n), Activity { kind: kind.into(), title: title.into(), date, ..Activity::default() }, stamp)
    }

    fn d(m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(2024, m, day)
    }

    #[test]
    fn chinese_substrings_match_and_all_terms_must_match() {
        let q = Query::parse("饮水 工程");
        assert!(q.matches(&fold("视察农村饮水安全工程")));
        assert!(!Query::parse("饮水 法院").matches(&fold("视察农村饮水安全工程")));
        assert!(Query::parse("ＡＢＣ１").matches(&fold("abc123")), "full-width input matches");
        assert!(Query::parse("Court").matches(&fold("court HEARING")));
    }

    #[test]
    fn every_character_said_to_have_no_case_lowercases_to_itself() {
        let checked = ('\u{0}'..=char::MAX).filter(|&c| has_no_case(c)).inspect(|&c| assert!(c.to_lowercase().eq([c]), "{c:?}")).count();
        assert_eq!(checked, 0x9FFF - 0x3001 + 1);
        assert!(('\u{0}'..='\u{7F}').all(|c| c.to_lowercase().eq([c.to_ascii_lowercase()])));
    }

    #[test]
    fn folding_lowercases_every_script_and_narrows_full_width_ascii() {
        assert_eq!(fold("ＡＢＣ１２３\u{3000}Çà ΣΑΣ İ 县政协Ⓐ"), "abc123 çà σασ i\u{307} 县政协ⓐ");
    }

    #[test]
    fn search_finds_text_in_suggestions_and_participant_names() {
        let mut a = Activity { title: "座谈会".into(), ..Activity::default() };
        a.suggestions.push(Suggestion { content: "增设路灯".into(), department: "住建局".into(), ..Suggestion::new(id(50)) });
        a.participants.push(Participant { person: id(60), status: Attendance::Attended, reason: String::new() });
        let names = HashMap::from([(id(60), "王建国".to_string())]);
        let hay = haystack(&a, &names);
        for term in ["路灯", "住建", "建国", "座谈"] {
            assert!(Query::parse(term).matches(&hay), "{term} should match");
        }
        assert!(!Query::parse("谈增").matches(&hay), "terms do not match across fields");
    }

    #[test]
    fn search_finds_custom_values_and_the_labels_of_chosen_options() {
        use crate::custom::FieldValue;
        let t = crate::template::Template::school_safety();
        let mut a = Activity { kind: "school_inspection".into(), title: "检查".into(), ..Activity::default() };
        a.custom.insert("school".into(), FieldValue::Text("城关第二小学".into()));
        a.custom.insert("result".into(), FieldValue::Text("rectify".into()));
        a.custom.insert("hazards_found".into(), FieldValue::Number(14.0));
        let hay = [haystack(&a, &HashMap::new()), custom_labels(&a, &t)].join("\u{1}");
        for term in ["第二小学", "限期整改", "rectify by", "14"] {
            assert!(Query::parse(term).matches(&hay), "{term} should match");
        }
        assert!(!Query::parse("不合格").matches(&hay), "an option not chosen does not match");
        let row = crate::list::ListRow::of(&doc(1, "school_inspection", "检查", d(3, 1)), &t);
        assert!(row.incomplete, "required custom fields left empty make the row incomplete");
    }

    #[test]
    fn the_list_is_newest_first_filtered_by_kind_period_and_text_without_trash() {
        let mut docs = vec![
            doc(1, "visit", "走访企业", d(3, 1)),
            doc(2, "hearing", "旁听庭审", d(5, 20)),
            doc(3, "visit", "走访委员", d(11, 2)),
            doc(4, "forum", "草稿", None),
            doc(5, "visit", "已删除的走访", d(6, 1)),
        ];
        docs[4].set_trashed(true, Stamp { hlc: Hlc { millis: 9, counter: 0 }, device: DeviceId("t".into()) });
        let names = HashMap::new();
        let today = NaiveDate::from_ymd_opt(2024, 11, 28).unwrap();
        let titles = |f: &ListFilter| -> Vec<String> { filter_activities(&docs, f, &names, today).iter().map(|d| d.body.title.clone()).collect() };
        assert_eq!(titles(&ListFilter::default()), ["草稿", "走访委员", "旁听庭审", "走访企业"]);
        assert_eq!(titles(&ListFilter { kind: Some("visit".into()), ..ListFilter::default() }), ["走访委员", "走访企业"]);
        assert_eq!(titles(&ListFilter { period: Period::ThisQuarter, ..ListFilter::default() }), ["走访委员"]);
        assert_eq!(titles(&ListFilter { text: "走访".into(), ..ListFilter::default() }), ["走访委员", "走访企业"]);
    }
}
