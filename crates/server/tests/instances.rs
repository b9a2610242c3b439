//! Two server processes (the real binary, two ports) over one PostgreSQL database: tablets of three teams
//! (core's sync engine over HTTP) send each request to either at random while editing shared records, all at once.
//!
//! And one instance killed with SIGKILL while its push waits inside its transaction: nothing of it is committed,
//! and the tablet's retry on the other instance converges.
//!
//! PostgreSQL only (`XUNFANG_TEST_POSTGRES`, as `cargo xtask test native` and `cargo xtask with-postgres` set it;
//! SQLite is one file for one process): without it each test prints that it is skipped, by name, and passes.

mod common;
mod fault;

use std::collections::BTreeSet;

use common::backend::{fresh_pg_database, pg_cluster};
use fault::server::{Options, RealServer};
use fault::spread::{offline_merge, Rng, Spread};
use fault::tablet::{Http, Tablet};
use xunfang_server::store::postgres::{PgSettings, PgStore};

/// Three teams of three tablets, every request to either instance, four rounds of concurrent edits of shared records.
#[test]
fn tablets_spread_over_two_instances_converge_on_the_merge_of_everything_pushed() {
    let Some(cluster) = pg_cluster() else { return };
    let url = fresh_pg_database(&cluster);
    let options = Options { database: Some(url.clone()), serve_args: Vec::new() };
    let servers = [RealServer::start_with(options.clone()), RealServer::start_with(options)];
    let addrs = [servers[0].addr, servers[1].addr];
    let teams: Vec<String> = (0..3).map(|t| format!("team-{t}")).collect();
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

/// A connection of the test's own to the database, beside the servers': it holds a row lock to stop a push
/// half way, and watches the servers' sessions. (SQL in a test, as the instrument; the server's is in store/postgres.)
struct Outside {
    runtime: tokio::runtime::Runtime,
    client: tokio_postgres::Client,
}

impl Outside {
    fn connect(url: &str) -> Outside {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let client = runtime.block_on(common::backend::connect(url));
        Outside { runtime, client }
    }

    /// Opens a transaction that locks the row of document `id` (any team) until [`Outside::release`].
    fn lock_doc(&self, id: &str) {
        self.runtime.block_on(async {
            self.client.batch_execute("BEGIN").await.unwrap();
            let rows = self.client.query("SELECT 1 FROM docs WHERE id = $1 FOR UPDATE", &[&id]).await.unwrap();
            assert_eq!(rows.len(), 1, "the document is stored");
        });
    }

    fn release(&self) {
        self.runtime.block_on(self.client.batch_execute("ROLLBACK")).unwrap();
    }

    /// The sessions waiting for a lock this connection holds.
    fn blocked(&self) -> Vec<i32> {
        let query = "SELECT pid FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))";
        self.runtime.block_on(self.client.query(query, &[])).unwrap().iter().map(|r| r.get(0)).collect()
    }

    /// Whether session `pid` still exists.
    fn alive(&self, pid: i32) -> bool {
        let query = "SELECT count(*) FROM pg_stat_activity WHERE pid = $1";
        self.runtime.block_on(self.client.query_one(query, &[&pid])).unwrap().get::<_, i64>(0) > 0
    }
}

/// Waits (up to 30 s, polling) until `done`; panics with `what` if it never is.
fn wait_for(what: &str, done: impl Fn() -> bool) {
    for _ in 0..300 {
        if done() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("never: {what}");
}

#[test]
fn an_instance_killed_inside_a_push_commits_nothing_of_it_and_the_retry_on_the_other_converges() {
    let Some(cluster) = pg_cluster() else { return };
    let url = fresh_pg_database(&cluster);
    let options = Options { database: Some(url.clone()), serve_args: Vec::new() };
    let mut servers = [RealServer::start_with(options.clone()), RealServer::start_with(options)];
    let team = "office".to_string();
    let token = servers[0].token_for(&team);
    let (first, second) = (Http::new(servers[0].addr, &token), Http::new(servers[1].addr, &token));
    let a = Tablet::new("killa", servers[0].addr, &token);
    // Made in this order, so `last` has the highest id: a push sends its documents in id order, and
    // the server writes the others before it reaches `last`, whose row the test holds.
    let records: Vec<_> = (0..20).map(|k| a.record(&format!("记录 {k}"))).collect();
    let last = a.record("最后一条");
    a.settle_via(&first).unwrap();
    let before = Tablet::new("before", servers[1].addr, &token);
    before.settle_via(&second).unwrap();
    assert_eq!(before.snapshot(), a.snapshot());

    for id in records.iter().chain([&last]) {
        a.edit(id, |x| x.notes = "改过".into());
    }
    let outside = Outside::connect(&url);
    outside.lock_doc(last.as_str());
    // The tablet goes to the thread that pushes, and comes back with the result.
    let push = std::thread::spawn(move || {
        let result = a.sync_via(&first);
        (a, first, result)
    });
    wait_for("the push waits for the held row, inside its transaction", || !outside.blocked().is_empty());
    let blocked = outside.blocked();
    servers[0].kill();
    let (a, _, result) = push.join().unwrap();
    assert!(result.is_err(), "the killed instance never answered");
    outside.release();
    // The dead server's session ends (it never sent COMMIT: PostgreSQL rolls back).
    wait_for("the killed instance's session is gone", || blocked.iter().all(|&pid| !outside.alive(pid)));

    let after = Tablet::new("after", servers[1].addr, &token);
    after.settle_via(&second).unwrap();
    assert_eq!(after.snapshot(), before.snapshot(), "nothing of the killed push was committed");
    assert_eq!(a.outbox.borrow().len(), 21, "unconfirmed: all still queued");

    a.settle_via(&second).unwrap();
    assert!(a.outbox.borrow().is_empty());
    let fresh = Tablet::new("fresh", servers[1].addr, &token);
    fresh.settle_via(&second).unwrap();
    assert_eq!(fresh.snapshot(), a.snapshot(), "the retry on the other instance converged");
    assert!(fresh.activity(&last).body.notes == "改过" && fresh.activity(&records[0]).body.notes == "改过");
}
