/**
 * The report page: one self-contained HTML document. Styles are inline, charts are inline SVG,
 * there is no script, and a Content-Security-Policy forbids every fetch, so the page shows the
 * same thing offline, from a mail attachment or from a file share.
 */
import { claimTableRows, verdictSummary, type ClaimCheckRow } from '../metrics/claim-check.js';
import { FONT_STACK } from './charts.js';
import { describeRelease, type ReleaseRef } from './sources.js';

/** One chart section of the page. */
export interface ChartSection {
  /** Element id, also the SVG id prefix: chart-exports, chart-commodities… */
  id: string;
  title: string;
  /** One or two sentences on what the chart shows, written from the data. */
  lead: string;
  /** The rendered SVG, or null when nothing is loaded for it. */
  svg: string | null;
  /** The views and functions the figures come from. */
  metrics: string[];
  sources: ReleaseRef[];
  notes: string[];
  /** Extra rows shown under the chart (label, value), e.g. how a conversion was done. */
  details?: Array<[string, string]>;
}

export interface PageInput {
  title: string;
  intro: string[];
  generatedAt: string;
  database: string;
  claims: ClaimCheckRow[];
  charts: ChartSection[];
}

/**
 * Escapes text for HTML element content and attribute values.
 * @example escapeHtml('<b>"A&B"</b>') // '&lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt;'
 */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const CSS = `
*{box-sizing:border-box}
html{background:#f8f9fa;color:#212529;font:16px/1.55 ${FONT_STACK}}
body{margin:0}
main{max-width:800px;margin:0 auto;padding:32px 24px 48px;background:#fff;min-height:100vh}
h1{font-size:1.75rem;line-height:1.25;margin:0 0 .5rem}
h2{font-size:1.25rem;margin:2.5rem 0 .4rem;padding-top:1rem;border-top:1px solid #e9ecef}
p{margin:.4rem 0 .8rem}
.meta{color:#6c757d;font-size:.85rem}
.summary{display:flex;flex-wrap:wrap;gap:.4rem;margin:.8rem 0}
.verdict{display:inline-block;padding:.05rem .45rem;border-radius:.6rem;font-size:.78rem;font-weight:600;white-space:nowrap}
.v-matches{background:#d3f9d8;color:#2b8a3e}
.v-differs{background:#ffe8cc;color:#d9480f}
.v-no-data-loaded{background:#e9ecef;color:#495057}
.v-not-covered-by-a-source{background:#e7f5ff;color:#1864ab}
table{border-collapse:collapse;width:100%;font-size:.8rem;margin:.6rem 0}
th,td{text-align:left;vertical-align:top;padding:.35rem .4rem;border-bottom:1px solid #e9ecef}
th{font-weight:600;color:#495057;border-bottom:2px solid #dee2e6}
table.claims{table-layout:fixed}
td .verdict{white-space:normal}
.num{text-align:right;font-variant-numeric:tabular-nums}
.sub{display:block;color:#868e96;font-size:.72rem;margin-top:.15rem}
td.num .sub{white-space:nowrap}
.id{display:block;color:#868e96;font-size:.72rem;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
details{margin-top:.2rem;color:#495057}
summary{cursor:pointer;color:#1c7ed6;font-size:.72rem}
figure{margin:.8rem 0 0}
figure svg{max-width:100%;height:auto;display:block}
figcaption{font-size:.8rem;color:#495057;margin-top:.6rem;padding:.6rem .8rem;background:#f8f9fa;border-left:3px solid #ced4da}
figcaption ul{margin:.2rem 0 .2rem 1.1rem;padding:0}
figcaption p{margin:.2rem 0}
.empty{padding:1rem;background:#fff4e6;color:#d9480f;border-radius:4px}
footer{margin-top:3rem;color:#868e96;font-size:.8rem}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85em}
`;

function verdictBadge(v: string): string {
  return `<span class="verdict v-${escapeHtml(v.replace(/\s+/g, '-'))}">${escapeHtml(v)}</span>`;
}

