// Shared helpers for Xunfang's end-to-end tests (node:test + playwright-core).
//
// The browser is the system Chromium (Debian `chromium`), never a downloaded
// one: playwright-core ships no browsers. `cargo xtask test` sets
// XUNFANG_URL (the running server) and CHROMIUM (the executable).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

/** Base URL of the server under test, without a trailing slash. */
export const BASE_URL = (process.env.XUNFANG_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');

/** Chromium executable. */
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** Flags that let Chromium run headless as root in a container, quietly. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

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
 * profile was created here, deletes it).
 */
export async function launch({ userDataDir, offline = false, locale = 'zh-CN', userAgent } = {}) {
  const owned = !userDataDir;
  const dir = userDataDir ?? (await newProfile());
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
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
 * origin). Returns `{ url, port, stop() }`.
 */
export async function startServer({ dist = process.env.XUNFANG_DIST ?? 'dist', port = 0 } = {}) {
  const { spawn } = await import('node:child_process');
  const bin = process.env.XUNFANG_SERVER_BIN ?? 'target/debug/xunfang-server';
  const data = await mkdtemp(join(tmpdir(), 'xunfang-e2e-server-'));
  const child = spawn(bin, ['serve', '--bind', `127.0.0.1:${port}`, '--dist', dist, '--data', data], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const serverUrl = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 30_000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/Xunfang is running at (http:\/\/[^\s]+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1].replace(/\/+$/, ''));
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
  return {
    url: serverUrl,
    port: Number(new URL(serverUrl).port),
    /** Creates an access token for `team` with the server binary's subcommand. */
    async createToken(team) {
      const { spawnSync } = await import('node:child_process');
      const r = spawnSync(bin, ['token', 'create', '--team', team, '--data', data], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`token create failed: ${r.stderr}`);
      return r.stdout.split('\n')[0].trim();
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(data, { recursive: true, force: true });
    },
  };
}

/** Waits until a service worker controls the page (the app is cached). */
export async function waitForServiceWorker(page) {
  await page.waitForFunction(() => navigator.serviceWorker && navigator.serviceWorker.controller !== null, undefined, {
    timeout: 30_000,
  });
}
