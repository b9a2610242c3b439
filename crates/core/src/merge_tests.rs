//! Tests of `merge`: named cases, then randomised edit scripts on several
//! tablets exchanging states in any order.

use super::*;
use crate::clock::{DeviceId, Hlc, Stamp};
use crate::fixture::{edited, stamp_on as stamp};
use crate::model::{Activity, Attendance, Participant, Suggestion, SuggestionStatus};
use proptest::prelude::*;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};

fn id(n: u8) -> Id {
    Id::new_v7(1_700_000_000_000 + n as u64, [n; 10])
}

fn visit() -> Document<Activity> {
    let body = Activity { kind: "visit".into(), title: "走访委员企业".into(), ..Activity::default() };
    Document::create(id(0), body, stamp("a", 1))
}

fn m(a: &Document<Activity>, b: &Document<Activity>) -> Document<Activity> {
    merge(a, b).unwrap()
}

#[test]
fn different_fields_edited_on_two_tablets_both_survive() {
    let base = visit();
    let a = edited(&base, stamp("a", 10), |b| b.place = "开发区".into());
    let b = edited(&base, stamp("b", 11), |b| b.notes = "座谈两小时".into());
    let both = m(&a, &b);
    assert_eq!(both.body.place, "开发区");
    assert_eq!(both.body.notes, "座谈两小时");
    assert!(!both.has_conflicts());
    assert_eq!(both, m(&b, &a));
    assert_eq!(both.updated, stamp("b", 11));
}

#[test]
fn same_field_edited_on_two_tablets_keeps_the_loser_as_a_conflict() {
    let base = visit();
    let a = edited(&base, stamp("a", 10), |b| b.title = "A 的标题".into());
    let b = edited(&base, stamp("b", 11), |b| b.title = "B 的标题".into());
    let both = m(&a, &b);
    assert_eq!(both.body.title, "B 的标题", "the later stamp is shown");
    assert_eq!(both.conflicts_for("title"), vec![ConflictValue { value: Some(json!("A 的标题")), stamp: stamp("a", 10) }]);
    assert_eq!(both, m(&b, &a));
    let c = both.conflicts();
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].current, Some(json!("B 的标题")));
}

#[test]
fn a_sequential_overwrite_is_not_a_conflict() {
    let base = visit();
    let a = edited(&base, stamp("a", 10), |b| b.title = "第一版".into());
    // b has seen a's edit, then overwrites it, even with a clock behind a's.
    let b = edited(&m(&base, &a), stamp("b", 5), |b| b.title = "第二版".into());
    let both = m(&a, &b);
    assert_eq!(both.body.title, "第二版", "seen and overwritten wins even with a lagging clock");
    assert!(both.conflicts_for("title").is_empty());
    assert!(both.conflicts.is_empty());
}

#[test]
fn resolving_a_conflict_on_one_tablet_settles_it_everywhere() {
    let base = visit();
    let a = edited(&base, stamp("a", 10), |b| b.title = "A".into());
    let b = edited(&base, stamp("b", 11), |b| b.title = "B".into());
    let mut on_a = m(&a, &b);
    let on_b = m(&b, &a);
    let loser = on_a.conflicts_for("title").remove(0);
    on_a.resolve("title", loser.value, stamp("a", 20)).unwrap();
    assert_eq!(on_a.body.title, "A");
    assert!(!on_a.has_conflicts());
    // The old states arrive again, in any order: the resolution holds.
    for doc in [m(&on_b, &on_a), m(&on_a, &on_b), m(&m(&a, &on_a), &b)] {
        assert_eq!(doc.body.title, "A");
        assert!(!doc.has_conflicts());
        assert_eq!(doc, on_a);
    }
}

#[test]
fn editing_a_conflicted_field_settles_it() {
    let base = visit();
    let a = edited(&base, stamp("a", 10), |b| b.title = "A".into());
    let b = edited(&base, stamp("b", 11), |b| b.title = "B".into());
    let c = edited(&m(&a, &b), stamp("c", 12), |b| b.title = "AB".into());
    assert!(c.conflicts.is_empty());
    assert_eq!(m(&m(&c, &a), &b), c);
}

