import { describe, expect, it } from 'vitest';
import type { DiscoverOptions } from '../../../src/core/vocabulary.js';
import { censusApi, censusCountry, censusDatasets } from '../../../pipelines/census/index.js';
import { censusApiScopeKey, describeCensusApiUrl } from '../../../pipelines/census/discovery.js';
import { routes } from './helpers.js';

const base = 'http://127.0.0.1:9';
const opts = (o: Partial<DiscoverOptions> = {}): DiscoverOptions => ({
  baseUrls: { census: base, censusWww: base },
  fetchText: async () => { throw new Error('census discovery needs no listing'); },
  ...o,
});

describe('census discovery', () => {
  it('exports both datasets', () => {
    expect(censusDatasets.map((d) => [d.id, d.source, d.target, d.contentKind])).toEqual([
      ['census.api', 'census', 'trade', 'json'], ['census.country', 'census', 'trade', 'xlsx'],
    ]);
  });

  it('builds the documented API URLs for 2024 by default, without a key unless one is set', async () => {
    const found = await censusApi.discover!(opts());
    expect(found.map((f) => f.url)).toEqual([
      `${base}/data/timeseries/intltrade/imports/enduse?get=CTY_CODE,CTY_NAME,I_ENDUSE,I_ENDUSE_LDESC,GEN_VAL_YR&I_ENDUSE=30000&time=2024-12`,
      `${base}/data/timeseries/intltrade/imports/hs?get=CTY_CODE,CTY_NAME,I_COMMODITY,I_COMMODITY_SDESC,GEN_VAL_YR&I_COMMODITY=8703&COMM_LVL=HS4&time=2024-12`,
      `${base}/data/timeseries/intltrade/exports/hs?get=CTY_CODE,CTY_NAME,ALL_VAL_MO,ALL_VAL_YR&time=from+2024-01+to+2024-12`,
      `${base}/data/timeseries/intltrade/imports/hs?get=CTY_CODE,CTY_NAME,GEN_VAL_MO,GEN_VAL_YR&time=from+2024-01+to+2024-12`,
    ]);
    expect(new Set(found.map((f) => f.fileName)).size).toBe(4);
    const keyed = await censusApi.discover!(opts({ secrets: { CENSUS_API_KEY: 'k3y' } }));
    expect(keyed.every((f) => f.url.endsWith('&key=k3y'))).toBe(true);
    expect(keyed.every((f) => !JSON.stringify(f.hints).includes('k3y') && !f.fileName.includes('k3y') && !f.label.includes('k3y'))).toBe(true);
  });

  it('splits a range by calendar year and stops at the range end', async () => {
    const found = await censusApi.discover!(opts({ from: '2023-11', to: '2025-03' }));
    const times = found.map((f) => new URL(f.url).searchParams.get('time'));
    expect(times).toEqual([
      '2023-12', '2023-12', 'from 2023-11 to 2023-12', 'from 2023-11 to 2023-12',
      '2024-12', '2024-12', 'from 2024-01 to 2024-12', 'from 2024-01 to 2024-12',
      '2025-03', '2025-03', 'from 2025-01 to 2025-03', 'from 2025-01 to 2025-03',
    ]);
    // Each month's refresh of a year keeps the year's scope, so it supersedes the previous answer.
    expect(found[8]!.hints!.scopeKey).toBe('imports/enduse:I_ENDUSE=30000:GEN_VAL_YR:2025');
    await expect(censusApi.discover!(opts({ from: '2024' }))).rejects.toThrow(/YYYY-MM/);
  });

  it('recovers the request from a URL in either time form', () => {
    const a = describeCensusApiUrl('https://api.census.gov/data/timeseries/intltrade/imports/enduse?get=GEN_VAL_MO&I_ENDUSE=30000&YEAR=2024&MONTH=01&MONTH=02&key=x');
    expect(a).toMatchObject({ flow: 'imports', endpoint: 'enduse', timeFrom: '2024-01', timeTo: '2024-02', filters: [['I_ENDUSE', '30000']] });
    expect(censusApiScopeKey(a!)).toBe('imports/enduse:I_ENDUSE=30000:GEN_VAL_MO:2024');
    expect(describeCensusApiUrl('https://example.org/other')).toBeUndefined();
  });

  it('discovers exactly what routes.json serves, with the same hints demo passes', async () => {
    const found = await censusApi.discover!(opts());
    const apiRoutes = routes().filter((r) => r.dataset === 'census.api');
    expect(apiRoutes).toHaveLength(found.length);
    for (const f of found) {
      const u = new URL(f.url);
      const r = apiRoutes.filter((x) => x.path === u.pathname && Object.entries(x.query ?? {}).every(([k, v]) => u.searchParams.getAll(k).includes(v)));
      expect(r, f.url).toHaveLength(1);
      // publishedOn is a fact about the bundled file (when its figures were published), which an
      // API request cannot know; everything else the parser needs must be the same.
      const { publishedOn, ...routeHints } = r[0]!.hints ?? {};
      expect(publishedOn === undefined || /^\d{4}-\d{2}-\d{2}$/.test(String(publishedOn))).toBe(true);
      expect(routeHints).toEqual(JSON.parse(JSON.stringify(f.hints)));
    }
    const [country] = await censusCountry.discover!(opts());
    expect(country!.url).toBe(`${base}/foreign-trade/balance/country.xlsx`);
    expect(routes().filter((r) => r.dataset === 'census.country').map((r) => r.path)).toEqual([new URL(country!.url).pathname]);
    expect(country!.hints!.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});
