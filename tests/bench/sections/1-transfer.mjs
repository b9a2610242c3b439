// Section 1 of `cargo xtask bench`: the transfer size of the app shell (each file index.html
// refers to and the modules its script imports: the first screen; then the lazily loaded wasm
// chunks of the split build, which the service worker fetches in the background; raw, gzip and
// brotli, as our server sends it), and what the wasm is made of (twiggy).

import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { DIST, KB, ROOT, kb, notMeasured, startServer, verdict } from '../lib.mjs';

export async function transfer() {
  const server = await startServer();
  try {
    const html = await readFile(join(DIST, 'index.html'), 'utf8');
    const refs = new Set();
    for (const m of html.matchAll(/(?:href|src|module_or_path:)\s*=?\s*["']([^"']+)["']/g)) refs.add(m[1]);
    for (const m of html.matchAll(/from\s+'([^']+)'/g)) refs.add(m[1]);
    const first = ['/index.html', ...[...refs].filter((p) => p.startsWith('/'))];
    // The main module's static imports (the split loader) load before the first screen too.
    for (const js of first.filter((p) => p.endsWith('.js'))) {
      const text = await readFile(join(DIST, js.slice(1)), 'utf8');
      for (const m of text.matchAll(/^import .* from ["'](\.\/[^"']+)["'];?$/gm)) first.push('/' + m[1].slice(2));
    }
    first.push('/sw.js');
    // Everything else the service worker precaches that is code: the lazy chunks.
    const sw = await readFile(join(DIST, 'sw.js'), 'utf8');
    const precached = [...(sw.match(/^const FILES = \[(.*)\];$/m)?.[1] ?? '').matchAll(/'([^']+)'/g)].map((m) => m[1]);
    const lazy = precached.filter((p) => /\.(wasm|js)$/.test(p) && !first.includes(p));
    const rows = [];
    for (const path of [...new Set(first)].concat(lazy)) {
      const raw = await get(server.url + path, 'identity');
      const gz = await get(server.url + path, 'gzip');
      const br = await get(server.url + path, 'br');
      rows.push({ path, raw, gz, br, shell: !path.startsWith('/icons/') && !lazy.includes(path), lazy: lazy.includes(path) });
    }
    return rows;
  } finally {
    await server.stop();
  }
}

