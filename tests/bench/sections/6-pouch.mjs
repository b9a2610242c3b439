// Section 6 of `cargo xtask bench`: the same documents replicated by PouchDB
// in the same Chromium, from a CouchDB-compatible server on loopback, into
// an empty IndexedDB. run.mjs calls `pouchReplication`, report.mjs `report`.
//
// The server is express-pouchdb (the HTTP layer of pouchdb-server) over
// pouchdb-core with the in-memory adapter: pouchdb-server itself pulls
// leveldown, a native module, which the bench does not install. It runs as a
// child process (`node 6-pouch.mjs --serve`), as pouchdb-server would, and
// also serves, same origin, a blank page and PouchDB's browser edition
// (npm pouchdb-browser, which ships CommonJS only: its four dependencies are
// wrapped into one classic script here, the way PouchDB's own dist file
// bundles them).
//
//   node tests/bench/sections/6-pouch.mjs --try [N]   standalone run (N activities, default 2000)

import { spawn } from 'node:child_process';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import http from 'node:http';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, median, ms } from '../lib.mjs';

const SELF = fileURLToPath(import.meta.url);
const require = createRequire(import.meta.url);
const DB = 'bench';
const SEED_BATCH = 500;

const version = async (pkg, from = require) => JSON.parse(await readFile(from.resolve(`${pkg}/package.json`), 'utf8')).version;

/** PouchDB's browser edition as one classic script that sets `window.PouchDB`. */
async function browserBundle() {
  const main = require.resolve('pouchdb-browser');
  const from = createRequire(main);
  const files = {
    'spark-md5': from.resolve('spark-md5'),
    uuid: join(dirname(from.resolve('uuid/package.json')), 'dist/umd/uuid.min.js'),
    vuvuzela: from.resolve('vuvuzela'),
    events: join(dirname(from.resolve('events/package.json')), 'events.js'),
    'pouchdb-browser': main,
  };
  let out = '(function () {\nvar defs = {}, cache = {};\n';
  out += 'function require(name) {\n  if (!(name in cache)) {\n    if (!defs[name]) throw new Error("bundle: no module " + name);\n    var module = { exports: {} };\n    cache[name] = module.exports;\n    defs[name].call(module.exports, module, module.exports, require);\n    cache[name] = module.exports;\n  }\n  return cache[name];\n}\n';
  for (const [name, file] of Object.entries(files)) {
    // `define` is shadowed (undefined) so UMD files take their CommonJS branch.
    out += `defs[${JSON.stringify(name)}] = function (module, exports, require, define) {\n${await readFile(file, 'utf8')}\n};\n`;
  }
  out += 'window.PouchDB = require("pouchdb-browser");\n})();\n';
  return out;
}

// ------------------------------------------------------------- server --

/** Child-process side: express-pouchdb on loopback; prints its URL. */
async function serve() {
  const { default: PouchDB } = await import('pouchdb-core');
  const { default: memory } = await import('pouchdb-adapter-memory');
  const { default: expressPouchDB } = await import('express-pouchdb');
  const Pouch = PouchDB.plugin(memory).defaults({ adapter: 'memory' });
  // minimumForPouchDB: the routes PouchDB's replication uses (_changes,
  // _revs_diff, _bulk_get, _bulk_docs, _local checkpoints, …), with
  // express-pouchdb's gzip compression as pouchdb-server ships it.
  const app = expressPouchDB(Pouch, { mode: 'minimumForPouchDB', inMemoryConfig: true });
  const bundle = await browserBundle();
  const server = http.createServer((req, res) => {
    if (req.url === '/__bench/page.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end('<!doctype html><meta charset="utf-8"><title>pouch bench</title><script src="/__bench/pouchdb.js"></script>');
    } else if (req.url === '/__bench/pouchdb.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' });
      res.end(bundle);
    } else {
      app(req, res);
    }
  });
  server.listen(Number(process.env.POUCH_PORT ?? 0), '127.0.0.1', () => {
    console.log(`pouch server at http://127.0.0.1:${server.address().port}`);
  });
  process.on('SIGTERM', () => process.exit(0));
}

