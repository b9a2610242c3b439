//! Tests of the drafted summary: its figures against the fixture year worked
//! out by hand, the plain statements where records are missing, and a scan
//! for blanks and placeholders like the paper summaries had.

use super::*;
use crate::clock::{DeviceId, Hlc, Stamp};
use crate::fixture::{d, id, year_2024};
use crate::records::AllDocs;

fn draft(all: &AllDocs, range: DateRange, lang: Lang) -> Draft {
    draft_summary(&all.records(), range, &Template::liaison(), &RuleSettings::default(), lang)
}

/// Every place where a figure or a word was left blank or a placeholder was
/// left in: XXX, xx, **, a counter word right after 共/计/收集 … with no number
/// between ("共人"), two separators in a row, empty brackets, "年月日" blanks.
fn blanks(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let lower = text.to_lowercase();
    for bad in ["xxx", "xx", "**", "??", "？？", "___", "null", "none", "undefined", "nan"] {
        if lower.contains(bad) {
            found.push(bad.to_string());
        }
    }
    let lead = ["共", "共计", "收集", "开展", "提交", "报送", "出席", "请假", "缺席", "有关部门", "已答复", "已告知建议人", "连续", "参加活动的", "》"];
    let units = ["人", "次", "条", "件", "篇", "份", "家", "名", "个"];
    for l in lead {
        for u in units {
            let pat = format!("{l}{u}");
            if text.contains(&pat) {
                found.push(pat);
            }
        }
    }
    let seps = ["，", "。", "、", "：", "；", ",", ";"];
    // A figure expected right after these words, yet a separator follows.
    for l in ["共", "共计", "收集", "提交", "报送", "连续", "有关部门"] {
        for sep in seps {
            if text.contains(&format!("{l}{sep}")) {
                found.push(format!("{l}{sep}"));
            }
        }
    }
    for a in seps {
        for b in seps {
            if text.contains(&format!("{a}{b}")) {
                found.push(format!("{a}{b}"));
            }
        }
    }
    for bad in ["（）", "()", "“”", "《》", "\"\"", "年月", "月日", " ,", " .", ": .", ": ,", "：。"] {
        if text.contains(bad) {
            found.push(bad.to_string());
        }
    }
    for line in text.lines() {
        let body = line.trim_start();
        // A line ending in a colon announces a list; only the rule's line may.
        let dangling = (body.ends_with('：') && !body.ends_with("规定（请假不计为缺席）：")) || (body.ends_with(':') && !body.starts_with("Under the rule"));
        if body.contains("  ") || line.ends_with(' ') || dangling {
            found.push(format!("line: {line}"));
        }
    }
    found
}

fn oddity_free(draft: &Draft) {
    let found = blanks(&draft.text);
    assert!(found.is_empty(), "blanks or placeholders {found:?} in:\n{}", draft.text);
}

#[test]
fn the_chinese_draft_fills_every_figure_of_the_fixture_year_from_the_records() {
    let all = year_2024();
    let dr = draft(&all, DateRange::year(2024), Lang::Zh);
    let t = &dr.text;
    for expected in [
        "2024年度工作总结（草稿）",
        "统计期间：2024年1月1日至2024年12月31日。",
        "本期共开展活动14次，参加活动共38人次；共邀请名册人员10人，其中实际参加活动的10人。",
        "（一）调研1次",
        "1. 2024年7月9日，行政诉讼协调工作专项调研，地点：县人大常委会会议室，参加3人次。",
        "（二）座谈会6次",
        "（三）旁听庭审6次",
        "1. 2024年3月12日，旁听庭审：韦某故意伤害案，地点：县人民法院第一审判庭，参加4人次。",
        "6. 2024年11月27日，旁听庭审：环境污染责任纠纷案，地点：县人民法院第一审判庭，参加2人次。",
        "（四）其他1次",
        "1. 2024年9月20日，法院开放日，地点未记录，参加5人次。",
        "本期没有记录以下类别的活动：视察、走访、学习、民主评议。",
        "本期在活动中收集意见建议6条，已转交有关部门4条，已办结或已答复2条，其中已告知建议人1条。",
        "按办理状态：新收集2条、已转交1条、办理中1条、已办结1条、已答复1条。",
        "本期提交提案1件，报送社情民意信息1篇。",
        "本期邀请名册人员参加活动共43人次，其中出席35人次、请假1人次、缺席7人次。",
        "按照连续缺席2次给予口头警告、连续缺席3次建议取消资格的规定（请假不计为缺席）：",
        "马晓东：连续3次缺席，按规定建议取消资格。",
        "潘玉兰：连续2次缺席，按规定应予口头警告。",
        "覃文斌：连续2次缺席，按规定应予口头警告。",
        "1. 2024年3月12日，旁听庭审：韦某故意伤害案：部分旁听群众不熟悉法庭纪律",
        "2. 2024年8月21日，旁听庭审：非法采砂案：庭审直播画面不清晰，旁听席音响效果差",
        "六、下一年度工作计划",
        "说明：另有1条活动记录没有日期，未计入本期统计。",
    ] {
        assert!(t.contains(expected), "missing {expected:?} in:\n{t}");
    }
    assert!(!t.contains("误建的记录"), "a trashed record is not in the draft");
    assert!(!t.contains("韦志强："), "people who were never absent twice in a row are not named");
    oddity_free(&dr);
    assert_eq!(
        dr.missing,
        vec![
            MissingItem::NoPlace { activity: id(110), title: "法院开放日".into() },
            MissingItem::NoActivitiesOfKind { kind: "inspection".into() },
            MissingItem::NoActivitiesOfKind { kind: "visit".into() },
            MissingItem::NoActivitiesOfKind { kind: "study".into() },
            MissingItem::NoActivitiesOfKind { kind: "appraisal".into() },
            MissingItem::UndatedActivities { count: 1 },
        ]
    );
}