#[test]
fn additions_to_lists_merge_element_by_element() {
    let base = visit();
    let a = edited(&base, stamp("a", 10), |b| {
        b.participants.push(Participant { person: id(1), status: Attendance::Attended, reason: String::new() });
        b.suggestions.push(Suggestion { content: "修路".into(), ..Suggestion::new(id(7)) });
    });
    let b = edited(&base, stamp("b", 11), |b| {
        b.participants.push(Participant { person: id(2), status: Attendance::Excused, reason: "出差".into() });
        b.suggestions.push(Suggestion { content: "装路灯".into(), ..Suggestion::new(id(8)) });
    });
    let both = m(&a, &b);
    let people: Vec<&Id> = both.body.participants.iter().map(|p| &p.person).collect();
    assert_eq!(people, vec![&id(1), &id(2)], "ordered by when they were added");
    assert_eq!(both.body.suggestions.len(), 2);
    assert!(!both.has_conflicts());
    // Then one tablet changes a suggestion's status, the other its content.
    let a2 = edited(&both, stamp("a", 20), |b| b.suggestions[0].status = SuggestionStatus::Forwarded);
    let b2 = edited(&both, stamp("b", 21), |b| b.suggestions[0].content = "修村道".into());
    let again = m(&a2, &b2);
    assert_eq!(again.body.suggestions[0].status, SuggestionStatus::Forwarded);
    assert_eq!(again.body.suggestions[0].content, "修村道");
    assert!(!again.has_conflicts());
}

#[test]
fn a_removal_seen_by_the_other_tablet_stays_removed() {
    let base = edited(&visit(), stamp("a", 5), |b| b.suggestions.push(Suggestion::new(id(7))));
    let a = edited(&base, stamp("a", 10), |b| b.suggestions.clear());
    assert!(m(&a, &base).body.suggestions.is_empty());
    assert!(!m(&base, &a).has_conflicts());
}

#[test]
fn a_delete_never_silently_discards_a_concurrent_edit() {
    let base = edited(&visit(), stamp("a", 5), |b| b.participants.push(Participant { person: id(1), status: Attendance::Attended, reason: String::new() }));
    let removed = edited(&base, stamp("a", 10), |b| b.participants.clear());
    let excused = edited(&base, stamp("b", 11), |b| {
        b.participants[0].status = Attendance::Excused;
        b.participants[0].reason = "生病".into();
    });
    let both = m(&removed, &excused);
    assert_eq!(both, m(&excused, &removed));
    assert!(both.body.participants.is_empty(), "the element stays removed");
    let path = format!("participants/{}", id(1));
    let offered = both.conflicts_for(&path);
    assert_eq!(offered.len(), 1, "the edit is offered on the element: {:?}", both.conflicts());
    assert_eq!(offered[0].stamp, stamp("b", 11));
    assert_eq!(offered[0].value.as_ref().unwrap()["status"], json!("excused"));

    // "Use this" restores the element with the edit …
    let mut restored = both.clone();
    restored.resolve(&path, offered[0].value.clone(), stamp("a", 30)).unwrap();
    assert_eq!(restored.body.participants, vec![Participant { person: id(1), status: Attendance::Excused, reason: "生病".into() }]);
    assert!(!restored.has_conflicts(), "{:?}", restored.conflicts());
    assert_eq!(m(&m(&restored, &excused), &removed), restored);
    // … "keep removed" discards it, everywhere.
    let mut kept = both.clone();
    kept.resolve(&path, None, stamp("b", 30)).unwrap();
    assert!(kept.body.participants.is_empty() && !kept.has_conflicts());
    assert_eq!(m(&m(&excused, &kept), &removed), kept);
}

