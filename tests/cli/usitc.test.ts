/**
 * usitc.hts end to end through the real CLI: both real revisions loaded with `trade-etl load`,
 * hand-read values checked in SQL, the newer revision superseding the older one line by line,
 * the older one loaded late joining the history at its publication date, a malformed file
 * refused with file/line/column/value and the database unchanged, and the auto_tariff claim.
 * PGlite always; the real server too with TEST_DATABASE_URL. (Refresh over HTTP: sources-refresh.)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/db/connect.js';
import { loadConfig } from '../../src/core/config.js';
import { runCli, ROOT } from '../helpers/cli.js';
import { backends, createServerDatabase } from '../helpers/db.js';

const fx = (p: string) => path.join(ROOT, 'fixtures/usitc', p);
const R13 = fx('hts_2025_revision_13.csv');
const R4 = fx('hts_2026_revision_4.csv');

function target(backend: 'pglite' | 'postgres') {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trade-etl-usitc-'));
  let dbUrl: string | undefined;
  let drop: (() => Promise<void>) | undefined;
  return {
    async setUp() { if (backend === 'postgres') ({ url: dbUrl, drop } = await createServerDatabase()); },
    async tearDown() { await drop?.(); },
    env: () => ({ DATA_DIR: dataDir, DATABASE_URL: dbUrl, LOG_LEVEL: 'warn' }),
    async sql<T = Record<string, unknown>>(q: string, params: unknown[] = []): Promise<T[]> {
      const db = await connect(loadConfig({ DATA_DIR: dataDir, DATABASE_URL: dbUrl }));
      try { return await db.query<T>(q, params); } finally { await db.close(); }
    },
  };
}

for (const backend of backends()) {
  describe(`usitc.hts through trade-etl load (${backend})`, () => {
    const t = target(backend);
    beforeAll(() => t.setUp(), 60_000);
    afterAll(() => t.tearDown());
    const line = (n: string, fn = 'tariff.line') => t.sql<Record<string, string | null>>(
      `SELECT hts_number, indent::text, general_rate, special_rate, column2_rate, general_ad_valorem_pct::text AS adv,
              general_additional_pct::text AS add, effective_from::text AS eff, revision, published_on::text AS pub
       FROM ${fn} WHERE hts_number = $1`, [n]).then((r) => r[0]);

    it('loads 2025 Revision 13: every line, the rates as written and as numbers', async () => {
      const r = await runCli(['load', R13, '--dataset', 'usitc.hts', '--published-on', '2025-04-22'], t.env());
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/usitc\.hts: loaded hts_2025_revision_13\.csv as release \d+ \(scope HTSUS\): 35940 observations, 35940 new/);
      const [n] = await t.sql<{ n: number; labels: number }>(`SELECT count(*)::int AS n, count(*) FILTER (WHERE level = 'label')::int AS labels FROM tariff.line`);
      expect(n).toEqual({ n: 35940, labels: 6018 });
      // Read by hand from the file, line 28679 and 34368.
      expect(await line('8703.23.01')).toMatchObject({ indent: '2', general_rate: '2.5%', adv: '2.5', column2_rate: '10%', add: null,
        special_rate: 'Free (A+,AU,B,BH,CL,CO,D,E,IL,JO,KR,MA,OM, P,PA,PE,S,SG)', revision: '2025-r13', pub: '2025-04-22' });
      expect(await line('0101.21.00')).toMatchObject({ general_rate: 'Free', adv: '0' });
      expect(await line('9903.94.01')).toMatchObject({ general_rate: 'The duty provided in the applicable subheading + 25%', add: '25', adv: null, eff: '2025-04-03' });
      expect(await line('9903.94.05')).toMatchObject({ add: '25', eff: '2025-05-03' });
      const [units] = await t.sql<{ units: string[]; level: string; parent_key: string }>(`SELECT units, level, parent_key FROM tariff.line WHERE hts_number = '8703.23.01.10'`);
      expect(units).toEqual({ units: ['No.'], level: 'statistical line', parent_key: '8703.23.01' });
      const [rev] = await t.sql(`SELECT revision, release_name, title, published_on::text AS published_on, lines::int AS lines FROM tariff.revision`);
      expect(rev).toEqual({ revision: '2025-r13', release_name: '2025HTSRev13', title: '2025 HTS Revision 13', published_on: '2025-04-22', lines: 35940 });
    }, 180_000);

    it('refuses a malformed row: exit 1, file, line, column and value named, database unchanged', async () => {
      const state = () => t.sql(`SELECT (SELECT count(*) FROM tariff.line_history)::int AS lines,
        (SELECT count(*) FROM etl.release WHERE status = 'loaded')::int AS loaded, (SELECT max(id) FROM tariff.line_history)::text AS last`);
      const before = await state();
      const r = await runCli(['load', fx('bad/hts_2025_revision_13_malformed_indent.csv'), '--dataset', 'usitc.hts'], t.env());
      expect(r.code).toBe(1);
      for (const p of [/file:\s+hts_2025_revision_13_malformed_indent\.csv/, /line:\s+5\n/, /column:\s+Indent/, /value:\s+"two"/, /expected: an indent level/, /database is as it was/]) {
        expect(r.stderr).toMatch(p);
      }
      expect(await state()).toEqual(before);
      const [failed] = await t.sql<{ status: string; error: string }>(`SELECT status, error FROM etl.release ORDER BY id DESC LIMIT 1`);
      expect(failed!.status).toBe('failed');
    }, 120_000);

    it('2026 Revision 4 supersedes it line by line; as of the article\'s date Revision 13 still answers', async () => {
      const r = await runCli(['load', R4, '--dataset', 'usitc.hts', '--published-on', '2026-02-25'], t.env());
      expect(r.code).toBe(0);
      const m = /35733 observations, (\d+) new, (\d+) superseded, (\d+) unchanged/.exec(r.stdout);
      expect(m, r.stdout).toBeTruthy();
      expect(Number(m![1]) + Number(m![3])).toBe(35733);
      const [cur] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM tariff.line`);
      expect(cur!.n).toBe(35733); // lines Revision 4 dropped are closed, not left current
      expect(await line('9903.94.01')).toMatchObject({ add: '25', eff: null, revision: '2026-r4' }); // reworded: no date in the text any more
      expect(await line('9903.94.41')).toMatchObject({ general_rate: '15%', adv: '15', revision: '2026-r4' });
      expect(await line('8703.23.01')).toMatchObject({ general_rate: '2.5%', revision: '2025-r13' }); // unchanged lines are not rewritten
      const asOf = (d: string, n: string) => t.sql<Record<string, string | null>>(
        `SELECT general_additional_pct::text AS add, effective_from::text AS eff, revision FROM tariff.line_as_of($1) WHERE hts_number = $2`, [d, n]).then((x) => x[0]);
      expect(await asOf('2025-04-22', '9903.94.01')).toEqual({ add: '25', eff: '2025-04-03', revision: '2025-r13' });
      expect(await asOf('2025-04-22', '9903.94.41')).toBeUndefined();
      expect(await asOf('2025-04-21', '9903.94.01')).toBeUndefined();
      const revs = await t.sql(`SELECT revision, superseded_on::text AS superseded_on FROM tariff.revision ORDER BY published_on`);
      expect(revs).toEqual([{ revision: '2025-r13', superseded_on: '2026-02-25' }, { revision: '2026-r4', superseded_on: null }]);
      const again = await runCli(['load', R4, '--dataset', 'usitc.hts'], t.env());
      expect(again.stdout).toMatch(/already loaded/);
    }, 180_000);

    it('the claim check: auto_tariff matches with Revision 13, the note names what Revision 4 changed', async () => {
      const r = await runCli(['claims', '--json'], t.env());
      expect(r.code, r.stderr).toBe(0);
      const claim = (JSON.parse(r.stdout) as { claims: Array<Record<string, unknown>> }).claims.find((c) => c.id === 'auto_tariff')!;
      expect(claim).toMatchObject({ verdict: 'matches', computedValue: '25', dataset: 'usitc.hts', publishedOn: '2025-04-22' });
      expect(claim.note).toMatch(/9903\.94\.40 "Passenger vehicles and light trucks that are products of Japan/);
      const early = await runCli(['claims', '--json', '--as-of', '2025-04-01'], t.env());
      expect((JSON.parse(early.stdout) as { claims: Array<Record<string, unknown>> }).claims.find((c) => c.id === 'auto_tariff')!.verdict).toBe('no data loaded');
    }, 120_000);
  });
}

describe('usitc.hts: the older revision loaded after the newer one (pglite)', () => {
  const t = target('pglite');
  it('joins the history at its publication date; current lines stay those of the newer revision', async () => {
    expect((await runCli(['load', R4, '--dataset', 'usitc.hts', '--published-on', '2026-02-25'], t.env())).code).toBe(0);
    const r = await runCli(['load', R13, '--dataset', 'usitc.hts', '--published-on', '2025-04-22'], t.env());
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/published before the newest release of scope HTSUS/);
    const rows = await t.sql<{ d: string; revision: string; eff: string | null }>(`
      SELECT d::text, l.revision, l.effective_from::text AS eff FROM unnest(ARRAY['2025-04-22', '2026-03-01']::date[]) d,
      LATERAL tariff.line_as_of(d) l WHERE l.hts_number = '9903.94.01' ORDER BY d`);
    expect(rows).toEqual([{ d: '2025-04-22', revision: '2025-r13', eff: '2025-04-03' }, { d: '2026-03-01', revision: '2026-r4', eff: null }]);
    const [cur] = await t.sql<{ n: number; r13: number }>(`SELECT count(*)::int AS n, count(*) FILTER (WHERE revision = '2025-r13')::int AS r13 FROM tariff.line`);
    expect(cur).toEqual({ n: 35733, r13: 0 });
    const [claim] = await t.sql<{ verdict: string }>(`SELECT verdict FROM metrics.claim_check WHERE id = 'auto_tariff'`);
    expect(claim!.verdict).toBe('matches');
  }, 240_000);
});
