import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/core/errors.js';
import { pressDataset } from '../../../pipelines/mof/press.js';
import { one, parseError, runParser } from './run-parser.js';

describe('mof.press — December 2024 provisional (real file)', async () => {
  const { rows, facts } = await runParser(pressDataset, 'press/2024124e.xml');

  it('reads title, stage, period and release date from pg1', () => {
    expect(facts).toMatchObject({
      scopeKey: 'M:2024-12', stage: 'preliminary', sourceStage: 'Provisional', publishedOn: '2025-01-23',
      title: 'Value of Exports and Imports December 2024 (Provisional)',
    });
    expect(new Set(rows.map((r) => `${r.period}/${r.frequency}`))).toEqual(new Set(['2024-12/M']));
  });

  it('emits the pg1 totals exactly, in yen, with source value and unit kept', () => {
    const exp = one(rows, { partner: 'WORLD', flow: 'export', classification: 'total', measure: 'value' });
    expect(exp).toMatchObject({ value: '9910603000000', unit: 'JPY', sourceValue: '9,910,603', sourceUnit: 'million yen', basis: 'FOB', reporter: 'JP', commodityCode: 'TOTAL' });
    expect(one(rows, { partner: 'WORLD', flow: 'import', classification: 'total', measure: 'value' })).toMatchObject({ value: '9779667000000', basis: 'CIF' });
    expect(one(rows, { partner: 'WORLD', flow: 'balance', classification: 'total', measure: 'value' }).value).toBe('130936000000');
    expect(one(rows, { partner: 'WORLD', flow: 'export', classification: 'total', measure: 'value_growth_pct' }).value).toBe('2.8');
  });

  it('maps pg2 areas: countries to ISO, regions to mof:<ABBR>, negative balances', () => {
    expect(one(rows, { partner: 'CN', flow: 'balance', measure: 'value', classification: 'total' })).toMatchObject({ value: '-429323000000', sourceValue: '-429,323', partnerSourceCode: 'CHINA' });
    expect(one(rows, { partner: 'mof:ASIA', flow: 'export', measure: 'value', classification: 'total' }).value).toBe('5178899000000');
    expect(rows.some((r) => r.partner === 'mof:(ASEAN)')).toBe(true);
    expect(rows.some((r) => r.partner === 'mof:C&E EURO')).toBe(true);
  });

  it('reads the USA principal-commodity page with labels as codes and explicit units', () => {
    const base = { partner: 'US', flow: 'export' as const, classification: 'mof_pc_label' };
    expect(one(rows, { ...base, commodityCode: 'MOTOR VEHICLES', measure: 'value' }).value).toBe('616767000000');
    expect(one(rows, { ...base, commodityCode: 'MOTOR VEHICLES', measure: 'quantity' })).toMatchObject({ value: '140906', unit: 'NO', sourceUnit: 'NO' });
    expect(one(rows, { ...base, commodityCode: '(CAR)', measure: 'share_pct' }).value).toBe('29.9');
    expect(one(rows, { ...base, commodityCode: '(BUS&TRUCK)', measure: 'quantity' }).value).toBe('1336');
    expect(one(rows, { ...base, commodityCode: 'PARTS OF MOTOR VEHICLES', measure: 'quantity' })).toMatchObject({ value: '51065', unit: 'MT' });
    expect(one(rows, { ...base, commodityCode: 'COMPUTERS AND UNITS', measure: 'quantity' })).toMatchObject({ value: '80000', unit: 'NO', sourceValue: '80', sourceUnit: 'TNO' });
    expect(one(rows, { ...base, commodityCode: '(IC)', measure: 'quantity' })).toMatchObject({ value: '183000000', unit: 'NO', sourceUnit: 'MNO' });
    expect(one(rows, { ...base, commodityCode: 'IRON AND STEEL PRODUCTS', measure: 'quantity' })).toMatchObject({ value: '97000', unit: 'MT', sourceUnit: 'TMT' });
    expect(one(rows, { ...base, commodityCode: 'MOTOR VEHICLES', measure: 'contribution_pt' })).toMatchObject({ value: '-2.2', unit: 'PT' });
    // Imports from the USA come from pg13, a different flow.
    expect(one(rows, { partner: 'US', flow: 'import', classification: 'mof_pc_label', commodityCode: 'MOTOR VEHICLES', measure: 'value' }).value).toBe('9154000000');
  });

  it('skips "-", ZENGEN/ZENZO and "*" growth markers instead of inventing numbers', () => {
    // pg12 (exports to Russia): MINERAL FUELS value '-' and growth ZENGEN; contribution -4.4 is real.
    const fuels = rows.filter((r) => r.partner === 'RU' && r.flow === 'export' && r.commodityCode === '3 MINERAL FUELS');
    expect(fuels.map((r) => r.measure).sort()).toEqual(['contribution_pt']);
    // pg16 (imports from China): (PETROLEUM SPIRITS) growth '*477' is not stored; its value is.
    const spirits = rows.filter((r) => r.partner === 'CN' && r.flow === 'import' && r.commodityCode === '(PETROLEUM SPIRITS)');
    expect(spirits.map((r) => r.measure).sort()).toEqual(['contribution_pt', 'quantity', 'share_pct', 'value']);
    expect(rows.every((r) => /^-?\d+(\.\d+)?$/.test(r.value))).toBe(true);
  });

  it('emits each natural key once (pg1 = pg2 Grand Total = pg3 Grand Total)', () => {
    const keys = rows.map((r) => [r.partner, r.flow, r.classification, r.commodityCode, r.measure].join('|'));
    expect(new Set(keys).size).toBe(keys.length);
    expect(rows.filter((r) => r.partner === 'WORLD' && r.flow === 'export' && r.measure === 'value' && r.classification === 'total')).toHaveLength(1);
  });

  it('keeps level-2 labels trimmed and section labels as written', () => {
    expect(rows.some((r) => r.commodityCode === '1 FOODSTUFF')).toBe(true);
    expect(rows.some((r) => r.commodityCode.startsWith(' ') || r.commodityCode.endsWith(' '))).toBe(false);
  });
});

