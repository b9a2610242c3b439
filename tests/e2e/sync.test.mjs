// Sync end to end: two isolated browser profiles are two tablets. Both edit
// the same record offline (different fields and the same field) and create
// records of their own; both come back online; both show the same data with
// the conflict on both, and the server holds every record once. Then the
// same with a plain REST JSON server in REST mode: json-server 0.17 and 1.0,
// each read whole and read incrementally (the changed-since filter and the
// paging each version spells its own way, conditional requests). Last, the
// office's own documents (a proposal, an opinion report): a same-field
// conflict there is shown and settled with "use this" like on a record. And
// a record the server refuses stays waiting, with the server's reason shown
// on it and in the sync line.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, startServer, syncNow, waitForApp } from './helpers.mjs';

const saved = (page) => page.locator('[data-saved="true"]').waitFor({ timeout: 10_000 });

async function tablet(setupUrl, configure) {
  const context = await launch();
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(setupUrl);
  await waitForApp(page);
  await page.getByRole('button', { name: '使用这些设置' }).click();
  await page.waitForFunction(() => document.querySelector('[data-testid=sync-status]')?.dataset.lastOk, undefined, { timeout: 30_000 });
  if (configure) await configure(page);
  return { context, page };
}

async function createRecord(page, title) {
  await page.getByRole('link', { name: '活动记录' }).click();
  await page.getByRole('button', { name: '新建记录' }).click();
  await page.getByLabel('标题', { exact: true }).fill(title);
  await saved(page);
  return page.url();
}

async function openRecord(page, title) {
  await page.getByRole('link', { name: '活动记录' }).click();
  await page.locator('.record-card', { hasText: title }).click();
  await page.getByLabel('标题', { exact: true }).waitFor();
}

async function twoTabletsConverge(setupUrl, serverDocs, configure) {
  const a = await tablet(setupUrl, configure);
  const b = await tablet(setupUrl, configure);
  try {
    await createRecord(a.page, '阳光评议座谈会');
    await syncNow(a.page);
    await syncNow(b.page);
    await openRecord(b.page, '阳光评议座谈会');
    await openRecord(a.page, '阳光评议座谈会');

    // Both offline: the header says so in words, and editing goes on.
    await a.context.setOffline(true);
    await b.context.setOffline(true);
    await a.page.getByLabel('地点', { exact: true }).fill('县政协会议室');
    await a.page.getByLabel('标题', { exact: true }).fill('阳光评议座谈会（甲）');
    await saved(a.page);
    await b.page.getByLabel('内容', { exact: true }).fill('与会代表提出三条意见');
    await b.page.waitForTimeout(50);
    await b.page.getByLabel('标题', { exact: true }).fill('阳光评议座谈会（乙）');
    await saved(b.page);
    await b.page.getByTestId('sync-status').getByRole('button', { name: '立即同步' }).click();
    await b.page.getByText(/无法连接服务器|服务器出错|已接收/).first().waitFor({ timeout: 20_000 });
    await createRecord(a.page, '甲平板新建的走访');
    await createRecord(b.page, '乙平板新建的视察');

    // Back online: sync by itself, then by hand until both have everything.
    await a.context.setOffline(false);
    await b.context.setOffline(false);
    for (const t of [a, b, a]) await syncNow(t.page);

    for (const t of [a, b]) {
      await openRecord(t.page, '阳光评议座谈会');
      assert.equal(await t.page.getByLabel('地点', { exact: true }).inputValue(), '县政协会议室');
      assert.equal(await t.page.getByLabel('内容', { exact: true }).inputValue(), '与会代表提出三条意见');
      assert.equal(await t.page.getByLabel('标题', { exact: true }).inputValue(), '阳光评议座谈会（乙）', 'the later edit wins');
      const conflicts = t.page.getByTestId('conflicts');
      await conflicts.getByText('阳光评议座谈会（甲）').waitFor();
      await t.page.getByRole('link', { name: '活动记录' }).click();
      for (const title of ['甲平板新建的走访', '乙平板新建的视察']) {
        await t.page.locator('.record-card', { hasText: title }).waitFor();
      }
    }

    // Settling the conflict on one tablet settles it on the other.
    await openRecord(a.page, '阳光评议座谈会');
    await a.page.getByTestId('conflicts').getByRole('button', { name: '使用这个' }).click();
    await a.page.getByTestId('conflicts').waitFor({ state: 'detached' });
    assert.equal(await a.page.getByLabel('标题', { exact: true }).inputValue(), '阳光评议座谈会（甲）');
    await syncNow(a.page);
    await syncNow(b.page);
    await openRecord(b.page, '阳光评议座谈会');
    assert.equal(await b.page.getByLabel('标题', { exact: true }).inputValue(), '阳光评议座谈会（甲）');
    assert.equal(await b.page.getByTestId('conflicts').count(), 0);

    const docs = await serverDocs();
    const ids = docs.map((d) => d.id);
    assert.equal(ids.length, 3, 'the server holds three records');
    assert.equal(new Set(ids).size, 3, 'each once');
  } finally {
    await a.context.cleanup();
    await b.context.cleanup();
  }
}

