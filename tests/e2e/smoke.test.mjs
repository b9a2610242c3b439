// Smoke test: the served app boots in Chromium and deep links return the app.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { launch, url, waitForApp } from './helpers.mjs';

let context;
before(async () => {
  context = await launch();
});
after(async () => {
  await context?.cleanup();
});

test('health endpoint answers ok', async () => {
  const res = await fetch(url('/api/health'));
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.deepEqual(body, { ok: true }, 'nothing an outsider could use');
});

test('the app boots', async () => {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(err));
  const response = await page.goto(url('/'));
  assert.equal(response.status(), 200);
  await waitForApp(page);
  const lang = await page.evaluate(() => document.documentElement.lang);
  assert.ok(lang.length > 0);
  assert.deepEqual(errors.map(String), []);
  await page.close();
});

test('deep links return the app html', async () => {
  const res = await fetch(url('/records/some-deep-link'));
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
  assert.equal(res.headers.get('cache-control'), 'no-cache');
  const root = await (await fetch(url('/'))).text();
  assert.equal(await res.text(), root);

  // In the browser the deep link boots the app (an unknown record id need
  // not render a heading, so only wait for the wasm app to start)...
  const page = await context.newPage();
  const response = await page.goto(url('/records/some-deep-link'));
  assert.equal(response.status(), 200);
  await page.waitForFunction(
    () => window.wasmBindings !== undefined && document.body.childElementCount > 0,
    undefined,
    { timeout: 30_000 },
  );
  // ...and a deep link to a real page renders it.
  await page.goto(url('/people'));
  await waitForApp(page);
  await page.close();
});

test('a missing asset is a 404, not the app', async () => {
  const res = await fetch(url('/no-such-file.js'));
  assert.equal(res.status, 404);
});
