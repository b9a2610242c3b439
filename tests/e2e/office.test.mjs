// The office's side, end to end: a small year of records typed in the
// browser, then the suggestions board (forward, then answer), the period
// report and its chart, the drafted summary, CSV and backup downloads, and a
// backup imported into an empty profile (twice: the second time changes
// nothing). Found by labels and button texts, in the Chinese UI; the draft
// once in English.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, openApp, saved, url, waitForApp } from './helpers.mjs';

const YEAR = new Date().getFullYear();

async function addPerson(page, name) {
  await page.getByRole('link', { name: '人员名册' }).click();
  await page.getByRole('button', { name: '新增人员' }).click();
  await page.getByLabel('姓名', { exact: true }).fill(name);
  await saved(page);
  await page.getByRole('link', { name: '返回名册' }).click();
  await page.getByRole('link', { name: new RegExp(name) }).waitFor();
}

/** A record: kind, title, date, place, participants ({name: '出席' | '缺席'}), suggestions. */
async function addRecord(page, { kind, title, date, place, people, suggestions = [] }) {
  await page.getByRole('link', { name: '活动记录' }).click();
  await page.getByRole('button', { name: '新建记录' }).click();
  await page.getByLabel('活动类型', { exact: true }).selectOption({ label: kind });
  await page.getByLabel('标题', { exact: true }).fill(title);
  await page.getByLabel('日期', { exact: true }).fill(date);
  await page.getByLabel('地点', { exact: true }).fill(place);
  for (const [name, status] of Object.entries(people)) {
    await page.getByLabel('从名册选择人员').selectOption({ label: name });
    await page.getByRole('button', { name: '加入', exact: true }).click();
    if (status !== '出席') {
      await page.locator('li.participant', { hasText: name }).getByLabel('出席情况').selectOption({ label: status });
    }
  }
  for (const [i, s] of suggestions.entries()) {
    await page.getByRole('button', { name: '添加一条建议' }).click();
    await page.getByLabel('建议内容').nth(i).fill(s.content);
    await page.getByLabel('提出人').nth(i).fill(s.by);
    await page.getByLabel('承办部门').nth(i).fill(s.department);
  }
  await page.getByLabel('发现问题').fill('记录的问题');
  await saved(page);
  await page.getByRole('link', { name: '返回记录列表' }).click();
  await page.locator('.record-card', { hasText: title }).waitFor();
}

async function openOffice(page, screen) {
  await page.getByRole('link', { name: '办公室', exact: true }).click();
  await page.getByRole('link', { name: new RegExp(screen) }).click();
  await page.getByRole('heading', { name: screen }).waitFor();
}

async function figure(page, key) {
  return (await page.locator(`.figure[data-figure="${key}"] dd`).innerText()).trim();
}

async function importBackup(page, file) {
  await page.getByLabel('导入备份文件').setInputFiles(file);
  const result = page.locator('.import-result');
  await result.waitFor();
  const count = async (k) => Number(await result.locator(`[data-count="${k}"]`).innerText());
  const counts = { added: await count('added'), updated: await count('updated'), unchanged: await count('unchanged') };
  return counts;
}

