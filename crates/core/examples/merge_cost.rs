//! The CPU a sync spends per document in core, timed outside the tests (`cargo run --release -p xunfang-core --example
//! merge_cost`): the load bench's documents (a team's records edited by 10 tablets) read, merged into a local copy, and
//! merged into the stored copy as a server does with a push; also a first sync's reading of new documents.
//!
//! A timing, not a test: compare two builds on the same machine, alternately (the figures move with its load).

use std::time::Instant;
use xunfang_core::clock::{ClockBound, DeviceId, Hlc, Stamp};
use xunfang_core::incoming::merge_incoming_text;
use xunfang_core::sync::{admit, AnyDoc};
use xunfang_core::sync_client::absorb;
use xunfang_core::{Activity, Document, Id, Suggestion};

const RECORDS: usize = 100;
const TABLETS: usize = 10;
const EDITS: usize = 20;

fn stamp(device: &str, millis: u64) -> Stamp {
    Stamp { hlc: Hlc { millis, counter: 0 }, device: DeviceId(device.into()) }
}

fn id(n: u64, tag: u8) -> Id {
    let mut random = [tag; 10];
    random[..8].copy_from_slice(&n.to_be_bytes());
    Id::new_v7(1_716_170_000_000 + n, random)
}

/// A team's records, each tablet's copy with its edits, and the server's copy (everything merged).
struct Team {
    /// Per tablet, per record: its copy (the seed, or the seed with its edit).
    tablets: Vec<Vec<AnyDoc>>,
    /// The server's copy after every push, as JSON.
    stored: Vec<String>,
    /// The seed copy as JSON (what the server held before the pushes).
    seed: Vec<String>,
}

fn team() -> Team {
    let seeds: Vec<Document<Activity>> = (0..RECORDS)
        .map(|k| {
            let body = Activity { kind: "visit".into(), title: format!("走访 {k}"), notes: "初稿".repeat(40), ..Activity::default() };
            Document::create(id(k as u64, 1), body, stamp("seed00", 1_716_170_000_000 + k as u64))
        })
        .collect();
    let mut tablets: Vec<Vec<AnyDoc>> = Vec::new();
    for t in 0..TABLETS {
        let device = format!("tab{t:06}");
        let mut copies: Vec<Document<Activity>> = seeds.clone();
        // Overlapping picks: records t, t+5, t+10, … (each record edited by about two tablets).
        for (n, k) in (0..EDITS).map(|n| (n, (t + n * 5) % RECORDS)) {
            let doc = &mut copies[k];
            let mut body = doc.body.clone();
            if n % 2 == 0 {
                body.notes = format!("{device} 的纪要 {n}");
            } else {
                body.suggestions.push(Suggestion { content: format!("{device} 的建议 {n}"), ..Suggestion::new(id((t * 100 + n) as u64, 7)) });
            }
            doc.edit(body, stamp(&device, 1_716_180_000_000 + (t * 100 + n) as u64));
        }
        tablets.push(copies.into_iter().map(AnyDoc::Activity).collect());
    }
    let stored = (0..RECORDS)
        .map(|k| {
            let mut all = AnyDoc::Activity(seeds[k].clone());
            for copies in &tablets {
                all = all.merge(&copies[k]).expect("one record's copies merge");
            }
            all.to_json()
        })
        .collect();
    Team { tablets, stored, seed: seeds.into_iter().map(|d| AnyDoc::Activity(d).to_json()).collect() }
}

/// Runs `work` `rounds` times over `n` documents and prints the time per document (unless a second argument names
/// another part: `cargo run … -- 20 pull:merge` times that part alone, e.g. under `perf stat` to count instructions).
fn time(what: &str, rounds: usize, n: usize, mut work: impl FnMut() -> usize) {
    if std::env::args().nth(2).is_some_and(|only| !what.replace(' ', "").starts_with(&only)) {
        return;
    }
    let mut check = 0;
    work();
    let started = Instant::now();
    for _ in 0..rounds {
        check += work();
    }
    let per_doc = started.elapsed().as_secs_f64() * 1e6 / (rounds * n) as f64;
    println!("{what:<48} {per_doc:>8.2} µs a document   (check {check})");
}

fn main() {
    let rounds: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(20);
    let team = team();
    let bound = ClockBound::new(1_716_190_000_000, u64::MAX / 4);
    let n = TABLETS * RECORDS;
    time("pull: read (admit) the server's copy", rounds, n, || {
        (0..TABLETS).map(|_| team.stored.iter().filter(|json| admit(json, bound).is_ok()).count()).sum()
    });
    let received: Vec<AnyDoc> = team.stored.iter().map(|json| admit(json, bound).expect("admitted")).collect();
    time("pull: merge it into the tablet's copy (absorb)", rounds, n, || {
        let mut stored = 0;
        for copies in &team.tablets {
            for (local, remote) in copies.iter().zip(&received) {
                stored += usize::from(absorb(Some(local), remote.clone()).store.is_some());
            }
        }
        stored
    });
    time("first sync: absorb with nothing stored", rounds, n, || {
        (0..TABLETS).map(|_| received.iter().filter(|remote| absorb(None, (*remote).clone()).store.is_some()).count()).sum()
    });
    time("push at the server: merge into the stored text", rounds, n, || {
        let mut changed = 0;
        for copies in &team.tablets {
            for (stored, pushed) in team.seed.iter().zip(copies) {
                changed += usize::from(merge_incoming_text(Some(stored), pushed).is_ok_and(|o| o.keep != xunfang_core::incoming::Keep::Stored));
            }
        }
        changed
    });
}