#[test]
fn every_number_in_the_draft_is_a_figure_from_the_records() {
    let all = year_2024();
    let dr = draft(&all, DateRange::year(2024), Lang::Zh);
    let r = &dr.report;
    let mut allowed: Vec<u64> = vec![
        r.activities,
        r.person_times,
        r.people_invited,
        r.people_attended,
        r.suggestions,
        r.suggestions_forwarded,
        r.suggestions_closed,
        r.suggestions_raiser_told,
        r.proposals,
        r.opinion_reports,
        r.undated_activities,
        43,
        35,
        1,
        7, // invitations, attended, excused, absent (worked out in the fixture)
        2,
        3, // the rule's thresholds and the streaks
    ]
    .into_iter()
    .map(u64::from)
    .collect();
    allowed.extend(r.by_kind.iter().map(|n| u64::from(*n)));
    allowed.extend(r.suggestions_by_status.iter().map(|(_, n)| u64::from(*n)));
    allowed.extend((1..=6).map(|n: u64| n)); // list numbering
    for a in all.activities.iter().filter(|a| !a.trashed) {
        allowed.push(u64::from(a.body.person_times()));
        if let Some(x) = a.body.date {
            allowed.extend([x.year() as u64, u64::from(x.month()), u64::from(x.day())]);
        }
    }
    allowed.extend([2024, 1, 12, 31]);
    let mut digits = String::new();
    for c in dr.text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() {
            digits.push(c);
        } else if !digits.is_empty() {
            let n: u64 = digits.parse().unwrap();
            assert!(allowed.contains(&n), "{n} in the draft is not a figure from the records:\n{}", dr.text);
            digits.clear();
        }
    }
}

#[test]
fn the_english_draft_has_the_same_figures() {
    let all = year_2024();
    let dr = draft(&all, DateRange::year(2024), Lang::En);
    let t = &dr.text;
    for expected in [
        "Summary of work, 2024 (draft)",
        "Period: 1 January 2024 to 31 December 2024.",
        "Activities held: 14. Person-times of attendance: 38. People on the roster invited: 10, of whom 10 took part.",
        "3. Court hearing: 6",
        "  1) 20 September 2024, 法院开放日, place not recorded, person-times: 5.",
        "No activities of these kinds are recorded in this period: Inspection, Visit, Study session, Appraisal.",
        "Suggestions collected: 6. Forwarded to the departments concerned: 4. Resolved or answered: 2",
        "Proposals submitted: 1. Public-opinion reports: 1.",
        "Invitations: 43; attended: 35, excused: 1, absent: 7.",
        "  马晓东: absent 3 times in a row; removal is recommended under the rule.",
        "6. Plan for next year",
    ] {
        assert!(t.contains(expected), "missing {expected:?} in:\n{t}");
    }
    oddity_free(&dr);
    assert_eq!(dr.missing, draft(&all, DateRange::year(2024), Lang::Zh).missing, "what is missing does not depend on the language");
}

