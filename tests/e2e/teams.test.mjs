// Teams never mix, end to end (Chromium): two teams on one server. A tablet of team A is
// re-pointed to team B by changing only its token: it says what is on it first, erases
// nothing while A's unsent change cannot be sent, then sends it, erases, and shows only B's
// records; B's server never receives an A document. A crafted set-up link to another origin
// shows the host and the record count and sends nothing until confirmed; one to a plain-http
// host is refused. "Sign out and erase this tablet" asks twice while a change is unsent and
// leaves no record, photo, token or data cache behind (listed through the browser's own APIs).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, saved, startServer, waitForApp } from './helpers.mjs';

const lastOk = (page) => page.getByTestId('sync-status').getAttribute('data-last-ok');

/** Waits for a sync that finished after `before` (the `data-last-ok` seen earlier). */
async function syncedAfter(page, before) {
  await page.waitForFunction(
    (prev) => {
      const el = document.querySelector('[data-testid=sync-status]');
      return el && el.dataset.running === 'false' && el.dataset.lastOk && el.dataset.lastOk !== prev;
    },
    before,
    { timeout: 30_000 },
  );
}

/** Types the server and `token` into the sync settings and saves them. */
async function useToken(page, server, token) {
  await page.goto(`${server.url}/settings`);
  await waitForApp(page);
  await page.getByLabel('服务器地址').fill(server.url);
  await page.getByLabel('访问令牌').fill(token);
  await page.getByRole('button', { name: '保存同步设置' }).click();
}

async function newRecord(page, title) {
  await page.getByRole('link', { name: '活动记录' }).click();
  await page.getByRole('button', { name: '新建记录' }).click();
  await page.getByLabel('标题', { exact: true }).fill(title);
  try {
    await saved(page);
  } catch (e) {
    // What the screen showed, for a failure seen rarely: the save line's state, the field, and the page's own log.
    const status = await page.locator('.save-status').allInnerTexts().catch((x) => x.message);
    const value = await page.getByLabel('标题', { exact: true }).inputValue().catch((x) => x.message);
    e.message += `\nurl ${page.url()}; save status ${JSON.stringify(status)}; title ${JSON.stringify(value)}\n${(page.xunfangLog ?? []).join('\n')}`;
    throw e;
  }
}

/** Keeps the page's console, errors and failed requests, for `newRecord`'s failure message. */
function keepLog(page) {
  const log = (page.xunfangLog = []);
  const at = () => new Date().toISOString().slice(11, 23);
  page.on('console', (m) => log.push(`${at()} console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => log.push(`${at()} page error: ${e}`));
  page.on('requestfailed', (r) => log.push(`${at()} request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('framenavigated', (f) => f === page.mainFrame() && log.push(`${at()} at ${f.url()}`));
}

async function titlesShown(page) {
  await page.getByRole('link', { name: '活动记录' }).click();
  // The list itself, read to its end (the screen being left stays in the page, hidden, until then).
  await page.getByRole('heading', { level: 1, name: '活动记录' }).waitFor();
  await page.locator('ul.record-list[data-count], p.empty').first().waitFor();
  return page.locator('.record-card').allInnerTexts();
}

/** Every document the server gives `token`'s team, as JSON text. */
async function teamDocs(server, token) {
  const r = await fetch(`${server.url}/api/sync`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ protocol: 1, device: 'teams-check', cursor: null, push: [] }),
  });
  assert.equal(r.status, 200);
  return (await r.json()).docs.map((d) => JSON.stringify(d));
}

/** A tablet of `team` (a token typed into settings) with the records `titles`, all synced. */
async function tabletWith(server, token, titles) {
  const context = await launch();
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    keepLog(page);
    await useToken(page, server, token);
    for (const title of titles) await newRecord(page, title);
    const before = await lastOk(page);
    await page.getByTestId('sync-status').getByRole('button', { name: '立即同步' }).click();
    await syncedAfter(page, before);
    await page.getByTestId('sync-status').filter({ hasText: '全部已同步' }).waitFor({ timeout: 30_000 });
    return { context, page };
  } catch (e) {
    // A browser left open keeps the test file's process alive: the whole e2e run would hang, not fail.
    await context.cleanup();
    throw e;
  }
}

