import type { Dataset, DiscoverOptions } from './vocabulary.js';
import { ConfigError } from './errors.js';

/**
 * A source as a plug-in: what its folder (pipelines/<source>/source.ts) tells the core about it.
 * The core reads the list of descriptors (pipelines/sources.ts) and never names a source itself:
 * configuration, redaction, the fixture server, the analyst schema lists and the catalog all
 * come from here (docs/adding-a-source.md).
 */
export interface SourceDescriptor {
  /** The source's id, also the prefix of its datasets' ids ('mof' → 'mof.press'). */
  id: string;
  /** One line: the publisher and what it publishes. */
  description: string;
  /**
   * The datasets, in the order a full refresh runs them. Lazy (see pipelines/lazy.ts): listing
   * them must not import a parser, so that `--help` and every command start fast.
   */
  datasets: Dataset<any>[];
  /** Imports the source's own modules (the parsers): for the catalog test, never at start-up. */
  loadModules: () => Promise<Dataset<any>[]>;
  /** The hosts it fetches from, each configurable by an environment variable (tests point them at the fixture server). */
  hosts: SourceHost[];
  /** Environment variables holding secrets (API keys): read into the configuration, handed to discovery, masked everywhere. */
  secrets?: SourceSecret[];
  /** Its folder under fixtures/ (routes.json lists each file and the URL it is published under). */
  fixtures: string;
  /** Extra analyst schemas its SQL creates (besides the core's ref, trade, fx, metrics), e.g. usitc → tariff. */
  schemas?: string[];
  /** When the publisher publishes, and how old its newest release may get: the defaults config/schedule.json starts from. */
  schedule?: ScheduleDefaults;
  /** Which of its datasets provides a figure of the analyst report (src/report): the report asks the list, never names a dataset. */
  report?: ReportDatasets;
}

/**
 * Figures of the analyst report, each read from the one dataset a source names for it. A figure
 * no registered source provides is left out of the page ("nothing loaded"), as on an empty database.
 */
export interface ReportDatasets {
  /** Japan's exports per calendar year, summed from monthly world totals (the annual-exports chart). */
  annualExports?: string;
  /** The US side of the US–Japan balance drawn in the chart's primary colour; other US datasets are drawn lighter. */
  usBalance?: string;
}

/** One host of a source. */
export interface SourceHost {
  /** Key in `config.baseUrls` / `DiscoverOptions.baseUrls` ('mof', 'estat'). Unique over all sources. */
  key: string;
  /** Environment variable that overrides it ('MOF_BASE_URL'). */
  env: string;
  /** The publisher's real base URL. */
  default: string;
}

/** A secret a source reads from the environment. */
export interface SourceSecret {
  /** Environment variable ('CENSUS_API_KEY'). */
  env: string;
  /** What `doctor` says when it is not set (a WARN); absent = nothing said. */
  whenMissing?: string;
}

/** Schedule defaults of a source (cron read in `timezone`), and per dataset a freshness cadence ('40d'). */
export interface ScheduleDefaults {
  cron: string;
  timezone: string;
  description?: string;
  freshness?: Record<string, string>;
}

/**
 * The base URL of one of the hosts a source declared; a ConfigError when it is missing.
 * @example baseUrl(opts, 'mof') // 'https://www.customs.go.jp'
 */
export function baseUrl(opts: Pick<DiscoverOptions, 'baseUrls'>, key: string): string {
  const url = opts.baseUrls[key];
  if (!url) throw new ConfigError(`no base URL for host ${JSON.stringify(key)}: is its source registered in pipelines/sources.ts?`, { host: key });
  return url;
}

/**
 * Checks a list of descriptors: unique source ids, host keys and variables; dataset ids under their source.
 * Throws on the first conflict, naming it.
 */
export function checkSources(sources: readonly SourceDescriptor[]): void {
  const seen = new Set<string>();
  const once = (kind: string, v: string) => {
    if (seen.has(`${kind}:${v}`)) throw new ConfigError(`two sources declare the ${kind} ${JSON.stringify(v)} (pipelines/sources.ts)`, { [kind]: v });
    seen.add(`${kind}:${v}`);
  };
  for (const s of sources) {
    once('source', s.id);
    for (const h of s.hosts) { once('host', h.key); once('variable', h.env); }
    for (const sec of s.secrets ?? []) once('variable', sec.env);
    for (const d of s.datasets) {
      once('dataset', d.id);
      if (d.source !== s.id || !d.id.startsWith(`${s.id}.`)) throw new ConfigError(`dataset ${d.id} is listed under source ${s.id} but declares source ${d.source}`, { dataset: d.id });
    }
    for (const [figure, dataset] of Object.entries(s.report ?? {})) {
      once('report figure', figure);
      if (!s.datasets.some((d) => d.id === dataset)) throw new ConfigError(`source ${s.id} names ${JSON.stringify(dataset)} for the report's ${figure}, but has no such dataset`, { source: s.id, dataset });
    }
  }
}
