//! The drafted year-end (or any period's) summary, 工作总结, in the seeds'
//! structure: overview, activities by kind (each listed with date and
//! place), suggestions and their follow-up, attendance under the rule,
//! problems found, and next year's plan headings.
//!
//! Every figure comes from the records through `report::period_report`.
//! Where the records cannot give a figure or a detail the draft says so in
//! plain words ("本期没有记录……", "地点未记录") and `Draft::missing` lists
//! it, so the office can fill the gap in the records rather than the text.
//! The draft never prints a blank, a placeholder (XXX, xx, **) or a guess.

use crate::attendance_rule::{flagged, Flag, RuleSettings};
use crate::doc::Document;
use crate::id::Id;
use crate::lang::Lang;
use crate::model::{Activity, Attendance, SuggestionStatus};
use crate::points::Scheme;
use crate::records::{DateRange, Records};
use crate::report::{period_report, PeriodReport};
use crate::template::Template;
use chrono::{Datelike, NaiveDate};

/// Something the records do not say, which the draft had to leave out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MissingItem {
    /// No activity is dated within the period.
    NothingRecorded,
    /// No activity of this kind (a key of the template) in the period.
    NoActivitiesOfKind {
        /// The kind's key.
        kind: String,
    },
    /// An activity without a place.
    NoPlace {
        /// The activity document's id.
        activity: Id,
        /// Its title as the draft shows it.
        title: String,
    },
    /// An activity without a title.
    NoTitle {
        /// The activity document's id.
        activity: Id,
    },
    /// An activity with nobody recorded as attending (no participants and no other attendees).
    NoAttendees {
        /// The activity document's id.
        activity: Id,
        /// Its title as the draft shows it.
        title: String,
    },
    /// No suggestion was recorded at the period's activities.
    NoSuggestions,
    /// No activity in the period has findings (发现问题) filled in.
    NoFindings,
    /// Activities without a date: they belong to no period and are not counted.
    UndatedActivities {
        /// How many live activities have no date.
        count: u32,
    },
}

impl MissingItem {
    /// What is missing, in words, for the UI's checklist.
    pub fn describe(&self, lang: Lang, template: &Template) -> String {
        let en = lang == Lang::En;
        match (self, en) {
            (MissingItem::NothingRecorded, false) => "本期没有记录任何活动".into(),
            (MissingItem::NothingRecorded, true) => "No activity is recorded in this period".into(),
            (MissingItem::NoActivitiesOfKind { kind }, false) => format!("本期没有{}活动的记录", template.kind_label(kind, false)),
            (MissingItem::NoActivitiesOfKind { kind }, true) => format!("No {} is recorded in this period", template.kind_label(kind, true)),
            (MissingItem::NoPlace { title, .. }, false) => format!("活动“{title}”没有填写地点"),
            (MissingItem::NoPlace { title, .. }, true) => format!("The activity \"{title}\" has no place"),
            (MissingItem::NoTitle { activity }, false) => format!("有一条活动记录没有标题（{activity}）"),
            (MissingItem::NoTitle { activity }, true) => format!("An activity has no title ({activity})"),
            (MissingItem::NoAttendees { title, .. }, false) => format!("活动“{title}”没有记录参加人员"),
            (MissingItem::NoAttendees { title, .. }, true) => format!("The activity \"{title}\" has no attendees recorded"),
            (MissingItem::NoSuggestions, false) => "本期活动没有记录意见建议".into(),
            (MissingItem::NoSuggestions, true) => "No suggestion is recorded at this period's activities".into(),
            (MissingItem::NoFindings, false) => "本期活动没有填写发现的问题".into(),
            (MissingItem::NoFindings, true) => "No findings are filled in for this period's activities".into(),
            (MissingItem::UndatedActivities { count }, false) => format!("有{count}条活动记录没有日期，未计入任何期间"),
            (MissingItem::UndatedActivities { count }, true) => format!("Activities without a date, not counted in any period: {count}"),
        }
    }
}

/// A drafted summary and what the records could not give.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    /// The text, ready to edit.
    pub text: String,
    /// What is missing, in the order the draft meets it.
    pub missing: Vec<MissingItem>,
    /// The figures the text was written from.
    pub report: PeriodReport,
}

/// Chinese numerals for section numbers 1–99.
pub fn zh_number(n: u32) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => DIGITS[n as usize].to_string(),
        10..=19 => format!("十{}", if n == 10 { "" } else { DIGITS[(n - 10) as usize] }),
        20..=99 => format!("{}十{}", DIGITS[(n / 10) as usize], if n.is_multiple_of(10) { "" } else { DIGITS[(n % 10) as usize] }),
        _ => n.to_string(),
    }
}

