//! The wire types of Xunfang's native sync protocol (`POST /api/sync`),
//! shared by the app and the reference server, and the one check every
//! arriving document passes on either side (`admit`). The contract in words
//! is `docs/sync-protocol.md`.
//!
//! One request both pushes the device's changed documents and pulls what
//! others pushed since the device's cursor. The cursor is an opaque server
//! sequence number in commit order, never a wall-clock time.

use crate::clock::{ClockBound, ClockProblem, DeviceId, Hlc, MAX_COUNTER};
use crate::doc::{Body, DocError, DocType, Document, Header, FORMAT_VERSION};
use crate::id::Id;
use crate::merge::{merge, MergeError};
use crate::model::{Activity, Person};
use crate::proposal::{OpinionReport, Proposal};
use crate::template::{team_settings_id, Template};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;
use std::fmt;

/// The protocol version this build speaks (the request's `protocol`).
pub const PROTOCOL_VERSION: u32 = 1;
/// The most documents one request may push.
pub const MAX_PUSH_BATCH: usize = 200;
/// The most documents one response returns; `pull_limit` is capped to it.
pub const MAX_PULL_BATCH: usize = 500;
/// The largest serialised document accepted, in bytes.
pub const MAX_DOC_BYTES: usize = 256 * 1024;
/// The largest request body accepted, in bytes.
pub const MAX_REQUEST_BYTES: usize = 8 * 1024 * 1024;
/// The largest pull answer a client reads, in bytes: well above what a
/// server sends (the reference server caps a page at a few MiB), so only a
/// broken or hostile endpoint reaches it.
pub const MAX_ANSWER_BYTES: usize = 16 * 1024 * 1024;

/// `POST /api/sync` request body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SyncRequest {
    /// `PROTOCOL_VERSION` of the client.
    pub protocol: u32,
    /// The client's `DeviceId` (for logs and to skip echoing its own pushes).
    pub device: String,
    /// The last cursor the client received and stored, `None` on first sync.
    #[serde(default)]
    pub cursor: Option<u64>,
    /// The epoch `cursor` was issued in (the answer's `epoch`), `None` if
    /// the client has none. A server whose epoch differs answers from the
    /// start: the cursor belongs to another life of its database.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch: Option<String>,
    /// Documents changed on the device since they were last accepted, as
    /// stored (each `{ "format", "id", "type", "body", ... }`).
    #[serde(default)]
    pub push: Vec<Value>,
    /// How many documents the client wants back at most (capped at
    /// `MAX_PULL_BATCH`); absent means the server's default.
    #[serde(default)]
    pub pull_limit: Option<usize>,
    /// How many changes the device still has queued after this request's
    /// push (for the office's device list); absent: it does not say. At
    /// most [`MAX_WAITING`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting: Option<u64>,
    /// The newest document format the client reads (`FORMAT_VERSION` of its
    /// build). Absent: an app from before format 2, which reads format 1 only;
    /// the server then sends every document in format 1 (`reads_format`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reads_format: Option<u32>,
}

impl SyncRequest {
    /// The newest document format the client reads: what it says, else
    /// format 1 (an app from before format 2 says nothing).
    pub fn reads_format(&self) -> u32 {
        self.reads_format.unwrap_or(crate::doc_format::OLDEST_FORMAT)
    }
}

/// The most `waiting` a request may claim: far more than a tablet could
/// queue, so a larger number is nonsense and refused.
pub const MAX_WAITING: u64 = 10_000_000;

