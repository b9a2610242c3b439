// Section 8 of `cargo xtask bench`: REST mode with nothing new. json-server (0.17, then 1.0) holds
// the bench set (its db.json written directly: json-server rewrites that file for every write, so
// an upload of 10,000 records through it is its own cost, not the app's), a tablet holds it too (its
// first sync); then one sync reading whole (the default setting) and one reading incrementally
// (changed-since filter, paging, conditional requests), in the same run.

import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { MB, ROOT, firstPage, kb, launch, ms, newProfile, notMeasured, startServer } from '../lib.mjs';

const size = (x) => (x >= 1e6 ? MB(x) : kb(x));

/** The json-server versions measured: each package's own script (both claim `.bin/json-server`),
 * the line it prints once it listens, and the settings' label for its paging. */
const VERSIONS = [
  { version: '0.17', bin: 'json-server/lib/cli/bin.js', ready: 'Resources', paging: '_page 与 _limit（json-server 0.17）' },
  { version: '1.0', bin: 'json-server-1/lib/bin.js', ready: 'http://', paging: '_page 与 _per_page（json-server 1.0）' },
];

async function startJsonServer(data, json) {
  const dir = await mkdtemp(join(os.tmpdir(), 'xunfang-bench-json-server-'));
  const dbFile = join(dir, 'db.json');
  await writeFile(dbFile, JSON.stringify(data));
  // A port the system just gave out is free, but may be taken again before json-server binds it
  // (a full bench run makes many connections): a port taken is tried again with another.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      const stop = await spawnJsonServer(dbFile, port, json);
      return { endpoint: `http://127.0.0.1:${port}`, stop: async () => (stop(), rm(dir, { recursive: true, force: true })) };
    } catch (e) {
      if (attempt === 3) {
        await rm(dir, { recursive: true, force: true });
        throw e;
      }
    }
  }
}

