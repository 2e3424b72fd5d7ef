/**
 * Keeps a copy of the first bytes of a stream while passing every chunk on unchanged, so a
 * parser can look at the header exactly as written (quotes included, which the CSV reader
 * removes) without reading the file twice or holding more than `maxBytes`.
 * @example const tap = tapHead(input.stream(), 65536); for await (const row of readCsv(tap.stream, …)) { tap.head() … }
 */
export function tapHead(source: NodeJS.ReadableStream | AsyncIterable<Uint8Array>, maxBytes: number): {
  stream: AsyncIterable<Uint8Array>;
  head: () => Buffer;
} {
  const parts: Buffer[] = [];
  let size = 0;
  async function* pass(): AsyncIterable<Uint8Array> {
    for await (const chunk of source as AsyncIterable<Uint8Array | string>) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      if (size < maxBytes) {
        const take = buf.subarray(0, maxBytes - size);
        parts.push(Buffer.from(take));
        size += take.length;
      }
      yield buf;
    }
  }
  return { stream: pass(), head: () => Buffer.concat(parts) };
}
