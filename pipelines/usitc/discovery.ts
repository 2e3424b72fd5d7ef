/**
 * Where HTS releases are: USITC's REST API at hts.usitc.gov (`USITC_BASE_URL`).
 * - `reststop/releaseList`: every release as JSON objects (`name` `2026HTSRev4`, `description`
 *   `2026 HTS Revision 4`, `status` `current` for the one in force, `releaseStartDate` `02/25/2026`).
 * - `reststop/exportList?from=0101&to=9999&format=CSV&styles=false`: the CURRENT release as the CSV
 *   export. The API has no parameter for another release (a `release=` parameter is ignored and the
 *   current schedule comes back), so a refresh loads the current revision, and older revisions are
 *   loaded by hand from USITC's archive (`trade-etl load hts_2025_revision_13_csv.csv`).
 */
import type { DiscoverOptions, DiscoveredRelease } from '../../src/core/vocabulary.js';
import { PermanentError } from '../../src/core/errors.js';
import { baseUrl } from '../../src/core/source.js';
import { revisionFromReleaseName } from './revision.js';

/** The export of the whole current schedule (chapters 01 to 99) as CSV. */
export function exportListUrl(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/reststop/exportList?from=0101&to=9999&format=CSV&styles=false`;
}

/** `02/25/2026` → `2026-02-25`, or undefined. */
function usDate(s: unknown): string | undefined {
  const m = typeof s === 'string' ? /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(s.trim()) : null;
  return m ? `${m[3]}-${m[1]}-${m[2]}` : undefined;
}

/**
 * The current revision from the release list, to be fetched through exportList.
 * @example await discoverHts({ baseUrls, fetchText }) // [{ url: '…/reststop/exportList?…', fileName: 'hts_2026_revision_4_csv.csv', hints: { revision: '2026-r4', publishedOn: '2026-02-25' } }]
 */
export async function discoverHts(opts: DiscoverOptions): Promise<DiscoveredRelease[]> {
  if (opts.from || opts.to) {
    throw new PermanentError('usitc.hts: the USITC REST API exports only the current revision, so there is no range to backfill; ' +
      'load an older revision from USITC\'s archive by hand: trade-etl load hts_YYYY_revision_N_csv.csv --dataset usitc.hts --published-on YYYY-MM-DD', { dataset: 'usitc.hts' });
  }
  const base = baseUrl(opts, 'usitc').replace(/\/+$/, '');
  const listUrl = `${base}/reststop/releaseList`;
  let list: unknown;
  try {
    list = JSON.parse(await opts.fetchText(listUrl));
  } catch (err) {
    if (err instanceof SyntaxError) throw new PermanentError(`usitc.hts: ${listUrl} did not answer JSON (${err.message})`, { url: listUrl });
    throw err;
  }
  if (!Array.isArray(list)) throw new PermanentError(`usitc.hts: ${listUrl} answered ${typeof list}, expected a JSON array of releases`, { url: listUrl });
  const current = list.filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null && (r as Record<string, unknown>).status === 'current');
  if (current.length !== 1) {
    throw new PermanentError(`usitc.hts: ${listUrl} lists ${current.length} releases with status "current", expected exactly one`, { url: listUrl });
  }
  const rel = current[0]!;
  const revision = typeof rel.name === 'string' ? revisionFromReleaseName(rel.name) : undefined;
  const publishedOn = usDate(rel.releaseStartDate) ?? usDate(rel.date);
  if (!revision || !publishedOn) {
    throw new PermanentError(`usitc.hts: the current release in ${listUrl} has name ${JSON.stringify(rel.name)} and releaseStartDate ${JSON.stringify(rel.releaseStartDate)}; ` +
      'expected a name like 2026HTSRev4 or 2026HTSBasic and a date MM/DD/YYYY', { url: listUrl });
  }
  return [{
    url: exportListUrl(base),
    fileName: revision.number ? `hts_${revision.year}_revision_${revision.number}_csv.csv` : `hts_${revision.year}_basic_csv.csv`,
    label: `${revision.title} (current release)`,
    period: publishedOn.slice(0, 7),
    hints: { revision: revision.id, releaseName: revision.releaseName, publishedOn },
  }];
}
