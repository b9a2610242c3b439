// Sync end to end: two isolated browser profiles are two tablets. Both edit
// the same record offline (different fields and the same field) and create
// records of their own; both come back online; both show the same data with
// the conflict on both, and the server holds every record once. Then the
// same with a plain REST JSON server (json-server) in REST mode. Last, the
// office's own documents (a proposal, an opinion report): a same-field
// conflict there is shown and settled with "use this" like on a record.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, startServer, syncNow, waitForApp } from './helpers.mjs';

const saved = (page) => page.locator('[data-saved="true"]').waitFor({ timeout: 10_000 });

async function tablet(setupUrl) {
  const context = await launch();
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(setupUrl);
  await waitForApp(page);
  await page.getByRole('button', { name: '使用这些设置' }).click();
  await page.waitForFunction(() => document.querySelector('[data-testid=sync-status]')?.dataset.lastOk, undefined, { timeout: 30_000 });
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

async function twoTabletsConverge(setupUrl, serverDocs) {
  const a = await tablet(setupUrl);
  const b = await tablet(setupUrl);
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

test('two tablets converge through a plain REST JSON server (json-server) in REST mode', async () => {
  const server = await startServer();
  const dir = await mkdtemp(join(tmpdir(), 'xunfang-json-server-'));
  const dbFile = join(dir, 'db.json');
  await writeFile(dbFile, JSON.stringify({ activities: [], people: [] }));
  const port = 30000 + Math.floor(Math.random() * 20000);
  const bin = new URL('./node_modules/.bin/json-server', import.meta.url).pathname;
  const rest = spawn(bin, ['--port', String(port), '--host', '127.0.0.1', dbFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
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
    const endpoint = `http://127.0.0.1:${port}`;
    const setup = `${server.url}/settings?sync=${encodeURIComponent(endpoint)}&token=&mode=rest`;
    await twoTabletsConverge(setup, async () => (await fetch(`${endpoint}/activities`)).json());
  } finally {
    rest.kill();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
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
