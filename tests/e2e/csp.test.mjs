// The app under its Content-Security-Policy: every screen of src/app.rs
// draws without the policy blocking anything (the loader, the wasm, styles,
// the set-up QR code, photos as blob:/data: URLs, the service worker), and
// the shell is served with the security headers.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, url, waitForApp, waitForServiceWorker } from './helpers.mjs';

let context;
after(async () => {
  await context?.cleanup();
});

const SOME_ID = '01900000-0000-7000-8000-000000000000';
const ROUTES = [
  '/',
  `/records/${SOME_ID}`,
  '/people',
  `/people/${SOME_ID}`,
  '/trash',
  '/office',
  '/office/suggestions',
  `/office/proposals/${SOME_ID}`,
  `/office/opinions/${SOME_ID}`,
  '/office/attendance',
  '/office/report',
  '/office/summary',
  '/office/exports',
  '/office/devices',
  '/settings',
];

test('the app shell is served with the security headers', async () => {
  const res = await fetch(url('/'));
  const csp = res.headers.get('content-security-policy') ?? '';
  for (const directive of ["script-src 'self' 'wasm-unsafe-eval'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "connect-src 'self' https:"]) {
    assert.ok(csp.includes(directive), `${directive} missing from ${csp}`);
  }
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
  assert.match(res.headers.get('permissions-policy') ?? '', /camera=\(self\).*geolocation=\(self\)/);
});

test('no screen breaks the Content-Security-Policy', async () => {
  context = await launch();
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(url('/'));
  await waitForApp(page);
  await waitForServiceWorker(page);
  for (const route of ROUTES) {
    await page.goto(url(route));
    await waitForApp(page);
  }
  // The set-up link's QR code (an SVG drawn into the page).
  await page.goto(url('/settings?sync=https%3A%2F%2Fsync.example.invalid&token=t0ken&mode=native'));
  await waitForApp(page);
  await page.getByRole('button', { name: '使用这些设置' }).click();
  await page.getByTestId('setup-link').waitFor();
  await page.locator('.qr svg').waitFor();
  // Pictures as the app shows photos: blob: and data: URLs.
  const shown = await page.evaluate(async () => {
    const load = (src) =>
      new Promise((resolve) => {
        const img = new Image();
        img.onload = () => resolve(true);
        img.onerror = () => resolve(false);
        img.src = src;
      });
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 4;
    const dataUrl = canvas.toDataURL('image/png');
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
    return [await load(dataUrl), await load(URL.createObjectURL(blob))];
  });
  assert.deepEqual(shown, [true, true]);
  // A reload under the service worker keeps the policy (and breaks nothing).
  await page.reload();
  await waitForApp(page);
  assert.deepEqual(context.cspViolations, []);

  // The watch sees what the policy blocks: an inline script no hash allows.
  await page.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'window.__injected = true;';
    document.head.append(script);
  });
  await waitUntil(() => context.cspViolations.length > 0);
  assert.equal(await page.evaluate(() => window.__injected ?? false), false, 'the injected script did not run');
  context.cspViolations.length = 0;
});

async function waitUntil(condition, timeout = 5_000) {
  const end = Date.now() + timeout;
  while (!condition()) {
    if (Date.now() > end) throw new Error('the CSP watch saw nothing');
    await new Promise((r) => setTimeout(r, 50));
  }
}
