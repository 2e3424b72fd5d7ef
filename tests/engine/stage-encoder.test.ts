/**
 * StageEncoder writes the staging table's COPY text directly; it must say exactly what the
 * general path (tradeTarget.toCopy → stageRow → StageDictionary → csvLine) says, and refuse
 * the same observations with the same reasons.
 */
import { describe, expect, it } from 'vitest';
import { csvLine } from '../../src/db/connect.js';
import { tradeTarget } from '../../src/engine/targets.js';
import { StageDictionary, StageEncoder, stageRow } from '../../src/engine/observation-store.js';
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
    const text = obs.map((o) => enc.line(o)).join('');
    expect(text).toBe(general(obs));
    expect(enc.observations).toBe(obs.length);
    expect(text.split('\n').filter((l) => /^\d+,,,,/.test(l))).toHaveLength(6);
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
