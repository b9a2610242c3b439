//! The visit rule (走访委员制度): every person of the named roles is visited at
//! least a set number of times each period (a quarter unless the team says otherwise).
//!
//! A person counts as visited in a period by a live record of one of the rule's
//! kinds, dated in the period, that lists them as attended (a visit whose person
//! was excused or absent did not take place). Who must be visited: live, active
//! people of the rule's roles. The rule is part of the team settings, so every
//! office computer lists the same people.

use crate::doc::Document;
use crate::id::Id;
use crate::lang::Lang;
use crate::model::{Attendance, Person};
use crate::period::{month_span, Period};
use crate::records::{DateRange, Records};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// How long one period of the rule is; periods start in January.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VisitPeriod {
    Month,
    #[default]
    Quarter,
    HalfYear,
    Year,
}

impl VisitPeriod {
    /// Every length, in the order the visits screen offers them.
    pub const ALL: [VisitPeriod; 4] = [VisitPeriod::Month, VisitPeriod::Quarter, VisitPeriod::HalfYear, VisitPeriod::Year];

    /// Months in one period.
    pub fn months(self) -> u32 {
        match self {
            VisitPeriod::Month => 1,
            VisitPeriod::Quarter => 3,
            VisitPeriod::HalfYear => 6,
            VisitPeriod::Year => 12,
        }
    }

    /// The stable key stored in the settings.
    pub fn key(self) -> &'static str {
        match self {
            VisitPeriod::Month => "month",
            VisitPeriod::Quarter => "quarter",
            VisitPeriod::HalfYear => "half_year",
            VisitPeriod::Year => "year",
        }
    }

    pub fn from_key(key: &str) -> Option<VisitPeriod> {
        VisitPeriod::ALL.into_iter().find(|p| p.key() == key)
    }
}

/// The rule's settings, part of the team settings document. Missing fields
/// (settings saved before the rule existed) take the defaults: a quarterly
/// 走访 of every 委员.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct VisitRule {
    /// Kinds of activity whose records count as a visit; none switches the rule off.
    pub kinds: Vec<String>,
    /// Roles of the people who must be visited.
    pub roles: Vec<String>,
    /// Visits each of them needs in one period (0 is read as 1: a rule that asks for none asks nothing).
    pub min_visits: u32,
    /// How long one period is.
    pub period: VisitPeriod,
}

impl Default for VisitRule {
    fn default() -> Self {
        VisitRule { kinds: vec!["visit".into()], roles: vec!["member".into()], min_visits: 1, period: VisitPeriod::Quarter }
    }
}

/// One period of the rule: which one, its days, and who was not visited often enough.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeriodVisits {
    pub year: i32,
    /// 1-based: the quarter, month or half of the year (1 for a whole year).
    pub index: u32,
    pub range: DateRange,
    /// How many people the rule covers.
    pub due: usize,
    /// Those visited fewer than `min_visits` times, by name: (id, name, visits).
    pub missing: Vec<(Id, String, u32)>,
}

impl PeriodVisits {
    /// "2026 年第三季度" / "Q3 2026", and the like for the other lengths.
    pub fn label(&self, period: VisitPeriod, lang: Lang) -> String {
        period_label(period, self.year, self.index, lang)
    }
}

/// The name of the `index`-th period of `year` (1-based).
pub fn period_label(period: VisitPeriod, year: i32, index: u32, lang: Lang) -> String {
    const EN_M: [&str; 12] = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
    let named = match period {
        VisitPeriod::Year => Period::Year(year).name(lang),
        VisitPeriod::Quarter => Period::Quarter { year, quarter: index }.name(lang),
        _ => None,
    };
    named.unwrap_or_else(|| match (period, lang) {
        (VisitPeriod::HalfYear, Lang::Zh) => format!("{year} 年{}", if index == 1 { "上半年" } else { "下半年" }),
        (VisitPeriod::HalfYear, Lang::En) => format!("H{index} {year}"),
        (_, Lang::Zh) => format!("{year} 年 {index} 月"),
        (_, Lang::En) => format!("{} {year}", EN_M[index.clamp(1, 12) as usize - 1]),
    })
}

