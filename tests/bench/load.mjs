// `cargo xtask bench load`: section 7 alone (many tablets at once, sections/7-load.mjs). Rewrites
// only that section of BENCHMARKS.md (put before "Not measured yet" when new) and target/bench/load.json;
// BENCH_REPORT_ONLY=1 rewrites the section from target/bench/load.json without measuring.

import { spawnSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { loadRuns, report } from './sections/7-load.mjs';

const ROOT = process.env.XUNFANG_ROOT ?? new URL('../..', import.meta.url).pathname;
const OUT = process.env.BENCH_OUT ?? join(ROOT, 'BENCHMARKS.md');

const git = (...args) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' }).stdout.trim();

/** `md` with section 7 replaced by `section`, or `section` put before "Not measured yet". */
function splice(md, section) {
  const start = md.indexOf('\n## 7. ');
  if (start >= 0) {
    const end = md.indexOf('\n## ', start + 1);
    return md.slice(0, start + 1) + section + (end >= 0 ? md.slice(end) : '');
  }
  const tail = md.indexOf('\n## Not measured yet');
  return tail >= 0 ? md.slice(0, tail + 1) + section + md.slice(tail) : `${md}\n${section}`;
}

const saved = join(ROOT, 'target', 'bench', 'load.json');
const load = process.env.BENCH_REPORT_ONLY ? JSON.parse(await readFile(saved, 'utf8')) : measure();

function measure() {
  const loadavg = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');
  const before = loadavg();
  const load = loadRuns();
  load.machine = {
    commit: git('rev-parse', '--short', 'HEAD') || 'unknown',
    dirty: git('status', '--porcelain', '--', 'crates', 'Cargo.toml', 'Cargo.lock') !== '',
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    load: before,
    loadAfter: loadavg(),
    nproc: os.cpus().length,
  };
  return load;
}
const lines = [];
report((...l) => lines.push(...l), { load });
await mkdir(join(ROOT, 'target', 'bench'), { recursive: true });
await writeFile(saved, JSON.stringify(load, null, 2));
await writeFile(OUT, splice(await readFile(OUT, 'utf8').catch(() => '# Benchmarks\n'), lines.join('\n')));
console.log(`[bench 7] wrote section 7 of ${OUT} and target/bench/load.json`);
