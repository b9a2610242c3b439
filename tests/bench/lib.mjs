// What every section of `cargo xtask bench` shares: the settings (from the environment xtask
// sets), number formats, a server of our own, and Chromium with the bench's timing script.

import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../support/chromium.mjs';
import { startServer as startAnyServer } from '../support/server.mjs';

export { CHROMIUM };
export const ROOT = process.env.XUNFANG_ROOT ?? new URL('../..', import.meta.url).pathname;
export const BIN = process.env.XUNFANG_SERVER_BIN ?? join(ROOT, 'target/server/xunfang-server');
export const DIST = process.env.XUNFANG_DIST ?? join(ROOT, 'dist');
export const OUT = process.env.BENCH_OUT ?? join(ROOT, 'BENCHMARKS.md');
export const N_DOCS = Number(process.env.BENCH_DOCS ?? 10_000);
// The larger set (0 skips it).
export const N_LARGE = Number(process.env.BENCH_LARGE_DOCS ?? 50_000);
export const KB = 1000;

export const log = (...a) => console.log('[bench]', ...a);
export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
export const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))];
export const ms = (x) => (x == null ? 'n/a' : x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${Math.round(x)} ms`);
export const kb = (x) => `${(x / KB).toFixed(1)} KB`;
export const MB = (x) => (x == null ? 'n/a' : `${(x / 1e6).toFixed(1)} MB`);
export const verdict = (value, budget) => (value == null ? 'not measured' : value <= budget ? 'within' : `**over** (${(value / budget).toFixed(1)}×)`);
/** The line a report section shows for a result that failed, or undefined. */
export const notMeasured = (x) => x && x.error && `Not measured: ${x.error}`;

// ------------------------------------------------------------- server --

/** A release server of our own on a free port (tests/support/server.mjs); its stderr is dropped. */
export function startServer({ port = 0, data } = {}) {
  return startAnyServer({ bin: BIN, dist: DIST, port, data, tmpPrefix: 'xunfang-bench-data-', stderr: 'ignore' });
}

// ------------------------------------------------------------ browser --

/** Chromium on profile `dir`, as the bench measures it: 1024×768, zh-CN, with `timingScript`
 * in every page unless `timing` is false. */
export async function launch(dir, { offline = false, timing = true } = {}) {
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    locale: 'zh-CN',
    viewport: { width: 1024, height: 768 },
  });
  if (offline) await context.setOffline(true);
  if (timing) await context.addInitScript(timingScript);
  return context;
}

export const newProfile = () => mkdtemp(join(os.tmpdir(), 'xunfang-bench-profile-'));

/** In every page: times (performance.now(), from navigation start) when the
 * app's parts appear; `*Painted` is after the next frame. */
export function timingScript() {
  const b = (window.__bench = {});
  const painted = (key) => requestAnimationFrame(() => setTimeout(() => (b[key] = performance.now()), 0));
  const check = () => {
    const now = performance.now();
    if (b.h1 == null && document.querySelector('h1')) b.h1 = now;
    if (b.cards == null && document.querySelector('.record-card')) {
      b.cards = now;
      painted('cardsPainted');
    }
    if (b.empty == null && document.querySelector('p.empty')) b.empty = now;
    // With a passcode: when the lock screen showed and when it went (section 9).
    if (b.lock == null && document.querySelector('[data-testid=lock-screen]')) b.lock = now;
    if (b.lock != null && b.unlocked == null && !document.querySelector('[data-testid=lock-screen]')) b.unlocked = now;
    if (b.ready == null && b.h1 != null && (b.cards != null || b.empty != null)) {
      b.ready = now;
      painted('readyPainted');
    }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true });
  addEventListener('TrunkApplicationStarted', (e) => {
    b.started = performance.now();
    window.__benchWasm = e.detail && e.detail.wasm;
  });
}

export async function firstPage(context) {
  return context.pages()[0] ?? (await context.newPage());
}

/** Navigates and waits until the record list is usable and painted; with
 * `full`, also until every row is loaded (the app's `xunfang:list-ready`
 * mark). The app's marks are returned as `firstScreenMark` and `listReady`.
 * With `pin`, the lock screen comes first and is unlocked (`unlockClick` is when). */
export async function openList(page, url, { timeout = 120_000, full = false, pin } = {}) {
  await page.goto(url, { waitUntil: 'commit', timeout });
  if (pin) {
    const input = page.locator('#unlock-passcode');
    await input.waitFor({ timeout });
    await input.fill(pin);
    await page.evaluate(() => (window.__bench.unlockClick = performance.now()));
    await page.getByRole('button', { name: '解锁' }).click();
  }
  await page.waitForFunction(() => window.__bench && window.__bench.readyPainted != null, undefined, { timeout, polling: 50 });
  if (full) await page.waitForFunction(() => performance.getEntriesByName('xunfang:list-ready').length > 0, undefined, { timeout, polling: 50 });
  return page.evaluate(() => ({
    ...window.__bench,
    firstScreenMark: performance.getEntriesByName('xunfang:list-first-screen')[0]?.startTime ?? null,
    listReady: performance.getEntriesByName('xunfang:list-ready')[0]?.startTime ?? null,
  }));
}

/** How many records the list shows (all of them, not just the cards drawn). */
export function listCount(page) {
  return page.evaluate(() => {
    const ul = document.querySelector('ul.record-list[data-count]');
    return ul ? Number(ul.dataset.count) : document.querySelector('p.empty') ? 0 : null;
  });
}
