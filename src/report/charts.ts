/**
 * The report's charts as Vega-Lite specs, built from the rows of src/report/queries.ts. Values are
 * plotted from the decimal text SQL returned (Number() only for positions) and printed as that
 * text, so a label shows exactly what the view computed. Styling lives in one config.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { AnnualExports, UsCarImports, UsExportsByCommodity, UsJapanBalance, YenDollar } from './queries.js';

/** The page's font stack, also used inside the SVGs (no web fonts: nothing is fetched). */
export const FONT_STACK = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

const WIDTH = 700;
const ACCENT = '#d9480f';
const PRIMARY = '#1c7ed6';
const SECOND = '#5c940d';
const MUTED = '#adb5bd';
const INK = '#343a40';

const CONFIG = {
  font: FONT_STACK,
  background: 'white',
  view: { stroke: null },
  axis: {
    labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' as const, labelColor: '#495057',
    titleColor: '#495057', gridColor: '#edf0f2', domainColor: '#adb5bd', tickColor: '#adb5bd',
  },
  legend: { labelFontSize: 12, titleFontSize: 12, orient: 'top' as const, title: null, symbolType: 'square', labelLimit: 600 },
  text: { fontSize: 11, color: INK },
};

function base(description: string): Pick<TopLevelSpec, 'config' | 'description' | 'background'> {
  return { config: CONFIG, description, background: 'white' } as Pick<TopLevelSpec, 'config' | 'description' | 'background'>;
}

/**
 * Japan's annual exports per calendar year as bars; the claim's year in the accent colour.
 * @example exportsChart(await annualExports(db))
 */
export function exportsChart(d: AnnualExports): TopLevelSpec {
  const markLabel = d.markYear !== null ? `${d.markYear} (the article's year)` : 'the article\'s year';
  const values = d.years.map((y) => ({
    year: y.year,
    trn: Number(y.trnJpy),
    label: `${y.trnJpy} trn ¥`,
    kind: y.marked ? markLabel : y.recordThen ? 'a record at the time' : 'other years',
  }));
  const last = d.years[d.years.length - 1];
  return {
    ...base(`Japan's exports by calendar year${d.markYear !== null ? `, ${d.markYear} marked` : ''}`),
    width: WIDTH,
    height: 260,
    data: { values },
    layer: [
      {
        mark: { type: 'bar', tooltip: true },
        encoding: {
          x: { field: 'year', type: 'ordinal', title: null, axis: { labelAngle: 0, labelExpr: 'datum.value % 5 === 0 ? datum.value : ""', ticks: false } },
          y: { field: 'trn', type: 'quantitative', title: 'Exports, trillion yen' },
          color: {
            field: 'kind', type: 'nominal',
            scale: { domain: [markLabel, 'a record at the time', 'other years'], range: [ACCENT, PRIMARY, MUTED] },
          },
        },
      },
      {
        transform: [{ filter: { field: 'kind', equal: markLabel } }],
        mark: { type: 'text', dy: -8, align: 'right', fontWeight: 'bold', color: ACCENT },
        encoding: { x: { field: 'year', type: 'ordinal' }, y: { field: 'trn', type: 'quantitative' }, text: { field: 'label' } },
      },
      ...(last && !last.marked ? [{
        transform: [{ filter: { field: 'year', equal: last.year } }],
        mark: { type: 'text' as const, dy: -8, align: 'left' as const, dx: -4, color: INK },
        encoding: { x: { field: 'year', type: 'ordinal' as const }, y: { field: 'trn', type: 'quantitative' as const }, text: { field: 'label' } },
      }] : []),
    ],
  } as TopLevelSpec;
}

/**
 * Japan's exports to the USA: the auto share as one stacked bar, then the principal commodities.
 * @example commodityChart(await usExportsByCommodity(db))
 */
