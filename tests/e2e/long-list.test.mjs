// A long record list: 600 records synced onto a fresh tablet. The list draws
// only a screenful of cards yet scrolls through all of them in order, a
// search finds a record deep in the list, clearing it brings all back, and
// the found card opens its record. Scrolling it up and down again and again
// does not make the app hold more memory.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activities, people } from '../bench/gen.mjs';
import { launch, startServer, waitForApp } from './helpers.mjs';
import { seed } from './seed.mjs';

const N = 600;
const NEEDLE = '独一无二的县道巡查记录';

const listCount = (page) => page.locator('ul.record-list[data-count]').getAttribute('data-count').then(Number);

/** `docs` and the roster synced onto a fresh tablet, its record list open with all of them. */
async function syncedList(server, context, roster, docs) {
  const token = server.token('e2e');
  await seed(server, token, [...roster, ...docs]);
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`${server.url}/settings?sync=${encodeURIComponent(server.url)}&token=${encodeURIComponent(token)}&mode=native`);
  await waitForApp(page);
  await page.getByRole('button', { name: '使用这些设置' }).click();
  await page.waitForFunction(() => document.querySelector('[data-testid=sync-status]')?.dataset.lastOk, undefined, { timeout: 60_000 });
  await page.getByRole('link', { name: '活动记录' }).click();
  await page.waitForFunction((n) => document.querySelector('ul.record-list[data-count]')?.dataset.count === String(n), docs.length, { timeout: 30_000 });
  return page;
}

test('a list of 600 synced records draws a screenful, scrolls to the oldest and searches all', async () => {
  const server = await startServer();
  const context = await launch();
  try {
    const roster = people();
    const docs = activities(N, roster);
    docs[417].body.title = NEEDLE;
    const page = await syncedList(server, context, roster, docs);
    const drawn = await page.locator('.record-card').count();
    assert.ok(drawn > 5 && drawn < 80, `only a screenful of cards is drawn, not all ${N} (drew ${drawn})`);

    // The bottom of the list is the oldest record (earliest date, then start, then id).
    const key = (d) => `${d.body.date}|${d.body.start}|${d.id}`;
    const oldest = docs.reduce((a, b) => (key(b) < key(a) ? b : a));
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    const last = page.locator(`.record-card[aria-posinset="${N}"]`);
    await last.waitFor({ timeout: 10_000 });
    assert.equal(await last.getAttribute('aria-setsize'), String(N));
    assert.match(await last.innerText(), new RegExp(oldest.body.title.replace(/[()（）]/g, '.')));
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.locator('.record-card[aria-posinset="1"]').waitFor({ timeout: 10_000 });

    // Search reaches records that were never drawn.
    const search = page.getByLabel('搜索', { exact: true });
    await search.fill('县道巡查');
    await page.waitForFunction(() => document.querySelector('ul.record-list[data-count]')?.dataset.count === '1', undefined, { timeout: 10_000 });
    await assert.doesNotReject(page.locator('.record-card', { hasText: NEEDLE }).waitFor({ timeout: 5_000 }));
    await search.fill('');
    await page.waitForFunction((n) => document.querySelector('ul.record-list[data-count]')?.dataset.count === String(n), N, { timeout: 10_000 });
    assert.equal(await listCount(page), N);

    await search.fill(NEEDLE);
    await page.locator('.record-card', { hasText: NEEDLE }).click();
    const title = page.getByLabel('标题', { exact: true });
    await title.waitFor();
    assert.equal(await title.inputValue(), NEEDLE);
  } finally {
    await context.cleanup();
    await server.stop();
  }
});

// Every card drawn while scrolling is dropped again when it leaves the screen. A card that
// subscribed to a long-lived signal (the language, the template, the route) left ~0.5 KB behind
// in that signal for good: 50,000 records scrolled once grew the app by ~27 MB (BENCHMARKS §4b).
test('scrolling the whole list ten more times does not make the app hold more memory', async () => {
  const server = await startServer();
  const context = await launch();
  try {
    await context.addInitScript(() => addEventListener('TrunkApplicationStarted', (e) => (window.__wasm = e.detail && e.detail.wasm)));
    const roster = people();
    const page = await syncedList(server, context, roster, activities(N, roster));
    // Top to bottom a screen at a time (every card is drawn on the way), then back to the top.
    const scrollThrough = (times) =>
      page.evaluate(async (times) => {
        const frame = () => new Promise((r) => requestAnimationFrame(r));
        for (let n = 0; n < times; n++) {
          const bottom = document.documentElement.scrollHeight - innerHeight;
          for (let y = 0; y < bottom; ) {
            y = Math.min(bottom, y + innerHeight);
            window.scrollTo(0, y);
            await frame();
          }
          window.scrollTo(0, 0);
          await frame();
        }
        await new Promise((r) => setTimeout(r, 200));
        return window.__wasm.memory.buffer.byteLength;
      }, times);
    const settled = await scrollThrough(2);
    assert.equal(await page.locator('.record-card[aria-posinset="1"]').count(), 1, 'back at the top');
    const after = await scrollThrough(10);
    const grew = after - settled;
    // 10 × 600 cards drawn: what each card kept came to 1.6 MB before the fix (0.1 KB of it
    // `For`'s, see src/components/virtual_list.rs); wasm memory grows in 64 KB pages.
    assert.ok(grew <= 3 * 65_536, `memory grew by ${(grew / 1e6).toFixed(2)} MB over ten more scrolls (from ${(settled / 1e6).toFixed(1)} MB)`);
  } finally {
    await context.cleanup();
    await server.stop();
  }
});