/// `POST /api/sync` response body.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SyncResponse {
    /// Where the next request resumes: store it after the docs are stored.
    pub cursor: u64,
    /// The database's epoch, made anew when it is restored from a backup:
    /// `cursor` counts in it. A client that sees another epoch than the one
    /// it stored pushes everything it holds (see `sync_client`). `None`
    /// only when reading a server without epochs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch: Option<String>,
    /// More documents are waiting past `cursor`: sync again at once.
    pub more: bool,
    /// How many documents wait past `cursor` (for "n of about m"; 0 when
    /// `more` is false). The reference server always sends it; `None` is
    /// only for reading an answer without it (another server), meaning
    /// unknown, and is then left out when written again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining: Option<u64>,
    /// Documents committed after the request's cursor, in commit order, as
    /// the server holds them (already merged with what it had), but for those
    /// stored exactly as this request pushed them (docs/sync-protocol.md §3). Kept as the
    /// text received: each is read straight into its type, and stored as
    /// that same text when nothing local changes it.
    pub docs: Vec<Box<RawValue>>,
    /// Ids of pushed documents the server stored (merged).
    pub accepted: Vec<Id>,
    /// Pushed documents the server refused, with the reason; the client keeps
    /// them and shows the reason.
    #[serde(default)]
    pub rejected: Vec<Rejected>,
}

/// A pushed document the server refused.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rejected {
    /// The document's id as pushed (may not be a valid id).
    pub id: String,
    /// A human-readable reason.
    pub reason: String,
}

/// Any 4xx/5xx response body: `{ "error": "...", "reason": "..." }`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// A human-readable message, shown to the user as is.
    pub error: String,
    /// For the few refusals an app words in its own language, which one
    /// (so far only [`REASON_WITHDRAWN`]); absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `reason` of the 401 a tablet gets once the office revoked its device
/// token: its access was withdrawn on purpose, its records stay on it.
pub const REASON_WITHDRAWN: &str = "withdrawn";

/// A document of any type, told apart by its `"type"` field.
#[derive(Clone, Debug, PartialEq)]
pub enum AnyDoc {
    /// `"type": "activity"`.
    Activity(Document<Activity>),
    /// `"type": "person"`.
    Person(Document<Person>),
    /// `"type": "proposal"` (提案).
    Proposal(Document<Proposal>),
    /// `"type": "opinion_report"` (社情民意).
    OpinionReport(Document<OpinionReport>),
    /// `"type": "team_settings"`: the team's template and rules.
    TeamSettings(Document<Template>),
}

/// Applies the same expression to whichever document an `AnyDoc` holds.
macro_rules! each {
    ($any:expr, $d:ident => $e:expr) => {
        match $any {
            AnyDoc::Activity($d) => $e,
            AnyDoc::Person($d) => $e,
            AnyDoc::Proposal($d) => $e,
            AnyDoc::OpinionReport($d) => $e,
            AnyDoc::TeamSettings($d) => $e,
        }
    };
}

impl AnyDoc {
    /// Reads a document of any known type from JSON, with a message that
    /// says what is wrong (unknown type, format too new, damaged body).
    pub fn from_value(value: Value) -> Result<AnyDoc, PushError> {
        let Some(obj) = value.as_object() else {
            return Err(PushError::Malformed("a document must be a JSON object".into()));
        };
        let doc_type = match obj.get("type").and_then(Value::as_str) {
            Some(t) => DocType::parse(t).ok_or_else(|| PushError::UnknownType(t.to_string()))?,
            None => {
                return Err(PushError::Malformed(
                    "the document has no \"type\" (expected \"activity\", \"person\", \"proposal\", \"opinion_report\" or \"team_settings\")".into(),
                ))
            }
        };
        Ok(match doc_type {
            DocType::Activity => AnyDoc::Activity(read(value)?),
            DocType::Person => AnyDoc::Person(read(value)?),
            DocType::Proposal => AnyDoc::Proposal(read(value)?),
            DocType::OpinionReport => AnyDoc::OpinionReport(read(value)?),
            DocType::TeamSettings => AnyDoc::TeamSettings(read(value)?),
        })
    }

    /// Reads a document of any type from its JSON text, refusing what
    /// `from_value` refuses, with the same reasons.
    pub fn from_json(json: &str) -> Result<AnyDoc, PushError> {
        AnyDoc::read_text(json).map(|(doc, _)| doc)
    }

