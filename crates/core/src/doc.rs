//! How a record or a person is stored: a versioned document that remembers,
//! for each field, who changed it last and when.
//!
//! The body is flattened into field paths ("title", "suggestions/<id>/status");
//! each path carries the `Stamp` of its last change, so that sync can later
//! merge two devices' edits field by field and list element by list element.
//! The document also carries what sync needs to merge replicas safely: `seen`
//! (the newest stamp seen from each device) and `conflicts` (concurrent values
//! a merge kept next to the shown one, `ConflictValue`). The merge itself is
//! `merge`'s job; this module does not depend on it.

use crate::clock::{DeviceId, Hlc, Stamp};
use crate::id::Id;
use crate::model::{Activity, Person};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt;

/// The format this build writes. Bump it when a change needs a migration
/// (a renamed or re-typed field); adding a defaulted field needs no bump.
/// Format 2 (`doc_format`) writes the same content as format 1 in a third of the bytes.
pub const FORMAT_VERSION: u32 = 2;

/// The stamp path that records moving a document to or from the trash.
pub const TRASHED_PATH: &str = "$trashed";

/// What kind of document: the `"type"` of its JSON ("activity", "person",
/// "proposal", "opinion_report", "team_settings"), which says how to read the rest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocType {
    /// An activity record (视察, 走访 …).
    Activity,
    /// A person on the roster.
    Person,
    /// A proposal (提案).
    Proposal,
    /// A public-opinion report (社情民意).
    OpinionReport,
    /// The team's template and rules (`template::Template`): one per team.
    TeamSettings,
}

impl DocType {
    /// Every type, in the order stores and collections list them.
    pub const ALL: [DocType; 5] = [DocType::Activity, DocType::Person, DocType::Proposal, DocType::OpinionReport, DocType::TeamSettings];

    /// The name in JSON (`"type"`), the same as serde writes.
    pub const fn as_str(self) -> &'static str {
        match self {
            DocType::Activity => "activity",
            DocType::Person => "person",
            DocType::Proposal => "proposal",
            DocType::OpinionReport => "opinion_report",
            DocType::TeamSettings => "team_settings",
        }
    }

    /// The type a JSON `"type"` names; `None` for a type this build does not know.
    pub fn parse(name: &str) -> Option<DocType> {
        DocType::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

impl fmt::Display for DocType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One value of a path kept beside the one the body shows (see `merge`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConflictValue {
    /// The value written (JSON as in the body; `null` is a real value, such as
    /// an empty date). Absent (`None`) when the write removed the field or
    /// list element.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "present")]
    pub value: Option<Value>,
    /// Who wrote it and when.
    pub stamp: Stamp,
}

/// Reads a present `value` (even `null`) as `Some`; an absent one is `None`.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

/// What a document's body must say about itself.
pub trait Body: Serialize + DeserializeOwned + Clone + PartialEq + 'static {
    /// The document type, which also picks the store and the collection.
    const TYPE: DocType;
    /// Top-level lists whose elements have an `id` and merge one by one;
    /// any other list (tags) is one value.
    const KEYED_LISTS: &'static [&'static str];
    /// Top-level objects whose entries merge one by one ("custom/<key>"), as
    /// if each entry were a field of its own; a removed entry is absent.
    const KEYED_MAPS: &'static [&'static str] = &[];

    /// The document as an activity, if it is one: the app keeps a list row
    /// per activity (`list::ListRow`) and writes it with the document, and a
    /// writer generic over the body asks here rather than downcasting.
    fn as_activity(doc: &Document<Self>) -> Option<&Document<Activity>> {
        let _ = doc;
        None
    }
}

impl Body for Activity {
    const TYPE: DocType = DocType::Activity;
    const KEYED_LISTS: &'static [&'static str] = &["participants", "suggestions", "photos"];
    const KEYED_MAPS: &'static [&'static str] = &["custom"];

    fn as_activity(doc: &Document<Activity>) -> Option<&Document<Activity>> {
        Some(doc)
    }
}

impl Body for Person {
    const TYPE: DocType = DocType::Person;
    const KEYED_LISTS: &'static [&'static str] = &[];
}

