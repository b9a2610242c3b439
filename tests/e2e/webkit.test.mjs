// The offline start, autosave and sync scenarios in the Safari engine (WebKitGTK's MiniBrowser
// under WebKitWebDriver, tests/e2e/webkit.mjs): iPads run WebKit, and IndexedDB and service
// workers are where engines differ. Each test runs its own server, so it can stop it.
//
// MiniBrowser's automation sessions are ephemeral (see webkit.mjs): the offline start, which
// restarts the browser with the same data, runs in webkit-host.py with a profile directory.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from './helpers.mjs';
import { launchWebKit } from './webkit.mjs';

/** Waits until the app has rendered: `<html lang>` set and an `<h1>`. */
const waitForApp = (wk) =>
  wk.waitFor(() => document.documentElement.lang !== '' && document.querySelector('h1') !== null, [], { what: 'the app to render' });

/** Waits until autosave says the draft is in IndexedDB. */
const saved = (wk) => wk.waitFor(() => document.querySelector('[data-saved="true"]') !== null, [], { timeout: 10_000, what: 'the saved state' });

/** The titles on the record list. */
const cardTitles = (wk) => wk.run(() => [...document.querySelectorAll('.record-card')].map((c) => c.textContent));

async function newRecord(wk, title) {
  await wk.click(await wk.byText('a', '活动记录'));
  await wk.click(await wk.byText('button', '新建记录'));
  await wk.type(await wk.byLabel('标题'), title);
  await saved(wk);
  return wk.url();
}

/** Waits until a record card with `title` is on the list. */
const cardShown = (wk, title) =>
  wk.waitFor((t) => [...document.querySelectorAll('.record-card')].some((c) => c.textContent.includes(t)), [title], { what: `the card ${title}` });

/** Presses "Sync now" and waits for a finished, successful sync with nothing left waiting. */
async function syncNow(wk) {
  const before = await wk.run(() => document.querySelector('[data-testid=sync-status]')?.dataset.lastOk ?? null);
  await wk.click(await wk.byText('button', '立即同步', '[data-testid=sync-status]'));
  await wk.waitFor(
    (prev) => {
      const el = document.querySelector('[data-testid=sync-status]');
      return el && el.dataset.running === 'false' && el.dataset.lastOk !== prev && el.textContent.includes('全部已同步');
    },
    [before],
    { what: 'a finished sync' },
  );
}

/** Opens the app online and waits until its service worker controls the page (all is cached). */
async function firstVisit(wk, origin) {
  await wk.goto(origin + '/');
  await waitForApp(wk);
  await wk.waitFor(() => navigator.serviceWorker && navigator.serviceWorker.controller !== null, [], { what: 'a controlling service worker' });
}

test('WebKit: after one online visit the app starts offline after a browser restart and shows the stored records', async () => {
  let server = await startServer();
  const profile = await mkdtemp(join(tmpdir(), 'xunfang-e2e-webkit-'));
  let wk = await launchWebKit({ profile });
  try {
    await firstVisit(wk, server.url);
    const recordUrl = await newRecord(wk, '视察石门乡水厂');
    await wk.close();

    // The network goes (the server stops: nothing answers on its port any more) and the
    // browser starts again with the same data.
    await server.stop();
    server = null;
    wk = await launchWebKit({ profile });
    await wk.goto(recordUrl);
    await waitForApp(wk);
    assert.equal(await wk.value(await wk.byLabel('标题')), '视察石门乡水厂');
    assert.equal(await wk.runAsync(() => fetch('/api/health').then(() => 'answered', () => 'unreachable')), 'unreachable');
    await wk.click(await wk.byText('a', '活动记录'));
    await cardShown(wk, '视察石门乡水厂');
    // Still editing offline: a second record is saved to IndexedDB.
    await newRecord(wk, '离线新建的走访记录');
    await wk.click(await wk.byText('a', '活动记录'));
    await cardShown(wk, '离线新建的走访记录');
  } finally {
    await wk.close();
    if (server) await server.stop();
    await rm(profile, { recursive: true, force: true });
  }
});