/// A date as written in the draft: 2024年3月12日 / 12 March 2024.
pub fn format_date(date: NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{}年{}月{}日", date.year(), date.month(), date.day()),
        Lang::En => date.format("%-d %B %Y").to_string(),
    }
}

fn is_calendar_year(range: DateRange) -> bool {
    range == DateRange::year(range.from.year())
}

/// Drafts the summary of `range` from the records.
pub fn draft_summary(records: &Records<'_>, range: DateRange, template: &Template, rule: &RuleSettings, lang: Lang) -> Draft {
    let report = period_report(records, range, template, rule, &Scheme::default());
    let mut acts = records.activities_in(range);
    acts.sort_by(|a, b| (a.body.date, a.body.start, &a.id).cmp(&(b.body.date, b.body.start, &b.id)));
    let mut w = Writer { lang, text: String::new(), missing: Vec::new() };
    let en = lang == Lang::En;

    // Title and period.
    let (from, to) = (format_date(range.from, lang), format_date(range.to, lang));
    match (is_calendar_year(range), en) {
        (true, false) => w.line(&format!("{}年度工作总结（草稿）", range.from.year())),
        (true, true) => w.line(&format!("Summary of work, {} (draft)", range.from.year())),
        (false, false) => w.line("工作总结（草稿）"),
        (false, true) => w.line("Summary of work (draft)"),
    }
    w.line(&if en {
        format!("Period: {from} to {to}. Drafted from the records: every figure below is counted from them.")
    } else {
        format!("统计期间：{from}至{to}。本稿根据活动记录生成，文中数字均由记录统计得出。")
    });

    overview(&mut w, &report);
    activities(&mut w, &report, &acts, template);
    suggestions(&mut w, &report);
    attendance(&mut w, records, &acts, rule);
    problems(&mut w, &acts);
    plan(&mut w);

    if report.undated_activities > 0 {
        w.missing.push(MissingItem::UndatedActivities { count: report.undated_activities });
        w.blank();
        w.line(&if en {
            format!("Note: activities without a date are not counted in any period: {}.", report.undated_activities)
        } else {
            format!("说明：另有{}条活动记录没有日期，未计入本期统计。", report.undated_activities)
        });
    }
    Draft { text: w.text, missing: w.missing, report }
}

struct Writer {
    lang: Lang,
    text: String,
    missing: Vec<MissingItem>,
}

impl Writer {
    fn line(&mut self, s: &str) {
        self.text.push_str(s);
        self.text.push('\n');
    }
    fn blank(&mut self) {
        self.text.push('\n');
    }
    fn heading(&mut self, n: u32, zh: &str, en: &str) {
        self.blank();
        let h = match self.lang {
            Lang::Zh => format!("{}、{zh}", zh_number(n)),
            Lang::En => format!("{n}. {en}"),
        };
        self.line(&h);
    }
    fn en(&self) -> bool {
        self.lang == Lang::En
    }
}

fn overview(w: &mut Writer, r: &PeriodReport) {
    w.heading(1, "总体情况", "Overview");
    if r.activities == 0 {
        w.missing.push(MissingItem::NothingRecorded);
        w.line(if w.en() {
            "No activity is recorded in this period, so there are no activities or person-times to count."
        } else {
            "本期没有记录任何活动，活动次数、参加人次均无从统计。"
        });
        return;
    }
    let text = if w.en() {
        format!(
            "Activities held: {}. Person-times of attendance: {}. People on the roster invited: {}, of whom {} took part.",
            r.activities, r.person_times, r.people_invited, r.people_attended
        )
    } else {
        format!(
            "本期共开展活动{}次，参加活动共{}人次；共邀请名册人员{}人，其中实际参加活动的{}人。",
            r.activities, r.person_times, r.people_invited, r.people_attended
        )
    };
    w.line(&text);
}

