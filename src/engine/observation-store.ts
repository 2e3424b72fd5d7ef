/**
 * The merge SQL of the lean trade store (sql/050_lean_observation_store.sql): staged text rows
 * (`_stage`, the columns of tradeTarget) are resolved to small integer keys — series, attribute
 * set, period code — and compared with the current rows of the dataset's partition of
 * trade.observation_fact on those integers; only new and changed observations are written.
 *
 * Steps of a merge, in order (each a statement below): datasetId, scopeId, createStage + COPY of
 * StageEncoder lines → newSeries, newAttrs → lids (`_lid`: local ids to series and attributes,
 * with their fingerprints) → diffSeries (`_diff`: series whose fingerprint is not the stored
 * one of the scope; the others are left out from here on) → keyed (`_k`: one narrow row per
 * staged observation of those series) → duplicates → compared (`_cmp`) → changes (`_chg`:
 * only the rows that need a write, vanished ones included) → closeChanged → closeVanished
 * (current rows of the scope the release no longer carries) → rescope → insert →
 * dropVanishedFingerprints, saveFingerprints. A first load skips the comparison: firstInsert,
 * saveFirstFingerprints. (sql/080_series_fingerprint.sql)
 *
 * A revision on PGlite compares each series with its stored fingerprint before staging it
 * (StageEncoder's `known`): a series whose lines match is left out of `_stage` altogether and
 * passed to `_cmp` (so that it is not taken for vanished); when that cannot be trusted —
 * the series turns up again, the fingerprint is another scope's, the release is late — the
 * release is staged again in full (load-release.ts).
 */

import type { Observation } from '../core/vocabulary.js';
import { isDecimal } from '../parse/numbers.js';
import { periodFits, tradeTarget } from './targets.js';
import { csvField } from '../db/connect.js';

/** Columns of the fact table a load writes (inserts here, RawPlan.firstInsert, the bench's \\copy yardstick). */
export const FACT_COLUMNS = 'series_id, period, attr_id, scope_id, valid_from_release, valid_to_release, dataset_id, value, source_value';

const SEP = '\x1f';
const NUL = '\x1e';
const CONTROL = /[\x1e\x1f]/;

/**
 * Columns of the trade staging table, in COPY order. Two kinds of row: an observation (lid,
 * period, value, source_value) and a definition (lid, skey, akey, and the fingerprint of the
 * lid's observations: fp1, fp2, the sums of two hashes of period, value and unit, over fpn
 * observations). `_stage` is partitioned on the kind, so that what reads only the few
 * definitions does not scan the observations (storeSql.createStage).
 */
export const STAGE_COLUMNS = ['lid', 'period', 'value', 'source_value', 'skey', 'akey', 'fp1', 'fp2', 'fpn'] as const;

/** The fields of an observation that make its series and attribute keys (all but period, frequency, value, source value). */
type KeyFields = Pick<Observation, 'reporter' | 'partner' | 'flow' | 'classification' | 'commodityCode' | 'measure' | 'partnerSourceCode' | 'commodityLabel' | 'unit' | 'sourceUnit' | 'basis'>;

function sameKeys(a: KeyFields, b: KeyFields): boolean {
  // Mostly the very same strings (one parsed row gives several observations): pointer compares.
  return a.commodityCode === b.commodityCode && a.partner === b.partner && a.measure === b.measure && a.unit === b.unit
    && a.partnerSourceCode === b.partnerSourceCode && a.flow === b.flow && a.reporter === b.reporter && a.classification === b.classification
    && a.commodityLabel === b.commodityLabel && a.sourceUnit === b.sourceUnit && a.basis === b.basis;
}

/**
 * A local id (`lid` as written, `id` as a number) and the fingerprint of its observations so far.
 * `known`: the entry (KnownSeries) of its series' stored fingerprint, which the lid is compared
 * with when it leaves (a revision on PGlite); its observation lines wait in HeldLines until then.
 */
interface Lid { lid: string; id: number; h1: number; h2: number; n: number; known?: number }

/**
 * The stored fingerprints of a dataset's series (etl.series_fingerprint) by series key, for a
 * revision's StageEncoder: per entry the series, the scope its fingerprint is of, the sums, and
 * the encoder's `state` — FRESH (not met yet in this release), HELD (one lid's lines held back),
 * SENT (staged as usual), SKIPPED (its lines left out: they are exactly its current rows). In
 * typed arrays, not an object per series (100,000 series: about 9 MB).
 */
export class KnownSeries {
  private readonly index = new Map<string, number>();
  series = new Int32Array(1024);
  scope = new Int32Array(1024);
  h1 = new Float64Array(1024);
  h2 = new Float64Array(1024);
  n = new Int32Array(1024);
  state = new Uint8Array(1024);
  size = 0;

  /** Adds a series' stored fingerprint (sums below 2^53, exact as numbers). */
  add(key: string, series: number, scope: number, h1: number, h2: number, n: number): void {
    const i = this.size++;
    if (i === this.series.length) {
      [this.series, this.scope, this.n] = [grown(this.series), grown(this.scope), grown(this.n)];
      [this.h1, this.h2, this.state] = [grown(this.h1), grown(this.h2), grown(this.state)];
    }
    this.series[i] = series;
    this.scope[i] = scope;
    this.h1[i] = h1;
    this.h2[i] = h2;
    this.n[i] = n;
    this.state[i] = FRESH;
    this.index.set(key, i);
  }

  /** The entry of a series key, or -1. */
  find(key: string): number {
    return this.index.get(key) ?? -1;
  }
}
const FRESH = 0;
const HELD = 1;
const SENT = 2;
const SKIPPED = 3;

