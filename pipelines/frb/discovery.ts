/**
 * Where the exchange-rate releases are. Both sources answer any date range from a known URL
 * pattern, so discovery needs no listing page:
 *
 * - H.10, Data Download Program, the preformatted package of daily rates (all currencies):
 *   `<frb>/datadownload/Output.aspx?rel=H10&series=60f32914ab61dfab590e0e470153e3ae&lastobs=&from=MM/DD/YYYY&to=MM/DD/YYYY&filetype=csv&label=include&layout=seriescolumn&type=package`.
 *   A backfill asks for its month range (from the first day of `from` to the last day of `to`);
 *   a refresh asks for the last H10_REFRESH_LASTOBS observations (`lastobs=130`, about six
 *   months of business days, so the current and previous months' averages are complete even
 *   after missed weekly runs).
 * - FRED: `<fred>/graph/fredgraph.csv?id=DEXJPUS` (the whole history; a backfill adds
 *   `cosd=YYYY-MM-DD&coed=YYYY-MM-DD`), one URL per tracked series.
 */
import type { DiscoverOptions, DiscoveredRelease } from '../../src/core/vocabulary.js';
import { PermanentError } from '../../src/core/errors.js';
import { baseUrl } from '../../src/core/source.js';

/** The H.10 daily-rates package id of the Data Download Program (all currencies, `type=package`). */
export const H10_DAILY_PACKAGE = '60f32914ab61dfab590e0e470153e3ae';
/** Observations a refresh asks for. */
export const H10_REFRESH_LASTOBS = 130;
/** FRED series a refresh or backfill fetches: yen and yuan per dollar daily, yen per dollar monthly average. */
export const FRED_TRACKED = ['DEXJPUS', 'DEXCHUS', 'EXJPUS'] as const;

/** First and last day of an inclusive 'YYYY-MM' range, as ISO dates. */
function dayRange(from: string, to: string): { first: string; last: string } {
  for (const m of [from, to]) {
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(m)) throw new PermanentError(`a month range needs YYYY-MM months, got ${JSON.stringify(m)}`, { from, to });
  }
  if (from > to) throw new PermanentError(`the month range ${from}..${to} ends before it starts`, { from, to });
  const [y, mo] = to.split('-').map(Number) as [number, number];
  const lastDay = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return { first: `${from}-01`, last: `${to}-${String(lastDay).padStart(2, '0')}` };
}

/** `2024-01-31` → `01/31/2024`, the Data Download Program's date form. */
function ddpDate(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${m}/${d}/${y}`;
}

function trimSlash(u: string): string {
  return u.replace(/\/+$/, '');
}

/**
 * The H.10 daily package URL for a month range, or for the newest observations.
 * @example h10Url('https://www.federalreserve.gov', { from: '2024-01', to: '2025-05' }) // …&lastobs=&from=01/01/2024&to=05/31/2025&…
 */
export function h10Url(baseUrl: string, range?: { from: string; to: string }): string {
  const r = range ? dayRange(range.from, range.to) : undefined;
  const q = [
    'rel=H10',
    `series=${H10_DAILY_PACKAGE}`,
    `lastobs=${r ? '' : H10_REFRESH_LASTOBS}`,
    `from=${r ? ddpDate(r.first) : ''}`,
    `to=${r ? ddpDate(r.last) : ''}`,
    'filetype=csv',
    'label=include',
    'layout=seriescolumn',
    'type=package',
  ];
  return `${trimSlash(baseUrl)}/datadownload/Output.aspx?${q.join('&')}`;
}

/**
 * The FRED graph CSV URL of one series, whole history or a month range.
 * @example fredUrl('https://fred.stlouisfed.org', 'DEXJPUS') === 'https://fred.stlouisfed.org/graph/fredgraph.csv?id=DEXJPUS'
 */
export function fredUrl(baseUrl: string, id: string, range?: { from: string; to: string }): string {
  const r = range ? dayRange(range.from, range.to) : undefined;
  return `${trimSlash(baseUrl)}/graph/fredgraph.csv?id=${encodeURIComponent(id)}${r ? `&cosd=${r.first}&coed=${r.last}` : ''}`;
}

function rangeOf(opts: DiscoverOptions): { from: string; to: string } | undefined {
  if (!opts.from && !opts.to) return undefined;
  return { from: opts.from ?? opts.to!, to: opts.to ?? opts.from! };
}

/**
 * H.10 releases for a backfill range (one download) or a refresh (the newest observations).
 * @example await discoverH10({ baseUrls, fetchText, from: '2024-01', to: '2025-05' }) // one URL
 */
export async function discoverH10(opts: DiscoverOptions): Promise<DiscoveredRelease[]> {
  const range = rangeOf(opts);
  const r = range ? dayRange(range.from, range.to) : undefined;
  return [{
    url: h10Url(baseUrl(opts, 'frb'), range),
    fileName: r ? `H10_daily_${r.first}_${r.last}.csv` : `H10_daily_last${H10_REFRESH_LASTOBS}.csv`,
    label: r ? `H.10 daily rates ${range!.from}..${range!.to}` : `H.10 daily rates, last ${H10_REFRESH_LASTOBS} observations`,
    period: range?.to,
    hints: { package: H10_DAILY_PACKAGE, frequency: 'D', ...(r ? { from: r.first, to: r.last } : { lastobs: H10_REFRESH_LASTOBS }) },
  }];
}

/**
 * FRED releases: one graph CSV per tracked series, whole history or the backfill range.
 * @example await discoverFred({ baseUrls, fetchText }) // DEXJPUS, DEXCHUS, EXJPUS
 */
export async function discoverFred(opts: DiscoverOptions): Promise<DiscoveredRelease[]> {
  const range = rangeOf(opts);
  return FRED_TRACKED.map((id) => ({
    url: fredUrl(baseUrl(opts, 'fred'), id, range),
    fileName: range ? `${id}_${range.from}_${range.to}.csv` : `${id}.csv`,
    label: range ? `FRED ${id} ${range.from}..${range.to}` : `FRED ${id}, whole history`,
    period: range?.to,
    hints: { series: id, ...(range ? dayRange(range.from, range.to) : {}) },
  }));
}