function claimTable(rows: ClaimCheckRow[]): string {
  const cells = claimTableRows(rows);
  const body = rows.map((r, i) => {
    const c = cells[i]!;
    const diff = c.difference ? `<span class="sub">difference ${escapeHtml(c.difference)}</span>` : '';
    const vintage = c.vintage ? `<span class="sub">${escapeHtml(c.vintage)}</span>` : '';
    const summary = r.verdict === 'not covered by a source' || r.verdict === 'no data loaded' ? 'why' : 'how it was computed';
    return `<tr data-claim="${escapeHtml(r.id)}" data-verdict="${escapeHtml(r.verdict)}">`
      + `<td>${escapeHtml(r.claim)}<span class="id">${escapeHtml(r.id)}</span>`
      + (r.note ? `<details><summary>${summary}</summary>${escapeHtml(r.note)}</details>` : '') + '</td>'
      + `<td class="num">${escapeHtml(c.article ?? '')}</td>`
      + `<td class="num">${escapeHtml(c.computed ?? '')}${diff}</td>`
      + `<td>${verdictBadge(r.verdict)}${vintage}</td></tr>`;
  }).join('\n');
  return '<table class="claims"><colgroup><col style="width:40%"><col style="width:18%"><col style="width:18%"><col style="width:24%"></colgroup>'
    + `<thead><tr><th>Claim</th><th class="num">Article</th><th class="num">Computed</th><th>Verdict and vintage</th></tr></thead>\n<tbody>\n${body}\n</tbody></table>`;
}

function chartSection(c: ChartSection): string {
  const figure = c.svg
    ? c.svg
    : '<p class="empty">No data loaded for this chart: load the datasets named below (<code>trade-etl demo</code> loads the bundled ones).</p>';
  const sources = c.sources.length
    ? `<ul>${c.sources.map((s) => `<li>${escapeHtml(describeRelease(s))}</li>`).join('')}</ul>`
    : '<ul><li>no release loaded</li></ul>';
  const details = c.details?.length
    ? `<table class="details"><tbody>${c.details.map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(v)}</td></tr>`).join('')}</tbody></table>`
    : '';
  return `<section class="chart" id="${escapeHtml(c.id)}">
<h2>${escapeHtml(c.title)}</h2>
<p>${escapeHtml(c.lead)}</p>
<figure>
${figure}
<figcaption>
<p><strong>Data:</strong> ${c.metrics.map((m) => `<code>${escapeHtml(m)}</code>`).join(', ')}.</p>
<p><strong>Source releases (vintages):</strong></p>${sources}
${c.notes.map((n) => `<p>${escapeHtml(n)}</p>`).join('\n')}
${details}
</figcaption>
</figure>
</section>`;
}

/**
 * The whole page as one HTML string.
 * @example const html = renderPage({ title: 'Report', intro: [], generatedAt: '2025-04-22 10:00 UTC', database: 'PGlite', claims: [], charts: [] });
 */
export function renderPage(p: PageInput): string {
  const counts = verdictSummary(p.claims);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(p.title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header>
<h1>${escapeHtml(p.title)}</h1>
${p.intro.map((t) => `<p>${escapeHtml(t)}</p>`).join('\n')}
<p class="meta">Built ${escapeHtml(p.generatedAt)} from ${escapeHtml(p.database)} by <code>trade-etl report</code>.</p>
</header>
<section id="claims">
<h2>The claim check</h2>
<p>Each figure of the article against the value computed from the loaded releases (<code>metrics.claim_check</code>), compared at the article's precision. A difference is a finding, not an error.</p>
<p class="summary">${counts.split(', ').map((part) => {
    const m = /^(.*) (\d+)$/.exec(part);
    return m ? `${verdictBadge(m[1]!)} <span>${escapeHtml(m[2]!)}</span>` : escapeHtml(part);
  }).join(' ')}</p>
${claimTable(p.claims)}
</section>
${p.charts.map(chartSection).join('\n')}
<footer>
<p>Every value on this page is read from the database through SQL views (<code>metrics.*</code>, <code>fx.*</code>); none is typed into the report. Charts are drawn with Vega-Lite and rendered to SVG when the page is built; the page loads nothing.</p>
</footer>
</main>
</body>
</html>
`;
}