/**
 * A series left out of the staging turned up again further on: what was left out is not all of
 * it, and the release must be staged again without leaving anything out (the loader does).
 */
export class RestageNeeded extends Error {}

/** Bytes of held observation lines after which the encoder lets every lid go (bounded memory). */
const HELD_BYTES = 4 * 1024 * 1024;

/**
 * Observation lines held back, as UTF-8 bytes outside V8's heap with the lid each belongs to.
 * Held as strings until their lid left, the lines of a Census revision at 0.1 outlived the young
 * generation and garbage collection took 0.59 instead of 0.23 s.
 */
class HeldLines {
  private buf = Buffer.allocUnsafe(256 * 1024);
  private ends = new Int32Array(16 * 1024);
  /** The local id of each held line (numbers, not the lids themselves: nothing for the collector to trace). */
  private owners = new Int32Array(16 * 1024);
  private lines = 0;
  bytes = 0;

  add(line: string, owner: number): void {
    if (this.bytes + line.length * 3 > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.bytes + line.length * 3));
      this.buf.copy(bigger, 0, 0, this.bytes);
      this.buf = bigger;
    }
    this.bytes += this.buf.write(line, this.bytes);
    const i = this.lines++;
    if (i === this.ends.length) {
      this.ends = grown(this.ends);
      this.owners = grown(this.owners);
    }
    this.ends[i] = this.bytes;
    this.owners[i] = owner;
  }

  /** The held lines of the local ids in `send`, in the order they came; then nothing is held. */
  take(send: ReadonlySet<number>): string {
    let s = '';
    let from = 0;
    for (let i = 0; i < this.lines; i++) {
      const end = this.ends[i]!;
      if (send.has(this.owners[i]!)) s += this.buf.toString('utf8', from, end);
      from = end;
    }
    this.lines = 0;
    this.bytes = 0;
    return s;
  }
}

/** A typed array of twice the length, with `a`'s elements first. */
function grown<T extends Int32Array<ArrayBuffer> | Float64Array<ArrayBuffer> | Uint8Array<ArrayBuffer>>(a: T): T {
  const more = new (a.constructor as new (n: number) => T)(a.length * 2);
  more.set(a as never);
  return more;
}
/** A key set recently met, as its fields: compared before the keys are joined. */
interface Recent { keys: KeyFields; r: Lid }

/** Local ids the encoder keeps (their keys, for the definition line written when they leave). */
const LIDS = 4096;
/** Key sets compared field by field before the lookup by joined keys: a MOF row's three series, with room for the next row's. */
const RECENT = 8;

/**
 * Encodes trade observations straight into COPY text of the staging table (STAGE_COLUMNS, CSV).
 * An observation line carries a small local id (lid) instead of its two long keys (the series
 * key and the attribute key), and the lid's one definition line — its keys and the fingerprint
 * of all its observations — follows once the lid is done with: when the encoder makes room for
 * new ones (it keeps LIDS of them, so memory stays bounded) or at the end. Consecutive
 * observations mostly share their keys (a MOF row gives up to 39 observations of three series),
 * so the last few key sets are compared field by field first; only a new key set is checked and
 * joined into its two keys. Periods are checked and coded once each.
 *
 * One definition per lid, fingerprint included, is what the merge reads (`_lid`): a series'
 * fingerprint is the sum over its lids (a series met again after its lid left gets another), so
 * the comparison never aggregates over the observations. Before, the definition went ahead of
 * the first observation and the fingerprint came in parts of its own; `_sfp` summed the parts
 * from the whole staging table (0.09 s of a 2 s Census revision at 0.1, docs/performance.md).
 */
export class StageEncoder {
  private readonly lids = new Map<string, Lid>();
  private readonly held = new HeldLines();
  /** Entries of `known` whose lines were left out (their one lid matched the stored fingerprint). */
  readonly skipped: number[] = [];
  private readonly recent: Recent[] = [];
  private slot = 0;
  private next = 0;
  private readonly periods = new Map<string, Map<string, string>>();
  /** Observations encoded (definition lines are not observations). */
  observations = 0;

  /**
   * `known`: the stored fingerprints of the dataset's series by series key (a revision). A
   * series met for the first time has its lid's lines held back; when the lid leaves, a
   * fingerprint equal to the stored one means the lines are exactly the series' current rows,
   * and neither they nor the definition are written (`skipped`). Met again after that, the
   * series was not all there: RestageNeeded is thrown.
   */
  constructor(private readonly known?: KnownSeries) {}