/// A record or person as stored and synced: the body plus, per field path,
/// the stamp of the value shown, and what sync needs to merge replicas.
/// Its JSON is `doc_format`'s: format 2 written, formats 1 and 2 read.
#[derive(Clone, Debug, PartialEq)]
pub struct Document<T: Body> {
    /// Format version of the JSON (`FORMAT_VERSION` when written by this build).
    pub format: u32,
    /// The document's id, made on the device that created it.
    pub id: Id,
    /// `T::TYPE`.
    pub doc_type: DocType,
    /// The values shown to the user.
    pub body: T,
    /// In the trash: hidden from lists, restorable.
    pub trashed: bool,
    /// When and where the document was made.
    pub created: Stamp,
    /// The latest stamp of any field: when the document last changed.
    pub updated: Stamp,
    /// Per field path, the stamp of the value the body shows (its last change,
    /// or the winner of concurrent changes). Removed paths keep their stamp.
    pub stamps: BTreeMap<String, Stamp>,
    /// Per device, the newest stamp of a change to this document that this
    /// replica has seen (directly or through merges): a change with an older
    /// or equal stamp from that device is known here, so if its value is no
    /// longer here it was overwritten on purpose. Absent in early documents.
    pub seen: BTreeMap<DeviceId, Hlc>,
    /// Per field path, values written concurrently with the shown one (or
    /// that the body cannot show, such as edits to a removed list element),
    /// kept until someone edits or resolves the path. See `merge`.
    pub conflicts: BTreeMap<String, Vec<ConflictValue>>,
}

impl<T: Body> Serialize for Document<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        crate::doc_format::write2(self, s)
    }
}

impl<'de, T: Body> Deserialize<'de> for Document<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Document<T>, D::Error> {
        crate::doc_format::read(d)
    }
}

/// Why a stored or received document could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DocError {
    /// Not JSON, or JSON of the wrong shape.
    Malformed(String),
    /// Written by a newer version of the app than this one.
    TooNew { found: u32, supported: u32 },
    /// A document of another type where this one was expected.
    WrongType { found: String, expected: DocType },
}

impl fmt::Display for DocError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DocError::Malformed(why) => write!(f, "the document is not in a format Xunfang can read: {why}"),
            DocError::TooNew { found, supported } => {
                write!(f, "the document was written by a newer version of Xunfang (format {found}, this one reads up to {supported}); update the app")
            }
            DocError::WrongType { found, expected } => write!(f, "expected a {expected} document, found a {found} document"),
        }
    }
}

impl std::error::Error for DocError {}

impl<T: Body> Document<T> {
    /// A new document; every field of the body is stamped with `stamp`.
    pub fn create(id: Id, body: T, stamp: Stamp) -> Document<T> {
        let stamps = crate::paths::field_path_set::<T>(&body).into_iter().map(|p| (p, stamp.clone())).collect();
        Document {
            format: FORMAT_VERSION,
            id,
            doc_type: T::TYPE,
            body,
            trashed: false,
            created: stamp.clone(),
            updated: stamp.clone(),
            stamps,
            seen: BTreeMap::from([(stamp.device, stamp.hlc)]),
            conflicts: BTreeMap::new(),
        }
    }

    /// Makes `seen` cover every stamp the document holds, before a local
    /// change overwrites one (documents stored before `seen` existed have
    /// an empty one).
    fn see_own_stamps(&mut self) {
        let held = self.stamps.values().chain(self.conflicts.values().flatten().map(|c| &c.stamp));
        for stamp in held.chain([&self.created, &self.updated]) {
            let seen = self.seen.entry(stamp.device.clone()).or_default();
            *seen = (*seen).max(stamp.hlc);
        }
    }

    /// Records that this replica made (and so has seen) a change at `stamp`.
    pub(crate) fn note_write(&mut self, stamp: &Stamp) {
        let seen = self.seen.entry(stamp.device.clone()).or_default();
        *seen = (*seen).max(stamp.hlc);
        self.updated = self.updated.clone().max(stamp.clone());
    }