export function commodityChart(d: UsExportsByCommodity): TopLevelSpec {
  const auto = (g: string | null) => g === 'motor_vehicles' || g === 'passenger_cars' || g === 'buses_trucks' || g === 'auto_parts';
  const lines = d.lines.map((l, i) => ({
    order: i,
    name: l.subItem ? `↳ ${l.label}` : l.label,
    trn: Number(l.trnJpy),
    label: `${l.trnJpy} trn ¥${l.sharePct !== null ? ` · ${l.sharePct}%` : ''}`,
    kind: auto(l.groupId) ? 'automobiles and parts' : 'other commodities',
  }));
  // Segment ends are running sums of the shares SQL computed; only placement is done here.
  const segs = d.shares ? [
    { part: 'Motor vehicles', pct: d.shares.motorVehicles },
    { part: 'Parts of motor vehicles', pct: d.shares.parts },
    { part: 'All other goods', pct: d.shares.rest },
  ] : [];
  let at = 0;
  const parts = segs.map((g) => {
    const start = at;
    at += Number(g.pct);
    return { part: g.part, start, end: at, mid: (start + at) / 2, label: `${g.pct}%` };
  });
  const shareBar = {
    title: { text: d.shares ? `Share of all exports to the ${d.partnerName ?? 'partner'} (${d.shares.totalTrnJpy} trn ¥): automobiles and parts ${d.shares.autosAndParts}%` : 'No share computed', anchor: 'start' as const, fontSize: 12, fontWeight: 'bold' as const, color: INK },
    width: WIDTH - 230,
    height: 30,
    data: { values: parts },
    layer: [
      {
        mark: { type: 'bar' as const, height: 30 },
        encoding: {
          x: { field: 'start', type: 'quantitative' as const, scale: { domain: [0, 100], nice: false }, axis: null },
          x2: { field: 'end' },
          color: { field: 'part', type: 'nominal' as const, sort: segs.map((g) => g.part), scale: { range: [ACCENT, '#f08c00', '#dee2e6'] } },
        },
      },
      {
        mark: { type: 'text' as const, color: INK, fontWeight: 'bold' as const, baseline: 'middle' as const },
        encoding: { x: { field: 'mid', type: 'quantitative' as const }, text: { field: 'label' } },
      },
    ],
  };
  const barChart = {
    width: WIDTH - 230,
    height: { step: 22 },
    data: { values: lines },
    layer: [
      {
        mark: { type: 'bar' as const },
        encoding: {
          y: { field: 'name', type: 'nominal' as const, sort: { field: 'order', op: 'min' }, title: null, axis: { labelLimit: 220 } },
          x: { field: 'trn', type: 'quantitative' as const, title: `Exports to the ${d.partnerName ?? 'partner'}, trillion yen` },
          color: { field: 'kind', type: 'nominal' as const, scale: { domain: ['automobiles and parts', 'other commodities'], range: [ACCENT, PRIMARY] }, legend: null },
        },
      },
      {
        mark: { type: 'text' as const, align: 'left' as const, dx: 4 },
        encoding: {
          y: { field: 'name', type: 'nominal' as const, sort: { field: 'order', op: 'min' } },
          x: { field: 'trn', type: 'quantitative' as const },
          text: { field: 'label' },
        },
      },
    ],
  };
  return {
    ...base(`Japan's exports to the ${d.partnerName ?? 'partner'} by principal commodity, ${d.period ?? ''}`),
    vconcat: [shareBar, barChart],
    spacing: 18,
    resolve: { scale: { color: 'independent' } },
  } as TopLevelSpec;
}

/**
 * US passenger-car imports by country, ranked; the article's countries in the accent colour.
 * @example carImportsChart(await usCarImports(db))
 */
export function carImportsChart(d: UsCarImports): TopLevelSpec {
  const values = d.rows.map((r) => ({
    order: r.rank,
    name: `${r.rank}. ${r.partnerName}${r.rankIsCertain ? '' : ' *'}`,
    bn: Number(r.bnUsd),
    label: `$${r.bnUsd} bn${r.sharePct !== null ? ` · ${r.sharePct}%` : ''}`,
    kind: r.claimed ? 'named in the article' : 'other countries',
  }));
  return {
    ...base(`US imports of passenger cars by country, ${d.period ?? ''}, ranked`),
    width: WIDTH - 230,
    height: { step: 24 },
    data: { values },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          y: { field: 'name', type: 'nominal', sort: { field: 'order', op: 'min' }, title: null, axis: { labelLimit: 200 } },
          x: { field: 'bn', type: 'quantitative', title: 'Imports, billion US dollars' },
          color: { field: 'kind', type: 'nominal', scale: { domain: ['named in the article', 'other countries'], range: [ACCENT, PRIMARY] } },
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 4 },
        encoding: { y: { field: 'name', type: 'nominal', sort: { field: 'order', op: 'min' } }, x: { field: 'bn', type: 'quantitative' }, text: { field: 'label' } },
      },
    ],
  } as TopLevelSpec;
}

/**
 * The US–Japan goods imbalance per year from each side, with the article's claimed figure.
 * @example balanceChart(await usJapanBalance(db))
 */
