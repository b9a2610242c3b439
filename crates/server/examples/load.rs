//! The load bench of `cargo xtask bench` (section 7): simulated tablets (core's sync engine over real HTTP, the
//! fault tests' rig) of many teams all push edits and pull at once against one or more real servers; prints JSON.
//!
//! `XUNFANG_SERVER_BIN=target/server/xunfang-server cargo run --profile server -p xunfang-server --example load --
//! --instances 2 --database postgres://…` (without `--database`: SQLite, one instance). Each team first gets
//! `--seed-records` records, and every tablet a first sync and its edits of `--records` of its team's records (not
//! measured); then, all released at once, every tablet syncs once (push, then pull what the others pushed), on the
//! HTTP connections its first sync opened (kept open, as a browser keeps them: `load/keep_alive.rs`).
//! Measured: wall time of that phase, documents pushed and pulled per second, each tablet's sync latency
//! (retries included), errors, and the CPU time the tablets (this process), the servers and PostgreSQL (when it runs on
//! this machine) used in it. Checked after: for each team and each instance, a fresh full pull equals the
//! offline merge of everything pushed (nothing lost, nothing changed), with no id twice.

// The fault tests' rig, and the suite's `common` it builds on (which backend a default server uses).
#[path = "../tests/common/mod.rs"]
mod common;
#[path = "../tests/fault/mod.rs"]
mod fault;
#[path = "load/keep_alive.rs"]
mod keep_alive;

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use clap::Parser;
use fault::server::{Options, RealServer};
use fault::spread::{offline_merge, Rng, Spread};
use fault::tablet::Tablet;
use keep_alive::KeepAlive;
use serde_json::{json, Value};
use xunfang_core::Id;

// The server's allocator: hundreds of tablet threads allocating at once contend in glibc's malloc, a cost of the
// simulation (a tablet is one device) that would otherwise take CPU from the servers measured.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser, Debug)]
struct Args {
    /// Simulated tablets in all.
    #[arg(long, default_value_t = 500)]
    tablets: usize,
    /// Teams the tablets are spread over (evenly).
    #[arg(long, default_value_t = 50)]
    teams: usize,
    /// Records each tablet edits before its measured sync.
    #[arg(long, default_value_t = 20)]
    records: usize,
    /// Records each team holds before the run (the ones edited).
    #[arg(long = "seed-records", default_value_t = 100)]
    seed_records: usize,
    /// Server processes over the one database; each request goes to one at random.
    #[arg(long, default_value_t = 1)]
    instances: usize,
    /// A PostgreSQL URL shared by the instances (an empty database is best); none: SQLite.
    #[arg(long)]
    database: Option<String>,
    /// The tablets' scheduling priority (`nice`, 0–19) against the servers and PostgreSQL, which keep theirs.
    #[arg(long, default_value_t = 0)]
    tablets_nice: u8,
}

/// Syncs a tablet tries before it counts as failed (each failure is an error in the results).
const ATTEMPTS: u32 = fault::tablet::ATTEMPTS;

