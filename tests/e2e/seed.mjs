// Bench data (tests/bench/gen.mjs) pushed to a test server and synced onto a
// fresh browser profile, for tests that need a year of records fast.

import assert from 'node:assert/strict';
import { waitForApp } from './helpers.mjs';

/** Pushes `docs` to the server as device `e2e-seeder`. */
export async function seed(server, token, docs) {
  for (let i = 0; i < docs.length; i += 200) {
    const r = await fetch(`${server.url}/api/sync`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ protocol: 1, device: 'e2e-seeder', cursor: null, push: docs.slice(i, i + 200), pull_limit: 1 }),
    });
    assert.equal(r.status, 200, await r.text());
  }
}

/** Seeds `docs`, sets the profile up to sync with the server (the set-up
 * link's address), and waits for the first sync. `use` is the button text. */
export async function seededPage(context, server, docs, use = '使用这些设置') {
  const token = server.token('e2e');
  await seed(server, token, docs);
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`${server.url}/settings?sync=${encodeURIComponent(server.url)}&token=${encodeURIComponent(token)}&mode=native`);
  await waitForApp(page);
  await page.getByRole('button', { name: use }).click();
  await page.waitForFunction(() => document.querySelector('[data-testid=sync-status]')?.dataset.lastOk, undefined, { timeout: 60_000 });
  return page;
}
