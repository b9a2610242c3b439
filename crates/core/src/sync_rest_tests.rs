//! REST mode against a fake json-server (array order, PUT in place, POST
//! appended; filters on a dotted path with `_gte`; paging as 0.17 or 1.0
//! does it, 1.0 answering any page past the last with the last), honest or
//! hostile: ignoring the filter and the paging, sending page 1 for every
//! page, answering 304 to anything that names an ETag; or as 1.0 writes
//! (PUT only in place, POST under an id of its own, a DELETE undone by a reload).

use super::*;
use crate::sync_client::rest::{read_listing, Listed, Paging, RestOptions, RestState, Validators, FULL_READ_EVERY, PAGE_SIZE, RENAMED, SINCE_OVERLAP_MILLIS};
use std::hash::{Hash, Hasher};

#[derive(Clone, Copy, Debug, Default, PartialEq)]
enum Version {
    /// Arrays, `_page`/`_limit`, an ETag on every answer, 304 when it matches.
    #[default]
    V017,
    /// `{"data": [...]}` when paging, `_page`/`_per_page`, no ETag.
    V1,
}

#[derive(Clone, Copy, Default)]
struct Hostile {
    ignore_filter: bool,
    ignore_paging: bool,
    /// Every page number answered with page 1.
    page_one_always: bool,
    /// 304 whenever the request names an ETag, whatever changed.
    stale_304: bool,
    /// 304 to every request.
    always_304: bool,
    /// As json-server 1.0 writes: a PUT of an id it lacks is a 404, a
    /// POSTed document gets an id of the server's own.
    renames: bool,
    /// A DELETE right after a POST is undone (json-server 1.0's reload of
    /// its file, started by the POST's write, ending after the DELETE).
    reload_undoes_delete: bool,
}

#[derive(Default)]
struct JsonServer {
    version: Version,
    hostile: Hostile,
    collections: RefCell<BTreeMap<String, Vec<Value>>>,
    /// Bytes of listing bodies sent, requests answered, documents written.
    bytes: Cell<usize>,
    lists: Cell<usize>,
    puts: Cell<usize>,
    posts: Cell<usize>,
    /// The last write was a POST (for `reload_undoes_delete`).
    just_posted: Cell<bool>,
}

impl JsonServer {
    fn new(version: Version) -> JsonServer {
        JsonServer { version, ..JsonServer::default() }
    }

    fn hostile(version: Version, hostile: Hostile) -> JsonServer {
        JsonServer { version, hostile, ..JsonServer::default() }
    }

    fn options(&self) -> RestOptions {
        let paging = match self.version {
            Version::V017 => Paging::Limit,
            Version::V1 => Paging::PerPage,
        };
        RestOptions { conditional: true, since_query: "updated.hlc.millis_gte={since}".into(), paging }
    }

    fn count(&self, collection: &str) -> usize {
        self.collections.borrow().get(collection).map_or(0, Vec::len)
    }

    /// Resets the counters.
    fn measured(&self) -> (usize, usize) {
        let got = (self.bytes.get(), self.lists.get());
        self.bytes.set(0);
        self.lists.set(0);
        got
    }
}

fn at_path<'a>(doc: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(doc, |v, key| v.get(key))
}

