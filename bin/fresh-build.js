// Whether dist/ (scripts/build.js) is newer than every file it was compiled from.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** dist/build-stamp.json ({ startedAt, node }), or null when there is no complete build. */
export function buildStamp() {
  try {
    return JSON.parse(fs.readFileSync(path.join(root, 'dist', 'build-stamp.json'), 'utf8'));
  } catch {
    return null;
  }
}

/** True when dist/build-stamp.json exists and no source file changed after that build began. */
export function freshBuild() {
  if (process.env.TRADE_ETL_NO_DIST) return false;
  const stamp = buildStamp()?.startedAt;
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
    const p = path.join(root, f);
    const st = fs.statSync(p, { throwIfNoEntry: false });
    if (!st) return false;
    return st.isDirectory() ? newer(p) : st.mtimeMs > stamp;
  });
}
