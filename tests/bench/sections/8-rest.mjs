// Section 8 of `cargo xtask bench`: REST mode with nothing new. json-server 0.17 holds the bench set,
// a tablet holds it too (its first sync); then one sync reading whole (the default setting) and one
// reading incrementally (changed-since filter, paging, conditional requests), in the same run.

import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { ROOT, firstPage, kb, launch, ms, newProfile, notMeasured, startServer } from '../lib.mjs';

async function startJsonServer(data) {
  const dir = await mkdtemp(join(os.tmpdir(), 'xunfang-bench-json-server-'));
  const dbFile = join(dir, 'db.json');
  await writeFile(dbFile, JSON.stringify(data));
  const port = 30000 + Math.floor(Math.random() * 20000);
  const script = join(ROOT, 'tests/e2e/node_modules/json-server/lib/cli/bin.js');
  const child = spawn(process.execPath, [script, '--port', String(port), '--host', '127.0.0.1', dbFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('json-server did not start')), 60_000);
    child.stdout.on('data', (c) => {
      if (String(c).includes('Resources')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`json-server exited ${code}`)));
  });
  return { endpoint: `http://127.0.0.1:${port}`, stop: async () => (child.kill(), rm(dir, { recursive: true, force: true })) };
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

export async function restNothingNew({ docs, roster, log }) {
  const rest = await startJsonServer({ activities: docs, people: roster });
  const server = await startServer();
  const dir = await newProfile();
  const context = await launch(dir);
  try {
    const page = await firstPage(context);
    // Bytes received from json-server, as the network saw them (headers and body, after any encoding).
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    const toRest = new Set();
    let bytes = 0;
    let requests = 0;
    cdp.on('Network.requestWillBeSent', (e) => {
      if (e.request.url.startsWith(rest.endpoint)) toRest.add(e.requestId);
    });
    cdp.on('Network.loadingFinished', (e) => {
      if (toRest.delete(e.requestId)) {
        bytes += e.encodedDataLength;
        requests += 1;
      }
    });
    const measure = async () => {
      bytes = 0;
      requests = 0;
      const took = await syncOnce(page);
      return { took, bytes, requests };
    };
    await page.goto(`${server.url}/settings?sync=${encodeURIComponent(rest.endpoint)}&token=&mode=rest`);
    await page.getByRole('button', { name: '使用这些设置' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid=sync-status]')?.dataset.lastOk, undefined, { timeout: 900_000, polling: 200 });
    log('REST: the tablet holds the set');
    const before = await measure();
    log(`REST, read whole: ${ms(before.took)}, ${kb(before.bytes)} in ${before.requests} requests`);
    await page.getByLabel('条件请求').check();
    await page.getByLabel('自某时以来的修改').fill('updated.hlc.millis_gte={since}');
    await page.getByLabel('分页方式').selectOption({ label: '_page 与 _limit（json-server 0.17）' });
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
    await syncOnce(page);
    await syncOnce(page);
    const after = await measure();
    log(`REST, incremental: ${ms(after.took)}, ${kb(after.bytes)} in ${after.requests} requests`);
    return { before, after };
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
  const { before, after } = r.rest;
  p(
    'json-server 0.17 (loopback) holds the bench set and so does the tablet (its first sync). Then, in one run, one sync',
    'reading every collection whole (the default setting) and one reading incrementally (`updated.hlc.millis_gte={since}`,',
    '`_page`/`_limit`, conditional requests; after two syncs that settle the new setting). Bytes are what the browser',
    'received from json-server (CDP `encodedDataLength`): 0.17 sends an `ETag` it does not expose to scripts, so the',
    "browser's own cache may revalidate a whole read; unchanged pages are then still parsed and merged by the app.",
    '',
    '| sync with nothing new | time | bytes received | requests |',
    '|---|---:|---:|---:|',
    `| read whole (before) | ${ms(before.took)} | ${kb(before.bytes)} | ${before.requests} |`,
    `| incremental (after) | ${ms(after.took)} | ${kb(after.bytes)} | ${after.requests} |`,
    '',
  );
}
