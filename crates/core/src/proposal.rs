//! Formal outputs built from suggestions collected on site: proposals (提案)
//! and public-opinion reports (社情民意信息). Each is a document of its own,
//! stored and synced like an activity, and keeps a link to the activity and
//! suggestion it was promoted from, so the board can show "became a proposal".

use crate::doc::{Body, DocType};
use crate::id::Id;
use crate::model::Activity;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Where a proposal or report came from: a suggestion of an activity.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SourceLink {
    /// The activity document's id.
    pub activity: Id,
    /// The suggestion's id within that activity.
    pub suggestion: Id,
}

/// A proposal (提案). Fields added later get `#[serde(default)]`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Proposal {
    /// 案由: the proposal's title.
    pub title: String,
    /// 类别 (经济, 社会, 法治 …): free text.
    pub category: String,
    /// The body of the proposal (情况, 建议).
    pub content: String,
    /// 第一提案人: a person on the roster.
    pub lead: Option<Id>,
    /// 联名提案人: people on the roster.
    pub co_signers: Vec<Id>,
    /// 承办单位: the unit that handles it.
    pub handling_unit: String,
    /// Submission date; the period a proposal counts in.
    pub date: Option<NaiveDate>,
    /// Where it is in its handling.
    pub status: ProposalStatus,
    /// 答复: the handling unit's reply.
    pub reply: String,
    /// When the reply came.
    pub reply_date: Option<NaiveDate>,
    /// The suggestion it was promoted from, if any.
    pub source: Option<SourceLink>,
}

/// Where a proposal is in its handling.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProposalStatus {
    /// 草拟中
    #[default]
    Draft,
    /// 已提交
    Submitted,
    /// 已立案
    Accepted,
    /// 不予立案 (turned into an opinion, or withdrawn)
    NotAccepted,
    /// 已答复
    Answered,
}

impl ProposalStatus {
    /// Every status, in handling order.
    pub const ALL: [ProposalStatus; 5] =
        [ProposalStatus::Draft, ProposalStatus::Submitted, ProposalStatus::Accepted, ProposalStatus::NotAccepted, ProposalStatus::Answered];

    /// The stable key stored in documents.
    pub fn key(self) -> &'static str {
        match self {
            ProposalStatus::Draft => "draft",
            ProposalStatus::Submitted => "submitted",
            ProposalStatus::Accepted => "accepted",
            ProposalStatus::NotAccepted => "not_accepted",
            ProposalStatus::Answered => "answered",
        }
    }
}

impl Body for Proposal {
    const TYPE: DocType = DocType::Proposal;
    // Co-signers are plain ids, not objects with an `id`: the list is one value.
    const KEYED_LISTS: &'static [&'static str] = &[];
}

/// A public-opinion report (社情民意信息): situation, cause, suggestion.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OpinionReport {
    /// Title of the report.
    pub title: String,
    /// 基本情况
    pub situation: String,
    /// 原因分析
    pub cause: String,
    /// 意见建议
    pub suggestion: String,
    /// 反映人: a person on the roster.
    pub reporter: Option<Id>,
    /// 反映人单位
    pub unit: String,
    /// Date reported; the period a report counts in.
    pub date: Option<NaiveDate>,
    /// Whether it was adopted (被采用) by the receiving body.
    pub adopted: bool,
    /// The suggestion it was promoted from, if any.
    pub source: Option<SourceLink>,
}

impl Body for OpinionReport {
    const TYPE: DocType = DocType::OpinionReport;
    const KEYED_LISTS: &'static [&'static str] = &[];
}

/// A proposal drafted from a suggestion: the content becomes the body, the
/// suggestion's department the handling unit, the activity's date the
/// default submission date; title (案由), category and co-signers are the
/// caller's to fill. `None` if the activity has no such suggestion.
pub fn proposal_from_suggestion(activity_id: &Id, activity: &Activity, suggestion: &Id, lead: Option<Id>) -> Option<Proposal> {
    let s = activity.suggestions.iter().find(|s| &s.id == suggestion)?;
    Some(Proposal {
        content: s.content.clone(),
        handling_unit: s.department.clone(),
        lead,
        date: activity.date,
        source: Some(SourceLink { activity: activity_id.clone(), suggestion: s.id.clone() }),
        ..Proposal::default()
    })
}

