/**
 * The analyst report: the claim check and five charts that tell the article's story, built from
 * the database into one self-contained HTML page. Each chart's texts are written from the rows
 * the views returned, so the page says only what the loaded releases say.
 */
import type { Session } from '../db/connect.js';
import { readClaimCheck, type ClaimCheckRow } from '../metrics/claim-check.js';
import { balanceChart, carImportsChart, commodityChart, exportsChart, fxChart } from './charts.js';
import { renderPage, type ChartSection } from './html.js';
import { annualExports, usCarImports, usExportsByCommodity, usJapanBalance, yenDollar } from './queries.js';
import { renderSvg } from './render-svg.js';
import { readReleases } from './sources.js';

export interface BuildOptions {
  /** Where the data came from, for the page's footer line (never a password: use Db.describe()). */
  database: string;
  generatedAt?: Date;
}

export interface Report {
  html: string;
  claims: ClaimCheckRow[];
  charts: ChartSection[];
}

/** The ids of the chart sections, in page order. */
export const CHART_IDS = ['chart-exports', 'chart-commodities', 'chart-car-imports', 'chart-balance', 'chart-fx'] as const;

/**
 * Reads the claim check and the chart data, renders the charts to SVG and lays out the page.
 * @example const { html } = await buildReport(ctx.db, { database: ctx.db.describe() });
 */
export async function buildReport(db: Pick<Session, 'query'>, opts: BuildOptions): Promise<Report> {
  const claims = await readClaimCheck(db);
  const charts: ChartSection[] = [
    await exportsSection(db),
    await commoditySection(db),
    await carImportsSection(db),
    await balanceSection(db),
    await fxSection(db),
  ];
  const generatedAt = (opts.generatedAt ?? new Date()).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  const html = renderPage({
    title: 'US–Japan trade: the article\'s figures, checked against the official data',
    intro: [
      'An April 2025 news article on the US–Japan trade negotiations quoted figures on Japan\'s exports, its surplus with the United States, cars, and the yen. '
      + 'This page checks each of them against the official releases loaded into the database — Japan\'s Ministry of Finance and Customs, the US Census Bureau, and the Federal Reserve\'s H.10 exchange rates — and tells the story in five charts.',
      'Every chart names the datasets and release files (vintages) its figures come from: a later revision of a release changes the page the next time it is built.',
    ],
    generatedAt,
    database: opts.database,
    claims,
    charts,
  });
  return { html, claims, charts };
}

async function exportsSection(db: Pick<Session, 'query'>): Promise<ChartSection> {
  const d = await annualExports(db);
  const first = d.years[0];
  const last = d.years[d.years.length - 1];
  const marked = d.years.find((y) => y.marked);
  const higherLater = marked ? d.years.filter((y) => y.year > marked.year && Number(y.trnJpy) > Number(marked.trnJpy)) : [];
  const lead = first && last
    ? `Japan's exports of goods to the world in each complete calendar year from ${first.year} to ${last.year}, in trillion yen. `
      + (marked
        ? `${marked.year}: ${marked.trnJpy} trn ¥, ${marked.recordThen ? `higher than every earlier year since ${first.year}` : 'not a record'}`
          + (higherLater.length ? ` (since exceeded by ${higherLater.map((y) => y.year).join(', ')}).` : '.')
        : '')
    : 'Japan\'s exports of goods to the world by calendar year.';
  return {
    id: 'chart-exports',
    title: first ? `Japan's annual exports since ${first.year}` : 'Japan\'s annual exports',
    lead,
    svg: d.years.length ? await renderSvg(exportsChart(d), 'chart-exports') : null,
    metrics: ['metrics.jp_trade_annual', 'metrics.jp_exports_record'],
    sources: await readReleases(db, d.releaseIds),
    notes: [
      `Each bar is the ${d.method ?? 'sum of 12 monthly figures'} of MOF's time series d41ma (exports, total, yen): only complete calendar years — all 12 months published — are shown, so a year in progress does not appear.`,
    ],
  };
}

async function commoditySection(db: Pick<Session, 'query'>): Promise<ChartSection> {
  const d = await usExportsByCommodity(db);
  const partner = d.partnerName ?? 'United States';
  return {
    id: 'chart-commodities',
    title: `Japan's exports to the ${partner} by principal commodity${d.period ? `, ${d.period}` : ''}`,
    lead: d.shares
      ? `Motor vehicles were ${d.shares.motorVehicles}% of Japan's ${d.shares.totalTrnJpy} trn ¥ of exports to the ${partner}; with their parts (${d.shares.parts}%), ${d.shares.autosAndParts}%.`
      : `Japan's exports to the ${partner} by MOF principal commodity, with shares of the total.`,
    svg: d.lines.length ? await renderSvg(commodityChart(d), 'chart-commodities') : null,
    metrics: ['metrics.jp_exports_to_us_by_commodity', 'metrics.jp_auto_export_share'],
    sources: await readReleases(db, d.releaseIds),
    notes: [
      'MOF principal-commodity table of the press release (classification mof_pc_label). "Motor vehicles" includes buses and trucks; ↳ marks a sub-item that is already counted in a larger line ((CAR) passenger cars and (BUS&TRUCK) are part of MOTOR VEHICLES). Shares are computed from the values (value ÷ the table\'s grand total).',
      ...(d.lines.length ? [`The bars show the largest lines loaded for the year (at most ${d.lines.length}) and always the automobile lines; section totals are left out.`] : []),
    ],
  };
}

