/**
 * Vega-Lite spec → static SVG, at build time, in Node: vega-lite compiles the spec to Vega, and a
 * headless vega View (renderer 'none') writes SVG. No canvas package is needed: without it vega
 * estimates text widths, which is enough for axis layout. The page then carries the SVG inline,
 * so viewing it needs no script and no network.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * Renders a Vega-Lite spec to an SVG string whose element ids are unique to `idPrefix`.
 * @example const svg = await renderSvg({ data: { values: [{ a: 1 }] }, mark: 'point', encoding: { x: { field: 'a', type: 'quantitative' } } }, 'c1');
 */
export async function renderSvg(spec: TopLevelSpec, idPrefix: string): Promise<string> {
  const compiled = compile(spec).spec;
  // No loader can reach out: every chart's data is inline, and a URL in a spec would be a bug.
  const loader = vega.loader({ mode: 'file' });
  loader.load = async (uri: string) => { throw new Error(`report charts carry their data inline; refusing to load ${uri}`); };
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', loader, logLevel: vega.Warn });
  try {
    return prefixIds(await view.toSVG(), idPrefix);
  } finally {
    view.finalize();
  }
}

/**
 * Several SVGs inline in one page share one id space: vega's clip-path and gradient ids restart
 * per view, so each chart's ids (and the references to them) get the chart's own prefix.
 * @example prefixIds('<clipPath id="clip1"/><g clip-path="url(#clip1)"/>', 'c2') // '<clipPath id="c2-clip1"/><g clip-path="url(#c2-clip1)"/>'
 */
export function prefixIds(svg: string, idPrefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, (_m, id: string) => `id="${idPrefix}-${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_m, id: string) => `url(#${idPrefix}-${id})`)
    .replace(/\b(xlink:href|href)="#([^"]+)"/g, (_m, attr: string, id: string) => `${attr}="#${idPrefix}-${id}"`);
}
