/**
 * `prepare` keeps a build that is up to date (bin/fresh-build.js upToDate, scripts/build.js):
 * npm runs it again when it installs the project into its npx cache on the first `npx
 * trade-etl` of a clone, and a rebuild there cost the quick start 7 s and 100 MB of memory.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

type Check = (dir?: string) => boolean;
const { upToDate } = (await import(path.join('..', '..', 'bin', 'fresh-build.js'))) as { upToDate: Check };
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trade-etl-prepare-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A checkout with a build stamped at `startedAt` and every file it checks at `mtime`. */
function checkout(startedAt: number, mtime: number, node = process.version): string {
  const dir = fs.mkdtempSync(path.join(tmp, 'c-'));
  for (const f of ['src/cli/main.ts', 'pipelines/census/api.ts', 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json',
    'node_modules/.package-lock.json', 'scripts/build.js']) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), '');
    fs.utimesSync(path.join(dir, f), mtime / 1000, mtime / 1000);
  }
  fs.mkdirSync(path.join(dir, 'dist'));
  fs.writeFileSync(path.join(dir, 'dist', 'build-stamp.json'), JSON.stringify({ startedAt, node }));
  return dir;
}

describe('npm prepare and an existing build', () => {
  it('keeps a build begun after every source, package and build-script change, by the same Node; not otherwise', () => {
    const t = Date.UTC(2026, 0, 1);
    expect(upToDate(checkout(t, t - 60_000))).toBe(true);
    expect(upToDate(checkout(t, t - 60_000, 'v18.0.0'))).toBe(false);
    for (const f of ['src/cli/main.ts', 'pipelines/census/api.ts', 'tsconfig.json', 'package-lock.json', 'node_modules/.package-lock.json', 'scripts/build.js']) {
      const dir = checkout(t, t - 60_000);
      fs.utimesSync(path.join(dir, f), (t + 1000) / 1000, (t + 1000) / 1000);
      expect(upToDate(dir), f).toBe(false);
    }
    const noLock = checkout(t, t - 60_000);
    fs.rmSync(path.join(noLock, 'node_modules', '.package-lock.json'));
    expect(upToDate(noLock)).toBe(false);
    const noStamp = checkout(t, t - 60_000);
    fs.rmSync(path.join(noStamp, 'dist', 'build-stamp.json'));
    expect(upToDate(noStamp)).toBe(false);
  });

  // Only where this checkout's own build is current (a fresh clone after `npm ci`, as CI runs it):
  // otherwise the script would rebuild dist/ under the other tests' feet.
  it.skipIf(!upToDate())('leaves this checkout\'s current build as it is', () => {
    const stamp = fs.readFileSync(path.join(root, 'dist', 'build-stamp.json'), 'utf8');
    const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.js'), '--if-possible'], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('build: dist/ is up to date');
    expect(fs.readFileSync(path.join(root, 'dist', 'build-stamp.json'), 'utf8')).toBe(stamp);
  });
});
