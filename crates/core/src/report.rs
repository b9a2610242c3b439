//! The period report: every figure for a date range, computed from the
//! records — activities by kind, person-times (人次), people involved,
//! suggestions by status, proposals and opinion reports, activities per
//! month and kind (for a bar chart) and a per-person sheet (attendance by
//! kind, invited/absent, the rule's flag, the points score).
//!
//! Only live (not trashed) records dated within the range count; undated
//! drafts are counted apart so the office can see what was left out.

use crate::attendance::AttendanceCount;
use crate::attendance_rule::{person_attendance, Flag, RuleSettings};
use crate::id::Id;
use crate::model::{Attendance, SuggestionStatus};
use crate::points::{score, Scheme};
use crate::records::{DateRange, Records};
use crate::suggestions_board::{count_by_status, is_closed, was_forwarded};
use crate::template::Template;
use chrono::{Datelike, NaiveDate};
use std::collections::BTreeSet;

/// Activities of one month, per kind (aligned with `PeriodReport::kinds`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MonthRow {
    /// Calendar year.
    pub year: i32,
    /// Month, 1–12.
    pub month: u32,
    /// Number of activities per kind, in `PeriodReport::kinds` order.
    pub counts: Vec<u32>,
}

/// One person's line of the per-person sheet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SheetRow {
    /// The person's id.
    pub person: Id,
    /// The person's name.
    pub name: String,
    /// Activities attended per kind, in `PeriodReport::kinds` order.
    pub attended_by_kind: Vec<u32>,
    /// Invited, attended, excused, absent over the period.
    pub count: AttendanceCount,
    /// The most absences in a row (excused ones skipped).
    pub longest_absent_run: u32,
    /// The attendance rule's outcome.
    pub flag: Option<Flag>,
    /// Points score (履职积分).
    pub score: i32,
    /// Whether the score reaches the pass mark.
    pub passed: bool,
}

/// Every figure of a period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeriodReport {
    /// The range covered.
    pub range: DateRange,
    /// Number of activities.
    pub activities: u32,
    /// Kind keys that occur in the period: template order first, then
    /// unknown keys (from a newer template) sorted.
    pub kinds: Vec<String>,
    /// Number of activities per kind, aligned with `kinds`.
    pub by_kind: Vec<u32>,
    /// Person-times (人次): attendees summed over activities.
    pub person_times: u32,
    /// Distinct roster people invited to at least one activity.
    pub people_invited: u32,
    /// Distinct roster people who attended at least one activity.
    pub people_attended: u32,
    /// Suggestions collected at the period's activities.
    pub suggestions: u32,
    /// Suggestions per status, in `SuggestionStatus::ALL` order.
    pub suggestions_by_status: [(SuggestionStatus, u32); 5],
    /// Suggestions that have been forwarded (any status past collected).
    pub suggestions_forwarded: u32,
    /// Suggestions resolved or answered.
    pub suggestions_closed: u32,
    /// Closed suggestions whose raiser was told.
    pub suggestions_raiser_told: u32,
    /// Proposals submitted in the period.
    pub proposals: u32,
    /// Opinion reports dated in the period.
    pub opinion_reports: u32,
    /// Every month of the range (or, for a range over ten years, the months
    /// from the first to the last activity), with counts per kind.
    pub by_month: Vec<MonthRow>,
    /// One row per person on the roster who is active or was invited.
    pub sheet: Vec<SheetRow>,
    /// Live activities with no date: not counted in any period.
    pub undated_activities: u32,
}

impl PeriodReport {
    /// The number of activities of `kind` (0 if none).
    pub fn count_of(&self, kind: &str) -> u32 {
        self.kinds.iter().position(|k| k == kind).map_or(0, |i| self.by_kind[i])
    }

    /// The per-person sheet as the attendance screen lists it: whom the rule
    /// flags first (removal recommended, then warned), then by name.
    pub fn sheet_flagged_first(&self) -> Vec<&SheetRow> {
        let mut rows: Vec<&SheetRow> = self.sheet.iter().collect();
        rows.sort_by(|a, b| (b.flag, &a.name).cmp(&(a.flag, &b.name)));
        rows
    }

    /// The number of suggestions with `status`.
    pub fn with_status(&self, status: SuggestionStatus) -> u32 {
        self.suggestions_by_status.iter().find(|(s, _)| *s == status).map_or(0, |(_, n)| *n)
    }
}

