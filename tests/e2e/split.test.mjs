// After one online visit an offline start opens the office screens (the service worker precached
// every file, in the split build of xtask/src/split.rs also every lazily loaded chunk, which the
// first screen does not wait for); an update downloads only the files whose content-hashed name
// changed (public/sw.js). Runs against whichever build dist/ holds.
//
// The browser talks to a counting proxy in front of our server: one origin for the whole test
// (service workers and their caches are per origin), every request the server would see counted,
// and closing it is a network that is gone, for the page and the service worker alike.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, startServer, waitForApp, waitForServiceWorker } from './helpers.mjs';

const ROOT = process.cwd().endsWith('e2e') ? join(process.cwd(), '..', '..') : process.cwd();
const DIST = process.env.XUNFANG_DIST ?? join(ROOT, 'dist');
const CONTENT_NAMED = /-[0-9a-f]{16}(_bg)?\.(js|wasm|css)$/;
const OFFICE_SCREENS = [
  ['/office', '办公室'],
  ['/office/exports', '导出与备份'],
  ['/office/report', '期间统计报表'],
  ['/office/devices', '平板管理'],
  ['/settings', '设置'],
];

/** Forwards to `target.url`; `seen` lists the paths asked for, in order. While `held` is a
 * promise, a request whose path `hold` accepts waits for it (a slow network for those files). */
function countingProxy(target, { hold = () => false } = {}) {
  const seen = [];
  const held = { until: null };
  const server = http.createServer(async (req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    seen.push(path);
    if (held.until && hold(path)) await held.until;
    const to = new URL(target.url);
    const fwd = http.request({ host: to.hostname, port: to.port, path: req.url, method: req.method, headers: { ...req.headers, host: to.host } }, (up) => {
      res.writeHead(up.statusCode, up.headers);
      up.pipe(res);
    });
    fwd.on('error', () => res.destroy());
    req.pipe(fwd);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        seen,
        held,
        close: () => new Promise((done) => (server.closeAllConnections(), server.close(done))),
      }),
    ),
  );
}

/** The precache list a built sw.js carries. */
async function precacheList(dir) {
  const sw = await readFile(join(dir, 'sw.js'), 'utf8');
  return [...(sw.match(/^const FILES = \[(.*)\];$/m)?.[1] ?? '').matchAll(/'([^']+)'/g)].map((m) => m[1]);
}

const isChunk = (path) => path.endsWith('.wasm') && !path.endsWith('_bg.wasm');