test('the office follows suggestions up, reports the year, drafts the summary, exports and restores a backup', async () => {
  const context = await launch({ locale: 'zh-CN' });
  const dir = await mkdtemp(join(tmpdir(), 'xunfang-e2e-office-'));
  let restored;
  try {
    const page = await openApp(context);
    for (const name of ['王建国', '李梅', '张强']) await addPerson(page, name);

    await addRecord(page, {
      kind: '视察', title: '视察：城区污水处理厂', date: `${YEAR}-03-05`, place: '城区污水处理厂',
      people: { 王建国: '出席', 李梅: '出席', 张强: '缺席' },
      suggestions: [{ content: '增加污水管网维护经费', by: '王建国', department: '县住建局' }],
    });
    await addRecord(page, {
      kind: '走访', title: '走访：非公有制企业', date: `${YEAR}-04-10`, place: '工业园区',
      people: { 王建国: '出席', 张强: '缺席' },
      suggestions: [{ content: '简化企业用工审批手续', by: '李梅', department: '县人社局' }],
    });
    await addRecord(page, {
      kind: '座谈会', title: '座谈会：优化营商环境', date: `${YEAR}-05-20`, place: '县政协会议室',
      people: { 王建国: '出席', 李梅: '出席' },
    });

    // The board: both suggestions; forward one, then answer it.
    await openOffice(page, '意见建议办理');
    await page.locator('.board-item').nth(1).waitFor();
    assert.equal(await page.locator('.board-item').count(), 2);
    const item = page.locator('.board-item', { hasText: '增加污水管网维护经费' });
    await item.getByRole('button', { name: '跟进办理' }).click();
    assert.equal(await item.getByLabel('转交给（部门）').inputValue(), '县住建局');
    await item.getByRole('button', { name: '转交', exact: true }).click();
    await item.locator('.status-badge', { hasText: '已转交' }).waitFor();
    await item.getByLabel('答复内容').fill('已列入明年预算，增加维护经费50万元');
    await item.getByLabel('已告知提出人').check();
    await item.getByRole('button', { name: '标记为已答复' }).click();
    await item.locator('.status-badge', { hasText: '已答复' }).waitFor();
    await item.getByText('已列入明年预算').waitFor();
    await page.getByLabel('办理状态').selectOption({ label: '新收集' });
    await page.locator('.board-item', { hasText: '简化企业用工审批手续' }).waitFor();
    assert.equal(await page.locator('.board-item').count(), 1, 'the status filter leaves the one still new');

    // Attendance: absent twice in a row earns a verbal warning.
    await openOffice(page, '考勤与履职积分');
    const zhang = page.locator('tr', { hasText: '张强' });
    await zhang.waitFor();
    assert.match(await zhang.innerText(), /口头警告/);

    // The report for a custom range.
    await openOffice(page, '期间统计报表');
    await page.getByLabel('时间范围').selectOption({ label: '自定义范围' });
    await page.getByLabel('起始日期').fill(`${YEAR}-01-01`);
    await page.getByLabel('截止日期').fill(`${YEAR}-06-30`);
    await page.locator('.figure').first().waitFor();
    assert.equal(await figure(page, 'activities'), '3');
    assert.equal(await figure(page, 'person_times'), '5', '2 + 1 + 2 attended');
    assert.equal(await figure(page, 'people_attended'), '2');
    assert.equal(await figure(page, 'suggestions'), '2');
    const byKind = page.locator('table.by-kind');
    for (const kind of ['视察', '走访', '座谈会']) assert.equal((await byKind.locator('tr', { hasText: kind }).locator('td').innerText()).trim(), '1');
    const status = (s) => page.locator(`table.by-status tr[data-status="${s}"] td`).innerText();
    assert.equal(await status('answered'), '1');
    assert.equal(await status('collected'), '1');
    assert.equal(await status('forwarded'), '0');
    assert.equal(await page.locator('svg.bar-chart').count(), 1, 'the chart is inline SVG');
    assert.equal(await page.locator(`svg.bar-chart g.bar[data-month="${YEAR}-03"]`).getAttribute('data-total'), '1');
    assert.equal(await page.locator('svg.bar-chart g.bar').count(), 6, 'one bar per month of the range');

    // The drafted summary of this year.
    await openOffice(page, '工作总结草稿');
    await page.getByRole('button', { name: '生成总结草稿' }).click();
    const draft = page.getByLabel('总结草稿（可以修改）');
    await draft.waitFor();
    const text = await draft.inputValue();
    assert.ok(text.startsWith(`${YEAR}年度工作总结（草稿）`), text.slice(0, 40));
    assert.match(text, /参加活动共5人次/);
    assert.doesNotMatch(text, /XXX|xx|\*\*/);
    await page.getByRole('button', { name: '复制全文' }).click();
    await page.getByText(/已复制|浏览器不允许自动复制/).waitFor();

    // Downloads: the records as CSV (BOM, Chinese), and the full backup.
    await openOffice(page, '导出与备份');
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载活动记录（CSV）' }).click()]);
    assert.match(csv.suggestedFilename(), /\.csv$/);
    const bytes = await readFile(await csv.path());
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 byte-order mark');
    assert.match(bytes.toString('utf8'), /视察：城区污水处理厂/);
    const [backup] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载完整备份（JSON）' }).click()]);
    const backupFile = join(dir, 'backup.json');
    await backup.saveAs(backupFile);
    const parsed = JSON.parse(await readFile(backupFile, 'utf8'));
    assert.equal(parsed.app, 'xunfang');
    assert.equal(parsed.documents.length, 6);

    // A new profile: import the backup, the records are back; again: nothing changes.
    restored = await launch({ locale: 'zh-CN' });
    const fresh = await openApp(restored, '/office/exports');
    await fresh.getByRole('heading', { name: '导出与备份' }).waitFor();
    assert.deepEqual(await importBackup(fresh, backupFile), { added: 6, updated: 0, unchanged: 0 });
    await fresh.getByRole('link', { name: '活动记录' }).click();
    for (const t of ['视察：城区污水处理厂', '走访：非公有制企业', '座谈会：优化营商环境']) await fresh.locator('.record-card', { hasText: t }).waitFor();
    await openOffice(fresh, '导出与备份');
    assert.deepEqual(await importBackup(fresh, backupFile), { added: 0, updated: 0, unchanged: 6 });
    await openOffice(fresh, '意见建议办理');
    // count() does not wait: let the board draw its items first.
    await fresh.locator('.board-item').nth(1).waitFor();
    assert.equal(await fresh.locator('.board-item').count(), 2, 'no duplicates');
    await fresh.locator('.board-item', { hasText: '增加污水管网维护经费' }).locator('.status-badge', { hasText: '已答复' }).waitFor();

    // In English, the draft is English.
    await fresh.getByRole('button', { name: 'English' }).click();
    await fresh.getByRole('link', { name: 'Office', exact: true }).click();
    await fresh.getByRole('link', { name: /Drafted summary/ }).click();
    await fresh.getByRole('button', { name: 'Draft the summary' }).click();
    const en = await fresh.getByLabel('Draft (you can edit it)').inputValue();
    assert.ok(en.startsWith(`Summary of work, ${YEAR} (draft)`), en.slice(0, 40));
    assert.match(en, /Person-times of attendance: 5/);
  } finally {
    await restored?.cleanup();
    await context.cleanup();
    await rm(dir, { recursive: true, force: true });
  }
});