export function wasmContributors() {
  const wasm = spawnSync('bash', ['-c', 'ls target/wasm32-unknown-unknown/release/xunfang.wasm'], { cwd: ROOT, encoding: 'utf8' });
  if (wasm.status !== 0) return { error: 'no cargo wasm output' };
  const twiggy = spawnSync('twiggy', ['--version'], { encoding: 'utf8' });
  if (twiggy.status !== 0) return { error: 'twiggy not installed' };
  return (async () => {
    const tmp = await mkdtemp(join(os.tmpdir(), 'xunfang-bench-wasm-'));
    try {
      // The shipped pipeline (wasm-bindgen, then wasm-opt -Oz as trunk runs
      // it) with -g so function names survive for twiggy.
      const src = join(ROOT, 'target/wasm32-unknown-unknown/release/xunfang.wasm');
      let r = spawnSync('wasm-bindgen', ['--target', 'web', '--out-dir', tmp, '--out-name', 'x', src], { encoding: 'utf8' });
      if (r.status !== 0) return { error: `wasm-bindgen: ${r.stderr}` };
      const features = ['--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext', '--enable-mutable-globals', '--enable-reference-types', '--enable-multivalue'];
      r = spawnSync('wasm-opt', ['-Oz', '-g', ...features, join(tmp, 'x_bg.wasm'), '-o', join(tmp, 'named.wasm')], { encoding: 'utf8' });
      if (r.status !== 0) return { error: `wasm-opt: ${r.stderr}` };
      const csv = (args) => {
        const out = spawnSync('twiggy', [...args, '--format', 'csv', join(tmp, 'named.wasm')], { encoding: 'utf8', maxBuffer: 1 << 28 });
        if (out.status !== 0) throw new Error(`twiggy ${args.join(' ')}: ${out.stderr}`);
        return parseCsv(out.stdout);
      };
      const meta = (name) => /^(table\[|elem\[|"function names"|custom section|type\[|import |export |"[a-z ]+" subsection)/.test(name);
      const retained = csv(['top', '--retained', '-n', '200'])
        .filter((row) => !meta(row.Name))
        .slice(0, 15)
        .map((row) => ({ name: row.Name, retained: Number(row.RetainedSize), pct: Number(row.RetainedSizePercent) }));
      const all = csv(['top', '-n', '1000000']);
      const byCrate = new Map();
      let namesBytes = 0;
      for (const row of all) {
        const size = Number(row.ShallowSize);
        if (/"function names"|custom section|"[a-z ]+" subsection/.test(row.Name)) {
          namesBytes += size;
          continue;
        }
        byCrate.set(crateOf(row.Name), (byCrate.get(crateOf(row.Name)) ?? 0) + size);
      }
      const crates = [...byCrate.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15);
      return { retained, crates, namesBytes };
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  })();
}

/** The crate a symbol belongs to (roughly): the first path segment of a
 * Rust symbol, the type's crate for `<T as Trait>` impls. */
function crateOf(name) {
  if (name.startsWith('data segment') || name.startsWith('data[')) return '(data: strings, tables)';
  if (/^code\[|^global\[|^func\[/.test(name)) return '(unnamed code)';
  let s = name.replace(/^</, '');
  s = s.replace(/^(dyn |&mut |&|\*const |\*mut |\[)/, '');
  const m = s.match(/^([A-Za-z_][A-Za-z0-9_]*)(?:\[[0-9a-f]+\])?::/);
  if (m) return m[1];
  const prim = s.match(/^([a-z0-9]+) as ([A-Za-z_][A-Za-z0-9_]*)/);
  if (prim) return prim[2];
  return '(other)';
}

function parseCsv(text) {
  const lines = [];
  let row = [];
  let field = '';
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') q = false;
      else field += c;
    } else if (c === '"') q = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\n') row.push(field), lines.push(row), (row = []), (field = '');
    else if (c !== '\r') field += c;
  }
  if (field || row.length) row.push(field), lines.push(row);
  const [head, ...rest] = lines;
  return rest.filter((r) => r.length === head.length).map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]])));
}

/** GET with an Accept-Encoding; the body is counted as it comes, not decoded. */
function get(url, encoding) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { 'accept-encoding': encoding } }, (res) => {
      let bytes = 0;
      res.on('data', (c) => (bytes += c.length));
      res.on('end', () =>
        resolve({
          status: res.statusCode,
          bytes,
          contentLength: res.headers['content-length'] == null ? null : Number(res.headers['content-length']),
          encoding: res.headers['content-encoding'] ?? 'identity',
          type: res.headers['content-type'] ?? '',
        }),
      );
    });
    req.on('error', reject);
  });
}

/** Section 1's "small size knobs": measured once by hand (issue 16), not by each bench run,
 * so the text is kept here and written as it is. */
