// The team's template as synced data, end to end through a Xunfang server of
// the test's own: the office takes the school-safety example and adds a
// field of its own; a tablet receives it, records two inspections of the new
// kind offline with custom figures, syncs; the office's report totals them
// ("发现隐患：14 处") and its CSV has them as columns of their own. Then the
// attendance thresholds: set on one office computer, the other flags the
// same person. In Chinese, with the screens that have words checked in
// English too.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { launch, saved, startServer, syncNow, waitForApp } from './helpers.mjs';

const YEAR = new Date().getFullYear();

/** A device set up for the server by its setup link, after its first sync. */
async function device(server) {
  const token = server.token('school-team');
  const context = await launch();
  const page = context.pages()[0] ?? (await context.newPage());
  const params = new URLSearchParams({ sync: server.url, token, mode: 'native' });
  await page.goto(`${server.url}/settings?${params}`);
  await waitForApp(page);
  await page.getByRole('button', { name: '使用这些设置' }).click();
  await page.waitForFunction(() => document.querySelector('[data-testid=sync-status]')?.dataset.lastOk, undefined, { timeout: 30_000 });
  return { context, page };
}

async function office(page, screen) {
  await page.getByRole('link', { name: '办公室', exact: true }).click();
  await page.getByRole('link', { name: new RegExp(screen) }).click();
  await page.getByRole('heading', { name: screen }).waitFor();
}

/** One inspection of the new kind, with its custom figures. */
async function inspection(page, { title, day, found, fixed, result }) {
  await page.getByRole('link', { name: '活动记录' }).click();
  await page.getByRole('button', { name: '新建记录' }).click();
  await page.getByLabel('活动类型', { exact: true }).selectOption({ label: '学校安全检查' });
  await page.getByLabel('标题', { exact: true }).fill(title);
  await page.getByLabel('日期', { exact: true }).fill(`${YEAR}-01-${day}`);
  // The kind's own fields appear for this kind, required ones flagged.
  await page.getByText('此项必填。').first().waitFor();
  await page.getByLabel('发现隐患（处）').fill(String(found));
  await page.getByLabel('当场整改（处）').fill(String(fixed));
  await page.getByLabel('检查结论').selectOption({ label: result });
  await page.getByLabel('整改责任人').fill('王校长');
  await saved(page);
  assert.equal(await page.getByText('此项必填。').count(), 0, 'no required field left');
  await page.getByRole('link', { name: '返回记录列表' }).click();
  await page.locator('.record-card', { hasText: title }).waitFor();
}

