// `cargo xtask bench`: measures the app and writes BENCHMARKS.md.
//
// Run through xtask, which builds dist/ and the server first and sets
// XUNFANG_SERVER_BIN, XUNFANG_DIST, CHROMIUM, XUNFANG_ROOT, PATH (with
// wasm-bindgen, wasm-opt and twiggy). Not a test: nothing here passes or
// fails on a figure; over-budget figures are reported as such.
//
// Sections, in priority order: 1 transfer size of the app shell (+ wasm
// contributors), 2 first sync of 10,000 records, 3 start (throttled first
// visit, offline start), 4 with 10,000 records (list, search, heap),
// 5 IndexedDB bulk write vs Dexie, 6 PouchDB replication (pouch.mjs).

import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import http from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { activities, people } from './gen.mjs';
import { pouchReplication, pouchSection } from './pouch.mjs';

const ROOT = process.env.XUNFANG_ROOT ?? new URL('../..', import.meta.url).pathname;
const BIN = process.env.XUNFANG_SERVER_BIN ?? join(ROOT, 'target/release/xunfang-server');
const DIST = process.env.XUNFANG_DIST ?? join(ROOT, 'dist');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const OUT = process.env.BENCH_OUT ?? join(ROOT, 'BENCHMARKS.md');
const N_DOCS = Number(process.env.BENCH_DOCS ?? 10_000);
// The larger set (0 skips it).
const N_LARGE = Number(process.env.BENCH_LARGE_DOCS ?? 50_000);
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];
const KB = 1000;

