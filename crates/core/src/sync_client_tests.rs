//! The sync client against an in-memory server with the native protocol's
//! semantics (commit-ordered cursor, merge on push), a REST collection and a
//! push-only sink, with faults injected between them: failed requests,
//! responses cut after the server committed, replayed requests, and a
//! hostile server's answers (a cursor that never moves or goes back, too
//! many documents, too many bytes, documents refused).

use super::memory::MemoryStore;
use super::*;
use crate::clock::{DeviceId, Hlc, DEFAULT_MAX_SKEW_MILLIS};
use crate::doc::{DocType, Document};
use crate::model::{Activity, Attendance, Participant, Person, Suggestion};
use crate::sync::Rejected;
use serde_json::value::RawValue;
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap, HashSet};

/// The tablets' wall clock when they check what arrives (2033): every
/// honest stamp here (a few thousand ms) lies long before it.
const NOW: u64 = 2_000_000_000_000;

fn bound() -> ClockBound {
    ClockBound::new(NOW, DEFAULT_MAX_SKEW_MILLIS)
}

/// A tablet: documents, outbox and cursor (`store`, also reached through
/// `Deref`), its own clock.
#[derive(Default)]
struct Tablet {
    name: String,
    store: MemoryStore,
    clock: Cell<u64>,
}

impl std::ops::Deref for Tablet {
    type Target = MemoryStore;
    fn deref(&self) -> &MemoryStore {
        &self.store
    }
}

impl Tablet {
    fn new(name: &str) -> Tablet {
        Tablet { name: name.into(), clock: Cell::new(1_000), ..Tablet::default() }
    }

    fn stamp(&self) -> Stamp {
        // Like the app's clock: later local edits sort after what was seen.
        self.clock.set(self.clock.get().max(self.seen_millis.get()) + 1);
        Stamp { hlc: Hlc { millis: self.clock.get(), counter: 0 }, device: DeviceId(self.name.clone()) }
    }

    fn new_person(&self, n: u8, name: &str) -> Id {
        let id = Id::new_v7(1_600_000_000_000 + n as u64, [n; 10]);
        self.write(AnyDoc::Person(Document::create(id.clone(), Person { name: name.into(), ..Person::default() }, self.stamp())));
        id
    }

    fn new_activity(&self, n: u8, title: &str) -> Id {
        let id = Id::new_v7(1_700_000_000_000 + n as u64, [n; 10]);
        let doc = Document::create(id.clone(), Activity { kind: "visit".into(), title: title.into(), ..Activity::default() }, self.stamp());
        self.write(AnyDoc::Activity(doc));
        id
    }

    fn edit(&self, id: &Id, change: impl FnOnce(&mut Activity)) {
        let Some(AnyDoc::Activity(mut doc)) = self.docs.borrow().get(id).cloned() else { panic!("no such activity") };
        let mut body = doc.body.clone();
        change(&mut body);
        let stamp = self.stamp();
        doc.edit(body, stamp);
        self.write(AnyDoc::Activity(doc));
    }

    fn activity(&self, id: &Id) -> Document<Activity> {
        match self.docs.borrow().get(id) {
            Some(AnyDoc::Activity(d)) => d.clone(),
            _ => panic!("no such activity"),
        }
    }
}

/// The native protocol's semantics in memory: merge on push, a new sequence
/// number only when a document changed, pulls in sequence order, and an
/// epoch that a restore changes.
#[derive(Clone, Default)]
struct Server {
    docs: RefCell<HashMap<Id, (u64, AnyDoc)>>,
    seq: Cell<u64>,
    /// A server too old for this type refuses every pushed document of it.
    refuses: Cell<Option<DocType>>,
    /// Every pushed document's id, in order, as it arrived.
    pushed: RefCell<Vec<Id>>,
    epoch: RefCell<String>,
    /// Restored at least once: a cursor without epoch may be from before.
    restored: Cell<bool>,
}

impl Server {
    /// Puts `backup` back, as `xunfang-server restore` does: its documents
    /// and sequence, and a new epoch.
    fn restore(&self, backup: &Server) {
        *self.docs.borrow_mut() = backup.docs.borrow().clone();
        self.seq.set(backup.seq.get());
        let n = self.epoch.borrow().len();
        *self.epoch.borrow_mut() = format!("epoch-{n}");
        self.restored.set(true);
    }

    /// Where a pull starts: a cursor of another epoch, or one without epoch
    /// after a restore, is not this database's, so from the start.
    fn resume_from(&self, req: &SyncRequest) -> u64 {
        let ours = match &req.epoch {
            Some(e) => *e == *self.epoch.borrow(),
            None => !self.restored.get(),
        };
        match req.cursor {
            Some(c) if ours && c <= self.seq.get() => c,
            _ => 0,
        }
    }

