// wasm-opt for many modules in one node process (split.rs writes this file next to its work).
// npm binaryen's `wasm-opt` is an emscripten build that compiles ~10 MB of wasm on every start
// (~5 s here): 200 chunks of a few hundred bytes cost that 200 times. binaryen's library runs the
// same default -O pipeline (BinaryenModuleOptimize) once it is loaded, so each process loads it once.
//
// usage: node wasm_opt.mjs <binaryen index.js> -O<0-4|s|z> [--enable-<feature>]... <in> <out> [<in> <out>]...
// (the level and the feature flags as wasm-opt takes them).

import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const fail = (message) => {
  console.error(message);
  process.exit(2);
};
const [lib, flag, ...rest] = process.argv.slice(2);
const level = /^-O([0-4sz])$/.exec(flag ?? '')?.[1];
const enables = rest.filter((a) => a.startsWith('--enable-'));
const pairs = rest.filter((a) => !a.startsWith('--'));
if (!lib || !level || pairs.length === 0 || pairs.length % 2 || enables.length + pairs.length !== rest.length) {
  fail('usage: node wasm_opt.mjs <binaryen index.js> -O<0-4|s|z> [--enable-<feature>]... <in> <out> [<in> <out>]...');
}
const binaryen = (await import(pathToFileURL(lib).href)).default;
// As wasm-opt's -O<level>: -Os/-Oz are -O2 with shrinking 1/2, -O0..-O4 shrink nothing.
const [optimize, shrink] = level === 'z' ? [2, 2] : level === 's' ? [2, 1] : [Number(level), 0];
binaryen.setOptimizeLevel(optimize);
binaryen.setShrinkLevel(shrink);
binaryen.setDebugInfo(false);
// wasm-opt's flag -> binaryen's features; bulk memory and reference types bring the features
// binaryen split off them (BulkMemoryOpt, CallIndirectOverlong), as the CLI's flags do.
const F = binaryen.Features;
const FLAGS = {
  'bulk-memory': F.BulkMemory | F.BulkMemoryOpt,
  'nontrapping-float-to-int': F.NontrappingFPToInt,
  'sign-ext': F.SignExt,
  'mutable-globals': F.MutableGlobals,
  'reference-types': F.ReferenceTypes | F.CallIndirectOverlong,
  multivalue: F.Multivalue,
};
let mask = F.MVP;
for (const e of enables) {
  const bits = FLAGS[e.slice('--enable-'.length)];
  if (bits === undefined) fail(`wasm_opt.mjs does not know ${e} (add it to FLAGS)`);
  mask |= bits;
}
for (let i = 0; i < pairs.length; i += 2) {
  const module = binaryen.readBinary(readFileSync(pairs[i]));
  module.setFeatures(mask);
  module.optimize();
  writeFileSync(pairs[i + 1], module.emitBinary());
  module.dispose();
}