impl RestTransport for JsonServer {
    async fn list(&self, query: &str, conditions: &Validators) -> Result<Listed, SyncError> {
        self.lists.set(self.lists.get() + 1);
        if self.hostile.always_304 || (self.hostile.stale_304 && conditions.etag.is_some()) {
            return Ok(Listed::NotModified);
        }
        let (collection, params) = query.split_once('?').unwrap_or((query, ""));
        let Some(all) = self.collections.borrow().get(collection).cloned() else {
            return Err(SyncError::Refused { status: 404, message: "Not Found".into() });
        };
        let mut docs = all;
        let (mut page, mut size) = (None, None);
        for (key, value) in params.split('&').filter(|p| !p.is_empty()).map(|p| p.split_once('=').unwrap()) {
            let number: u64 = value.parse().unwrap();
            match key {
                "_page" => page = Some(number as usize),
                "_limit" if self.version == Version::V017 => size = Some(number as usize),
                "_per_page" if self.version == Version::V1 => size = Some(number as usize),
                _ if self.hostile.ignore_filter => {}
                _ => {
                    let path = key.strip_suffix("_gte").expect("only _gte filters here");
                    docs.retain(|d| at_path(d, path).and_then(Value::as_u64).is_some_and(|v| v >= number));
                }
            }
        }
        let text = match (page, size) {
            (Some(page), Some(size)) if !self.hostile.ignore_paging => {
                let page = if self.hostile.page_one_always { 1 } else { page };
                match self.version {
                    Version::V017 => serde_json::to_string(&docs.iter().skip((page - 1) * size).take(size).collect::<Vec<_>>()).unwrap(),
                    Version::V1 => {
                        let pages = docs.len().div_ceil(size).max(1);
                        let page = page.clamp(1, pages);
                        let data: Vec<_> = docs.iter().skip((page - 1) * size).take(size).collect();
                        serde_json::json!({"first": 1, "last": pages, "pages": pages, "items": docs.len() + 7, "data": data}).to_string()
                    }
                }
            }
            _ => serde_json::to_string(&docs).unwrap(),
        };
        let etag = (self.version == Version::V017).then(|| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            text.hash(&mut h);
            format!("W/\"{:x}\"", h.finish())
        });
        if etag.is_some() && conditions.etag == etag {
            return Ok(Listed::NotModified);
        }
        self.bytes.set(self.bytes.get() + text.len());
        Ok(Listed::Body { text, validators: Validators::from_headers(etag.as_deref(), None) })
    }

    async fn put(&self, collection: &str, id: &Id, doc: &Value) -> Result<(), SyncError> {
        self.puts.set(self.puts.get() + 1);
        self.just_posted.set(false);
        let mut collections = self.collections.borrow_mut();
        let docs = collections.entry(collection.into()).or_default();
        match docs.iter_mut().find(|d| d["id"] == id.as_str()) {
            Some(d) => *d = doc.clone(),
            None if self.hostile.renames => return Err(SyncError::Refused { status: 404, message: "Not Found".into() }),
            None => docs.push(doc.clone()),
        }
        Ok(())
    }

    async fn post(&self, collection: &str, doc: &Value) -> Result<String, SyncError> {
        self.posts.set(self.posts.get() + 1);
        self.just_posted.set(true);
        let mut doc = doc.clone();
        if self.hostile.renames {
            doc["id"] = format!("nFxEG-PG9Z{}", self.posts.get()).into();
        }
        self.collections.borrow_mut().entry(collection.into()).or_default().push(doc.clone());
        Ok(doc.to_string())
    }

    async fn delete(&self, collection: &str, id: &str) -> Result<(), SyncError> {
        let mut collections = self.collections.borrow_mut();
        let docs = collections.entry(collection.into()).or_default();
        let Some(at) = docs.iter().position(|d| d["id"] == id) else {
            return Err(SyncError::Refused { status: 404, message: "Not Found".into() });
        };
        if !(self.hostile.reload_undoes_delete && self.just_posted.take()) {
            docs.remove(at);
        }
        Ok(())
    }
}

/// A tablet and what its REST syncs learnt.
struct RestTablet {
    tablet: Tablet,
    state: RefCell<RestState>,
}

impl std::ops::Deref for RestTablet {
    type Target = Tablet;
    fn deref(&self) -> &Tablet {
        &self.tablet
    }
}

impl RestTablet {
    fn new(name: &str) -> RestTablet {
        RestTablet { tablet: Tablet::new(name), state: RefCell::default() }
    }

    fn sync(&self, server: &JsonServer, options: &RestOptions) -> Result<Progress, SyncError> {
        block_on(sync_rest(&self.tablet.store, server, options, &mut self.state.borrow_mut(), bound(), |_| {}, || false))
    }

