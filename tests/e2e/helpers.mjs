// Shared helpers for Xunfang's end-to-end tests (node:test + playwright-core).
//
// The browser is the system Chromium (Debian `chromium`), never a downloaded
// one: playwright-core ships no browsers. `cargo xtask test` sets
// XUNFANG_URL (the running server) and CHROMIUM (the executable).

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../support/chromium.mjs';
import { startServer as startAnyServer } from '../support/server.mjs';

export { CHROMIUM, CHROMIUM_ARGS };

/** Base URL of the server under test, without a trailing slash. */
export const BASE_URL = (process.env.XUNFANG_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');

/** URL of `path` on the server under test. */
export function url(path = '/') {
  return BASE_URL + (path.startsWith('/') ? path : `/${path}`);
}

/** A fresh, empty browser profile directory (removed by `context.cleanup()`). */
export async function newProfile() {
  return mkdtemp(join(tmpdir(), 'xunfang-e2e-'));
}

/**
 * Launches Chromium with a persistent profile (a tablet-sized window, the
 * given UI locale; Chinese unless told), so IndexedDB and the service
 * worker survive closing and relaunching with the same `userDataDir`.
 *
 * Returns the playwright BrowserContext with two extras:
 * `context.userDataDir` and `context.cleanup()` (closes it and, if the
 * profile was created here, deletes it). `args` are more Chromium flags.
 */
export async function launch({ userDataDir, offline = false, locale = 'zh-CN', userAgent, args = [] } = {}) {
  const owned = !userDataDir;
  const dir = userDataDir ?? (await newProfile());
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, ...args],
    locale,
    viewport: { width: 1024, height: 768 },
    ...(userAgent ? { userAgent } : {}),
  });
  if (offline) await context.setOffline(true);
  context.userDataDir = dir;
  context.cspViolations = watchCsp(context);
  context.cleanup = async () => {
    await context.close().catch(() => {});
    if (owned) await rm(dir, { recursive: true, force: true });
    // Every test runs under the server's Content-Security-Policy: anything
    // it blocked is a failure, whatever the test was about.
    if (context.cspViolations.length > 0) {
      throw new Error(`Content-Security-Policy violations:\n${context.cspViolations.join('\n')}`);
    }
  };
  return context;
}

/**
 * Collects what the Content-Security-Policy blocked on any page of
 * `context`: `securitypolicyviolation` events (reported through the
 * console) and the browser's own "Refused to …" console errors.
 */
export function watchCsp(context) {
  const violations = [];
  context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  context.on('console', (msg) => {
    const text = msg.text();
    if (text.startsWith('CSP violation:') || /Content Security Policy/i.test(text)) {
      violations.push(`${msg.page()?.url() ?? '?'}: ${text}`);
    }
  });
  return violations;
}

/** Waits until the app has rendered: `<html lang>` set and an `<h1>` or `[data-testid=app-ready]`. */
export async function waitForApp(page, { timeout = 30_000 } = {}) {
  await page.waitForFunction(
    () =>
      document.documentElement.lang !== '' &&
      document.querySelector('h1, [data-testid=app-ready]') !== null,
    undefined,
    { timeout },
  );
}

/**
 * Starts a server of our own (for tests that stop it to go offline, or swap
 * the app it serves). `port` 0 picks a free one; pass the port of an earlier
 * server to keep the same origin (service workers and IndexedDB are per
 * origin). `data` is its data dir (fresh unless given), `args` more `serve` flags.
 * Returns `{ url, port, data, token(team), stop() }` (tests/support/server.mjs).
 */
export function startServer({ dist = process.env.XUNFANG_DIST ?? 'dist', port = 0, data, args = [] } = {}) {
  const bin = SERVER_BIN;
  return startAnyServer({ bin, dist, port, data, args, tmpPrefix: 'xunfang-e2e-server-' });
}

/** The server binary the tests run (`cargo xtask test` sets it). */
export const SERVER_BIN = process.env.XUNFANG_SERVER_BIN ?? 'target/debug/xunfang-server';

/** Waits until a service worker controls the page (the app is cached). */
export async function waitForServiceWorker(page) {
  await page.waitForFunction(() => navigator.serviceWorker && navigator.serviceWorker.controller !== null, undefined, {
    timeout: 30_000,
  });
}

/** Opens `path` in the context's first page (or a new one) and waits for the app. */
export async function openApp(context, path = '/') {
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(url(path));
  await waitForApp(page);
  return page;
}

/** Waits until autosave says the draft is in IndexedDB. */
export async function saved(page) {
  await page.locator('[data-saved="true"]').waitFor({ timeout: 10_000 });
}

/** Presses "Sync now" in the header and waits for a finished, successful
 * sync; with `allSent` (the default) also for nothing left waiting. */
export async function syncNow(page, { allSent = true } = {}) {
  const line = page.getByTestId('sync-status');
  const before = await line.getAttribute('data-last-ok');
  await line.getByRole('button', { name: '立即同步' }).click();
  await page.waitForFunction(
    ({ prev, allSent }) => {
      const el = document.querySelector('[data-testid=sync-status]');
      return el && el.dataset.running === 'false' && el.dataset.lastOk !== prev && (!allSent || el.textContent.includes('全部已同步'));
    },
    { prev: before, allSent },
    { timeout: 30_000 },
  );
}

const AXE_SOURCE = readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical WCAG 2.1 A/AA violations on the page, as readable lines. */
export async function axeViolations(page) {
  await page.evaluate(await AXE_SOURCE);
  const found = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'],
  );
  return found.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) =>
      v.nodes.map((n) => `${v.impact} ${v.id} (${v.help}) at ${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`),
    );
}