async function carImportsSection(db: Pick<Session, 'query'>): Promise<ChartSection> {
  const d = await usCarImports(db);
  const top = d.rows.slice(0, 2);
  const uncertain = d.rows.some((r) => !r.rankIsCertain);
  return {
    id: 'chart-car-imports',
    title: `US passenger-car imports by country${d.period ? `, ${d.period}` : ''}`,
    lead: top.length
      ? `${top.map((r) => `${r.partnerName} ranks ${r.rank} with $${r.bnUsd} bn`).join('; ')}${d.worldBnUsd ? `, of $${d.worldBnUsd} bn from all countries` : ''}.`
      : 'US imports of passenger cars by country, ranked.',
    svg: d.rows.length ? await renderSvg(carImportsChart(d), 'chart-car-imports') : null,
    metrics: ['metrics.us_car_imports_by_country'],
    sources: await readReleases(db, d.releaseIds),
    notes: [
      `Series: ${d.series ?? 'the one the claims pin'} — the series the article's claims are checked against (metrics.claim). Customs value in US dollars; share = of all countries.`,
      ...(uncertain ? ['* Rank not certain: the countries missing from the loaded answer could together exceed this country.'] : []),
    ],
  };
}

async function balanceSection(db: Pick<Session, 'query'>): Promise<ChartSection> {
  const d = await usJapanBalance(db);
  const sources = await readReleases(db, [...d.releaseIds, ...d.fxReleaseIds]);
  const years = [...new Set(d.bars.map((b) => b.year))];
  return {
    id: 'chart-balance',
    title: 'The US–Japan goods balance, seen from both sides',
    lead: `The US goods deficit with Japan as the Census Bureau publishes it, next to Japan's surplus with the United States as MOF publishes it in yen, converted to dollars${years.length ? ` (${years.join(', ')})` : ''}. Both are drawn as the imbalance in Japan's favour; the dashed line is the figure the article quotes.`,
    svg: d.bars.length ? await renderSvg(balanceChart(d), 'chart-balance') : null,
    metrics: ['metrics.us_goods_balance_by_partner', 'metrics.jp_trade_by_partner', 'metrics.annual_converted', 'fx.usd_period'],
    sources,
    notes: [
      'The two sides differ because each country values its imports differently (US general imports at customs value, Japan\'s imports CIF) and counts exports at its own border; calendar years only — MOF\'s fiscal years (April–March) are not mixed in.',
      'Yen converted at the Federal Reserve H.10 annual average of the year (the mean of its daily noon rates), not at MOF\'s customs rates.',
    ],
    details: d.bars.map((b) => [`${b.year} ${b.view}`, `$${b.bnUsd} bn${b.conversion ? ` = ${b.conversion}` : ''}`] as [string, string]),
  };
}

async function fxSection(db: Pick<Session, 'query'>): Promise<ChartSection> {
  const d = await yenDollar(db);
  const first = d.days[0];
  const last = d.days[d.days.length - 1];
  return {
    id: 'chart-fx',
    title: 'The yen–dollar rate around the article\'s date',
    lead: d.onReference && d.referenceDate
      ? `On ${d.referenceDate}, the date the article's conversions refer to, the Federal Reserve's noon rate was ${d.onReference.rate} yen per dollar${d.onReference.dateUsed !== d.referenceDate ? ` (rate of ${d.onReference.dateUsed}, the previous day with one)` : ''}`
        + (d.impliedByArticle ? `; the article's conversion implies ${d.impliedByArticle.rate}.` : '.')
      : 'Daily yen per US dollar around the article\'s date.',
    svg: d.days.length ? await renderSvg(fxChart(d), 'chart-fx') : null,
    metrics: ['fx.usd_daily', 'fx.lookup', 'fx.usd_period', 'metrics.claim'],
    sources: await readReleases(db, d.releaseIds),
    notes: [
      `Daily noon buying rates in New York${first && last ? `, ${first.date} to ${last.date}` : ''}: H.10 (frb.h10) where loaded, else FRED's republication (frb.fred); days without a rate (weekends, holidays) have no point.`,
      ...(d.annualAverage ? [`${d.annualAverage.year} average: ${d.annualAverage.basis}.`] : []),
    ],
  };
}
