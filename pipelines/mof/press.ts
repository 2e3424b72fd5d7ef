/**
 * `mof.press` — MOF/Japan Customs press-release XML (`<hodoxml>`), monthly, 10/20-day and
 * period (calendar year, fiscal year, half year) releases at every stage.
 *
 * Emitted (reporter 'JP', dataset values in million yen → 'JPY'):
 * - pg1 totals: export/import/balance value and published y/y growth, partner 'WORLD'.
 * - pg2 by area/country: value and growth per flow; 'Grand Total' → 'WORLD', regions
 *   (chiikikunikbn 1) → `mof:<ABBR>`, countries via partnerFromMofPressAbbr.
 * - pg3–pg20 principal commodities: classification 'mof_pc_label', commodityCode = trimmed
 *   label (a label repeated within one table gets '#2', '#3'… in order of appearance); the
 *   'Grand Total' row is classification 'total' / 'TOTAL'. Measures value, quantity (explicit
 *   base unit), share_pct, value_growth_pct, quantity_growth_pct, contribution_pt.
 * The same figure printed on two pages (pg1 total = pg2 Grand Total = pg3 Grand Total) is emitted
 * once; if two pages disagree the file is refused. Index pages (pg21–26) are not stored.
 * Not numbers, so skipped: '-' (not available), empty elements, ZENGEN/ZENZO (from/to zero) and
 * growth figures marked with a leading '*' (MOF's marker for an out-of-scale change; its exact
 * meaning is not documented in our sources, so no percentage is inferred from it).
 */
import type { Dataset, Flow, Measure, Observation, ReleaseFacts, ReleaseInput } from '../../src/core/vocabulary.js';
import { MOF_PRESS } from '../dataset-meta.js';
import { readNumber, scaleDecimal } from '../../src/parse/numbers.js';
import { readXml, xmlError, type XmlOptions, type XmlPosition } from '../../src/parse/xml.js';
import { partnerFromMofPressAbbr } from '../../src/ref/countries.js';
import { pressDate, pressFileName, pressPeriodFromText, pressStage, titleStageText, type PressPeriod } from './release-naming.js';
import { pressUnit } from './press-units.js';
import { discoverPress } from './discovery.js';

const DATASET = MOF_PRESS.id;

/** Allowed children per element path suffix; anything else in a data table is an unknown layout. */
const LAYOUT: Record<string, readonly string[]> = {
  hodoxml: ['sogakutsuki', 'mokuji', 'chiikikunisogaku', 'shuyochiikikunihin', 'shisu', 'chiikishisu', 'pdf'],
  'hodoxml/sogakutsuki': ['kohyoymd', 'title', 'taishoymtonen', 'taishoymzennen', 'export', 'import', 'sashihiki', 'chushaku', 'page'],
  'hodoxml/sogakutsuki/export': ['sogakutonen', 'sogakuzennen', 'nobiritsu'],
  'hodoxml/sogakutsuki/import': ['sogakutonen', 'sogakuzennen', 'nobiritsu'],
  'hodoxml/sogakutsuki/sashihiki': ['sogakutonen', 'sogakuzennen', 'nobiritsu'],
  'hodoxml/chiikikunisogaku': ['taishokikan', 'title', 'chiikikunisogakuinfo', 'page'],
  'hodoxml/chiikikunisogaku/chiikikunisogakuinfo': ['chiikikunikbn', 'chiikikuni', 'exportkagakue', 'exportnobiritsu', 'importkagakue', 'importnobiritsu', 'sashihikikagakue', 'sashihikinobiritsu'],
  'hodoxml/shuyochiikikunihin': ['title', 'taishokikan', 'chushaku_eu', 'chushaku', 'shuyochiikikunihininfo', 'page'],
  'hodoxml/shuyochiikikunihin/shuyochiikikunihininfo': ['shuyoshohin', 'shuyoshohinbunrui', 'tani', 'suryo', 'suryonobiritsu', 'kagaku', 'koseihi', 'kagakunobiritsu', 'zogenkiyodo'],
};
/** Subtrees that carry no figures we store (table of contents, trade indexes): not validated. */
const SKIPPED = new Set(['hodoxml/mokuji', 'hodoxml/shisu', 'hodoxml/chiikishisu']);
/** Leaves: no child elements allowed. */
const LEAF_PARENTS = new Set(Object.keys(LAYOUT));