describe('mof.press — calendar 2024 (constructed), revised, fiscal 2024', async () => {
  const prov = await runParser(pressDataset, 'press/2024_114e.xml');
  const rev = await runParser(pressDataset, 'press/2024_117e.xml');
  const fy = await runParser(pressDataset, 'press/2024_214e.xml');

  it('keys the calendar year as A:2024 and the fiscal year as FY:2024', () => {
    expect(prov.facts).toMatchObject({ scopeKey: 'A:2024', stage: 'preliminary', sourceStage: 'Provisional', publishedOn: '2025-01-23' });
    expect(rev.facts).toMatchObject({ scopeKey: 'A:2024', stage: 'revised', sourceStage: 'Revised' });
    expect(fy.facts).toMatchObject({ scopeKey: 'FY:2024', stage: 'preliminary' });
    expect(new Set(prov.rows.map((r) => `${r.period}/${r.frequency}`))).toEqual(new Set(['2024/A']));
    expect(new Set(fy.rows.map((r) => `${r.period}/${r.frequency}`))).toEqual(new Set(['FY2024/FY']));
  });

  it('carries the published 2024 totals exactly', () => {
    const w = { partner: 'WORLD', classification: 'total', measure: 'value' as const };
    expect(one(prov.rows, { ...w, flow: 'export' }).value).toBe('107091300000000');
    expect(one(prov.rows, { ...w, flow: 'import' }).value).toBe('112423800000000');
    expect(one(prov.rows, { ...w, flow: 'balance' })).toMatchObject({ value: '-5332600000000', sourceValue: '△5,332,600' });
    expect(one(prov.rows, { ...w, flow: 'export', measure: 'value_growth_pct' }).value).toBe('6.2');
    expect(one(rev.rows, { ...w, flow: 'export' }).value).toBe('107097900000000');
    expect(one(fy.rows, { ...w, flow: 'export' }).value).toBe('108934600000000');
  });

  it('carries the US figures: surplus 8,641.8 bn provisional, 8,628.1 bn revised, FY 9,005.3 bn', () => {
    const us = { partner: 'US', classification: 'total', measure: 'value' as const };
    expect(one(prov.rows, { ...us, flow: 'balance' }).value).toBe('8641800000000');
    expect(one(prov.rows, { ...us, flow: 'export', measure: 'value_growth_pct' }).value).toBe('5.1');
    expect(one(prov.rows, { ...us, flow: 'import', measure: 'value_growth_pct' }).value).toBe('9.5');
    expect(one(rev.rows, { ...us, flow: 'balance' }).value).toBe('8628100000000');
    expect(one(rev.rows, { ...us, flow: 'export' }).value).toBe('21294800000000');
    expect(one(rev.rows, { ...us, flow: 'import' }).value).toBe('12666600000000');
    expect(one(fy.rows, { ...us, flow: 'balance' }).value).toBe('9005300000000');
  });

  it('gives motor vehicles 28.3 % and autos + parts 33.8 % of exports to the USA', () => {
    const pc = { partner: 'US', flow: 'export' as const, classification: 'mof_pc_label' };
    expect(one(prov.rows, { ...pc, commodityCode: 'MOTOR VEHICLES', measure: 'share_pct' }).value).toBe('28.3');
    const sum = Number(one(prov.rows, { ...pc, commodityCode: 'MOTOR VEHICLES', measure: 'share_pct' }).value) + Number(one(prov.rows, { ...pc, commodityCode: 'PARTS OF MOTOR VEHICLES', measure: 'share_pct' }).value);
    expect(sum).toBeCloseTo(33.8, 5);
    expect(one(prov.rows, { ...pc, commodityCode: '(CAR)', measure: 'quantity' })).toMatchObject({ value: '1350000', unit: 'NO' });
    // Recompute the share from values: 6,026,800 / 21,296,000 million yen.
    const mv = BigInt(one(prov.rows, { ...pc, commodityCode: 'MOTOR VEHICLES', measure: 'value' }).value);
    const tot = BigInt(one(prov.rows, { partner: 'US', flow: 'export', classification: 'total', measure: 'value' }).value);
    expect(Number((mv * 10000n) / tot) / 100).toBeCloseTo(28.3, 1);
  });

  it('never mixes calendar and fiscal periods', () => {
    expect(prov.rows.some((r) => r.frequency === 'FY')).toBe(false);
    expect(fy.rows.some((r) => r.frequency === 'A' || !r.period.startsWith('FY'))).toBe(false);
  });

  it('refuses a file whose name says fiscal year but whose title says calendar year', async () => {
    const err = await parseError(pressDataset, 'press/2024_114e.xml', { fileName: '2024_214e.xml' });
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toMatch(/2024_214e\.xml.*calendar and fiscal/);
  });

  it('refuses a period other than the one discovery expected', async () => {
    const err = await parseError(pressDataset, 'press/2024_114e.xml', { hints: { period: 'FY2024' } });
    expect(err.message).toMatch(/expected.*FY2024/);
  });
});

