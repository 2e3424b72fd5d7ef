import type { Target } from '../engine/targets.js';
import type { RawStage } from '../engine/observation-store.js';

/**
 * Vocabulary (shared with DESIGN.md; keep these words):
 * - source:      a publisher's channel — `mof` (Japan Customs/MOF), `census` (US Census Bureau),
 *                `frb` (Federal Reserve H.10 / FRED), `usitc` (US International Trade Commission).
 * - dataset:     one kind of file from a source, with one parser — `mof.press`, `mof.hs_country`,
 *                `mof.timeseries`, `census.api`, `census.country`, `frb.h10`, `frb.fred`,
 *                `usitc.hts` (the Harmonized Tariff Schedule, one release per revision).
 * - release:     one published file of a dataset, identified by its content (sha256). It has a
 *                scope (what it covers) and a stage (preliminary < revised < final, with the
 *                source's own stage name kept too).
 * - observation: one number from a release — a value or quantity for a natural key.
 * - vintage:     the set of observations as published by one release. A later release of the
 *                same scope supersedes earlier vintages; nothing is deleted.
 * - run:         one invocation (refresh, backfill, load, …) with its outcome.
 *
 * Scope, concretely: every release declares a `scopeKey` (e.g. `CY2024`, `2024-12`,
 * `export:2024:ch87`). When a release is merged, observations of the same dataset and scopeKey
 * that it no longer carries, or carries with another value, are closed (valid_to_release set);
 * observations of other scopes are never touched. Two datasets never share history rows: the
 * dataset is part of every natural key, so the press release's monthly total and the time
 * series' monthly total stay two separately-versioned facts and each metric names its dataset.
 */

/** A source's id: one registered in pipelines/sources.ts (the core never names one). */
export type SourceId = string;

/** Normalized stage, ordered. The source's own wording is kept in `sourceStage`. */
export type Stage = 'preliminary' | 'revised' | 'final';
export const STAGE_ORDER: Record<Stage, number> = { preliminary: 0, revised: 1, final: 2 };

/** Trade flow as seen from the reporter. */
export type Flow = 'export' | 'import' | 'balance';

/**
 * Period frequency. `M` = calendar month (`2024-03`), `A` = calendar year (`2024`),
 * `FY` = Japanese fiscal year April–March (`FY2024`), `H` = half year (`2024H1`),
 * `YTD` = year to date, keyed by the last month it covers (`2024-11` = January–November 2024), `D` = day (`2025-04-21`),
 * `MTD` = part of a month from its first day, keyed by the last day it covers (`2024-01-10` = January 1–10,
 * 2024: MOF's first-10-days and first-20-days releases).
 * Calendar and fiscal years are different frequencies, so they can never be summed together; a
 * partial month is never an `M` row, so no monthly metric can take it for the month.
 */
export type Frequency = 'M' | 'A' | 'FY' | 'H' | 'YTD' | 'D' | 'MTD';

/**
 * One trade observation: a row of `trade.observation_history` without its vintage columns.
 * Natural key: dataset + reporter + partner + flow + period + frequency + classification +
 * commodityCode + measure. All numbers are decimal strings (never JS floats) in base units.
 *
 * Partner convention: ISO 3166 alpha-2 for a country (`US`, `JP`), `WORLD` for the total of all
 * partners, otherwise `<scheme>:<code>` for anything that is not one country — MOF regions
 * (`mof:ASIA`, `mof:EU`, `mof:(ASEAN)`), Census groupings (`census:0003`), or a country code the
 * reference table does not know yet (`mof3:999`). The source's own code is kept in
 * `partnerSourceCode` either way.
 */
