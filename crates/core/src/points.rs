//! The points scheme (履职积分) as data: points per activity attended (by
//! kind) or per output (suggestion raised, proposal led or co-signed,
//! opinion report), points per absence, an optional cap per item, a base
//! score and a pass mark. Each person's score follows from the records.
//!
//! Attribution: an activity counts for the roster people marked attended; a
//! suggestion counts for the person it was raised by (`roster::raised_by`:
//! raised_by is free text, a villager is not on the roster and scores
//! nothing); a proposal for its lead and each co-signer; an opinion report
//! for its reporter. What is counted is the caller's period's records.

use crate::id::Id;
use crate::model::Attendance;
use crate::records::{DateRange, Records};
use crate::roster::raised_by;
use serde::{Deserialize, Serialize};

/// What earns (or costs) points.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Item {
    /// Attending an activity of this kind; the kind `"*"` stands for every
    /// kind without an item of its own.
    Attended(String),
    /// An absence (缺席; excused ones cost nothing). Usually negative points.
    Absent,
    /// A suggestion raised (意见建议).
    SuggestionRaised,
    /// Lead proposer of a proposal (第一提案人).
    ProposalLead,
    /// Co-signer of a proposal (联名提案人).
    ProposalCoSigner,
    /// Reporter of a public-opinion report (社情民意).
    OpinionReport,
}

/// Points for one item: per occurrence, and at most `cap` in total (for a
/// negative item, a cap bounds the deduction: at most `cap` points off).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    /// What is counted.
    pub item: Item,
    /// Points per occurrence (negative for a deduction).
    pub points: i32,
    /// The most points (in absolute value) this item can add or take off.
    #[serde(default)]
    pub cap: Option<u32>,
}

/// A whole scheme: base score, pass mark and rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scheme {
    /// Everyone's starting score (基础分).
    pub base: i32,
    /// The score a person needs to pass (合格线), inclusive.
    pub pass_mark: i32,
    /// One rule per item; an item without a rule earns nothing.
    pub rules: Vec<Rule>,
}

impl Default for Scheme {
    /// A sensible default: base 60, pass 70; +2 per activity attended (at
    /// most 20), −3 per absence, +2 per suggestion (at most 10), +5 per
    /// proposal led (at most 15), +2 per proposal co-signed (at most 6), +3
    /// per opinion report (at most 9).
    fn default() -> Self {
        let rule = |item, points, cap| Rule { item, points, cap };
        Scheme {
            base: 60,
            pass_mark: 70,
            rules: vec![
                rule(Item::Attended("*".into()), 2, Some(20)),
                rule(Item::Absent, -3, None),
                rule(Item::SuggestionRaised, 2, Some(10)),
                rule(Item::ProposalLead, 5, Some(15)),
                rule(Item::ProposalCoSigner, 2, Some(6)),
                rule(Item::OpinionReport, 3, Some(9)),
            ],
        }
    }
}

impl Scheme {
    /// The rule for `item`, if any.
    pub fn rule(&self, item: &Item) -> Option<&Rule> {
        self.rules.iter().find(|r| &r.item == item)
    }

    /// The rule that applies to attending an activity of `kind`: its own,
    /// else the `"*"` rule.
    pub fn attended_rule(&self, kind: &str) -> Option<&Rule> {
        self.rule(&Item::Attended(kind.to_string())).or_else(|| self.rule(&Item::Attended("*".into())))
    }
}

/// One line of a person's score: an item, how often, the points it gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScoreLine {
    /// The rule's item (for attendance, the rule's kind or `"*"`).
    pub item: Item,
    /// Occurrences counted.
    pub count: u32,
    /// Points after the cap.
    pub points: i32,
}

/// A person's score over a period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Score {
    /// The person's id.
    pub person: Id,
    /// Base plus every line.
    pub total: i32,
    /// `total >= pass_mark`.
    pub passed: bool,
    /// Per item, in the scheme's rule order; items that did not occur are left out.
    pub lines: Vec<ScoreLine>,
}

fn capped(points: i32, count: u32, cap: Option<u32>) -> i32 {
    let raw = points.saturating_mul(count as i32);
    match cap {
        Some(c) => raw.clamp(-(c as i32), c as i32),
        None => raw,
    }
}

