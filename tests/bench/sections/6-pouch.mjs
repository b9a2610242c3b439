// Section 6 of `cargo xtask bench`: the same documents replicated by PouchDB
// in the same Chromium, from a CouchDB-compatible server on loopback, into
// an empty IndexedDB. run.mjs calls `pouchReplication`, report.mjs `report`.
//
// Two rows: PouchDB given our full documents (stamps and all, the row kept
// for continuity), and given the same records the way a PouchDB user would
// store them (`valuesOnly`: the values under `_id`, no stamps; PouchDB keeps
// its own revision metadata). Runs alternate between the two databases.
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
const SEED_BATCH = 500;

/** What PouchDB is given, one database each. */
const SHAPES = [
  // Our document as it is, `id` as `_id`.
  { key: 'full', db: 'bench', shape: ({ id, ...rest }) => ({ _id: id, ...rest }) },
  // What a PouchDB user would write: the record's type and values. Nothing in
  // the bench set is trashed (a PouchDB user would delete with `_deleted`).
  { key: 'values', db: 'bench-values', shape: valuesOnly },
];

/** A record the way a PouchDB user stores it: the values under `_id`, plus
 * `type` to tell activities from people; none of our stamps or clocks. */
export function valuesOnly(doc) {
  if (typeof doc.id !== 'string' || typeof doc.type !== 'string' || !doc.body || typeof doc.body !== 'object') throw new Error(`not a document: ${JSON.stringify(doc).slice(0, 200)}`);
  const reserved = Object.keys(doc.body).filter((k) => k.startsWith('_') || k === 'type');
  if (reserved.length) throw new Error(`${doc.id}: body fields ${reserved.join(', ')} would clash with PouchDB's own`);
  return { _id: doc.id, type: doc.type, ...doc.body };
}

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

/** Creates database `db` and writes every document, as `shape` makes it, with _bulk_docs. */
async function seed(url, db, all, shape) {
  await json(`${url}/${db}`, { method: 'PUT' });
  const t0 = performance.now();
  let bytes = 0;
  for (let i = 0; i < all.length; i += SEED_BATCH) {
    const docs = all.slice(i, i + SEED_BATCH).map(shape);
    bytes += docs.reduce((n, d) => n + Buffer.byteLength(JSON.stringify(d)), 0);
    const res = await json(`${url}/${db}/_bulk_docs`, { method: 'POST', body: JSON.stringify({ docs }) });
    const bad = res.filter((x) => !x.ok);
    if (bad.length) throw new Error(`_bulk_docs: ${bad.length} failed, e.g. ${JSON.stringify(bad[0])}`);
  }
  const seedMs = performance.now() - t0;
  const info = await json(`${url}/${db}`);
  if (info.doc_count !== all.length) throw new Error(`seeded ${info.doc_count} documents into ${db}, expected ${all.length}`);
  return { seedMs, count: info.doc_count, bytes };
}

// ---------------------------------------------------------- measuring --