export interface Observation {
  reporter: string;            // ISO2 of the reporting country: 'JP' for MOF, 'US' for Census
  partner: string;             // see convention above
  partnerSourceCode: string;   // the code/label exactly as in the file ('304', 'USA', '5880')
  flow: Flow;
  period: string;              // '2024', '2024-03', 'FY2024', '2024H1'
  frequency: Frequency;
  classification: string;      // see CLASSIFICATIONS below
  commodityCode: string;       // text, leading zeros kept; 'TOTAL' for all commodities
  commodityLabel: string | null; // the file's own label, trimmed
  measure: Measure;
  value: string;               // decimal string in `unit`
  unit: string;                // 'JPY', 'USD', 'NO', 'KG', 'MT', 'PCT', 'PT', 'L', 'TNO'…
  sourceValue: string | null;  // the figure exactly as written in the file ('1,754,030', '△231')
  sourceUnit: string | null;   // the file's unit ('million yen', 'thousand yen', '$ millions')
  basis: string | null;        // 'FOB', 'CIF', 'customs', 'fas', 'general imports', …
}

/**
 * Measures. `value` is money; `quantity`/`quantity2` are the physical units of the source
 * (MOF Quantity1/Quantity2); the rest are figures the source itself published
 * (shares and growth rates) and are kept so they can be compared with recomputed ones.
 */
export type Measure =
  | 'value'
  | 'quantity'
  | 'quantity2'
  | 'share_pct'
  | 'value_growth_pct'
  | 'quantity_growth_pct'
  | 'contribution_pt';

/**
 * Classifications used in `Observation.classification`:
 * - `total`            all commodities (commodityCode 'TOTAL')
 * - `mof_pc_export`    MOF principal-commodity codes, export list (70503 motor vehicles…)
 * - `mof_pc_import`    MOF principal-commodity codes, import list (70501 motor vehicles…)
 * - `mof_pc_label`     MOF press-release principal commodity identified by its English label
 *                      (the press XML carries no codes); commodityCode is the normalized label
 * - `hs9`              Japan's 9-digit statistical code (HS6 + 3 national digits)
 * - `hs2`/`hs4`/`hs6`/`hs10`  Harmonized System at that level (Census)
 * - `census_enduse`    Census end-use code (30000 passenger cars, new and used)
 * Census series other than general imports / total exports carry a suffix so that two series of
 * one request never share a key: `:con` imports for consumption, `:air`, `:vessel`,
 * `:containerized` transport modes (e.g. `census_enduse:con`).
 */
export const CLASSIFICATIONS = [
  'total', 'mof_pc_export', 'mof_pc_import', 'mof_pc_label', 'hs9', 'hs2', 'hs4', 'hs6', 'hs10',
  'census_enduse',
] as const;

/** One exchange-rate observation: a row of `fx.rate_history` without its vintage columns. */
export interface FxObservation {
  series: string;     // source series id: 'RXI_N.B.JA', 'DEXJPUS'
  base: string;       // currency one unit of which is priced: 'USD' for yen per dollar
  quote: string;      // currency the rate is expressed in: 'JPY' for yen per dollar
  frequency: 'D' | 'M' | 'A';
  period: string;     // '2025-04-21', '2024-10', '2024'
  rate: string;       // decimal string: quote units per one base unit
}

/** What a parser learns about the release it reads (filled in while parsing). */
export interface ReleaseFacts {
  /** Which part of the dataset this release covers; see the vocabulary block. Required. */
  scopeKey?: string;
  /** Human-readable scope details stored as jsonb (periods, flow, commodity range…). */
  scope?: Record<string, unknown>;
  stage?: Stage;
  sourceStage?: string;        // the source's own wording ('Provisional', '確報', 'revised')
  publishedOn?: string;        // ISO date the publisher released it, when the file says
  title?: string;
  /**
   * The scope is the dataset's whole series (d41ma, country.xlsx: every release repeats all of
   * it), so a release carrying far fewer keys than the current vintage is suspect (a file cut
   * short) and the engine refuses it unless told to allow the shrink.
   */
  wholeSeries?: boolean;
  /** What the parser normalized or skipped, for the person loading it (printed and logged). */
  notices?: string[];
}