fn main() {
    let args = Args::parse();
    assert!(args.teams > 0 && args.tablets >= args.teams && args.records <= args.seed_records, "at least one tablet a team, and records <= seed-records");
    assert!(args.instances == 1 || args.database.is_some(), "several instances need one shared database (--database postgres://…)");
    // Rate limits raised far past what the run asks, so the figures show the store and not the guards. The
    // number of requests served at once stays the default: more wait in its queue (within the request deadline),
    // not for a database connection, which gives up sooner (503).
    let serve_args = ["--rate-per-minute", "1000000", "--rate-burst", "1000000", "--request-timeout", "120"];
    let options = Options { database: args.database.clone(), serve_args: serve_args.iter().map(|s| s.to_string()).collect() };
    let servers: Vec<RealServer> = (0..args.instances).map(|_| RealServer::start_with(options.clone())).collect();
    let addrs: Arc<Vec<SocketAddr>> = Arc::new(servers.iter().map(|s| s.addr).collect());
    // Team names of their own: a database used before holds other runs' teams, which stay apart.
    let run = std::process::id();
    let tokens: Vec<String> = (0..args.teams).map(|t| servers[0].token_for(&format!("load-{run}-{t:03}"))).collect();
    eprintln!("[load] {} instance(s), {} teams, tokens made; seeding {} records a team", args.instances, args.teams, args.seed_records);

    let seeds: Vec<(Vec<Id>, Vec<Value>)> = std::thread::scope(|s| {
        let handles: Vec<_> = tokens
            .iter()
            .enumerate()
            .map(|(t, token)| {
                let addrs = &addrs;
                s.spawn(move || seed(t, token, addrs, args.seed_records))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });

    lower_priority(args.tablets_nice);
    let barrier = Arc::new(Barrier::new(args.tablets + 1));
    let handles: Vec<_> = (0..args.tablets)
        .map(|i| {
            let (team, token, ids) = (i % args.teams, tokens[i % args.teams].clone(), seeds[i % args.teams].0.clone());
            let (barrier, addrs, records) = (barrier.clone(), addrs.clone(), args.records);
            std::thread::Builder::new().stack_size(1 << 20).spawn(move || (team, tablet(i, &token, &ids, records, &addrs, &barrier))).unwrap()
        })
        .collect();
    // Two turns of the barrier: the first when every tablet is ready, the second to release them. The clock and the
    // CPU readings are taken between the two, so nothing of the phase runs before them (taken after one release, the
    // main thread could be scheduled only after hundreds of tablets had run, and the wall time would come out short).
    barrier.wait();
    let server_pids: Vec<String> = servers.iter().map(|s| s.pid().to_string()).collect();
    let postmaster = args.database.as_deref().and_then(postmaster_pid);
    let cpu_before = (cpu_secs("self"), server_pids.iter().map(|p| cpu_secs(p)).sum::<f64>(), postmaster.map(postgres_cpu_secs));
    eprintln!("[load] {} tablets synced once; all released", args.tablets);
    let started = Instant::now();
    barrier.wait();
    let runs: Vec<(usize, Run)> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let wall = started.elapsed();
    let cpu = (cpu_secs("self") - cpu_before.0, server_pids.iter().map(|p| cpu_secs(p)).sum::<f64>() - cpu_before.1);
    let cpu_postgres = postmaster.map(postgres_cpu_secs).zip(cpu_before.2).map(|(after, before)| after - before);

    let mut pushed_by_team: Vec<Vec<Value>> = seeds.into_iter().map(|(_, docs)| docs).collect();
    let (mut latencies, mut errors, mut samples, mut pushed, mut pulled, mut failed, mut connects) = (Vec::new(), 0, BTreeSet::new(), 0, 0, 0, 0);
    let (mut starts, mut ends) = (Vec::new(), Vec::new());
    for (team, run) in runs {
        pushed_by_team[team].extend(keep_alive::pushed(&run.sent));
        latencies.push(run.latency.as_secs_f64() * 1000.0);
        let began = run.began.saturating_duration_since(started).as_secs_f64() * 1000.0;
        starts.push(began);
        ends.push(began + run.latency.as_secs_f64() * 1000.0);
        errors += run.errors.len();
        samples.extend(run.errors.into_iter().take(3));
        pushed += run.pushed;
        pulled += run.pulled;
        failed += usize::from(!run.done);
        connects += run.connects;
    }
    let check = check(&tokens, &addrs, &pushed_by_team);
    latencies.sort_by(f64::total_cmp);
    starts.sort_by(f64::total_cmp);
    ends.sort_by(f64::total_cmp);
    let secs = wall.as_secs_f64();
    let results = json!({
        "backend": if args.database.is_some() { "postgres" } else { "sqlite" },
        "instances": args.instances,
        "tablets": args.tablets, "teams": args.teams, "records": args.records, "seedRecords": args.seed_records,
        "wallMs": secs * 1000.0,
        "cpuTablets": cpu.0, "cpuServers": cpu.1, "cpuPostgres": cpu_postgres,
        "pushed": pushed, "pulled": pulled,
        "pushedPerSec": pushed as f64 / secs, "pulledPerSec": pulled as f64 / secs,
        "p50": pct(&latencies, 0.50), "p95": pct(&latencies, 0.95), "p99": pct(&latencies, 0.99), "max": latencies.last(),
        "errors": errors, "errorSamples": samples.into_iter().take(5).collect::<Vec<_>>(), "failedTablets": failed,
        "connects": connects,
        // When the syncs began and ended, in ms after the release: 500 threads woken at once are not all running
        // at once, and how far their starts spread decides how many syncs overlap (and so each one's latency).
        "startP50": pct(&starts, 0.50), "startP99": pct(&starts, 0.99), "endP50": pct(&ends, 0.50), "endP99": pct(&ends, 0.99),
        "check": check,
    });
    println!("{results}");
    drop(servers);
}

/// Gives this thread, and every thread it starts from now on, the priority `nice` (Linux: a thread's nice value is
/// its own, and a new thread inherits its parent's), by `renice` on the thread's id; the servers started before keep
/// theirs.
fn lower_priority(nice: u8) {
    if nice == 0 {
        return;
    }
    let me = std::fs::read_link("/proc/thread-self").expect("/proc/thread-self (Linux)");
    let tid = me.file_name().expect("a thread id").to_string_lossy().into_owned();
    let done = std::process::Command::new("renice").args(["-n", &nice.to_string(), "-p", &tid]).stdout(std::process::Stdio::null()).status();
    assert!(done.is_ok_and(|s| s.success()), "renice -n {nice} -p {tid} failed");
}

/// CPU seconds (user and system) process `pid` ("self" for this one) has used so far, from `/proc/<pid>/stat`
/// (in USER_HZ ticks, 100 a second on Linux); 0 where there is no such file.
fn cpu_secs(pid: &str) -> f64 {
    let f = stat_fields(pid);
    (ticks(&f, 11) + ticks(&f, 12)) / 100.0
}

/// The fields of `/proc/<pid>/stat` after the command name in parentheses: the state is the first (0), the parent's
/// pid the second, utime the 12th (11), stime, cutime and cstime the next three; empty where there is no such file.
fn stat_fields(pid: &str) -> Vec<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    stat.rsplit_once(')').map_or("", |(_, rest)| rest).split_whitespace().map(String::from).collect()
}

/// Field `i` of [`stat_fields`] as a number of ticks (0 if missing).
fn ticks(fields: &[String], i: usize) -> f64 {
    fields.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0)
}