describe('mof.press — October 2025 excerpt (real)', async () => {
  const { rows, facts } = await runParser(pressDataset, 'press/2025104e_excerpt.xml', { fileName: '2025104e.xml' });
  it('reads △ balances and the USA page', () => {
    expect(facts.scopeKey).toBe('M:2025-10');
    expect(one(rows, { partner: 'WORLD', flow: 'balance', measure: 'value', classification: 'total' })).toMatchObject({ value: '-231774000000', sourceValue: '△231,774' });
    expect(one(rows, { partner: 'US', flow: 'export', measure: 'value', classification: 'total' }).value).toBe('1754030000000');
    // SHIPS: value '-' (not available) is skipped, not zero.
    expect(rows.filter((r) => r.partner === 'US' && r.commodityCode === 'SHIPS')).toHaveLength(0);
  });
});

describe('mof.press — bad files', () => {
  it.each([
    ['bad/truncated.xml', /truncated\.xml \(line 1, column "char 200001, element <hodoxml\/shuyochiikikunihin\/shuyochiikikunihininfo>"\): found "….+"; expected well-formed XML \(unclosed tag/],
    ['bad/wrong-root.xml', /wrong-root\.xml \(line 1, column "char \d+, element <tradexml>"\): found "<tradexml>"; expected .*<hodoxml>/],
    ['bad/unknown-element.xml', /unknown-element\.xml \(line 1, column "char \d+, element <hodoxml\/chiikikunisogaku\/chiikikunisogakuinfo\/bikou>"\): found "<bikou>".*unknown element layout/],
    ['bad/xxe.xml', /xxe\.xml \(line 1, .*found "<!DOCTYPE hodoxml \[<!ENTITY xxe SYSTEM.*no DOCTYPE with entity declarations/],
    ['bad/entity-bomb.xml', /entity-bomb\.xml \(line 1, .*found "<!DOCTYPE hodoxml \[<!ENTITY lol.*no DOCTYPE with entity declarations/],
    ['bad/undefined-entity.xml', /undefined-entity\.xml \(line 1, column "char \d+, element <hodoxml\/sogakutsuki\/title>"\).*undefined entity/],
    ['bad/html-page.html', /html-page\.html \(line \d+, column "char \d+, element/],
    ['bad/empty.csv', /empty\.csv .*root element/],
  ])('%s → DataError naming file, line, column and element', async (file, pattern) => {
    const err = await parseError(pressDataset, file);
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toMatch(pattern);
  });

  it('does not expand the entity bomb (fails fast, no huge strings)', async () => {
    const t0 = Date.now();
    const err = await parseError(pressDataset, 'bad/entity-bomb.xml');
    expect(err).toBeInstanceOf(DataError);
    expect(err.message.length).toBeLessThan(1000);
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});

describe('mof.press — layout paths without a fixture (synthetic numbers, real element layout)', () => {
  const parseString = async (xml: string, fileName: string) => {
    const facts: Record<string, unknown> = {};
    const rows = [];
    for await (const o of pressDataset.parse({ dataset: 'mof.press', fileName, bytes: xml.length, stream: () => [Buffer.from(xml)] as unknown as AsyncIterable<Uint8Array> }, facts)) rows.push(o);
    return { rows, facts };
  };
  const head = '<?xml version="1.0" encoding="UTF-8" standalone="no"?><?xml-stylesheet href="d1101e.xsl" type="text/xsl"?><hodoxml>';
  const pg1 = (title: string, period: string) => `<sogakutsuki name="pg1"><kohyoymd>January 10, 2025</kohyoymd><title>${title}</title><taishoymtonen>${period}</taishoymtonen><taishoymzennen>x</taishoymzennen><export><sogakutonen>1,000</sogakutonen><sogakuzennen>900</sogakuzennen><nobiritsu>11.1</nobiritsu></export><import><sogakutonen>1,100</sogakutonen><sogakuzennen>1,000</sogakuzennen><nobiritsu>10.0</nobiritsu></import><sashihiki><sogakutonen>△100</sogakutonen><sogakuzennen>△100</sogakuzennen><nobiritsu>0.0</nobiritsu></sashihiki><chushaku>1</chushaku><page>(1)</page></sogakutsuki>`;

  it('keys a first-20-days release as a partial month (MTD, last day covered) that can never collide with the month', async () => {
    const { rows, facts } = await parseString(`${head}${pg1('Value of Exports and Imports December 2024 (First 20 days Provisional)', 'December 2024')}<pdf href="2024122e.pdf"/></hodoxml>`, '2024122e.xml');
    expect(facts).toMatchObject({ scopeKey: 'D20:2024-12', stage: 'preliminary', publishedOn: '2025-01-10' });
    expect(new Set(rows.map((r) => `${r.period}/${r.frequency}`))).toEqual(new Set(['2024-12-20/MTD']));
    expect(rows.find((r) => r.flow === 'balance' && r.measure === 'value')?.value).toBe('-100000000');
  });

  it('makes a label repeated within one table unique in order of appearance (#2)', async () => {
    const info = (name: string, lvl: string, v: string) => `<shuyochiikikunihininfo><shuyoshohin>${name}</shuyoshohin><shuyoshohinbunrui>${lvl}</shuyoshohinbunrui><tani>   </tani><suryo/><suryonobiritsu/><kagaku>${v}</kagaku><koseihi>1.0</koseihi><kagakunobiritsu>1.0</kagakunobiritsu><zogenkiyodo>0.0</zogenkiyodo></shuyochiikikunihininfo>`;
    const xml = `${head}${pg1('Value of Exports and Imports December 2024 (Provisional)', 'December 2024')}<shuyochiikikunihin name="pg3"><title>Exports by Principal Commodity(WORLD)</title><taishokikan>December 2024</taishokikan>${info('1 FOODSTUFF', '1', '10')}${info(' OTHERS', '2', '3')}${info('2 RAW MATERIALS', '1', '20')}${info(' OTHERS', '2', '4')}<page>(3)</page></shuyochiikikunihin></hodoxml>`;
    const { rows } = await parseString(xml, '2024124e.xml');
    expect(rows.filter((r) => r.measure === 'value' && r.commodityLabel === 'OTHERS').map((r) => [r.commodityCode, r.value])).toEqual([['OTHERS', '3000000'], ['OTHERS#2', '4000000']]);
  });

  it('refuses a quantity whose unit is not known', async () => {
    const xml = `${head}${pg1('Value of Exports and Imports December 2024 (Provisional)', 'December 2024')}<shuyochiikikunihin name="pg3"><title>Exports by Principal Commodity(WORLD)</title><shuyochiikikunihininfo><shuyoshohin> X</shuyoshohin><shuyoshohinbunrui>2</shuyoshohinbunrui><tani>ZZZ</tani><suryo>1</suryo><suryonobiritsu/><kagaku>1</kagaku><koseihi>0.0</koseihi><kagakunobiritsu>1.0</kagakunobiritsu><zogenkiyodo>0.0</zogenkiyodo></shuyochiikikunihininfo></shuyochiikikunihin></hodoxml>`;
    await expect(parseString(xml, '2024124e.xml')).rejects.toThrow(/element <hodoxml\/shuyochiikikunihin\/shuyochiikikunihininfo\/tani>"\): found "ZZZ"; expected a unit code/);
  });
});
