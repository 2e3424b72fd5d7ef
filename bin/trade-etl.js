#!/usr/bin/env node
// Runs the compiled dist/ when it is up to date with the sources (`npm ci` builds it), else the
// TypeScript sources through tsx — so an edited checkout never runs stale code, and a fresh
// clone works even without the build. See scripts/build.js.
import fs from 'node:fs';
import v8 from 'node:v8';
import { freshBuild } from './fresh-build.js';

// PGlite's WebAssembly: V8 recompiles a function with its optimizing compiler once it has run
// for a budget of work, on background threads — and a process waits for those compilations to
// finish before it exits. At the default budget PGlite's start-up alone queued enough of them
// to keep a short command (a reload of an unchanged file) 0.25–0.3 s longer, and on two cores
// they also slowed the main thread. Ten times the budget still optimizes what a long load keeps
// running (loads measured as fast), and a reload takes 0.70–0.78 s instead of 0.98–1.07 s
// (docs/performance.md). Set before PGlite is compiled, so it applies to it.
v8.setFlagsFromString('--wasm-tiering-budget=18000000');

let main;
if (freshBuild()) {
  // The bundle of the same build when there is one (scripts/build.js: it starts faster).
  const bundled = new URL('../dist/bundle/main.js', import.meta.url);
  ({ main } = await import(fs.existsSync(bundled) ? bundled.href : '../dist/src/cli/main.js'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv);