const log = (...a) => console.log('[bench]', ...a);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const ms = (x) => (x == null ? 'n/a' : x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${Math.round(x)} ms`);
const kb = (x) => `${(x / KB).toFixed(1)} KB`;
const verdict = (value, budget) => (value == null ? 'not measured' : value <= budget ? 'within' : `**over** (${(value / budget).toFixed(1)}×)`);

// ------------------------------------------------------------- server --

async function startServer({ port = 0, data } = {}) {
  const dir = data ?? (await mkdtemp(join(os.tmpdir(), 'xunfang-bench-data-')));
  const child = spawn(BIN, ['serve', '--bind', `127.0.0.1:${port}`, '--dist', DIST, '--data', dir], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 30_000);
    child.stdout.on('data', (c) => {
      out += c;
      const m = out.match(/Xunfang is running at (http:\/\/[^\s]+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1].replace(/\/+$/, ''));
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
  child.stdout.resume();
  return {
    url,
    dir,
    token(team) {
      const r = spawnSync(BIN, ['token', 'create', '--team', team, '--data', dir], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`token create failed: ${r.stderr}`);
      return r.stdout.split('\n')[0].trim();
    },
    async stop({ keep = false } = {}) {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      if (!keep) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** GET with an Accept-Encoding; the body is counted as it comes, not decoded. */
function get(url, encoding) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { 'accept-encoding': encoding } }, (res) => {
      let bytes = 0;
      res.on('data', (c) => (bytes += c.length));
      res.on('end', () =>
        resolve({
          status: res.statusCode,
          bytes,
          contentLength: res.headers['content-length'] == null ? null : Number(res.headers['content-length']),
          encoding: res.headers['content-encoding'] ?? 'identity',
          type: res.headers['content-type'] ?? '',
        }),
      );
    });
    req.on('error', reject);
  });
}

// ------------------------------------------------------------ browser --

async function launch(dir, { offline = false } = {}) {
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    locale: 'zh-CN',
    viewport: { width: 1024, height: 768 },
  });
  if (offline) await context.setOffline(true);
  await context.addInitScript(timingScript);
  return context;
}

const newProfile = () => mkdtemp(join(os.tmpdir(), 'xunfang-bench-profile-'));

/** In every page: times (performance.now(), from navigation start) when the
 * app's parts appear; `*Painted` is after the next frame. */
function timingScript() {
  const b = (window.__bench = {});
  const painted = (key) => requestAnimationFrame(() => setTimeout(() => (b[key] = performance.now()), 0));
  const check = () => {
    const now = performance.now();
    if (b.h1 == null && document.querySelector('h1')) b.h1 = now;
    if (b.cards == null && document.querySelector('.record-card')) {
      b.cards = now;
      painted('cardsPainted');
    }
    if (b.empty == null && document.querySelector('p.empty')) b.empty = now;
    if (b.ready == null && b.h1 != null && (b.cards != null || b.empty != null)) {
      b.ready = now;
      painted('readyPainted');
    }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true });
  addEventListener('TrunkApplicationStarted', (e) => {
    b.started = performance.now();
    window.__benchWasm = e.detail && e.detail.wasm;
  });
}

async function firstPage(context) {
  return context.pages()[0] ?? (await context.newPage());
}

/** Navigates and waits until the record list is usable and painted; with
 * `full`, also until every row is loaded (the app's `xunfang:list-ready`
 * mark). The app's marks are returned as `firstScreenMark` and `listReady`. */
async function openList(page, url, { timeout = 120_000, full = false } = {}) {
  await page.goto(url, { waitUntil: 'commit', timeout });
  await page.waitForFunction(() => window.__bench && window.__bench.readyPainted != null, undefined, { timeout, polling: 50 });
  if (full) await page.waitForFunction(() => performance.getEntriesByName('xunfang:list-ready').length > 0, undefined, { timeout, polling: 50 });
  return page.evaluate(() => ({
    ...window.__bench,
    firstScreenMark: performance.getEntriesByName('xunfang:list-first-screen')[0]?.startTime ?? null,
    listReady: performance.getEntriesByName('xunfang:list-ready')[0]?.startTime ?? null,
  }));
}

/** How many records the list shows (all of them, not just the cards drawn). */
function listCount(page) {
  return page.evaluate(() => {
    const ul = document.querySelector('ul.record-list[data-count]');
    return ul ? Number(ul.dataset.count) : document.querySelector('p.empty') ? 0 : null;
  });
}

// ------------------------------------------------------- 1. transfer --

async function transfer() {
  const server = await startServer();
  try {
    const html = await readFile(join(DIST, 'index.html'), 'utf8');
    const refs = new Set();
    for (const m of html.matchAll(/(?:href|src|module_or_path:)\s*=?\s*["']([^"']+)["']/g)) refs.add(m[1]);
    for (const m of html.matchAll(/from\s+'([^']+)'/g)) refs.add(m[1]);
    const files = ['/index.html', ...[...refs].filter((p) => p.startsWith('/')), '/sw.js'];
    const unique = [...new Set(files)];
    const rows = [];
    for (const path of unique) {
      const raw = await get(server.url + path, 'identity');
      const gz = await get(server.url + path, 'gzip');
      const br = await get(server.url + path, 'br');
      rows.push({ path, raw, gz, br, shell: !path.startsWith('/icons/') });
    }
    return rows;
  } finally {
    await server.stop();
  }
}

function wasmContributors() {
  const wasm = spawnSync('bash', ['-c', 'ls target/wasm32-unknown-unknown/release/xunfang.wasm'], { cwd: ROOT, encoding: 'utf8' });
  if (wasm.status !== 0) return { error: 'no cargo wasm output' };
  const twiggy = spawnSync('twiggy', ['--version'], { encoding: 'utf8' });
  if (twiggy.status !== 0) return { error: 'twiggy not installed' };
  return (async () => {
    const tmp = await mkdtemp(join(os.tmpdir(), 'xunfang-bench-wasm-'));
    try {
      // The shipped pipeline (wasm-bindgen, then wasm-opt -Oz as trunk runs
      // it) with -g so function names survive for twiggy.
      const src = join(ROOT, 'target/wasm32-unknown-unknown/release/xunfang.wasm');
      let r = spawnSync('wasm-bindgen', ['--target', 'web', '--out-dir', tmp, '--out-name', 'x', src], { encoding: 'utf8' });
      if (r.status !== 0) return { error: `wasm-bindgen: ${r.stderr}` };
      const features = ['--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext', '--enable-mutable-globals', '--enable-reference-types', '--enable-multivalue'];
      r = spawnSync('wasm-opt', ['-Oz', '-g', ...features, join(tmp, 'x_bg.wasm'), '-o', join(tmp, 'named.wasm')], { encoding: 'utf8' });
      if (r.status !== 0) return { error: `wasm-opt: ${r.stderr}` };
      const csv = (args) => {
        const out = spawnSync('twiggy', [...args, '--format', 'csv', join(tmp, 'named.wasm')], { encoding: 'utf8', maxBuffer: 1 << 28 });
        if (out.status !== 0) throw new Error(`twiggy ${args.join(' ')}: ${out.stderr}`);
        return parseCsv(out.stdout);
      };
      const meta = (name) => /^(table\[|elem\[|"function names"|custom section|type\[|import |export |"[a-z ]+" subsection)/.test(name);
      const retained = csv(['top', '--retained', '-n', '200'])
        .filter((row) => !meta(row.Name))
        .slice(0, 15)
        .map((row) => ({ name: row.Name, retained: Number(row.RetainedSize), pct: Number(row.RetainedSizePercent) }));
      const all = csv(['top', '-n', '1000000']);
      const byCrate = new Map();
      let namesBytes = 0;
      for (const row of all) {
        const size = Number(row.ShallowSize);
        if (/"function names"|custom section|"[a-z ]+" subsection/.test(row.Name)) {
          namesBytes += size;
          continue;
        }
        byCrate.set(crateOf(row.Name), (byCrate.get(crateOf(row.Name)) ?? 0) + size);
      }
      const crates = [...byCrate.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15);
      return { retained, crates, namesBytes };
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  })();
}

/** The crate a symbol belongs to (roughly): the first path segment of a
 * Rust symbol, the type's crate for `<T as Trait>` impls. */
function crateOf(name) {
  if (name.startsWith('data segment') || name.startsWith('data[')) return '(data: strings, tables)';
  if (/^code\[|^global\[|^func\[/.test(name)) return '(unnamed code)';
  let s = name.replace(/^</, '');
  s = s.replace(/^(dyn |&mut |&|\*const |\*mut |\[)/, '');
  const m = s.match(/^([A-Za-z_][A-Za-z0-9_]*)(?:\[[0-9a-f]+\])?::/);
  if (m) return m[1];
  const prim = s.match(/^([a-z0-9]+) as ([A-Za-z_][A-Za-z0-9_]*)/);
  if (prim) return prim[2];
  return '(other)';
}

function parseCsv(text) {
  const lines = [];
  let row = [];
  let field = '';
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') q = false;
      else field += c;
    } else if (c === '"') q = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\n') row.push(field), lines.push(row), (row = []), (field = '');
    else if (c !== '\r') field += c;
  }
  if (field || row.length) row.push(field), lines.push(row);
  const [head, ...rest] = lines;
  return rest.filter((r) => r.length === head.length).map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]])));
}

// ----------------------------------------------------------- 2. sync --

async function seedServer(server, docs, roster) {
  const token = server.token('bench');
  const t0 = performance.now();
  const all = [...roster, ...docs];
  let cursor = null;
  for (let i = 0; i < all.length; i += 200) {
    const push = all.slice(i, i + 200);
    const r = await fetch(`${server.url}/api/sync`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ protocol: 1, device: 'bench-seeder', cursor, push, pull_limit: 1 }),
    });
    if (r.status !== 200) throw new Error(`push batch ${i / 200}: HTTP ${r.status} ${await r.text()}`);
    const j = await r.json();
    if (j.rejected?.length) throw new Error(`push batch ${i / 200}: rejected ${JSON.stringify(j.rejected[0])}`);
    if (j.accepted.length !== push.length) throw new Error(`push batch ${i / 200}: accepted ${j.accepted.length} of ${push.length}`);
  }
  return { token, pushMs: performance.now() - t0 };
}

async function countStored(page) {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('xunfang');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction(['activities', 'people'], 'readonly');
          const a = tx.objectStore('activities').count();
          const p = tx.objectStore('people').count();
          tx.oncomplete = () => {
            resolve({ activities: a.result, people: p.result });
            db.close();
          };
        };
      }),
  );
}

async function syncRuns(server, token, runs) {
  const setup = `${server.url}/settings?sync=${encodeURIComponent(server.url)}&token=${encodeURIComponent(token)}&mode=native`;
  const results = [];
  let keptProfile = null;
  for (let i = 0; i < runs; i++) {
    const dir = await newProfile();
    const context = await launch(dir);
    try {
      const page = await firstPage(context);
      await page.goto(setup);
      await page.waitForFunction(() => document.querySelector('h1') !== null, undefined, { timeout: 60_000 });
      const button = page.getByRole('button', { name: '使用这些设置' });
      await button.waitFor();
      const t0 = performance.now();
      await button.click();
      await page.waitForFunction(
        () => {
          const el = document.querySelector('[data-testid=sync-status]');
          return el && el.dataset.running === 'false' && !!el.dataset.lastOk;
        },
        undefined,
        { timeout: 600_000, polling: 50 },
      );
      const took = performance.now() - t0;
      const stored = await countStored(page);
      const status = await page.getByTestId('sync-status').innerText();
      const list = await openList(page, server.url + '/', { full: true });
      const cards = await listCount(page);
      log(`sync run ${i + 1}: ${ms(took)}; stored ${stored.activities} activities, ${stored.people} people; list shows ${cards} records; header "${status.replace(/\s+/g, ' ')}"`);
      results.push({ took, stored, cards, status, listMs: list.readyPainted });
    } finally {
      await context.close().catch(() => {});
      if (i === runs - 1) keptProfile = dir;
      else await rm(dir, { recursive: true, force: true });
    }
  }
  return { results, profile: keptProfile };
}

// ------------------------------------------------ 4. with 10,000 stored --

async function withRecords(serverUrl, profile) {
  const context = await launch(profile);
  try {
    const page = await firstPage(context);
    // Warm-up start (code caches, the service worker), then measured ones.
    await openList(page, serverUrl + '/', { full: true });
    const starts = [];
    for (let i = 0; i < 3; i++) {
      const t = await openList(page, serverUrl + '/', { full: true });
      starts.push(t);
      log(`stored list start ${i + 1}: h1 ${ms(t.h1)}, first card ${ms(t.cards)}, painted ${ms(t.cardsPainted)}, all rows ${ms(t.listReady)}`);
    }
    const cards = await listCount(page);
    const scroll = await scrollWholeList(page);
    log(`scrolled ${scroll.frames.length} frames to card ${scroll.lastCard}: median ${ms(median(scroll.frames))}, longest ${ms(Math.max(...scroll.frames))}`);

    // Heap: JS heap of the page (CDP), and the wasm linear memory.
    await page.waitForTimeout(1000);
    const cdp = await context.newCDPSession(page);
    await cdp.send('HeapProfiler.collectGarbage').catch(() => {});
    const heap = await cdp.send('Runtime.getHeapUsage');
    const mem = await page.evaluate(() => ({
      perfUsed: performance.memory ? performance.memory.usedJSHeapSize : null,
      wasm: window.__benchWasm && window.__benchWasm.memory ? window.__benchWasm.memory.buffer.byteLength : null,
    }));

    // Search: one keystroke into an empty search box, until the list has
    // stopped changing and a frame was drawn; then clearing it again.
    const input = page.getByLabel('搜索', { exact: true });
    await input.waitFor();
    const keystroke = async (action) => {
      await page.evaluate(() => {
        const s = (window.__search = { input: null, painted: null, last: null });
        const target = document.querySelector('section.page') ?? document.body;
        if (window.__searchObs) window.__searchObs.disconnect();
        window.__searchObs = new MutationObserver(() => {
          s.last = performance.now();
          requestAnimationFrame(() => setTimeout(() => (s.painted = performance.now()), 0));
        });
        window.__searchObs.observe(target, { childList: true, subtree: true, characterData: true });
        if (!window.__searchInput) {
          window.__searchInput = true;
          window.addEventListener('input', () => window.__search && window.__search.input == null && (window.__search.input = performance.now()), true);
        }
      });
      await action();
      await page.waitForFunction(
        () => {
          const s = window.__search;
          return s.input != null && s.last != null && s.painted != null && s.painted >= s.last && performance.now() - s.last > 500;
        },
        undefined,
        { timeout: 120_000, polling: 100 },
      );
      const s = await page.evaluate(() => window.__search);
      return { ms: s.painted - s.input, shown: await listCount(page) };
    };
    const typed = [];
    const cleared = [];
    for (const ch of ['养', '法', '水', '校', '桥']) {
      await input.focus();
      const t = await keystroke(() => page.keyboard.type(ch));
      typed.push({ ch, ...t });
      const c = await keystroke(() => page.keyboard.press('Backspace'));
      cleared.push({ ch, ...c });
      log(`search "${ch}": ${ms(t.ms)} → ${t.shown} records; cleared: ${ms(c.ms)} → ${c.shown} records`);
    }
    const edit = await editRecord(page);
    log(`save: ${edit.saves.map(ms).join(', ')}; keystroke to frame ${edit.frames.map(ms).join(', ')}`);
    return { starts, cards, heap, mem, typed, cleared, scroll, edit };
  } finally {
    await context.close().catch(() => {});
  }
}

/** Scrolls the window from the top of the list to its bottom, 2,000 px a
 * frame, and times each frame. The last card drawn shows it got there. */
async function scrollWholeList(page) {
  return page.evaluate(async () => {
    const frame = () => new Promise((r) => requestAnimationFrame(r));
    window.scrollTo(0, 0);
    await frame();
    await frame();
    const bottom = document.documentElement.scrollHeight - innerHeight;
    const frames = [];
    let last = performance.now();
    for (let y = 0; y < bottom; ) {
      y = Math.min(bottom, y + 2000);
      window.scrollTo(0, y);
      await frame();
      const now = performance.now();
      frames.push(now - last);
      last = now;
    }
    await new Promise((r) => setTimeout(r, 300));
    const lastCard = Math.max(0, ...[...document.querySelectorAll('.record-card')].map((e) => Number(e.getAttribute('aria-posinset'))));
    window.scrollTo(0, 0);
    return { frames, lastCard, height: bottom };
  });
}

/** Opens the first record and types five characters into its title, one at a
 * time: each keystroke's time to the next frame, and each save's duration
 * (the app's `xunfang:save` measure: stamping, reading the stored copy,
 * merging and writing document, outbox entry and list row). */
async function editRecord(page) {
  await page.locator('.record-card').first().click();
  const title = page.getByLabel('标题', { exact: true });
  await title.waitFor();
  const saves = [];
  const frames = [];
  for (const ch of '巡访测试中') {
    const before = await page.evaluate(() => performance.getEntriesByName('xunfang:save').length);
    await title.focus();
    await page.keyboard.press('End');
    await page.evaluate(() => {
      window.__typed = null;
      document.activeElement.addEventListener(
        'input',
        () => {
          const t = performance.now();
          requestAnimationFrame(() => setTimeout(() => (window.__typed = performance.now() - t), 0));
        },
        { once: true },
      );
    });
    await page.keyboard.type(ch);
    await page.waitForFunction((n) => performance.getEntriesByName('xunfang:save').length > n && window.__typed != null, before, { timeout: 30_000, polling: 20 });
    const r = await page.evaluate(() => ({ save: performance.getEntriesByName('xunfang:save').at(-1).duration, frame: window.__typed }));
    saves.push(r.save);
    frames.push(r.frame);
  }
  return { saves, frames };
}

// ---------------------------------------------------------- 3. start --

async function throttle(context, page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 150,
    downloadThroughput: (1.6 * 1024 * 1024) / 8,
    uploadThroughput: (750 * 1024) / 8,
  });
  return cdp;
}

async function startRuns(runs) {
  const first = [];
  const offline = [];
  const offlineThrottled = [];
  // First visits: a fresh profile each, 4x CPU, 1.6 Mbit/s, 150 ms.
  const server = await startServer();
  try {
    for (let i = 0; i < runs; i++) {
      const dir = await newProfile();
      const context = await launch(dir);
      try {
        const page = await firstPage(context);
        await throttle(context, page);
        const t = await openList(page, server.url + '/');
        first.push(t);
        log(`first visit ${i + 1}: h1 ${ms(t.h1)}, list usable ${ms(t.readyPainted)}`);
      } finally {
        await context.close().catch(() => {});
        await rm(dir, { recursive: true, force: true });
      }
    }
  } finally {
    await server.stop();
  }

  // Later starts: one online visit caches the app, then the server stops and
  // the browser restarts with the network off.
  const online = await startServer();
  const dir = await newProfile();
  try {
    const context = await launch(dir);
    const page = await firstPage(context);
    await openList(page, online.url + '/');
    await page.waitForFunction(() => navigator.serviceWorker && navigator.serviceWorker.controller !== null, undefined, { timeout: 60_000 });
    await context.close();
    await online.stop();
    for (let i = 0; i < runs * 2; i++) {
      const throttled = i >= runs;
      const ctx = await launch(dir, { offline: true });
      try {
        const p = await firstPage(ctx);
        if (throttled) await (await ctx.newCDPSession(p)).send('Emulation.setCPUThrottlingRate', { rate: 4 });
        const t = await openList(p, online.url + '/');
        (throttled ? offlineThrottled : offline).push(t);
        log(`offline start ${i + 1}${throttled ? ' (4x CPU)' : ''}: h1 ${ms(t.h1)}, list usable ${ms(t.readyPainted)}`);
      } finally {
        await ctx.close().catch(() => {});
      }
    }
  } finally {
    await online.stop();
    await rm(dir, { recursive: true, force: true });
  }
  return { first, offline, offlineThrottled };
}

// ------------------------------------------------- 5. IndexedDB vs Dexie --

async function idbVsDexie(n) {
  const require = createRequire(import.meta.url);
  let dexiePath;
  try {
    dexiePath = require.resolve('dexie/dist/dexie.min.js');
  } catch {
    return { error: 'npm dexie not installed' };
  }
  const dexieVersion = JSON.parse(await readFile(require.resolve('dexie/package.json'), 'utf8')).version;
  const genSource = await readFile(new URL('./gen.mjs', import.meta.url), 'utf8');
  const dir = await newProfile();
  const server = await startServer();
  const context = await launch(dir);
  try {
    const page = await firstPage(context);
    // A page of the app's origin that does not run the app (a missing file).
    await page.goto(server.url + '/bench-blank.txt');
    await page.addScriptTag({ path: dexiePath });
    const out = await page.evaluate(
      async ({ genSource, n }) => {
        const url = URL.createObjectURL(new Blob([genSource], { type: 'text/javascript' }));
        const gen = await import(url);
        const docs = gen.activities(n);
        const done = (tx) => new Promise((res, rej) => ((tx.oncomplete = res), (tx.onerror = () => rej(tx.error)), (tx.onabort = () => rej(tx.error))));
        const del = (name) => new Promise((res) => { const r = indexedDB.deleteDatabase(name); r.onsuccess = r.onerror = r.onblocked = res; });
        const raw = async () => {
          await del('bench-raw');
          const db = await new Promise((res, rej) => {
            const r = indexedDB.open('bench-raw', 1);
            r.onupgradeneeded = () => {
              const s = r.result.createObjectStore('activities', { keyPath: 'id' });
              s.createIndex('date', 'body.date');
              s.createIndex('kind', 'body.kind');
            };
            r.onsuccess = () => res(r.result);
            r.onerror = () => rej(r.error);
          });
          const t0 = performance.now();
          const tx = db.transaction('activities', 'readwrite');
          const store = tx.objectStore('activities');
          for (const d of docs) store.put(d);
          await done(tx);
          const took = performance.now() - t0;
          db.close();
          return took;
        };
        const dexie = async () => {
          await del('bench-dexie');
          const db = new Dexie('bench-dexie');
          db.version(1).stores({ activities: 'id, body.date, body.kind' });
          await db.open();
          const t0 = performance.now();
          await db.activities.bulkPut(docs);
          const took = performance.now() - t0;
          db.close();
          return took;
        };
        const r = [];
        const d = [];
        for (let i = 0; i < 3; i++) {
          r.push(await raw());
          d.push(await dexie());
        }
        await del('bench-raw');
        await del('bench-dexie');
        return { raw: r, dexie: d };
      },
      { genSource, n },
    );
    return { ...out, dexieVersion };
  } finally {
    await context.close().catch(() => {});
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

// --------------------------------------------------------------- main --

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
      }
    } finally {
      await server.stop();
    }
    return out;
  };
  const main = await storedSet(N_DOCS, 3);
  Object.assign(results, { docBytes: main.docBytes, seed: main.seed, sync: main.sync, stored: main.stored, people: main.people });
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
  results.totalMs = performance.now() - started;
  results.machine.loadAfter = os.loadavg().map((x) => x.toFixed(2)).join(' ');

  await mkdir(join(ROOT, 'target', 'bench'), { recursive: true });
  await writeFile(join(ROOT, 'target', 'bench', 'results.json'), JSON.stringify(results, null, 2));
  const md = report(results);
  await writeFile(OUT, md);
  console.log('\n' + summary(results));
  log(`wrote ${OUT} and target/bench/results.json in ${ms(results.totalMs)}`);
}

// ------------------------------------------------------------- report --

function figures(r) {
  const f = {};
  if (r.transfer && !r.transfer.error) {
    const shell = r.transfer.filter((x) => x.shell);
    f.raw = shell.reduce((s, x) => s + x.raw.bytes, 0);
    f.gz = shell.reduce((s, x) => s + x.gz.bytes, 0);
    f.br = shell.reduce((s, x) => s + x.br.bytes, 0);
  }
  if (Array.isArray(r.sync)) f.sync = median(r.sync.map((x) => x.took));
  if (r.start && !r.start.error) {
    f.first = median(r.start.first.map((x) => x.readyPainted));
    f.offline = median(r.start.offline.map((x) => x.readyPainted));
    f.offlineThrottled = r.start.offlineThrottled.length ? median(r.start.offlineThrottled.map((x) => x.readyPainted)) : null;
  }
  if (r.stored && !r.stored.error) Object.assign(f, storedFigures(r.stored));
  if (r.large && r.large.stored && !r.large.stored.error) f.large = { ...storedFigures(r.large.stored), sync: Array.isArray(r.large.sync) ? median(r.large.sync.map((x) => x.took)) : null };
  if (r.dexie && !r.dexie.error) {
    f.raw10k = median(r.dexie.raw);
    f.dexie10k = median(r.dexie.dexie);
  }
  return f;
}

const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))];

/** The section 4 figures of one stored set. */
function storedFigures(st) {
  const f = {
    listAfterShell: median(st.starts.map((x) => x.cardsPainted - x.h1)),
    listFromNav: median(st.starts.map((x) => x.cardsPainted)),
    listReady: median(st.starts.map((x) => x.listReady - x.h1)),
    search: median(st.typed.map((x) => x.ms)),
    clear: median(st.cleared.map((x) => x.ms)),
    heap: st.heap.usedSize,
    wasmMem: st.mem.wasm,
  };
  if (st.scroll) {
    f.scrollMedian = median(st.scroll.frames);
    f.scrollP95 = p95(st.scroll.frames);
    f.scrollMax = Math.max(...st.scroll.frames);
    f.longFrames = st.scroll.frames.filter((x) => x > 50).length;
  }
  if (st.edit) {
    f.save = median(st.edit.saves);
    f.keyFrame = median(st.edit.frames);
  }
  return f;
}

function summary(r) {
  const f = figures(r);
  const line = (name, v, budget, fmt) => `  ${name.padEnd(40)} ${v == null ? 'n/a' : fmt(v)}`.padEnd(56) + (budget == null ? '' : ` budget ${fmt(budget)}  ${v == null ? '' : v <= budget ? 'ok' : 'OVER'}`);
  const MB = (x) => `${(x / 1e6).toFixed(1)} MB`;
  return [
    '==== cargo xtask bench ====',
    line('app shell, brotli as served', f.br, 200 * KB, kb),
    line('app shell, gzip as served', f.gz, 200 * KB, kb),
    line(`first sync of ${r.docs} records (median)`, f.sync, 5000, ms),
    line('first visit, 4x CPU, 1.6 Mbit/s (median)', f.first, 2500, ms),
    line('offline start from the SW (median)', f.offline, 500, ms),
    line(`${r.docs}: list after the shell (median)`, f.listAfterShell, 100, ms),
    line(`${r.docs}: search keystroke (median)`, f.search, 50, ms),
    line(`${r.docs}: saving an edit (median)`, f.save, 16, ms),
    line(`${r.docs}: scrolling, 95th percentile frame`, f.scrollP95, 50, ms),
    line(`${r.docs}: JS heap used`, f.heap, 100e6, MB),
    line(`${r.docs}: JS heap + wasm memory`, f.heap + (f.wasmMem ?? 0), 100e6, MB),
    line(`IDB bulk put ${r.docs}: plain / Dexie`, f.raw10k, null, ms) + (f.dexie10k ? ` / ${ms(f.dexie10k)}` : ''),
    line(`PouchDB replication of ${r.docs} (median)`, r.pouch && r.pouch.median, null, ms) + (r.pouch && r.pouch.median && f.sync ? `  PouchDB / ours ${(r.pouch.median / f.sync).toFixed(2)} (aim >= 2)` : ''),
  ].join('\n');
}

/** Section 4 for one stored set. */
function storedReport(p, docs, people, s) {
  const MB = (x) => (x == null ? 'n/a' : `${(x / 1e6).toFixed(1)} MB`);
  if (!s) return;
  if (s.error) {
    p(`Not measured: ${s.error}`, '');
    return;
  }
  const f = storedFigures(s);
  const n = docs.toLocaleString('en');
  p(`The profile of the last sync run (${n} activities, ${people ?? '?'} people), browser restarted, one warm-up load, then 3 loads of \`/\``, `(no throttling). The list holds ${s.cards} records and draws only the cards on screen. "First screen" is from the \`<h1>\``, 'appearing to the first cards drawn (the newest rows, read backwards through an index); "every row" is until', 'the app\'s `xunfang:list-ready` mark: all rows read, indexed for search and the list drawn from them.', '');
  p('| load | `<h1>` | first cards in the DOM | first cards drawn | every row loaded |', '|---:|---:|---:|---:|---:|');
  s.starts.forEach((x, i) => p(`| ${i + 1} | ${ms(x.h1)} | ${ms(x.cards)} | ${ms(x.cardsPainted)} | ${ms(x.listReady)} |`));
  p('', 'Search: one keystroke into the empty box labelled 搜索, from the `input` event until the list has stopped', 'changing and a frame was drawn; then Backspace back to the full list.', '');
  p('| typed | time | records shown | Backspace to the full list | records |', '|---|---:|---:|---:|---:|');
  s.typed.forEach((x, i) => p(`| ${x.ch} | ${ms(x.ms)} | ${x.shown} | ${ms(s.cleared[i].ms)} | ${s.cleared[i].shown} |`));
  if (s.scroll) p('', `Scrolling: the window from the top of the list to its bottom (${Math.round(s.scroll.height).toLocaleString('en')} px), 2,000 px a frame, ${s.scroll.frames.length} frames; the last card drawn at the bottom is number ${s.scroll.lastCard}. A frame over 50 ms is a visible stutter.`);
  if (s.edit) p('', `Saving an edit: the first record opened, five characters typed into its title one at a time; each autosave's \`xunfang:save\` measure (stamping, reading the stored copy, merging, writing document, outbox entry and list row in one transaction): ${s.edit.saves.map(ms).join(', ')}. Keystroke to the next frame: ${s.edit.frames.map(ms).join(', ')}.`);
  p('', '| figure | value | budget | verdict |', '|---|---:|---:|---|');
  p(`| list: first screen after the shell (h1 → first cards drawn) | ${ms(f.listAfterShell)} | 100 ms | ${verdict(f.listAfterShell, 100)} |`);
  p(`| list: every row loaded, after the shell (no budget given) | ${ms(f.listReady)} | – | – |`);
  p(`| list from navigation start (for reference) | ${ms(f.listFromNav)} | – | – |`);
  p(`| search keystroke to results | ${ms(f.search)} | 50 ms | ${verdict(f.search, 50)} |`);
  p(`| clearing the search (back to all records; no budget given) | ${ms(f.clear)} | – | – |`);
  if (f.save != null) p(`| saving an edit (median of 5) | ${ms(f.save)} | 16 ms | ${verdict(f.save, 16)} |`);
  if (f.keyFrame != null) p(`| keystroke in the form to the next frame (median of 5) | ${ms(f.keyFrame)} | 16 ms | ${verdict(f.keyFrame, 16)} |`);
  if (f.scrollP95 != null) p(`| scrolling the whole list: 95th percentile frame (median ${ms(f.scrollMedian)}, longest ${ms(f.scrollMax)}, ${f.longFrames} over 50 ms) | ${ms(f.scrollP95)} | no stutter (50 ms) | ${verdict(f.scrollP95, 50)} |`);
  p(`| JS heap used (CDP Runtime.getHeapUsage after GC) | ${MB(f.heap)} | 100 MB | ${verdict(f.heap, 100e6)} |`);
  p(`| wasm linear memory (not in the JS heap; grows, never shrinks) | ${MB(f.wasmMem)} | – | – |`);
  p(`| JS heap + wasm linear memory (what the app holds) | ${MB(f.heap + (f.wasmMem ?? 0))} | 100 MB | ${verdict(f.heap + (f.wasmMem ?? 0), 100e6)} |`);
  p(`| performance.memory.usedJSHeapSize (for reference) | ${MB(s.mem.perfUsed)} | – | – |`, '');
}