    fn handle(&self, req: &SyncRequest) -> SyncResponse {
        let mut accepted = Vec::new();
        let mut rejected = Vec::new();
        for value in &req.push {
            match crate::sync::validate_pushed(value, bound()) {
                Ok(doc) if Some(doc.doc_type()) == self.refuses.get() => {
                    self.pushed.borrow_mut().push(doc.id().clone());
                    rejected.push(Rejected { id: doc.id().to_string(), reason: format!("unknown document type \"{}\"; update the server", doc.doc_type()) });
                }
                Ok(doc) => {
                    self.pushed.borrow_mut().push(doc.id().clone());
                    let id = doc.id().clone();
                    let mut docs = self.docs.borrow_mut();
                    // The rule the real server uses, minus its SQL.
                    let outcome = merge_incoming(docs.get(&id).map(|(_, d)| d), &doc).expect("same type");
                    let changed = match outcome.keep {
                        Keep::Stored => None,
                        Keep::Incoming => Some(doc),
                        Keep::Merged(merged) => Some(*merged),
                    };
                    if let Some(changed) = changed {
                        self.seq.set(self.seq.get() + 1);
                        docs.insert(id.clone(), (self.seq.get(), changed));
                    }
                    accepted.push(id);
                }
                Err(e) => rejected.push(Rejected { id: value["id"].as_str().unwrap_or_default().into(), reason: e.to_string() }),
            }
        }
        let after = self.resume_from(req);
        let limit = req.pull_limit.unwrap_or(MAX_PULL_BATCH);
        let mut newer: Vec<(u64, AnyDoc)> = self.docs.borrow().values().filter(|(s, _)| *s > after).cloned().collect();
        newer.sort_by_key(|(s, _)| *s);
        let more = newer.len() > limit;
        let remaining = Some((newer.len().saturating_sub(limit)) as u64);
        newer.truncate(limit);
        let cursor = newer.last().map(|(s, _)| *s).unwrap_or(after);
        SyncResponse {
            cursor,
            epoch: Some(self.epoch.borrow().clone()),
            more,
            remaining,
            docs: newer.into_iter().map(|(_, d)| RawValue::from_string(d.to_json()).unwrap()).collect(),
            accepted,
            rejected,
        }
    }

    fn activity(&self, id: &Id) -> Document<Activity> {
        match self.docs.borrow().get(id) {
            Some((_, AnyDoc::Activity(d))) => d.clone(),
            _ => panic!("server lacks {id}"),
        }
    }
}

/// Faults between a tablet and the server, by request number.
#[derive(Default)]
struct Faulty<'a> {
    server: Option<&'a Server>,
    calls: Cell<usize>,
    /// Every n-th request fails before reaching the server.
    fail_every: usize,
    /// Every n-th request reaches the server, but the answer is cut off.
    cut_every: usize,
    /// Every n-th request is sent twice (a replay); the second answer counts.
    replay_every: usize,
    /// Pull pages of this many documents instead of what the client asks
    /// for, so that long pulls (and the page asked for ahead) are exercised.
    page: Option<usize>,
    /// Spoils the server's answers the way a broken or hostile one would.
    hostile: Option<Hostile>,
    /// The `waiting` of each request, in order.
    waiting: RefCell<Vec<Option<u64>>>,
}

/// How a hostile server spoils its answers.
#[derive(Clone, Copy)]
enum Hostile {
    /// `more: true`, and the cursor that was sent.
    StuckCursor,
    /// After the first answer: `more: true` and a cursor before the one sent.
    BackwardsCursor,
    /// One document more than asked for.
    TooManyDocs,
    /// An answer padded past `MAX_ANSWER_BYTES`.
    Oversized,
    /// An answer of more than this many documents is padded past the cap
    /// (an honest server with large documents and no byte cap of its own).
    OversizedAbove(usize),
}

/// A client that keeps asking a hostile server this often is looping.
const LOOPING: usize = 100;

impl NativeTransport for Faulty<'_> {
    async fn exchange(&self, request: &SyncRequest) -> Result<SyncResponse, SyncError> {
        let n = self.calls.get() + 1;
        self.calls.set(n);
        self.waiting.borrow_mut().push(request.waiting);
        let server = self.server.expect("a server");
        let hits = |every: usize| every > 0 && n.is_multiple_of(every);
        if hits(self.fail_every) {
            return Err(SyncError::Offline("connection refused".into()));
        }
        // Through JSON, as on the wire.
        let mut wire: SyncRequest = serde_json::from_str(&serde_json::to_string(request).unwrap()).unwrap();
        wire.pull_limit = self.page.or(wire.pull_limit);
        let mut response = server.handle(&wire);
        if hits(self.replay_every) {
            response = server.handle(&wire);
        }
        if hits(self.cut_every) {
            return Err(SyncError::Offline("the connection was cut mid-response".into()));
        }
        assert!(n < LOOPING, "the client asked {n} times: it is looping");
        let sent = request.cursor;
        match self.hostile {
            Some(Hostile::StuckCursor) => {
                response.more = true;
                response.cursor = sent.unwrap_or(0);
            }
            Some(Hostile::BackwardsCursor) if n > 1 => {
                response.more = true;
                response.cursor = sent.unwrap_or(1).saturating_sub(1);
            }
            Some(Hostile::TooManyDocs) => {
                let asked = request.pull_limit.unwrap_or(MAX_PULL_BATCH);
                let first = response.docs.first().cloned().expect("something to repeat");
                response.docs.resize(asked + 1, first);
            }
            _ => {}
        }
        let mut text = serde_json::to_string(&response).unwrap();
        match self.hostile {
            Some(Hostile::Oversized) => text.push_str(&" ".repeat(MAX_ANSWER_BYTES)),
            Some(Hostile::OversizedAbove(n)) if response.docs.len() > n => text.push_str(&" ".repeat(MAX_ANSWER_BYTES)),
            _ => {}
        }
        read_answer(&text)
    }
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    // The stores and transports here never wait: one poll completes them.
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    let mut f = std::pin::pin!(f);
    match f.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(v) => v,
        std::task::Poll::Pending => panic!("in-memory sync should not wait"),
    }
}

/// Syncs until a run succeeds (faults make some runs fail), at most 50 tries.
fn sync_until_done(tablet: &Tablet, transport: &Faulty) -> Progress {
    for _ in 0..50 {
        if let Ok(p) = block_on(sync_native(&tablet.store, transport, &tablet.name, bound(), |_| {}, || false)) {
            return p;
        }
    }
    panic!("sync never completed");
}

fn docs_of(t: &Tablet) -> BTreeMap<Id, Value> {
    t.docs.borrow().iter().map(|(id, d)| (id.clone(), d.to_value())).collect()
}