    /// `n` activities with ids of their own (`from` on).
    fn many(&self, from: u64, n: u64) {
        for i in from..from + n {
            let mut random = [7; 10];
            random[..8].copy_from_slice(&i.to_be_bytes());
            let doc = Document::create(
                Id::new_v7(1_700_000_000_000 + i, random),
                Activity { kind: "visit".into(), title: format!("视察 {i}"), ..Activity::default() },
                self.stamp(),
            );
            self.write(AnyDoc::Activity(doc));
        }
    }
}

/// Every way an office can set REST mode up for `version`, the old full read first.
fn every_setting(server: &JsonServer) -> Vec<RestOptions> {
    let all = server.options();
    vec![
        RestOptions::default(),
        RestOptions { conditional: true, ..RestOptions::default() },
        RestOptions { since_query: all.since_query.clone(), ..RestOptions::default() },
        RestOptions { paging: all.paging, ..RestOptions::default() },
        all,
    ]
}

#[test]
fn two_tablets_converge_through_a_plain_rest_collection_whatever_it_offers() {
    for version in [Version::V017, Version::V1] {
        for options in every_setting(&JsonServer::new(version)) {
            let rest = JsonServer::new(version);
            let (a, b) = (RestTablet::new("a"), RestTablet::new("b"));
            let shared = a.new_activity(1, "视察");
            let p = Document::create(Id::new_v7(2, [2; 10]), Person { name: "王建国".into(), ..Person::default() }, a.stamp());
            a.write(AnyDoc::Person(p));
            let sync = |t: &RestTablet| t.sync(&rest, &options).unwrap();
            sync(&a);
            sync(&b);
            a.edit(&shared, |x| x.place = "水厂".into());
            b.edit(&shared, |x| x.notes = "水质达标".into());
            sync(&a);
            sync(&b);
            sync(&a);
            assert!(docs_of(&a) == docs_of(&b), "{options:?}");
            assert_eq!(a.activity(&shared).body.place, "水厂");
            assert_eq!(a.activity(&shared).body.notes, "水质达标");
            assert_eq!(rest.count("people"), 1);
            let puts = rest.puts.get();
            sync(&a);
            sync(&b);
            assert_eq!(rest.puts.get(), puts, "a sync with nothing new writes nothing");
        }
    }
}

/// Two tablets holding the same `n` activities through `rest`, both synced
/// until nothing is left to write.
fn both_hold(rest: &JsonServer, n: u64, options: &RestOptions) -> (RestTablet, RestTablet) {
    let (a, b) = (RestTablet::new("a"), RestTablet::new("b"));
    // Clocks of today's magnitude: ten minutes before them is not zero.
    a.clock.set(NOW - 24 * 60 * 60 * 1000);
    a.many(0, n);
    for t in [&a, &b, &a, &b] {
        t.sync(rest, options).unwrap();
    }
    assert_eq!(rest.count("activities"), n as usize);
    assert!(docs_of(&a) == docs_of(&b));
    (a, b)
}

#[test]
fn paged_reads_in_the_styles_of_json_server_0_17_and_1_0_list_every_document_once() {
    // An exact multiple of the page: 1.0 answers the page after the last
    // with the last again, 0.17 with an empty array.
    for n in [2 * PAGE_SIZE as u64, 2 * PAGE_SIZE as u64 + 3] {
        for version in [Version::V017, Version::V1] {
            let rest = JsonServer::new(version);
            let options = RestOptions { paging: rest.options().paging, ..RestOptions::default() };
            let (a, b) = (RestTablet::new("a"), RestTablet::new("b"));
            a.many(0, n);
            a.sync(&rest, &options).unwrap();
            rest.measured();
            let got = b.sync(&rest, &options).unwrap();
            assert_eq!(got.pulled, n as usize, "every document once");
            assert!(docs_of(&a) == docs_of(&b));
            let (_, lists) = rest.measured();
            // Three pages of activities (the third short, empty, or 1.0's
            // repeat of the second) and one request for each other collection.
            assert_eq!(lists, 3 + 4, "{n} documents, {:?}", options.paging);
        }
    }
}