#[test]
fn resolving_after_a_participant_was_removed_on_one_tablet_and_added_on_another_keeps_the_body_readable() {
    // The case proptest shrank to (proptest-regressions/merge_tests.txt): tablet a
    // adds and then removes a participant while tablet b, not knowing, adds the
    // same person; b's add has the later stamp, so the person is shown on b after
    // b receives a's state, and a's removal survives beside it.
    let base = visit();
    let person = Participant { person: id(1), status: Attendance::Attended, reason: String::new() };
    let added = edited(&base, stamp("a", 10), |b| b.participants.push(person.clone()));
    let removed = edited(&added, stamp("a", 11), |b| b.participants.clear());
    let readded = edited(&base, stamp("b", 11), |b| b.participants.push(person.clone()));
    let on_b = m(&readded, &removed);
    assert_eq!(on_b, m(&removed, &readded));
    assert_eq!(on_b.body.participants, vec![person.clone()]);
    // Every choice offered on every path (what `Op::Resolve` does) makes a
    // readable document that the old states do not unsettle.
    for conflict in on_b.conflicts() {
        let choices = std::iter::once(conflict.current.clone()).chain(conflict.others.iter().map(|o| o.value.clone()));
        for choice in choices {
            let mut settled = on_b.clone();
            settled.resolve(&conflict.path, choice.clone(), stamp("b", 20)).unwrap();
            assert_eq!(Document::<Activity>::from_json(&settled.to_json()).unwrap(), settled);
            assert_eq!(m(&m(&settled, &removed), &readded), settled);
        }
    }
    // The removal is one choice, on the element; it is not offered again on each
    // field. Either answer settles the element and its fields.
    let path = format!("participants/{}", id(1));
    let conflicts = on_b.conflicts();
    let offered: Vec<&str> = conflicts.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(offered, vec![path.as_str()], "{conflicts:?}");
    for (choice, shown) in [(Some(json!(true)), vec![person.clone()]), (None, vec![])] {
        let mut settled = on_b.clone();
        settled.resolve(&path, choice, stamp("b", 20)).unwrap();
        assert_eq!(settled.body.participants, shown);
        assert!(settled.conflicts.is_empty(), "{:?}", settled.conflicts);
    }
    // Choosing "removed" for a field of a shown element (the API allows it) removes
    // the element: a participant without a status cannot be read.
    let mut gone = on_b.clone();
    gone.resolve(&format!("{path}/status"), None, stamp("b", 20)).unwrap();
    assert!(gone.body.participants.is_empty() && !gone.has_conflicts(), "{:?}", gone.conflicts());
    assert_eq!(m(&m(&gone, &removed), &readded), gone);
}

// Known gap, not fixed yet: when one tablet removes a participant and another
// edits only its reason meanwhile, the remover's "removed" overwrote the status
// it had seen, so after the merge no status survives. The element offered for
// "use this" has no status, and `resolve` refuses it as Unreadable (the document
// is left as it was, so it stays readable, but the edit cannot be restored). A
// fix needs a status from somewhere (the offered element, or the removal
// keeping the values it removes); the proptests do not reach it because their
// scripts never edit a reason alone.
#[test]
#[ignore = "known gap: restoring a removed participant edited elsewhere only in its reason has no status to restore"]
fn restoring_a_removed_participant_whose_reason_alone_was_edited_elsewhere() {
    let base = edited(&visit(), stamp("a", 5), |b| b.participants.push(Participant { person: id(1), status: Attendance::Attended, reason: String::new() }));
    let removed = edited(&base, stamp("a", 10), |b| b.participants.clear());
    let reason = edited(&base, stamp("b", 11), |b| b.participants[0].reason = "生病".into());
    let both = m(&removed, &reason);
    let path = format!("participants/{}", id(1));
    let offered = both.conflicts_for(&path);
    assert_eq!(offered.len(), 1, "{:?}", both.conflicts());
    let mut restored = both.clone();
    restored.resolve(&path, offered[0].value.clone(), stamp("a", 30)).unwrap();
    assert_eq!(restored.body.participants.len(), 1);
    assert_eq!(restored.body.participants[0].reason, "生病");
}

#[test]
fn trashing_and_editing_concurrently_keeps_both() {
    let base = visit();
    let mut a = base.clone();
    a.set_trashed(true, stamp("a", 10));
    let b = edited(&base, stamp("b", 11), |b| b.notes = "补记".into());
    let both = m(&a, &b);
    assert!(both.trashed);
    assert_eq!(both.body.notes, "补记");
    let mut c = base.clone();
    c.set_trashed(true, stamp("c", 12));
    c.set_trashed(false, stamp("c", 13));
    let all = m(&both, &c);
    assert!(!all.trashed, "the later restore wins");
    assert_eq!(all.conflicts_for(TRASHED_PATH), vec![ConflictValue { value: Some(json!(true)), stamp: stamp("a", 10) }]);
}

#[test]
fn merging_twice_changes_nothing() {
    let base = visit();
    let a = edited(&base, stamp("a", 10), |b| b.title = "A".into());
    let b = edited(&base, stamp("b", 11), |b| b.title = "B".into());
    let once = m(&a, &b);
    assert_eq!(m(&once, &once), once);
    assert_eq!(m(&once, &a), once);
    assert_eq!(m(&once, &b), once);
    assert_eq!(m(&a, &a), a);
}