fn server_docs(s: &Server) -> BTreeMap<Id, Value> {
    s.docs.borrow().iter().map(|(id, (_, d))| (id.clone(), d.to_value())).collect()
}

#[test]
fn two_tablets_editing_offline_converge_with_the_office_through_the_native_protocol() {
    let server = Server::default();
    let (a, b) = (Tablet::new("tablet-a"), Tablet::new("tablet-b"));
    let shared = a.new_activity(1, "旁听庭审");
    sync_until_done(&a, &Faulty { server: Some(&server), ..Faulty::default() });
    sync_until_done(&b, &Faulty { server: Some(&server), ..Faulty::default() });
    assert_eq!(b.activity(&shared).body.title, "旁听庭审");

    // Offline on both: different fields, the same field, new records, list additions.
    a.edit(&shared, |x| x.place = "第一法庭".into());
    b.edit(&shared, |x| x.notes = "程序规范".into());
    a.edit(&shared, |x| x.title = "旁听庭审（A）".into());
    b.clock.set(b.clock.get() + 5_000); // B's edit happens later in real time
    b.edit(&shared, |x| x.title = "旁听庭审（B）".into());
    let person = Id::new_v7(5, [5; 10]);
    a.edit(&shared, |x| x.participants.push(Participant { person: person.clone(), status: Attendance::Attended, reason: String::new() }));
    b.edit(&shared, |x| x.suggestions.push(Suggestion { content: "加强调解".into(), ..Suggestion::new(Id::new_v7(6, [6; 10])) }));
    let only_a = a.new_activity(2, "走访 A");
    let only_b = b.new_activity(3, "走访 B");

    for _ in 0..2 {
        sync_until_done(&a, &Faulty { server: Some(&server), ..Faulty::default() });
        sync_until_done(&b, &Faulty { server: Some(&server), ..Faulty::default() });
    }
    assert_eq!(docs_of(&a), docs_of(&b), "both tablets show the same data");
    assert_eq!(docs_of(&a), server_docs(&server), "the server holds the same, once");
    let merged = server.activity(&shared);
    assert_eq!(merged.body.place, "第一法庭");
    assert_eq!(merged.body.notes, "程序规范");
    assert_eq!(merged.body.participants.len(), 1);
    assert_eq!(merged.body.suggestions.len(), 1);
    assert_eq!(merged.body.title, "旁听庭审（B）", "the later change wins");
    assert_eq!(merged.conflicts_for("title").len(), 1, "the other title is kept as a conflict");
    assert!(server.docs.borrow().contains_key(&only_a) && server.docs.borrow().contains_key(&only_b));
    assert_eq!(server.docs.borrow().len(), 3);
    assert_eq!(a.outbox.borrow().len() + b.outbox.borrow().len(), 0);
}

#[test]
fn failed_cut_and_replayed_requests_lose_nothing_and_duplicate_nothing() {
    let server = Server::default();
    let tablets: Vec<Tablet> = (0..3).map(|i| Tablet::new(&format!("tablet-{i}"))).collect();
    let shared = tablets[0].new_activity(1, "座谈会");
    sync_until_done(&tablets[0], &Faulty { server: Some(&server), ..Faulty::default() });
    for t in &tablets[1..] {
        sync_until_done(t, &Faulty { server: Some(&server), ..Faulty::default() });
    }
    let mut n = 10;
    for (i, t) in tablets.iter().enumerate() {
        for j in 0..30 {
            n += 1;
            t.new_activity(n, &format!("记录 {i}-{j}"));
        }
        t.edit(&shared, |x| x.tags.push(format!("tag-{i}")));
        t.edit(&shared, |x| x.suggestions.push(Suggestion { content: format!("建议 {i}"), ..Suggestion::new(Id::new_v7(900 + i as u64, [i as u8; 10])) }));
    }
    // Small pull batches so that cursors move many times under faults.
    let faulty = |k: usize| Faulty { server: Some(&server), fail_every: 3 + k, cut_every: 4 + k, replay_every: 2 + k, page: Some(7), ..Faulty::default() };
    for round in 0..3 {
        for (k, t) in tablets.iter().enumerate() {
            sync_until_done(t, &faulty(k + round));
        }
    }
    let expected = server_docs(&server);
    assert_eq!(expected.len(), 1 + 3 * 30, "every record exactly once");
    for t in &tablets {
        assert_eq!(docs_of(t), expected, "{} converged", t.name);
        assert!(t.outbox.borrow().is_empty());
    }
    let merged = server.activity(&shared);
    assert_eq!(merged.body.suggestions.len(), 3, "each tablet's suggestion, once");
    let tags = &merged.body.tags;
    assert!(!tags.is_empty());
}

