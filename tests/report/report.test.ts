/**
 * The analyst report built from a database loaded with the bundled fixtures by the demo's loader
 * (loadFixtures → loadRelease → parsers → merge), on PGlite and, when TEST_DATABASE_URL is set, on
 * Postgres. Every figure the page shows is checked against an independent SQL query of the loaded
 * observations, and an empty database must give a page without those figures: nothing is typed in.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { backends, useDb } from '../helpers/db.js';
import { loadConfig } from '../../src/core/config.js';
import { createLogger } from '../../src/core/logger.js';
import { loadFixtures } from '../../src/engine/load-fixtures.js';
import { buildReport, CHART_IDS, type Report } from '../../src/report/build-report.js';
import { prefixIds } from '../../src/report/render-svg.js';
import type { EngineContext } from '../../src/engine/context.js';

/** The part of the page between a section's opening tag and the next section. */
function section(html: string, id: string): string {
  const start = html.indexOf(`<section class="chart" id="${id}">`);
  expect(start, `section ${id}`).toBeGreaterThan(-1);
  const end = html.indexOf('</section>', start);
  return html.slice(start, end);
}

/** The text content of an SVG's <text> elements. */
function svgTexts(part: string): string[] {
  return [...part.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!.replace(/&amp;/g, '&').replace(/&#39;/g, '\'').replace(/&quot;/g, '"'));
}

function expectSelfContained(html: string): void {
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/<link\b/i);
  expect(html).not.toMatch(/<img\b/i);
  expect(html).not.toMatch(/@import|@font-face/i);
  expect(html).not.toMatch(/\bsrc\s*=/i);
  expect(html).not.toMatch(/url\(\s*['"]?(https?:|\/\/)/i);
  expect(html).not.toMatch(/(href|xlink:href)\s*=\s*"(?!#)/i);
  expect(html).toContain('http-equiv="Content-Security-Policy" content="default-src \'none\'');
}

for (const backend of backends()) {
  describe(`trade-etl report on the bundled fixtures (${backend})`, () => {
    const t = useDb(backend);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trade-etl-report-'));
    const ctx = (): EngineContext => ({ db: t.db(), config: loadConfig({ DATA_DIR: dataDir }), logger: createLogger({ logLevel: 'silent' }) });
    let report: Report;
    const q = async (sql: string, params: unknown[] = []) => (await t.db().query<Record<string, unknown>>(sql, params));

    beforeAll(async () => {
      const outcomes = await loadFixtures(ctx(), 'manual');
      expect(outcomes.filter((o) => o.status === 'failed').map((o) => `${o.fileName}: ${o.error?.message}`)).toEqual([]);
      report = await buildReport(t.db(), { database: t.db().describe(), generatedAt: new Date('2025-04-22T09:00:00Z') });
    }, 300_000);

    it('is one self-contained page: no script, no external reference, a policy that forbids fetching', () => {
      expectSelfContained(report.html);
      expect(report.html.startsWith('<!doctype html>')).toBe(true);
      expect(report.html).toContain('Built 2025-04-22 09:00 UTC');
      // Small and clean: the five SVGs are most of it.
      expect(report.html.length).toBeLessThan(400_000);
    });

    it('draws all five charts as inline SVG, with ids unique across the page', () => {
      expect(report.charts.map((c) => c.id)).toEqual([...CHART_IDS]);
      for (const c of report.charts) {
        expect(c.svg, c.id).toMatch(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
        expect(section(report.html, c.id)).toContain('<svg ');
      }
      const ids = [...report.html.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]);
      expect(new Set(ids).size).toBe(ids.length);
      for (const ref of report.html.matchAll(/url\(#([^)]+)\)/g)) expect(ids).toContain(ref[1]);
    });

    it('shows the claim check row by row with the verdicts of metrics.claim_check', async () => {
      const rows = await q('SELECT id, verdict FROM metrics.claim_check ORDER BY claim_no');
      expect(rows.length).toBeGreaterThan(0);
      for (const r of rows) expect(report.html).toContain(`<tr data-claim="${r.id}" data-verdict="${r.verdict}">`);
      const counts = await q('SELECT verdict, count(*)::int AS n FROM metrics.claim_check GROUP BY verdict');
      const differs = counts.find((c) => c.verdict === 'differs');
      expect(report.html).toContain(`<span class="verdict v-differs">differs</span> <span>${differs?.n ?? 0}</span>`);
    });

    it('annual exports: every complete calendar year of d41ma, summed from its 12 months, the claim year marked', async () => {
      // Independently of the metrics views: sum the loaded months per year, complete years only.
      const years = await q(`
        SELECT substr(period, 1, 4)::int AS year, trim_scale(round(sum(value) / 1e12, 3))::text AS trn
        FROM trade.observation
        WHERE dataset = 'mof.timeseries' AND partner = 'WORLD' AND flow = 'export' AND frequency = 'M'
          AND measure = 'value' AND commodity_code = 'TOTAL'
        GROUP BY 1 HAVING count(DISTINCT period) = 12 ORDER BY 1`);
      const c = report.charts.find((x) => x.id === 'chart-exports')!;
      expect(years[0]!.year).toBe(1979);
      expect(c.title).toBe('Japan\'s annual exports since 1979');
      const y2024 = years.find((y) => y.year === 2024)!;
      const texts = svgTexts(c.svg!);
      expect(texts).toContain(`${y2024.trn} trn ¥`);
      expect(texts).toContain('2024 (the article\'s year)');
      expect(texts).toContain('Exports, trillion yen');
      // One bar per complete year, at the summed value (vega writes each bar's data into aria-label).
      for (const y of years) expect(c.svg).toContain(`aria-label="year: ${y.year}; Exports, trillion yen: ${y.trn}; `);
      expect(c.svg).not.toContain(`aria-label="year: ${Number(years[years.length - 1]!.year) + 1}; `);
      expect(c.sources.map((s) => `${s.dataset} ${s.fileName}`)).toEqual(['mof.timeseries d41ma.csv']);
      expect(section(report.html, 'chart-exports')).toMatch(/mof\.timeseries — d41ma\.csv \(release #\d+\), published \d{4}-\d{2}-\d{2}, stage preliminary/);
    });

    it('exports to the USA by commodity: the automobile and parts shares of the total', async () => {
      const [s] = await q(`
        SELECT round(max(value) FILTER (WHERE commodity_code = 'MOTOR VEHICLES') / max(total) * 100, 1)::text AS mv,
               round((max(value) FILTER (WHERE commodity_code = 'MOTOR VEHICLES') + max(value) FILTER (WHERE commodity_code = 'PARTS OF MOTOR VEHICLES')) / max(total) * 100, 1)::text AS both
        FROM (SELECT o.commodity_code, o.value, t.value AS total FROM trade.observation o
              JOIN trade.observation t ON t.dataset = o.dataset AND t.partner = o.partner AND t.flow = o.flow
               AND t.period = o.period AND t.frequency = o.frequency AND t.classification = 'total' AND t.measure = 'value'
              WHERE o.dataset = 'mof.press' AND o.partner = 'US' AND o.flow = 'export' AND o.frequency = 'A' AND o.period = '2024'
                AND o.classification = 'mof_pc_label' AND o.measure = 'value') x`);
      const c = report.charts.find((x) => x.id === 'chart-commodities')!;
      const texts = svgTexts(c.svg!);
      expect(texts).toContain(`${s!.mv}%`);
      expect(texts.some((x) => x.includes(`automobiles and parts ${s!.both}%`))).toBe(true);
      expect(texts).toContain('MOTOR VEHICLES');
      expect(texts).toContain('PARTS OF MOTOR VEHICLES');
      expect(c.title).toBe('Japan\'s exports to the United States by principal commodity, 2024');
      expect(c.sources.every((r) => r.dataset === 'mof.press')).toBe(true);
      expect(c.sources.map((r) => r.fileName)).toContain('2024_117e.xml');
      expect(section(report.html, 'chart-commodities')).toContain('published 2025-03-13, stage revised');
    });

    it('US passenger-car imports: ranked countries of the pinned series, with values from the loaded answer', async () => {
      const rows = await q(`
        SELECT partner, trim_scale(round(value / 1e9, 3))::text AS bn FROM trade.observation
        WHERE dataset = 'census.api' AND flow = 'import' AND classification = 'census_enduse' AND commodity_code = '30000'
          AND period = '2024' AND partner <> 'WORLD' AND measure = 'value' ORDER BY value DESC`);
      const c = report.charts.find((x) => x.id === 'chart-car-imports')!;
      const texts = svgTexts(c.svg!);
      const ranked = texts.filter((x) => /^\d+\. /.test(x));
      expect(ranked.length).toBe(rows.length);
      expect(ranked[0]).toBe('1. Mexico');
      expect(ranked[1]).toBe('2. Japan');
      for (const r of rows) expect(texts.some((x) => x.startsWith(`$${r.bn} bn`))).toBe(true);
      expect(c.sources.map((s) => s.fileName)).toEqual(['imports_enduse_30000_2024.json']);
      expect(section(report.html, 'chart-car-imports')).toContain('stage not stated by the source');
    });

    it('US–Japan balance: Census in dollars and MOF\'s yen converted at the H.10 annual average', async () => {
      const [jp] = await q(`
        SELECT trim_scale(round(o.value / avg(d.rate) / 1e9, 3))::text AS bn
        FROM trade.observation o, fx.daily d
        WHERE o.dataset = 'mof.press' AND o.partner = 'US' AND o.flow = 'balance' AND o.frequency = 'A' AND o.period = '2024'
          AND o.classification = 'total' AND o.measure = 'value'
          AND d.base = 'USD' AND d.quote = 'JPY' AND extract(year FROM d.date) = 2024
        GROUP BY o.value`);
      const [us] = await q(`
        SELECT trim_scale(round((max(value) FILTER (WHERE flow = 'import') - max(value) FILTER (WHERE flow = 'export')) / 1e9, 3))::text AS bn
        FROM trade.observation WHERE dataset = 'census.country' AND partner = 'JP' AND period = '2024' AND measure = 'value'`);
      const c = report.charts.find((x) => x.id === 'chart-balance')!;
      const texts = svgTexts(c.svg!);
      expect(texts).toContain(`$${jp!.bn} bn`);
      expect(texts).toContain(`$${us!.bn} bn`);
      expect(texts.some((x) => x.startsWith('the claim: '))).toBe(true);
      expect(texts).toContain('Japanese view: MOF mof.press, yen in dollars');
      const datasets = new Set(c.sources.map((s) => s.dataset));
      expect([...datasets].sort()).toEqual(['census.api', 'census.country', 'frb.h10', 'mof.press']);
      // Calendar years only: the fiscal-year MOF balance (FY2024) is not a bar.
      expect(c.details!.every(([k]) => /^\d{4} /.test(k))).toBe(true);
    });

    it('the yen–dollar rate: daily rates around the article\'s date, that day marked', async () => {
      const [ref] = await q(`SELECT rate::text AS rate FROM fx.daily WHERE base = 'USD' AND quote = 'JPY' AND date = '2025-04-21'`);
      const c = report.charts.find((x) => x.id === 'chart-fx')!;
      const texts = svgTexts(c.svg!);
      expect(texts.some((x) => x.startsWith(`article's date 2025-04-21: ${ref!.rate} ¥/$`))).toBe(true);
      expect(texts).toContain('Yen per US dollar');
      expect(texts.some((x) => x.includes('implied by the article'))).toBe(true);
      // One point per business day with a rate, two months before to one month after.
      const days = await q(`SELECT date::text AS d, trim_scale(per_usd)::text AS r, dataset FROM fx.usd_daily WHERE currency = 'JPY' AND date BETWEEN '2025-02-21' AND '2025-05-21'`);
      for (const d of days) expect(c.svg).toContain(`Yen per US dollar: ${d.r}; `);
      // A point per day, plus the line path of each source (labelled with its first point).
      const lines = new Set(days.map((d) => d.dataset)).size;
      expect((c.svg!.match(/aria-label="date \(year-month-date\): [^;"]*; Yen per US dollar: /g) ?? []).length).toBe(days.length + lines);
      expect(c.lead).toContain(`${ref!.rate} yen per dollar`);
      expect(days.length).toBeGreaterThan(40);
      expect(c.sources.map((s) => s.dataset).sort()).toEqual(['frb.fred', 'frb.h10']);
    });
  });
}

describe('trade-etl report on an empty database', () => {
  const t = useDb('pglite');

  it('has no figure to show: every chart says nothing is loaded, every claim "no data loaded" or "not covered"', async () => {
    const r = await buildReport(t.db(), { database: 'empty' });
    expectSelfContained(r.html);
    expect(r.charts.every((c) => c.svg === null)).toBe(true);
    expect(r.html).not.toContain('<svg');
    expect((r.html.match(/No data loaded for this chart/g) ?? []).length).toBe(CHART_IDS.length);
    expect(new Set(r.claims.map((c) => c.verdict))).toEqual(new Set(['no data loaded', 'not covered by a source']));
    expect(r.html).not.toMatch(/107\.0|39\.936|68\.5|140\.81/);
  });
});

describe('prefixIds', () => {
  it('renames ids and every reference to them', () => {
    const svg = '<svg><defs><clipPath id="clip1"><rect/></clipPath><linearGradient id="g"/></defs><g clip-path="url(#clip1)" fill="url(#g)"/><use xlink:href="#g"/><use href="#clip1"/></svg>';
    expect(prefixIds(svg, 'c2')).toBe('<svg><defs><clipPath id="c2-clip1"><rect/></clipPath><linearGradient id="c2-g"/></defs><g clip-path="url(#c2-clip1)" fill="url(#c2-g)"/><use xlink:href="#c2-g"/><use href="#c2-clip1"/></svg>');
  });
});