fn months(from: NaiveDate, to: NaiveDate) -> Vec<(i32, u32)> {
    let mut out = Vec::new();
    let (mut y, mut m) = (from.year(), from.month());
    while (y, m) <= (to.year(), to.month()) {
        out.push((y, m));
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
    out
}

/// Computes the report for `range`.
pub fn period_report(records: &Records<'_>, range: DateRange, template: &Template, rule: &RuleSettings, scheme: &Scheme) -> PeriodReport {
    let acts = records.activities_in(range);
    let present: BTreeSet<&str> = acts.iter().map(|d| d.body.kind.as_str()).collect();
    let mut kinds: Vec<String> = template.kinds.iter().map(|k| k.key.clone()).filter(|k| present.contains(k.as_str())).collect();
    kinds.extend(present.iter().filter(|k| template.kind(k).is_none()).map(|k| k.to_string()));
    let kind_index = |k: &str| kinds.iter().position(|x| x == k).expect("every present kind is listed");
    let mut by_kind = vec![0u32; kinds.len()];
    for d in &acts {
        by_kind[kind_index(&d.body.kind)] += 1;
    }

    let dates: Vec<NaiveDate> = acts.iter().filter_map(|d| d.body.date).collect();
    let span = if (range.to.year() - range.from.year()) <= 10 {
        Some((range.from, range.to))
    } else {
        dates.iter().min().zip(dates.iter().max()).map(|(a, b)| (*a, *b))
    };
    let by_month = span
        .map(|(from, to)| months(from, to))
        .unwrap_or_default()
        .into_iter()
        .map(|(year, month)| {
            let mut counts = vec![0u32; kinds.len()];
            for d in acts.iter().filter(|d| d.body.date.is_some_and(|x| x.year() == year && x.month() == month)) {
                counts[kind_index(&d.body.kind)] += 1;
            }
            MonthRow { year, month, counts }
        })
        .collect();

    let invited: BTreeSet<&Id> = acts.iter().flat_map(|d| d.body.participants.iter()).map(|p| &p.person).collect();
    let attended: BTreeSet<&Id> =
        acts.iter().flat_map(|d| d.body.participants.iter()).filter(|p| p.status == Attendance::Attended).map(|p| &p.person).collect();
    let suggestions: Vec<_> = acts.iter().flat_map(|d| d.body.suggestions.iter()).collect();

    let sheet = records
        .live_people()
        .filter(|p| p.body.active || invited.contains(&p.id))
        .map(|p| {
            let a = person_attendance(&p.id, &acts, rule);
            let s = score(&p.id, records, range, scheme);
            let mut attended_by_kind = vec![0u32; kinds.len()];
            for d in &acts {
                if d.body.participant(&p.id).is_some_and(|x| x.status == Attendance::Attended) {
                    attended_by_kind[kind_index(&d.body.kind)] += 1;
                }
            }
            SheetRow {
                person: p.id.clone(),
                name: p.body.name.clone(),
                attended_by_kind,
                count: a.count,
                longest_absent_run: a.longest_absent_run,
                flag: a.flag,
                score: s.total,
                passed: s.passed,
            }
        })
        .collect();

    PeriodReport {
        range,
        activities: acts.len() as u32,
        kinds,
        by_kind,
        person_times: acts.iter().map(|d| d.body.person_times()).sum(),
        people_invited: invited.len() as u32,
        people_attended: attended.len() as u32,
        suggestions: suggestions.len() as u32,
        suggestions_by_status: count_by_status(suggestions.iter().copied()),
        suggestions_forwarded: suggestions.iter().filter(|s| was_forwarded(s.status)).count() as u32,
        suggestions_closed: suggestions.iter().filter(|s| is_closed(s.status)).count() as u32,
        suggestions_raiser_told: suggestions.iter().filter(|s| is_closed(s.status) && s.told_raiser).count() as u32,
        proposals: records.proposals_in(range).len() as u32,
        opinion_reports: records.opinion_reports_in(range).len() as u32,
        by_month,
        sheet,
        undated_activities: records.live_activities().filter(|d| d.body.date.is_none()).count() as u32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::{d, id, year_2024};

    fn report_2024() -> PeriodReport {
        let all = year_2024();
        period_report(&all.records(), DateRange::year(2024), &Template::liaison(), &RuleSettings::default(), &Scheme::default())
    }

    #[test]
    fn the_fixture_year_adds_up_to_the_seed_figures() {
        let r = report_2024();
        assert_eq!(r.activities, 14, "6 hearings + 6 forums + 1 survey + 1 open day; the draft and the trashed record are out");
        assert_eq!(r.kinds, ["survey", "forum", "hearing", "other"], "template order");
        assert_eq!(r.by_kind, [1, 6, 6, 1]);
        assert_eq!((r.count_of("hearing"), r.count_of("visit")), (6, 0));
        assert_eq!(r.person_times, 38);
        assert_eq!((r.people_invited, r.people_attended), (10, 10));
        assert_eq!(r.suggestions, 6);
        assert_eq!(r.suggestions_by_status.map(|(_, n)| n), [2, 1, 1, 1, 1]);
        assert_eq!((r.suggestions_forwarded, r.suggestions_closed, r.suggestions_raiser_told), (4, 2, 1));
        assert_eq!((r.proposals, r.opinion_reports), (1, 1), "the 2025 proposal is outside the period");
        assert_eq!(r.undated_activities, 1);
    }

    #[test]
    fn the_month_by_kind_table_has_every_month_of_the_year() {
        let r = report_2024();
        assert_eq!(r.by_month.len(), 12);
        assert_eq!((r.by_month[0].year, r.by_month[0].month, r.by_month[0].counts.clone()), (2024, 1, vec![0, 0, 0, 0]));
        assert_eq!(r.by_month[2].counts, [0, 1, 1, 0], "March: a hearing and its forum");
        assert_eq!(r.by_month[6].counts, [1, 0, 0, 0], "July: the survey");
        let total: u32 = r.by_month.iter().flat_map(|m| m.counts.iter()).sum();
        assert_eq!(total, r.activities);
    }

    #[test]
    fn the_per_person_sheet_has_attendance_by_kind_flags_and_scores() {
        let r = report_2024();
        assert_eq!(r.sheet.len(), 11, "the supervisor is active though never invited");
        let row = |n: u64| r.sheet.iter().find(|s| s.person == id(n)).unwrap();
        let wei = row(1);
        assert_eq!((wei.name.as_str(), wei.attended_by_kind.clone()), ("韦志强", vec![0, 2, 2, 1]));
        assert_eq!((wei.count.invited, wei.count.absent, wei.flag, wei.score, wei.passed), (5, 0, None, 72, true));
        let ma = row(10);
        assert_eq!((ma.count.invited, ma.count.absent, ma.flag, ma.score, ma.passed), (4, 3, Some(Flag::RecommendRemoval), 53, false));
        let attended: u32 = r.sheet.iter().map(|s| s.count.attended).sum();
        assert_eq!(attended + 3, r.person_times, "roster attendances plus the open day's 3 other visitors");
    }

    #[test]
    fn the_attendance_sheet_lists_flagged_people_first_then_by_name() {
        let r = report_2024();
        let rows = r.sheet_flagged_first();
        assert_eq!(rows.len(), r.sheet.len());
        assert_eq!((rows[0].name.as_str(), rows[0].flag, rows[0].longest_absent_run), ("马晓东", Some(Flag::RecommendRemoval), 3));
        let flags: Vec<_> = rows.iter().map(|s| s.flag).collect();
        assert!(flags.windows(2).all(|w| w[0] >= w[1]), "worst flag first: {flags:?}");
        let unflagged: Vec<&str> = rows.iter().filter(|s| s.flag.is_none()).map(|s| s.name.as_str()).collect();
        assert!(unflagged.windows(2).all(|w| w[0] <= w[1]), "then by name: {unflagged:?}");
    }

    #[test]
    fn a_range_with_nothing_recorded_reports_zeros_not_gaps() {
        let all = year_2024();
        let empty = DateRange::new(d(2023, 1, 1), d(2023, 3, 31));
        let r = period_report(&all.records(), empty, &Template::liaison(), &RuleSettings::default(), &Scheme::default());
        assert_eq!((r.activities, r.person_times, r.suggestions, r.kinds.len()), (0, 0, 0, 0));
        assert_eq!(r.by_month.len(), 3);
        assert!(r.sheet.iter().all(|s| s.count == AttendanceCount::default() && s.flag.is_none()));
    }
}