#[test]
fn a_sync_with_nothing_new_reads_no_document_again_where_the_endpoint_allows() {
    let n = 2 * PAGE_SIZE as u64 + 10;
    for version in [Version::V017, Version::V1] {
        let rest = JsonServer::new(version);
        let full = RestOptions::default();
        let (_, b) = both_hold(&rest, n, &rest.options());
        rest.measured();
        let old = b.sync(&rest, &full).unwrap();
        let (old_bytes, _) = rest.measured();
        assert_eq!(old.pulled, n as usize, "the full read reads everything");
        // The options changed: the first sync with them reads whole, the
        // next one its filtered pages (new requests), the third no page.
        b.sync(&rest, &rest.options()).unwrap();
        b.sync(&rest, &rest.options()).unwrap();
        rest.measured();
        let new = b.sync(&rest, &rest.options()).unwrap();
        let (new_bytes, _) = rest.measured();
        assert_eq!(new.pulled, 0, "{version:?}: no page is read again");
        match version {
            // Every request answered 304.
            Version::V017 => assert_eq!(new_bytes, 0),
            // No ETags: the pages come again, the same text, not parsed.
            Version::V1 => assert!(new_bytes <= old_bytes + 1000, "{new_bytes} vs {old_bytes}"),
        }
    }
}

#[test]
fn a_changed_since_query_brings_only_what_changed_lately() {
    for version in [Version::V017, Version::V1] {
        let rest = JsonServer::new(version);
        let options = RestOptions { since_query: "updated.hlc.millis_gte={since}".into(), ..RestOptions::default() };
        let (a, b) = both_hold(&rest, 300, &options);
        // An hour later, one new record, seen by both.
        a.clock.set(a.clock.get() + 60 * 60 * 1000);
        a.many(1_000, 1);
        a.sync(&rest, &options).unwrap();
        b.sync(&rest, &options).unwrap();
        // Another hour later, one more and an edit of an old one.
        a.clock.set(a.clock.get() + 60 * 60 * 1000);
        a.many(2_000, 1);
        let edited = a.docs.borrow().keys().next().unwrap().clone();
        a.edit(&edited, |x| x.place = "水厂".into());
        a.sync(&rest, &options).unwrap();
        rest.measured();
        let got = b.sync(&rest, &options).unwrap();
        let (bytes, _) = rest.measured();
        assert_eq!(got.pulled, 3, "{version:?}: the new one, the edited one, and the one of the last hour (the overlap)");
        assert!(docs_of(&a) == docs_of(&b));
        let full_read = serde_json::to_string(&rest.collections.borrow()["activities"]).unwrap().len();
        assert!(bytes * 50 < full_read, "{bytes} bytes of {full_read}");
    }
}

#[test]
fn a_change_stamped_before_the_since_or_hidden_by_a_lying_etag_arrives_with_the_next_full_read() {
    let stale = JsonServer::hostile(Version::V017, Hostile { stale_304: true, ..Hostile::default() });
    let cases = [
        (JsonServer::new(Version::V1), JsonServer::new(Version::V1).options(), "a tablet back from days offline"),
        (stale, RestOptions { conditional: true, ..RestOptions::default() }, "an endpoint answering 304 whatever changed"),
    ];
    for (rest, options, case) in cases {
        let (a, b) = both_hold(&rest, 20, &options);
        let late = RestTablet::new("c");
        late.sync(&rest, &options).unwrap();
        // Edited offline long before what the others saw last.
        let old = late.docs.borrow().keys().next().unwrap().clone();
        late.clock.set(1);
        a.clock.set(a.clock.get() + 2 * SINCE_OVERLAP_MILLIS);
        a.many(5_000, 1);
        a.sync(&rest, &options).unwrap();
        b.sync(&rest, &options).unwrap();
        late.edit(&old, |x| x.notes = "迟到的记录".into());
        late.sync(&rest, &options).unwrap();
        let mut syncs = 0;
        while b.activity(&old).body.notes != "迟到的记录" {
            b.sync(&rest, &options).unwrap();
            syncs += 1;
            assert!(syncs <= FULL_READ_EVERY as usize + 1, "{case}: never arrived");
        }
        assert!(syncs > 1, "{case}: the shortcut hid it at first (else this test shows nothing)");
        for t in [&a, &late, &b, &a] {
            while t.sync(&rest, &options).unwrap().pushed > 0 {}
        }
        for _ in 0..=FULL_READ_EVERY {
            for t in [&a, &late, &b] {
                t.sync(&rest, &options).unwrap();
            }
        }
        assert!(docs_of(&a) == docs_of(&b), "{case}");
        assert!(docs_of(&a) == docs_of(&late), "{case}");
    }
}

