//! The briefing (活动简报): the activities of one week or month as the short
//! summary an office sends to its members — what, when, where, who, and the
//! suggestions raised — as plain text to copy and as parts to print.
//!
//! Only live, dated activities inside the range count, oldest first. Names
//! come from the roster; a participant the roster lacks shows by id, so
//! nobody silently disappears from a briefing.

use crate::lang::Lang;
use crate::model::{Activity, Attendance};
use crate::records::{DateRange, Records};
use crate::template::Template;
use chrono::{Datelike, Days, NaiveDate};

/// The week (Monday to Sunday) holding `day`.
pub fn week_of(day: NaiveDate) -> DateRange {
    let monday = day - Days::new(u64::from(day.weekday().num_days_from_monday()));
    DateRange::new(monday, monday + Days::new(6))
}

/// The calendar month holding `day`.
pub fn month_of(day: NaiveDate) -> DateRange {
    let first = day.with_day(1).unwrap_or(day);
    let next = first.checked_add_months(chrono::Months::new(1)).unwrap_or(first);
    DateRange::new(first, next.pred_opt().unwrap_or(first))
}

/// One activity of the briefing, every part already in the chosen language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    /// "3月12日 旁听庭审" / "12 Mar, Court hearing".
    pub when_what: String,
    pub title: String,
    /// "地点：…" (empty when the record has no place).
    pub place: String,
    /// "出席：韦志强、李明德（另有其他人员 3 人）".
    pub attended: String,
    /// "请假：…" (empty when nobody was excused).
    pub excused: String,
    /// One line per suggestion: what, who raised it, where it went.
    pub suggestions: Vec<String>,
}

/// The briefing of a range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Briefing {
    /// "活动简报（2024年3月11日—3月17日）".
    pub heading: String,
    /// "本期共开展活动 2 次，参加 8 人次，收集意见建议 3 条。"
    pub overview: String,
    pub items: Vec<Item>,
}

fn zh_date(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

fn en_date(d: NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

fn heading(range: DateRange, lang: Lang) -> String {
    match lang {
        Lang::Zh if range.from.year() == range.to.year() => {
            format!("活动简报（{}—{}月{}日）", zh_date(range.from), range.to.month(), range.to.day())
        }
        Lang::Zh => format!("活动简报（{}—{}）", zh_date(range.from), zh_date(range.to)),
        Lang::En => format!("Briefing: {} – {}", en_date(range.from), en_date(range.to)),
    }
}

fn item(a: &Activity, records: &Records<'_>, template: &Template, lang: Lang) -> Item {
    let en = lang == Lang::En;
    let names = |status: Attendance| -> Vec<String> {
        a.participants.iter().filter(|p| p.status == status).map(|p| records.name_of(&p.person).map_or_else(|| p.person.to_string(), str::to_string)).collect()
    };
    let sep = if en { ", " } else { "、" };
    let kind = template.kind_label(&a.kind, en);
    let when_what = match (a.date, en) {
        (Some(d), false) => format!("{}月{}日 {kind}", d.month(), d.day()),
        (Some(d), true) => format!("{}, {kind}", d.format("%-d %b")),
        (None, _) => kind.to_string(),
    };
    let attended = names(Attendance::Attended);
    let others = a.other_attendees;
    let attended = match (en, attended.is_empty(), others) {
        (false, _, 0) => format!("出席：{}", if attended.is_empty() { "无".to_string() } else { attended.join(sep) }),
        (false, true, n) => format!("出席：其他人员 {n} 人"),
        (false, false, n) => format!("出席：{}（另有其他人员 {n} 人）", attended.join(sep)),
        (true, _, 0) => format!("Attended: {}", if attended.is_empty() { "nobody".to_string() } else { attended.join(sep) }),
        (true, true, n) => format!("Attended: {n} others"),
        (true, false, n) => format!("Attended: {} (and {n} others)", attended.join(sep)),
    };
    let excused = names(Attendance::Excused);
    let excused = match (excused.is_empty(), en) {
        (true, _) => String::new(),
        (false, false) => format!("请假：{}", excused.join(sep)),
        (false, true) => format!("Excused: {}", excused.join(sep)),
    };
    let place = match (a.place.trim(), en) {
        ("", _) => String::new(),
        (p, false) => format!("地点：{p}"),
        (p, true) => format!("Place: {p}"),
    };
    let suggestions = a
        .suggestions
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let content = s.content.trim();
            let by = s.raised_by.trim();
            let dept = s.department.trim();
            match (en, by.is_empty(), dept.is_empty()) {
                (false, true, true) => format!("{}. {content}", i + 1),
                (false, false, true) => format!("{}. {content}（{by}提出）", i + 1),
                (false, true, false) => format!("{}. {content}（承办：{dept}）", i + 1),
                (false, false, false) => format!("{}. {content}（{by}提出，承办：{dept}）", i + 1),
                (true, true, true) => format!("{}. {content}", i + 1),
                (true, false, true) => format!("{}. {content} (raised by {by})", i + 1),
                (true, true, false) => format!("{}. {content} (to {dept})", i + 1),
                (true, false, false) => format!("{}. {content} (raised by {by}, to {dept})", i + 1),
            }
        })
        .collect();
    Item { when_what, title: a.title.trim().to_string(), place, attended, excused, suggestions }
}

