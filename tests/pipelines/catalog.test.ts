import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Dataset, ReleaseFacts, ReleaseInput } from '../../src/core/vocabulary.js';
import { FIXTURES_DIR } from '../../src/devtools/fixture-routes.js';
import { PIPELINES, loadAllDatasetModules } from '../../pipelines/index.js';

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
    const viaCatalog = await collect(lazyH10, 'h10.csv');
    expect(viaCatalog.rows.length).toBeGreaterThan(100);
    expect(viaCatalog).toEqual(await collect(realH10, 'h10.csv'));

    const bad: ReleaseInput = { dataset: 'frb.h10', fileName: 'bad.csv', stream: () => Readable.from([Buffer.from('<html><body>not found</body></html>\n')]), bytes: 36 };
    const drain = async () => { for await (const _ of lazyH10.parse(bad, {})) { /* nothing */ } };
    await expect(drain()).rejects.toThrow(/bad\.csv/);
  });
});
