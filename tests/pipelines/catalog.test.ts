import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Dataset, ReleaseFacts, ReleaseInput } from '../../src/core/vocabulary.js';
import { FIXTURES_DIR } from '../../src/devtools/fixture-routes.js';
import { PIPELINES, SOURCES, loadAllDatasetModules } from '../../pipelines/index.js';
import { loadConfig, redactSecrets } from '../../src/core/config.js';
import { fixtureEnv } from '../../src/devtools/fixture-server.js';
import { fixtureRoutes } from '../../src/devtools/fixture-routes.js';
import { loadScheduleConfig } from '../../src/ops/schedule-config.js';
import { REPO_ROOT } from '../../src/core/paths.js';
import { checkSources, type ReportDatasets } from '../../src/core/source.js';
import { reportDataset } from '../../src/engine/registry.js';
import { rowBatches } from '../../src/core/batches.js';

// The catalog lists each dataset without importing its parser, so that commands start fast;
// this checks that every entry stands for its own module, and parses through it.
describe('the dataset catalog', () => {
  it('lists every dataset module, in order, with the metadata the module itself declares', async () => {
    const modules = await loadAllDatasetModules();
    const meta = (d: { id: string; source: string; description: string; target: string; contentKind: string }) =>
      ({ id: d.id, source: d.source, description: d.description, target: d.target, contentKind: d.contentKind });
    expect(PIPELINES.flat().map(meta)).toEqual(modules.map(meta));
    for (const m of modules) expect(typeof m.discover).toBe('function');
  });

  it('parses through the lazily loaded module exactly as the module does, and reports its errors', async () => {
    const modules = await loadAllDatasetModules();
    const lazyH10 = PIPELINES.flat().find((d) => d.id === 'frb.h10')!;
    const realH10 = modules.find((d) => d.id === 'frb.h10')!;
    const file = path.join(FIXTURES_DIR, 'frb', 'h10_daily_JPY_CNY_2024-01-01_2025-05-09_constructed.csv');
    const input = (name: string): ReleaseInput => ({ dataset: 'frb.h10', fileName: name, stream: () => fs.createReadStream(file), bytes: fs.statSync(file).size });
    const collect = async (d: Dataset<any>, name: string) => {
      const facts: ReleaseFacts = {};
      const rows: unknown[] = [];
      for await (const r of d.parse(input(name), facts)) rows.push(r);
      return { rows, facts };
    };
    const collect2 = async (d: Dataset<any>, inp: ReleaseInput) => {
      const facts: ReleaseFacts = {};
      const rows: unknown[] = [];
      for await (const r of d.parse(inp, facts)) rows.push(r);
      return { rows, facts };
    };
    const viaCatalog = await collect(lazyH10, 'h10.csv');
    expect(viaCatalog.rows.length).toBeGreaterThan(100);
    expect(viaCatalog).toEqual(await collect(realH10, 'h10.csv'));

    // In batches (what the loader reads): the same rows, in the same order, with the same facts;
    // frb.h10's module has no parseBatches, census.api's has.
    const batched = async (d: Dataset<any>, inp: ReleaseInput) => {
      const facts: ReleaseFacts = {};
      const rows: unknown[] = [];
      let batches = 0;
      for await (const b of rowBatches(d, inp, facts)) { batches++; rows.push(...b); }
      return { rows, facts, batches };
    };
    const h10Batched = await batched(lazyH10, input('h10.csv'));
    expect({ rows: h10Batched.rows, facts: h10Batched.facts }).toEqual(viaCatalog);
    const censusFile = path.join(FIXTURES_DIR, 'census', 'api', 'imports_enduse_30000_2024.json');
    const censusInput = (): ReleaseInput => ({ dataset: 'census.api', fileName: 'enduse.json', stream: () => fs.createReadStream(censusFile, { highWaterMark: 64 }), bytes: fs.statSync(censusFile).size });
    const lazyCensus = PIPELINES.flat().find((d) => d.id === 'census.api')!;
    expect(modules.find((d) => d.id === 'census.api')!.parseBatches).toBeTypeOf('function');
    const censusRows = await collect2(lazyCensus, censusInput());
    const censusBatched = await batched(lazyCensus, censusInput());
    expect(censusRows.rows.length).toBeGreaterThan(5);
    expect({ rows: censusBatched.rows, facts: censusBatched.facts }).toEqual(censusRows);
    expect(censusBatched.batches).toBeGreaterThan(1);

    const bad: ReleaseInput = { dataset: 'frb.h10', fileName: 'bad.csv', stream: () => Readable.from([Buffer.from('<html><body>not found</body></html>\n')]), bytes: 36 };
    const drain = async () => { for await (const _ of lazyH10.parse(bad, {})) { /* nothing */ } };
    await expect(drain()).rejects.toThrow(/bad\.csv/);
  });
});