#[test]
fn a_document_stored_before_sync_existed_merges_without_spurious_conflicts() {
    // Format 1 as written before `seen` and `conflicts`: no such fields.
    let mut old = edited(&visit(), stamp("a", 10), |b| b.title = "旧标题".into());
    old.seen.clear();
    let json = old.to_json_format1().replace(",\"seen\":{}", "").replace(",\"conflicts\":{}", "");
    assert!(!json.contains("seen") && !json.contains("conflicts"));
    let old = Document::<Activity>::from_json(&json).unwrap();
    let newer = edited(&old, stamp("b", 20), |b| b.title = "新标题".into());
    let both = m(&old, &newer);
    assert_eq!(both.body.title, "新标题");
    assert!(!both.has_conflicts());
}

#[test]
fn conflicts_survive_the_json_round_trip_including_null_and_removed_values() {
    let base = visit();
    let a = edited(&base, stamp("a", 10), |b| b.date = chrono::NaiveDate::from_ymd_opt(2024, 5, 1));
    let b = edited(&edited(&base, stamp("b", 8), |b| b.date = chrono::NaiveDate::from_ymd_opt(2024, 6, 1)), stamp("b", 9), |b| b.date = None);
    let both = m(&a, &b);
    assert_eq!(both.conflicts_for("date"), vec![ConflictValue { value: Some(Value::Null), stamp: stamp("b", 9) }]);
    let back = Document::<Activity>::from_json(&both.to_json()).unwrap();
    assert_eq!(back, both);
}

#[test]
fn replicas_of_different_documents_or_types_do_not_merge() {
    let a = visit();
    let b = Document::create(id(1), a.body.clone(), stamp("a", 1));
    assert!(matches!(merge(&a, &b), Err(MergeError::DifferentDocuments { .. })));
    let mut c = a.clone();
    c.doc_type = crate::doc::DocType::Person;
    assert!(matches!(merge(&a, &c), Err(MergeError::WrongType { .. })));
    let mut d = a.clone();
    assert!(matches!(d.resolve("no_such_field", None, stamp("a", 2)), Err(MergeError::UnknownPath(_))));
}

// ---- Randomised edit scripts ------------------------------------------------

#[derive(Clone, Debug)]
enum Op {
    Title(u8),
    Place(u8),
    Notes(u8),
    AddParticipant(u8),
    RemoveParticipant(u8),
    ParticipantStatus(u8, u8),
    AddSuggestion,
    RemoveSuggestion(u8),
    SuggestionStatus(u8, u8),
    SuggestionContent(u8, u8),
    Trash(bool),
    /// Settle the n-th conflict with its n-th offered value (or "keep mine").
    Resolve(u8, u8),
}

#[derive(Clone, Debug)]
enum Step {
    /// A device makes a local change at a wall time that may drift.
    Local { device: usize, op: Op, wall: u64 },
    /// A device receives some earlier state (its own or another's): old,
    /// duplicated and out-of-order deliveries included.
    Deliver { to: usize, snapshot: usize },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u8..3).prop_map(Op::Title),
        (0u8..3).prop_map(Op::Place),
        (0u8..3).prop_map(Op::Notes),
        (0u8..3).prop_map(Op::AddParticipant),
        (0u8..3).prop_map(Op::RemoveParticipant),
        (0u8..3, 0u8..3).prop_map(|(p, s)| Op::ParticipantStatus(p, s)),
        Just(Op::AddSuggestion),
        any::<u8>().prop_map(Op::RemoveSuggestion),
        (any::<u8>(), 0u8..5).prop_map(|(i, s)| Op::SuggestionStatus(i, s)),
        (any::<u8>(), 0u8..3).prop_map(|(i, c)| Op::SuggestionContent(i, c)),
        any::<bool>().prop_map(Op::Trash),
        (any::<u8>(), any::<u8>()).prop_map(|(c, v)| Op::Resolve(c, v)),
    ]
}

fn script() -> impl Strategy<Value = (usize, Vec<Step>)> {
    (2usize..=4).prop_flat_map(|n| {
        let step = prop_oneof![
            3 => (0..n, op(), 0u64..40).prop_map(|(device, op, wall)| Step::Local { device, op, wall }),
            2 => (0..n, any::<usize>()).prop_map(|(to, snapshot)| Step::Deliver { to, snapshot }),
        ];
        (Just(n), prop::collection::vec(step, 1..40))
    })
}

