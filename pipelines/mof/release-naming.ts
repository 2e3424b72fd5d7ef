/**
 * What a MOF press release is about — its period, kind and revision stage — read from the
 * three places that say it: the file name, the index page's row, and the XML's own title.
 * One module so discovery and the parser agree on every period key.
 */
import type { Frequency, Stage } from '../../src/core/vocabulary.js';

/**
 * Release kinds. `first10`/`first20` are the 10-day and 20-day provisional releases: partial
 * months, keyed so they can never collide with a full month (see pressPeriod).
 */
export type PressKind = 'monthly' | 'first10' | 'first20' | 'calendar' | 'fiscal' | 'half-calendar' | 'half-fiscal';

export interface PressPeriod {
  kind: PressKind;
  year: number;
  /** 1–12 for monthly and partial-month kinds. */
  month?: number;
  /** Observation period: '2024-12', '2024', 'FY2024', '2024H1', 'FY2024H1', '2024-12-10' (MTD: Dec 1–10). */
  period: string;
  frequency: Frequency;
  /** Supersession key: a later stage of the same period gets the same key. */
  scopeKey: string;
  /** Last calendar month the period covers ('YYYY-MM'), used for backfill ranges. */
  lastMonth: string;
}

export interface PressStage {
  stage: Stage;
  /** MOF's own wording. */
  sourceStage: string;
}

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

const pad2 = (n: number): string => String(n).padStart(2, '0');

/**
 * The period key of a release.
 * @example pressPeriod('fiscal', 2024).period === 'FY2024'; pressPeriod('first10', 2024, 12) → { period: '2024-12-10', frequency: 'MTD', scopeKey: 'D10:2024-12' }
 */
export function pressPeriod(kind: PressKind, year: number, month?: number): PressPeriod {
  const m = month ?? 12;
  switch (kind) {
    case 'monthly':
      return { kind, year, month: m, period: `${year}-${pad2(m)}`, frequency: 'M', scopeKey: `M:${year}-${pad2(m)}`, lastMonth: `${year}-${pad2(m)}` };
    case 'first10':
    case 'first20': {
      // A partial month has its own frequency, MTD, keyed by the last day it covers: it can
      // never be read as the month (M) nor as one day (D).
      const days = kind === 'first10' ? 10 : 20;
      return {
        kind, year, month: m, period: `${year}-${pad2(m)}-${days}`, frequency: 'MTD',
        scopeKey: `D${days}:${year}-${pad2(m)}`, lastMonth: `${year}-${pad2(m)}`,
      };
    }
    case 'calendar':
      return { kind, year, period: String(year), frequency: 'A', scopeKey: `A:${year}`, lastMonth: `${year}-12` };
    case 'fiscal':
      return { kind, year, period: `FY${year}`, frequency: 'FY', scopeKey: `FY:${year}`, lastMonth: `${year + 1}-03` };
    case 'half-calendar':
      return { kind, year, period: `${year}H1`, frequency: 'H', scopeKey: `H:${year}H1`, lastMonth: `${year}-06` };
    case 'half-fiscal':
      return { kind, year, period: `FY${year}H1`, frequency: 'H', scopeKey: `H:FY${year}H1`, lastMonth: `${year}-09` };
  }
}

export interface FileNameFacts {
  kind: PressKind;
  year: number;
  month?: number;
  /** Stage implied by the name, when it implies one. */
  stage?: PressStage;
}

/** Stage digit of the current naming scheme (since 2024). 7 stays in place when the figures become Fixed. */
const STAGE_DIGIT: Record<string, PressStage> = {
  '4': { stage: 'preliminary', sourceStage: 'Provisional' },
  '5': { stage: 'preliminary', sourceStage: 'D&P' },
  '6': { stage: 'preliminary', sourceStage: 'Detailed' },
  '7': { stage: 'revised', sourceStage: 'Revised' },
};
const PERIOD_DIGIT: Record<string, PressKind> = { '1': 'calendar', '2': 'fiscal', '3': 'half-calendar', '4': 'half-fiscal' };

