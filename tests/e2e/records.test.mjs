// The foundation, end to end, as a field worker uses it: roster, a record
// with participants and a suggestion, autosave across reloads, trash and
// restore, search, validation messages, and the language switch.
// Elements are found by their visible labels and button texts, as a screen
// reader would find them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openApp, saved, url, waitForApp } from './helpers.mjs';

async function addPerson(page, name, sector) {
  await page.getByRole('link', { name: '人员名册' }).click();
  await page.getByRole('button', { name: '新增人员' }).click();
  await page.getByLabel('姓名', { exact: true }).fill(name);
  await page.getByLabel('界别', { exact: true }).fill(sector);
  await saved(page);
  await page.getByRole('link', { name: '返回名册' }).click();
  await page.getByRole('link', { name: new RegExp(name) }).waitFor();
}

test('a record with participants and a suggestion survives reloads, edits, trash and restore', async () => {
  const context = await launch({ locale: 'zh-CN' });
  try {
    const page = await openApp(context);
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN', 'Chinese by default');
    await page.getByRole('heading', { name: '活动记录' }).waitFor();

    await addPerson(page, '王建国', '经济界');
    await addPerson(page, '李梅', '教育界');

    // Create a record.
    await page.getByRole('link', { name: '活动记录' }).click();
    await page.getByRole('button', { name: '新建记录' }).click();
    await page.getByLabel('活动类型', { exact: true }).selectOption({ label: '旁听庭审' });
    await page.getByLabel('标题', { exact: true }).fill('旁听庭审：民间借贷纠纷案');
    await page.getByLabel('日期', { exact: true }).fill('2024-05-20');
    await page.getByLabel('开始时间').fill('09:00');
    await page.getByLabel('结束时间').fill('11:30');
    await page.getByLabel('地点', { exact: true }).fill('县人民法院第一法庭');
    for (const name of ['王建国', '李梅']) {
      await page.getByLabel('从名册选择人员').selectOption({ label: name });
      await page.getByRole('button', { name: '加入', exact: true }).click();
    }
    const li = page.locator('li.participant', { hasText: '李梅' });
    await li.getByLabel('出席情况').selectOption({ label: '请假' });
    await li.getByLabel('请假事由').fill('外出开会');
    await page.getByLabel('其他参加人数（不在名册中）').fill('3');
    await page.getByRole('button', { name: '添加一条建议' }).click();
    await page.getByLabel('建议内容').fill('加强诉前调解，减少当事人诉累');
    await page.getByLabel('承办部门').fill('县人民法院');
    await saved(page);
    const recordUrl = page.url();

    // Reload: everything is there.
    await page.reload();
    await waitForApp(page);
    await page.getByLabel('标题', { exact: true }).waitFor();
    assert.equal(await page.getByLabel('标题', { exact: true }).inputValue(), '旁听庭审：民间借贷纠纷案');
    assert.equal(await page.getByLabel('活动类型', { exact: true }).inputValue(), 'hearing');
    assert.equal(await page.getByLabel('结束时间').inputValue(), '11:30');
    assert.equal(await page.locator('li.participant').count(), 2);
    assert.equal(await page.locator('li.participant', { hasText: '李梅' }).getByLabel('请假事由').inputValue(), '外出开会');
    assert.equal(await page.getByLabel('建议内容').inputValue(), '加强诉前调解，减少当事人诉累');
    assert.match(await page.locator('.computed').innerText(), /4/, '1 attended + 3 others = 4 person-times');

    // Edit, reload: the edit is there.
    await page.getByLabel('地点', { exact: true }).fill('县人民法院第二法庭');
    await saved(page);
    await page.reload();
    await waitForApp(page);
    await page.getByLabel('地点', { exact: true }).waitFor();
    assert.equal(await page.getByLabel('地点', { exact: true }).inputValue(), '县人民法院第二法庭');

    // Type into notes and reload within two seconds, without waiting for "saved".
    await page.getByLabel('内容', { exact: true }).pressSequentially('庭审程序规范，', { delay: 20 });
    await page.waitForTimeout(1000);
    await page.reload();
    await waitForApp(page);
    await page.getByLabel('内容', { exact: true }).waitFor();
    assert.equal(await page.getByLabel('内容', { exact: true }).inputValue(), '庭审程序规范，');

    // The list shows it; search finds it by a participant's name and by a suggestion.
    await page.getByRole('link', { name: '返回记录列表' }).click();
    const card = page.locator('.record-card', { hasText: '民间借贷纠纷案' });
    await card.waitFor();
    await page.getByRole('searchbox', { name: '搜索' }).fill('王建国');
    await card.waitFor();
    await page.getByRole('searchbox', { name: '搜索' }).fill('诉前调解');
    await card.waitFor();
    await page.getByRole('searchbox', { name: '搜索' }).fill('不存在的词');
    await page.getByText('没有符合条件的记录').waitFor();
    await page.getByRole('searchbox', { name: '搜索' }).fill('');
    await page.getByLabel('活动类型', { exact: true }).selectOption({ label: '视察' });
    await page.getByText('没有符合条件的记录').waitFor();
    await page.getByLabel('活动类型', { exact: true }).selectOption({ label: '旁听庭审' });
    await card.waitFor();

    // Delete asks first, goes to the trash, and can be restored.
    await page.goto(recordUrl);
    await waitForApp(page);
    await page.getByRole('button', { name: '删除记录' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: '取消' }).click();
    assert.equal(await page.getByRole('alertdialog').count(), 0);
    await page.getByRole('button', { name: '删除记录' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: '移到回收站' }).click();
    await page.getByRole('heading', { name: '活动记录' }).waitFor();
    await page.getByText('还没有活动记录').waitFor();
    await page.getByRole('link', { name: '回收站' }).click();
    await page.locator('.trash-item', { hasText: '民间借贷纠纷案' }).getByRole('button', { name: '恢复' }).click();
    await page.getByText('回收站是空的').waitFor();
    await page.getByRole('link', { name: '活动记录' }).click();
    await page.locator('.record-card', { hasText: '民间借贷纠纷案' }).waitFor();
  } finally {
    await context.cleanup();
  }
});