test('a tablet of team A re-pointed to team B warns, keeps unsent work until it is sent, and then holds only B', async () => {
  const server = await startServer();
  const [tokenA, tokenB] = [server.token('城关联络站'), server.token('东区联络站')];
  let a, b;
  try {
    b = await tabletWith(server, tokenB, ['东区的走访记录']);
    a = await tabletWith(server, tokenA, ['城关的走访记录']);
    const pad = a.page;
    // An edit that cannot leave yet: the server is out of reach for sync.
    await pad.route('**/api/sync', (r) => r.abort());
    await newRecord(pad, '城关未发送的记录');

    await useToken(pad, server, tokenB);
    const warning = pad.getByTestId('switch-warning');
    await warning.waitFor();
    const holding = await pad.getByTestId('switch-holding').innerText();
    assert.match(holding, /团队“城关联络站”的 2 条记录和 0 张照片/, holding);
    assert.match(holding, /1 项更改尚未发送/, holding);
    assert.match(await warning.innerText(), /东区联络站/, 'the new team is named');

    // Sending fails: nothing is erased, and cancelling leaves the tablet as it was.
    await warning.getByRole('button', { name: '先发送待发送的更改，再清除并切换' }).click();
    await pad.getByTestId('switch-stopped').waitFor({ timeout: 30_000 });
    await warning.getByRole('button', { name: '取消' }).click();
    assert.deepEqual((await titlesShown(pad)).length, 2);
    for (const doc of await teamDocs(server, tokenB)) assert.ok(!doc.includes('城关'), `B never got an A document: ${doc}`);

    // Reachable again: send, erase, switch.
    await pad.unroute('**/api/sync');
    await useToken(pad, server, tokenB);
    await warning.getByRole('button', { name: '先发送待发送的更改，再清除并切换' }).click();
    await pad.waitForURL((u) => new URL(u).pathname === '/', { timeout: 30_000 });
    await waitForApp(pad);
    await pad.locator('.record-card', { hasText: '东区的走访记录' }).waitFor({ timeout: 30_000 });
    const shown = await titlesShown(pad);
    assert.equal(shown.length, 1, `only B's record: ${shown}`);

    const [docsA, docsB] = [await teamDocs(server, tokenA), await teamDocs(server, tokenB)];
    assert.ok(docsA.some((d) => d.includes('城关未发送的记录')), 'the unsent A record reached A before the erase');
    assert.equal(docsB.filter((d) => d.includes('城关')).length, 0, 'B never received an A document');
    assert.ok(docsB.some((d) => d.includes('东区的走访记录')));
  } finally {
    await a?.context.cleanup();
    await b?.context.cleanup();
    await server.stop();
  }
});

test('a crafted set-up link to another origin shows its host and the record count and sends nothing until confirmed', async () => {
  const server = await startServer();
  const other = await startServer();
  let a;
  try {
    a = await tabletWith(server, server.token('城关联络站'), ['城关的走访记录']);
    const pad = a.page;
    const toOther = [];
    a.context.on('request', (r) => {
      if (new URL(r.url()).port === String(other.port)) toOther.push(r.url());
    });
    await pad.goto(`${server.url}/`);
    await waitForApp(pad);
    await pad.goto(`${server.url}/settings#sync=${encodeURIComponent(other.url)}&token=${'e'.repeat(64)}&mode=native`);
    await waitForApp(pad);
    const offer = pad.getByTestId('setup-offer');
    await offer.waitFor();
    await pad.getByTestId('setup-offer-holding').filter({ hasText: '1 条记录' }).waitFor();
    assert.match(await offer.innerText(), new RegExp(`127\\.0\\.0\\.1:${other.port}`), 'the host is shown');
    assert.deepEqual(toOther, [], 'nothing went to the other origin before the person chose');

    await offer.getByRole('button', { name: '使用这些设置' }).click();
    const warning = pad.getByTestId('switch-warning');
    await warning.waitFor();
    assert.match(await pad.getByTestId('switch-holding').innerText(), /1 条记录/);
    assert.deepEqual(toOther, [], 'not even the token went there while the warning is open');
    await warning.getByRole('button', { name: '取消' }).click();
    assert.equal((await titlesShown(pad)).length, 1);

    // A link to a plain-http host elsewhere is refused outright.
    await pad.goto(`${server.url}/`);
    await waitForApp(pad);
    await pad.goto(`${server.url}/settings#sync=${encodeURIComponent('http://office.example')}&token=x&mode=native`);
    await waitForApp(pad);
    await pad.getByTestId('setup-offer-refused').filter({ hasText: '不是 https' }).waitFor();
    assert.equal(await pad.getByRole('button', { name: '使用这些设置' }).count(), 0);
    assert.deepEqual(toOther, []);
  } finally {
    await a?.context.cleanup();
    await server.stop();
    await other.stop();
  }
});