    /// Replaces the body with an edited one, stamping exactly the fields
    /// (and list elements) that changed. Returns whether anything changed.
    ///
    /// The editor saw every value of a path it changes, so a change settles
    /// that path's conflicts; conflicts on untouched paths stay.
    pub fn edit(&mut self, body: T, stamp: Stamp) -> bool {
        if body == self.body {
            return false;
        }
        self.see_own_stamps();
        let before = field_paths::<T>(&self.body);
        let after = field_paths::<T>(&body);
        let mut changed: Vec<&String> = after.iter().filter(|(p, v)| before.get(*p) != Some(*v)).map(|(p, _)| p).collect();
        // A removed field or element keeps its stamp: its absence is the change.
        changed.extend(before.keys().filter(|p| !after.contains_key(*p)));
        for path in changed {
            self.stamps.insert(path.clone(), stamp.clone());
            self.conflicts.remove(path);
        }
        self.body = body;
        self.note_write(&stamp);
        true
    }

    /// Moves the document to the trash or back.
    pub fn set_trashed(&mut self, trashed: bool, stamp: Stamp) {
        if self.trashed != trashed {
            self.see_own_stamps();
            self.trashed = trashed;
            self.stamps.insert(TRASHED_PATH.to_string(), stamp.clone());
            self.conflicts.remove(TRASHED_PATH);
            self.note_write(&stamp);
        }
    }

    /// Every clock reading the document holds, with the device it names:
    /// `created`, `updated`, each path's stamp, each conflict's stamp and
    /// `seen`. A receiver checks them all (`sync::admit`): any one of them
    /// far in the future would win or "cover" every later edit.
    pub fn clock_readings(&self) -> impl Iterator<Item = (&DeviceId, Hlc)> {
        let stamps = [&self.created, &self.updated].into_iter().chain(self.stamps.values()).chain(self.conflicts.values().flatten().map(|c| &c.stamp));
        stamps.map(|s| (&s.device, s.hlc)).chain(self.seen.iter().map(|(d, h)| (d, *h)))
    }

    /// The document as the JSON that is stored and sent.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("documents always serialise")
    }

    /// Reads a document of this or any older format.
    pub fn from_json(json: &str) -> Result<Document<T>, DocError> {
        Self::from_json_with(json, Header::of(json).as_ref())
    }

    /// `from_json` for a caller that has already read the text's header
    /// (`Header::of(json)`): the header is a scan of the whole text, done once.
    pub(crate) fn from_json_with(json: &str, header: Option<&Header>) -> Result<Document<T>, DocError> {
        // Text in a format the serde reader takes (1 or 2) is read straight
        // into the types, without the `Value` tree that is most of the cost
        // of reading a document. Anything else (and every error message)
        // takes the general path below.
        if header.is_some_and(|h| {
            h.format.is_some_and(|f| (1..=u64::from(FORMAT_VERSION)).contains(&f)) && h.doc_type.as_deref().is_none_or(|t| t == T::TYPE.as_str())
        }) {
            if let Ok(doc) = serde_json::from_str::<Document<T>>(json) {
                return Ok(doc);
            }
        }
        let value: Value = serde_json::from_str(json).map_err(|e| DocError::Malformed(e.to_string()))?;
        Self::from_value(value)
    }

    /// Reads a document of this or any older format from parsed JSON.
    pub fn from_value(value: Value) -> Result<Document<T>, DocError> {
        let format = value.get("format").and_then(Value::as_u64).ok_or_else(|| DocError::Malformed("no format version".into()))?;
        let format = u32::try_from(format).unwrap_or(u32::MAX);
        if format > FORMAT_VERSION {
            return Err(DocError::TooNew { found: format, supported: FORMAT_VERSION });
        }
        if let Some(found) = value.get("type").and_then(Value::as_str) {
            if found != T::TYPE.as_str() {
                return Err(DocError::WrongType { found: found.to_string(), expected: T::TYPE });
            }
        }
        let value = migrate(value, format);
        // Through text, not `from_value`: the fast path above already reads
        // documents from text, and a second way of reading every document
        // type (from a `Value`) is ~40 KB of the app's wasm.
        let mut doc: Document<T> = serde_json::from_str(&value.to_string()).map_err(|e| DocError::Malformed(e.to_string()))?;
        doc.format = FORMAT_VERSION;
        Ok(doc)
    }
}