/** A TCP port on 127.0.0.1 that nothing listens on now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Starts json-server on `port` over `dbFile`; resolves, once it is ready, to a function that stops it. */
async function spawnJsonServer(dbFile, port, { bin, ready }) {
  const script = join(ROOT, 'tests/e2e/node_modules', bin);
  const child = spawn(process.execPath, [script, '--port', String(port), '--host', '127.0.0.1', dbFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  // BENCH_REST_TRACE=<file>: json-server's own request log (method, query, status, time) goes there.
  if (process.env.BENCH_REST_TRACE) child.stdout.on('data', (c) => appendFileSync(process.env.BENCH_REST_TRACE, c));
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => (child.kill(), reject(new Error('json-server did not start'))), 60_000);
    child.stdout.on('data', (c) => {
      if (String(c).includes(ready)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => (clearTimeout(timer), reject(new Error(`json-server exited ${code}`))));
  });
  return () => child.kill();
}

/** Clicks "Sync now" and waits until it is done (`timeout` ms at most); the time it took. */
async function syncOnce(page, timeout = 600_000) {
  const line = page.getByTestId('sync-status');
  const before = await line.getAttribute('data-last-ok');
  const t0 = performance.now();
  await line.getByRole('button', { name: '立即同步' }).click();
  await page.waitForFunction(
    (prev) => {
      const el = document.querySelector('[data-testid=sync-status]');
      return el && el.dataset.running === 'false' && el.dataset.lastOk !== prev;
    },
    before,
    { timeout, polling: 50 },
  );
  return performance.now() - t0;
}

/** Section 8 for each json-server version; a version that fails keeps its error and the next runs. */
export async function restNothingNew({ docs, roster, log }) {
  const out = {};
  for (const v of VERSIONS) {
    try {
      out[v.version] = await nothingNew({ docs, roster, log: (m) => log(`json-server ${v.version}: ${m}`), v });
    } catch (e) {
      log(`json-server ${v.version} FAILED: ${e.stack ?? e}`);
      out[v.version] = { error: String(e.message ?? e) };
    }
  }
  return out;
}

async function nothingNew({ docs, roster, log, v }) {
  const rest = await startJsonServer({ activities: docs, people: roster }, v);
  const server = await startServer();
  const dir = await newProfile();
  const context = await launch(dir);
  try {
    const page = await firstPage(context);
    // Bytes received from json-server, as the network saw them (headers and body, after any encoding).
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    // `bytes`: what the network carried (a 304 the browser's cache revalidated
    // is its headers only); `body`: the answers' bodies as the app got them
    // (from the network or the cache); `writes`: PUT and POST requests.
    const toRest = new Map();
    let bytes = 0;
    let body = 0;
    let requests = 0;
    let writes = 0;
    cdp.on('Network.requestWillBeSent', (e) => {
      if (e.request.url.startsWith(rest.endpoint) && e.request.method !== 'OPTIONS') toRest.set(e.requestId, e.request.method);
    });
    cdp.on('Network.dataReceived', (e) => {
      if (toRest.has(e.requestId)) body += e.dataLength;
    });
    cdp.on('Network.loadingFinished', (e) => {
      const method = toRest.get(e.requestId);
      if (method && toRest.delete(e.requestId)) {
        bytes += e.encodedDataLength;
        requests += 1;
        if (method === 'PUT' || method === 'POST') writes += 1;
      }
    });
    const measure = async () => {
      [bytes, body, requests, writes] = [0, 0, 0, 0];
      const took = await syncOnce(page);
      return { took, bytes, body, requests, writes };
    };
    await page.goto(`${server.url}/settings?sync=${encodeURIComponent(rest.endpoint)}&token=&mode=rest`);
    const t0 = performance.now();
    await page.getByRole('button', { name: '使用这些设置' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid=sync-status]')?.dataset.lastOk, undefined, { timeout: 900_000, polling: 200 });
    const first = { took: performance.now() - t0, bytes, body, requests, writes };
    log(`the tablet holds the set (first sync ${ms(first.took)}, ${kb(first.bytes)}, ${first.requests} requests, ${first.writes} writes)`);
    const before = await measure();
    log(`read whole: ${ms(before.took)}, ${kb(before.bytes)} on the wire, ${kb(before.body)} of answers, ${before.requests} requests, ${before.writes} writes`);
    await page.getByLabel('条件请求').check();
    await page.getByLabel('自某时以来的修改').fill('updated.hlc.millis_gte={since}');
    await page.getByLabel('分页方式').selectOption({ label: v.paging });
    const saved = await page.getByTestId('sync-status').getAttribute('data-last-ok');
    await page.getByRole('button', { name: '保存同步设置' }).click();
    // New options: the sync the saving starts reads whole, the next one its filtered pages once.
    await page.waitForFunction(
      (prev) => {
        const el = document.querySelector('[data-testid=sync-status]');
        return el && el.dataset.running === 'false' && el.dataset.lastOk !== prev;
      },
      saved,
      { timeout: 600_000, polling: 50 },
    );
    const settling = [];
    for (let i = 0; i < 2; i++) settling.push(await measure());
    log(`settling the new setting: ${settling.map((x) => `${ms(x.took)}, ${x.requests} requests, ${x.writes} writes`).join('; ')}`);
    const after = await measure();
    log(`incremental: ${ms(after.took)}, ${kb(after.bytes)} on the wire, ${kb(after.body)} of answers, ${after.requests} requests, ${after.writes} writes`);
    return { first, before, settling, after };
  } finally {
    await context.close().catch(() => {});
    await rm(dir, { recursive: true, force: true });
    await server.stop();
    await rest.stop();
  }
}

/** Writes section 8 of BENCHMARKS.md with `p`. */
export function report(p, r) {
  p(`## 8. REST mode, a sync with nothing new (${r.docs.toLocaleString('en')} records on both sides)`, '');
  if (notMeasured(r.rest)) return p(notMeasured(r.rest), '');
  if (!r.rest) return p('Not measured.', '');
  p(
    'json-server (loopback) holds the bench set, its `db.json` written directly, and so does the tablet (its first sync,',
    'below). Then, in one run, one sync reading every collection whole (the default setting) and one reading',
    'incrementally (`updated.hlc.millis_gte={since}`, `_page`/`_limit` for 0.17 or `_page`/`_per_page` for 1.0,',
    'conditional requests; after the sync that saving the settings starts and two that settle them). "On the wire" is',
    "what the browser received from json-server (CDP `encodedDataLength`, gzip as sent); \"answers\" is the bodies as the",
    "app got them (CDP `dataLength`, from the network or the browser's cache). 0.17 sends an `ETag` it does not expose",
    "to scripts, so the browser's own cache revalidates each read: a whole read costs 304 headers on the wire, yet",
    'json-server still builds the whole answer and the app still receives it (it skips parsing a page whose text it',
    'has seen). The filter is by the newest change seen less ten minutes: the 1,000 people, all written within a second,',
    'come again each time; activities one page of the last ten minutes.',
    '',
    '| json-server | sync | time | on the wire | answers | requests | writes |',
    '|---|---|---:|---:|---:|---:|---:|',
  );
  for (const [version, x] of Object.entries(r.rest)) {
    if (x.error) {
      p(`| ${version} | not measured: ${x.error.split('\n')[0]} | | | | | |`);
      continue;
    }
    const row = (name, m) => p(`| ${version} | ${name} | ${ms(m.took)} | ${size(m.bytes)} | ${size(m.body)} | ${m.requests} | ${m.writes} |`);
    if (x.first) row("tablet's first sync (all in)", x.first);
    row('read whole (before)', x.before);
    row('incremental (after)', x.after);
  }
  p('');
}