#[test]
fn an_endpoint_ignoring_the_filter_or_the_paging_or_sending_page_one_for_every_page_loses_and_duplicates_nothing() {
    let n = PAGE_SIZE as u64 + 20;
    let hostiles = [
        Hostile { ignore_filter: true, ..Hostile::default() },
        Hostile { ignore_paging: true, ..Hostile::default() },
        Hostile { ignore_filter: true, ignore_paging: true, ..Hostile::default() },
    ];
    for version in [Version::V017, Version::V1] {
        for hostile in hostiles {
            let rest = JsonServer::hostile(version, hostile);
            let (a, b) = both_hold(&rest, n, &rest.options());
            let last = a.docs.borrow().keys().last().unwrap().clone();
            a.edit(&last, |x| x.place = "水厂".into());
            a.sync(&rest, &rest.options()).unwrap();
            b.sync(&rest, &rest.options()).unwrap();
            assert!(docs_of(&a) == docs_of(&b));
            assert_eq!(rest.count("activities"), n as usize, "nothing written twice");
        }
        // Page 1 for every page: the read ends (the second page brings
        // nothing new) and what this tablet holds is still all written.
        let rest = JsonServer::hostile(version, Hostile { page_one_always: true, ..Hostile::default() });
        let a = RestTablet::new("a");
        a.many(0, n);
        a.sync(&rest, &rest.options()).unwrap();
        let got = a.sync(&rest, &rest.options()).unwrap();
        assert_eq!(got.waiting, 0);
        assert_eq!(rest.count("activities"), n as usize);
        assert_eq!(a.docs.borrow().len(), n as usize);
    }
}

#[test]
fn a_not_modified_answer_to_a_request_naming_no_earlier_answer_stops_the_sync() {
    let rest = JsonServer::hostile(Version::V017, Hostile { always_304: true, ..Hostile::default() });
    let a = RestTablet::new("a");
    let id = a.new_activity(1, "视察");
    let err = a.sync(&rest, &rest.options()).unwrap_err();
    assert_eq!(err, SyncError::Untrusted(BadAnswer::NotModifiedUnasked));
    assert!(a.outbox.borrow().contains_key(&id), "the edit still waits");
}