/** MOF area names that are groups of countries; the page titles drop pg2's parentheses. */
const REGIONS: Record<string, string> = {
  ASIA: 'ASIA', EU: '(EU)', '(EU)': '(EU)', ASEAN: '(ASEAN)', '(ASEAN)': '(ASEAN)', 'MIDDLE EAST': 'MIDDLE EAST',
  OCEANIA: 'OCEANIA', 'NORTH AMERICA': 'NORTH AMERICA', 'MIDDLE SOUTH AMERICA': 'MIDDLE SOUTH AMERICA',
  'WESTERN EUROPE': 'WESTERN EUROPE', 'C&E EURO': 'C&E EURO', AFRICA: 'AFRICA',
};

const BASIS: Record<Flow, string> = { export: 'FOB', import: 'CIF', balance: 'FOB-CIF' };

interface Release {
  period: PressPeriod;
  title: string;
}

/**
 * Parses one press-release XML into observations, filling facts from pg1 (title, stage,
 * period, kohyoymd). Streaming: the file is read event by event, one table row at a time.
 * @example for await (const o of parsePress(input, facts)) rows.push(o)
 */
export async function* parsePress(input: ReleaseInput, facts: ReleaseFacts): AsyncIterable<Observation> {
  const opts: XmlOptions = { dataset: input.dataset || DATASET, fileName: input.fileName };
  const seen = new Map<string, string>();
  let release: Release | undefined;
  let pg1: Record<string, string> = {};
  let group: Record<string, string> = {};
  let table: { flow: Flow; partner: string; partnerCode: string; labels: Map<string, number> } | undefined;
  let rowFields: Record<string, string> = {};
  let rowPos: XmlPosition | undefined;
  let skipDepth = 0;
  let rows = 0;
  const stack: string[] = [];

  const fail = (pos: XmlPosition, value: string | undefined, expected: string): never => {
    throw xmlError(opts, pos, value, expected);
  };
  const needRelease = (pos: XmlPosition): Release => release ?? fail(pos, undefined, 'the totals page <sogakutsuki name="pg1"> (title and period) before any table');

  function* emit(o: Omit<Observation, 'reporter' | 'period' | 'frequency' | 'basis'>, pos: XmlPosition): Generator<Observation> {
    const r = needRelease(pos);
    const key = [o.partner, o.flow, o.classification, o.commodityCode, o.measure].join('|');
    const prior = seen.get(key);
    if (prior !== undefined) {
      if (prior !== o.value) fail(pos, o.sourceValue ?? o.value, `the same figure as printed earlier in the file for ${key.replace(/\|/g, ' / ')} (${prior}); the pages disagree`);
      return;
    }
    seen.set(key, o.value);
    rows++;
    yield { reporter: 'JP', period: r.period.period, frequency: r.period.frequency, basis: BASIS[o.flow], ...o };
  }

  /** A money figure in million yen; null = not available. */
  const money = (raw: string | undefined, pos: XmlPosition, what: string): string | null => {
    if (raw === undefined) return null;
    const n = readNumber(raw);
    if (n === undefined) fail(pos, raw, `${what}: a number in million yen (e.g. "1,754,030", "△231,774") or "-"`);
    return n ?? null;
  };
  /** A published percentage; null for not available, ZENGEN/ZENZO and '*'-marked figures. */
  const percent = (raw: string | undefined, pos: XmlPosition, what: string): string | null => {
    if (raw === undefined) return null;
    const t = raw.trim();
    if (t === 'ZENGEN' || t === 'ZENZO' || /^\*\d+(\.\d+)?$/.test(t)) return null;
    const n = readNumber(t);
    if (n === undefined) fail(pos, raw, `${what}: a percentage, "-", ZENGEN or ZENZO`);
    return n ?? null;
  };

  function* flowFigures(flow: Flow, partner: string, partnerSourceCode: string, value: string | undefined, growth: string | undefined, pos: XmlPosition, what: string): Generator<Observation> {
    const v = money(value, pos, `${what} value`);
    if (v !== null) {
      yield* emit({ partner, partnerSourceCode, flow, classification: 'total', commodityCode: 'TOTAL', commodityLabel: null, measure: 'value', value: scaleDecimal(v, 6), unit: 'JPY', sourceValue: value!.trim(), sourceUnit: 'million yen' }, pos);
    }
    const g = percent(growth, pos, `${what} growth`);
    if (g !== null) {
      yield* emit({ partner, partnerSourceCode, flow, classification: 'total', commodityCode: 'TOTAL', commodityLabel: null, measure: 'value_growth_pct', value: g, unit: 'PCT', sourceValue: growth!.trim(), sourceUnit: '%' }, pos);
    }
  }

  const startRelease = (pos: XmlPosition): void => {
    const title = (pg1.title ?? '').trim();
    const periodText = (pg1.taishoymtonen ?? '').trim();
    const fromName = pressFileName(input.fileName);
    // 10/20-day releases say "First 10 days" only in the title; otherwise the period text leads.
    let period = /first\s*(10|20)\s*days/i.test(title) ? pressPeriodFromText(title) : pressPeriodFromText(`${periodText} ${title}`);
    // A bare year ("2024") says neither calendar nor fiscal: only the file name can.
    if (!period && /^\d{4}$/.test(periodText) && fromName && fromName.kind !== 'monthly') {
      period = pressPeriodFromText(`${periodText} ${fromName.kind.includes('fiscal') ? 'Fiscal Year' : 'Calendar Year'}${fromName.kind.startsWith('half') ? ' first half' : ''}`);
    }
    if (!period) fail(pos, `${title} | ${periodText}`, 'a title/period naming a month ("December 2024"), a calendar year ("Calendar Year 2024"), a fiscal year ("Fiscal Year 2024") or a first half');
    const p = period!;
    if (fromName && (fromName.kind !== p.kind || fromName.year !== p.year || (fromName.month !== undefined && fromName.month !== p.month))) {
      fail(pos, title, `a release of the kind and period its file name ${input.fileName} says (${fromName.kind} ${fromName.year}${fromName.month ? `-${fromName.month}` : ''}); calendar and fiscal periods must never be mixed`);
    }
    const hinted = input.hints?.period;
    if (typeof hinted === 'string' && hinted !== p.period) {
      fail(pos, title, `the period discovery expected (${hinted}), found ${p.period}`);
    }
    // The title's stage comes first: a file saved under another name (press_2024125en.xml) still says it.
    // (The name's digit 7 stays when Revised figures become Fixed, so the two may differ.)
    const stage = pressStage(titleStageText(title)) ?? fromName?.stage;
    if (!stage) fail(pos, title, 'a stage in the title ("(Provisional)", "(Revised)", "(Fixed)"…) or a file name that implies one');
    const published = pg1.kohyoymd !== undefined ? pressDate(pg1.kohyoymd) : undefined;
    if (pg1.kohyoymd !== undefined && !published) fail({ ...pos, path: 'hodoxml/sogakutsuki/kohyoymd' }, pg1.kohyoymd, 'a release date like "January 23, 2025"');
    release = { period: p, title };
    facts.scopeKey = p.scopeKey;
    facts.scope = { kind: p.kind, period: p.period, frequency: p.frequency, lastMonth: p.lastMonth };
    facts.stage = stage!.stage;
    facts.sourceStage = stage!.sourceStage;
    facts.title = title;
    if (published) facts.publishedOn = published;
  };

  const source = input.stream();
  for await (const ev of readXml(source, opts)) {
    if (ev.kind === 'pi') continue;
    const pos: XmlPosition = { line: ev.line, column: ev.column, path: ev.path };
    if (ev.kind === 'open') {
      if (stack.length === 0 && ev.name !== 'hodoxml') fail(pos, `<${ev.name}>`, 'a MOF press-release XML with root element <hodoxml>');
      const parent = stack.join('/');
      stack.push(ev.name);
      if (skipDepth > 0) { skipDepth++; continue; }
      if (SKIPPED.has(ev.path)) { skipDepth = 1; continue; }
      if (parent) {
        const allowed = LAYOUT[parent];
        if (!allowed) fail(pos, `<${ev.name}>`, `no child elements inside <${parent}> (a value element)`);
        if (!allowed!.includes(ev.name)) fail(pos, `<${ev.name}>`, `one of ${allowed!.map((a) => `<${a}>`).join(', ')} inside <${parent}> (unknown element layout)`);
      }
      if (ev.path === 'hodoxml/chiikikunisogaku' || ev.path === 'hodoxml/shuyochiikikunihin') needRelease(pos);
      if (ev.path === 'hodoxml/shuyochiikikunihin') table = undefined;
      if (ev.path.endsWith('info')) { rowFields = {}; rowPos = pos; }
      if (ev.path === 'hodoxml/sogakutsuki/export' || ev.path === 'hodoxml/sogakutsuki/import' || ev.path === 'hodoxml/sogakutsuki/sashihiki') group = {};
      continue;
    }
    // close
    stack.pop();
    if (skipDepth > 0) { skipDepth--; continue; }
    const path = ev.path;
    const parent = path.slice(0, path.lastIndexOf('/'));
    if (parent === 'hodoxml/sogakutsuki') {
      if (!LEAF_PARENTS.has(path)) pg1[ev.name] = ev.text;
      // The period is known once both title and taishoymtonen are read (they precede the figures).
      if (!release && pg1.title !== undefined && pg1.taishoymtonen !== undefined) startRelease(pos);
      if (ev.name === 'export' || ev.name === 'import' || ev.name === 'sashihiki') {
        const flow: Flow = ev.name === 'sashihiki' ? 'balance' : ev.name;
        yield* flowFigures(flow, 'WORLD', 'WORLD', group.sogakutonen, group.nobiritsu, pos, `pg1 ${ev.name}`);
      }
      continue;
    }
    if (/^hodoxml\/sogakutsuki\/(export|import|sashihiki)$/.test(parent)) { group[ev.name] = ev.text; continue; }
    if (path === 'hodoxml/sogakutsuki') {
      if (!release) fail(pos, pg1.title, 'a totals page with <title> and <taishoymtonen>');
      continue;
    }
    if (parent.endsWith('info')) { rowFields[ev.name] = ev.text; continue; }
    if (path === 'hodoxml/shuyochiikikunihin/title') {
      const title = ev.text.trim();
      const flow: Flow | undefined = /^exports\b/i.test(title) ? 'export' : /^imports\b/i.test(title) ? 'import' : undefined;
      const area = /\(([^()]*)\)\s*$/.exec(title)?.[1]?.trim();
      if (!flow || !area) fail(pos, title, 'a principal-commodity title like "Exports by Principal Commodity by Area(Country)(USA)"');
      table = { flow: flow!, partner: areaPartner(area!), partnerCode: area!, labels: new Map() };
      continue;
    }
    if (path === 'hodoxml/chiikikunisogaku/chiikikunisogakuinfo') {
      yield* areaRow(rowFields, rowPos ?? pos);
      continue;
    }
    if (path === 'hodoxml/shuyochiikikunihin/shuyochiikikunihininfo') {
      if (!table) fail(pos, undefined, 'a <title> naming flow and area before the first commodity row');
      yield* commodityRow(rowFields, rowPos ?? pos);
      continue;
    }
  }
  if (!release) {
    throw xmlError(opts, { line: 1, column: 1, path: 'hodoxml/sogakutsuki' }, undefined, 'a totals page <sogakutsuki> with title and period');
  }
  if (rows === 0) throw xmlError(opts, { line: 1, column: 1, path: 'hodoxml' }, undefined, 'at least one figure');

  function* areaRow(f: Record<string, string>, pos: XmlPosition): Generator<Observation> {
    const required = LAYOUT['hodoxml/chiikikunisogaku/chiikikunisogakuinfo']!;
    for (const k of required) if (f[k] === undefined) fail(pos, undefined, `an element <${k}> in every <chiikikunisogakuinfo>`);
    const kbn = f.chiikikunikbn!.trim();
    const name = f.chiikikuni!.trim();
    let partner: string;
    if (kbn === '0') partner = 'WORLD';
    else if (kbn === '1') partner = `mof:${REGIONS[name] ?? name}`;
    else if (kbn === '2') partner = partnerFromMofPressAbbr(name);
    else return fail({ ...pos, path: `${pos.path}/chiikikunikbn` }, kbn, 'chiikikunikbn 0 (total), 1 (region) or 2 (country)');
    yield* flowFigures('export', partner, name, f.exportkagakue, f.exportnobiritsu, pos, `pg2 ${name} exports`);
    yield* flowFigures('import', partner, name, f.importkagakue, f.importnobiritsu, pos, `pg2 ${name} imports`);
    yield* flowFigures('balance', partner, name, f.sashihikikagakue, f.sashihikinobiritsu, pos, `pg2 ${name} balance`);
  }

  function* commodityRow(f: Record<string, string>, pos: XmlPosition): Generator<Observation> {
    const t = table!;
    for (const k of ['shuyoshohin', 'shuyoshohinbunrui', 'kagaku']) if (f[k] === undefined) fail(pos, undefined, `an element <${k}> in every <shuyochiikikunihininfo>`);
    const label = f.shuyoshohin!.trim();
    const level = f.shuyoshohinbunrui!.trim();
    if (!['0', '1', '2'].includes(level)) fail({ ...pos, path: `${pos.path}/shuyoshohinbunrui` }, level, 'shuyoshohinbunrui 0 (total), 1 (section) or 2 (item)');
    if (label === '') fail({ ...pos, path: `${pos.path}/shuyoshohin` }, f.shuyoshohin, 'a commodity name');
    const isTotal = level === '0';
    let code = 'TOTAL';
    if (!isTotal) {
      const n = (t.labels.get(label) ?? 0) + 1;
      t.labels.set(label, n);
      code = n === 1 ? label : `${label}#${n}`;
    }
    const base = {
      partner: t.partner, partnerSourceCode: t.partnerCode, flow: t.flow,
      classification: isTotal ? 'total' : 'mof_pc_label', commodityCode: code, commodityLabel: label,
    };
    const put = function* (measure: Measure, value: string | null, unit: string, raw: string | undefined, sourceUnit: string): Generator<Observation> {
      if (value === null) return;
      yield* emit({ ...base, measure, value, unit, sourceValue: raw!.trim(), sourceUnit }, pos);
    };
    const v = money(f.kagaku, pos, `${label} value`);
    yield* put('value', v === null ? null : scaleDecimal(v, 6), 'JPY', f.kagaku, 'million yen');
    yield* put('share_pct', percent(f.koseihi, pos, `${label} share`), 'PCT', f.koseihi, '%');
    yield* put('value_growth_pct', percent(f.kagakunobiritsu, pos, `${label} value growth`), 'PCT', f.kagakunobiritsu, '%');
    yield* put('contribution_pt', percent(f.zogenkiyodo, pos, `${label} contribution`), 'PT', f.zogenkiyodo, 'percentage points');
    const unit = pressUnit(f.tani ?? '');
    if (unit === undefined) fail({ ...pos, path: `${pos.path}/tani` }, f.tani, 'a unit code: blank, NO, TNO, MNO, KG, MT, TMT, KL, TKL or GT');
    const q = money(f.suryo, pos, `${label} quantity`);
    if (q !== null) {
      if (!unit) fail({ ...pos, path: `${pos.path}/suryo` }, f.suryo, 'no quantity where the unit <tani> is blank');
      yield* put('quantity', scaleDecimal(q, unit!.power), unit!.unit, f.suryo, unit!.source);
    }
    if (unit) yield* put('quantity_growth_pct', percent(f.suryonobiritsu, pos, `${label} quantity growth`), 'PCT', f.suryonobiritsu, '%');
  }
}

/**
 * Partner id of a principal-commodity page's area ('USA', 'EU', 'WORLD').
 * @example areaPartner('WORLD') === 'WORLD'; areaPartner('EU') === 'mof:(EU)'
 */
export function areaPartner(area: string): string {
  const a = area.trim();
  if (a === 'WORLD') return 'WORLD';
  const region = REGIONS[a];
  return region ? `mof:${region}` : partnerFromMofPressAbbr(a);
}

export const pressDataset: Dataset = {
  ...MOF_PRESS,
  discover: discoverPress,
  parse: parsePress,
};