/** Where a release's bytes come from, as handed to a parser. */
export interface ReleaseInput {
  dataset: string;
  /** The original file name or URL, used in every error message. */
  fileName: string;
  /** The raw bytes as a stream (already stored in the raw store). */
  stream: () => NodeJS.ReadableStream | AsyncIterable<Uint8Array>;
  /** Total size in bytes. */
  bytes: number;
  /** Hints from discovery (expected scope/stage/period), when the release was discovered. */
  hints?: Record<string, unknown>;
  /**
   * Asked for by the loader's second reading of a file that gave a key twice (only then, to name
   * the lines): a parser that can keeps it at the line (and row) its observations come from, and
   * yields a row's observations before it reads the next row. Parsers that do not, leave it alone.
   */
  position?: SourcePosition;
}

/** Where in a file the observations being yielded come from (ReleaseInput.position). */
export interface SourcePosition { line?: number; row?: number }

/** A release a dataset's discovery found: where it is and what it is expected to hold. */
export interface DiscoveredRelease {
  url: string;
  /** File name to show in messages and to keep with the raw bytes. */
  fileName: string;
  hints?: Record<string, unknown>;
  /** For backfill/refresh listings: a short label ('2024-12 provisional'). */
  label: string;
  /** Period the release is about, for backfill ranges ('2024-12', '2024'). */
  period?: string;
}

/** Options a dataset's discovery gets. */
export interface DiscoverOptions {
  /** Inclusive month range 'YYYY-MM' (backfill); absent = the newest releases (refresh). */
  from?: string;
  to?: string;
  /**
   * Base URL of each host the sources declare, by host key (config; tests point them all at one
   * local fixture server). Read one with `baseUrl(opts, key)` (src/core/source.ts).
   */
  baseUrls: Readonly<Record<string, string>>;
  /** GET a listing page or API index through the engine's HTTP client (retries, limits). */
  fetchText: (url: string) => Promise<string>;
  /**
   * The sources' secrets that are set, by environment variable (`CENSUS_API_KEY`); put a key in
   * URLs as `key=`; the engine masks every value in logs, messages and the database.
   */
  secrets?: Readonly<Record<string, string>>;
}

/** The contract a pipeline implements for each dataset. A pipeline is data, not a framework. */
export interface Dataset<Row = Observation> {
  id: string;                   // 'mof.press'
  source: SourceId;
  description: string;
  /** Which history table the rows go to: the core's `trade` or `fx`, or the schema of the dataset's own `store`. */
  target: 'trade' | 'fx' | (string & {});
  /** A history table the dataset brings itself (keys, columns, row check); absent = `target`'s. */
  store?: Target<Row>;
  /** Expected content kind, used to refuse an HTML page or wrong bytes before parsing. */
  contentKind: 'xml' | 'csv' | 'json' | 'xlsx';
  /** Releases that exist for a range (or the newest ones). */
  discover?: (opts: DiscoverOptions) => Promise<DiscoveredRelease[]>;
  /** Parse one release to rows, recording what it learns in `facts`. Streaming. */
  parse: (input: ReleaseInput, facts: ReleaseFacts) => AsyncIterable<Row>;
  /**
   * The same rows as parse, a batch at a time: one async step per batch instead of per row. For
   * a parser whose rows are many and small (a Census answer: 282,547 observations at a tenth of
   * the benchmark's size), the promises of a step per observation and the objects they kept
   * alive were a third of a load's time on PGlite. The loader uses it when a dataset has it.
   */
  parseBatches?: (input: ReleaseInput, facts: ReleaseFacts) => AsyncIterable<Row[]>;
  /**
   * The same release for the lean trade store as raw rows unpivoted by the database (a fixed
   * wide layout, validated as parse does); the loader uses it instead of parse when it gives one
   * (a lazily imported dataset answers undefined when its module has none).
   */
  stageRaw?: (input: ReleaseInput, facts: ReleaseFacts) => Promise<RawStage | undefined>;
}