const KNOBS = [
  '### Small size knobs (measured at 9895148, single-wasm build)',
  '',
  'Each knob on the release wasm as shipped (cargo release build → wasm-bindgen → wasm-opt), bytes raw, gzip 9 and',
  'brotli 11 (lgwin 22, as the server compresses). Commands: `CARGO_PROFILE_RELEASE_OPT_LEVEL=s cargo build --release',
  '--target wasm32-unknown-unknown --bin xunfang` (or a `trunk build --release` with the change), `wasm-bindgen --target=web',
  '--no-typescript`, then `wasm-opt -O<level>` (npm binaryen 132, as trunk runs it); sizes by node\'s zlib. Brotli moves by',
  '±0.6 KB on changes that remove nothing (dropping the 0.3 KB `producers` and `target_features` sections makes the file',
  '0.6 KB *larger* after brotli), so a difference below ~1 KB is no difference.',
  '',
  '| knob | raw | gzip | brotli | kept? |',
  '|---|---:|---:|---:|---|',
  '| baseline: `opt-level = "z"`, fat LTO, 1 codegen unit, `panic = "abort"`, `wasm-opt -Oz`, console_error_panic_hook | 2,859,149 | 1,084,072 | 791,477 | – |',
  '| `opt-level = "s"` (then `-Oz`) | 3,563,877 (+704,728) | 1,292,721 (+208,649) | 905,679 (+114,202) | no: z stays |',
  '| `wasm-opt -Os` | 2,971,102 (+111,953) | 1,084,242 (+170) | 791,585 (+108) | no |',
  '| `wasm-opt -O1` | 3,042,246 (+183,097) | 1,074,536 (−9,536) | 787,232 (−4,245) | see below |',
  '| `wasm-opt -O2` | 3,019,189 (+160,040) | 1,084,784 (+712) | 790,891 (−586) | no |',
  '| `wasm-opt -O3` | 2,989,392 (+130,243) | 1,086,956 (+2,884) | 791,550 (+73) | no |',
  '| release panic hook printing a fixed line and the location (no console_error_panic_hook); wasm + js | 2,858,023 + 79,826 (−2,037) | 1,083,596 + 12,564 (−591) | 791,743 + 10,568 (+152) | no: std\'s own hook keeps the formatting in |',
  '| `strip = true`, wasm-bindgen `--remove-name-section` | 0 | 0 | 0 | nothing to strip: wasm-opt writes no name section without `-g` |',
  '| serde_json `preserve_order` off | – | – | – | already off (no indexmap under serde_json in Cargo.lock) |',
  '| `sort_unstable_by` for the list rows (a memory cut, section 4b) | 2,857,570 (−1,579) | 1,083,797 (−275) | 792,028 (+551) | yes, for memory |',
  '',
  'Weights, from twiggy on the wasm-bindgen output before wasm-opt (3.12 MB of code and data without names): serde_json',
  '127.8 KB (4.1%), chrono 28.5 KB (0.9%; already `default-features = false`), rust_xlsxwriter with zip, zopfli and zlib-rs',
  '275.3 KB (8.8%, the Excel export: none of it needed on the first screen), leptos + tachys + reactive_graph 524.0 KB (16.8%).',
  'None of the knobs above comes near the 200 KB budget: the split build (first screen only) is what can.',
  '',
  '`-O1` is the one level smaller than `-Oz` after compression (−4.2 KB brotli, −0.5%; −9.5 KB gzip), as another project',
  'found, but 6.4% larger raw and with far fewer optimisation passes. First start with 4× CPU (no network throttle, fresh',
  'profile, 5 runs each, interleaved, on a loaded machine): until the list is usable −Oz 1.13 s, −O1 1.05 s (ratio 0.92, inside',
  'the runs\' spread of 0.89–1.84 s): no measurable cost at start, but the first sync and search, the CPU-heavy paths, were not',
  'measured with it, so `-Oz` stays; worth trying again per chunk once the build is split. `opt-level = "s"` loses by 14%,',
  'so its CPU effect was not measured.',
  '',
  'Memory with 50,000 records (section 4b), measured on the same profile after a restart, wasm linear memory + JS heap:',
  '95.6 + 2.5 = 98.1 MB at 9895148, 94.2 + 2.5 = 96.8 MB with the unstable sort (−1.4 MB: the stable sort\'s scratch copy of',
  'the rows is gone). What holds it is the list rows (`xunfang_core::list::ListRow`, one per record, kept for the list and',
  'search): ~1.8 KB each for the bench set, of which the folded search text is ~1.1 KB and the participants\' ids (6.5 a row,',
  'each a 36-character string) ~0.4 KB; the per-character search index is ~2.9 MB. The next cut would be the participants as',
  'indexes into the roster (~15 MB at 50,000) or the search text as UTF-16 (a third less for Chinese).',
  '',
];

