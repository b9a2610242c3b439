// Section 2 of `cargo xtask bench`: the first sync of 10,000 records into an empty tablet, from
// the set-up link to the sync status saying done; the last run's profile is section 4's.

import { rm } from 'node:fs/promises';
import { firstPage, launch, listCount, log, median, ms, newProfile, notMeasured, openList, verdict } from '../lib.mjs';

export async function seedServer(server, docs, roster) {
  const token = server.token('bench');
  const t0 = performance.now();
  const all = [...roster, ...docs];
  let cursor = null;
  for (let i = 0; i < all.length; i += 200) {
    const push = all.slice(i, i + 200);
    const body = JSON.stringify({ protocol: 1, device: 'bench-seeder', cursor, push, pull_limit: 1 });
    let r;
    // The server limits how fast one device may push (a 429 with Retry-After): the seeder waits as the app does.
    for (let tries = 0; ; tries++) {
      r = await fetch(`${server.url}/api/sync`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
      if (r.status !== 429 || tries >= 30) break;
      await r.arrayBuffer();
      await new Promise((ok) => setTimeout(ok, 1000 * Number(r.headers.get('retry-after') ?? 1)));
    }
    if (r.status !== 200) throw new Error(`push batch ${i / 200}: HTTP ${r.status} ${await r.text()}`);
    const j = await r.json();
    if (j.rejected?.length) throw new Error(`push batch ${i / 200}: rejected ${JSON.stringify(j.rejected[0])}`);
    if (j.accepted.length !== push.length) throw new Error(`push batch ${i / 200}: accepted ${j.accepted.length} of ${push.length}`);
  }
  return { token, pushMs: performance.now() - t0 };
}

async function countStored(page) {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('xunfang');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction(['activities', 'people'], 'readonly');
          const a = tx.objectStore('activities').count();
          const p = tx.objectStore('people').count();
          tx.oncomplete = () => {
            resolve({ activities: a.result, people: p.result });
            db.close();
          };
        };
      }),
  );
}

/** `prepare(page)` runs on the set-up page before the timed click (section 9 sets a passcode
 * there, and passes its `pin` to unlock the list afterwards). */
export async function syncRuns(server, token, runs, { prepare, pin } = {}) {
  const setup = `${server.url}/settings?sync=${encodeURIComponent(server.url)}&token=${encodeURIComponent(token)}&mode=native`;
  const results = [];
  let keptProfile = null;
  for (let i = 0; i < runs; i++) {
    const dir = await newProfile();
    const context = await launch(dir);
    try {
      const page = await firstPage(context);
      await page.goto(setup);
      await page.waitForFunction(() => document.querySelector('h1') !== null, undefined, { timeout: 60_000 });
      if (prepare) await prepare(page);
      const button = page.getByRole('button', { name: '使用这些设置' });
      await button.waitFor();
      const t0 = performance.now();
      await button.click();
      await page.waitForFunction(
        () => {
          const el = document.querySelector('[data-testid=sync-status]');
          return el && el.dataset.running === 'false' && !!el.dataset.lastOk;
        },
        undefined,
        { timeout: 600_000, polling: 50 },
      );
      const took = performance.now() - t0;
      const stored = await countStored(page);
      const status = await page.getByTestId('sync-status').innerText();
      const list = await openList(page, server.url + '/', { full: true, pin });
      const cards = await listCount(page);
      log(`sync run ${i + 1}: ${ms(took)}; stored ${stored.activities} activities, ${stored.people} people; list shows ${cards} records; header "${status.replace(/\s+/g, ' ')}"`);
      results.push({ took, stored, cards, status, listMs: list.readyPainted });
    } finally {
      await context.close().catch(() => {});
      if (i === runs - 1) keptProfile = dir;
      else await rm(dir, { recursive: true, force: true });
    }
  }
  return { results, profile: keptProfile };
}

/** Section 2's figure: the median first sync. */
export function figures(r) {
  return Array.isArray(r.sync) ? { sync: median(r.sync.map((x) => x.took)) } : {};
}

/** Writes section 2 of BENCHMARKS.md with `p`. */
export function report(p, r, f) {
  p(`## 2. First sync of ${r.docs.toLocaleString('en')} records from an empty tablet`, '');
  if (notMeasured(r.seed)) p(notMeasured(r.seed), '');
  if (notMeasured(r.sync)) p(notMeasured(r.sync), '');
  if (Array.isArray(r.sync)) {
    p('The server is seeded with POST /api/sync batches of 200 ' + (r.seed && r.seed.pushMs ? `(took ${ms(r.seed.pushMs)} for ${r.docs.toLocaleString('en')} + ${r.people ?? 80} documents). ` : '') + 'Then, in a fresh profile each run: the set-up link `/settings?sync=…&token=…&mode=native`, click', '"使用这些设置", and time until `[data-testid=sync-status]` has `data-running="false"` and a', '`data-last-ok`. Over loopback, so network time is nearly nil: this is the app\'s and the server\'s work.', 'The generated ids grow with the order the server receives the documents, as on a real team where ids are', 'time-ordered and tablets push what they made: each received page then finds its local copies with one key', 'listing (src/storage/sync_store.rs). Where the two orders are unrelated, each document is read on its own,', 'which cost ~0.7 s more on this set when measured (4.5-4.8 s against 5.2-5.9 s, interleaved runs).', '');
    p('| run | time | stored in IndexedDB | cards in the list |', '|---:|---:|---:|---:|');
    r.sync.forEach((x, i) => p(`| ${i + 1} | ${ms(x.took)} | ${x.stored.activities} activities, ${x.stored.people} people | ${x.cards} |`));
    p('', '| figure | value | budget | verdict |', '|---|---:|---:|---|');
    p(`| first sync, median of ${r.sync.length} | ${ms(f.sync)} | 2.5 s | ${verdict(f.sync, 2500)} |`, '');
  }

}