#[test]
fn a_tablet_whose_server_was_restored_to_an_older_backup_pulls_from_the_start_and_pushes_everything() {
    let server = Server::default();
    let (a, b, c) = (Tablet::new("a"), Tablet::new("b"), Tablet::new("c"));
    let link = |t: &Tablet| sync_until_done(t, &Faulty { server: Some(&server), ..Faulty::default() });
    let first = a.new_activity(1, "视察");
    a.new_activity(2, "调研");
    link(&a);
    link(&b);
    let backup = server.clone();
    // After the backup: edits the server accepts, so the tablets' outboxes empty.
    a.edit(&first, |x| x.notes = "备份后的修改".into());
    let after_a = a.new_activity(3, "备份后 A");
    link(&a);
    let after_b = b.new_activity(4, "备份后 B");
    link(&b);
    assert!(a.outbox.borrow().is_empty() && b.outbox.borrow().is_empty());

    server.restore(&backup);
    // Another tablet pushes enough after the restore that the old cursors
    // fall inside the restored sequence again.
    let from_c: Vec<Id> = (0..6).map(|n| c.new_activity(10 + n, &format!("恢复后 C{n}"))).collect();
    link(&c);
    assert!(a.cursor.borrow().as_ref().unwrap().seq <= server.seq.get(), "A's old cursor looks valid");

    for t in [&a, &b, &c, &a] {
        link(t);
    }
    assert_eq!(server.activity(&first).body.notes, "备份后的修改", "A's edit after the backup is back");
    assert!(server.docs.borrow().contains_key(&after_a) && server.docs.borrow().contains_key(&after_b), "the records made after the backup are back");
    for id in &from_c {
        assert!(a.docs.borrow().contains_key(id) && b.docs.borrow().contains_key(id), "nothing pushed after the restore is skipped");
    }
    assert_eq!(server.docs.borrow().len(), 2 + 2 + 6);
    for t in [&a, &b, &c] {
        assert_eq!(docs_of(t), server_docs(&server), "{} holds what the server holds", t.name);
        assert!(t.outbox.borrow().is_empty());
    }
}

#[test]
fn pulling_twice_changes_nothing() {
    let server = Server::default();
    let (a, b) = (Tablet::new("a"), Tablet::new("b"));
    for n in 0..5 {
        a.new_activity(n, "视察");
    }
    sync_until_done(&a, &Faulty { server: Some(&server), ..Faulty::default() });
    sync_until_done(&b, &Faulty { server: Some(&server), ..Faulty::default() });
    let before = docs_of(&b);
    // Forget the cursor: everything arrives again, and nothing changes.
    *b.cursor.borrow_mut() = None;
    let p = sync_until_done(&b, &Faulty { server: Some(&server), ..Faulty::default() });
    assert_eq!(p.pulled, 5);
    assert_eq!(p.expected, 5, "the server said how many to expect");
    assert_eq!(docs_of(&b), before);
    assert!(b.outbox.borrow().is_empty(), "nothing to push back");
    assert_eq!(server.seq.get(), 5, "the server stored nothing new");
}

#[test]
fn an_edit_made_while_a_push_is_under_way_stays_in_the_outbox() {
    let (a, id) = {
        let a = Tablet::new("a");
        let id = a.new_activity(1, "调研");
        (a, id)
    };
    let sent = block_on(a.pending(10, &HashSet::new())).unwrap();
    a.edit(&id, |x| x.title = "专题调研".into());
    block_on(a.confirm(&sent.iter().map(Pending::mark).collect::<Vec<_>>())).unwrap();
    assert_eq!(a.outbox.borrow().len(), 1, "the newer edit still waits");
}

#[test]
fn an_interrupted_sync_resumes_where_it_stopped() {
    let server = Server::default();
    let a = Tablet::new("a");
    for n in 0..=250 {
        a.new_activity((n % 250) as u8, "x");
    }
    let calls = Cell::new(0);
    let result = block_on(sync_native(
        &a.store,
        &Faulty { server: Some(&server), ..Faulty::default() },
        "a",
        bound(),
        |_| calls.set(calls.get() + 1),
        || calls.get() >= 1,
    ));
    assert_eq!(result, Err(SyncError::Interrupted));
    let waiting = a.outbox.borrow().len();
    assert!(waiting > 0 && waiting < 250, "one batch went, the rest waits");
    sync_until_done(&a, &Faulty { server: Some(&server), ..Faulty::default() });
    assert!(a.outbox.borrow().is_empty());
    assert_eq!(server_docs(&server), docs_of(&a));
}

#[test]
fn a_document_the_server_refuses_is_reported_and_kept_locally() {
    let server = Server::default();
    let a = Tablet::new("a");
    let id = a.new_activity(1, "视察");
    // Damage the stored copy's id so the server refuses it.
    let mut bad = a.activity(&id);
    bad.id = Id::parse("00000000-0000-0000-0000-000000000000").unwrap();
    let good_json = serde_json::to_value(&bad).unwrap();
    let mut value = good_json.clone();
    value["type"] = "unknown".into();
    let refused = server.handle(&SyncRequest {
        protocol: PROTOCOL_VERSION,
        device: "a".into(),
        cursor: None,
        epoch: None,
        push: vec![value],
        pull_limit: None,
        waiting: None,
        reads_format: None,
    });
    assert_eq!(refused.rejected.len(), 1);
    assert!(refused.rejected[0].reason.contains("unknown document type"));
    let p = sync_until_done(&a, &Faulty { server: Some(&server), ..Faulty::default() });
    assert_eq!(p.pushed, 1);
    assert!(p.rejected.is_empty());
}

/// An endpoint that only accepts data, failing every third post.
#[derive(Default)]
struct Sink {
    got: RefCell<Vec<Value>>,
    calls: Cell<usize>,
}

impl PushTransport for Sink {
    async fn post(&self, doc: &Value) -> Result<(), SyncError> {
        self.calls.set(self.calls.get() + 1);
        if self.calls.get().is_multiple_of(3) {
            return Err(SyncError::Server { status: 503, message: "busy".into() });
        }
        self.got.borrow_mut().push(doc.clone());
        Ok(())
    }
}

#[test]
fn push_only_delivers_every_changed_record_once_despite_failures() {
    let sink = Sink::default();
    let a = Tablet::new("a");
    for n in 0..10 {
        a.new_activity(n, "走访");
    }
    for _ in 0..20 {
        if block_on(sync_push_only(&a.store, &sink, |_| {}, || false)).is_ok() {
            break;
        }
    }
    assert!(a.outbox.borrow().is_empty());
    let mut ids: Vec<String> = sink.got.borrow().iter().map(|v| v["id"].as_str().unwrap().to_string()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 10);
    assert_eq!(sink.got.borrow().len(), 10, "nothing delivered twice");
}

