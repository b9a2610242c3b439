// Section 4 of `cargo xtask bench`: the app with 10,000 records stored (and 4b, 50,000): list
// start, search keystrokes, scrolling, saving an edit, memory. Runs in section 2's last profile.

import { firstPage, launch, listCount, log, median, ms, MB, notMeasured, openList, p95, verdict } from '../lib.mjs';

/** `pin`: the profile has a passcode set; every load unlocks it first (section 9). */
export async function withRecords(serverUrl, profile, { pin } = {}) {
  const context = await launch(profile);
  try {
    const page = await firstPage(context);
    // Warm-up start (code caches, the service worker), then measured ones.
    await openList(page, serverUrl + '/', { full: true, pin });
    const starts = [];
    for (let i = 0; i < 3; i++) {
      const t = await openList(page, serverUrl + '/', { full: true, pin });
      starts.push(t);
      log(`stored list start ${i + 1}: h1 ${ms(t.h1)}, first card ${ms(t.cards)}, painted ${ms(t.cardsPainted)}, all rows ${ms(t.listReady)}`);
    }
    const cards = await listCount(page);
    const scroll = await scrollWholeList(page);
    log(`scrolled ${scroll.frames.length} frames to card ${scroll.lastCard}: median ${ms(median(scroll.frames))}, longest ${ms(Math.max(...scroll.frames))}`);

    // Heap: JS heap of the page (CDP), and the wasm linear memory.
    await page.waitForTimeout(1000);
    const cdp = await context.newCDPSession(page);
    await cdp.send('HeapProfiler.collectGarbage').catch(() => {});
    const heap = await cdp.send('Runtime.getHeapUsage');
    const mem = await page.evaluate(() => ({
      perfUsed: performance.memory ? performance.memory.usedJSHeapSize : null,
      wasm: window.__benchWasm && window.__benchWasm.memory ? window.__benchWasm.memory.buffer.byteLength : null,
    }));

    // Search: one keystroke into an empty search box, until the list has
    // stopped changing and a frame was drawn; then clearing it again.
    const input = page.getByLabel('搜索', { exact: true });
    await input.waitFor();
    const keystroke = async (action) => {
      await page.evaluate(() => {
        const s = (window.__search = { input: null, painted: null, last: null });
        const target = document.querySelector('section.page') ?? document.body;
        if (window.__searchObs) window.__searchObs.disconnect();
        window.__searchObs = new MutationObserver(() => {
          s.last = performance.now();
          requestAnimationFrame(() => setTimeout(() => (s.painted = performance.now()), 0));
        });
        window.__searchObs.observe(target, { childList: true, subtree: true, characterData: true });
        if (!window.__searchInput) {
          window.__searchInput = true;
          window.addEventListener('input', () => window.__search && window.__search.input == null && (window.__search.input = performance.now()), true);
        }
      });
      await action();
      await page.waitForFunction(
        () => {
          const s = window.__search;
          return s.input != null && s.last != null && s.painted != null && s.painted >= s.last && performance.now() - s.last > 500;
        },
        undefined,
        { timeout: 120_000, polling: 100 },
      );
      const s = await page.evaluate(() => window.__search);
      return { ms: s.painted - s.input, shown: await listCount(page) };
    };
    const typed = [];
    const cleared = [];
    for (const ch of ['养', '法', '水', '校', '桥']) {
      await input.focus();
      const t = await keystroke(() => page.keyboard.type(ch));
      typed.push({ ch, ...t });
      const c = await keystroke(() => page.keyboard.press('Backspace'));
      cleared.push({ ch, ...c });
      log(`search "${ch}": ${ms(t.ms)} → ${t.shown} records; cleared: ${ms(c.ms)} → ${c.shown} records`);
    }
    const bytes = await storedBytes(page);
    log(`stored: ${bytes.activities.count} activities, ${bytes.activities.bytes} bytes (${bytes.activities.format2} in format 2); ${bytes.people.count} people, ${bytes.people.bytes} bytes`);
    const edit = await editRecord(page);
    log(`save: ${edit.saves.map(ms).join(', ')}; keystroke to frame ${edit.frames.map(ms).join(', ')}`);
    return { starts, cards, heap, mem, typed, cleared, scroll, edit, bytes };
  } finally {
    await context.close().catch(() => {});
  }
}

