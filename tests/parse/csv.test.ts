import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/core/errors.js';
import { readCsv } from '../../src/parse/csv.js';

const opts = { dataset: 'mof.hs_country', fileName: 'f.csv', encoding: 'cp932' as const };

/** The bytes of `text` in CP932, delivered in chunks of `size` bytes. */
function chunks(bytes: Buffer, size: number): AsyncIterable<Uint8Array> {
  return (async function* () {
    for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
  })();
}

// 3,000 lines of about 60 characters: several of readCsvPieces' 16 kB pieces per chunk.
const lines = Array.from({ length: 3000 }, (_, i) => `${i + 1},'${String(i).padStart(9, '0')}',日本,${'9'.repeat(i % 40)}`);
const text = `${lines.join('\r\n')}\r\n`;

describe('readCsv', () => {
  it('numbers every line across chunks and pieces, and gives the fields as written', async () => {
    for (const size of [1000, 64 * 1024, 256 * 1024]) {
      const rows = [];
      for await (const r of readCsv(chunks(iconv.encode(text, 'cp932'), size), opts)) rows.push(r);
      expect(rows).toHaveLength(3000);
      expect(rows.every((r, i) => r.line === i + 1 && r.fields.join(',') === lines[i])).toBe(true);
    }
  });

  it('gives the rows before an undecodable field, then its error (file order, as row by row)', async () => {
    const bytes = iconv.encode(text, 'cp932');
    // A lone lead byte of a double-byte character on line 2,500.
    const at = bytes.indexOf(Buffer.from(lines[2499]!.slice(0, 8), 'latin1'));
    bytes[at + 1] = 0x81;
    bytes[at + 2] = 0x2c; // 0x81 0x2C is no CP932 character
    const seen: number[] = [];
    let err: unknown;
    try {
      for await (const r of readCsv(chunks(bytes, 256 * 1024), opts)) seen.push(r.line);
    } catch (e) {
      err = e;
    }
    expect(seen).toEqual(Array.from({ length: 2499 }, (_, i) => i + 1));
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(/line 2500, column "1"/);
  });
});
