/**
 * Where MOF releases are.
 * - mof.press: the English press-release index page (`/toukei/shinbun/happyou_e.htm`, layout of
 *   press_release_en.html) lists each period's current XML with its survey date and stage.
 *   Refresh = the newest release of each kind plus everything updated on the newest update
 *   date; backfill = releases whose period ends within the range. Returned oldest update first
 *   so vintages are applied in publication order.
 * - mof.hs_country: e-Stat listing pages are not parsed (no real copy to build against); the
 *   known files are a small config table below (statInfId + what the listing title says).
 * - mof.timeseries: fixed URLs (each file holds the whole series).
 */
import type { DiscoverOptions, DiscoveredRelease } from '../../src/core/vocabulary.js';
import { PermanentError } from '../../src/core/errors.js';
import { baseUrl } from '../../src/core/source.js';
import { pressFileName, pressPeriodFromText, pressStage, type PressKind } from './release-naming.js';

/** Path of the English index page on the customs host. */
export const PRESS_INDEX_PATH = '/toukei/shinbun/happyou_e.htm';

/** One row of the press index page. */
export interface PressIndexEntry {
  url: string;
  fileName: string;
  kind: PressKind;
  period: string;
  frequency: string;
  scopeKey: string;
  lastMonth: string;
  surveyDate: string;
  /** 'Aug.28.2026(D&P)' as written, and its parts. */
  updateText: string;
  updatedOn?: string;
  stage?: string;
  sourceStage?: string;
}

const MON = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

const decode = (s: string): string => s
  .replace(/<[^>]+>/g, '')
  .replace(/&amp;/g, '&').replace(/&nbsp;/g, ' ').replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
  .replace(/\s+/g, ' ').trim();

/**
 * Lists the XML releases on the press index page (both tables: monthly/yearly and 10/20-day).
 * @example parsePressIndex(html, 'https://www.customs.go.jp').find((e) => e.fileName === '2024_117e.xml')?.period === '2024'
 */
export function parsePressIndex(html: string, mofBase: string): PressIndexEntry[] {
  const out: PressIndexEntry[] = [];
  const base = `${mofBase.replace(/\/$/, '')}/toukei/shinbun/`;
  for (const row of html.match(/<tr[\s>][\s\S]*?<\/tr>/gi) ?? []) {
    const href = /href="([^"]+\.xml)"/i.exec(row)?.[1];
    if (!href) continue;
    const cells = [...row.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/gi)].map((m) => decode(m[1]!));
    const surveyDate = cells[0] ?? '';
    const updateText = cells[1] ?? '';
    const fileName = href.split('/').pop()!;
    const fromName = pressFileName(fileName);
    const fromSurvey = pressPeriodFromText(surveyDate);
    const p = fromSurvey ?? undefined;
    if (!p || (fromName && (fromName.kind !== p.kind || fromName.year !== p.year))) continue;
    const url = new URL(href, base).toString();
    const upd = /^([A-Za-z]{3})\.?\s*(\d{1,2})\.(\d{4})\s*\(([^)]*)\)/.exec(updateText);
    let updatedOn: string | undefined;
    if (upd) {
      const mm = MON.indexOf(upd[1]!.toLowerCase()) + 1;
      if (mm > 0) updatedOn = `${upd[3]}-${String(mm).padStart(2, '0')}-${upd[2]!.padStart(2, '0')}`;
    }
    const st = (upd ? pressStage(upd[4]!) : undefined) ?? fromName?.stage;
    out.push({
      url, fileName, kind: p.kind, period: p.period, frequency: p.frequency, scopeKey: p.scopeKey, lastMonth: p.lastMonth,
      surveyDate, updateText, updatedOn, stage: st?.stage, sourceStage: st?.sourceStage,
    });
  }
  return out;
}

/**
 * Chooses releases from the index: refresh (no range) or a backfill range of months.
 * @example selectPress(entries, {}) // newest per kind + the newest update day's releases
 */
export function selectPress(entries: PressIndexEntry[], range: { from?: string; to?: string }): PressIndexEntry[] {
  let chosen: PressIndexEntry[];
  if (range.from || range.to) {
    const from = range.from ?? '0000-00';
    const to = range.to ?? '9999-99';
    chosen = entries.filter((e) => e.lastMonth >= from && e.lastMonth <= to);
  } else {
    const newestDay = entries.map((e) => e.updatedOn ?? '').sort().pop() ?? '';
    const newestPerKind = new Map<string, PressIndexEntry>();
    for (const e of entries) {
      const cur = newestPerKind.get(e.kind);
      if (!cur || e.lastMonth > cur.lastMonth || (e.lastMonth === cur.lastMonth && (e.updatedOn ?? '') > (cur.updatedOn ?? ''))) newestPerKind.set(e.kind, e);
    }
    const set = new Set<PressIndexEntry>([...newestPerKind.values(), ...entries.filter((e) => newestDay !== '' && e.updatedOn === newestDay)]);
    chosen = entries.filter((e) => set.has(e));
  }
  const unique = new Map<string, PressIndexEntry>();
  for (const e of chosen) if (!unique.has(e.url)) unique.set(e.url, e);
  return [...unique.values()].sort((a, b) => (a.updatedOn ?? '').localeCompare(b.updatedOn ?? '') || a.lastMonth.localeCompare(b.lastMonth));
}