/** Scrolls the window from the top of the list to its bottom, 2,000 px a
 * frame, and times each frame. The last card drawn shows it got there. */
async function scrollWholeList(page) {
  return page.evaluate(async () => {
    const frame = () => new Promise((r) => requestAnimationFrame(r));
    window.scrollTo(0, 0);
    await frame();
    await frame();
    const bottom = document.documentElement.scrollHeight - innerHeight;
    const frames = [];
    let last = performance.now();
    for (let y = 0; y < bottom; ) {
      y = Math.min(bottom, y + 2000);
      window.scrollTo(0, y);
      await frame();
      const now = performance.now();
      frames.push(now - last);
      last = now;
    }
    await new Promise((r) => setTimeout(r, 300));
    const lastCard = Math.max(0, ...[...document.querySelectorAll('.record-card')].map((e) => Number(e.getAttribute('aria-posinset'))));
    window.scrollTo(0, 0);
    return { frames, lastCard, height: bottom };
  });
}

/** What the app stored in IndexedDB: per store, the documents, the bytes of
 * their JSON text (the records' `utf8` field, src/storage/record.rs) and how
 * many are in document format 2. Read before any edit, as the sync left them. */
async function storedBytes(page) {
  return page.evaluate(async () => {
    const db = await new Promise((ok, fail) => {
      const req = indexedDB.open('xunfang');
      req.onsuccess = () => ok(req.result);
      req.onerror = () => fail(req.error);
    });
    const head = new TextEncoder().encode('{"format":2,');
    const count = (name) =>
      new Promise((ok, fail) => {
        const out = { count: 0, bytes: 0, format2: 0 };
        const req = db.transaction(name, 'readonly').objectStore(name).openCursor();
        req.onerror = () => fail(req.error);
        req.onsuccess = () => {
          const c = req.result;
          if (!c) return ok(out);
          const utf8 = c.value.utf8;
          if (utf8) {
            out.count++;
            out.bytes += utf8.byteLength;
            if (head.every((b, i) => utf8[i] === b)) out.format2++;
          }
          c.continue();
        };
      });
    const r = { activities: await count('activities'), people: await count('people') };
    db.close();
    return r;
  });
}

/** Opens the first record and types five characters into its title, one at a
 * time: each keystroke's time to the next frame, and each save's duration
 * (the app's `xunfang:save` measure: stamping, reading the stored copy,
 * merging and writing document, outbox entry and list row). */
async function editRecord(page) {
  await page.locator('.record-card').first().click();
  const title = page.getByLabel('标题', { exact: true });
  await title.waitFor();
  const saves = [];
  const frames = [];
  for (const ch of '巡访测试中') {
    const before = await page.evaluate(() => performance.getEntriesByName('xunfang:save').length);
    await title.focus();
    await page.keyboard.press('End');
    await page.evaluate(() => {
      window.__typed = null;
      document.activeElement.addEventListener(
        'input',
        () => {
          const t = performance.now();
          requestAnimationFrame(() => setTimeout(() => (window.__typed = performance.now() - t), 0));
        },
        { once: true },
      );
    });
    await page.keyboard.type(ch);
    await page.waitForFunction((n) => performance.getEntriesByName('xunfang:save').length > n && window.__typed != null, before, { timeout: 30_000, polling: 20 });
    const r = await page.evaluate(() => ({ save: performance.getEntriesByName('xunfang:save').at(-1).duration, frame: window.__typed }));
    saves.push(r.save);
    frames.push(r.frame);
  }
  return { saves, frames };
}

