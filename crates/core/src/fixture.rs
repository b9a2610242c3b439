//! Test fixture: a court liaison office's 2024 that mirrors the first seed
//! summary (大新县人民法院): 10 members and deputies invited, 6 hearings
//! observed each followed by a 阳光评议 forum (6 forums), one joint survey,
//! an open day, 38 person-times in all. Figures the tests expect are worked
//! out by hand in the comments.

use crate::clock::{DeviceId, Hlc, Stamp};
use crate::doc::Document;
use crate::id::Id;
use crate::model::{Activity, Attendance, Participant, Person, Suggestion, SuggestionStatus};
use crate::proposal::{OpinionReport, Proposal, ProposalStatus, SourceLink};
use crate::records::AllDocs;
use chrono::{NaiveDate, NaiveTime};

/// A fixed id: people 1–11, activities 101–, suggestions 201–, proposals 301–, reports 401–.
pub fn id(n: u64) -> Id {
    Id::new_v7(1_700_000_000_000 + n, [n as u8; 10])
}

/// A date.
pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// A stamp from the office's device.
pub fn stamp(ms: u64) -> Stamp {
    Stamp { hlc: Hlc { millis: ms, counter: 0 }, device: DeviceId("office".into()) }
}

/// The roster: 1–5 deputies, 6–10 members, 11 an integrity supervisor never invited.
pub const NAMES: [&str; 11] = ["韦志强", "黄丽萍", "农建华", "梁秀英", "李明德", "陆海燕", "赵国庆", "潘玉兰", "覃文斌", "马晓东", "周卫东"];

fn person(n: usize) -> Document<Person> {
    let role = match n {
        1..=5 => "deputy",
        6..=10 => "member",
        _ => "supervisor",
    };
    let body = Person { name: NAMES[n - 1].into(), role: role.into(), unit: "大新县".into(), ..Person::default() };
    Document::create(id(n as u64), body, stamp(1))
}

const A: Attendance = Attendance::Attended;
const X: Attendance = Attendance::Absent;
const E: Attendance = Attendance::Excused;

#[allow(clippy::too_many_arguments)]
fn activity(n: u64, kind: &str, title: &str, date: NaiveDate, hour: u32, place: &str, who: &[(usize, Attendance)], others: u32) -> Document<Activity> {
    let body = Activity {
        kind: kind.into(),
        title: title.into(),
        date: Some(date),
        start: NaiveTime::from_hms_opt(hour, 0, 0),
        place: place.into(),
        organiser: "县人民法院办公室".into(),
        participants: who
            .iter()
            .map(|(p, s)| Participant { person: id(*p as u64), status: *s, reason: if *s == E { "外出开会".into() } else { String::new() } })
            .collect(),
        other_attendees: others,
        ..Activity::default()
    };
    Document::create(id(n), body, stamp(n))
}

#[allow(clippy::too_many_arguments)]
fn suggestion(
    n: u64,
    content: &str,
    by: &str,
    dept: &str,
    status: SuggestionStatus,
    forwarded: Option<NaiveDate>,
    reply: &str,
    reply_date: Option<NaiveDate>,
    told: bool,
) -> Suggestion {
    Suggestion {
        content: content.into(),
        raised_by: by.into(),
        department: dept.into(),
        status,
        forwarded_on: forwarded,
        reply: reply.into(),
        reply_date,
        told_raiser: told,
        ..Suggestion::new(id(n))
    }
}