test('missing fields and an end before the start get clear messages, and the draft is still kept', async () => {
  const context = await launch({ locale: 'zh-CN' });
  try {
    const page = await openApp(context);
    await page.getByRole('button', { name: '新建记录' }).click();
    await page.getByLabel('内容', { exact: true }).fill('先记下内容，标题稍后补');
    await page.getByText('请选择活动类型。').waitFor();
    await page.getByText('请填写标题。').waitFor();
    assert.equal(await page.getByLabel('标题', { exact: true }).getAttribute('aria-invalid'), 'true');
    await page.getByLabel('开始时间').fill('10:00');
    await page.getByLabel('结束时间').fill('09:00');
    await page.getByText('结束时间不能早于开始时间。').waitFor();
    await saved(page);
    await page.reload();
    await waitForApp(page);
    await page.getByLabel('内容', { exact: true }).waitFor();
    assert.equal(await page.getByLabel('内容', { exact: true }).inputValue(), '先记下内容，标题稍后补');
    await page.getByRole('link', { name: '返回记录列表' }).click();
    await page.locator('.record-card', { hasText: '未填完' }).waitFor();
  } finally {
    await context.cleanup();
  }
});

test('the language switch changes every label and survives a reload', async () => {
  const context = await launch({ locale: 'zh-CN' });
  try {
    const page = await openApp(context);
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Records' }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    await page.getByRole('button', { name: 'New record' }).click();
    await page.getByLabel('Kind of activity').waitFor();
    await page.getByText('Enter a title.').waitFor();
    await page.reload();
    await waitForApp(page);
    await page.getByLabel('Kind of activity').waitFor();
    await page.getByRole('button', { name: '中文' }).click();
    await page.getByLabel('活动类型', { exact: true }).waitFor();
    await page.reload();
    await waitForApp(page);
    await page.getByLabel('活动类型', { exact: true }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
  } finally {
    await context.cleanup();
  }
});

test('records survive a browser restart with the same profile, and two profiles are isolated', async () => {
  const first = await launch({ locale: 'zh-CN' });
  const dir = first.userDataDir;
  let second;
  try {
    let page = await openApp(first);
    await page.getByRole('button', { name: '新建记录' }).click();
    await page.getByLabel('标题', { exact: true }).fill('走访委员企业');
    await saved(page);
    await first.close();

    // Same profile, new browser process: the record is there.
    const again = await launch({ userDataDir: dir, locale: 'zh-CN' });
    try {
      page = await openApp(again);
      await page.locator('.record-card', { hasText: '走访委员企业' }).waitFor();
    } finally {
      await again.close();
    }

    // Another profile (another tablet) sees nothing of it.
    second = await launch({ locale: 'zh-CN' });
    const other = await openApp(second);
    await other.getByText('还没有活动记录').waitFor();
  } finally {
    await first.cleanup();
    if (second) await second.cleanup();
  }
});

test('when storage is full the message says so and the typed text stays on screen', async () => {
  const context = await launch({ locale: 'zh-CN' });
  try {
    // A full tablet, simulated: while the flag is set, IndexedDB writes fail
    // the way Chromium fails them when the quota is used up. (Chromium's
    // DevTools quota override does not reach IndexedDB in this build.)
    await context.addInitScript(() => {
      const put = IDBObjectStore.prototype.put;
      IDBObjectStore.prototype.put = function (...args) {
        if (window.__diskFull) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        return put.apply(this, args);
      };
    });
    const page = await openApp(context);
    await page.getByRole('button', { name: '新建记录' }).click();
    await page.getByLabel('标题', { exact: true }).fill('视察');
    await saved(page);
    await page.evaluate(() => { window.__diskFull = true; });
    const long = '群众反映的问题：'.repeat(200);
    await page.getByLabel('内容', { exact: true }).fill(long);
    await page.getByText('本机存储空间已满').waitFor({ timeout: 10_000 });
    assert.equal(await page.getByLabel('内容', { exact: true }).inputValue(), long, 'the unsaved text stays');
    // Space comes back: the next edit saves everything.
    await page.evaluate(() => { window.__diskFull = false; });
    await page.getByLabel('标题', { exact: true }).fill('视察农村饮水工程');
    await saved(page);
    await page.reload();
    await waitForApp(page);
    await page.getByLabel('内容', { exact: true }).waitFor();
    assert.equal(await page.getByLabel('内容', { exact: true }).inputValue(), long);
    assert.equal(await page.getByLabel('标题', { exact: true }).inputValue(), '视察农村饮水工程');
  } finally {
    await context.cleanup();
  }
});