  /** The COPY line(s) of one observation, or null when it is malformed (reason() says why). */
  line(o: Observation): string | null {
    let r: Lid | undefined;
    let pre = '';
    for (let i = 0; i < this.recent.length; i++) {
      if (sameKeys(this.recent[i]!.keys, o)) { r = this.recent[i]!.r; break; }
    }
    if (r === undefined) {
      const staged = stageObservation(o);
      if (typeof staged === 'string') return null;
      // The two keys as the CSV fields of the definition line name the lid: made now, csvField's
      // test flattens the joined keys, which lets go of the strings they were joined from —
      // slices of a whole chunk of the file, which 4,096 held keys would keep alive.
      const fields = `${csvField(staged[0])},${csvField(staged[1])}`;
      r = this.lids.get(fields);
      if (r === undefined) {
        if (this.lids.size >= LIDS) pre = this.flush();
        r = { lid: String(++this.next), id: this.next, h1: 0, h2: 0, n: 0 };
        const known = this.known;
        const k = known ? known.find(staged[0] as string) : -1;
        if (k >= 0) {
          const state = known!.state[k];
          if (state === SKIPPED) throw new RestageNeeded(`series ${known!.series[k]} given again after its lines were left out`);
          // A second lid of a series (another attribute set) while the first is held: both are sent.
          if (state === HELD) known!.state[k] = SENT;
          else if (state === FRESH) { known!.state[k] = HELD; r.known = k; }
        }
        this.lids.set(fields, r);
      }
      const recent = { keys: o, r };
      if (this.recent.length < RECENT) this.recent.push(recent);
      else { this.recent[this.slot] = recent; this.slot = (this.slot + 1) % RECENT; }
    }
    // Per frequency, then period: no key string made per observation.
    let codes = this.periods.get(o.frequency);
    if (codes === undefined) this.periods.set(o.frequency, codes = new Map());
    let code = codes.get(o.period);
    if (code === undefined) {
      if (!periodFits(o.frequency, o.period)) return null;
      if (codes.size >= 10_000) codes.clear();
      code = String(periodCode(o.frequency, o.period));
      codes.set(o.period, code);
    }
    const value = o.value;
    if (typeof value !== 'string' || !isDecimal(value)) return null;
    // What the merge compares (value and unit, per period), hashed; sums are order-independent.
    addFingerprint(r, code, value, o.unit);
    this.observations++;
    // A source value that is the decimal itself needs no CSV quoting check (isDecimal above).
    const source = o.sourceValue === value ? value : csvField(o.sourceValue);
    const line = `${r.lid},${code},${value},${source},,,,,\n`;
    let out = pre;
    if (r.known !== undefined) this.held.add(line, r.id);
    else out += line;
    // Sums stay exact below 2^21 observations per lid (definitionLine): a longer run gets a new lid.
    return ++r.n >= 1 << 20 || this.held.bytes >= HELD_BYTES ? out + this.flush() : out;
  }

  /** The definition lines still held, after the last observation. */
  end(): string {
    return this.flush();
  }

  /** The definition lines of every lid held; the next observation of any key set starts a new lid. */
  private flush(): string {
    let s = '';
    const send = new Set<number>();
    for (const [fields, r] of this.lids) {
      const k = r.known;
      if (k !== undefined) {
        const known = this.known!;
        if (known.state[k] === HELD && r.n === known.n[k] && r.h1 === known.h1[k] && r.h2 === known.h2[k]) {
          known.state[k] = SKIPPED;
          this.skipped.push(k);
          continue;
        }
        if (known.state[k] === HELD) known.state[k] = SENT;
        send.add(r.id);
      }
      s += definitionLine(fields, r);
    }
    if (this.held.bytes) s = this.held.take(send) + s;
    this.lids.clear();
    this.recent.length = 0;
    this.slot = 0;
    return s;
  }

  /** Why line(o) refused an observation. */
  reason(o: Observation): string {
    const staged = stageObservation(o);
    return typeof staged === 'string' ? staged : 'a well-formed observation';
  }
}

/** A lid's definition: its keys (as CSV fields) and fingerprint (sums stay exact: 2^32 × 2^21 observations < 2^53). */
function definitionLine(fields: string, r: Lid): string {
  return r.n === 0 ? '' : `${r.lid},,,,${fields},${r.h1},${r.h2},${r.n}\n`;
}

/**
 * A 32-bit hash (FNV-1a style with the given multiplier), finished with murmur3's fmix32 so that
 * similar strings get unrelated hashes: summed without it, plain FNV hashes of a month and its
 * year revised by the same amount cancelled (found by the benchmark's revised file, 12 of 6,777
 * changes missed); with it, no such cancellation in millions of tries. The definition of a
 * fingerprint part: addFingerprint computes the same without building the string.
 * @example hash32(`${periodCode}\x1f${value}\x1f${unit}`, 0x811c9dc5, 0x01000193)
 */
export function hash32(s: string, seed: number, multiplier: number): number {
  let h = seed;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), multiplier);
  return fmix32(h);
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Adds an observation to its series' fingerprint: hash32 of `code␟value␟unit` with both seeds,
 * in one pass over the three strings. The hot loop of a per-observation load built that string
 * and walked it twice (a string, and its flattening, per observation).
 */
function addFingerprint(r: Lid, code: string, value: string, unit: string): void {
  let a = 0x811c9dc5;
  let b = 0x5bd1e995;
  for (let i = 0; i < code.length; i++) { const c = code.charCodeAt(i); a = Math.imul(a ^ c, 0x01000193); b = Math.imul(b ^ c, 0x27d4eb2d); }
  a = Math.imul(a ^ 0x1f, 0x01000193); b = Math.imul(b ^ 0x1f, 0x27d4eb2d);
  for (let i = 0; i < value.length; i++) { const c = value.charCodeAt(i); a = Math.imul(a ^ c, 0x01000193); b = Math.imul(b ^ c, 0x27d4eb2d); }
  a = Math.imul(a ^ 0x1f, 0x01000193); b = Math.imul(b ^ 0x1f, 0x27d4eb2d);
  for (let i = 0; i < unit.length; i++) { const c = unit.charCodeAt(i); a = Math.imul(a ^ c, 0x01000193); b = Math.imul(b ^ c, 0x27d4eb2d); }
  r.h1 += fmix32(a);
  r.h2 += fmix32(b);
}