    /// `from_json`, and whether the text is in the current document format
    /// (what `doc_format::is_current` says of it), from the one reading of
    /// its header: a store that keeps received text as it came asks this of
    /// every document, and reading the header again costs as much as
    /// reading it the first time (the whole text is scanned).
    pub fn read_text(json: &str) -> Result<(AnyDoc, bool), PushError> {
        // The header is read once, here, for the type, for the reader and for the format.
        let header = Header::of(json);
        let h = header.as_ref();
        let current = h.is_some_and(|h| h.format == Some(u64::from(FORMAT_VERSION)));
        let doc = match h.and_then(|h| h.doc_type.as_deref()).and_then(DocType::parse) {
            Some(DocType::Activity) => read_json(json, h).map(AnyDoc::Activity),
            Some(DocType::Person) => read_json(json, h).map(AnyDoc::Person),
            Some(DocType::Proposal) => read_json(json, h).map(AnyDoc::Proposal),
            Some(DocType::OpinionReport) => read_json(json, h).map(AnyDoc::OpinionReport),
            Some(DocType::TeamSettings) => read_json(json, h).map(AnyDoc::TeamSettings),
            // Unknown or missing types, and text that is no object: the
            // general path words the reason.
            None => {
                let value: Value = serde_json::from_str(json).map_err(|e| PushError::Malformed(e.to_string()))?;
                AnyDoc::from_value(value)
            }
        }?;
        Ok((doc, current))
    }

    /// The document's id.
    pub fn id(&self) -> &Id {
        each!(self, d => &d.id)
    }

    /// Every clock reading the document holds (`Document::clock_readings`).
    pub fn clock_readings(&self) -> Box<dyn Iterator<Item = (&DeviceId, Hlc)> + '_> {
        each!(self, d => Box::new(d.clock_readings()))
    }

    /// The document's type.
    pub fn doc_type(&self) -> DocType {
        match self {
            AnyDoc::Activity(_) => Activity::TYPE,
            AnyDoc::Person(_) => Person::TYPE,
            AnyDoc::Proposal(_) => Proposal::TYPE,
            AnyDoc::OpinionReport(_) => OpinionReport::TYPE,
            AnyDoc::TeamSettings(_) => Template::TYPE,
        }
    }

    /// The document as JSON text, without building a `Value` first (what the
    /// app stores: the fast path when a sync writes thousands).
    pub fn to_json(&self) -> String {
        each!(self, d => serde_json::to_string(d)).expect("documents always serialise")
    }

    /// The document as stored and sent.
    pub fn to_value(&self) -> Value {
        each!(self, d => serde_json::to_value(d)).expect("documents always serialise")
    }

    /// The document in format 1 (`Document::to_json_format1`), for a reader
    /// that knows no later format: an app from before format 2, a REST or
    /// push-only endpoint (whose filters name format 1's fields).
    pub fn to_json_format1(&self) -> String {
        each!(self, d => d.to_json_format1())
    }

    /// `to_json_format1` as a JSON value.
    pub fn to_value_format1(&self) -> Value {
        serde_json::from_str(&self.to_json_format1()).expect("documents always serialise")
    }

    /// Merges two replicas of the same document (see `merge`).
    pub fn merge(&self, other: &AnyDoc) -> Result<AnyDoc, MergeError> {
        match (self, other) {
            (AnyDoc::Activity(a), AnyDoc::Activity(b)) => merge(a, b).map(AnyDoc::Activity),
            (AnyDoc::Person(a), AnyDoc::Person(b)) => merge(a, b).map(AnyDoc::Person),
            (AnyDoc::Proposal(a), AnyDoc::Proposal(b)) => merge(a, b).map(AnyDoc::Proposal),
            (AnyDoc::OpinionReport(a), AnyDoc::OpinionReport(b)) => merge(a, b).map(AnyDoc::OpinionReport),
            (AnyDoc::TeamSettings(a), AnyDoc::TeamSettings(b)) => merge(a, b).map(AnyDoc::TeamSettings),
            (a, b) => Err(MergeError::WrongType { found: b.doc_type(), expected: a.doc_type() }),
        }
    }
}

impl Serialize for AnyDoc {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        each!(self, d => d.serialize(s))
    }
}

