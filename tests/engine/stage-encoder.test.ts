/**
 * StageEncoder writes the staging table's COPY text directly; it must say exactly what the
 * general path (tradeTarget.toCopy → stageRow) says — every observation once, under a lid whose
 * one definition line carries its keys and the fingerprint of its observations — and refuse the
 * same observations with the same reasons.
 */
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { tradeTarget } from '../../src/engine/targets.js';
import { hash32, KnownSeries, periodCode, RestageNeeded, StageEncoder, stageRow, STAGE_COLUMNS } from '../../src/engine/observation-store.js';
import type { Observation } from '../../src/core/vocabulary.js';

const base: Observation = {
  reporter: 'JP', partner: 'US', partnerSourceCode: '304', flow: 'export', period: '2024-01', frequency: 'M', classification: 'hs9',
  commodityCode: '870323929', commodityLabel: null, measure: 'value', value: '1000', unit: 'JPY', sourceValue: '1', sourceUnit: 'thousand yen', basis: 'FOB',
};

/** The encoder's COPY text as rows of STAGE_COLUMNS (CSV: an empty field is NULL, "" an empty string). */
function stageRows(text: string): Record<string, string | null>[] {
  const rows = Papa.parse<string[]>(text.replace(/\n$/, ''), { delimiter: ',', newline: '\n', quoteChar: '"' }).data;
  // papaparse does not tell "" from an empty field: look at the raw line for the one text column that can be empty.
  const lines = text.replace(/\n$/, '').split('\n');
  return rows.map((r, i) => Object.fromEntries(STAGE_COLUMNS.map((c, j) => {
    const v = r[j]!;
    if (v !== '') return [c, v];
    return [c, c === 'source_value' && /^\d+,\d+,[^,]*,"",/.test(lines[i]!) ? '' : null];
  })));
}

/** Each definition's fingerprint, and the observations with their lid's keys, in order. */
function decode(text: string) {
  const rows = stageRows(text);
  const defs = new Map<string, { skey: string; akey: string; fp: number[] }>();
  for (const r of rows.filter((x) => x.skey !== null)) {
    expect(defs.has(r.lid!), `lid ${r.lid} defined once`).toBe(false);
    defs.set(r.lid!, { skey: r.skey!, akey: r.akey!, fp: [Number(r.fp1), Number(r.fp2), Number(r.fpn)] });
  }
  const obs = rows.filter((x) => x.skey === null).map((r) => {
    const d = defs.get(r.lid!);
    expect(d, `lid ${r.lid} has a definition`).toBeDefined();
    return { lid: r.lid!, row: [d!.skey, d!.akey, r.period, r.value, r.source_value] };
  });
  return { defs, obs };
}

/** A series' fingerprint: the sum over its lids' definitions. */
function fingerprint(text: string): number[] {
  return [...decode(text).defs.values()].reduce((a, d) => a.map((v, i) => v + d.fp[i]!), [0, 0, 0]);
}