test('the first screen is usable before any lazy chunk loads, the worker precaches every file, and an offline start opens the office screens', async () => {
  const files = await precacheList(DIST);
  assert.ok(files.some((f) => f.endsWith('_bg.wasm')), `the build has its main wasm (${files.join(', ')})`);

  let server = await startServer();
  const proxy = await countingProxy(server);
  const first = await launch();
  const dir = first.userDataDir;
  let again;
  try {
    const context = first;
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(proxy.url + '/');
    await waitForApp(page);
    await page.getByRole('heading', { name: '活动记录' }).waitFor();
    // Usable: the list's first-screen mark, or on this empty tablet the whole (empty) list's. What
    // the page fetched until then is what the first screen needed; chunks may come after it.
    const marks = ['xunfang:list-first-screen', 'xunfang:list-ready'];
    await page.waitForFunction((marks) => marks.some((n) => performance.getEntriesByName(n).length), marks);
    const early = await page.evaluate((marks) => {
      const usable = Math.min(...marks.flatMap((n) => performance.getEntriesByName(n).map((e) => e.startTime)));
      return performance.getEntriesByType('resource').filter((r) => r.startTime <= usable).map((r) => new URL(r.name).pathname);
    }, marks);
    assert.ok(early.some((p) => p.endsWith('_bg.wasm')), `the main wasm came before the first screen (${early.join(' ')})`);
    assert.deepEqual(early.filter(isChunk), [], 'the record list became usable without a lazy chunk');
    if (files.some(isChunk)) {
      // Its main action, New record, must not wait for the worker's precache of every chunk.
      await page.waitForFunction(() => performance.getEntriesByType('resource').some((r) => /\.wasm$/.test(r.name) && !/_bg\.wasm$/.test(r.name)));
    }
    await waitForServiceWorker(page);

    // The worker took every chunk into its cache, and no content-named file was downloaded twice
    // (what the page had fetched came from the HTTP cache).
    const cached = await page.evaluate(async () => {
      const names = await caches.keys();
      const cache = await caches.open(names.find((n) => n.startsWith('xunfang-')));
      return (await cache.keys()).map((r) => new URL(r.url).pathname);
    });
    for (const f of files) assert.ok(cached.includes(f), `${f} precached`);
    for (const f of files.filter((p) => CONTENT_NAMED.test(p))) {
      assert.equal(proxy.seen.filter((p) => p === f).length, 1, `${f} downloaded once (${proxy.seen.join(' ')})`);
    }
    await context.close();

    // No network, no server; the browser starts again with the same profile.
    await proxy.close();
    await server.stop();
    server = null;
    again = await launch({ userDataDir: dir, offline: true });
    const offline = again.pages()[0] ?? (await again.newPage());
    const errors = [];
    offline.on('pageerror', (e) => errors.push(e.message));
    for (const [path, title] of OFFICE_SCREENS) {
      await offline.goto(proxy.url + path);
      await waitForApp(offline);
      await offline.getByRole('heading', { level: 1, name: title }).waitFor();
    }
    // In-app navigation to a screen not opened before in this session.
    await offline.goto(proxy.url + '/');
    await offline.getByRole('heading', { name: '活动记录' }).waitFor();
    await offline.getByRole('link', { name: '人员名册' }).click();
    await offline.getByRole('heading', { level: 1, name: '人员名册' }).waitFor();
    assert.deepEqual(errors, []);
  } finally {
    await proxy.close().catch(() => {});
    if (server) await server.stop();
    await again?.cleanup();
    await first.cleanup();
  }
});

const SOME_ID = '01900000-0000-7000-8000-000000000000';
/** Every route src/app.rs declares (`:id` as some id), then the list again; in a split build each
 * route but the list is a lazily loaded chunk. Read from the source so a new screen is covered. */
const ROUTES = [
  ...[...readFileSync(join(ROOT, 'src', 'app.rs'), 'utf8').matchAll(/path!\("([^"]+)"\)/g)].map((m) => m[1].replace(/:[a-z_]+/g, SOME_ID)),
  '/',
];

/**
 * Follows a link to `path` the way a tap does and waits for the new screen's heading (the router
 * may patch the old screen's elements in place, so a changed heading is the sign, not a new node).
 */
async function navigateInApp(page, path, errors) {
  const before = await page.evaluate((to) => {
    const old = document.querySelector('h1')?.textContent ?? '';
    const a = document.createElement('a');
    a.href = to;
    a.textContent = to;
    document.body.append(a);
    a.click();
    a.remove();
    return old;
  }, path);
  await page
    .waitForFunction(
      ([to, old]) => location.pathname === to && [...document.querySelectorAll('h1')].some((h) => h.textContent !== '' && h.textContent !== old),
      [path, before],
      { timeout: 30_000 },
    )
    .catch((e) => assert.fail(`${path} did not open (${errors.join('; ') || e.message})`));
}

test('every screen opens and closes in one session without a trap or a console error', async () => {
  const server = await startServer();
  const context = await launch();
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const errors = [];
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
    await page.goto(server.url + '/');
    await waitForApp(page);
    assert.ok(ROUTES.length > 10, `routes read from src/app.rs: ${ROUTES.join(' ')}`);
    for (const path of ROUTES.slice(1)) {
      await navigateInApp(page, path, errors);
      assert.deepEqual(errors, [], `after opening ${path}`);
    }
    // A first load straight into a lazy screen, then back to the list.
    await page.goto(server.url + '/settings');
    await waitForApp(page);
    await navigateInApp(page, '/', errors);
    await page.getByRole('heading', { name: '活动记录' }).waitFor();
    assert.deepEqual(errors, []);
  } finally {
    await server.stop();
    await context.cleanup();
  }
});

