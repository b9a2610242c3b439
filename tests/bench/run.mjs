// `cargo xtask bench`: measures the app and writes BENCHMARKS.md. This driver runs the
// sections (sections/1-transfer.mjs ... 6-pouch.mjs) and writes the report (report.mjs).
//
// Run through xtask, which builds dist/ and the server first and sets
// XUNFANG_SERVER_BIN, XUNFANG_DIST, CHROMIUM, XUNFANG_ROOT, PATH (with
// wasm-bindgen, wasm-opt and twiggy). Not a test: nothing here passes or
// fails on a figure; over-budget figures are reported as such.
//
// Sections: 1 transfer size of the app shell (+ wasm contributors), 2 first
// sync of 10,000 records, 3 start (throttled first visit, offline start),
// 4 with 10,000 records (list, search, heap), 5 IndexedDB bulk write vs
// Dexie, 6 PouchDB replication, 7 many tablets at once (SQLite, PostgreSQL;
// alone: tests/bench/load.mjs). 2 and 4 share a server and a profile, so 4
// runs right after 2 (and again with 50,000 records), then 3, 5 and 6.
// 9, the cost of a passcode, runs after 4 on 2's server (pairs with and without).
//
// Environment: BENCH_DOCS (10000) and BENCH_LARGE_DOCS (50000, 0 skips it)
// size the sets; BENCH_OUT is where the report goes (BENCHMARKS.md);
// BENCH_REPORT_ONLY=1 rewrites the report from target/bench/results.json.

import { spawnSync } from 'node:child_process';
import { readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { activities, people } from './gen.mjs';
import { CHROMIUM, N_DOCS, N_LARGE, OUT, ROOT, launch, log, ms, newProfile, startServer } from './lib.mjs';
import { report, summary } from './report.mjs';
import { transfer, wasmContributors } from './sections/1-transfer.mjs';
import { seedServer, syncRuns } from './sections/2-sync.mjs';
import { startRuns } from './sections/3-start.mjs';
import { withRecords } from './sections/4-stored.mjs';
import { idbVsDexie } from './sections/5-dexie.mjs';
import { pouchReplication } from './sections/6-pouch.mjs';
import { loadRuns } from './sections/7-load.mjs';
import { restNothingNew } from './sections/8-rest.mjs';
import { passcodeRuns } from './sections/9-passcode.mjs';

function sh(cmd) {
  const r = spawnSync('bash', ['-c', cmd], { encoding: 'utf8', cwd: ROOT });
  return r.status === 0 ? r.stdout.trim() : '';
}

function machine() {
  const cpuinfo = sh('cat /proc/cpuinfo');
  const model = (cpuinfo.match(/model name\s*:\s*(.*)/) ?? [])[1] ?? os.cpus()[0]?.model ?? 'unknown';
  return {
    nproc: sh('nproc') || String(os.cpus().length),
    model,
    mhz: (cpuinfo.match(/cpu MHz\s*:\s*(.*)/) ?? [])[1],
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    chromium: sh(`${CHROMIUM} --version 2>/dev/null`) || 'unknown',
    node: process.version,
    kernel: `${os.type()} ${os.release()}`,
    os: (sh('cat /etc/os-release').match(/PRETTY_NAME="([^"]*)"/) ?? [])[1] ?? '',
    commit: sh('git rev-parse --short HEAD') || 'unknown',
    dirty: sh('git status --porcelain -- src crates index.html style public Cargo.toml Cargo.lock') !== '',
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    load: os.loadavg().map((x) => x.toFixed(2)).join(' '),
  };
}

async function main() {
  // BENCH_REPORT_ONLY=1: rewrite BENCHMARKS.md from target/bench/results.json.
  if (process.env.BENCH_REPORT_ONLY) {
    const results = JSON.parse(await readFile(join(ROOT, 'target', 'bench', 'results.json'), 'utf8'));
    await writeFile(OUT, report(results));
    console.log(summary(results));
    return;
  }
  const started = performance.now();
  const results = { machine: machine(), docs: N_DOCS };
  const section = async (name, f) => {
    log(`--- ${name}`);
    const t = performance.now();
    try {
      const r = await f();
      log(`--- ${name}: ${ms(performance.now() - t)}`);
      return r;
    } catch (e) {
      log(`--- ${name} FAILED: ${e.stack ?? e}`);
      return { error: String(e.message ?? e) };
    }
  };

  results.transfer = await section('1. transfer size', transfer);
  results.wasm = await section('1b. wasm contributors (twiggy)', wasmContributors);

  // 2 and 4 share one server holding the 10,000 records; then the same with
  // 50,000 (one sync run), to show how each figure grows.
  const storedSet = async (n, runs, label = '') => {
    const out = { docs: n };
    const roster = people();
    const docs = activities(n, roster);
    if (n <= 20_000) out.docBytes = Buffer.byteLength(JSON.stringify(docs));
    const server = await startServer();
    try {
      const seeded = await section(`2a${label}. seed the server with ${n}`, () => seedServer(server, docs, roster));
      out.seed = seeded;
      out.people = roster.length;
      if (seeded && !seeded.error) {
        const sync = await section(`2${label}. first sync of ${n} records`, () => syncRuns(server, seeded.token, runs));
        out.sync = sync.results ?? sync;
        if (sync.profile) {
          out.stored = await section(`4${label}. with ${n} records`, () => withRecords(server.url, sync.profile));
          await rm(sync.profile, { recursive: true, force: true });
        }
        // Section 9 (the main set only): the same with a passcode, interleaved with runs without.
        if (!label) out.passcode = await section(`9. with a passcode, ${n} records`, () => passcodeRuns(server, seeded.token, 2));
      }
    } finally {
      await server.stop();
    }
    return out;
  };
  const main = await storedSet(N_DOCS, 3);
  Object.assign(results, { docBytes: main.docBytes, seed: main.seed, sync: main.sync, stored: main.stored, people: main.people, passcode: main.passcode });
  if (N_LARGE > 0) results.large = await storedSet(N_LARGE, 1, 'L');

  results.start = await section('3. start', () => startRuns(5));
  results.dexie = await section('5. IndexedDB vs Dexie', () => idbVsDexie(N_DOCS));
  results.pouch = await section('6. PouchDB replication', async () => {
    const roster = people();
    const dir = await newProfile();
    const context = await launch(dir);
    try {
      return await pouchReplication({ docs: activities(N_DOCS, roster), roster, context, runs: 3, log });
    } finally {
      await context.close().catch(() => {});
      await rm(dir, { recursive: true, force: true });
    }
  });
  results.load = await section('7. many tablets at once', loadRuns);
  results.rest = await section('8. REST, a sync with nothing new', () => {
    const roster = people();
    return restNothingNew({ docs: activities(N_DOCS, roster), roster, log });
  });
  results.totalMs = performance.now() - started;
  results.machine.loadAfter = os.loadavg().map((x) => x.toFixed(2)).join(' ');

  await mkdir(join(ROOT, 'target', 'bench'), { recursive: true });
  await writeFile(join(ROOT, 'target', 'bench', 'results.json'), JSON.stringify(results, null, 2));
  const md = report(results);
  await writeFile(OUT, md);
  console.log('\n' + summary(results));
  log(`wrote ${OUT} and target/bench/results.json in ${ms(results.totalMs)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