/** trade.period_code in TypeScript: the same int code for a frequency and a period already checked by periodFits. */
export function periodCode(frequency: string, period: string): number {
  const digits = (s: string) => Number(s.replace(/-/g, ''));
  switch (frequency) {
    case 'M': return 100_000_000 + digits(period);
    case 'A': return 200_000_000 + Number(period);
    case 'FY': return 300_000_000 + Number(period.slice(2));
    case 'H': return 400_000_000 + Number(period.slice(0, 4)) * 10 + Number(period.slice(5));
    case 'YTD': return 500_000_000 + digits(period);
    case 'D': return 600_000_000 + digits(period);
    case 'MTD': return 700_000_000 + digits(period);
    default: throw new Error(`no period code for frequency ${frequency}`);
  }
}

/**
 * A row of tradeTarget.toCopy (keys then attrs) as the staging row of the lean store: the series
 * key and the attribute key (trade.series_key / trade.attribute_key: fields joined by chr(31),
 * NULL as chr(30)), the period code, the value and the source's wording. Or why it cannot be
 * stored: a code or label containing one of the two separators.
 */
export function stageRow(v: readonly (string | null)[]): (string | null)[] | string {
  const [reporter, partner, flow, period, frequency, classification, code, measure, psc, label, value, unit, sourceValue, sourceUnit, basis] = v;
  for (const f of [reporter, partner, flow, classification, code, measure, psc, label, unit, sourceUnit, basis]) {
    if (f !== null && f !== undefined && CONTROL.test(f)) return 'codes and labels without the control characters U+001E and U+001F';
  }
  const skey = `${reporter}${SEP}${partner}${SEP}${flow}${SEP}${classification}${SEP}${code}${SEP}${measure}`;
  const akey = `${psc}${SEP}${label ?? NUL}${SEP}${unit}${SEP}${sourceUnit ?? NUL}${SEP}${basis ?? NUL}`;
  return [skey, akey, String(periodCode(frequency!, period!)), value!, sourceValue ?? null];
}

/**
 * An observation as its staging row (stageRow of tradeTarget.toCopy: series key, attribute key,
 * period code, value, source value), or why it cannot be staged.
 * @example const staged = stageObservation(o); if (typeof staged !== 'string') skey = staged[0];
 */
export function stageObservation(o: Observation): (string | null)[] | string {
  const copied = tradeTarget.toCopy(o);
  return typeof copied === 'string' ? copied : stageRow(copied);
}

/** A period code back in words, for messages: 2024-01 (M). */
export function periodInWords(code: number): string {
  const f = ['M', 'A', 'FY', 'H', 'YTD', 'D', 'MTD'][Math.floor(code / 100_000_000) - 1] ?? '?';
  const r = String(code % 100_000_000).padStart(8, '0');
  const p = f === 'M' || f === 'YTD' ? `${r.slice(2, 6)}-${r.slice(6)}` : f === 'D' || f === 'MTD' ? `${r.slice(0, 4)}-${r.slice(4, 6)}-${r.slice(6)}`
    : f === 'H' ? `${r.slice(3, 7)}H${r.slice(7)}` : f === 'FY' ? `FY${r.slice(4)}` : r.slice(4);
  return `${p} (${f})`;
}


/**
 * A release staged from its raw rows instead of one COPY line per observation (Dataset.stageRaw):
 * the parser validates every field in Node and sends the rows as they are — one line per file
 * row — into the temporary table `_raw`; the database unpivots them (LATERAL VALUES, in C) into
 * the staging table's definition and observation rows, or for a first load straight into the
 * fact table. A revision unpivots only the series whose fingerprint changed.
 * Used for a fixed wide layout whose rows hold whole series (MOF's HS-9 × country table: one row
 * = a year of three series); what the database then holds is exactly what the per-observation
 * path gives (tests/engine/raw-stage.test.ts compares the two).
 */
export interface RawStage {
  /** `CREATE TEMP TABLE _raw (…) ON COMMIT DROP`. */
  createRaw: string;
  /** Columns of `_raw` in COPY order. */
  columns: readonly string[];
  /** COPY text (CSV) of `_raw` in chunks of whole lines; throws the parser's DataError on a bad field. */
  chunks: AsyncIterable<string>;
  /** What to run once the chunks have ended (the coverage of a file may be known only then). */
  plan(): RawPlan;
}

export interface RawPlan {
  /** Observations the raw rows hold (what the per-observation path would have staged). */
  observations: number;
  /**
   * Fills `_stage` with one row per series of the raw rows: local id, series and attribute key,
   * and the series' fingerprint (fp1, fp2, fpn: a hash of everything the merge compares).
   */
  definitions: string;
  /** Observation rows of every raw row into `_stage` (to name a key given twice after a first insert refused it). */
  observationsSql: string;
  /**
   * `_k` (storeSql.keyed's table) straight from the raw rows: of every raw row (a late release),
   * or (changedOnly) only of the series in `_diff` — the unpivot of a revision skips the
   * unchanged series and the staging of their observations altogether.
   */
  keyedSql(changedOnly: boolean): string;
  /** Rows of `_raw` (numbered 0 … rows − 1 in column `rn`). */
  rows: number;
  /**
   * A first load straight from `_raw` through `_lid` into the dataset's partition `part` ($1
   * dataset id, $2 scope id, $3 release) for the raw rows $4 ≤ rn < $5: PGlite runs a statement on our thread and
   * cannot cancel it, so it inserts in slices and a stop signal gets its turn between them.
   */
  firstInsert(part: string): string;
  /** Raw rows per slice of firstInsert on PGlite (about 100,000 observations for the dataset's layout). */
  sliceRows: number;
}

/**
 * The sum of a fingerprint column as bigint, added up in float8: exact, since every sum stays
 * below 2^53 (a part is below 2^32 × 2^20, a series has fewer than 2^21 observations), and
 * unlike sum(bigint), which adds up in numeric, cheap (the aggregate of the fingerprints of 104,000 series:
 * 0.23 → 0.17 s).
 */
