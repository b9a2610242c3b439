//! The attendance rule from the seeds (连续两次不参加 → 口头警告; 连续三次 →
//! 建议取消资格), computed per person from the records.
//!
//! A person's activities are those they were invited to (listed as a
//! participant), in order of date, then start time (undated start first),
//! then id. Undated drafts have no place in that order and are left out.
//! "In a row" counts absences (缺席) only: an excused absence (请假) neither
//! counts towards a streak nor breaks it, so absent–excused–absent is two in
//! a row; attending breaks it. The rule looks at the longest streak within
//! the activities given (the caller passes the period's activities).

use crate::attendance::{count_for, AttendanceCount};
use crate::doc::Document;
use crate::id::Id;
use crate::model::{Activity, Attendance};
use serde::{Deserialize, Serialize};

/// The rule's thresholds: a setting of the office, not code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RuleSettings {
    /// Absences in a row that earn a verbal warning (口头警告).
    pub warn_after: u32,
    /// Absences in a row after which removal is recommended (建议取消资格).
    pub remove_after: u32,
}

impl Default for RuleSettings {
    /// The seeds' rule: two in a row warn, three recommend removal.
    fn default() -> Self {
        RuleSettings { warn_after: 2, remove_after: 3 }
    }
}

/// What the rule says about a person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// 口头警告
    Warning,
    /// 建议取消资格
    RecommendRemoval,
}

/// A person's attendance in the activities given, and what the rule says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonAttendance {
    /// The person's id.
    pub person: Id,
    /// Invited, attended, excused, absent.
    pub count: AttendanceCount,
    /// The most absences in a row (excused ones skipped).
    pub longest_absent_run: u32,
    /// Absences in a row at the end of the activities given.
    pub current_absent_run: u32,
    /// The rule's outcome, if any.
    pub flag: Option<Flag>,
}

/// The activities a person was invited to, in the rule's order (live and dated only).
pub fn invited_in_order<'a>(person: &Id, activities: &[&'a Document<Activity>]) -> Vec<&'a Document<Activity>> {
    let mut out: Vec<&Document<Activity>> =
        activities.iter().copied().filter(|d| !d.trashed && d.body.date.is_some() && d.body.participant(person).is_some()).collect();
    out.sort_by(|a, b| (a.body.date, a.body.start, &a.id).cmp(&(b.body.date, b.body.start, &b.id)));
    out
}

/// The longest and the trailing run of absences in a row of `statuses`
/// (in order); excused entries neither count nor break a run.
pub fn absent_runs(statuses: impl IntoIterator<Item = Attendance>) -> (u32, u32) {
    let (mut longest, mut current) = (0, 0);
    for s in statuses {
        match s {
            Attendance::Absent => {
                current += 1;
                longest = longest.max(current);
            }
            Attendance::Attended => current = 0,
            Attendance::Excused => {}
        }
    }
    (longest, current)
}

/// Applies the thresholds to a streak length.
pub fn flag_for(longest_absent_run: u32, settings: &RuleSettings) -> Option<Flag> {
    if settings.remove_after > 0 && longest_absent_run >= settings.remove_after {
        Some(Flag::RecommendRemoval)
    } else if settings.warn_after > 0 && longest_absent_run >= settings.warn_after {
        Some(Flag::Warning)
    } else {
        None
    }
}

/// One person's attendance over `activities` (the period's) and the rule's outcome.
pub fn person_attendance(person: &Id, activities: &[&Document<Activity>], settings: &RuleSettings) -> PersonAttendance {
    let ordered = invited_in_order(person, activities);
    let statuses = ordered.iter().filter_map(|d| d.body.participant(person)).map(|p| p.status);
    let (longest, current) = absent_runs(statuses);
    PersonAttendance {
        person: person.clone(),
        count: count_for(person, ordered.iter().map(|d| &d.body)),
        longest_absent_run: longest,
        current_absent_run: current,
        flag: flag_for(longest, settings),
    }
}

/// Everyone the rule flags among `people`, removal first, then by id.
pub fn flagged(people: &[Id], activities: &[&Document<Activity>], settings: &RuleSettings) -> Vec<PersonAttendance> {
    let mut out: Vec<PersonAttendance> = people.iter().map(|p| person_attendance(p, activities, settings)).filter(|a| a.flag.is_some()).collect();
    out.sort_by(|a, b| (b.flag, &a.person).cmp(&(a.flag, &b.person)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::{id, year_2024};
    use crate::records::DateRange;
    use Attendance::*;

    #[test]
    fn excused_absences_neither_count_nor_break_a_streak() {
        assert_eq!(absent_runs([Absent, Excused, Absent]), (2, 2));
        assert_eq!(absent_runs([Absent, Attended, Absent]), (1, 1));
        assert_eq!(absent_runs([Absent, Absent, Absent, Attended, Excused]), (3, 0));
        assert_eq!(absent_runs([Excused, Excused]), (0, 0));
    }

    #[test]
    fn two_in_a_row_warn_and_three_recommend_removal_by_default() {
        let s = RuleSettings::default();
        assert_eq!(
            (flag_for(1, &s), flag_for(2, &s), flag_for(3, &s), flag_for(7, &s)),
            (None, Some(Flag::Warning), Some(Flag::RecommendRemoval), Some(Flag::RecommendRemoval))
        );
        let strict = RuleSettings { warn_after: 1, remove_after: 2 };
        assert_eq!(flag_for(1, &strict), Some(Flag::Warning));
        let off = RuleSettings { warn_after: 0, remove_after: 0 };
        assert_eq!(flag_for(9, &off), None, "a threshold of 0 switches that step off");
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<RuleSettings>(&json).unwrap(), s);
        assert_eq!(serde_json::from_str::<RuleSettings>("{}").unwrap(), s);
    }

    #[test]
    fn the_fixture_year_flags_the_three_people_who_missed_in_a_row() {
        let all = year_2024();
        let r = all.records();
        let acts = r.activities_in(DateRange::year(2024));
        let ids: Vec<Id> = (1..=11).map(id).collect();
        let flags = flagged(&ids, &acts, &RuleSettings::default());
        let got: Vec<(Id, Option<Flag>, u32)> = flags.iter().map(|f| (f.person.clone(), f.flag, f.longest_absent_run)).collect();
        assert_eq!(got, vec![(id(10), Some(Flag::RecommendRemoval), 3), (id(8), Some(Flag::Warning), 2), (id(9), Some(Flag::Warning), 2)]);
        // 马晓东 attended the last forum, so his streak is not current.
        assert_eq!(flags[0].current_absent_run, 0);
        assert_eq!(flags[0].count, AttendanceCount { invited: 4, attended: 1, excused: 0, absent: 3 });
        // 潘玉兰: absent, excused, absent, attended.
        assert_eq!(flags[1].count, AttendanceCount { invited: 4, attended: 1, excused: 1, absent: 2 });
        // The trashed record (马晓东 and 覃文斌 absent on 5 May) does not count.
        assert_eq!(person_attendance(&id(9), &acts, &RuleSettings::default()).count.invited, 4);
    }

    #[test]
    fn same_day_activities_are_ordered_by_start_time() {
        let all = year_2024();
        let r = all.records();
        let acts = r.activities_in(DateRange::year(2024));
        let order: Vec<String> = invited_in_order(&id(8), &acts).iter().map(|d| d.body.title.clone()).collect();
        assert_eq!(order, ["旁听庭审：拖欠农民工工资案", "阳光评议座谈会：拖欠农民工工资案", "旁听庭审：非法采砂案", "阳光评议座谈会：非法采砂案"]);
    }
}
