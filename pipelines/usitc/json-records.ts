/**
 * The elements of a top-level JSON array, one at a time. USITC's JSON export is one array of
 * ~36,000 objects (several MB, possibly on one line), so the body is never JSON.parse'd whole:
 * a scan that knows only strings, escapes and bracket depth finds where each element ends, and
 * only that element's text is parsed. Memory: one chunk and one unfinished element.
 * A body that stops before the array's closing `]` (a truncated download) is refused.
 */
import iconv from 'iconv-lite';
import { DataError } from '../../src/core/errors.js';

export interface JsonElement {
  /** 1-based position in the array. */
  row: number;
  /** 1-based line the element starts on. */
  line: number;
  value: unknown;
}

const enum S { Start, First, Next, InElement, AfterElement, Done }

/**
 * Streams the elements of a UTF-8 JSON array (a BOM is dropped).
 * @example for await (const { row, value } of readJsonArray(stream, { dataset: 'usitc.hts', fileName: 'hts.json' })) { … }
 */
export async function* readJsonArray(source: NodeJS.ReadableStream | AsyncIterable<Uint8Array>, opts: { dataset: string; fileName: string }): AsyncIterable<JsonElement> {
  const decoder = iconv.getDecoder('utf8', { stripBOM: true });
  const where = (line: number, row?: number) => ({ dataset: opts.dataset, file: opts.fileName, line, row });
  let state = S.Start;
  let line = 1;
  let row = 0;
  // Inside an element: its text so far, where it started, and the scanner's place in it.
  let text = '';
  let startLine = 1;
  let depth = 0;
  let inString = false;
  let escaped = false;

  function* scan(chunk: string): Generator<JsonElement> {
    let from = 0; // start of the element's text within this chunk
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (state === S.InElement) {
        if (inString) {
          if (escaped) escaped = false;
          else if (c === 0x5c) escaped = true;
          else if (c === 0x22) inString = false;
          else if (c === 0x0a) line++; // not valid JSON; JSON.parse names it below
          continue;
        }
        if (c === 0x22) inString = true;
        else if (c === 0x7b || c === 0x5b) depth++;
        else if (c === 0x7d || c === 0x5d) {
          if (--depth === 0) {
            text += chunk.slice(from, i + 1);
            let value: unknown;
            try {
              value = JSON.parse(text);
            } catch (err) {
              throw new DataError({ ...where(startLine, row), value: text.slice(0, 80), expected: `one JSON value (${(err as Error).message})` });
            }
            text = '';
            state = S.AfterElement;
            yield { row, line: startLine, value };
          }
        } else if (c === 0x0a) line++;
        continue;
      }
      if (c === 0x0a) { line++; continue; }
      if (c === 0x20 || c === 0x0d || c === 0x09) continue;
      const ch = chunk[i]!;
      if (state === S.Start) {
        if (ch !== '[') throw new DataError({ ...where(line), value: chunk.slice(i, i + 20), expected: 'a JSON array of schedule rows, starting with "["' });
        state = S.First;
      } else if ((state === S.First && ch === ']') || (state === S.AfterElement && ch === ']')) {
        state = S.Done;
      } else if (state === S.AfterElement) {
        if (ch !== ',') throw new DataError({ ...where(line, row), value: chunk.slice(i, i + 20), expected: '"," or "]" after an element of the array' });
        state = S.Next;
      } else if (state === S.First || state === S.Next) {
        if (ch !== '{' && ch !== '[') {
          throw new DataError({ ...where(line, row + 1), value: chunk.slice(i, i + 20), expected: 'an object ({…}) for each element of the array' });
        }
        state = S.InElement;
        row++;
        startLine = line;
        depth = 1;
        from = i;
        text = '';
      } else {
        throw new DataError({ ...where(line, row), value: chunk.slice(i, i + 20), expected: 'nothing after the array\'s closing "]"' });
      }
    }
    if (state === S.InElement) text += chunk.slice(from);
  }

  for await (const chunk of source as AsyncIterable<Uint8Array>) {
    const part = decoder.write(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    if (part.includes('\uFFFD')) throw new DataError({ ...where(line), value: part.slice(Math.max(0, part.indexOf('\uFFFD') - 20), part.indexOf('\uFFFD') + 20), expected: 'valid UTF-8 text (the bytes here do not decode)' });
    yield* scan(part);
  }
  yield* scan(decoder.end() ?? '');
  const end = state as S; // set inside scan(), which the compiler does not follow
  if (end !== S.Done) {
    throw new DataError({
      ...where(line, row || undefined), value: end === S.Start ? '' : `${row} element${row === 1 ? '' : 's'}`,
      expected: end === S.Start ? 'a JSON array, but the file holds only whitespace' : 'the array\'s closing "]": the file ends inside the array (a truncated download?)',
    });
  }
}
