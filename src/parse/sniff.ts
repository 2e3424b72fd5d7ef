import { DataError, TransientError } from '../core/errors.js';

/** Reads the first bytes of a stream-producing input, for content checks before parsing. */
export async function headBytes(stream: () => NodeJS.ReadableStream | AsyncIterable<Uint8Array>, n = 512): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  const s = stream();
  for await (const chunk of s as AsyncIterable<Uint8Array>) {
    parts.push(Buffer.from(chunk));
    size += chunk.length;
    if (size >= n) break;
  }
  if ('destroy' in s && typeof (s as { destroy?: () => void }).destroy === 'function') (s as { destroy: () => void }).destroy();
  return Buffer.concat(parts).subarray(0, n);
}

/**
 * Does this look like an HTML page (an error or login page served in place of data)? Decided by
 * the document's root only: data XML has elements like <title> too (MOF's press XML does).
 */
export function looksLikeHtml(head: Buffer): boolean {
  let t = head.toString('latin1').replace(/^\uFEFF|^\xEF\xBB\xBF/, '').trimStart().toLowerCase();
  // Skip an XML declaration, processing instructions and comments before the root.
  for (;;) {
    const m = /^(<\?[\s\S]*?\?>|<!--[\s\S]*?-->)\s*/.exec(t);
    if (!m) break;
    t = t.slice(m[0].length);
  }
  return t.startsWith('<!doctype html') || /^<html[\s>]/.test(t) || /^<(head|body)[\s>]/.test(t);
}

/** Is this a zip container (xlsx)? */
export function isZip(head: Buffer): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
}

/**
 * Refuses inputs that cannot be the expected kind of file: empty, an HTML page, or (for xlsx)
 * anything but a zip. An HTML page is transient when it came over HTTP (a portal's error page
 * can go away), a data error for a local file.
 */
export function checkContent(head: Buffer, opts: { dataset: string; fileName: string; kind: 'xml' | 'csv' | 'json' | 'xlsx'; bytes: number; fromHttp?: boolean }): void {
  if (opts.bytes === 0 || head.length === 0) {
    throw new DataError({ dataset: opts.dataset, file: opts.fileName, expected: `a ${opts.kind.toUpperCase()} file, but the file is empty (0 bytes)` });
  }
  if (opts.kind !== 'xlsx') {
    if (looksLikeHtml(head)) {
      const msg = { dataset: opts.dataset, file: opts.fileName, line: 1, value: head.toString('utf8').trim().slice(0, 60), expected: `a ${opts.kind.toUpperCase()} file, not an HTML page (an error or portal page was served instead of the data)` };
      if (opts.fromHttp) throw new TransientError(DataError.format(msg), { ...msg });
      throw new DataError(msg);
    }
  }
  if (opts.kind === 'xlsx' && !isZip(head)) {
    if (looksLikeHtml(head) && opts.fromHttp) {
      throw new TransientError(`${opts.dataset}: ${opts.fileName}: an HTML page was served instead of the XLSX file`, { dataset: opts.dataset, file: opts.fileName });
    }
    throw new DataError({ dataset: opts.dataset, file: opts.fileName, value: head.subarray(0, 8).toString('hex'), expected: 'an XLSX file (a zip archive starting with the bytes 50 4b 03 04, "PK\\x03\\x04")' });
  }
}
