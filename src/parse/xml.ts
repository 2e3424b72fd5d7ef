/**
 * A safe streaming XML reader on saxes. Publishers' XML is untrusted input, so:
 * - external entities are never resolved (saxes has no resolver at all), and
 * - any DOCTYPE that declares entities (or points to an external DTD) is refused outright, so an
 *   entity bomb or an XXE payload fails before its first element instead of failing late.
 * Events come out as an async iterable with bounded buffering: one input chunk's worth at a time.
 */
import { Readable } from 'node:stream';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { DataError } from '../core/errors.js';

/** One reader event. `path` is the element path from the root, joined by '/'. */
export type XmlEvent =
  | { kind: 'open'; name: string; path: string; attributes: Record<string, string>; line: number; column: number }
  | { kind: 'close'; name: string; path: string; text: string; line: number; column: number }
  | { kind: 'pi'; target: string; body: string; line: number; column: number };

export interface XmlOptions {
  dataset: string;
  fileName: string;
  /** Byte chunks larger than this are split so one event batch stays small. */
  maxChunkChars?: number;
}

/** Where a reader event sits, for error messages: the file is often one long line. */
export interface XmlPosition {
  line: number;
  /** 1-based character column. */
  column: number;
  path: string;
}

/**
 * Builds a DataError for an XML position, naming line, character column and element path.
 * @example throw xmlError(opts, { line: 1, column: 512, path: 'hodoxml/x' }, 'abc', 'a number')
 */
export function xmlError(opts: XmlOptions, pos: XmlPosition, value: string | undefined, expected: string): DataError {
  return new DataError({
    dataset: opts.dataset, file: opts.fileName, line: pos.line,
    column: `char ${pos.column}, element <${pos.path || '(document)'}>`,
    value, expected,
  });
}

/**
 * Streams an XML document (UTF-8) as open/close/processing-instruction events. A `close` event
 * carries the element's own text content (text directly inside it, entities decoded), which is
 * what leaf-value formats need. Malformed or truncated XML, undecodable bytes, and DOCTYPEs
 * with entity declarations all raise a DataError with line, column and element path.
 * @example for await (const ev of readXml(stream, { dataset: 'mof.press', fileName: 'a.xml' })) if (ev.kind === 'close') console.log(ev.path, ev.text)
 */
export async function* readXml(source: NodeJS.ReadableStream | AsyncIterable<Uint8Array>, opts: XmlOptions): AsyncIterable<XmlEvent> {
  const input = source instanceof Readable ? source : Readable.from(source as AsyncIterable<Uint8Array>);
  const parser = new SaxesParser({ xmlns: false, position: true, fileName: opts.fileName });
  const stack: string[] = [];
  const texts: string[] = [];
  let queue: XmlEvent[] = [];
  let failure: DataError | undefined;
  let sawRoot = false;
  const here = (): XmlPosition => ({ line: parser.line, column: parser.column + 1, path: stack.join('/') });

  parser.on('doctype', (doctype) => {
    // Entity declarations are how entity bombs and XXE work; nothing we read needs them.
    if (/<!ENTITY/i.test(doctype) || /\b(SYSTEM|PUBLIC)\b/.test(doctype)) {
      failure ??= xmlError(opts, here(), `<!DOCTYPE${doctype.slice(0, 60)}`,
        'no DOCTYPE with entity declarations or external DTDs (refused: possible entity expansion or external entity attack)');
    }
  });
  parser.on('processinginstruction', (pi) => {
    queue.push({ kind: 'pi', target: pi.target, body: pi.body ?? '', line: parser.line, column: parser.column + 1 });
  });
  parser.on('opentag', (tag: SaxesTagPlain) => {
    sawRoot = true;
    stack.push(tag.name);
    texts.push('');
    queue.push({ kind: 'open', name: tag.name, path: stack.join('/'), attributes: { ...(tag.attributes as Record<string, string>) }, line: parser.line, column: parser.column + 1 });
  });
  parser.on('text', (t) => {
    if (texts.length > 0) texts[texts.length - 1] += t;
  });
  parser.on('cdata', (t) => {
    if (texts.length > 0) texts[texts.length - 1] += t;
  });
  parser.on('closetag', (tag) => {
    const path = stack.join('/');
    const text = texts.pop() ?? '';
    stack.pop();
    queue.push({ kind: 'close', name: tag.name, path, text, line: parser.line, column: parser.column + 1 });
  });
  // The last characters read, shown as the value of a syntax error (the files are one long line).
  let tail = '';
  parser.on('error', (err) => {
    failure ??= xmlError(opts, here(), tail === '' ? '(empty file)' : `…${tail}`, `well-formed XML (${err.message.replace(/^[^:]*:\d+:\d+: /, '')})`);
  });

  const decoder = new TextDecoder('utf-8', { fatal: true });
  const max = opts.maxChunkChars ?? 65536;
  const feed = (s: string): void => {
    for (let i = 0; i < s.length && !failure; i += max) {
      const piece = s.slice(i, i + max);
      tail = (tail + piece).slice(-40);
      try {
        parser.write(piece);
      } catch (err) {
        failure ??= err instanceof DataError ? err : xmlError(opts, here(), undefined, `well-formed XML (${(err as Error).message})`);
      }
    }
  };
  for await (const chunk of input as AsyncIterable<Uint8Array | string>) {
    let s: string;
    try {
      s = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    } catch {
      throw xmlError(opts, here(), undefined, 'UTF-8 text (the bytes here do not decode)');
    }
    feed(s);
    if (failure) throw failure;
    const out = queue;
    queue = [];
    yield* out;
    if (failure) throw failure;
  }
  try {
    feed(decoder.decode());
  } catch {
    throw xmlError(opts, here(), undefined, 'UTF-8 text (the file ends inside a multi-byte character)');
  }
  if (!failure) {
    try {
      parser.close();
    } catch (err) {
      failure ??= xmlError(opts, here(), `…${tail}`, `well-formed XML (${(err as Error).message})`);
    }
  }
  if (!failure && !sawRoot) failure = xmlError(opts, here(), '', 'an XML document with a root element (the file is empty or has no elements)');
  if (failure) throw failure;
  yield* queue;
}