fn activities(w: &mut Writer, r: &PeriodReport, acts: &[&Document<Activity>], template: &Template) {
    w.heading(2, "主要活动", "Activities by kind");
    let en = w.en();
    if acts.is_empty() {
        w.line(if en { "No activity is recorded in this period." } else { "本期没有活动记录。" });
        return;
    }
    for (i, kind) in r.kinds.iter().enumerate() {
        let label = template.kind_label(kind, en);
        w.line(&if en { format!("{}. {label}: {}", i + 1, r.by_kind[i]) } else { format!("（{}）{label}{}次", zh_number(i as u32 + 1), r.by_kind[i]) });
        for (j, d) in acts.iter().filter(|d| &d.body.kind == kind).enumerate() {
            let a = &d.body;
            let date = a.date.map(|x| format_date(x, w.lang)).expect("activities in a range are dated");
            let title = if a.title.trim().is_empty() {
                w.missing.push(MissingItem::NoTitle { activity: d.id.clone() });
                if en {
                    "(untitled)".to_string()
                } else {
                    "（未填写标题）".to_string()
                }
            } else {
                a.title.trim().to_string()
            };
            let place = if a.place.trim().is_empty() {
                w.missing.push(MissingItem::NoPlace { activity: d.id.clone(), title: title.clone() });
                if en {
                    "place not recorded".to_string()
                } else {
                    "地点未记录".to_string()
                }
            } else if en {
                format!("at {}", a.place.trim())
            } else {
                format!("地点：{}", a.place.trim())
            };
            let people = if a.participants.is_empty() && a.other_attendees == 0 {
                w.missing.push(MissingItem::NoAttendees { activity: d.id.clone(), title: title.clone() });
                if en {
                    "attendees not recorded".to_string()
                } else {
                    "未记录参加人员".to_string()
                }
            } else if en {
                format!("person-times: {}", a.person_times())
            } else {
                format!("参加{}人次", a.person_times())
            };
            w.line(&if en {
                format!("  {}) {date}, {title}, {place}, {people}.", j + 1)
            } else {
                format!("{}. {date}，{title}，{place}，{people}。", j + 1)
            });
        }
    }
    let absent: Vec<&str> = template.kinds.iter().map(|k| k.key.as_str()).filter(|k| !r.kinds.iter().any(|x| x == k)).collect();
    if !absent.is_empty() {
        let labels: Vec<&str> = absent.iter().map(|k| template.kind_label(k, en)).collect();
        w.line(&if en {
            format!("No activities of these kinds are recorded in this period: {}.", labels.join(", "))
        } else {
            format!("本期没有记录以下类别的活动：{}。", labels.join("、"))
        });
        w.missing.extend(absent.iter().map(|k| MissingItem::NoActivitiesOfKind { kind: k.to_string() }));
    }
}

fn suggestions(w: &mut Writer, r: &PeriodReport) {
    w.heading(3, "意见建议及办理情况", "Suggestions and follow-up");
    let en = w.en();
    if r.activities == 0 {
        w.line(if en { "No activity, so no suggestions were collected." } else { "本期没有活动记录，没有收集到意见建议。" });
    } else if r.suggestions == 0 {
        w.missing.push(MissingItem::NoSuggestions);
        w.line(if en { "No suggestion is recorded at this period's activities." } else { "本期活动中没有记录意见建议。" });
    } else {
        let parts: Vec<String> = SuggestionStatus::ALL
            .iter()
            .map(|s| {
                if en {
                    format!("{} {}", s.label(Lang::En).to_lowercase(), r.with_status(*s))
                } else {
                    format!("{}{}条", s.label(Lang::Zh), r.with_status(*s))
                }
            })
            .collect();
        w.line(&if en {
            format!(
                "Suggestions collected: {}. Forwarded to the departments concerned: {}. Resolved or answered: {}, of which the person who raised it was told: {}. By status: {}.",
                r.suggestions, r.suggestions_forwarded, r.suggestions_closed, r.suggestions_raiser_told, parts.join(", ")
            )
        } else {
            format!(
                "本期在活动中收集意见建议{}条，已转交有关部门{}条，已办结或已答复{}条，其中已告知建议人{}条。按办理状态：{}。",
                r.suggestions, r.suggestions_forwarded, r.suggestions_closed, r.suggestions_raiser_told, parts.join("、")
            )
        });
    }
    w.line(&if en {
        match (r.proposals, r.opinion_reports) {
            (0, 0) => "No proposal was submitted and no public-opinion report was sent in this period.".to_string(),
            (0, n) => format!("No proposal was submitted. Public-opinion reports: {n}."),
            (p, 0) => format!("Proposals submitted: {p}. No public-opinion report was sent."),
            (p, n) => format!("Proposals submitted: {p}. Public-opinion reports: {n}."),
        }
    } else {
        match (r.proposals, r.opinion_reports) {
            (0, 0) => "本期没有提交提案，也没有报送社情民意信息。".to_string(),
            (0, n) => format!("本期没有提交提案；报送社情民意信息{n}篇。"),
            (p, 0) => format!("本期提交提案{p}件；没有报送社情民意信息。"),
            (p, n) => format!("本期提交提案{p}件，报送社情民意信息{n}篇。"),
        }
    });
}

