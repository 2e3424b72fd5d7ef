/**
 * StageEncoder writes the staging table's COPY text directly; it must say exactly what the
 * general path (tradeTarget.toCopy → stageRow → StageDictionary → csvLine) says, and refuse
 * the same observations with the same reasons.
 */
import { describe, expect, it } from 'vitest';
import { csvLine } from '../../src/db/connect.js';
import { tradeTarget } from '../../src/engine/targets.js';
import { hash32, periodCode, StageDictionary, StageEncoder, stageRow } from '../../src/engine/observation-store.js';
import type { Observation } from '../../src/core/vocabulary.js';

const base: Observation = {
  reporter: 'JP', partner: 'US', partnerSourceCode: '304', flow: 'export', period: '2024-01', frequency: 'M', classification: 'hs9',
  commodityCode: '870323929', commodityLabel: null, measure: 'value', value: '1000', unit: 'JPY', sourceValue: '1', sourceUnit: 'thousand yen', basis: 'FOB',
};

/** The COPY text of the general path. */
function general(obs: Observation[]): string {
  const dict = new StageDictionary();
  let s = '';
  for (const o of obs) {
    const c = tradeTarget.toCopy(o) as string[];
    for (const r of dict.rows(stageRow(c) as string[])) s += csvLine(r);
  }
  return s;
}

describe('StageEncoder', () => {
  it('writes the same COPY text as toCopy + stageRow + StageDictionary + csvLine, keys defined once', () => {
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
    const lines = text.split('\n').filter((l) => l !== '');
    const fingerprints = lines.filter((l) => /^\d+,,,,,,\d+,\d+,\d+$/.test(l));
    // Without the fingerprint parts and their three columns: the general path's text.
    expect(lines.filter((l) => !fingerprints.includes(l)).map((l) => `${l.replace(/,,,$/, '')}\n`).join('')).toBe(general(obs));
    expect(enc.observations).toBe(obs.length);
    expect(lines.filter((l) => /^\d+,,,,[^,]/.test(l))).toHaveLength(6);
    // Every observation is counted in exactly one fingerprint part.
    expect(fingerprints.reduce((n, l) => n + Number(l.split(',')[8]), 0)).toBe(obs.length);
  });

  it('gives a series the same fingerprint whatever the order of its observations, and another one when a value or unit changes', () => {
    const fp = (obs: Observation[]) => {
      const enc = new StageEncoder();
      const text = obs.map((o) => enc.line(o)).join('') + enc.end();
      const parts = text.split('\n').filter((l) => /^\d+,,,,,,/.test(l)).map((l) => l.split(',').slice(6).map(Number));
      return parts.reduce((a, p) => a.map((v, i) => v + p[i]!), [0, 0, 0]);
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
    const part = text.split('\n').find((l) => /^\d+,,,,,,/.test(l))!.split(',').slice(6).map(Number);
    const strings = obs.map((o) => `${periodCode(o.frequency, o.period)}\x1f${o.value}\x1f${o.unit}`);
    expect(part).toEqual([
      strings.reduce((s, x) => s + hash32(x, 0x811c9dc5, 0x01000193), 0),
      strings.reduce((s, x) => s + hash32(x, 0x5bd1e995, 0x27d4eb2d), 0),
      obs.length,
    ]);
    // The reference values themselves, computed by the string-building code this replaced.
    expect(hash32('100202401\x1f1000\x1fJPY', 0x811c9dc5, 0x01000193)).toBe(1214461334);
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