/// Passes requests to the server and keeps the `reads_format` each said.
struct Recording<'a> {
    server: &'a Server,
    reads: RefCell<Vec<Option<u32>>>,
}

impl NativeTransport for Recording<'_> {
    async fn exchange(&self, request: &SyncRequest) -> Result<SyncResponse, SyncError> {
        self.reads.borrow_mut().push(request.reads_format);
        Ok(self.server.handle(request))
    }
}

#[test]
fn the_app_says_it_reads_format_2_and_sends_format_1_where_it_cannot_say_so() {
    let server = Server::default();
    let a = Tablet::new("a");
    a.new_activity(1, "视察");
    let native = Recording { server: &server, reads: RefCell::new(Vec::new()) };
    block_on(sync_native(&a.store, &native, "a", bound(), |_| {}, || false)).unwrap();
    let reads = native.reads.borrow();
    assert!(!reads.is_empty() && reads.iter().all(|r| *r == Some(crate::doc::FORMAT_VERSION)), "{reads:?}");
    // A push-only collector cannot say which formats it reads: it gets format 1, as always.
    let b = Tablet::new("b");
    b.new_activity(2, "走访");
    let sink = Sink::default();
    block_on(sync_push_only(&b.store, &sink, |_| {}, || false)).unwrap();
    let got = sink.got.borrow();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["format"], 1, "{}", got[0]);
    assert!(got[0]["created"]["device"].is_string(), "format 1 stamps: {}", got[0]);
}

#[test]
fn photos_and_a_position_added_on_two_tablets_merge_element_by_element() {
    use crate::model::{Location, PhotoRef};
    let server = Server::default();
    let (a, b) = (Tablet::new("a"), Tablet::new("b"));
    let id = a.new_activity(1, "视察");
    let link = |t: &Tablet| sync_until_done(t, &Faulty { server: Some(&server), ..Faulty::default() });
    link(&a);
    link(&b);
    let photo = |n: u8| PhotoRef {
        id: Id::new_v7(100 + n as u64, [n; 10]),
        sha256: format!("{n:064x}"),
        thumb_sha256: format!("{:064x}", n as u32 + 1000),
        caption: format!("照片 {n}"),
        width: 1600,
        height: 1200,
        bytes: 150_000,
    };
    a.edit(&id, |x| x.photos.push(photo(1)));
    b.edit(&id, |x| x.photos.push(photo(2)));
    b.edit(&id, |x| x.location = Some(Location { lat: 35.02, lon: 111.0, accuracy_m: 10.0 }));
    for t in [&a, &b, &a] {
        link(t);
    }
    let merged = a.activity(&id);
    assert_eq!(merged.body.photos.len(), 2, "each tablet's photo, once");
    assert_eq!(merged.body.location.map(|l| l.lat), Some(35.02));
    assert_eq!(docs_of(&a), docs_of(&b));
}

/// A server holding `count` records the office made and synced.
fn server_with_office_records(count: u8) -> Server {
    let server = Server::default();
    let office = Tablet::new("office");
    for n in 0..count {
        office.new_activity(n, &format!("记录 {n}"));
    }
    sync_until_done(&office, &Faulty { server: Some(&server), ..Faulty::default() });
    server
}

#[test]
fn a_long_first_pull_asks_for_each_next_page_while_storing_the_last() {
    let server = server_with_office_records(20);
    let tablet = Tablet::new("tablet");
    let paged = Faulty { server: Some(&server), page: Some(6), ..Faulty::default() };
    let done = block_on(sync_native(&tablet.store, &paged, "tablet", bound(), |_| {}, || false)).unwrap();
    assert_eq!(done.pulled, 20);
    assert_eq!(paged.calls.get(), 4, "pages of 6, 6, 6 and 2, each asked for once");
    assert_eq!(tablet.cursor.borrow().as_ref().map(|c| c.seq), Some(server.seq.get()), "the cursor of the last page is stored");
    assert_eq!(docs_of(&tablet), server_docs(&server));
    assert!(tablet.outbox.borrow().is_empty());
}

#[test]
fn a_received_copy_of_another_type_keeps_the_local_one_and_says_why() {
    let tablet = Tablet::new("a");
    let id = tablet.new_activity(1, "视察");
    let local = AnyDoc::Activity(tablet.activity(&id));
    let person = AnyDoc::Person(Document::create(id, Person { name: "李明".into(), ..Person::default() }, tablet.stamp()));
    let result = absorb(Some(&local), person);
    assert_eq!((result.store, result.push), (None, false));
    let refused = result.refused.expect("a reason");
    assert!(refused.to_string().contains("cannot be merged"), "{refused}");
}

#[test]
fn a_stored_cursor_without_epoch_counts_as_another_epoch_and_a_first_sync_does_not() {
    let with = |epoch: Option<&str>| Some(Cursor { seq: 7, epoch: epoch.map(String::from) });
    assert!(!new_epoch(with(Some("e1")).as_ref(), Some("e1")));
    assert!(new_epoch(with(Some("e1")).as_ref(), Some("e2")), "restored: push everything");
    assert!(new_epoch(with(None).as_ref(), Some("e1")), "a cursor from before epochs cannot be told apart: push everything once");
    assert!(!new_epoch(None, Some("e1")), "a first sync pushes its outbox anyway");
    assert!(!new_epoch(with(Some("e1")).as_ref(), None), "a server without epochs: as before");
}