test('the office edits the template, a tablet records the new kind offline, the report and the CSV count its figures', async () => {
  const server = await startServer();
  const desk = await device(server);
  const tablet = await device(server);
  try {
    const { page } = desk;
    await office(page, '团队模板');
    await page.getByRole('button', { name: '学校安全检查模板' }).click();
    await saved(page);
    // A field of the team's own, added to the kind the preview shows.
    await page.locator('#tpl-preview-kind').selectOption({ label: '学校安全检查' });
    await page.getByRole('button', { name: '为预览中的类型添加字段' }).click();
    const added = page.locator('.tpl-field').last();
    await added.getByLabel('中文名称').fill('整改责任人');
    await added.getByLabel('英文名称').fill('Responsible');
    await saved(page);
    const preview = page.getByTestId('template-preview');
    for (const label of ['发现隐患（处）', '检查结论', '整改责任人']) await preview.getByLabel(label).waitFor();
    assert.equal(await page.getByTestId('template-problems').count(), 0, 'the template is complete');
    // The example's points scheme: +3 per activity attended, at most 30.
    assert.deepEqual([await page.locator('#tpl-points-0').inputValue(), await page.locator('#tpl-cap-0').inputValue()], ['3', '30']);
    await syncNow(page);

    // The tablet: the new kind arrives with a sync, the records are typed offline.
    await syncNow(tablet.page);
    await tablet.context.setOffline(true);
    await inspection(tablet.page, { title: '城关小学安全检查', day: '10', found: 6, fixed: 4, result: '限期整改' });
    await inspection(tablet.page, { title: '第二中学安全检查', day: '17', found: 8, fixed: 5, result: '合格' });
    await tablet.context.setOffline(false);
    await syncNow(tablet.page);

    await syncNow(page);
    await office(page, '期间统计报表');
    const figures = page.getByTestId('custom-figures');
    await figures.waitFor();
    const line = (key) => figures.locator(`li[data-field="${key}"]`).innerText();
    assert.equal(await line('hazards_found'), '发现隐患：14 处');
    assert.equal(await line('hazards_fixed'), '当场整改：9 处');
    assert.equal(await line('result'), '检查结论：合格 1，限期整改 1，不合格 0');

    await office(page, '导出与备份');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载活动记录（CSV）' }).click()]);
    const [header, ...rows] = (await readFile(await download.path(), 'utf8')).replace(/^\uFEFF/, '').trim().split('\r\n').map((l) => l.split(','));
    const col = (name) => header.indexOf(name);
    for (const name of ['发现隐患（处）', '当场整改（处）', '检查结论', '整改责任人']) assert.ok(col(name) > 0, `a column ${name} in ${header}`);
    const byTitle = Object.fromEntries(rows.map((r) => [r[2], r]));
    assert.deepEqual([byTitle['城关小学安全检查'][col('发现隐患（处）')], byTitle['城关小学安全检查'][col('检查结论')]], ['6', '限期整改']);
    assert.deepEqual([byTitle['第二中学安全检查'][col('当场整改（处）')], byTitle['第二中学安全检查'][col('整改责任人')]], ['5', '王校长']);

    // The same in English: the report's line and the template screen.
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('link', { name: 'Office', exact: true }).click();
    await page.getByRole('link', { name: /Period report/ }).click();
    await page.getByTestId('custom-figures').waitFor();
    assert.equal(await line('hazards_found'), 'Hazards found: 14 处');
    assert.equal(await line('result'), 'Result: Passed 1, Rectify by a date 1, Failed 0');
    await page.getByRole('link', { name: 'Office', exact: true }).click();
    await page.getByRole('link', { name: /Team template/ }).click();
    await page.getByRole('heading', { name: 'Custom fields' }).waitFor();
    await page.locator('#tpl-preview-kind').selectOption({ label: 'School safety inspection' });
    await page.getByTestId('template-preview').getByLabel('Hazards found (处)').waitFor();
  } finally {
    await desk.context.cleanup();
    await tablet.context.cleanup();
    await server.stop();
  }
});

test('attendance thresholds set on one office computer flag the same person on another', async () => {
  const server = await startServer();
  const first = await device(server);
  const second = await device(server);
  try {
    const { page } = first;
    await page.getByRole('link', { name: '人员名册' }).click();
    await page.getByRole('button', { name: '新增人员' }).click();
    await page.getByLabel('姓名', { exact: true }).fill('李明德');
    await saved(page);
    await page.getByRole('link', { name: '活动记录' }).click();
    await page.getByRole('button', { name: '新建记录' }).click();
    await page.getByLabel('活动类型', { exact: true }).selectOption({ label: '视察' });
    await page.getByLabel('标题', { exact: true }).fill('视察农村饮水工程');
    await page.getByLabel('日期', { exact: true }).fill(`${YEAR}-01-08`);
    await page.getByLabel('从名册选择人员').selectOption({ label: '李明德' });
    await page.getByRole('button', { name: '加入', exact: true }).click();
    await page.locator('li.participant', { hasText: '李明德' }).getByLabel('出席情况').selectOption({ label: '缺席' });
    await saved(page);

    // One absence: no flag under the default rule (two in a row) ...
    await office(page, '考勤与履职积分');
    const row = (p) => p.locator('tr', { hasText: '李明德' });
    await row(page).waitFor();
    assert.doesNotMatch(await row(page).innerText(), /口头警告/);
    // ... until this office computer asks for a warning after one.
    await page.getByLabel('连续缺席几次口头警告').fill('1');
    await page.locator('tr', { hasText: '李明德' }).filter({ hasText: '口头警告' }).waitFor();
    await syncNow(page);

    await syncNow(second.page);
    await office(second.page, '考勤与履职积分');
    await row(second.page).filter({ hasText: '口头警告' }).waitFor();
    assert.equal(await second.page.getByLabel('连续缺席几次口头警告').inputValue(), '1');
    await second.page.getByRole('button', { name: 'English' }).click();
    await row(second.page).filter({ hasText: 'verbal warning' }).waitFor();
    assert.equal(await second.page.getByLabel('Absences in a row for a warning').inputValue(), '1');
  } finally {
    await first.context.cleanup();
    await second.context.cleanup();
    await server.stop();
  }
});