impl<'de> Deserialize<'de> for AnyDoc {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<AnyDoc, D::Error> {
        let value = Value::deserialize(d)?;
        AnyDoc::from_value(value).map_err(serde::de::Error::custom)
    }
}

fn read<T: Body>(value: Value) -> Result<Document<T>, PushError> {
    Document::<T>::from_value(value).map_err(|e| match e {
        DocError::TooNew { found, supported } => PushError::TooNew { found, supported },
        DocError::Malformed(why) => PushError::BodyMismatch { doc_type: T::TYPE, why },
        DocError::WrongType { found, .. } => PushError::UnknownType(found),
    })
}

fn read_json<T: Body>(json: &str, header: Option<&Header>) -> Result<Document<T>, PushError> {
    Document::<T>::from_json_with(json, header).map_err(|e| match e {
        DocError::TooNew { found, supported } => PushError::TooNew { found, supported },
        DocError::Malformed(why) => PushError::BodyMismatch { doc_type: T::TYPE, why },
        DocError::WrongType { found, .. } => PushError::UnknownType(found),
    })
}

/// Why a pushed document was refused. `Display` gives the message for
/// `Rejected::reason`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PushError {
    /// Not a JSON object, or no `type`.
    Malformed(String),
    /// A `type` this server does not store.
    UnknownType(String),
    /// Written by a newer app than the server understands.
    TooNew { found: u32, supported: u32 },
    /// `id` missing or not a UUID.
    BadId(String),
    /// `id` a UUID, but not as this app writes one (uppercase, spaces).
    NotCanonical(String),
    /// A clock reading (of the device named) that no receiver accepts:
    /// far ahead of the receiver's clock, past 2^53 ms, or a counter out of
    /// range (`ClockBound`). Merged, it would overrule every later edit.
    Clock { device: String, problem: ClockProblem },
    /// The body (or stamps) do not fit the type.
    BodyMismatch { doc_type: DocType, why: String },
    /// Larger than `MAX_DOC_BYTES`.
    TooLarge { bytes: usize },
    /// Team settings under another id than `team_settings_id()`: a second
    /// settings document would never merge with the team's one.
    SettingsId(String),
    /// Team settings naming a kind, role or field by a key that cannot be
    /// one (`template::is_valid_key`): it would break the field paths.
    SettingsKey(String),
}

impl PushError {
    /// The reason to send back to the device that pushed the document. The
    /// same as `Display`, except that a body that does not fit its type is
    /// not described in the JSON parser's words (which name the receiver's
    /// internals, not what a person can fix); the receiver logs those.
    pub fn for_client(&self) -> String {
        match self {
            PushError::BodyMismatch { doc_type, .. } => format!(
                "the document does not match the {doc_type} format (a field is missing or holds the wrong kind of value); update the app that made it, or ask the administrator"
            ),
            other => other.to_string(),
        }
    }
}

impl fmt::Display for PushError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PushError::Malformed(why) => write!(f, "not a Xunfang document: {why}"),
            PushError::UnknownType(t) => {
                write!(f, "unknown document type \"{t}\" (expected \"activity\", \"person\", \"proposal\", \"opinion_report\" or \"team_settings\")")
            }
            PushError::TooNew { found, supported } => {
                write!(f, "the document has format {found} but this server reads up to format {supported}; update the server")
            }
            PushError::BadId(id) => write!(f, "the document id \"{id}\" is not a UUID"),
            PushError::NotCanonical(id) => {
                write!(f, "the document id \"{id}\" must be written as a lowercase UUID without spaces (\"{}\"); update the app that made it", id.trim().to_ascii_lowercase())
            }
            PushError::Clock { device, problem } => match problem {
                ClockProblem::Ahead { .. } => write!(
                    f,
                    "the clock of the tablet \"{device}\" was {} hours ahead of the server's when it changed this document; set the date and time on that tablet, then sync again",
                    problem.hours_ahead()
                ),
                ClockProblem::PastLimit { millis } => {
                    write!(f, "a change in this document by \"{device}\" is stamped {millis} ms, past the largest time the protocol allows (2^53 ms); the copy is damaged: ask the administrator")
                }
                ClockProblem::Counter { counter } => {
                    write!(f, "a change in this document by \"{device}\" has clock counter {counter}, more than the {MAX_COUNTER} allowed; the copy is damaged: ask the administrator")
                }
            },
            PushError::BodyMismatch { doc_type, why } => write!(f, "the document does not match the {doc_type} format: {why}"),
            PushError::TooLarge { bytes } => {
                write!(f, "the document is {bytes} bytes, more than the limit of {MAX_DOC_BYTES} bytes")
            }
            PushError::SettingsId(id) => {
                write!(f, "team settings must have the id {} (found \"{id}\"); update the app that made them", team_settings_id())
            }
            PushError::SettingsKey(key) => write!(f, "the team settings use the key \"{key}\", which is not 1 to 40 of a–z, 0–9, _ and -; fix it in the template editor"),
        }
    }
}

