/**
 * Discovery builds exactly the URLs the fixture routes serve: every URL a refresh or a backfill
 * discovers is matched by a route of fixtures/frb/routes.json, and every route's file parses.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DiscoverOptions, FxObservation, Dataset } from '../../../src/core/vocabulary.js';
import { frbDatasets, h10Dataset, fredDataset } from '../../../pipelines/frb/index.js';
import { H10_DAILY_PACKAGE, h10Url } from '../../../pipelines/frb/discovery.js';
import { FRB_FIXTURES, fixtureInput, parseAll } from './fixture-input.js';

interface Route { dataset: string; file: string; path: string; query?: Record<string, string>; contentType: string; label: string }
const routes = JSON.parse(fs.readFileSync(path.join(FRB_FIXTURES, 'routes.json'), 'utf8')) as Route[];

const BASE = 'http://127.0.0.1:9999';
const opts = (range?: { from: string; to: string }): DiscoverOptions => ({
  ...range,
  baseUrls: { frb: BASE, fred: BASE },
  fetchText: async () => { throw new Error('frb discovery needs no listing page'); },
});

/** The first route serving a URL (the fixture server's rule: path equal, route's query params all present). */
function routeFor(url: string): Route | undefined {
  const u = new URL(url);
  return routes.find((r) => r.path === u.pathname && Object.entries(r.query ?? {}).every(([k, v]) => u.searchParams.getAll(k).includes(v)));
}

describe('frb discovery', () => {
  it('exports both datasets targeting fx', () => {
    expect(frbDatasets.map((d) => [d.id, d.target, d.contentKind])).toEqual([['frb.h10', 'fx', 'csv'], ['frb.fred', 'fx', 'csv']]);
  });

  it('a refresh asks H.10 for the last observations and FRED for the whole series', async () => {
    const h = await h10Dataset.discover!(opts());
    expect(h.map((r) => r.url)).toEqual([
      `${BASE}/datadownload/Output.aspx?rel=H10&series=${H10_DAILY_PACKAGE}&lastobs=130&from=&to=&filetype=csv&label=include&layout=seriescolumn&type=package`,
    ]);
    const f = await fredDataset.discover!(opts());
    expect(f.map((r) => r.url)).toEqual(['DEXJPUS', 'DEXCHUS', 'EXJPUS'].map((id) => `${BASE}/graph/fredgraph.csv?id=${id}`));
    for (const r of [...h, ...f]) expect(routeFor(r.url), r.url).toBeDefined();
    expect(routeFor(h[0]!.url)!.file).toBe('h10_daily_JPY_CNY_2024-01-01_2025-05-09_constructed.csv');
  });

  it('a backfill asks for its month range, first to last day', async () => {
    const [h] = await h10Dataset.discover!(opts({ from: '2019-01', to: '2021-12' }));
    expect(h!.url).toContain('&lastobs=&from=01/01/2019&to=12/31/2021&');
    expect(routeFor(h!.url)!.file).toBe('h10_daily_INR_EUR_JPY_2019-2021.csv');
    const [h2] = await h10Dataset.discover!(opts({ from: '2024-01', to: '2024-02' }));
    expect(h2!.url).toContain('from=01/01/2024&to=02/29/2024'); // leap year
    expect(routeFor(h2!.url)!.file).toBe('h10_daily_JPY_CNY_2024-01-01_2025-05-09_constructed.csv');
    const f = await fredDataset.discover!(opts({ from: '2024-01', to: '2025-05' }));
    expect(f[0]!.url).toBe(`${BASE}/graph/fredgraph.csv?id=DEXJPUS&cosd=2024-01-01&coed=2025-05-31`);
    for (const r of f) expect(routeFor(r.url)).toBeDefined();
  });

  it('refuses a malformed range', () => {
    expect(() => h10Url(BASE, { from: '2024-13', to: '2025-01' })).toThrow(/YYYY-MM/);
    expect(() => h10Url(BASE, { from: '2025-02', to: '2025-01' })).toThrow(/ends before it starts/);
  });

  it('every route serves a good file of its dataset', async () => {
    const byId = new Map<string, Dataset<FxObservation>>(frbDatasets.map((d) => [d.id, d]));
    for (const r of routes) {
      expect(r.contentType).toBe('text/csv');
      const { rows, facts } = await parseAll(byId.get(r.dataset)!, fixtureInput(r.dataset, r.file));
      expect(rows.length, r.file).toBeGreaterThan(0);
      expect(facts.scopeKey, r.file).toBeTruthy();
    }
  });
});