/**
 * Seeds a CouchDB-compatible server with `docs` (+ `roster`, as our sync
 * carries both) twice, as full documents and values only (`SHAPES`), then
 * `runs` times each, alternating, in a fresh page of `context` (a playwright
 * BrowserContext of the bench's Chromium; the caller closes it), replicates
 * into an empty local PouchDB (IndexedDB) and times it from
 * `PouchDB.replicate` to its `complete`. The full-document figures stay at
 * the top level (`runs`, `median`, `seedMs`); the values-only ones are under
 * `values`.
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
    const rows = {};
    for (const { key, db, shape } of SHAPES) {
      const seeded = await seed(server.url, db, all, shape);
      log(`pouch: seeded ${seeded.count} documents (${key}, ${(seeded.bytes / seeded.count / 1000).toFixed(1)} KB each) in ${ms(seeded.seedMs)} (${server.url}/${db})`);
      rows[key] = { ...seeded, runs: [], details: [] };
    }
    for (let i = 0; i < runs; i++) {
      for (const { key, db } of SHAPES) {
        const r = await replicateOnce(context, `${server.url}/${db}`, `pouch-bench-${key}-${i}-${Date.now()}`);
        if (r.count !== rows[key].count) throw new Error(`${key} run ${i + 1}: ${r.count} documents stored locally, ${rows[key].count} on the server`);
        log(`pouch replication ${key} ${i + 1}: ${ms(r.took)} (${r.count} documents, adapter ${r.adapter}, ${r.status})`);
        rows[key].runs.push(r.took);
        rows[key].details.push(r);
      }
    }
    const figures = ({ runs, seedMs, bytes, count }) => ({ runs, median: median(runs), seedMs, docBytes: bytes / count });
    return {
      ...figures(rows.full),
      values: figures(rows.values),
      docs: rows.full.count,
      activities: docs.length,
      people: roster.length,
      versions,
      adapter: rows.full.details[0]?.adapter,
      notes: 'PouchDB.replicate with default options (batch_size 100, batches_limit 10); server: express-pouchdb minimumForPouchDB mode (gzip on), in-memory pouchdb-core, separate node process',
    };
  } finally {
    await server.stop();
  }
}

/** One replication of `remote` into a new local database `name`, in a fresh page. */
async function replicateOnce(context, remote, name) {
  const page = await context.newPage();
  try {
    await page.goto(new URL('/__bench/page.html', remote).href);
    await page.waitForFunction(() => typeof window.PouchDB === 'function', undefined, { timeout: 30_000 });
    return await page.evaluate(
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
      { remote, name },
    );
  } finally {
    await page.close().catch(() => {});
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
  const kb = (x) => (x ? `${(x / 1000).toFixed(1)} KB` : 'n/a');
  // Results written before the values-only row have no `values`.
  const rows = [
    { name: 'full documents (ours, stamps included)', aim: 2, ...r },
    ...(r.values ? [{ name: 'values only (as a PouchDB user stores them)', aim: 3, ...r.values }] : []),
  ];
  lines.push(
    `The same ${n(r.activities)} activities and ${n(r.people)} people (${n(r.docs)} documents) as section 2, pulled into an empty browser over loopback`,
    `into IndexedDB, by PouchDB ${r.versions.pouchdb} (npm pouchdb-browser, \`${r.adapter ?? 'idb'}\` adapter) in the same Chromium, from a CouchDB-compatible`,
    `server: ${r.versions.server} (pouchdb-server's HTTP layer without its leveldown storage), a separate node process.`,
    `The server holds the records twice, in two databases seeded with \`_bulk_docs\` in batches of ${SEED_BATCH}: our full documents (\`id\` as \`_id\`,`,
    `the rest, stamps included, as the body; ${kb(r.docBytes)} a document; seeding took ${ms(r.seedMs)})${r.values ? `, and the same records the way a PouchDB user would store them:` : '.'}`,
    ...(r.values ? [`\`{ _id, type, ...values }\`, without our stamps, PouchDB keeping its own revision metadata (${kb(r.values.docBytes)} a document; seeding took ${ms(r.values.seedMs)}).`] : []),
    'Each run: a fresh page, a new local database, `PouchDB.replicate(remote, local)` with default options, timed until',
    `\`complete\`; the local document count is checked, then the database destroyed.${r.values ? ' Runs alternate between the two databases.' : ''}`,
    '',
    '| PouchDB given | runs | median |',
    '|---|---|---:|',
  );
  for (const x of rows) lines.push(`| ${x.name} | ${x.runs.map(ms).join(', ')} | ${ms(x.median)} |`);
  lines.push('');
  lines.push('| figure | value | aim | verdict |', '|---|---:|---:|---|');
  if (ourSyncMedianMs) lines.push(`| our first sync, median (section 2) | ${ms(ourSyncMedianMs)} | – | – |`);
  for (const x of rows) {
    if (!ourSyncMedianMs) {
      lines.push(`| ratio PouchDB / ours, ${x.name} | n/a (section 2 not measured) | ≥ ${x.aim} | – |`);
      continue;
    }
    const ratio = x.median / ourSyncMedianMs;
    const verdict = ratio >= x.aim ? 'met' : `**not met** (ours is ${ratio >= 1 ? `${ratio.toFixed(2)}× faster` : `${(1 / ratio).toFixed(2)}× slower`})`;
    lines.push(`| ratio PouchDB / ours, ${x.name} | ${ratio.toFixed(2)} | ≥ ${x.aim} | ${verdict} |`);
  }
  lines.push(
    '',
    'Both figures are a first pull of the same records from an empty browser over loopback into IndexedDB, in the same',
    'Chromium and run: ours from the click on "使用这些设置" until the app\'s sync status reports done (section 2), PouchDB\'s',
    'from `PouchDB.replicate` until `complete`. The aims: ours at least 2× faster than PouchDB carrying our full documents,',
    'and at least 3× faster than PouchDB carrying only the values (issue 16), the comparison that stays fair as our documents shrink.',
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
