import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DiscoverOptions } from '../../../src/core/vocabulary.js';
import { discoverHsCountry, discoverPress, discoverTimeseries, parsePressIndex, PRESS_INDEX_PATH } from '../../../pipelines/mof/discovery.js';
import { mofDatasets } from '../../../pipelines/mof/index.js';
import { FIXTURES } from './run-parser.js';

const BASE = 'http://127.0.0.1:9999';
const baseUrls = { mof: BASE, estat: BASE };
const page = (rel: string): string => fs.readFileSync(path.join(FIXTURES, rel), 'latin1');
const opts = (html: string, range: { from?: string; to?: string } = {}): DiscoverOptions & { asked: string[] } => {
  const asked: string[] = [];
  return { baseUrls, ...range, asked, fetchText: async (url: string) => { asked.push(url); return html; } };
};

describe('press index page (real copy, ISO-8859-1)', () => {
  const entries = parsePressIndex(page('index/press_release_en.real.html'), BASE);
  const byName = (n: string) => entries.find((e) => e.fileName === n);

  it('lists calendar 2024 and fiscal 2024 at their current (revised/fixed) files', () => {
    expect(byName('2024_117e.xml')).toMatchObject({ kind: 'calendar', period: '2024', frequency: 'A', scopeKey: 'A:2024', url: `${BASE}/toukei/shinbun/trade-st_e/2024/2024_117e.xml`, sourceStage: 'Fixed', stage: 'final', updatedOn: '2025-11-13' });
    expect(byName('2024_217e.xml')).toMatchObject({ kind: 'fiscal', period: 'FY2024', frequency: 'FY', scopeKey: 'FY:2024', sourceStage: 'Revised', stage: 'revised', lastMonth: '2025-03' });
    expect(byName('2025_117e.xml')).toMatchObject({ period: '2025', sourceStage: 'Revised' });
  });

  it('reads half years, monthly stages, 10/20-day releases and the pre-2024 names', () => {
    expect(byName('2026_316e.xml')).toMatchObject({ kind: 'half-calendar', period: '2026H1', frequency: 'H', sourceStage: 'Detailed' });
    expect(byName('2025_417e.xml')).toMatchObject({ kind: 'half-fiscal', period: 'FY2025H1', frequency: 'H' });
    expect(byName('2026075e.xml')).toMatchObject({ kind: 'monthly', period: '2026-07', sourceStage: 'D&P', updatedOn: '2026-08-28' });
    expect(byName('2026081e.xml')).toMatchObject({ kind: 'first10', period: '2026-08-10', frequency: 'MTD', scopeKey: 'D10:2026-08' });
    expect(byName('2024122e.xml')).toMatchObject({ kind: 'first20', scopeKey: 'D20:2024-12' });
    expect(byName('202328fe.xml')).toMatchObject({ kind: 'calendar', period: '2023', sourceStage: 'Fixed' });
    expect(byName('202238fe.xml')).toMatchObject({ kind: 'fiscal', period: 'FY2022' });
    expect(byName('202312be.xml')).toMatchObject({ kind: 'first20', period: '2023-12-20', frequency: 'MTD' });
    // Calendar and fiscal entries of the same year never share a scope.
    expect(new Set(entries.filter((e) => e.kind === 'calendar' || e.kind === 'fiscal').map((e) => e.scopeKey)).size)
      .toBe(entries.filter((e) => e.kind === 'calendar' || e.kind === 'fiscal').length);
  });

  it('refresh: the newest of each kind and everything from the newest update day, oldest first', async () => {
    const o = opts(page('index/press_release_en.real.html'));
    const found = await discoverPress(o);
    expect(o.asked).toEqual([`${BASE}${PRESS_INDEX_PATH}`]);
    const names = found.map((f) => f.fileName);
    for (const n of ['2026075e.xml', '2026_316e.xml', '2026066e.xml', '2026081e.xml', '2025_216e.xml', '2025_117e.xml', '2025_417e.xml']) expect(names).toContain(n);
    expect(names).not.toContain('2024_117e.xml');
    expect(found.find((f) => f.fileName === '2025_216e.xml')?.hints).toMatchObject({ period: 'FY2025', kind: 'fiscal' });
  });

  it('backfill: releases whose period ends within the range', async () => {
    const found = await discoverPress(opts(page('index/press_release_en.real.html'), { from: '2024-01', to: '2024-12' }));
    const names = found.map((f) => f.fileName);
    expect(names).toContain('2024_117e.xml');
    expect(names).toContain('2024127e.xml');
    expect(names).toContain('2024_317e.xml');
    expect(names).not.toContain('2024_217e.xml'); // FY2024 ends 2025-03
    expect(found.every((f) => f.url.startsWith(`${BASE}/toukei/shinbun/trade-st_e/`))).toBe(true);
  });
});

