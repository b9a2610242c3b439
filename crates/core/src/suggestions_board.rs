//! The office's suggestions board: every suggestion from every activity in
//! one list, with the activity it came from, filterable by status,
//! department, period and who raised it; and the follow-up lifecycle
//! 新收集 → 已转交 → 办理中 → 已办结 / 已答复 as checked transitions.
//!
//! The department a suggestion is "for" (`Suggestion::department`) is the one
//! it is forwarded to; `forwarded_on` records when.

use crate::doc::Document;
use crate::id::Id;
use crate::lang::Lang;
use crate::model::{Activity, Suggestion, SuggestionStatus};
use crate::period::Period;
use crate::proposal::{OpinionReport, Proposal};
use crate::records::Records;
use crate::search::{fold, Query};
use chrono::NaiveDate;
use std::fmt;

/// Whether the status means the suggestion has left the office: forwarded,
/// being handled, resolved or answered.
pub fn was_forwarded(status: SuggestionStatus) -> bool {
    status != SuggestionStatus::Collected
}

/// Whether the follow-up is finished (已办结 or 已答复).
pub fn is_closed(status: SuggestionStatus) -> bool {
    matches!(status, SuggestionStatus::Resolved | SuggestionStatus::Answered)
}

/// One line of the board: a suggestion and the activity it was collected at.
#[derive(Clone, Debug, PartialEq)]
pub struct BoardRow {
    /// The activity document's id.
    pub activity_id: Id,
    /// The activity's title.
    pub activity_title: String,
    /// The activity's date (`None` for an undated draft).
    pub activity_date: Option<NaiveDate>,
    /// The activity's kind key.
    pub activity_kind: String,
    /// The suggestion as recorded.
    pub suggestion: Suggestion,
    /// Proposals promoted from this suggestion (document ids).
    pub proposals: Vec<Id>,
    /// Opinion reports promoted from this suggestion (document ids).
    pub opinion_reports: Vec<Id>,
}

/// What the board shows. Empty fields filter nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BoardFilter {
    /// Only this status.
    pub status: Option<SuggestionStatus>,
    /// Only this department (exact, ignoring surrounding spaces).
    pub department: Option<String>,
    /// Only suggestions from activities dated in this period.
    pub period: Period,
    /// Only suggestions whose `raised_by` contains this text (folded, as search).
    pub raised_by: String,
}

/// Every suggestion of every live activity that passes the filter, newest
/// activity first, in each activity in the order recorded.
pub fn board(records: &Records<'_>, filter: &BoardFilter, today: NaiveDate) -> Vec<BoardRow> {
    let who = Query::parse(&filter.raised_by);
    let mut docs: Vec<&Document<Activity>> = records.live_activities().filter(|d| filter.period.contains(d.body.date, today)).collect();
    docs.sort_by(|a, b| (b.body.date.is_none(), b.body.date, &b.id).cmp(&(a.body.date.is_none(), a.body.date, &a.id)));
    let mut rows = Vec::new();
    for doc in docs {
        for s in &doc.body.suggestions {
            if filter.status.is_some_and(|st| st != s.status)
                || filter.department.as_ref().is_some_and(|d| d.trim() != s.department.trim())
                || !(who.is_empty() || who.matches(&fold(&s.raised_by)))
            {
                continue;
            }
            rows.push(BoardRow {
                activity_id: doc.id.clone(),
                activity_title: doc.body.title.clone(),
                activity_date: doc.body.date,
                activity_kind: doc.body.kind.clone(),
                suggestion: s.clone(),
                proposals: promoted(records.proposals, &doc.id, &s.id, |p: &Proposal| p.source.as_ref()),
                opinion_reports: promoted(records.opinion_reports, &doc.id, &s.id, |r: &OpinionReport| r.source.as_ref()),
            });
        }
    }
    rows
}

