import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository's root: the nearest folder above this module holding package.json. Found by
 * walking up rather than a fixed `../..` because the same module runs from `src/core/` (tsx,
 * tests) and from the compiled `dist/src/core/`.
 * @example path.join(REPO_ROOT, 'sql')
 */
export const REPO_ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)));

function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'sql'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`trade-etl: no package.json with a sql/ folder above ${from}`);
  }
}
