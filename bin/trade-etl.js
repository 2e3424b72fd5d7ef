#!/usr/bin/env node
// Runs the compiled dist/ when it is up to date with the sources (`npm ci` builds it), else the
// TypeScript sources through tsx — so an edited checkout never runs stale code, and a fresh
// clone works even without the build. See scripts/build.js.
import { freshBuild } from './fresh-build.js';

let main;
if (freshBuild()) {
  ({ main } = await import('../dist/src/cli/main.js'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv);