fn promoted<T: crate::doc::Body>(docs: &[Document<T>], activity: &Id, suggestion: &Id, source: impl Fn(&T) -> Option<&crate::proposal::SourceLink>) -> Vec<Id> {
    docs.iter()
        .filter(|d| !d.trashed)
        .filter(|d| source(&d.body).is_some_and(|l| &l.activity == activity && &l.suggestion == suggestion))
        .map(|d| d.id.clone())
        .collect()
}

/// The distinct departments named in live activities' suggestions, sorted,
/// for the board's department filter.
pub fn departments(records: &Records<'_>) -> Vec<String> {
    let mut out: Vec<String> =
        records.live_activities().flat_map(|d| d.body.suggestions.iter()).map(|s| s.department.trim().to_string()).filter(|d| !d.is_empty()).collect();
    out.sort();
    out.dedup();
    out
}

/// How many rows have each status, in `SuggestionStatus::ALL` order.
pub fn count_by_status<'a>(suggestions: impl IntoIterator<Item = &'a Suggestion>) -> [(SuggestionStatus, u32); 5] {
    let mut out = SuggestionStatus::ALL.map(|s| (s, 0));
    for s in suggestions {
        if let Some(slot) = out.iter_mut().find(|(st, _)| *st == s.status) {
            slot.1 += 1;
        }
    }
    out
}

/// Why a follow-up step was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FollowUpError {
    /// The step does not follow from the current status (e.g. handling
    /// something never forwarded, or forwarding a closed one).
    NotFrom {
        /// The current status.
        from: SuggestionStatus,
        /// The status asked for.
        to: SuggestionStatus,
    },
    /// Forwarding needs the department it goes to.
    NoDepartment,
    /// Closing needs the reply or the outcome in words.
    NoReply,
}

impl fmt::Display for FollowUpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FollowUpError::NotFrom { from, to } => {
                write!(f, "a suggestion that is {} cannot become {}", from.label(Lang::En), to.label(Lang::En))
            }
            FollowUpError::NoDepartment => write!(f, "say which department the suggestion is forwarded to"),
            FollowUpError::NoReply => write!(f, "write the reply or the outcome before closing the suggestion"),
        }
    }
}

impl std::error::Error for FollowUpError {}

/// 转交: a new suggestion goes to `department` on `on`.
pub fn forward(s: &mut Suggestion, department: &str, on: NaiveDate) -> Result<(), FollowUpError> {
    if s.status != SuggestionStatus::Collected {
        return Err(FollowUpError::NotFrom { from: s.status, to: SuggestionStatus::Forwarded });
    }
    if department.trim().is_empty() {
        return Err(FollowUpError::NoDepartment);
    }
    s.department = department.trim().to_string();
    s.forwarded_on = Some(on);
    s.status = SuggestionStatus::Forwarded;
    Ok(())
}

/// 办理中: the department has taken up a forwarded suggestion.
pub fn start_handling(s: &mut Suggestion) -> Result<(), FollowUpError> {
    if s.status != SuggestionStatus::Forwarded {
        return Err(FollowUpError::NotFrom { from: s.status, to: SuggestionStatus::InProgress });
    }
    s.status = SuggestionStatus::InProgress;
    Ok(())
}

