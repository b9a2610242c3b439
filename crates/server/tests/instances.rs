//! Two server processes (the real binary, two ports) over one PostgreSQL database: tablets of three teams
//! (core's sync engine over HTTP) send each request to either at random while editing shared records, all at once.
//!
//! PostgreSQL only (`XUNFANG_TEST_POSTGRES`, as `cargo xtask test native` and `cargo xtask with-postgres` set it;
//! SQLite is one file for one process): without it each test prints that it is skipped, by name, and passes.

mod fault;

use std::collections::BTreeSet;

use fault::server::{Options, RealServer};
use fault::spread::{offline_merge, Rng, Spread};
use fault::tablet::Tablet;
use xunfang_server::store::postgres::{PgSettings, PgStore};

/// The test database's address, or `None` (and a line saying `test` is skipped).
fn postgres(test: &str) -> Option<String> {
    match std::env::var("XUNFANG_TEST_POSTGRES") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            eprintln!(
                "skipped: {test} runs on PostgreSQL only; set XUNFANG_TEST_POSTGRES (cargo xtask with-postgres cargo test -p xunfang-server --test instances)"
            );
            None
        }
    }
}

/// Three teams of three tablets, every request to either instance, four rounds of concurrent edits of shared records.
#[test]
fn tablets_spread_over_two_instances_converge_on_the_merge_of_everything_pushed() {
    let Some(url) = postgres("tablets_spread_over_two_instances_converge_on_the_merge_of_everything_pushed") else { return };
    let options = Options { database: Some(url.clone()), serve_args: Vec::new() };
    let servers = [RealServer::start_with(options.clone()), RealServer::start_with(options)];
    let addrs = [servers[0].addr, servers[1].addr];
    // Teams of this run only: the database may hold other tests' teams.
    let teams: Vec<String> = (0..3).map(|t| format!("instances-{}-{t}", std::process::id())).collect();
    let tokens: Vec<String> = teams.iter().map(|team| servers[0].token_for(team)).collect();
    let mut tablets: Vec<(usize, Tablet, Spread)> = (0..9)
        .map(|i| {
            let team = i / 3;
            (team, Tablet::new(&format!("inst{team}{}", i % 3), addrs[0], &tokens[team]), Spread::new(&addrs, &tokens[team], i as u64))
        })
        .collect();
    let shared: Vec<Vec<_>> = (0..3).map(|team| (0..4).map(|k| tablets[team * 3].1.record(&format!("共同记录 {team}-{k}"))).collect()).collect();
    for (_, tablet, spread) in &tablets {
        tablet.settle_via(spread).unwrap();
    }
    for (_, tablet, spread) in &tablets {
        tablet.settle_via(spread).unwrap();
    }
    for round in 0..4 {
        std::thread::scope(|s| {
            for (i, (team, tablet, spread)) in tablets.iter_mut().enumerate() {
                let records = &shared[*team];
                s.spawn(move || {
                    let mut rng = Rng::new((round * 100 + i) as u64);
                    tablet.edit(&records[rng.below(records.len())], |a| a.notes = format!("{} 第 {round} 轮", tablet.name));
                    tablet.suggest(&records[rng.below(records.len())], &format!("{} 的建议 {round}", tablet.name));
                    tablet.record(&format!("{} 的新记录 {round}", tablet.name));
                    tablet.settle_via(&*spread).unwrap();
                });
            }
        });
    }
    // Everyone has pushed everything; one more sync each brings in what came after its last.
    for (_, tablet, spread) in &tablets {
        tablet.settle_via(spread).unwrap();
    }
    let hits = tablets.iter().fold([0, 0], |acc, (_, _, s)| [acc[0] + s.hits.borrow()[0], acc[1] + s.hits.borrow()[1]]);
    assert!(hits[0] > 10 && hits[1] > 10, "both instances served: {hits:?}");

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let store = runtime.block_on(PgStore::open(&url, PgSettings::default())).unwrap();
    for (team, token) in tokens.iter().enumerate() {
        let pushed: Vec<_> = tablets.iter().filter(|(t, _, _)| *t == team).flat_map(|(_, _, s)| s.sent.borrow().clone()).collect();
        let expected = offline_merge(&pushed);
        assert_eq!(expected.len(), 4 + 3 * 4, "team {team}: the shared records and one new record a tablet a round");
        for (_, tablet, _) in tablets.iter().filter(|(t, _, _)| *t == team) {
            assert_eq!(tablet.snapshot(), expected, "{} holds the merge of everything its team pushed", tablet.name);
        }
        for (n, addr) in addrs.iter().enumerate() {
            let fresh = Tablet::new(&format!("fresh{team}{n}"), *addr, token);
            let only = Spread::new(std::slice::from_ref(addr), token, 0);
            only.count_ids.set(true);
            fresh.settle_via(&only).unwrap();
            assert_eq!(only.repeated.get(), 0, "team {team}, instance {n}: no id twice in a full pull");
            assert_eq!(fresh.snapshot(), expected, "team {team}: a full pull from instance {n} is the merge of everything pushed");
        }
        let stored = runtime.block_on(store.team_docs(&teams[team])).unwrap();
        let seqs: BTreeSet<u64> = stored.iter().map(|d| d.seq).collect();
        assert_eq!(seqs.len(), stored.len(), "team {team}: sequence numbers unique");
        assert_eq!(stored.len(), expected.len(), "team {team}: one row a document");
    }
}