/// The period of `rule` that holds `day`: (year, index).
pub fn period_of(period: VisitPeriod, day: NaiveDate) -> (i32, u32) {
    (day.year(), (day.month() - 1) / period.months() + 1)
}

/// The people the rule covers: live, active, of one of its roles.
fn due<'a>(rule: &VisitRule, records: &Records<'a>) -> Vec<&'a Document<Person>> {
    records.live_people().filter(|p| p.body.active && rule.roles.contains(&p.body.role)).collect()
}

/// Visits per person in `range` under `rule`.
fn visits_in(rule: &VisitRule, records: &Records<'_>, range: DateRange) -> HashMap<Id, u32> {
    let mut out = HashMap::new();
    for a in records.activities_in(range).into_iter().filter(|a| rule.kinds.contains(&a.body.kind)) {
        for p in a.body.participants.iter().filter(|p| p.status == Attendance::Attended) {
            *out.entry(p.person.clone()).or_insert(0) += 1;
        }
    }
    out
}

/// Who was visited fewer than the rule asks in the `index`-th period of `year`.
pub fn period_visits(rule: &VisitRule, records: &Records<'_>, year: i32, index: u32) -> PeriodVisits {
    let (from, to) = month_span(year, (index - 1) * rule.period.months() + 1, rule.period.months());
    let range = DateRange::new(from, to);
    let counts = visits_in(rule, records, range);
    let people = due(rule, records);
    let mut missing: Vec<(Id, String, u32)> = people
        .iter()
        .map(|p| (p.id.clone(), p.body.name.clone(), counts.get(&p.id).copied().unwrap_or(0)))
        .filter(|(_, _, n)| *n < rule.min_visits.max(1))
        .collect();
    missing.sort_by(|a, b| (&a.1, &a.0).cmp(&(&b.1, &b.0)));
    PeriodVisits { year, index, range, due: people.len(), missing }
}