/// The year. Person-times per activity (attended roster people + others):
/// H1 4, F1 4, H2 2, F2 2, H3 2, F3 2, S1 3, H4 2, F4 3, O1 2+3, H5 2, F5 2,
/// H6 2, F6 3 = 38. Attendance streaks: 覃文斌 absent H3, F3 (2 in a row:
/// warning); 马晓东 absent H5, F5, H6 (3: removal); 潘玉兰 absent H2,
/// excused F2, absent H4 (2, the excuse neither counts nor breaks: warning).
pub fn year_2024() -> AllDocs {
    use SuggestionStatus::*;
    let court1 = "县人民法院第一审判庭";
    let court2 = "县人民法院第二审判庭";
    let room = "县人民法院三楼会议室";
    let mut acts = vec![
        activity(101, "hearing", "旁听庭审：韦某故意伤害案", d(2024, 3, 12), 9, court1, &[(1, A), (2, A), (6, A), (7, A)], 0),
        activity(102, "forum", "阳光评议座谈会：韦某故意伤害案", d(2024, 3, 12), 15, room, &[(1, A), (2, A), (6, A), (7, A)], 0),
        activity(103, "hearing", "旁听庭审：拖欠农民工工资案", d(2024, 4, 18), 9, court2, &[(3, A), (4, A), (8, X)], 0),
        activity(104, "forum", "阳光评议座谈会：拖欠农民工工资案", d(2024, 4, 18), 15, room, &[(3, A), (4, A), (8, E)], 0),
        activity(105, "hearing", "旁听庭审：土地承包经营权纠纷案", d(2024, 6, 5), 9, "硕龙镇人民法庭", &[(5, A), (9, X), (1, A)], 0),
        activity(106, "forum", "阳光评议座谈会：土地承包经营权纠纷案", d(2024, 6, 5), 15, "硕龙镇人民法庭会议室", &[(5, A), (9, X), (1, A)], 0),
        activity(107, "survey", "行政诉讼协调工作专项调研", d(2024, 7, 9), 9, "县人大常委会会议室", &[(2, A), (3, A), (6, A)], 0),
        activity(108, "hearing", "旁听庭审：非法采砂案", d(2024, 8, 21), 9, court1, &[(8, X), (4, A), (7, A)], 0),
        activity(109, "forum", "阳光评议座谈会：非法采砂案", d(2024, 8, 21), 15, room, &[(8, A), (4, A), (7, A)], 0),
        activity(110, "other", "法院开放日", d(2024, 9, 20), 9, "", &[(1, A), (5, A)], 3),
        activity(111, "hearing", "旁听庭审：民间借贷纠纷案", d(2024, 10, 10), 9, court2, &[(10, X), (2, A), (9, A)], 0),
        activity(112, "forum", "阳光评议座谈会：民间借贷纠纷案", d(2024, 10, 10), 15, room, &[(10, X), (2, A), (9, A)], 0),
        activity(113, "hearing", "旁听庭审：环境污染责任纠纷案", d(2024, 11, 27), 9, court1, &[(10, X), (6, A), (3, A)], 0),
        activity(114, "forum", "阳光评议座谈会：环境污染责任纠纷案", d(2024, 11, 27), 15, room, &[(10, A), (6, A), (3, A)], 0),
    ];
    acts[0].body.findings = "部分旁听群众不熟悉法庭纪律".into();
    acts[7].body.findings = "庭审直播画面不清晰，旁听席音响效果差".into();
    acts[1].body.suggestions = vec![
        suggestion(
            201,
            "庭审中当事人陈述时间分配不均，建议法官加强庭审节奏把控",
            "韦志强",
            "县人民法院",
            Answered,
            Some(d(2024, 3, 14)),
            "已在全院庭审规范化培训中通报",
            Some(d(2024, 4, 2)),
            true,
        ),
        suggestion(
            202,
            "建议在法院门口增设诉讼指引牌，方便群众",
            "黄丽萍",
            "县人民法院",
            Resolved,
            Some(d(2024, 3, 14)),
            "已于4月增设指引牌",
            Some(d(2024, 4, 20)),
            false,
        ),
    ];
    acts[3].body.suggestions = vec![suggestion(
        203,
        "农民工工资案件执行周期长，建议开通执行绿色通道",
        "农建华",
        "县人民法院执行局",
        InProgress,
        Some(d(2024, 4, 22)),
        "",
        None,
        false,
    )];
    acts[5].body.suggestions =
        vec![suggestion(204, "土地纠纷调解应邀请村“两委”干部参与", "李明德", "县司法局", Forwarded, Some(d(2024, 6, 10)), "", None, false)];
    acts[6].body.suggestions =
        vec![suggestion(205, "行政机关负责人出庭应诉率偏低，建议纳入考核", "县人大常委会法工委", "县人民政府法制办", Collected, None, "", None, false)];
    acts[13].body.suggestions = vec![suggestion(206, "建议以案释法，宣传环境保护法律法规", "陆海燕", "县人民法院", Collected, None, "", None, false)];
    // Stamp the filled-in bodies as created that way, so that every field
    // has a stamp (a state devices can reach, which merge relies on).
    let mut acts: Vec<Document<Activity>> = acts.into_iter().map(|d| Document::create(d.id, d.body, d.created)).collect();
    // Neither counts: an undated draft, and a trashed record with attendees.
    acts.push(Document::create(id(115), Activity { kind: "visit".into(), title: "走访委员企业（草稿）".into(), ..Activity::default() }, stamp(115)));
    let mut trashed = activity(116, "visit", "误建的记录", d(2024, 5, 5), 9, "县城", &[(1, A), (9, X), (10, X)], 5);
    trashed.set_trashed(true, stamp(200));
    acts.push(trashed);

    let proposals = vec![
        Document::create(
            id(301),
            Proposal {
                title: "关于建立农民工工资案件执行绿色通道的提案".into(),
                category: "法治".into(),
                lead: Some(id(3)),
                co_signers: vec![id(4), id(7)],
                handling_unit: "县人民法院".into(),
                date: Some(d(2024, 5, 10)),
                status: ProposalStatus::Accepted,
                source: Some(SourceLink { activity: id(104), suggestion: id(203) }),
                ..Proposal::default()
            },
            stamp(301),
        ),
        // Next year's: outside the 2024 period.
        Document::create(
            id(302),
            Proposal {
                title: "关于提高行政机关负责人出庭应诉率的提案".into(),
                lead: Some(id(2)),
                co_signers: vec![id(3)],
                date: Some(d(2025, 1, 5)),
                source: Some(SourceLink { activity: id(107), suggestion: id(205) }),
                ..Proposal::default()
            },
            stamp(302),
        ),
    ];
    let opinion_reports = vec![Document::create(
        id(401),
        OpinionReport {
            title: "关于农村土地纠纷多元调解的建议".into(),
            situation: "土地承包经营权纠纷多发".into(),
            cause: "调解力量不足".into(),
            suggestion: "邀请村“两委”干部参与调解".into(),
            reporter: Some(id(5)),
            unit: "硕龙镇".into(),
            date: Some(d(2024, 6, 20)),
            source: Some(SourceLink { activity: id(106), suggestion: id(204) }),
            ..OpinionReport::default()
        },
        stamp(401),
    )];
    AllDocs { activities: acts, people: (1..=11).map(person).collect(), proposals, opinion_reports, ..AllDocs::default() }
}

/// A stamp from the named device.
pub fn stamp_on(device: &str, ms: u64) -> Stamp {
    Stamp { hlc: Hlc { millis: ms, counter: 0 }, device: DeviceId(device.into()) }
}

/// A copy of `doc` with `change` applied to its body as an edit stamped `at`.
pub fn edited(doc: &Document<Activity>, at: Stamp, change: impl FnOnce(&mut Activity)) -> Document<Activity> {
    let mut doc = doc.clone();
    let mut body = doc.body.clone();
    change(&mut body);
    doc.edit(body, at);
    doc
}

/// Makes the year's first record a school inspection (the school safety
/// template's kind) with 14 hazards found, "rectify" and fire exits clear;
/// returns its title.
pub fn school_inspection(all: &mut AllDocs) -> String {
    use crate::custom::FieldValue;
    let a = &mut all.activities[0].body;
    a.kind = "school_inspection".into();
    a.custom.insert("hazards_found".into(), FieldValue::Number(14.0));
    a.custom.insert("result".into(), FieldValue::Text("rectify".into()));
    a.custom.insert("fire_exits_clear".into(), FieldValue::Bool(true));
    a.title.clone()
}
