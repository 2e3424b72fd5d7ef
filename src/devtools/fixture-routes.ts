import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../core/paths.js';
import { SOURCES } from '../../pipelines/sources.js';

export const FIXTURES_DIR = path.join(REPO_ROOT, 'fixtures');

/** One bundled release file and the real URL it is published under (fixtures/<source>/routes.json). */
export interface FixtureRoute {
  source: string;
  dataset: string;
  /** Absolute path of the file. */
  file: string;
  path: string;
  query?: Record<string, string>;
  contentType: string;
  label: string;
  /** Facts a person downloading the file would know (e.g. publishedOn), passed to the parser on `demo`. */
  hints?: Record<string, unknown>;
  /** 'listing' = an index page discovery reads (served, never loaded as a release). */
  role?: 'listing';
}

/** The bundled fixtures of every registered source, in the order of pipelines/sources.ts (its load order). */
export function fixtureRoutes(dir = FIXTURES_DIR): FixtureRoute[] {
  const out: FixtureRoute[] = [];
  for (const { id: source, fixtures } of SOURCES) {
    const file = path.join(dir, fixtures, 'routes.json');
    if (!fs.existsSync(file)) continue;
    const routes = JSON.parse(fs.readFileSync(file, 'utf8')) as Array<Omit<FixtureRoute, 'source'>>;
    for (const r of routes) out.push({ ...r, source, file: path.join(dir, fixtures, r.file) });
  }
  return out;
}
