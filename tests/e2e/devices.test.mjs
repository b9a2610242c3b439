// Devices managed from the office screen: the office opens 平板管理 with an
// admin token and adds a tablet; a second profile (the tablet) opens the
// link shown, is set up from the code in the address's fragment (which no
// request carries, and which leaves the address bar at once), and syncs a
// record; the office withdraws it as lost; at its next sync the tablet is
// told so in words and still lists its record.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { launch, saved, startServer, syncNow, waitForApp } from './helpers.mjs';

/** An admin token of `team` made with the server's own command. */
function adminToken(server, team) {
  const bin = process.env.XUNFANG_SERVER_BIN ?? 'target/debug/xunfang-server';
  const r = spawnSync(bin, ['token', 'create', '--admin', '--team', team, '--data', server.data], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`token create --admin failed: ${r.stderr}`);
  return r.stdout.split('\n')[0].trim();
}

test('the office adds a tablet from its Devices screen, the tablet sets itself up from the link, and a withdrawn tablet is told and keeps its records', async () => {
  const server = await startServer();
  const office = await launch();
  const tablet = await launch();
  try {
    // The office computer: the admin token, then "add a tablet".
    const desk = office.pages()[0] ?? (await office.newPage());
    await desk.goto(`${server.url}/office`);
    await waitForApp(desk);
    await desk.getByRole('link', { name: /平板管理/ }).click();
    await desk.getByLabel('管理令牌').fill(adminToken(server, 'office'));
    await desk.getByRole('button', { name: '保存并加载列表' }).click();
    await desk.getByText('还没有平板。').waitFor();
    await desk.getByLabel('平板名称（如使用人）').fill('李明的平板');
    await desk.getByRole('button', { name: '添加平板' }).click();
    const link = await desk.getByTestId('device-setup-link').getAttribute('href');
    const code = link.split('#setup=')[1];
    assert.match(code ?? '', /^[0-9a-f]{64}$/, `the code travels in the fragment: ${link}`);
    assert.ok(!link.includes('?'), `nothing in the query: ${link}`);

    // The tablet: every request it makes is watched for the code.
    const seen = [];
    tablet.on('request', (r) => seen.push(`${r.url()} referer=${r.headers().referer ?? ''}`));
    const pad = tablet.pages()[0] ?? (await tablet.newPage());
    const entries = await pad.evaluate(() => history.length);
    await pad.goto(link);
    await waitForApp(pad);
    await pad.getByTestId('setup-done').waitFor({ timeout: 30_000 });
    assert.ok((await pad.getByTestId('setup-done').textContent()).includes('李明的平板'));
    assert.ok(!pad.url().includes(code), `the code left the address bar: ${pad.url()}`);
    assert.equal(await pad.evaluate(() => history.length), entries + 1, 'one entry for the link, replaced by the bare address');

    await pad.getByRole('link', { name: '活动记录' }).click();
    await pad.getByRole('button', { name: '新建记录' }).click();
    await pad.getByLabel('标题', { exact: true }).fill('村口水井维修走访');
    await saved(pad);
    await syncNow(pad);
    const leaked = seen.filter((s) => s.includes(code));
    assert.deepEqual(leaked, [], 'no request carried the code in its URL or Referer');

    // The office sees when it synced and what it had waiting, then withdraws it.
    await desk.getByRole('button', { name: '保存并加载列表' }).click();
    const row = desk.getByTestId('device-row');
    await row.filter({ hasText: '李明的平板' }).waitFor();
    await desk.waitForFunction(() => !document.querySelector('[data-testid=device-row]')?.textContent.includes('从未'));
    assert.equal(await row.count(), 1);
    await desk.getByRole('button', { name: '平板丢失 李明的平板' }).click();
    await desk.getByRole('button', { name: '收回权限' }).click();
    await row.filter({ hasText: '已收回' }).waitFor();

    // The tablet's next sync: told in words, its record still there.
    await pad.getByTestId('sync-status').getByRole('button', { name: '立即同步' }).click();
    await pad.getByText('办公室已收回这台平板的同步权限').first().waitFor({ timeout: 30_000 });
    await pad.getByRole('link', { name: '活动记录' }).click();
    await pad.locator('.record-card', { hasText: '村口水井维修走访' }).waitFor();
  } finally {
    await tablet.cleanup();
    await office.cleanup();
    await server.stop();
  }
});