describe('StageEncoder', () => {
  it('writes every observation as toCopy + stageRow say, under lids defined once with their keys and fingerprints', () => {
    const obs: Observation[] = [];
    for (const partner of ['US', 'CN']) {
      for (let m = 1; m <= 12; m++) {
        const period = `2024-${String(m).padStart(2, '0')}`;
        obs.push({ ...base, partner, period, measure: 'quantity', unit: 'NO', value: String(m), sourceValue: String(m), sourceUnit: 'NO' });
        obs.push({ ...base, partner, period, value: `${m}000`, sourceValue: m === 3 ? '"3",0' : String(m) });
      }
      obs.push({ ...base, partner, period: '2024', frequency: 'A', value: '78000', sourceValue: null, commodityLabel: 'Cars, "new"' });
    }
    obs.push({ ...base, sourceValue: '' });
    const enc = new StageEncoder();
    const text = obs.map((o) => enc.line(o)).join('') + enc.end();
    const { defs, obs: staged } = decode(text);
    expect(staged.map((x) => x.row)).toEqual(obs.map((o) => stageRow(tradeTarget.toCopy(o) as string[])));
    expect(enc.observations).toBe(obs.length);
    // Six key sets (two partners × quantity, value, value with a label), the last observation's
    // the first one's again: six lids.
    expect(defs.size).toBe(6);
    // Each definition's fingerprint is that of exactly its lid's observations.
    for (const [lid, d] of defs) {
      const mine = obs.filter((_, i) => staged[i]!.lid === lid).map((o) => `${periodCode(o.frequency, o.period)}\x1f${o.value}\x1f${o.unit}`);
      expect(d.fp).toEqual([mine.reduce((s, x) => s + hash32(x, 0x811c9dc5, 0x01000193), 0), mine.reduce((s, x) => s + hash32(x, 0x5bd1e995, 0x27d4eb2d), 0), mine.length]);
    }
  });

  it('keeps a lid for a key set met again after others, and starts new lids when it makes room (bounded memory)', () => {
    const enc = new StageEncoder();
    const partners = Array.from({ length: 5000 }, (_, i) => `P${i}`);
    // Twelve months of 5,000 series, month by month: each series comes back after 4,999 others.
    const obs: Observation[] = Array.from({ length: 12 }, (_, m) => partners.map((partner) => ({ ...base, partner, period: `2024-${String(m + 1).padStart(2, '0')}`, value: String(m) }))).flat();
    // And two daily series between the first month's: in use whenever the encoder makes room.
    const day = (i: number) => new Date(Date.UTC(2010, 0, 1 + i)).toISOString().slice(0, 10);
    for (let i = partners.length - 1; i >= 0; i--) {
      obs.splice(i + 1, 0, ...['D1', 'D2'].map((partner) => ({ ...base, partner, frequency: 'D' as const, period: day(i), value: String(i) })));
    }
    let text = '';
    for (const o of obs) text += enc.line(o);
    text += enc.end();
    const { defs, obs: staged } = decode(text);
    expect(staged.map((x) => x.row)).toEqual(obs.map((o) => stageRow(tradeTarget.toCopy(o) as string[])));
    // More lids than series (the encoder holds 4,096), and each series' fingerprint summed over
    // its lids is that of all its observations.
    expect(defs.size).toBeGreaterThan(5000);
    const bySeries = new Map<string, number[]>();
    for (const d of defs.values()) bySeries.set(d.skey, (bySeries.get(d.skey) ?? [0, 0, 0]).map((v, i) => v + d.fp[i]!));
    expect(bySeries.size).toBe(5002);
    const one = (p: string) => { const e = new StageEncoder(); return fingerprint(obs.filter((o) => o.partner === p).map((o) => e.line(o)).join('') + e.end()); };
    for (const p of ['P0', 'P4095', 'P4999', 'D1', 'D2']) expect(bySeries.get(`JP\x1f${p}\x1fexport\x1fhs9\x1f870323929\x1fvalue`)).toEqual(one(p));
  });

  it('gives a series the same fingerprint whatever the order of its observations, and another one when a value or unit changes', () => {
    const fp = (obs: Observation[]) => {
      const enc = new StageEncoder();
      return fingerprint(obs.map((o) => enc.line(o)).join('') + enc.end());
    };
    const months = Array.from({ length: 12 }, (_, i) => ({ ...base, period: `2024-${String(i + 1).padStart(2, '0')}`, value: `${i + 1}000` }));
    expect(fp([...months].reverse())).toEqual(fp(months));
    expect(fp(months.map((o, i) => (i === 5 ? { ...o, value: '6001' } : o)))).not.toEqual(fp(months));
    expect(fp(months.map((o, i) => (i === 5 ? { ...o, unit: 'USD' } : o)))).not.toEqual(fp(months));
    expect(fp(months.slice(1))).not.toEqual(fp(months));
    // Found by the benchmark's revised file: a month and the year revised by the same amount
    // (7511 → 7515, 38990 → 38994). With plain FNV hashes summed, the two changes cancelled.
    const series = [{ ...base, period: '2024-02', value: '7511' }, { ...base, period: '2024', frequency: 'A' as const, value: '38990' }];
    expect(fp([{ ...series[0]!, value: '7515' }, { ...series[1]!, value: '38994' }])).not.toEqual(fp(series));
    // The same pattern at random (a seeded generator): each revision changes the fingerprint.
    let seed = 16;
    const rnd = (n: number) => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed % n; };
    for (let i = 0; i < 3000; i++) {
      const [a, b, d, m] = [rnd(100_000), rnd(1_000_000), 1 + rnd(9), 1 + rnd(12)];
      const pair = (x: number, y: number) => [{ ...base, period: `2024-${String(m).padStart(2, '0')}`, value: String(x) }, { ...base, period: '2024', frequency: 'A' as const, value: String(y) }];
      expect(fp(pair(a + d, b + d))).not.toEqual(fp(pair(a, b)));
    }
  });

  it('keeps the fingerprint of databases loaded before: per observation, hash32 of "period code␟value␟unit" with both seeds', () => {
    // etl.series_fingerprint holds sums written by earlier versions; another hash would make
    // every series of the next revision look changed (correct, but a full row-by-row compare).
    const obs = [
      { ...base, value: '1000' }, { ...base, period: '2024-02', value: '-12.5' }, { ...base, period: '2024', frequency: 'A' as const, value: '0' },
      { ...base, period: '2024-03', value: '98765432109876543210.0001', unit: 'JPY' },
    ];
    const enc = new StageEncoder();
    const text = obs.map((o) => enc.line(o)).join('') + enc.end();
    const part = fingerprint(text);
    const strings = obs.map((o) => `${periodCode(o.frequency, o.period)}\x1f${o.value}\x1f${o.unit}`);
    expect(part).toEqual([
      strings.reduce((s, x) => s + hash32(x, 0x811c9dc5, 0x01000193), 0),
      strings.reduce((s, x) => s + hash32(x, 0x5bd1e995, 0x27d4eb2d), 0),
      obs.length,
    ]);
    // The reference values themselves, computed by the string-building code this replaced.
    expect(hash32('100202401\x1f1000\x1fJPY', 0x811c9dc5, 0x01000193)).toBe(1214461334);
  });

  describe('a revision, against the stored fingerprints (known)', () => {
    const months = (partner: string, values: (m: number) => string) => Array.from({ length: 12 }, (_, i) => ({ ...base, partner, period: `2024-${String(i + 1).padStart(2, '0')}`, value: values(i) }));
    const skeyOf = (o: Observation) => stageRow(tradeTarget.toCopy(o) as string[])[0] as string;
    /** Staged rows in a fixed order: held lines go out when their lid leaves, not where they came. */
    const sorted = (rows: unknown[][]) => rows.map((r) => JSON.stringify(r)).sort();
    const staged = (obs: Observation[]) => sorted(obs.map((o) => stageRow(tradeTarget.toCopy(o) as string[]) as unknown[]));
    /** What a first load of `obs` stores: each series' fingerprint, as the database gives it back (series ids from 100). */
    const stored = (obs: Observation[]): KnownSeries => {
      const enc = new StageEncoder();
      const { defs } = decode(obs.map((o) => enc.line(o)).join('') + enc.end());
      const sums = new Map<string, number[]>();
      for (const d of defs.values()) sums.set(d.skey, (sums.get(d.skey) ?? [0, 0, 0]).map((v, i) => v + d.fp[i]!));
      const known = new KnownSeries();
      let series = 100;
      for (const [key, [h1, h2, n]] of sums) known.add(key, series++, 7, h1!, h2!, n!);
      return known;
    };
    /** The series ids of the entries the encoder left out. */
    const skippedSeries = (enc: StageEncoder, known: KnownSeries) => enc.skipped.map((k) => known.series[k]);
    const seriesOf = (known: KnownSeries, o: Observation) => known.series[known.find(skeyOf(o))];

    it('leaves out the lines and the definition of a series whose lines match, and sends a changed or new one in full', () => {
      const before = [...months('US', (m) => `${m}000`), ...months('CN', (m) => `${m}5`)];
      const known = stored(before);
      const now = [...months('US', (m) => `${m}000`), ...months('CN', (m) => (m === 4 ? '99' : `${m}5`)), ...months('DE', (m) => String(m))];
      const enc = new StageEncoder(known);
      const text = now.map((o) => enc.line(o)).join('') + enc.end();
      const { defs, obs } = decode(text);
      // US is left out; CN (one month revised) and DE (new) are staged as without `known`.
      expect(skippedSeries(enc, known)).toEqual([seriesOf(known, now[0]!)]);
      expect(sorted(obs.map((x) => x.row))).toEqual(staged(now.slice(12)));
      expect([...defs.values()].map((d) => d.skey.split('\x1f')[1])).toEqual(['CN', 'DE']);
      expect(fingerprint(text)).toEqual(fingerprint((() => { const e = new StageEncoder(); return now.slice(12).map((o) => e.line(o)).join('') + e.end(); })()));
      expect(enc.observations).toBe(now.length);
    });

    it('sends a series with fewer or more observations than stored, and one split over two attribute sets', () => {
      const before = [...months('US', (m) => `${m}000`), ...months('CN', (m) => `${m}5`), ...months('KR', (m) => `${m}7`)];
      const known = stored(before);
      const now = [...months('US', (m) => `${m}000`).slice(0, 11), ...months('CN', (m) => `${m}5`),
        { ...base, partner: 'CN', period: '2025-01', value: '1' }, ...months('KR', (m) => `${m}7`).map((o, i) => (i === 3 ? { ...o, commodityLabel: 'Cars' } : o))];
      const enc = new StageEncoder(known);
      const { obs } = decode(now.map((o) => enc.line(o)).join('') + enc.end());
      expect(enc.skipped).toEqual([]);
      expect(sorted(obs.map((x) => x.row))).toEqual(staged(now));
    });

    it('says the release must be staged again when a series left out turns up again (its lines were not all there)', () => {
      // The first 12 months of US match what is stored; 4,096 other series make the encoder let
      // US's lid go (left out); then a thirteenth observation of US.
      const us = months('US', (m) => `${m}000`);
      const others = Array.from({ length: 4100 }, (_, i) => ({ ...base, partner: `P${i}`, value: String(i) }));
      const known = stored([...us, ...others]);
      const enc = new StageEncoder(known);
      let text = '';
      for (const o of [...us, ...others]) text += enc.line(o);
      expect(skippedSeries(enc, known)).toContain(seriesOf(known, us[0]!));
      expect(() => enc.line({ ...us[0]!, period: '2025-01' })).toThrow(RestageNeeded);
    });
  });

  it('refuses what toCopy and stageRow refuse, with their reasons', () => {
    const enc = new StageEncoder();
    expect(enc.line(base)).not.toBeNull();
    for (const bad of [{ ...base, period: '2024-13' }, { ...base, value: '1e3' }, { ...base, flow: 'transit' as never }, { ...base, commodityLabel: 'a\u001fb' }, { ...base, unit: '' }]) {
      expect(enc.line(bad)).toBeNull();
      const c = tradeTarget.toCopy(bad);
      expect(enc.reason(bad)).toBe(typeof c === 'string' ? c : stageRow(c));
    }
    expect(enc.observations).toBe(1);
  });
});
