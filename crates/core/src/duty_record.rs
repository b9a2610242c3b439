//! The per-member duty record (履职档案) of one year: activities attended by
//! kind, excused and absent with dates, suggestions raised and where they
//! stand, and the points — one printed page per member.
//!
//! Attendance counts and points are the period report's (one home for those
//! rules); this module only adds the dated lists. A suggestion is a member's
//! when its "raised by" is the member's name (it is free text on the record).

use crate::attendance_rule::RuleSettings;
use crate::lang::Lang;
use crate::model::Attendance;
use crate::points::Scheme;
use crate::records::{DateRange, Records};
use crate::report::period_report;
use crate::template::Template;
use crate::Id;
use chrono::NaiveDate;

/// One dated line: an activity the member was excused from or missed, or a
/// suggestion the member raised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dated {
    pub date: NaiveDate,
    /// The activity's title (for a suggestion: its text).
    pub what: String,
    /// The excuse's reason, or the suggestion's status and reply.
    pub note: String,
}

/// One member's year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DutyRecord {
    pub person: Id,
    pub name: String,
    /// The member's role, in the chosen language.
    pub role: String,
    /// (kind label, times attended), kinds of the year's activities in template order.
    pub attended_by_kind: Vec<(String, u32)>,
    pub attended: u32,
    pub excused: Vec<Dated>,
    pub absent: Vec<Dated>,
    pub suggestions: Vec<Dated>,
    pub score: i32,
    pub passed: bool,
}

/// The duty records of `year`: every member of the year's per-person sheet
/// (active, or invited that year), in the sheet's order.
pub fn duty_records(records: &Records<'_>, year: i32, template: &Template, rule: &RuleSettings, scheme: &Scheme, lang: Lang) -> Vec<DutyRecord> {
    let en = lang == Lang::En;
    let range = DateRange::year(year);
    let report = period_report(records, range, template, rule, scheme);
    let mut acts = records.activities_in(range);
    acts.sort_by(|a, b| (a.body.date, a.body.start, &a.id).cmp(&(b.body.date, b.body.start, &b.id)));
    let role_of = |id: &Id| records.live_people().find(|p| &p.id == id).map(|p| template.role_label(&p.body.role, en).to_string()).unwrap_or_default();
    report
        .sheet
        .iter()
        .map(|row| {
            let with = |status: Attendance| -> Vec<Dated> {
                acts.iter()
                    .filter_map(|d| {
                        let p = d.body.participant(&row.person).filter(|p| p.status == status)?;
                        Some(Dated { date: d.body.date?, what: d.body.title.trim().to_string(), note: p.reason.trim().to_string() })
                    })
                    .collect()
            };
            let suggestions = acts
                .iter()
                .flat_map(|d| d.body.suggestions.iter().map(move |s| (d, s)))
                .filter(|(_, s)| !row.name.trim().is_empty() && s.raised_by.trim() == row.name.trim())
                .filter_map(|(d, s)| {
                    let status = s.status.label(lang);
                    let note = match s.reply.trim() {
                        "" => status.to_string(),
                        reply if en => format!("{status}: {reply}"),
                        reply => format!("{status}：{reply}"),
                    };
                    Some(Dated { date: d.body.date?, what: s.content.trim().to_string(), note })
                })
                .collect();
            DutyRecord {
                person: row.person.clone(),
                name: row.name.clone(),
                role: role_of(&row.person),
                attended_by_kind: report.kinds.iter().zip(&row.attended_by_kind).map(|(k, n)| (template.kind_label(k, en).to_string(), *n)).collect(),
                attended: row.count.attended,
                excused: with(Attendance::Excused),
                absent: with(Attendance::Absent),
                suggestions,
                score: row.score,
                passed: row.passed,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::{d, year_2024};

    fn records_2024(lang: Lang) -> Vec<DutyRecord> {
        let all = year_2024();
        duty_records(&all.records(), 2024, &Template::liaison(), &RuleSettings::default(), &Scheme::default(), lang)
    }

    #[test]
    fn a_member_who_missed_three_hearings_has_them_dated_with_the_points_of_the_report() {
        let all = records_2024(Lang::Zh);
        assert_eq!(all.len(), 11, "one record per member of the year's sheet");
        let ma = all.iter().find(|r| r.name == "马晓东").unwrap();
        assert_eq!(ma.absent.iter().map(|x| x.date).collect::<Vec<_>>(), [d(2024, 10, 10), d(2024, 10, 10), d(2024, 11, 27)]);
        assert_eq!(ma.absent[0].what, "旁听庭审：民间借贷纠纷案");
        assert_eq!((ma.attended, ma.score, ma.passed), (1, 53, false));
        assert_eq!(ma.attended_by_kind.iter().map(|(_, n)| n).sum::<u32>(), 1);
        assert!(ma.excused.is_empty());
    }

    #[test]
    fn excuses_keep_their_reason_and_suggestions_their_outcome() {
        let all = records_2024(Lang::Zh);
        let pan = all.iter().find(|r| r.name == "潘玉兰").unwrap();
        assert_eq!(pan.excused.len(), 1);
        assert_eq!(pan.excused[0].date, d(2024, 4, 18));
        assert_eq!(pan.absent.len(), 2);
        let wei = all.iter().find(|r| r.name == "韦志强").unwrap();
        let first = wei.suggestions.iter().find(|s| s.what.starts_with("庭审中当事人陈述时间分配不均")).unwrap();
        assert_eq!((first.date, first.note.as_str()), (d(2024, 3, 12), "已答复：已在全院庭审规范化培训中通报"));
        assert!(all.iter().all(|r| r.suggestions.iter().all(|s| !s.what.is_empty())));
        let en = records_2024(Lang::En);
        let wei = en.iter().find(|r| r.name == "韦志强").unwrap();
        assert!(wei.suggestions.iter().any(|s| s.note == "Answered: 已在全院庭审规范化培训中通报"), "{:?}", wei.suggestions);
        assert_eq!(wei.role, "Deputy");
    }
}
