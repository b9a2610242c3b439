//! Tests of `doc_format`: format 2 round trips, format 1 read and written as the builds before
//! format 2 did (`Frozen1`, a copy of that reader and writer), and refusals of damaged text.

use super::*;
use crate::doc::{DocError, TRASHED_PATH};
use crate::fixture::{edited, stamp_on, year_2024};
use crate::merge::merge;
use crate::model::{Activity, Attendance, Participant, Person, Suggestion};
use crate::sync::AnyDoc;

/// The document type as every build before format 2 derived it, kept frozen: its serde is what
/// those builds wrote and read. An old tablet's reader is `Frozen1::read`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(bound = "T: Body")]
pub(crate) struct Frozen1<T: Body> {
    pub format: u32,
    pub id: Id,
    #[serde(rename = "type")]
    pub doc_type: DocType,
    pub body: T,
    #[serde(default)]
    pub trashed: bool,
    pub created: Stamp,
    pub updated: Stamp,
    #[serde(default)]
    pub stamps: BTreeMap<String, Stamp>,
    #[serde(default)]
    pub seen: BTreeMap<DeviceId, Hlc>,
    #[serde(default)]
    pub conflicts: BTreeMap<String, Vec<ConflictValue>>,
}

impl<T: Body> Frozen1<T> {
    /// The old `Document::from_json`: format 1 only (`TooNew` past it).
    pub fn read(json: &str) -> Result<Frozen1<T>, DocError> {
        let value: Value = serde_json::from_str(json).map_err(|e| DocError::Malformed(e.to_string()))?;
        let format = value.get("format").and_then(Value::as_u64).ok_or_else(|| DocError::Malformed("no format version".into()))?;
        if format > 1 {
            return Err(DocError::TooNew { found: format as u32, supported: 1 });
        }
        serde_json::from_value(value).map_err(|e| DocError::Malformed(e.to_string()))
    }

    /// What the old build wrote for `doc`.
    pub fn of(doc: &Document<T>) -> Frozen1<T> {
        let d = doc.clone();
        Frozen1 {
            format: 1,
            id: d.id,
            doc_type: d.doc_type,
            body: d.body,
            trashed: d.trashed,
            created: d.created,
            updated: d.updated,
            stamps: d.stamps,
            seen: d.seen,
            conflicts: d.conflicts,
        }
    }

    /// The same content as a document of this build.
    pub fn into_doc(self) -> Document<T> {
        let Frozen1 { id, doc_type, body, trashed, created, updated, stamps, seen, conflicts, .. } = self;
        Document { format: FORMAT_VERSION, id, doc_type, body, trashed, created, updated, stamps, seen, conflicts }
    }
}

/// A real device id is a UUID, 36 characters, repeated in every stamp of format 1.
const TABLET_A: &str = "0190a3b4-1111-7000-8000-00000000000a";
const TABLET_B: &str = "0190a3b4-2222-7000-8000-00000000000b";

fn id(n: u8) -> Id {
    Id::new_v7(1_700_000_000_000 + n as u64, [n; 10])
}

fn visit() -> Document<Activity> {
    let body = Activity {
        kind: "visit".into(),
        title: "走访委员企业".into(),
        participants: (1..=3).map(|n| Participant { person: id(n), status: Attendance::Attended, reason: String::new() }).collect(),
        suggestions: vec![Suggestion { content: "加强诉前调解".into(), ..Suggestion::new(id(9)) }],
        ..Activity::default()
    };
    Document::create(id(0), body, stamp_on(TABLET_A, 1_716_170_000_000))
}

/// Documents with all a document can hold: edits by two tablets, a conflict (with a removed
/// value), a removed element, the trash, a counter, a path without a stamp.
pub(crate) fn varied() -> Vec<Document<Activity>> {
    let base = visit();
    let a = edited(&base, stamp_on(TABLET_A, 1_716_170_100_000), |b| {
        b.title = "走访民营企业".into();
        b.participants.remove(1);
    });
    let mut b = edited(&base, Stamp { hlc: Hlc { millis: 1_716_170_200_000, counter: 3 }, device: DeviceId(TABLET_B.into()) }, |b| {
        b.title = "走访科技企业".into();
        b.participants[1].status = Attendance::Excused;
        b.suggestions.push(Suggestion { content: "装路灯".into(), ..Suggestion::new(id(10)) });
    });
    b.set_trashed(true, stamp_on(TABLET_B, 1_716_170_300_000));
    let both = merge(&a, &b).unwrap();
    assert!(both.has_conflicts(), "the fixture holds conflicts");
    let mut unstamped = base.clone();
    unstamped.stamps.remove("notes");
    unstamped.seen.clear();
    vec![base, a, b, both, unstamped]
}

