/**
 * A few vintages for the analyst tests, inserted straight into the history tables (the loaders
 * are tested elsewhere; here we need rows whose visibility we can check).
 * Figures (CLAIMS.md, shared/data/README.md): Japan's calendar-2024 exports were first published
 * as 107,091.3 bn yen (MOF preliminary, 2025-01-23) and later confirmed as 107,097.9 bn yen; the
 * confirmation's publication date is illustrative (2025-03-13). DEXJPUS on 2025-04-21 = 140.81
 * (FRED, real); that release's publication date is illustrative.
 */
import type { Db } from '../../src/db/connect.js';

export interface Seeded { preliminary: number; revised: number; fred: number }

/** Inserts two vintages of one trade observation and one exchange rate; returns the release ids. */
export async function seedVintages(db: Db): Promise<Seeded> {
  return db.transaction(async (tx) => {
    const release = async (dataset: string, file: string, published: string, stage: string) => {
      const [r] = await tx.query<{ id: string }>(
        `INSERT INTO etl.release (source, dataset, file_name, sha256, bytes, published_on, stage, scope_key, status, loaded_at)
         VALUES (split_part($1, '.', 1), $1, $2, md5($2) || md5($1), 1000, $3, $4, 'CY2024', 'loaded', now()) RETURNING id`,
        [dataset, file, published, stage]);
      return Number(r!.id);
    };
    const preliminary = await release('mof.press', '2024124e.xml', '2025-01-23', 'preliminary');
    const revised = await release('mof.press', '2024_117e.xml', '2025-03-13', 'revised');
    const fred = await release('frb.fred', 'DEXJPUS.csv', '2025-07-01', 'final');
    const obs = `INSERT INTO trade.observation_history (dataset, scope_key, reporter, partner, partner_source_code, flow, period,
        frequency, classification, commodity_code, measure, value, unit, source_value, source_unit, basis, valid_from_release, valid_to_release)
      VALUES ('mof.press', 'CY2024', 'JP', 'WORLD', 'TOTAL', 'export', '2024', 'A', 'total', 'TOTAL', 'value', $1, 'JPY', $2, 'billion yen', 'FOB', $3, $4)`;
    await tx.query(obs, ['107091300000000', '107,091.3', preliminary, revised]);
    await tx.query(obs, ['107097900000000', '107,097.9', revised, null]);
    await tx.query(`INSERT INTO fx.rate_history (dataset, scope_key, series, base, quote, frequency, period, rate, valid_from_release)
      VALUES ('frb.fred', 'DEXJPUS', 'DEXJPUS', 'USD', 'JPY', 'D', '2025-04-21', '140.81', $1)`, [fred]);
    return { preliminary, revised, fred };
  });
}