#[test]
fn a_listing_is_an_array_or_json_server_1_0s_envelope_and_anything_else_is_refused_with_a_message() {
    assert_eq!(read_listing(r#"[{"id":"a"},{"id":"b"}]"#).unwrap().len(), 2);
    assert_eq!(read_listing(r#"{"first":1,"items":2,"data":[{"id":"a"}]}"#).unwrap().len(), 1);
    for bad in [r#"{"items":2}"#, "<html>", r#"{"data":{"id":"a"}}"#] {
        match read_listing(bad) {
            Err(SyncError::BadResponse(m)) => assert!(m.contains("JSON array"), "{m}"),
            other => panic!("{bad}: {other:?}"),
        }
    }
}

#[test]
fn validators_that_could_not_go_back_into_a_header_are_not_kept() {
    assert_eq!(Validators::from_headers(Some(" W/\"5c-l4\" "), None).etag.as_deref(), Some("W/\"5c-l4\""));
    assert!(Validators::from_headers(Some("a\r\nX-Evil: 1"), Some(&"x".repeat(201))).is_empty());
    assert!(Validators::from_headers(Some("编号"), Some("")).is_empty());
}

/// An office's collection as another tool or an older app version wrote it:
/// the same documents, but not in the form this app's merge writes (a
/// keyed list out of id order, no stamp for a field added later), in
/// format 1, which is what the app sends a REST endpoint.
fn written_elsewhere(n: u64) -> Vec<Value> {
    (0..n)
        .map(|i| {
            let who = |k: u64| Participant { person: Id::new_v7(1_600_000_000_000 + k, [3; 10]), status: Attendance::Attended, reason: String::new() };
            let body = Activity { kind: "visit".into(), title: format!("视察 {i}"), participants: vec![who(2 * i + 1), who(2 * i)], ..Activity::default() };
            let stamp = Stamp { hlc: Hlc { millis: NOW - 60_000 * (n - i), counter: 0 }, device: DeviceId("office".into()) };
            let mut doc = AnyDoc::Activity(Document::create(Id::new_v7(1_700_000_000_000 + i, [9; 10]), body, stamp)).to_value_format1();
            doc["stamps"].as_object_mut().unwrap().remove("location");
            let participants = doc["body"]["participants"].as_array_mut().unwrap();
            participants.sort_by_key(|p| std::cmp::Reverse(p["id"].as_str().unwrap().to_string()));
            doc
        })
        .collect()
}

#[test]
fn reading_again_what_the_endpoint_holds_in_another_form_writes_nothing_back() {
    for version in [Version::V017, Version::V1] {
        let rest = JsonServer::new(version);
        let docs = written_elsewhere(30);
        let canonical = |v: &Value| AnyDoc::from_value(v.clone()).unwrap();
        assert!(docs.iter().all(|d| canonical(d).merge(&canonical(d)).unwrap() != canonical(d)), "the case this test is about");
        rest.collections.borrow_mut().insert("activities".into(), docs);
        let a = RestTablet::new("a");
        // The first read takes them in; every later read whole (the full
        // read every `FULL_READ_EVERY` syncs, new settings) merges them with
        // the local copies: nothing there for the endpoint to learn.
        for options in [RestOptions::default(), rest.options(), rest.options(), RestOptions::default()] {
            let done = a.sync(&rest, &options).unwrap();
            assert_eq!((done.pushed, done.waiting, rest.puts.get()), (0, 0, 0), "{version:?}, {options:?}");
        }
        assert_eq!(a.docs.borrow().len(), 30);
    }
}

#[test]
fn a_copy_json_server_1_0_stores_under_an_id_of_its_own_is_taken_back_even_when_its_delete_is_undone() {
    for reload_undoes_delete in [false, true] {
        let rest = JsonServer::hostile(Version::V1, Hostile { renames: true, reload_undoes_delete, ..Hostile::default() });
        let options = rest.options();
        let a = RestTablet::new("a");
        let id = a.new_activity(1, "存不下的记录");
        let got = a.sync(&rest, &options).unwrap();
        assert_eq!(got.rejected, vec![(id.to_string(), RENAMED.to_string())], "refused with the reason shown");
        assert!(a.outbox.borrow().contains_key(&id), "kept on the tablet");
        a.sync(&rest, &options).unwrap();
        a.sync(&rest, &options).unwrap();
        assert_eq!(rest.count("activities"), 0, "no stray copy left (DELETE undone: {reload_undoes_delete})");
        assert_eq!(rest.posts.get(), 1, "no second copy POSTed");
        assert!(a.state.borrow().strays.is_empty(), "forgotten once the endpoint says it is gone");
        assert!(a.outbox.borrow().contains_key(&id));
    }
}