#[test]
fn a_requeued_document_the_server_holds_newer_leaves_the_outbox_instead_of_being_pushed_forever() {
    let server = Server::default();
    let (a, b) = (Tablet::new("a"), Tablet::new("b"));
    let link = |t: &Tablet| sync_until_done(t, &Faulty { server: Some(&server), ..Faulty::default() });
    let shared = a.new_activity(1, "视察");
    link(&a);
    link(&b);
    let backup = server.clone();
    server.restore(&backup);
    // Restored; A edits first, so the server's copy is newer than B's.
    a.edit(&shared, |x| x.notes = "恢复后".into());
    link(&a);
    let rounds = Cell::new(0);
    let done = block_on(sync_native(
        &b.store,
        &Faulty { server: Some(&server), ..Faulty::default() },
        "b",
        bound(),
        |_| rounds.set(rounds.get() + 1),
        || rounds.get() > 20,
    ));
    assert!(done.is_ok(), "B's sync ends: {done:?}");
    assert!(b.outbox.borrow().is_empty(), "the server's copy covers B's: nothing left to push");
    assert_eq!(b.activity(&shared).body.notes, "恢复后");
}

/// What a malicious server does to every document it answers with.
#[derive(Clone, Copy)]
enum Forgery<'a> {
    /// Claims to have seen this device's changes up to the last millisecond
    /// a JavaScript number holds (2^53 - 1): merged, the copy would "cover"
    /// that device's edits, and the merge would drop them.
    SeenOf(&'a str),
    /// Sends the id in uppercase.
    UppercaseId,
}

/// A malicious server: it stores what it is sent like the real one, but
/// every document it answers with is forged (and says something else).
struct Forging<'a> {
    server: &'a Server,
    forgery: Forgery<'a>,
}

impl NativeTransport for Forging<'_> {
    async fn exchange(&self, request: &SyncRequest) -> Result<SyncResponse, SyncError> {
        let mut response = self.server.handle(request);
        let forge = |raw: &RawValue| {
            let mut doc: Value = AnyDoc::from_json(raw.get()).unwrap().to_value_format1();
            doc["body"]["title"] = "服务器改的".into();
            match self.forgery {
                Forgery::SeenOf(victim) => doc["seen"][victim] = serde_json::json!({"millis": 9_007_199_254_740_991u64, "counter": 0}),
                Forgery::UppercaseId => doc["id"] = doc["id"].as_str().unwrap().to_uppercase().into(),
            }
            RawValue::from_string(doc.to_string()).unwrap()
        };
        response.docs = response.docs.iter().map(|raw| forge(raw)).collect();
        Ok(response)
    }
}

/// A tablet called `name` that made one activity and synced it to `server`.
fn synced_tablet(server: &Server, name: &str) -> (Tablet, Id) {
    let tablet = Tablet::new(name);
    let id = tablet.new_activity(1, "视察");
    sync_until_done(&tablet, &Faulty { server: Some(server), ..Faulty::default() });
    (tablet, id)
}

#[test]
fn a_server_sending_a_forged_seen_leaves_every_local_edit_in_place_and_says_so() {
    let server = Server::default();
    let (a, id) = synced_tablet(&server, "a");
    a.edit(&id, |x| x.title = "专题视察".into());
    a.edit(&id, |x| x.notes = "带相机".into());
    let before = a.activity(&id);

    let forging = Forging { server: &server, forgery: Forgery::SeenOf("a") };
    let done = block_on(sync_native(&a.store, &forging, "a", bound(), |_| {}, || false)).expect("the sync ends, it does not loop");
    assert_eq!(a.activity(&id), before, "the forged copy is not merged: every local edit stays");
    assert_eq!(done.refused.len(), 1, "{done:?}");
    let (refused_id, why) = &done.refused[0];
    assert_eq!(refused_id, id.as_str());
    assert!(matches!(why, PushError::Clock { device, problem: crate::clock::ClockProblem::Ahead { .. } } if device == "a"), "{why:?}");
    assert_eq!(done.waiting, 1, "the edit stays queued: the answer does not show the server holds it");
    assert!(a.outbox.borrow().contains_key(&id));
    assert!(a.clock.get() < 1_000_000, "the tablet's clock did not adopt the forged reading");

    // With an honest server again, the queued edit goes and nothing was lost.
    sync_until_done(&a, &Faulty { server: Some(&server), ..Faulty::default() });
    assert!(a.outbox.borrow().is_empty());
    let stored = server.activity(&id);
    assert_eq!((stored.body.title.as_str(), stored.body.notes.as_str()), ("专题视察", "带相机"));
}

#[test]
fn a_received_document_whose_id_is_not_canonical_is_not_stored_and_is_reported() {
    let server = Server::default();
    let (_office, id) = synced_tablet(&server, "office");
    let tablet = Tablet::new("tablet");
    let forging = Forging { server: &server, forgery: Forgery::UppercaseId };
    let done = block_on(sync_native(&tablet.store, &forging, "tablet", bound(), |_| {}, || false)).unwrap();
    assert!(tablet.docs.borrow().is_empty(), "no second row under the uppercase id");
    assert_eq!(done.refused, vec![(id.as_str().to_uppercase(), PushError::NotCanonical(id.as_str().to_uppercase()))]);
}

/// A tablet that synced once, then made edits: a new record, an edit of a
/// synced one, a new roster entry, all waiting in its outbox.
fn tablet_with_edits_waiting(server: &Server) -> Tablet {
    let a = Tablet::new("a");
    let synced = a.new_activity(1, "视察");
    sync_until_done(&a, &Faulty { server: Some(server), ..Faulty::default() });
    a.edit(&synced, |x| x.notes = "水质达标".into());
    a.new_activity(2, "走访");
    a.new_person(3, "李明");
    a
}

