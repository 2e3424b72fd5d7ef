import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DICTIONARY_FILE, generateDataDictionary } from '../../scripts/gen-data-dictionary.js';
import { readDictionary, renderDictionary } from '../../src/analyst/data-dictionary.js';
import { useDb } from '../helpers/db.js';

describe('docs/data-dictionary.md', () => {
  it('is up to date with the comments of sql/*.sql', async () => {
    const fresh = await generateDataDictionary();
    const committed = fs.existsSync(DICTIONARY_FILE) ? fs.readFileSync(DICTIONARY_FILE, 'utf8') : '(missing)';
    if (committed !== fresh) {
      const a = committed.split('\n');
      const b = fresh.split('\n');
      const at = b.findIndex((l, i) => l !== a[i]);
      throw new Error('docs/data-dictionary.md is stale (a migration added or changed a COMMENT ON): run `npm run docs:dictionary` and commit the result.\n' +
        `first difference at line ${at + 1}:\n  file:      ${a[at] ?? '(end of file)'}\n  generated: ${b[at] ?? '(end of file)'}`);
    }
  });
});

describe('data dictionary contents', () => {
  const t = useDb('pglite');

  it('lists every table and view of the documented schemas with its comment and columns', async () => {
    const schemas = await readDictionary(t.db());
    expect(schemas.map((s) => s.name)).toEqual(['ref', 'trade', 'fx', 'tariff', 'metrics', 'etl']);
    const count = await t.db().query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_class c
      WHERE c.relnamespace::regnamespace::text IN ('ref','trade','fx','tariff','metrics','etl') AND c.relkind IN ('r','p','v','m')`);
    expect(schemas.flatMap((s) => s.relations)).toHaveLength(count[0]!.n);
    const obs = schemas.find((s) => s.name === 'trade')!.relations.find((r) => r.name === 'observation')!;
    expect(obs.kind).toBe('view');
    expect(obs.description).toMatch(/Current vintage/);
    expect(obs.columns.find((c) => c.name === 'value')).toEqual({ name: 'value', type: 'numeric', description: 'The number in `unit`.' });

    const md = renderDictionary(schemas);
    expect(md).toContain('### `trade.observation` (view)');
    expect(md).toContain('| `commodity_code` | text | Commodity code (text); TOTAL for all commodities. |');
    expect(md).toMatch(/\| `trade\.observation_as_of\(as_of date, datasets text\[\]\)` \| TABLE\(dataset text, .*\| Trade observations as published on a date/);
    // Angle brackets in comments survive markdown rendering; pipes do not break tables.
    expect(md).toContain('&lt;scheme&gt;:&lt;code&gt;');
    expect(renderDictionary([{ name: 'x', description: 'a | b', relations: [], functions: [] }])).toContain('a \\| b');
  });
});