/// 已办结 or 已答复: closes a forwarded or in-progress suggestion with the
/// reply (or outcome) and its date; `told_raiser` says whether the person
/// who raised it has been told. A suggestion the office answers itself may
/// be closed as answered straight from collected.
pub fn close(s: &mut Suggestion, to: SuggestionStatus, reply: &str, on: NaiveDate, told_raiser: bool) -> Result<(), FollowUpError> {
    let allowed = match to {
        SuggestionStatus::Resolved => matches!(s.status, SuggestionStatus::Forwarded | SuggestionStatus::InProgress),
        SuggestionStatus::Answered => !is_closed(s.status),
        _ => false,
    };
    if !allowed {
        return Err(FollowUpError::NotFrom { from: s.status, to });
    }
    if reply.trim().is_empty() {
        return Err(FollowUpError::NoReply);
    }
    s.status = to;
    s.reply = reply.trim().to_string();
    s.reply_date = Some(on);
    s.told_raiser = told_raiser;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::{d, year_2024};
    use crate::model::SuggestionStatus::*;

    #[test]
    fn the_board_lists_every_suggestion_with_its_activity_newest_first() {
        let all = year_2024();
        let rows = board(&all.records(), &BoardFilter::default(), d(2024, 12, 31));
        let contents: Vec<&str> = rows.iter().map(|r| &r.suggestion.content[..6]).collect();
        assert_eq!(rows.len(), 6);
        assert_eq!(rows[0].activity_title, "阳光评议座谈会：环境污染责任纠纷案");
        assert_eq!(rows[0].activity_kind, "forum");
        assert_eq!(rows.last().unwrap().activity_date, Some(d(2024, 3, 12)));
        assert_eq!(contents.len(), 6);
        let promoted = rows.iter().find(|r| r.suggestion.raised_by == "农建华").unwrap();
        assert_eq!(promoted.proposals.len(), 1, "the board shows the suggestion became a proposal");
        let reported = rows.iter().find(|r| r.suggestion.raised_by == "李明德").unwrap();
        assert_eq!(reported.opinion_reports.len(), 1);
    }

    #[test]
    fn the_board_filters_by_status_department_period_and_who_raised_it() {
        let all = year_2024();
        let r = all.records();
        let today = d(2024, 12, 31);
        let count = |f: BoardFilter| board(&r, &f, today).len();
        assert_eq!(count(BoardFilter { status: Some(Collected), ..Default::default() }), 2);
        assert_eq!(count(BoardFilter { department: Some(" 县人民法院 ".into()), ..Default::default() }), 3);
        assert_eq!(count(BoardFilter { period: Period::Custom { from: Some(d(2024, 4, 1)), to: Some(d(2024, 6, 30)) }, ..Default::default() }), 2);
        assert_eq!(count(BoardFilter { raised_by: "志强".into(), ..Default::default() }), 1);
        assert_eq!(count(BoardFilter { status: Some(Answered), raised_by: "黄".into(), ..Default::default() }), 0);
        assert_eq!(departments(&r), ["县人民政府法制办", "县人民法院", "县人民法院执行局", "县司法局"]);
        let counts = count_by_status(board(&r, &BoardFilter::default(), today).iter().map(|r| &r.suggestion));
        assert_eq!(counts.map(|(_, n)| n), [2, 1, 1, 1, 1]);
    }

    #[test]
    fn the_follow_up_goes_collected_forwarded_in_progress_then_closed() {
        let mut s = Suggestion::new(crate::fixture::id(900));
        assert_eq!(start_handling(&mut s), Err(FollowUpError::NotFrom { from: Collected, to: InProgress }));
        assert_eq!(forward(&mut s, "  ", d(2024, 5, 1)), Err(FollowUpError::NoDepartment));
        forward(&mut s, "县交通运输局", d(2024, 5, 1)).unwrap();
        assert_eq!((s.status, s.department.as_str(), s.forwarded_on), (Forwarded, "县交通运输局", Some(d(2024, 5, 1))));
        start_handling(&mut s).unwrap();
        assert_eq!(close(&mut s, Resolved, "", d(2024, 6, 1), true), Err(FollowUpError::NoReply));
        close(&mut s, Resolved, "已增设路灯12盏", d(2024, 6, 1), true).unwrap();
        assert_eq!((s.status, s.reply_date, s.told_raiser), (Resolved, Some(d(2024, 6, 1)), true));
        assert!(forward(&mut s, "县交通运输局", d(2024, 7, 1)).is_err(), "a closed suggestion is not forwarded again");
        let mut own = Suggestion::new(crate::fixture::id(901));
        close(&mut own, Answered, "已当场解释诉讼费缓交规定", d(2024, 5, 2), false).unwrap();
        let mut fresh = Suggestion::new(crate::fixture::id(902));
        assert!(close(&mut fresh, Resolved, "办结", d(2024, 5, 2), false).is_err(), "resolving needs a department that handled it");
        assert!(!FollowUpError::NoReply.to_string().is_empty());
    }
}
