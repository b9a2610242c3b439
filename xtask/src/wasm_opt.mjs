// wasm-opt for many modules in one node process (split.rs writes this file next to its work).
// npm binaryen's `wasm-opt` is an emscripten build that compiles ~10 MB of wasm on every start
// (~5 s here): 200 chunks of a few hundred bytes cost that 200 times. binaryen's library does the
// same default -O pipeline (BinaryenModuleOptimize) once it is loaded, so each worker loads it once.
//
// usage: node wasm_opt.mjs <binaryen index.js> <level 0-4|s|z> <features,comma,separated> <in> <out> [<in> <out>]...

import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [lib, level, features, ...pairs] = process.argv.slice(2);
if (!lib || !level || features === undefined || pairs.length === 0 || pairs.length % 2) {
  console.error('usage: node wasm_opt.mjs <binaryen index.js> <level> <features> <in> <out> [<in> <out>]...');
  process.exit(2);
}
const binaryen = (await import(pathToFileURL(lib).href)).default;
// As wasm-opt's -O<level>: -Os/-Oz are -O2 with shrinking 1/2, -O0..-O4 shrink nothing.
const [optimize, shrink] = level === 'z' ? [2, 2] : level === 's' ? [2, 1] : [Number(level), 0];
if (!(optimize >= 0 && optimize <= 4)) {
  console.error(`not a wasm-opt level: ${level}`);
  process.exit(2);
}
binaryen.setOptimizeLevel(optimize);
binaryen.setShrinkLevel(shrink);
binaryen.setDebugInfo(false);
let mask = binaryen.Features.MVP;
for (const name of features.split(',').filter(Boolean)) {
  const bit = binaryen.Features[name];
  if (bit === undefined) {
    console.error(`binaryen knows no feature ${name}`);
    process.exit(2);
  }
  mask |= bit;
}
for (let i = 0; i < pairs.length; i += 2) {
  const module = binaryen.readBinary(readFileSync(pairs[i]));
  module.setFeatures(mask);
  module.optimize();
  writeFileSync(pairs[i + 1], module.emitBinary());
  module.dispose();
}