async function startPouchServer() {
  const child = spawn(process.execPath, [SELF, '--serve'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (c) => (err = (err + c).slice(-4000)));
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`pouch server did not start: ${out} ${err}`)), 30_000);
    child.stdout.on('data', (c) => {
      out += c;
      const m = out.match(/pouch server at (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`pouch server exited ${code}: ${out} ${err}`)));
  });
  child.stdout.resume();
  return {
    url,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

async function json(url, init) {
  const r = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...(init && init.headers) } });
  const body = await r.json();
  if (!r.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: ${r.status} ${JSON.stringify(body).slice(0, 300)}`);
  return body;
}

/** Creates the database and writes every document with _bulk_docs, `id` as `_id`. */
async function seed(url, all) {
  await json(`${url}/${DB}`, { method: 'PUT' });
  const t0 = performance.now();
  for (let i = 0; i < all.length; i += SEED_BATCH) {
    const docs = all.slice(i, i + SEED_BATCH).map(({ id, ...rest }) => ({ _id: id, ...rest }));
    const res = await json(`${url}/${DB}/_bulk_docs`, { method: 'POST', body: JSON.stringify({ docs }) });
    const bad = res.filter((x) => !x.ok);
    if (bad.length) throw new Error(`_bulk_docs: ${bad.length} failed, e.g. ${JSON.stringify(bad[0])}`);
  }
  const seedMs = performance.now() - t0;
  const info = await json(`${url}/${DB}`);
  if (info.doc_count !== all.length) throw new Error(`seeded ${info.doc_count} documents, expected ${all.length}`);
  return { seedMs, count: info.doc_count };
}

// ---------------------------------------------------------- measuring --

/**
 * Seeds a CouchDB-compatible server with `docs` (+ `roster`, as our sync
 * carries both), then `runs` times, each in a fresh page of `context` (a
 * playwright BrowserContext of the bench's Chromium; the caller closes it),
 * replicates into an empty local PouchDB (IndexedDB) and times it from
 * `PouchDB.replicate` to its `complete`.
 */
export async function pouchReplication({ docs, roster = [], context, runs = 3, log = () => {} }) {
  let versions;
  try {
    versions = {
      pouchdb: await version('pouchdb-browser'),
      server: `express-pouchdb ${await version('express-pouchdb')}, pouchdb-core ${await version('pouchdb-core')}, pouchdb-adapter-memory ${await version('pouchdb-adapter-memory')}`,
    };
  } catch {
    return { error: 'npm pouchdb-browser / express-pouchdb not installed' };
  }
  const all = [...docs, ...roster];
  const server = await startPouchServer();
  try {
    const { seedMs, count } = await seed(server.url, all);
    log(`pouch: seeded ${count} documents in ${ms(seedMs)} (${server.url})`);
    const out = [];
    const details = [];
    for (let i = 0; i < runs; i++) {
      const page = await context.newPage();
      try {
        await page.goto(`${server.url}/__bench/page.html`);
        await page.waitForFunction(() => typeof window.PouchDB === 'function', undefined, { timeout: 30_000 });
        const r = await page.evaluate(
          async ({ remote, name }) => {
            const local = new PouchDB(name);
            const t0 = performance.now();
            const result = await new Promise((resolve, reject) => {
              PouchDB.replicate(remote, local).on('complete', resolve).on('error', reject);
            });
            const took = performance.now() - t0;
            const info = await local.info();
            const adapter = local.adapter;
            await local.destroy();
            return { took, count: info.doc_count, adapter, written: result.docs_written, status: result.status };
          },
          { remote: `${server.url}/${DB}`, name: `pouch-bench-${i}-${Date.now()}` },
        );
        if (r.count !== count) throw new Error(`run ${i + 1}: ${r.count} documents stored locally, ${count} on the server`);
        log(`pouch replication ${i + 1}: ${ms(r.took)} (${r.count} documents, adapter ${r.adapter}, ${r.status})`);
        out.push(r.took);
        details.push(r);
      } finally {
        await page.close().catch(() => {});
      }
    }
    return {
      runs: out,
      median: median(out),
      docs: count,
      activities: docs.length,
      people: roster.length,
      seedMs,
      versions,
      adapter: details[0]?.adapter,
      notes: 'PouchDB.replicate with default options (batch_size 100, batches_limit 10); server: express-pouchdb minimumForPouchDB mode (gzip on), in-memory pouchdb-core, separate node process',
    };
  } finally {
    await server.stop();
  }
}

/** Writes section 6 of BENCHMARKS.md with `p`; `f.sync` is section 2's median. */
export function report(p, r, f) {
  p(...pouchSection(r.pouch, f.sync));
}

/** Markdown lines for BENCHMARKS.md (section 6). */
export function pouchSection(r, ourSyncMedianMs) {
  const lines = ['## 6. PouchDB replication', ''];
  if (!r) return [...lines, 'Not measured.', ''];
  if (r.error) return [...lines, `Not measured: ${r.error}`, ''];
  const n = (x) => x.toLocaleString('en');
  lines.push(
    `The same ${n(r.activities)} activities and ${n(r.people)} people (${n(r.docs)} documents) as section 2, pulled into an empty browser over loopback`,
    `into IndexedDB, by PouchDB ${r.versions.pouchdb} (npm pouchdb-browser, \`${r.adapter ?? 'idb'}\` adapter) in the same Chromium, from a CouchDB-compatible`,
    `server: ${r.versions.server} (pouchdb-server's HTTP layer without its leveldown storage), a separate node process.`,
    `The server was seeded with \`_bulk_docs\` in batches of ${SEED_BATCH} (took ${ms(r.seedMs)}; \`id\` as \`_id\`, the rest as the body). Each run: a fresh`,
    'page, a new local database, `PouchDB.replicate(remote, local)` with default options, timed until `complete`; the local',
    'document count is checked, then the database destroyed.',
    '',
    '| run | time | stored in IndexedDB |',
    '|---:|---:|---:|',
  );
  r.runs.forEach((t, i) => lines.push(`| ${i + 1} | ${ms(t)} | ${r.docs} documents |`));
  lines.push('');
  lines.push('| figure | value | aim | verdict |', '|---|---:|---:|---|');
  lines.push(`| PouchDB replication, median of ${r.runs.length} | ${ms(r.median)} | – | – |`);
  if (ourSyncMedianMs) {
    const ratio = r.median / ourSyncMedianMs;
    lines.push(`| our first sync, median (section 2) | ${ms(ourSyncMedianMs)} | – | – |`);
    lines.push(`| ratio PouchDB / ours | ${ratio.toFixed(2)} | ≥ 2 | ${ratio >= 2 ? 'met' : `**not met** (ours is ${ratio >= 1 ? `${ratio.toFixed(2)}× faster` : `${(1 / ratio).toFixed(2)}× slower`})`} |`);
  } else {
    lines.push('| ratio PouchDB / ours | n/a (section 2 not measured) | ≥ 2 | – |');
  }
  lines.push(
    '',
    'Both figures are a first pull of the same documents from an empty browser over loopback into IndexedDB, in the same',
    'Chromium and run: ours from the click on "使用这些设置" until the app\'s sync status reports done (section 2), PouchDB\'s',
    'from `PouchDB.replicate` until `complete`. The aim is ours at least 2× faster (ratio ≥ 2).',
    '',
  );
  return lines;
}

// ----------------------------------------------------------- commands --

async function tryIt(n) {
  const { activities, people } = await import('../gen.mjs');
  const roster = people();
  const docs = activities(n, roster);
  const dir = await mkdtemp(join(os.tmpdir(), 'xunfang-bench-profile-'));
  const context = await launch(dir, { timing: false });
  try {
    const r = await pouchReplication({ docs, roster, context, runs: Number(process.env.POUCH_RUNS ?? 3), log: (...a) => console.log('[pouch]', ...a) });
    console.log(JSON.stringify(r, null, 2));
    console.log(pouchSection(r, Number(process.env.OUR_SYNC_MS) || null).join('\n'));
  } finally {
    await context.close().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === SELF) {
  const cmd = process.argv[2];
  const run = cmd === '--serve' ? serve() : cmd === '--try' ? tryIt(Number(process.argv[3] ?? 2000)) : Promise.reject(new Error('usage: node 6-pouch.mjs --try [N] | --serve'));
  run.catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
