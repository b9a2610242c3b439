// Offline launch and updates (issue: after one visit the app opens and works
// with no network, and updates never leave it stale). Each test runs its own
// server so it can stop it: Chromium's offline switch does not cover the
// service worker's own fetches, so the server really goes away.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, startServer, waitForApp, waitForServiceWorker } from './helpers.mjs';

const saved = (page) => page.locator('[data-saved="true"]').waitFor({ timeout: 10_000 });

async function newRecord(page, title) {
  await page.getByRole('button', { name: '新建记录' }).click();
  await page.getByLabel('标题', { exact: true }).fill(title);
  await saved(page);
  return page.url();
}

test('after one online visit the app starts, deep-links and edits offline, also after a browser restart', async () => {
  let server = await startServer();
  const context = await launch();
  const dir = context.userDataDir;
  let again;
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(server.url + '/');
    await waitForApp(page);
    await waitForServiceWorker(page);
    await page.locator('.connection', { hasText: '在线' }).waitFor();
    const recordUrl = await newRecord(page, '视察石门乡水厂');

    // The server goes away and the network is cut.
    await server.stop();
    server = null;
    await context.setOffline(true);
    await page.locator('.connection', { hasText: '离线' }).waitFor();
    await page.reload();
    await waitForApp(page);
    await page.goto(recordUrl);
    await waitForApp(page);
    await page.getByLabel('标题', { exact: true }).waitFor();
    assert.equal(await page.getByLabel('标题', { exact: true }).inputValue(), '视察石门乡水厂');
    await page.getByLabel('地点', { exact: true }).fill('石门乡');
    await saved(page);
    await page.getByRole('link', { name: '活动记录' }).click();
    await newRecord(page, '离线新建的走访记录');
    for (const link of ['人员名册', '回收站', '设置']) {
      await page.getByRole('link', { name: link }).click();
      await page.getByRole('heading', { level: 1 }).waitFor();
    }
    await context.close();

    // The browser restarts, still with no network and no server.
    again = await launch({ userDataDir: dir, offline: true });
    const p2 = again.pages()[0] ?? (await again.newPage());
    await p2.goto(recordUrl);
    await waitForApp(p2);
    await p2.getByLabel('地点', { exact: true }).waitFor();
    assert.equal(await p2.getByLabel('地点', { exact: true }).inputValue(), '石门乡');
    await p2.getByRole('link', { name: '活动记录' }).click();
    await p2.locator('.record-card', { hasText: '离线新建的走访记录' }).waitFor();
  } finally {
    if (server) await server.stop();
    if (again) await again.close();
    await context.cleanup();
  }
});

test('a new version is offered, an unsaved edit survives the reload, and the app then runs only the new build', async () => {
  const root = process.cwd().endsWith('e2e') ? join(process.cwd(), '..', '..') : process.cwd();
  const distA = process.env.XUNFANG_DIST ?? join(root, 'dist');
  // Version B: the same app stamped as another build, as a deploy would be.
  const distB = await mkdtemp(join(tmpdir(), 'xunfang-dist-b-'));
  await cp(distA, distB, { recursive: true });
  const stamped = spawnSync('cargo', ['xtask', 'precache', distB, '--build-id', 'build-b-for-test'], { cwd: root, encoding: 'utf8' });
  assert.equal(stamped.status, 0, stamped.stderr);

  let server = await startServer({ dist: distA });
  const port = server.port;
  const context = await launch();
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(server.url + '/settings');
    await waitForApp(page);
    await waitForServiceWorker(page);
    const buildA = await page.getByTestId('build').innerText();
    assert.notEqual(buildA, 'build-b-for-test');
    await page.getByRole('link', { name: '活动记录' }).click();
    await newRecord(page, '升级前的记录');

    // Deploy B on the same address; the next online start notices it.
    await server.stop();
    server = await startServer({ dist: distB, port });
    await page.reload();
    await waitForApp(page);
    await page.getByText('有新版本可用').waitFor({ timeout: 30_000 });
    await page.getByLabel('标题', { exact: true }).waitFor();
    // Still running A until the user says so.
    // An edit typed just before pressing reload is not lost.
    await page.getByLabel('内容', { exact: true }).fill('升级前最后一秒输入的内容');
    const reloaded = page.waitForEvent('load', { timeout: 30_000 });
    await page.getByRole('button', { name: '重新加载' }).click();
    await reloaded;
    await waitForApp(page);
    await page.getByLabel('内容', { exact: true }).waitFor();
    assert.equal(await page.getByLabel('内容', { exact: true }).inputValue(), '升级前最后一秒输入的内容');
    await page.getByRole('link', { name: '设置' }).click();
    assert.equal(await page.getByTestId('build').innerText(), 'build-b-for-test');
    const caches = await page.evaluate(() => caches.keys());
    assert.deepEqual(caches, ['xunfang-build-b-for-test'], 'the old build cache is removed');
  } finally {
    if (server) await server.stop();
    await context.cleanup();
    await rm(distB, { recursive: true, force: true });
  }
});

test('the storage section shows the numbers the browser reports', async () => {
  const server = await startServer();
  const context = await launch();
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(server.url + '/settings');
    await waitForApp(page);
    await page.getByTestId('storage-quota').waitFor();
    const estimate = await page.evaluate(() => navigator.storage.estimate());
    const mb = (n) => `${(n / 1_000_000).toFixed(1)} MB`;
    // The quota follows the disk's free space, which moves between two reads
    // while other work writes to the disk: equal within 1%.
    const shown = parseFloat(await page.getByTestId('storage-quota').innerText());
    assert.ok(Math.abs(shown - estimate.quota / 1_000_000) <= estimate.quota / 1_000_000 / 100 + 0.1, `quota shown ${shown} MB, browser reports ${mb(estimate.quota)}`);
    assert.match(await page.getByTestId('storage-persisted').innerText(), /持久保存/);
    await page.getByRole('heading', { name: '本机存储' }).waitFor();
  } finally {
    await server.stop();
    await context.cleanup();
  }
});

test('on Safari outside the home screen the app explains the seven-day rule once', async () => {
  const server = await startServer();
  const safari =
    'Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
  const context = await launch({ userAgent: safari });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(server.url + '/');
    await waitForApp(page);
    const notice = page.getByRole('note').filter({ hasText: '添加到主屏幕' });
    await notice.waitFor();
    await notice.getByRole('button', { name: '知道了' }).click();
    await page.reload();
    await waitForApp(page);
    await page.getByRole('heading', { name: '活动记录' }).waitFor();
    assert.equal(await page.getByRole('note').count(), 0, 'said once, not again');
  } finally {
    await server.stop();
    await context.cleanup();
  }
});
