//! A read-only view over every stored document of every type, as the office's
//! board, reports, summaries and exports read them, plus an owned set of the
//! same for backups. Trashed documents are left out of every figure.

use crate::doc::Document;
use crate::id::Id;
use crate::model::{Activity, Person};
use crate::proposal::{OpinionReport, Proposal};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// An inclusive date range a report or summary covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateRange {
    /// First day, included.
    pub from: NaiveDate,
    /// Last day, included.
    pub to: NaiveDate,
}

impl DateRange {
    /// The range from `from` to `to`, both included.
    pub fn new(from: NaiveDate, to: NaiveDate) -> DateRange {
        DateRange { from, to }
    }

    /// The calendar year `year`.
    pub fn year(year: i32) -> DateRange {
        let from = NaiveDate::from_ymd_opt(year, 1, 1).expect("1 January exists");
        let to = NaiveDate::from_ymd_opt(year, 12, 31).expect("31 December exists");
        DateRange { from, to }
    }

    /// Whether a dated record falls in the range; an undated one never does.
    pub fn contains(&self, date: Option<NaiveDate>) -> bool {
        date.is_some_and(|d| self.from <= d && d <= self.to)
    }
}

/// Borrowed slices of every document type, as the app holds them.
#[derive(Clone, Copy, Debug)]
pub struct Records<'a> {
    /// Activity documents (视察, 走访 …).
    pub activities: &'a [Document<Activity>],
    /// The roster.
    pub people: &'a [Document<Person>],
    /// Proposals (提案).
    pub proposals: &'a [Document<Proposal>],
    /// Public-opinion reports (社情民意).
    pub opinion_reports: &'a [Document<OpinionReport>],
}

impl<'a> Records<'a> {
    /// Activities not in the trash.
    pub fn live_activities(&self) -> impl Iterator<Item = &'a Document<Activity>> + 'a {
        self.activities.iter().filter(|d| !d.trashed)
    }

    /// Activities not in the trash and dated within `range`.
    pub fn activities_in(&self, range: DateRange) -> Vec<&'a Document<Activity>> {
        self.live_activities().filter(|d| range.contains(d.body.date)).collect()
    }

    /// People not in the trash.
    pub fn live_people(&self) -> impl Iterator<Item = &'a Document<Person>> + 'a {
        self.people.iter().filter(|d| !d.trashed)
    }

    /// Proposals not in the trash and submitted within `range`.
    pub fn proposals_in(&self, range: DateRange) -> Vec<&'a Document<Proposal>> {
        self.proposals.iter().filter(|d| !d.trashed && range.contains(d.body.date)).collect()
    }

    /// Opinion reports not in the trash and dated within `range`.
    pub fn opinion_reports_in(&self, range: DateRange) -> Vec<&'a Document<OpinionReport>> {
        self.opinion_reports.iter().filter(|d| !d.trashed && range.contains(d.body.date)).collect()
    }

    /// Person id → name, for every person document (trashed ones too, so
    /// that old records still show who took part).
    pub fn names(&self) -> HashMap<Id, String> {
        self.people.iter().map(|d| (d.id.clone(), d.body.name.clone())).collect()
    }

    /// The name of a person, or `None` if the id is not on the roster.
    pub fn name_of(&self, id: &Id) -> Option<&'a str> {
        self.people.iter().find(|d| &d.id == id).map(|d| d.body.name.as_str())
    }
}

/// Every document of every type, owned: what a backup holds and an import
/// merges into.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AllDocs {
    /// Activity documents.
    #[serde(default)]
    pub activities: Vec<Document<Activity>>,
    /// Person documents.
    #[serde(default)]
    pub people: Vec<Document<Person>>,
    /// Proposal documents.
    #[serde(default)]
    pub proposals: Vec<Document<Proposal>>,
    /// Opinion-report documents.
    #[serde(default)]
    pub opinion_reports: Vec<Document<OpinionReport>>,
    /// The team-settings document, if the team has saved one (at most one:
    /// its id is fixed).
    #[serde(default)]
    pub team_settings: Vec<Document<crate::template::Template>>,
}

impl AllDocs {
    /// A borrowed view for reports and exports.
    pub fn records(&self) -> Records<'_> {
        Records { activities: &self.activities, people: &self.people, proposals: &self.proposals, opinion_reports: &self.opinion_reports }
    }

    /// How many documents of all types there are.
    pub fn len(&self) -> usize {
        self.activities.len() + self.people.len() + self.proposals.len() + self.opinion_reports.len() + self.team_settings.len()
    }

    /// Whether there are no documents at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
