// Proposals and opinion reports go to the trash and come back, like records:
// each is written at the office, deleted (asked first), gone from the office's
// lists, listed in the trash, restored, and listed at the office again.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openApp, saved } from './helpers.mjs';

async function office(page) {
  await page.getByRole('link', { name: '办公室', exact: true }).click();
  await page.getByRole('button', { name: '新建提案' }).waitFor();
}

/** Writes one with `create` and `titleLabel`, trashes it with `remove`, restores it. */
async function roundTrip(page, { create, titleLabel, title, remove }) {
  await office(page);
  await page.getByRole('button', { name: create }).click();
  await page.getByLabel(titleLabel, { exact: true }).fill(title);
  await saved(page);
  await page.getByRole('button', { name: remove }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: '移到回收站' }).click();
  await page.getByRole('button', { name: '新建提案' }).waitFor();
  assert.equal(await page.getByRole('link', { name: title }).count(), 0, `${title} is gone from the office's list`);

  await page.getByRole('link', { name: '回收站' }).click();
  await page.locator('.trash-item', { hasText: title }).getByRole('button', { name: '恢复' }).click();
  await page.getByText('回收站是空的').waitFor();
  await office(page);
  await page.getByRole('link', { name: title }).waitFor();
}

test('proposals and opinion reports are deleted to the trash and restored', async () => {
  const context = await launch({ locale: 'zh-CN' });
  try {
    const page = await openApp(context);
    await roundTrip(page, { create: '新建提案', titleLabel: '案由', title: '关于执行绿色通道的提案', remove: '删除提案' });
    await roundTrip(page, { create: '新建社情民意信息', titleLabel: '标题', title: '土地纠纷调解情况', remove: '删除社情民意' });
  } finally {
    await context.cleanup();
  }
});