test('WebKit: after one online visit the office screens (lazily loaded chunks of the split build) open offline after a browser restart', async () => {
  let server = await startServer();
  const profile = await mkdtemp(join(tmpdir(), 'xunfang-e2e-webkit-'));
  let wk = await launchWebKit({ profile });
  try {
    await firstVisit(wk, server.url);
    // Only the first screen's wasm was fetched by the page; the chunks are the worker's to fetch.
    const pageWasm = await wk.run(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname).filter((p) => p.endsWith('.wasm')));
    assert.equal(pageWasm.filter((p) => !p.endsWith('_bg.wasm')).length, 0, `the record list loads no lazy chunk (${pageWasm})`);
    await wk.close();

    await server.stop();
    const origin = server.url;
    server = null;
    wk = await launchWebKit({ profile });
    for (const [path, title] of [['/office', '办公室'], ['/office/exports', '导出与备份'], ['/office/report', '期间统计报表']]) {
      await wk.goto(origin + path);
      await wk.waitFor((t) => document.querySelector('h1')?.textContent === t, [title], { what: `the screen ${title}` });
    }
    assert.equal(await wk.runAsync(() => fetch('/api/health').then(() => 'answered', () => 'unreachable')), 'unreachable');
  } finally {
    await wk.close();
    if (server) await server.stop();
    await rm(profile, { recursive: true, force: true });
  }
});

test('WebKit: autosave keeps a record in IndexedDB across a reload', async () => {
  const server = await startServer();
  const wk = await launchWebKit();
  try {
    await wk.goto(server.url + '/');
    await waitForApp(wk);
    const recordUrl = await newRecord(wk, '旁听庭审：民间借贷纠纷案');
    await wk.type(await wk.byLabel('地点'), '县人民法院第一法庭');
    await wk.type(await wk.byLabel('内容'), '庭审过程规范，当事人权利得到保障。');
    await saved(wk);

    await wk.reload();
    await waitForApp(wk);
    assert.equal(await wk.url(), recordUrl);
    assert.equal(await wk.value(await wk.byLabel('标题')), '旁听庭审：民间借贷纠纷案');
    assert.equal(await wk.value(await wk.byLabel('地点')), '县人民法院第一法庭');
    assert.equal(await wk.value(await wk.byLabel('内容')), '庭审过程规范，当事人权利得到保障。');
    // The data is in IndexedDB, not only in the page: the list, opened afresh, has it too.
    await wk.goto(server.url + '/');
    await waitForApp(wk);
    await cardShown(wk, '旁听庭审：民间借贷纠纷案');
    assert.equal((await cardTitles(wk)).length, 1);
  } finally {
    await wk.close();
    await server.stop();
  }
});

test('WebKit: two tablets sync through the server, each sees the record of the other', async () => {
  const server = await startServer();
  const token = server.token('office');
  const setup = `${server.url}/settings?sync=${encodeURIComponent(server.url)}&token=${encodeURIComponent(token)}&mode=native`;
  const tablets = [];
  try {
    for (let i = 0; i < 2; i++) {
      const wk = await launchWebKit();
      tablets.push(wk);
      await wk.goto(setup);
      await waitForApp(wk);
      await wk.click(await wk.byText('button', '使用这些设置'));
      await wk.waitFor(() => document.querySelector('[data-testid=sync-status]')?.dataset.lastOk, [], { what: 'the first sync' });
    }
    const [a, b] = tablets;
    await newRecord(a, '甲平板的走访记录');
    await syncNow(a);
    await newRecord(b, '乙平板的视察记录');
    await syncNow(b);
    await syncNow(a);
    for (const wk of tablets) {
      await wk.click(await wk.byText('a', '活动记录'));
      await cardShown(wk, '甲平板的走访记录');
      await cardShown(wk, '乙平板的视察记录');
    }

    // The server holds both records, once each.
    const r = await fetch(`${server.url}/api/sync`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ protocol: 1, device: 'e2e-webkit-check', cursor: null, push: [] }),
    });
    assert.equal(r.status, 200);
    const docs = (await r.json()).docs.filter((d) => d.type === 'activity');
    assert.equal(docs.length, 2, 'the server holds two records');
    assert.equal(new Set(docs.map((d) => d.id)).size, 2, 'each once');
  } finally {
    for (const wk of tablets) await wk.close();
    await server.stop();
  }
});
