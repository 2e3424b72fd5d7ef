import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/core/errors.js';
import { readXml, type XmlEvent } from '../../../src/parse/xml.js';

const read = async (chunks: Array<string | Buffer>): Promise<XmlEvent[]> => {
  const out: XmlEvent[] = [];
  for await (const ev of readXml(Readable.from(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c))), { dataset: 't', fileName: 'f.xml' })) out.push(ev);
  return out;
};

describe('readXml (src/parse/xml.ts)', () => {
  it('gives element paths, decoded leaf text and positions, across chunk and UTF-8 boundaries', async () => {
    const doc = Buffer.from('<?xml version="1.0"?><a><b x="1">A&amp;B △5</b><c/></a>');
    const cut = doc.indexOf(Buffer.from('△')) + 1; // split inside the multi-byte character
    const evs = await read([doc.subarray(0, cut), doc.subarray(cut)]);
    const b = evs.find((e) => e.kind === 'close' && e.path === 'a/b');
    expect(b).toMatchObject({ text: 'A&B △5', line: 1 });
    expect(evs.find((e) => e.kind === 'open' && e.path === 'a/b')).toMatchObject({ attributes: { x: '1' } });
    expect(evs.some((e) => e.kind === 'close' && e.path === 'a/c' && e.text === '')).toBe(true);
  });

  it('refuses entity declarations, undefined entities, truncation and bad UTF-8 with a DataError', async () => {
    await expect(read(['<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>'])).rejects.toThrow(/DOCTYPE with entity declarations/);
    await expect(read(['<!DOCTYPE a SYSTEM "http://example.invalid/a.dtd"><a/>'])).rejects.toThrow(/external DTDs/);
    await expect(read(['<a>&e;</a>'])).rejects.toThrow(/undefined entity/);
    await expect(read(['<a><b>1</b><c>'])).rejects.toThrow(/line 1, column "char \d+, element <a\/c>".*unclosed tag/);
    await expect(read([Buffer.from([0x3c, 0x61, 0x3e, 0xff, 0x3c, 0x2f, 0x61, 0x3e])])).rejects.toThrow(/UTF-8/);
    await expect(read([''])).rejects.toBeInstanceOf(DataError);
  });

  it('accepts a DOCTYPE without entities', async () => {
    const evs = await read(['<!DOCTYPE a><a>1</a>']);
    expect(evs.find((e) => e.kind === 'close')).toMatchObject({ path: 'a', text: '1' });
  });
});