/// The process id of the PostgreSQL server behind `url` (the first line of `postmaster.pid` in its data directory),
/// when it runs on this machine and the user may read that directory; else `None` (its CPU is then not reported).
fn postmaster_pid(url: &str) -> Option<u32> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
    let dir: String = runtime.block_on(async {
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.ok()?;
        tokio::spawn(connection);
        client.query_one("SHOW data_directory", &[]).await.ok().map(|row| row.get(0))
    })?;
    std::fs::read_to_string(std::path::Path::new(&dir).join("postmaster.pid")).ok()?.lines().next()?.trim().parse().ok()
}

/// CPU seconds PostgreSQL has used so far: its postmaster's own and its finished children's (`cutime`, `cstime`), and
/// those of its children still running (the backends serving the pools' connections). A backend that ends between two
/// readings moves from the second sum to the first, so differences stay right.
fn postgres_cpu_secs(postmaster: u32) -> f64 {
    let own = stat_fields(&postmaster.to_string());
    let mut total = ticks(&own, 11) + ticks(&own, 12) + ticks(&own, 13) + ticks(&own, 14);
    let parent = postmaster.to_string();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.bytes().all(|b| b.is_ascii_digit()) {
            let f = stat_fields(&name);
            if f.get(1) == Some(&parent) {
                total += ticks(&f, 11) + ticks(&f, 12);
            }
        }
    }
    total / 100.0
}

/// The `q` quantile of sorted `xs` (nearest rank).
fn pct(xs: &[f64], q: f64) -> f64 {
    xs[((xs.len() as f64 * q).ceil() as usize).clamp(1, xs.len()) - 1]
}

/// What one tablet's measured sync did.
struct Run {
    /// When its sync began (after the release: the thread ran).
    began: Instant,
    latency: Duration,
    pushed: usize,
    pulled: usize,
    errors: Vec<String>,
    done: bool,
    /// Every request body it sent with documents in it (read after the phase: `keep_alive::pushed`).
    sent: Vec<Vec<u8>>,
    /// Connections it opened in the measured sync (0 when the ones kept from its first sync served it).
    connects: usize,
}

/// A team's seed records, pushed by a tablet of its own; their ids and the documents as sent.
fn seed(team: usize, token: &str, addrs: &[SocketAddr], n: usize) -> (Vec<Id>, Vec<Value>) {
    let tablet = Tablet::new(&format!("seed{team:03}"), addrs[0], token);
    let ids = (0..n).map(|k| tablet.record(&format!("走访 {team}-{k}"))).collect();
    let spread = Spread::new(addrs, token, team as u64);
    tablet.settle_via(&spread).expect("the seed records were pushed");
    (ids, spread.sent.into_inner())
}