export function balanceChart(d: UsJapanBalance): TopLevelSpec {
  const values = d.bars.map((b) => ({ year: String(b.year), view: b.view, bn: Number(b.bnUsd), label: `$${b.bnUsd} bn` }));
  const views = [...new Set(d.bars.map((b) => b.view))].sort();
  const primary = new Set(d.bars.filter((b) => b.primary).map((b) => b.view));
  const palette = views.map((v) => (v.startsWith('Japanese') ? ACCENT : primary.has(v) ? PRIMARY : '#74c0fc'));
  const claim = d.claimedBnUsd !== null ? [{ bn: Number(d.claimedBnUsd), label: `the claim: ${d.claimText ?? `$${d.claimedBnUsd} bn`} (${d.claimedBnUsd} bn USD)` }] : [];
  return {
    ...base('US goods deficit with Japan by year (Census) and Japan\'s surplus with the US (MOF, yen in dollars)'),
    width: WIDTH,
    height: 260,
    layer: [
      {
        data: { values },
        layer: [
          {
            mark: { type: 'bar' },
            encoding: {
              x: { field: 'year', type: 'ordinal', title: null, axis: { labelAngle: 0 } },
              xOffset: { field: 'view', type: 'nominal', sort: views },
              y: { field: 'bn', type: 'quantitative', title: 'Imbalance in Japan\'s favour, billion US dollars' },
              color: { field: 'view', type: 'nominal', sort: views, scale: { domain: views, range: palette }, legend: { columns: 1 } },
            },
          },
          {
            mark: { type: 'text', dy: -7 },
            encoding: {
              x: { field: 'year', type: 'ordinal' },
              xOffset: { field: 'view', type: 'nominal', sort: views },
              y: { field: 'bn', type: 'quantitative' },
              text: { field: 'label' },
            },
          },
        ],
      },
      ...(claim.length ? [{
        data: { values: claim },
        layer: [
          { mark: { type: 'rule' as const, strokeDash: [6, 4], color: INK }, encoding: { y: { field: 'bn', type: 'quantitative' as const } } },
          { mark: { type: 'text' as const, align: 'left' as const, x: 4, dy: -7, color: INK }, encoding: { y: { field: 'bn', type: 'quantitative' as const }, text: { field: 'label' } } },
        ],
      }] : []),
    ],
  } as TopLevelSpec;
}

/**
 * Daily yen per dollar around the article's date, with that date and the rates the page uses.
 * @example fxChart(await yenDollar(db))
 */
export function fxChart(d: YenDollar): TopLevelSpec {
  const values = d.days.map((r) => ({ date: r.date, rate: Number(r.jpyPerUsd), source: r.source }));
  const refs: Array<{ rate: number; label: string; dash: number[] }> = [];
  if (d.impliedByArticle) refs.push({ rate: Number(d.impliedByArticle.rate), label: `${d.impliedByArticle.rate} ¥/$ implied by the article (${d.impliedByArticle.text})`, dash: [6, 4] });
  if (d.annualAverage) refs.push({ rate: Number(d.annualAverage.rate), label: `${d.annualAverage.rate} ¥/$: ${d.annualAverage.year} average (converts the ${d.annualAverage.year} balance above)`, dash: [2, 3] });
  const day = d.onReference && d.referenceDate
    ? [{ date: d.referenceDate, label: `article's date ${d.referenceDate}: ${d.onReference.rate} ¥/$${d.onReference.dateUsed !== d.referenceDate ? ` (rate of ${d.onReference.dateUsed})` : ''}` }]
    : [];
  const rates = [...values.map((v) => v.rate), ...refs.map((r) => r.rate)];
  const domain = rates.length ? [Math.floor(Math.min(...rates) - 1), Math.ceil(Math.max(...rates) + 1)] : undefined;
  const x = { field: 'date', type: 'temporal' as const, timeUnit: 'utcyearmonthdate' as const, title: null, axis: { format: '%b %d', labelAngle: 0 } };
  return {
    ...base(`Yen per US dollar, daily, around ${d.referenceDate ?? 'the article\'s date'}`),
    width: WIDTH,
    height: 280,
    layer: [
      {
        data: { values },
        mark: { type: 'line', point: { size: 14 }, strokeWidth: 2 },
        encoding: {
          x,
          y: { field: 'rate', type: 'quantitative', title: 'Yen per US dollar', scale: { zero: false, ...(domain ? { domain } : {}) } },
          color: { field: 'source', type: 'nominal', scale: { range: [PRIMARY, SECOND, '#862e9c'] } },
        },
      },
      ...refs.map((r) => ({
        data: { values: [r] },
        layer: [
          { mark: { type: 'rule' as const, strokeDash: r.dash, color: INK }, encoding: { y: { field: 'rate', type: 'quantitative' as const } } },
          { mark: { type: 'text' as const, align: 'left' as const, x: 4, dy: -7, color: INK }, encoding: { y: { field: 'rate', type: 'quantitative' as const }, text: { field: 'label' } } },
        ],
      })),
      ...(day.length ? [{
        data: { values: day },
        layer: [
          { mark: { type: 'rule' as const, color: ACCENT, strokeWidth: 2 }, encoding: { x } },
          { mark: { type: 'text' as const, align: 'left' as const, dx: 5, y: 10, color: ACCENT, fontWeight: 'bold' as const }, encoding: { x, text: { field: 'label' } } },
        ],
      }] : []),
    ],
  } as TopLevelSpec;
}
