// Section 8 alone (REST mode, a sync with nothing new: sections/8-rest.mjs), for a run that does not
// redo sections 1–7. Needs dist/ (`cargo xtask build`) and a server binary (XUNFANG_SERVER_BIN, the
// release one by default); rewrites only section 8 of BENCHMARKS.md (put before "Not measured yet"
// when new) and target/bench/rest.json. BENCH_REPORT_ONLY=1 rewrites the section from that file.

import { spawnSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { activities, people } from './gen.mjs';
import { N_DOCS, OUT, ROOT, log } from './lib.mjs';
import { report, restNothingNew } from './sections/8-rest.mjs';

const git = (...args) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
const loadavg = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');
const saved = join(ROOT, 'target', 'bench', 'rest.json');

let results;
if (process.env.BENCH_REPORT_ONLY) {
  results = JSON.parse(await readFile(saved, 'utf8'));
} else {
  const machine = { commit: git('rev-parse', '--short', 'HEAD') || 'unknown', date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), load: loadavg() };
  machine.dirty = git('status', '--porcelain', '--', 'src', 'crates', 'tests/bench', 'Cargo.lock') !== '';
  const roster = people();
  const t0 = performance.now();
  const rest = await restNothingNew({ docs: activities(N_DOCS, roster), roster, log });
  results = { docs: N_DOCS, rest, machine: { ...machine, loadAfter: loadavg(), seconds: Math.round((performance.now() - t0) / 1000), nproc: os.cpus().length } };
  await mkdir(join(ROOT, 'target', 'bench'), { recursive: true });
  await writeFile(saved, JSON.stringify(results, null, 1));
}
const lines = [];
report((...l) => lines.push(...l), results);
const m = results.machine;
lines.splice(
  2,
  0,
  `Measured alone by \`node tests/bench/rest.mjs\` at commit \`${m.commit}\`${m.dirty ? ' (with uncommitted changes)' : ''}, ${m.date}, ${m.seconds} s, load average (1/5/15 min) ${m.load} at the start, ${m.loadAfter} at the end (${m.nproc} cores; above 2 means other work competed for them).`,
  '',
);
const md = await readFile(OUT, 'utf8').catch(() => '# Benchmarks\n');
const section = `${lines.join('\n')}\n`;
// Section 8 runs to the next "## " heading; a file without it gets it before "Not measured yet".
const start = md.search(/^## 8\. /m);
const after = start < 0 ? -1 : md.slice(start + 1).search(/^## /m);
const end = start < 0 ? md.search(/^## Not measured yet/m) : after < 0 ? md.length : start + 1 + after;
const head = start >= 0 ? md.slice(0, start) : end >= 0 ? md.slice(0, end) : `${md}\n`;
await writeFile(OUT, head + section + (end >= 0 ? md.slice(end) : ''));
console.log(`[bench 8] wrote section 8 of ${OUT} and ${saved}`);