/// One tablet: a first sync (not measured) and its edits, then at the barrier the measured sync. The edits are
/// the tablet's own work before it syncs, so they are made before the barrier: the phase holds the syncs only.
fn tablet(i: usize, token: &str, ids: &[Id], records: usize, addrs: &[SocketAddr], barrier: &Barrier) -> Run {
    // The last six characters tell tablets' ids apart (see Tablet::record): the number is there.
    let tablet = Tablet::new(&format!("tab{i:06}"), addrs[0], token);
    // One transport for both syncs: the connections the first opened stay open for the measured one.
    let http = KeepAlive::new(addrs, token, 1000 + i as u64);
    let ready = tablet.settle_via(&http).and_then(|()| http.open_all());
    http.sent.take();
    let mut rng = Rng::new(i as u64 + 1);
    let mut picked = BTreeSet::new();
    while picked.len() < records {
        picked.insert(rng.below(ids.len()));
    }
    for (n, &k) in picked.iter().enumerate().filter(|_| ready.is_ok()) {
        // Shared records, edited by several tablets at once: a field (last writer wins) or a new suggestion (all kept).
        if n % 2 == 0 {
            tablet.edit(&ids[k], |a| a.notes = format!("{} 的纪要 {n}", tablet.name));
        } else {
            tablet.suggest(&ids[k], &format!("{} 的建议 {n}", tablet.name));
        }
    }
    // Ready, then released (see main).
    barrier.wait();
    barrier.wait();
    if let Err(e) = ready {
        return Run {
            began: Instant::now(),
            latency: Duration::ZERO,
            pushed: 0,
            pulled: 0,
            errors: vec![format!("first sync: {e}")],
            done: false,
            sent: Vec::new(),
            connects: 0,
        };
    }
    let connects_before = http.connects.get();
    let started = Instant::now();
    let (mut pushed, mut pulled, mut errors, mut done) = (0, 0, Vec::new(), false);
    for attempt in 0..ATTEMPTS {
        match tablet.sync_via(&http) {
            Ok(p) => {
                pushed += p.pushed;
                pulled += p.pulled;
                if p.waiting == 0 {
                    done = true;
                    break;
                }
            }
            Err(e) => {
                errors.push(e.to_string().chars().take(200).collect());
                std::thread::sleep(Duration::from_millis(50 * u64::from(attempt + 1)));
            }
        }
    }
    let connects = http.connects.get() - connects_before;
    Run { began: started, latency: started.elapsed(), pushed, pulled, errors, done, sent: http.sent.into_inner(), connects }
}

/// For each team and each instance: a new tablet's full pull against the offline merge of all that was pushed.
fn check(tokens: &[String], addrs: &[SocketAddr], pushed: &[Vec<Value>]) -> Value {
    let (mut expected_docs, mut lost, mut differing, mut unexpected, mut twice, mut unreadable) = (0, 0, 0, 0, 0, 0);
    for (team, token) in tokens.iter().enumerate() {
        let expected = offline_merge(&pushed[team]);
        expected_docs += expected.len();
        for (n, addr) in addrs.iter().enumerate() {
            let fresh = Tablet::new(&format!("chk{team:03}{n}"), *addr, token);
            let only_this = Spread::new(std::slice::from_ref(addr), token, 0);
            only_this.count_ids.set(true);
            if fresh.settle_via(&only_this).is_err() {
                unreadable += 1;
                continue;
            }
            twice += only_this.repeated.get();
            let got = fresh.snapshot();
            lost += expected.keys().filter(|id| !got.contains_key(*id)).count();
            differing += expected.iter().filter(|(id, doc)| got.get(*id).is_some_and(|g| g != *doc)).count();
            unexpected += got.keys().filter(|id| !expected.contains_key(*id)).count();
        }
    }
    let ok = lost == 0 && differing == 0 && unexpected == 0 && twice == 0 && unreadable == 0;
    json!({"ok": ok, "expectedDocs": expected_docs, "pulls": tokens.len() * addrs.len(), "lost": lost, "differing": differing,
           "unexpected": unexpected, "idTwice": twice, "unreadable": unreadable})
}
