// The visit rule (走访委员制度) end to end: three members and a fixture
// quarter (the one before the current one) of records typed in the browser;
// the office's visits screen names exactly the members not visited in it, and
// everyone in the current quarter (nothing recorded there). Changing the rule
// (an inspection counts too) changes the list; the same list in English. The
// period picker reaches that quarter by number on the report.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openApp, saved } from './helpers.mjs';

// The quarter before today's: [year, quarter, a date in its middle month].
const now = new Date();
const thisQuarter = Math.floor(now.getMonth() / 3) + 1;
const [QY, QN] = thisQuarter === 1 ? [now.getFullYear() - 1, 4] : [now.getFullYear(), thisQuarter - 1];
const MID = `${QY}-${String((QN - 1) * 3 + 2).padStart(2, '0')}-15`;
const ZH_QUARTER = ['一', '二', '三', '四'];

async function person(page, name) {
  await page.getByRole('link', { name: '人员名册' }).click();
  await page.getByRole('button', { name: '新增人员' }).click();
  await page.getByLabel('姓名', { exact: true }).fill(name);
  await saved(page);
}

/** A dated record of `kind` with `who` ({name: status label}). */
async function record(page, kind, title, who) {
  await page.getByRole('link', { name: '活动记录' }).click();
  await page.getByRole('button', { name: '新建记录' }).click();
  await page.getByLabel('活动类型', { exact: true }).selectOption({ label: kind });
  await page.getByLabel('标题', { exact: true }).fill(title);
  await page.getByLabel('日期', { exact: true }).fill(MID);
  for (const [name, status] of Object.entries(who)) {
    await page.getByLabel('从名册选择人员').selectOption({ label: name });
    await page.getByRole('button', { name: '加入', exact: true }).click();
    await page.locator('li.participant', { hasText: name }).getByLabel('出席情况').selectOption({ label: status });
  }
  await saved(page);
}

/** The names listed as not visited under the period `key` ("2026-3"). */
async function notVisited(page, key) {
  const section = page.locator(`.visit-period[data-period="${key}"]`);
  await section.waitFor();
  return section.locator('.not-visited li').allInnerTexts();
}

test('the visits screen names exactly the members not visited in a fixture quarter', async () => {
  const context = await launch({ locale: 'zh-CN' });
  try {
    const page = await openApp(context);
    for (const name of ['王一', '李二', '张三']) await person(page, name);
    await record(page, '走访', '走访王一', { 王一: '出席' });
    await record(page, '走访', '走访李二（未成行）', { 李二: '缺席' });
    await record(page, '视察', '视察', { 张三: '出席' });

    await page.getByRole('link', { name: '办公室', exact: true }).click();
    await page.getByRole('link', { name: /走访委员/ }).click();
    await page.getByRole('heading', { name: '走访委员', level: 1 }).waitFor();
    const key = `${QY}-${QN}`;
    await page.getByRole('heading', { name: `${QY} 年第${ZH_QUARTER[QN - 1]}季度` }).waitFor();
    assert.deepEqual(await notVisited(page, key), ['张三', '李二']);
    const current = `${now.getFullYear()}-${thisQuarter}`;
    assert.deepEqual(await notVisited(page, current), ['张三', '李二', '王一']);

    // An inspection counts as a visit too: the rule is a team setting.
    await page.getByText('走访规则（团队设置，同步到所有设备）').click();
    await page.getByRole('group', { name: '算作走访的活动类型' }).getByLabel('视察', { exact: true }).check();
    await page.waitForFunction((k) => document.querySelectorAll(`.visit-period[data-period="${k}"] .not-visited li`).length === 1, key);
    assert.deepEqual(await notVisited(page, key), ['李二']);
    await page.locator('[data-saved="true"]').waitFor();

    // Kept across a reload (saved in the settings document).
    await page.reload();
    assert.deepEqual(await notVisited(page, key), ['李二']);

    // The report picks any quarter by number: the fixture quarter holds the three records.
    await page.getByRole('link', { name: '返回办公室' }).click();
    await page.getByRole('link', { name: /期间统计报表/ }).click();
    await page.getByLabel('时间范围', { exact: true }).selectOption({ label: '某一季度' });
    await page.getByLabel('年份', { exact: true }).fill(String(QY));
    await page.getByLabel('季度', { exact: true }).selectOption({ value: String(QN) });
    const activities = page.locator('.figure[data-figure="activities"] dd');
    await page.waitForFunction(() => document.querySelector('.figure[data-figure="activities"] dd')?.textContent.trim() === '3');
    assert.equal((await activities.innerText()).trim(), '3');
    await page.getByLabel('季度', { exact: true }).selectOption({ value: String((QN % 4) + 1) });
    await page.waitForFunction(() => document.querySelector('.figure[data-figure="activities"] dd')?.textContent.trim() !== '3');
    await page.goBack();
    await page.goBack();

    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Member visits', level: 1 }).waitFor();
    await page.getByRole('heading', { name: `Q${QN} ${QY}` }).waitFor();
    assert.deepEqual(await notVisited(page, key), ['李二']);
  } finally {
    await context.cleanup();
  }
});