/**
 * Reads a press-release file name (English XML), current and pre-2024 schemes.
 * @example pressFileName('2024_117e.xml') → { kind: 'calendar', year: 2024, stage: { stage: 'revised', … } }; pressFileName('2024124e.xml') → { kind: 'monthly', year: 2024, month: 12, … }
 */
export function pressFileName(name: string): FileNameFacts | undefined {
  const base = name.split(/[/?#]/).filter(Boolean).pop() ?? name;
  let m = /^(\d{4})_([1-4])1([4-8])e\.xml$/i.exec(base);
  if (m) return { kind: PERIOD_DIGIT[m[2]!]!, year: Number(m[1]), stage: STAGE_DIGIT[m[3]!] };
  m = /^(\d{4})(\d{2})([1-8])e\.xml$/i.exec(base);
  if (m && Number(m[2]) >= 1 && Number(m[2]) <= 12) {
    const d = m[3]!;
    if (d === '1' || d === '2') {
      return { kind: d === '1' ? 'first10' : 'first20', year: Number(m[1]), month: Number(m[2]), stage: { stage: 'preliminary', sourceStage: 'Provisional' } };
    }
    return { kind: 'monthly', year: Number(m[1]), month: Number(m[2]), stage: STAGE_DIGIT[d] };
  }
  // Pre-2024 scheme: <YYYY><MM><letter>e (a = first 10 days, b = first 20 days, f = fixed) and
  // <YYYY><2|3><5|8><letter>e for calendar (2) / fiscal (3) first half (5) / full year (8).
  m = /^(\d{4})([23])([58])([a-z])e\.xml$/i.exec(base);
  if (m) {
    const cal = m[2] === '2';
    const kind: PressKind = m[3] === '8' ? (cal ? 'calendar' : 'fiscal') : (cal ? 'half-calendar' : 'half-fiscal');
    return { kind, year: Number(m[1]), stage: m[4]!.toLowerCase() === 'f' ? { stage: 'final', sourceStage: 'Fixed' } : undefined };
  }
  m = /^(\d{4})(\d{2})([a-z])e\.xml$/i.exec(base);
  if (m && Number(m[2]) >= 1 && Number(m[2]) <= 12) {
    const l = m[3]!.toLowerCase();
    const kind: PressKind = l === 'a' ? 'first10' : l === 'b' ? 'first20' : 'monthly';
    const stage = l === 'a' || l === 'b' ? { stage: 'preliminary' as const, sourceStage: 'Provisional' } : l === 'f' ? { stage: 'final' as const, sourceStage: 'Fixed' } : undefined;
    return { kind, year: Number(m[1]), month: Number(m[2]), stage };
  }
  return undefined;
}

/**
 * Normalizes MOF's stage wording (title parenthesis or index 'Update date').
 * @example pressStage('Provisional') → { stage: 'preliminary', sourceStage: 'Provisional' }; pressStage('Fixed') → { stage: 'final', … }
 */
export function pressStage(text: string): PressStage | undefined {
  const t = text.toLowerCase();
  // The D&P release names a stage per flow: "Exports:Detailed Data;Imports:Provisional(HS-code Basis)".
  if (/exports?\s*:\s*detailed/.test(t) && /imports?\s*:\s*(9-digit\s*)?prov/.test(t)) return { stage: 'preliminary', sourceStage: 'D&P' };
  if (/\bfixed\b/.test(t)) return { stage: 'final', sourceStage: 'Fixed' };
  if (/\brevised\b/.test(t)) return { stage: 'revised', sourceStage: 'Revised' };
  if (/d&(amp;)?p\b/.test(t) || /9-digit/.test(t)) return { stage: 'preliminary', sourceStage: 'D&P' };
  if (/\bdetailed\b/.test(t)) return { stage: 'preliminary', sourceStage: 'Detailed' };
  if (/\bprov(isional\b|\.|\b)/.test(t)) return { stage: 'preliminary', sourceStage: 'Provisional' };
  return undefined;
}

/**
 * Reads the period of a release from its title and period text (pg1 `title` + `taishoymtonen`,
 * or an index row's 'Survey date'). Accepted: 'December 2024', 'Dec.2024', 'August 2026 (First 10
 * days Provisional)', 'Calendar Year 2024', '2024(Calendar Year(Jan.-Dec.))', 'Fiscal Year 2024',
 * '2024(Fiscal Year(Apr.-Mar.))', '2024(Calendar Year(Jan.-Jun.))', '2024(Fiscal Year(Apr.-Sep.))'.
 * @example pressPeriodFromText('2024(Fiscal Year(Apr.-Mar.))')?.period === 'FY2024'
 */
export function pressPeriodFromText(text: string): PressPeriod | undefined {
  const t = text.replace(/\s+/g, ' ').trim();
  const year = /\b(19|20)\d{2}\b/.exec(t);
  const fy = /fiscal\s*year/i.test(t);
  const cy = /calendar\s*year/i.test(t);
  const firstHalf = /first\s*half|\bH1\b|Jan\.?\s*-\s*Jun|Apr\.?\s*-\s*Sep/i.test(t);
  if (fy && cy) return undefined;
  if ((fy || cy) && year) {
    const y = Number(year[0]);
    if (fy) return pressPeriod(firstHalf ? 'half-fiscal' : 'fiscal', y);
    return pressPeriod(firstHalf ? 'half-calendar' : 'calendar', y);
  }
  const month = new RegExp(`\\b(${MONTHS.map((x) => x.slice(0, 3)).join('|')})[a-z]*\\.?\\s*((?:19|20)\\d{2})\\b`, 'i').exec(t);
  if (!month) return undefined;
  // "January - December 2024" is a span, not a month: refuse rather than read it as December.
  const names = t.match(new RegExp(`\\b(${MONTHS.join('|')}|${MONTHS.map((x) => x.slice(0, 3)).join('|')})\\b`, 'gi')) ?? [];
  if (new Set(names.map((x) => x.toLowerCase().slice(0, 3))).size > 1) return undefined;
  const mm = MONTHS.findIndex((x) => x.startsWith(month[1]!.toLowerCase())) + 1;
  const y = Number(month[2]);
  const partial = /first\s*(10|20)\s*days/i.exec(t);
  if (partial) return pressPeriod(partial[1] === '10' ? 'first10' : 'first20', y, mm);
  return pressPeriod('monthly', y, mm);
}

/**
 * The stage text of a title: its last top-level parenthesised group, nested parentheses kept
 * (`… December 2024 (Exports:Detailed Data;Imports:Provisional(HS-code Basis))` →
 * `Exports:Detailed Data;Imports:Provisional(HS-code Basis)`); '' when the title ends otherwise.
 * @example titleStageText('Value of Exports and Imports December 2024 (Provisional)') === 'Provisional'
 */
export function titleStageText(title: string): string {
  const t = title.trimEnd();
  if (!t.endsWith(')')) return '';
  let depth = 0;
  for (let i = t.length - 1; i >= 0; i--) {
    if (t[i] === ')') depth++;
    else if (t[i] === '(' && --depth === 0) return t.slice(i + 1, -1).trim();
  }
  return '';
}

/**
 * Reads MOF's English release date ('January 23, 2025', 'Jan.23.2025') as an ISO date.
 * @example pressDate('January 23, 2025') === '2025-01-23'
 */
export function pressDate(text: string): string | undefined {
  const m = /^([A-Za-z]+)\.?\s*(\d{1,2}),?\.?\s*(\d{4})$/.exec(text.trim());
  if (!m) return undefined;
  const mm = MONTHS.findIndex((x) => x.startsWith(m[1]!.toLowerCase().slice(0, 3))) + 1;
  const d = Number(m[2]);
  if (mm === 0 || d < 1 || d > 31) return undefined;
  return `${m[3]}-${pad2(mm)}-${pad2(d)}`;
}