/// A tablet in the simulation: its document, its clock, and (for checking)
/// the ids of the writes it knows of.
#[derive(Clone)]
struct Replica {
    doc: Document<Activity>,
    clock: Hlc,
    known: BTreeSet<usize>,
}

/// A write the simulation saw happen: (path, stamp, value) plus the writes
/// its author knew of.
struct Write {
    path: String,
    stamp: Stamp,
    value: Option<Value>,
    knew: BTreeSet<usize>,
}

fn apply(doc: &mut Document<Activity>, op: &Op, at: Stamp, suggestion_ids: &mut u8) {
    let mut b = doc.body.clone();
    let texts = ["甲", "乙", "丙"];
    let pick = |len: usize, i: u8| (len > 0).then(|| i as usize % len);
    match *op {
        Op::Title(t) => b.title = texts[t as usize].into(),
        Op::Place(t) => b.place = texts[t as usize].into(),
        Op::Notes(t) => b.notes = texts[t as usize].into(),
        Op::AddParticipant(p) => {
            if b.participant(&id(100 + p)).is_none() {
                b.participants.push(Participant { person: id(100 + p), status: Attendance::Attended, reason: String::new() });
            }
        }
        Op::RemoveParticipant(p) => b.participants.retain(|x| x.person != id(100 + p)),
        Op::ParticipantStatus(p, s) => {
            if let Some(x) = b.participants.iter_mut().find(|x| x.person == id(100 + p)) {
                x.status = Attendance::ALL[s as usize];
            }
        }
        Op::AddSuggestion => {
            *suggestion_ids += 1;
            b.suggestions.push(Suggestion::new(id(*suggestion_ids)));
        }
        Op::RemoveSuggestion(i) => {
            if let Some(i) = pick(b.suggestions.len(), i) {
                b.suggestions.remove(i);
            }
        }
        Op::SuggestionStatus(i, s) => {
            if let Some(i) = pick(b.suggestions.len(), i) {
                b.suggestions[i].status = SuggestionStatus::ALL[s as usize];
            }
        }
        Op::SuggestionContent(i, c) => {
            if let Some(i) = pick(b.suggestions.len(), i) {
                b.suggestions[i].content = texts[c as usize].into();
            }
        }
        Op::Trash(t) => return doc.set_trashed(t, at),
        Op::Resolve(c, v) => {
            let conflicts = doc.conflicts();
            if let Some(c) = pick(conflicts.len(), c).map(|i| &conflicts[i]) {
                let choice = match pick(c.others.len() + 1, v) {
                    Some(0) | None => c.current.clone(),
                    Some(n) => c.others[n - 1].value.clone(),
                };
                doc.resolve(&c.path, choice, at).unwrap();
            }
            return;
        }
    }
    doc.edit(b, at);
}

/// Every surviving (path, stamp) of a document, with its value.
fn all_entries(doc: &Document<Activity>) -> BTreeMap<(String, Stamp), Option<Value>> {
    entries(doc).into_iter().flat_map(|(p, vs)| vs.into_iter().map(move |(s, v)| ((p.clone(), s), v))).collect()
}

struct Run {
    replicas: Vec<Replica>,
    snapshots: Vec<Document<Activity>>,
    writes: Vec<Write>,
}