function report(r) {
  const m = r.machine;
  const f = figures(r);
  const out = [];
  const p = (...l) => out.push(...l);
  const MB = (x) => (x == null ? 'n/a' : `${(x / 1e6).toFixed(1)} MB`);
  const err = (x) => x && x.error && `Not measured: ${x.error}`;
  p('# Benchmarks', '');
  p('Measured by `cargo xtask bench` (xtask/src/bench.rs builds the app and the server, then runs', '`node tests/bench/run.mjs`, which drives Debian\'s Chromium through playwright-core). Figures are', 'medians unless said otherwise; a budget is a target, not a test: nothing fails when one is over.', 'Run it again after a change and compare; absolute figures depend on the machine below, and on a', 'shared virtual machine they drift by up to ~1.5× between runs. The plain IndexedDB write in section 5', 'does not depend on the app: compare it first to tell machine noise from a change in the app.', '');
  p('| | |', '|---|---|');
  p(`| command | \`cargo xtask bench\` (took ${ms(r.totalMs)} of measuring, after the builds) |`);
  p(`| commit | \`${m.commit}\`${m.dirty ? ' with uncommitted changes in the app or crates' : ''} |`);
  p(`| date | ${m.date} |`);
  p(`| machine | ${m.nproc} cores, ${m.model}${m.mhz ? ` (${Math.round(Number(m.mhz))} MHz)` : ''}, ${m.memory} RAM, ${m.os}, ${m.kernel} |`);
  if (m.load) p(`| load average (1/5/15 min) | ${m.load} at the start, ${m.loadAfter ?? 'n/a'} at the end (the bench itself accounts for 1–2; more means other work on the machine) |`);
  p(`| browser | ${m.chromium}, headless, fresh profile per run, 1024×768, zh-CN |`);
  p(`| server | \`${BIN.replace(ROOT.replace(/\/$/, '') + '/', '')}\` (${BIN.includes('/release/') ? 'release profile, as a deployment runs it; `cargo xtask serve` runs the debug build: its pulls are ~3–5× slower and it serves static files at brotli 5' : 'debug profile'}), on loopback |`);
  p(`| data | ${r.docs.toLocaleString('en')} activity documents + ${r.people ?? 80} people, generated deterministically by tests/bench/gen.mjs: Chinese text, 3–10 participants, 0–5 suggestions, every field stamped; ${MB(r.docBytes)} of JSON (${(r.docBytes / r.docs / 1000).toFixed(1)} KB a document) |`);
  p('');

  p('## 1. Transfer size of the app shell', '');
  if (err(r.transfer)) p(err(r.transfer), '');
  else {
    p('Bytes on the wire from our server for each file index.html refers to, plus sw.js, requested with', '`Accept-Encoding: identity`, `gzip`, `br` (the server compresses each static file once, at start-up or first request: brotli 11 and gzip 9 in', 'the release build, brotli 5 in debug builds, and keeps it in memory; sync answers are compressed on the fly at the fastest level).', 'Body bytes as received.', '');
    p('| file | raw | gzip | brotli |', '|---|---:|---:|---:|');
    for (const x of r.transfer) {
      const enc = (y, want) => (y.encoding === want || want === 'identity' ? kb(y.bytes) : `${kb(y.bytes)} (sent ${y.encoding})`);
      p(`| \`${x.path}\`${x.shell ? '' : ' (icon)'} | ${enc(x.raw, 'identity')} | ${enc(x.gz, 'gzip')} | ${enc(x.br, 'br')} |`);
    }
    p(`| **app shell total** (without icons) | **${kb(f.raw)}** | **${kb(f.gz)}** | **${kb(f.br)}** |`, '');
    p('| figure | value | budget | verdict |', '|---|---:|---:|---|');
    p(`| app shell, brotli (what Chromium receives) | ${kb(f.br)} | 200 KB | ${verdict(f.br, 200 * KB)} |`);
    p(`| app shell, gzip (clients without brotli) | ${kb(f.gz)} | 200 KB | ${verdict(f.gz, 200 * KB)} |`, '');
  }
  p('### What the wasm is made of', '');
  if (err(r.wasm)) p(err(r.wasm), '');
  else {
    p('twiggy on the same pipeline as the shipped file (cargo release wasm → wasm-bindgen → `wasm-opt -Oz`),', 'run with `-g` so function names survive (the shipped file has no names; code and data are the', `same; the name section, ${kb(r.wasm.namesBytes)}, is left out below). Retained size = the item plus everything only it`, 'keeps alive. `table[0]`/`elem[0]` (the indirect-call table, which retains nearly all code) are left out.', '');
    p('| # | item | retained |', '|---:|---|---:|');
    r.wasm.retained.forEach((x, i) => p(`| ${i + 1} | \`${x.name.replace(/\|/g, '\\|').slice(0, 140)}\` | ${kb(x.retained)} |`));
    p('', 'Shallow size grouped by crate (first path segment of the symbol; generic code is counted in the', 'crate that defines it, not the one that instantiates it):', '');
    p('| crate | shallow size |', '|---|---:|');
    for (const [c, s] of r.wasm.crates) p(`| ${c} | ${kb(s)} |`);
    p('');
  }

  p(`## 2. First sync of ${r.docs.toLocaleString('en')} records from an empty tablet`, '');
  if (err(r.seed)) p(err(r.seed), '');
  if (err(r.sync)) p(err(r.sync), '');
  if (Array.isArray(r.sync)) {
    p('The server is seeded with POST /api/sync batches of 200 ' + (r.seed && r.seed.pushMs ? `(took ${ms(r.seed.pushMs)} for ${r.docs.toLocaleString('en')} + ${r.people ?? 80} documents). ` : '') + 'Then, in a fresh profile each run: the set-up link `/settings?sync=…&token=…&mode=native`, click', '"使用这些设置", and time until `[data-testid=sync-status]` has `data-running="false"` and a', '`data-last-ok`. Over loopback, so network time is nearly nil: this is the app\'s and the server\'s work.', 'The generated ids grow with the order the server receives the documents, as on a real team where ids are', 'time-ordered and tablets push what they made: each received page then finds its local copies with one key', 'listing (src/storage/sync_store.rs). Where the two orders are unrelated, each document is read on its own,', 'which cost ~0.7 s more on this set when measured (4.5-4.8 s against 5.2-5.9 s, interleaved runs).', '');
    p('| run | time | stored in IndexedDB | cards in the list |', '|---:|---:|---:|---:|');
    r.sync.forEach((x, i) => p(`| ${i + 1} | ${ms(x.took)} | ${x.stored.activities} activities, ${x.stored.people} people | ${x.cards} |`));
    p('', '| figure | value | budget | verdict |', '|---|---:|---:|---|');
    p(`| first sync, median of ${r.sync.length} | ${ms(f.sync)} | 5 s | ${verdict(f.sync, 5000)} |`, '');
  }

  p('## 3. Start', '');
  if (err(r.start)) p(err(r.start), '');
  else {
    p('Time from navigation start until the record list is usable: the `<h1>` is there and a', '`.record-card` or the empty-list text, and the next frame has been drawn. First visit: fresh profile,', 'CDP `Emulation.setCPUThrottlingRate` 4 and `Network.emulateNetworkConditions` 1.6 Mbit/s down,', '750 kbit/s up, 150 ms latency. Later start: after one online visit installed the service worker,', 'the server is stopped and the browser restarted with the network off (same profile).', '');
    const row = (name, xs) => p(`| ${name} | ${xs.map((x) => ms(x.readyPainted)).join(', ')} | ${ms(median(xs.map((x) => x.h1)))} | ${ms(median(xs.map((x) => x.readyPainted)))} |`);
    p('| start | runs | median `<h1>` | median usable |', '|---|---|---:|---:|');
    row('first visit, 4× CPU, 1.6 Mbit/s, 150 ms', r.start.first);
    row('offline, from the service worker', r.start.offline);
    if (r.start.offlineThrottled.length) row('offline, from the service worker, 4× CPU', r.start.offlineThrottled);
    p('', '| figure | value | budget | verdict |', '|---|---:|---:|---|');
    p(`| first visit (throttled) | ${ms(f.first)} | 2.5 s | ${verdict(f.first, 2500)} |`);
    p(`| offline start from the service worker | ${ms(f.offline)} | 0.5 s | ${verdict(f.offline, 500)} |`);
    if (f.offlineThrottled != null) p(`| offline start, 4× CPU (no budget given; for reference) | ${ms(f.offlineThrottled)} | – | – |`);
    p('');
  }

  p(`## 4. With ${r.docs.toLocaleString('en')} records stored`, '');
  storedReport(p, r.docs, r.people, r.stored);
  if (r.large) {
    p(`## 4b. With ${r.large.docs.toLocaleString('en')} records stored`, '');
    if (err(r.large.sync)) p(err(r.large.sync), '');
    else if (Array.isArray(r.large.sync)) {
      const x = r.large.sync[0];
      p(`First sync of ${r.large.docs.toLocaleString('en')} records (one run, as in section 2; seeding took ${ms(r.large.seed && r.large.seed.pushMs)}): **${ms(x.took)}**; stored ${x.stored.activities} activities, ${x.stored.people} people; the list shows ${x.cards} records.`, '');
    }
    storedReport(p, r.large.docs, r.large.people, r.large.stored);
    if (f.large && f.listAfterShell != null) {
      p(`### How the figures grow from ${r.docs.toLocaleString('en')} to ${r.large.docs.toLocaleString('en')} records`, '');
      p(`| figure | ${r.docs.toLocaleString('en')} | ${r.large.docs.toLocaleString('en')} | growth |`, '|---|---:|---:|---:|');
      const g = (name, a, b, fmt = ms) => p(`| ${name} | ${fmt(a)} | ${fmt(b)} | ${a && b ? (b / a).toFixed(1) + '×' : '–'} |`);
      g('first sync', f.sync, f.large.sync);
      g('list: first screen after the shell', f.listAfterShell, f.large.listAfterShell);
      g('list: every row loaded, after the shell', f.listReady, f.large.listReady);
      g('search keystroke', f.search, f.large.search);
      g('saving an edit', f.save, f.large.save);
      g('scrolling: 95th percentile frame', f.scrollP95, f.large.scrollP95);
      g('JS heap + wasm memory', f.heap + (f.wasmMem ?? 0), f.large.heap + (f.large.wasmMem ?? 0), MB);
      p('');
    }
  }

  p('## 5. IndexedDB bulk write vs Dexie', '');
  if (err(r.dexie)) p(err(r.dexie), '');
  else {
    p(`The same ${r.docs.toLocaleString('en')} documents written into an empty store (key \`id\`, indexes \`body.date\`, \`body.kind\`, as`, `the app's schema), in the same page, alternately 3 times each: plain IndexedDB (one readwrite transaction,`, `one \`put\` per document) and Dexie ${r.dexie.dexieVersion} \`bulkPut\`. Time until the transaction completed.`, '');
    p('| writer | runs | median |', '|---|---|---:|');
    p(`| plain IndexedDB | ${r.dexie.raw.map(ms).join(', ')} | ${ms(f.raw10k)} |`);
    p(`| Dexie bulkPut | ${r.dexie.dexie.map(ms).join(', ')} | ${ms(f.dexie10k)} |`);
    p('', `Ratio Dexie / plain: ${(f.dexie10k / f.raw10k).toFixed(2)}. This compares storage libraries on the same data, not the app's own`, 'write path (rexie from wasm), whose cost is inside the sync figure of section 2.', '');
  }
  p(...pouchSection(r.pouch, f.sync));

  p('## Not measured yet', '');
  p('- Real tablets (ARM CPUs, Safari/WebKit); Chromium\'s CPU throttling only approximates a slower CPU.');
  p('- Sync over a real network (section 2 is loopback) and incremental syncs after the first.');
  p('- The app\'s own IndexedDB write path in isolation (it is part of the sync figure).');
  p('- A first sync whose ids do not follow the server\'s order (see section 2).', '');
  return out.join('\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
