// Section 5 of `cargo xtask bench`: the same documents written into an empty IndexedDB store,
// plain IndexedDB against Dexie's bulkPut, in one page of the app's origin.

import { readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { firstPage, launch, median, ms, newProfile, notMeasured, startServer } from '../lib.mjs';

export async function idbVsDexie(n) {
  const require = createRequire(import.meta.url);
  let dexiePath;
  try {
    dexiePath = require.resolve('dexie/dist/dexie.min.js');
  } catch {
    return { error: 'npm dexie not installed' };
  }
  const dexieVersion = JSON.parse(await readFile(require.resolve('dexie/package.json'), 'utf8')).version;
  const genSource = await readFile(new URL('../gen.mjs', import.meta.url), 'utf8');
  const dir = await newProfile();
  const server = await startServer();
  const context = await launch(dir);
  try {
    const page = await firstPage(context);
    // A page of the app's origin that does not run the app, answered here without the server's
    // Content-Security-Policy (it forbids the inline Dexie script and the blob: import below).
    const blank = server.url + '/bench-blank.html';
    await page.route(blank, (r) => r.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>bench</title>' }));
    await page.goto(blank);
    await page.addScriptTag({ path: dexiePath });
    const out = await page.evaluate(
      async ({ genSource, n }) => {
        const url = URL.createObjectURL(new Blob([genSource], { type: 'text/javascript' }));
        const gen = await import(url);
        const docs = gen.activities(n);
        const done = (tx) => new Promise((res, rej) => ((tx.oncomplete = res), (tx.onerror = () => rej(tx.error)), (tx.onabort = () => rej(tx.error))));
        const del = (name) => new Promise((res) => { const r = indexedDB.deleteDatabase(name); r.onsuccess = r.onerror = r.onblocked = res; });
        const raw = async () => {
          await del('bench-raw');
          const db = await new Promise((res, rej) => {
            const r = indexedDB.open('bench-raw', 1);
            r.onupgradeneeded = () => {
              const s = r.result.createObjectStore('activities', { keyPath: 'id' });
              s.createIndex('date', 'body.date');
              s.createIndex('kind', 'body.kind');
            };
            r.onsuccess = () => res(r.result);
            r.onerror = () => rej(r.error);
          });
          const t0 = performance.now();
          const tx = db.transaction('activities', 'readwrite');
          const store = tx.objectStore('activities');
          for (const d of docs) store.put(d);
          await done(tx);
          const took = performance.now() - t0;
          db.close();
          return took;
        };
        const dexie = async () => {
          await del('bench-dexie');
          const db = new Dexie('bench-dexie');
          db.version(1).stores({ activities: 'id, body.date, body.kind' });
          await db.open();
          const t0 = performance.now();
          await db.activities.bulkPut(docs);
          const took = performance.now() - t0;
          db.close();
          return took;
        };
        const r = [];
        const d = [];
        for (let i = 0; i < 3; i++) {
          r.push(await raw());
          d.push(await dexie());
        }
        await del('bench-raw');
        await del('bench-dexie');
        return { raw: r, dexie: d };
      },
      { genSource, n },
    );
    return { ...out, dexieVersion };
  } finally {
    await context.close().catch(() => {});
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Section 5's figures: the median write time of each writer. */
export function figures(r) {
  const f = {};
  if (r.dexie && !r.dexie.error) {
    f.raw10k = median(r.dexie.raw);
    f.dexie10k = median(r.dexie.dexie);
  }
  return f;
}

/** Writes section 5 of BENCHMARKS.md with `p`. */
export function report(p, r, f) {
  p('## 5. IndexedDB bulk write vs Dexie', '');
  if (notMeasured(r.dexie)) p(notMeasured(r.dexie), '');
  else {
    p(`The same ${r.docs.toLocaleString('en')} documents written into an empty store (key \`id\`, indexes \`body.date\`, \`body.kind\`, as`, `the app's schema had before version 6), in the same page, alternately 3 times each: plain IndexedDB (one readwrite transaction,`, `one \`put\` per document) and Dexie ${r.dexie.dexieVersion} \`bulkPut\`. Time until the transaction completed.`, '');
    p('| writer | runs | median |', '|---|---|---:|');
    p(`| plain IndexedDB | ${r.dexie.raw.map(ms).join(', ')} | ${ms(f.raw10k)} |`);
    p(`| Dexie bulkPut | ${r.dexie.dexie.map(ms).join(', ')} | ${ms(f.dexie10k)} |`);
    p('', `Ratio Dexie / plain: ${(f.dexie10k / f.raw10k).toFixed(2)}. This compares storage libraries on the same data, not the app's own`, 'write path (rexie from wasm), whose cost is inside the sync figure of section 2.', '');
  }
}