/** Discovery of mof.press through the index page. */
export async function discoverPress(opts: DiscoverOptions): Promise<DiscoveredRelease[]> {
  const indexUrl = `${baseUrl(opts, 'mof').replace(/\/$/, '')}${PRESS_INDEX_PATH}`;
  const html = await opts.fetchText(indexUrl);
  const entries = parsePressIndex(html, baseUrl(opts, 'mof'));
  if (entries.length === 0) {
    throw new PermanentError(`mof.press: the index page ${indexUrl} lists no XML releases; its layout may have changed`, { url: indexUrl });
  }
  return selectPress(entries, opts).map((e) => ({
    url: e.url,
    fileName: e.fileName,
    label: `${e.period} ${e.kind} ${e.sourceStage ?? ''}`.trim(),
    period: e.period,
    hints: { period: e.period, frequency: e.frequency, kind: e.kind, scopeKey: e.scopeKey, stage: e.stage, sourceStage: e.sourceStage, updatedOn: e.updatedOn },
  }));
}

/**
 * Known e-Stat files (listing-page discovery is not implemented): statInfId and what the listing
 * page says about the file. `hsScope` is the HS section/chapter range the file covers ('world'
 * for the world-total table 統計品別表).
 */
export interface EstatFile {
  statInfId: string;
  table: 'country' | 'world';
  flow: 'export' | 'import';
  year: number;
  /** Last month covered ('YYYY-MM'); files are cumulative from January. */
  coverageTo: string;
  hsScope: string;
  /** The listing page's title, when known (carries the stage). */
  title?: string;
  label: string;
}

export const ESTAT_FILES: readonly EstatFile[] = [
  {
    // Real: e-Stat 統計品別表 exports Jan–Jul 2026 (fixture is an excerpt of it).
    statInfId: '000040494506', table: 'world', flow: 'export', year: 2026, coverageTo: '2026-07', hsScope: 'world',
    label: 'e-Stat world-total HS-9 table, exports, Jan–Jul 2026',
  },
  {
    // Constructed fixture: this id is a placeholder, not a verified e-Stat id (see fixtures/mof/README.md).
    statInfId: '000099990087', table: 'country', flow: 'export', year: 2024, coverageTo: '2024-12', hsScope: 's17',
    title: '2024年12月分 品別国別表 (輸出 1-12月：確報)',
    label: 'e-Stat HS-9 by country, exports 2024, section XVII (vehicles) — constructed',
  },
];

/** Discovery of mof.hs_country from the config table. */
export async function discoverHsCountry(opts: DiscoverOptions, files: readonly EstatFile[] = ESTAT_FILES): Promise<DiscoveredRelease[]> {
  const base = baseUrl(opts, 'estat').replace(/\/$/, '');
  let chosen: EstatFile[];
  if (opts.from || opts.to) {
    const from = opts.from ?? '0000-00';
    const to = opts.to ?? '9999-99';
    chosen = files.filter((f) => f.coverageTo >= from && f.coverageTo <= to);
  } else {
    const newest = new Map<string, EstatFile>();
    for (const f of files) {
      const k = `${f.table}:${f.flow}:${f.hsScope}`;
      const cur = newest.get(k);
      if (!cur || f.coverageTo > cur.coverageTo) newest.set(k, f);
    }
    chosen = [...newest.values()];
  }
  return chosen.map((f) => ({
    url: `${base}/stat-search/file-download?statInfId=${f.statInfId}&fileKind=1`,
    fileName: `estat_${f.statInfId}.csv`,
    label: f.label,
    period: f.coverageTo,
    hints: { table: f.table, flow: f.flow, year: f.year, coverageTo: f.coverageTo, hsScope: f.hsScope, title: f.title, statInfId: f.statInfId },
  }));
}

/** Time-series files discovered (d61ma, imports, is parsed but not discovered: no fixture holds its layout). */
export const TIMESERIES_FILES = ['d41ma', 'd51ma'] as const;

/** Discovery of mof.timeseries: the fixed URLs, for refresh and backfill alike. */
export async function discoverTimeseries(opts: DiscoverOptions): Promise<DiscoveredRelease[]> {
  const base = baseUrl(opts, 'mof').replace(/\/$/, '');
  return TIMESERIES_FILES.map((f) => ({
    url: `${base}/toukei/suii/html/data/${f}.csv`,
    fileName: `${f}.csv`,
    label: f === 'd41ma' ? 'world monthly export/import totals since 1979' : 'exports by principal commodity since 1988',
    hints: { series: f },
  }));
}