/** The section 4 figures of one stored set. */
function storedFigures(st) {
  const f = {
    listAfterShell: median(st.starts.map((x) => x.cardsPainted - x.h1)),
    listFromNav: median(st.starts.map((x) => x.cardsPainted)),
    listReady: median(st.starts.map((x) => x.listReady - x.h1)),
    search: median(st.typed.map((x) => x.ms)),
    clear: median(st.cleared.map((x) => x.ms)),
    heap: st.heap.usedSize,
    wasmMem: st.mem.wasm,
  };
  if (st.bytes && st.bytes.activities.count) f.storedDoc = st.bytes.activities.bytes / st.bytes.activities.count;
  if (st.scroll) {
    f.scrollMedian = median(st.scroll.frames);
    f.scrollP95 = p95(st.scroll.frames);
    f.scrollMax = Math.max(...st.scroll.frames);
    f.longFrames = st.scroll.frames.filter((x) => x > 50).length;
  }
  if (st.edit) {
    f.save = median(st.edit.saves);
    f.keyFrame = median(st.edit.frames);
  }
  return f;
}

/** Section 4's figures (and 4b's, as `large`). */
export function figures(r) {
  const f = {};
  if (r.stored && !r.stored.error) Object.assign(f, storedFigures(r.stored));
  if (r.large && r.large.stored && !r.large.stored.error) f.large = { ...storedFigures(r.large.stored), sync: Array.isArray(r.large.sync) ? median(r.large.sync.map((x) => x.took)) : null };
  return f;
}

/** Section 4 for one stored set. */
function storedReport(p, docs, people, s) {
  if (!s) return;
  if (s.error) {
    p(`Not measured: ${s.error}`, '');
    return;
  }
  const f = storedFigures(s);
  const n = docs.toLocaleString('en');
  p(`The profile of the last sync run (${n} activities, ${people ?? '?'} people), browser restarted, one warm-up load, then 3 loads of \`/\``, `(no throttling). The list holds ${s.cards} records and draws only the cards on screen. "First screen" is from the \`<h1>\``, 'appearing to the first cards drawn (the newest rows, read backwards through an index); "every row" is until', 'the app\'s `xunfang:list-ready` mark: all rows read, indexed for search and the list drawn from them.', '');
  p('| load | `<h1>` | first cards in the DOM | first cards drawn | every row loaded |', '|---:|---:|---:|---:|---:|');
  s.starts.forEach((x, i) => p(`| ${i + 1} | ${ms(x.h1)} | ${ms(x.cards)} | ${ms(x.cardsPainted)} | ${ms(x.listReady)} |`));
  p('', 'Search: one keystroke into the empty box labelled 搜索, from the `input` event until the list has stopped', 'changing and a frame was drawn; then Backspace back to the full list.', '');
  p('| typed | time | records shown | Backspace to the full list | records |', '|---|---:|---:|---:|---:|');
  s.typed.forEach((x, i) => p(`| ${x.ch} | ${ms(x.ms)} | ${x.shown} | ${ms(s.cleared[i].ms)} | ${s.cleared[i].shown} |`));
  if (s.scroll) p('', `Scrolling: the window from the top of the list to its bottom (${Math.round(s.scroll.height).toLocaleString('en')} px), 2,000 px a frame, ${s.scroll.frames.length} frames; the last card drawn at the bottom is number ${s.scroll.lastCard}. A frame over 50 ms is a visible stutter.`);
  if (s.edit) p('', `Saving an edit: the first record opened, five characters typed into its title one at a time; each autosave's \`xunfang:save\` measure (stamping, reading the stored copy, merging, writing document, outbox entry and list row in one transaction): ${s.edit.saves.map(ms).join(', ')}. Keystroke to the next frame: ${s.edit.frames.map(ms).join(', ')}.`);
  p('', '| figure | value | budget | verdict |', '|---|---:|---:|---|');
  p(`| list: first screen after the shell (h1 → first cards drawn) | ${ms(f.listAfterShell)} | 100 ms | ${verdict(f.listAfterShell, 100)} |`);
  p(`| list: every row loaded, after the shell (no budget given) | ${ms(f.listReady)} | – | – |`);
  p(`| list from navigation start (for reference) | ${ms(f.listFromNav)} | – | – |`);
  p(`| search keystroke to results | ${ms(f.search)} | 50 ms | ${verdict(f.search, 50)} |`);
  p(`| clearing the search (back to all records; no budget given) | ${ms(f.clear)} | – | – |`);
  if (f.save != null) p(`| saving an edit (median of 5) | ${ms(f.save)} | 16 ms | ${verdict(f.save, 16)} |`);
  if (f.keyFrame != null) p(`| keystroke in the form to the next frame (median of 5) | ${ms(f.keyFrame)} | 16 ms | ${verdict(f.keyFrame, 16)} |`);
  if (f.scrollP95 != null) p(`| scrolling the whole list: 95th percentile frame (median ${ms(f.scrollMedian)}, longest ${ms(f.scrollMax)}, ${f.longFrames} over 50 ms) | ${ms(f.scrollP95)} | no stutter (50 ms) | ${verdict(f.scrollP95, 50)} |`);
  if (f.storedDoc != null) {
    const b = s.bytes.activities;
    p(`| average stored activity document (its JSON text in IndexedDB, ${b.format2.toLocaleString('en')} of ${b.count.toLocaleString('en')} in document format 2) | ${(f.storedDoc / 1000).toFixed(2)} KB | 3.5 KB | ${verdict(f.storedDoc, 3500)} |`);
  }
  p(`| JS heap used (CDP Runtime.getHeapUsage after GC) | ${MB(f.heap)} | 100 MB | ${verdict(f.heap, 100e6)} |`);
  p(`| wasm linear memory (not in the JS heap; grows, never shrinks) | ${MB(f.wasmMem)} | – | – |`);
  p(`| JS heap + wasm linear memory (what the app holds) | ${MB(f.heap + (f.wasmMem ?? 0))} | 100 MB | ${verdict(f.heap + (f.wasmMem ?? 0), 100e6)} |`);
  p(`| performance.memory.usedJSHeapSize (for reference) | ${MB(s.mem.perfUsed)} | – | – |`, '');
}

