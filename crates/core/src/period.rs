//! Periods the list and reports filter by: this month, quarter, year, a named
//! past year or quarter ("2025 年度", "2026 年第三季度"), a range.

use crate::lang::Lang;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Period {
    #[default]
    All,
    ThisMonth,
    ThisQuarter,
    ThisYear,
    /// A calendar year, any one.
    Year(i32),
    /// The `quarter`-th (1–4) quarter of `year`; other numbers are read as the nearest quarter.
    Quarter {
        year: i32,
        quarter: u32,
    },
    /// Inclusive on both ends; an open end is unbounded.
    Custom {
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    },
}

impl Period {
    /// The inclusive date range for `today`; `None` for all time.
    pub fn range(self, today: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
        let y = today.year();
        match self {
            Period::All => None,
            Period::ThisMonth => Some((first_of(y, today.month()), last_of(y, today.month()))),
            Period::ThisQuarter => {
                let first = (today.month() - 1) / 3 * 3 + 1;
                Some((first_of(y, first), last_of(y, first + 2)))
            }
            Period::ThisYear => Some((first_of(y, 1), last_of(y, 12))),
            Period::Year(year) => Some(month_span(year, 1, 12)),
            Period::Quarter { year, quarter } => Some(month_span(year, (quarter.clamp(1, 4) - 1) * 3 + 1, 3)),
            Period::Custom { from, to } => Some((from.unwrap_or(NaiveDate::MIN), to.unwrap_or(NaiveDate::MAX))),
        }
    }

    /// The name of a named year or quarter: "2025 年度" / "2025", "2026 年第三季度" / "Q3 2026".
    pub fn name(self, lang: Lang) -> Option<String> {
        const ZH_Q: [&str; 4] = ["一", "二", "三", "四"];
        match (self, lang) {
            (Period::Year(y), Lang::Zh) => Some(format!("{y} 年度")),
            (Period::Year(y), Lang::En) => Some(format!("{y}")),
            (Period::Quarter { year, quarter }, Lang::Zh) => Some(format!("{year} 年第{}季度", ZH_Q[quarter.clamp(1, 4) as usize - 1])),
            (Period::Quarter { year, quarter }, Lang::En) => Some(format!("Q{} {year}", quarter.clamp(1, 4))),
            _ => None,
        }
    }

    /// Whether a record dated `date` falls in the period. An undated record
    /// (a draft) belongs only to "all time".
    pub fn contains(self, date: Option<NaiveDate>, today: NaiveDate) -> bool {
        match (self.range(today), date) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some((from, to)), Some(d)) => from <= d && d <= to,
        }
    }
}

/// The years a report or the drafted summary offers by name, its default
/// first: the year in progress and, in January, the year just ended, whose
/// annual summary an office writes then.
pub fn offered_years(today: NaiveDate) -> Vec<Period> {
    let y = today.year();
    if today.month() == 1 {
        vec![Period::Year(y), Period::Year(y - 1)]
    } else {
        vec![Period::Year(y)]
    }
}

/// The first and last day of `months` months of `year` from month `first`
/// (1–12); a span running past December ends on 31 December.
pub fn month_span(year: i32, first: u32, months: u32) -> (NaiveDate, NaiveDate) {
    let first = first.clamp(1, 12);
    let last = (first + months.max(1) - 1).min(12);
    (first_of(year, first), last_of(year, last))
}

fn first_of(year: i32, month: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, 1).expect("months 1-12 have a first day")
}

fn last_of(year: i32, month: u32) -> NaiveDate {
    let next = if month == 12 { first_of(year + 1, 1) } else { first_of(year, month + 1) };
    next.pred_opt().expect("a first of month has a day before it")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn month_quarter_and_year_cover_the_right_days() {
        let today = d(2024, 2, 10);
        assert_eq!(Period::ThisMonth.range(today), Some((d(2024, 2, 1), d(2024, 2, 29))));
        assert_eq!(Period::ThisQuarter.range(d(2024, 11, 30)), Some((d(2024, 10, 1), d(2024, 12, 31))));
        assert_eq!(Period::ThisYear.range(today), Some((d(2024, 1, 1), d(2024, 12, 31))));
        assert!(Period::ThisQuarter.contains(Some(d(2024, 3, 31)), today));
        assert!(!Period::ThisQuarter.contains(Some(d(2024, 4, 1)), today));
    }

    #[test]
    fn any_past_year_or_quarter_covers_its_days_whatever_today_is() {
        let today = d(2026, 12, 1);
        assert_eq!(Period::Year(2025).range(today), Some((d(2025, 1, 1), d(2025, 12, 31))));
        assert_eq!(Period::Quarter { year: 2024, quarter: 1 }.range(today), Some((d(2024, 1, 1), d(2024, 3, 31))));
        assert_eq!(Period::Quarter { year: 2026, quarter: 3 }.range(today), Some((d(2026, 7, 1), d(2026, 9, 30))));
        assert!(Period::Quarter { year: 2024, quarter: 1 }.contains(Some(d(2024, 2, 29)), today));
        assert!(!Period::Year(2025).contains(Some(d(2026, 1, 1)), today));
        assert_eq!(month_span(2026, 7, 12), (d(2026, 7, 1), d(2026, 12, 31)));
    }

    #[test]
    fn reports_default_to_the_year_in_progress_and_in_january_offer_the_year_just_ended() {
        assert_eq!(offered_years(d(2026, 1, 5)), [Period::Year(2026), Period::Year(2025)]);
        assert_eq!(offered_years(d(2026, 1, 31)), [Period::Year(2026), Period::Year(2025)]);
        assert_eq!(offered_years(d(2026, 2, 1)), [Period::Year(2026)]);
        assert_eq!(offered_years(d(2026, 12, 31)), [Period::Year(2026)]);
    }

    #[test]
    fn named_years_and_quarters_read_as_the_office_writes_them() {
        assert_eq!(Period::Year(2025).name(Lang::Zh).as_deref(), Some("2025 年度"));
        assert_eq!(Period::Quarter { year: 2026, quarter: 3 }.name(Lang::Zh).as_deref(), Some("2026 年第三季度"));
        assert_eq!(Period::Quarter { year: 2026, quarter: 3 }.name(Lang::En).as_deref(), Some("Q3 2026"));
        assert_eq!(Period::ThisYear.name(Lang::Zh), None);
    }

    #[test]
    fn custom_ranges_are_inclusive_and_may_be_open() {
        let p = Period::Custom { from: Some(d(2024, 5, 1)), to: None };
        assert!(p.contains(Some(d(2024, 5, 1)), d(2000, 1, 1)));
        assert!(p.contains(Some(d(2030, 1, 1)), d(2000, 1, 1)));
        assert!(!p.contains(Some(d(2024, 4, 30)), d(2000, 1, 1)));
    }

    #[test]
    fn undated_drafts_show_only_under_all_time() {
        assert!(Period::All.contains(None, d(2024, 1, 1)));
        assert!(!Period::ThisYear.contains(None, d(2024, 1, 1)));
    }
}