const EXACT_SUM = (column: string) => `sum(${column}::float8)::bigint`;

/**
 * Per staged series: its fingerprint (series_id, h1, h2, n), the sum over its local ids. Every
 * definition row carries its lid's fingerprint (StageEncoder; the raw staging's one definition
 * per series), so `_lid` has them all. A series given twice in raw rows sums two, which then
 * match nothing.
 */
const STAGED_FINGERPRINT_ROWS = `SELECT l.series_id, ${EXACT_SUM('l.fp1')} AS h1, ${EXACT_SUM('l.fp2')} AS h2, ${EXACT_SUM('l.fpn')} AS n
    FROM _lid l GROUP BY l.series_id`;

/** A fingerprint written for a series replaces the one it had. */
const UPSERT_FINGERPRINT = 'ON CONFLICT (series_id) DO UPDATE SET scope_id = EXCLUDED.scope_id, h1 = EXCLUDED.h1, h2 = EXCLUDED.h2, n = EXCLUDED.n';

/** The definitions (`_stage_def s`) of the local ids whose `column` lids(true) left NULL. */
const MISSING = (column: 'series_id' | 'attr_id') => `_lid l JOIN _stage_def s ON s.lid = l.lid AND l.${column} IS NULL`;

/**
 * In `_chg`: the stored row's unit is not the staged one. The same attribute set has the same
 * unit, so the set is looked up only when the ids differ (labels changed, or the unit): a join
 * with the whole dimension hashed all of it (a Census revision at full size: 391,000 sets,
 * 0.23 s) for the few rows whose attribute set changed.
 */
const UNIT_CHANGED = `(f.attr_id <> k.attr_id AND (SELECT fa.unit FROM trade.attribute_set fa WHERE fa.id = f.attr_id) <> k.unit)`;

/** A value or unit change makes a new vintage; labels ride along (as before the lean store). */
const CHANGED = (cur: string, k: string) => `(${cur}.value <> ${k}.value OR ${cur}.unit <> ${k}.unit)`;

/** Name of a dataset's partition, as etl.trade_dataset_id creates it. */
export function partitionOf(dataset: string): string {
  return `trade.observation_fact_${dataset.toLowerCase().replace(/[^a-z0-9]+/g, '_')}`;
}

