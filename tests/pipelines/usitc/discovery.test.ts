/** usitc.hts discovery on the bundled release list (the HTTP path is in tests/cli/sources-refresh.test.ts). */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PermanentError } from '../../../src/core/errors.js';
import { FIXTURES_DIR } from '../../../src/devtools/fixture-routes.js';
import { discoverHts } from '../../../pipelines/usitc/index.js';

const BASE = 'http://127.0.0.1:9';
const baseUrls = { usitc: 'https://hts.example/' };
const LIST = fs.readFileSync(path.join(FIXTURES_DIR, 'usitc/reststop/releaseList.json'), 'utf8');
const opts = (body: string, asked: string[] = []) => ({ baseUrls, fetchText: async (url: string) => { asked.push(url); return body; } });

describe('usitc.hts discovery', () => {
  it('asks the release list and fetches the current revision through exportList', async () => {
    const asked: string[] = [];
    const found = await discoverHts(opts(LIST, asked));
    expect(asked).toEqual(['https://hts.example/reststop/releaseList']);
    expect(found).toEqual([{
      url: 'https://hts.example/reststop/exportList?from=0101&to=9999&format=CSV&styles=false',
      fileName: 'hts_2026_revision_4_csv.csv',
      label: '2026 HTS Revision 4 (current release)',
      period: '2026-02',
      hints: { revision: '2026-r4', releaseName: '2026HTSRev4', publishedOn: '2026-02-25' },
    }]);
  });

  it('refuses a list without exactly one current release, an unknown name, and a backfill range', async () => {
    const list = JSON.parse(LIST) as Array<Record<string, unknown>>;
    await expect(discoverHts(opts(JSON.stringify(list.map((r) => ({ ...r, status: 'archived' })))))).rejects.toThrow(/0 releases with status "current"/);
    await expect(discoverHts(opts(JSON.stringify([{ ...list[0], name: 'HTS2026' }])))).rejects.toThrow(/expected a name like 2026HTSRev4/);
    await expect(discoverHts(opts('<html>'))).rejects.toThrow(/did not answer JSON/);
    await expect(discoverHts({ ...opts(LIST), from: '2025-01', to: '2025-12' })).rejects.toThrow(PermanentError);
  });
});