#[test]
fn every_kind_of_document_round_trips_through_format_2_and_format_1_exactly() {
    let year = year_2024();
    let mut all: Vec<AnyDoc> = varied().into_iter().map(AnyDoc::Activity).collect();
    all.extend(year.activities.into_iter().map(AnyDoc::Activity));
    all.extend(year.people.into_iter().map(AnyDoc::Person));
    all.extend(year.proposals.into_iter().map(AnyDoc::Proposal));
    all.extend(year.opinion_reports.into_iter().map(AnyDoc::OpinionReport));
    for doc in all {
        let two = doc.to_json();
        assert!(two.starts_with("{\"format\":2,"), "{two}");
        assert_eq!(AnyDoc::from_json(&two).unwrap(), doc, "{two}");
        let one = doc.to_json_format1();
        assert_eq!(AnyDoc::from_json(&one).unwrap(), doc, "{one}");
        assert!(one.len() > two.len());
    }
}

#[test]
fn format_1_is_written_byte_for_byte_as_the_builds_before_format_2_wrote_it() {
    for doc in varied() {
        assert_eq!(doc.to_json_format1(), serde_json::to_string(&Frozen1::of(&doc)).unwrap());
    }
}

#[test]
fn format_1_text_reads_and_merges_as_it_did_before() {
    let docs = varied();
    for a in &docs {
        let a1 = Document::<Activity>::from_json(&serde_json::to_string(&Frozen1::of(a)).unwrap()).unwrap();
        assert_eq!(&a1, a);
        for b in &docs {
            let b1 = Document::<Activity>::from_json(&serde_json::to_string(&Frozen1::of(b)).unwrap()).unwrap();
            let merged = merge(&a1, &b1).unwrap();
            assert_eq!(merged, merge(a, b).unwrap());
            // What an old tablet reads of the merge is what it would have merged itself.
            assert_eq!(Frozen1::<Activity>::read(&merged.to_json_format1()).unwrap().into_doc(), merge(a, b).unwrap());
        }
    }
}

#[test]
fn an_old_reader_refuses_format_2_and_reads_the_format_1_written_for_it() {
    let both = varied().remove(3);
    assert_eq!(Frozen1::<Activity>::read(&both.to_json()).unwrap_err(), DocError::TooNew { found: 2, supported: 1 });
    assert_eq!(Frozen1::<Activity>::read(&both.to_json_format1()).unwrap(), Frozen1::of(&both));
}

#[test]
fn stamps_that_follow_from_created_or_the_element_are_left_out_and_the_rest_are_written() {
    let docs = varied();
    let created = docs[0].to_json();
    assert!(!created.contains("\"stamps\""), "a new document needs no stamps: {created}");
    assert_eq!(created.matches(TABLET_A).count(), 1, "the device is named once: {created}");
    let a: Value = docs[1].to_json().parse().unwrap();
    let stamps = a["stamps"].as_object().unwrap();
    let removed = format!("participants/{}", id(2));
    // The title's edit, and the removed element with each of its fields (no longer in the body).
    let mut expected = vec!["title".to_string(), removed.clone(), format!("{removed}/reason"), format!("{removed}/status")];
    expected.sort();
    assert_eq!(stamps.keys().cloned().collect::<Vec<_>>(), expected, "{a}");
    let unstamped: Value = docs[4].to_json().parse().unwrap();
    assert_eq!(unstamped["stamps"], serde_json::json!({"notes": null}), "a body path without a stamp stays without one");
    assert!(!docs[4].stamps.contains_key("notes") && !Document::<Activity>::from_json(&docs[4].to_json()).unwrap().stamps.contains_key("notes"));
    let trashed: Value = docs[2].to_json().parse().unwrap();
    assert!(trashed["stamps"][TRASHED_PATH].is_array() && trashed["trashed"] == true, "{trashed}");
    assert_eq!(trashed["updated"], serde_json::json!([1, 1_716_170_300_000u64]), "[device, millis], counter 0 left out");
    assert_eq!(trashed["stamps"]["title"], serde_json::json!([1, 1_716_170_200_000u64, 3]));
}