/** What the browser still holds for this origin: every IndexedDB database with its stores'
 * counts, localStorage and sessionStorage, and every cache with its URLs. */
async function leftovers(page) {
  return page.evaluate(async () => {
    const dbs = {};
    for (const { name } of await indexedDB.databases()) {
      const db = await new Promise((ok, fail) => {
        const r = indexedDB.open(name);
        r.onsuccess = () => ok(r.result);
        r.onerror = () => fail(r.error);
      });
      const counts = {};
      for (const store of db.objectStoreNames) {
        counts[store] = await new Promise((ok) => {
          const r = db.transaction(store).objectStore(store).count();
          r.onsuccess = () => ok(r.result);
        });
      }
      db.close();
      dbs[name] = counts;
    }
    const storage = (s) => Object.fromEntries(Object.keys(s).map((k) => [k, s.getItem(k)]));
    const caches_ = {};
    for (const name of await caches.keys()) caches_[name] = (await (await caches.open(name)).keys()).map((r) => r.url);
    return { dbs, local: storage(localStorage), session: storage(sessionStorage), caches: caches_ };
  });
}

test('sign out and erase asks twice while a change is unsent, then leaves no record, photo, token or cache behind', async () => {
  const server = await startServer();
  const token = server.token('城关联络站');
  let a;
  try {
    a = await tabletWith(server, token, ['城关的走访记录']);
    const pad = a.page;
    await pad.route('**/api/**', (r) => r.abort());
    await newRecord(pad, '带照片的未发送记录');
    const photo = await pad.evaluate(() => {
      const c = document.createElement('canvas');
      c.width = 64;
      c.height = 48;
      c.getContext('2d').fillRect(8, 8, 32, 24);
      return c.toDataURL('image/jpeg').split(',')[1];
    });
    await pad.locator('#choose-photo').setInputFiles({ name: 'p.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(photo, 'base64') });
    await pad.getByTestId('photo-img').first().waitFor({ timeout: 20_000 });
    await saved(pad);
    // A data cache, as a later version's service worker might keep.
    await pad.evaluate(async () => (await caches.open('xunfang-data-test')).put('/api/blobs/x', new Response('team data')));
    const before = await leftovers(pad);
    assert.ok(before.dbs.xunfang.activities >= 2 && before.dbs.xunfang.photos >= 1 && before.dbs.xunfang.outbox >= 1, JSON.stringify(before.dbs));
    assert.ok(Object.values(before.local).some((v) => v.includes(token)), 'the token was in localStorage before');

    await pad.getByRole('link', { name: '设置' }).click();
    const erase = pad.getByTestId('erase-tablet');
    await erase.click();
    await pad.getByRole('alertdialog').filter({ hasText: '还有未发送的更改' }).getByRole('button', { name: '取消' }).click();
    assert.equal((await leftovers(pad)).dbs.xunfang.activities, before.dbs.xunfang.activities, 'cancelled: nothing erased');
    await erase.click();
    await pad.getByRole('alertdialog').filter({ hasText: '还有未发送的更改' }).getByRole('button', { name: '继续' }).click();
    await pad.getByRole('alertdialog').filter({ hasText: '再确认一次' }).getByRole('button', { name: '清除' }).click();
    await pad.waitForURL((u) => new URL(u).pathname === '/', { timeout: 30_000 });
    await waitForApp(pad);
    await pad.unroute('**/api/**');

    const after = await leftovers(pad);
    for (const [name, counts] of Object.entries(after.dbs)) {
      for (const [store, n] of Object.entries(counts)) assert.equal(n, 0, `${name}.${store} is empty after the erase`);
    }
    const local = JSON.stringify(after.local);
    assert.ok(!local.includes(token) && !('xunfang.sync' in after.local), `no token or sync settings: ${local}`);
    assert.notEqual(after.local['xunfang.device'], before.local['xunfang.device'], 'the tablet starts as a new device');
    assert.deepEqual(after.session, {});
    assert.ok(!('xunfang-data-test' in after.caches), `the data cache is gone: ${Object.keys(after.caches)}`);
    for (const [name, urls] of Object.entries(after.caches)) {
      assert.ok(urls.every((u) => !new URL(u).pathname.startsWith('/api/')), `${name} holds only the app's files`);
    }
    assert.equal((await titlesShown(pad)).length, 0, 'the app restarted empty');
  } finally {
    await a?.context.cleanup();
    await server.stop();
  }
});