fn attendance(w: &mut Writer, records: &Records<'_>, acts: &[&Document<Activity>], rule: &RuleSettings) {
    w.heading(4, "出勤情况", "Attendance");
    let en = w.en();
    let all: Vec<_> = acts.iter().flat_map(|d| d.body.participants.iter()).collect();
    if all.is_empty() {
        w.line(if en { "No invitations or attendance are recorded in this period." } else { "本期记录中没有邀请人员及出勤情况。" });
        return;
    }
    let n = |s: Attendance| all.iter().filter(|p| p.status == s).count();
    w.line(&if en {
        format!("Invitations: {}; attended: {}, excused: {}, absent: {}.", all.len(), n(Attendance::Attended), n(Attendance::Excused), n(Attendance::Absent))
    } else {
        format!(
            "本期邀请名册人员参加活动共{}人次，其中出席{}人次、请假{}人次、缺席{}人次。",
            all.len(),
            n(Attendance::Attended),
            n(Attendance::Excused),
            n(Attendance::Absent)
        )
    });
    let mut people: Vec<Id> = all.iter().map(|p| p.person.clone()).collect();
    people.sort();
    people.dedup();
    let flags = flagged(&people, acts, rule);
    let mut clauses = Vec::new();
    if rule.warn_after > 0 {
        clauses.push(if en {
            format!("{} absences in a row lead to a verbal warning", rule.warn_after)
        } else {
            format!("连续缺席{}次给予口头警告", rule.warn_after)
        });
    }
    if rule.remove_after > 0 {
        clauses.push(if en {
            format!("{} in a row to a recommendation of removal", rule.remove_after)
        } else {
            format!("连续缺席{}次建议取消资格", rule.remove_after)
        });
    }
    if clauses.is_empty() {
        w.line(if en { "The rule on absences in a row is switched off." } else { "本期未启用连续缺席的处理规定。" });
        return;
    }
    w.line(&if en {
        format!("Under the rule ({}; excused absences do not count):", clauses.join(", "))
    } else {
        format!("按照{}的规定（请假不计为缺席）：", clauses.join("、"))
    });
    if flags.is_empty() {
        w.line(if en { "nobody reached either threshold in this period." } else { "本期没有人员达到上述情形。" });
    }
    for f in &flags {
        let name = records.name_of(&f.person).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        let name = name.unwrap_or_else(|| if en { format!("a person not on the roster ({})", f.person) } else { format!("名册外人员（{}）", f.person) });
        let action = match (f.flag.unwrap_or(Flag::Warning), en) {
            (Flag::Warning, false) => "按规定应予口头警告",
            (Flag::RecommendRemoval, false) => "按规定建议取消资格",
            (Flag::Warning, true) => "a verbal warning is due under the rule",
            (Flag::RecommendRemoval, true) => "removal is recommended under the rule",
        };
        w.line(&if en {
            format!("  {name}: absent {} times in a row; {action}.", f.longest_absent_run)
        } else {
            format!("{name}：连续{}次缺席，{action}。", f.longest_absent_run)
        });
    }
}

fn problems(w: &mut Writer, acts: &[&Document<Activity>]) {
    w.heading(5, "存在的问题", "Problems found");
    let en = w.en();
    let found: Vec<&&Document<Activity>> = acts.iter().filter(|d| !d.body.findings.trim().is_empty()).collect();
    if found.is_empty() {
        if !acts.is_empty() {
            w.missing.push(MissingItem::NoFindings);
        }
        w.line(if en { "No findings are recorded for this period's activities." } else { "本期活动记录中没有填写发现的问题。" });
        return;
    }
    for (i, d) in found.iter().enumerate() {
        let date = d.body.date.map(|x| format_date(x, w.lang)).expect("activities in a range are dated");
        let title = if d.body.title.trim().is_empty() {
            if en {
                "(untitled)"
            } else {
                "（未填写标题）"
            }
        } else {
            d.body.title.trim()
        };
        let findings = d.body.findings.trim();
        w.line(&if en { format!("{}. {date}, {title}: {findings}", i + 1) } else { format!("{}. {date}，{title}：{findings}", i + 1) });
    }
}

fn plan(w: &mut Writer) {
    w.heading(6, "下一年度工作计划", "Plan for next year");
    let heads: [(&str, &str); 4] = [
        ("加强学习，提高履职能力", "Study and build members' capacity"),
        ("围绕中心工作，开展视察调研", "Inspections and surveys on the main tasks"),
        ("跟踪意见建议办理，及时反馈建议人", "Follow suggestions up and report back to those who raised them"),
        ("落实考勤和履职积分制度", "Apply the attendance rule and the points scheme"),
    ];
    for (i, (zh, en)) in heads.iter().enumerate() {
        let line = if w.en() { format!("{}) {en}", i + 1) } else { format!("（{}）{zh}", zh_number(i as u32 + 1)) };
        w.line(&line);
    }
    w.line(if w.en() { "(The office adds the details under each heading.)" } else { "（各项具体安排由办公室补充。）" });
}

#[cfg(test)]
#[path = "summary_tests.rs"]
mod tests;