const SPLIT_ONLY = { skip: !readdirSync(DIST).some((n) => isChunk('/' + n)) && 'a single build: no screen is on its way' };

/** Opens `path` on a network that holds every chunk back until `release()` (then lets them through);
 * the worker cannot finish its precache meanwhile, so no cached copy makes a screen open at once. */
async function withChunksHeld(path, body) {
  const server = await startServer();
  const proxy = await countingProxy(server, { hold: isChunk });
  const context = await launch();
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    let open;
    proxy.held.until = new Promise((r) => (open = r));
    const release = () => {
      open();
      proxy.held.until = null;
    };
    await page.goto(proxy.url + path);
    await body(page, release);
  } finally {
    await proxy.close();
    await server.stop();
    await context.cleanup();
  }
}

test('while the next screen is on its way, the screen being left is hidden and the app says so', SPLIT_ONLY, () =>
  withChunksHeld('/', async (page, release) => {
    // The first screen needs no chunk.
    await waitForApp(page);
    await page.getByRole('heading', { name: '活动记录' }).waitFor();
    await page.getByRole('link', { name: '人员名册' }).click();
    await page.getByRole('status').filter({ hasText: '正在打开…' }).waitFor();
    // The list's kind filter is labelled as the editor's kind is: nothing of the list may take a tap now.
    assert.equal(await page.getByRole('heading', { name: '活动记录' }).isVisible(), false, 'the list is hidden');
    assert.equal(await page.getByLabel('活动类型', { exact: true }).isVisible(), false, "the list's kind filter is hidden");
    release();
    await page.getByRole('heading', { level: 1, name: '人员名册' }).waitFor();
    assert.equal(await page.getByRole('status').filter({ hasText: '正在打开…' }).isVisible(), false);
  }));

test('a tap on the header while the first screen is on its way does not leave the URL and the screen apart', SPLIT_ONLY, () =>
  // The settings screen is a chunk: held back, the app opens with the header and no screen yet.
  withChunksHeld('/settings', async (page, release) => {
    await page.getByRole('status').filter({ hasText: '正在打开…' }).waitFor();
    // A tap where the header's Records link is, as a hurried user would (no waiting for it to be ready).
    await page.getByRole('link', { name: '活动记录' }).click({ force: true });
    release();
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    await page.waitForFunction(() => document.querySelector('main')?.getAttribute('aria-busy') === 'false');
    const shown = await page.getByRole('heading', { level: 1 }).first().innerText();
    const path = new URL(page.url()).pathname;
    assert.ok((path === '/' && shown === '活动记录') || (path === '/settings' && shown === '设置'), `the URL ${path} shows ${shown}`);
  }));

/** `name` with its 16-digit content hash replaced by that of `bytes`. */
const renamed = (name, bytes) => name.replace(/-[0-9a-f]{16}/, '-' + createHash('sha256').update(bytes).digest('hex').slice(0, 16));

/** Build B: build A with its stylesheet changed (renamed, index.html pointing to the new name). */
async function withStyleChanged(distB, names) {
  const css = names.find((n) => /^main-[0-9a-f]{16}\.css$/.test(n));
  const text = (await readFile(join(distB, css), 'utf8')) + '\n/* build B */\n';
  const cssB = renamed(css, text);
  await writeFile(join(distB, cssB), text);
  await rm(join(distB, css));
  const index = await readFile(join(distB, 'index.html'), 'utf8');
  await writeFile(join(distB, 'index.html'), index.replaceAll(css, cssB));
  return [[css, cssB]];
}

