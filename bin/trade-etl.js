#!/usr/bin/env node
// Runs the compiled dist/ when it is up to date with the sources (`npm ci` builds it), else the
// TypeScript sources through tsx — so an edited checkout never runs stale code, and a fresh
// clone works even without the build. See scripts/build.js.
import fs from 'node:fs';
import { freshBuild } from './fresh-build.js';

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