test('two tablets editing offline converge through the Xunfang server, conflict shown on both', async () => {
  const server = await startServer();
  try {
    const token = server.token('office');
    const setup = `${server.url}/settings?sync=${encodeURIComponent(server.url)}&token=${encodeURIComponent(token)}&mode=native`;
    await twoTabletsConverge(setup, async () => {
      const r = await fetch(`${server.url}/api/sync`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ protocol: 1, device: 'e2e-check', cursor: null, push: [] }),
      });
      assert.equal(r.status, 200);
      return (await r.json()).docs.filter((d) => d.type === 'activity');
    });
    // A wrong token is refused, and the tablet says so in words.
    const bad = await fetch(`${server.url}/api/sync`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer not-a-token' },
      body: JSON.stringify({ protocol: 1, device: 'x', cursor: null, push: [] }),
    });
    assert.equal(bad.status, 401);
  } finally {
    await server.stop();
  }
});

/** Starts json-server (`bin`, the package's own script: both versions
 * claim `.bin/json-server`) on an empty database; `stop` ends it. */
async function startJsonServer(bin, data = { activities: [], people: [] }) {
  const dir = await mkdtemp(join(tmpdir(), 'xunfang-json-server-'));
  const dbFile = join(dir, 'db.json');
  await writeFile(dbFile, JSON.stringify(data));
  const port = 30000 + Math.floor(Math.random() * 20000);
  const script = new URL(`./node_modules/${bin}`, import.meta.url).pathname;
  const rest = spawn(process.execPath, [script, '--port', String(port), '--host', '127.0.0.1', dbFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('json-server did not start')), 30_000);
    rest.stdout.on('data', (c) => {
      if (String(c).includes('Resources') || String(c).includes(`${port}`)) {
        clearTimeout(timer);
        resolve();
      }
    });
    rest.on('exit', (code) => reject(new Error(`json-server exited ${code}`)));
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async stop() {
      rest.kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const V017 = { version: '0.17', bin: 'json-server/lib/cli/bin.js', paging: '_page 与 _limit（json-server 0.17）', pageParam: '_limit=500' };
const V1 = { version: '1.0', bin: 'json-server-1/lib/bin.js', paging: '_page 与 _per_page（json-server 1.0）', pageParam: '_per_page=500' };

/** Records every GET of `endpoint`/activities a page makes, with its answer's status. */
function recordListings(page, endpoint, listings) {
  page.on('response', (r) => {
    if (r.url().startsWith(`${endpoint}/activities`) && r.request().method() === 'GET') listings.push({ url: r.url(), status: r.status() });
  });
}

/** Turns on every incremental read in the sync settings, `paging` as named there. */
async function readIncrementally(page, paging) {
  await page.getByLabel('条件请求').check();
  await page.getByLabel('自某时以来的修改').fill('updated.hlc.millis_gte={since}');
  await page.getByLabel('分页方式').selectOption({ label: paging });
  await page.getByRole('button', { name: '保存同步设置' }).click();
  await page.getByRole('status').getByText('已保存').waitFor();
}

/** The query strings of the listings, checked: each answered, paged and filtered as `server` spells it. */
function checkIncremental(listings, { version, pageParam }) {
  assert.ok(listings.length > 0 && listings.every((l) => l.status === 200 || l.status === 304), JSON.stringify(listings.slice(0, 5)));
  const asked = listings.map((l) => new URL(l.url).search);
  assert.ok(asked.some((q) => q.includes(pageParam)), `paged as ${version} pages: ${asked.slice(0, 5)}`);
  assert.ok(asked.some((q) => q.includes('updated.hlc.millis_gte=')), `filtered: ${asked.slice(0, 5)}`);
}

// json-server 1.0 gives every POSTed document an id of its own, so it cannot
// hold this app's documents (see docs/sync-protocol.md); two tablets converge
// through 0.17, and 1.0 is shown reading what 0.17 stored, and refusing writes cleanly.
for (const { version, bin, paging, pageParam } of [V017]) {
  for (const incremental of [false, true]) {
    const how = incremental ? 'read incrementally (changed-since filter, paging, conditional requests)' : 'read whole';
    test(`two tablets converge through json-server ${version} in REST mode, ${how}`, async () => {
      const server = await startServer();
      const rest = await startJsonServer(bin);
      // Every listing the tablets asked for, and how it was answered.
      const listings = [];
      const configure = async (page) => {
        recordListings(page, rest.endpoint, listings);
        if (incremental) await readIncrementally(page, paging);
      };
      try {
        const setup = `${server.url}/settings?sync=${encodeURIComponent(rest.endpoint)}&token=&mode=rest`;
        await twoTabletsConverge(setup, async () => (await fetch(`${rest.endpoint}/activities`)).json(), configure);
        if (incremental) {
          checkIncremental(listings, { version, pageParam });
        } else {
          const asked = listings.map((l) => new URL(l.url).search);
          assert.ok(listings.length > 0 && asked.every((q) => q === ''), `the whole collection: ${asked.slice(0, 5)}`);
        }
      } finally {
        await rest.stop();
        await server.stop();
      }
    });
  }
}

test('a tablet reads through json-server 1.0 (its paging envelope and filter), and a write it cannot hold is taken back and shown', async () => {
  const server = await startServer();
  const v017 = await startJsonServer(V017.bin);
  let v1;
  const a = await tablet(`${server.url}/settings?sync=${encodeURIComponent(v017.endpoint)}&token=&mode=rest`);
  let b;
  try {
    await createRecord(a.page, '经 1.0 读取的走访');
    await createRecord(a.page, '经 1.0 读取的视察');
    await syncNow(a.page);
    // What 0.17 holds, served by 1.0.
    const activities = await (await fetch(`${v017.endpoint}/activities`)).json();
    assert.equal(activities.length, 2);
    v1 = await startJsonServer(V1.bin, { activities, people: [] });
    const listings = [];
    b = await tablet(`${server.url}/settings?sync=${encodeURIComponent(v1.endpoint)}&token=&mode=rest`, async (page) => {
      recordListings(page, v1.endpoint, listings);
      await readIncrementally(page, V1.paging);
    });
    await syncNow(b.page);
    await syncNow(b.page);
    await b.page.getByRole('link', { name: '活动记录' }).click();
    for (const title of ['经 1.0 读取的走访', '经 1.0 读取的视察']) await b.page.locator('.record-card', { hasText: title }).waitFor();
    checkIncremental(listings, V1);
    await createRecord(b.page, '1.0 存不下的记录');
    await syncNow(b.page, { allSent: false });
    await b.page.getByText('另起编号').first().waitFor({ timeout: 20_000 });
    for (let i = 0; i < 2; i++) await syncNow(b.page, { allSent: false });
    const held = await (await fetch(`${v1.endpoint}/activities`)).json();
    assert.equal(held.length, 2, `no stray copy left on the endpoint: ${held.map((d) => `${d.id} ${d.body?.title}`).join(', ')}`);
  } finally {
    await a.context.cleanup();
    await b?.context.cleanup();
    await v1?.stop();
    await v017.stop();
    await server.stop();
  }
});

/** Opens the office document titled `title` (a proposal or an opinion report). */
async function openOfficeDoc(page, title, label) {
  await page.getByRole('link', { name: '办公室', exact: true }).click();
  await page.getByRole('link', { name: title }).click();
  await page.getByLabel(label, { exact: true }).waitFor();
}

/** Both tablets change `label` of one office document offline; after
 * syncing, the later value shows, the earlier waits in the conflict list,
 * and "use this" settles it on both tablets. */
async function officeDocConflict(a, b, { create, label }) {
  const title = `${create}·共同文稿`;
  await a.page.getByRole('link', { name: '办公室', exact: true }).click();
  await a.page.getByRole('button', { name: create }).click();
  await a.page.getByLabel(label, { exact: true }).fill(title);
  await saved(a.page);
  await syncNow(a.page);
  await syncNow(b.page);
  await openOfficeDoc(b.page, title, label);
  await openOfficeDoc(a.page, title, label);

  await a.context.setOffline(true);
  await b.context.setOffline(true);
  await a.page.getByLabel(label, { exact: true }).fill(`${title}（甲）`);
  await saved(a.page);
  await b.page.waitForTimeout(50);
  await b.page.getByLabel(label, { exact: true }).fill(`${title}（乙）`);
  await saved(b.page);
  await a.context.setOffline(false);
  await b.context.setOffline(false);
  for (const t of [a, b, a]) await syncNow(t.page);

  for (const t of [a, b]) {
    await openOfficeDoc(t.page, `${title}（乙）`, label);
    assert.equal(await t.page.getByLabel(label, { exact: true }).inputValue(), `${title}（乙）`, 'the later edit wins');
    await t.page.getByTestId('conflicts').getByText(`${title}（甲）`).waitFor({ timeout: 10_000 });
  }
  await a.page.getByTestId('conflicts').getByRole('button', { name: '使用这个' }).click();
  await a.page.getByTestId('conflicts').waitFor({ state: 'detached' });
  assert.equal(await a.page.getByLabel(label, { exact: true }).inputValue(), `${title}（甲）`);
  await syncNow(a.page);
  await syncNow(b.page);
  await openOfficeDoc(b.page, `${title}（甲）`, label);
  assert.equal(await b.page.getByLabel(label, { exact: true }).inputValue(), `${title}（甲）`);
  assert.equal(await b.page.getByTestId('conflicts').count(), 0);
}

test('a same-field conflict on a proposal and on an opinion report is shown and settled', async () => {
  const server = await startServer();
  let a;
  let b;
  try {
    const token = server.token('office');
    const setup = `${server.url}/settings?sync=${encodeURIComponent(server.url)}&token=${encodeURIComponent(token)}&mode=native`;
    a = await tablet(setup);
    b = await tablet(setup);
    await officeDocConflict(a, b, { create: '新建提案', label: '案由' });
    await officeDocConflict(a, b, { create: '新建社情民意信息', label: '标题' });
  } finally {
    await a?.context.cleanup();
    await b?.context.cleanup();
    await server.stop();
  }
});

test('a record the server refuses stays waiting, with the reason on the record and in the sync line', async () => {
  const server = await startServer();
  let a;
  try {
    const token = server.token('office');
    const setup = `${server.url}/settings?sync=${encodeURIComponent(server.url)}&token=${encodeURIComponent(token)}&mode=native`;
    a = await tablet(setup);
    await a.context.setOffline(true);
    const id = new URL(await createRecord(a.page, '被拒收的记录')).pathname.split('/').pop();
    // A roster entry under the same id reaches the server first: the record
    // cannot be merged with it, so the server refuses the record.
    const stamp = { hlc: { millis: Date.now(), counter: 0 }, device: 'e2e-other' };
    const person = {
      format: 1,
      id,
      type: 'person',
      body: { name: '李明', role: 'member', sector: '', group: '', unit: '', phone: '', note: '', active: true },
      created: stamp,
      updated: stamp,
      stamps: {},
    };
    const pushed = await fetch(`${server.url}/api/sync`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ protocol: 1, device: 'e2e-other', cursor: null, push: [person] }),
    });
    assert.deepEqual((await pushed.json()).accepted, [id]);
    await a.context.setOffline(false);
    await a.page.getByTestId('sync-status').getByRole('button', { name: '立即同步' }).click();
    const notice = a.page.getByTestId('refused-notice');
    await notice.waitFor({ timeout: 30_000 });
    assert.match(await notice.textContent(), /服务器没有接受这条记录的这次修改.*cannot merge/);
    const line = a.page.getByTestId('sync-status');
    await line.getByText(/1 条修改待同步/).waitFor({ timeout: 10_000 });
    assert.match(await line.textContent(), /1 条记录被服务器拒绝： .*cannot merge/);
    assert.equal(await a.page.getByLabel('标题', { exact: true }).inputValue(), '被拒收的记录', 'the record is kept as it is');
  } finally {
    await a?.context.cleanup();
    await server.stop();
  }
});