export const storeSql = {
  /** $1 dataset name → its small id (creates the dataset's partition on first use). */
  datasetId: `SELECT etl.trade_dataset_id($1) AS id`,
  /** $1 dataset id, $2 scope key → scope id. */
  scopeId: `WITH i AS (INSERT INTO trade.scope (dataset_id, scope_key) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING id)
    SELECT id FROM i UNION ALL SELECT id FROM trade.scope WHERE dataset_id = $1 AND scope_key = $2`,
  /** Is anything of the dataset current? ($1 dataset id) */
  anyCurrent: `SELECT EXISTS (SELECT 1 FROM trade.observation_fact WHERE dataset_id = $1 AND valid_to_release IS NULL) AS any`,
  /**
   * The staging table, partitioned on the kind of row (STAGE_COLUMNS): observations into
   * `_stage_obs`, definitions into `_stage_def`. One COPY fills both; the merge reads each
   * partition by name (a Census revision at 0.1: 40,000 definitions among 323,000 rows, read
   * three times before).
   */
  createStage: [
    'CREATE TEMP TABLE _stage (lid integer, period integer, value numeric, source_value text, skey text, akey text, fp1 bigint, fp2 bigint, fpn integer) PARTITION BY LIST ((skey IS NULL)) ON COMMIT DROP',
    'CREATE TEMP TABLE _stage_obs PARTITION OF _stage FOR VALUES IN (true)',
    'CREATE TEMP TABLE _stage_def PARTITION OF _stage FOR VALUES IN (false)',
  ],
  /**
   * Series of the staged rows not known yet ($1 dataset id); the key's fields are the columns.
   * Numbered in the order the file gives them, so the staged rows arrive at the partition's
   * index in nearly ascending (series_id, period) order (measured: the 2× first insert
   * 2.9–3.3 → 2.5–2.6 s). No ON CONFLICT: series belong to one dataset, whose loads the dataset
   * lock serializes, and NOT EXISTS leaves out the known ones; the speculative insertion it
   * costs was 0.3 s of 1.3 s for 104,000 series. (A write through trade.observation_history
   * racing a load could make the load fail on the unique key, never load it twice.)
   */
  newSeries: (missing = false) => `INSERT INTO trade.series (dataset_id, reporter, partner, flow, classification, commodity_code, measure, key)
    SELECT $1::smallint, split_part(n.k, chr(31), 1), split_part(n.k, chr(31), 2), split_part(n.k, chr(31), 3),
           split_part(n.k, chr(31), 4), split_part(n.k, chr(31), 5), split_part(n.k, chr(31), 6), n.k
    FROM (SELECT s.skey AS k FROM ${missing ? MISSING('series_id') : '_stage_def s'}
          WHERE NOT EXISTS (SELECT 1 FROM trade.series x WHERE x.dataset_id = $1 AND x.key = s.skey)
          GROUP BY s.skey ORDER BY min(s.lid)) n`,
  /**
   * Attribute sets of the staged rows not known yet. They are shared by all datasets, so on a
   * server another dataset's load may create the same set meanwhile: ON CONFLICT DO NOTHING
   * (`shared`). PGlite has one session, which one process holds (the data directory's lock), so
   * nothing else can: without the speculative insertion, 40,000 new sets took 0.51–0.56 instead
   * of 0.69–0.79 s there (a Census first load at 0.1).
   */
  newAttrs: (missing = false, shared = true) => `INSERT INTO trade.attribute_set (partner_source_code, commodity_label, unit, source_unit, basis, key)
    SELECT split_part(n.k, chr(31), 1), nullif(split_part(n.k, chr(31), 2), chr(30)), split_part(n.k, chr(31), 3),
           nullif(split_part(n.k, chr(31), 4), chr(30)), nullif(split_part(n.k, chr(31), 5), chr(30)), n.k
    FROM (SELECT DISTINCT s.akey AS k FROM ${missing ? MISSING('attr_id') : '_stage_def s'}
          WHERE s.akey IS NOT NULL AND NOT EXISTS (SELECT 1 FROM trade.attribute_set a WHERE a.key = s.akey)) n
    ${shared ? 'ON CONFLICT DO NOTHING' : ''}`,
  /**
   * `_lid`: each local id of the staging table resolved to its series and attribute set ($1
   * dataset id). `known`: for a release into a dataset that has current rows, resolved before
   * anything is created, so that the usual case — every series and attribute set known — costs
   * one join of the definitions instead of a probe of each (newSeries, newAttrs) and then the
   * join (a 1 % revision at full size: 1.3 s of 31 s). Series or attribute sets not known yet are
   * NULL then: missingLids counts them, newSeries(true) / newAttrs(true) create them, fillSeries
   * / fillAttrs resolve them.
   */
  lids: (known = false) => `CREATE TEMP TABLE _lid ON COMMIT DROP AS
    SELECT s.lid, x.id AS series_id, a.id AS attr_id, a.unit, s.fp1, s.fp2, s.fpn
    FROM _stage_def s
    ${known ? 'LEFT ' : ''}JOIN trade.series x ON x.dataset_id = $1 AND x.key = s.skey
    ${known ? 'LEFT ' : ''}JOIN trade.attribute_set a ON a.key = s.akey`,
  /** Local ids of `_lid` whose series (series) or attribute set (attrs) is not known yet, of all (n). */
  missingLids: `SELECT count(*) FILTER (WHERE series_id IS NULL)::int AS series, count(*) FILTER (WHERE attr_id IS NULL)::int AS attrs,
    count(*)::int AS n FROM _lid`,
  /** The series just created, into `_lid` ($1 dataset id). */
  fillSeries: `UPDATE _lid l SET series_id = x.id FROM _stage_def s JOIN trade.series x ON x.dataset_id = $1 AND x.key = s.skey
    WHERE l.series_id IS NULL AND s.lid = l.lid`,
  /** The attribute sets just created, into `_lid`. */
  fillAttrs: `UPDATE _lid l SET attr_id = a.id, unit = a.unit FROM _stage_def s JOIN trade.attribute_set a ON a.key = s.akey
    WHERE l.attr_id IS NULL AND s.lid = l.lid`,
  /**
   * A key the staging table holds twice, named in words (after a first insert refused it), the
   * first by series id and period; with the key as staged (`_skey`, `_code`) to find its lines.
   */
  stageDuplicates: `SELECT x.reporter, x.partner, x.flow, trade.period_text(d.period) AS period, trade.period_frequency(d.period) AS frequency,
           x.classification, x.commodity_code, x.measure, x.key AS _skey, d.period AS _code
    FROM (SELECT l.series_id, s.period FROM _stage_obs s JOIN _lid l ON l.lid = s.lid
          GROUP BY l.series_id, s.period HAVING count(*) > 1 ORDER BY 1, 2 LIMIT 1) d
    JOIN trade.series x ON x.id = d.series_id`,
  /** A first load: every staged row straight into the partition `part` ($1 dataset id, $2 scope id, $3 release). */
  firstInsert: (part: string) => `INSERT INTO ${part} (${FACT_COLUMNS})
    SELECT l.series_id, s.period, l.attr_id, $2, $3, NULL, $1, s.value, s.source_value
    FROM _stage_obs s JOIN _lid l ON l.lid = s.lid`,
  /** `_k`: the staged observations on integer keys. */
  keyed: `CREATE TEMP TABLE _k ON COMMIT DROP AS
    SELECT l.series_id, s.period, l.attr_id, l.unit, s.value, s.source_value
    FROM _stage_obs s JOIN _lid l ON l.lid = s.lid
    WHERE EXISTS (SELECT 1 FROM _diff d WHERE d.series_id = l.series_id)`,
  /**
   * Are the statistics of the partition $1 stale once $2 more rows arrived: never analyzed, or
   * the new rows a tenth of those it had (autovacuum's analyze_scale_factor, per load: the
   * cumulative counters do not help here, since a load's ANALYZE runs before its own changes
   * are counted).
   */
  statsStale: `SELECT c.reltuples < 0 OR $2 >= 0.1 * c.reltuples AS stale FROM pg_class c WHERE c.oid = $1::regclass`,
  /**
   * `_diff`: the staged series the merge compares row by row, with their fingerprints
   * (STAGED_FINGERPRINT_ROWS) — those whose fingerprint is not the stored one of this scope ($1
   * scope id). Any other staged series' current rows are exactly its staged ones, so the merge
   * leaves it out. A late release compares everything (`all`). The few that differ, not the many
   * that match: every later step joins this small table instead of anti-joining a large one (a
   * Census revision at full size: 28,000 of 407,000 series; `_sfp` of all of them and `_same`
   * of 380,000 took 1.5 s before, their anti-joins in `_k` and saveFingerprints 0.7 s).
   */
  diffSeries: (all: boolean) => `CREATE TEMP TABLE _diff ON COMMIT DROP AS
    SELECT f.series_id, f.h1, f.h2, f.n FROM (${STAGED_FINGERPRINT_ROWS}) f
    ${all ? '' : `WHERE NOT EXISTS (SELECT 1 FROM etl.series_fingerprint p
      WHERE p.series_id = f.series_id AND p.scope_id = $1 AND p.h1 = f.h1 AND p.h2 = f.h2 AND p.n = f.n)`}`,
  /**
   * After a first load: the fingerprints of the staged series (STAGED_FINGERPRINT_ROWS),
   * without a `_diff` table (nothing to compare in a first load).
   * `raw`: straight from `_lid`, one row per series once the first insert has refused a key
   * given twice, so no aggregate (a tenth-size MOF file: 104,000 series); StageEncoder may give
   * a series several lids, with observations of different periods.
   * $1 scope id.
   */
  saveFirstFingerprints: (raw: boolean) => `INSERT INTO etl.series_fingerprint (series_id, scope_id, h1, h2, n)
    SELECT f.series_id, $1, f.h1, f.h2, f.n
    FROM (${raw ? 'SELECT series_id, fp1 AS h1, fp2 AS h2, fpn AS n FROM _lid' : STAGED_FINGERPRINT_ROWS}) f
    ${UPSERT_FINGERPRINT}`,
  /** After a merge: the compared series' current rows in this scope are the staged ones ($1 scope id). */
  saveFingerprints: `INSERT INTO etl.series_fingerprint (series_id, scope_id, h1, h2, n)
    SELECT d.series_id, $1, d.h1, d.h2, d.n FROM _diff d
    ${UPSERT_FINGERPRINT}`,
  /** Series this merge closed entirely (not staged): their fingerprints no longer hold. */
  dropVanishedFingerprints: `DELETE FROM etl.series_fingerprint p USING _cmp m
    WHERE NOT m.staged AND p.series_id = m.series_id AND EXISTS (SELECT 1 FROM _chg c WHERE c.series_id = m.series_id AND c.kind = 'v')`,
  /** A late release rewrites history of its series (`_diff`: all it stages): their fingerprints are dropped (recomputed by the next merge). */
  dropStagedFingerprints: `DELETE FROM etl.series_fingerprint p USING _diff d WHERE p.series_id = d.series_id`,
  /**
   * A key given twice, named in words: the first by series id and period, so the message does not
   * depend on the plan; with the key as staged (`_skey`, `_code`) to find its lines.
   */
  duplicates: `SELECT x.reporter, x.partner, x.flow, trade.period_text(d.period) AS period, trade.period_frequency(d.period) AS frequency,
           x.classification, x.commodity_code, x.measure, d.n, x.key AS _skey, d.period AS _code
    FROM (SELECT series_id, period, count(*)::int AS n FROM _k GROUP BY series_id, period HAVING count(*) > 1 ORDER BY 1, 2 LIMIT 1) d
    JOIN trade.series x ON x.id = d.series_id`,
  /**
   * `_cmp`: the series whose current rows the merge compares — the staged ones in `_diff`
   * (staged), and the dataset's series the release does not stage at all (any current row of
   * theirs in this scope has vanished). Found on the dimension, so that `_chg` reads only these
   * series' rows through the partition's index instead of every current row (a 1 % revision at
   * full size: 4.1 s of 35 s). $1 dataset id. `seen`: $2 the series StageEncoder left out, which
   * the release carries without staging them (an array parameter: a table of them, COPYed and
   * analyzed, took 0.04 s of a Census revision at 0.1).
   */
  compared: (seen: boolean) => `CREATE TEMP TABLE _cmp ON COMMIT DROP AS
    SELECT series_id, true AS staged FROM _diff
    UNION ALL
    SELECT x.id, false FROM trade.series x WHERE x.dataset_id = $1 AND NOT EXISTS (SELECT 1 FROM _lid l WHERE l.series_id = x.id)
      ${seen ? 'AND x.id <> ALL ($2::integer[])' : ''}`,
  /**
   * The stored fingerprints of a dataset's series, by series key ($1 dataset id): what a
   * revision's StageEncoder compares each series with before it stages its lines (PGlite). One
   * text, `series,scope,h1,h2,n,key` per series, separated by chr(30), which no key holds
   * (stageRow): PGlite turned 40,000 rows into objects in 0.30–0.35 s, this in 0.05 s.
   */
  knownFingerprints: `SELECT string_agg(concat_ws(',', p.series_id, p.scope_id, p.h1, p.h2, p.n, x.key), chr(30)) AS known
    FROM etl.series_fingerprint p JOIN trade.series x ON x.id = p.series_id WHERE x.dataset_id = $1`,
  /** The series of a dataset ($1 dataset id), counted up to $2. */
  countSeries: `SELECT count(*)::int AS n FROM (SELECT 1 FROM trade.series WHERE dataset_id = $1 LIMIT $2) s`,
  /**
   * `_chg`: every row that needs a write, from one full join of the staged observations with the
   * current rows of the series in `_cmp` — new (n), changed (c), same value in another scope (s),
   * and current rows of this release's scope that the release no longer carries (v). $1 dataset
   * id, $2 scope id.
   */
  changes: `CREATE TEMP TABLE _chg ON COMMIT DROP AS
    SELECT coalesce(k.series_id, f.series_id) AS series_id, coalesce(k.period, f.period) AS period, k.attr_id, k.value, k.source_value,
           CASE WHEN k.series_id IS NULL THEN 'v' WHEN f.series_id IS NULL THEN 'n'
                WHEN f.value <> k.value OR ${UNIT_CHANGED} THEN 'c' ELSE 's' END AS kind
    FROM _k k
    FULL JOIN (SELECT f.series_id, f.period, f.value, f.attr_id, f.scope_id FROM _cmp c
               -- Per series through the index (OFFSET 0 keeps it a lateral probe: as a plain join the
               -- planner took every current row for a match and merge-joined the whole index).
               CROSS JOIN LATERAL (SELECT * FROM trade.observation_fact f
                 WHERE f.series_id = c.series_id AND f.dataset_id = $1 AND f.valid_to_release IS NULL OFFSET 0) f) f
      ON f.series_id = k.series_id AND f.period = k.period
    WHERE (k.series_id IS NULL AND f.scope_id = $2)
       OR (k.series_id IS NOT NULL AND (f.series_id IS NULL OR f.value <> k.value OR ${UNIT_CHANGED} OR f.scope_id <> $2))`,
  /** Close current rows whose value changed ($1 dataset id, $2 release). */
  closeChanged: `UPDATE trade.observation_fact f SET valid_to_release = $2 FROM _chg c
    WHERE f.dataset_id = $1 AND f.valid_to_release IS NULL AND f.series_id = c.series_id AND f.period = c.period AND c.kind = 'c'`,
  /**
   * Are `_chg`'s rows few next to the current rows of the partition $1 (a twentieth): then the
   * closing and re-scoping UPDATEs probe the partition's index row by row (nested loops) rather
   * than scan it. A partition never analyzed (reltuples < 0) gives false: the planner decides.
   */
  fewChanges: `SELECT (SELECT count(*) FROM _chg) * 20 < c.reltuples AS few FROM pg_class c WHERE c.oid = $1::regclass`,
  /** Close current rows of the release's scope that the release no longer carries: `_chg` kind v ($1 dataset id, $2 release). */
  closeVanished: `UPDATE trade.observation_fact f SET valid_to_release = $2 FROM _chg c
    WHERE f.dataset_id = $1 AND f.valid_to_release IS NULL AND f.series_id = c.series_id AND f.period = c.period AND c.kind = 'v'`,
  /** How many current rows of the scope the release would close as vanished. */
  vanished: `SELECT count(*)::int AS n FROM _chg WHERE kind = 'v'`,
  /** Unchanged current rows carried by this release move to its scope ($1 dataset id, $2 scope id). */
  rescope: `UPDATE trade.observation_fact f SET scope_id = $2 FROM _chg c
    WHERE f.dataset_id = $1 AND f.valid_to_release IS NULL AND f.series_id = c.series_id AND f.period = c.period AND c.kind = 's'`,
  /** New and changed observations into the partition `part` ($1 dataset id, $2 scope id, $3 release). */
  insert: (part: string) => `INSERT INTO ${part} (${FACT_COLUMNS})
    SELECT c.series_id, c.period, c.attr_id, $2, $3, NULL, $1, c.value, c.source_value FROM _chg c WHERE c.kind IN ('n', 'c')`,
};