/** Section 1's figures: the app shell's total bytes, raw, gzip and brotli. */
export function figures(r) {
  const f = {};
  if (r.transfer && !r.transfer.error) {
    const shell = r.transfer.filter((x) => x.shell);
    f.raw = shell.reduce((s, x) => s + x.raw.bytes, 0);
    f.gz = shell.reduce((s, x) => s + x.gz.bytes, 0);
    f.br = shell.reduce((s, x) => s + x.br.bytes, 0);
    const lazy = r.transfer.filter((x) => x.lazy);
    f.lazyChunks = lazy.length;
    f.lazyRaw = lazy.reduce((s, x) => s + x.raw.bytes, 0);
    f.lazyBr = lazy.reduce((s, x) => s + x.br.bytes, 0);
  }
  return f;
}

/** Writes section 1 of BENCHMARKS.md with `p`. */
export function report(p, r, f) {
  p('## 1. Transfer size of the app shell', '');
  if (notMeasured(r.transfer)) p(notMeasured(r.transfer), '');
  else {
    p('Bytes on the wire from our server for each file index.html refers to (and the modules its script imports), plus sw.js, requested with', '`Accept-Encoding: identity`, `gzip`, `br` (the server compresses each static file once, at start-up or first request: brotli 11 and gzip 9 in', 'the release build, brotli 5 in debug builds, and keeps it in memory; sync answers are compressed on the fly at the fastest level).', 'Body bytes as received.', '');
    p('| file | raw | gzip | brotli |', '|---|---:|---:|---:|');
    for (const x of r.transfer) {
      const enc = (y, want) => (y.encoding === want || want === 'identity' ? kb(y.bytes) : `${kb(y.bytes)} (sent ${y.encoding})`);
      if (x.lazy) continue;
      p(`| \`${x.path}\`${x.shell ? '' : ' (icon)'} | ${enc(x.raw, 'identity')} | ${enc(x.gz, 'gzip')} | ${enc(x.br, 'br')} |`);
    }
    p(`| **first-screen shell total** (without icons) | **${kb(f.raw)}** | **${kb(f.gz)}** | **${kb(f.br)}** |`, '');
    if (f.lazyChunks) {
      p('Loaded when a screen first needs them, and fetched by the service worker in the background after the first visit', `(${f.lazyChunks} chunks of the split build, each named after its content):`, '');
      p('| lazily loaded file | raw | gzip | brotli |', '|---|---:|---:|---:|');
      for (const x of r.transfer.filter((y) => y.lazy)) p(`| \`${x.path}\` | ${kb(x.raw.bytes)} | ${kb(x.gz.bytes)} | ${kb(x.br.bytes)} |`);
      p(`| **lazy total** | **${kb(f.lazyRaw)}** | | **${kb(f.lazyBr)}** |`, '');
    }
    p('| figure | value | budget | verdict |', '|---|---:|---:|---|');
    p(`| first-screen shell, brotli (what Chromium receives) | ${kb(f.br)} | 200 KB | ${verdict(f.br, 200 * KB)} |`);
    p(`| first-screen shell, gzip (clients without brotli) | ${kb(f.gz)} | 200 KB | ${verdict(f.gz, 200 * KB)} |`, '');
  }
  p('### What the wasm is made of', '');
  if (notMeasured(r.wasm)) p(notMeasured(r.wasm), '');
  else {
    p('twiggy on the same pipeline as the shipped file (cargo release wasm → wasm-bindgen → `wasm-opt -Oz`),', 'run with `-g` so function names survive (the shipped file has no names; code and data are the', `same; the name section, ${kb(r.wasm.namesBytes)}, is left out below). Retained size = the item plus everything only it`, 'keeps alive. `table[0]`/`elem[0]` (the indirect-call table, which retains nearly all code) are left out.', '');
    p('| # | item | retained |', '|---:|---|---:|');
    r.wasm.retained.forEach((x, i) => p(`| ${i + 1} | \`${x.name.replace(/\|/g, '\\|').slice(0, 140)}\` | ${kb(x.retained)} |`));
    p('', 'Shallow size grouped by crate (first path segment of the symbol; generic code is counted in the', 'crate that defines it, not the one that instantiates it):', '');
    p('| crate | shallow size |', '|---|---:|');
    for (const [c, s] of r.wasm.crates) p(`| ${c} | ${kb(s)} |`);
    p('');
  }
  p(...KNOBS);

}
