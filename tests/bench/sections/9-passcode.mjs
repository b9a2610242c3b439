// Section 9 of `cargo xtask bench`: the cost of a passcode (issue 17). Interleaved pairs on the
// server of section 2: a fresh profile without a passcode, then one with a PIN set before the
// first sync; each gets section 2's first sync and section 4's loads, search and save.

import { rm } from 'node:fs/promises';
import { log, median, ms, MB, notMeasured, verdict } from '../lib.mjs';
import { syncRuns } from './2-sync.mjs';
import { withRecords } from './4-stored.mjs';

const PIN = '480217';

async function setPin(page) {
  await page.locator('#passcode-new').fill(PIN);
  await page.locator('#passcode-again').fill(PIN);
  await page.getByRole('button', { name: '设置密码' }).click();
  await page.getByTestId('passcode-outcome').filter({ hasText: '已保存。' }).waitFor({ timeout: 120_000 });
}

/** One run of each kind, `runs` times, alternating. */
export async function passcodeRuns(server, token, runs = 2) {
  const out = { off: [], on: [] };
  for (let i = 0; i < runs; i++) {
    for (const on of [false, true]) {
      const sync = await syncRuns(server, token, 1, on ? { prepare: setPin, pin: PIN } : {});
      try {
        const stored = await withRecords(server.url, sync.profile, on ? { pin: PIN } : {});
        const run = { sync: sync.results[0].took, stored };
        (on ? out.on : out.off).push(run);
        log(`passcode ${on ? 'on' : 'off'} pair ${i + 1}: sync ${ms(run.sync)}, first screen ${stored.starts.map((t) => ms(firstScreen(t))).join(', ')}`);
      } finally {
        await rm(sync.profile, { recursive: true, force: true });
      }
    }
  }
  return out;
}

/** From the list's start (the `<h1>`, or the unlock with a passcode) to the first cards painted. */
function firstScreen(t) {
  return t.cardsPainted - (t.unlocked ?? t.h1);
}

/** From the same start until every row is read (decrypted with the PIN) and indexed: when search and filters see them all. */
function everyRow(t) {
  return t.listReady - (t.unlocked ?? t.h1);
}

const kinds = {
  sync: (r) => r.sync,
  first: (r) => median(r.stored.starts.map(firstScreen)),
  ready: (r) => median(r.stored.starts.map(everyRow)),
  search: (r) => median(r.stored.typed.map((x) => x.ms)),
  save: (r) => median(r.stored.edit.saves),
};

/** Section 9's figures, under `passcode` (the other sections' names are taken):
 * medians over the runs of each kind, and the unlock's time. */
export function figures(r) {
  const f = passcodeFigures(r);
  return f ? { passcode: f } : {};
}

function passcodeFigures(r) {
  const p = r.passcode;
  if (!p || p.error || !p.on?.length || !p.off?.length) return null;
  const f = {};
  for (const [k, of] of Object.entries(kinds)) f[k] = { off: median(p.off.map(of)), on: median(p.on.map(of)) };
  f.unlock = median(p.on.flatMap((x) => x.stored.starts.map((t) => t.unlocked - t.unlockClick)));
  f.heap = { off: median(p.off.map((x) => x.stored.heap.usedSize)), on: median(p.on.map((x) => x.stored.heap.usedSize)) };
  return f;
}

/** Writes section 9 of BENCHMARKS.md with `p`. */
export function report(p, r, f) {
  if (!r.passcode) return;
  p('## 9. With a passcode (encryption at rest)', '');
  if (notMeasured(r.passcode)) return p(notMeasured(r.passcode), '');
  const g = f.passcode;
  if (!g) return p('Not measured: no complete pair of runs.', '');
  p(
    `Interleaved pairs on section 2's server (${r.docs.toLocaleString('en')} records): a fresh profile without a passcode, then one with`,
    'a PIN set on the set-up page before the first sync (everything it stores is sealed with AES-256-GCM: a pulled page through Web Crypto before its write, other writes in wasm). Each then',
    "runs section 4's loads, search keystrokes and saves; with the PIN every load unlocks first (PBKDF2-SHA-256, 600,000",
    'rounds, Web Crypto). First screen: from the `<h1>` (with the PIN: from the lock screen going) to the first cards painted',
    '(the newest rows, read and opened first). Every row: from the same start to the app\'s `xunfang:list-ready` mark (all rows',
    'read, opened and indexed; a search typed before then shows "loading" and then what it finds among all of them).',
    '',
  );
  p('| figure | without | with a PIN | ratio | budget | verdict with the PIN |', '|---|---:|---:|---:|---:|---|');
  const budgets = { sync: ['first sync of the records', 2500], first: ['first screen', 500], search: ['search keystroke to results', 50], save: ['saving an edit', 16] };
  for (const [k, [name, budget]] of Object.entries(budgets)) {
    const { off, on } = g[k];
    const ratio = on / off;
    const within = on <= budget || ratio <= 1.2;
    p(`| ${name} | ${ms(off)} | ${ms(on)} | ${ratio.toFixed(2)} | ${ms(budget)} or ≤ 1.20 | ${within ? 'within' : verdict(on, budget)} |`);
  }
  if (Number.isFinite(g.ready.off) && Number.isFinite(g.ready.on)) {
    p(`| every row loaded, from the same start (search sees all; no budget given) | ${ms(g.ready.off)} | ${ms(g.ready.on)} | ${(g.ready.on / g.ready.off).toFixed(2)} | – | – |`);
  }
  p('', `Unlock (click to the lock screen gone, PBKDF2 included), median: ${ms(g.unlock)}. JS heap after loading every row: ${MB(g.heap.off)} without, ${MB(g.heap.on)} with the PIN.`, '');
}