/**
 * The late merge on the lean store (see lateMergeSql in targets.ts for the rules): `_at` holds,
 * for each key the late release carries, the row that was valid at its publication date.
 * Parameters — at: $1 dataset id, $2 the late release's publication date; close: $1 dataset id,
 * $2 late release; insertLate: $1 dataset id, $2 scope id, $3 late release, $4 next release of
 * the scope, $5 its publication date; insertResumed: $1 dataset id, $2 next release, $3 its
 * publication date.
 */
export const storeLateSql = {
  at: `CREATE TEMP TABLE _at ON COMMIT DROP AS
    SELECT f.series_id, f.period, f.valid_from_release, f.valid_to_release AS old_to, tr.published_on AS old_to_pub,
           f.attr_id, f.scope_id, f.value, f.source_value, fa.unit
    FROM trade.observation_fact f
    JOIN etl.release fr ON fr.id = f.valid_from_release
    LEFT JOIN etl.release tr ON tr.id = f.valid_to_release
    JOIN trade.attribute_set fa ON fa.id = f.attr_id
    WHERE f.dataset_id = $1 AND fr.published_on <= $2::date AND (f.valid_to_release IS NULL OR tr.published_on > $2::date)
      AND EXISTS (SELECT 1 FROM _k k WHERE k.series_id = f.series_id AND k.period = f.period)`,
  close: `UPDATE trade.observation_fact f SET valid_to_release = $2 FROM _at a, _k k
    WHERE f.dataset_id = $1 AND f.series_id = a.series_id AND f.period = a.period AND f.valid_from_release = a.valid_from_release
      AND k.series_id = a.series_id AND k.period = a.period AND ${CHANGED('a', 'k')}`,
  insertLate: (part: string) => `INSERT INTO ${part} (${FACT_COLUMNS})
    SELECT k.series_id, k.period, k.attr_id, $2, $3,
           CASE WHEN a.old_to IS NOT NULL AND a.old_to_pub <= $5::date THEN a.old_to ELSE $4 END, $1, k.value, k.source_value
    FROM _k k LEFT JOIN _at a ON a.series_id = k.series_id AND a.period = k.period
    WHERE a.series_id IS NULL OR ${CHANGED('a', 'k')}`,
  insertResumed: (part: string) => `INSERT INTO ${part} (${FACT_COLUMNS})
    SELECT a.series_id, a.period, a.attr_id, a.scope_id, $2, a.old_to, $1, a.value, a.source_value
    FROM _at a JOIN _k k ON k.series_id = a.series_id AND k.period = a.period
    WHERE ${CHANGED('a', 'k')} AND (a.old_to IS NULL OR a.old_to_pub > $3::date) AND a.old_to IS DISTINCT FROM $2`,
};
