// The record list's first screen (issue 17's cost of a passcode, and section 4's first screen):
// with 600 records, without and then with a PIN, the newest cards show from the short index read
// before every row is read, decrypted and indexed; a search typed while only that first screen is
// there finds its record once every row is in, and clearing it brings all back.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activities, people } from '../bench/gen.mjs';
import { launch, startServer } from './helpers.mjs';
import { seededPage } from './seed.mjs';

const N = 600;
const PIN = '480217';
const NEEDLE = '独一无二的县道巡查记录';

/** In every page: what the page held when the first card appeared, and (when the page's
 * sessionStorage says so) a search typed at that moment, as a person's input event would. */
function firstCardProbe() {
  const s = (window.__firstCard = {});
  new MutationObserver(() => {
    const card = document.querySelector('.record-card');
    if (s.seen || !card) return;
    s.seen = true;
    // The full list is the virtual one (it carries the count); the first screen's list does not.
    s.fullList = !!card.closest('ul[data-count]');
    const needle = sessionStorage.getItem('type-on-first-card');
    if (needle) {
      const input = document.getElementById('search');
      input.value = needle;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      s.typedBeforeFullList = !document.querySelector('ul.record-list[data-count]');
    }
  }).observe(document, { childList: true, subtree: true });
}

const countIs = (page, n) =>
  page.waitForFunction((n) => document.querySelector('ul.record-list[data-count]')?.dataset.count === String(n), n, { timeout: 60_000 });

/** Loads the list afresh (unlocking with `pin`), a search typed at its first card; checks both. */
async function loadAndSearch(page, url, pin) {
  await page.evaluate((needle) => sessionStorage.setItem('type-on-first-card', needle), NEEDLE);
  await page.goto(url);
  if (pin) {
    await page.locator('#unlock-passcode').fill(pin);
    await page.getByRole('button', { name: '解锁' }).click();
  }
  await countIs(page, 1);
  const probe = await page.evaluate(() => window.__firstCard);
  const label = pin ? 'with a PIN' : 'without a passcode';
  assert.equal(probe.fullList, false, `${label}: the first cards come from the first screen, before every row is read`);
  assert.equal(probe.typedBeforeFullList, true, `${label}: the search was typed before every row was read`);
  const marks = await page.evaluate(() => ['xunfang:list-first-screen', 'xunfang:list-ready'].map((n) => performance.getEntriesByName(n)[0]?.startTime ?? null));
  assert.ok(marks[0] !== null && marks[1] !== null && marks[0] <= marks[1], `${label}: first screen marked before every row (${marks})`);
  // The search looked at every row, also those read after it was typed.
  await page.locator('.record-card', { hasText: NEEDLE }).waitFor({ timeout: 5_000 });
  await page.evaluate(() => sessionStorage.removeItem('type-on-first-card'));
  await page.getByLabel('搜索', { exact: true }).fill('');
  await countIs(page, N);
}

test('the first screen shows before every row is read, with and without a PIN; an early search finds all', async () => {
  const server = await startServer();
  const context = await launch();
  try {
    await context.addInitScript(firstCardProbe);
    const roster = people();
    const docs = activities(N, roster);
    // An old record: far from the first screen, read only with every row.
    docs[17].body.title = NEEDLE;
    docs[17].body.date = '2020-01-02';
    const page = await seededPage(context, server, [...roster, ...docs]);
    await loadAndSearch(page, server.url + '/');

    await page.getByRole('link', { name: '设置' }).click();
    await page.locator('#passcode-kind').selectOption('pin');
    await page.locator('#passcode-new').fill(PIN);
    await page.locator('#passcode-again').fill(PIN);
    await page.getByRole('button', { name: '设置密码' }).click();
    await page.getByTestId('passcode-outcome').filter({ hasText: '已保存。' }).waitFor({ timeout: 60_000 });
    await loadAndSearch(page, server.url + '/', PIN);
  } finally {
    await context.cleanup();
    await server.stop();
  }
});