impl std::error::Error for PushError {}

/// The one rule for a document arriving from another replica (a push at the
/// server, a pull in the app), as CouchDB's `validate_doc_update`: it must
/// read as a document of a known type and format, carry a canonical id
/// (`Id::is_canonical`), and hold no clock reading `bound` refuses (in
/// `created`, `updated`, `stamps`, `conflicts` or `seen`). A refused document
/// is not merged anywhere; the reason says what to do.
pub fn admit(json: &str, bound: ClockBound) -> Result<AnyDoc, PushError> {
    admit_text(json, bound).map(|(doc, _)| doc)
}

/// `admit`, and whether the text is in the current document format
/// (`AnyDoc::read_text`).
pub fn admit_text(json: &str, bound: ClockBound) -> Result<(AnyDoc, bool), PushError> {
    let (doc, current) = AnyDoc::read_text(json)?;
    let id = doc.id().as_str();
    if Id::parse(id).is_none() {
        return Err(PushError::BadId(id.to_string()));
    }
    if !Id::is_canonical(id) {
        return Err(PushError::NotCanonical(id.to_string()));
    }
    for (device, hlc) in doc.clock_readings() {
        bound.check(hlc).map_err(|problem| PushError::Clock { device: device.0.chars().take(64).collect(), problem })?;
    }
    if let AnyDoc::TeamSettings(settings) = &doc {
        if settings.id != team_settings_id() {
            return Err(PushError::SettingsId(id.chars().take(64).collect()));
        }
        let t = &settings.body;
        let keys = t.kinds.iter().map(|k| &k.key).chain(t.roles.iter().map(|r| &r.key)).chain(t.fields.iter().map(|f| &f.key));
        if let Some(bad) = keys.into_iter().find(|k| !crate::template::is_valid_key(k)) {
            return Err(PushError::SettingsKey(bad.chars().take(64).collect()));
        }
    }
    Ok((doc, current))
}

/// Checks one pushed document and reads it: its size, then `admit`.
pub fn validate_pushed(value: &Value, bound: ClockBound) -> Result<AnyDoc, PushError> {
    validate_pushed_text(value, bound).map(|(doc, _)| doc)
}

/// `validate_pushed`, and the document's JSON text it checked (compact, as
/// `Value` writes it), for a caller that stores that text.
pub fn validate_pushed_text(value: &Value, bound: ClockBound) -> Result<(AnyDoc, String), PushError> {
    let json = value.to_string();
    validate_pushed_json(&json, bound).map(|doc| (doc, json))
}

/// `validate_pushed` for a document's JSON text as it arrived (a server that
/// reads each pushed document as raw text, not as a `Value` first): its size,
/// then `admit`.
pub fn validate_pushed_json(json: &str, bound: ClockBound) -> Result<AnyDoc, PushError> {
    if json.len() > MAX_DOC_BYTES {
        return Err(PushError::TooLarge { bytes: json.len() });
    }
    admit(json, bound)
}

/// Checks a request's envelope (protocol, batch size), with a message for
/// the `400` error body.
pub fn validate_request(req: &SyncRequest) -> Result<(), String> {
    validate_envelope(req, req.push.len())
}