// Each source is a descriptor its folder exports (pipelines/<source>/source.ts), registered by one
// line in pipelines/sources.ts; the core reads only these (docs/adding-a-source.md).
describe('the source descriptors', () => {
  const sql = fs.readdirSync(path.join(REPO_ROOT, 'sql')).filter((f) => f.endsWith('.sql')).map((f) => fs.readFileSync(path.join(REPO_ROOT, 'sql', f), 'utf8')).join('\n');
  const schedule = loadScheduleConfig();

  for (const source of SOURCES) {
    describe(source.id, () => {
      it('lists its datasets under its own id, lazily, each the same as its module', async () => {
        expect(source.datasets.length).toBeGreaterThan(0);
        for (const d of source.datasets) {
          expect(d.source).toBe(source.id);
          expect(d.id.startsWith(`${source.id}.`)).toBe(true);
        }
        const modules = await source.loadModules();
        expect(source.datasets.map((d) => [d.id, d.target, d.contentKind, d.description])).toEqual(modules.map((d) => [d.id, d.target, d.contentKind, d.description]));
      });

      it('declares its hosts: a variable each, read by the configuration, set by the fixture server', () => {
        expect(source.hosts.length).toBeGreaterThan(0);
        const env = fixtureEnv('http://127.0.0.1:9');
        for (const h of source.hosts) {
          expect(h.env).toMatch(/^[A-Z][A-Z0-9_]*_BASE_URL$/);
          expect(new URL(h.default).protocol).toBe('https:');
          expect(loadConfig({}).baseUrls[h.key]).toBe(h.default);
          expect(loadConfig({ [h.env]: 'http://mirror.example' }).baseUrls[h.key]).toBe('http://mirror.example');
          expect(env[h.env]).toBe('http://127.0.0.1:9');
        }
      });

      it('has its secrets read by the configuration and masked', () => {
        for (const sec of source.secrets ?? []) {
          const value = `${source.id}-secret-0123456789`;
          const config = loadConfig({ [sec.env]: value });
          expect(config.secrets[sec.env]).toBe(value);
          expect(redactSecrets(`GET /data?x=1&k=${value} failed`, config)).not.toContain(value);
        }
      });

      it('has a fixtures folder whose routes are its own datasets\' files', () => {
        const routes = fixtureRoutes().filter((r) => r.source === source.id);
        expect(fs.existsSync(path.join(FIXTURES_DIR, source.fixtures, 'routes.json'))).toBe(true);
        expect(routes.length).toBeGreaterThan(0);
        const ids = new Set(source.datasets.map((d) => d.id));
        for (const r of routes) {
          expect(ids.has(r.dataset)).toBe(true);
          expect(fs.existsSync(r.file)).toBe(true);
        }
      });

      it('owns only schemas its SQL creates', () => {
        for (const schema of source.schemas ?? []) expect(sql).toMatch(new RegExp(`CREATE SCHEMA (IF NOT EXISTS )?${schema}\\b`));
      });

      it('has schedule defaults that config/schedule.json follows', () => {
        if (!source.schedule) return;
        const job = schedule.jobs.find((j) => j.source?.length === 1 && j.source[0] === source.id);
        expect(job).toMatchObject({ cron: source.schedule.cron, timezone: source.schedule.timezone });
        for (const [dataset, cadence] of Object.entries(source.schedule.freshness ?? {})) {
          expect(schedule.freshness[dataset]?.text).toBe(cadence);
        }
      });
    });
  }
});

describe('report figures in the descriptors', () => {
  it('are each given by one source, from one of its own datasets, and found by the report', () => {
    const given = SOURCES.flatMap((s) => Object.entries(s.report ?? {}).map(([figure, dataset]) => ({ source: s.id, figure, dataset })));
    for (const g of given) {
      expect(SOURCES.find((s) => s.id === g.source)!.datasets.map((d) => d.id)).toContain(g.dataset);
      expect(reportDataset(g.figure as keyof ReportDatasets)).toBe(g.dataset);
    }
    expect(new Set(given.map((g) => g.figure)).size).toBe(given.length);
  });

  it('refuses a figure from a dataset the source does not have, or one given by two sources', () => {
    const [mof, census] = [SOURCES.find((s) => s.id === 'mof')!, SOURCES.find((s) => s.id === 'census')!];
    expect(() => checkSources([{ ...mof, report: { annualExports: 'census.country' } }])).toThrow(/source mof names "census.country" for the report's annualExports, but has no such dataset/);
    expect(() => checkSources([{ ...mof, report: { annualExports: 'mof.timeseries' } }, { ...census, report: { annualExports: 'census.country' } }]))
      .toThrow(/two sources declare the report figure "annualExports"/);
  });
});