/// Runs one sync against a hostile server: it must stop with an error that
/// names what is wrong, storing nothing from the spoiled answer.
fn sync_with_hostile(a: &Tablet, server: &Server, hostile: Hostile, page: Option<usize>) -> BadAnswer {
    let (docs, outbox, cursor) = (docs_of(a), a.outbox.borrow().clone(), a.cursor.borrow().clone());
    let transport = Faulty { server: Some(server), hostile: Some(hostile), page, ..Faulty::default() };
    let err = block_on(sync_native(&a.store, &transport, &a.name, bound(), |_| {}, || false)).expect_err("a hostile answer stops the sync");
    assert_eq!(docs_of(a), docs, "every local document is as it was");
    assert_eq!(*a.outbox.borrow(), outbox, "every local edit still waits to be sent");
    assert_eq!(*a.cursor.borrow(), cursor, "the cursor did not follow the spoiled answer");
    assert!(err.retryable(), "retried later, with backoff, not at once");
    assert!(err.to_string().starts_with("the server's answer was refused: "), "{err}");
    match err {
        SyncError::Untrusted(why) => why,
        other => panic!("not an untrusted answer: {other}"),
    }
}

#[test]
fn a_server_whose_cursor_never_moves_stops_the_sync_with_a_message_and_keeps_every_local_edit() {
    let server = Server::default();
    let a = tablet_with_edits_waiting(&server);
    let why = sync_with_hostile(&a, &server, Hostile::StuckCursor, None);
    assert_eq!(why, BadAnswer::CursorStuck { cursor: 1 });
    assert!(why.to_string().contains("did not move"), "{why}");
}

#[test]
fn a_cursor_that_goes_back_in_the_middle_of_a_sync_stops_it() {
    let server = Server::default();
    let a = tablet_with_edits_waiting(&server);
    let office = Tablet::new("office");
    for n in 10..30 {
        office.new_activity(n, "记录");
    }
    sync_until_done(&office, &Faulty { server: Some(&server), ..Faulty::default() });
    let outbox = a.outbox.borrow().clone();
    // The first page (with the push) is honest, the next ones go back.
    let transport = Faulty { server: Some(&server), hostile: Some(Hostile::BackwardsCursor), page: Some(6), ..Faulty::default() };
    let err = block_on(sync_native(&a.store, &transport, "a", bound(), |_| {}, || false)).expect_err("a cursor going back stops the sync");
    assert!(matches!(err, SyncError::Untrusted(BadAnswer::CursorBackwards { .. })), "{err}");
    assert!(err.to_string().contains("went back"), "{err}");
    assert!(a.outbox.borrow().is_empty(), "the honest first answer confirmed the push: {outbox:?}");
    assert!(a.cursor.borrow().as_ref().is_some_and(|c| c.seq > 1), "the honest page was kept");
    // A restored server may answer a cursor before the stored one at the
    // start of a sync: that is not refused, everything comes again.
    let restored = Faulty { server: Some(&server), ..Faulty::default() };
    let epoch = a.cursor.borrow().as_ref().and_then(|c| c.epoch.clone());
    *a.cursor.borrow_mut() = Some(Cursor { seq: server.seq.get() + 100, epoch });
    sync_until_done(&a, &restored);
    assert_eq!(docs_of(&a), server_docs(&server));
}

#[test]
fn a_page_with_more_documents_than_asked_for_is_refused() {
    let server = Server::default();
    let a = tablet_with_edits_waiting(&server);
    let why = sync_with_hostile(&a, &server, Hostile::TooManyDocs, None);
    assert_eq!(why, BadAnswer::TooManyDocs { asked: MAX_PULL_BATCH, got: MAX_PULL_BATCH + 1 });
}

#[test]
fn an_answer_over_the_byte_cap_is_refused_before_it_is_read() {
    let server = Server::default();
    let a = tablet_with_edits_waiting(&server);
    let why = sync_with_hostile(&a, &server, Hostile::Oversized, None);
    assert!(matches!(why, BadAnswer::TooLarge { bytes } if bytes > MAX_ANSWER_BYTES as u64), "{why}");
    assert!(why.to_string().contains("more than the"), "{why}");
    // A Content-Length over the cap is refused before any byte is read.
    assert!(answer_fits(MAX_ANSWER_BYTES as u64).is_ok());
    assert!(matches!(answer_fits(MAX_ANSWER_BYTES as u64 + 1), Err(SyncError::Untrusted(BadAnswer::TooLarge { .. }))));
}

#[test]
fn answers_too_large_for_the_cap_are_asked_for_again_in_smaller_pages() {
    let server = server_with_office_records(20);
    let tablet = Tablet::new("tablet");
    let big = Faulty { server: Some(&server), hostile: Some(Hostile::OversizedAbove(5)), ..Faulty::default() };
    let done = block_on(sync_native(&tablet.store, &big, "tablet", bound(), |_| {}, || false)).unwrap();
    assert_eq!(done.pulled, 20);
    assert_eq!(docs_of(&tablet), server_docs(&server));
    // 500, 250, 125, 62, 31, 15 and 7 were too many; then pages of 3.
    assert_eq!(big.calls.get(), 7 + 7, "each smaller page asked for once, and the small page kept");
}