/// The briefing of the live activities dated in `range`, oldest first.
pub fn briefing(records: &Records<'_>, range: DateRange, template: &Template, lang: Lang) -> Briefing {
    let mut docs = records.activities_in(range);
    docs.sort_by(|a, b| (a.body.date, a.body.start, &a.id).cmp(&(b.body.date, b.body.start, &b.id)));
    let times: u32 = docs.iter().map(|d| d.body.person_times()).sum();
    let suggestions: usize = docs.iter().map(|d| d.body.suggestions.len()).sum();
    let n = docs.len();
    let overview = match (lang, n) {
        (Lang::Zh, 0) => "本期没有活动记录。".to_string(),
        (Lang::Zh, _) => format!("本期共开展活动 {n} 次，参加 {times} 人次，收集意见建议 {suggestions} 条。"),
        (Lang::En, 0) => "No activities were recorded in this period.".to_string(),
        (Lang::En, _) => format!("{n} activities, {times} person-times, {suggestions} suggestions raised."),
    };
    Briefing { heading: heading(range, lang), overview, items: docs.iter().map(|d| item(&d.body, records, template, lang)).collect() }
}

impl Briefing {
    /// The briefing as text to paste into a message or a document.
    pub fn to_text(&self, lang: Lang) -> String {
        let mut out = format!("{}\n\n{}\n", self.heading, self.overview);
        let numerals = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
        for (i, it) in self.items.iter().enumerate() {
            let number = match lang {
                Lang::Zh => numerals.get(i).map_or_else(|| format!("{}、", i + 1), |n| format!("{n}、")),
                Lang::En => format!("{}. ", i + 1),
            };
            out.push_str(&format!("\n{number}{} {}\n", it.when_what, it.title));
            for line in [&it.place, &it.attended, &it.excused].into_iter().filter(|l| !l.is_empty()) {
                out.push_str(&format!("   {line}\n"));
            }
            if !it.suggestions.is_empty() {
                out.push_str(if lang == Lang::En { "   Suggestions:\n" } else { "   意见建议：\n" });
                for s in &it.suggestions {
                    out.push_str(&format!("   {s}\n"));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::{d, year_2024};

    #[test]
    fn a_week_runs_monday_to_sunday_and_a_month_to_its_last_day() {
        // 2024-03-12 was a Tuesday.
        assert_eq!(week_of(d(2024, 3, 12)), DateRange::new(d(2024, 3, 11), d(2024, 3, 17)));
        assert_eq!(week_of(d(2024, 3, 17)), DateRange::new(d(2024, 3, 11), d(2024, 3, 17)), "Sunday ends its week");
        assert_eq!(week_of(d(2024, 12, 31)), DateRange::new(d(2024, 12, 30), d(2025, 1, 5)), "a week may cross the year");
        assert_eq!(month_of(d(2024, 2, 10)), DateRange::new(d(2024, 2, 1), d(2024, 2, 29)), "leap February");
        assert_eq!(month_of(d(2024, 12, 31)), DateRange::new(d(2024, 12, 1), d(2024, 12, 31)));
    }

    #[test]
    fn the_week_briefing_names_what_where_who_and_the_suggestions() {
        let all = year_2024();
        let b = briefing(&all.records(), week_of(d(2024, 3, 12)), &Template::liaison(), Lang::Zh);
        assert_eq!(b.heading, "活动简报（2024年3月11日—3月17日）");
        assert_eq!(b.items.len(), 2, "the hearing and the forum of 12 March");
        assert_eq!(b.items[0].when_what, "3月12日 旁听庭审");
        assert_eq!(b.items[0].place, "地点：县人民法院第一审判庭");
        let sugg: usize = b.items.iter().map(|i| i.suggestions.len()).sum();
        assert_eq!(b.overview, format!("本期共开展活动 2 次，参加 8 人次，收集意见建议 {sugg} 条。"));
        assert!(b.items[1].suggestions[0].starts_with("1. 庭审中当事人陈述时间分配不均"));
        assert!(b.items[1].suggestions[0].ends_with("（韦志强提出，承办：县人民法院）"), "{}", b.items[1].suggestions[0]);
        let text = b.to_text(Lang::Zh);
        assert!(text.starts_with("活动简报（2024年3月11日—3月17日）\n\n本期共开展活动 2 次"));
        assert!(text.contains("\n一、3月12日 旁听庭审 旁听庭审：韦某故意伤害案\n   地点：县人民法院第一审判庭\n   出席："), "{text}");
        assert!(text.contains("\n二、3月12日 座谈会"), "{text}");
    }

    #[test]
    fn others_excused_people_and_english_are_said_plainly() {
        let all = year_2024();
        let t = Template::liaison();
        let open_day = briefing(&all.records(), week_of(d(2024, 9, 20)), &t, Lang::Zh);
        assert_eq!(open_day.items[0].attended, "出席：韦志强、李明德（另有其他人员 3 人）");
        assert_eq!(open_day.items[0].place, "", "no place, no line");
        let april = briefing(&all.records(), month_of(d(2024, 4, 1)), &t, Lang::En);
        assert_eq!(april.heading, "Briefing: 1 Apr 2024 – 30 Apr 2024");
        assert_eq!(april.items.len(), 2);
        assert!(april.items[1].excused.starts_with("Excused: "), "{:?}", april.items[1]);
        assert!(april.to_text(Lang::En).contains("\n1. 18 Apr, "));
        let empty = briefing(&all.records(), week_of(d(2024, 1, 3)), &t, Lang::Zh);
        assert_eq!((empty.items.len(), empty.overview.as_str()), (0, "本期没有活动记录。"));
    }
}