fn run(n: usize, steps: &[Step]) -> Run {
    let created = stamp("d0", 1);
    let doc = Document::create(id(0), Activity { title: "甲".into(), ..Activity::default() }, created.clone());
    let mut writes: Vec<Write> =
        field_paths(&doc.body).into_iter().map(|(path, v)| Write { path, stamp: created.clone(), value: Some(v), knew: BTreeSet::new() }).collect();
    let known: BTreeSet<usize> = (0..writes.len()).collect();
    let mut replicas: Vec<Replica> = (0..n).map(|_| Replica { doc: doc.clone(), clock: created.hlc, known: known.clone() }).collect();
    let mut snapshots = vec![doc];
    let mut snapshot_known = vec![known];
    let mut suggestion_ids = 0u8;
    for step in steps {
        match step {
            Step::Local { device, op, wall } => {
                let r = &mut replicas[*device];
                r.clock = r.clock.tick(*wall);
                let at = Stamp { hlc: r.clock, device: DeviceId(format!("d{device}")) };
                let before = all_entries(&r.doc);
                apply(&mut r.doc, op, at.clone(), &mut suggestion_ids);
                for ((path, s), value) in all_entries(&r.doc) {
                    if s == at && !before.contains_key(&(path.clone(), s.clone())) {
                        writes.push(Write { path, stamp: s, value, knew: r.known.clone() });
                        r.known.insert(writes.len() - 1);
                    }
                }
                snapshots.push(r.doc.clone());
                snapshot_known.push(r.known.clone());
            }
            Step::Deliver { to, snapshot } => {
                let i = snapshot % snapshots.len();
                let r = &mut replicas[*to];
                r.doc = merge(&r.doc, &snapshots[i]).unwrap();
                r.clock = r.clock.observe(r.doc.updated.hlc, 0);
                r.known.extend(snapshot_known[i].iter().copied());
            }
        }
    }
    Run { replicas, snapshots, writes }
}

fn exchange_all(replicas: &mut [Replica]) {
    for _ in 0..2 {
        for i in 0..replicas.len() {
            for j in 0..replicas.len() {
                let theirs = replicas[j].doc.clone();
                replicas[i].doc = merge(&replicas[i].doc, &theirs).unwrap();
                let known = replicas[j].known.clone();
                replicas[i].known.extend(known);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn all_tablets_converge_once_every_state_is_exchanged((n, steps) in script()) {
        let mut r = run(n, &steps);
        exchange_all(&mut r.replicas);
        for other in &r.replicas[1..] {
            prop_assert_eq!(&other.doc, &r.replicas[0].doc);
        }
    }

    #[test]
    fn every_concurrent_write_survives_until_someone_who_saw_it_overwrites_it((n, steps) in script()) {
        let mut r = run(n, &steps);
        exchange_all(&mut r.replicas);
        let doc = &r.replicas[0].doc;
        // The writes nobody overwrote knowingly, per path.
        let mut expected: BTreeMap<(String, Stamp), Option<Value>> = BTreeMap::new();
        for (i, w) in r.writes.iter().enumerate() {
            let superseded = r.writes.iter().any(|o| o.path == w.path && o.knew.contains(&i));
            if !superseded {
                expected.insert((w.path.clone(), w.stamp.clone()), w.value.clone());
            }
        }
        prop_assert_eq!(all_entries(doc), expected);
        // The shown value of an ordinary field is the newest of its values.
        for (path, values) in entries(doc) {
            if !path.contains('/') {
                prop_assert_eq!(doc.stamps.get(&path), values.keys().next_back());
            }
        }
        prop_assert_eq!(Document::<Activity>::from_json(&doc.to_json()).unwrap(), doc.clone());
    }

    #[test]
    fn every_reachable_state_reads_back_from_format_2_and_from_format_1_old_readers_too((n, steps) in script()) {
        let r = run(n, &steps);
        for doc in &r.snapshots {
            prop_assert_eq!(&Document::<Activity>::from_json(&doc.to_json()).unwrap(), doc);
            let one = doc.to_json_format1();
            prop_assert_eq!(&Document::<Activity>::from_json(&one).unwrap(), doc);
            prop_assert_eq!(crate::doc_format::tests::Frozen1::<Activity>::read(&one).unwrap().into_doc(), doc.clone());
        }
    }

    #[test]
    fn merge_is_commutative_associative_and_idempotent_on_reachable_states(
        (n, steps) in script(), picks in prop::collection::vec(any::<(usize, usize, usize)>(), 1..8)
    ) {
        let r = run(n, &steps);
        let s = &r.snapshots;
        for (i, j, k) in picks {
            let (a, b, c) = (&s[i % s.len()], &s[j % s.len()], &s[k % s.len()]);
            let ab = merge(a, b).unwrap();
            prop_assert_eq!(&ab, &merge(b, a).unwrap());
            prop_assert_eq!(merge(&ab, c).unwrap(), merge(a, &merge(b, c).unwrap()).unwrap());
            prop_assert_eq!(&merge(&ab, &ab).unwrap(), &ab);
            prop_assert_eq!(&merge(a, a).unwrap(), a);
        }
        for replica in &r.replicas {
            prop_assert_eq!(&merge(&replica.doc, &replica.doc).unwrap(), &replica.doc);
        }
    }
}