#[test]
fn a_document_is_about_a_third_of_its_format_1_size() {
    // A record much like the bench's: created on one tablet, then a few fields edited.
    let doc = edited(&visit(), stamp_on(TABLET_A, 1_716_170_500_000), |b| {
        b.place = "县人民法院第一法庭".into();
        b.notes = "委员们实地察看了项目建设现场。".into();
    });
    let (one, two) = (doc.to_json_format1().len(), doc.to_json().len());
    let body = serde_json::to_string(&doc.body).unwrap().len();
    assert!(two * 3 <= one, "format 2 {two} bytes, format 1 {one}");
    assert!(two - body < 400, "beside a body of {body} bytes, format 2 spends {} on the rest", two - body);
}

#[test]
fn damaged_format_2_text_is_refused_with_a_reason() {
    let good = visit().to_json();
    let cases = [
        (good.replacen("\"devices\":[\"", "\"devices\":[\"x\",\"", 1).replacen("\"created\":[0,", "\"created\":[5,", 1), "names device 5"),
        (good.replacen("\"created\":[0,1716170000000]", "\"created\":{\"hlc\":{\"millis\":1,\"counter\":0},\"device\":\"d\"}", 1), "format 2 stamp"),
        (good.replacen("\"created\":[0,1716170000000]", "\"created\":[0,1716170000000,0,7]", 1), "invalid length"),
        (good.replacen("\"format\":2", "\"format\":1", 1), "no \"devices\""),
        (good.replacen("\"format\":2", "\"format\":0", 1), "format 0"),
    ];
    for (text, why) in cases {
        assert_ne!(text, good);
        let err = Document::<Activity>::from_json(&text).unwrap_err();
        assert!(matches!(&err, DocError::Malformed(m) if m.contains(why)), "{text}: {err:?}");
    }
    let old = serde_json::to_string(&Frozen1::of(&visit())).unwrap();
    let null = old.replacen("\"title\":{", "\"title\":null,\"x\":{", 1);
    assert!(Document::<Activity>::from_json(&null).is_err(), "format 1 has no null stamps: {null}");
    assert!(Document::<Person>::from_json(&good).is_err());
}

#[test]
fn a_reader_of_format_1_gets_format_1_and_every_other_reader_the_text_as_stored() {
    let both = varied().remove(3);
    let two = both.to_json();
    let sent = for_reader(&two, 1).expect("format 2 is converted for a format-1 reader");
    assert_eq!(Frozen1::<Activity>::read(&sent).unwrap(), Frozen1::of(&both));
    assert_eq!(for_reader(&two, 0).as_deref(), Some(sent.as_str()), "no reader reads less than format 1");
    assert_eq!(for_reader(&two, 2), None);
    assert_eq!(for_reader(&two, 7), None);
    assert_eq!(for_reader(&sent, 1), None, "format 1 goes as stored");
    // What this build cannot read goes as stored: the reader refuses it as it always did.
    assert_eq!(for_reader("{not json", 1), None);
    assert_eq!(for_reader(&two.replacen("\"format\":2", "\"format\":3", 1), 1), None);
    assert_eq!(for_reader(&two.replacen("\"type\":\"activity\"", "\"type\":\"memo\"", 1), 1), None);
    assert!(is_current(&two) && !is_current(&sent));
}

#[test]
fn reading_a_text_says_whether_it_is_in_the_current_format_as_is_current_does() {
    let both = varied().remove(3);
    let two = both.to_json();
    let one = both.to_json_format1();
    // A key before the header's: the header is found wherever it stands.
    let late = two.replacen('{', r#"{"from_a_later_app":{"format":1},"#, 1);
    for text in [&two, &one, &late] {
        let (doc, current) = AnyDoc::read_text(text).expect("reads");
        assert_eq!(current, is_current(text), "{text}");
        assert_eq!(doc, AnyDoc::Activity(both.clone()));
    }
    assert!(AnyDoc::read_text(&two).unwrap().1 && !AnyDoc::read_text(&one).unwrap().1 && AnyDoc::read_text(&late).unwrap().1);
    assert!(AnyDoc::read_text("[1]").is_err());
    let received = crate::sync_client::Received::read(one.clone()).unwrap();
    assert!(!received.current && received.json == one);
}