#[test]
fn a_document_the_server_refuses_stays_queued_with_its_reason_and_is_sent_again_once_the_server_accepts_it() {
    let server = Server::default();
    server.refuses.set(Some(DocType::Person));
    let a = Tablet::new("a");
    let record = a.new_activity(1, "视察");
    let person = a.new_person(2, "李明");
    let link = Faulty { server: Some(&server), ..Faulty::default() };
    let done = sync_until_done(&a, &link);
    assert_eq!(done.rejected.len(), 1);
    assert_eq!(done.rejected[0].0, person.to_string());
    assert!(done.rejected[0].1.contains("update the server"), "{:?}", done.rejected);
    assert_eq!(done.waiting, 1, "the refused document still waits");
    assert!(server.docs.borrow().contains_key(&record), "the rest went through");
    assert_eq!(a.outbox.borrow().keys().collect::<Vec<_>>(), [&person], "kept in the outbox");
    assert!(a.reasons.borrow()[&person].contains("update the server"), "with the server's reason on it");
    assert_eq!(server.pushed.borrow().iter().filter(|id| **id == person).count(), 1, "sent once in that sync, not again and again");

    // A later sync sends it again; once the server is updated, it is kept.
    sync_until_done(&a, &link);
    assert_eq!(server.pushed.borrow().iter().filter(|id| **id == person).count(), 2);
    server.refuses.set(None);
    let done = sync_until_done(&a, &link);
    assert!(done.rejected.is_empty());
    assert!(a.outbox.borrow().is_empty() && a.reasons.borrow().is_empty(), "accepted: no longer queued, no reason left");
    assert_eq!(docs_of(&a), server_docs(&server));
}

#[test]
fn each_request_tells_the_server_how_many_changes_it_leaves_queued() {
    let server = Server::default();
    let a = Tablet::new("a");
    let over = 3;
    for n in 0..(MAX_PUSH_BATCH + over) as u8 {
        a.new_activity(n, "视察");
    }
    let link = Faulty { server: Some(&server), ..Faulty::default() };
    sync_until_done(&a, &link);
    let waiting = link.waiting.borrow();
    assert_eq!(waiting.first(), Some(&Some(over as u64)), "the first push carries a full batch and leaves the rest: {waiting:?}");
    assert_eq!(waiting.last(), Some(&Some(0)), "the last leaves nothing: {waiting:?}");
}

#[test]
fn refused_documents_do_not_hold_back_the_ones_behind_them() {
    let server = Server::default();
    server.refuses.set(Some(DocType::Person));
    let a = Tablet::new("a");
    // More refused documents than one push carries, all before the record.
    for n in 0..(MAX_PUSH_BATCH + 10) {
        a.new_person((n % 250) as u8, &format!("委员 {n}"));
        a.clock.set(a.clock.get() + 1);
    }
    let people = a.outbox.borrow().len();
    let record = a.new_activity(250, "视察");
    let done = sync_until_done(&a, &Faulty { server: Some(&server), ..Faulty::default() });
    assert!(server.docs.borrow().contains_key(&record), "the record behind them went through");
    assert_eq!(done.rejected.len(), people);
    assert_eq!(server.pushed.borrow().len(), people + 1, "each sent once");
    assert_eq!(a.outbox.borrow().len(), people);
}

#[test]
fn refused_documents_stay_queued_through_rest_and_push_only_endpoints_too() {
    let a = Tablet::new("a");
    let id = a.new_activity(1, "视察");
    let refusing = Refusing::default();
    let done = block_on(sync_push_only(&a.store, &refusing, |_| {}, || false)).unwrap();
    assert_eq!(done.rejected.len(), 1);
    assert_eq!(refusing.calls.get(), 1, "sent once in that sync");
    assert!(a.outbox.borrow().contains_key(&id) && a.reasons.borrow()[&id].contains("full"));
    let done = block_on(sync_rest(&a.store, &refusing, &rest::RestOptions::default(), &mut rest::RestState::default(), bound(), |_| {}, || false)).unwrap();
    assert_eq!(done.rejected.len(), 1);
    assert_eq!(refusing.calls.get(), 2);
    assert!(a.outbox.borrow().contains_key(&id));
}

/// An endpoint that refuses every document it is given (a 4xx).
#[derive(Default)]
struct Refusing {
    calls: Cell<usize>,
}

impl PushTransport for Refusing {
    async fn post(&self, _: &Value) -> Result<(), SyncError> {
        self.calls.set(self.calls.get() + 1);
        Err(SyncError::Refused { status: 422, message: "the mailbox is full".into() })
    }
}

impl RestTransport for Refusing {
    async fn list(&self, _: &str, _: &rest::Validators) -> Result<rest::Listed, SyncError> {
        Ok(rest::Listed::Body { text: "[]".into(), validators: rest::Validators::default() })
    }
    async fn put(&self, _: &str, _: &Id, _: &Value) -> Result<(), SyncError> {
        PushTransport::post(self, &Value::Null).await
    }
    async fn post(&self, _: &str, _: &Value) -> Result<String, SyncError> {
        PushTransport::post(self, &Value::Null).await.map(|_| String::new())
    }
    async fn delete(&self, _: &str, _: &str) -> Result<(), SyncError> {
        PushTransport::post(self, &Value::Null).await
    }
}

#[test]
fn a_withdrawn_device_is_told_so_rather_than_that_its_token_is_wrong() {
    let withdrawn = r#"{"error":"the office has withdrawn this tablet's access","reason":"withdrawn"}"#;
    assert_eq!(SyncError::from_answer(401, withdrawn, None), SyncError::Withdrawn);
    assert!(!SyncError::Withdrawn.retryable(), "a person must act");
    let wrong = r#"{"error":"the server refused the token"}"#;
    assert_eq!(SyncError::from_answer(401, wrong, None), SyncError::Unauthorized("the server refused the token".into()));
    assert!(matches!(SyncError::from_answer(500, withdrawn, None), SyncError::Server { status: 500, .. }), "only a 401 withdraws");
    assert_eq!(SyncError::from_answer(401, "<html>proxy</html>", None), SyncError::Unauthorized("<html>proxy</html>".into()));
    let used = r#"{"error":"this set-up code has already set up a tablet","reason":"setup_used"}"#;
    assert_eq!(SyncError::from_answer(410, used, None), SyncError::SetupCode("setup_used".into()));
}

#[path = "sync_rest_tests.rs"]
mod rest_tests;
