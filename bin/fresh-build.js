// Whether dist/ (scripts/build.js) is newer than every file it was compiled from.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** dist/build-stamp.json ({ startedAt, node }), or null when there is no complete build. `dir`: another checkout (tests). */
export function buildStamp(dir = root) {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'dist', 'build-stamp.json'), 'utf8'));
  } catch {
    return null;
  }
}

/** True when dist/build-stamp.json exists and no source file changed after that build began. */
export function freshBuild(dir = root) {
  if (process.env.TRADE_ETL_NO_DIST) return false;
  const stamp = buildStamp(dir)?.startedAt;
  if (typeof stamp !== 'number') return false;
  // About 200 stats: a few milliseconds.
  const newer = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) { if (newer(p)) return true; }
      else if (fs.statSync(p).mtimeMs > stamp) return true;
    }
    return false;
  };
  return !['src', 'pipelines', 'tsconfig.json', 'tsconfig.build.json'].some((f) => {
    const p = path.join(dir, f);
    const st = fs.statSync(p, { throwIfNoEntry: false });
    if (!st) return false;
    return st.isDirectory() ? newer(p) : st.mtimeMs > stamp;
  });
}

/**
 * Whether `prepare` may keep the build that is there. It runs again when nothing changed: the
 * first `npx trade-etl` in a clone does not find the project's own bin in node_modules/.bin, so
 * npm installs the project into its npx cache as a `file:` package — which runs `prepare`. That
 * rebuild made the quick start's first run 7 s slower and raised its peak RSS from about 290 to
 * 385 MB (the compiler's). Kept only when the same Node built it after the last change to the
 * sources, the installed packages (npm writes node_modules/.package-lock.json on every install;
 * the bundle holds some of them) and the build script.
 */
export function upToDate(dir = root) {
  const stamp = buildStamp(dir);
  if (!stamp || stamp.node !== process.version || !freshBuild(dir)) return false;
  return ['package.json', 'package-lock.json', path.join('node_modules', '.package-lock.json'), path.join('scripts', 'build.js')]
    .every((f) => (fs.statSync(path.join(dir, f), { throwIfNoEntry: false })?.mtimeMs ?? Infinity) <= stamp.startedAt);
}
