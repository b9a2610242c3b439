// BENCHMARKS.md and the summary printed at the end of `cargo xtask bench`, from the results of
// the sections: the header here, then each section's own part, in number order.

import * as transfer from './sections/1-transfer.mjs';
import * as sync from './sections/2-sync.mjs';
import * as start from './sections/3-start.mjs';
import * as stored from './sections/4-stored.mjs';
import * as dexie from './sections/5-dexie.mjs';
import * as pouch from './sections/6-pouch.mjs';
import * as load from './sections/7-load.mjs';
import * as rest from './sections/8-rest.mjs';
import * as passcode from './sections/9-passcode.mjs';
import { BIN, KB, MB, ROOT, kb, ms } from './lib.mjs';

const SECTIONS = [transfer, sync, start, stored, dexie, pouch, load, rest, passcode];

/** Every section's figures in one object (sections 4 and 6 also read section 2's). */
export function figures(r) {
  return Object.assign({}, ...SECTIONS.filter((s) => s.figures).map((s) => s.figures(r)));
}

/** The short summary printed at the end of a run. */
export function summary(r) {
  const f = figures(r);
  const line = (name, v, budget, fmt) => `  ${name.padEnd(40)} ${v == null ? 'n/a' : fmt(v)}`.padEnd(56) + (budget == null ? '' : ` budget ${fmt(budget)}  ${v == null ? '' : v <= budget ? 'ok' : 'OVER'}`);
  return [
    '==== cargo xtask bench ====',
    line('app shell, brotli as served', f.br, 200 * KB, kb),
    line('app shell, gzip as served', f.gz, 200 * KB, kb),
    line(`first sync of ${r.docs} records (median)`, f.sync, 2500, ms),
    line('first visit, 4x CPU, 1.6 Mbit/s (median)', f.first, 2000, ms),
    line('offline start from the SW (median)', f.offline, 400, ms),
    line(`${r.docs}: list after the shell (median)`, f.listAfterShell, 100, ms),
    line(`${r.docs}: search keystroke (median)`, f.search, 50, ms),
    line(`${r.docs}: saving an edit (median)`, f.save, 16, ms),
    line(`${r.docs}: scrolling, 95th percentile frame`, f.scrollP95, 50, ms),
    line(`${r.docs}: JS heap used`, f.heap, 100e6, MB),
    line(`${r.docs}: JS heap + wasm memory`, f.heap + (f.wasmMem ?? 0), 100e6, MB),
    line(`IDB bulk put ${r.docs}: plain / Dexie`, f.raw10k, null, ms) + (f.dexie10k ? ` / ${ms(f.dexie10k)}` : ''),
    line(`PouchDB replication of ${r.docs} (median)`, r.pouch && r.pouch.median, null, ms) + (r.pouch && r.pouch.median && f.sync ? `  PouchDB / ours ${(r.pouch.median / f.sync).toFixed(2)} (aim >= 2)` : ''),
    line(`PouchDB, values only, ${r.docs} (median)`, r.pouch?.values?.median, null, ms) + (r.pouch?.values?.median && f.sync ? `  PouchDB / ours ${(r.pouch.values.median / f.sync).toFixed(2)} (aim >= 3)` : ''),
  ].join('\n');
}


/** The text of BENCHMARKS.md. */
export function report(r) {
  const m = r.machine;
  const f = figures(r);
  const out = [];
  const p = (...l) => out.push(...l);
  p('# Benchmarks', '');
  p('Measured by `cargo xtask bench` (xtask/src/bench.rs builds the app and the server, then runs', '`node tests/bench/run.mjs`, which drives Debian\'s Chromium through playwright-core). Figures are', 'medians unless said otherwise; a budget is a target, not a test: nothing fails when one is over.', 'Run it again after a change and compare; absolute figures depend on the machine below, and on a', 'shared virtual machine they drift by up to ~1.5× between runs. The plain IndexedDB write in section 5', 'does not depend on the app: compare it first to tell machine noise from a change in the app.', '');
  p('| | |', '|---|---|');
  p(`| command | \`cargo xtask bench\` (took ${ms(r.totalMs)} of measuring, after the builds) |`);
  p(`| commit | \`${m.commit}\`${m.dirty ? ' with uncommitted changes in the app or crates' : ''} |`);
  p(`| date | ${m.date} |`);
  p(`| machine | ${m.nproc} cores, ${m.model}${m.mhz ? ` (${Math.round(Number(m.mhz))} MHz)` : ''}, ${m.memory} RAM, ${m.os}, ${m.kernel} |`);
  if (m.load) p(`| load average (1/5/15 min) | ${m.load} at the start, ${m.loadAfter ?? 'n/a'} at the end (the bench itself accounts for 1–2; more means other work on the machine) |`);
  p(`| browser | ${m.chromium}, headless, fresh profile per run, 1024×768, zh-CN |`);
  p(`| server | \`${BIN.replace(ROOT.replace(/\/$/, '') + '/', '')}\` (${BIN.includes('/server/') ? 'the `server` profile (release at opt-level 3), as the package ships it; `cargo xtask serve` runs the debug build: its pulls are ~3–5× slower and it serves static files at brotli 5' : BIN.includes('/release/') ? 'release profile' : 'debug profile'}), on loopback |`);
  p(`| data | ${r.docs.toLocaleString('en')} activity documents + ${r.people ?? 80} people, generated deterministically by tests/bench/gen.mjs: Chinese text, 3–10 participants, 0–5 suggestions, every field stamped; ${MB(r.docBytes)} of JSON (${(r.docBytes / r.docs / 1000).toFixed(1)} KB a document) |`);
  p('');

  for (const section of SECTIONS) section.report(p, r, f);

  p('## Not measured yet', '');
  p('- Real tablets (ARM CPUs, Safari/WebKit); Chromium\'s CPU throttling only approximates a slower CPU.');
  p('- Sync over a real network (section 2 is loopback) and incremental syncs after the first.');
  p('- The app\'s own IndexedDB write path in isolation (it is part of the sync figure).');
  p('- A first sync whose ids do not follow the server\'s order (see section 2).', '');
  return out.join('\n');
}