/// An opinion report drafted from a suggestion: its content becomes the
/// suggestion part, the activity's findings the situation. `None` if the
/// activity has no such suggestion.
pub fn opinion_report_from_suggestion(activity_id: &Id, activity: &Activity, suggestion: &Id, reporter: Option<Id>) -> Option<OpinionReport> {
    let s = activity.suggestions.iter().find(|s| &s.id == suggestion)?;
    Some(OpinionReport {
        situation: activity.findings.clone(),
        suggestion: s.content.clone(),
        reporter,
        date: activity.date,
        source: Some(SourceLink { activity: activity_id.clone(), suggestion: s.id.clone() }),
        ..OpinionReport::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{DeviceId, Hlc, Stamp};
    use crate::doc::Document;
    use crate::model::Suggestion;

    fn id(n: u64) -> Id {
        Id::new_v7(1_700_000_000_000 + n, [n as u8; 10])
    }

    fn stamp(ms: u64) -> Stamp {
        Stamp { hlc: Hlc { millis: ms, counter: 0 }, device: DeviceId("office".into()) }
    }

    fn forum() -> Activity {
        Activity {
            kind: "forum".into(),
            title: "阳光评议座谈会".into(),
            date: NaiveDate::from_ymd_opt(2024, 4, 18),
            findings: "执行周期长".into(),
            suggestions: vec![Suggestion {
                content: "开通农民工工资案件执行绿色通道".into(), department: "县人民法院执行局".into(), ..Suggestion::new(id(9))
            }],
            ..Activity::default()
        }
    }

    #[test]
    fn a_promoted_suggestion_keeps_its_link_to_the_activity_and_suggestion() {
        let p = proposal_from_suggestion(&id(1), &forum(), &id(9), Some(id(3))).unwrap();
        assert_eq!(p.source, Some(SourceLink { activity: id(1), suggestion: id(9) }));
        assert_eq!(p.handling_unit, "县人民法院执行局");
        assert_eq!(p.lead, Some(id(3)));
        assert_eq!(p.date, NaiveDate::from_ymd_opt(2024, 4, 18));
        let r = opinion_report_from_suggestion(&id(1), &forum(), &id(9), None).unwrap();
        assert_eq!((r.situation.as_str(), r.suggestion.as_str()), ("执行周期长", "开通农民工工资案件执行绿色通道"));
        assert!(proposal_from_suggestion(&id(1), &forum(), &id(8), None).is_none(), "an unknown suggestion promotes nothing");
    }

    #[test]
    fn proposals_and_reports_are_documents_that_round_trip_and_read_with_defaults() {
        let p = Proposal { title: "关于建立执行绿色通道的提案".into(), co_signers: vec![id(4), id(7)], ..Proposal::default() };
        let doc = Document::create(id(20), p, stamp(1));
        assert_eq!(doc.doc_type, DocType::Proposal);
        assert_eq!(Document::<Proposal>::from_json(&doc.to_json()).unwrap(), doc);
        let r = Document::create(id(21), OpinionReport { title: "土地纠纷调解".into(), ..OpinionReport::default() }, stamp(1));
        assert_eq!(r.doc_type, DocType::OpinionReport);
        assert_eq!(Document::<OpinionReport>::from_json(&r.to_json()).unwrap(), r);
        let old = r#"{"format":1,"id":"0190a3b4-0000-7000-8000-000000000001","type":"proposal","body":{"title":"案由"},
            "created":{"hlc":{"millis":1,"counter":0},"device":"d"},"updated":{"hlc":{"millis":1,"counter":0},"device":"d"}}"#;
        let read = Document::<Proposal>::from_json(old).unwrap();
        assert_eq!((read.body.status, read.body.lead.clone(), read.body.co_signers.len()), (ProposalStatus::Draft, None, 0));
    }

    #[test]
    fn a_trashed_proposal_or_report_leaves_the_figures_syncs_its_deletion_and_restores() {
        use crate::records::{DateRange, Records};
        let date = NaiveDate::from_ymd_opt(2024, 5, 1);
        let office = Document::create(id(20), Proposal { title: "提案".into(), date, ..Proposal::default() }, stamp(1));
        let report = Document::create(id(21), OpinionReport { title: "社情民意".into(), date, ..OpinionReport::default() }, stamp(1));
        // One office computer moves both to the trash while another edits the proposal's reply.
        let (mut trashed, mut trashed_report) = (office.clone(), report.clone());
        trashed.set_trashed(true, stamp(5));
        trashed_report.set_trashed(true, stamp(5));
        let mut edited = office.clone();
        let other = Stamp { hlc: Hlc { millis: 6, counter: 0 }, device: DeviceId("office-2".into()) };
        edited.edit(Proposal { reply: "已答复".into(), ..office.body.clone() }, other);
        let merged = crate::merge::merge(&trashed, &edited).unwrap();
        assert!(merged.trashed && merged.body.reply == "已答复", "the deletion travels like a record's and the other edit is kept");
        let (proposals, reports) = (vec![merged.clone()], vec![trashed_report.clone()]);
        let year = DateRange::year(2024);
        let records = Records { activities: &[], people: &[], proposals: &proposals, opinion_reports: &reports };
        assert_eq!((records.proposals_in(year).len(), records.opinion_reports_in(year).len()), (0, 0));
        // Restored: it counts again, everywhere the restore syncs to.
        let mut restored = merged.clone();
        restored.set_trashed(false, stamp(9));
        let mut restored_report = trashed_report;
        restored_report.set_trashed(false, stamp(9));
        let back = crate::merge::merge(&merged, &restored).unwrap();
        let (proposals, reports) = (vec![back], vec![restored_report]);
        let records = Records { activities: &[], people: &[], proposals: &proposals, opinion_reports: &reports };
        assert_eq!((records.proposals_in(year).len(), records.opinion_reports_in(year).len()), (1, 1));
    }
}