/// `validate_request` for a request whose `pushed` documents were read apart
/// from it (as raw text; `req.push` is then empty and not looked at).
pub fn validate_envelope(req: &SyncRequest, pushed: usize) -> Result<(), String> {
    if req.protocol != PROTOCOL_VERSION {
        return Err(format!("this server speaks sync protocol {PROTOCOL_VERSION}, the app sent protocol {}; update the app or the server", req.protocol));
    }
    if req.device.trim().is_empty() {
        return Err("the request names no device".into());
    }
    if pushed > MAX_PUSH_BATCH {
        return Err(format!("at most {MAX_PUSH_BATCH} documents per request, {pushed} were pushed; send them in batches"));
    }
    if req.waiting.is_some_and(|w| w > MAX_WAITING) {
        return Err(format!("the request says more than {MAX_WAITING} changes are waiting on the device; update the app"));
    }
    Ok(())
}

/// The pull batch size the server uses for a request.
pub fn pull_limit(req: &SyncRequest) -> usize {
    req.pull_limit.unwrap_or(MAX_PULL_BATCH).clamp(1, MAX_PULL_BATCH)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{DeviceId, Hlc, Stamp, DEFAULT_MAX_SKEW_MILLIS, MAX_MILLIS};
    use serde_json::json;

    /// The receiver's clock in these tests: 2033-05-18, long after every stamp.
    const NOW: u64 = 2_000_000_000_000;

    fn bound() -> ClockBound {
        ClockBound::new(NOW, DEFAULT_MAX_SKEW_MILLIS)
    }

    fn activity() -> Document<Activity> {
        let stamp = Stamp { hlc: Hlc { millis: 1, counter: 0 }, device: DeviceId("d".into()) };
        let id = Id::new_v7(1_700_000_000_000, [1; 10]);
        Document::create(id, Activity { title: "视察".into(), ..Activity::default() }, stamp)
    }

    #[test]
    fn team_settings_pass_the_push_check_only_under_the_teams_id_and_with_safe_keys() {
        let stamp = Stamp { hlc: Hlc { millis: 1, counter: 0 }, device: DeviceId("office".into()) };
        let doc = Document::create(team_settings_id(), Template::school_safety(), stamp.clone());
        let value: Value = doc.to_json().parse().unwrap();
        assert!(matches!(validate_pushed(&value, bound()), Ok(AnyDoc::TeamSettings(d)) if d == doc));
        let other = Document::create(Id::new_v7(1_700_000_000_000, [3; 10]), Template::liaison(), stamp.clone());
        let err = validate_pushed(&other.to_json().parse().unwrap(), bound()).unwrap_err();
        assert_eq!(err, PushError::SettingsId(other.id.to_string()));
        assert!(err.to_string().contains(team_settings_id().as_str()));
        let mut bad = Template::liaison();
        bad.kinds[0].key = "a/b".into();
        let bad = Document::create(team_settings_id(), bad, stamp);
        assert_eq!(validate_pushed(&bad.to_json().parse().unwrap(), bound()), Err(PushError::SettingsKey("a/b".into())));
        let mut wrong_shape = value.clone();
        wrong_shape["body"]["rule"] = json!("strict");
        assert!(matches!(validate_pushed(&wrong_shape, bound()), Err(PushError::BodyMismatch { doc_type: DocType::TeamSettings, .. })));
    }

    #[test]
    fn a_request_and_a_response_read_from_the_documented_json() {
        let doc = activity();
        let req: SyncRequest = serde_json::from_value(json!({
            "protocol": 1, "device": "tablet-1", "cursor": null, "push": [doc.to_json().parse::<Value>().unwrap()], "pull_limit": 100
        }))
        .unwrap();
        assert_eq!(req.cursor, None);
        assert_eq!(validate_request(&req), Ok(()));
        assert_eq!(pull_limit(&req), 100);
        assert!(matches!(validate_pushed(&req.push[0], bound()), Ok(AnyDoc::Activity(d)) if d == doc));
        let resp: SyncResponse = serde_json::from_value(json!({
            "cursor": 42, "more": false, "docs": [], "accepted": [doc.id], "rejected": [{"id": "x", "reason": "unknown document type"}]
        }))
        .unwrap();
        assert_eq!(resp.cursor, 42);
        assert_eq!(resp.accepted, vec![doc.id.clone()]);
    }

    #[test]
    fn a_pushed_document_is_refused_with_a_reason_a_person_can_read() {
        let good = serde_json::to_value(activity()).unwrap();
        let mut unknown = good.clone();
        unknown["type"] = json!("meeting");
        assert!(validate_pushed(&unknown, bound()).unwrap_err().to_string().contains("unknown document type \"meeting\""));
        let mut newer = good.clone();
        newer["format"] = json!(7);
        assert!(validate_pushed(&newer, bound()).unwrap_err().to_string().contains("format 7"));
        let mut bad_id = good.clone();
        bad_id["id"] = json!("42");
        assert_eq!(validate_pushed(&bad_id, bound()), Err(PushError::BadId("42".into())));
        let mut bad_body = good.clone();
        bad_body["body"]["participants"] = json!("nobody");
        let err = validate_pushed(&bad_body, bound()).unwrap_err();
        assert!(matches!(err, PushError::BodyMismatch { doc_type: DocType::Activity, .. }), "{err}");
        let mut huge = good;
        huge["body"]["notes"] = json!("字".repeat(MAX_DOC_BYTES));
        assert!(matches!(validate_pushed(&huge, bound()), Err(PushError::TooLarge { .. })));
    }

    #[test]
    fn reading_from_text_accepts_and_refuses_exactly_what_reading_a_value_does() {
        let good = serde_json::to_value(activity()).unwrap();
        let stamp = Stamp { hlc: Hlc { millis: 2, counter: 0 }, device: DeviceId("d".into()) };
        let person = Document::create(Id::new_v7(1_700_000_000_001, [2; 10]), Person { name: "李明".into(), ..Person::default() }, stamp);
        let person = serde_json::to_value(person).unwrap();
        let mut cases = vec![good.clone(), person, json!([1, 2]), json!("text"), json!({"format": 1})];
        for (field, value) in
            [("type", json!("meeting")), ("type", json!(7)), ("format", json!(7)), ("format", json!("1")), ("body", json!({"participants": "nobody"}))]
        {
            let mut bad = good.clone();
            bad[field] = value;
            cases.push(bad);
        }
        for field in ["type", "format", "body"] {
            let mut missing = good.clone();
            missing.as_object_mut().unwrap().remove(field);
            cases.push(missing);
        }
        for case in cases {
            assert_eq!(AnyDoc::from_json(&case.to_string()), AnyDoc::from_value(case.clone()), "{case}");
        }
        assert!(matches!(AnyDoc::from_json("{\"id\": broken"), Err(PushError::Malformed(_))));
    }

    #[test]
    fn any_doc_reads_by_type_and_says_which_types_exist() {
        let doc = activity();
        let any: AnyDoc = serde_json::from_str(&doc.to_json()).unwrap();
        assert_eq!(any.doc_type(), DocType::Activity);
        assert_eq!(any.id(), &doc.id);
        assert_eq!(serde_json::to_value(&any).unwrap(), serde_json::to_value(&doc).unwrap());
        assert_eq!(any.merge(&any).unwrap(), any);
        let err = serde_json::from_value::<AnyDoc>(json!({"format": 1, "id": doc.id, "type": "memo"})).unwrap_err();
        assert!(err.to_string().contains("expected \"activity\", \"person\", \"proposal\", \"opinion_report\" or \"team_settings\""), "{err}");
    }

    #[test]
    fn a_request_with_another_protocol_or_too_many_documents_is_refused() {
        let mut req = SyncRequest {
            protocol: 2,
            device: "t".into(),
            cursor: Some(3),
            epoch: None,
            push: vec![],
            pull_limit: Some(10_000),
            waiting: None,
            reads_format: None,
        };
        assert!(validate_request(&req).unwrap_err().contains("protocol 2"));
        req.protocol = PROTOCOL_VERSION;
        assert_eq!(pull_limit(&req), MAX_PULL_BATCH);
        req.push = vec![Value::Null; MAX_PUSH_BATCH + 1];
        assert!(validate_request(&req).unwrap_err().contains("batches"));
    }

    #[test]
    fn a_request_may_say_how_many_changes_wait_but_not_an_absurd_number() {
        let old: SyncRequest = serde_json::from_value(json!({"protocol": PROTOCOL_VERSION, "device": "t"})).unwrap();
        assert_eq!(old.waiting, None, "an app that does not say is still served");
        let mut req: SyncRequest = serde_json::from_value(json!({"protocol": PROTOCOL_VERSION, "device": "t", "waiting": 12})).unwrap();
        assert_eq!(req.waiting, Some(12));
        assert!(validate_request(&req).is_ok());
        req.waiting = Some(MAX_WAITING + 1);
        assert!(validate_request(&req).unwrap_err().contains("waiting"));
        for bad in [json!(-1), json!(1.5), json!("3")] {
            assert!(serde_json::from_value::<SyncRequest>(json!({"protocol": PROTOCOL_VERSION, "device": "t", "waiting": bad})).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_forged_clock_anywhere_in_a_document_is_refused_with_what_to_do() {
        // Built on format 1, whose stamps are easy to forge one by one.
        let good: Value = activity().to_json_format1().parse().unwrap();
        assert!(admit(&good.to_string(), bound()).is_ok());
        let ahead = json!({"millis": NOW + DEFAULT_MAX_SKEW_MILLIS + 3 * 3_600_000, "counter": 0});
        let past_2_53 = json!({"millis": MAX_MILLIS + 1, "counter": 0});
        let counter = json!({"millis": 5, "counter": MAX_COUNTER as u64 + 1});
        let stamp = |hlc: &Value| json!({"hlc": hlc, "device": "tablet-b"});
        for hlc in [&ahead, &past_2_53, &counter] {
            let mut shapes = Vec::new();
            for field in ["created", "updated"] {
                let mut doc = good.clone();
                doc[field] = stamp(hlc);
                shapes.push((field, doc));
            }
            let mut doc = good.clone();
            doc["stamps"]["title"] = stamp(hlc);
            shapes.push(("stamps", doc));
            let mut doc = good.clone();
            doc["seen"]["tablet-b"] = hlc.clone();
            shapes.push(("seen", doc));
            let mut doc = good.clone();
            doc["conflicts"] = json!({"title": [{"value": "别的", "stamp": stamp(hlc)}]});
            shapes.push(("conflicts", doc));
            for (field, doc) in shapes {
                let err = validate_pushed(&doc, bound()).unwrap_err();
                assert!(matches!(&err, PushError::Clock { device, .. } if device == "tablet-b"), "{field}: {err:?}");
                assert!(admit(&doc.to_string(), bound()).is_err(), "{field}: the app refuses it too");
            }
        }
        let mut doc = good.clone();
        doc["seen"]["tablet-b"] = ahead;
        let reason = validate_pushed(&doc, bound()).unwrap_err().to_string();
        assert!(reason.contains("27 hours ahead") && reason.contains("set the date and time"), "{reason}");
        let mut doc = good;
        doc["seen"]["tablet-b"] = json!({"millis": 9_007_199_254_740_991u64, "counter": 0});
        assert!(validate_pushed(&doc, bound()).is_err(), "the issue's forged seen, far past a day ahead");
    }

    #[test]
    fn an_id_not_written_as_a_lowercase_uuid_is_refused() {
        let good = serde_json::to_value(activity()).unwrap();
        let id = good["id"].as_str().unwrap().to_string();
        for raw in [id.to_uppercase(), format!(" {id}"), format!("{id} ")] {
            let mut doc = good.clone();
            doc["id"] = json!(raw);
            let err = validate_pushed(&doc, bound()).unwrap_err();
            assert_eq!(err, PushError::NotCanonical(raw.clone()));
            assert!(err.to_string().contains(&format!("(\"{id}\")")), "{err}");
        }
    }
}
