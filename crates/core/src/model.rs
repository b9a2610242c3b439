//! The records people keep: activities (视察, 调研, 走访 …) and the roster.
//!
//! Plain values that the UI edits. How they are stored, versioned and stamped
//! for sync is `doc`'s job; what makes them valid is `validate`'s.

use crate::id::Id;
use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

/// One activity: an inspection, a visit, a forum, a hearing observed …
/// Fields added in later formats get `#[serde(default)]` so older documents read.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Activity {
    /// Key of a `KindDef` in the template (e.g. "inspection").
    pub kind: String,
    pub title: String,
    pub date: Option<NaiveDate>,
    pub start: Option<NaiveTime>,
    pub end: Option<NaiveTime>,
    pub place: String,
    pub organiser: String,
    pub participants: Vec<Participant>,
    /// People who attended but are not on the roster (counted in 人次).
    pub other_attendees: u32,
    /// 内容
    pub notes: String,
    /// 发现问题
    pub findings: String,
    pub suggestions: Vec<Suggestion>,
    pub follow_up: String,
    pub tags: Vec<String>,
    /// Photos taken on site; the images live beside the record (content-addressed), not in it.
    pub photos: Vec<PhotoRef>,
    /// Where the activity took place, when "use my position" was pressed.
    pub location: Option<Location>,
    /// Values of the kind's custom fields (`template::FieldDef`), by field key;
    /// each merges as a field of its own. Left out of the JSON when empty, so
    /// records that use none are written as before.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub custom: std::collections::BTreeMap<String, crate::custom::FieldValue>,
}

/// A photo attached to a record: its content hash names the image (and a
/// thumbnail) in the photo store and on the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoRef {
    pub id: Id,
    /// SHA-256 (lowercase hex) of the shrunk JPEG.
    pub sha256: String,
    /// SHA-256 of the thumbnail JPEG, loaded first on other devices.
    #[serde(default)]
    pub thumb_sha256: String,
    #[serde(default)]
    pub caption: String,
    #[serde(default)]
    pub width: u32,
    #[serde(default)]
    pub height: u32,
    #[serde(default)]
    pub bytes: u64,
}

/// A position from the device (works with no network: GPS).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Location {
    pub lat: f64,
    pub lon: f64,
    /// Radius of uncertainty in metres, as the device reports it.
    pub accuracy_m: f64,
}

/// Whether `s` is a SHA-256 in lowercase hex, as photo names are.
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A person from the roster taking part in an activity. Keyed by the
/// person's id: the same person is in an activity's list at most once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    #[serde(rename = "id")]
    pub person: Id,
    pub status: Attendance,
    /// Why an excused person could not come (请假事由).
    #[serde(default)]
    pub reason: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Attendance {
    /// 出席
    Attended,
    /// 请假
    Excused,
    /// 缺席
    Absent,
}

impl Attendance {
    pub const ALL: [Attendance; 3] = [Attendance::Attended, Attendance::Excused, Attendance::Absent];

    pub fn key(self) -> &'static str {
        match self {
            Attendance::Attended => "attended",
            Attendance::Excused => "excused",
            Attendance::Absent => "absent",
        }
    }

    pub fn from_key(key: &str) -> Option<Attendance> {
        Attendance::ALL.into_iter().find(|a| a.key() == key)
    }
}

/// A suggestion collected on site (意见建议), and how it is followed up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    pub id: Id,
    #[serde(default)]
    pub content: String,
    /// Who raised it: free text (a villager is not on the roster).
    #[serde(default)]
    pub raised_by: String,
    /// Which department it is for.
    #[serde(default)]
    pub department: String,
    #[serde(default)]
    pub status: SuggestionStatus,
    #[serde(default)]
    pub reply: String,
    #[serde(default)]
    pub reply_date: Option<NaiveDate>,
    /// When it was forwarded (转交) to `department`, which is also the
    /// department it went to. Absent in documents written before.
    #[serde(default)]
    pub forwarded_on: Option<NaiveDate>,
    /// Whether the person who raised it was told the outcome (已告知建议人).
    #[serde(default)]
    pub told_raiser: bool,
}

impl Suggestion {
    pub fn new(id: Id) -> Suggestion {
        Suggestion {
            id,
            content: String::new(),
            raised_by: String::new(),
            department: String::new(),
            status: SuggestionStatus::Collected,
            reply: String::new(),
            reply_date: None,
            forwarded_on: None,
            told_raiser: false,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SuggestionStatus {
    /// 新收集
    #[default]
    Collected,
    /// 已转交
    Forwarded,
    /// 办理中
    InProgress,
    /// 已办结
    Resolved,
    /// 已答复
    Answered,
}

impl SuggestionStatus {
    pub const ALL: [SuggestionStatus; 5] =
        [SuggestionStatus::Collected, SuggestionStatus::Forwarded, SuggestionStatus::InProgress, SuggestionStatus::Resolved, SuggestionStatus::Answered];

    pub fn key(self) -> &'static str {
        match self {
            SuggestionStatus::Collected => "collected",
            SuggestionStatus::Forwarded => "forwarded",
            SuggestionStatus::InProgress => "in_progress",
            SuggestionStatus::Resolved => "resolved",
            SuggestionStatus::Answered => "answered",
        }
    }

    pub fn from_key(key: &str) -> Option<SuggestionStatus> {
        SuggestionStatus::ALL.into_iter().find(|s| s.key() == key)
    }
}

/// Someone on the roster: a member, a deputy, a liaison officer …
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Person {
    pub name: String,
    /// Key of a `RoleDef` in the template.
    pub role: String,
    /// 界别
    pub sector: String,
    /// 活动小组
    pub group: String,
    pub unit: String,
    pub phone: String,
    pub note: String,
    pub active: bool,
}

impl Default for Person {
    fn default() -> Self {
        Person {
            name: String::new(),
            role: "member".into(),
            sector: String::new(),
            group: String::new(),
            unit: String::new(),
            phone: String::new(),
            note: String::new(),
            active: true,
        }
    }
}

impl Activity {
    /// Person-times (人次) this activity adds: roster people who attended plus
    /// other attendees. Computed, never typed.
    pub fn person_times(&self) -> u32 {
        let attended = self.participants.iter().filter(|p| p.status == Attendance::Attended).count() as u32;
        attended + self.other_attendees
    }

    pub fn participant(&self, person: &Id) -> Option<&Participant> {
        self.participants.iter().find(|p| &p.person == person)
    }
}