/// A person's score from the records dated in `range`.
pub fn score(person: &Id, records: &Records<'_>, range: DateRange, scheme: &Scheme) -> Score {
    let mut counts: Vec<(Item, u32)> = Vec::new();
    let mut add = |item: Item, n: u32| match counts.iter_mut().find(|(i, _)| *i == item) {
        Some(slot) => slot.1 += n,
        None => counts.push((item, n)),
    };
    let who = records.people.iter().find(|d| &d.id == person).map(|d| &d.body);
    for doc in records.activities_in(range) {
        if let Some(p) = doc.body.participant(person) {
            match p.status {
                Attendance::Attended => {
                    if let Some(rule) = scheme.attended_rule(&doc.body.kind) {
                        add(rule.item.clone(), 1);
                    }
                }
                Attendance::Absent => add(Item::Absent, 1),
                Attendance::Excused => {}
            }
        }
        let raised = doc.body.suggestions.iter().filter(|s| who.is_some_and(|p| raised_by(s, p))).count() as u32;
        add(Item::SuggestionRaised, raised);
    }
    for p in records.proposals_in(range) {
        add(Item::ProposalLead, u32::from(p.body.lead.as_ref() == Some(person)));
        add(Item::ProposalCoSigner, u32::from(p.body.co_signers.contains(person) && p.body.lead.as_ref() != Some(person)));
    }
    for r in records.opinion_reports_in(range) {
        add(Item::OpinionReport, u32::from(r.body.reporter.as_ref() == Some(person)));
    }
    let lines: Vec<ScoreLine> = scheme
        .rules
        .iter()
        .filter_map(|rule| {
            let count = counts.iter().find(|(i, _)| *i == rule.item).map_or(0, |(_, n)| *n);
            (count > 0).then(|| ScoreLine { item: rule.item.clone(), count, points: capped(rule.points, count, rule.cap) })
        })
        .collect();
    let total = scheme.base + lines.iter().map(|l| l.points).sum::<i32>();
    Score { person: person.clone(), total, passed: total >= scheme.pass_mark, lines }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::{id, year_2024};

    #[test]
    fn the_default_scheme_scores_the_fixture_year_as_worked_out_by_hand() {
        let all = year_2024();
        let r = all.records();
        let s = Scheme::default();
        let totals: Vec<(i32, bool)> = (1..=11).map(|n| score(&id(n), &r, DateRange::year(2024), &s)).map(|s| (s.total, s.passed)).collect();
        // 韦志强 60+5×2+1×2; 黄丽萍 60+10+2 (her 2025 proposal is outside);
        // 农建华 60+10+2+5 (lead); 梁秀英 60+8+2 (co-signer) = pass mark;
        // 李明德 60+6+2+3 (report); 陆海燕 60+10+2; 赵国庆 60+8+2;
        // 潘玉兰 60+2−6; 覃文斌 60+4−6; 马晓东 60+2−9; 周卫东 never invited: 60.
        assert_eq!(
            totals,
            vec![(72, true), (72, true), (77, true), (70, true), (71, true), (72, true), (70, true), (56, false), (58, false), (53, false), (60, false)]
        );
        let li = score(&id(5), &r, DateRange::year(2024), &s);
        assert_eq!(
            li.lines,
            vec![
                ScoreLine { item: Item::Attended("*".into()), count: 3, points: 6 },
                ScoreLine { item: Item::SuggestionRaised, count: 1, points: 2 },
                ScoreLine { item: Item::OpinionReport, count: 1, points: 3 },
            ]
        );
    }

    #[test]
    fn caps_bound_an_item_and_a_kind_rule_beats_the_wildcard() {
        let all = year_2024();
        let r = all.records();
        let scheme = Scheme {
            base: 0,
            pass_mark: 10,
            rules: vec![
                Rule { item: Item::Attended("hearing".into()), points: 5, cap: Some(6) },
                Rule { item: Item::Attended("*".into()), points: 1, cap: None },
                Rule { item: Item::Absent, points: -4, cap: Some(5) },
            ],
        };
        // 马晓东: attended one forum (+1), absent 3 times (−12, capped at −5).
        assert_eq!(score(&id(10), &r, DateRange::year(2024), &scheme).total, -4);
        // 陆海燕: hearings H1, H6 (+10, capped 6), forum F1, F6 and survey (+3).
        let lu = score(&id(6), &r, DateRange::year(2024), &scheme);
        assert_eq!((lu.total, lu.passed), (9, false));
    }

    #[test]
    fn a_scheme_is_data_that_round_trips_through_json() {
        let s = Scheme::default();
        let json = serde_json::to_string(&s).unwrap();
        assert!(json.contains(r#"{"attended":"*"}"#) && json.contains(r#""suggestion_raised""#), "{json}");
        assert_eq!(serde_json::from_str::<Scheme>(&json).unwrap(), s);
    }
}