/**
 * Build B: build A with one file changed, renamed the way the builds name files. In a split
 * build a lazy chunk changes (the loader that names the chunk and the main js that imports the
 * loader are renamed with it); in a single build the stylesheet.
 */
async function buildWithOneFileChanged(distA) {
  const distB = await mkdtemp(join(tmpdir(), 'xunfang-dist-split-b-'));
  await cp(distA, distB, { recursive: true });
  const names = await readdir(distB);
  const chunk = names.find((n) => isChunk('/' + n));
  const cascade = chunk ? await withChunkChanged(distB, names, chunk) : await withStyleChanged(distB, names);
  const stamped = spawnSync('cargo', ['xtask', 'precache', distB, '--build-id', 'build-b-split'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(stamped.status, 0, stamped.stderr);
  return { distB, changed: cascade.map(([, to]) => '/' + to) };
}

async function withChunkChanged(distB, names, chunk) {
  // A custom section appended to a wasm module leaves it valid: id 0, size, name "b".
  const old = await readFile(join(distB, chunk));
  const changed = Buffer.concat([old, Buffer.from([0, 3, 1, 0x62, 0x42])]);
  const chunkB = renamed(chunk, changed);
  await writeFile(join(distB, chunkB), changed);
  await rm(join(distB, chunk));
  // The loader and the main js import each other: one hash of both names them (as split.rs does).
  const split = names.find((n) => /^split-.*\.js$/.test(n));
  const main = names.find((n) => /^xunfang-.*\.js$/.test(n));
  const splitText = (await readFile(join(distB, split), 'utf8')).replaceAll(chunk, chunkB);
  const mainText = await readFile(join(distB, main), 'utf8');
  const [splitB, mainB] = [split, main].map((n) => renamed(n, splitText + mainText));
  await writeFile(join(distB, splitB), splitText.replaceAll(main, mainB));
  await writeFile(join(distB, mainB), mainText.replaceAll(split, splitB));
  await rm(join(distB, split));
  await rm(join(distB, main));
  const index = await readFile(join(distB, 'index.html'), 'utf8');
  await writeFile(join(distB, 'index.html'), index.replaceAll(main, mainB));
  return [[chunk, chunkB], [split, splitB], [main, mainB]];
}

test('an update downloads only the files whose content-hashed name changed', async () => {
  const { distB, changed } = await buildWithOneFileChanged(DIST);
  let server = await startServer();
  const target = { url: server.url };
  const proxy = await countingProxy(target);
  const context = await launch();
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(proxy.url + '/');
    await waitForApp(page);
    await waitForServiceWorker(page);

    // B is deployed behind the same address; the next start installs it beside A.
    await server.stop();
    server = await startServer({ dist: distB });
    target.url = server.url;
    const before = proxy.seen.length;
    await page.reload();
    await waitForApp(page);
    await page.getByText('有新版本可用').waitFor({ timeout: 30_000 });
    const fetched = proxy.seen.slice(before).filter((p) => CONTENT_NAMED.test(p));
    assert.deepEqual([...new Set(fetched)].sort(), changed.filter((p) => CONTENT_NAMED.test(p)).sort(), 'only the renamed files come over the network');

    // B's cache is complete: after the switch an office screen opens from it.
    const reloaded = page.waitForEvent('load', { timeout: 30_000 });
    await page.getByRole('button', { name: '重新加载' }).click();
    await reloaded;
    await waitForApp(page);
    const cached = await page.evaluate(async () => (await (await caches.open('xunfang-build-b-split')).keys()).map((r) => new URL(r.url).pathname));
    for (const f of await precacheList(distB)) assert.ok(cached.includes(f), `${f} in B's cache`);
  } finally {
    await proxy.close();
    if (server) await server.stop();
    await context.cleanup();
    await rm(distB, { recursive: true, force: true });
  }
});
