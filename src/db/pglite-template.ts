import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// A new embedded database used to start with PGlite's initdb, in this process: a second PGlite
// instance plus initdb's own WebAssembly, 3.7 s and a peak of about 790 MB RSS for the first
// command on a fresh DATA_DIR (every later command opens it at about 200 MB). The build
// (scripts/build.js, run by `npm ci`) pays that once per installed PGlite version and keeps the
// fresh, cleanly closed data directory; a new DATA_DIR gets a copy of it, which PGlite opens as
// it opens any existing database. Without the template (no build, or it failed) PGlite's own
// initdb runs as before.

/** The installed PGlite's package directory and version. */
function installedPglite(): { root: string; version: string } | undefined {
  try {
    const entry = fileURLToPath(import.meta.resolve('@electric-sql/pglite'));
    const root = path.resolve(path.dirname(entry), '..');
    const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
    return { root, version };
  } catch {
    return undefined;
  }
}

/**
 * Where the template of the installed PGlite version lives: node_modules/.cache/trade-etl/
 * pglite-<version>, so that a reinstall (npm ci empties node_modules) makes it again for the
 * version it installs.
 * @example pgliteTemplatePath() // '/app/node_modules/.cache/trade-etl/pglite-0.4.6'
 */
export function pgliteTemplatePath(): string | undefined {
  const p = installedPglite();
  return p && path.join(p.root, '..', '..', '.cache', 'trade-etl', `pglite-${p.version}`);
}

/**
 * Makes the template at `dir` unless it is there: PGlite's initdb into a temporary directory,
 * closed, then renamed into place — a half-made template never sits under its name.
 * @example await makePgliteTemplate(pgliteTemplatePath()!)
 */
export async function makePgliteTemplate(dir: string): Promise<'made' | 'present'> {
  if (fs.existsSync(path.join(dir, 'PG_VERSION'))) return 'present';
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  try {
    const { PGlite } = await import('@electric-sql/pglite');
    const pg = await PGlite.create(tmp);
    await pg.close();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(tmp, dir);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return 'made';
}

/**
 * Copies the template into `dir` when `dir` holds no database yet and is empty (anything else
 * there is left to PGlite). The copy goes to a temporary name beside `dir` and is renamed into
 * place, so an interrupted copy leaves `dir` empty, never half a cluster. Returns whether it
 * copied; any failure falls back to PGlite's initdb (false).
 * @example seedFromTemplate(path.join(config.dataDir, 'pglite'))
 */
export function seedFromTemplate(dir: string, template?: string): boolean {
  // Every command on PGlite comes here: an existing database costs one directory read, and only
  // a new one looks for the template.
  let empty: boolean;
  try {
    empty = fs.readdirSync(dir).length === 0;
  } catch {
    return false;
  }
  if (!empty) return false;
  template ??= pgliteTemplatePath();
  if (!template || !fs.existsSync(path.join(template, 'PG_VERSION'))) return false;
  const tmp = `${dir}.seed-${process.pid}`;
  try {
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.cpSync(template, tmp, { recursive: true });
    fs.rmdirSync(dir);
    fs.renameSync(tmp, dir);
    return true;
  } catch {
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    return false;
  }
}