#[test]
fn the_draft_of_an_empty_period_says_nothing_was_recorded_and_lists_it_as_missing() {
    let empty = AllDocs::default();
    for lang in [Lang::Zh, Lang::En] {
        let dr = draft(&empty, DateRange::new(d(2024, 1, 1), d(2024, 3, 31)), lang);
        assert_eq!(dr.missing, vec![MissingItem::NothingRecorded]);
        oddity_free(&dr);
        let zero = dr.text.split(|c: char| !c.is_ascii_digit()).any(|n| n == "0");
        assert!(!zero, "no zero figures stand in for missing ones:\n{}", dr.text);
    }
    let zh = draft(&empty, DateRange::new(d(2024, 1, 1), d(2024, 3, 31)), Lang::Zh).text;
    assert!(zh.starts_with("工作总结（草稿）\n统计期间：2024年1月1日至2024年3月31日。"), "{zh}");
    for expected in [
        "本期没有记录任何活动，活动次数、参加人次均无从统计。",
        "本期没有活动记录，没有收集到意见建议。",
        "本期没有提交提案，也没有报送社情民意信息。",
        "本期记录中没有邀请人员及出勤情况。",
        "本期活动记录中没有填写发现的问题。",
    ] {
        assert!(zh.contains(expected), "missing {expected:?} in:\n{zh}");
    }
    let all = year_2024();
    let before = draft(&all, DateRange::year(2023), Lang::Zh);
    assert_eq!(before.missing, vec![MissingItem::NothingRecorded, MissingItem::UndatedActivities { count: 1 }]);
}

#[test]
fn an_activity_without_title_place_or_attendees_is_named_as_missing_not_left_blank() {
    let bare = Activity { kind: "inspection".into(), date: Some(d(2024, 5, 6)), ..Activity::default() };
    let stamp = Stamp { hlc: Hlc { millis: 1, counter: 0 }, device: DeviceId("t".into()) };
    let all = AllDocs { activities: vec![Document::create(id(500), bare, stamp)], ..AllDocs::default() };
    for lang in [Lang::Zh, Lang::En] {
        let dr = draft(&all, DateRange::year(2024), lang);
        oddity_free(&dr);
        assert_eq!(
            &dr.missing[..3],
            &[
                MissingItem::NoTitle { activity: id(500) },
                MissingItem::NoPlace { activity: id(500), title: if lang == Lang::Zh { "（未填写标题）".into() } else { "(untitled)".into() } },
                MissingItem::NoAttendees { activity: id(500), title: if lang == Lang::Zh { "（未填写标题）".into() } else { "(untitled)".into() } },
            ]
        );
        assert!(dr.missing.contains(&MissingItem::NoSuggestions) && dr.missing.contains(&MissingItem::NoFindings));
    }
    let zh = draft(&all, DateRange::year(2024), Lang::Zh).text;
    assert!(zh.contains("1. 2024年5月6日，（未填写标题），地点未记录，未记录参加人员。"), "{zh}");
    assert!(zh.contains("本期活动中没有记录意见建议。"));
}

#[test]
fn the_rule_thresholds_in_the_draft_come_from_the_settings() {
    let all = year_2024();
    let strict = RuleSettings { warn_after: 1, remove_after: 2 };
    let t = draft_summary(&all.records(), DateRange::year(2024), &Template::liaison(), &strict, Lang::Zh).text;
    assert!(t.contains("按照连续缺席1次给予口头警告、连续缺席2次建议取消资格的规定"), "{t}");
    assert!(t.contains("覃文斌：连续2次缺席，按规定建议取消资格。"));
    let off = RuleSettings { warn_after: 0, remove_after: 0 };
    let t = draft_summary(&all.records(), DateRange::year(2024), &Template::liaison(), &off, Lang::Zh).text;
    assert!(t.contains("本期未启用连续缺席的处理规定。") && !t.contains("马晓东"));
}

#[test]
fn missing_items_describe_themselves_in_both_languages() {
    let t = Template::liaison();
    let m = MissingItem::NoActivitiesOfKind { kind: "hearing".into() };
    assert_eq!(m.describe(Lang::Zh, &t), "本期没有旁听庭审活动的记录");
    assert_eq!(m.describe(Lang::En, &t), "No Court hearing is recorded in this period");
    assert_eq!(zh_number(6), "六");
    assert_eq!(zh_number(14), "十四");
    assert_eq!(zh_number(20), "二十");
    assert_eq!(zh_number(35), "三十五");
}

#[test]
fn the_scan_catches_the_seeds_blanks() {
    for seed in ["联络组成员共人", "《运城日报》份", "XXX县法院", "征集合理化建议xx条", "**镇", "共收集，整理"] {
        assert!(!blanks(seed).is_empty(), "{seed} should be caught");
    }
    assert!(blanks("本期共开展活动14次，参加活动共38人次。").is_empty());
}