/// The top-level fields that say how to read the rest of a document's text.
#[derive(Deserialize)]
pub struct Header<'a> {
    #[serde(default)]
    pub format: Option<u64>,
    #[serde(rename = "type", default, borrow)]
    pub doc_type: Option<std::borrow::Cow<'a, str>>,
}

impl<'a> Header<'a> {
    /// The header of a document's JSON text; `None` when the text is not a
    /// JSON object or those fields have the wrong type.
    pub fn of(json: &'a str) -> Option<Header<'a>> {
        serde_json::from_str(json).ok()
    }
}

/// Upgrades the JSON of an older format to the current one. Format 1 is the
/// first; fields added since are read through serde defaults, and format 1's
/// way of writing stamps is read by `doc_format` as it is.
fn migrate(value: Value, _from: u32) -> Value {
    value
}

/// The body as field path → value. Elements of keyed lists get a path of
/// their own ("participants/<id>", value `true`) so that adding or removing
/// one is a change of its own, apart from changes to its fields; entries of
/// keyed maps are fields of their own ("custom/<key>").
pub fn field_paths<T: Body>(body: &T) -> BTreeMap<String, Value> {
    let Value::Object(fields) = serde_json::to_value(body).expect("bodies serialise") else {
        return BTreeMap::new();
    };
    // Gathered first and made a map at once (sorted, then built in one pass),
    // not inserted one by one: every document read computes this (format 2
    // leaves implied stamps out), and the inserts were most of its cost. Of
    // equal paths the last is kept, as inserting does.
    let mut out = Vec::with_capacity(fields.len() * 2);
    for (name, value) in fields {
        match value {
            Value::Array(items) if T::KEYED_LISTS.contains(&name.as_str()) => {
                for item in items {
                    flatten_element(&name, item, &mut out);
                }
            }
            Value::Object(entries) if T::KEYED_MAPS.contains(&name.as_str()) => {
                out.extend(entries.into_iter().map(|(key, value)| (format!("{name}/{key}"), value)));
            }
            other => out.push((name, other)),
        }
    }
    out.into_iter().collect()
}

fn flatten_element(list: &str, item: Value, out: &mut Vec<(String, Value)>) {
    let Value::Object(mut fields): Value = item else { return };
    let Some(Value::String(id)) = fields.remove("id") else { return };
    let base = format!("{list}/{id}");
    let fields: Map<String, Value> = fields;
    out.extend(fields.into_iter().map(|(name, value)| (format!("{base}/{name}"), value)));
    out.push((base, Value::Bool(true)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{DeviceId, Hlc};
    use crate::model::{Attendance, Participant, Suggestion};

    fn stamp(ms: u64) -> Stamp {
        Stamp { hlc: Hlc { millis: ms, counter: 0 }, device: DeviceId("tablet-a".into()) }
    }

    fn id(n: u8) -> Id {
        Id::new_v7(1_700_000_000_000 + n as u64, [n; 10])
    }

    fn hearing() -> Activity {
        Activity {
            kind: "hearing".into(),
            title: "旁听庭审：民间借贷纠纷".into(),
            date: chrono::NaiveDate::from_ymd_opt(2024, 5, 20),
            participants: vec![Participant { person: id(1), status: Attendance::Attended, reason: String::new() }],
            suggestions: vec![Suggestion { content: "加强诉前调解".into(), ..Suggestion::new(id(9)) }],
            ..Activity::default()
        }
    }

    #[test]
    fn an_edit_stamps_only_the_fields_that_changed() {
        let mut doc = Document::create(id(0), hearing(), stamp(1));
        let mut body = doc.body.clone();
        body.place = "县人民法院第一法庭".into();
        body.suggestions[0].status = crate::model::SuggestionStatus::Forwarded;
        assert!(doc.edit(body, stamp(2)));
        let changed: Vec<&str> = doc.stamps.iter().filter(|(_, s)| **s == stamp(2)).map(|(p, _)| p.as_str()).collect();
        assert_eq!(changed, vec!["place".to_string(), format!("suggestions/{}/status", id(9))]);
        assert_eq!(doc.stamps["title"], stamp(1));
        assert_eq!(doc.updated, stamp(2));
        assert!(!doc.edit(doc.body.clone(), stamp(3)), "saving the same body changes nothing");
        assert_eq!(doc.updated, stamp(2));
    }

    #[test]
    fn removing_a_list_element_is_a_stamped_change() {
        let mut doc = Document::create(id(0), hearing(), stamp(1));
        let mut body = doc.body.clone();
        body.participants.clear();
        doc.edit(body, stamp(5));
        assert_eq!(doc.stamps[&format!("participants/{}", id(1))], stamp(5));
        assert_eq!(doc.stamps[&format!("participants/{}/status", id(1))], stamp(5));
    }

    #[test]
    fn documents_round_trip_through_json() {
        let mut doc = Document::create(id(0), hearing(), stamp(1));
        doc.set_trashed(true, stamp(2));
        let back = Document::<Activity>::from_json(&doc.to_json()).unwrap();
        assert_eq!(back, doc);
        let person = Document::create(id(3), Person { name: "张三".into(), ..Person::default() }, stamp(1));
        assert_eq!(Document::<Person>::from_json(&person.to_json()).unwrap(), person);
    }

    #[test]
    fn a_document_of_the_first_format_without_later_fields_reads_with_defaults() {
        // What format 1 looked like before tags, follow-up and other attendees
        // were filled in: those fields are simply absent.
        let json = r#"{"format":1,"id":"0190a3b4-0000-7000-8000-000000000001","type":"activity",
            "body":{"kind":"visit","title":"走访委员企业","date":"2024-03-02",
                    "participants":[{"id":"0190a3b4-0000-7000-8000-0000000000aa","status":"excused"}]},
            "created":{"hlc":{"millis":1,"counter":0},"device":"d"},
            "updated":{"hlc":{"millis":1,"counter":0},"device":"d"}}"#;
        let doc = Document::<Activity>::from_json(json).unwrap();
        assert_eq!(doc.body.title, "走访委员企业");
        assert_eq!(doc.body.participants[0].status, Attendance::Excused);
        assert_eq!(doc.body.participants[0].reason, "");
        assert!(doc.body.tags.is_empty() && !doc.trashed && doc.stamps.is_empty());
    }

    #[test]
    fn document_types_keep_their_names_on_the_wire() {
        let names: Vec<String> = DocType::ALL.iter().map(|t| serde_json::to_value(t).unwrap().as_str().unwrap().to_string()).collect();
        assert_eq!(names, ["activity", "person", "proposal", "opinion_report", "team_settings"]);
        for t in DocType::ALL {
            assert_eq!((t.as_str(), DocType::parse(t.as_str())), (names[t as usize].as_str(), Some(t)));
        }
        assert_eq!(DocType::parse("meeting"), None);
        let doc = Document::create(id(0), hearing(), stamp(1));
        assert!(doc.to_json().contains(r#""type":"activity""#));
        let wrong = doc.to_json().replacen(r#""type":"activity""#, r#""type":"meeting""#, 1);
        assert_eq!(Document::<Activity>::from_json(&wrong).unwrap_err().to_string(), "expected a activity document, found a meeting document");
    }

    #[test]
    fn a_document_from_a_newer_app_or_of_another_type_is_refused_with_a_reason() {
        let doc = Document::create(id(0), hearing(), stamp(1));
        let newer = doc.to_json().replacen("\"format\":2", "\"format\":99", 1);
        let err = Document::<Activity>::from_json(&newer).unwrap_err();
        assert_eq!(err, DocError::TooNew { found: 99, supported: FORMAT_VERSION });
        assert!(err.to_string().contains("update the app"));
        assert!(matches!(Document::<Person>::from_json(&doc.to_json()), Err(DocError::WrongType { .. })));
        assert!(matches!(Document::<Activity>::from_json("{not json"), Err(DocError::Malformed(_))));
    }
}