/// The current period and the `past` ones before it, newest first: what the
/// visits screen lists. Empty when the rule names no kind (switched off).
pub fn recent_periods(rule: &VisitRule, records: &Records<'_>, today: NaiveDate, past: u32) -> Vec<PeriodVisits> {
    if rule.kinds.is_empty() {
        return Vec::new();
    }
    let per_year = 12 / rule.period.months();
    let (mut year, mut index) = period_of(rule.period, today);
    let mut out = Vec::new();
    for _ in 0..=past {
        out.push(period_visits(rule, records, year, index));
        if index == 1 {
            year -= 1;
            index = per_year;
        } else {
            index -= 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{DeviceId, Hlc, Stamp};
    use crate::model::{Activity, Participant};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn stamp() -> Stamp {
        Stamp { hlc: Hlc::default(), device: DeviceId("t".into()) }
    }

    fn id(n: u64) -> Id {
        Id::new_v7(n, [0; 10])
    }

    fn person(n: u64, name: &str, role: &str, active: bool) -> Document<Person> {
        Document::create(id(n), Person { name: name.into(), role: role.into(), active, ..Person::default() }, stamp())
    }

    fn visit(n: u64, kind: &str, date: NaiveDate, who: &[(u64, Attendance)]) -> Document<Activity> {
        let participants = who.iter().map(|&(p, status)| Participant { person: id(p), status, reason: String::new() }).collect();
        Document::create(id(n), Activity { kind: kind.into(), date: Some(date), participants, ..Activity::default() }, stamp())
    }

    /// Six people: 委员 王一, 李二, 张三, 赵四 (inactive), 刘五 (in the trash), and a 联络员 陈六.
    fn roster() -> Vec<Document<Person>> {
        let mut trashed = person(5, "刘五", "member", true);
        trashed.trashed = true;
        vec![
            person(1, "王一", "member", true),
            person(2, "李二", "member", true),
            person(3, "张三", "member", true),
            person(4, "赵四", "member", false),
            trashed,
            person(6, "陈六", "liaison", true),
        ]
    }

    fn names(p: &PeriodVisits) -> Vec<&str> {
        p.missing.iter().map(|(_, n, _)| n.as_str()).collect()
    }

    #[test]
    fn a_fixture_quarter_lists_exactly_the_members_not_visited() {
        use Attendance::*;
        let people = roster();
        let mut trashed = visit(104, "visit", d(2026, 8, 1), &[(3, Attended)]);
        trashed.trashed = true;
        let acts = vec![
            visit(100, "visit", d(2026, 7, 1), &[(1, Attended)]),
            // Excused: the visit to 李二 did not take place.
            visit(101, "visit", d(2026, 9, 30), &[(2, Excused)]),
            // Not a visit: an inspection 张三 took part in.
            visit(102, "inspection", d(2026, 8, 10), &[(3, Attended)]),
            // The day after the quarter ended.
            visit(103, "visit", d(2026, 10, 1), &[(2, Attended), (3, Attended)]),
            trashed,
        ];
        let records = Records { activities: &acts, people: &people, proposals: &[], opinion_reports: &[] };
        let q3 = period_visits(&VisitRule::default(), &records, 2026, 3);
        assert_eq!(q3.range, DateRange::new(d(2026, 7, 1), d(2026, 9, 30)));
        assert_eq!(q3.due, 3);
        assert_eq!(names(&q3), ["张三", "李二"]);
        let q4 = period_visits(&VisitRule::default(), &records, 2026, 4);
        assert_eq!(names(&q4), ["王一"]);
    }

    #[test]
    fn the_settings_choose_kinds_roles_how_often_and_how_long() {
        use Attendance::*;
        let people = roster();
        let acts =
            vec![visit(100, "visit", d(2026, 2, 1), &[(1, Attended), (6, Attended)]), visit(101, "forum", d(2026, 5, 1), &[(1, Attended), (2, Attended)])];
        let records = Records { activities: &acts, people: &people, proposals: &[], opinion_reports: &[] };
        let rule = VisitRule {
            kinds: vec!["visit".into(), "forum".into()],
            roles: vec!["member".into(), "liaison".into()],
            min_visits: 2,
            period: VisitPeriod::HalfYear,
        };
        let h1 = period_visits(&rule, &records, 2026, 1);
        assert_eq!(h1.range, DateRange::new(d(2026, 1, 1), d(2026, 6, 30)));
        assert_eq!(h1.due, 4);
        assert_eq!(h1.missing.iter().map(|(_, n, v)| (n.as_str(), *v)).collect::<Vec<_>>(), [("张三", 0), ("李二", 1), ("陈六", 1)]);
    }

    #[test]
    fn the_screen_lists_the_current_period_then_past_ones_across_new_year() {
        let people = roster();
        let records = Records { activities: &[], people: &people, proposals: &[], opinion_reports: &[] };
        let list = recent_periods(&VisitRule::default(), &records, d(2026, 2, 14), 2);
        let labels: Vec<String> = list.iter().map(|p| p.label(VisitPeriod::Quarter, Lang::Zh)).collect();
        assert_eq!(labels, ["2026 年第一季度", "2025 年第四季度", "2025 年第三季度"]);
        assert_eq!(list[1].label(VisitPeriod::Quarter, Lang::En), "Q4 2025");
        let off = VisitRule { kinds: Vec::new(), ..VisitRule::default() };
        assert!(recent_periods(&off, &records, d(2026, 2, 14), 2).is_empty());
    }

    #[test]
    fn settings_saved_before_the_rule_read_with_the_quarterly_default() {
        let rule: VisitRule = serde_json::from_str("{}").unwrap();
        assert_eq!(rule, VisitRule::default());
        let partial: VisitRule = serde_json::from_str(r#"{"period":"month","kinds":["call"]}"#).unwrap();
        assert_eq!((partial.period, partial.kinds, partial.min_visits), (VisitPeriod::Month, vec!["call".to_string()], 1));
        let old: crate::template::Template = serde_json::from_str(r#"{"default_minutes":90}"#).unwrap();
        assert_eq!(old.visits, VisitRule::default());
    }
}