/** Writes section 4 (and 4b) of BENCHMARKS.md with `p`; `f` holds every section's figures. */
export function report(p, r, f) {
  p(`## 4. With ${r.docs.toLocaleString('en')} records stored`, '');
  storedReport(p, r.docs, r.people, r.stored);
  if (r.large) {
    p(`## 4b. With ${r.large.docs.toLocaleString('en')} records stored`, '');
    if (notMeasured(r.large.sync)) p(notMeasured(r.large.sync), '');
    else if (Array.isArray(r.large.sync)) {
      const x = r.large.sync[0];
      p(`First sync of ${r.large.docs.toLocaleString('en')} records (one run, as in section 2; seeding took ${ms(r.large.seed && r.large.seed.pushMs)}): **${ms(x.took)}**; stored ${x.stored.activities} activities, ${x.stored.people} people; the list shows ${x.cards} records.`, '');
    }
    storedReport(p, r.large.docs, r.large.people, r.large.stored);
    if (f.large && f.listAfterShell != null) {
      p(`### How the figures grow from ${r.docs.toLocaleString('en')} to ${r.large.docs.toLocaleString('en')} records`, '');
      p(`| figure | ${r.docs.toLocaleString('en')} | ${r.large.docs.toLocaleString('en')} | growth |`, '|---|---:|---:|---:|');
      const g = (name, a, b, fmt = ms) => p(`| ${name} | ${fmt(a)} | ${fmt(b)} | ${a && b ? (b / a).toFixed(1) + '×' : '–'} |`);
      g('first sync', f.sync, f.large.sync);
      g('list: first screen after the shell', f.listAfterShell, f.large.listAfterShell);
      g('list: every row loaded, after the shell', f.listReady, f.large.listReady);
      g('search keystroke', f.search, f.large.search);
      g('saving an edit', f.save, f.large.save);
      g('scrolling: 95th percentile frame', f.scrollP95, f.large.scrollP95);
      g('JS heap + wasm memory', f.heap + (f.wasmMem ?? 0), f.large.heap + (f.large.wasmMem ?? 0), MB);
      p('');
    }
  }

}