describe('discovery against the fixture routes', () => {
  const routes = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'routes.json'), 'utf8')) as Array<{ dataset: string; file: string; path: string; query?: Record<string, string>; role?: string }>;
  const served = (url: string): boolean => {
    const u = new URL(url);
    return routes.some((r) => r.path === u.pathname && Object.entries(r.query ?? {}).every(([k, v]) => u.searchParams.get(k) === v) && fs.existsSync(path.join(FIXTURES, r.file)));
  };
  const fixtureIndex = fs.readFileSync(path.join(FIXTURES, routes.find((r) => r.path === PRESS_INDEX_PATH)!.file), 'latin1');

  it('every URL discovered (refresh and backfill) is served by routes.json', async () => {
    const all = [
      ...(await discoverPress(opts(fixtureIndex))),
      ...(await discoverPress(opts(fixtureIndex, { from: '2024-01', to: '2025-12' }))),
      ...(await discoverHsCountry(opts(''))),
      ...(await discoverHsCountry(opts('', { from: '2024-01', to: '2026-12' }))),
      ...(await discoverTimeseries(opts(''))),
    ];
    expect(all.length).toBeGreaterThan(8);
    for (const d of all) expect(served(d.url), d.url).toBe(true);
  });

  it('backfill over 2024–2025 on the fixture index finds every press fixture, provisional before revised', async () => {
    const found = await discoverPress(opts(fixtureIndex, { from: '2024-01', to: '2025-12' }));
    const names = found.map((f) => f.fileName);
    expect([...names].sort()).toEqual(['2024124e.xml', '2024_114e.xml', '2024_117e.xml', '2024_214e.xml', '2025104e.xml'].sort());
    expect(names.indexOf('2024_114e.xml')).toBeLessThan(names.indexOf('2024_117e.xml'));
    expect(found.find((f) => f.fileName === '2024_117e.xml')?.hints).toMatchObject({ period: '2024', stage: 'revised', sourceStage: 'Revised' });
  });

  it('every route file of a dataset parses with that dataset', async () => {
    for (const r of routes.filter((x) => x.role !== 'listing')) {
      const ds = mofDatasets.find((d) => d.id === r.dataset)!;
      const file = path.join(FIXTURES, r.file);
      const facts = {};
      let n = 0;
      for await (const _ of ds.parse({ dataset: ds.id, fileName: path.basename(r.path), bytes: fs.statSync(file).size, stream: () => fs.createReadStream(file) }, facts)) n++;
      expect(n, r.file).toBeGreaterThan(0);
      expect((facts as { scopeKey?: string }).scopeKey, r.file).toBeTruthy();
    }
  });

  it('e-Stat download URLs carry the statInfId and fileKind=1', async () => {
    const found = await discoverHsCountry(opts(''));
    expect(found.map((f) => f.url)).toContain(`${BASE}/stat-search/file-download?statInfId=000040494506&fileKind=1`);
    expect(found.find((f) => f.url.includes('000099990087'))?.hints).toMatchObject({ coverageTo: '2024-12', hsScope: 's17' });
  });
});
