/**
 * The claim registry (metrics.claim) against the spec: every claim id of CLAIMS.md's table has
 * exactly one row, and each row is complete enough to be checked (or says why it cannot be).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useDb } from '../helpers/db.js';
import { claimIdsFromMarkdown } from '../../src/metrics/claims-md.js';

const CLAIMS_MD = process.env.CLAIMS_MD ?? '/work/shared/CLAIMS.md';

describe('claimIdsFromMarkdown', () => {
  it('reads the first column of the id table and nothing else', () => {
    const md = ['# t', '', '| id | claim |', '|---|---|', '| a_1 | x |', '| b_2 | y \\| z |', '', 'text | not a table', '| other | table |'].join('\n');
    expect(claimIdsFromMarkdown(md)).toEqual(['a_1', 'b_2']);
  });
});

describe('metrics.claim', () => {
  const t = useDb('pglite');

  it('has one row per claim id of CLAIMS.md, in its order', async () => {
    const ids = claimIdsFromMarkdown(fs.readFileSync(CLAIMS_MD, 'utf8'));
    expect(ids).toHaveLength(19);
    const rows = await t.db().query<{ id: string }>('SELECT id FROM metrics.claim ORDER BY claim_no');
    expect(rows.map((r) => r.id)).toEqual(ids);
  });

  it('keeps the article\'s precision, and every covered claim names its metric and what to load', async () => {
    const rows = await t.db().query<{ id: string; scale: number | null; covered: boolean; metric: string | null; source_note: string; comparison: string; tolerance_note: string }>(
      `SELECT id, scale(article_value) AS scale, covered, metric, source_note, comparison, tolerance_note FROM metrics.claim`);
    const scale = Object.fromEntries(rows.map((r) => [r.id, r.scale]));
    expect(scale).toMatchObject({ jp_exports_2024: 1, jp_us_surplus_2024: 2, rice_tariff_usd: 2, rice_price_cny: 0, us_car_imports_mexico: 1 });
    for (const r of rows) {
      expect(r.source_note.length, r.id).toBeGreaterThan(20);
      expect(r.tolerance_note.length, r.id).toBeGreaterThan(5);
      if (r.covered) expect(r.metric, r.id).toMatch(/^(metrics|fx|tariff)\.\w+$/);
    }
    expect(rows.filter((r) => !r.covered).map((r) => r.id).sort()).toEqual(
      ['rice_imports_fy2022', 'rice_minimum_access', 'us_car_sales_in_japan', 'wagyu']);
  });

  it('every metric a claim names exists in the database', async () => {
    const rows = await t.db().query<{ id: string; metric: string; found: boolean }>(`
      SELECT c.id, c.metric,
             EXISTS (SELECT 1 FROM pg_proc p WHERE p.pronamespace::regnamespace::text || '.' || p.proname = c.metric)
          OR EXISTS (SELECT 1 FROM pg_class k WHERE k.relnamespace::regnamespace::text || '.' || k.relname = c.metric) AS found
      FROM metrics.claim c WHERE c.metric IS NOT NULL`);
    expect(rows.filter((r) => !r.found)).toEqual([]);
  });
});
